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
# # Delisted, reprieved, delisted: the NYSE and the Chinese telecom carriers, 2020-21

# %% [markdown] tags=["abstract"]
# An executive order signed on Thursday 12 November 2020 barred US persons from buying securities of
# "Communist Chinese military companies" from 11 January 2021 and let holders divest until 11
# November 2021. On 31 December the New York Stock Exchange said it would delist the ADRs of China
# Mobile, China Telecom and China Unicom; late on 4 January it reversed itself, and on the morning of
# 6 January it reversed again. We follow the China Mobile ADR in New York and the three carriers'
# Hong Kong shares through this sequence of news of opposite signs, each day 0 timed by its sources:
# the order and the second reversal reached Hong Kong on the next calendar day, 13 November and 7
# January. The China Telecom and China Unicom ADRs are not in the data.
# The China Mobile ADR's abnormal returns on the three NYSE day 0s were
# −4.97 %<!-- ar: nyse-delisting-2020 > CHL | day 0 -->, 9.06 %<!-- ar: nyse-reversal-2021 > CHL | day 0 -->
# and −5.61 %<!-- ar: nyse-re-reversal-2021 > CHL | day 0 -->, each significant at 1 % with its own
# prediction-error t-test. The mean day-0 abnormal return of the four lines was
# −5.62 %<!-- car: eo-13959-2020 > Mean | [0,0] --> for the order and
# −7.89 %<!-- car: nyse-re-reversal-2021 > Mean | [0,0] --> for the second reversal, and the
# adjusted BMP test rejects a zero mean (p = 0.041<!-- tests: eo-13959-2020 > BMP t, Kolari | [0,0] | stat --> and
# 0.002<!-- tests: nyse-re-reversal-2021 > BMP t, Kolari | [0,0] | stat -->); but with four listings
# sharing a date the validation finds no pooled test well-sized (that test rejects
# 9.00 %<!-- validation/size-clustered: BMP t, Kolari | 4 listings --> of samples without an event),
# so these p-values overstate the evidence, and for the delisting notice and the first reversal
# the pooled tests disagree.

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
# (the date is the article's; the exchange's notice came late on Thursday 31 December),
# and relays the order's scope: "The order of US President Donald Trump prohibits any transaction,
# beginning 9:30 a.m. eastern standard time on January 11, 2021,traded securities, or any
# securities that are derivative of, or are designed to provide investment exposure to such
# securities, of any Communist Chinese military company, by any United States person".
#
# The order barred purchases, not holding: it allowed transactions to divest until 11 November 2021
# (possession after that date was prohibited only by the amending order of 13 January 2021).
# The catalogue holds four events ([the events](#tab:events)): the order, the delisting notice, its
# reversal and the reversal of the reversal. No seed covers the two reversals; their dates and
# hours come from the NYSE's notices and the news copies quoted in the catalogue.

# %%
ep.events_table()

# %% [markdown]
# ## When the news reached each market
#
# Each time is taken from its sources, never from the prices. The order was signed on Thursday 12
# November (Politico: "on Thursday signed"); its hour is not known, an AFP copy is stamped 03:56
# India time on the 13th (17:26 in New York), and the South China Morning Post calls it "an
# overnight executive order": it was public no earlier than the New York business day, after the
# Hong Kong close of the 12th, so Hong Kong's day 0 is 13 November. The delisting notice came "late
# on Thursday" 31 December (SCMP), and the first reversal "late Monday in New York" (Fortune), both
# before the next Hong Kong open. The second reversal was out in the New York morning of 6 January:
# a Reuters copy is stamped 09:31 New York time, so New York's day 0 is 6 January and Hong Kong's 7
# January. [The table of day 0](#tab:day0) gives the result for every listing and event: Hong Kong's
# day 0 is New York's calendar date for the two evening notices (news that reached Hong Kong first
# in real time) and the next date for the order and the second reversal ([the
# timeline](#fig:timeline)).

# %%
ep.timeline_figure()

