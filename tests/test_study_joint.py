"""The joint tests for listings sharing one date (research.study.significance.joint): the event
portfolio's placebo test against numpy written out from its formula, the SUR Wald tests against
linearmodels' SUR fit and a numpy GLS computation, the residual-vector bootstrap against a loop
over its draws, and the cases without a p-value."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from research.errors import ResearchError
from research.study import significance
from research.study.engine import event_study
from research.study.significance.joint import (DRAW_BLOCK, EWMA_LAMBDA, EWMA_START, MIN_PLACEBO_WINDOWS,
                                                sur_covariance, sur_fit)

TICKERS = ("A", "B", "C", "D")
DAY0 = 300
WINDOWS = [(0, 0), (-1, 1), (0, 5)]


def shared_date_data(n_days=400, tickers=TICKERS, seed=3, effect=0.0):
    """Listings loaded on a market and on a common sector shock (cross-correlated residuals),
    ``effect`` added to every listing's return on day DAY0."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=n_days)
    m = rng.normal(0.0003, 0.01, n_days)
    sector = rng.normal(0, 0.012, n_days)
    cols = {t: 0.0002 + (0.6 + 0.2 * i) * m + sector + rng.normal(0, 0.015, n_days) for i, t in enumerate(tickers)}
    returns = pd.DataFrame(cols, index=dates)
    returns.iloc[DAY0] += effect
    return returns, pd.Series(m, index=dates)


def study(returns, market, estimation=(-250, -11), windows=WINDOWS, **kw):
    events = pd.DataFrame({"event_id": "E", "ticker": list(returns.columns), "day0": returns.index[DAY0]})
    return event_study(returns, market, events, windows=windows, estimation=estimation, **kw)


def row(frame, test, window, group="all"):
    hit = frame[(frame["test"] == test) & (frame["window"] == window) & (frame["group"] == group)]
    assert len(hit) == 1
    return hit.iloc[0]


# ------------------------------------------------------------------ the portfolio placebo test
LAMBDA, START = 0.94, 20        # RiskMetrics' daily decay; days that start the forecast


def test_the_placebo_forecast_is_riskmetrics_daily():
    assert (EWMA_LAMBDA, EWMA_START) == (LAMBDA, START)


def numpy_placebo(est_ar, evt_ar, evt_days, window):
    """The placebo test written out: portfolio means, the RiskMetrics EWMA forecast day by day
    (started at the mean square of the first 20 days), each day's return over the forecast's
    square root (event days over the forecast after the last estimation day), every complete run
    of tau studentised days, and the rank of the event window's sum among those m sums and itself
    (Phipson and Smyth 2010). Returns CAR, Z, p and m."""
    a, b = window
    tau = b - a + 1
    with warnings.catch_warnings():           # a day no listing observed: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        p_est = np.nanmean(est_ar, axis=0)
    p_evt = np.nanmean(evt_ar, axis=0)
    first = p_est[:START]
    var = np.mean(first[np.isfinite(first)] ** 2)
    z = [np.nan] * START
    for t in range(START, len(p_est)):
        z.append(p_est[t] / var ** 0.5)
        if np.isfinite(p_est[t]):
            var = LAMBDA * var + (1 - LAMBDA) * p_est[t] ** 2
    z = np.array(z)
    in_w = (evt_days >= a) & (evt_days <= b)
    car = np.nansum(p_evt[in_w])
    obs = np.nansum(p_evt[in_w] / var ** 0.5)
    sums = [z[s:s + tau].sum() for s in range(len(z) - tau + 1) if np.isfinite(z[s:s + tau]).all()]
    values = np.append(sums, obs)                   # the m + 1 values, the observed one last
    below, above = np.sum(values <= obs), np.sum(values >= obs)
    return car, obs / tau ** 0.5, min(1.0, 2 * min(below, above) / len(values)), len(sums)


