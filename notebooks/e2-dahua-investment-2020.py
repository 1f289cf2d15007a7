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
# # Investing in a blacklisted firm: Alibaba, China Mobile and Dahua, September 2020

# %% [markdown] tags=["abstract"]
# On Tuesday 15 September 2020 Reuters reported that Alibaba and China Mobile would invest about
# $443 million in Dahua, the surveillance maker on the US Entity List since 2019, through a private
# placement. Dahua closed at its daily limit in Shenzhen that day. We measure the abnormal returns
# of Dahua and of Alibaba's two lines, the New York ADR and the Hong Kong shares listed in November
# 2019, whose estimation window is short.
# Dahua's abnormal return was 8.94 % on the day it closed at its limit, a gain that faded within a
# week; Alibaba shows no abnormal return on either of its lines.

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
# The seed article `003_6ef888f17c8aff6d.txt` (Benzinga) writes that "Alibaba Group Holding Ltd
# BABA is investing $443 billion jointly with a Chinese partner in a blacklisted company accused of
# helping Beijing monitor and detain Uighur minorities, Reuters reported Tuesday." The amount is
# mistyped: `000_c423e06da220792b.txt` gives it as "a $443 million investment in Zhejiang Dahua
# Technology Co Ltd". The first article adds: "Price Action: Alibaba shares closed nearly 1.4%
# higher at $277.96 on Tuesday."
#
# The news is good for Dahua (new capital from two state-linked or large investors) and ambiguous
# for Alibaba, which invests in a sanctioned firm ([the event](#tab:events)).

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# The hour of the Reuters report is unknown. Dahua's limit-up close on 15 September, with a small
# opening gap and a large intraday rise, says the news or a leak was out during the Shenzhen
# session of the 15th; the study therefore takes the earliest session that can contain the news as
# day 0 on each exchange ([the timeline](#fig:timeline), [the table of day 0](#tab:day0)).

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The price paths](#fig:prices) show each listing against its benchmark: the CSI 300 for Dahua, the
# S&P 500 for the Alibaba ADR and the Hang Seng for the Hong Kong line.

# %%
ep.price_figure()

# %% [markdown]
# ## Abnormal returns
#
# Normal returns come from a market model estimated over relative trading days −250 to −11
# (MacKinlay 1997). [The abnormal returns](#tab:ar), [the CARs](#tab:car) and [the pooled
# tests](#tab:tests) follow; the Alibaba lines are two listings of one firm, so their pooled mean
# is not two independent observations.

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
# [The last table](#tab:limitations) lists the limits: Dahua's limit-up day caps its day-0 move, the
# Hong Kong line has a short history, and day 0 depends on the unknown hour of the report.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# Investors priced the report as good news for Dahua: its abnormal return was 8.94 % on the day it
# closed limit-up (raw return 10.01 %), significant at 1 %. The gain did not last: its CAR over
# [0,5] is −2.85 %. Alibaba, the investor, shows no abnormal return on either line, 0.90 % for the
# ADR and −0.96 % in Hong Kong, neither significant; its 1.41 % rise on Tuesday, which the article
# reports correctly (close 277.96 USD), is mostly the market's.
#
# What the numbers cannot show: Dahua's day-0 return is capped by the price limit and may partly
# predate the report, whose hour is unknown, and the Hong Kong line's estimation window is short.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
