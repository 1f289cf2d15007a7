"""The tests of the event-study literature, computed from an :class:`AbnormalReturnPanel`.

Three entry points, all vectorised over the N listing-events (no Python loop over listings):

``run_tests(panel, windows)``
    pooled tests of the mean (cumulative) abnormal return for each window ``[a, b]`` of
    relative days, optionally for each group of listings (event, role) as well as for "all";
``daily_tests(panel)``
    the same tests for each event day ``[t, t]``, one row per day and test;
``single_listing_tests(panel, windows)``
    for each listing: the prediction-error t-test of its CAR (MacKinlay 1997) and the
    sample-quantile test of Gelbach, Helland and Klick (2013).

Samples and missing data
------------------------
The *sample* of a window is the set of listings (of the group) with at least one observed
abnormal return in the window. A listing's CAR is the sum of its observed abnormal returns
whose observation ends in the window; a trade-to-trade observation (``evt_span`` = n > 1)
enters whole, even when its span starts before the window, and its variance is the panel's
(``car_variance`` counts the span), so a stale listing is neither dropped nor understated.
A listing with no observation in the window is left out of every test of that window (its
CAR is not zero, it is unknown). Cross-sectional means are over the listings present;
estimation-window quantities of a sample (BW1985 portfolio, rank averages) are over the
sample's listings. Tests that rank or sign abnormal returns use the per-session scale
``AR / sqrt(span)`` (Maynes and Rumsey 1993), so a multi-day return is comparable with
single-day ones; signs do not change. Non-finite values are treated as missing.

Tests that standardise (Patell, BMP, their KP forms, GRANK) also drop listings whose CAR
variance is not positive or finite; Patell drops listings with dof <= 2 (its variance
dof / (dof - 2) is undefined); GRANK needs sigma > 0. ``n`` reports the listings each test used.

Computation
-----------
Nothing loops over listings in Python, and nothing N x L is held. One blocked pass over the
rows (:func:`_stream`; blocks on every core, reduced in block order so the sums do not depend
on the threads) forms each block's row products with the compiled kernels of
:mod:`research.study.kernels` (per-session residuals, per-listing moments, average ranks over
the estimation and event windows and over the estimation window alone from one sort per row,
medians and signs, GRANK's comparison of each SAR with the event point) and reduces them at
once to cross-sectional sums. A sample is stored as its (sample, listing) entries, so
per-sample statistics are segment sums and cross-sectional day sums are sparse products; a
sample that lacks only a few of its group's listings (a day with gaps) is the group's sums
minus theirs. Loops run over windows, groups and tests only (and over at most 50 ranks for an
exact signed-rank null).

Conventions
-----------
``convention="textbook"`` (default) uses each paper's formulas with the panel's model
quantities: the residual standard deviation with the regression's degrees of freedom
(``panel.sigma``), the prediction-error variance of ``panel.ar_variance`` /
``panel.car_variance`` (MacKinlay 1997, eq. 13-14), true cross-sectional sums, and the null
distribution each paper derives.

``convention="estudy2"`` reproduces the R package estudy2 (0.10.0) as its conformance fixture
documents, quirks included:

* s_i is the sample standard deviation (n - 1) of the estimation-window abnormal returns,
  not sqrt(SSR / (L - k));
* every cross-sectional sum of the sign, Patell, Corrado-sign, rank, modified-rank and
  Wilcoxon tests is the mean over available listings times N (all listings of the group);
* BW1980 divides by N, not N_t; BW1980 and BW1985 use t(mean L_i - 1), the cross-sectional
  t and Boehmer t(N_t - 1), everything else the normal;
* the Patell and Lamb prediction-error term uses the mean and sum of squares of *all* market
  returns of the estimation window (every finite ``est_market`` entry of the row, whether or
  not the listing traded; fill ``est_market`` for the whole window to reproduce estudy2);
* the Lamb test uses the market of the group's first listing; ranks and medians are over the
  estimation and event windows only; days of the estimation window enter the rank scale
  S with 1 / mean_i M_i;
* spans are ignored (estudy2 has no trade-to-trade returns).

Under ``estudy2`` a one-day window gives estudy2's daily tests and a longer window its three
CAR tests (``car_brown_warner_1985``, ``car_lamb``, ``car_rank_test``, here ``brown_warner_1985``,
``lamb``, ``corrado``), which use only the window's days with more than
:data:`ESTUDY2_CAR_PERCENTAGE` percent of the listings present (estudy2's default).

Tests (``test`` column)
-----------------------
``csect_t``            cross-sectional t of CARs
``brown_warner_1980``  mean CAR over the independence standard error (Brown and Warner 1980)
``brown_warner_1985``  crude dependence adjustment (Brown and Warner 1980, 1985)
``patell``             standardised CARs (Patell 1976)
``bmp``                cross-sectional t of standardised CARs (Boehmer, Musumeci, Poulsen 1991)
``patell_kp``, ``bmp_kp``  the same, adjusted for cross-correlation (Kolari and Pynnönen 2010)
``corrado``            rank test (Corrado 1989; windows: Cowan 1992, Campbell and Wasley 1993)
``modified_rank``      standardised rank test with n_t weights (Corrado and Zivney 1992)
``grank``              generalised rank test (Kolari and Pynnönen 2011)
``grank_scar``         the same on SCAR_i without the cross-sectional re-standardisation, which
                       over-rejects with few listings or a shared date (notebooks/validation)
``sign``               sign test, p = 1/2
``gsign``              generalised sign test (Cowan 1992)
``corrado_sign``       sign test against each listing's median (Corrado and Zivney 1992)
``wilcoxon``           signed-rank test of CARs (Wilcoxon 1945)
``bootstrap``          BCa interval for the mean CAR, resampling listings (Efron 1987)
``lamb``               portfolio test with prediction error (Lamb 1995), estudy2 only

Output columns
--------------
``group, window, test, statistic, p_value, df, n, estimate, ci_low, ci_high, rbar, null,
signif, convention``. ``estimate`` is the mean CAR of the listings the test uses (for
``brown_warner_1985`` and ``lamb``, the sum over the window of the daily mean abnormal return);
``p_value`` is two-sided; ``df`` is NaN for normal nulls; ``rbar`` is the Kolari-Pynnönen
average cross-correlation (KP tests only); ``signif`` is ``***``, ``**``, ``*`` for p below
0.01, 0.05, 0.10 (under ``estudy2`` the Wilcoxon flags follow estudy2's quantile rule).

References
----------
Boehmer, E., Musumeci, J. and Poulsen, A. B. (1991). Event-study methodology under conditions of
    event-induced variance. Journal of Financial Economics 30(2), 253-272.
Brown, S. J. and Warner, J. B. (1980). Measuring security price performance. Journal of
    Financial Economics 8(3), 205-258.
Brown, S. J. and Warner, J. B. (1985). Using daily stock returns: the case of event studies.
    Journal of Financial Economics 14(1), 3-31.
Campbell, J. Y., Lo, A. W. and Lehmann, E. L. (1975). Nonparametrics: Statistical Methods Based on Ranks. Holden-Day.
MacKinlay, A. C. (1997). The Econometrics of Financial Markets,
    ch. 4. Princeton University Press.
Campbell, C. J. and Wasley, C. E. (1993). Measuring security price performance using daily
    NASDAQ returns. Journal of Financial Economics 33(1), 73-92.
Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event
    studies. Journal of Financial Economics 23(2), 385-395.
Corrado, C. J. and Zivney, T. L. (1992). The specification and power of the sign test in event
    study hypothesis tests using daily stock returns. Journal of Financial and Quantitative
    Analysis 27(3), 465-478.
Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and
    Accounting 2(4), 343-358.
Efron, B. (1987). Better bootstrap confidence intervals. Journal of the American Statistical
    Association 82(397), 171-185.
Efron, B. and Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
Gelbach, J. B., Helland, E. and Klick, J. (2013). Valid inference in single-firm, single-event
    studies. American Law and Economics Review 15(2), 495-541.
Kolari, J. W. and Pynnönen, S. (2010). Event study testing with cross-sectional correlation of
    abnormal returns. Review of Financial Studies 23(11), 3996-4025.
Kolari, J. W. and Pynnönen, S. (2011). Nonparametric rank tests for event studies. Journal of
    Empirical Finance 18(5), 953-971.
Lamb, R. P. (1995). An exposure-based analysis of property-liability insurer stock values
    around Hurricane Andrew. Journal of Risk and Insurance 62(1), 111-123.
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic
    Literature 35(1), 13-39.
Maynes, E. and Rumsey, J. (1993). Conducting event studies with thinly traded stocks. Journal
    of Banking and Finance 17(1), 145-157.
Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior:
    empirical tests. Journal of Accounting Research 14(2), 246-276.
Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1(6),
    80-83.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse, special, stats

from research.errors import ResearchError
from research.study import kernels
from research.study.panel import AbnormalReturnPanel

TEXTBOOK_TESTS = ("csect_t", "brown_warner_1980", "brown_warner_1985", "patell", "bmp",
                  "patell_kp", "bmp_kp", "corrado", "modified_rank", "grank", "grank_scar", "sign",
                  "gsign", "corrado_sign", "wilcoxon", "bootstrap")
ESTUDY2_DAILY_TESTS = ("brown_warner_1980", "brown_warner_1985", "csect_t", "patell", "bmp",
                       "lamb", "sign", "gsign", "corrado_sign", "corrado", "modified_rank",
                       "wilcoxon")
ESTUDY2_CAR_TESTS = ("brown_warner_1985", "lamb", "corrado")
ESTUDY2_CAR_PERCENTAGE = 90.0
"""estudy2's CAR tests use only days with more than this percentage of listings present."""

CONVENTIONS = ("textbook", "estudy2")
COLUMNS = ("group", "window", "test", "statistic", "p_value", "df", "n", "estimate", "ci_low",
           "ci_high", "rbar", "null", "signif", "convention")
_SIGNIF_LEVELS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------

