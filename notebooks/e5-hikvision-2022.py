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
# # Sanctions by press report: Hikvision, Dahua and the HFCAA list, May 2022

# %% [markdown] tags=["abstract"]
# On Wednesday 4 May 2022 the Financial Times reported that Washington was considering sanctions
# on Hikvision under the Specially Designated Nationals programme; the same day the SEC added
# JD.com, Pinduoduo, Bilibili and NetEase to its provisional list under the Holding Foreign
# Companies Accountable Act. Shenzhen was closed for Labour Day until Thursday 5 May, when
# Hikvision closed at its daily limit (raw return −10.00 %<!-- day0: Hikvision | R (%) -->). We
# measure the abnormal returns of the two surveillance makers listed in Shenzhen and of the four
# US-listed ADRs, each on its own exchange's sessions. Hikvision's abnormal return on the first
# Shenzhen session after the report was −9.77 %<!-- car: Hikvision | [0,0] --> and its CAR over
# six sessions −18.78 %<!-- car: Hikvision | [0,5] -->, each significant at 1 % with its own
# t-test; Dahua's day-0 abnormal return was −7.22 %<!-- car: Dahua | [0,0] -->. The ADRs' day 0 is
# 4 May, when the Nasdaq Composite rose 3.19 %<!-- day0: JD.com | bench. (%) -->. Their mean day-0
# abnormal return, −3.39 %<!-- car: hfcaa-additions-2022 > Mean | [0,0] -->, passes the adjusted BMP
# test but neither the adjusted Patell test
# (p = 0.693<!-- tests: hfcaa-additions-2022 > Patell Z, Kolari | [0,0] | stat -->) nor Brown and
# Warner's crude dependence test
# (p = 0.426<!-- tests: hfcaa-additions-2022 > Brown-Warner crude | [0,0] | stat -->); with four
# listings sharing a date the validation finds no test well-sized, and these two detect a 1 % effect
# in 11.10 %<!-- validation/power: Clustered dates > Patell Z, Kolari | n = 4 --> and
# 12.20 %<!-- validation/power: Clustered dates > Brown-Warner crude | n = 4 --> of samples. The
# mean is −0.97 %<!-- robustness: hfcaa-additions-2022 > market-adjusted | [0,0] --> under the
# market-adjusted model and +2.41 %<!-- robustness: hfcaa-additions-2022 > constant-mean | [0,0] -->
# under constant mean. The evidence for the ADRs is weak.

