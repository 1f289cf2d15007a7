"""Expected-return models, fitted on each listing-event's estimation window all at once.

Every model sees the estimation and event windows of a block of n listing-events as
:class:`WindowData` (arrays of shape (n, W), one row per listing-event, one column per relative
trading day) and returns a :class:`ModelFit`: parameters, estimation residuals, event-window
expected returns and the pieces of the prediction-error variance the
:class:`~research.study.panel.AbnormalReturnPanel` needs. The linear models are solved for all
listing-events together from stacked, centred normal equations; only GARCH loops.

Trade-to-trade observations (Maynes and Rumsey 1993). An observation that follows days without
a trade covers ``n_t`` sessions (its *span*); its benchmark return is compounded over the same
sessions. Linear models are written per observation as::

    R_t = a * n_t + b' x_t + e_t,     Var(e_t) = sigma^2 * n_t

and fitted by weighted least squares with weights ``1 / n_t``. With every ``n_t = 1`` this is
ordinary least squares. ``sigma`` is the per-session residual standard deviation
``sqrt(sum_t e_t^2 / n_t / dof)``.

References
----------
MacKinlay, A. C. (1997). Event studies in economics and finance. *Journal of Economic
Literature* 35(1), 13-39.
Maynes, E. and Rumsey, J. (1993). Conducting event studies with thinly traded stocks.
*Journal of Banking and Finance* 17(1), 145-157.
Scholes, M. and Williams, J. (1977). Estimating betas from nonsynchronous data. *Journal of
Financial Economics* 5(3), 309-327.
Dimson, E. (1979). Risk measurement when shares are subject to infrequent trading. *Journal of
Financial Economics* 7(2), 197-226.
Fama, E. F. and French, K. R. (1993). Common risk factors in the returns on stocks and bonds.
*Journal of Financial Economics* 33(1), 3-56.
Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity. *Journal of
Econometrics* 31(3), 307-327.
"""

from __future__ import annotations

import csv
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from research.errors import ResearchError


# --------------------------------------------------------------------------------------------
# Data handed to the models and what they hand back
# --------------------------------------------------------------------------------------------

@dataclass
class WindowData:
    """One window (estimation or event) of n listing-events on a grid of W relative days.

    Attributes
    ----------
    days : int array (W,), the relative trading days of the columns.
    r : float array (n, W), the listing's return (NaN where it has no observation).
    m : float array (n, W), the benchmark return compounded over the observation's span.
    span : float array (n, W), sessions the observation covers (NaN where there is none).
    valid : bool array (n, W), observation usable: return, benchmark (and factors) present,
        span >= 1 and, in the estimation window, inside the listing's estimation range.
    factors : float array (n, W, q) or None, factor returns compounded over the span.
    rf : float array (n, W) or None, the risk-free return compounded over the span.
    m_shift : dict int -> float array (n, W), the benchmark return of the observation ``j``
        steps later on the listing's own clock (``j < 0``: earlier), for Scholes-Williams and
        Dimson betas.
    factor_names : the names of the factor columns.
    unit_span : True when no observation of the run spans more than one session (weights 1).
    """

    days: np.ndarray
    r: np.ndarray
    m: np.ndarray
    span: np.ndarray
    valid: np.ndarray
    factors: np.ndarray | None = None
    rf: np.ndarray | None = None
    m_shift: dict = field(default_factory=dict)
    factor_names: tuple = ()
    unit_span: bool | None = None


@dataclass
class ModelFit:
    """A model fitted to n listing-events (see :class:`~research.study.panel.AbnormalReturnPanel`).

    Attributes
    ----------
    params : dict name -> (n,) array, the estimated parameters.
    used : bool (n, L), the estimation observations the model was fitted on.
    est_resid : float (n, L), estimation residuals, NaN off ``used``.
    evt_expected : float (n, T), expected returns on event days, NaN where there is no
        observation.
    n_est, dof : int (n,), observations used and residual degrees of freedom.
    sigma : float (n,), per-session residual standard deviation ``sqrt(SSR_w / dof)``.
    evt_x : float (n, T, k), regressors on event days (span-scaled intercept first).
    xtx_inv : float (n, k, k), ``(X' W X)^-1`` of the estimation window.
    evt_cond_var : float (n, T) or None, conditional-variance forecasts (GARCH).
    problem : object (n,), None, or why this listing-event cannot be used (it is excluded).
    degenerate : bool (n,), the benchmark or a factor has no variation in the estimation
        window (an input error, reported by the engine).
    """

    params: dict
    used: np.ndarray
    est_resid: np.ndarray
    evt_expected: np.ndarray
    n_est: np.ndarray
    dof: np.ndarray
    sigma: np.ndarray
    evt_x: np.ndarray
    xtx_inv: np.ndarray
    evt_cond_var: np.ndarray | None = None
    problem: np.ndarray | None = None
    degenerate: np.ndarray | None = None


