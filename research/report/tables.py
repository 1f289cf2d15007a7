"""Result tables as a journal prints them, from the results objects: each builder returns a
:class:`~research.report.resulttable.ResultTable` (cells, caption, label, notes and the numbers
behind them; rendered as LaTeX, HTML and text).

Every table builder of the kit lives here and turns the kit's objects into tables:
:func:`car_table` (CARs per listing and window, pooled row), :func:`ar_table` (abnormal returns
per event day), :func:`tests_table` (pooled tests of the literature), :func:`frame_table` (any
DataFrame of text and numbers), :func:`pre_event_table` and :func:`pre_event_tests_table` (an
episode before day 0), :func:`size_table`, :func:`power_table` and :func:`settings_table` (a
size-and-power :class:`~research.study.simulation.Simulation`), :func:`provenance_table`.

Numbers are written by :mod:`research.report.format` (true minus sign, percent where the caption
says so), so a test can look for a table's number in the PDF.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.report.format import (MINUS, MISSING, STAR_LEVELS, STARS_NOTE, fmt_number, fmt_p,  # noqa: F401
                                    fmt_pct, fmt_stat, is_missing, parse_number, stars)
from research.report.references import TEST_NAMES, references_of_tests
from research.report.resulttable import ResultTable, Row, latex_escape  # noqa: F401  (re-exported)
from research.study import significance
from research.study.significance.registry import SHARED_DATE_TESTS, literature_name
from research.study.windows import window_label

if TYPE_CHECKING:
    from research.study.simulation import Simulation

#: Tests shown by default: parametric, cross-correlation robust, and non-parametric (with the
#: forms the validation notebook finds closest to their size when listings share a date).
DEFAULT_TESTS = ("csect_t", "patell", "bmp", "patell_kp", "bmp_kp", "brown_warner_1985", "corrado", "grank",
                 "grank_scar", "gsign", "corrado_sign")


# --------------------------------------------------------------------------------------------
# builders from the results object
# --------------------------------------------------------------------------------------------

def listing_label(ticker: str, registry=None) -> str:
    """``Hikvision (海康威视)`` for a ticker: the registry's short name and Chinese name."""
    if registry is None:
        from research.securities import load_registry
        registry = load_registry()
    sec = registry.get(ticker)
    if sec is None:
        return ticker
    return sec.label


def pooled_tests(results, windows, tests: Sequence[str], by: str | None = "event_id") -> pd.DataFrame:
    """The pooled tests ``tests`` of ``results`` over ``windows``, per ``by`` group and for all.

    Only the tests asked for are computed (the bootstrap, the slowest, only when named).
    """
    return results.tests_by(by or None, windows=windows, tests=tests)


def _window_list(results, windows) -> list[tuple[int, int]]:
    if windows is None:
        return list(results.windows)
    wanted = [(int(a), int(b)) for a, b in windows]
    missing = [w for w in wanted if w not in results.windows]
    if missing:
        raise ResearchError(f"window(s) {missing} are not among the results' windows {results.windows}")
    return wanted


def _stub(ticker: str, names: dict | None) -> str:
    if names and ticker in names:
        return names[ticker]
    return f"{listing_label(ticker)} ({ticker})"