def test_placebo_matches_numpy_with_gaps():
    res = study(*shared_date_data())
    panel = res.panel
    est = panel.est_ar.copy()
    est[1, 17] = np.nan          # one listing missing: the portfolio is the others' mean that day
    est[:, 30] = np.nan          # every listing missing: no placebo window covers day 30
    est[:, 100:110] *= 4         # a volatile spell, which the forecast follows
    panel = dataclasses.replace(panel, est_ar=est)
    out = significance.joint_tests(panel, WINDOWS, tests=["placebo_portfolio"])
    for window in WINDOWS:
        car, z, p, m = numpy_placebo(est, panel.evt_ar, panel.evt_days, window)
        got = row(out, "placebo_portfolio", f"[{window[0]},{window[1]}]")
        assert got["estimate"] == pytest.approx(car, abs=1e-12)
        assert got["statistic"] == pytest.approx(z, rel=1e-10)
        assert abs(got["p_value"] - p) < 1e-8
        assert got["resolution"] == pytest.approx(1 / (m + 1))
        assert got["null"] == f"placebo ({m} windows)"
        tau = window[1] - window[0] + 1
        assert m == 240 - START - tau + 1 - tau       # starts after the first 20 days, tau of them cover day 30
        assert got["note"] == ""


def test_the_studentised_placebo_follows_the_volatility_the_raw_one_ignores():
    # A portfolio four times as volatile over the last 20 estimation days and on day 0: day 0's
    # 8 % is extreme among the raw placebo values, mostly calm days, so ranking raw CARs would
    # reject; it is unremarkable for the volatile spell, which the forecast has followed.
    res = study(*shared_date_data(), windows=[(0, 0)])
    panel = res.panel
    est, evt = panel.est_ar.copy(), panel.evt_ar.copy()
    est[:, -20:] *= 4
    evt[:, panel.window_index(0, 0)[0]] = 0.08
    panel = dataclasses.replace(panel, est_ar=est, evt_ar=evt)
    got = row(significance.joint_tests(panel, [(0, 0)], tests=["placebo_portfolio"]), "placebo_portfolio", "[0,0]")
    car, z, p, m = numpy_placebo(est, evt, panel.evt_days, (0, 0))
    assert got["p_value"] == pytest.approx(p, abs=1e-12) and p > 0.1
    raw = np.append(np.nanmean(est, axis=0)[START:], car)          # the same days, not studentised
    assert 2 * min(np.sum(raw <= car), np.sum(raw >= car)) / len(raw) < 0.05


def test_placebo_detects_a_large_portfolio_effect():
    res = study(*shared_date_data(effect=0.08))
    out = res.joint_tests([(0, 0)], by=None)
    # beyond every one of the 220 placebo values: the smallest p-value, never 0
    assert row(out, "placebo_portfolio", "[0,0]")["p_value"] == pytest.approx(2 / 221, abs=1e-15)


def exchangeable_panel(values, held_out):
    """A panel of four listings whose studentised portfolio returns z_t are ``values`` without
    ``values[held_out]`` on the 220 estimation days after the forecast's start, and
    ``values[held_out]`` on day 0: the returns are built from the z_t by running the EWMA
    recursion forwards (P_t = z_t s_t), so the m + 1 studentised values are the same set
    whichever value is held out, as under exchangeability."""
    res = study(*shared_date_data())
    panel = res.panel
    start = np.full(START, 0.01)
    var = np.mean(start ** 2)
    p = list(start)
    for z in np.delete(values, held_out):
        p.append(z * var ** 0.5)
        var = LAMBDA * var + (1 - LAMBDA) * p[-1] ** 2
    est = np.tile(p, (panel.n, 1))
    evt = np.zeros(panel.evt_ar.shape)
    evt[:, panel.window_index(0, 0)] = values[held_out] * var ** 0.5
    return dataclasses.replace(panel, est_ar=est, evt_ar=evt)


