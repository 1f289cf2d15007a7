"""The event-study entry point: returns in, :class:`EventStudyResults` out.

:func:`event_study` needs nothing but the researcher's own data: a frame of returns (dates x
securities), the benchmark return(s) and the events. It aligns every listing-event on its own
trading days (see :mod:`research.study.abnormal`), fits the expected-return model on each
estimation window (:mod:`research.study.models`), and fills the
:class:`~research.study.panel.AbnormalReturnPanel` that every test reads.

The hot path is vectorised: listing-events are processed in blocks with index arrays and
batched least squares; only the GARCH model loops over listing-events.
"""

from __future__ import annotations

import os
import platform
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.study.abnormal import build_observations, gather_window, reach_rows, window_returns
from research.study.inputs import (as_events, as_frame, as_market, check_benchmark_zones, check_finite,
                                   check_own_benchmark, check_reach,
                                   check_returns, check_seed, common_windows, estimation_ranges, is_days, is_int, window_spec)
from research.study.models import MODELS, FactorModel, get_model
from research.study.panel import AbnormalReturnPanel
from research.study.significance.registry import CONVENTIONS
from research.study.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS, window_label

#: The bootstrap's seed in the kit's runs and notebooks (``research run --seed``), so that their
#: intervals can be reproduced.
DEFAULT_SEED = 20240501
#: Fewest valid estimation-window returns a listing-event needs (Brown and Warner 1985 use
#: windows of 239 days; 100 is a common floor for thinly traded listings).
DEFAULT_MIN_ESTIMATION = 100
#: The same under ``convention="estudy2"``: estudy2 has no floor (a model still needs k + 1 returns).
ESTUDY2_MIN_ESTIMATION = 1
RETURN_KINDS = ("simple", "log")
#: cells (listing-events x window days) per block; bounds the temporary arrays' memory.
BLOCK_CELLS = 150_000
#: threads that fit blocks side by side (numpy releases the GIL in its loops); each block
#: writes only its own rows, so the numbers do not depend on the count or on scheduling.
THREADS = 2
#: the panel keeps the estimation regressors (``est_x``, N x L x k floats) when N x L is at most this
#: (about 1,000 listing-events of 250 days): a study of events, whose joint tests fit their SUR on
#: them, but not a wide one (the validation's simulation, the engine benchmark from 10,000
#: listing-events), whose time and memory stay as they were.
DESIGN_CELLS = 1 << 18
#: the panel is cut to the rows the windows reach when that keeps at most this share of its rows
#: (:func:`research.study.abnormal.reach_rows`; 0 never cuts, 1 always does: the results agree).
CUT_WORTH = 0.8