def car_table(results, windows=None, *, label: str = "car", caption: str | None = None,
              pooled_test: str = "bmp_kp", names: dict[str, str] | None = None,
              events: dict[str, str] | None = None) -> ResultTable:
    """CARs per listing-event (rows) and window (columns), in percent, with t-statistics.

    Each listing-event shows its CAR with stars from the prediction-error t-test of
    MacKinlay (1997, eq. 13-14) and that t below in parentheses. When an event has more than
    one listing a pooled row follows: the mean CAR (CAAR) with ``pooled_test``'s statistic and
    stars (default the BMP test adjusted for cross-correlation, Kolari and Pynnönen 2010,
    since the listings of an event share its date).

    Parameters
    ----------
    results : :class:`research.study.EventStudyResults`.
    windows : windows to show (default all of the results').
    pooled_test : a test name of :mod:`research.study.significance`.
    names : ticker -> row label (default: registry name, Chinese name and ticker).
    events : event id -> heading for the groups (default the ids).
    """
    windows = _window_list(results, windows)
    labels = [window_label(w) for w in windows]
    car = results.car
    car = car[car["window"].isin(labels)]
    tests = pooled_tests(results, windows, [pooled_test])
    rows, records = [], []
    event_ids = list(dict.fromkeys(results.keys["event_id"]))
    for event_id in event_ids:
        if len(event_ids) > 1:
            rows.append(Row((events or {}).get(event_id, event_id), kind="group"))
        part = car[car["event_id"] == event_id]
        for ticker in dict.fromkeys(part["ticker"]):
            one = part[part["ticker"] == ticker].set_index("window")
            cells, stats = [], []
            for w in labels:
                r = one.loc[w]
                cells.append(fmt_pct(r["car"]) + stars(r["p_value"]))
                stats.append(fmt_stat(r["t_stat"]))
                records.append({"event_id": event_id, "ticker": ticker, "name": _stub(ticker, names),
                                "role": r["role"], "window": w, "car": r["car"], "t_stat": r["t_stat"],
                                "p_value": r["p_value"], "n_days": r["n_days"], "row": "listing"})
            rows.append(Row(_stub(ticker, names), cells))
            rows.append(Row("", stats, kind="stat"))
        group = tests[tests["group"].astype(str) == str(event_id)].set_index("window")
        n_listings = part["ticker"].nunique()
        if n_listings > 1 and len(group):
            cells, stats = [], []
            for w in labels:
                if w in group.index:
                    r = group.loc[w]
                    cells.append(fmt_pct(r["estimate"]) + stars(r["p_value"]))
                    stats.append(fmt_stat(r["statistic"]))
                    records.append({"event_id": event_id, "ticker": "", "name": "CAAR", "role": "",
                                    "window": w, "car": r["estimate"], "t_stat": r["statistic"],
                                    "p_value": r["p_value"], "n_days": np.nan, "row": f"pooled ({pooled_test})"})
                else:
                    cells.append(MISSING)
                    stats.append("")
            rows.append(Row(f"Mean (CAAR), N = {n_listings}", cells))
            rows.append(Row("", stats, kind="stat"))
    model = results.provenance["parameters"]["model"]
    est = results.provenance["parameters"]["estimation_days"]
    notes = [f"Cumulative abnormal returns in percent over windows of relative trading days (day 0: the "
             f"first session of the listing's exchange after the announcement), {model} model estimated "
             f"over relative days [{est[0]}, {est[1]}]."
             " In parentheses: the prediction-error t-statistic of each listing's CAR (MacKinlay 1997);"
             f" for the mean, the {TEST_NAMES.get(pooled_test, pooled_test)} statistic.",
             "Returns after suspensions are trade-to-trade (Maynes and Rumsey 1993).", STARS_NOTE]
    caption = caption or "Cumulative abnormal returns by listing and window (%)"
    return ResultTable(labels, rows, caption=caption, label=label, notes=notes, data=pd.DataFrame(records),
                       references=("mackinlay1997", "maynes_rumsey1993", *references_of_tests([pooled_test])))


def ar_test(abnormal_return: float, variance: float, dof: float) -> tuple[float, float]:
    """(t, two-sided p) of one abnormal return: the AR over its prediction-error standard
    deviation, Student t with the listing's residual degrees of freedom (MacKinlay 1997, eq. 8)."""
    from scipy import stats as st

    t = abnormal_return / math.sqrt(variance) if variance > 0 else math.nan
    p = 2 * st.t.sf(abs(t), dof) if math.isfinite(t) else math.nan
    return t, p


