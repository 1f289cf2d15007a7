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
# # Investing in a blacklisted firm: Alibaba, China Mobile and Dahua, September 2020

# %% [markdown] tags=["abstract"]
# On Tuesday 15 September 2020 (New York time) Reuters reported that Alibaba and China Mobile were
# "considering investing" about $443 million in Dahua, the surveillance maker on the US Entity List
# since 2019, through a private placement. A syndicated copy of the report is stamped 16/09/2020
# 06:02 and Nikkei dates it 16 September: it came after the Shenzhen close of the 15th, so day 0 is
# 16 September in Shenzhen and Hong Kong and 15 September in New York. We measure the abnormal
# returns of Dahua and of Alibaba's New York ADR and Hong Kong shares.
# On its day 0, when it denied the report, Dahua's abnormal return was −5.58 %<!-- ar: Dahua | day 0 -->;
# Alibaba's were 0.90 %<!-- ar: BABA | day 0 --> (ADR) and 1.86 %<!-- ar: 9988.HK | day 0 --> (Hong
# Kong). The day before the report reached Shenzhen, Dahua closed at its daily limit, an abnormal
# return of 8.94 %<!-- pre-event: Dahua | day −1 --> that the sources do not tie to the report.
# Pooled over the three listings, the adjusted BMP test does not reject a zero mean CAR over [0,0]
# (p = 0.834<!-- tests: BMP t, Kolari | [0,0] | stat -->), a test that detects a 1 % effect in only
# 9.20 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 4 --> of samples of four
# listings sharing a date.

