# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: research
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   research:
#     authors: []
# ---

# %% [markdown]
# # Which event-study tests to trust on these markets: size and power on the kit's own returns

# %% [markdown] tags=["abstract"]
# We measure, by simulation on the daily returns in the kit's price store (Brown and Warner
# 1985), how often each test of the kit rejects when nothing happened and how often it detects
# an abnormal return added on day 0, with pseudo event dates drawn from 2012 to 2021. A test is
# called well-sized when the Wilson 95 % interval of its rejection rate without an event holds
# 5 %. With 1,000 samples of 50 listings on independent dates most tests are well-sized; the sign
# test over-rejects (7.80 % [6.29, 9.63]<!-- size: Sign test | Independent dates, 50 -->), and
# Brown and Warner's two tests and the cross-sectional t under-reject (the crude dependence test
# 2.80 % [1.94, 4.02]<!-- size: Brown-Warner crude | Independent dates, 50 -->). When the listings
# share their event date, as in every one of our episodes, the unadjusted tests over-reject on the
# mainland: BMP rejects 21.70 %<!-- size: BMP t (1991) | Clustered --> and Patell
# 17.90 %<!-- size: Patell Z (1976) | Clustered --> of samples of seven listings. Kolari and
# Pynnönen's adjusted Patell test is well-sized with seven listings
# (4.50 % [3.38, 5.97]<!-- size: Patell Z, Kolari | Clustered -->) but over-rejects with four
# (7.40 % [5.94, 9.19]<!-- size-clustered: Patell Z, Kolari | 4 listings -->); their adjusted BMP
# test over-rejects with seven (7.60 % [6.11, 9.41]<!-- size: BMP t, Kolari | Clustered -->), and
# with four or five listings sharing a date no test is well-sized. Power is low at our sample
# sizes: with four listings sharing a date the adjusted Patell test detects a 1 % abnormal return
# in 11.10 %<!-- power: Clustered dates > Patell Z, Kolari | n = 4 --> of samples and the adjusted
# BMP test in 9.20 %<!-- power: Clustered dates > BMP t, Kolari | n = 4 -->; the highest rate at
# that size, 34.10 %<!-- power: Clustered dates > Sign test | n = 4 -->, is the sign test's, which
# rejects 27.30 %<!-- size-clustered: Sign test | 4 listings --> of samples without an event.

# %% tags=["parameters"]
n_samples = 1000
seed = 2024
sizes = [4, 5, 6, 7, 8, 10, 50]
ks = [0.0, 0.005, 0.01, 0.02]
joint_boot = 199

# %%
from research.report.simcache import simulation

sim = simulation(n_samples, sizes=sizes, ks=ks, seed=seed)   # simulate(...), kept until its inputs change

# %% [markdown]
# ## Design
#
# A test is worth trusting when it rejects at its nominal rate if nothing happened (its *size*)
# and detects real effects (its *power*). Brown and Warner (1985) measured both by drawing
# securities and pseudo event dates at random from real daily returns; Kolari and Pynnönen
# (2010) showed that when the listings of a sample share the event date, ordinary tests
# over-reject because the abnormal returns are correlated. Every episode of this kit is of that
# kind: one announcement, four to ten listings.
#
# We draw samples of listings and pseudo event dates from the store: every listing of the
# registry with prices (mainland, Hong Kong and New York, with their registry benchmarks), day 0
# uniformly among the listing's own trading days from 1 January 2012 to 31 December 2021 with a
# full estimation window [−250, −11] and event window [−10, 20], and never with an event window
# that meets one of the five episodes' announcements. Like Brown and Warner, who drew their dates
# from a stated period of the CRSP daily file, we state the sample period instead of taking
# whatever history each price file holds, so that the tables do not move when a file grows or is
# trimmed; the kit's own price snapshot keeps these windows and gives the same tables as the full
# files. Two designs: *independent* dates, one per listing; and *clustered*, one
# calendar date for the whole sample, drawn on the seven mainland listings, whose returns move
# together. The market model is estimated for every listing-event in one pass and every test of
# the kit is run on every sample; an abnormal return of 0, half a percent, 1 % or 2 % is added to
# each listing's day-0 return (this shifts its abnormal return by exactly that amount under every
# model, so one panel serves every k). Rejection rates carry Wilson (1927) 95 % intervals: with
# 1,000 samples a rate of 5 % is measured to about ±1.4 points. The settings are in the
# appendix.

