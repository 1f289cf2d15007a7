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
# # What US designations cost Chinese listed firms: five episodes compared

# %% [markdown] tags=["abstract"]
# We pool the event studies of five episodes of US action against Chinese firms from 2019 to
# 2022 (Entity List additions, the NYSE delisting of the telecom carriers, Treasury's NS-CMIC
# identifications, a reported SDN sanction, and an investment in a blacklisted firm) and compare
# the abnormal returns by the listing's role and by the market it trades in: mainland China,
# Hong Kong or New York.
# Designated firms listed on the mainland lost 2.99 % on average on day 0 and 5.78 % over six
# sessions; the Hong Kong lines of the telecom carriers lost 4.88 % on day 0; the one US supplier
# lost 7.69 %.

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
# [The table by role and market](#tab:overview) gives the mean CARs and how much of the six-day
# reaction the first day already holds; [the figure](#fig:overview) shows every listing-event and
# the mean path, from day 0, of the named firms' listings (their designated and other lines) in
# each market.

# %%
overview.table()

# %%
overview.figure()

# %% [markdown]
# ## Every listing-event
#
# [The listing-events](#tab:listings) behind the means.

# %%
overview.listing_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# Across the adverse news, designated firms listed on the mainland lost 2.99 % on day 0 and
# 5.78 % over six sessions on average ([the table by role and market](#tab:overview)): about half
# of the reaction came after the first session, as price limits and suspensions delay it. The Hong
# Kong lines of the telecom carriers lost 4.88 % on day 0 and 5.99 % over [0,5], most of it at
# once. Designated ADRs in New York lost 4.07 % on day 0 but recovered part of it (−2.27 % over
# [0,5]). The one US supplier, Ambarella, lost 7.69 %, as much as the firms on the list.
#
# Good news moved prices the other way: the Hong Kong lines rose 5.08 % on day 0 of the NYSE's
# first reversal. These means pool few, date-clustered listing-events and are descriptive; the
# tests are in the episode notebooks.

# %% [markdown] tags=["appendix"]
# ## Appendix: data

# %%
overview.provenance_table()