# %% tags=["parameters"]
episode = "e2-dahua-investment-2020"
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
# Reuters (Julie Zhu, Hong Kong) wrote that "Alibaba Group Holding Ltd and China Mobile
# Communications Group Co Ltd are considering investing 3 billion yuan ($443 million) in Zhejiang
# Dahua Technology Co Ltd, three people with knowledge of the matter said", via "a private share
# placement in coming weeks"; "Dahua said it did not have any information on the matter". The seed
# article `003_6ef888f17c8aff6d.txt` (Benzinga) retells it more firmly, and mistypes the amount:
# "Alibaba Group Holding Ltd BABA is investing $443 billion jointly with a Chinese partner in a
# blacklisted company accused of helping Beijing monitor and detain Uighur minorities, Reuters
# reported Tuesday." `000_c423e06da220792b.txt` gives "a $443 million investment in Zhejiang Dahua
# Technology Co Ltd". Benzinga adds: "Price Action: Alibaba shares closed nearly 1.4% higher at
# $277.96 on Tuesday." On 16 September Dahua denied the report in a statement to the Shenzhen
# exchange during the trading day.
#
# A capital increase from two large investors would be good news for Dahua; for Alibaba, weighing an
# investment in a sanctioned firm, its sign is ambiguous. [The table of events](#tab:events) lists
# the event, its listings and the sources read for its timing.

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# The catalogue dates the report from its sources, not from the prices it is meant to explain. A
# syndicated Reuters copy (uk.investing.com) is stamped "Published 16/09/2020, 06:02", its zone not
# stated; Benzinga writes "Reuters reported Tuesday" (15 September in New York) and Nikkei "ロイター通信は9月16日"
# (Reuters, 16 September, in Japan). Read in Hong Kong time, the report's dateline, the stamp is
# 18:02 New York time on the 15th, which reconciles the three; in any zone from UTC−4 to UTC+8 it
# is after the Shenzhen close of the 15th. The catalogue keeps the earliest date, Tuesday in New
# York, hour unknown, and the default date-only rule places such news no earlier than 09:00 New
# York time: day 0 is 16 September in Shenzhen and Hong Kong and 15 September for the ADR
# ([the timeline](#fig:timeline), [the table of day 0](#tab:day0)). If the report came after the
# New York close, the ADR's day 0 is the 16th (the `next_open` rule of the table).

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The figure of prices](#fig:prices) shows each listing against its benchmark: the CSI 300 for Dahua, the
# S&P 500 for the Alibaba ADR and the Hang Seng for the Hong Kong line.

# %%
ep.price_figure()

# %% [markdown]
# ## Before day 0
#
# [The five sessions before day 0](#tab:pre-event) and [their pooled tests](#tab:pre-event-tests)
# show whether a listing moved before the news reached its market.

# %%
ep.pre_event_table()

# %%
ep.pre_event_tests_table()

# %%
ep.pre_event_summary()

# %% [markdown]
# Dahua's limit-up close was on 15 September, the session before the report reached Shenzhen. No
# source read for the catalogue dates the report before that session's close, so the study does
# not count the move as the reaction to it.

# %% [markdown]
# ## Abnormal returns
#
# Normal returns come from a market model estimated over relative trading days −250 to −11
# (MacKinlay 1997); the abnormal return is the return less the model's expected return.
# [The abnormal returns](#tab:ar), [the CARs](#tab:car) and [the pooled tests](#tab:tests) follow;
# the Alibaba lines are two listings of one firm, so their pooled mean is not two independent
# observations.

# %%
ep.ar_table()

# %%
ep.car_table()

# %%
ep.car_figure()

# %%
ep.tests_table()

# %% [markdown]
# ## The articles' claims
#
# The article's two numbers about Alibaba's close on Tuesday are checked in [the claims
# table](#tab:claims).

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
# Dahua traded 2.91<!-- volume: Dahua | Volume ratio --> times its normal volume on day 0 and its
# range was 4.14<!-- volume: Dahua | Range ratio --> times the normal one; Alibaba's two lines traded
# no more than usual, and the listings' abnormal returns were no more variable than before
# (portfolio F = 0.52<!-- volume: Mean | Variance F -->).

# %%
ep.volume_table()

# %% [markdown]
# ## Robustness
#
# [The robustness table](#tab:robustness) repeats the mean CARs with the other benchmark of each
# market, with the market-adjusted and constant-mean models, with a shorter estimation window and
# with one that ends before the episode, and with the date-only rule that lets a date-only report
# fall in any session of its date (here the Shenzhen and Hong Kong sessions of 15 September, which
# closed before the New York day began).

# %%
ep.robustness_table()

# %% [markdown]
# ## What the evidence does not show
#
# [The last table](#tab:limitations) lists the limits: the report's hour is not known (the ADR's
# day 0 depends on it), Dahua's limit-up close came the session before day 0, and the Hong Kong
# line has a short history.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# The pooled tests say little here. The three listings are the target and two lines of one
# investor, on three exchanges and two day 0s; the validation draws no sample of three, and with
# four listings sharing a date it finds no pooled test well-sized (the adjusted BMP test rejects
# 9.00 %<!-- validation/size-clustered: BMP t, Kolari | 4 listings --> of samples without an
# event). The adjusted BMP and crude dependence tests do not reject a zero mean CAR over [0,0]
# (p = 0.834<!-- tests: BMP t, Kolari | [0,0] | stat --> and
# 0.451<!-- tests: Brown-Warner | [0,0] | stat -->), and the first detects a 1 % abnormal return in
# 9.20 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 4 --> of samples of four
# listings, so this says little about effects of that size. Over [−1,1] the tests disagree: the
# generalised rank and sign tests reach the 10 % level (p = 0.050<!-- tests: Generalised rank (Kolari | [-1,1] | stat -->
# and 0.068<!-- tests: Generalised sign | [-1,1] | stat -->), tests the validation finds
# over-rejecting on a handful of listings, and the adjusted BMP test does not
# (p = 0.234<!-- tests: BMP t, Kolari | [-1,1] | stat -->). The listings' own tests carry the
# conclusions.
#
# Listing by listing, Dahua's day-0 abnormal return was −5.58 %<!-- car: Dahua | [0,0] --> (t =
# −2.53<!-- car: Dahua | [0,0] | stat -->) on the day it denied the report, and its CAR over [0,5]
# −10.87 %<!-- car: Dahua | [0,5] -->. Alibaba's ADR returned 1.41 %<!-- day0: BABA | R (%) --> on
# Tuesday, as the article reports (close 277.96<!-- claims: Alibaba closed at | measured --> USD); the
# market model expected part of it, and the
# abnormal return was 0.90 %<!-- ar: BABA | day 0 --> (t = 0.50<!-- ar: BABA | day 0 | stat -->).
# The Hong Kong line's day-0 abnormal return was 1.86 %<!-- ar: 9988.HK | day 0 -->.
#
# What the numbers cannot show: whether Dahua's limit-up close of 15 September, the session before
# the report reached Shenzhen, was a leak of it; the ADR's day 0 if the report came after the New
# York close; and much about the Hong Kong line, whose estimation window is short. Under the rule
# that lets a date-only report land in any session of its date, day 0 would be 15 September in
# Shenzhen and Hong Kong and the mean CAR over [0,0] 2.96 %<!-- robustness: Date-only rule | [0,0] -->.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
