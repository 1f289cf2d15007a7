"""The three entry points of :mod:`research.study.significance` (see its docstring)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.study.panel import AbnormalReturnPanel
from research.study.significance.estudy2 import run_estudy2
from research.study.significance.helpers import finite, ghk_pvalues, group_masks, p_t, window_cars
from research.study.significance.registry import (JOINT_TESTS, TEXTBOOK_TESTS, check_convention,
                                                  select)
from research.study.significance.textbook import run_textbook
from research.study.windows import window_label


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
        :data:`ESTUDY2_CAR_TESTS` for longer windows). The textbook convention also runs the
        :data:`JOINT_TESTS` when named (:mod:`research.study.significance.joint`).
    n_boot : int
        Bootstrap resamples (``bootstrap``, ``sur_boot``, ``sur_boot_mean``).
    seed : int, Generator or None
        Seed of the bootstrap's generator.
    alpha : float
        The bootstrap interval covers 1 - alpha.

    Returns
    -------
    DataFrame
        One row per group, window and test with the columns :data:`~research.study.significance.registry.COLUMNS`.
    """
    check_convention(convention)
    windows = list(dict.fromkeys((int(a), int(b)) for a, b in windows))   # drop repeats
    if not windows:
        raise ResearchError("run_tests needs at least one window")
    if not 0 < alpha < 1:
        raise ResearchError(f"alpha must be between 0 and 1, not {alpha}")
    if int(n_boot) < 2:
        raise ResearchError(f"n_boot must be at least 2, not {n_boot}")
    for a, b in windows:
        panel.window_index(a, b)
    labels = group_masks(panel, groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        if convention == "textbook":
            chosen = list(TEXTBOOK_TESTS) if tests is None else select(tests, TEXTBOOK_TESTS + JOINT_TESTS,
                                                                         convention)
            return run_textbook(panel, windows, labels, chosen, n_boot, seed, alpha)
        return run_estudy2(panel, windows, labels, tests)


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
        Columns ``day`` (relative day) and :data:`~research.study.significance.registry.COLUMNS` without ``group`` and ``window``,
        one row per day and test, over all listings.
    """
    check_convention(convention)
    if tests is None and convention == "textbook":
        tests = [t for t in TEXTBOOK_TESTS if t != "bootstrap"]
    # under estudy2 the default (None) is the convention's own, without the tests the model refuses
    if tests is not None and "bootstrap" in tests:
        raise ResearchError("daily_tests does not run the bootstrap; use run_tests with a seed")
    days = [int(t) for t in panel.evt_days]
    frame = run_tests(panel, [(t, t) for t in days], convention=convention, tests=tests)
    by_label = {window_label((t, t)): t for t in days}
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
      grows (GHK 2013); it uses raw residuals, so spans are not rescaled. It is kept as GHK
      publish it, so the column is their test: at finite L it leaves the CAR itself out of the
      L + 1 values, so rejecting when p < a its size, 2 ceil(a L / 2) / (L + 1), can exceed a by up
      to 2 / (L + 1) (5.94 % at 5 % with 201 sums; with 240 it is 4.98 %, as the exact rule's).
      The portfolio placebo test (:mod:`~research.study.significance.joint`), which claims an
      exact p-value, counts it (``ghk_pvalues(..., exact=True)``).

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
        for car, variance in window_cars(panel, windows):
            cars.append(car)
            variances.append(variance)
        ghk, ghk_n = ghk_pvalues(finite(panel.est_ar), np.asarray(panel.est_days),
                                  np.array(cars), [b - a + 1 for a, b in windows])
        t_stat = np.array(cars) / np.sqrt(np.array(variances))
        p_value = p_t(t_stat, dof[None, :])
        frames = []
        for j, (a, b) in enumerate(windows):
            out = panel.keys.reset_index(drop=True).copy()
            out["window"] = window_label((a, b))
            out["car"] = cars[j]
            out["variance"] = variances[j]
            out["t_stat"] = t_stat[j]
            out["df"] = dof
            out["p_value"] = p_value[j]
            out["ghk_p_value"] = ghk[j]
            out["ghk_n"] = ghk_n[j]
            frames.append(out)
    return pd.concat(frames, ignore_index=True)


