"""Event time, trade-to-trade matching, and abnormal-return aggregates (CAR, BHAR).

Event time is counted in each listing's own trading days: a listing's observations are its
non-NaN returns, in date order, and relative day 0 is its first observation on or after the
event's day-0 date. Relative day ``k`` is the observation ``k`` places later (earlier when
``k < 0``). Everything here works on every listing at once: the observations of all listings
are stacked into flat arrays (listing after listing), and a window of n listing-events is a
gather ``flat[start[listing] + pos0 + days]``.

Trade-to-trade returns (Maynes and Rumsey 1993). Returns are close-to-close between a
listing's consecutive trades (``research.prices.returns``), so a return that follows days
without a return spans several sessions. It is matched with the benchmark compounded over the
same span, the dates after the previous observation up to and including its own (sum of log
returns, product of ``1 + R`` for simple returns), and its span in sessions is the number of
benchmark returns in that interval. The first observation of a listing has span 1 (leading
NaNs are not a gap). Factor returns are compounded over the same interval.

Under ``convention="estudy2"`` the clock is the benchmark's sessions instead (the dates on which
the listing's benchmark has a return), as in the R package estudy2: a listing without a return
on a session has a missing observation there, nothing is compounded and every span is 1.

References
----------
Maynes, E. and Rumsey, J. (1993), J. Banking Finance 17(1), 145-157.
Barber, B. M. and Lyon, J. D. (1997), Detecting long-run abnormal stock returns, J. Financ.
Econ. 43(3), 341-372.
MacKinlay, A. C. (1997), J. Econ. Lit. 35(1), 13-39.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from research.study.models import WindowData


@dataclass
class Observations:
    """Every listing's observations on its own clock, stacked listing after listing.

    Attributes
    ----------
    start : int (S + 1,), observations of listing s are ``start[s]:start[s + 1]``; K =
        ``start[-1]`` observations in all.
    row : int (K + 1,), the row of each observation on the date axis.
    r, m, span : float (K + 1,), return, compounded benchmark return, sessions covered.
    valid : bool (K + 1,), return, benchmark (and factors) present and span >= 1.
    factors : float (K + 1, q) or None; rf : float (K + 1,) or None, compounded likewise.
    Index K of every flat array is a sentinel (NaN, False, -1): "no observation".
    first_return_row : int (S,), the row of each listing's first return (-1 if it has none).
    before : int32 (S, D + 1), ``before[s, r]`` = observations of listing s on rows < r.
    """

    start: np.ndarray
    row: np.ndarray
    r: np.ndarray
    m: np.ndarray
    span: np.ndarray
    valid: np.ndarray
    factors: np.ndarray | None
    rf: np.ndarray | None
    first_return_row: np.ndarray
    n_dates: int
    before: np.ndarray

    @property
    def nobs(self) -> np.ndarray:
        return np.diff(self.start)

    def padded(self, sec: np.ndarray, pos0: np.ndarray, first: int, last: int) -> "PaddedObservations":
        """The same observations with empty cells (NaN, False, -1) around the listings, so that
        the cells ``first..last`` (relative to day 0 at position ``pos0`` of listing ``sec``'s
        clock) of every listing-event are one contiguous slice that sees nothing of its
        neighbours. A listing gets only the cells its windows reach beyond its own observations
        (two neighbours share theirs): on a panel cut to the windows most get none, where a
        fixed pad around every listing doubled the arrays."""
        S = len(self.start) - 1
        K = int(self.start[-1])
        nobs = self.nobs
        before, after = np.zeros(S, np.int64), np.zeros(S, np.int64)
        np.maximum.at(before, sec, -(pos0 + first))
        np.maximum.at(after, sec, pos0 + last - (nobs[sec] - 1))
        gap = np.maximum(np.r_[0, after], np.r_[before, 0])          # gap[s]: cells before listing s
        shift = np.cumsum(gap[:-1])
        offset = self.start[:-1] + shift
        total = K + int(gap.sum())
        where = np.arange(K, dtype=np.int64) + np.repeat(shift, nobs)

        def lay(values, fill):
            if values is None:
                return None
            out = np.full((total,) + values.shape[1:], fill, dtype=values.dtype)
            out[where] = values[:K]
            return out

        unit = not np.any(self.span[:K] > 1)      # NaN compares False
        return PaddedObservations(offset=offset, unit=unit, row=lay(self.row, -1), r=lay(self.r, np.nan),
                                  m=lay(self.m, np.nan), span=lay(self.span, np.nan),
                                  valid=lay(self.valid, False), factors=lay(self.factors, np.nan),
                                  rf=lay(self.rf, np.nan))

    def release(self) -> None:
        """Drop the per-observation values (kept: clock, rows and ``before``), once
        :meth:`padded` has copied them."""
        self.r = self.m = self.span = self.valid = self.factors = self.rf = None

    def locate(self, sec: np.ndarray, rows: np.ndarray, side: str = "first_on_or_after") -> np.ndarray:
        """Position on listing ``sec``'s clock of its first observation at row >= ``rows``
        (``side="first_on_or_after"``; ``nobs`` if there is none) or of its last observation at
        row < ``rows`` (``side="last_before"``: pass the first row after the date; -1 if none)."""
        pos = self.before[sec, rows].astype(np.int64)
        return pos if side == "first_on_or_after" else pos - 1


@dataclass
class PaddedObservations:
    """:class:`Observations` laid out with empty cells around the listings (:meth:`Observations.padded`).

    ``offset[s]`` is the index of listing s's first observation; the window of relative days
    ``d0..d1`` of a listing-event with day 0 at position ``pos0`` of its clock is the slice
    ``offset[s] + pos0 + d0 : offset[s] + pos0 + d1 + 1`` of every array.
    """

    offset: np.ndarray
    unit: bool
    row: np.ndarray
    r: np.ndarray
    m: np.ndarray
    span: np.ndarray
    valid: np.ndarray
    factors: np.ndarray | None
    rf: np.ndarray | None
    _views: dict = field(default_factory=dict, repr=False, compare=False)

    def windows(self, values: np.ndarray, width: int) -> np.ndarray:
        """``values`` seen as overlapping windows of ``width`` cells along the first axis (a
        read-only view; row j is ``values[j:j + width]``), made once per array and width: the
        blocks of a run index the same views."""
        key = (id(values), width)
        view = self._views.get(key)
        if view is None or view[0] is not values:
            view = (values, sliding_window_view(values, width, axis=0))
            self._views[key] = view
        return view[1]


def _match(values_t, cols, row, prev, kind, out=None):
    """Benchmark (or factor) returns compounded over the rows ``(prev, row]`` of each observation.

    ``values_t`` is (B, D): one row per benchmark column; ``cols`` (K,) the column of each
    observation. Returns the compounded return (product of ``1 + R`` minus 1 for simple
    returns, sum for log returns, over the non-NaN values; NaN when there is none) and the
    count of non-NaN values (the span in sessions). An observation one row after the previous
    takes the value on its row as is; longer spans are compounded step by step (exactly, not
    through a cumulative sum, so a span's return keeps full relative precision).
    """
    D = values_t.shape[1]
    flat_values = values_t.reshape(-1)
    base = cols * D if values_t.shape[0] > 1 else 0
    out = np.take(flat_values, base + row, out=out, mode="clip")  # indices are valid; "clip" avoids buffering
    count = (out == out).astype(np.int64)          # not NaN
    gap = np.flatnonzero(row - prev > 1)
    if len(gap):
        g_row, g_prev = row[gap], prev[gap]
        g_base = base[gap] if values_t.shape[0] > 1 else 0
        acc = np.zeros(len(gap)) if kind == "log" else np.ones(len(gap))
        cnt = np.zeros(len(gap), dtype=np.int64)
        for step in range(1, int((g_row - g_prev).max()) + 1):
            at = g_prev + step
            v = flat_values[g_base + np.minimum(at, g_row)]
            use = (at <= g_row) & ~np.isnan(v)
            if kind == "log":
                acc = np.where(use, acc + v, acc)
            else:
                acc = np.where(use, acc * (1.0 + v), acc)
            cnt += use
        comp = acc if kind == "log" else acc - 1.0
        out[gap] = np.where(cnt > 0, comp, np.nan)
        count[gap] = cnt
    return out, count


def build_observations(R, M, bench_of, kind, convention, F=None, RF=None) -> Observations:
    """Stack every listing's observations and match benchmark (and factor) returns to them.

    Parameters
    ----------
    R : float (D, S), returns on the common date axis; M : float (D, B), benchmark returns;
    bench_of : int (S,), the benchmark column of each listing; kind : "simple" or "log";
    convention : "textbook" (own trading clock, trade-to-trade) or "estudy2" (benchmark clock);
    F : float (D, q) factor returns or None; RF : float (D,) risk-free returns or None.
    """
    D, S = R.shape
    Rt = np.ascontiguousarray(R.T)                       # (S, D): a listing's dates are contiguous
    Mt = np.ascontiguousarray(M.T)                       # (B, D)
    has_return = ~np.isnan(Rt)
    first_return_row = np.where(has_return.any(axis=1), has_return.argmax(axis=1), -1)
    clock = ~np.isnan(Mt[bench_of]) if convention == "estudy2" else has_return
    flat = np.flatnonzero(clock)                         # sorted by listing, then date
    K = len(flat)
    counts = clock.sum(axis=1)
    start = np.zeros(S + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    sec = np.repeat(np.arange(S, dtype=np.int64), counts)
    row = np.empty(K + 1, dtype=np.int64)
    np.subtract(flat, sec * D, out=row[:K])
    row[K] = -1
    r = np.empty(K + 1)
    np.take(Rt.reshape(-1), flat, out=r[:K], mode="clip")
    r[K] = np.nan
    cols = bench_of[sec]
    m = np.empty(K + 1)
    m[K] = np.nan
    rk = row[:K]
    fac = rf = None
    if convention == "estudy2":
        _match(Mt, cols, rk, rk - 1, kind, out=m[:K])
        span = np.where(np.isnan(m), np.nan, 1.0)
        if F is not None:
            fac = np.vstack([F[rk], np.full((1, F.shape[1]), np.nan)])
        if RF is not None:
            rf = np.append(RF[rk], np.nan)
    else:
        # the previous observation's row; a listing's first observation covers its own row only
        # (leading NaNs are not a gap)
        prev = np.empty(K, dtype=np.int64)
        prev[1:] = rk[:-1]
        firsts = start[:-1][counts > 0]
        prev[firsts] = rk[firsts] - 1
        _, n = _match(Mt, cols, rk, prev, kind, out=m[:K])
        span = np.empty(K + 1)
        span[:K] = n
        span[K] = np.nan
        if F is not None:
            Ft = np.ascontiguousarray(F.T)
            fac = np.full((K + 1, F.shape[1]), np.nan)
            for j in range(F.shape[1]):
                fac[:K, j], _ = _match(Ft[j:j + 1], np.zeros(K, dtype=np.int64), rk, prev, kind)
        if RF is not None:
            rf = np.full(K + 1, np.nan)
            _match(RF[None, :], np.zeros(K, dtype=np.int64), rk, prev, kind, out=rf[:K])
    valid = ~np.isnan(r) & ~np.isnan(m) & (span >= 1)
    if fac is not None:
        valid &= ~np.isnan(fac).any(axis=1)
    if rf is not None:
        valid &= ~np.isnan(rf)
    valid[K] = False
    span[~valid] = np.nan
    before = np.zeros((S, D + 1), dtype=np.int32)
    np.cumsum(clock, axis=1, dtype=np.int32, out=before[:, 1:])
    return Observations(start=start, row=row, r=r, m=m, span=span, valid=valid, factors=fac, rf=rf,
                        first_return_row=first_return_row, n_dates=D, before=before)


def reach_rows(values: np.ndarray, cols: np.ndarray, row0: np.ndarray, before: int, after: int,
               worth: float = 0.8) -> tuple[int, int]:
    """The rows ``lo..hi`` of ``values`` (D, S) that hold, for every listing-event (column
    ``cols[i]``, day 0 on row ``row0[i]``), its ``before`` observations before day 0 and its
    ``after`` observations from day 0 on; a bound reaches the first (last) row when a listing has
    fewer. Observations are the non-NaN cells, as in :func:`build_observations`.

    A study cut to these rows sees every listing-event's windows with the same observations, the
    same trade-to-trade spans (``before`` counts the observation before the first one used) and
    the same shortfalls at either end of the data, so its results are those of the whole panel;
    its cost then follows the events' windows, not the panel's length. A guess from day 0 and
    the counts is widened by each listing's shortfall until every one holds. Returns ``(0, D - 1)``
    when the cut would keep more than ``worth`` of the rows (not worth a check).
    """
    D = values.shape[0]
    lo, hi = max(0, int(row0.min()) - before), min(D - 1, int(row0.max()) + after - 1)
    if hi - lo + 1 > worth * D:
        return 0, D - 1
    ucols, inv = np.unique(cols, return_inverse=True)
    while True:
        # one row per listing, its dates along memory: a running count down the columns of the
        # (dates x listings) frame strides across memory and cost ten times more
        seen = np.ascontiguousarray(~np.isnan(values[lo:hi + 1, ucols].T))
        held = np.zeros((len(ucols), hi - lo + 2), dtype=np.int32)   # held[:, k]: observations on rows < lo + k
        np.cumsum(seen, axis=1, dtype=np.int32, out=held[:, 1:])
        at = np.clip(row0 - lo, 0, hi - lo + 1)
        short_before = 0 if lo == 0 else int((before - held[inv, at]).max())
        short_after = 0 if hi == D - 1 else int((after - (held[inv, -1] - held[inv, at])).max())
        if short_before <= 0 and short_after <= 0:
            return lo, hi
        if short_before > 0:
            lo = max(0, lo - 2 * short_before)
        if short_after > 0:
            hi = min(D - 1, hi + 2 * short_after)
        if hi - lo + 1 > worth * D:
            return 0, D - 1


def gather_window(obs: PaddedObservations, sec, pos0, days, lo=None, hi=None, shifts=(), factor_names=(),
                  want_rows=True):
    """The window ``days`` (consecutive relative trading days) of n listing-events as
    :class:`WindowData`: one row slice per listing-event and field, no index arrays.

    ``lo``/``hi`` (n,) optionally restrict each row to its own relative-day range (estimation
    windows given as dates); ``shifts`` are the clock offsets of the benchmark the model needs
    (``m_shift[j]`` is the benchmark return of the observation ``j`` places later). Returns the
    data, the date-axis row of each cell (-1 outside the listing's data; None unless
    ``want_rows``) and the in-range mask (None when there is no ``lo``/``hi``).
    """
    width = len(days)
    first = obs.offset[sec] + pos0 + int(days[0])

    def rows_of(values, shift=0):
        return obs.windows(values, width)[first + shift]

    valid = rows_of(obs.valid)
    in_range = None
    if lo is not None:
        in_range = (days[None, :] >= lo[:, None]) & (days[None, :] <= hi[:, None])
        valid &= in_range
    factors = None
    if obs.factors is not None:
        factors = np.ascontiguousarray(rows_of(obs.factors).transpose(0, 2, 1))
    data = WindowData(days=days, r=rows_of(obs.r), m=rows_of(obs.m), span=rows_of(obs.span), valid=valid,
                      factors=factors, rf=rows_of(obs.rf) if obs.rf is not None else None,
                      m_shift={j: rows_of(obs.m, j) for j in shifts}, factor_names=tuple(factor_names),
                      unit_span=obs.unit)
    return data, (rows_of(obs.row) if want_rows else None), in_range


def _columns(evt_days, window):
    """The slice of event-window columns holding relative days ``a..b``."""
    a, b = window
    lo = int(np.searchsorted(evt_days, a, side="left"))
    hi = int(np.searchsorted(evt_days, b, side="right"))
    return slice(lo, hi)


def window_returns(evt_ar, evt_r, evt_expected, evt_days, windows, kind, columns=None):
    """CAR, observed days and BHAR of each row over each window, in one sweep.

    ``CAR_i(a, b) = sum_{t=a..b} AR_it`` over the observed days (MacKinlay 1997, eq. 12; NaN
    when the listing has no observation in the window) and ``n_days``, their number. BHAR
    (Barber and Lyon 1997) = ``prod_t (1 + R_it) - prod_t (1 + E[R_it])`` on simple returns,
    ``exp(sum R) - exp(sum E[R])`` on log returns, over the days with both a return and an
    expected return (NaN when there is none). Returns ``car``, ``n_days`` (n, w) and ``bhar``
    (n, w); computed by :func:`research.study.kernels.window_returns`.
    """
    from research.study import kernels

    columns = columns or [_columns(evt_days, w) for w in windows]
    n = evt_ar.shape[0]
    car, bhar = np.empty((n, len(windows))), np.empty((n, len(windows)))
    n_days = np.empty((n, len(windows)), dtype=np.int64)
    kernels.window_returns(evt_ar, evt_r, evt_expected, np.array([c.start for c in columns], np.int64),
                           np.array([c.stop for c in columns], np.int64), kind == "log", car, n_days, bhar)
    return car, n_days, bhar
