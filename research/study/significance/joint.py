"""Joint inference for a few listings sharing one event date: the event portfolio's placebo test
and the multivariate regression with event dummies (SUR), with its residual-vector bootstrap.

With one date for every listing the abnormal returns are cross-correlated, and the classical
tests, which treat listings as independent, over-reject (notebooks/validation). Both tests here
carry the cross-correlation inside their null distribution by construction. They are for the
listings of one event (group by ``event_id``): a group that spans several events gets no
p-value (its relative-day grid would pair different calendar days), with a note. Neither is in the default tests of
:func:`~research.study.significance.run_tests` (ask for them by name, or call
:func:`joint_tests`), so the default run costs nothing more.

``placebo_portfolio`` (Gelbach, Helland and Klick 2013, applied to the portfolio, studentised)
    P_t is the equally weighted mean of the group's abnormal returns on relative day t (over the
    listings observed that day). Each P_t is divided by a volatility known before day t, the
    RiskMetrics (1996) exponentially weighted moving average with lambda = :data:`EWMA_LAMBDA`
    (0.94, its daily decay):

        s^2_t = lambda s^2_{t-1} + (1 - lambda) P_{t-1}^2,    z_t = P_t / s_t,

    started at the mean of P_t^2 over the first :data:`EWMA_START` (20) estimation days, about
    the average's own memory 1 / (1 - lambda) = 17 days, which therefore give no z_t (a missing
    P_t leaves s^2 as it was). Every event-window day is divided by s_E, the forecast made after
    the last estimation day (no event-window return informs it; an EWMA's forecast of any later
    day is that same number). The statistic is Z_P = sum_{t in w} z_t / sqrt(tau) over the tau
    days of window w (``estimate`` is the raw CAR_P = sum_{t in w} P_t). The placebo values are
    the sums of tau consecutive estimation-window z_t, every start day whose tau days all have a
    z_t (m of them; overlapping, as the single-listing test). With B of them <= sum_w z and A >=,

        p = min(1, 2 min(1 + B, 1 + A) / (m + 1)),

    the randomisation p-value, which counts the event window's own sum among the m + 1 values
    (Phipson and Smyth 2010). The null is that the m + 1 window sums of the studentised portfolio
    returns are exchangeable, as under RiskMetrics' model P_t = s_t e_t with i.i.d. e_t; then
    the event window's rank among them is uniform, so P(p <= a) <= a, with equality on the grid
    a = 2j / (m + 1): the test is exact in those terms, with resolution 1 / (m + 1). (GHK's
    share 2 min(B, A) / m, kept by the single-listing test, leaves the observed value out:
    rejecting when p < a, as the kit does, its size 2 ceil(a m / 2) / (m + 1) exceeds a by up
    to 2 / (m + 1), e.g. 5.94 % at 5 % with m = 201.) The kit rejects when p < a (its stars,
    the validation), so a two-sided 5 % test needs 2 / (m + 1) < 0.05, m >=
    :data:`MIN_PLACEBO_WINDOWS` (40); with fewer the p-value is NaN and the note says so.

    Why studentise: the raw CARs (P_t itself) are exchangeable only if the portfolio's
    volatility is the same on day 0 as over the estimation window. On the mainland it is not
    (the 2015 crash and its suspensions; 2012-2013, when only four of the seven listings were
    listed, so a four-listing portfolio held them all), and with four listings the raw test
    rejected 7.40 % of the validation's samples without an event (8.3 % over four seeds), the
    studentised one 5.20 % (5.6 %); dividing the day's return by a forecast of its volatility is
    the conditional-heteroskedasticity standardisation of event tests (Savickas 2003, with a
    GARCH per listing; here one recursion for the portfolio, vectorised over groups). Excluding
    trade-to-trade returns over several sessions, or dividing them by sqrt(span), changed those
    rates by less than half a point, so raw residuals are kept and spans are not rescaled.

``sur_wald`` and ``sur_wald_mean`` (Schipper and Thompson 1983; Binder 1985)
    The system R_it = a_i + b_i' x_it + sum_{d in w} g_id D_dt + e_it, i = 1..n, estimated
    jointly over the estimation window and the tau days of w, with Cov(e_t) = Sigma. The
    dummies fit the event days exactly, so g_id is the listing's abnormal return AR_id (the
    prediction error of the estimation-window fit) and CAR_i = sum_d g_id. With the same
    regressors in every equation (one date, one benchmark) SUR is OLS equation by equation
    (Zellner 1962) and Cov(CAR_i, CAR_j) = sigma_ij q, q = tau + s'(X'X)^-1 s, s the sum of the
    window's regressors (MacKinlay 1997, eq. 14). Here V_ij = sigma_ij sqrt(q_i q_j) with q_i
    = Var(CAR_i) / sigma_i^2 from the panel (:meth:`~research.study.panel.AbnormalReturnPanel.car`),
    which is that expression whenever the designs coincide, and
    sigma_ij = sum_t e_it e_jt / (T - k) over the T estimation days on which every listing of
    the group has a one-session residual (k parameters per listing; linearmodels' ``debiased``
    Sigma when no listing misses a day). Then

        all effects zero:   W = CAR' V^-1 CAR            ~ chi2(n)
        average zero:       W_1 = (1'CAR)^2 / (1' V 1)     ~ chi2(1)

    ``estimate`` is the mean CAR. The tests need n < T - k (an invertible Sigma); otherwise NaN.
    :func:`joint_tests` (an event's rows, as the papers print them) takes CAR and V from
    ``linearmodels.system.SUR`` fitted on that system (:func:`sur_fit`), where it applies; the
    pooled tests (:func:`~research.study.significance.run_tests`, which the validation's
    simulation calls per sample) and the bootstrap's draws use the closed form above, which
    equals it whenever the listings share their days and design.

``sur_boot`` and ``sur_boot_mean`` (Hein and Westfall 2004)
    The residual-vector bootstrap of the same statistics for small samples: each of ``n_boot``
    draws resamples, with replacement, whole vectors e_t (all listings' residuals of one day,
    centred, so the cross-correlation is kept) for the T estimation days and for the tau event
    days, sets CAR*_i to the sum of the tau event-day draws (the null: no event effect), Sigma*
    = E*'E* / T, and W* = CAR*' (tau Sigma*)^-1 CAR*, W*_1 = (1'CAR*)^2 / (tau 1'Sigma* 1). The
    market-model coefficients are held at their estimates in the bootstrap world, so its
    statistics have no estimation-error term (tau where the data's have q), each studentised in
    its own world. p = (1 + #{W* >= W}) / (n_boot + 1).

References
----------
Binder, J. J. (1985). On the use of the multivariate regression model in event studies.
    Journal of Accounting Research 23(1), 370-383.
Gelbach, J. B., Helland, E. and Klick, J. (2013). Valid inference in single-firm, single-event
    studies. American Law and Economics Review 15(2), 495-541.
Hein, S. E. and Westfall, P. (2004). Improving tests of abnormal returns by bootstrapping the
    multivariate regression model with event parameters. Journal of Financial Econometrics
    2(3), 451-471.
MacKinlay, A. C. (1997). Event studies in economics and finance. Journal of Economic
    Literature 35(1), 13-39.
J.P. Morgan/Reuters (1996). RiskMetrics - Technical Document, 4th edition. New York: Morgan
    Guaranty Trust Company.
Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero: calculating exact
    p-values when permutations are randomly drawn. Statistical Applications in Genetics and
    Molecular Biology 9(1), article 39.
Savickas, R. (2003). Event-induced volatility and tests for abnormal performance. Journal of
    Financial Research 26(2), 165-178.
Schipper, K. and Thompson, R. (1983). The impact of merger-related regulations on the
    shareholders of acquiring firms. Journal of Accounting Research 21(1), 184-221.
Zellner, A. (1962). An efficient method of estimating seemingly unrelated regressions and
    tests for aggregation bias. Journal of the American Statistical Association 57(298), 348-368.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from research.errors import ResearchError
from research.study.panel import AbnormalReturnPanel
from research.study.significance.helpers import finite, ghk_pvalues, group_masks, window_cars
from research.study.significance.registry import COLUMNS, JOINT_TESTS, select, signif
from research.study.windows import window_label

__all__ = ["EWMA_LAMBDA", "EWMA_START", "MIN_PLACEBO_WINDOWS", "ewma_studentised", "joint_tests",
           "portfolio_returns", "run_joint", "sur_covariance", "sur_fit"]

#: Fewest placebo windows m for which a two-sided 5 % test can reject: its smallest p-value,
#: 2 / (m + 1), must be below 0.05 (the kit rejects when p < alpha).
MIN_PLACEBO_WINDOWS = 40
#: RiskMetrics' (1996) daily decay factor of the placebo test's volatility forecast.
EWMA_LAMBDA = 0.94
#: Estimation days that start the forecast (the mean of their squares), before the first z_t.
EWMA_START = 20
#: Bootstrap draws handled at once (bounds memory at draws x T x n^2 floats).
DRAW_BLOCK = 256


def portfolio_returns(panel: AbnormalReturnPanel, members: np.ndarray, est_ar=None,
                      evt_ar=None) -> tuple[np.ndarray, np.ndarray]:
    """(L,) and (T,) equally weighted mean abnormal return of ``members`` on each relative day of
    the estimation and event windows, over the listings observed that day (NaN if none).
    ``est_ar``, ``evt_ar``: the panel's, infinities as NaN, when the caller has them."""
    est_ar = finite(panel.est_ar) if est_ar is None else est_ar
    evt_ar = finite(panel.evt_ar) if evt_ar is None else evt_ar
    with warnings.catch_warnings():       # "mean of empty slice": a day no member observed is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(est_ar[members], axis=0), np.nanmean(evt_ar[members], axis=0)