def ar_table(results, days: Sequence[int] = (-1, 0, 1, 2, 3), *, label: str = "ar", caption: str | None = None,
             names: dict[str, str] | None = None, events: dict[str, str] | None = None) -> ResultTable:
    """Abnormal returns per listing-event (rows) and relative day (columns), in percent.

    Stars and the t-statistic in parentheses come from each AR's prediction-error variance
    (MacKinlay 1997, eq. 8) with the listing's residual degrees of freedom (:func:`ar_test`).
    """
    ar = results.ar
    dof = results.params.set_index(["event_id", "ticker"])["dof"]
    days = [int(d) for d in days]
    rows, records = [], []
    event_ids = list(dict.fromkeys(results.keys["event_id"]))
    for event_id in event_ids:
        if len(event_ids) > 1:
            rows.append(Row((events or {}).get(event_id, event_id), kind="group"))
        part = ar[(ar["event_id"] == event_id) & ar["relative_day"].isin(days)]
        for ticker in dict.fromkeys(part["ticker"]):
            one = part[part["ticker"] == ticker].set_index("relative_day")
            cells, stats = [], []
            for d in days:
                if d not in one.index:
                    cells.append(MISSING)
                    stats.append("")
                    continue
                r = one.loc[d]
                t, p = ar_test(r["abnormal_return"], r["variance"], dof.loc[(event_id, ticker)])
                cells.append(fmt_pct(r["abnormal_return"]) + stars(p))
                stats.append(fmt_stat(t))
                records.append({"event_id": event_id, "ticker": ticker, "name": _stub(ticker, names),
                                "relative_day": d, "date": r["date"], "return": r["return"],
                                "expected_return": r["expected_return"], "abnormal_return": r["abnormal_return"],
                                "span": r["span"], "t_stat": t, "p_value": p})
            rows.append(Row(_stub(ticker, names), cells))
            rows.append(Row("", stats, kind="stat"))
    model = results.provenance["parameters"]["model"]
    notes = [f"Abnormal returns in percent on relative trading days, {model} model. In parentheses: "
             "AR divided by its prediction-error standard deviation (MacKinlay 1997).",
             "A return after a suspension spans every session since the last trade.", STARS_NOTE]
    return ResultTable([f"day {fmt_number(d, 0) if d < 0 else d}" for d in days], rows,
                       caption=caption or "Abnormal returns around day 0 (%)", label=label, notes=notes,
                       data=pd.DataFrame(records), references=("mackinlay1997",))


def tests_table(results, windows=None, tests: Sequence[str] = DEFAULT_TESTS, *, by: str | None = "event_id",
                label: str = "tests", caption: str | None = None, events: dict[str, str] | None = None,
                adjust: Sequence[str] = (), notes: Sequence[str] | None = None,
                frame: pd.DataFrame | None = None) -> ResultTable:
    """Pooled tests of the mean CAR: one row per test (per group), one column per window.

    Each cell is the statistic with stars from its two-sided p-value, the p-value under it in
    parentheses. With ``by="event_id"`` (default) each event is its own sample, as pooling
    news of opposite signs would mislead; ``by=None`` pools everything. ``adjust`` names
    adjustments of :data:`research.study.significance.ADJUSTMENTS` (``holm``, ``fdr_bh``): their
    p-values follow the p-value in brackets, the family being every window and test of the group.
    ``notes`` replace the notes (the adjustment's note is added to them). ``frame``: the tests'
    rows when the caller computed them (the joint tests, fitted per event).
    """
    windows = _window_list(results, windows)
    labels = [window_label(w) for w in windows]
    frame = pooled_tests(results, windows, tests, by=by) if frame is None else frame
    frame = significance.adjust_pvalues(frame, adjust)
    groups = list(dict.fromkeys(frame["group"].astype(str)))
    if by and len(groups) > 2:
        groups = [g for g in groups if g != "all"]
    elif by:
        groups = [g for g in groups if g != "all"] or groups
    rows, records = [], []
    for group in groups:
        part = frame[frame["group"].astype(str) == group]
        if len(groups) > 1 or by:
            n = int(part["n"].max()) if len(part) else 0
            rows.append(Row(f"{(events or {}).get(group, group)} (N = {n})", kind="group"))
        for test in tests:
            one = part[part["test"] == test].set_index("window")
            if one.empty:
                continue
            cells, ps = [], []
            for w in labels:
                if w not in one.index:
                    cells.append(MISSING)
                    ps.append("")
                    continue
                r = one.loc[w]
                cells.append(fmt_number(r["statistic"]) + stars(r["p_value"]))
                adjusted = "; ".join(fmt_p(r[f"p_{m}"]) for m in adjust)
                ps.append(f"({fmt_p(r['p_value'])})" + (f" [{adjusted}]" if adjust else ""))
                records.append({"group": group, "test": test, "window": w, "statistic": r["statistic"],
                                "p_value": r["p_value"], "n": r["n"], "estimate": r["estimate"],
                                "rbar": r["rbar"], "null": r["null"], **{f"p_{m}": r[f"p_{m}"] for m in adjust}})
            rows.append(Row(TEST_NAMES.get(test, test), cells))
            rows.append(Row("", ps, kind="stat"))
    notes = list(notes) if notes is not None else [
        "Test statistics of the mean CAR over each window, two-sided p-values in parentheses.",
        "The Kolari-Pynnönen (2010) adjustment and the Brown-Warner (1985) crude dependence adjustment allow for the "
        "cross-correlation of abnormal returns of listings that share an event date; the rank and sign tests do not "
        "assume normality.", STARS_NOTE]
    if adjust:
        notes.append(f"In brackets, {' and '.join(significance.ADJUSTMENTS[m] for m in adjust)} adjusted p-values "
                     f"(in that order), adjusted over the family of the {len(labels)} windows x {len(tests)} tests "
                     f"of each group.")
    return ResultTable(labels, rows, caption=caption or "Pooled tests of the mean cumulative abnormal return",
                       label=label, notes=notes, data=pd.DataFrame(records),
                       references=references_of_tests(tests) + tuple(significance.ADJUSTMENT_REFERENCES[m]
                                                                     for m in adjust))


