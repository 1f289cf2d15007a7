"""The episodes compared: what designations cost, how fast prices moved, and where.

:class:`Overview` runs every episode's main study (:class:`research.report.episode.Episode`,
default parameters) and pools the listing-events by role (designated firms, partners, US
suppliers, other lines of the same firm, peers) and by market (mainland China, Hong Kong,
New York). News that is good for the listings (a reversal of a delisting, an investment) is
kept apart from adverse news rather than averaged with it: the notebook names those events.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from research.report import figures, tables
from research.report.episode import Episode

MARKETS = {"XSHE": "Mainland China", "XSHG": "Mainland China", "XHKG": "Hong Kong", "XNYS": "New York",
           "XNAS": "New York"}
ROLE_NAMES = {"designated": "Designated firms", "partner": "Partners", "supplier": "US suppliers",
              "other_line": "Other lines of the firm", "peer": "Peers"}
WINDOWS = ("[0,0]", "[0,1]", "[0,5]")


def short_name(entity: str) -> str:
    """A firm's name as a figure's label: the name in parentheses if any (``Sugon``), else the
    entity without its place and legal words (``Zhejiang Dahua Technology`` -> ``Dahua``)."""
    import re

    match = re.search(r"\(([^)]+)\)", entity)
    if match:
        return match.group(1)
    words = [w for w in entity.split() if w not in _GENERIC_WORDS]
    return " ".join(words) or entity


_GENERIC_WORDS = {"Zhejiang", "Hangzhou", "Xiamen", "Group", "Technology", "Technologies", "Information",
                  "Holding", "Holdings", "Co.", "Ltd", "Limited", "Digital", "Industry"}


class Overview:
    """Every episode's listing-events side by side.

    Parameters
    ----------
    episodes : episode ids (default every episode of the catalogue).
    favourable : event ids whose news is good for the listings; reported apart.
    catalogue : path of the event catalogue.
    """

    def __init__(self, episodes: Sequence[str] | None = None, *, favourable: Sequence[str] = (), catalogue=None):
        from research.report.episode import episode_ids

        self.episode_ids = list(episodes or episode_ids(catalogue))
        self.favourable = set(favourable)
        self.catalogue = catalogue

    @cached_property
    def episodes(self) -> dict[str, Episode]:
        return {name: Episode(name, catalogue=self.catalogue) for name in self.episode_ids}

    @cached_property
    def cars(self) -> pd.DataFrame:
        """One row per listing-event: episode, event, listing, role, exchange, market, news, and
        its CAR (fraction) over each window of :data:`WINDOWS`."""
        rows = []
        for name, ep in self.episodes.items():
            car = ep.study.car
            exchange = {a.ticker: a.exchange for al in ep.alignments.values() for a in al}
            for (event_id, ticker), part in car.groupby(["event_id", "ticker"], sort=False):
                by_window = part.set_index("window")["car"]
                rows.append({"episode": name, "event_id": event_id, "ticker": ticker,
                             "name": ep.stub(ticker), "short": f"{short_name(ep.base_names[ticker])} ({ticker})",
                             "role": part["role"].iloc[0],
                             "exchange": exchange[ticker], "market": MARKETS.get(exchange[ticker], exchange[ticker]),
                             "news": "favourable" if event_id in self.favourable else "adverse",
                             **{w: by_window.get(w, np.nan) for w in WINDOWS}})
        return pd.DataFrame(rows)

    def table(self) -> tables.ResultTable:
        """Mean CARs by news, role and market: N, CAR over [0,0], [0,1], [0,5] (%), and the share
        of the six-day CAR already in the day-0 return."""
        cars = self.cars
        rows, data = [], []
        for news in ("adverse", "favourable"):
            part = cars[cars["news"] == news]
            if part.empty:
                continue
            rows.append(tables.Row("Adverse news (designations, delistings, reported sanctions)" if news == "adverse"
                                   else "Favourable news: " + ", ".join(sorted(self.favourable)), kind="group"))
            for role in ROLE_NAMES:
                for market in ("Mainland China", "Hong Kong", "New York"):
                    cell = part[(part["role"] == role) & (part["market"] == market)]
                    if cell.empty:
                        continue
                    means = {w: float(cell[w].mean()) for w in WINDOWS}
                    same_sign = np.sign(means["[0,0]"]) == np.sign(means["[0,5]"])
                    share = means["[0,0]"] / means["[0,5]"] if same_sign and abs(means["[0,5]"]) >= 0.02 else np.nan
                    rows.append(tables.Row(f"{ROLE_NAMES[role]}, {market}",
                                           [str(len(cell))] + [tables.fmt_pct(means[w]) for w in WINDOWS]
                                           + [tables.fmt_number(100 * share, 0) if np.isfinite(share)
                                              else tables.MISSING]))
                    data.append({"news": news, "role": role, "market": market, "n": len(cell),
                                 **{f"mean_car{w}": means[w] for w in WINDOWS}, "day0_share": share,
                                 "listings": ", ".join(f"{r.ticker} ({r.event_id})" for r in cell.itertuples())})
        notes = ["Means over listing-events of the main study of each episode (market model, estimation over "
                 "relative days [−250, −11], each listing on its own exchange's sessions). Day-0 share: the "
                 "mean CAR over [0,0] as a percentage of the mean CAR over [0,5], shown when both have the same "
                 "sign and the latter is at least two percentage points; above 100 the move partly reverted.",
                 "Listing-events of one episode share dates, so the means are not independent observations; "
                 "the episode notebooks test them with cross-correlation-robust statistics."]
        return tables.ResultTable(["N", "CAR [0,0] (%)", "CAR [0,1] (%)", "CAR [0,5] (%)", "day-0 share (%)"],
                                  rows, caption="Mean cumulative abnormal returns by role and market, all episodes",
                                  label="overview", notes=notes, data=pd.DataFrame(data),
                                  references=("mackinlay1997", "kolari_pynnonen2010"))

    def listing_table(self) -> tables.ResultTable:
        """Every listing-event of every episode with its CARs (%), the rows the means pool."""
        cars = self.cars
        frame = pd.DataFrame({"episode": cars["episode"], "listing": cars["name"],
                              "event": cars["event_id"], "role": cars["role"].str.replace("_", " "),
                              "market": cars["market"],
                              **{f"CAR {w} (%)": cars[w].map(tables.fmt_pct) for w in WINDOWS}})
        return tables.frame_table(frame, caption="Cumulative abnormal returns of every listing-event (%)",
                                  label="listings", stub="listing", group="episode",
                                  align=["l", "l", "l", "r", "r", "r"], data=cars,
                                  notes=["Market model; CARs in percent over relative trading days."])

    def paths(self, days=(0, 10), roles=("designated", "other_line")) -> pd.DataFrame:
        """Mean CAR path from day 0 (0 on day −1) of the named firms' listings (``roles``) under
        adverse news, by market."""
        out = []
        for name, ep in self.episodes.items():
            ar = ep.study.ar
            exchange = {a.ticker: a.exchange for al in ep.alignments.values() for a in al}
            keep = ar["role"].isin(roles) & ~ar["event_id"].isin(self.favourable) & ar["relative_day"].between(*days)
            part = ar[keep].copy()
            part["market"] = part["ticker"].map(lambda t: MARKETS.get(exchange[t], exchange[t]))
            part = part.sort_values(["event_id", "ticker", "relative_day"])
            part["car"] = part.groupby(["event_id", "ticker"])["abnormal_return"].transform(
                lambda s: s.fillna(0).cumsum())
            out.append(part[["market", "relative_day", "car"]])
        frame = pd.concat(out, ignore_index=True)
        paths = frame.groupby(["market", "relative_day"], sort=False)["car"].mean().reset_index()
        start = pd.DataFrame({"market": paths["market"].unique(), "relative_day": days[0] - 1, "car": 0.0})
        paths = pd.concat([start, paths], ignore_index=True).sort_values(["market", "relative_day"], kind="stable")
        return paths.rename(columns={"market": "exchange", "car": "mean_car"}).reset_index(drop=True)

    def figure(self) -> figures.PaperFigure:
        """CAR over [0,1] of every listing-event by role and market; mean CAR paths by market."""
        cars = self.cars.rename(columns={"[0,1]": "car"})
        cars["name"] = cars["short"]
        cars["exchange"] = cars["exchange"].map(lambda m: {"XSHG": "XSHE", "XNAS": "XNYS"}.get(m, m))
        paths = self.paths()
        paths["exchange"] = paths["exchange"].map({"Mainland China": "XSHE", "Hong Kong": "XHKG",
                                                   "New York": "XNYS"})
        return figures.overview_figure(cars, paths, window="[0,1]", label="overview",
                                       names={"XSHE": "Mainland China", "XHKG": "Hong Kong", "XNYS": "New York"},
                                       caption="Left: CAR over [0,1] of every listing-event, by episode (events of an "
                                               "episode named at the right); the marker is the listing's role, the "
                                               "colour its market. Right: mean CAR from day 0 of the listings of the "
                                               "named firms (designated lines and their other lines) under adverse "
                                               "news, by market.")

    def provenance_table(self) -> tables.ResultTable:
        """The price series every episode read (store manifest)."""
        from research.report.episode import provenance_table

        tickers = list(dict.fromkeys(t for ep in self.episodes.values() for t in ep.tickers()))
        return provenance_table(tickers)