def ewma_studentised(est: np.ndarray, evt: np.ndarray, lam: float = EWMA_LAMBDA,
                     start: int = EWMA_START) -> tuple[np.ndarray, np.ndarray]:
    """(G, L) and (G, T): each row's estimation-window values P_t divided by the RiskMetrics
    EWMA forecast of their volatility from the days before t (NaN for the first ``start``
    days, which start it), and its event-window values divided by the forecast after the last
    estimation day (module docstring). One recursion over the L days, vectorised over rows."""
    z = np.full(est.shape, np.nan)
    with warnings.catch_warnings():       # a row with no observation in its first days: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        var = np.nanmean(est[:, :start] ** 2, axis=1)
    var[~(var > 0)] = np.nan        # a start of zeros forecasts nothing: no z (it never falls to 0 later)
    for t in range(start, est.shape[1]):
        day = est[:, t]
        z[:, t] = day / np.sqrt(var)
        var = np.where(np.isnan(day), var, lam * var + (1 - lam) * day * day)
    return z, evt / np.sqrt(var)[:, None]


def sur_covariance(panel: AbnormalReturnPanel, members: np.ndarray, est_ar=None) -> tuple[np.ndarray, int]:
    """The residual vectors e_t (T, n) of the days on which every member has a one-session
    estimation residual, and the degrees of freedom T - k of Sigma = E'E / (T - k)."""
    est, common = _common_days(panel, members, est_ar)
    return est[:, common].T.copy(), int(common.sum()) - panel.xtx_inv.shape[-1]