# --------------------------------------------------------------------------------------------
# Batched weighted least squares
# --------------------------------------------------------------------------------------------

def weighted_least_squares(y, xs, span, used, unit=None):
    """Fit ``y_t = a n_t + b' x_t + e_t`` with weights ``1/n_t`` for every row at once.

    Parameters
    ----------
    y : (n, W) array; xs : list of p (n, W) slope regressors (p may be 0); span : (n, W)
    sessions ``n_t``; used : (n, W) bool, the observations in each row's sample; unit : True
    when no used span exceeds 1 (found out if None).

    Returns
    -------
    coef : (n, 1 + p) ``[a, b_1..b_p]``; xtx_inv : (n, 1 + p, 1 + p) ``(X' W X)^-1`` with
    ``X = [n_t, x_t]``; resid : (n, W) NaN off ``used``; ssr : (n,) ``sum e_t^2 / n_t``;
    slope_ss : (n, p) the centred weighted sums of squares of each regressor (0 where a
    regressor does not vary, or the regressors are collinear: coef is then NaN).

    Notes
    -----
    The regressors are centred on their weighted means ``xbar = sum x_t / sum n_t`` (so the
    centred columns are W-orthogonal to the intercept column), which keeps the normal equations
    well conditioned for daily returns of order 1e-2. With ``S = sum (x_t - n_t xbar)(x_t -
    n_t xbar)' / n_t``, ``b = S^-1 sum (x_t - n_t xbar) y_t / n_t``, ``a = ybar - xbar' b`` and
    ``(X'WX)^-1 = [[1/sum n_t + xbar' S^-1 xbar, -(S^-1 xbar)'], [-S^-1 xbar, S^-1]]``.
    The rows are solved by the compiled :func:`research.study.kernels.weighted_least_squares`
    (one sweep per row, no Python loop).
    """
    from research.study import kernels

    n_rows = y.shape[0]
    p = len(xs)
    if unit is None:
        unit = not np.any(np.where(used, span, 1.0) != 1.0)
    x = xs[0][..., None] if p == 1 else np.stack(xs, axis=-1) if p else np.empty(y.shape + (0,))
    coef = np.empty((n_rows, 1 + p))
    xtx_inv = np.empty((n_rows, 1 + p, 1 + p))
    resid = np.empty(y.shape)
    ssr = np.empty(n_rows)
    slope_ss = np.zeros((n_rows, p))
    kernels.weighted_least_squares(np.asarray(y, float), x, np.asarray(span, float), used, bool(unit), coef,
                                   xtx_inv, resid, ssr, slope_ss)
    return coef, xtx_inv, resid, ssr, slope_ss


def _linear_expected(coef, span, x):
    """``a n_t + b' x_t`` for each row; NaN where span or a regressor is NaN."""
    out = coef[:, :1] * span
    if x.shape[-1]:
        out = out + np.einsum("nwp,np->nw", x, coef[:, 1:])
    return out


def _design(span, x):
    """``[n_t, x_t]`` stacked on the last axis, NaN where the observation is missing."""
    return np.concatenate([span[..., None], x], axis=-1)


def _finish(params, used, resid, ssr, k, evt_expected, evt_x, xtx_inv, min_obs, *, degenerate=None,
            evt_cond_var=None, problem=None):
    """Degrees of freedom, sigma and the reasons a row cannot be used."""
    n_est = used.sum(axis=1)
    dof = n_est - k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma = np.sqrt(np.where(dof > 0, ssr / np.maximum(dof, 1), np.nan))
    if problem is None:
        problem = np.full(len(n_est), None, dtype=object)
    need = max(int(min_obs), k + 1)
    for i in np.flatnonzero(n_est < need):
        if problem[i] is None:
            problem[i] = (f"{int(n_est[i])} valid returns in the estimation window, fewer than the "
                          f"minimum of {need}" + (f" (min_estimation={need})" if need == int(min_obs) else ""))
    for i in np.flatnonzero((n_est >= need) & ~(sigma > 0)):
        if problem[i] is None and not (degenerate is not None and degenerate[i]):
            problem[i] = "the returns have no residual variation in the estimation window"
    if degenerate is None:
        degenerate = np.zeros(len(n_est), dtype=bool)
    degenerate = degenerate & (n_est >= need)
    return ModelFit(params=params, used=used, est_resid=resid, evt_expected=evt_expected,
                    n_est=n_est, dof=dof, sigma=sigma, evt_x=evt_x, xtx_inv=xtx_inv,
                    evt_cond_var=evt_cond_var, problem=problem, degenerate=degenerate)


