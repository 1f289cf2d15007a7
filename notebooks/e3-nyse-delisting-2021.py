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
# # Delisted, reprieved, delisted: the NYSE and the Chinese telecom carriers, 2020-21

# %% [markdown] tags=["abstract"]
# An executive order of 12 November 2020 barred US persons from holding securities of "Communist
# Chinese military companies" from January 2021. On 31 December the New York Stock Exchange said it
# would delist the ADRs of China Mobile, China Telecom and China Unicom; on 4 January it reversed
# itself, and on 6 January it reversed again. We follow the China Mobile ADR in New York and the
# three carriers' Hong Kong shares through this sequence of news of opposite signs. The China
# Telecom and China Unicom ADRs are not in the data.
# The executive order cost the carriers' lines 3.56 % on day 0 and 14.36 % over six sessions on
# average; the NYSE's notice, reversal and re-reversal moved the China Mobile ADR by −4.97 %,
# 9.06 % and −6.56 % on consecutive announcements.

# %% tags=["parameters"]
episode = "e3-nyse-delisting-2021"
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
# The seed article `000_c423e06da220792b.txt` reports that "On Saturday January 2, the New York Stock
# Exchange has launched a divestiture procedure for three major Chinese communications companies"
# (the date is the article's; the exchange's notice came after the close of Thursday 31 December),
# and relays the order's scope: "The order of US President Donald Trump prohibits any transaction,
# beginning 9:30 a.m. eastern standard time on January 11, 2021,traded securities, or any
# securities that are derivative of, or are designed to provide investment exposure to such
# securities, of any Communist Chinese military company, by any United States person".
#
# The catalogue holds four events ([the events](#tab:events)): the order, the delisting notice, its
# reversal and the reversal of the reversal. No seed covers the two reversals; their dates agree with
# the ADR's moves.

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# Each NYSE notice came in the New York evening, which is before the next Hong Kong open: Hong Kong
# trades on the news a session later than New York in calendar terms, but first in real time
# ([the timeline](#fig:timeline)). The order's hour is unknown; [the table of day 0](#tab:day0) gives
# day 0 of every listing for every event.

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The price paths](#fig:prices) cover the whole sequence, with day 0 of each event marked. The China
# Telecom and China Unicom ADRs have no prices in the data: their panels say so.

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
# 1997). Each event is tested on its own ([the abnormal returns](#tab:ar), [the CARs](#tab:car),
# [the pooled tests](#tab:tests)): pooling a delisting with its reversal would average news of
# opposite signs. Windows longer than a day overlap the next event, so the one-day ARs are the
# cleanest numbers here.

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
# [The robustness table](#tab:robustness) repeats the mean CARs with the S&P 500 replaced by the
# Nasdaq Composite for the ADR (Hong Kong has only the Hang Seng in the data), with the
# market-adjusted and constant-mean models, with a shorter estimation window, and with one that
# ends before the executive order, so that the order's own fall does not enter the normal
# returns of the later events.

# %%
ep.robustness_table()

# %% [markdown]
# ## What the evidence does not show
#
# [The last table](#tab:limitations) lists the limits: two of the three ADRs are missing, the events
# confound each other, and the estimation windows of the later events contain the earlier ones.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# The executive order, more than the NYSE's notices, carried the cost: the four lines lost 3.56 %
# on average on day 0 and 14.36 % over [0,5] (Kolari-Pynnönen adjusted BMP −4.44, p = 0.021).
#
# The NYSE sequence shows why a study of one date misleads. The delisting notice took 4.97 % off
# the ADR on 4 January, the reversal added 9.06 % the next session, and the re-reversal took
# 6.56 % on 7 January. The mean over the four listings was −3.03 %, then 6.07 %, then −8.13 % on
# the three day 0s. A window of [0,5] around the first notice alone nets these out to −2.88 %, not
# significant. Hong Kong trades on each US-evening notice hours before New York's next session.
#
# What the evidence cannot show: two of the three ADRs are missing from the data, so the New York
# evidence rests on China Mobile alone; and the estimation windows of the January events contain
# the order's fall in November, although a window ending before the episode gives the same day-0
# mean for the first notice (−3.04 %).

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