def _common_days(panel: AbnormalReturnPanel, members: np.ndarray, est_ar=None) -> tuple[np.ndarray, np.ndarray]:
    """The members' estimation residuals (n, L) and the days of Sigma: those on which every
    member has a one-session residual."""
    est = (finite(panel.est_ar) if est_ar is None else est_ar)[members]
    span = np.asarray(panel.est_span[members], float)
    return est, np.all(~np.isnan(est) & (span == 1), axis=0)


def run_joint(panel: AbnormalReturnPanel, windows, labels, tests, n_boot: int, seed,
              fit_sur: bool = False) -> list[dict]:
    """The joint tests ``tests`` for every group of ``labels`` and window, as result rows (the
    columns of :data:`COLUMNS` plus ``resolution`` and ``note``). With ``fit_sur`` the Wald
    statistics come from linearmodels' SUR (:func:`sur_fit`) wherever it applies, else from the
    closed form (the pooled tests and the validation's simulation: the same numbers, faster)."""
    rng = np.random.default_rng(seed)
    want_sur = [t for t in tests if t.startswith("sur_")]
    rows = []
    cars = window_cars(panel, windows)
    taus = [b - a + 1 for a, b in windows]
    event = pd.factorize(panel.keys["event_id"])[0]
    events = [len(np.unique(event[mask])) for _, mask in labels]
    est_ar, evt_ar = finite(panel.est_ar), finite(panel.evt_ar)       # once, not per group
    portfolios = [portfolio_returns(panel, np.flatnonzero(mask) if events[g] == 1 else [], est_ar, evt_ar)
                  for g, (_, mask) in enumerate(labels)]
    if "placebo_portfolio" in tests:
        est, evt = (np.array([p[j] for p in portfolios]).reshape(len(labels), -1) for j in (0, 1))
        z_est, z_evt = ewma_studentised(est, evt)
        idx = [panel.window_index(a, b) for a, b in windows]
        car_p = np.array([[_window_sum(row, i) for row in evt] for i in idx])
        sum_z = np.array([[_window_sum(row, i) for row in z_evt] for i in idx])
        p, m = ghk_pvalues(z_est, np.asarray(panel.est_days), sum_z, taus, exact=True)
    for gi, (name, mask) in enumerate(labels):
        for j, (a, b) in enumerate(windows):
            car, variance = cars[j]
            members = np.flatnonzero(mask & ~np.isnan(car))
            base = {"group": name, "window": window_label((a, b)), "_g": gi, "_w": j, "n": len(members)}
            if events[gi] > 1:      # not one date: a joint test would pair different calendar days
                rows.extend({**base, **_missing(t, f"the joint tests need the listings of one event; this "
                                                   f"group spans {events[gi]}")} for t in tests)
                continue
            if "placebo_portfolio" in tests:
                rows.append({**base, **_placebo_row(car_p[j, gi], sum_z[j, gi] / np.sqrt(taus[j]), p[j, gi],
                                                    int(m[j, gi]), taus[j])})
            if want_sur:
                window = panel.window_index(a, b) if fit_sur else None
                rows.extend({**base, **r} for r in _sur_rows(panel, est_ar, members, car, variance, taus[j],
                                                             want_sur, n_boot, rng, window))
    for r in rows:
        r["_t"] = tests.index(r["test"])
        r["signif"] = signif(r["p_value"])[()]
    return rows