def joint_tests_table(results, windows=None, *, events: dict[str, str] | None = None,
                      label: str = "joint-tests") -> ResultTable:
    """The event portfolio's placebo test and the SUR tests per event (:func:`tests_table` of
    :data:`research.study.significance.JOINT_TESTS`), for a few listings sharing one date."""
    from research.study.significance import JOINT_TESTS
    n_boot = results.test_options.get("n_boot") or 2000     # run_tests' default
    notes = ["Portfolio placebo: the CAR of the equally weighted portfolio, each day's return divided by a "
             "volatility forecast from the days before (RiskMetrics' EWMA, lambda 0.94), the row's number that sum "
             "over the square root of the window's length, ranked among the same sums over every window of that "
             "length in the estimation window after its first 20 days (Gelbach, Helland and Klick 2013), itself "
             "counted among them for an exact p-value (Phipson and Smyth 2010), resolution about 1/220. "
             "SUR: Wald statistics with a dummy per event day (Binder 1985), from linearmodels' SUR fit, that every "
             f"listing's CAR, or their mean, is zero, read from the chi-square and from {n_boot:,} residual-vector "
             "draws (Hein and Westfall 2004). All keep the listings' cross-correlation in their null distribution.",
             STARS_NOTE]
    frame = results.joint_tests(_window_list(results, windows), n_boot=n_boot)     # the SUR from linearmodels
    return tests_table(results, windows, JOINT_TESTS, label=label, events=events, notes=notes, frame=frame,
                       caption="Joint tests for the listings sharing each event's date")


def frame_table(frame: pd.DataFrame, *, caption: str, label: str, notes: Sequence[str] = (), stub: str | None = None,
                formats: dict | None = None, align=None, references: Sequence[str] = (),
                data: pd.DataFrame | None = None, group: str | None = None) -> ResultTable:
    """A :class:`ResultTable` from a DataFrame: the first column (or ``stub``) labels the rows.

    Parameters
    ----------
    formats : column -> callable(value) -> str; default: :func:`fmt_number` for floats,
        ``str`` otherwise, missing values as an em dash.
    align : LaTeX column types after the stub (default: ``r`` for numbers, ``l`` for text).
    data : the numbers for the CSV (default ``frame`` itself).
    group : a column whose values head groups of rows (shown as a heading, not as a column).
    """
    formats = formats or {}
    stub_col = stub if stub is not None else frame.columns[0]
    columns = [c for c in frame.columns if c not in (stub_col, group)]
    rows = []
    current = object()
    for _, rec in frame.iterrows():
        if group is not None and rec[group] != current:
            current = rec[group]
            rows.append(Row(str(current), kind="group"))
        cells = []
        for c in columns:
            value = rec[c]
            if c in formats:
                cells.append(formats[c](value))
            elif is_missing(value) or (not isinstance(value, str) and pd.isna(value)):
                cells.append(MISSING)
            elif isinstance(value, (float, np.floating)):
                cells.append(fmt_number(value))
            else:
                cells.append(str(value))
        rows.append(Row(str(rec[stub_col]), cells))
    if align is None:
        align = ["r" if pd.api.types.is_numeric_dtype(frame[c]) else "l" for c in columns]
    return ResultTable(columns, rows, caption=caption, label=label, notes=notes, stub=str(stub_col),
                       align=align, references=references, data=frame if data is None else data)