# %%
ep.day0_table()

# %% [markdown]
# ## Prices
#
# [The figure of prices](#fig:prices) covers the whole sequence, with day 0 of each event marked. The China
# Telecom and China Unicom ADRs have no prices in the data: their panels say so.

# %%
ep.price_figure()

# %% [markdown]
# ## Before day 0
#
# [The five sessions before each day 0](#tab:pre-event) and [their pooled tests](#tab:pre-event-tests)
# show whether the lines moved before the news reached their market. For the NYSE events the
# window before day 0 holds the previous notices of the sequence.

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
# 1997); an abnormal return is the return less the model's expected return. Each event is tested on
# its own ([the abnormal returns](#tab:ar), [the CARs](#tab:car), [the pooled tests](#tab:tests)):
# pooling a delisting with its reversal would average news of opposite signs. Around the three NYSE
# notices, windows longer than a day overlap the next notice, so their one-day abnormal returns are
# the cleanest numbers here; the order's windows hold no other event of the catalogue.

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
# Volume rose around every notice. On day 0 of the delisting notice the four lines traded
# 7.54<!-- volume: nyse-delisting-2020 > Mean | Volume ratio --> times their normal volume on
# average, and 14.01<!-- volume: nyse-re-reversal-2021 > Mean | Volume ratio --> times on day 0 of
# the final reversal, when China Mobile's New York line traded
# 15.22<!-- volume: nyse-re-reversal-2021 > China Mobile 中国移动 (CHL) | Volume ratio --> times its
# normal volume. The estimation windows of the later notices hold the earlier ones, so their normal
# volume is already high.

# %%
ep.volume_table()

# %% [markdown]
# ## Robustness
#
# [The robustness table](#tab:robustness) repeats the mean CARs with the S&P 500 replaced by the
# Nasdaq Composite for the ADR (Hong Kong has only the Hang Seng in the data), with the
# market-adjusted and constant-mean models, with a shorter estimation window, and with one that
# ends before the executive order, so that the order's own abnormal returns do not enter the normal
# returns of the later events; and with the date-only rule that lets a date-only announcement land
# in any session of its date (the Hong Kong sessions of 12 November and 6 January, which closed
# before the New York day began).

# %%
ep.robustness_table()

# %% [markdown]
# ## What the evidence does not show
#
# [The last table](#tab:limitations) lists the limits: two of the three ADRs are missing, the hours
# of the order and of the second reversal are not known, the events confound each other, and the
# estimation windows of the later events contain the earlier ones.

# %%
ep.limitations_table()