def joint_tests(panel: AbnormalReturnPanel, windows, *, groups=None, tests=JOINT_TESTS, n_boot: int = 999,
                seed=None) -> pd.DataFrame:
    """The joint tests for each window and group (and "all"): :data:`COLUMNS` plus
    ``resolution`` (1 / (placebo windows + 1) for the placebo test, 1 / (n_boot + 1) for the
    bootstraps) and ``note`` (why a p-value is missing, or that a placebo test cannot reach 5 %).
    See the module docstring for the statistics."""
    windows = list(dict.fromkeys((int(a), int(b)) for a, b in windows))
    if not windows:
        raise ResearchError("joint_tests needs at least one window")
    if int(n_boot) < 1:
        raise ResearchError(f"n_boot must be at least 1, not {n_boot}")
    for a, b in windows:
        panel.window_index(a, b)
    tests = select(tests, JOINT_TESTS, "textbook")
    rows = run_joint(panel, windows, group_masks(panel, groups), tests, int(n_boot), seed, fit_sur=True)
    frame = pd.DataFrame(rows).sort_values(["_g", "_w", "_t"], kind="stable")
    frame["convention"] = "textbook"
    for col in (*COLUMNS, "resolution", "note"):
        if col not in frame:
            frame[col] = np.nan
    return frame[[*COLUMNS, "resolution", "note"]].reset_index(drop=True)