# %% [markdown]
# ## Size: rejections when nothing happened
#
# [The size table](#tab:size) gives each test's rejection rate on day 0 without an added
# return, for 50 listings on independent dates, for seven listings on independent dates, and
# for seven mainland listings sharing their date; [the size figure](#fig:size) draws the same
# numbers with their intervals against the 3–7 % band.

# %%
from research.report.tables import size_table

size_table(sim, "[0,0]")

# %%
from research.report.figures import size_figure

size_figure(sim, "[0,0]")

# %% [markdown]
# Over the two- and three-day windows [0,1] and [−1,1] the picture is the same ([the two-day
# sizes](#tab:size-01), [the three-day sizes](#tab:size-11)).

# %% [markdown]
# Under a shared date the size depends on how many listings share it; [the size by sample
# size](#tab:size-clustered) gives the clustered design for four to seven listings, the sizes of
# our episodes. The verdicts below apply the one rule of these papers to the Wilson intervals.

# %%
size_table(sim, "[0,0]", label="size-clustered", columns=[("clustered", n) for n in (4, 5, 6, 7)])

# %%
from research.report.text import size_verdicts

size_verdicts(sim, "[0,0]", columns=[("independent", 50), *[("clustered", n) for n in (4, 5, 6, 7)]])

# %% [markdown]
# ## Tests built for a shared date
#
# Two kinds of test keep the cross-correlation of a shared date inside their null distribution.
# The *portfolio placebo test* compares the CAR of the equally weighted portfolio of the sample's
# listings with the same portfolio's CARs over every window of the same length in the estimation
# window (the sample-quantile test of Gelbach, Helland and Klick 2013, applied to the portfolio),
# each day's portfolio return divided by a forecast of its volatility from the days before, as
# explained below.
# The *multivariate regression with event dummies* (Schipper and Thompson 1983; Binder 1985) tests,
# by Wald statistics with the listings' estimated covariance, that every listing's CAR is zero or
# that their mean is; Hein and Westfall (2004) read the same statistics against a bootstrap that
# redraws whole days of all listings' residuals. We measure them on a second draw of 1,000
# clustered samples for each size from four to seven mainland listings (the store prices seven
# mainland listings, so no sample of eight can share a mainland date), on day 0, with 199 bootstrap draws per sample to keep the cost sane (a p-value's resolution of
# 1/200 is ample for a test at 5 %), beside the adjusted BMP test and the generalised rank test on
# SCARs: [their sizes](#tab:size-joint) and their power against [1 %](#tab:power-joint) and
# [2 %](#tab:power-joint-2).

# %%
from research.report.tables import power_table
from research.study.significance import JOINT_TESTS

joint = simulation(n_samples, sizes=[4, 5, 6, 7], ks=[0.0, 0.01, 0.02], designs=["clustered"], windows=[(0, 0)],
                 tests=["bmp", "bmp_kp", "grank_scar", *JOINT_TESTS], n_boot=joint_boot, seed=seed)

# %%
size_table(joint, "[0,0]", label="size-joint", columns=[("clustered", n) for n in (4, 5, 6, 7)])

# %%
power_table(joint, 0.01, "[0,0]", label="power-joint")

# %%
power_table(joint, 0.02, "[0,0]", label="power-joint-2")

