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
#     authors:
#     - research kit
# ---

# %% [markdown]
# # The Entity List of October 2019: Hikvision, Dahua, iFlytek, Meiya Pico and their US supplier

# %% [markdown] tags=["abstract"]
# On Monday 7 October 2019, after the New York close, the US Commerce Department added 28 Chinese
# entities to its Entity List, among them the surveillance makers Hikvision and Dahua and the
# artificial-intelligence firms iFlytek and Meiya Pico. Mainland markets were closed for the
# National Day holiday until the 8th, and Hikvision and Dahua did not trade until the 10th. We
# measure the reaction of the four Shenzhen listings and of Ambarella, their Nasdaq-listed chip
# supplier, each on its own exchange's sessions.
# The day-0 abnormal returns were −8.30 % for Dahua, −6.61 % for Hikvision and −7.69 % for
# Ambarella; the mean over the five listings, −5.65 %, remains significant once the
# cross-correlation of listings sharing a date is allowed for.

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
# [The price paths](#fig:prices) rebase each listing and its benchmark (the CSI 300 for Shenzhen, the
# Nasdaq Composite for Ambarella) to 100 at the last close before day 0.

# %%
ep.price_figure()

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
# Dahua, which folds three sessions into one return, and the holiday that delayed every mainland
# reaction.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# The Entity List additions cost the two surveillance makers most. Dahua's abnormal return on its
# first trade after the announcement was −8.30 % and Hikvision's −6.61 %, both significant at 5 %,
# and Dahua's CAR over [0,1] reached −11.96 %. iFlytek (−3.39 %) and Meiya Pico (−2.25 %) fell
# less and not significantly. Ambarella, the US supplier, lost 7.69 % on day 0: its opening gap of
# −13.37 % agrees with the article's after-hours fall of 12 % within the catalogue's tolerance, and
# it recovered part of it during the session.
#
# The mean day-0 CAR of the five listings, −5.65 %, is significant with the Kolari-Pynnönen adjusted
# BMP test (−4.49, p = 0.011) and with the Brown-Warner portfolio test; over longer windows the
# evidence weakens. Across benchmarks, models and estimation windows the mean day-0 CAR stays
# between −5.06 % and −5.79 %.
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