def run_tests(panel: AbnormalReturnPanel, windows: Sequence[tuple[int, int]], *,
              groups=None, convention: str = "textbook", tests: Sequence[str] | None = None,
              n_boot: int = 2000, seed=None, alpha: float = 0.05) -> pd.DataFrame:
    """Pooled tests of the mean CAR for each window (and group).

    Parameters
    ----------
    panel : AbnormalReturnPanel
    windows : sequence of (start, end)
        Windows of relative event days, inclusive, inside ``panel.evt_days``.
    groups : Series or array of N labels, optional
        Results for each label (in order of first appearance) besides "all". Listings with a
        missing label enter "all" only.
    convention : {"textbook", "estudy2"}
        See the module docstring.
    tests : sequence of str, optional
        Test names; default every test the convention defines for the window (all of
        :data:`TEXTBOOK_TESTS`; under estudy2 :data:`ESTUDY2_DAILY_TESTS` for one-day and
        :data:`ESTUDY2_CAR_TESTS` for longer windows).
    n_boot : int
        Bootstrap resamples (``bootstrap`` only).
    seed : int, Generator or None
        Seed of the bootstrap's generator.
    alpha : float
        The bootstrap interval covers 1 - alpha.

    Returns
    -------
    DataFrame
        One row per group, window and test with the columns :data:`COLUMNS`.
    """
    _check_convention(convention)
    windows = list(dict.fromkeys((int(a), int(b)) for a, b in windows))   # drop repeats
    if not windows:
        raise ResearchError("run_tests needs at least one window")
    if not 0 < alpha < 1:
        raise ResearchError(f"alpha must be between 0 and 1, not {alpha}")
    if int(n_boot) < 2:
        raise ResearchError(f"n_boot must be at least 2, not {n_boot}")
    for a, b in windows:
        panel.window_index(a, b)
    labels = _group_masks(panel, groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        if convention == "textbook":
            chosen = _select(tests, TEXTBOOK_TESTS, convention)
            return _run_textbook(panel, windows, labels, chosen, n_boot, seed, alpha)
        return _run_estudy2(panel, windows, labels, tests)


def daily_tests(panel: AbnormalReturnPanel, *, convention: str = "textbook",
                tests: Sequence[str] | None = None) -> pd.DataFrame:
    """The tests for each event day, ``[t, t]`` for every t of ``panel.evt_days``.

    Parameters
    ----------
    panel : AbnormalReturnPanel
    convention : {"textbook", "estudy2"}
    tests : sequence of str, optional
        Default: every test of the convention except ``bootstrap`` (which needs a seed; ask
        :func:`run_tests` for it).

    Returns
    -------
    DataFrame
        Columns ``day`` (relative day) and :data:`COLUMNS` without ``group`` and ``window``,
        one row per day and test, over all listings.
    """
    _check_convention(convention)
    if tests is None:
        tests = [t for t in (TEXTBOOK_TESTS if convention == "textbook"
                             else ESTUDY2_DAILY_TESTS) if t != "bootstrap"]
    if "bootstrap" in tests:
        raise ResearchError("daily_tests does not run the bootstrap; use run_tests with a seed")
    days = [int(t) for t in panel.evt_days]
    frame = run_tests(panel, [(t, t) for t in days], convention=convention, tests=tests)
    by_label = {_label(t, t): t for t in days}
    frame.insert(0, "day", [by_label[w] for w in frame["window"]])
    return frame.drop(columns=["group", "window"]).reset_index(drop=True)


def single_listing_tests(panel: AbnormalReturnPanel,
                         windows: Sequence[tuple[int, int]]) -> pd.DataFrame:
    """Tests of each listing's CAR on its own.

    For listing i and window w of tau relative days:

    * ``t_stat`` = CAR_i / sqrt(Var(CAR_i)) with the prediction-error variance
      ``panel.car_variance`` (MacKinlay 1997, eq. 13-14), ``p_value`` two-sided from Student t
      with the listing's residual degrees of freedom ``panel.dof`` (exact under normal
      disturbances for a linear model estimated by OLS);
    * ``ghk_p_value``, the sample-quantile (SQ) test of Gelbach, Helland and Klick (2013): the
      event CAR is compared with the empirical distribution of the sums of tau *consecutive*
      estimation-window residuals. The windows overlap (all L - tau + 1 start days), because
      non-overlapping ones leave L / tau points, too few for tail quantiles; only windows with
      an observation on every relative day enter (``ghk_n`` counts them). With F the share of
      sums <= CAR and G the share >= CAR, p = min(1, 2 min(F, G)); the SQ test at level a
      rejects when CAR lies below the a/2 or above the 1 - a/2 empirical quantile, which is
      p < a up to ties. Under the null this is valid for any disturbance distribution as L
      grows (GHK 2013); it uses raw residuals, so spans are not rescaled.

    A listing with no observation in the window has NaN results.

    Returns
    -------
    DataFrame
        ``event_id, ticker, role`` (from ``panel.keys``), ``window``, ``car``, ``variance``,
        ``t_stat``, ``df``, ``p_value``, ``ghk_p_value``, ``ghk_n``.

    References
    ----------
    MacKinlay (1997), eq. 13-14; Gelbach, Helland and Klick (2013).
    """
    windows = [(int(a), int(b)) for a, b in windows]
    dof = np.asarray(panel.dof, float)
    cars, variances = [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        for car, variance in _cars(panel, windows):
            cars.append(car)
            variances.append(variance)
        ghk, ghk_n = _ghk_pvalues(_finite(panel.est_ar), np.asarray(panel.est_days),
                                  np.array(cars), [b - a + 1 for a, b in windows])
        t_stat = np.array(cars) / np.sqrt(np.array(variances))
        p_value = _p_t(t_stat, dof[None, :])
        frames = []
        for j, (a, b) in enumerate(windows):
            out = panel.keys.reset_index(drop=True).copy()
            out["window"] = _label(a, b)
            out["car"] = cars[j]
            out["variance"] = variances[j]
            out["t_stat"] = t_stat[j]
            out["df"] = dof
            out["p_value"] = p_value[j]
            out["ghk_p_value"] = ghk[j]
            out["ghk_n"] = ghk_n[j]
            frames.append(out)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# shared pieces
# --------------------------------------------------------------------------------------------

def _label(a: int, b: int) -> str:
    return f"[{a},{b}]"


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ResearchError(f"unknown convention {convention!r}; use one of {CONVENTIONS}")


def _select(tests, available, convention) -> list[str]:
    if tests is None:
        return list(available)
    tests = list(dict.fromkeys(tests))
    unknown = [t for t in tests if t not in available]
    if unknown:
        raise ResearchError(f"tests {unknown} are not defined under convention "
                            f"{convention!r}; available: {list(available)}")
    return tests


def _finite(a) -> np.ndarray:
    """The array as floats with infinities as NaN, read-only (copied only if needed)."""
    a = np.asarray(a, dtype=float)
    inf = np.isinf(a)
    if inf.any():
        a = np.where(inf, np.nan, a)
    a = a.view()
    a.flags.writeable = False
    return a


def _group_masks(panel: AbnormalReturnPanel, groups) -> list[tuple[str, np.ndarray]]:
    n = panel.n
    out = [("all", np.ones(n, bool))]
    if groups is None:
        return out
    labels = pd.Series(np.asarray(groups, dtype=object) if not isinstance(groups, pd.Series)
                       else groups.to_numpy(dtype=object))
    if len(labels) != n:
        raise ResearchError(f"groups has {len(labels)} labels for {n} listings")
    present = labels.notna().to_numpy()
    names = labels.astype(str).to_numpy(dtype=object)
    for name in pd.unique(names[present]):
        if name == "all":
            raise ResearchError('"all" is reserved for the pooled sample; rename that group')
        out.append((str(name), present & (names == name)))
    return out


def _car(panel: AbnormalReturnPanel, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """CAR over [a, b] (sum of observed ARs) and whether the listing has an observation."""
    car, _ = panel.car(a, b)
    return car, ~np.isnan(car)


def _cars(panel: AbnormalReturnPanel, windows) -> list[tuple[np.ndarray, np.ndarray]]:
    """``panel.car(a, b)`` (CAR and its variance) for every window, the windows over the cores."""
    out = [None] * len(windows)

    def one(j: int) -> None:
        out[j] = panel.car(*windows[j])

    _in_threads(one, list(range(len(windows))))
    return out


def _p_normal(z) -> np.ndarray:
    return 2.0 * stats.norm.sf(np.abs(z))


def _p_t(t, df) -> np.ndarray:
    """Two-sided Student-t p-values, 2 P(T_df > |t|) (``scipy.special.stdtr``, the function
    behind ``scipy.stats.t.sf``), over the cores for long arrays."""
    t, df = np.broadcast_arrays(np.asarray(t, float), np.asarray(df, float))
    out = np.full(t.shape, np.nan)
    ok = (df > 0) & ~np.isnan(t)
    t, df = -np.abs(t[ok]), df[ok]
    p = np.empty(len(t))

    def block(rows: slice) -> None:
        p[rows] = 2.0 * special.stdtr(df[rows], t[rows])

    _in_chunks(block, len(t), 1 << 16)
    out[ok] = p
    return out


def _signif(p) -> np.ndarray:
    p = np.asarray(p, float)
    flags = np.full(p.shape, "", dtype=object)
    for level, flag in reversed(_SIGNIF_LEVELS):
        flags[p < level] = flag
    return flags


def _masked_moments(x: np.ndarray, mask: np.ndarray):
    """Count, mean and sample variance (n - 1) along the last axis over ``mask``."""
    n = mask.sum(axis=-1)
    mean = np.where(mask, x, 0.0).sum(axis=-1) / n
    dev = np.where(mask, x - mean[..., None], 0.0)
    var = (dev ** 2).sum(axis=-1) / (n - 1)
    return n, mean, var


_CHUNK_ROWS = 4096
#: rows per block of the tests' pass (:func:`_stream`): its temporaries stay in cache
_PASS_ROWS = 1024


def _in_chunks(func: Callable[[slice], None], n_rows: int, rows: int | None = None) -> None:
    """Run ``func`` on row blocks, spread over the machine's cores.

    numpy releases the GIL in sorts and elementwise loops, so threads share the work; blocks
    of a few thousand rows also stay in cache. ``func`` writes its block of preallocated
    outputs, so the result does not depend on the number of threads.
    """
    size = rows or _CHUNK_ROWS
    blocks = [slice(i, min(i + size, n_rows)) for i in range(0, n_rows, size)]
    _in_threads(func, blocks)


def _in_threads(func: Callable, items: list) -> None:
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


def _column_bits(m: int) -> np.int64:
    """The mask of the low mantissa bits that hold a column number below ``m``."""
    return np.int64((1 << max(1, int(np.ceil(np.log2(max(m, 1)))))) - 1)


def _sort_order(keyed: np.ndarray, packed: np.ndarray | None = None) -> np.ndarray:
    """Rows of ``keyed`` (no NaN; +inf for missing) sorted as packed keys: each value with its
    lowest mantissa bits (:func:`_column_bits`) replaced by its column number, sorted as floats
    in place (numpy's SIMD sort, faster than argsort). The column of the j-th smallest value
    is ``result[i, j] & _column_bits(m)``, read by :func:`research.study.kernels.rank_rows`.

    Infinities become the largest finite values first, so no NaN can arise. Values that
    differ only in those low bits (relative gap below about 2^-43) may come out in column
    order: the rank kernel repairs such pairs on the exact values. ``packed``, if given, holds
    the keys already (:func:`research.study.kernels.prepare_rows` writes them).
    """
    if packed is None:
        low = _column_bits(keyed.shape[1])
        big = np.finfo(float).max
        packed = np.clip(keyed, -big, big).view(np.int64)
        packed &= ~low
        packed |= np.arange(keyed.shape[1], dtype=np.int64)
    packed.view(np.float64).sort(axis=1)      # in place: np.sort's copy is several times slower
    return packed.view(np.int64)


def _rank_rows(values: np.ndarray, first: int | None = None, ties: bool = False,
               medians: bool = False, fill: float = np.nan):
    """Average ranks (1-based) of the non-NaN entries of each row, ``fill`` elsewhere.

    One sort per row (:func:`_sort_order`, then :func:`research.study.kernels.rank_rows`),
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
        kernels.rank_rows(keyed, _sort_order(keyed), _column_bits(m), first if first is not None else 0, unit[rows], fill,
                          False, ranks[rows], ranks_first[rows], row_median[rows],
                          np.empty(keyed.shape[0], np.int64), tie_term[rows])

    _in_chunks(block, n_rows)
    out = [ranks]
    if first is not None:
        out.append(ranks_first)
    if ties:
        out.append(tie_term)
    if medians:
        out.append(row_median)
    return out[0] if len(out) == 1 else tuple(out)


def _signed_rank_null(doubled_ranks: np.ndarray) -> np.ndarray:
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


def _signed_rank_p(doubled_ranks: np.ndarray, w2: float) -> float:
    """Two-sided exact p of W+ = w2 / 2: 2 min(P(W+ <= w), P(W+ >= w)), at most 1."""
    counts = _signed_rank_null(doubled_ranks)
    total = counts.sum()
    k = int(round(w2))
    lower = counts[:k + 1].sum() / total
    upper = counts[k:].sum() / total
    return min(1.0, 2.0 * min(lower, upper))


@lru_cache(maxsize=256)
def _qsignrank(p: float, n: int) -> float:
    """Smallest w with P(W+ <= w) >= p for n untied ranks (R's ``qsignrank``).

    Exact for n <= 50; beyond, the normal approximation mean + z_p sd rounded up (estudy2
    computes it exactly; the two differ by at most a rank or so at such n).
    """
    if n > 50:
        mean, sd = n * (n + 1) / 4.0, np.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)
        return float(np.ceil(mean + stats.norm.ppf(p) * sd))
    counts = _signed_rank_null(2 * np.arange(1, n + 1))[::2]
    cdf = np.cumsum(counts) / counts.sum()
    return float(np.argmax(cdf >= p - 1e-12))


def _ghk_pvalues(est: np.ndarray, est_days: np.ndarray, cars: np.ndarray, taus: list[int]):
    """Empirical two-sided p of each CAR among sums of tau consecutive estimation residuals.

    ``cars`` is (W, N), one row per window of length ``taus[w]``; row blocks run
    :func:`research.study.kernels.ghk_counts` over the cores. Returns p (W, N) and the number
    of sums (W, N).
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
        kernels.ghk_counts(est[rows], np.ascontiguousarray(cars[:, rows]), taus, complete, part_p, part_m)
        p[:, rows], m[:, rows] = part_p, part_m

    _in_chunks(block, n, _PASS_ROWS)
    return p, m


def _frame(results: list, convention: str) -> pd.DataFrame:
    frame = pd.concat([r if isinstance(r, pd.DataFrame) else pd.DataFrame(r) for r in results],
                      ignore_index=True)
    frame["convention"] = convention
    for col in COLUMNS:
        if col not in frame:
            frame[col] = np.nan
    frame = frame.sort_values(["_g", "_w", "_t"], kind="stable")
    return frame[list(COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# textbook convention
# --------------------------------------------------------------------------------------------

class _Data:
    """The panel's arrays as the textbook tests read them.

    ``x`` denotes the per-session abnormal return AR / sqrt(span), NaN where missing. Nothing
    here is N x L: the row-wise products the tests need (zero-filled residuals, ranks, signs,
    standardised residuals) live only inside one block of :func:`_stream`, which reduces them
    to cross-sectional sums at once; the per-listing moments it writes are in ``moments``.
    """

    def __init__(self, panel: AbnormalReturnPanel, tests=()):
        self.panel = panel
        self.tests = set(tests)
        self.n = panel.n
        self.length = len(panel.est_days)
        self.dof = np.asarray(panel.dof, float)
        self.sigma = np.asarray(panel.sigma, float)
        self.moments: dict[str, np.ndarray] = {}

    @cached_property
    def ar(self) -> np.ndarray:
        return _finite(self.panel.evt_ar)

    @cached_property
    def est(self) -> np.ndarray:
        return _finite(self.panel.est_ar)

    @cached_property
    def stale(self) -> bool:
        """Whether any observation spans more than one session."""
        return bool((np.asarray(self.panel.est_span) > 1).any()
                    or (np.asarray(self.panel.evt_span) > 1).any())

    @cached_property
    def n_est_obs(self) -> np.ndarray:
        """Observed estimation days of each listing (the L_i of the rank tests)."""
        out = np.empty(self.n)

        def block(rows: slice) -> None:
            out[rows] = np.count_nonzero(~np.isnan(self.est[rows]), axis=1)

        _in_chunks(block, self.n)
        return out

    @property
    def est_moments(self):
        """Each listing's mean and sd (n) of x over the estimation window (after the pass)."""
        return self.moments["z_mean"], self.moments["z_sd"]

    @cached_property
    def clusters(self) -> np.ndarray:
        """Integer id of the listing's event (shared calendar); NaN ids are singletons."""
        keys = self.panel.keys
        if "event_id" not in keys:
            return np.zeros(self.n, int)
        codes, _ = pd.factorize(keys["event_id"].reset_index(drop=True))
        codes = np.asarray(codes).copy()
        missing = codes < 0
        codes[missing] = codes.max(initial=-1) + 1 + np.arange(missing.sum())
        return codes


@dataclass
class _Samples:
    """S samples (group x window) stored sparsely: one entry per (sample, member listing).

    ``rows`` (sample) and ``cols`` (listing) of the K entries, sorted by sample; per-sample
    sums are segment sums over the entries, and the cross-sectional day sums the tests read
    (``day_sums``) are filled by :func:`_stream`, so the cost grows with the samples' sizes,
    not S x N.
    """

    group: list[str]
    window: list[tuple[int, int]]
    w: np.ndarray          # (S,) window index
    g: np.ndarray          # (S,) group order
    car: np.ndarray        # (W, N)
    var: np.ndarray        # (W, N) prediction-error variance of CAR
    in_window: np.ndarray  # (S, T) event columns of the sample's window
    rows: np.ndarray       # (K,) sample of each entry
    cols: np.ndarray       # (K,) listing of each entry
    n_listings: int
    group_members: list    # listings of each group (in group order), supersets of its samples
    sums_by_key: dict = field(default_factory=dict)   # day sums, filled by _stream

    @property
    def size(self) -> int:
        return len(self.group)

    @cached_property
    def x(self) -> np.ndarray:
        """CAR of each entry."""
        return self.car[self.w[self.rows], self.cols]

    @cached_property
    def v(self) -> np.ndarray:
        """Prediction-error variance of each entry's CAR."""
        return self.var[self.w[self.rows], self.cols]

    @cached_property
    def scar(self) -> np.ndarray:
        """Standardised CAR of each entry, CAR / sqrt(Var(CAR))."""
        return self.x / np.sqrt(self.v)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Entries of sample k are ``bounds[k]:bounds[k + 1]``."""
        return np.searchsorted(self.rows, np.arange(self.size + 1))

    @cached_property
    def _starts(self) -> tuple[np.ndarray, np.ndarray]:
        """First entry of each non-empty sample, and which samples are non-empty."""
        nonempty = self.bounds[1:] > self.bounds[:-1]
        return self.bounds[:-1][nonempty], nonempty

    def sums(self, values, keep=None) -> np.ndarray:
        """Per-sample sums of ``values`` (K,) over the entries kept (segments are contiguous)."""
        values = np.broadcast_to(np.asarray(values, float), self.rows.shape)
        if keep is not None:
            values = np.where(keep, values, 0.0)
        starts, nonempty = self._starts
        out = np.zeros(self.size)
        if len(starts):
            out[nonempty] = np.add.reduceat(values, starts)
        return out

    def moments(self, values, keep=None):
        """Per-sample count, mean and sample variance (n - 1) of ``values`` over kept entries."""
        if keep is None:
            keep = np.ones(self.rows.shape, bool)
        n = self.sums(keep.astype(float))
        mean = self.sums(values, keep) / n
        dev = np.where(keep, values - mean[self.rows], 0.0)
        return n.astype(int), mean, self.sums(dev ** 2) / (n - 1)

    def day_sums(self, key: str) -> np.ndarray:
        """Cross-sectional sums over each sample's listings, each day (S x columns), of the
        quantity ``key`` (see :func:`_stream`)."""
        return self.sums_by_key[key]

    def members(self, k: int, keep=None) -> np.ndarray:
        """Listings of sample k (kept entries)."""
        lo, hi = self.bounds[k], self.bounds[k + 1]
        cols = self.cols[lo:hi]
        return cols if keep is None else cols[keep[lo:hi]]

    def membership(self, keep=None):
        """Sparse matrices that sum listings' rows over each sample's kept listings.

        A sample of a group (its listings with data in the window) usually lacks only a few of
        the group's listings: its sums are then the group's (``base``, G x N) minus those few,
        else they are summed directly (``corr``, S x N, entries +1 or -1); ``from_base`` (S,)
        says which. Sums of a block of listings are ``base[:, rows] @ V`` and
        ``corr[:, rows] @ V``; :func:`_combine` puts the totals together.
        """
        keep = np.ones(self.rows.shape, bool) if keep is None else keep
        groups = np.repeat(np.arange(len(self.group_members)), [len(m) for m in self.group_members])
        listings = np.concatenate(self.group_members).astype(np.int64)
        base = sparse.csc_matrix((np.ones(len(listings)), (groups, listings)),
                                 shape=(len(self.group_members), self.n_listings))
        from_base = np.zeros(self.size, bool)
        q_rows, q_cols, q_data = [], [], []
        for k in range(self.size):
            lo, hi = self.bounds[k], self.bounds[k + 1]
            kept = self.cols[lo:hi][keep[lo:hi]]
            left_out = np.setdiff1d(self.group_members[self.g[k]], kept, assume_unique=True)
            from_base[k] = len(left_out) < len(kept)
            cols, sign = (left_out, -1.0) if from_base[k] else (kept, 1.0)
            q_rows.append(np.full(len(cols), k))
            q_cols.append(cols)
            q_data.append(np.full(len(cols), sign))
        corr = sparse.csc_matrix((np.concatenate(q_data),
                                  (np.concatenate(q_rows), np.concatenate(q_cols).astype(np.int64))),
                                 shape=(self.size, self.n_listings))
        return base, corr, from_base

    def combine(self, from_base, base_sums, corr_sums) -> np.ndarray:
        """Per-sample totals from the group sums and the corrections of :meth:`membership`."""
        return np.where(from_base[:, None], base_sums[self.g], 0.0) + corr_sums


def _in_blocks_in_order(func: Callable[[slice], object], n_rows: int, reduce: Callable[[object], None]) -> None:
    """``func`` on row blocks over the cores, ``reduce`` on each result in block order.

    Results are reduced in the order of the blocks, whichever thread finished first, so sums
    do not depend on the number of threads or their timing.
    """
    blocks = [slice(i, min(i + _PASS_ROWS, n_rows)) for i in range(0, n_rows, _PASS_ROWS)]
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


def _grank_keep(d: _Data, s: _Samples) -> np.ndarray:
    """Entries GRANK uses: a valid SCAR, estimation residuals and sigma > 0."""
    return ~np.isnan(s.scar) & (d.n_est_obs > 0)[s.cols] & (d.sigma > 0)[s.cols]


def _grank_threshold(s: _Samples, keep: np.ndarray, restandardise: bool) -> np.ndarray:
    """GSAR_i0 of each entry: SCAR*_i (re-standardised) or SCAR_i."""
    if not restandardise:
        return s.scar
    _, _, var = s.moments(s.scar, keep)
    return s.scar / np.sqrt(var)[s.rows]


def _stream(d: _Data, s: _Samples, tests) -> dict:
    """The one blocked pass over the listings' rows that every textbook test reads.

    For each block of listings it forms the row-wise quantities of the tests requested and
    reduces them at once to what the tests need, so nothing N x L is ever held:

    * per listing (``d.moments``): ``z_mean``, ``z_sd`` (mean and sd (n) of x over the
      estimation window) and ``pos_share`` (share of positive estimation residuals);
    * cross-sectional sums over each sample, each day (``s.day_sums``): ``est_obs_f``,
      ``evt_obs_f`` (listings present), ``est0``, ``ar0`` (residuals; BW 1985), ``u`` (Corrado's
      U_it), ``g`` (median signs; Corrado-Zivney), and over GRANK's entries ``grank r``
      (estimation-window ranks / (T_i + 1)) and ``grank n``;
    * for GRANK and GRANK on SCARs: per entry, how many estimation SARs lie at most at and
      strictly below GSAR_i0 (so its rank), and per sample and day the sum of 1 / (T_i + 1)
      over the listings whose SAR ranks above GSAR_i0 (adding the event point moves their
      rank up by one; a tie by one half);
    * for the Kolari-Pynnönen rbar: per-event sums of standardised residuals and of presence.

    Returns the GRANK and rbar pieces; the rest is stored in ``d`` and ``s``.
    """
    tests = set(tests)
    n, big_l, big_t = d.n, d.length, d.ar.shape[1]
    counts = bool(tests & {"brown_warner_1985", "corrado", "modified_rank", "corrado_sign"})
    layout = ([("est_obs_f", big_l), ("evt_obs_f", big_t)] if counts else []) \
        + ([("est0", big_l), ("ar0", big_t)] if "brown_warner_1985" in tests else []) \
        + ([("u", big_l + big_t)] if tests & {"corrado", "modified_rank"} else []) \
        + ([("g", big_l + big_t)] if "corrado_sign" in tests else [])
    keys = [k for k, _ in layout]
    edges = np.cumsum([0] + [w for _, w in layout])
    variants = [v for v in ("grank", "grank_scar") if v in tests]
    need_ranks = bool(variants) or "u" in keys or "g" in keys
    plain = s.membership() if layout else None

    # GRANK: its samples' entries, by block of listings then by sample
    gr = {}
    if variants:
        gr["keep"] = keep = _grank_keep(d, s)
        gr["membership"] = s.membership(keep)
        entries = np.flatnonzero(keep)
        order = entries[np.lexsort((s.rows[entries], s.cols[entries] // _PASS_ROWS))]
        gr["order"] = order
        gr["block_edges"] = np.searchsorted(s.cols[order] // _PASS_ROWS,
                                            np.arange((n + _PASS_ROWS - 1) // _PASS_ROWS + 1))
        gr["thresholds"] = {v: _grank_threshold(s, keep, v == "grank")[order] for v in variants}
        gr["le"] = {v: np.zeros(len(s.rows), np.int64) for v in variants}
        gr["lt"] = {v: np.zeros(len(s.rows), np.int64) for v in variants}
        gr["above"] = {v: np.zeros((s.size, big_l)) for v in variants}

    # Kolari-Pynnönen rbar: the listing sets whose per-event sums it needs
    kp = _rbar_plan(d, s) if tests & {"patell_kp", "bmp_kp"} else None
    kp_jobs = kp is not None and kp["matrix"].shape[0] > 0
    kp_sums = None

    z_mean, z_sd, pos_share = np.empty(n), np.empty(n), np.empty(n)
    low = _column_bits(big_l + big_t)
    l_i = d.n_est_obs
    plain_sums, gr_sums = [None, None], [None, None]

    def block(rows: slice):
        m = rows.stop - rows.start
        count = l_i[rows]
        empty = np.empty((m, 0))
        sar = np.empty((m, big_l)) if variants else empty
        x = np.empty((m, big_l)) if kp_jobs else empty
        keyed = np.empty((m, big_l + big_t)) if need_ranks else empty
        packed = np.empty((m, big_l + big_t)) if need_ranks else empty
        values = np.empty((m, edges[-1])) if layout else empty
        g_values = np.empty((m, 2 * big_l)) if variants else empty
        moments = np.empty((m, 3))
        columns = np.array([edges[keys.index(k)] if k in keys else -1
                            for k in ("est_obs_f", "evt_obs_f", "est0", "ar0")], np.int64)
        kernels.prepare_rows(d.est[rows], d.ar[rows], d.panel.est_span[rows], d.panel.evt_span[rows],
                             d.stale, count, d.sigma[rows], x, sar, keyed, packed, low, moments, values, columns,
                             g_values[:, big_l:] if variants else empty)
        z_mean[rows], z_sd[rows], pos_share[rows] = moments.T
        out = {}
        ranked = None
        if need_ranks:                 # ranks over both windows, and over the estimation days
            u = values[:, edges[keys.index("u")]:edges[keys.index("u") + 1]] if "u" in keys else empty
            ranked = {"first": g_values[:, :big_l] if variants else empty, "median": np.empty(m)}
            kernels.rank_rows(keyed, _sort_order(keyed, packed), low, big_l, 1.0 / (count + 2.0), 0.0, True, u,
                              ranked["first"], ranked["median"], np.empty(m, np.int64), np.empty(m))
            if "g" in keys:
                lo, hi = edges[keys.index("g")], edges[keys.index("g") + 1]
                values[:, lo:hi] = np.where(keyed < np.inf, np.sign(keyed - ranked["median"][:, None]), 0.0)
        if layout:
            base, corr, _ = plain
            out["plain"] = (base[:, rows] @ values, corr[:, rows] @ values)
        if variants:
            out["grank"] = _grank_block(d, s, gr, rows, g_values, sar)
        if kp_jobs:
            mean, sd = moments[:, 0], moments[:, 1]
            eo = ~np.isnan(x)
            ok = sd > 0
            inv_sd = np.where(ok, 1.0 / np.where(ok, sd, 1.0), 0.0)
            kp_values = np.hstack([np.where(eo, (x - mean[:, None]) * inv_sd[:, None], 0.0), eo])
            out["kp"] = kp["matrix"][:, rows] @ kp_values
        return out

    def reduce(out) -> None:
        nonlocal kp_sums
        for name, acc in (("plain", plain_sums), ("grank", gr_sums)):
            if name in out:
                for j in (0, 1):
                    acc[j] = out[name][j] if acc[j] is None else acc[j] + out[name][j]
        if "grank" in out:
            for v, (samples, partial) in out["grank"][2].items():
                np.add.at(gr["above"][v], samples, partial)
        if "kp" in out:
            kp_sums = out["kp"] if kp_sums is None else kp_sums + out["kp"]

    _in_blocks_in_order(block, n, reduce)
    d.moments.update(z_mean=z_mean, z_sd=z_sd, pos_share=pos_share)
    if layout:
        totals = s.combine(plain[2], *plain_sums)
        for key, lo, hi in zip(keys, edges[:-1], edges[1:]):
            s.sums_by_key[key] = totals[:, lo:hi]
    if variants:
        totals = s.combine(gr["membership"][2], *gr_sums)
        s.sums_by_key["grank r"], s.sums_by_key["grank n"] = totals[:, :big_l], totals[:, big_l:]
    if kp is not None:
        kp["sums"] = kp_sums if kp_sums is not None else np.zeros((0, 2 * big_l))
    return {"grank": gr if variants else None, "kp": kp}


def _grank_block(d: _Data, s: _Samples, gr: dict, rows: slice, values, sar):
    """One block's share of GRANK (see :func:`_stream`): the group sums of ``values`` (scaled
    estimation ranks, presence), and per variant the entries' counts and the above-sums by
    sample (:func:`research.study.kernels.grank_above` on the SARs)."""
    base, corr, _ = gr["membership"]
    b = rows.start // _PASS_ROWS
    span = slice(gr["block_edges"][b], gr["block_edges"][b + 1])
    entries = gr["order"][span]
    local = s.cols[entries] - rows.start
    sample = s.rows[entries]
    new = np.r_[True, sample[1:] != sample[:-1]] if len(sample) else np.zeros(0, bool)
    segment = np.cumsum(new) - 1
    n_obs = d.n_est_obs[rows]
    partials = {}
    for v in gr["thresholds"]:
        partial = np.zeros((int(new.sum()), sar.shape[1]))
        le, lt = np.empty(len(entries), np.int64), np.empty(len(entries), np.int64)
        kernels.grank_above(sar, n_obs, local, segment, gr["thresholds"][v][span], partial, le, lt)
        gr["le"][v][entries], gr["lt"][v][entries] = le, lt
        partials[v] = (sample[new], partial)
    return base[:, rows] @ values, corr[:, rows] @ values, partials


def _rbar_plan(d: _Data, s: _Samples) -> dict:
    """The listing sets whose per-event sums the KP rbar of each sample needs (see ``_rbar``).

    Per distinct group (base): the events with two or more of its listings; per distinct
    sample (listings with a valid SCAR): either the sums over its listings in such events or,
    when fewer, the group's minus those of the listings it leaves out. Every set is a block of
    rows of one sparse matrix (sets x N) that the pass multiplies with the standardised
    residuals and the presence of each block of listings.
    """
    keep = ~np.isnan(s.scar)
    jobs: list[tuple[np.ndarray, np.ndarray, int]] = []    # listings, their event, events
    bases: dict[bytes, tuple] = {}
    plan: list = []                                          # per sample
    seen: dict[tuple, tuple] = {}
    for k in range(s.size):
        members = s.members(k, keep)
        base = s.group_members[s.g[k]]
        bkey = base.tobytes()
        if bkey not in bases:
            _, inverse, cnt = np.unique(d.clusters[base], return_inverse=True, return_counts=True)
            multi = cnt[inverse] > 1
            _, compact = np.unique(inverse[multi], return_inverse=True)
            event = np.full(d.n, -1)
            event[base[multi]] = compact
            n_events = int(compact.max()) + 1 if len(compact) else 0
            job = None
            if n_events:
                jobs.append((base[multi], compact, n_events))
                job = len(jobs) - 1
            bases[bkey] = (event, n_events, base[multi], job)
        event, n_events, base_multi, base_job = bases[bkey]
        key = (bkey, members.tobytes())
        if key not in seen:
            inside = members[event[members] >= 0]
            if len(members) < 2:
                seen[key] = ("nan",)
            elif n_events == 0 or len(inside) < 2:
                seen[key] = ("zero",)
            else:
                left_out = np.setdiff1d(base_multi, inside, assume_unique=True)
                if len(left_out) < len(inside):
                    jobs.append((left_out, event[left_out], n_events))
                    seen[key] = ("minus", base_job, len(jobs) - 1)
                else:
                    jobs.append((inside, event[inside], n_events))
                    seen[key] = ("direct", len(jobs) - 1)
        plan.append((len(members), seen[key]))
    offsets = np.cumsum([0] + [n_ev for _, _, n_ev in jobs])
    if jobs:
        listing = np.concatenate([j[0] for j in jobs]).astype(np.int64)
        row = np.concatenate([off + j[1] for off, j in zip(offsets[:-1], jobs)]).astype(np.int64)
    else:
        listing = row = np.zeros(0, np.int64)
    matrix = sparse.csc_matrix((np.ones(len(listing)), (row, listing)), shape=(offsets[-1], d.n))
    return {"jobs": jobs, "offsets": offsets, "plan": plan, "matrix": matrix}


def _textbook_samples(d: _Data, windows, labels) -> _Samples:
    panel = d.panel
    cars, vars_, has = [], [], []
    in_window = np.zeros((len(windows), len(panel.evt_days)), bool)
    for j, ((a, b), (car, var)) in enumerate(zip(windows, _cars(panel, windows))):
        h = ~np.isnan(car)
        var[~(var > 0)] = np.nan
        cars.append(car)
        vars_.append(var)
        has.append(h)
        in_window[j, panel.window_index(a, b)] = True
    group, window, w, g, rows, cols = [], [], [], [], [], []
    for gi, (name, gmask) in enumerate(labels):
        for j, win in enumerate(windows):
            members = np.flatnonzero(gmask & has[j])
            rows.append(np.full(len(members), len(group)))
            cols.append(members)
            group.append(name)
            window.append(win)
            w.append(j)
            g.append(gi)
    w = np.array(w)
    return _Samples(group, window, w, np.array(g), np.array(cars), np.array(vars_),
                    in_window[w], np.concatenate(rows), np.concatenate(cols), d.n,
                    [np.flatnonzero(gmask) for _, gmask in labels])


def _result(s, test: str, statistic, p_value, df, n, estimate, null, **extra) -> dict:
    out = {"_g": s.g, "_w": s.w, "_t": np.full(s.size, 0), "group": s.group,
           "window": [_label(a, b) for a, b in s.window], "test": test,
           "statistic": np.asarray(statistic, float), "p_value": np.asarray(p_value, float),
           "df": np.broadcast_to(np.asarray(df, float), (s.size,)),
           "n": np.asarray(n, int), "estimate": np.asarray(estimate, float), "null": null}
    out.update(extra)
    out.setdefault("signif", _signif(out["p_value"]))
    return out


def _csect_t(d: _Data, s: _Samples) -> dict:
    """Cross-sectional t-test of the mean CAR.

    t = CAAR / (s_CAR / sqrt(n)), CAAR = mean_i CAR_i, s_CAR the sample standard deviation
    (n - 1) of the n CARs of the sample; Student t with n - 1 degrees of freedom under iid
    normal CARs (robust to event-induced variance, not to cross-correlation). Identical to
    ``scipy.stats.ttest_1samp``. Under estudy2 this is its ``t_test`` (same formula daily).

    References: Brown and Warner (1985); MacKinlay (1997).
    """
    n, mean, var = s.moments(s.x)
    t = mean / np.sqrt(var / n)
    return _result(s, "csect_t", t, _p_t(t, n - 1), n - 1, n, mean, "t")


def _brown_warner_1980(d: _Data, s: _Samples) -> dict:
    """Mean CAR over its standard error under cross-sectional independence.

    z = CAAR / (sqrt(sum_i Var(CAR_i)) / n), Var(CAR_i) the prediction-error variance of
    ``panel.car_variance`` (MacKinlay 1997, eq. 14, aggregated over listings; the independence
    test of Brown and Warner 1980 with model-based variances); N(0, 1) under the null
    (asymptotic in L).
    Textbook differs from estudy2: the regression's dof and the prediction-error term, the
    sample's n rather than all listings, the normal rather than t(mean L - 1).

    References: Brown and Warner (1980), JFE 8(3); MacKinlay (1997), JEL 35(1).
    """
    keep = ~np.isnan(s.v)
    n, mean, _ = s.moments(s.x, keep)
    z = mean / (np.sqrt(s.sums(s.v, keep)) / n)
    return _result(s, "brown_warner_1980", z, _p_normal(z), np.nan, n, mean, "normal")


def _brown_warner_1985(d: _Data, s: _Samples) -> dict:
    """Crude dependence adjustment: the portfolio's own time-series standard deviation.

    Abar_s = mean of the sample's estimation residuals on day s (listings present),
    S = sd(Abar_s) over the L_p estimation days with a value (n - 1), CAAR = sum over the tau
    window days with data of AAR_t (the daily mean over listings present);
    t = CAAR / (S sqrt(tau)), Student t with L_p - 1 degrees of freedom. Cross-correlation is
    in S because the portfolio is formed first. Missing listings change the portfolio's
    composition day by day (the test's assumption of a stable variance then holds only
    roughly); spans are not rescaled.

    References: Brown and Warner (1980), JFE 8(3) (the "crude dependence adjustment");
    Brown and Warner (1985), JFE 14(1).
    """
    est_n, evt_n = s.day_sums("est_obs_f"), s.day_sums("evt_obs_f")
    abar = np.where(est_n > 0, s.day_sums("est0") / np.where(est_n > 0, est_n, 1.0), np.nan)
    aar = s.day_sums("ar0") / np.where(evt_n > 0, evt_n, 1.0)
    length, _, var = _masked_moments(abar, est_n > 0)
    use = s.in_window & (evt_n > 0)
    tau = use.sum(axis=1)
    caar = np.where(tau > 0, np.where(use, aar, 0.0).sum(axis=1), np.nan)
    t = caar / (np.sqrt(var) * np.sqrt(tau))
    n = s.sums(1.0)
    return _result(s, "brown_warner_1985", t, _p_t(t, length - 1), length - 1, n, caar, "t")


def _patell_parts(d: _Data, s: _Samples):
    dof = d.dof[s.cols]
    keep = ~np.isnan(s.scar) & (dof > 2)
    z = s.sums(s.scar, keep) / np.sqrt(s.sums(dof / np.where(keep, dof - 2.0, 1.0), keep))
    return z, keep


def _patell(d: _Data, s: _Samples) -> dict:
    """Patell's standardised-residual test, on standardised CARs.

    SCAR_i = CAR_i / sqrt(Var(CAR_i)) with the prediction-error variance (MacKinlay 1997,
    eq. 14); under the null SCAR_i is Student t with dof_i degrees of freedom, variance
    dof_i / (dof_i - 2) (= (L_i - 2) / (L_i - 4) for the market model), so
    Z = sum_i SCAR_i / sqrt(sum_i dof_i / (dof_i - 2)) is N(0, 1) asymptotically (Patell 1976;
    the CAR form is the J2 statistic of Campbell, Lo and MacKinlay 1997, ch. 4).
    Listings with dof <= 2 are left out. estudy2 differs: s_i with n - 1, the Patell term over
    all market returns, mean x N sums.

    References: Patell (1976), JAR 14(2); Campbell, Lo and MacKinlay (1997), The
    Econometrics of Financial Markets, ch. 4.
    """
    z, keep = _patell_parts(d, s)
    n, mean, _ = s.moments(s.x, keep)
    return _result(s, "patell", z, _p_normal(z), np.nan, n, mean, "normal")


def _bmp_parts(d: _Data, s: _Samples):
    keep = ~np.isnan(s.scar)
    n, mean, var = s.moments(s.scar, keep)
    return mean / np.sqrt(var / n), keep


def _bmp(d: _Data, s: _Samples) -> dict:
    """Boehmer, Musumeci and Poulsen's standardised cross-sectional test.

    t = mean(SCAR) / (sd(SCAR) / sqrt(n)), SCAR as in the Patell test, sd with n - 1: the
    Patell standardisation with a cross-sectional variance, robust to event-induced variance.
    Student t with n - 1 degrees of freedom (BMP 1991).

    References: Boehmer, Musumeci and Poulsen (1991), JFE 30(2), 253-272.
    """
    t, keep = _bmp_parts(d, s)
    n, mean, _ = s.moments(s.x, keep)
    return _result(s, "bmp", t, _p_t(t, n - 1), n - 1, n, mean, "t")


def _rbar(d: _Data, s: _Samples, kp: dict) -> np.ndarray:
    """Average cross-correlation of estimation residuals among each sample's listings.

    Pairs from different events (``keys.event_id``) share no calendar dates and count as
    uncorrelated: rbar = sum_c n_c (n_c - 1) rbar_c / (n (n - 1)). Within event c,
    rbar_c = sum_{i != j} sum_s z_is z_js / sum_{i != j} L_ij with z the residuals
    standardised by each listing's own mean and sd (n) and L_ij the common days: the plain
    mean of the Pearson correlations when every listing has every day, an overlap-weighted
    mean otherwise. Both sums over pairs come from per-event sums over listings
    (sum_{i != j} a_i a_j = (sum_i a_i)^2 - sum_i a_i^2), in O(n L) with no n x n matrix; the
    per-event sums of each listing set are made by the pass (:func:`_rbar_plan`).
    """
    _, sd = d.est_moments
    l_i = d.n_est_obs
    zz = np.where(sd > 0, l_i, 0.0)              # sum_s z_is^2 = L_i (0 for a constant series)
    big_l = d.length
    per_job = []
    for (listings, event, n_events), lo, hi in zip(kp["jobs"], kp["offsets"][:-1], kp["offsets"][1:]):
        sums = kp["sums"][lo:hi]
        per_job.append({"sz": sums[:, :big_l], "so": sums[:, big_l:],
                        "zz": np.bincount(event, zz[listings], minlength=n_events),
                        "oo": np.bincount(event, l_i[listings], minlength=n_events),
                        "n": np.bincount(event, minlength=n_events).astype(float)})
    out = np.full(s.size, np.nan)
    for k, (n, how) in enumerate(kp["plan"]):
        if how[0] == "nan":
            continue
        if how[0] == "zero":
            out[k] = 0.0
            continue
        sums = per_job[how[1]] if how[0] == "direct" else \
            {name: per_job[how[1]][name] - per_job[how[2]][name] for name in per_job[how[1]]}
        n_c = np.rint(sums["n"])
        num = (sums["sz"] ** 2).sum(axis=1) - sums["zz"]
        den = (sums["so"] ** 2).sum(axis=1) - sums["oo"]
        valid = (n_c > 1) & (den > 0)
        r_c = np.where(valid, num / np.where(valid, den, 1.0), 0.0)
        out[k] = float((n_c * (n_c - 1.0) * r_c).sum() / (n * (n - 1)))
    return out


def _kp_factor(rbar, n) -> np.ndarray:
    """sqrt((1 - rbar) / (1 + (n - 1) rbar)), Kolari and Pynnönen (2010)."""
    ratio = (1.0 - rbar) / (1.0 + (n - 1.0) * rbar)
    return np.where(ratio > 0, np.sqrt(ratio), np.nan)


def _kp_tests(d: _Data, s: _Samples, which: list[str], kp: dict) -> list[dict]:
    """Kolari and Pynnönen's adjustment of the Patell and BMP tests for cross-correlation.

    With rbar the average cross-correlation of the listings' estimation-window residuals
    (see ``_rbar``; computed over the listings with a valid SCAR, so both tests share it),
    Var(sum SCAR) = n (1 + (n - 1) rbar) instead of n, and the sample variance of the SCARs
    is biased by (1 - rbar); hence
    Z_KP = Z_Patell sqrt((1 - rbar) / (1 + (n - 1) rbar)) (normal null) and
    t_KP = t_BMP sqrt((1 - rbar) / (1 + (n - 1) rbar)) (Student t, n - 1 df). With
    rbar = 0 they equal the unadjusted tests. The window's CARs are assumed to share the
    daily residuals' correlation (as KP 2010 do for cumulated returns).

    References: Kolari and Pynnönen (2010), RFS 23(11), 3996-4025.
    """
    rbar = _rbar(d, s, kp)
    out = []
    if "patell_kp" in which:
        z, keep = _patell_parts(d, s)
        n, mean, _ = s.moments(s.x, keep)
        z = z * _kp_factor(rbar, n)
        out.append(_result(s, "patell_kp", z, _p_normal(z), np.nan, n, mean, "normal",
                           rbar=rbar))
    if "bmp_kp" in which:
        t, keep = _bmp_parts(d, s)
        n, mean, _ = s.moments(s.x, keep)
        t = t * _kp_factor(rbar, n)
        out.append(_result(s, "bmp_kp", t, _p_t(t, n - 1), n - 1, n, mean, "t", rbar=rbar))
    return out


def _day_sums(d: _Data, s: _Samples, name: str):
    """Cross-sectional sums of ``name`` (L + T days) over each sample, and the n_s."""
    counts = np.hstack([s.day_sums("est_obs_f"), s.day_sums("evt_obs_f")])
    return s.day_sums(name), counts


def _window_days(d: _Data, s: _Samples, counts: np.ndarray) -> np.ndarray:
    in_w = np.zeros(counts.shape, dtype=bool)
    in_w[:, d.length:] = s.in_window
    return in_w & (counts > 0)


def _corrado(d: _Data, s: _Samples) -> dict:
    """Corrado's rank test; for a window, Cowan's (1992) cumulated form.

    K_it is the rank of x_it = AR_it / sqrt(span_it) among listing i's M_i observations of
    the estimation and event windows (average ranks for ties), U_it = K_it / (M_i + 1) - 1/2
    (Corrado and Zivney 1992's scaling, a constant multiple of Corrado's K_it - (M + 1)/2
    when every listing has M days). Ubar_t = mean of U_it over the sample's listings present
    on t, S_U = sqrt(mean over the D days with data of Ubar_t^2) (all estimation and event
    days, as Corrado 1989), and for a window of tau days with data
    Z = sum_{t in w} Ubar_t / (sqrt(tau) S_U), N(0, 1) asymptotically (tau = 1: Corrado's T).

    References: Corrado (1989), JFE 23(2), 385-395; Cowan (1992), RQFA 2(4), 343-358;
    Campbell and Wasley (1993), JFE 33(1), 73-92.
    """
    sums, counts = _day_sums(d, s, "u")
    ubar = np.where(counts > 0, sums / np.where(counts > 0, counts, 1.0), 0.0)
    s_u = np.sqrt((ubar ** 2).sum(axis=1) / (counts > 0).sum(axis=1))
    use = _window_days(d, s, counts)
    tau = use.sum(axis=1)
    z = np.where(use, ubar, 0.0).sum(axis=1) / (np.sqrt(tau) * s_u)
    n, mean, _ = s.moments(s.x)
    return _result(s, "corrado", z, _p_normal(z), np.nan, n, mean, "normal")


def _weighted_rank_z(d: _Data, s: _Samples, name: str):
    """Z = sum_{t in w} (D_t / sqrt(n_t)) / (sqrt(tau) S), S^2 = mean_s D_s^2 / n_s."""
    sums, counts = _day_sums(d, s, name)
    scaled = np.where(counts > 0, sums / np.sqrt(np.where(counts > 0, counts, 1.0)), 0.0)
    s_d = np.sqrt((scaled ** 2).sum(axis=1) / (counts > 0).sum(axis=1))
    use = _window_days(d, s, counts)
    tau = use.sum(axis=1)
    return np.where(use, scaled, 0.0).sum(axis=1) / (np.sqrt(tau) * s_d)


def _modified_rank(d: _Data, s: _Samples) -> dict:
    """Standardised rank test with the number of listings present as weights.

    With U_it as in the Corrado test and D_t = sum of U_it over the sample's listings present
    on t (n_t of them), S^2 = (1/D) sum_s D_s^2 / n_s over the D days with data and
    Z = sum_{t in w} (D_t / sqrt(n_t)) / (sqrt(tau) S), N(0, 1). Each day's term has the same
    variance whatever n_t, so missing listings do not inflate S (Corrado and Zivney 1992;
    the n_t / n weighting of Kolari and Pynnönen 2011). Equal to ``corrado`` when no
    listing misses a day. estudy2's modified rank uses mean x N sums and 1 / mean M_i.

    References: Corrado and Zivney (1992), JFQA 27(3); Kolari and Pynnönen (2011), JEF 18(5).
    """
    z = _weighted_rank_z(d, s, "u")
    n, mean, _ = s.moments(s.x)
    return _result(s, "modified_rank", z, _p_normal(z), np.nan, n, mean, "normal")


def _corrado_sign(d: _Data, s: _Samples) -> dict:
    """Corrado and Zivney's sign test against each listing's median.

    G_it = sign(x_it - median_i), the median over the listing's estimation and event days
    (x_it = AR_it / sqrt(span_it)); G_t = sum of G_it over the sample's listings present,
    S^2 = (1/D) sum_s (G_s / sqrt(n_s))^2 over the D days with data, and
    Z = sum_{t in w} (G_t / sqrt(n_t)) / (sqrt(tau) S), N(0, 1). For tau = 1 this is
    Corrado and Zivney's (1992) statistic; the cumulation over a window follows Cowan's
    (1992) rank-test extension (an extension of ours, valid for serially independent G).

    References: Corrado and Zivney (1992), JFQA 27(3), 465-478; Cowan (1992).
    """
    z = _weighted_rank_z(d, s, "g")
    n, mean, _ = s.moments(s.x)
    return _result(s, "corrado_sign", z, _p_normal(z), np.nan, n, mean, "normal")


def _sign(d: _Data, s: _Samples) -> dict:
    """Sign test of CARs with p = 1/2.

    w = number of the n CARs > 0 (zero is not positive), Z = (w - n/2) / sqrt(n/4),
    N(0, 1) (normal approximation to the binomial, no continuity correction). Assumes a
    symmetric CAR distribution with median zero, which skewed daily returns violate (hence
    the generalised sign test).

    References: Brown and Warner (1980); Cowan (1992).
    """
    n, mean, _ = s.moments(s.x)
    w = s.sums(s.x > 0)
    z = (w - 0.5 * n) / np.sqrt(0.25 * n)
    return _result(s, "sign", z, _p_normal(z), np.nan, n, mean, "normal")


def _gsign(d: _Data, s: _Samples) -> dict:
    """Cowan's generalised sign test.

    p_hat = mean over the sample's listings of each listing's share of positive
    estimation-window abnormal returns (Cowan 1992's average of per-firm fractions; estudy2
    pools the pairs instead), w = number of the n CARs > 0,
    Z = (w - n p_hat) / sqrt(n p_hat (1 - p_hat)), N(0, 1), no continuity correction.

    References: Cowan (1992), RQFA 2(4), 343-358.
    """
    n, mean, _ = s.moments(s.x)
    share = d.moments["pos_share"][s.cols]
    known = ~np.isnan(share)
    p_hat = s.sums(share, known) / s.sums(known.astype(float))
    w = s.sums(s.x > 0)
    z = (w - n * p_hat) / np.sqrt(n * p_hat * (1.0 - p_hat))
    return _result(s, "gsign", z, _p_normal(z), np.nan, n, mean, "normal")


def _segment_ranks(values: np.ndarray, seg: np.ndarray, n_seg: int):
    """Average ranks of ``values`` within each segment, and sum(t^3 - t) over its tie groups."""
    order = np.lexsort((values, seg))
    v, g = values[order], seg[order]
    k = len(v)
    pos = np.arange(k)
    new = np.ones(k, bool)
    new[1:] = (v[1:] != v[:-1]) | (g[1:] != g[:-1])
    last = np.ones(k, bool)
    last[:-1] = new[1:]
    start = np.maximum.accumulate(np.where(new, pos, 0))
    end = np.minimum.accumulate(np.where(last, pos, k)[::-1])[::-1]
    first = np.searchsorted(g, g)
    ranks = np.empty(k)
    ranks[order] = (start + end) / 2.0 - first + 1.0
    size = (end - start + 1.0)[new]
    return ranks, np.bincount(g[new], size ** 3 - size, minlength=n_seg)


def _wilcoxon(d: _Data, s: _Samples) -> dict:
    """Wilcoxon signed-rank test of the CARs against zero.

    Zero CARs are dropped (Wilcoxon's method); the remaining n are ranked by |CAR| (average
    ranks for ties) and the statistic is W+ = sum of the ranks of the positive CARs. The
    p-value is two-sided, 2 min(P(W+ <= w), P(W+ >= w)): exact for n <= 50 (the distribution
    over all 2^n sign patterns of the observed ranks, so exact conditional on ties), else
    from the normal with mean n(n+1)/4 and variance n(n+1)(2n+1)/24 - sum(t^3 - t)/48, no
    continuity correction. This equals ``scipy.stats.wilcoxon`` where scipy is exact (no
    ties, n <= 50), permutes (ties or zeros, n <= 13) or is asymptotic (n > 50).

    References: Wilcoxon (1945); Lehmann (1975), Nonparametrics, ch. 3.
    """
    keep = s.x != 0
    if s.size * s.n_listings <= 2 * keep.sum():        # samples cover most listings: rows
        dense = np.full((s.size, s.n_listings), np.nan)
        dense[s.rows[keep], s.cols[keep]] = np.abs(s.x[keep])
        dense_ranks, tie_term = _rank_rows(dense, ties=True)
        ranks = dense_ranks[s.rows[keep], s.cols[keep]]
    else:
        ranks, tie_term = _segment_ranks(np.abs(s.x[keep]), s.rows[keep], s.size)
    n = s.sums(keep.astype(float))
    w_plus = np.bincount(s.rows[keep], np.where(s.x[keep] > 0, ranks, 0.0), minlength=s.size)
    mean_w = n * (n + 1) / 4.0
    var_w = n * (n + 1) * (2 * n + 1) / 24.0 - tie_term / 48.0
    p = _p_normal((w_plus - mean_w) / np.sqrt(var_w))
    null = np.full(s.size, "normal", dtype=object)
    seg = s.rows[keep]
    bounds = np.searchsorted(seg, np.arange(s.size + 1))
    for k in np.flatnonzero((n > 0) & (n <= 50)):
        r = ranks[bounds[k]:bounds[k + 1]]
        p[k] = _signed_rank_p(np.rint(2 * r), 2 * w_plus[k])
        null[k] = "signed-rank exact"
    _, mean, _ = s.moments(s.x)
    w_plus = np.where(n > 0, w_plus, np.nan)
    return _result(s, "wilcoxon", w_plus, p, np.nan, n, mean, null)


def _grank(d: _Data, s: _Samples, gr: dict, restandardise: bool = True) -> dict:
    """Kolari and Pynnönen's generalised rank test (GRANK-T), for any window.

    With ``restandardise=False`` (test ``grank_scar``) the event point is SCAR_i itself, not
    SCAR*_i: the cross-sectional sd of a handful of SCARs is a noisy divisor, and under a shared
    event date it misses the SCARs' common component, so the re-standardised test over-rejects
    with few listings (13 % at n = 4 on iid normal returns) and more under correlation, while
    this form keeps its size; it gives up the protection against event-induced variance.

    SCAR_i = CAR_i / sqrt(Var(CAR_i)) (prediction-error variance), re-standardised by its
    cross-sectional sd (n - 1), SCAR*_i = SCAR_i / s_SCAR, which removes
    event-induced volatility. Listing i's series of generalised SARs is its standardised
    estimation residuals SAR_is = x_is / sigma_i (s in the estimation window, x = residual /
    sqrt(span)) and, as one more point for the whole window, GSAR_i0 = SCAR*_i.
    U_it = rank(GSAR_it) / (T_i + 1) - 1/2 among listing i's T_i = L_i + 1 points.
    With Ubar_t the mean of U_it over the listings present on t (n_t of n),
    S_U^2 = (1/T) sum_t (n_t / n) Ubar_t^2 over the T time points with data,
    Z = Ubar_0 / S_U and t_grank = Z sqrt((T - 2) / (T - 1 - Z^2)), Student t with T - 2
    degrees of freedom (the GRANK-T form).

    The ranks come from :func:`_stream`: rank(GSAR_i0) = (le + lt) / 2 + 1 with le (lt) the
    SARs at most (strictly below) GSAR_i0, and each estimation day's rank sum is the sum of the
    SARs' ranks among themselves plus one for each SAR above GSAR_i0 (one half for a tie).

    References: Kolari and Pynnönen (2011), J. Empirical Finance 18(5), 953-971.
    """
    variant = "grank" if restandardise else "grank_scar"
    scale = 1.0 / (d.n_est_obs + 2.0)                          # 1 / (T_i + 1)
    keep = gr["keep"]
    n, _, _ = s.moments(s.scar, keep)
    le, lt = gr["le"][variant], gr["lt"][variant]
    u0 = ((le + lt) / 2.0 + 1.0) * scale[s.cols] - 0.5         # U_i0, rank of GSAR_i0
    ubar0 = s.sums(u0, keep) / n
    n_s = s.day_sums("grank n")
    days = n_s > 0
    ubar = np.where(days, (s.day_sums("grank r") + gr["above"][variant])
                    / np.where(days, n_s, 1.0) - 0.5, 0.0)
    t_points = days.sum(axis=1) + 1
    s_u = np.sqrt(((n_s / n[:, None]) * ubar ** 2).sum(axis=1) + ubar0 ** 2) / np.sqrt(t_points)
    z = ubar0 / s_u
    denom = t_points - 1 - z ** 2
    enough = n >= 2
    t_stat = np.where(enough & (denom > 0), z * np.sqrt((t_points - 2) / np.where(denom > 0, denom, 1.0)),
                      np.nan)
    df = np.where(enough, t_points - 2.0, np.nan)
    _, mean, _ = s.moments(s.x, keep)
    return _result(s, variant, t_stat, _p_t(t_stat, df), df, n, mean, "t")


def _bca_interval(x: np.ndarray, boot: np.ndarray, alpha: float):
    """BCa interval and two-sided p (achieved significance level) for the mean of x.

    z0 = Phi^-1(share of bootstrap means below the estimate, ties counting one half);
    acceleration a = sum(d^3) / (6 (sum d^2)^1.5), d the jackknife deviations
    mean(theta_(.)) - theta_(i); endpoints are the bootstrap quantiles at
    Phi(z0 + (z0 + z_q) / (1 - a (z0 + z_q))) for q = alpha/2, 1 - alpha/2 (Efron 1987;
    Efron and Tibshirani 1993, ch. 14). The p-value inverts the interval: with
    g = share of bootstrap means <= 0 (kept within [1/B, 1 - 1/B]), w = Phi^-1(g) - z0,
    z = w / (1 + a w) - z0 and p = 2 min(Phi(z), 1 - Phi(z)), so p < alpha exactly when 0
    is outside the interval (up to the bootstrap's resolution).
    """
    theta = x.mean()
    n, b = len(x), len(boot)
    jack = (x.sum() - x) / (n - 1)
    dev = jack.mean() - jack
    den = (dev ** 2).sum()
    a = (dev ** 3).sum() / (6.0 * den ** 1.5) if den > 0 else 0.0
    share = ((boot < theta).sum() + 0.5 * (boot == theta).sum()) / b
    z0 = stats.norm.ppf(share)
    zq = stats.norm.ppf([alpha / 2, 1 - alpha / 2])
    levels = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
    if not np.isfinite(levels).all():
        return np.nan, np.nan, np.nan
    low, high = np.quantile(boot, levels)
    g = np.clip((boot <= 0).sum() / b, 1.0 / b, 1.0 - 1.0 / b)
    w = stats.norm.ppf(g) - z0
    z = w / (1 + a * w) - z0
    p = 2.0 * min(stats.norm.cdf(z), stats.norm.sf(z)) if 1 + a * w > 0 else np.nan
    return low, high, p


def _bootstrap_means(rng: np.random.Generator, x: np.ndarray, n_boot: int) -> np.ndarray:
    """Means of n_boot resamples of x with replacement (n listings each), in chunks."""
    n = len(x)
    chunk = max(1, int(2e7 // max(n, 1)))
    out = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        out[start:start + size] = x[rng.integers(0, n, size=(size, n))].mean(axis=1)
    return out


#: Fewest listings for a bootstrap interval: with n listings there are only C(2n-1, n) distinct
#: resamples (3 for n = 2, 126 for n = 5), too few for the BCa percentiles to mean anything.
BOOTSTRAP_MIN_N = 10


def _bootstrap(d: _Data, s: _Samples, n_boot: int, seed, alpha: float) -> dict:
    """Bootstrap BCa confidence interval for the mean CAR, resampling listings.

    Samples with fewer than :data:`BOOTSTRAP_MIN_N` listings get NaN (no interval, no p-value)
    rather than a spuriously precise one.

    Each of ``n_boot`` resamples draws n listings' CARs with replacement (the listing is the
    unit; days of a listing stay together, so each CAR's own serial dependence is kept; the
    draws assume independent listings, so a shared event date is not accounted for). The
    interval is the bias-corrected and accelerated (BCa) percentile interval at 1 - alpha;
    ``statistic`` is CAAR / (sd of the bootstrap means); ``p_value`` inverts the BCa interval
    (see ``_bca_interval``). Samples are drawn in order with one generator seeded by
    ``seed``, so results are reproducible.

    References: Efron (1987), JASA 82(397); Efron and Tibshirani (1993), An Introduction to
    the Bootstrap, ch. 14-15.
    """
    rng = np.random.default_rng(seed)
    stat, p, low, high = (np.full(s.size, np.nan) for _ in range(4))
    n, mean, _ = s.moments(s.x)
    bounds = np.searchsorted(s.rows, np.arange(s.size + 1))
    for k in range(s.size):
        x = s.x[bounds[k]:bounds[k + 1]]
        if len(x) < BOOTSTRAP_MIN_N:
            continue
        boot = _bootstrap_means(rng, x, n_boot)
        se = boot.std(ddof=1)
        if se == 0:
            low[k] = high[k] = x.mean()
            continue
        stat[k] = x.mean() / se
        low[k], high[k], p[k] = _bca_interval(x, boot, alpha)
    return _result(s, "bootstrap", stat, p, np.nan, n, mean, "bootstrap BCa",
                   ci_low=low, ci_high=high)


_TEXTBOOK: dict[str, Callable[[_Data, _Samples], dict]] = {
    "csect_t": _csect_t, "brown_warner_1980": _brown_warner_1980,
    "brown_warner_1985": _brown_warner_1985, "patell": _patell, "bmp": _bmp,
    "corrado": _corrado, "modified_rank": _modified_rank, "sign": _sign,
    "gsign": _gsign, "corrado_sign": _corrado_sign, "wilcoxon": _wilcoxon,
}


#: tests that read the blocked pass over the listings' rows (:func:`_stream`)
_STREAMED = {"brown_warner_1985", "corrado", "modified_rank", "corrado_sign", "grank", "grank_scar",
             "patell_kp", "bmp_kp", "gsign"}


def _run_textbook(panel, windows, labels, tests, n_boot, seed, alpha) -> pd.DataFrame:
    d = _Data(panel, tests)
    s = _textbook_samples(d, windows, labels)
    streamed = _stream(d, s, tests) if set(tests) & _STREAMED else {}
    results = []
    for test in tests:
        if test in _TEXTBOOK:
            results.append(_TEXTBOOK[test](d, s))
        elif test in ("grank", "grank_scar"):
            results.append(_grank(d, s, streamed["grank"], restandardise=test == "grank"))
        elif test == "bootstrap":
            results.append(_bootstrap(d, s, n_boot, seed, alpha))
    kp = [t for t in tests if t in ("patell_kp", "bmp_kp")]
    if kp:
        results.extend(_kp_tests(d, s, kp, streamed["kp"]))
    for r in results:
        r["_t"] = np.full(s.size, tests.index(r["test"]))
    return _frame(results, "textbook")


# --------------------------------------------------------------------------------------------
# estudy2 convention
# --------------------------------------------------------------------------------------------

class _Estudy2:
    """estudy2's ingredients (see the module docstring and its README's notation)."""

    def __init__(self, panel: AbnormalReturnPanel):
        self.panel = panel
        self.ar = _finite(panel.evt_ar)
        self.obs = ~np.isnan(self.ar)
        self.est = _finite(panel.est_ar)
        self.est_obs = ~np.isnan(self.est)
        self.length = self.est.shape[1]
        self.big_l = np.asarray(panel.n_est, float)                # L_i
        _, _, var = _masked_moments(self.est, self.est_obs)
        self.s = np.sqrt(var)                                      # sd with n - 1

    @cached_property
    def full(self) -> np.ndarray:
        return np.concatenate([self.est, self.ar], axis=1)

    @cached_property
    def full_obs_f(self) -> np.ndarray:
        return (~np.isnan(self.full)).astype(float)

    @cached_property
    def m_i(self) -> np.ndarray:
        """M_i, the listing's observations in the estimation and event windows."""
        return self.full_obs_f.sum(axis=1)

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        return _rank_rows(self.full, medians=True)

    @cached_property
    def ranks(self) -> np.ndarray:
        """K_is, average ranks within E u W (NaN where missing)."""
        return self._sorted[0]

    def rank_values(self, test: str) -> np.ndarray:
        """The per-day values whose cross-sectional sums the rank-type tests use (0 if missing)."""
        cache = self.__dict__.setdefault("_values", {})
        if test not in cache:
            if test == "corrado_sign":
                values = np.sign(self.full - self._sorted[1][:, None])
            elif test == "corrado":
                values = self.ranks - (self.m_i[:, None] + 1) / 2
            else:
                values = self.ranks / (self.m_i[:, None] + 1) - 0.5
            cache[test] = np.where(self.full_obs_f > 0, values, 0.0)
        return cache[test]

    @cached_property
    def market(self):
        """Event-window market returns (N, T), mean and sum of squares over every finite
        estimation-window market return of the row."""
        if self.panel.est_market is None or self.panel.evt_market is None:
            raise ResearchError("estudy2's Patell, Boehmer and Lamb tests need est_market and "
                                "evt_market in the panel")
        est_m = _finite(self.panel.est_market)
        n, mean, var = _masked_moments(est_m, ~np.isnan(est_m))
        return _finite(self.panel.evt_market), mean, var * (n - 1)

    @cached_property
    def sar(self) -> np.ndarray:
        """A_it / (s_i sqrt(1 + 1/L_i + (R_mt - Rbar_m)^2 / sum_E (R_ms - Rbar_m)^2)), (N, T)."""
        evt_m, mean, ss = self.market
        scale = np.sqrt(1.0 + 1.0 / self.big_l[:, None] + (evt_m - mean[:, None]) ** 2
                        / ss[:, None])
        return self.ar / (self.s[:, None] * scale)


def _e2_daily(e: _Estudy2, gmask: np.ndarray, test: str) -> dict[str, np.ndarray]:
    """estudy2's daily test ``test`` on every event day, for the listings of ``gmask``.

    N = listings of the group, N_t = those with an abnormal return on t, mean_t their mean:

    * ``brown_warner_1980``: mean_t / (sqrt(sum_i s_i^2) / N), t(mean L_i - 1);
    * ``brown_warner_1985``: mean_t / sd(Abar_s), Abar_s the daily mean over the group's
      listings present in the estimation window, t(mean L_i - 1);
    * ``csect_t`` (estudy2 ``t_test``): mean_t / sd_t * sqrt(N_t), t(N_t - 1);
    * ``patell``: SAR_it = A_it / (s_i sqrt(1 + 1/L_i + (R_mt - Rbar_m)^2 / SS_m)),
      Z = mean_t(SAR) N / sqrt(sum_i (L_i - 2) / (L_i - 4)) over the group's N listings, normal;
    * ``bmp`` (estudy2 ``boehmer``): mean_t(SAR) / sd_t(SAR) sqrt(N_t), t(N_t - 1);
    * ``lamb``: mean_t / (sd(Abar_s) sqrt(1 + 1/mean L_i + (R_mt - Rbar_m)^2 / SS_m)) with the
      market of the group's first listing, normal;
    * ``sign``: (w_t - N_t/2) / sqrt(N_t/4), w_t = share of A_it > 0 times N, normal;
    * ``gsign``: (w_t - N_t p) / sqrt(N_t p (1 - p)), p the pooled share of positive
      estimation abnormal returns of the group, normal;
    * ``corrado_sign``, ``corrado`` (estudy2 ``rank_test``), ``modified_rank``, ``wilcoxon``:
      see ``_e2_rank_family`` and ``_e2_wilcoxon``.

    The sums of the Patell and sign tests are estudy2's mean x N. The Patell denominator's
    sum over the group's N listings (not the N_t present) is our reading of estudy2: the
    fixture, complete on event days, cannot tell them apart. Returns arrays over the event
    days: statistic, p_value, df, n (N_t), estimate (mean_t), null and, for Wilcoxon, signif.

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    idx = np.flatnonzero(gmask)
    big_n = float(len(idx))
    a = e.ar[idx]                                     # (n, T)
    avail = e.obs[idx]
    n_t, mean_t, var_t = _masked_moments(a.T, avail.T)
    mean_l = e.big_l[idx].mean()
    out = {"n": n_t, "estimate": mean_t}

    def done(stat, p, df, null):
        out.update(statistic=stat, p_value=p, df=np.broadcast_to(np.asarray(df, float),
                                                                 mean_t.shape), null=null)
        return out

    if test == "brown_warner_1980":
        stat = mean_t / (np.sqrt((e.s[idx] ** 2).sum()) / big_n)
        return done(stat, _p_t(stat, np.full(stat.shape, mean_l - 1)), mean_l - 1, "t")
    if test in ("brown_warner_1985", "lamb"):
        sd = _e2_portfolio_sd(e, idx)
        if test == "brown_warner_1985":
            stat = mean_t / sd
            return done(stat, _p_t(stat, np.full(stat.shape, mean_l - 1)), mean_l - 1, "t")
        evt_m, m_mean, m_ss = e.market
        first = idx[0]
        scale = np.sqrt(1.0 + 1.0 / mean_l + (evt_m[first] - m_mean[first]) ** 2 / m_ss[first])
        stat = mean_t / (sd * scale)
        return done(stat, _p_normal(stat), np.nan, "normal")
    if test == "csect_t":
        stat = mean_t / np.sqrt(var_t) * np.sqrt(n_t)
        return done(stat, _p_t(stat, n_t - 1), n_t - 1, "t")
    if test in ("patell", "bmp"):
        _, mean_sar, var_sar = _masked_moments(e.sar[idx].T, avail.T)
        if test == "patell":
            big_l = e.big_l[idx]
            stat = mean_sar * big_n / np.sqrt(((big_l - 2) / (big_l - 4)).sum())
            return done(stat, _p_normal(stat), np.nan, "normal")
        stat = mean_sar / np.sqrt(var_sar) * np.sqrt(n_t)
        return done(stat, _p_t(stat, n_t - 1), n_t - 1, "t")
    if test in ("sign", "gsign"):
        w_t = (avail & (a > 0)).sum(axis=0) / n_t * big_n
        if test == "sign":
            stat = (w_t - 0.5 * n_t) / np.sqrt(0.25 * n_t)
        else:
            p_hat = (e.est[idx] > 0).sum() / e.est_obs[idx].sum()
            stat = (w_t - n_t * p_hat) / np.sqrt(n_t * p_hat * (1 - p_hat))
        return done(stat, _p_normal(stat), np.nan, "normal")
    if test == "wilcoxon":
        return _e2_wilcoxon(a, avail, big_n, out)
    stat = _e2_rank_family(e, gmask, test, n_t, big_n)
    return done(stat, _p_normal(stat), np.nan, "normal")


def _e2_portfolio_sd(e: _Estudy2, idx: np.ndarray) -> float:
    """sd (n - 1) over the estimation days of the daily mean abnormal return of the group."""
    est, obs = e.est[idx], e.est_obs[idx]
    cnt = obs.sum(axis=0)
    abar = np.where(obs, est, 0.0).sum(axis=0) / np.where(cnt > 0, cnt, 1)
    _, _, var = _masked_moments(abar, cnt > 0)
    return float(np.sqrt(var))


def _e2_rank_family(e: _Estudy2, gmask: np.ndarray, test, n_t, big_n) -> np.ndarray:
    """estudy2's Corrado sign, rank and modified rank tests on each event day t.

    Over F_i (estimation and event days, M_i of them) and every day s of E u W with n_s
    listings present, with "sums" the mean over present listings times N:

    * ``corrado_sign``: G_is = sign(A_is - median_i), S = sqrt(sum_s (G_s / sqrt(n_s))^2 /
      mean M_i), Z = (G_t / sqrt(N_t)) / S;
    * ``corrado`` (rank_test): D_s = sum of K_is - (M_i + 1)/2, S = sqrt(sum_s (D_s / n_s)^2 /
      mean M_i), Z = (D_t / N_t) / S;
    * ``modified_rank``: D_s = sum of K_is / (M_i + 1) - 1/2,
      S = sqrt(sum_s (D_s / sqrt(n_s))^2 / mean M_i), Z = (D_t / sqrt(N_t)) / S.

    All normal. Differences from the textbook tests: mean x N sums (missing listings inflate
    a day's sum by N / n_s) and the divisor mean M_i instead of the number of days.

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    m = gmask.astype(float)
    counts = m @ e.full_obs_f
    safe = np.where(counts > 0, counts, 1.0)
    sums = np.where(counts > 0, (m @ e.rank_values(test)) / safe, 0.0) * big_n
    scaled = sums / safe ** (1.0 if test == "corrado" else 0.5)
    s_d = np.sqrt((scaled ** 2).sum() / e.m_i[gmask].mean())
    return np.where(n_t > 0, scaled[e.length:] / s_d, np.nan)


def _e2_wilcoxon(a: np.ndarray, avail: np.ndarray, big_n: float, out: dict) -> dict:
    """estudy2's Wilcoxon test: W+ as mean x N, with estudy2's mixed-quantile flags.

    Drop listings whose A_it is missing or zero; rank |A_it| (average ranks); W+ is the mean
    over the n kept listings of rank x 1[A_it > 0], times N. Flag at level a when
    W+ >= qsignrank(1 - a, n) or W+ <= n(n+1)/2 - qsignrank(1 - a/2, n) (estudy2's two
    tails). ``p_value`` is two-sided from the exact signed-rank distribution of n untied ranks
    evaluated at W+ (normal approximation for n > 50); where N != n or ties occur the p-value
    and the flag can disagree, as they do in estudy2.

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    keep = (avail & (a != 0)).T                       # (T, n)
    ranks = _rank_rows(np.where(keep, np.abs(a.T), np.nan))
    n = keep.sum(axis=1)
    w_plus = np.where(keep & (a.T > 0), ranks, 0.0).sum(axis=1) / np.where(n > 0, n, 1) * big_n
    p = np.full(len(n), np.nan)
    flags = np.full(len(n), "", dtype=object)
    for k in np.flatnonzero(n > 0):
        nk = int(n[k])
        if nk <= 50:
            p[k] = _signed_rank_p(2.0 * np.arange(1, nk + 1), 2 * w_plus[k])
        else:
            mu, sd = nk * (nk + 1) / 4, np.sqrt(nk * (nk + 1) * (2 * nk + 1) / 24)
            p[k] = _p_normal((w_plus[k] - mu) / sd)
        total = nk * (nk + 1) / 2
        for level, flag in reversed(_SIGNIF_LEVELS):
            if (w_plus[k] >= _qsignrank(1 - level, nk)
                    or w_plus[k] <= total - _qsignrank(1 - level / 2, nk)):
                flags[k] = flag
    out.update(statistic=np.where(n > 0, w_plus, np.nan), p_value=p, df=np.full(len(n), np.nan),
               null=np.where(n <= 50, "signed-rank exact", "normal"), signif=flags)
    return out


def _e2_car(e: _Estudy2, gmask: np.ndarray, cols: np.ndarray, test: str,
            daily: dict[str, np.ndarray]) -> tuple[float, float, int]:
    """estudy2's CAR tests over a window, on the days with more than 90% of listings present.

    With T such days: ``brown_warner_1985`` (car_brown_warner_1985) and ``lamb`` (car_lamb):
    sum_t stat_t / sqrt(T) of the daily statistics; ``corrado`` (car_rank_test):
    sqrt(T) (Kbar_w - mean_i Kbar_i) / sqrt(sum_{s in E u W} (Kbar_s - mean_i Kbar_i)^2 /
    mean_i M_i), Kbar_w the mean of all K_it (t among the T days, listings present), Kbar_s
    the plain mean over the listings present on s, Kbar_i = (M_i + 1)/2 averaged over the
    group. All normal. ``estimate`` is the sum over the T days of mean_t (estudy2's car_mean
    is its average, estimate / T). Returns (statistic, estimate, listings with data).

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    pct = 100.0 * daily["n"] / gmask.sum()
    days = cols[pct[cols] > ESTUDY2_CAR_PERCENTAGE]
    if len(days) == 0:
        return np.nan, np.nan, 0
    estimate = float(daily["estimate"][days].sum())
    n_list = int((gmask & e.obs[:, days].any(axis=1)).sum())
    if test in ("brown_warner_1985", "lamb"):
        return float(daily["statistic"][days].sum() / np.sqrt(len(days))), estimate, n_list
    idx = np.flatnonzero(gmask)
    obs = e.full_obs_f[idx] > 0
    k = np.where(obs, e.ranks[idx], 0.0)
    kbar_i = ((e.m_i[idx] + 1) / 2).mean()
    at = e.length + days
    k_w = k[:, at].sum() / obs[:, at].sum()
    cnt = obs.sum(axis=0)
    dev = np.where(cnt > 0, k.sum(axis=0) / np.where(cnt > 0, cnt, 1) - kbar_i, 0.0)
    s_k = np.sqrt((dev ** 2).sum() / e.m_i[idx].mean())
    return float(np.sqrt(len(days)) * (k_w - kbar_i) / s_k), estimate, n_list


def _run_estudy2(panel, windows, labels, tests) -> pd.DataFrame:
    e = _Estudy2(panel)
    one_day = any(a == b for a, b in windows)
    longer = any(a != b for a, b in windows)
    day_tests = _select(tests, ESTUDY2_DAILY_TESTS, "estudy2 (one-day windows)") if one_day else []
    car_tests = _select(tests, ESTUDY2_CAR_TESTS, "estudy2 (CAR windows)") if longer else []
    rows = []
    for gi, (name, gmask) in enumerate(labels):
        cache: dict[str, dict] = {}

        def daily(test: str) -> dict:
            if test not in cache:
                cache[test] = _e2_daily(e, gmask, test)
            return cache[test]

        for wi, (a, b) in enumerate(windows):
            cols = panel.window_index(a, b)
            if a == b:
                for test in day_tests:
                    r = daily(test)
                    t = cols[0]
                    rows.append({"_g": gi, "_w": wi, "_t": ESTUDY2_DAILY_TESTS.index(test),
                                 "group": name, "window": _label(a, b), "test": test,
                                 "statistic": r["statistic"][t], "p_value": r["p_value"][t],
                                 "df": r["df"][t], "n": r["n"][t], "estimate": r["estimate"][t],
                                 "null": r["null"] if isinstance(r["null"], str) else r["null"][t],
                                 "signif": r["signif"][t] if "signif" in r
                                 else _signif(r["p_value"][t])[()]})
            else:
                for test in car_tests:
                    base = daily("csect_t") if test == "corrado" else daily(test)
                    stat, est, n_list = _e2_car(e, gmask, cols, test, base)
                    p = float(_p_normal(stat))
                    rows.append({"_g": gi, "_w": wi, "_t": ESTUDY2_CAR_TESTS.index(test),
                                 "group": name, "window": _label(a, b), "test": test,
                                 "statistic": stat, "p_value": p, "df": np.nan, "n": n_list,
                                 "estimate": est, "null": "normal",
                                 "signif": _signif(p)[()]})
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].astype(int)
    return _frame([frame], "estudy2")
