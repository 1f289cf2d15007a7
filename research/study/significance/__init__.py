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

Where things are
----------------
``registry``  the tests' names, display names, papers, conventions and significance stars;
``textbook``  the textbook statistics, one function per test, and the bootstrap;
``streamed``  the blocked pass over the listings' rows that the textbook tests read;
``estudy2``   the estudy2 convention;
``joint``     the portfolio placebo and SUR tests for listings sharing one date;
``helpers``   threads, packed-key sorts and ranks, p-values and the output frame;
``api``       the three entry points below (loaded on first use);
``multiple``  Holm and Benjamini-Hochberg p-values across windows and tests (:func:`adjust_pvalues`).

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
rows (:func:`stream`; blocks on every core, reduced in block order so the sums do not depend
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
* spans are ignored (estudy2 has no trade-to-trade returns);
* Patell, BMP and Lamb need the single-index market model (their variance has its
  prediction-error term): with any other model they are left out of the default tests and
  refused when asked for, as estudy2 refuses them ("applicable only for the single-index market
  model"); and :func:`~research.study.event_study` sets no minimum estimation length.

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

Asked for by name only (:data:`JOINT_TESTS`, :mod:`~research.study.significance.joint`), for a
few listings sharing one date:

``placebo_portfolio``  the equally weighted portfolio's CAR, studentised by a RiskMetrics (1996)
                       EWMA volatility forecast, among its estimation-window values (Gelbach,
                       Helland and Klick 2013), exact p-value (Phipson and Smyth 2010)
``sur_wald``, ``sur_wald_mean``  Wald tests of the multivariate regression with event dummies
                       that every listing's CAR, or their average, is zero (Schipper and
                       Thompson 1983; Binder 1985); per event by ``linearmodels.system.SUR``
``sur_boot``, ``sur_boot_mean``  the same statistics against their residual-vector bootstrap
                       (Hein and Westfall 2004)

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

from research.study.significance.registry import (COLUMNS, CONVENTIONS, ESTUDY2_CAR_PERCENTAGE, ESTUDY2_CAR_TESTS,
                                                  ESTUDY2_DAILY_TESTS, JOINT_TESTS, SIGNIF_LEVELS, TEST_NAMES, TEST_REFERENCES,
                                                  TEXTBOOK_TESTS, signif)

__all__ = ["ADJUSTMENTS", "ADJUSTMENT_REFERENCES", "BOOTSTRAP_MIN_N", "COLUMNS", "CONVENTIONS", "ESTUDY2_CAR_PERCENTAGE",
           "ESTUDY2_CAR_TESTS", "ESTUDY2_DAILY_TESTS", "JOINT_TESTS", "MIN_PLACEBO_WINDOWS", "SIGNIF_LEVELS", "TEST_NAMES",
           "TEST_REFERENCES", "TEXTBOOK_TESTS", "adjust_pvalues", "daily_tests", "joint_tests", "run_tests", "signif",
           "single_listing_tests"]

#: Loaded on first use, so that the registry (names, conventions, stars) costs no scipy or numba.
_LAZY = {"run_tests": "api", "daily_tests": "api", "single_listing_tests": "api", "BOOTSTRAP_MIN_N": "textbook",
         "joint_tests": "joint", "MIN_PLACEBO_WINDOWS": "joint",
         **dict.fromkeys(["adjust_pvalues", "ADJUSTMENTS", "ADJUSTMENT_REFERENCES"], "multiple")}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"research.study.significance.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