def event_study(
    returns: pd.DataFrame,
    market: pd.Series | pd.DataFrame,
    events: pd.DataFrame | Mapping,
    *,
    model="market",
    estimation=DEFAULT_ESTIMATION,
    windows=DEFAULT_WINDOWS,
    event_window=None,
    return_kind: str = "simple",
    min_estimation: int | None = None,
    factors: pd.DataFrame | None = None,
    convention: str = "textbook",
    tests: Sequence[str] | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
    data_hashes: Mapping[str, str] | None = None,
    exchanges: Mapping[str, str] | None = None,
):
    """Run an event study on the caller's returns.

    Parameters
    ----------
    returns : DataFrame, dates (DatetimeIndex) x securities; daily returns, NaN where a listing
        did not trade. A return after missing days is taken as trade-to-trade (it spans the
        sessions since the previous return), as :mod:`research.prices.returns` builds them.
        Returns must be finite and at most :data:`MAX_ABS_RETURN` in absolute value, simple
        returns above -1; a column whose median absolute value exceeds
        :data:`PRICE_LEVEL_MEDIAN` (0.2, where a daily return's is about 0.01) is taken for
        price levels and refused. The same holds for ``market``.
    market : Series (one benchmark for every listing) or DataFrame with a column per ticker
        (listings on different exchanges use different benchmarks), same kind of returns.
    events : DataFrame with columns ``event_id, ticker, day0`` and optionally ``role``, or a
        mapping ``ticker -> day0`` (event_id = day 0 as ``YYYY-MM-DD``). A (event_id, ticker)
        pair is one listing-event: a firm designated twice is two.
    model : a name in :data:`research.study.models.MODELS` (``constant_mean``,
        ``market_adjusted``, ``market``, ``scholes_williams``, ``dimson``, ``factor``,
        ``garch``) or a model instance, e.g. ``Dimson(lags=2, leads=2)`` or
        ``FactorModel(risk_free="RF")``.
    estimation : (start, end), inclusive; relative trading days (ints) or dates, which are
        mapped to each listing's own observations. Default (-250, -11).
    windows : CAR windows, each (start, end) in relative days or dates (a date window must map
        to the same relative days for every listing). Default :data:`DEFAULT_WINDOWS`.
    event_window : (start, end); default the hull of ``windows``.
    return_kind : "simple" or "log": how spans are compounded (product or sum) and how BHAR is
        formed.
    min_estimation : fewest valid estimation returns; a listing-event with fewer is excluded and
        :attr:`EventStudyResults.excluded` says why. Default :data:`DEFAULT_MIN_ESTIMATION` (100),
        under ``convention="estudy2"`` :data:`ESTUDY2_MIN_ESTIMATION` (none, as estudy2).
    factors : DataFrame of daily factor returns (dates x factors), for ``model="factor"``.
    convention : "textbook" (own-trading-day clock, trade-to-trade spans, MacKinlay variances)
        or "estudy2" (the R package's conventions: benchmark-session clock, no spans, and its
        test definitions in :mod:`research.study.significance`). Under "estudy2" the panel's
        ``est_market``/``evt_market`` hold the benchmark return on every benchmark session of
        the windows, also where the listing has no return (estudy2 takes the market moments of
        Patell and Lamb over the whole estimation window). Under "textbook" ``est_market`` is
        None (no textbook test reads it; it would cost N x L floats).
    tests, n_boot, seed : passed to :func:`research.study.significance.run_tests`. Without a
        seed one is drawn from the operating system and recorded in ``provenance``, so the
        bootstrap can be reproduced.
    data_hashes : mapping name -> hash of the input data, recorded in ``provenance``.
    exchanges : mapping ticker -> exchange (ISO 10383 MIC, e.g. ``XSHE``, ``XHKG``, ``XNAS``): with
        one benchmark Series, a ``UserWarning`` names the listings when they trade in different
        time zones (their days and the benchmark's close at different hours).

    Returns
    -------
    EventStudyResults

    Raises
    ------
    ResearchError
        For input the caller must fix, naming the ticker, event or field: an unknown ticker or
        model, non-numeric returns, returns that cannot be daily returns (above), a listing
        whose benchmark is its own return series, an event before the listing's first return,
        a benchmark (or factor) without variation in an estimation window, windows that overlap
        the estimation window or reach beyond the data for every listing-event, or every
        listing-event excluded (the reasons listed).

    Notes
    -----
    What the study did to the input is said in :attr:`EventStudyResults.notes`: a day 0
    without an observation of the listing moves to its next one (a weekend, a holiday, a
    suspension), and a listing whose observations stop inside the event window has CARs
    over its observed days.
    """
    from research.study.results import EventStudyResults

    est_model, seed, min_estimation = _check_options(model, return_kind, convention, min_estimation, factors, seed)
    data = _Data.of(returns, market, events, factors, est_model, return_kind,
                    _reach_days(estimation, windows, event_window, convention, est_model))
    check_benchmark_zones(market, data.tickers, exchanges)
    events, axis = data.events, data.axis
    obs = build_observations(data.R, data.M, data.bench_of, return_kind, convention, data.F, data.RF)
    sec = pd.Index(data.tickers).get_indexer(events["ticker"]).astype(np.int64)   # hashed, not a Python map
    day0 = pd.DatetimeIndex(events["day0"])
    pos0, placed, reasons = _place_events(obs, axis, sec, day0, events)
    w = _resolve_windows(windows, event_window, estimation, min_estimation, obs, axis, sec, pos0, placed, day0,
                         events)
    out = _fit(data, obs, est_model, convention, return_kind, min_estimation, w, sec, pos0, placed)
    keep, excluded = _exclusions(out, placed, reasons, events, est_model)
    a = out.compress(keep)
    panel, params = _panel_and_params(a, events[keep].reset_index(drop=True), w, axis, est_model)
    options = {"tests": list(tests) if tests is not None else None, "n_boot": n_boot, "seed": seed}
    provenance = _provenance(est_model, estimation, w, return_kind, min_estimation, convention, data, options,
                             len(events), int(keep.sum()), data_hashes)
    return EventStudyResults(
        panel=panel, windows=w.windows, params=params, excluded=excluded, evt_return=a["evt_r"],
        evt_expected=a["evt_expected"], evt_rows=a["evt_rows"], dates=axis, car=a["car"], bhar=a["bhar"],
        car_days=a["car_days"], provenance=provenance, convention=convention, return_kind=return_kind,
        test_options={"tests": tests, "n_boot": n_boot, "seed": seed}, notes=w.notes)