# %% tags=["parameters"]
episode = "e5-hikvision-2022"
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
# The seed article `004_64f8e7a9fe0bc581.txt` (SupChina, "Hikvision and JD.com are in America's
# crosshairs") reports both pieces of news. On Hikvision: "Video surveillance hardware and
# software provider Hikvision's share price fell 10% on Thursday, after the Financial Times
# reported that Washington may impose tough sanctions on the Chinese surveillance technology
# giant." It names Dahua as "another blacklisted company" whose equipment US towns have bought.
# On the audit dispute: "The U.S. Securities and Exchange Commission (SEC) has added over 80
# firms — including JD.com, Pinduoduo, Bilibili, and NetEase — to its list of foreign companies
# that face delisting from the U.S."
#
# The catalogue holds the two as separate events ([the table of events](#tab:events)). Neither
# hour is known, so both are entered as dates only. The Nasdaq Composite rose on 4 May, the ADRs'
# day 0, and fell sharply on the 5th: the question is the abnormal return, not the raw one, and
# an abnormal return is measured against the index of its own day.

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# Mainland exchanges were closed from 2 to 4 May for Labour Day. Whatever the hour of the FT's
# report on the 4th, the first Shenzhen session after it is Thursday 5 May
# ([the timeline](#fig:timeline)). For the ADRs the date-only rule matters: if the SEC's
# additions were public before the New York close of the 4th, day 0 is the 4th; if after, the
# 5th. The main study takes a date-only US announcement as public from 09:00 New York time, when
# the SEC's business day starts (the `business_day` rule), so the ADRs' day 0 is the 4th;
# [the table of day 0](#tab:day0) splits the day-0 return into the overnight gap and the intraday
# move, and [the table of limitations](#tab:limitations) gives day 0 under the other rules.

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The figure of prices](#fig:prices) rebases each listing and its benchmark to 100 at the last close
# before day 0: the CSI 300 for Shenzhen, the Nasdaq Composite for the ADRs.

# %%
ep.price_figure()

# %% [markdown]
# ## Before day 0
#
# [The abnormal returns of the five sessions before day 0](#tab:pre-event) and [the tests of their
# mean](#tab:pre-event-tests) show whether a listing moved before the news reached its market, with
# the tests built for listings that share a date. A listing that
# moves at its price limit, or beyond the 1 % level, before day 0 points to a leak, other news, or
# a mis-dated event; the paragraph under the tables names every such listing.

# %%
ep.pre_event_table()

# %%
ep.pre_event_tests_table()

# %%
ep.pre_event_summary()

# %% [markdown]
# ## Abnormal returns
#
# Normal returns come from a market model estimated over relative trading days −250 to −11
# (MacKinlay 1997), each listing on its own trading days. [The abnormal returns around day
# 0](#tab:ar) and [the cumulative abnormal returns](#tab:car) are per listing; the mean of each
# event's listings is tested with the statistics in [the table of tests](#tab:tests). Listings of
# one event share its date, so their abnormal returns are cross-correlated: the Kolari-Pynnönen
# adjustment and the Brown-Warner portfolio test allow for it, the plain Patell and BMP tests do
# not.

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
# ## The article's claim
#
# The article says Hikvision "fell 10% on Thursday" ([the claims](#tab:claims)).

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
# The store holds no volume for Hikvision and Dahua in 2022 (their series' Volume is empty from
# February 2022), so the sanctions report has only the range and variance columns: Hikvision's
# abnormal returns over the six sessions were more variable than before
# (F = 9.96<!-- volume: hikvision-sdn-report-2022 > Hikvision | Variance F -->). The four US-listed
# firms of the HFCAA list traded close to their normal volume on day 0 (mean ratio
# 1.03<!-- volume: hfcaa-additions-2022 > Mean | Volume ratio -->).

# %%
ep.volume_table()

# %% [markdown]
# ## Robustness
#
# [The robustness table](#tab:robustness) repeats the mean CARs with the other benchmark of
# each market (SZSE Component for the CSI 300, S&P 500 for the Nasdaq), with models that need
# no estimation (market-adjusted, constant mean), and with a shorter estimation window and one
# ending before the episode.

# %%
ep.robustness_table()

# %% [markdown]
# ## What the evidence does not show
#
# [The last table](#tab:limitations) lists what limits these numbers: a limit-down day caps the
# day-0 move, the two events confound each other, and the ADRs' day 0 depends on the hour of
# the SEC's announcement.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# The validation notebook draws no sample of two listings, and with four listings sharing a date
# it finds no test well-sized: the adjusted Patell test rejects
# 7.40 %<!-- validation/size-clustered: Patell Z, Kolari | 4 listings -->, the adjusted BMP test
# 9.00 %<!-- validation/size-clustered: BMP t, Kolari | 4 listings --> and Brown and Warner's crude
# dependence test 8.80 %<!-- validation/size-clustered: Brown-Warner crude | 4 listings --> of
# samples when nothing happened. Its shared-date samples are drawn on mainland listings, so for the
# four ADRs these rates are a guide rather than a measurement. A pooled rejection in this episode
# is therefore weaker evidence than its p-value says, and the listings' own tests carry the
# conclusions. For the pooled means, read first the tests built for a few listings sharing one date
# ([the joint tests](#tab:joint-tests)): on the validation's samples of four the SUR bootstrap of
# the mean rejects 6.50 %<!-- validation/size-joint: SUR bootstrap, average | 4 listings --> and the
# portfolio placebo test 5.20 %<!-- validation/size-joint: Portfolio placebo | 4 listings --> without
# an event, closer to 5 % than the adjusted BMP test on the same samples
# (8.50 %<!-- validation/size-joint: BMP t, Kolari | 4 listings -->).
#
# For Hikvision and Dahua the adjusted Patell test rejects a zero mean day-0 CAR of
# −8.50 %<!-- car: hikvision-sdn-report-2022 > Mean | [0,0] -->
# (p < 0.001<!-- tests: hikvision-sdn-report-2022 > Patell Z, Kolari | [0,0] | stat -->) and the
# adjusted BMP test does not (p = 0.184<!-- tests: hikvision-sdn-report-2022 > BMP t, Kolari | [0,0] | stat -->):
# the tests disagree on two listings, fewer than the validation's smallest sample of four, where
# the adjusted BMP test detects a 1 % effect in
# 9.20 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 4 --> of samples. The joint
# tests, built for listings sharing a date, side with the adjusted Patell test: the portfolio's
# studentised day-0 CAR lies beyond every one of its 220 placebo values, so its exact p-value is the
# smallest those windows allow, 2/221 =
# 0.009<!-- joint-tests: hikvision-sdn-report-2022 > Portfolio placebo | [0,0] | stat -->, and
# the SUR bootstrap of the mean gives its smallest possible p-value,
# 0.001<!-- joint-tests: hikvision-sdn-report-2022 > SUR bootstrap, average | [0,0] | stat -->.
# Listing by listing the evidence is clear. Hikvision's abnormal return was
# −9.77 %<!-- car: Hikvision | [0,0] --> on day 0, and its CAR −15.88 %<!-- car: Hikvision | [0,1] -->
# over [0,1] and −18.78 %<!-- car: Hikvision | [0,5] --> over [0,5], each significant at 1 % with the
# listing's own prediction-error t-test. Day 0 was a limit-down day (raw return
# −10.00 %<!-- day0: Hikvision | R (%) -->), and the day-1 abnormal return was
# −6.12 %<!-- ar: Hikvision | day 1 -->. Dahua, not named by the report, had a day-0 abnormal
# return of −7.22 %<!-- car: Dahua | [0,0] -->, significant at 1 % on its own.
#
# The ADRs' day 0 is 4 May, when the Nasdaq Composite rose 3.19 %<!-- day0: JD.com | bench. (%) -->;
# their raw returns that day were positive, from 1.07 %<!-- day0: NetEase | R (%) --> (NetEase) to
# 3.28 %<!-- day0: Pinduoduo | R (%) --> (Pinduoduo), and their abnormal returns, from
# −2.57 %<!-- car: NetEase | [0,0] --> to −4.39 %<!-- car: Bilibili | [0,0] -->, measure how far
# they stayed below what the market model expected on a day the index rose. Their mean,
# −3.39 %<!-- car: hfcaa-additions-2022 > Mean | [0,0] -->, passes the adjusted BMP test
# (p = 0.013<!-- tests: hfcaa-additions-2022 > BMP t, Kolari | [0,0] | stat -->) but neither the
# adjusted Patell test (p = 0.693<!-- tests: hfcaa-additions-2022 > Patell Z, Kolari | [0,0] | stat -->)
# nor Brown and Warner's crude dependence test
# (p = 0.426<!-- tests: hfcaa-additions-2022 > Brown-Warner crude | [0,0] | stat -->); with four
# listings these two detect a 1 % effect in
# 11.10 %<!-- validation/power: Clustered dates > Patell Z, Kolari | n = 4 --> and
# 12.20 %<!-- validation/power: Clustered dates > Brown-Warner crude | n = 4 --> of samples, so their
# non-rejection is no evidence of no effect. The tests built for a shared date do not carry the
# mean either: the portfolio placebo
# p = 0.588<!-- joint-tests: hfcaa-additions-2022 > Portfolio placebo | [0,0] | stat --> and the SUR
# bootstrap of the mean p = 0.296<!-- joint-tests: hfcaa-additions-2022 > SUR bootstrap, average | [0,0] | stat -->,
# so the adjusted BMP rejection stands alone. The mean also depends on the model:
# −0.97 %<!-- robustness: hfcaa-additions-2022 > market-adjusted | [0,0] --> market-adjusted and
# +2.41 %<!-- robustness: hfcaa-additions-2022 > constant-mean | [0,0] --> under constant mean. Day 0
# itself depends on the unknown hour of the SEC's announcement ([the limitations](#tab:limitations)).
# Before day 0, on 29 April, three ADRs had abnormal returns beyond the 1 % level: JD.com
# 12.88 %<!-- pre-event: JD.com | day −3 -->, Pinduoduo 23.23 %<!-- pre-event: Pinduoduo | day −3 -->
# and Bilibili 20.32 %<!-- pre-event: Bilibili | day −3 -->. That is a leak, other news or a
# mis-dated event; these data cannot tell which. The evidence shows large day-0 abnormal returns
# for the named firm and for its peer; for the ADRs, none that a well-sized test carries.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
