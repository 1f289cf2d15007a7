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
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.study.abnormal import build_observations, gather_window, window_returns
from research.study.models import MODELS, FactorModel, get_model
from research.study.panel import AbnormalReturnPanel

#: CAR windows used unless the caller names others (relative trading days, inclusive).
DEFAULT_WINDOWS = ((0, 0), (-1, 1), (0, 1), (0, 5), (-5, 5), (-10, 20))
DEFAULT_ESTIMATION = (-250, -11)
#: Fewest valid estimation-window returns a listing-event needs (Brown and Warner 1985 use
#: windows of 239 days; 100 is a common floor for thinly traded listings).
DEFAULT_MIN_ESTIMATION = 100
CONVENTIONS = ("textbook", "estudy2")
RETURN_KINDS = ("simple", "log")
#: cells (listing-events x window days) per block; bounds the temporary arrays' memory.
BLOCK_CELLS = 150_000
#: threads that fit blocks side by side (numpy releases the GIL in its loops); each block
#: writes only its own rows, so the numbers do not depend on the count or on scheduling.
THREADS = 2


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
    min_estimation: int = DEFAULT_MIN_ESTIMATION,
    factors: pd.DataFrame | None = None,
    convention: str = "textbook",
    tests: Sequence[str] | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
    data_hashes: Mapping[str, str] | None = None,
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
        :attr:`EventStudyResults.excluded` says why.
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

    if return_kind not in RETURN_KINDS:
        raise ResearchError(f"return_kind must be one of {', '.join(RETURN_KINDS)}, not {return_kind!r}")
    if convention not in CONVENTIONS:
        raise ResearchError(f"convention must be one of {', '.join(CONVENTIONS)}, not {convention!r}")
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

    returns = _as_frame(returns, "returns")
    events = _as_events(events)
    tickers = list(pd.unique(events["ticker"].to_numpy()))
    missing = [t for t in tickers if t not in returns.columns]
    if missing:
        raise ResearchError(f"ticker(s) {', '.join(map(repr, missing))} named in events have no "
                            f"column in returns")
    market_frame = _as_market(market, tickers)
    axis = returns.index.union(market_frame.index)
    factor_names, rf_name = (), None
    if factors is not None:
        factors = _as_frame(factors, "factors")
        cols, rf_name = (est_model if isinstance(est_model, FactorModel) else FactorModel()).resolve(factors)
        factor_names = tuple(cols)
        axis = axis.union(factors.index)

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
    _check_returns(R, tickers, axis, "returns", return_kind)
    _check_returns(M, market_names, axis, "market", return_kind)
    if F is not None:
        _check_finite(np.column_stack([F] + ([RF] if RF is not None else [])),
                      [*factor_names, *([rf_name] if rf_name else [])], axis, "factors")
    _check_own_benchmark(R, M, bench_of, tickers)

    obs = build_observations(R, M, bench_of, return_kind, convention, F, RF)
    sec = pd.Index(tickers).get_indexer(events["ticker"]).astype(np.int64)   # hashed, not a Python map
    day0 = pd.DatetimeIndex(events["day0"])
    row0 = axis.searchsorted(day0, side="left").astype(np.int64)

    # events that cannot be placed on the listing's clock
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

    # windows in relative trading days
    pi = np.flatnonzero(placed)
    windows = _common_windows(windows, "windows", obs, axis, sec[pi], pos0[pi], events.iloc[pi])
    if not windows:
        raise ResearchError("windows is empty: name at least one CAR window")
    if event_window is None:
        evt_lo, evt_hi = min(a for a, _ in windows), max(b for _, b in windows)
    else:
        ((evt_lo, evt_hi),) = _common_windows([event_window], "event_window", obs, axis, sec[pi], pos0[pi],
                                              events.iloc[pi])
        outside = [w for w in windows if w[0] < evt_lo or w[1] > evt_hi]
        if outside:
            raise ResearchError(f"window(s) {', '.join(_label(w) for w in outside)} are outside the "
                                f"event window {_label((evt_lo, evt_hi))}")
    notes = _check_reach(windows, (evt_lo, evt_hi), event_window is not None, obs, axis, sec, pos0, placed,
                         day0, events)
    est_lo, est_hi = _estimation_ranges(estimation, obs, axis, sec, pos0, placed)
    est_by_days = _parse_window(estimation, "estimation")[0] == "days"   # the same range for all
    nonempty = placed & (est_hi >= est_lo)     # a date range may hold none of a listing's days
    overlap = nonempty & (est_hi >= evt_lo)
    if overlap.any():
        i = np.flatnonzero(overlap)[0]
        raise ResearchError(
            f"the estimation window overlaps the event window {_label((evt_lo, evt_hi))}: for event "
            f"{events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r} it ends on relative day "
            f"{int(est_hi[i])}; end it before day {evt_lo}")
    if nonempty.any():
        est_days = np.arange(int(est_lo[nonempty].min()), int(est_hi[nonempty].max()) + 1)
    else:       # no listing has a day in the estimation dates: all are excluded below
        est_days = np.arange(evt_lo - 1, evt_lo)
    evt_days = np.arange(evt_lo, evt_hi + 1)
    if isinstance(estimation, (tuple, list)) and _is_days(estimation):
        width = int(estimation[1]) - int(estimation[0]) + 1
        if width < min_estimation:
            raise ResearchError(f"the estimation window {_label(estimation)} has {width} days, fewer than "
                                f"min_estimation={min_estimation}")

    # fit block by block
    N, L, T = len(events), len(est_days), len(evt_days)
    reach = max(abs(int(evt_lo)), abs(int(evt_hi)), *(abs(int(d)) for d in est_days[[0, -1]] if L))
    padded = obs.padded(reach + max([abs(j) for j in est_model.shifts], default=0) + 2)
    obs.release()       # the padded copy serves from here on
    del R, M, F, RF
    out = _Outputs(N, L, T, est_model, convention, evt_days, windows, return_kind)
    block = max(1, BLOCK_CELLS // max(L + T, 1))

    def run_block(s):
        rows = pi[s:s + block]
        if len(rows) and rows[-1] - rows[0] == len(rows) - 1:
            rows = slice(int(rows[0]), int(rows[-1]) + 1)   # contiguous: cheaper writes
        lo, hi = (None, None) if est_by_days else (est_lo[rows], est_hi[rows])
        est, _, est_in = gather_window(padded, sec[rows], pos0[rows], est_days, lo, hi, est_model.shifts,
                                       factor_names, want_rows=False)
        evt, evt_rows, _ = gather_window(padded, sec[rows], pos0[rows], evt_days, factor_names=factor_names)
        fit = est_model.fit(est, evt, int(min_estimation))
        out.store(rows, est, evt, est_in, evt_rows, fit, convention)

    _run_blocks(run_block, range(0, len(pi), block), est_model)
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
        raise ResearchError("every listing-event was excluded:\n  " + "\n  ".join(lines))

    kept = events[keep].reset_index(drop=True)
    keys = kept[["event_id", "ticker", "role"]].copy()
    a = out.compress(keep)
    panel = AbnormalReturnPanel(
        keys=keys, est_days=est_days, evt_days=evt_days, est_ar=a["est_ar"], evt_ar=a["evt_ar"],
        est_span=a["est_span"], evt_span=a["evt_span"], n_est=a["n_est"], dof=a["dof"], sigma=a["sigma"],
        evt_x=a["evt_x"], xtx_inv=a["xtx_inv"], evt_cond_var=a.get("evt_cond_var"),
        est_market=a.get("est_market"), evt_market=a["evt_market"], model=est_model.name,
        extra={"convention": convention, "return_kind": return_kind})
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

    car, n_days, bhar = a["car"], a["car_days"], a["bhar"]
    provenance = {
        "function": "research.study.event_study",
        "version": _version(),
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "parameters": {
            "model": est_model.name,
            "model_options": est_model.options(),
            "estimation": _json_window(estimation),
            "estimation_days": [int(est_days[0]), int(est_days[-1])] if L else None,
            "windows": [list(w) for w in windows],
            "event_window": [int(evt_lo), int(evt_hi)],
            "return_kind": return_kind,
            "min_estimation": int(min_estimation),
            "convention": convention,
            "factors": list(factor_names) or None,
            "risk_free": rf_name,
            "tests": list(tests) if tests is not None else None,
            "n_boot": n_boot,
            "seed": seed,
        },
        "data": {
            "first_date": str(axis[0].date()) if len(axis) else None,
            "last_date": str(axis[-1].date()) if len(axis) else None,
            "securities": len(tickers),
            "listing_events": int(N),
            "used": int(keep.sum()),
            "excluded": int(N - keep.sum()),
        },
        "data_hashes": dict(data_hashes or {}),
        "software": _software(est_model),
    }
    return EventStudyResults(
        panel=panel, windows=windows, params=params, excluded=excluded, evt_return=a["evt_r"],
        evt_expected=a["evt_expected"], evt_rows=a["evt_rows"], dates=axis, car=car, bhar=bhar, car_days=n_days,
        provenance=provenance, convention=convention, return_kind=return_kind,
        test_options={"tests": tests, "n_boot": n_boot, "seed": seed}, notes=notes)


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


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------

def _as_frame(frame, what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ResearchError(f"{what} must be a DataFrame of dates x columns, not {type(frame).__name__}")
    frame = frame.infer_objects()
    frame.index = _as_dates(frame.index, what)
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise ResearchError(f"{what} has the column {dup!r} more than once")
    kinds = {dt: pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt)
             for dt in set(frame.dtypes)}
    bad = [c for c, dt in zip(frame.columns, frame.dtypes) if not kinds[dt]]
    if bad:
        raise ResearchError(f"{what} column(s) {', '.join(map(repr, bad[:5]))} are not numeric "
                            f"(dtype {frame[bad[0]].dtype}); convert them with pd.to_numeric")
    return frame      # values are checked once aligned on the common dates (_check_returns)


#: A column whose median absolute value exceeds this holds price levels, not returns. The
#: median absolute daily return of a listing is about 0.01 (1 %) and hardly reaches 0.1 even for
#: the most volatile; a median move of 20 % a day is not a return series.
PRICE_LEVEL_MEDIAN = 0.2
#: The largest absolute daily return accepted (10,000 %, simple or log): beyond it the number is
#: a data error (an unadjusted split, a price in the wrong unit), and compounding it overflows.
MAX_ABS_RETURN = 100.0


def _check_returns(values: np.ndarray, names, axis, what: str, return_kind: str) -> None:
    """Refuse returns that cannot be daily returns, naming the column and the date.

    ``values`` (dates x columns, NaN = no return) must be finite; a column must not look like
    price levels (median ``|r|`` above :data:`PRICE_LEVEL_MEDIAN`); simple returns must be
    above -1 (-100 %); no return may exceed :data:`MAX_ABS_RETURN` in absolute value.
    ``names`` are the column names (None: one unnamed column, the market Series).
    """
    _check_finite(values, names, axis, what)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # an all-NaN column has no median
        median = np.nanmedian(np.abs(values), axis=0)
    for c in np.flatnonzero(median > PRICE_LEVEL_MEDIAN):
        raise ResearchError(
            f"the values of {what}{_of(names, c)} look like price levels, not returns: their median absolute value is "
            f"{median[c]:.4g}, where a daily return's is about 0.01 (any median above {PRICE_LEVEL_MEDIAN} is "
            f"refused); pass returns, e.g. prices.pct_change()")
    if return_kind == "simple":
        bad = values <= -1
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ResearchError(f"{what}{_of(names, c)} on {axis[r].date()} is {values[r, c]:g}: a simple "
                                f"return cannot be -100% or less (log returns? pass return_kind='log')")
    big = np.abs(values) > MAX_ABS_RETURN
    if big.any():
        r, c = np.argwhere(big)[0]
        raise ResearchError(f"{what}{_of(names, c)} on {axis[r].date()} is {values[r, c]:g}: not a daily return "
                            f"(more than {MAX_ABS_RETURN:g} in absolute value); correct the data")


def _check_finite(values: np.ndarray, names, axis, what: str) -> None:
    """Refuse an infinite value (NaN stays: a day without a return), naming column and date."""
    inf = np.isinf(values)
    if inf.any():
        r, c = np.argwhere(inf)[0]
        raise ResearchError(f"{what}{_of(names, c)} is infinite on {axis[r].date()}")


def _of(names, c) -> str:
    return f" of {names[c]!r}" if names else ""


def _check_own_benchmark(R: np.ndarray, M: np.ndarray, bench_of: np.ndarray, tickers) -> None:
    """Refuse a listing whose benchmark is its own return series.

    Its abnormal returns would be zero up to rounding, with a spuriously tiny variance
    (CAR -0.000000 and t = -4.94 were seen): the benchmark must be a market index. A series is
    taken as the listing's own when both have at least two common returns and agree exactly on
    every one of them.
    """
    for j, t in enumerate(tickers):
        m = M[:, bench_of[j]]
        both = ~np.isnan(R[:, j]) & ~np.isnan(m)
        if both.sum() >= 2 and np.array_equal(R[both, j], m[both]):
            raise ResearchError(f"the benchmark of {t!r} is its own return series (equal on all {int(both.sum())} "
                                f"common days): its abnormal returns would be 0 by construction; give a market "
                                f"index as its benchmark")


def check_seed(seed) -> None:
    """NumPy seeds its generators with non-negative integers; any other seed is refused here,
    before anything is computed, rather than deep inside the bootstrap."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ResearchError(f"seed must be a non-negative integer, not {seed!r}")


def _check_reach(windows, event_window, asked, obs, axis, sec, pos0, placed, day0, events) -> list[str]:
    """Refuse windows beyond the data; return notes on what was adjusted to the data.

    A window (or the event window) is refused when it reaches further from day 0 than the data
    do for every listing-event: no listing can fill it, and cutting it silently would report a
    shorter window under the longer one's label. The notes name each listing-event whose day 0
    has no observation (it moves to the listing's next one: a weekend, a holiday, a suspension)
    and each whose observations stop inside the event window (its CARs use the observed days).
    """
    idx = np.flatnonzero(placed)
    d0_row = obs.row[obs.start[sec[idx]] + pos0[idx]]        # axis row of each listing-event's day 0
    after = len(axis) - 1 - int(d0_row.min())                # most sessions after any day 0
    before = int(d0_row.max())                               # most sessions before any day 0
    checks = [("window", w) for w in windows] + ([("event_window", event_window)] if asked else [])
    for what, (a, b) in checks:
        if b > after or a < -before:
            side = (f"the data end on {axis[-1].date()}, {after} dates after the earliest day 0"
                    if b > after else f"the data start on {axis[0].date()}, {before} dates before the latest day 0")
            raise ResearchError(f"{what} {_label((a, b))} reaches beyond the data: {side}; shorten it "
                                f"(the event window is {_label(event_window)})")
    notes = []
    moved = np.flatnonzero(axis[d0_row] != day0[idx])
    for k in moved:
        i = idx[k]
        asked_day, found = day0[i], axis[d0_row[k]]
        notes.append(f"event {events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r}: day 0 "
                     f"{asked_day.date()} ({asked_day:%a}) has no observation; day 0 is the next, "
                     f"{found.date()} ({found:%a})")
    last = obs.nobs[sec[idx]] - 1 - pos0[idx]
    for k in np.flatnonzero((last < event_window[1]) | (pos0[idx] < -event_window[0])):
        i = idx[k]
        notes.append(f"event {events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r}: the listing's "
                     f"observations cover relative days {-int(pos0[i])} to {int(last[k])}, not all of the event "
                     f"window {_label(event_window)}; its CARs use the observed days")
    return notes


def _as_dates(index, what: str) -> pd.DatetimeIndex:
    try:
        idx = pd.DatetimeIndex(index)
    except (TypeError, ValueError):
        raise ResearchError(f"{what} must be indexed by dates (a DatetimeIndex)") from None
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    if idx.hasnans:
        raise ResearchError(f"{what} has a missing date in its index")
    if idx.has_duplicates:
        raise ResearchError(f"{what} has the date {idx[idx.duplicated()][0].date()} more than once")
    if not idx.is_monotonic_increasing:
        raise ResearchError(f"{what} dates are not in increasing order")
    return idx.normalize() if (idx != idx.normalize()).any() else idx


def _as_market(market, tickers) -> pd.Series | pd.DataFrame:
    if isinstance(market, pd.Series):
        if not pd.api.types.is_numeric_dtype(market) or pd.api.types.is_bool_dtype(market):
            raise ResearchError(f"market must hold numbers, not dtype {market.dtype}")
        m = market.copy(deep=False)
        m.index = _as_dates(m.index, "market")
        return m
    if isinstance(market, pd.DataFrame):
        missing = [t for t in tickers if t not in market.columns]
        if missing:
            raise ResearchError(f"market has no benchmark column for ticker(s) {', '.join(map(repr, missing))}; "
                                f"give one column per ticker, or a Series for one benchmark")
        return _as_frame(market[tickers], "market")
    raise ResearchError(f"market must be a Series or a DataFrame, not {type(market).__name__}")


def _as_events(events) -> pd.DataFrame:
    if isinstance(events, Mapping):
        rows = []
        for ticker, day in events.items():
            stamp = _timestamp(day, f"events[{ticker!r}]")
            rows.append((str(stamp.date()), ticker, stamp, ""))
        frame = pd.DataFrame(rows, columns=["event_id", "ticker", "day0", "role"])
    elif isinstance(events, pd.DataFrame):
        need = [c for c in ("event_id", "ticker", "day0") if c not in events.columns]
        if need:
            raise ResearchError(f"events has no column(s) {', '.join(need)} (needs event_id, ticker, day0; "
                                f"role optional)")
        frame = events[["event_id", "ticker", "day0"]].reset_index(drop=True)
        frame["role"] = (events["role"].fillna("").astype(str).to_numpy() if "role" in events.columns else "")
        blank = frame["event_id"].isna() | frame["ticker"].isna()
        blank |= frame["ticker"].astype(str).str.strip() == ""
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise ResearchError(f"events row {i}: event_id and ticker must be filled (found "
                                f"{frame['event_id'].iloc[i]!r}, {frame['ticker'].iloc[i]!r})")
        day0 = frame["day0"]
        if not pd.api.types.is_datetime64_any_dtype(day0):
            try:
                day0 = pd.to_datetime(day0, errors="coerce", format="mixed")
            except (TypeError, ValueError):
                day0 = pd.Series([pd.NaT] * len(frame))
        else:
            day0 = pd.Series(day0)
        if getattr(day0.dt, "tz", None) is not None:
            day0 = day0.dt.tz_localize(None)
        if day0.isna().any():
            i = int(np.flatnonzero(day0.isna().to_numpy())[0])
            _timestamp(frame["day0"].iloc[i], f"events row {i} (event {frame['event_id'].iloc[i]!r}, "
                                              f"{frame['ticker'].iloc[i]!r}) day0")
        frame["day0"] = day0.dt.normalize().to_numpy()
    else:
        raise ResearchError(f"events must be a DataFrame (event_id, ticker, day0[, role]) or a mapping "
                            f"ticker -> date, not {type(events).__name__}")
    if frame.empty:
        raise ResearchError("events is empty")
    dup = frame.duplicated(["event_id", "ticker"])
    if dup.any():
        r = frame[dup].iloc[0]
        raise ResearchError(f"event {r.event_id!r} names ticker {r.ticker!r} more than once")
    frame["day0"] = pd.DatetimeIndex(frame["day0"])
    return frame.reset_index(drop=True)


def _timestamp(value, what):
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ResearchError(f"{what}: cannot read {value!r} as a date") from None
    if pd.isna(stamp):
        raise ResearchError(f"{what}: the date is missing")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_days(spec) -> bool:
    return len(spec) == 2 and _is_int(spec[0]) and _is_int(spec[1])


def _parse_window(spec, what):
    """("days", a, b) for relative days or ("dates", t0, t1) for dates; checked."""
    if not isinstance(spec, (tuple, list)) or len(spec) != 2:
        raise ResearchError(f"{what} must be a pair (start, end), not {spec!r}")
    a, b = spec
    if _is_days(spec):
        if a > b:
            raise ResearchError(f"{what} {_label(spec)} ends before it starts")
        return "days", int(a), int(b)
    if _is_int(a) or _is_int(b):
        raise ResearchError(f"{what} {spec!r} mixes relative days and dates")
    t0, t1 = _timestamp(a, what), _timestamp(b, what)
    if t0 > t1:
        raise ResearchError(f"{what} ({t0.date()}, {t1.date()}) ends before it starts")
    return "dates", t0, t1


def _date_range(obs, axis, sec, pos0, t0, t1):
    """Per listing-event relative days of its first observation on/after t0 and last on/before t1."""
    lo = obs.locate(sec, np.full(len(sec), axis.searchsorted(t0, side="left"), dtype=np.int64)) - pos0
    hi = obs.locate(sec, np.full(len(sec), axis.searchsorted(t1, side="right"), dtype=np.int64),
                    side="last_before") - pos0
    return lo, hi


def _common_windows(specs, what, obs, axis, sec, pos0, events):
    """Windows as relative days, the same for every listing-event (date windows are mapped)."""
    if isinstance(specs, tuple) and len(specs) == 2 and not isinstance(specs[0], (tuple, list)):
        raise ResearchError(f"{what} must be a list of (start, end) pairs, e.g. [(0, 0), (-1, 1)]")
    out = []
    for spec in specs:
        kind, a, b = _parse_window(spec, what)
        if kind == "days":
            out.append((a, b))
            continue
        if len(sec) == 0:
            continue
        lo, hi = _date_range(obs, axis, sec, pos0, a, b)
        if (hi < lo).any():
            i = int(np.flatnonzero(hi < lo)[0])
            raise ResearchError(f"{what} ({a.date()}, {b.date()}) holds no trading day of "
                                f"{events['ticker'].iloc[i]!r} (event {events['event_id'].iloc[i]!r})")
        if (lo != lo[0]).any() or (hi != hi[0]).any():
            i = int(np.flatnonzero((lo != lo[0]) | (hi != hi[0]))[0])
            raise ResearchError(
                f"{what} ({a.date()}, {b.date()}) is relative days [{lo[0]}, {hi[0]}] for "
                f"{events['ticker'].iloc[0]!r} but [{lo[i]}, {hi[i]}] for {events['ticker'].iloc[i]!r} "
                f"(event {events['event_id'].iloc[i]!r}): give windows as relative trading days")
        out.append((int(lo[0]), int(hi[0])))
    return list(dict.fromkeys(out))


def _estimation_ranges(spec, obs, axis, sec, pos0, placed):
    kind, a, b = _parse_window(spec, "estimation")
    n = len(sec)
    if kind == "days":
        return np.full(n, a, dtype=np.int64), np.full(n, b, dtype=np.int64)
    lo = np.zeros(n, dtype=np.int64)
    hi = np.full(n, -1, dtype=np.int64)
    if placed.any():
        lo[placed], hi[placed] = _date_range(obs, axis, sec[placed], pos0[placed], a, b)
    return lo, hi


def _label(window) -> str:
    a, b = window
    return f"[{a},{b}]"


def _json_window(spec):
    return [x if _is_int(x) else str(pd.Timestamp(x).date()) for x in spec]


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