# --------------------------------------------------------------------------------------------
# the steps of event_study
# --------------------------------------------------------------------------------------------

def _check_options(model, return_kind, convention, min_estimation, factors, seed):
    """The model instance, the seed (drawn from the OS when None, so it can be recorded) and the
    minimum estimation length (the convention's default when None)."""
    if return_kind not in RETURN_KINDS:
        raise ResearchError(f"return_kind must be one of {', '.join(RETURN_KINDS)}, not {return_kind!r}")
    if convention not in CONVENTIONS:
        raise ResearchError(f"convention must be one of {', '.join(CONVENTIONS)}, not {convention!r}")
    if min_estimation is None:
        min_estimation = ESTUDY2_MIN_ESTIMATION if convention == "estudy2" else DEFAULT_MIN_ESTIMATION
    if isinstance(min_estimation, bool) or not isinstance(min_estimation, (int, np.integer)) or min_estimation < 1:
        raise ResearchError(f"min_estimation must be a positive integer, not {min_estimation!r}")
    est_model = get_model(model)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    check_seed(seed)
    if est_model.uses_factors and factors is None:
        raise ResearchError(f"model {est_model.name!r} needs factor returns: pass factors=DataFrame "
                            f"(see research.study.models.read_factors_csv)")
    if factors is not None and not est_model.uses_factors:
        raise ResearchError(f"factors were given but model {est_model.name!r} does not use them; "
                            f"use model='factor'")
    return est_model, seed, int(min_estimation)


@dataclass
class _Data:
    """The caller's data, checked and aligned on one date axis: returns ``R`` (dates x tickers),
    benchmarks ``M`` (column ``bench_of[j]`` for ticker j), factors ``F`` and risk-free ``RF``."""

    events: pd.DataFrame
    tickers: list
    axis: pd.DatetimeIndex
    R: np.ndarray
    M: np.ndarray
    bench_of: np.ndarray
    F: np.ndarray | None
    RF: np.ndarray | None
    factor_names: tuple
    rf_name: str | None

    @classmethod
    def of(cls, returns, market, events, factors, est_model, return_kind, reach=None) -> "_Data":
        returns = as_frame(returns, "returns")
        events = as_events(events)
        tickers = list(pd.unique(events["ticker"].to_numpy()))
        missing = [t for t in tickers if t not in returns.columns]
        if missing:
            raise ResearchError(f"ticker(s) {', '.join(map(repr, missing))} named in events have no "
                                f"column in returns")
        market_frame = as_market(market, tickers)
        axis = returns.index.union(market_frame.index)
        factor_names, rf_name = (), None
        if factors is not None:
            factors = as_frame(factors, "factors")
            cols, rf_name = (est_model if isinstance(est_model, FactorModel) else FactorModel()).resolve(factors)
            factor_names = tuple(cols)
            axis = axis.union(factors.index)
        if reach is not None:
            axis = _cut(axis, returns, events, *reach)

        R = returns.reindex(index=axis, columns=tickers).to_numpy(dtype=float, copy=True)
        if isinstance(market, pd.Series):
            M = market_frame.reindex(axis).to_numpy(dtype=float).reshape(-1, 1)
            bench_of = np.zeros(len(tickers), dtype=np.int64)
        else:
            M = market_frame.reindex(index=axis, columns=tickers).to_numpy(dtype=float)
            bench_of = np.arange(len(tickers), dtype=np.int64)
        F = RF = None
        if factors is not None:
            F = factors.reindex(axis)[list(factor_names)].to_numpy(dtype=float)
            RF = factors.reindex(axis)[rf_name].to_numpy(dtype=float) if rf_name else None
        market_names = None if isinstance(market, pd.Series) else tickers
        check_returns(R, tickers, axis, "returns", return_kind)
        check_returns(M, market_names, axis, "market", return_kind)
        if F is not None:
            check_finite(np.column_stack([F] + ([RF] if RF is not None else [])),
                         [*factor_names, *([rf_name] if rf_name else [])], axis, "factors")
        check_own_benchmark(R, M, bench_of, tickers)
        return cls(events, tickers, axis, R, M, bench_of, F, RF, factor_names, rf_name)