# %% [markdown]
# The bootstrap of the joint hypothesis stays inside 3–7 % at every sample size, from
# 5.50 % [4.25, 7.09]<!-- size-joint: SUR bootstrap, all | 4 listings --> with four listings to
# 3.70 % [2.70, 5.06]<!-- size-joint: SUR bootstrap, all | 7 listings --> with seven, where the same
# statistic read from its chi-square rejects
# 10.40 %<!-- size-joint: SUR Wald, all | 4 listings --> and
# 9.50 %<!-- size-joint: SUR Wald, all | 7 listings -->: daily returns have fatter tails than the
# normal, and a sum of n squared standardised CARs magnifies them. The portfolio placebo test also
# stays inside 3–7 % at every sample size, from
# 5.20 % [3.99, 6.76]<!-- size-joint: Portfolio placebo | 4 listings --> with four listings to
# 3.60 % [2.61, 4.94]<!-- size-joint: Portfolio placebo | 7 listings --> with seven, where its
# interval lies below 5 %: it is mildly conservative there. The bootstrap of the mean stays inside
# 3–7 % from five listings up (with seven,
# 4.40 % [3.29, 5.86]<!-- size-joint: SUR bootstrap, average | 7 listings -->) and over-rejects
# mildly with four (6.50 %<!-- size-joint: SUR bootstrap, average | 4 listings -->), as the adjusted
# BMP test (8.50 %<!-- size-joint: BMP t, Kolari | 4 listings -->) and the generalised rank test on
# SCARs (8.00 %<!-- size-joint: Generalised rank, SCAR | 4 listings -->) do on the same samples.
# Against a 1 % abnormal return the tests of the mean detect about one sample in eight to ten with
# four listings (placebo
# 10.40 %<!-- power-joint: Clustered dates > Portfolio placebo | n = 4 -->, bootstrap
# 9.90 %<!-- power-joint: Clustered dates > SUR bootstrap, average | n = 4 -->, generalised rank on
# SCARs 12.80 %<!-- power-joint: Clustered dates > Generalised rank, SCAR | n = 4 -->, adjusted BMP
# 11.90 %<!-- power-joint: Clustered dates > BMP t, Kolari | n = 4 -->); against 2 % about one in
# four or five (22.00 %<!-- power-joint-2: Clustered dates > Portfolio placebo | n = 4 -->,
# 22.40 %<!-- power-joint-2: Clustered dates > SUR bootstrap, average | n = 4 -->,
# 28.70 %<!-- power-joint-2: Clustered dates > Generalised rank, SCAR | n = 4 --> and
# 24.40 %<!-- power-joint-2: Clustered dates > BMP t, Kolari | n = 4 -->). The joint hypothesis
# spends its power on every direction a listing may move, so a common effect of 2 % moves its
# bootstrap least (9.80 %<!-- power-joint-2: Clustered dates > SUR bootstrap, all | n = 4 -->).
#
# Why the placebo test studentises. Ranking the portfolio's raw CAR among its raw placebo CARs, as
# Gelbach, Helland and Klick do for one firm, is exact only if day 0 is as volatile as the
# estimation window, and on the mainland it often is not. Ranked raw, with the same exact p-value,
# the test over-rejected samples of four without an event, above 7 % at every seed we tried, and
# most in samples drawn from 2013, when only four of the seven listings were listed, and from 2015
# (the crash, its limit moves and long suspensions): volatility moves between the estimation window
# and day 0. Returns over several sessions after a suspension are not the cause: leaving them out, or
# dividing them by the square root of their sessions, moved the rate by less than half a point. So
# each day's portfolio return is divided by a forecast of its volatility made from the days before,
# RiskMetrics' exponentially weighted average with its daily decay of 0.94 (J.P. Morgan/Reuters
# 1996), as Savickas (2003) divides abnormal returns by a GARCH forecast; every day of the event
# window is divided by the forecast made after the last estimation day, which no event-window
# return informs. The p-value counts the window's own studentised sum among the m + 1 sums (Phipson
# and Smyth 2010), so the test is exact when those sums are exchangeable, as under RiskMetrics'
# model of returns. It costs power where the raw ranking had size to spare, with seven listings,
# where the studentised test is mildly conservative ([its size](#tab:size-joint)).

# %%
size_table(sim, "[0,1]", label="size-01")

# %%
size_table(sim, "[-1,1]", label="size-11")

# %% [markdown]
# ## Power: finding a 1 % abnormal return in samples of our size
#
# [The power table](#tab:power) gives the rejection rate when 1 % is added to every listing's
# day-0 return, for every sample size we drew; [the power figure](#fig:power-curves) shows how
# the rejection rate grows with the abnormal return.

