"""What happened to volume and risk: abnormal log volume, abnormal range and abnormal variance.

Abnormal log volume (Campbell and Wasley 1996)
    V_it = log(volume_it) on the listing's trading days (a day with zero or missing volume is
    no observation: the listing did not trade). The expected log volume is a market-model-style
    regression on the market's log volume over the estimation window,
    V_it = a_i + b_i V_mt + e_it (Campbell and Wasley 1996, eq. 2, with ``market``), or its mean
    (their mean-adjusted model, without ``market``); AV_it = V_it - a_i - b_i V_mt. Event time
    counts the listing's own trading days, as for returns. Campbell and Wasley find the log
    transformation makes AV close to normal, so the parametric tests of
    :mod:`research.study.significance` are well specified for it; they recommend the
    cross-sectional and portfolio (crude dependence) t-tests and the rank test (Corrado 1989),
    the defaults :data:`VOLUME_TESTS`. The abnormal log volumes fill an
    :class:`~research.study.panel.AbnormalReturnPanel` (prediction-error variances with the
    regression's (X'X)^-1, MacKinlay 1997 eq. 9), so every test of the kit applies to them.

Abnormal range (Parkinson 1980; Alizadeh, Brandt and Diebold 2002)
    From High and Low: the log range r_it = log(log(High_it / Low_it)), whose square of the
    inner log over 4 log 2 is Parkinson's estimate of the day's variance. Alizadeh, Brandt and
    Diebold show the log range is nearly Gaussian, so it takes the same treatment as log volume
    (:func:`abnormal_range`; a day with High = Low is no observation).

Abnormal variance of returns (Chow 1960; Beaver 1968)
    :func:`variance_ratio` tests each listing's event-window abnormal returns against its
    estimation variance with the predictive test of Chow (1960): with the m observed
    abnormal returns of the window, A, their prediction-error covariance
    sigma^2 V, V = diag(span) + X_w (X'WX)^-1 X_w' (the model's estimation error included), and
    s^2 the estimation variance with d degrees of freedom, F = A' V^-1 A / (m s^2) is F(m, d) under
    normal disturbances, exactly, because s^2 is independent of the prediction errors. F above 1
    is event-window variance above the estimation variance (Beaver's 1968 U statistic is the
    one-day case). The pooled form is the equally weighted portfolio of the listings that share
    the window: F_p = mean_w P_t^2 / s_P^2 with s_P^2 the portfolio's estimation-window sample
    variance, F(m, L_P - 1); the cross-correlation is inside P, but the error of the listings'
    parameter estimates (order 1/L) is not.

References
----------
Alizadeh, S., Brandt, M. W. and Diebold, F. X. (2002). Range-based estimation of stochastic
    volatility models. Journal of Finance 57(3), 1047-1091.
Beaver, W. H. (1968). The information content of annual earnings announcements. Journal of
    Accounting Research 6, 67-92.
Campbell, C. J. and Wasley, C. E. (1996). Measuring abnormal daily trading volume for samples of
    NYSE/ASE and NASDAQ securities using parametric and nonparametric test statistics. Review of
    Quantitative Finance and Accounting 6(3), 309-326.
Chow, G. C. (1960). Tests of equality between sets of coefficients in two linear regressions.
    Econometrica 28(3), 591-605.
Parkinson, M. (1980). The extreme value method for estimating the variance of the rate of
    return. Journal of Business 53(1), 61-65.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from research.errors import ResearchError
from research.study.panel import AbnormalReturnPanel
from research.study.windows import window_label

#: The pooled tests Campbell and Wasley (1996) recommend for abnormal log volume.
VOLUME_TESTS = ("csect_t", "brown_warner_1985", "corrado")
DEFAULT_ESTIMATION = (-250, -11)
DEFAULT_EVENT_WINDOW = (-10, 10)
MIN_ESTIMATION = 100


@dataclass
class MeasureStudy:
    """Abnormal log volume (or log range) of listing-events: the ``panel`` every test reads and
    the listing-events ``excluded`` with their reasons (``event_id, ticker, role, reason``)."""

    measure: str
    panel: AbnormalReturnPanel
    excluded: pd.DataFrame

    def tests(self, windows, tests=VOLUME_TESTS, groups=None) -> pd.DataFrame:
        """Pooled tests of the mean abnormal measure over ``windows``:
        :func:`research.study.significance.run_tests` on :attr:`panel`."""
        from research.study import significance

        return significance.run_tests(self.panel, windows, tests=list(tests), groups=groups)

    def means(self, windows) -> pd.DataFrame:
        """Per window: ``n`` listing-events and the mean cumulative abnormal measure (``mean``)."""
        rows = []
        for a, b in windows:
            total = self.panel.car(int(a), int(b))[0]
            rows.append({"window": window_label((a, b)), "n": int(np.isfinite(total).sum()),
                         "mean": float(np.nanmean(total)) if np.isfinite(total).any() else np.nan})
        return pd.DataFrame(rows)


def abnormal_volume(volume: pd.DataFrame, events: pd.DataFrame, *, market: pd.Series | pd.DataFrame | None = None,
                    estimation=DEFAULT_ESTIMATION, event_window=DEFAULT_EVENT_WINDOW,
                    min_estimation: int = MIN_ESTIMATION) -> MeasureStudy:
    """Abnormal log volume (module docstring) of ``events`` (``event_id, ticker, day0`` and
    optionally ``role``) from ``volume`` (dates x tickers, shares traded); ``market`` the market's
    volume (a Series for all, or a column per ticker), None for the mean-adjusted model."""
    logs = _positive_log(volume, "volume", events)
    bench = None if market is None else _positive_log(_per_ticker(market, volume), "market volume", None)
    return _measure_study("log volume", logs, bench, events, estimation, event_window, min_estimation)


def abnormal_range(high: pd.DataFrame, low: pd.DataFrame, events: pd.DataFrame, *, estimation=DEFAULT_ESTIMATION,
                   event_window=DEFAULT_EVENT_WINDOW, min_estimation: int = MIN_ESTIMATION) -> MeasureStudy:
    """Abnormal log range log(log(High / Low)) (module docstring), mean-adjusted, from ``high``
    and ``low`` (dates x tickers)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.log(high.astype(float) / low.reindex_like(high).astype(float))
    return _measure_study("log range", _positive_log(spread, "High and Low", events), None, events, estimation,
                          event_window, min_estimation)