def _reach_days(estimation, windows, event_window, convention, est_model) -> tuple[int, int] | None:
    """Observations each listing-event reads before day 0 and from day 0 on, when every window
    is in relative days on the listing's own clock (None otherwise: no cut). The margin holds the
    observation before the first one used (its trade-to-trade span starts there) and the model's
    clock shifts (Scholes-Williams, Dimson)."""
    try:
        specs = [estimation, *(windows if windows is not None else []), *([event_window] if event_window is not None else [])]
    except TypeError:       # not a list of windows: refused by the checks below
        return None
    if convention != "textbook" or not all(isinstance(w, (tuple, list)) and is_days(w) for w in specs):
        return None
    margin = 2 + max([abs(j) for j in est_model.shifts], default=0)
    first, last = min(int(w[0]) for w in specs), max(int(w[1]) for w in specs)
    return max(0, margin - first), max(0, last + margin + 1)


def _cut(axis, returns, events, before, after):
    """``axis`` cut to the rows the listing-events' windows reach (:func:`abnormal.reach_rows`):
    the results are those of the whole panel, at the cost of the rows used. The input checks
    then look at these rows only."""
    index = returns.index
    cols = returns.columns.get_indexer(events["ticker"])
    lo, hi = reach_rows(returns.to_numpy(dtype=float, copy=False), cols,
                        index.searchsorted(pd.DatetimeIndex(events["day0"]), side="left"), before, after,
                        CUT_WORTH)
    if lo == 0 and hi == len(index) - 1:
        return axis
    keep = np.ones(len(axis), dtype=bool)
    if lo > 0:
        keep &= axis >= index[lo]
    if hi < len(index) - 1:
        keep &= axis <= index[hi]
    return axis[keep]


def _place_events(obs, axis, sec, day0, events):
    """Each listing-event's day 0 on its listing's clock (``pos0``), whether it could be placed,
    and the reason of each that could not (an event after the listing's last return)."""
    row0 = axis.searchsorted(day0, side="left").astype(np.int64)
    first_row = obs.first_return_row[sec]
    for i in np.flatnonzero(first_row < 0):
        raise ResearchError(f"event {events['event_id'].iloc[i]!r}: ticker {events['ticker'].iloc[i]!r} "
                            f"has no returns at all")
    early = row0 < first_row
    if early.any():
        lines = [f"event {events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r}: day 0 "
                 f"{day0[i].date()} is before the listing's first return on {axis[first_row[i]].date()}"
                 for i in np.flatnonzero(early)]
        raise ResearchError("event before the listing's first trade:\n  " + "\n  ".join(lines))
    pos0 = obs.locate(sec, row0)
    reasons: dict[int, str] = {}
    unplaced = pos0 >= obs.nobs[sec]
    for i in np.flatnonzero(unplaced):
        last = obs.row[obs.start[sec[i] + 1] - 1] if obs.nobs[sec[i]] else None
        reasons[i] = (f"no observation on or after day 0 {day0[i].date()}"
                      + (f" (last on {axis[last].date()})" if last is not None else ""))
    placed = ~unplaced
    if not placed.any():
        lines = [f"event {events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r}: {reasons[i]}" for i in reasons]
        raise ResearchError("every listing-event was excluded:\n  " + "\n  ".join(lines))
    return pos0, placed, reasons


@dataclass
class _Windows:
    """The windows in relative trading days: CAR windows, event window, estimation range of each
    listing-event (``est_lo``, ``est_hi``; one range for all when given in days), and notes."""

    windows: list
    evt_lo: int
    evt_hi: int
    est_lo: np.ndarray
    est_hi: np.ndarray
    est_by_days: bool
    est_days: np.ndarray
    evt_days: np.ndarray
    notes: list


