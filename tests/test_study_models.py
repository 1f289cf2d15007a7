"""Expected-return models against independent computations (statsmodels, arch, by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from research.errors import ResearchError
from research.study import (
    Dimson,
    FactorModel,
    ScholesWilliams,
    event_study,
    read_factors_csv,
)
from research.study.models import MODELS, get_model


def make_data(n_days=300, tickers=("A", "B"), seed=0, start="2020-01-01", betas=None):
    """Returns (dates x tickers) from a market model plus noise, and the market."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range(start, periods=n_days)
    m = rng.normal(0.0004, 0.01, n_days)
    betas = betas or [0.6 + 0.4 * i for i in range(len(tickers))]
    cols = {}
    for i, t in enumerate(tickers):
        cols[t] = 0.0002 * (i + 1) + betas[i] * m + rng.normal(0, 0.015 + 0.005 * i, n_days)
    return pd.DataFrame(cols, index=dates), pd.Series(m, index=dates, name="MKT")


# ----------------------------------------------------------------------------------------------
# Market model: a two-firm example against statsmodels OLS, firm by firm
# ----------------------------------------------------------------------------------------------

EST = (-60, -11)
WINDOWS = [(0, 0), (-1, 1), (0, 5), (-3, 2)]
EVT = (-10, 10)


@pytest.fixture(scope="module")
def two_firms():
    returns, market = make_data()
    returns.iloc[:30, 1] = np.nan  # B starts later: leading NaNs are not a gap
    day0 = returns.index[150]
    events = pd.DataFrame({"event_id": ["E1", "E1"], "ticker": ["A", "B"], "day0": [day0, day0],
                           "role": ["target", "peer"]})
    res = event_study(returns, market, events, model="market", estimation=EST, windows=WINDOWS,
                      event_window=EVT, min_estimation=30)
    return returns, market, day0, res


