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
# # What US designations cost Chinese listed firms: five episodes compared

# %% [markdown] tags=["abstract"]
# We pool the event studies of five episodes of US action against Chinese firms from 2019 to
# 2022 (Entity List additions, the NYSE delisting of the telecom carriers, Treasury's NS-CMIC
# identifications and the press report that preceded them, a reported SDN sanction, and an
# investment in a blacklisted firm) and compare the abnormal returns by the listing's role and by
# the market it trades in: mainland China, Hong Kong or New York. A firm's events that follow each
# other within days are never pooled over windows that overlap. Under adverse news the mean day-0
# abnormal return of designated firms listed on the mainland was
# −1.96 %<!-- overview: Adverse > Designated firms, Mainland China | [0,0] -->, that of the Hong
# Kong lines of the telecom carriers
# −5.80 %<!-- overview: Adverse > Other lines of the firm, Hong Kong | [0,0] -->, that of designated
# ADRs in New York −3.94 %<!-- overview: Adverse > Designated firms, New York | [0,0] --> and that of
# the one US supplier −7.69 %<!-- overview: Adverse > US suppliers | [0,0] -->. These means pool few,
# date-clustered listing-events and are descriptive; the tests are in the episode papers.

# %% tags=["parameters"]
episodes = ["e1-entity-list-2019", "e2-dahua-investment-2020", "e3-nyse-delisting-2021", "e4-ns-cmic-2021",
            "e5-hikvision-2022"]
favourable = ["dahua-investment-2020", "nyse-reversal-2021"]
catalogue = None

# %%
from research.report import Overview

overview = Overview(episodes, favourable=favourable, catalogue=catalogue)

# %% [markdown]
# ## Design
#
# Each episode notebook estimates a market model over relative trading days −250 to −11 for
# every listing-event and measures day 0 as the first session of the listing's own exchange after
# the announcement (MacKinlay 1997). Here the cumulative abnormal returns of all episodes are set
# side by side. Two events carry good news for the listings: the report of Alibaba's and China
# Mobile's investment in Dahua and the NYSE's first reversal of its delisting decision. They are
# kept apart instead of being averaged with the adverse news.

# %% [markdown]
# ## Reactions by role and market
#
# [The table by role and market](#tab:overview) gives the mean CARs before day 0 and after it, and
# how much of the six-day CAR the first day already holds; [the figure](#fig:overview) shows every
# listing-event and the mean path, from day 0, of the named firms' listings (their designated and
# other lines) in each market. Where one firm's events follow each other within days, as the
# NYSE's delisting notice of 31 December 2020, its reversal and the reversal's reversal do, a
# window of one event holds the reactions to the others: such a window is shown in [the table of
# listing-events](#tab:listings), marked, and left out of the means, so that no reaction is
# counted twice.

# %%
overview.table()

# %%
overview.figure()

# %% [markdown]
# ## Every listing-event
#
# [The table of listing-events](#tab:listings) gives every CAR behind the means.

# %%
overview.listing_table()

# %% [markdown]
# ## Every priced event, pooled by programme
#
# The episodes are five stories; the catalogue holds every designation event it has sourced.
# [The table by programme](#tab:programmes) pools, for each designation programme, every event
# with at least one priced listing, as one panel keyed by (event, listing): a firm named by two
# events of a programme counts once for each. The listings of one event share their date, so the
# p-values are those of two tests that allow for it, the BMP test with the Kolari and Pynnönen
# (2010) adjustment and the generalised rank test on the standardised CARs (Kolari and Pynnönen
# 2011). Favourable news and removals from a list are left out. A programme with one or two
# priced events is still a case study, not a sample.

# %%
overview.programme_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# Across the adverse news, the mean day-0 abnormal return of designated firms listed on the
# mainland was −1.96 %<!-- overview: Adverse > Designated firms, Mainland China | [0,0] -->
# ([the table by role and market](#tab:overview)). Over [0,5] fewer of their listing-events can be
# pooled, as the FT's report and Treasury's identification of the same firms came within days of
# each other, and the mean of those left is
# −8.47 %<!-- overview: Adverse > Designated firms, Mainland China | [0,5] -->; these tables do not
# show why part of the six-session CAR came after day 0. The mean day-0 abnormal return of the
# Hong Kong lines of the telecom carriers was
# −5.80 %<!-- overview: Adverse > Other lines of the firm, Hong Kong | [0,0] -->; over [0,5] only the
# lines of the executive order can be pooled, as the NYSE's notice, reversal and re-reversal
# overlap, and their mean is −12.16 %<!-- overview: Adverse > Other lines of the firm, Hong Kong | [0,5] -->.
# The mean day-0 abnormal return of designated ADRs in New York was
# −3.94 %<!-- overview: Adverse > Designated firms, New York | [0,0] --> and their mean CAR over
# [0,5] −2.36 %<!-- overview: Adverse > Designated firms, New York | [0,5] -->. The one US supplier,
# Ambarella, had a day-0 abnormal return of −7.69 %<!-- overview: Adverse > US suppliers | [0,0] -->.
#
# Before day 0 some means are large: the designated ADRs' mean CAR over [−5,−1] was
# 13.84 %<!-- overview: Adverse > Designated firms, New York | [−5,−1] --> and the Hong Kong lines'
# 3.89 %<!-- overview: Adverse > Other lines of the firm, Hong Kong | [−5,−1] -->. A move before day 0
# is a leak, other news, or a mis-dated event; the episode papers name the listings.
#
# Under favourable news the mean day-0 abnormal return of the Hong Kong lines on the NYSE's first
# reversal was 5.08 %<!-- overview: Favourable > Other lines of the firm, Hong Kong | [0,0] -->; its
# longer windows overlap the notice and the reversal's reversal and are not pooled. Dahua's day-0
# abnormal return on the report of Alibaba's and China Mobile's investment was
# −5.58 %<!-- overview: Favourable > Designated firms, Mainland China | [0,0] -->, against the sign
# the news was expected to have; the E2 paper reads it. These means pool few, date-clustered
# listing-events and are descriptive; the tests are in the episode papers.
#
# Pooled by programme, [the table by programme](#tab:programmes) sets every priced event of the
# catalogue beside the episodes. It grows with the catalogue and with the researcher's own events,
# so this text quotes none of its numbers. Most programmes rest on a handful of priced events, so
# the table says where to look rather than what designations cost on average.

# %% [markdown] tags=["appendix"]
# ## Appendix: data

# %%
overview.provenance_table()
