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

from dataclasses import dataclass

import numpy as np

from research.study.models import WindowData


@dataclass
class Observations:
    """Every listing's observations on its own clock, stacked listing after listing.

    Attributes
    ----------
    start : int (S + 1,), observations of listing s are ``start[s]:start[s + 1]``.
    row : int (K,), the row of each observation on the date axis.
    r, m, span : float (K,), return, compounded benchmark return, sessions covered.
    valid : bool (K,), return, benchmark (and factors) present and span >= 1.
    factors : float (K, q) or None; rf : float (K,) or None, compounded likewise.
    first_return_row : int (S,), the row of each listing's first return (-1 if it has none).
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

    @property
    def nobs(self) -> np.ndarray:
        return np.diff(self.start)

    def shifted_market(self, j: int) -> np.ndarray:
        """The benchmark return of the observation ``j`` places later on the same listing's clock."""
        out = np.full_like(self.m, np.nan)
        k = len(self.m)
        idx = np.arange(k)
        src = idx + j
        sec = np.repeat(np.arange(len(self.start) - 1), self.nobs)
        ok = (src >= 0) & (src < k)
        ok[ok] &= sec[src[ok]] == sec[ok]
        out[ok] = self.m[src[ok]]
        return out

    def locate(self, sec: np.ndarray, rows: np.ndarray, side: str = "first_on_or_after") -> np.ndarray:
        """Position on listing ``sec``'s clock of its first observation at row >= ``rows``
        (``side="first_on_or_after"``) or its last observation at row < ``rows``
        (``side="last_before"``: pass the first row after the date)."""
        keys = self._keys()
        found = np.searchsorted(keys, sec.astype(np.int64) * (self.n_dates + 1) + rows, side="left")
        pos = found - self.start[sec]
        return pos if side == "first_on_or_after" else pos - 1

    def _keys(self):
        if getattr(self, "_key_cache", None) is None:
            sec = np.repeat(np.arange(len(self.start) - 1, dtype=np.int64), self.nobs)
            self._key_cache = sec * (self.n_dates + 1) + self.row
        return self._key_cache


