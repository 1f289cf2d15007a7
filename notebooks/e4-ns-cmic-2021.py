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
# # The FT's report and Treasury's NS-CMIC identifications of December 2021: Sugon, Leon, Netposa and Meiya Pico

# %% [markdown] tags=["abstract"]
# On Tuesday 14 December 2021, by the date of Reuters' copies, the Financial Times reported that the
# US Treasury would add eight Chinese technology firms to its list of Chinese military-industrial
# complex companies, barring US persons from buying their securities; a Reuters copy of the report is
# stamped 12:46 Singapore time on 15 December. Treasury identified the eight on Thursday 16 December under
# Executive Order 13959 as amended by E.O. 14032. Four have listed shares in Shanghai or Shenzhen:
# Dawning Information (Sugon), Leon Technology, Netposa and Meiya Pico. The first mainland session
# that could carry the report was 15 December, the first after Treasury's act 17 December, and we
# study the two events separately. SenseTime, added on 10 December, postponed its Hong Kong IPO on
# 13 December and had not yet listed.
# The mean day-0 abnormal return of the four listings was 0.36 %<!-- car: ft-ns-cmic-report-2021 > Mean | [0,0] -->
# after the report and 0.85 %<!-- car: ns-cmic-2021 > Mean | [0,0] --> after the act. With four
# listings sharing a date the validation finds no pooled test well-sized, and the adjusted BMP test
# detects a 1 % effect in only 9.20 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 4 -->
# of samples; it does not reject either mean (p = 0.638<!-- tests: ft-ns-cmic-report-2021 > BMP t, Kolari | [0,0] | stat -->
# and 0.930<!-- tests: ns-cmic-2021 > BMP t, Kolari | [0,0] | stat -->), which cannot show that the
# news left no mark. On 16 December, between the report and the act, Leon Technology closed at its
# 20 % daily limit, an abnormal return of 20.03 %<!-- ar: ft-ns-cmic-report-2021 > Leon | day 1 -->.

# %% tags=["parameters"]
episode = "e4-ns-cmic-2021"
model = "market"
estimation = [-250, -11]
windows = [[0, 0], [0, 1], [-1, 1], [0, 5], [-5, 5]]
benchmark = None
date_only_rule = "business_day"
catalogue = None

# %%
from research.report import Episode

ep = Episode(episode, model=model, estimation=estimation, windows=windows, benchmark=benchmark,
             date_only_rule=date_only_rule, catalogue=catalogue)

