"""The abnormal-return panel: what the expected-return models hand to the tests.

N listing-events on a common grid of relative trading days (event time is counted in each
listing's own trading days). Every test in :mod:`research.study.significance` reads only this
object, so any model that fills it is tested the same way.

Prediction-error variance (MacKinlay 1997, eq. 7-8 and 13-14, generalised to weighted least
squares for trade-to-trade observations, Maynes and Rumsey 1993). For a linear model with
regressors ``x_t`` (including the intercept column, multiplied by the span for trade-to-trade
observations), residual variance ``sigma_i^2`` per session and estimation design ``X`` with
weights ``W = diag(1/span)``::

    Var(AR_it)            = sigma_i^2 * (span_it + x_it' (X' W X)^-1 x_it)
    Var(sum_{t in w} AR_it) = sigma_i^2 * (sum_{t in w} span_it + s_w' (X' W X)^-1 s_w),
                             s_w = sum_{t in w} x_it

For a model without estimated parameters (market-adjusted) ``k = 0`` and only the span terms
remain. A model with time-varying conditional variance (GARCH) supplies ``evt_cond_var``, the
forecast variance per event day, which then replaces ``sigma_i^2 * span_it``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from research.errors import ResearchError


@dataclass(frozen=True)
class AbnormalReturnPanel:
    """Abnormal returns of N listing-events, estimation (L days) and event (T days) windows.

    Attributes
    ----------
    keys : DataFrame, N rows, columns ``event_id``, ``ticker``, ``role``; row i describes
        listing-event i. A firm designated twice is two rows.
    est_days : int array (L,), relative days of the estimation-window columns (e.g. -250..-11).
    evt_days : int array (T,), relative days of the event-window columns (e.g. -10..20).
    est_ar : float array (N, L), estimation-window residuals; NaN where there is no observation.
    evt_ar : float array (N, T), event-window abnormal returns; NaN where there is no observation.
    est_span, evt_span : float arrays (N, L) and (N, T), sessions each observation covers
        (1 for an ordinary day, n > 1 for a trade-to-trade return over a gap, NaN where missing).
        :func:`~research.study.event_study` stores them as float32 (spans are small integers,
        exact in float32; half the memory); convert with ``np.asarray(span, float)`` before
        arithmetic that is not exact in float32 (``sqrt``, division).
    n_est : int array (N,), L_i, the valid estimation-window observations.
    dof : int array (N,), residual degrees of freedom, L_i minus the estimated parameters.
    sigma : float array (N,), per-session residual standard deviation, sqrt(SSR_i / dof_i)
        (weighted by 1/span for trade-to-trade observations).
    evt_x : float array (N, T, k), the model's regressors on event days (k = 0 when nothing is
        estimated); NaN where there is no observation.
    xtx_inv : float array (N, k, k), ``(X' W X)^-1`` of the estimation window.
    evt_cond_var : optional float array (N, T), conditional variance forecasts (GARCH models).
    est_market, evt_market : optional float arrays (N, L), (N, T), the benchmark's return matched
        to each observation; the Patell/Lamb quirks of estudy2 need them.
    est_x : optional float array (N, L, k), the model's regressors on estimation days (as
        ``evt_x``; NaN off the observations the model was fitted on), kept for the least-squares
        models when the study is small (:data:`research.study.engine.DESIGN_CELLS`): the
        multivariate regression of the joint tests is fitted on them.
    model : the model's name, for the record.
    """

    keys: pd.DataFrame
    est_days: np.ndarray
    evt_days: np.ndarray
    est_ar: np.ndarray
    evt_ar: np.ndarray
    est_span: np.ndarray
    evt_span: np.ndarray
    n_est: np.ndarray
    dof: np.ndarray
    sigma: np.ndarray
    evt_x: np.ndarray
    xtx_inv: np.ndarray
    evt_cond_var: np.ndarray | None = None
    est_market: np.ndarray | None = None
    evt_market: np.ndarray | None = None
    est_x: np.ndarray | None = None
    model: str = ""

    @property
    def n(self) -> int:
        return self.est_ar.shape[0]

    def window_index(self, start: int, end: int) -> np.ndarray:
        """Column positions of relative days ``start..end`` (inclusive) in the event window."""
        mask = (self.evt_days >= start) & (self.evt_days <= end)
        if not mask.any() or self.evt_days[mask][0] != start or self.evt_days[mask][-1] != end:
            raise ResearchError(f"window [{start}, {end}] is not inside the event window "
                                f"[{self.evt_days[0]}, {self.evt_days[-1]}]")
        return np.flatnonzero(mask)

    def ar_variance(self) -> np.ndarray:
        """(N, T) prediction-error variance of each event-day abnormal return (MacKinlay 1997,
        eq. 9): ``sigma_i^2 (n_t + x_t' (X'WX)^-1 x_t)``, or the GARCH forecast plus the same
        estimation term."""
        base = (self.evt_cond_var if self.evt_cond_var is not None
                else self.sigma[:, None] ** 2 * self.evt_span)
        k = self.xtx_inv.shape[-1]
        if k == 0:
            return np.asarray(base, float)
        quad = _quadratic_form([self.evt_x[..., j] for j in range(k)], self.xtx_inv)
        return base + self.sigma[:, None] ** 2 * quad

    def car(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """(N,) CAR over relative days ``start..end`` and its prediction-error variance, NaN
        for a listing without an observation in the window.

        CAR_i = sum of the observed (finite) AR_it (MacKinlay 1997, eq. 12); Var(CAR_i) =
        sigma_i^2 (sum n_t + s' (X'WX)^-1 s), s the sum of the regressors x_t over the
        observed days (eq. 14 with the estimation term of eq. 9), or with GARCH the sum of the
        variance forecasts plus the same estimation term.
        """
        car, count, variance = self._window_sums(start, end)
        seen = count > 0
        return np.where(seen, car, np.nan), np.where(seen, variance, np.nan)

    def car_variance(self, start: int, end: int) -> np.ndarray:
        """(N,) prediction-error variance of CAR over relative days ``start..end`` (see
        :meth:`car`; 0 plus the estimation term for a listing without an observation)."""
        return self._window_sums(start, end)[2]

    def _window_sums(self, start: int, end: int):
        """Sum and number of the observed ARs of the window, and the CAR variance, from one
        sweep (:func:`research.study.kernels.observed_sums`)."""
        from research.study.kernels import observed_sums

        idx = self.window_index(start, end)
        n, k = self.n, self.xtx_inv.shape[-1]
        garch = self.evt_cond_var is not None
        car, count, days, s = np.empty(n), np.empty(n, np.int64), np.empty(n), np.empty((n, k))
        observed_sums(np.asarray(self.evt_ar, float), self.evt_cond_var if garch else self.evt_span,
                      np.asarray(self.evt_x, float), int(idx[0]), int(idx[-1]) + 1, car, count, days, s)
        variance = days if garch else self.sigma ** 2 * days     # sum of h_t, or sigma^2 sum n_t
        if k:
            variance = variance + self.sigma ** 2 * _quadratic_form([s[:, j] for j in range(k)], self.xtx_inv)
        return car, count, variance


def _quadratic_form(x: list, a: np.ndarray) -> np.ndarray:
    """``x' A x`` for each row: x a list of k arrays (N, ...) and A (N, k, k) symmetric, by
    its k (k + 1) / 2 distinct terms (no N x T x k x k temporaries)."""
    k = len(x)
    expand = (slice(None),) + (None,) * (x[0].ndim - 1)
    out = np.zeros(x[0].shape)
    for i in range(k):
        out += a[:, i, i][expand] * x[i] * x[i]
        for j in range(i + 1, k):
            out += 2.0 * a[:, i, j][expand] * x[i] * x[j]
    return out
