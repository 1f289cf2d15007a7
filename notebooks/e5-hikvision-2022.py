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
# # Sanctions by press report: Hikvision, Dahua and the HFCAA list, May 2022

# %% [markdown] tags=["abstract"]
# On Wednesday 4 May 2022 the Financial Times reported that Washington was considering sanctions
# on Hikvision under the Specially Designated Nationals programme; the same days the SEC added
# JD.com, Pinduoduo, Bilibili and NetEase to its provisional list under the Holding Foreign
# Companies Accountable Act. Shenzhen was closed for Labour Day until Thursday 5 May, when
# Hikvision fell by its daily limit. We measure the abnormal returns of the two surveillance
# makers listed in Shenzhen and of the four US-listed ADRs, each on its own exchange's sessions.
# Hikvision's abnormal return on the first Shenzhen session after the report was −9.77 % and its
# CAR over six sessions −18.78 %; Dahua's day-0 abnormal return was −7.22 %. Net of the Nasdaq's
# fall, the ADRs' abnormal returns are small and individually insignificant.

# %% tags=["parameters"]
episode = "e5-hikvision-2022"
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
# The seed article `004_64f8e7a9fe0bc581.txt` (SupChina, "Hikvision and JD.com are in America's
# crosshairs") reports both pieces of news. On Hikvision: "Video surveillance hardware and
# software provider Hikvision's share price fell 10% on Thursday, after the Financial Times
# reported that Washington may impose tough sanctions on the Chinese surveillance technology
# giant." It names Dahua as "another blacklisted company" whose equipment US towns have bought.
# On the audit dispute: "The U.S. Securities and Exchange Commission (SEC) has added over 80
# firms — including JD.com, Pinduoduo, Bilibili, and NetEase — to its list of foreign companies
# that face delisting from the U.S."
#
# The catalogue holds the two as separate events ([the table of events](#tab:events)). Neither
# hour is known, so both are entered as dates only; the US market also fell sharply on 5 May,
# which is why the question is the abnormal return, not the raw one.

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# Mainland exchanges were closed from 2 to 4 May for Labour Day. Whatever the hour of the FT's
# report on the 4th, the first Shenzhen session after it is Thursday 5 May
# ([the timeline](#fig:timeline)). For the ADRs the date-only rule matters: if the SEC's
# additions were public before the New York close of the 4th, day 0 is the 4th; if after, the
# 5th. The main study uses the earliest session that can contain the news (same-day rule);
# [the table of day 0](#tab:day0) shows both, with the day-0 return split into the overnight
# gap and the intraday move.

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The price paths](#fig:prices) rebase each listing and its benchmark to 100 at the last close
# before day 0: the CSI 300 for Shenzhen, the Nasdaq Composite for the ADRs.

# %%
ep.price_figure()

# %% [markdown]
# ## Abnormal returns
#
# Normal returns come from a market model estimated over relative trading days −250 to −11
# (MacKinlay 1997), each listing on its own trading days. [The abnormal returns around day
# 0](#tab:ar) and [the cumulative abnormal returns](#tab:car) are per listing; the mean of each
# event's listings is tested with the statistics in [the table of tests](#tab:tests). Listings of
# one event share its date, so their abnormal returns are cross-correlated: the Kolari-Pynnönen
# adjustment and the Brown-Warner portfolio test allow for it, the plain Patell and BMP tests do
# not.

# %%
ep.ar_table()

# %%
ep.car_table()

# %%
ep.car_figure()

# %%
ep.tests_table()

# %% [markdown]
# ## The article's claim
#
# The article says Hikvision "fell 10% on Thursday" ([the claims](#tab:claims)).

# %%
ep.claims_table()

# %% [markdown]
# ## Robustness
#
# [The robustness table](#tab:robustness) repeats the mean CARs with the other benchmark of
# each market (SZSE Component for the CSI 300, S&P 500 for the Nasdaq), with models that need
# no estimation (market-adjusted, constant mean), and with a shorter estimation window and one
# ending before the episode.

# %%
ep.robustness_table()

# %% [markdown]
# ## What the evidence does not show
#
# [The last table](#tab:limitations) lists what limits these numbers: a limit-down day caps the
# day-0 move, the two events confound each other, and the ADRs' day 0 depends on the hour of
# the SEC's announcement.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# The FT report cost Hikvision 9.77 % on day 0 beyond what the CSI 300 implied, and the fall
# continued: its CAR over [0,1] is −15.88 % and over [0,5] −18.78 %, each significant at 1 % with
# the listing's own prediction-error t-test. Day 0 was a limit-down day (raw return −10.00 %), so
# the capped move spilled into the next session (abnormal return −6.12 % on day 1). Dahua, not
# named by the report, lost 7.22 % on day 0. Their mean day-0 CAR of −8.50 % is not significant
# once the cross-correlation of two listings sharing one date is allowed for (Kolari-Pynnönen
# adjusted BMP −3.36, p = 0.184): two listings are too few for a pooled test.
#
# The ADRs added to the HFCAA list fell with the Nasdaq; net of it their day-0 abnormal returns
# range from −2.57 % to −4.39 % and none is significant on its own. Their mean of −3.39 % passes
# the adjusted BMP test at 5 %, but it moves with the benchmark and the model, and their day 0
# depends on the unknown hour of the SEC's announcement. The evidence shows a large, concentrated
# loss for the named firm and a smaller one for its peer; for the ADRs it is weak.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