def _match(values, cols, row, prev, kind):
    """Values of ``values[:, cols]`` compounded over the rows ``(prev, row]`` of each observation.

    Returns the compounded return (product of ``1 + R`` minus 1 for simple returns, sum for
    log returns, over the non-NaN values; NaN when there is none) and the count of non-NaN
    values (the span in sessions). Observations one row after the previous take the value on
    their row as is; longer spans are compounded step by step (exactly, not through a
    cumulative sum, so a span's return keeps full relative precision).
    """
    here = values[row, cols]
    out = here.copy()
    count = (~np.isnan(here)).astype(np.int64)
    gap = np.flatnonzero(row - prev > 1)
    if len(gap):
        g_row, g_prev, g_col = row[gap], prev[gap], cols[gap]
        acc = np.zeros(len(gap)) if kind == "log" else np.ones(len(gap))
        cnt = np.zeros(len(gap), dtype=np.int64)
        for step in range(1, int((g_row - g_prev).max()) + 1):
            at = g_prev + step
            live = at <= g_row
            v = values[np.minimum(at, g_row), g_col]
            use = live & ~np.isnan(v)
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
    has_return = ~np.isnan(R)
    first_return_row = np.where(has_return.any(axis=0), has_return.argmax(axis=0), -1)
    if convention == "estudy2":
        clock = ~np.isnan(M[:, bench_of])
    else:
        clock = has_return
    sec, row = np.nonzero(clock.T)                       # sorted by listing, then date
    counts = clock.sum(axis=0)
    start = np.zeros(S + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    row = row.astype(np.int64)
    r = R[row, sec]
    cols = bench_of[sec]
    if convention == "estudy2":
        m = M[row, cols]
        span = np.where(np.isnan(m), 0.0, 1.0)
        fac = F[row] if F is not None else None
        rf = RF[row] if RF is not None else None
    else:
        # the previous observation's row; a listing's first observation covers its own row only
        # (leading NaNs are not a gap)
        first = np.zeros(len(row), dtype=bool)
        first[start[:-1][counts > 0]] = True
        prev = np.empty_like(row)
        prev[1:] = row[:-1]
        prev[first] = row[first] - 1
        m, n = _match(M, cols, row, prev, kind)
        span = n.astype(float)
        fac = rf = None
        if F is not None:
            fac = np.empty((len(row), F.shape[1]))
            for j in range(F.shape[1]):
                fac[:, j], _ = _match(F, np.full(len(row), j), row, prev, kind)
        if RF is not None:
            rf, _ = _match(RF[:, None], np.zeros(len(row), dtype=np.int64), row, prev, kind)
    valid = ~np.isnan(r) & ~np.isnan(m) & (span >= 1)
    if fac is not None:
        valid &= ~np.isnan(fac).any(axis=1)
    if rf is not None:
        valid &= ~np.isnan(rf)
    span = np.where(valid, span, np.nan)
    return Observations(start=start, row=row, r=r, m=m, span=span, valid=valid, factors=fac, rf=rf,
                        first_return_row=first_return_row, n_dates=D)


def gather_window(obs: Observations, sec, pos0, days, lo=None, hi=None, shifted=None, factor_names=()):
    """The window ``days`` (relative trading days) of n listing-events as :class:`WindowData`.

    ``lo``/``hi`` (n,) optionally restrict each row to its own relative-day range (estimation
    windows given as dates); ``shifted`` maps clock offsets to flat arrays from
    :meth:`Observations.shifted_market`. Also returns the date-axis row of each cell (-1
    outside the listing's data) and the in-range mask.
    """
    pos = pos0[:, None] + days[None, :]
    nobs = obs.nobs[sec][:, None]
    inside = (pos >= 0) & (pos < nobs)
    flat = obs.start[sec][:, None] + np.clip(pos, 0, np.maximum(nobs - 1, 0))
    flat = np.where(inside, flat, 0) if len(obs.r) else np.zeros_like(flat)
    take = (lambda a: np.where(inside, a[flat], np.nan)) if len(obs.r) else (lambda a: np.full(flat.shape, np.nan))
    valid = inside & obs.valid[flat] if len(obs.r) else np.zeros(flat.shape, dtype=bool)
    if lo is not None:
        valid &= (days[None, :] >= lo[:, None]) & (days[None, :] <= hi[:, None])
    r = take(obs.r)
    m = take(obs.m)
    span = take(obs.span)
    factors = None
    if obs.factors is not None:
        factors = np.where(inside[..., None], obs.factors[flat], np.nan)
    rf = take(obs.rf) if obs.rf is not None else None
    m_shift = {j: np.where(inside, a[flat], np.nan) for j, a in (shifted or {}).items()}
    rows = np.where(inside, obs.row[flat], -1) if len(obs.r) else np.full(flat.shape, -1)
    in_range = inside
    if lo is not None:
        in_range = inside & (days[None, :] >= lo[:, None]) & (days[None, :] <= hi[:, None])
    data = WindowData(days=days, r=r, m=m, span=span, valid=valid, factors=factors, rf=rf,
                      m_shift=m_shift, factor_names=tuple(factor_names))
    return data, rows, in_range


def cumulative_abnormal_returns(evt_ar, evt_days, windows):
    """CAR over each window: ``CAR_i(a, b) = sum_{t=a..b} AR_it`` over the observed days.

    Returns ``car`` (n, w) (NaN where the listing has no observation in the window) and
    ``n_days`` (n, w), the observed days. (MacKinlay 1997, eq. 12.)
    """
    n = evt_ar.shape[0]
    car = np.full((n, len(windows)), np.nan)
    n_days = np.zeros((n, len(windows)), dtype=np.int64)
    observed = ~np.isnan(evt_ar)
    filled = np.where(observed, evt_ar, 0.0)
    for j, (a, b) in enumerate(windows):
        cols = (evt_days >= a) & (evt_days <= b)
        n_days[:, j] = observed[:, cols].sum(axis=1)
        car[:, j] = np.where(n_days[:, j] > 0, filled[:, cols].sum(axis=1), np.nan)
    return car, n_days


def buy_and_hold_abnormal_returns(evt_r, evt_expected, evt_days, windows, kind):
    """BHAR (Barber and Lyon 1997): ``prod_t (1 + R_it) - prod_t (1 + E[R_it])`` over the window.

    On simple returns; log returns are converted first (``exp(sum R) - exp(sum E[R])``). Days
    without an observation are skipped on both sides; NaN when none is observed.
    """
    observed = ~np.isnan(evt_r) & ~np.isnan(evt_expected)
    n = evt_r.shape[0]
    out = np.full((n, len(windows)), np.nan)
    r0 = np.where(observed, evt_r, 0.0)
    e0 = np.where(observed, evt_expected, 0.0)
    for j, (a, b) in enumerate(windows):
        cols = (evt_days >= a) & (evt_days <= b)
        if kind == "log":
            val = np.exp(r0[:, cols].sum(axis=1)) - np.exp(e0[:, cols].sum(axis=1))
        else:
            val = np.prod(1.0 + r0[:, cols], axis=1) - np.prod(1.0 + e0[:, cols], axis=1)
        out[:, j] = np.where(observed[:, cols].any(axis=1), val, np.nan)
    return out
