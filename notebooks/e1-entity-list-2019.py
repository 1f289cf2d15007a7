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
# # The Entity List of October 2019: Hikvision, Dahua, iFlytek, Meiya Pico and their US supplier

# %% [markdown] tags=["abstract"]
# On Monday 7 October 2019, after the New York close, the US Commerce Department added 28 Chinese
# entities to its Entity List, among them the surveillance makers Hikvision and Dahua, the
# artificial-intelligence firm iFlytek and the digital-forensics firm Meiya Pico. Mainland markets
# were closed for the National Day holiday until the 8th, and Hikvision and Dahua did not trade
# until the 10th. We measure the reaction of the four Shenzhen listings and of Ambarella, their
# Nasdaq-listed chip supplier, each on its own exchange's sessions.
# The day-0 abnormal returns were −8.30 %<!-- car: Dahua | [0,0] --> for Dahua,
# −6.61 %<!-- car: Hikvision | [0,0] --> for Hikvision and −7.69 %<!-- car: Ambarella | [0,0] --> for
# Ambarella, whose raw return that day was −9.49 %<!-- day0: Ambarella | R (%) -->. The Corrado rank
# test rejects a zero mean day-0 CAR for the five listings, whose mean was
# −5.65 %<!-- car: Mean | [0,0] --> (p = 0.004<!-- tests: Corrado rank | [0,0] | stat -->); with
# five such listings it detects a 1 % day-0 abnormal return in
# 13.80 %<!-- validation/power: Clustered dates > Corrado rank | n = 5 --> of samples. The adjusted
# Patell, adjusted BMP and Brown-Warner crude dependence tests agree. The validation finds no
# pooled test well-sized with five listings sharing a date (the Corrado rank test rejects
# 7.30 %<!-- validation/size-clustered: Corrado rank | 5 listings --> of samples without an event),
# so these p-values overstate the evidence somewhat.