def test_placebo_p_value_is_uniform_on_its_grid_under_exchangeability():
    # Exact size, computed: with one-day windows and m + 1 = 221 distinct exchangeable values,
    # each is day 0's with probability 1/221. The p-value must then satisfy P(p <= 2j/221) =
    # 2j/221 for every j up to 110, so P(p <= 0.05) = 10/221 = 4.52 %; GHK's share, leaving the
    # observed value out, has P(p <= 0.05) = 12/221 = 5.43 %, not a valid p-value.
    values = np.random.default_rng(8).standard_normal(221)
    p = np.array([row(significance.joint_tests(exchangeable_panel(values, h), [(0, 0)],
                                                 tests=["placebo_portfolio"]), "placebo_portfolio", "[0,0]")["p_value"]
                  for h in range(221)])
    grid = 2 * np.arange(1, 111) / 221
    np.testing.assert_array_equal([np.sum(p <= g + 1e-12) for g in grid], 2 * np.arange(1, 111))
    assert np.sum(p <= 0.05) == 10 and np.max(p) == 1.0
    ranks = stats.rankdata(values)                      # an independent form: p from each value's rank
    np.testing.assert_allclose(p, np.minimum(1, 2 * np.minimum(ranks, 222 - ranks) / 221), rtol=0, atol=1e-15)
    shares = [min(np.mean(np.delete(values, h) <= values[h]), np.mean(np.delete(values, h) >= values[h]))
              for h in range(221)]
    assert np.sum(np.minimum(1, 2 * np.array(shares)) <= 0.05) == 12


def test_too_few_placebo_windows_give_no_p_value_and_say_why():
    res = study(*shared_date_data(), estimation=(-60, -11), min_estimation=20)
    out = res.joint_tests([(0, 0), (0, 5)], by=None)
    for window, m in (("[0,0]", 30), ("[0,5]", 25)):      # 50 days, the first 20 start the forecast
        got = row(out, "placebo_portfolio", window)
        assert np.isnan(got["p_value"])
        assert got["resolution"] == pytest.approx(1 / (m + 1))
        assert f"{m} placebo windows" in got["note"] and f"needs {MIN_PLACEBO_WINDOWS}" in got["note"]
        assert f"first {EWMA_START} days" in got["note"]


def test_a_placebo_forecast_started_on_zeros_gives_no_p_value_and_no_warning():
    res = study(*shared_date_data(), windows=[(0, 0)])
    est = res.panel.est_ar.copy()
    est[:, :START] = 0.0
    panel = dataclasses.replace(res.panel, est_ar=est)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = row(significance.joint_tests(panel, [(0, 0)], tests=["placebo_portfolio"]), "placebo_portfolio", "[0,0]")
    assert np.isnan(got["p_value"]) and np.isnan(got["statistic"]) and "0 placebo windows" in got["note"]


@pytest.mark.parametrize("m, has_p", [(MIN_PLACEBO_WINDOWS - 1, False), (MIN_PLACEBO_WINDOWS, True)])
def test_the_fewest_placebo_windows_are_those_that_can_reject_at_five_percent(m, has_p):
    # one-day windows over an estimation window of m days after the forecast's start: m placebo
    # values, smallest p 2 / (m + 1), below 0.05 from m = 40 (with 39 it is 0.05, which the kit's
    # p < alpha does not reject)
    res = study(*shared_date_data(effect=0.08), estimation=(-10 - EWMA_START - m, -11), min_estimation=20,
                windows=[(0, 0)])
    got = row(res.joint_tests(by=None, n_boot=9), "placebo_portfolio", "[0,0]")
    assert got["null"] == f"placebo ({m} windows)"
    assert (got["p_value"] == pytest.approx(2 / (m + 1)) and got["p_value"] < 0.05) if has_p else np.isnan(got["p_value"])
    assert (got["signif"] == "**") if has_p else got["signif"] == ""


# ------------------------------------------------------------------ SUR with event dummies
def sur_design(returns, market, window):
    """Each listing's returns over the estimation window [-250, -11] and the event window's days,
    and the regressors [1, market, one dummy per event-window day] (the same for every listing)."""
    a, b = window
    rows = list(range(DAY0 - 250, DAY0 - 10)) + list(range(DAY0 + a, DAY0 + b + 1))
    x = pd.DataFrame({"const": 1.0, "market": market.iloc[rows].to_numpy()}, index=returns.index[rows])
    for d in range(a, b + 1):
        x[f"d{d}"] = (np.array(rows) == DAY0 + d).astype(float)
    return returns.iloc[rows], x


def wald(beta, cov, restriction):
    r = restriction @ beta
    return float(r @ np.linalg.solve(restriction @ cov @ restriction.T, r))