# --------------------------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------------------------

class ExpectedReturnModel:
    """Base class: a model of ``E[R_it]`` fitted on each listing-event's estimation window.

    Subclasses set ``name`` and implement :meth:`fit`. ``shifts`` lists the clock offsets of
    the benchmark the model needs (Scholes-Williams, Dimson); ``uses_factors`` says whether it
    needs the user's factor returns.
    """

    name: str = ""
    shifts: tuple[int, ...] = ()
    uses_factors: bool = False
    #: the model loops over listing-events (GARCH)
    loops: bool = False

    def fit(self, est: WindowData, evt: WindowData, min_obs: int) -> ModelFit:  # pragma: no cover
        raise NotImplementedError

    def design(self, est: WindowData) -> np.ndarray | None:
        """(n, L, k) the estimation-window regressors the model's AR is the least-squares
        prediction error of, ``[n_t, x_t]`` as :attr:`ModelFit.evt_x` (NaN off ``est.valid``), or
        None when its ARs are not (the nonsynchronous betas, GARCH). The multivariate
        regression with event dummies is fitted on them
        (:mod:`research.study.significance.joint`)."""
        return None

    def options(self) -> dict:
        """The model's settings, for the record."""
        return {}

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({opts})"


class ConstantMean(ExpectedReturnModel):
    r"""Constant-mean-return model (MacKinlay 1997, eq. 5).

    .. math:: R_{it} = \mu_i + \varepsilon_{it}, \quad
              AR_{it} = R_{it} - \hat\mu_i, \quad
              \hat\mu_i = \frac{\sum_t R_{it}}{\sum_t n_{it}}

    (with trade-to-trade spans ``n_it``; the plain mean when every ``n_it = 1``). Regressor
    ``x_t = [n_t]``, ``k = 1``; ``sigma^2 = sum (e_t^2 / n_t) / (L_i - 1)``.

    References
    ----------
    MacKinlay (1997), J. Econ. Lit. 35(1), section 4.1; Brown and Warner (1985), JFE 14(1).
    """

    name = "constant_mean"

    def fit(self, est, evt, min_obs):
        used = est.valid
        coef, xtx_inv, resid, ssr, _ = weighted_least_squares(est.r, [], est.span, used, est.unit_span)
        evt_x = _design(np.where(evt.valid, evt.span, np.nan), np.empty(evt.r.shape + (0,)))
        expected = _linear_expected(coef, evt_x[..., 0], evt_x[..., 1:])
        return _finish({"mu": coef[:, 0]}, used, resid, ssr, 1, expected, evt_x, xtx_inv, min_obs)

    def design(self, est):
        return _design(np.where(est.valid, est.span, np.nan), np.empty(est.r.shape + (0,)))


class MarketAdjusted(ExpectedReturnModel):
    r"""Market-adjusted returns: nothing is estimated (MacKinlay 1997, section 4.2).

    .. math:: AR_{it} = R_{it} - R_{mt}

    with ``R_mt`` compounded over the observation's span. ``k = 0``: the prediction-error
    variance is ``sigma_i^2 n_t`` with ``sigma_i^2 = sum_t (AR_it^2 / n_t) / L_i`` over the
    estimation window (mean zero under the model, so ``dof = L_i``).

    References
    ----------
    MacKinlay (1997), J. Econ. Lit. 35(1); Brown and Warner (1985), JFE 14(1), 3-31.
    """

    name = "market_adjusted"

    def fit(self, est, evt, min_obs):
        used = est.valid
        resid = np.where(used, est.r - est.m, np.nan)
        ssr = np.where(used, resid ** 2 / np.where(used, est.span, 1.0), 0.0).sum(axis=1)
        n = est.r.shape[0]
        expected = np.where(evt.valid, evt.m, np.nan)
        evt_x = np.empty(evt.r.shape + (0,))
        return _finish({}, used, resid, ssr, 0, expected, evt_x, np.empty((n, 0, 0)), min_obs)

    def design(self, est):
        return np.empty(est.r.shape + (0,))