def variance_ratio(panel: AbnormalReturnPanel, windows) -> pd.DataFrame:
    """Chow's (1960) predictive F of each listing's abnormal returns over each window, and the
    equally weighted portfolio's (module docstring). Columns ``event_id, ticker, role`` (the
    portfolio: ``portfolio``), ``window``, ``m``, ``F``, ``df1``, ``df2``, ``p_value`` (upper
    tail: variance above the estimation variance)."""
    rows = []
    k = panel.xtx_inv.shape[-1]
    span = np.asarray(panel.evt_span, float)
    for a, b in windows:
        cols = panel.window_index(int(a), int(b))
        for i, key in enumerate(panel.keys.itertuples(index=False)):
            seen = cols[np.isfinite(panel.evt_ar[i, cols])]
            m, d = len(seen), float(panel.dof[i])
            f = np.nan
            if m and d > 0 and panel.sigma[i] > 0:
                x = panel.evt_x[i, seen, :] if k else np.zeros((m, 0))
                v = np.diag(span[i, seen]) + x @ panel.xtx_inv[i] @ x.T
                ar = panel.evt_ar[i, seen]
                f = float(ar @ np.linalg.solve(v, ar)) / (m * panel.sigma[i] ** 2)
            rows.append({"event_id": key.event_id, "ticker": key.ticker, "role": key.role,
                         "window": window_label((a, b)), "m": m, "F": f, "df1": m, "df2": d})
        est = panel.est_ar[:, np.isfinite(panel.est_ar).all(axis=0)].mean(axis=0)
        evt = panel.evt_ar[:, cols]
        evt = evt[:, np.isfinite(evt).all(axis=0)].mean(axis=0)
        f = float(np.mean(evt ** 2) / np.var(est, ddof=1)) if len(evt) and len(est) > 1 else np.nan
        rows.append({"event_id": "portfolio", "ticker": "portfolio", "role": "", "window": window_label((a, b)),
                     "m": len(evt), "F": f, "df1": len(evt), "df2": len(est) - 1})
    out = pd.DataFrame(rows)
    out["p_value"] = stats.f.sf(out["F"], out["df1"], out["df2"])
    return out


# --------------------------------------------------------------------------------------------

def _positive_log(frame: pd.DataFrame, what: str, events) -> pd.DataFrame:
    """log of ``frame`` where positive (else NaN); a ticker of ``events`` without any is named."""
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(values.where(values > 0))
    if events is not None:
        for ticker in dict.fromkeys(events["ticker"]):
            if ticker not in logs.columns or not logs[ticker].notna().any():
                raise ResearchError(f"{ticker!r} has no {what} (an index or a series with an empty column): "
                                    f"leave it out of the {what} study")
    return logs


def _per_ticker(market, like: pd.DataFrame) -> pd.DataFrame:
    if isinstance(market, pd.Series):
        return pd.DataFrame({t: market for t in like.columns})
    missing = [t for t in like.columns if t not in market.columns]
    if missing:
        raise ResearchError(f"market volume has no column for {', '.join(map(repr, missing))}")
    return market[list(like.columns)]