def provenance_table(tickers: Sequence[str]) -> ResultTable:
    """The store manifest's record of each ticker: source file, retrieval time, rows, hashes."""
    from research.prices import PriceStore
    from research.prices.snapshot import named_source, snapshot_index

    store = PriceStore()
    manifest = store.manifest()
    snapshot = snapshot_index()
    rows, data = [], []
    for t in tickers:
        entry = manifest.get(t)
        if entry is None:
            rows.append({"series": t, "source": "not in the store", "retrieved (UTC)": "", "coverage": "",
                         "rows": "", "sha256 (stored)": ""})
            continue
        source, named = named_source(t, entry, snapshot)
        rows.append({"series": t, "source": source, "retrieved (UTC)": entry.get("retrieved_utc", ""),
                     "coverage": f"{entry.get('first_date')} to {entry.get('last_date')}",
                     "rows": str(entry.get("rows", "")), "sha256 (stored)": entry.get("sha256", "")[:16]})
        data.append({"ticker": t, **{k: v for k, v in entry.items() if not isinstance(v, (list, dict))},
                     **named, "notes": "; ".join(entry.get("notes") or [])})
    frame = pd.DataFrame(rows)
    return frame_table(frame, caption="Data provenance: the price series and their hashes", label="provenance",
                              align=["p{4.6cm}", "l", "l", "r", "l"], data=pd.DataFrame(data) if data else frame,
                              notes=["From the manifest of the price store. Hashes are the first 16 hex "
                                     "digits of the sha256 (full values in the table's CSV); the source hash is that "
                                     "of the imported file."])


# --------------------------------------------------------------------------------------------
# before day 0 (an Episode's pre_event_* methods)
# --------------------------------------------------------------------------------------------

#: The pre-event window: a move here is a leak, other news, or a mis-dated event.
PRE_EVENT = (-5, -1)


def pre_event_table(ep) -> ResultTable:
    """Abnormal returns of the five sessions before day 0 and their CAR, per listing (%), with
    the price-limit hits of those days: a move here is a leak, other news or a mis-dated event."""
    moves = ep.pre_event_moves()
    lo, hi = PRE_EVENT
    days = list(range(lo, hi + 1))
    window = window_label(PRE_EVENT)
    columns = [f"CAR {window}"] + [f"day {fmt_number(d, 0)}" for d in days] + ["limit hits"]
    rows = []
    for e in ep.events:
        part = moves[moves["event_id"] == e.id]
        if part.empty:
            continue
        if len(ep.events) > 1:
            rows.append(Row(e.id, kind="group"))
        for ticker in dict.fromkeys(part["ticker"]):
            one = part[part["ticker"] == ticker]
            car = one[one["relative_day"].isna()].iloc[0]
            by_day = one.dropna(subset=["relative_day"]).set_index("relative_day")
            cells = [fmt_pct(car["abnormal_return"]) + stars(car["p_value"])]
            stats = [fmt_stat(car["t_stat"])]
            for d in days:
                if d in by_day.index:
                    r = by_day.loc[d]
                    cells.append(fmt_pct(r["abnormal_return"]) + stars(r["p_value"]))
                    stats.append(fmt_stat(r["t_stat"]))
                else:
                    cells.append(MISSING)
                    stats.append("")
            hit = by_day.dropna(subset=["limit_hit"])
            cells.append("; ".join(f"{fmt_number(d, 0)}: {fmt_pct(r)}"
                                   for d, r in hit["limit_hit"].items()) or "none")
            stats.append("")
            rows.append(Row(ep.stub(ticker), cells))
            rows.append(Row("", stats, kind="stat"))
    return ResultTable(
        columns, rows, caption=f"Before day 0: abnormal returns over {window} (%)", label="pre-event",
        data=moves, align=["r"] * (len(columns) - 1) + ["l"], references=("mackinlay1997",),
        notes=[f"Abnormal returns of the five sessions before day 0 and their sum, {ep.model} model, in "
               "percent; in parentheses the prediction-error t-statistic (MacKinlay 1997). Limit hits: days "
               "of the window whose raw return reached the daily price limit (raw return shown).",
               STARS_NOTE])