class MarketModel(ExpectedReturnModel):
    r"""The market model, fitted by (weighted) least squares (MacKinlay 1997, eq. 6-8).

    .. math:: R_{it} = \alpha_i + \beta_i R_{mt} + \varepsilon_{it}, \quad
              AR_{it} = R_{it} - \hat\alpha_i - \hat\beta_i R_{mt}

    For a trade-to-trade observation over ``n_t`` sessions: ``R_t = alpha n_t + beta R_mt +
    e_t`` with ``Var(e_t) = sigma^2 n_t``, weights ``1/n_t`` (Maynes and Rumsey 1993).
    Regressors ``x_t = [n_t, R_mt]``, ``k = 2``.

    References
    ----------
    MacKinlay (1997), J. Econ. Lit. 35(1), 13-39; Maynes and Rumsey (1993), JBF 17(1).
    """

    name = "market"

    def fit(self, est, evt, min_obs):
        used = est.valid
        coef, xtx_inv, resid, ssr, slope_ss = weighted_least_squares(est.r, [est.m], est.span, used, est.unit_span)
        degenerate = ~(slope_ss[:, 0] > 0)
        evt_x = _design(np.where(evt.valid, evt.span, np.nan), np.where(evt.valid, evt.m, np.nan)[..., None])
        expected = _linear_expected(coef, evt_x[..., 0], evt_x[..., 1:])
        return _finish({"alpha": coef[:, 0], "beta": coef[:, 1]}, used, resid, ssr, 2, expected, evt_x,
                       xtx_inv, min_obs, degenerate=degenerate)

    def design(self, est):
        return _design(np.where(est.valid, est.span, np.nan), np.where(est.valid, est.m, np.nan)[..., None])