def test_market_model_matches_statsmodels_ols(two_firms):
    returns, market, day0, res = two_firms
    p = res.panel
    i0 = returns.index.get_loc(day0)
    for i, ticker in enumerate(["A", "B"]):
        est = slice(i0 + EST[0], i0 + EST[1] + 1)
        y = returns[ticker].iloc[est]
        X = sm.add_constant(market.iloc[est].to_numpy())
        ols = sm.OLS(y.to_numpy(), X).fit()
        row = res.params.iloc[i]
        assert row["alpha"] == pytest.approx(ols.params[0], rel=1e-10, abs=1e-14)
        assert row["beta"] == pytest.approx(ols.params[1], rel=1e-10)
        assert p.sigma[i] == pytest.approx(np.sqrt(ols.scale), rel=1e-10)
        assert p.n_est[i] == 50 and p.dof[i] == 48
        np.testing.assert_allclose(p.est_ar[i], ols.resid, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(p.xtx_inv[i], np.linalg.inv(X.T @ X), rtol=1e-8)
        # event window: AR and its prediction-error variance (MacKinlay eq. 8)
        evt = slice(i0 + EVT[0], i0 + EVT[1] + 1)
        Xe = sm.add_constant(market.iloc[evt].to_numpy(), has_constant="add")
        pred = ols.get_prediction(Xe)
        ar = returns[ticker].iloc[evt].to_numpy() - pred.predicted_mean
        np.testing.assert_allclose(p.evt_ar[i], ar, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(p.ar_variance()[i], pred.se_obs ** 2, rtol=1e-9)
        # CAR and Var(CAR) = s^2 (T_w + s_w' (X'X)^-1 s_w)
        for a, b in WINDOWS:
            cols = slice(a - EVT[0], b - EVT[0] + 1)
            sw = Xe[cols].sum(axis=0)
            var = ols.scale * ((b - a + 1) + sw @ np.linalg.inv(X.T @ X) @ sw)
            assert p.car_variance(a, b)[i] == pytest.approx(var, rel=1e-9)
            car = res._car_core()
            got = car[(car.ticker == ticker) & (car.window == f"[{a},{b}]")]
            assert got["car"].item() == pytest.approx(ar[cols].sum(), rel=1e-9, abs=1e-15)
            bhar = np.prod(1 + returns[ticker].iloc[evt].to_numpy()[cols]) - np.prod(1 + pred.predicted_mean[cols])
            assert got["bhar"].item() == pytest.approx(bhar, rel=1e-9, abs=1e-15)


def test_leading_nans_do_not_shorten_a_late_listing_when_it_has_enough(two_firms):
    returns, market, day0, res = two_firms
    assert list(res.keys.ticker) == ["A", "B"]
    assert list(res.keys.role) == ["target", "peer"]
    assert (res.panel.evt_span == 1).all() and np.nanmax(res.panel.est_span) == 1


# ----------------------------------------------------------------------------------------------
# Trade-to-trade returns, by hand
# ----------------------------------------------------------------------------------------------

def test_trade_to_trade_span_and_compounding_by_hand():
    dates = pd.bdate_range("2021-03-01", periods=8)
    m = pd.Series([0.01, 0.02, -0.01, np.nan, 0.03, 0.005, -0.02, 0.01], index=dates)
    # listing trades on days 0, 1, 5, 6, 7: the return on day 5 covers sessions 2, (3 is a
    # benchmark holiday), 4 and 5 -> span 3
    r = pd.Series([np.nan, 0.015, np.nan, np.nan, np.nan, 0.04, -0.01, 0.02], index=dates)
    returns = pd.DataFrame({"X": r})
    from research.study.abnormal import build_observations

    for kind in ("simple", "log"):
        obs = build_observations(returns.to_numpy(), m.to_numpy()[:, None], np.zeros(1, dtype=np.int64),
                                 kind, "textbook")
        # (the flat arrays end with a sentinel "no observation")
        np.testing.assert_array_equal(obs.row, [1, 5, 6, 7, -1])
        np.testing.assert_array_equal(obs.span, [1, 3, 1, 1, np.nan])  # leading NaN (day 0) is no gap
        if kind == "simple":
            span_m = (1 - 0.01) * (1 + 0.03) * (1 + 0.005) - 1
        else:
            span_m = -0.01 + 0.03 + 0.005
        assert obs.m[1] == pytest.approx(span_m, rel=1e-14)
        assert obs.m[0] == 0.02 and obs.m[2] == -0.02 and obs.m[3] == 0.01


def test_trade_to_trade_weighted_least_squares_matches_statsmodels_wls():
    returns, market = make_data(n_days=260, tickers=("T",), seed=3)
    rng = np.random.default_rng(4)
    # punch gaps: single and multi-day, in both windows
    gaps = rng.choice(np.arange(5, 250), size=40, replace=False)
    r = returns["T"].copy()
    r.iloc[gaps] = np.nan
    # build the trade-to-trade returns consistently: a return after a gap compounds the missed days
    full = returns["T"].to_numpy()
    t2t = np.full(len(full), np.nan)
    acc = 1.0
    for j in range(len(full)):
        acc *= 1 + full[j]
        if not np.isnan(r.iloc[j]):
            t2t[j] = acc - 1
            acc = 1.0
    returns = pd.DataFrame({"T": t2t}, index=returns.index)
    obs_dates = returns.index[~np.isnan(t2t)]
    day0 = obs_dates[200]
    res = event_study(returns, market, {"T": day0}, model="market", estimation=(-150, -11),
                      windows=[(0, 0), (-2, 3)], event_window=(-5, 5), min_estimation=50)
    # hand-built sample: positions 50..189 of the listing's observations
    pos = np.flatnonzero(~np.isnan(t2t))
    span = np.empty(len(pos))
    mc = np.empty(len(pos))
    mk = market.to_numpy()
    for j, row in enumerate(pos):
        prev = pos[j - 1] if j else row - 1
        seg = mk[prev + 1: row + 1]
        span[j] = len(seg)
        mc[j] = np.prod(1 + seg) - 1
    est = slice(200 - 150, 200 - 11 + 1)
    y = t2t[pos][est]
    X = np.column_stack([span[est], mc[est]])
    wls = sm.WLS(y, X, weights=1 / span[est]).fit()
    assert span[est].max() > 1
    p = res.panel
    assert res.params["alpha"].iloc[0] == pytest.approx(wls.params[0], rel=1e-9)
    assert res.params["beta"].iloc[0] == pytest.approx(wls.params[1], rel=1e-9)
    assert p.sigma[0] == pytest.approx(np.sqrt(wls.scale), rel=1e-9)
    np.testing.assert_allclose(p.est_span[0], span[est])
    assert p.est_market is None  # kept only under convention="estudy2"
    np.testing.assert_allclose(p.xtx_inv[0], np.linalg.inv(X.T @ np.diag(1 / span[est]) @ X), rtol=1e-8)
    evt = slice(200 - 5, 200 + 5 + 1)
    Xe = np.column_stack([span[evt], mc[evt]])
    ar = t2t[pos][evt] - Xe @ wls.params
    np.testing.assert_allclose(p.evt_ar[0], ar, rtol=1e-9, atol=1e-15)
    # Var(AR_t) = sigma^2 (n_t + x_t' (X'WX)^-1 x_t)
    var = wls.scale * (span[evt] + np.einsum("tk,kl,tl->t", Xe, np.linalg.inv(X.T @ np.diag(1 / span[est]) @ X), Xe))
    np.testing.assert_allclose(p.ar_variance()[0], var, rtol=1e-9)
    np.testing.assert_allclose(p.evt_market[0], mc[evt], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(p.evt_span[0], span[evt])
    # dates of the event days are the listing's own trading days
    assert list(res.ar["date"]) == list(obs_dates[195:206])


def test_day0_on_a_day_without_trade_moves_to_the_next_trade():
    returns, market = make_data(n_days=200, tickers=("A",), seed=5)
    returns.iloc[150:153, 0] = np.nan
    returns.iloc[153, 0] = 0.03
    res = event_study(returns, market, {"A": returns.index[151]}, estimation=(-100, -11), windows=[(0, 1)],
                      min_estimation=50)
    assert res.params["date0"].iloc[0] == returns.index[153]
    assert res.panel.evt_span[0, list(res.panel.evt_days).index(0)] == 4


# ----------------------------------------------------------------------------------------------
# Nonsynchronous betas, factor model, GARCH
# ----------------------------------------------------------------------------------------------

def _estimation_sample(returns, market, ticker, day0, est):
    i0 = returns.index.get_loc(day0)
    rows = np.arange(i0 + est[0], i0 + est[1] + 1)
    return rows, returns[ticker].to_numpy(), market.to_numpy()


def test_scholes_williams_beta_matches_statsmodels():
    returns, market = make_data(n_days=320, tickers=("A",), seed=7)
    day0 = returns.index[300]
    res = event_study(returns, market, {"A": day0}, model="scholes_williams", estimation=(-250, -11),
                      windows=[(0, 0)], min_estimation=100)
    rows, r, m = _estimation_sample(returns, market, "A", day0, (-250, -11))
    y = r[rows]
    b = [sm.OLS(y, sm.add_constant(m[rows + j])).fit().params[1] for j in (-1, 0, 1)]
    rho = np.corrcoef(m[rows], m[rows - 1])[0, 1]
    beta = sum(b) / (1 + 2 * rho)
    alpha = y.mean() - beta * m[rows].mean()
    got = res.params.iloc[0]
    assert got["beta"] == pytest.approx(beta, rel=1e-10)
    assert got["alpha"] == pytest.approx(alpha, rel=1e-9)
    assert got["rho_m"] == pytest.approx(rho, rel=1e-10)
    assert [got["beta_lag"], got["beta_0"], got["beta_lead"]] == pytest.approx(b, rel=1e-10)
    resid = y - alpha - beta * m[rows]
    assert res.panel.sigma[0] == pytest.approx(np.sqrt((resid ** 2).sum() / (len(y) - 2)), rel=1e-10)
    i0 = returns.index.get_loc(day0)
    assert res.panel.evt_ar[0, 0] == pytest.approx(r[i0] - alpha - beta * m[i0], rel=1e-10)


@pytest.mark.parametrize("lags,leads", [(1, 1), (2, 0), (3, 2)])
def test_dimson_beta_matches_statsmodels(lags, leads):
    returns, market = make_data(n_days=320, tickers=("A",), seed=11)
    day0 = returns.index[300]
    res = event_study(returns, market, {"A": day0}, model=Dimson(lags=lags, leads=leads),
                      estimation=(-250, -11), windows=[(0, 1)], min_estimation=100)
    rows, r, m = _estimation_sample(returns, market, "A", day0, (-250, -11))
    X = sm.add_constant(np.column_stack([m[rows + j] for j in range(-lags, leads + 1)]))
    ols = sm.OLS(r[rows], X).fit()
    beta = ols.params[1:].sum()
    alpha = r[rows].mean() - beta * m[rows].mean()
    got = res.params.iloc[0]
    assert got["beta"] == pytest.approx(beta, rel=1e-10)
    assert got["alpha"] == pytest.approx(alpha, rel=1e-9)
    for k, j in enumerate(range(-lags, leads + 1)):
        assert got[f"b[{j:+d}]"] == pytest.approx(ols.params[1 + k], rel=1e-9)
    assert res.panel.n_est[0] == 240


def test_dimson_options_are_checked():
    with pytest.raises(ResearchError, match="lags"):
        Dimson(lags=-1)


def test_factor_model_matches_statsmodels_and_subtracts_the_risk_free_rate():
    returns, market = make_data(n_days=300, tickers=("A", "B"), seed=13)
    rng = np.random.default_rng(14)
    factors = pd.DataFrame({"Mkt-RF": market - 0.0001, "SMB": rng.normal(0, 0.005, 300),
                            "HML": rng.normal(0, 0.005, 300), "RF": 0.0001}, index=returns.index)
    day0 = returns.index[280]
    res = event_study(returns, market, {"A": day0, "B": day0}, model=FactorModel(risk_free="RF"),
                      factors=factors, estimation=(-250, -11), windows=[(0, 2)])
    i0 = 280
    rows = np.arange(i0 - 250, i0 - 10)
    evt = np.arange(i0 - 0, i0 + 3)
    F = factors[["Mkt-RF", "SMB", "HML"]].to_numpy()
    for i, t in enumerate("AB"):
        y = returns[t].to_numpy() - 0.0001
        ols = sm.OLS(y[rows], sm.add_constant(F[rows])).fit()
        got = res.params.iloc[i]
        np.testing.assert_allclose([got["alpha"], got["b[Mkt-RF]"], got["b[SMB]"], got["b[HML]"]], ols.params,
                                   rtol=1e-9)
        assert res.panel.sigma[i] == pytest.approx(np.sqrt(ols.scale), rel=1e-10)
        ar = y[evt] - sm.add_constant(F[evt], has_constant="add") @ ols.params
        got_ar = res.ar[res.ar.ticker == t].set_index("relative_day")["abnormal_return"].loc[0:2]
        np.testing.assert_allclose(got_ar, ar, rtol=1e-9, atol=1e-15)
        assert res.panel.dof[i] == 240 - 4


def test_factor_model_refuses_a_risk_free_column_as_a_factor():
    returns, market = make_data(n_days=300, tickers=("A",), seed=13)
    factors = pd.DataFrame({"Mkt-RF": market, "RF": 0.0001}, index=returns.index)
    with pytest.raises(ResearchError, match="risk-free column 'RF'"):
        event_study(returns, market, {"A": returns.index[280]}, model="factor", factors=factors)
    with pytest.raises(ResearchError, match="needs factor returns"):
        event_study(returns, market, {"A": returns.index[280]}, model="factor")


def _simulate_garch(n, seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0003, 0.01, n)
    omega, a, g = 2e-6, 0.08, 0.88
    e = np.empty(n)
    s2 = omega / (1 - a - g)
    for t in range(n):
        e[t] = np.sqrt(s2) * rng.standard_normal()
        s2 = omega + a * e[t] ** 2 + g * s2
    return 0.0005 + 1.1 * m + e, m


def test_garch_matches_a_direct_arch_fit():
    from arch import arch_model

    n = 560
    r, m = _simulate_garch(n, 21)
    dates = pd.bdate_range("2015-01-01", periods=n)
    returns = pd.DataFrame({"G": r}, index=dates)
    market = pd.Series(m, index=dates)
    day0 = dates[540]
    res = event_study(returns, market, {"G": day0}, model="garch", estimation=(-500, -11), windows=[(0, 0), (-2, 5)],
                      event_window=(-8, 8))
    rows = np.arange(540 - 500, 540 - 10)
    am = arch_model(100 * r[rows], x=100 * m[rows][:, None], mean="LS", vol="GARCH", p=1, q=1, rescale=False)
    fit = am.fit(disp="off")
    got = res.params.iloc[0]
    assert got["alpha"] == pytest.approx(fit.params["Const"] / 100, rel=1e-5)
    assert got["beta"] == pytest.approx(fit.params["x0"], rel=1e-5)
    assert got["omega"] == pytest.approx(fit.params["omega"] / 1e4, rel=1e-4)
    assert got["arch_a1"] == pytest.approx(fit.params["alpha[1]"], rel=1e-4)
    assert got["garch_g1"] == pytest.approx(fit.params["beta[1]"], rel=1e-4)
    # event days -8..8 are 3..19 steps after the last estimation day (-11)
    fc = fit.forecast(horizon=19, x=np.zeros((1, 1, 19)), reindex=False).variance.to_numpy()[-1] / 1e4
    np.testing.assert_allclose(res.panel.evt_cond_var[0], fc[2:], rtol=1e-4)
    evt = np.arange(540 - 8, 540 + 9)
    ar = r[evt] - got["alpha"] - got["beta"] * m[evt]
    np.testing.assert_allclose(res.panel.evt_ar[0], ar, rtol=1e-10, atol=1e-15)
    # the panel's AR variance starts from the GARCH forecast
    assert (res.panel.ar_variance()[0] > res.panel.evt_cond_var[0]).all()


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(ResearchError) as err:
        get_model("fama_macbeth")
    for name in MODELS:
        assert name in str(err.value)


# ----------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ----------------------------------------------------------------------------------------------

FAST_MODELS = ["constant_mean", "market_adjusted", "market", "scholes_williams", "dimson", "factor"]


@st.composite
def panels(draw):
    n_firms = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2 ** 31 - 1))
    returns, market = make_data(n_days=180, tickers=tuple(f"S{i}" for i in range(n_firms)), seed=seed)
    rng = np.random.default_rng(seed + 1)
    # random gaps (trade-to-trade) and a late listing
    for t in returns.columns:
        if draw(st.booleans()):
            gaps = rng.choice(np.arange(1, 175), size=draw(st.integers(1, 15)), replace=False)
            returns.loc[returns.index[gaps], t] = np.nan
    late = draw(st.integers(0, 30))
    returns.iloc[:late, 0] = np.nan
    n_events = draw(st.integers(1, 3))
    rows = []
    for e in range(n_events):
        day = returns.index[draw(st.integers(140, 165))]
        for t in returns.columns:
            rows.append((f"E{e}", t, day, "target" if t == "S0" else "peer"))
    events = pd.DataFrame(rows, columns=["event_id", "ticker", "day0", "role"])
    return returns, market, events


def _run(returns, market, events, model):
    factors = None
    if model == "factor":
        wiggle = np.sin(np.arange(len(market)) * 0.7) * 0.004
        factors = pd.DataFrame({"MKT": market, "HML": wiggle + 0.3 * market}, index=market.index)
    return event_study(returns, market, events, model=model, estimation=(-120, -11), windows=[(0, 0), (-2, 3), (-5, 5)],
                       min_estimation=40, factors=factors)


@settings(max_examples=20, deadline=None)
@given(panels(), st.sampled_from(FAST_MODELS))
def test_ar_sums_to_car(data, model):
    res = _run(*data, model)
    ar = res.ar
    car = res._car_core()
    for row in car.itertuples():
        sel = ar[(ar.event_id == row.event_id) & (ar.ticker == row.ticker) & ar.relative_day.between(row.start, row.end)]
        total = sel["abnormal_return"].sum(min_count=1)
        if np.isnan(total):
            assert np.isnan(row.car)
        else:
            assert row.car == pytest.approx(total, rel=1e-12, abs=1e-15)


@settings(max_examples=20, deadline=None)
@given(panels(), st.sampled_from(FAST_MODELS), st.floats(-0.2, 0.2, allow_nan=False))
def test_adding_k_to_day0_return_adds_k_to_the_ar(data, model, k):
    returns, market, events = data
    base = _run(returns, market, events, model)
    # shift the listing's day-0 observation (its first trade on or after day 0)
    target = base.params.iloc[0]
    bumped = returns.copy()
    bumped.loc[target["date0"], target["ticker"]] += k
    other = _run(bumped, market, events, model)
    i = (other.keys.event_id == target["event_id"]) & (other.keys.ticker == target["ticker"])
    j0 = list(other.panel.evt_days).index(0)
    # every listing-event of this ticker whose day 0 is that date moves by k on day 0
    same = (other.params["ticker"] == target["ticker"]) & (other.params["date0"] == target["date0"])
    assert same[i].all()
    np.testing.assert_allclose(other.panel.evt_ar[same.to_numpy(), j0], base.panel.evt_ar[same.to_numpy(), j0] + k,
                               rtol=1e-10, atol=1e-12)


def test_adding_k_to_day0_return_adds_k_to_the_ar_under_garch():
    n = 420
    r, m = _simulate_garch(n, 5)
    dates = pd.bdate_range("2016-01-01", periods=n)
    returns = pd.DataFrame({"G": r}, index=dates)
    market = pd.Series(m, index=dates)
    base = event_study(returns, market, {"G": dates[400]}, model="garch", estimation=(-380, -11), windows=[(0, 0)])
    bumped = returns.copy()
    bumped.iloc[400, 0] += 0.05
    other = event_study(bumped, market, {"G": dates[400]}, model="garch", estimation=(-380, -11), windows=[(0, 0)])
    assert other.panel.evt_ar[0, 0] == pytest.approx(base.panel.evt_ar[0, 0] + 0.05, rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(panels(), st.sampled_from(FAST_MODELS), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_listings(data, model, rnd):
    returns, market, events = data
    base = _run(returns, market, events, model)
    order = list(range(len(events)))
    rnd.shuffle(order)
    cols = list(returns.columns)
    rnd.shuffle(cols)
    other = _run(returns[cols], market, events.iloc[order].reset_index(drop=True), model)

    def by_key(frame):
        return frame.sort_values(["event_id", "ticker"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(by_key(base.params), by_key(other.params), rtol=1e-12)
    ar_cols = ["event_id", "ticker", "relative_day", "abnormal_return", "variance"]
    pd.testing.assert_frame_equal(by_key(base.ar[ar_cols]).sort_values(["event_id", "ticker", "relative_day"],
                                                                       ignore_index=True),
                                  by_key(other.ar[ar_cols]).sort_values(["event_id", "ticker", "relative_day"],
                                                                        ignore_index=True), rtol=1e-12)
    pd.testing.assert_frame_equal(base.caar(), other.caar(), rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# Factor files
# ----------------------------------------------------------------------------------------------

FF_TEXT = """This file was created by CMPT_ME_BEME_RETS_DAILY using the 202401 CRSP database.
The Tbill return is the simple daily rate that, over the number of trading days
in the month, compounds to 1-month TBill rate from Ibbotson and Associates Inc.

,Mkt-RF,SMB,HML,RF
20240102,  -0.71,   0.78,   0.90,  0.021
20240103,  -1.05,  -0.24,   0.41,  0.021
20240104,  -0.47,   0.18,   0.05,  0.021

Copyright 2024 Kenneth R. French
"""


def test_read_factors_csv_fama_french_layout(tmp_path):
    path = tmp_path / "F-F_Research_Data_Factors_daily.CSV"
    path.write_text(FF_TEXT)
    f = read_factors_csv(path)          # values above 1: certainly percent
    assert f.attrs["percent"] is True
    assert list(f.columns) == ["Mkt-RF", "SMB", "HML", "RF"]
    assert list(f.index) == list(pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"]))
    assert f.loc["2024-01-03", "SMB"] == pytest.approx(-0.0024)
    assert f.loc["2024-01-02", "RF"] == pytest.approx(0.00021)


def test_read_factors_csv_iso_dates_and_missing_codes(tmp_path):
    path = tmp_path / "ch3.csv"
    path.write_text("date,mktrf,SMB,VMG\n2020-01-02,0.5,-99.99,0.1\n2020-01-03,0.2,0.1,\n")
    f = read_factors_csv(path, percent=True)
    assert np.isnan(f.loc["2020-01-02", "SMB"]) and np.isnan(f.loc["2020-01-03", "VMG"])


@pytest.mark.parametrize("text,match", [
    ("date,a,b\n20200102,0.1,x\n", r"line 2, column 'b': cannot read 'x'"),
    ("date,a,b\n20200102,0.1\n", "line 2: 2 fields"),
    ("date,a\n20200102,0.1\n2020-13-45x,0.2\n", "line 3, column 'date'"),
    ("date,a\n202001,0.1\n", "monthly"),
    ("nothing here\n", "no header line"),
    ("date,a\n20200102,0.1\n20200102,0.2\n", "more than once"),
])
def test_read_factors_csv_errors_name_file_line_and_column(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ResearchError, match=match) as err:
        read_factors_csv(path, percent=True)
    assert "bad.csv" in str(err.value)


def test_read_factors_csv_refuses_percent_read_as_decimals(tmp_path):
    path = tmp_path / "ff.csv"
    path.write_text(FF_TEXT)
    with pytest.raises(ResearchError, match="look like percent"):
        read_factors_csv(path, percent=False)


def test_read_factors_csv_asks_for_units_when_they_cannot_be_told(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("date,a\n20200102,0.01\n20200103,-0.02\n")
    with pytest.raises(ResearchError, match="pass percent=True or percent=False"):
        read_factors_csv(path)
    assert read_factors_csv(path, percent=False)["a"].tolist() == [0.01, -0.02]


def test_factor_file_to_event_study(tmp_path):
    returns, market = make_data(n_days=300, tickers=("A",), seed=17)
    rng = np.random.default_rng(18)
    smb = rng.normal(0, 0.4, 300)
    lines = ["Made by hand in the Fama-French layout", "", ",Mkt-RF,SMB,RF"]
    lines += [f"{d:%Y%m%d},{100 * (m - 0.0001):.6f},{s:.6f},0.01" for d, m, s in zip(returns.index, market, smb)]
    path = tmp_path / "ff_daily.csv"
    path.write_text("\n".join(lines) + "\n\nCopyright\n")
    factors = read_factors_csv(path)
    res = event_study(returns, market, {"A": returns.index[280]}, model=FactorModel(risk_free="RF"),
                      factors=factors, windows=[(0, 0)])
    rows = np.arange(280 - 250, 280 - 10)
    X = sm.add_constant(np.column_stack([factors["Mkt-RF"].to_numpy(), factors["SMB"].to_numpy()]))
    y = returns["A"].to_numpy() - 0.0001
    ols = sm.OLS(y[rows], X[rows]).fit()
    got = res.params.iloc[0]
    np.testing.assert_allclose([got["alpha"], got["b[Mkt-RF]"], got["b[SMB]"]], ols.params, rtol=1e-9)
    assert res.provenance["parameters"]["factors"] == ["Mkt-RF", "SMB"]
    assert res.provenance["parameters"]["risk_free"] == "RF"


def test_garch_with_trade_to_trade_spans_fits_the_scaled_equation():
    from arch.univariate import GARCH, LS, Normal

    n = 560
    r, m = _simulate_garch(n, 33)
    dates = pd.bdate_range("2015-01-01", periods=n)
    # the listing misses days 100-101 and 300: the returns after them compound the gap
    t2t = r.copy()
    t2t[102] = np.prod(1 + r[100:103]) - 1
    t2t[301] = (1 + r[300]) * (1 + r[301]) - 1
    t2t[[100, 101, 300]] = np.nan
    returns = pd.DataFrame({"G": t2t}, index=dates)
    market = pd.Series(m, index=dates)
    res = event_study(returns, market, {"G": dates[540]}, model="garch", estimation=(-500, -11), windows=[(0, 0)])
    pos = np.flatnonzero(~np.isnan(t2t))
    i0 = int(np.searchsorted(pos, 540))
    est = pos[i0 - 500: i0 - 10]
    span = np.ones(len(est))
    mc = m[est].copy()
    for j, row in enumerate(est):
        prev = pos[np.searchsorted(pos, row) - 1]
        if row - prev > 1:
            span[j] = row - prev
            mc[j] = np.prod(1 + m[prev + 1: row + 1]) - 1
    assert span.max() == 3
    root = np.sqrt(span)
    model = LS(100 * t2t[est] / root, np.column_stack([root, 100 * mc / root]), constant=False,
               volatility=GARCH(1, 0, 1), distribution=Normal(), rescale=False)
    fit = model.fit(disp="off")
    got = res.params.iloc[0]
    assert got["alpha"] == pytest.approx(fit.params.iloc[0] / 100, rel=1e-6)
    assert got["beta"] == pytest.approx(fit.params.iloc[1], rel=1e-6)
    assert got["garch_g1"] == pytest.approx(fit.params.iloc[4], rel=1e-6)
    np.testing.assert_allclose(res.panel.est_span[0][~np.isnan(res.panel.est_span[0])], span)