def _resolve_windows(windows, event_window, estimation, min_estimation, obs, axis, sec, pos0, placed, day0,
                     events) -> _Windows:
    pi = np.flatnonzero(placed)
    windows = common_windows(windows, "windows", obs, axis, sec[pi], pos0[pi], events.iloc[pi])
    if not windows:
        raise ResearchError("windows is empty: name at least one CAR window")
    if event_window is None:
        evt_lo, evt_hi = min(a for a, _ in windows), max(b for _, b in windows)
    else:
        ((evt_lo, evt_hi),) = common_windows([event_window], "event_window", obs, axis, sec[pi], pos0[pi],
                                             events.iloc[pi])
        outside = [w for w in windows if w[0] < evt_lo or w[1] > evt_hi]
        if outside:
            raise ResearchError(f"window(s) {', '.join(window_label(w) for w in outside)} are outside the "
                                f"event window {window_label((evt_lo, evt_hi))}")
    notes = check_reach(windows, (evt_lo, evt_hi), event_window is not None, obs, axis, sec, pos0, placed,
                        day0, events)
    est_lo, est_hi = estimation_ranges(estimation, obs, axis, sec, pos0, placed)
    est_by_days = window_spec(estimation, "estimation")[0] == "days"   # the same range for all
    nonempty = placed & (est_hi >= est_lo)     # a date range may hold none of a listing's days
    overlap = nonempty & (est_hi >= evt_lo)
    if overlap.any():
        i = np.flatnonzero(overlap)[0]
        raise ResearchError(
            f"the estimation window overlaps the event window {window_label((evt_lo, evt_hi))}: for event "
            f"{events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r} it ends on relative day "
            f"{int(est_hi[i])}; end it before day {evt_lo}")
    if nonempty.any():
        est_days = np.arange(int(est_lo[nonempty].min()), int(est_hi[nonempty].max()) + 1)
    else:       # no listing has a day in the estimation dates: all are excluded below
        est_days = np.arange(evt_lo - 1, evt_lo)
    evt_days = np.arange(evt_lo, evt_hi + 1)
    if isinstance(estimation, (tuple, list)) and is_days(estimation):
        width = int(estimation[1]) - int(estimation[0]) + 1
        if width < min_estimation:
            raise ResearchError(f"the estimation window {window_label(estimation)} has {width} days, fewer than "
                                f"min_estimation={min_estimation}")
    return _Windows(windows, evt_lo, evt_hi, est_lo, est_hi, est_by_days, est_days, evt_days, notes)