# %%
power_table(sim, 0.01, "[0,0]")

# %%
from research.report.figures import power_figure

power_figure(sim, "[0,0]")

# %% [markdown]
# ## What falls outside 3–7 % on independent dates, and why
#
# *The sign test* (p = 1/2) over-rejects with 50 listings because daily abnormal returns are
# skewed: their median is not zero even when their mean is, which is why Cowan (1992) proposed
# the generalised sign test, which estimates the share of positive returns from the estimation
# window and keeps its size here. *Brown and Warner's two tests*, the 1980 one and the crude
# dependence adjustment, under-reject with 50 listings (2.70 % and 2.80 %): they take the
# variance of the sample's mean abnormal return from its time series over the estimation
# window, and on these independent draws that estimate is larger than the spread of the day-0
# means, so the tests are conservative. Patell's test and BMP keep their size on independent
# dates. The *generalised rank test* over-rejects in small samples even on independent
# dates because Kolari and Pynnönen (2011) divide each standardised CAR by the cross-sectional
# standard deviation of the sample's CARs: with a handful of listings that estimate is noisy, and
# when it is small every event-day point becomes extreme in its listing's ranking. Under a shared
# date the CARs also share a common component the cross-sectional deviation cannot see, so the
# over-rejection grows. The same test computed on the SCARs themselves (`grank_scar` in the
# tables) keeps its size on independent dates and under a shared date with seven listings
# (6.30 %, against 14.80 % for the generalised rank test); what it gives up is the protection
# against event-induced variance that the re-standardisation buys. With 50 listings
# both are close to 5 %. With four or five listings the *Wilcoxon* test cannot reject at 5 % at all (its
# smallest two-sided p-value is 1/8 and 1/16) and the *sign* tests, read from the normal
# approximation, reject far too often or too rarely.
#
# For users: a sign-test rejection at 5 % is weaker evidence than it looks; prefer BMP, Patell,
# the generalised sign and Corrado's rank tests on independent dates (the generalised rank test
# over-rejects with seven listings, 10.20 %), and read no sign or Wilcoxon test on fewer than six
# listings.

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# On independent dates with 50 listings most of the kit's tests are well-sized on day 0; the sign
# test over-rejects (7.80 %<!-- size: Sign test | Independent dates, 50 -->), for the reason above,
# and Brown and Warner's tests are conservative (the crude dependence test rejects
# 2.80 %<!-- size: Brown-Warner crude | Independent dates, 50 -->). Sharing the event date, as our
# episodes do, changes this on the mainland: with seven listings the unadjusted BMP test rejects
# 21.70 %<!-- size: BMP t (1991) | Clustered --> of the time, Patell
# 17.90 %<!-- size: Patell Z (1976) | Clustered -->, the cross-sectional t
# 20.90 %<!-- size: Cross-sectional t | Clustered --> and the generalised rank test
# 14.80 %<!-- size: Generalised rank (Kolari | Clustered -->. With seven listings the
# Kolari-Pynnönen adjustment brings Patell to
# 4.50 % [3.38, 5.97]<!-- size: Patell Z, Kolari | Clustered -->, well-sized, and BMP to
# 7.60 % [6.11, 9.41]<!-- size: BMP t, Kolari | Clustered -->, which still over-rejects; the
# Corrado-Zivney sign test
# (5.80 % [4.51, 7.42]<!-- size: Corrado-Zivney sign | Clustered -->), the generalised rank test on
# SCARs (6.30 % [4.95, 7.98]<!-- size: Generalised rank, SCAR | Clustered -->) and Brown and
# Warner's crude dependence adjustment
# (6.00 % [4.69, 7.65]<!-- size: Brown-Warner crude | Clustered -->) are well-sized, while the
# Corrado rank test over-rejects mildly (6.50 % [5.13, 8.20]<!-- size: Corrado rank | Clustered -->).
#
# Fewer listings make most tests worse ([the size by sample size](#tab:size-clustered)). With six
# listings sharing a date the adjusted Patell test
# (6.10 % [4.78, 7.76]<!-- size-clustered: Patell Z, Kolari | 6 listings -->) and the
# Corrado-Zivney sign test (5.90 % [4.60, 7.54]<!-- size-clustered: Corrado-Zivney sign | 6 listings -->)
# are well-sized; with five or four, no test is. With five the adjusted Patell test rejects
# 6.90 % [5.49, 8.64]<!-- size-clustered: Patell Z, Kolari | 5 listings --> and the Corrado rank
# test 7.30 % [5.85, 9.08]<!-- size-clustered: Corrado rank | 5 listings --> of samples without
# an event; with four the adjusted Patell and BMP tests reject
# 7.40 %<!-- size-clustered: Patell Z, Kolari | 4 listings --> and
# 9.00 %<!-- size-clustered: BMP t, Kolari | 4 listings -->, the crude dependence test
# 8.80 %<!-- size-clustered: Brown-Warner crude | 4 listings -->, and the Corrado-Zivney sign test
# almost never rejects (0.50 %<!-- size-clustered: Corrado-Zivney sign | 4 listings -->). For our
# episodes: read the tests the verdicts above call well-sized for the episode's number of listings
# first, and take a rejection by the others, with four or five listings, as weaker evidence than
# its p-value says.
#
# Power is low at our sample sizes. On independent dates a 1 % abnormal return on day 0 is
# detected by the rank test in 18.90 %<!-- power: Independent dates > Corrado rank | n = 4 --> of
# samples of four listings and 37.50 %<!-- power: Independent dates > Corrado rank | n = 10 --> of
# ten, by BMP in 10.20 %<!-- power: Independent dates > BMP t (1991) | n = 4 --> and
# 27.30 %<!-- power: Independent dates > BMP t (1991) | n = 10 -->. On shared mainland dates with
# four listings the adjusted Patell test finds it in
# 11.10 %<!-- power: Clustered dates > Patell Z, Kolari | n = 4 --> of samples and the adjusted BMP
# test in 9.20 %<!-- power: Clustered dates > BMP t, Kolari | n = 4 -->; with five the Corrado rank
# test finds it in 13.80 %<!-- power: Clustered dates > Corrado rank | n = 5 -->, and with seven the
# adjusted Patell test in 9.80 %<!-- power: Clustered dates > Patell Z, Kolari | n = 7 -->. The
# highest rate with four listings sharing a date, the sign test's
# 34.10 %<!-- power: Clustered dates > Sign test | n = 4 -->, comes with a size of
# 27.30 %<!-- size-clustered: Sign test | 4 listings -->, so a non-rejection in an episode is no
# evidence of no effect.
#
# The tests built for a shared date do better on size ([their sizes](#tab:size-joint)): the
# residual-vector bootstrap of the SUR test that every listing's CAR is zero is well-sized from four
# listings (5.50 % [4.25, 7.09]<!-- size-joint: SUR bootstrap, all | 4 listings -->) to seven
# (3.70 % [2.70, 5.06]<!-- size-joint: SUR bootstrap, all | 7 listings -->). The portfolio placebo
# test, whose portfolio returns are divided by a forecast of their volatility, is well-sized from
# four listings (5.20 % [3.99, 6.76]<!-- size-joint: Portfolio placebo | 4 listings -->) to six
# (3.80 % [2.78, 5.17]<!-- size-joint: Portfolio placebo | 6 listings -->) and mildly conservative
# with seven (3.60 % [2.61, 4.94]<!-- size-joint: Portfolio placebo | 7 listings -->). The
# bootstrap of the mean is well-sized from five listings
# (5.80 %<!-- size-joint: SUR bootstrap, average | 5 listings -->) and over-rejects mildly with four
# (6.50 %<!-- size-joint: SUR bootstrap, average | 4 listings -->). They buy that size
# with no more power than the other tests: for an episode of four to seven listings sharing a
# date, read them first, and the generalised rank test on SCARs beside them.

# %% [markdown] tags=["appendix"]
# ## Appendix: settings

# %%
from research.report.tables import settings_table

settings_table(sim)