# %% [markdown] tags=["conclusion"]
# ## Conclusion
#
# With four listings sharing a date the validation finds no pooled test well-sized: the adjusted
# BMP test rejects 9.00 %<!-- validation/size-clustered: BMP t, Kolari | 4 listings --> of samples
# without an event and Brown and Warner's crude dependence test
# 8.80 %<!-- validation/size-clustered: Brown-Warner crude | 4 listings -->, and the adjusted BMP
# test detects a 1 % effect in 9.20 %<!-- validation/power: Clustered dates > BMP t, Kolari | n = 4 -->
# of samples. Its shared-date samples are drawn on mainland listings, so for these Hong Kong and
# New York lines the rates are a guide rather than a measurement. The listings' own tests carry the
# conclusions, and a pooled p-value is weaker evidence than it says.
#
# Listing by listing, the order's day 0 (12 November in New York, 13 November in Hong Kong) brought
# abnormal returns of −3.42 %<!-- ar: eo-13959-2020 > CHL | day 0 --> for the ADR and
# −4.95 %<!-- ar: eo-13959-2020 > 0941.HK | day 0 -->, −7.69 %<!-- ar: eo-13959-2020 > 0728.HK | day 0 -->
# and −6.44 %<!-- ar: eo-13959-2020 > 0762.HK | day 0 --> for the Hong Kong lines of China Mobile,
# China Telecom and China Unicom, each significant at 5 % or better on its own. The NYSE sequence
# shows why a study of one date misleads: the ADR's abnormal returns on the three day 0s were
# −4.97 %<!-- ar: nyse-delisting-2020 > CHL | day 0 -->, 9.06 %<!-- ar: nyse-reversal-2021 > CHL | day 0 -->
# and −5.61 %<!-- ar: nyse-re-reversal-2021 > CHL | day 0 -->, each significant at 1 %, while the
# four lines' mean CAR over [0,5] from the first notice, a window that holds all three notices, is
# −2.88 %<!-- car: nyse-delisting-2020 > Mean | [0,5] -->.
#
# Pooled, the mean day-0 CAR was −5.62 %<!-- car: eo-13959-2020 > Mean | [0,0] --> for the order
# and −7.89 %<!-- car: nyse-re-reversal-2021 > Mean | [0,0] --> for the second reversal; a zero mean
# is rejected by the adjusted BMP test (p = 0.041<!-- tests: eo-13959-2020 > BMP t, Kolari | [0,0] | stat --> and
# 0.002<!-- tests: nyse-re-reversal-2021 > BMP t, Kolari | [0,0] | stat -->) and by the crude
# dependence test (p < 0.001<!-- tests: eo-13959-2020 > Brown-Warner | [0,0] | stat --> and
# < 0.001<!-- tests: nyse-re-reversal-2021 > Brown-Warner | [0,0] | stat -->). For the delisting
# notice (−3.03 %<!-- car: nyse-delisting-2020 > Mean | [0,0] -->) and the first reversal
# (6.07 %<!-- car: nyse-reversal-2021 > Mean | [0,0] -->) the two tests disagree: the crude
# dependence test gives p = 0.055<!-- tests: nyse-delisting-2020 > Brown-Warner | [0,0] | stat -->
# and < 0.001<!-- tests: nyse-reversal-2021 > Brown-Warner | [0,0] | stat -->, the adjusted BMP test
# p = 0.201<!-- tests: nyse-delisting-2020 > BMP t, Kolari | [0,0] | stat --> and
# 0.141<!-- tests: nyse-reversal-2021 > BMP t, Kolari | [0,0] | stat --> (on the notice, then,
# only at the 10 % level). Over [0,5] the order's mean
# CAR was −12.27 %<!-- car: eo-13959-2020 > Mean | [0,5] --> (adjusted BMP
# p = 0.029<!-- tests: eo-13959-2020 > BMP t, Kolari | [0,5] | stat -->).
#
# Before the order, on 11 November, the Hong Kong lines show abnormal returns of
# 5.57 %<!-- pre-event: eo-13959-2020 > 0941.HK | day −2 -->, 10.79 %<!-- pre-event: eo-13959-2020 > 0728.HK | day −2 -->
# and 6.76 %<!-- pre-event: eo-13959-2020 > 0762.HK | day −2 --> (day −2), and on 12 November, the
# Hong Kong session before the order was signed, China Telecom's was
# −5.00 %<!-- pre-event: eo-13959-2020 > 0728.HK | day −1 --> (t = −2.68<!-- pre-event: eo-13959-2020 > 0728.HK | day −1 | stat -->): a leak, other news, or a
# mis-dated event, which these data cannot tell apart.
#
# What the evidence cannot show: two of the three ADRs are missing from the data, so the New York
# evidence rests on China Mobile alone; the hours of the order and of the second reversal are not
# known (under the rule that lets them land in any session of their date, the second reversal's
# mean day-0 CAR would be 0.64 %<!-- robustness: nyse-re-reversal-2021 > Date-only rule | [0,0] -->);
# and the estimation windows of the January events contain the order, although a window ending
# before the episode gives a day-0 mean for the first notice of
# −3.04 %<!-- robustness: nyse-delisting-2020 > year before the episode | [0,0] -->.

# %% [markdown] tags=["appendix"]
# ## Appendix: data and parameters

# %%
ep.provenance_table()

# %%
ep.parameters_table()