def _placebo_row(car_p: float, z: float, p: float, m: int, tau: int) -> dict:
    note = ""
    if m < MIN_PLACEBO_WINDOWS:
        p = np.nan
        note = (f"{m} placebo windows of {tau} days in the estimation window after its first {EWMA_START} days "
                f"(which start the volatility forecast): a two-sided 5 % test needs {MIN_PLACEBO_WINDOWS}, so no "
                f"p-value (resolution {1 / (m + 1):.3g})")
    elif np.isnan(z):
        p, note = np.nan, "no observation of the portfolio in the window"
    return {"test": "placebo_portfolio", "statistic": z, "p_value": p, "df": np.nan, "estimate": car_p,
            "null": f"placebo ({m} windows)", "resolution": 1 / (m + 1), "note": note}


def _sur_rows(panel, est_ar, members, car, variance, tau, tests, n_boot, rng, window=None) -> list[dict]:
    n = len(members)
    estimate = float(np.mean(car[members])) if n else np.nan
    if n < 2:
        return [_missing(t, "the SUR tests need at least two listings", estimate) for t in tests]
    resid, dof = sur_covariance(panel, members, est_ar)
    if n >= dof:
        return [_missing(t, f"{n} listings need more than {n} common estimation days beyond the parameters "
                            f"({dof})", estimate) for t in tests]
    fitted = None if window is None else sur_fit(panel, members, window, est_ar)
    if fitted is None:      # the closed form (module docstring)
        c = car[members]
        q = variance[members] / np.asarray(panel.sigma, float)[members] ** 2
        v = resid.T @ resid / dof * np.sqrt(np.outer(q, q))
    else:
        c, v = fitted
    try:
        w_all, w_mean = wald_statistics(c, v)
    except np.linalg.LinAlgError:       # a listing that is a combination of the others, or constant
        return [_missing(t, "the listings' residual covariance is singular", estimate) for t in tests]
    out = {"sur_wald": (w_all, special.chdtrc(n, w_all), n, f"chi2({n})"),
           "sur_wald_mean": (w_mean, special.chdtrc(1, w_mean), 1, "chi2(1)")}
    if "sur_boot" in tests or "sur_boot_mean" in tests:
        b_all, b_mean = _bootstrap_wald(resid - resid.mean(axis=0), tau, n_boot, rng)
        null = f"bootstrap ({n_boot} residual-vector draws)"
        out["sur_boot"] = (w_all, (1 + np.sum(b_all >= w_all)) / (n_boot + 1), np.nan, null)
        out["sur_boot_mean"] = (w_mean, (1 + np.sum(b_mean >= w_mean)) / (n_boot + 1), np.nan, null)
    rows = []
    for t in tests:
        statistic, p, df, null = out[t]
        rows.append({"test": t, "statistic": float(statistic), "p_value": float(p), "df": df,
                     "estimate": estimate, "null": null, "note": "",
                     "resolution": 1 / (n_boot + 1) if t.startswith("sur_boot") else np.nan})
    return rows