def pre_event_tests_table(ep, tests: Sequence[str] = SHARED_DATE_TESTS) -> ResultTable:
    """The mean CAR over :data:`PRE_EVENT` of each event's listings with the tests that hold
    their size under a shared date (:data:`SHARED_DATE_TESTS`); one listing: its own t-test."""
    res = ep.study
    window = window_label(PRE_EVENT)
    pooled = pooled_tests(res, [PRE_EVENT], tests)
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
            found = [(TEST_NAMES.get(x, x), g["estimate"], g["statistic"], g["p_value"], int(g["n"]))
                     for x in tests for _, g in group[group["test"] == x].iterrows()]
        for name, est, stat, p, n in found:
            rows.append({"event": e.id, "test": name, "mean CAR (%)": fmt_pct(est) + stars(p),
                         "statistic": fmt_number(stat), "p": fmt_p(p), "N": str(n)})
            data.append({"event_id": e.id, "test": name, "window": window, "estimate": est, "statistic": stat,
                         "p_value": p, "n": n})
    frame = pd.DataFrame(rows, columns=["event", "test", "mean CAR (%)", "statistic", "p", "N"])
    return frame_table(
        frame, caption=f"Before day 0: tests of the mean CAR over {window}", label="pre-event-tests",
        stub="test", group="event", align=["r", "r", "r", "r"], data=pd.DataFrame(data),
        references=references_of_tests(tests),
        notes=["Tests built for listings that share their event date (the validation notebook's clustered "
               "design; which of them holds its size depends on the number of listings): mean CAR in percent, "
               "statistic and two-sided p-value. An event with one listing shows that listing's own t-test.",
               STARS_NOTE])


# --------------------------------------------------------------------------------------------
# size and power (a Simulation of research.study.simulation)
# --------------------------------------------------------------------------------------------

def _rate_cell(rate, low, high) -> str:
    return f"{fmt_pct(rate)} [{fmt_pct(low)}, {fmt_pct(high)}]"


def size_table(sim: Simulation, window: str = "[0,0]", *, label: str = "size", columns=None):
    """Rejection rates with nothing injected (k = 0), per test, in percent with Wilson 95 %
    intervals, for the (design, n) pairs ``columns`` (default those of
    :func:`research.study.simulation.size_columns`).
    A ``ResultTable``."""
    from research.study.simulation import size_columns, tests_in_order

    t = sim.table[(sim.table["k"] == 0) & (sim.table["window"] == window)]
    cols = size_columns(sim) if columns is None else [(str(d), int(n)) for d, n in columns]
    for design, n in cols:
        if not ((t["design"] == design) & (t["n"] == n)).any():
            raise ResearchError(f"the simulation has no {design} samples of {n} listings in window {window}")
    tests = tests_in_order(t["test"])
    frame = pd.DataFrame({"Test": [literature_name(x) for x in tests]})
    data = []
    for design, n in cols:
        part = t[(t["design"] == design) & (t["n"] == n)].set_index("test").reindex(tests)
        frame[f"{design.capitalize()} dates, {n} listings"] = [
            _rate_cell(r, lo, hi) for r, lo, hi in zip(part["rate"], part["ci_low"], part["ci_high"])]
        data.append(part.reset_index())
    s = sim.settings
    universe = {d: len(u) for d, u in s["universe"].items()}
    notes = [f"Share of {s['n_samples']:,} samples in which the test rejects a zero mean CAR over {window} "
             f"at {s['alpha']:.0%} (two-sided) when no abnormal return was added, in percent; brackets: "
             f"Wilson (1927) 95% interval. A correctly sized test rejects 5%.",
             "Independent: each listing with its own pseudo event date, drawn from "
             f"{universe.get('independent', 0)} listings; clustered: one date for the whole sample, "
             f"drawn from the {universe.get('clustered', 0)} mainland listings (Kolari and Pynnönen 2010).",
             f"{s['model']} model, estimation window {s['estimation']}, seed {s['seed']}."]
    return frame_table(frame, caption=f"Size: rejection rates without an event, window {window}", label=label,
                       notes=notes,
                       references=("brown_warner1985", "kolari_pynnonen2010", *references_of_tests(tests)),
                       data=pd.concat(data, ignore_index=True))


