"""Before day 0: the abnormal returns of the five sessions before each event, their CAR, the
price-limit hits and the tests that hold their size under a shared date, for an
:class:`~research.report.episode.Episode` (its ``pre_event_*`` methods). A move here is a leak,
other news, or a mis-dated event; the tables say so and explain nothing away."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from research.report import tables
from research.report.text import p_text
from research.study.windows import window_label

#: The pre-event window: a move here is a leak, other news, or a mis-dated event.
PRE_EVENT = (-5, -1)
#: The level beyond which a pre-event abnormal return (or CAR) is reported as a move.
PRE_EVENT_LEVEL = 0.01
#: Tests that measure the variance of the sample's mean over time or adjust for the correlation of
#: listings that share their event date (the validation notebook's clustered design, Kolari and
#: Pynnönen 2010): the adjusted Patell and BMP tests, Brown and Warner's crude dependence
#: adjustment, the Corrado rank test, the generalised rank test on the SCARs and the
#: Corrado-Zivney sign test. Which of them is well-sized depends on the number of listings.
SHARED_DATE_TESTS = ("patell_kp", "bmp_kp", "brown_warner_1985", "corrado", "grank_scar", "corrado_sign")


def listing_moves(ep) -> pd.DataFrame:
    """Every listing-event's abnormal returns over :data:`PRE_EVENT`, with their tests and the
    price-limit hits of those days.

    Returns
    -------
    DataFrame
        One row per listing-event and relative day (``relative_day`` NaN for the CAR row):
        ``event_id, ticker, relative_day, date, abnormal_return, t_stat, p_value, limit_hit``
        (the raw return where the day closed at the limit, else NaN).
    """
    from research.events.reaction import limit_hits

    res = ep.study
    lo, hi = PRE_EVENT
    dof = res.params.set_index(["event_id", "ticker"])["dof"]
    ar = res.ar[res.ar["relative_day"].between(lo, hi)]
    cars = res.listing_tests([PRE_EVENT]).set_index(["event_id", "ticker"])
    rows = []
    for e in ep.events:
        for a in ep.alignments[e.id]:
            if (e.id, a.ticker) not in cars.index:
                continue
            one = ar[(ar["event_id"] == e.id) & (ar["ticker"] == a.ticker)].set_index("relative_day")
            sec = ep.registry.get_security(a.ticker)
            returns = ep.book.returns(a.ticker)
            hits = {}
            if returns is not None and a.first_traded_day is not None:
                hits = {h.relative_day: h.ret for h in limit_hits(returns, a.first_traded_day, sec.price_limit,
                                                                lo, hi).hits}
            for d in range(lo, hi + 1):
                if d not in one.index:
                    continue
                r = one.loc[d]
                t, p = tables.ar_test(r["abnormal_return"], r["variance"], dof.loc[(e.id, a.ticker)])
                rows.append({"event_id": e.id, "ticker": a.ticker, "relative_day": d, "date": r["date"],
                             "abnormal_return": r["abnormal_return"], "t_stat": t, "p_value": p,
                             "limit_hit": hits.get(d, np.nan)})
            c = cars.loc[(e.id, a.ticker)]
            rows.append({"event_id": e.id, "ticker": a.ticker, "relative_day": np.nan, "date": pd.NaT,
                         "abnormal_return": c["car"], "t_stat": c["t_stat"], "p_value": c["p_value"],
                         "limit_hit": np.nan})
    return pd.DataFrame(rows, columns=["event_id", "ticker", "relative_day", "date", "abnormal_return",
                                       "t_stat", "p_value", "limit_hit"])


def table(ep) -> tables.ResultTable:
    """Abnormal returns of the five sessions before day 0 and their CAR, per listing (%), with
    the price-limit hits of those days: a move here is a leak, other news or a mis-dated event."""
    moves = listing_moves(ep)
    lo, hi = PRE_EVENT
    days = list(range(lo, hi + 1))
    window = window_label(PRE_EVENT)
    columns = [f"CAR {window}"] + [f"day {tables.fmt_number(d, 0)}" for d in days] + ["limit hits"]
    rows = []
    for e in ep.events:
        part = moves[moves["event_id"] == e.id]
        if part.empty:
            continue
        if len(ep.events) > 1:
            rows.append(tables.Row(e.id, kind="group"))
        for ticker in dict.fromkeys(part["ticker"]):
            one = part[part["ticker"] == ticker]
            car = one[one["relative_day"].isna()].iloc[0]
            by_day = one.dropna(subset=["relative_day"]).set_index("relative_day")
            cells = [tables.fmt_pct(car["abnormal_return"]) + tables.stars(car["p_value"])]
            stats = [tables.fmt_stat(car["t_stat"])]
            for d in days:
                if d in by_day.index:
                    r = by_day.loc[d]
                    cells.append(tables.fmt_pct(r["abnormal_return"]) + tables.stars(r["p_value"]))
                    stats.append(tables.fmt_stat(r["t_stat"]))
                else:
                    cells.append(tables.MISSING)
                    stats.append("")
            hit = by_day.dropna(subset=["limit_hit"])
            cells.append("; ".join(f"{tables.fmt_number(d, 0)}: {tables.fmt_pct(r)}"
                                   for d, r in hit["limit_hit"].items()) or "none")
            stats.append("")
            rows.append(tables.Row(ep.stub(ticker), cells))
            rows.append(tables.Row("", stats, kind="stat"))
    return tables.ResultTable(
        columns, rows, caption=f"Before day 0: abnormal returns over {window} (%)", label="pre-event",
        data=moves, align=["r"] * (len(columns) - 1) + ["l"], references=("mackinlay1997",),
        notes=[f"Abnormal returns of the five sessions before day 0 and their sum, {ep.model} model, in "
               "percent; in parentheses the prediction-error t-statistic (MacKinlay 1997). Limit hits: days "
               "of the window whose raw return reached the daily price limit (raw return shown).",
               tables.STARS_NOTE])


def tests_table(ep, tests: Sequence[str] = SHARED_DATE_TESTS) -> tables.ResultTable:
    """The mean CAR over :data:`PRE_EVENT` of each event's listings with the tests that hold
    their size under a shared date (:data:`SHARED_DATE_TESTS`); one listing: its own t-test."""

    res = ep.study
    window = window_label(PRE_EVENT)
    pooled = tables.pooled_tests(res, [PRE_EVENT], tests)
    singles = res.listing_tests([PRE_EVENT])
    rows, data = [], []
    for e in ep.events:
        part = singles[(singles["event_id"] == e.id)].dropna(subset=["car"])
        if part.empty:
            continue
        if len(part) == 1:
            r = part.iloc[0]
            found = [("Listing's own t-test (MacKinlay 1997)", r["car"], r["t_stat"], r["p_value"], 1)]
        else:
            group = pooled[(pooled["group"].astype(str) == e.id) & (pooled["window"] == window)]
            found = [(tables.TEST_NAMES.get(x, x), g["estimate"], g["statistic"], g["p_value"], int(g["n"]))
                     for x in tests for _, g in group[group["test"] == x].iterrows()]
        for name, est, stat, p, n in found:
            rows.append({"event": e.id, "test": name, "mean CAR (%)": tables.fmt_pct(est) + tables.stars(p),
                         "statistic": tables.fmt_number(stat), "p": tables.fmt_p(p), "N": str(n)})
            data.append({"event_id": e.id, "test": name, "window": window, "estimate": est, "statistic": stat,
                         "p_value": p, "n": n})
    frame = pd.DataFrame(rows, columns=["event", "test", "mean CAR (%)", "statistic", "p", "N"])
    return tables.frame_table(
        frame, caption=f"Before day 0: tests of the mean CAR over {window}", label="pre-event-tests",
        stub="test", group="event", align=["r", "r", "r", "r"], data=pd.DataFrame(data),
        references=tables.references_of_tests(tests),
        notes=["Tests built for listings that share their event date (the validation notebook's clustered "
               "design; which of them holds its size depends on the number of listings): mean CAR in percent, "
               "statistic and two-sided p-value. An event with one listing shows that listing's own t-test.",
               tables.STARS_NOTE])


def summary(ep, level: float = PRE_EVENT_LEVEL):
    """A paragraph naming every listing that moved before day 0: a day at its price limit, or
    an abnormal return (or the window's CAR) beyond the ``level`` significance level. Such a
    move is a leak, other news, or a mis-dated event; the paragraph says so and explains
    nothing away.

    Returns
    -------
    research.report.text.Markdown
    """
    from research.report.text import Markdown

    moves = listing_moves(ep)
    window = window_label(PRE_EVENT).replace("-", tables.MINUS)
    found = []
    for (event_id, ticker), one in moves.groupby(["event_id", "ticker"], sort=False):
        what = []
        for r in one.itertuples():
            if np.isfinite(r.limit_hit):
                what.append(f"closed at its daily limit on day {tables.fmt_number(r.relative_day, 0)} "
                            f"(raw return {tables.fmt_pct(r.limit_hit)} %)")
            if r.p_value < level:
                where = (f"its CAR over {window} was" if not np.isfinite(r.relative_day)
                         else f"its abnormal return on day {tables.fmt_number(r.relative_day, 0)} was")
                what.append(f"{where} {tables.fmt_pct(r.abnormal_return)} % ({p_text(r.p_value)})")
        if what:
            event = f" before {event_id}" if len(ep.events) > 1 else ""
            found.append(f"{ep.names.get(ticker, ticker)}{event}: " + "; ".join(what))
    if not found:
        return Markdown(f"No listing closed at its daily price limit, and no abnormal return or CAR over "
                        f"{window} passed the {level:.0%} level, in the five sessions before day 0.")
    return Markdown(f"Before day 0 some listings had abnormal returns beyond the {level:.0%} level or closed "
                    f"at their price limit ({'; '.join(found)}). A move before day 0 is a leak, other news, or a "
                    "mis-dated event; these data cannot tell which.")
