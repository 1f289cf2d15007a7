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
# # Event study of one catalogue event

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

# %% tags=["abstract"]
# The abstract, written from the results below (research.report.prose.abstract): the event, its
# date, its listings and their roles, the day-0 abnormal returns, the main CAR, the confounders
# and the limitations. To write your own, replace this cell by a markdown cell tagged "abstract"
# and start from the text `print(ep.abstract())` gives: its <!-- label: row | column --> cell
# references let `research report` check every number against the tables.
ep.abstract()

# %% [markdown]
# ## What happened

# %%
# Told from the catalogue entry: the announcement, the evidence for its time, the listings, the
# sources and what they say, and their claims (edit the catalogue, or replace this cell by text).
ep.what_happened()

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

# %% [markdown]
# ## Conclusion

# %% tags=["conclusion"]
# Written from the results (research.report.prose.conclusion); replace it by a markdown cell
# tagged "conclusion", starting from `print(ep.conclusion())`, to write your own.
ep.conclusion()

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