def sur_fit(panel: AbnormalReturnPanel, members: np.ndarray, window: np.ndarray, est_ar=None):
    """The members' CARs over the event-window columns ``window`` and their covariance V, from
    ``linearmodels.system.SUR`` fitted on the system with event dummies, or None where it does
    not apply (the closed form then serves).

    Equation i: the listing's estimation residuals on the days every member has a one-session
    residual (the days of Sigma), then its abnormal returns on the tau window days, on the
    model's regressors ``panel.est_x`` / ``panel.evt_x`` and a dummy per window day. Residuals
    stand in for returns: OLS is linear in y and the fitted part X b lies in the regressors'
    span, so the dummies, the residuals and the covariance are those of the returns' own
    system. Fitted equation by equation (``method="ols"``: the kit's estimates, and with the
    same regressors SUR's GLS, Zellner 1962) with Cov = (X'X)^-1 X'(Sigma x I)X (X'X)^-1 and
    Sigma = E'E / (T - k) (``debiased``); CAR_i = sum_d g_id and V = R Cov R' for R summing each
    listing's dummies. linearmodels 7.1 has no system Wald test, so :func:`wald_statistics`
    forms them from CAR and V. It applies when the model is a least-squares one whose
    regressors the panel kept (``panel.est_x``) and every member has a one-session return on
    every window day; it then equals the closed form whenever the members share their days
    and design (tests/test_study_joint.py, to 1e-8)."""
    from linearmodels.system import SUR

    if panel.est_x is None:
        return None
    evt = np.asarray(panel.evt_ar[np.ix_(members, window)], float)
    if np.isnan(evt).any() or np.any(np.asarray(panel.evt_span[np.ix_(members, window)], float) != 1):
        return None
    est, common = _common_days(panel, members, est_ar)
    tau, k = len(window), panel.est_x.shape[-1]
    dummies = np.vstack([np.zeros((int(common.sum()), tau)), np.eye(tau)])
    system = {}
    for j, i in enumerate(members):
        x = np.vstack([panel.est_x[i][common], panel.evt_x[i][window]])
        system[f"l{j}"] = {"dependent": np.concatenate([est[j, common], evt[j]]), "exog": np.hstack([x, dummies])}
    fit = SUR(system).fit(method="ols", cov_type="unadjusted", debiased=True)
    n = len(members)
    r = np.kron(np.eye(n), np.r_[np.zeros(k), np.ones(tau)])
    beta, cov = fit.params.to_numpy(), fit.cov.to_numpy()
    return r @ beta, r @ cov @ r.T


def _missing(test: str, note: str, estimate: float = np.nan) -> dict:
    return {"test": test, "statistic": np.nan, "p_value": np.nan, "df": np.nan, "estimate": estimate, "null": "",
            "resolution": np.nan, "note": note}


def wald_statistics(c: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """W = c' V^-1 c (all effects zero) and (1'c)^2 / (1'V1) (their average zero)."""
    return float(c @ np.linalg.solve(v, c)), float(c.sum() ** 2 / v.sum())


def _bootstrap_wald(resid: np.ndarray, tau: int, n_boot: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """W* and W*_1 of ``n_boot`` residual-vector draws (module docstring). A draw is held as the
    count of each day's vector, so Sigma* and CAR* are matrix products with the counts."""
    t, n = resid.shape
    outer = (resid[:, :, None] * resid[:, None, :]).reshape(t, n * n)
    w_all, w_mean = np.empty(n_boot), np.empty(n_boot)
    for start in range(0, n_boot, DRAW_BLOCK):
        size = min(DRAW_BLOCK, n_boot - start)
        est = _counts(rng.integers(0, t, size=(size, t)), t)
        evt = _counts(rng.integers(0, t, size=(size, tau)), t)
        # einsum, not BLAS: on a busy machine BLAS threads make these small products 30x slower
        v = np.einsum("bt,tk->bk", est, outer).reshape(size, n, n) * (tau / t)
        c = np.einsum("bt,ti->bi", evt, resid)
        with np.errstate(invalid="ignore", divide="ignore"):
            try:
                w_all[start:start + size] = np.einsum("bi,bi->b", c, np.linalg.solve(v, c[..., None])[..., 0])
            except np.linalg.LinAlgError:
                w_all[start:start + size] = np.nan
            w_mean[start:start + size] = c.sum(axis=1) ** 2 / v.sum(axis=(1, 2))
    return w_all, w_mean


def _counts(days: np.ndarray, t: int) -> np.ndarray:
    """(draws, t) how often each of the t days was drawn in each row of ``days``."""
    rows = days.shape[0]
    flat = days + t * np.arange(rows)[:, None]
    return np.bincount(flat.ravel(), minlength=rows * t).reshape(rows, t).astype(float)


def _window_sum(evt: np.ndarray, idx: np.ndarray) -> float:
    part = evt[idx]
    seen = ~np.isnan(part)
    return float(part[seen].sum()) if seen.any() else np.nan