@pytest.mark.parametrize("window", [(0, 0), (-1, 1)])
def test_sur_matches_linearmodels_and_numpy_gls(window):
    from linearmodels.system import SUR

    returns, market = shared_date_data(effect=0.01)
    res = study(returns, market)
    out = significance.joint_tests(res.panel, [window], tests=["sur_wald", "sur_wald_mean"])
    y, x = sur_design(returns, market, window)
    n, k = y.shape[1], x.shape[1]
    fit = SUR({t: {"dependent": y[t], "exog": x} for t in y.columns}).fit(
        method="gls", cov_type="unadjusted", debiased=True)
    dummies = np.zeros((n, n * k))              # row i sums listing i's event dummies: its CAR
    for i in range(n):
        dummies[i, i * k + 2:(i + 1) * k] = 1.0
    beta, cov = fit.params.to_numpy(), fit.cov.to_numpy()
    lm_all, lm_mean = wald(beta, cov, dummies), wald(beta, cov, dummies.sum(axis=0, keepdims=True))

    # numpy GLS, written out: Sigma from OLS residuals (debiased), beta = (X'O^-1X)^-1 X'O^-1 y
    xs = x.to_numpy()
    resid = y.to_numpy() - xs @ np.linalg.lstsq(xs, y.to_numpy(), rcond=None)[0]
    t_obs = len(xs)
    sigma = resid.T @ resid / (t_obs - k)
    big_x = np.kron(np.eye(n), xs)
    omega_inv = np.kron(np.linalg.inv(sigma), np.eye(t_obs))
    cov_np = np.linalg.inv(big_x.T @ omega_inv @ big_x)
    beta_np = cov_np @ big_x.T @ omega_inv @ y.to_numpy().T.reshape(-1)
    np_all, np_mean = wald(beta_np, cov_np, dummies), wald(beta_np, cov_np, dummies.sum(axis=0, keepdims=True))

    label = f"[{window[0]},{window[1]}]"
    got_all, got_mean = row(out, "sur_wald", label), row(out, "sur_wald_mean", label)
    cars = res.car[res.car["window"] == label]["car"].to_numpy()
    np.testing.assert_allclose(dummies @ beta, cars, rtol=0, atol=1e-10)     # dummies = abnormal returns
    for got, lm, npy, df in ((got_all, lm_all, np_all, n), (got_mean, lm_mean, np_mean, 1)):
        assert abs(got["statistic"] - lm) < 1e-8 * max(1.0, lm)
        assert abs(got["statistic"] - npy) < 1e-8 * max(1.0, npy)
        assert got["df"] == df and got["null"] == f"chi2({df})"
        assert abs(got["p_value"] - stats.chi2.sf(lm, df)) < 1e-8
    assert got_mean["estimate"] == pytest.approx(cars.mean())


def closed_and_fitted(res, windows, tests=("sur_wald", "sur_wald_mean")):
    """The SUR rows of each event from the closed form (the pooled tests) and from linearmodels'
    SUR (joint_tests), side by side."""
    closed = res.tests_by("event_id", windows=windows, tests=list(tests))
    fitted = res.joint_tests(windows, n_boot=9, seed=0)
    both = fitted[fitted["test"].isin(tests)].merge(closed, on=["group", "window", "test"], suffixes=("", "_closed"))
    return both[both["group"] != "all"]


@pytest.mark.parametrize("effect, model, k", [(0.0, "market", 2), (0.02, "market", 2), (0.02, "constant_mean", 1),
                                              (0.02, "market_adjusted", 0)])