def power_table(sim: Simulation, k: float = 0.01, window: str = "[0,0]", *, sizes=None,
                label: str = "power"):
    """Rejection rates with ``k`` added on day 0, per design (row groups), test (rows) and
    sample size (columns), in percent. A ``ResultTable``."""
    from research.study.simulation import DESIGNS, tests_in_order

    t = sim.table[np.isclose(sim.table["k"], k) & (sim.table["window"] == window)]
    if t.empty:
        raise ResearchError(f"the simulation has no k = {k:g} in window {window}")
    sizes = sorted(set(t["n"])) if sizes is None else [int(n) for n in sizes]
    tests = tests_in_order(t["test"])
    rows = []
    for design in [d for d in DESIGNS if d in set(t["design"])]:
        part = t[t["design"] == design].pivot(index="test", columns="n", values="rate").reindex(tests)
        for test in tests:
            row = {"design": f"{design.capitalize()} dates", "Test": literature_name(test)}
            for n in sizes:
                row[f"n = {n}"] = part.loc[test, n] if n in part.columns else np.nan
            rows.append(row)
    frame = pd.DataFrame(rows)
    formats = {f"n = {n}": fmt_pct for n in sizes}
    s = sim.settings
    notes = [f"Share of {s['n_samples']:,} samples of n listings in which the test rejects a zero mean CAR over "
             f"{window} at {s['alpha']:.0%} (two-sided) when {k:.1%} is added to every listing's day-0 "
             f"return, in percent. A dash: no sample of that size in that design (a clustered sample "
             f"cannot hold more listings than the mainland has)."]
    return frame_table(frame, caption=f"Power against an abnormal return of {k:.1%} on day 0, window {window}",
                       label=label, notes=notes, stub="Test", group="design", formats=formats,
                       references=references_of_tests(tests), data=t.reset_index(drop=True))


def settings_table(sim: Simulation, *, label: str = "settings"):
    """The simulation's settings and timings, for the record. A ``ResultTable``."""
    s = sim.settings
    rows = [("samples per design and size", f"{s['n_samples']:,}"),
            ("sample sizes", ", ".join(map(str, s["sizes"]))),
            ("abnormal returns added on day 0", ", ".join(f"{k:.1%}" for k in s["ks"])),
            ("CAR windows", ", ".join(map(window_label, s["windows"]))),
            ("event window / estimation window", f"{s['event_window']} / {s['estimation']}"),
            ("pseudo day 0s drawn from", " to ".join(s["period"]) if s.get("period") else "each listing's whole history"),
            ("model", s["model"]),
            ("tests", ", ".join(s["tests"])),
            *[(f"{d} universe", ", ".join(u)) for d, u in s["universe"].items()],
            ("without prices (not drawn)", ", ".join(s["without_prices"]) or "none"),
            ("pseudo dates avoid catalogue events",
             f"yes ({s['catalogue_dates']} announcement dates)" if s["avoid_catalogue"] else "no"),
            ("sizes not drawn", "; ".join(f"{x['design']} {x['n']}: {x['reason']}" for x in s["skipped"]) or "none"),
            ("listing-events studied (excluded)", f"{s['listing_events']:,} ({s['excluded']})"),
            ("seed", str(s["seed"])),
            ("interval", s["interval"]),
            ("seconds: draw, event study, tests",
             ", ".join(f"{sim.seconds[x]:.0f}" for x in ("draw", "event_study", "tests")))]
    frame = pd.DataFrame(rows, columns=["Setting", "Value"])
    return frame_table(frame, caption="Simulation settings", label=label, align=["p{10cm}"])