# %% tags=["parameters"]
episode = "e1-entity-list-2019"
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
# The seed article `001_42f1083407e3e2f6.txt` reports the listing: "In accordance with an replace to
# the US Federal Register set to be printed Wednesday, the blacklisted corporations included video
# surveillance firm Hikvision, in addition to synthetic intelligence firms Megvii Expertise and
# SenseTime." Its consequence: "Vendors are barred from selling USA technology to the Chinese
# companies without government permission." On the US side it says that "Shares in US seller
# Ambarella fell 12% in after-hours buying and selling on the news", and of the largest target
# that "Hikvision, with a market value of about $42 billion, calls itself the world's largest
# video surveillance gear maker."
#
# Megvii, SenseTime and Yitu were not listed in 2019, so the study covers the four listed
# targets and Ambarella ([the event](#tab:events)).

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# The announcement came after the New York close of Monday 7 October, which is the early hours
# of Tuesday in Shenzhen ([the timeline](#fig:timeline)). Shenzhen reopened on Tuesday 8 October
# after the National Day holiday, but Hikvision and Dahua were suspended on the 8th and 9th: their
# first trade after the news is on the 10th, and their day-0 return runs from the last close before
# the holiday, 30 September, over three sessions ([the table of day 0](#tab:day0)). Ambarella's
# day 0 is Tuesday 8 October in New York.

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The figure of prices](#fig:prices) rebases each listing and its benchmark (the CSI 300 for Shenzhen, the
# Nasdaq Composite for Ambarella) to 100 at the last close before day 0.

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
# A market model estimated over relative trading days −250 to −11 gives normal returns (MacKinlay
# 1997); the suspended listings' day-0 returns are trade-to-trade, matched by the benchmark over the
# same three sessions (Maynes and Rumsey 1993). [The abnormal returns](#tab:ar), [the CARs](#tab:car)
# and [the pooled tests](#tab:tests) follow. The four Shenzhen listings share a calendar date and
# their abnormal returns are correlated; the Kolari-Pynnönen adjustment allows for it.

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
# Two numbers of the article can be checked against daily prices ([the claims](#tab:claims)): the
# after-hours fall of Ambarella, which daily data see as the opening gap of 8 October, and
# Hikvision's market value, which needs the number of shares and cannot be checked from prices
# alone.

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
# On day 0 Ambarella traded 10.28<!-- volume: Ambarella | Volume ratio --> times its normal volume,
# Hikvision 3.52<!-- volume: Hikvision | Volume ratio --> times and Dahua
# 3.34<!-- volume: Dahua | Volume ratio --> times, while iFlytek and Meiya Pico traded no more than
# usual. The portfolio of the five listings was more variable than before over the six sessions
# (F = 4.49<!-- volume: Mean | Variance F -->, p <0.001<!-- volume: Mean | p (F) -->).

# %%
ep.volume_table()

# %% [markdown]
# ## Robustness
#
# [The robustness table](#tab:robustness) repeats the mean CARs with the other benchmark of each
# market, with the market-adjusted and constant-mean models, with a shorter estimation window and
# with one that ends before the episode.

# %%
ep.robustness_table()

# %% [markdown]
# ## What the evidence does not show
#
# [The last table](#tab:limitations) lists what limits these numbers: the suspension of Hikvision and
# Dahua, which folds three sessions into one return, and the National Day holiday, over which every
# mainland day-0 return runs from the close of 30 September.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# With five listings sharing a date the validation notebook finds no pooled test well-sized: the
# Corrado rank test (and its Corrado-Zivney form, which gives the same rates) rejects
# 7.30 % [5.85, 9.08]<!-- validation/size-clustered: Corrado rank | 5 listings --> of samples when
# nothing happened. It rejects a zero mean day-0 CAR of the five listings,
# −5.65 %<!-- car: Mean | [0,0] --> (−2.90<!-- tests: Corrado rank | [0,0] -->,
# p = 0.004<!-- tests: Corrado rank | [0,0] | stat -->), and a zero mean CAR over [0,1]
# (p = 0.018<!-- tests: Corrado rank | [0,1] | stat -->); with five listings it detects a 1 % day-0
# abnormal return in 13.80 %<!-- validation/power: Clustered dates > Corrado rank | n = 5 --> of
# samples. The other pooled tests, which also over-reject with five listings, agree on day 0: the
# adjusted Patell test (p < 0.001<!-- tests: Patell Z, Kolari | [0,0] | stat -->; it rejects
# 6.90 %<!-- validation/size-clustered: Patell Z, Kolari | 5 listings --> of samples without an
# event), the adjusted BMP test (p = 0.011<!-- tests: BMP t, Kolari | [0,0] | stat -->;
# 10.40 %<!-- validation/size-clustered: BMP t, Kolari | 5 listings -->) and Brown and Warner's crude
# dependence test (p < 0.001<!-- tests: Brown-Warner crude | [0,0] | stat -->;
# 8.40 %<!-- validation/size-clustered: Brown-Warner crude | 5 listings -->). Over [0,1] they
# disagree: the adjusted Patell test rejects (p = 0.006<!-- tests: Patell Z, Kolari | [0,1] | stat -->),
# the adjusted BMP test does not (p = 0.126<!-- tests: BMP t, Kolari | [0,1] | stat -->), and with
# five listings the latter detects a 1 % day-0 effect in only
# 14.30 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 5 --> of samples.
#
# Listing by listing, Dahua's day-0 abnormal return was −8.30 %<!-- car: Dahua | [0,0] --> and
# Hikvision's −6.61 %<!-- car: Hikvision | [0,0] -->, both significant at 5 % with their own
# prediction-error t-tests, and Dahua's CAR over [0,1] was −11.96 %<!-- car: Dahua | [0,1] -->.
# iFlytek's (−3.39 %<!-- car: iFlytek | [0,0] -->, t = −1.54<!-- car: iFlytek | [0,0] | stat -->) and
# Meiya Pico's (−2.25 %<!-- car: Meiya Pico | [0,0] -->, t = −0.96<!-- car: Meiya Pico | [0,0] | stat -->)
# were smaller. Ambarella, the US supplier, had a day-0 abnormal return of
# −7.69 %<!-- car: Ambarella | [0,0] -->; its raw return was −9.49 %<!-- day0: Ambarella | R (%) -->:
# an opening gap of −13.37 %<!-- day0: Ambarella | gap (%) -->, which agrees with the article's
# after-hours fall of 12 % within the catalogue's tolerance, and
# +4.48 %<!-- day0: Ambarella | intraday (%) --> from the open to the close. Across benchmarks,
# models and estimation windows the mean day-0 CAR lies between
# −5.06 %<!-- robustness: constant-mean model | [0,0] --> (constant mean, adjusted BMP statistic
# −1.78<!-- robustness: constant-mean model | [0,0] | stat -->) and
# −5.79 %<!-- robustness: Estimation [−120, −11] | [0,0] -->.
#
# Before day 0 no listing closed at its price limit or had an abnormal return beyond the 1 % level
# ([the pre-event table](#tab:pre-event)); the mean CAR over [−5,−1] was
# −3.49 %<!-- pre-event-tests: Patell Z, Kolari | mean CAR -->.
#
# What the numbers cannot separate: Hikvision's and Dahua's day-0 returns span three sessions
# because of their suspension, so they include whatever else moved these two stocks from 30
# September to 10 October, netted only by the CSI 300 over the same span.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