class _NonsynchronousBeta(ExpectedReturnModel):
    """Shared part of Scholes-Williams and Dimson: a beta from leads and lags, then
    ``alpha = (sum R_t - beta sum R_mt) / sum n_t`` and ``AR = R - alpha n - beta R_m``.

    The prediction-error variance uses the market-model design ``X = [n_t, R_mt]`` of the same
    sample; it is the OLS formula applied to the adjusted beta (an approximation: the sampling
    variance of these betas is not exactly the OLS one).
    """


    def _beta(self, est, used):  # returns beta (n,), extra params dict, degenerate (n,)
        raise NotImplementedError

    def fit(self, est, evt, min_obs):
        used = est.valid.copy()
        for j in self.shifts:
            used &= ~np.isnan(est.m_shift[j])
        beta, extra, degenerate = self._beta(est, used)
        s = np.where(used, est.span, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            sum_n = s.sum(axis=1)
            alpha = (np.where(used, est.r, 0.0).sum(axis=1)
                     - beta * np.where(used, est.m, 0.0).sum(axis=1)) / sum_n
        coef = np.column_stack([alpha, beta])
        fitted = _linear_expected(coef, np.where(used, est.span, np.nan), np.where(used, est.m, np.nan)[..., None])
        resid = np.where(used, est.r - fitted, np.nan)
        ssr = np.where(used, resid ** 2 / np.where(used, est.span, 1.0), 0.0).sum(axis=1)
        _, xtx_inv, _, _, slope_ss = weighted_least_squares(est.r, [est.m], est.span, used, est.unit_span)
        degenerate = degenerate | ~(slope_ss[:, 0] > 0)
        evt_x = _design(np.where(evt.valid, evt.span, np.nan), np.where(evt.valid, evt.m, np.nan)[..., None])
        expected = _linear_expected(coef, evt_x[..., 0], evt_x[..., 1:])
        params = {"alpha": alpha, "beta": beta, **extra}
        return _finish(params, used, resid, ssr, 2, expected, evt_x, xtx_inv, min_obs, degenerate=degenerate)


class ScholesWilliams(_NonsynchronousBeta):
    r"""Market model with the Scholes-Williams (1977) beta for nonsynchronous trading.

    .. math:: \hat\beta^{SW}_i = \frac{\hat b^{-1}_i + \hat b^{0}_i + \hat b^{+1}_i}{1 + 2\hat\rho_m},
              \qquad \hat\alpha_i = \frac{\sum_t R_{it} - \hat\beta^{SW}_i \sum_t R_{mt}}{\sum_t n_{it}}

    where ``b^j`` is the slope of the (weighted) regression of ``R_it`` on ``R_m,t+j`` (the
    benchmark over the listing's previous, same and next observation on its own trading clock)
    and ``rho_m`` the first-order autocorrelation of the benchmark, the Pearson correlation of
    ``(R_mt, R_m,t-1)`` over the same sample. The sample is the estimation observations at which
    all three benchmark returns exist (the lead of the last day and the lag of the first may
    lie outside the window: they are benchmark returns only).
    ``AR_it = R_it - alpha_i n_it - beta_i R_mt``.

    References
    ----------
    Scholes, M. and Williams, J. (1977), J. Financ. Econ. 5(3), 309-327, eq. (13)-(14).
    """

    name = "scholes_williams"
    shifts = (-1, 1)

    def _beta(self, est, used):
        slopes = []
        degenerate = np.zeros(est.r.shape[0], dtype=bool)
        for j in (-1, 0, 1):
            xj = est.m if j == 0 else est.m_shift[j]
            coef, _, _, _, ss = weighted_least_squares(est.r, [xj], est.span, used, est.unit_span)
            slopes.append(coef[:, 1])
            degenerate |= ~(ss[:, 0] > 0)
        rho = _pearson(est.m, est.m_shift[-1], used)
        with np.errstate(invalid="ignore", divide="ignore"):
            beta = (slopes[0] + slopes[1] + slopes[2]) / (1.0 + 2.0 * rho)
        extra = {"beta_lag": slopes[0], "beta_0": slopes[1], "beta_lead": slopes[2], "rho_m": rho}
        return beta, extra, degenerate


class Dimson(_NonsynchronousBeta):
    r"""Market model with the Dimson (1979) aggregated-coefficients beta.

    .. math:: R_{it} = a_i n_{it} + \sum_{j=-l}^{+m} b_{ij} R_{m,t+j} + e_{it}, \qquad
              \hat\beta^{D}_i = \sum_{j=-l}^{+m} \hat b_{ij}, \qquad
              \hat\alpha_i = \frac{\sum_t R_{it} - \hat\beta^{D}_i \sum_t R_{mt}}{\sum_t n_{it}}

    one (weighted) multiple regression on ``lags`` lagged, the contemporaneous and ``leads``
    leading benchmark returns (on the listing's own trading clock), over the estimation
    observations at which all of them exist. ``AR_it = R_it - alpha_i n_it - beta_i R_mt``.

    Parameters
    ----------
    lags, leads : int, non-negative; Dimson's example uses 5 and 5, ``lags=1, leads=1``
        is the default here.

    References
    ----------
    Dimson, E. (1979), J. Financ. Econ. 7(2), 197-226, eq. (9).
    """

    name = "dimson"

    def __init__(self, lags: int = 1, leads: int = 1):
        for label, value in (("lags", lags), ("leads", leads)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ResearchError(f"Dimson {label} must be a non-negative integer, not {value!r}")
        self.lags, self.leads = int(lags), int(leads)
        self.shifts = tuple(j for j in range(-self.lags, self.leads + 1) if j != 0)

    def options(self):
        return {"lags": self.lags, "leads": self.leads}

    def _beta(self, est, used):
        offsets = list(range(-self.lags, self.leads + 1))
        xs = [est.m if j == 0 else est.m_shift[j] for j in offsets]
        coef, _, _, _, ss = weighted_least_squares(est.r, xs, est.span, used, est.unit_span)
        degenerate = ~np.all(ss > 0, axis=1)
        beta = coef[:, 1:].sum(axis=1)
        extra = {f"b[{j:+d}]": coef[:, 1 + i] for i, j in enumerate(offsets)}
        return beta, extra, degenerate


class FactorModel(ExpectedReturnModel):
    r"""Multi-factor model on user-supplied factor returns (Fama and French 1993 form).

    .. math:: R_{it} - R_{ft} = \alpha_i + \sum_j b_{ij} F_{jt} + \varepsilon_{it}, \quad
              AR_{it} = R_{it} - R_{ft} - \hat\alpha_i - \sum_j \hat b_{ij} F_{jt}

    ``F`` are the columns of the ``factors`` frame given to
    :func:`~research.study.engine.event_study` (e.g. Mkt-RF, SMB, HML from the Fama-French
    library, or MKT, SMB, VMG of Liu, Stambaugh and Yuan 2019 for China; read them with
    :func:`read_factors_csv`). ``R_f`` is the column named by ``risk_free`` (omit it to model
    raw returns). Factors are compounded over trade-to-trade spans like the benchmark and the
    model is fitted by WLS with the span-scaled intercept; ``x_t = [n_t, F_t]``, ``k = 1 + q``.

    Parameters
    ----------
    columns : the factor columns to use (default: every column but ``risk_free``).
    risk_free : the column holding the risk-free return, subtracted from the listing's return.

    References
    ----------
    Fama, E. F. and French, K. R. (1993), J. Financ. Econ. 33(1), 3-56; Liu, J., Stambaugh,
    R. F. and Yuan, Y. (2019), Size and value in China, J. Financ. Econ. 134(1), 48-69.
    """

    name = "factor"
    uses_factors = True

    def __init__(self, columns: list[str] | None = None, risk_free: str | None = None):
        self.columns = list(columns) if columns is not None else None
        self.risk_free = risk_free

    def options(self):
        return {"columns": self.columns, "risk_free": self.risk_free}

    def resolve(self, factors: pd.DataFrame) -> tuple[list[str], str | None]:
        """The factor and risk-free columns to use from ``factors``, checked."""
        names = [str(c) for c in factors.columns]
        if self.risk_free is not None and self.risk_free not in names:
            raise ResearchError(f"risk_free column {self.risk_free!r} is not in the factors "
                                f"(columns: {', '.join(names)})")
        if self.columns is None:
            cols = [c for c in names if c != self.risk_free]
            rf_like = [c for c in cols if c.strip().lower() in {"rf", "rf_dly", "rf_mon", "riskfree", "risk_free"}]
            if rf_like:
                raise ResearchError(
                    f"factors has a risk-free column {rf_like[0]!r}: it is not a factor. Pass "
                    f"model=FactorModel(risk_free={rf_like[0]!r}) to model excess returns, or "
                    f"FactorModel(columns=[...]) to choose the factors")
        else:
            missing = [c for c in self.columns if c not in names]
            if missing:
                raise ResearchError(f"factor column(s) {', '.join(map(repr, missing))} not in the "
                                    f"factors (columns: {', '.join(names)})")
            cols = list(self.columns)
        if not cols:
            raise ResearchError("the factor model needs at least one factor column")
        return cols, self.risk_free

    def fit(self, est, evt, min_obs):
        if est.factors is None:
            raise ResearchError("model 'factor' needs factor returns: pass factors=DataFrame")
        y = est.r if est.rf is None else est.r - est.rf
        used = est.valid
        q = est.factors.shape[-1]
        coef, xtx_inv, resid, ssr, slope_ss = weighted_least_squares(
            y, [est.factors[..., j] for j in range(q)], est.span, used, est.unit_span)
        degenerate = ~np.all(slope_ss > 0, axis=1)
        span = np.where(evt.valid, evt.span, np.nan)
        fx = np.where(evt.valid[..., None], evt.factors, np.nan)
        evt_x = _design(span, fx)
        expected = _linear_expected(coef, span, fx)
        if evt.rf is not None:
            expected = expected + evt.rf
        params = {"alpha": coef[:, 0]}
        for j in range(q):
            name = est.factor_names[j] if j < len(est.factor_names) else str(j)
            params[f"b[{name}]"] = coef[:, 1 + j]
        return _finish(params, used, resid, ssr, 1 + q, expected, evt_x, xtx_inv, min_obs,
                       degenerate=degenerate)

    def design(self, est):
        return _design(np.where(est.valid, est.span, np.nan), np.where(est.valid[..., None], est.factors, np.nan))


class Garch(ExpectedReturnModel):
    r"""Market model with GARCH(1,1) errors (Bollerslev 1986), fitted with ``arch``.

    .. math:: R_{it} = \alpha_i + \beta_i R_{mt} + \varepsilon_{it}, \quad
              \varepsilon_{it} = \sigma_{it} z_{it}, \quad
              \sigma^2_{it} = \omega_i + a_i \varepsilon^2_{i,t-1} + g_i \sigma^2_{i,t-1}

    fitted jointly by Gaussian maximum likelihood on the estimation window. For a
    trade-to-trade observation over ``n_t`` sessions the equation is divided by
    ``sqrt(n_t)`` (``y_t / sqrt(n_t) = alpha sqrt(n_t) + beta R_mt / sqrt(n_t) + e_t``), so
    the GARCH process describes the per-session error. Event-day variance is the ex-ante
    forecast from the end of the estimation window,
    ``sigma^2_{T+h} = omega sum_{j<h-1} (a+g)^j + (a+g)^{h-1} sigma^2_{T+1}`` times ``n_t``
    (``evt_cond_var``); ``h`` counts the listing's trading days after its last estimation
    observation. ``sigma`` and ``(X'WX)^-1`` are those of the market-model design with the MLE
    residuals, so the panel adds the usual OLS parameter-uncertainty term (an approximation).
    A fit that does not converge excludes the listing-event with the reason.

    Data are scaled by 100 for the optimiser (``arch``'s advice) and the estimates scaled back.

    References
    ----------
    Bollerslev, T. (1986), J. Econometrics 31(3), 307-327; Sheppard, K., ``arch`` (the
    ``LS`` mean with ``GARCH(1, 0, 1)`` volatility).
    """

    name = "garch"
    loops = True
    #: the optimiser works on returns in percent
    SCALE = 100.0

    def fit(self, est, evt, min_obs):
        from arch.univariate import GARCH, LS, Normal

        base = MarketModel().fit(est, evt, min_obs)
        n = est.r.shape[0]
        T = evt.r.shape[1]
        names = ("alpha", "beta", "omega", "arch_a1", "garch_g1")
        params = {k: np.full(n, np.nan) for k in names}
        resid = np.full_like(est.r, np.nan)
        cond_var = np.full((n, T), np.nan)
        problem = base.problem.copy()
        c = self.SCALE
        for i in range(n):
            if problem[i] is not None or base.degenerate[i]:
                continue
            u = np.flatnonzero(base.used[i])
            span = est.span[i, u]
            root = np.sqrt(span)
            y = c * est.r[i, u] / root
            X = np.column_stack([root, c * est.m[i, u] / root])
            model = LS(y, X, constant=False, volatility=GARCH(1, 0, 1), distribution=Normal(), rescale=False)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = model.fit(disp="off")
            if res.convergence_flag != 0:
                msgs = "; ".join(str(w.message).splitlines()[0] for w in caught) or "no message"
                problem[i] = f"GARCH(1,1) fit did not converge ({msgs})"
                continue
            p = res.params.to_numpy()
            params["alpha"][i] = p[0] / c
            params["beta"][i] = p[1]
            params["omega"][i] = p[2] / c ** 2
            params["arch_a1"][i] = p[3]
            params["garch_g1"][i] = p[4]
            resid[i, u] = est.r[i, u] - params["alpha"][i] * span - params["beta"][i] * est.m[i, u]
            # horizons in the listing's trading days after its last estimation observation
            last_day = est.days[u[-1]]
            h = evt.days - last_day
            H = int(h.max())
            fc = res.forecast(horizon=H, x=np.zeros((2, 1, H)), reindex=False)
            path = fc.variance.to_numpy()[-1] / c ** 2
            ok = h >= 1
            cond_var[i, ok] = path[h[ok] - 1] * evt.span[i, ok]
        coef = np.column_stack([params["alpha"], params["beta"]])
        expected = _linear_expected(coef, base.evt_x[..., 0], base.evt_x[..., 1:])
        used = base.used & ~np.isnan(resid)
        ssr = np.where(used, resid ** 2 / np.where(used, est.span, 1.0), 0.0).sum(axis=1)
        cond_var = np.where(evt.valid, cond_var, np.nan)
        fit = _finish(params, base.used, np.where(base.used, resid, np.nan), ssr, 2, expected, base.evt_x,
                      base.xtx_inv, min_obs, degenerate=base.degenerate, evt_cond_var=cond_var, problem=problem)
        return fit


#: The models by name.
MODELS: dict[str, type[ExpectedReturnModel]] = {
    "constant_mean": ConstantMean,
    "market_adjusted": MarketAdjusted,
    "market": MarketModel,
    "scholes_williams": ScholesWilliams,
    "dimson": Dimson,
    "factor": FactorModel,
    "garch": Garch,
}


def get_model(model: str | ExpectedReturnModel) -> ExpectedReturnModel:
    """A model instance from its name (defaults) or an instance (returned as is)."""
    if isinstance(model, ExpectedReturnModel):
        return model
    if isinstance(model, str) and model in MODELS:
        return MODELS[model]()
    raise ResearchError(f"unknown model {model!r}; known models: {', '.join(MODELS)} "
                        f"(or an instance such as Dimson(lags=2, leads=2))")


def _pearson(a, b, used):
    """Row-wise Pearson correlation of ``a`` and ``b`` over ``used``."""
    cnt = used.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        a0 = np.where(used, a, 0.0)
        b0 = np.where(used, b, 0.0)
        ac = np.where(used, a - (a0.sum(axis=1) / cnt)[:, None], 0.0)
        bc = np.where(used, b - (b0.sum(axis=1) / cnt)[:, None], 0.0)
        return (ac * bc).sum(axis=1) / np.sqrt((ac ** 2).sum(axis=1) * (bc ** 2).sum(axis=1))


# --------------------------------------------------------------------------------------------
# Factor files
# --------------------------------------------------------------------------------------------

_DATE_8 = re.compile(r"^\d{8}$")
_DATE_ISO = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}$")
_MISSING = {"", "na", "nan", "-99.99", "-999"}


def _parse_date(text: str):
    text = text.strip()
    if _DATE_8.match(text):
        return pd.Timestamp(f"{text[:4]}-{text[4:6]}-{text[6:]}")
    if _DATE_ISO.match(text):
        return pd.Timestamp(text.replace("/", "-"))
    return None


def read_factors_csv(path: str | Path, *, percent: bool | None = None) -> pd.DataFrame:
    """Daily factor returns from a CSV file (Fama-French library or Liu-Stambaugh-Yuan layout).

    The file may start with lines of text; the table starts at the header line just before the
    first line whose first field is a date (``YYYYMMDD``, ``YYYY-MM-DD`` or ``YYYY/MM/DD``) and
    ends at the first blank line (so the annual section of a Fama-French file is ignored).
    Fields ``-99.99``, ``-999``, ``NA`` and empty are missing (the Fama-French codes).

    Parameters
    ----------
    path : the CSV file.
    percent : True when the file holds percent (Fama-French and Liu-Stambaugh-Yuan files do):
        values are divided by 100; False for decimals. None (default) decides only when it is
        certain: a value above 1 in absolute value (100% a day as a decimal) means percent;
        otherwise the file is ambiguous and the reader asks for ``percent=``.

    Returns
    -------
    DataFrame indexed by date (``DatetimeIndex`` named ``date``), one float column per factor,
    in decimals; ``attrs`` records the source file and whether it held percent.

    Raises
    ------
    ResearchError naming the file, line and column of any value that cannot be read, a
    monthly (``YYYYMM``) file, a repeated date, values above 1 in absolute value with
    ``percent=False`` (they look like percent), or units that cannot be told apart.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ResearchError(f"cannot read the factors file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ResearchError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    rows = list(csv.reader(text.splitlines()))
    start = None
    for i, row in enumerate(rows):
        if row and _parse_date(row[0]) is not None and len(row) >= 2:
            start = i
            break
        if row and re.fullmatch(r"\s*\d{6}\s*", row[0]) and len(row) >= 2:
            raise ResearchError(f"{path}, line {i + 1}: date {row[0].strip()!r} looks monthly (YYYYMM); "
                                f"an event study needs daily factor returns")
    if start is None or start == 0:
        raise ResearchError(f"{path}: no header line followed by dated rows (dates as YYYYMMDD or YYYY-MM-DD)")
    header = [h.strip() for h in rows[start - 1]]
    names = header[1:]
    if len(names) < 1 or any(not h for h in names):
        raise ResearchError(f"{path}, line {start}: header {','.join(rows[start - 1])!r} must name every factor column")
    if len(set(names)) != len(names):
        raise ResearchError(f"{path}, line {start}: repeated column names in the header")
    dates, values = [], []
    for i in range(start, len(rows)):
        row = rows[i]
        line = i + 1
        if not row or all(not c.strip() for c in row):
            break
        day = _parse_date(row[0])
        if day is None:
            raise ResearchError(f"{path}, line {line}, column {header[0] or 'date'!r}: cannot read "
                                f"{row[0].strip()!r} as a date (YYYYMMDD or YYYY-MM-DD)")
        if len(row) != len(header):
            raise ResearchError(f"{path}, line {line}: {len(row)} fields, the header has {len(header)}")
        vals = []
        for name, cell in zip(names, row[1:]):
            cell = cell.strip()
            if cell.lower() in _MISSING:
                vals.append(np.nan)
                continue
            try:
                vals.append(float(cell))
            except ValueError:
                raise ResearchError(f"{path}, line {line}, column {name!r}: cannot read {cell!r} as a number") from None
        dates.append(day)
        values.append(vals)
    frame = pd.DataFrame(np.array(values, dtype=float).reshape(len(values), len(names)),
                         index=pd.DatetimeIndex(dates, name="date"), columns=names)
    if frame.index.has_duplicates:
        dup = frame.index[frame.index.duplicated()][0]
        raise ResearchError(f"{path}: date {dup.date()} appears more than once")
    if not frame.index.is_monotonic_increasing:
        frame = frame.sort_index()
    big = frame.abs().max()
    if percent is None:
        if not (big > 1).any():
            raise ResearchError(f"{path}: cannot tell whether the factors are in percent or decimals (no value "
                                f"above 1 in absolute value); pass percent=True or percent=False")
        percent = True
    if percent:
        frame = frame / 100.0
    elif (big > 1).any():
        col = big.idxmax()
        raise ResearchError(f"{path}: column {col!r} has values up to {big[col]:g}, which look like percent; "
                            f"pass percent=True")
    frame.attrs.update({"source": str(path), "percent": bool(percent)})
    return frame
