"""Issue 15 item 4: abnormal log volume (Campbell and Wasley 1996), abnormal log range and
Chow's predictive F for the event-window variance, each against an independent computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from research.errors import ResearchError
from research.study import event_study
from research.study.volume import abnormal_range, abnormal_volume, variance_ratio
from synthetic import make_data


@pytest.fixture(scope="module")
def volumes():
    rng = np.random.default_rng(4)
    dates = pd.bdate_range("2019-01-01", periods=500)
    market = pd.Series(np.exp(rng.normal(20, 0.3, 500)), index=dates)
    vol = pd.DataFrame({t: np.exp(2 + 0.8 * np.log(market) + rng.normal(0, 0.4, 500)) for t in "ABCD"},
                       index=dates)
    vol.iloc[100:110, 0] = 0.0            # A suspended: no trading, no observation
    vol.iloc[300, 1] *= 8                 # B: a burst of volume on its day 0
    events = pd.DataFrame({"event_id": ["E1", "E1", "E2", "E2"], "ticker": list("ABCD"),
                           "day0": [dates[300], dates[300], dates[400], dates[400]],
                           "role": ["designated", "peer", "designated", "peer"]})
    return vol, market, events


def test_abnormal_log_volume_is_the_market_model_of_log_volume(volumes):
    vol, market, events = volumes
    study = abnormal_volume(vol, events, market=market)
    p = study.panel
    for i, ticker in enumerate("ABCD"):
        own = np.log(vol[ticker][vol[ticker] > 0])           # the listing's trading days
        day0 = own.index.searchsorted(events["day0"][i])
        est = own.iloc[day0 - 250: day0 - 10]
        beta, alpha = np.polyfit(np.log(market[est.index]), est, 1)
        evt = own.iloc[day0 - 10: day0 + 11]
        want = evt - alpha - beta * np.log(market[evt.index])
        np.testing.assert_allclose(p.evt_ar[i], want, rtol=1e-8, atol=1e-10)
        resid = est - alpha - beta * np.log(market[est.index])
        np.testing.assert_allclose(p.sigma[i], np.sqrt((resid ** 2).sum() / (len(est) - 2)), rtol=1e-8)
    assert p.evt_ar[1, 10] > 1.5                             # B's burst on day 0
    tests = study.tests([(0, 0), (-1, 1)])
    cav = p.evt_ar[:, 9:12].sum(axis=1)
    t = tests[(tests.window == "[-1,1]") & (tests.test == "csect_t") & (tests.group == "all")]
    np.testing.assert_allclose(t["statistic"], stats.ttest_1samp(cav, 0).statistic, rtol=1e-8)
    assert set(tests["test"]) == {"csect_t", "brown_warner_1985", "corrado"}
    np.testing.assert_allclose(study.means([(-1, 1)])["mean"], cav.mean(), rtol=1e-12)


def test_mean_adjusted_volume_and_the_range(volumes):
    vol, _, events = volumes
    study = abnormal_volume(vol, events)
    own = np.log(vol["C"])
    day0 = own.index.get_loc(events["day0"][2])
    mean = own.iloc[day0 - 250: day0 - 10].mean()
    np.testing.assert_allclose(study.panel.evt_ar[2], own.iloc[day0 - 10: day0 + 11] - mean, rtol=1e-10)
    u = np.random.default_rng(5).uniform(0.005, 0.05, vol.shape)
    low = pd.DataFrame(10.0, index=vol.index, columns=vol.columns)
    friday = np.repeat(np.asarray(vol.index.day_of_week)[:, None] == 4, 4, axis=1)
    high = (low * np.exp(u)).where(~friday, low)                   # Fridays: High = Low
    rng = abnormal_range(high, low, events)
    ratio = high["D"] / low["D"]
    width = np.log(np.log(ratio[ratio > 1]))                   # a day with High = Low is no observation
    day0 = width.index.searchsorted(events["day0"][3])
    np.testing.assert_allclose(rng.panel.evt_ar[3], width.iloc[day0 - 10: day0 + 11]
                               - width.iloc[day0 - 250: day0 - 10].mean(), rtol=1e-8)


def test_a_series_without_volume_is_named(volumes):
    vol, market, events = volumes
    empty = vol.assign(C=np.nan)
    with pytest.raises(ResearchError, match="'C' has no volume .an index or a series with an empty column"):
        abnormal_volume(empty, events, market=market)
    with pytest.raises(ResearchError, match="'D' has no volume"):
        abnormal_volume(vol.drop(columns="D"), events)
    with pytest.raises(ResearchError, match="fewer than the minimum of 300 .min_estimation"):
        abnormal_volume(vol, events, min_estimation=300)


def test_chow_predictive_f_equals_the_event_dummy_regression():
    """Chow's (1960) predictive F is the F-test that every event-day dummy is zero in a regression
    over the estimation and event days (Salkever 1976): statsmodels computes the latter."""
    returns, market = make_data(n_days=500, tickers=("A", "B", "C"), seed=9)
    returns.iloc[300:303, 1] += [0.05, -0.06, 0.04]      # B's variance rises on days 0..2
    day0 = returns.index[300]
    res = event_study(returns, market, {t: day0 for t in "ABC"}, windows=[(0, 2), (-1, 1)], seed=1)
    out = variance_ratio(res.panel, [(0, 2), (-1, 1)])
    for i, ticker in enumerate("ABC"):
        for a, b in [(0, 2), (-1, 1)]:
            rows = list(range(300 - 250, 300 - 10)) + list(range(300 + a, 300 + b + 1))
            y = returns[ticker].iloc[rows].to_numpy()
            dummies = np.zeros((len(rows), b - a + 1))
            dummies[240:, :] = np.eye(b - a + 1)
            x = np.column_stack([np.ones(len(rows)), market.iloc[rows].to_numpy(), dummies])
            fit = sm.OLS(y, x).fit()
            want = fit.f_test(np.eye(x.shape[1])[2:])
            got = out[(out.ticker == ticker) & (out.window == f"[{a},{b}]")].iloc[0]
            np.testing.assert_allclose(got["F"], float(np.squeeze(want.fvalue)), rtol=1e-8)
            np.testing.assert_allclose(got["p_value"], float(want.pvalue), rtol=1e-8)
    b_row = out[(out.ticker == "B") & (out.window == "[0,2]")].iloc[0]
    assert b_row["p_value"] < 0.01
    port = out[(out.ticker == "portfolio") & (out.window == "[0,2]")].iloc[0]
    p_est = np.nanmean(res.panel.est_ar, axis=0)
    p_evt = res.panel.evt_ar[:, res.panel.window_index(0, 2)].mean(axis=0)
    np.testing.assert_allclose(port["F"], np.mean(p_evt ** 2) / np.var(p_est, ddof=1), rtol=1e-10)