def test_the_linearmodels_sur_equals_the_closed_form_on_synthetic_data(effect, model, k):
    res = study(*shared_date_data(effect=effect, tickers=("A", "B", "C", "D", "E", "F")), model=model)
    assert res.panel.est_x is not None and res.panel.est_x.shape == (6, 240, k)
    both = closed_and_fitted(res, WINDOWS)
    assert len(both) == 2 * len(WINDOWS)
    np.testing.assert_allclose(both["statistic"], both["statistic_closed"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(both["p_value"], both["p_value_closed"], rtol=1e-8, atol=1e-12)
    members = np.arange(6)
    for a, b in WINDOWS:
        car, variance = res.panel.car(a, b)
        c, v = sur_fit(res.panel, members, res.panel.window_index(a, b))
        np.testing.assert_allclose(c, car, rtol=0, atol=1e-12)                 # the dummies are the ARs
        resid, dof = sur_covariance(res.panel, members)
        q = variance / res.panel.sigma ** 2
        np.testing.assert_allclose(v, resid.T @ resid / dof * np.sqrt(np.outer(q, q)), rtol=1e-8, atol=0)


@pytest.mark.parametrize("episode", ["e4-ns-cmic-2021", "e5-hikvision-2022"])
def test_the_linearmodels_sur_equals_the_closed_form_on_the_papers_events(episode, real_store):
    from research.report import Episode

    res = Episode(episode).study
    both = closed_and_fitted(res, res.windows)
    assert len(both) == 2 * len(res.windows) * res.keys["event_id"].nunique()
    assert both["statistic"].notna().all()
    np.testing.assert_allclose(both["statistic"], both["statistic_closed"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(both["p_value"], both["p_value_closed"], rtol=1e-8, atol=1e-15)


def test_the_sur_falls_back_to_the_closed_form_where_linearmodels_does_not_apply(monkeypatch):
    from research.study import engine

    returns, market = shared_date_data(effect=0.01)
    returns.iloc[DAY0 + 1, 2] = np.nan           # C has no return on day 1: its day 2 spans two sessions
    res = study(returns, market)
    members = np.arange(4)
    assert sur_fit(res.panel, members, res.panel.window_index(0, 0)) is not None
    assert sur_fit(res.panel, members, res.panel.window_index(-1, 1)) is None
    assert sur_fit(res.panel, members, res.panel.window_index(0, 5)) is None
    both = closed_and_fitted(res, WINDOWS)
    np.testing.assert_allclose(both["statistic"], both["statistic_closed"], rtol=1e-8, atol=0)
    sw = study(*shared_date_data(), model="scholes_williams")     # its ARs are no least-squares errors
    assert sw.panel.est_x is None and sw.panel.evt_x.shape[-1] == 2
    fitted = study(*shared_date_data()).joint_tests(n_boot=9, seed=0)
    monkeypatch.setattr(engine, "DESIGN_CELLS", 4 * 240 - 1)       # a wide study keeps no design
    wide = study(*shared_date_data())
    assert wide.panel.est_x is None
    closed = wide.joint_tests(n_boot=9, seed=0)
    np.testing.assert_allclose(closed["statistic"], fitted["statistic"], rtol=1e-8)


def test_sur_bootstrap_matches_a_loop_over_its_draws():
    res = study(*shared_date_data(effect=0.01))
    n_boot, seed, tau = DRAW_BLOCK + 44, 11, 3          # crosses a block of draws
    out = significance.joint_tests(res.panel, [(-1, 1)], tests=["sur_boot", "sur_boot_mean", "sur_wald",
                                                                 "sur_wald_mean"], n_boot=n_boot, seed=seed)
    resid, _ = sur_covariance(res.panel, np.arange(4))
    resid = resid - resid.mean(axis=0)
    t = len(resid)
    rng = np.random.default_rng(seed)
    w_all, w_mean = [], []
    for start in range(0, n_boot, DRAW_BLOCK):
        size = min(DRAW_BLOCK, n_boot - start)
        est_days, evt_days = rng.integers(0, t, size=(size, t)), rng.integers(0, t, size=(size, tau))
        for b in range(size):
            e = resid[est_days[b]]
            v = tau * (e.T @ e) / t
            c = resid[evt_days[b]].sum(axis=0)
            w_all.append(c @ np.linalg.solve(v, c))
            w_mean.append(c.sum() ** 2 / v.sum())
    for test, draws, stat in (("sur_boot", w_all, "sur_wald"), ("sur_boot_mean", w_mean, "sur_wald_mean")):
        observed = row(out, stat, "[-1,1]")["statistic"]
        got = row(out, test, "[-1,1]")
        assert got["statistic"] == observed
        assert got["p_value"] == pytest.approx((1 + np.sum(np.array(draws) >= observed)) / (n_boot + 1), abs=1e-12)
        assert got["resolution"] == pytest.approx(1 / (n_boot + 1))


def test_sur_bootstrap_agrees_with_chi2_when_the_sample_is_long():
    # Gaussian residuals and 240 days: the bootstrap and the asymptotic p-values agree closely
    res = study(*shared_date_data(effect=0.012))
    out = significance.joint_tests(res.panel, [(0, 0)], n_boot=4000, seed=5)
    for boot, chi2 in (("sur_boot", "sur_wald"), ("sur_boot_mean", "sur_wald_mean")):
        assert abs(row(out, boot, "[0,0]")["p_value"] - row(out, chi2, "[0,0]")["p_value"]) < 0.03


def test_sur_without_enough_common_days_gives_no_p_value_and_says_why():
    tickers = tuple(f"T{i}" for i in range(30))
    res = study(*shared_date_data(tickers=tickers), estimation=(-40, -11), min_estimation=20, windows=[(0, 0)])
    out = res.joint_tests(by=None, n_boot=9)
    for test in ("sur_wald", "sur_wald_mean", "sur_boot", "sur_boot_mean"):
        got = row(out, test, "[0,0]")
        assert np.isnan(got["p_value"]) and "30 listings need more than 30 common estimation days" in got["note"]


# ------------------------------------------------------------------ where they run
def test_joint_tests_run_only_when_asked_for():
    res = study(*shared_date_data())
    assert not set(res.tests["test"]) & set(significance.JOINT_TESTS)
    asked = res.tests_by(None, tests=["bmp", "placebo_portfolio", "sur_wald"])
    assert list(asked["test"].unique()) == ["bmp", "placebo_portfolio", "sur_wald"]
    joint = res.joint_tests([(0, 0)], n_boot=99, seed=1)
    np.testing.assert_allclose(asked[(asked["test"] == "sur_wald") & (asked["window"] == "[0,0]")]["statistic"],
                               row(joint, "sur_wald", "[0,0]", group="E")["statistic"])
    assert set(joint["group"]) == {"all", "E"}
    with pytest.raises(ResearchError, match="not defined under convention"):
        significance.joint_tests(res.panel, [(0, 0)], tests=["sur_walds"])
    with pytest.raises(ResearchError, match="n_boot"):
        significance.joint_tests(res.panel, [(0, 0)], n_boot=0)


def test_a_group_of_several_events_gets_no_joint_p_value():
    returns, market = shared_date_data()
    events = pd.DataFrame({"event_id": ["E1", "E1", "E2", "E2"], "ticker": list(returns.columns),
                           "day0": [returns.index[DAY0]] * 2 + [returns.index[DAY0 + 40]] * 2})
    res = event_study(returns, market, events, windows=[(0, 0)])
    out = res.joint_tests(n_boot=19, seed=0)
    for test in significance.JOINT_TESTS:
        assert np.isnan(row(out, test, "[0,0]")["p_value"])
        assert "this group spans 2" in row(out, test, "[0,0]")["note"]
        assert not np.isnan(row(out, test, "[0,0]", group="E2")["p_value"])


def test_the_papers_joint_table_prints_every_joint_test_per_event():
    from research.report import tables

    res = study(*shared_date_data(effect=0.03), n_boot=99, seed=4)
    table = tables.joint_tests_table(res, [(0, 0), (-1, 1)])
    stubs = [r.stub for r in table.rows]
    assert stubs[0].startswith("E (N = 4)")
    names = [significance.TEST_NAMES[t] for t in significance.JOINT_TESTS]
    assert [s for s in stubs if s in names] == names
    data = table.data.set_index(["test", "window"])
    joint = res.joint_tests([(0, 0), (-1, 1)], n_boot=99, seed=4)
    for test in significance.JOINT_TESTS:
        assert data.loc[(test, "[-1,1]"), "p_value"] == row(joint, test, "[-1,1]", group="E")["p_value"]
    assert "99 residual-vector draws" in " ".join(table.notes)
    assert {"binder1985", "hein_westfall2004", "gelbach_helland_klick2013"} <= set(table.references)


def test_a_singular_residual_covariance_gives_no_sur_p_value_and_says_why():
    returns, market = shared_date_data()
    returns["D"] = returns["C"]                  # two listings with the same returns
    out = study(returns, market, windows=[(0, 0)]).joint_tests(by=None, n_boot=9)
    assert "singular" in row(out, "sur_wald", "[0,0]")["note"]
    assert np.isnan(row(out, "sur_boot", "[0,0]")["p_value"])
    assert not np.isnan(row(out, "placebo_portfolio", "[0,0]")["p_value"])
