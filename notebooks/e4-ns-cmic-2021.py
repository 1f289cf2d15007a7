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
# # Treasury's NS-CMIC identifications of December 2021: Sugon, Leon, Netposa and Meiya Pico

# %% [markdown] tags=["abstract"]
# On Thursday 16 December 2021 the US Treasury identified eight Chinese technology firms under
# Executive Order 13959 as amended by E.O. 14032, barring US persons from buying their securities.
# Four have listed shares in Shanghai or Shenzhen: Dawning Information (Sugon), Leon Technology,
# Netposa and Meiya Pico. All four first traded on the news on 17 December, so their abnormal
# returns share a date. SenseTime, added a week earlier, had not yet listed.
# The mean day-0 abnormal return of the four listed targets was 0.85 % and not significant: the
# identification left no measurable mark on their prices.

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
# 13959, as amended." Cloudwalk, Megvii, DJI and Yitu were not listed.
#
# The catalogue also holds SenseTime's addition of 10 December ([the events](#tab:events)), when its
# Hong Kong IPO was postponed: the company first traded on 30 December.

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# The release came during US business hours of Thursday 16 December, after the Shanghai and Shenzhen
# close and before their next open: whatever the hour, day 0 is Friday 17 December on both exchanges
# ([the timeline](#fig:timeline), [the table of day 0](#tab:day0)).

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The price paths](#fig:prices) show the four listings against the CSI 300. SenseTime's panel is
# empty before its listing.

# %%
ep.price_figure()

# %% [markdown]
# ## Before day 0
#
# [The abnormal returns of the five sessions before day 0](#tab:pre-event) and [the tests of their
# mean](#tab:pre-event-tests), with the tests built for listings that share a date. A listing that
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
# 1997). [The abnormal returns](#tab:ar) and [the CARs](#tab:car) are per listing. Because all four
# share day 0, their abnormal returns are cross-correlated and the test of their mean must allow for
# it: [the pooled tests](#tab:tests) report the Kolari-Pynnönen adjusted statistics and the
# Brown-Warner portfolio test beside the tests that assume independence.

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
# No seed states a price move for this episode; [the claims table](#tab:claims) is empty.

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
# [The last table](#tab:limitations) lists the limits, among them SenseTime's history: no price
# before its listing, and too few trading days for a standard estimation window before later events.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# The NS-CMIC identification left no measurable mark on the four listed targets. Their mean
# day-0 CAR is 0.85 % and insignificant (Kolari-Pynnönen adjusted BMP 0.09). Sugon (−2.06 %) and
# Meiya Pico (−2.03 %) fell modestly, Netposa barely moved (0.77 %), and Leon Technology rose
# 6.73 % after a limit-up day the session before the release (19.98 % raw on day −1), which points
# to news of its own.
#
# What the evidence cannot show: the effect on firms without listed shares (Cloudwalk, Megvii,
# DJI, Yitu), and SenseTime's: it had no price before its listing on 30 December, so neither a
# day-0 return nor an estimation window exists for the event of 10 December.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
