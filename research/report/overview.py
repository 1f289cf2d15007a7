"""The episodes compared: what designations cost, how fast prices moved, and where.

:class:`Overview` runs every episode's main study (:class:`research.report.episode.Episode`,
default parameters) and pools the listing-events by role (designated firms, partners, US
suppliers, other lines of the same firm, peers) and by market (mainland China, Hong Kong,
New York). News that is good for the listings (a reversal of a delisting, an investment) is
kept apart from adverse news rather than averaged with it: the notebook names those events.

A firm's events can follow each other within days (a delisting notice, its reversal, the
reversal's reversal): a window of one event then holds the others' reactions. A listing-event's
CAR over a window that overlaps, in calendar days, the same window of another event of the same
firm (any of its lines) is shown but never pooled, so no reaction is counted twice.
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
PROGRAMME_NAMES = {"entity-list": "Entity List", "dod-cmc": "DoD military companies",
                   "ns-cmic": "NS-CMIC investment ban", "exchange-delisting": "Exchange delistings",
                   "hfcaa": "HFCAA identifications", "sdn": "OFAC SDN", "other": "Other news"}
WINDOWS = ("[0,0]", "[0,1]", "[0,5]")
#: The pre-event window, shown beside the reaction (:data:`research.report.episode.PRE_EVENT`).
PRE_WINDOW = "[-5,-1]"


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
        """One row per listing-event: episode, event, listing, firm, role, exchange, market, news,
        its CAR (fraction) over :data:`PRE_WINDOW` and each window of :data:`WINDOWS`, and for
        each window ``overlaps <window>``: the firm's other events whose same window overlaps
        this one in calendar days (empty: the CAR is pooled)."""
        from research.report.episode import PRE_EVENT

        rows, spans = [], []
        for name, ep in self.episodes.items():
            car = ep.study.car
            pre = ep.study.listing_tests([PRE_EVENT]).set_index(["event_id", "ticker"])["car"]
            dates = ep.study.ar.set_index(["event_id", "ticker", "relative_day"])["date"].sort_index()
            exchange = {a.ticker: a.exchange for al in ep.alignments.values() for a in al}
            for (event_id, ticker), part in car.groupby(["event_id", "ticker"], sort=False):
                by_window = part.set_index("window")["car"]
                sec = ep.registry.get(ticker)
                firm = (sec.name_zh if sec and sec.name_zh else ep.base_names[ticker])
                rows.append({"episode": name, "event_id": event_id, "ticker": ticker, "firm": firm,
                             "name": ep.stub(ticker), "short": f"{short_name(ep.base_names[ticker])} ({ticker})",
                             "role": part["role"].iloc[0],
                             "exchange": exchange[ticker], "market": MARKETS.get(exchange[ticker], exchange[ticker]),
                             "news": "favourable" if event_id in self.favourable else "adverse",
                             PRE_WINDOW: pre.get((event_id, ticker), np.nan),
                             **{w: by_window.get(w, np.nan) for w in WINDOWS}})
                spans.append({w: _span(dates, event_id, ticker, w) for w in (PRE_WINDOW, *WINDOWS)})
        frame = pd.DataFrame(rows)
        for w in (PRE_WINDOW, *WINDOWS):
            frame[f"overlaps {w}"] = [
                ", ".join(sorted({o.event_id for j, o in enumerate(frame.itertuples())
                                  if o.firm == r.firm and o.event_id != r.event_id
                                  and _overlap(spans[i][w], spans[j][w])}))
                for i, r in enumerate(frame.itertuples())]
        return frame

    def table(self) -> tables.ResultTable:
        """Mean CARs by news, role and market: N, CAR over [−5,−1], [0,0], [0,1], [0,5] (%), and
        the share of the six-day CAR already in the day-0 return; a window's mean leaves out the
        listing-events whose window overlaps another event of the same firm (their number pooled
        in parentheses when fewer than N)."""
        cars = self.cars
        windows = (PRE_WINDOW, *WINDOWS)
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
                    pooled = {w: cell[cell[f"overlaps {w}"] == ""] for w in windows}
                    means = {w: float(pooled[w][w].mean()) if len(pooled[w]) else np.nan for w in windows}
                    # the share compares the two windows over the same listing-events
                    both = pooled["[0,5]"]
                    day0, six = (float(both["[0,0]"].mean()), float(both["[0,5]"].mean())) if len(both) else (0, 0)
                    share = day0 / six if np.sign(day0) == np.sign(six) and abs(six) >= 0.02 else np.nan
                    cells = [str(len(cell))]
                    for w in windows:
                        k = len(pooled[w])
                        cells.append(tables.fmt_pct(means[w]) + (f" ({k})" if 0 < k < len(cell) else ""))
                    rows.append(tables.Row(f"{ROLE_NAMES[role]}, {market}",
                                           cells + [tables.fmt_number(100 * share, 0) if np.isfinite(share)
                                                    else tables.MISSING]))
                    data.append({"news": news, "role": role, "market": market, "n": len(cell),
                                 **{f"mean_car{w}": means[w] for w in windows},
                                 **{f"n{w}": len(pooled[w]) for w in windows}, "day0_share": share,
                                 "listings": ", ".join(f"{r.ticker} ({r.event_id})" for r in cell.itertuples())})
        notes = ["Means over listing-events of the main study of each episode (market model, estimation over "
                 "relative days [−250, −11], each listing on its own exchange's sessions). Day-0 share: the "
                 "mean CAR over [0,0] as a percentage of the mean CAR over [0,5], shown when both have the same "
                 "sign and the latter is at least two percentage points, over the listing-events pooled in "
                 "[0,5]; above 100 the [0,5] CAR is smaller than the day-0 one.",
                 "A listing-event whose window overlaps, in calendar days, the same window of another event of the "
                 "same firm is left out of that window's mean (the number pooled is then in parentheses; a dash: "
                 "none left); the listing table marks it.",
                 "Listing-events of one episode share dates, so the means are not independent observations; "
                 "the episode notebooks test them with cross-correlation-robust statistics."]
        return tables.ResultTable(["N", *[f"CAR {w} (%)".replace("-", tables.MINUS) for w in windows],
                                   "day-0 share (%)"],
                                  rows, caption="Mean cumulative abnormal returns by role and market, all episodes",
                                  label="overview", notes=notes, data=pd.DataFrame(data),
                                  references=("mackinlay1997", "kolari_pynnonen2010"))

    def listing_table(self) -> tables.ResultTable:
        """Every listing-event of every episode with its CARs (%), the rows the means pool."""
        cars = self.cars
        windows = (PRE_WINDOW, *WINDOWS)

        def shown(w):
            return [tables.fmt_pct(v) + ("\u2020" if o else "") for v, o in zip(cars[w], cars[f"overlaps {w}"])]

        frame = pd.DataFrame({"episode": cars["episode"], "listing": cars["name"],
                              "event": cars["event_id"], "role": cars["role"].str.replace("_", " "),
                              "market": cars["market"],
                              **{f"CAR {w} (%)".replace("-", tables.MINUS): shown(w) for w in windows}})
        return tables.frame_table(frame, caption="Cumulative abnormal returns of every listing-event (%)",
                                  label="listings", stub="listing", group="episode",
                                  align=["l", "l", "l", "r", "r", "r", "r"], data=cars,
                                  notes=["Market model; CARs in percent over relative trading days. \u2020: the "
                                         "window overlaps the same window of another event of the same firm; the "
                                         "CAR holds both reactions and is left out of the means."])

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

    @cached_property
    def catalogue_events(self):
        """The loaded catalogue (read once for the pooled studies and their table)."""
        from research.events.catalogue import load_catalogue

        return load_catalogue(self.catalogue)

    @cached_property
    def pooled(self) -> dict:
        """Every programme's pooled study (:func:`research.study.pooled.pooled_study`) over the
        whole catalogue, adverse news only (the ``favourable`` events and removals left out), for
        the programmes with at least one priced event."""
        from research.errors import ResearchError
        from research.events.catalogue import PROGRAMMES
        from research.events.reaction import PriceBook
        from research.study.pooled import pooled_study

        catalogue, book, out = self.catalogue_events, PriceBook(), {}
        for programme in PROGRAMMES:
            if not any(e.programme == programme for e in catalogue.values()):
                continue
            try:
                out[programme] = pooled_study(programme, catalogue=catalogue, book=book,
                                              exclude=sorted(self.favourable & set(catalogue)),
                                              windows=[tuple(int(x) for x in w.strip("[]").split(",")) for w in WINDOWS])
            except ResearchError:
                continue   # no priced event (or only favourable ones): named in programme_table's note
        return out

    def programme_table(self) -> tables.ResultTable:
        """CAAR per programme over every priced event of the catalogue, with the p-values of two
        tests that allow for listings sharing an event date (the Kolari-Pynnönen adjusted BMP t and
        the generalised rank test on SCARs), per window of :data:`WINDOWS`."""
        from research.events.catalogue import PROGRAMMES
        from research.study.pooled import programme_table

        tests = ("bmp_kp", "grank_scar")
        found = programme_table(self.pooled, tests=tests)
        catalogue = self.catalogue_events
        rows, columns = [], ["events", "N"]
        for w in WINDOWS:
            columns += [f"CAAR {w} (%)", f"p {w} BMP-KP", f"p {w} GRANK"]
        for programme, results in self.pooled.items():
            part = found[found["programme"] == programme].set_index("window")
            pooled = results.provenance["pooled"]
            cells = [f"{len(pooled['events'])} of {len(pooled['events']) + len(pooled['unpriced'])}",
                     str(int(part["n"].iloc[0]))]
            for w in WINDOWS:
                cells += [tables.fmt_pct(part.loc[w, "caar"]), tables.fmt_p(part.loc[w, "bmp_kp_p"]),
                          tables.fmt_p(part.loc[w, "grank_scar_p"])]
            rows.append(tables.Row(PROGRAMME_NAMES.get(programme, programme), cells))
        adverse = [e for e in catalogue.values() if e.id not in self.favourable and e.instrument != "removal"]
        missing = [PROGRAMME_NAMES.get(p, p) for p in PROGRAMMES
                   if p not in self.pooled and any(e.programme == p for e in adverse)]
        notes = ["Every event of the catalogue with a priced listing, pooled by programme: one panel per programme "
                 "keyed by (event, listing), so a firm named by two events is two listing-events. Events: those "
                 "studied of the programme's adverse events in the catalogue (the others have no prices in the store). Market model, "
                 "estimation over relative days [−250, −11]; CAAR is the mean CAR; p: two-sided p-values of the "
                 "BMP t with the Kolari-Pynnönen (2010) adjustment and of the generalised rank test on SCARs "
                 "(Kolari and Pynnönen 2011), which allow for the listings of an event sharing its date.",
                 "Favourable news (" + ", ".join(sorted(self.favourable)) + ") and removals from a list are left "
                 "out; a listing-event whose window holds another event naming the same firm is kept and counted "
                 "once per event."]
        if missing:
            notes.append("Programmes without a priced adverse event: " + ", ".join(missing) + ".")
        return tables.ResultTable(columns, rows, caption="Pooled abnormal returns by designation programme",
                                  label="programmes", notes=notes, data=found,
                                  references=("mackinlay1997", "bmp1991", "kolari_pynnonen2010",
                                              "kolari_pynnonen2011"))

    def provenance_table(self) -> tables.ResultTable:
        """The price series every episode read (store manifest)."""

        tickers = list(dict.fromkeys(t for ep in self.episodes.values() for t in ep.tickers()))
        return tables.provenance_table(tickers)


def _span(dates: pd.Series, event_id: str, ticker: str, window: str) -> tuple | None:
    """(first, last) calendar date of ``window`` (``"[a,b]"``) for a listing-event, from its
    abnormal returns' dates; None where the window has no date."""
    a, b = (int(x) for x in window.strip("[]").split(","))
    try:
        part = dates.loc[(event_id, ticker)]
    except KeyError:
        return None
    inside = part[(part.index >= a) & (part.index <= b)].dropna()
    return (inside.min(), inside.max()) if len(inside) else None


def _overlap(one, other) -> bool:
    return one is not None and other is not None and one[0] <= other[1] and other[0] <= one[1]