def _fit(data: _Data, obs, est_model, convention, return_kind, min_estimation, w: _Windows, sec, pos0, placed):
    """Estimate the model and fill the outputs, block by block of listing-events."""
    pi = np.flatnonzero(placed)
    N, L, T = len(data.events), len(w.est_days), len(w.evt_days)
    # the cells the windows read around day 0, with the model's clock shifts and a margin
    margin = max([abs(j) for j in est_model.shifts], default=0) + 2
    first = min(int(w.evt_lo), *(int(d) for d in w.est_days[[0, -1]] if L)) - margin
    last = max(int(w.evt_hi), *(int(d) for d in w.est_days[[0, -1]] if L)) + margin
    padded = obs.padded(sec[pi], pos0[pi], first, last)
    obs.release()       # the padded copy serves from here on
    data.R = data.M = data.F = data.RF = None
    out = _Outputs(N, L, T, est_model, convention, w.evt_days, w.windows, return_kind)
    design = N * L <= DESIGN_CELLS
    block = max(1, BLOCK_CELLS // max(L + T, 1))
    factor_names = data.factor_names

    def run_block(s):
        rows = pi[s:s + block]
        if len(rows) and rows[-1] - rows[0] == len(rows) - 1:
            rows = slice(int(rows[0]), int(rows[-1]) + 1)   # contiguous: cheaper writes
        lo, hi = (None, None) if w.est_by_days else (w.est_lo[rows], w.est_hi[rows])
        est, _, est_in = gather_window(padded, sec[rows], pos0[rows], w.est_days, lo, hi, est_model.shifts,
                                       factor_names, want_rows=False)
        evt, evt_rows, _ = gather_window(padded, sec[rows], pos0[rows], w.evt_days, factor_names=factor_names)
        fit = est_model.fit(est, evt, int(min_estimation))
        out.store(rows, est, evt, est_in, evt_rows, fit, convention)
        if design:
            out.store_design(rows, est_model.design(est), fit.used)

    _run_blocks(run_block, range(0, len(pi), block), est_model)
    return out


def _exclusions(out, placed, reasons, events, est_model):
    """Which listing-events enter the panel, and the table of the others with their reasons."""
    degenerate = np.flatnonzero(out.degenerate)
    if len(degenerate):
        what = "a factor has no variation (or the factors are collinear)" if est_model.uses_factors else \
            "the benchmark return has zero variance"
        lines = [f"event {events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r}" for i in degenerate[:20]]
        raise ResearchError(f"{what} in the estimation window of:\n  " + "\n  ".join(lines)
                            + ("\n  ..." if len(degenerate) > 20 else ""))
    has_problem = placed & ~pd.isna(out.problem)
    for i in np.flatnonzero(has_problem):
        reasons[i] = out.problem[i]
    keep = placed & ~has_problem
    excluded = events.iloc[sorted(reasons)][["event_id", "ticker", "role", "day0"]].reset_index(drop=True)
    excluded["reason"] = pd.Series([reasons[i] for i in sorted(reasons)], dtype=object)
    if not keep.any():
        lines = [f"event {r.event_id!r}, {r.ticker!r}: {r.reason}" for r in excluded.itertuples()]
        hint = ""
        if any("min_estimation" in str(r) for r in excluded["reason"]):
            hint = " (a short estimation window? lower min_estimation)"
        raise ResearchError(f"every listing-event was excluded{hint}:\n  " + "\n  ".join(lines))
    return keep, excluded


def _panel_and_params(a: dict, kept: pd.DataFrame, w: _Windows, axis, est_model):
    """The :class:`AbnormalReturnPanel` every test reads, and the per-listing parameter table."""
    keys = kept[["event_id", "ticker", "role"]].copy()
    evt_days = w.evt_days
    panel = AbnormalReturnPanel(
        keys=keys, est_days=w.est_days, evt_days=evt_days, est_ar=a["est_ar"], evt_ar=a["evt_ar"],
        est_span=a["est_span"], evt_span=a["evt_span"], n_est=a["n_est"], dof=a["dof"], sigma=a["sigma"],
        evt_x=a["evt_x"], xtx_inv=a["xtx_inv"], evt_cond_var=a.get("evt_cond_var"),
        est_market=a.get("est_market"), evt_market=a["evt_market"], est_x=a.get("est_x"), model=est_model.name)
    params = kept[["event_id", "ticker", "role", "day0"]].copy()
    if 0 in evt_days:
        day0_rows = a["evt_rows"][:, int(np.searchsorted(evt_days, 0))]
        params["date0"] = np.where(day0_rows >= 0, axis.values[np.maximum(day0_rows, 0)], np.datetime64("NaT"))
    else:
        params["date0"] = pd.NaT
    for name, values in a["params"].items():
        params[name] = values
    params["sigma"] = a["sigma"]
    params["n_est"] = a["n_est"]
    params["dof"] = a["dof"]
    return panel, params


def _provenance(est_model, estimation, w: _Windows, return_kind, min_estimation, convention, data: _Data, options,
                n_events: int, used: int, data_hashes) -> dict:
    """Everything needed to repeat the run: parameters, data span and hashes, software versions."""
    axis, L = data.axis, len(w.est_days)
    return {
        "function": "research.study.event_study",
        "version": _version(),
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "parameters": {
            "model": est_model.name,
            "model_options": est_model.options(),
            "estimation": _json_window(estimation),
            "estimation_days": [int(w.est_days[0]), int(w.est_days[-1])] if L else None,
            "windows": [list(x) for x in w.windows],
            "event_window": [int(w.evt_lo), int(w.evt_hi)],
            "return_kind": return_kind,
            "min_estimation": int(min_estimation),
            "convention": convention,
            "factors": list(data.factor_names) or None,
            "risk_free": data.rf_name,
            **options,
        },
        "data": {
            "first_date": str(axis[0].date()) if len(axis) else None,
            "last_date": str(axis[-1].date()) if len(axis) else None,
            "securities": len(data.tickers),
            "listing_events": int(n_events),
            "used": used,
            "excluded": int(n_events - used),
        },
        "data_hashes": dict(data_hashes or {}),
        "software": _software(est_model),
    }


def _run_blocks(run_block, starts, model) -> None:
    """``run_block(s)`` for every block start, in up to :data:`THREADS` threads.

    Only the built-in models that do not loop are run in threads (GARCH records warnings per
    fit, which is not thread-safe; a caller's own model may keep state). Worker threads take
    the caller's numpy error state (it is per thread).
    """
    starts = list(starts)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:     # not on Linux
        cpus = os.cpu_count() or 1
    threads = min(THREADS, cpus, len(starts))
    builtin = type(model) in MODELS.values()
    if threads < 2 or model.loops or not builtin:
        for s in starts:
            run_block(s)
        return
    errstate = np.geterr()

    def work(s):
        with np.errstate(**errstate):
            run_block(s)

    run_block(starts[0])        # the first block sizes the outputs (k, parameter names)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(work, starts[1:]):
            pass


class _Outputs:
    """The panel's arrays for all listing-events, filled block by block.

    Rows are allocated empty and every placed row is written in full by :meth:`store`; rows
    never stored are dropped by :meth:`compress` (they are excluded). ``est_market`` is kept
    only under the estudy2 convention, whose Patell/Lamb tests read it (N x L floats saved).
    """

    def __init__(self, N, L, T, model, convention, evt_days, windows, return_kind):
        e = np.empty
        self.evt_days, self.windows, self.return_kind = evt_days, windows, return_kind
        self.columns = [slice(int(np.searchsorted(evt_days, a)), int(np.searchsorted(evt_days, b, side="right")))
                        for a, b in windows]
        self.k = None
        self.arr = {
            "est_ar": e((N, L)), "est_span": e((N, L), dtype=np.float32),
            "evt_ar": e((N, T)), "evt_span": e((N, T), dtype=np.float32), "evt_market": e((N, T)),
            "evt_r": e((N, T)), "evt_expected": e((N, T)), "evt_rows": e((N, T), dtype=np.int32),
            "n_est": np.zeros(N, dtype=np.int64), "dof": np.zeros(N, dtype=np.int64), "sigma": np.full(N, np.nan),
            "car": e((N, len(windows))), "car_days": e((N, len(windows)), dtype=np.int64),
            "bhar": e((N, len(windows))),
        }
        if convention == "estudy2":
            self.arr["est_market"] = e((N, L))
        if model.loops:
            self.arr["evt_cond_var"] = e((N, T))
        self.params: dict[str, np.ndarray] = {}
        self.problem = np.full(N, None, dtype=object)
        self.degenerate = np.zeros(N, dtype=bool)
        self.N = N
        self.lock = threading.Lock()

    def store(self, rows, est, evt, est_in, evt_rows, fit, convention):
        a = self.arr
        with self.lock:
            if self.k is None:
                self.k = fit.evt_x.shape[-1]
                a["evt_x"] = np.empty((self.N, evt.r.shape[1], self.k))
                a["xtx_inv"] = np.empty((self.N, self.k, self.k))
            for name in fit.params:
                if name not in self.params:
                    self.params[name] = np.full(self.N, np.nan)
        # every value is written straight into the output rows (a view when ``rows`` is a slice),
        # then the cells without an observation are blanked: the same numbers as np.where, with
        # no full-size temporaries
        a["est_ar"][rows] = fit.est_resid
        unused = ~fit.used
        with _rows(a["est_span"], rows) as span:     # float32: spans are small integers
            span[...] = est.span
            _blank(span, unused)
        observed = evt.valid & ~np.isnan(fit.evt_expected)
        missing = ~observed
        any_missing = bool(missing.any())
        with _rows(a["evt_ar"], rows) as ar, _rows(a["evt_expected"], rows) as expected:
            np.subtract(evt.r, fit.evt_expected, out=ar)
            expected[...] = fit.evt_expected
            if any_missing:
                _blank(ar, missing)
                _blank(expected, missing)
            # CAR and BHAR while the block is in cache; the returns need no blanking: BHAR skips
            # a day whose expected return is missing
            a["car"][rows], a["car_days"][rows], a["bhar"][rows] = window_returns(
                ar, evt.r, expected, self.evt_days, self.windows, self.return_kind, self.columns)
        with _rows(a["evt_span"], rows) as span:
            span[...] = evt.span
            if any_missing:
                _blank(span, missing)
        if convention == "estudy2":
            with _rows(a["est_market"], rows) as m:
                m[...] = est.m
                if est_in is not None:
                    _blank(m, ~est_in)
            a["evt_market"][rows] = evt.m
        else:
            with _rows(a["evt_market"], rows) as m:
                m[...] = evt.m
                if any_missing:
                    _blank(m, missing)
        a["evt_r"][rows] = evt.r
        a["evt_rows"][rows] = evt_rows
        with _rows(a["evt_x"], rows) as x:
            x[...] = fit.evt_x
            if any_missing and self.k:
                _blank(x, missing)
        a["xtx_inv"][rows] = fit.xtx_inv
        a["n_est"][rows] = fit.n_est
        a["dof"][rows] = fit.dof
        a["sigma"][rows] = fit.sigma
        if fit.evt_cond_var is not None:
            with _rows(a["evt_cond_var"], rows) as v:
                v[...] = fit.evt_cond_var
                if any_missing:
                    _blank(v, missing)
        for name, values in fit.params.items():
            self.params[name][rows] = values
        self.problem[rows] = fit.problem
        self.degenerate[rows] = fit.degenerate

    def store_design(self, rows, est_x, used):
        """The estimation regressors of the rows (None: the model has none to keep), NaN off
        the observations the model used."""
        if est_x is None:
            return
        with self.lock:
            if "est_x" not in self.arr:
                self.arr["est_x"] = np.full((self.N,) + est_x.shape[1:], np.nan)
        self.arr["est_x"][rows] = np.where(used[..., None], est_x, np.nan)

    def compress(self, keep):
        everything = keep.all()
        out = {k: (v if everything else v[keep]) for k, v in self.arr.items()}
        if "evt_x" not in out:  # nothing was placed
            out["evt_x"] = np.zeros((int(keep.sum()), self.arr["evt_ar"].shape[1], 0))
            out["xtx_inv"] = np.zeros((int(keep.sum()), 0, 0))
        out["params"] = {k: (v if everything else v[keep]) for k, v in self.params.items()}
        return out


class _rows:
    """``with _rows(out, rows) as block``: the rows of ``out`` to fill in place; a view when
    ``rows`` is a slice, else a scratch array copied into ``out[rows]`` on exit."""

    def __init__(self, out, rows):
        self.out, self.rows = out, rows
        self.view = isinstance(rows, slice)

    def __enter__(self):
        self.block = self.out[self.rows] if self.view else np.empty((len(self.rows),) + self.out.shape[1:],
                                                                   dtype=self.out.dtype)
        return self.block

    def __exit__(self, kind, value, tb):
        if kind is None and not self.view:
            self.out[self.rows] = self.block
        return False


def _blank(block, missing):
    """NaN in the cells of ``block`` (n, W[, k]) where ``missing`` (n, W) is True."""
    block[missing] = np.nan


def _json_window(spec):
    return [x if is_int(x) else str(pd.Timestamp(x).date()) for x in spec]


def _version() -> str:
    import research
    return research.__version__


def _software(model) -> dict:
    """Versions of the packages the numbers depend on."""
    return dict(_versions(bool(model.loops)))


@lru_cache(maxsize=2)
def _versions(with_arch: bool) -> tuple:
    """(package, version) pairs, read once from the installed metadata (no imports)."""
    from importlib.metadata import PackageNotFoundError, version

    soft = [("python", platform.python_version())]
    for name in ("numpy", "pandas", "scipy", "statsmodels") + (("arch",) if with_arch else ()):
        try:
            soft.append((name, version(name)))
        except PackageNotFoundError:
            soft.append((name, None))
    return tuple(soft)


def compile_kernels(seed: int = 0) -> float:
    """Compile every numba kernel of the kit into its cache on disk, and return the seconds taken.

    numba compiles a kernel at its first call and keeps the machine code beside the module; the
    first study after installation would otherwise pay for it (half a minute), and every notebook
    kernel started beside it would compile the same code at once. ``research build`` calls this:
    a small synthetic study (gaps, so trade-to-trade spans) through the same code paths as a real
    one, with every test, the daily tests and the single-listing tests. Later calls load the
    cached code in a fraction of a second.
    """
    import time

    from research.study import significance

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=400)
    m = rng.normal(0.0003, 0.01, len(dates))
    r = 0.0001 + np.outer(m, [0.5, 0.8, 1.1, 1.4]) + rng.normal(0, 0.02, (len(dates), 4))
    r[rng.random(r.shape) < 0.05] = np.nan
    returns = pd.DataFrame(r, index=dates, columns=["A", "B", "C", "D"])
    events = pd.DataFrame({"event_id": ["e1", "e1", "e2", "e2"], "ticker": ["A", "B", "C", "D"],
                           "day0": [dates[300]] * 2 + [dates[320]] * 2})
    for market in (pd.Series(m, index=dates), pd.DataFrame({t: m for t in returns.columns}, index=dates)):
        res = event_study(returns, market, events, n_boot=50, seed=seed,
                          tests=[t for t in significance.TEXTBOOK_TESTS])
        res.tests, res.daily, res.car       # noqa: B018 (each computes and caches its table)
        significance.single_listing_tests(res.panel, res.windows)
    return time.perf_counter() - started
