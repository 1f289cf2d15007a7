"""Shared pieces of the tests: threads over row blocks, packed-key sorts and ranks, p-values,
masked moments, the exact signed-rank null, the GHK sums and the output frame."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import (docstrings of 100 distributions) costs a second

from research.errors import ResearchError
from research.study import kernels
from research.study.panel import AbnormalReturnPanel
from research.study.significance.registry import COLUMNS


def finite(a) -> np.ndarray:
    """The array as floats with infinities as NaN, read-only (copied only if needed)."""
    a = np.asarray(a, dtype=float)
    inf = np.isinf(a)
    if inf.any():
        a = np.where(inf, np.nan, a)
    a = a.view()
    a.flags.writeable = False
    return a


def group_masks(panel: AbnormalReturnPanel, groups) -> list[tuple[str, np.ndarray]]:
    n = panel.n
    out = [("all", np.ones(n, bool))]
    if groups is None:
        return out
    labels = pd.Series(np.asarray(groups, dtype=object) if not isinstance(groups, pd.Series)
                       else groups.to_numpy(dtype=object))
    if len(labels) != n:
        raise ResearchError(f"groups has {len(labels)} labels for {n} listings")
    # one pass over the labels (codes in order of first appearance, -1 where missing), then an
    # integer comparison per group: comparing strings per group cost O(groups x listings)
    codes, names = pd.factorize(labels.where(labels.isna(), labels.astype(str)))
    if "all" in set(names):
        raise ResearchError('"all" is reserved for the pooled sample; rename that group')
    for code, name in enumerate(names):
        out.append((str(name), codes == code))
    return out


def window_cars(panel: AbnormalReturnPanel, windows) -> list[tuple[np.ndarray, np.ndarray]]:
    """``panel.car(a, b)`` (CAR and its variance) for every window, the windows over the cores."""
    out = [None] * len(windows)

    def one(j: int) -> None:
        out[j] = panel.car(*windows[j])

    in_threads(one, list(range(len(windows))))
    return out


def p_normal(z) -> np.ndarray:
    return 2.0 * special.ndtr(-np.abs(z))          # the normal survival function, as scipy.stats.norm.sf


def p_t(t, df) -> np.ndarray:
    """Two-sided Student-t p-values, 2 P(T_df > |t|) (``scipy.special.stdtr``, the function
    behind ``scipy.stats.t.sf``), over the cores for long arrays."""
    t, df = np.broadcast_arrays(np.asarray(t, float), np.asarray(df, float))
    out = np.full(t.shape, np.nan)
    ok = (df > 0) & ~np.isnan(t)
    t, df = -np.abs(t[ok]), df[ok]
    p = np.empty(len(t))

    def block(rows: slice) -> None:
        p[rows] = 2.0 * special.stdtr(df[rows], t[rows])

    in_chunks(block, len(t), 1 << 16)
    out[ok] = p
    return out


def masked_moments(x: np.ndarray, mask: np.ndarray):
    """Count, mean and sample variance (n - 1) along the last axis over ``mask``."""
    n = mask.sum(axis=-1)
    mean = np.where(mask, x, 0.0).sum(axis=-1) / n
    dev = np.where(mask, x - mean[..., None], 0.0)
    var = (dev ** 2).sum(axis=-1) / (n - 1)
    return n, mean, var


CHUNK_ROWS = 4096
#: rows per block of the tests' pass (:func:`stream`): its temporaries stay in cache
PASS_ROWS = 1024


def in_chunks(func: Callable[[slice], None], n_rows: int, rows: int | None = None) -> None:
    """Run ``func`` on row blocks, spread over the machine's cores.

    numpy releases the GIL in sorts and elementwise loops, so threads share the work; blocks
    of a few thousand rows also stay in cache. ``func`` writes its block of preallocated
    outputs, so the result does not depend on the number of threads.
    """
    size = rows or CHUNK_ROWS
    blocks = [slice(i, min(i + size, n_rows)) for i in range(0, n_rows, size)]
    in_threads(func, blocks)


def in_threads(func: Callable, items: list) -> None:
    """``func`` on each item, over the cores when there is more than one item.

    numpy's error state is context-local and does not follow into new threads, so each call
    sets it (0/0 and x/0 give NaN and inf silently: missing listings are expected)."""

    def call(item) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            func(item)

    workers = min(len(items), os.cpu_count() or 1)
    if workers <= 1:
        for item in items:
            call(item)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(call, items))


def column_bits(m: int) -> np.int64:
    """The mask of the low mantissa bits that hold a column number below ``m``."""
    return np.int64((1 << max(1, int(np.ceil(np.log2(max(m, 1)))))) - 1)


def sort_order(keyed: np.ndarray, packed: np.ndarray | None = None) -> np.ndarray:
    """Rows of ``keyed`` (no NaN; +inf for missing) sorted as packed keys: each value with its
    lowest mantissa bits (:func:`column_bits`) replaced by its column number, sorted as floats
    in place (numpy's SIMD sort, faster than argsort). The column of the j-th smallest value
    is ``result[i, j] & column_bits(m)``, read by :func:`research.study.kernels.rank_rows`.

    Infinities become the largest finite values first, so no NaN can arise. Values that
    differ only in those low bits (relative gap below about 2^-43) may come out in column
    order: the rank kernel repairs such pairs on the exact values. ``packed``, if given, holds
    the keys already (:func:`research.study.kernels.prepare_rows` writes them).
    """
    if packed is None:
        low = column_bits(keyed.shape[1])
        big = np.finfo(float).max
        packed = np.clip(keyed, -big, big).view(np.int64)
        packed &= ~low
        packed |= np.arange(keyed.shape[1], dtype=np.int64)
    packed.view(np.float64).sort(axis=1)      # in place: np.sort's copy is several times slower
    return packed.view(np.int64)


def rank_rows(values: np.ndarray, first: int | None = None, ties: bool = False,
               medians: bool = False, fill: float = np.nan):
    """Average ranks (1-based) of the non-NaN entries of each row, ``fill`` elsewhere.

    One sort per row (:func:`sort_order`, then :func:`research.study.kernels.rank_rows`),
    in row blocks over the cores. Optional extras from the same sort: ``first``, the ranks of
    the first ``first`` columns among themselves (the estimation window alone); ``ties``,
    sum(t^3 - t) over each row's tie groups (signed-rank variance); ``medians``, each row's
    median. Returns the ranks, then the extras requested.
    """
    n_rows, m = values.shape
    ranks = np.empty((n_rows, m))
    ranks_first = np.empty((n_rows, first if first is not None else 0))
    tie_term = np.zeros(n_rows)
    row_median = np.full(n_rows, np.nan)
    unit = np.ones(n_rows)

    def block(rows: slice) -> None:
        keyed = np.ascontiguousarray(np.where(np.isnan(values[rows]), np.inf, values[rows]))
        kernels.rank_rows(keyed, sort_order(keyed), column_bits(m), first if first is not None else 0, unit[rows], fill,
                          False, ranks[rows], ranks_first[rows], row_median[rows],
                          np.empty(keyed.shape[0], np.int64), tie_term[rows])

    in_chunks(block, n_rows)
    out = [ranks]
    if first is not None:
        out.append(ranks_first)
    if ties:
        out.append(tie_term)
    if medians:
        out.append(row_median)
    return out[0] if len(out) == 1 else tuple(out)


def signed_rank_null(doubled_ranks: np.ndarray) -> np.ndarray:
    """Exact null counts of 2 W+ given the (doubled, integer) ranks: every sign pattern.

    ``counts[k]`` is the number of the 2^n sign assignments with 2 W+ = k, by the convolution
    of the n two-point distributions {0, 2 r_j}. Exact conditional on the tie pattern.
    """
    total = int(doubled_ranks.sum())
    counts = np.zeros(total + 1)
    counts[0] = 1.0
    for r in doubled_ranks.astype(int):
        counts[r:] = counts[r:] + counts[:total + 1 - r].copy()
    return counts


@lru_cache(maxsize=4096)
def _signed_rank_null_of(sorted_ranks: bytes) -> np.ndarray:
    counts = signed_rank_null(np.frombuffer(sorted_ranks, dtype=np.int64))
    counts.flags.writeable = False
    return counts


def signed_rank_p(doubled_ranks: np.ndarray, w2: float) -> float:
    """Two-sided exact p of W+ = w2 / 2: 2 min(P(W+ <= w), P(W+ >= w)), at most 1."""
    # the null depends on the ranks, not their order (its counts are exact integers), so samples
    # of one size without ties share it: a simulation asks for the same few thousands of times
    counts = _signed_rank_null_of(np.sort(np.asarray(doubled_ranks).astype(np.int64)).tobytes())
    total = counts.sum()
    k = int(round(w2))
    lower = counts[:k + 1].sum() / total
    upper = counts[k:].sum() / total
    return min(1.0, 2.0 * min(lower, upper))


@lru_cache(maxsize=256)
def qsignrank(p: float, n: int) -> float:
    """Smallest w with P(W+ <= w) >= p for n untied ranks (R's ``qsignrank``).

    Exact for n <= 50; beyond, the normal approximation mean + z_p sd rounded up (estudy2
    computes it exactly; the two differ by at most a rank or so at such n).
    """
    if n > 50:
        mean, sd = n * (n + 1) / 4.0, np.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)
        return float(np.ceil(mean + special.ndtri(p) * sd))
    counts = signed_rank_null(2 * np.arange(1, n + 1))[::2]
    cdf = np.cumsum(counts) / counts.sum()
    return float(np.argmax(cdf >= p - 1e-12))


def ghk_pvalues(est: np.ndarray, est_days: np.ndarray, cars: np.ndarray, taus: list[int], exact: bool = False):
    """Empirical two-sided p of each CAR among sums of tau consecutive estimation residuals.

    ``cars`` is (W, N), one row per window of length ``taus[w]``; row blocks run
    :func:`research.study.kernels.ghk_counts` over the cores. With m sums, B of them <= CAR
    and A >= CAR: p = min(1, 2 min(B, A) / m), Gelbach, Helland and Klick's (2013) sample
    quantiles, as they publish it; with ``exact``, p = min(1, 2 min(1 + B, 1 + A) / (m + 1)),
    which counts the CAR itself among the m + 1 exchangeable values, so P(p <= a) <= a
    (Phipson and Smyth 2010). Returns p (W, N) and m (W, N).
    """
    n, length = est.shape
    p = np.full(cars.shape, np.nan)
    m = np.zeros(cars.shape, np.int64)
    complete = np.ones((len(taus), length), bool)       # are a window's relative days consecutive
    for j, tau in enumerate(taus):
        if tau <= length:
            complete[j, :length - tau + 1] = est_days[tau - 1:] - est_days[:length - tau + 1] == tau - 1
    taus = np.asarray(taus, np.int64)
    cars = np.ascontiguousarray(cars, float)

    def block(rows: slice) -> None:
        part_p, part_m = np.empty((len(taus), rows.stop - rows.start)), np.empty((len(taus), rows.stop - rows.start), np.int64)
        kernels.ghk_counts(est[rows], np.ascontiguousarray(cars[:, rows]), taus, complete, exact, part_p, part_m)
        p[:, rows], m[:, rows] = part_p, part_m

    in_chunks(block, n, PASS_ROWS)
    return p, m


def results_frame(results: list, convention: str) -> pd.DataFrame:
    frame = pd.concat([r if isinstance(r, pd.DataFrame) else pd.DataFrame(r) for r in results],
                      ignore_index=True)
    frame["convention"] = convention
    for col in COLUMNS:
        if col not in frame:
            frame[col] = np.nan
    frame = frame.sort_values(["_g", "_w", "_t"], kind="stable")
    return frame[list(COLUMNS)].reset_index(drop=True)



def in_blocks_in_order(func: Callable[[slice], object], n_rows: int, reduce: Callable[[object], None]) -> None:
    """``func`` on row blocks over the cores, ``reduce`` on each result in block order.

    Results are reduced in the order of the blocks, whichever thread finished first, so sums
    do not depend on the number of threads or their timing.
    """
    blocks = [slice(i, min(i + PASS_ROWS, n_rows)) for i in range(0, n_rows, PASS_ROWS)]
    workers = min(len(blocks), os.cpu_count() or 1)

    def call(rows):
        with np.errstate(divide="ignore", invalid="ignore"):
            return func(rows)

    if workers <= 1:
        for rows in blocks:
            reduce(call(rows))
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(call, blocks):
            reduce(result)

