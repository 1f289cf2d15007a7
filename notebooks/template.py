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
# # Event study of one catalogue event

# %% [markdown] tags=["abstract"]
# An event study of one announcement of the event catalogue: day 0 on each listing's exchange,
# abnormal returns from a market model, cumulative abnormal returns over short windows, the
# tests of the literature, robustness to the benchmark, the model and the estimation window, and
# what the data cannot show. `research new-event` writes a copy of this notebook for a new
# event; `research report <event id>` runs it.

# %% tags=["parameters"]
event = "hikvision-sdn-report-2022"
listings = None
model = "market"
estimation = [-250, -11]
windows = [[0, 0], [0, 1], [-1, 1], [0, 5], [-5, 5]]
benchmark = None
date_only_rule = "business_day"
catalogue = None

# %%
from research.report import Episode

ep = Episode(event, model=model, estimation=estimation, windows=windows, benchmark=benchmark,
             date_only_rule=date_only_rule, listings=listings, catalogue=catalogue)

# %% [markdown]
# ## The event
#
# The catalogue entry: when the news came out, how precisely that is known, and which listings it
# touches ([the event](#tab:events)).

# %%
ep.events_table()

# %% [markdown]
# ## Day 0 on each exchange
#
# Day 0 is the first session of each listing's exchange that opens after the announcement
# ([the timeline](#fig:timeline), [the table of day 0](#tab:day0)).

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices

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
# A market model estimated over the estimation window gives each listing's normal return
# (MacKinlay 1997); [the table of CARs](#tab:car) is per listing, with the mean of the event's
# listings tested in [the table of tests](#tab:tests).

# %%
ep.ar_table()

# %%
ep.car_table()

# %%
ep.car_figure()

# %%
ep.tests_table()

# %% [markdown]
# ## Claims, robustness and limits

# %%
ep.claims_table()

# %%
ep.robustness_table()

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# The summary below is computed from the tables above.

# %%
ep.summary()

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