# %% [markdown]
# ## What happened
#
# The seed `002_7ebcd24d602d36c3.txt` is Treasury's press release: "The U.S. Department of the
# Treasury's Office of Foreign Assets Control (OFAC) on December 16th. identified eight Chinese
# technology firms pursuant to Executive Order (E.O.) 13959, as amended by E.O. 14032." Its
# consequence: "As a result of today's action, U.S. persons will be prohibited from purchasing or
# selling certain publicly traded securities connected with these entities, as described in E.O.
# 13959, as amended." Cloudwalk, Megvii, DJI and Yitu had no listed shares.
#
# Two days before Treasury acted, the Financial Times had named all eight firms: "The Treasury will
# put DJI and the other firms on its 'Chinese military-industrial complex companies' blacklist on
# Thursday, the FT report said, citing two people briefed on the move" (Reuters). The catalogue
# holds the report as its own event, a leak studied apart from the act. It also holds SenseTime's
# addition of 10 December ([the events](#tab:events)), after which its
# Hong Kong IPO was postponed (SenseTime announced the postponement on Monday 13 December); the
# company first traded on 30 December.

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# The times come from the sources, not from the prices. Reuters' copy of the FT report, on Channel
# News Asia, is stamped "15 Dec 2021 12:49PM (Updated: 15 Dec 2021 12:46PM)", Singapore time, and
# says "the Financial Times reported on Tuesday"; Shanghai Daily's print of 16 December says "the
# Financial Times reported yesterday", and one outlet says Wednesday. The catalogue takes the
# earlier date, Tuesday 14 December, entered in London time with the hour unknown (no source gives
# the FT's own time; the copy's stamp, 04:46 UTC, was still Tuesday in New York and already
# Wednesday in London): the report was public by 12:46 Beijing time on the 15th at the latest, during that day's midday break, so the first mainland session
# that can carry it is 15 December. Treasury's release came on Thursday 16 December, hour unknown;
# any hour of the New York business day is after the mainland close, so the act's day 0 is Friday 17
# December on both exchanges ([the timeline](#fig:timeline), [the table of day 0](#tab:day0)).

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The figure of prices](#fig:prices) shows the four listings against the CSI 300. SenseTime's panel is
# empty before its listing.

# %%
ep.price_figure()

# %% [markdown]
# ## Before day 0
#
# [The five sessions before each day 0](#tab:pre-event) and [their pooled tests](#tab:pre-event-tests)
# show whether the listings moved before the news reached their market. For the act, the window
# holds the report's day 0 and the session after it.

# %%
ep.pre_event_table()

# %%
ep.pre_event_tests_table()

# %%
ep.pre_event_summary()

# %% [markdown]
# Leon Technology closed at its 20 % limit on 16 December, the session after the first that could
# carry the FT report and the session before Treasury's act. No source read for the catalogue dates
# other news of the eight firms to that day: the move is a delayed reaction to the report, other
# news, or a leak of the act, and these data cannot tell which. Measured as day 1 of the report
# ([the abnormal returns](#tab:ar)) the same session's abnormal return is 20.03 %: the two events'
# estimation windows end two sessions apart.

# %% [markdown]
# ## Abnormal returns
#
# A market model estimated over relative trading days −250 to −11 gives normal returns (MacKinlay
# 1997); an abnormal return is the return less the model's expected return. [The abnormal
# returns](#tab:ar) and [the CARs](#tab:car) are per listing and event. Because the four listings
# share each day 0, their abnormal returns are cross-correlated and the test of their mean must
# allow for it: [the table of pooled tests](#tab:tests) reports the Kolari-Pynnönen adjusted
# statistics and the Brown-Warner portfolio test beside the tests that assume independence.

# %%
ep.ar_table()

# %%
ep.car_table()

# %%
ep.car_figure()

# %%
ep.tests_table(adjust=("holm", "fdr_bh"))

# %% [markdown]
# [The joint tests](#tab:joint-tests) are built for a few listings sharing one date: the placebo
# test of the equally weighted portfolio of each event's listings against its own CARs over the
# estimation window (Gelbach, Helland and Klick 2013), each day's return divided by a forecast of
# its volatility from the days before (J.P. Morgan/Reuters 1996), and the Wald tests of the multivariate
# regression with event dummies (Schipper and Thompson 1983; Binder 1985), read from the
# chi-square and from Hein and Westfall's (2004) residual-vector bootstrap. Each keeps the
# listings' cross-correlation inside its null distribution.

# %%
ep.joint_tests_table()

# %% [markdown]
# ## The articles' claims
#
# No seed states a price move for this episode; [the claims table](#tab:claims) is empty.

# %%
ep.claims_table()

# %% [markdown] tags=["prose"]
# ## Volume and risk
#
# Trading volume is measured as Campbell and Wasley (1996) measure it: the log of the shares traded
# less its mean over the estimation window, on each listing's own trading days, so that a volume
# ratio of one is a normal day. [The table](#tab:volume) also sets the day's high-low range against
# its normal level and asks whether the abnormal returns of the first six sessions were more
# variable than those of the estimation window (Chow's predictive F, which allows for the error in
# the model's estimates). The benchmarks are indices, whose volume the store lacks or holds only in
# part; they are not in the volume columns.
#
# On day 0 of the investment ban Leon Technology traded
# 10.77<!-- volume: ns-cmic-2021 > Leon | Volume ratio --> times its normal volume; the mean
# cumulative abnormal log volume of the four listings over the first two sessions was
# 1.63<!-- volume: ns-cmic-2021 > Mean | CAV --> (Corrado rank p = 0.018<!-- volume: ns-cmic-2021 > Mean | t -->).
# After the press report the day before, volume was normal (mean ratio
# 0.98<!-- volume: ft-ns-cmic-report-2021 > Mean | Volume ratio -->).

# %%
ep.volume_table()

# %% [markdown]
# ## Robustness
#
# [The robustness table](#tab:robustness) repeats the mean CARs with the other benchmark of each
# market, with the market-adjusted and constant-mean models, with a shorter estimation window, with
# one that ends before the episode, and with the date-only rule that lets a date-only announcement
# land in any session of its date (for the report, the mainland session of 14 December; for the
# act, that of 16 December, which closed before the New York day began).

# %%
ep.robustness_table()

# %% [markdown]
# ## What the evidence does not show
#
# [The last table](#tab:limitations) lists the limits, among them SenseTime's history: no price
# before its listing, and too few trading days for a standard estimation window before later events.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# With four listings sharing a date the validation finds no pooled test well-sized: the adjusted
# BMP test rejects 9.00 %<!-- validation/size-clustered: BMP t, Kolari | 4 listings --> of samples
# without an event and Brown and Warner's crude dependence test
# 8.80 %<!-- validation/size-clustered: Brown-Warner crude | 4 listings -->; their power against a
# 1 % abnormal return is 9.20 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 4 -->
# and 12.20 %<!-- validation/power: Clustered dates > Brown-Warner crude | n = 4 -->.
#
# Pooled, neither test rejects a zero mean day-0 CAR for either event, so these results cannot show
# that the report or the act left no mark, given that power
# (9.20 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 4 --> for the adjusted BMP
# test): the mean was 0.36 %<!-- car: ft-ns-cmic-report-2021 > Mean | [0,0] --> after the FT report
# (p = 0.638<!-- tests: ft-ns-cmic-report-2021 > BMP t, Kolari | [0,0] | stat --> and
# 0.833<!-- tests: ft-ns-cmic-report-2021 > Brown-Warner | [0,0] | stat -->) and
# 0.85 %<!-- car: ns-cmic-2021 > Mean | [0,0] --> after Treasury's act
# (p = 0.930<!-- tests: ns-cmic-2021 > BMP t, Kolari | [0,0] | stat --> and
# 0.620<!-- tests: ns-cmic-2021 > Brown-Warner | [0,0] | stat -->). Over [0,1] after the report the
# two tests disagree: the mean CAR is 7.38 %<!-- car: ft-ns-cmic-report-2021 > Mean | [0,1] -->, the
# crude dependence test gives p = 0.003<!-- tests: ft-ns-cmic-report-2021 > Brown-Warner | [0,1] | stat -->
# and the adjusted BMP test p = 0.274<!-- tests: ft-ns-cmic-report-2021 > BMP t, Kolari | [0,1] | stat -->.
#
# Which to read: four listings share each date, the design the tests of [the joint
# tests](#tab:joint-tests) are built for. On the validation's samples of four mainland listings
# sharing a date, the portfolio placebo test rejects
# 5.20 %<!-- validation/size-joint: Portfolio placebo | 4 listings -->, inside 3–7 %, and the SUR
# bootstrap of the mean 6.50 %<!-- validation/size-joint: SUR bootstrap, average | 4 listings -->
# without an event, against
# 8.50 %<!-- validation/size-joint: BMP t, Kolari | 4 listings --> for the adjusted BMP test on the
# same samples, so they are the closest to their level, and over [0,1] they side with the crude
# dependence test: the portfolio placebo p is
# 0.009<!-- joint-tests: ft-ns-cmic-report-2021 > Portfolio placebo | [0,1] | stat -->, the smallest
# its 219 placebo windows allow, and the SUR
# bootstrap of the mean p = 0.004<!-- joint-tests: ft-ns-cmic-report-2021 > SUR bootstrap, average | [0,1] | stat -->.
# On day 0 they find nothing after either event (placebo
# p = 0.742<!-- joint-tests: ft-ns-cmic-report-2021 > Portfolio placebo | [0,0] | stat --> and
# 0.480<!-- joint-tests: ns-cmic-2021 > Portfolio placebo | [0,0] | stat -->), with the same low power
# (10.40 %<!-- validation/power-joint: Clustered dates > Portfolio placebo | n = 4 --> against a 1 %
# effect).
#
# That mean is carried by Leon Technology, which closed at its 20 % daily limit on 16 December, the
# session between the report's day 0 and the act's: its abnormal return that day was
# 20.03 %<!-- ar: ft-ns-cmic-report-2021 > Leon | day 1 --> (t = 5.69<!-- ar: ft-ns-cmic-report-2021 > Leon | day 1 | stat -->).
# Seen from the act, that day is day −1, and the mean CAR over [−5,−1] was
# 8.77 %<!-- pre-event-tests: ns-cmic-2021 > Brown-Warner | mean CAR -->, with crude dependence
# p = 0.023<!-- pre-event-tests: ns-cmic-2021 > Brown-Warner | p --> and adjusted BMP
# p = 0.300<!-- pre-event-tests: ns-cmic-2021 > BMP t, Kolari | p -->: a delayed reaction to the
# report, other news, or a leak of the act, which these data cannot tell apart.
#
# What the evidence cannot show: the effect on firms without listed shares (Cloudwalk, Megvii,
# DJI, Yitu), and SenseTime's: it had no price before its listing on 30 December, so neither a
# day-0 return nor an estimation window exists for the event of 10 December. The hours of the
# report and of the act are not known; under the rule that lets a date-only announcement land in
# any session of its date, the mean day-0 CAR would be
# 1.05 %<!-- robustness: ft-ns-cmic-report-2021 > Date-only rule | [0,0] --> for the report and
# 7.01 %<!-- robustness: ns-cmic-2021 > Date-only rule | [0,0] --> for the act, whose day 0 would
# then be Leon's limit day.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