def _measure_study(measure, logs, bench, events, estimation, event_window, min_estimation) -> MeasureStudy:
    """Fit each listing-event's model of the measure by OLS on its own trading days and fill the panel."""
    (e_lo, e_hi), (w_lo, w_hi) = (int(x) for x in estimation), (int(x) for x in event_window)
    if not e_hi < w_lo:
        raise ResearchError(f"the estimation window {window_label((e_lo, e_hi))} must end before the event window "
                            f"{window_label((w_lo, w_hi))}")
    est_days, evt_days = np.arange(e_lo, e_hi + 1), np.arange(w_lo, w_hi + 1)
    keys = events.assign(role=events["role"] if "role" in events else "").reset_index(drop=True)
    k = 1 if bench is None else 2
    kept, reasons, parts = [], [], []
    for i, r in keys.iterrows():
        own = logs[r["ticker"]].dropna()
        pos0 = int(own.index.searchsorted(pd.Timestamp(r["day0"])))
        if pos0 >= len(own):
            reasons.append((i, f"no {measure} on or after day 0"))
            continue
        fit = _fit_one(own, None if bench is None else bench[r["ticker"]], pos0, est_days, evt_days, k)
        if fit["n_est"] < max(min_estimation, k + 1):
            reasons.append((i, f"{fit['n_est']} estimation days with {measure}, fewer than the minimum of "
                               f"{max(min_estimation, k + 1)} (min_estimation)"))
            continue
        kept.append(i)
        parts.append(fit)
    excluded = keys.loc[[i for i, _ in reasons], ["event_id", "ticker", "role"]].reset_index(drop=True)
    excluded["reason"] = [why for _, why in reasons]
    if not kept:
        raise ResearchError(f"no listing-event has enough {measure}: " + "; ".join(
            f"{keys.at[i, 'event_id']} {keys.at[i, 'ticker']}: {why}" for i, why in reasons))
    stack = {name: np.stack([p[name] for p in parts]) for name in parts[0]}
    n_est = stack["n_est"].astype(np.int64)
    panel = AbnormalReturnPanel(
        keys=keys.loc[kept, ["event_id", "ticker", "role"]].reset_index(drop=True), est_days=est_days,
        evt_days=evt_days, est_ar=stack["est_ar"], evt_ar=stack["evt_ar"],
        est_span=np.where(np.isnan(stack["est_ar"]), np.nan, 1.0),
        evt_span=np.where(np.isnan(stack["evt_ar"]), np.nan, 1.0), n_est=n_est, dof=n_est - k,
        sigma=stack["sigma"], evt_x=stack["evt_x"], xtx_inv=stack["xtx_inv"],
        model=f"{measure}, {'market' if k == 2 else 'mean-adjusted'} (Campbell-Wasley 1996)")
    return MeasureStudy(measure, panel, excluded)


def _fit_one(own: pd.Series, bench: pd.Series | None, pos0: int, est_days, evt_days, k: int) -> dict:
    """OLS of the listing's measure on [1, market] over its estimation days; residuals and the
    event window's abnormal values on the grid of relative days."""
    def take(days):
        pos = pos0 + days
        ok = (pos >= 0) & (pos < len(own))
        y = np.full(len(days), np.nan)
        y[ok] = own.to_numpy()[pos[ok]]
        x = np.ones((len(days), k))
        if k == 2:
            m = np.full(len(days), np.nan)
            m[ok] = bench.reindex(own.index[pos[ok]]).to_numpy()
            x[:, 1] = m
        return y, x

    y_est, x_est = take(est_days)
    y_evt, x_evt = take(evt_days)
    use = np.isfinite(y_est) & np.isfinite(x_est).all(axis=1)
    n = int(use.sum())
    out = {"n_est": n, "est_ar": np.full(len(est_days), np.nan), "evt_ar": np.full(len(evt_days), np.nan),
           "sigma": np.nan, "evt_x": np.where(np.isfinite(y_evt)[:, None], x_evt, np.nan),
           "xtx_inv": np.full((k, k), np.nan)}
    if n <= k:
        return out
    xtx_inv = np.linalg.inv(x_est[use].T @ x_est[use])
    coef = xtx_inv @ x_est[use].T @ y_est[use]
    out["est_ar"][use] = y_est[use] - x_est[use] @ coef
    out["evt_ar"] = y_evt - x_evt @ coef
    out["sigma"] = float(np.sqrt(np.sum(out["est_ar"][use] ** 2) / (n - k)))
    out["xtx_inv"] = xtx_inv
    return out
