"""Issue 15 item 3: the cross-sectional regression of CARs, checked against numpy written out
from the formulas (OLS, HC3, event-clustered, Sefcik-Thompson portfolios) to 1e-8."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from research.errors import ResearchError
from research.study import event_study
from synthetic import make_data

TICKERS = tuple("ABCDEFGHI")


@pytest.fixture(scope="module")
def result():
    returns, market = make_data(n_days=800, tickers=TICKERS, seed=11)
    d = returns.index
    day = {"E1": d[300], "E2": d[480], "E3": d[700]}
    rows = [("E1", "A", "designated"), ("E1", "B", "peer"), ("E1", "C", "supplier"),
            ("E2", "D", "designated"), ("E2", "E", "designated"), ("E2", "F", "peer"),
            ("E3", "G", "designated"), ("E3", "H", "peer"), ("E3", "I", "supplier"), ("E3", "A", "supplier")]
    events = pd.DataFrame([(e, t, day[e], r) for e, t, r in rows], columns=["event_id", "ticker", "day0", "role"])
    return event_study(returns, market, events, windows=[(0, 1), (-1, 1)], seed=1)


@pytest.fixture(scope="module")
def characteristics():
    rng = np.random.default_rng(3)
    return pd.DataFrame({"ticker": list(TICKERS), "us_revenue_share": rng.uniform(0, 0.6, len(TICKERS))})


def _design(result, characteristics):
    keys = result.keys.reset_index(drop=True)
    share = keys["ticker"].map(characteristics.set_index("ticker")["us_revenue_share"]).to_numpy()
    roles = sorted(keys["role"].unique())
    dummies = [(keys["role"] == r).to_numpy(float) for r in roles[1:]]      # first level is the base
    return np.column_stack([np.ones(len(keys)), *dummies, share])


def test_coefficients_and_robust_errors_against_numpy(result, characteristics):
    cs = result.regress("car ~ role + us_revenue_share", window=(0, 1), data=characteristics)
    x = _design(result, characteristics)
    y = result.car.loc[result.car["window"] == "[0,1]", "car"].to_numpy()
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    gamma = xtx_inv @ x.T @ y
    u = y - x @ gamma
    np.testing.assert_allclose(cs.table["coef"], gamma, rtol=1e-8, atol=1e-12)
    # OLS
    se_ols = np.sqrt(np.diag(xtx_inv) * (u @ u) / (n - k))
    np.testing.assert_allclose(cs.table["se_ols"], se_ols, rtol=1e-8)
    # HC3 (MacKinnon and White 1985): u_i^2 / (1 - h_ii)^2
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    meat = (x * (u ** 2 / (1 - h) ** 2)[:, None]).T @ x
    se_hc = np.sqrt(np.diag(xtx_inv @ meat @ xtx_inv))
    np.testing.assert_allclose(cs.table["se_hc"], se_hc, rtol=1e-8)
    np.testing.assert_allclose(cs.table["p_hc"], 2 * stats.t.sf(np.abs(gamma / se_hc), n - k), rtol=1e-8)
    # clustered by event (Liang and Zeger 1986) with the factor G/(G-1) (N-1)/(N-k), t(G-1)
    g = result.keys["event_id"].to_numpy()
    groups = sorted(set(g))
    meat = sum(np.outer(x[g == e].T @ u[g == e], x[g == e].T @ u[g == e]) for e in groups)
    G = len(groups)
    cov = xtx_inv @ meat @ xtx_inv * G / (G - 1) * (n - 1) / (n - k)
    se_cl = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(cs.table["se_cluster"], se_cl, rtol=1e-8)
    np.testing.assert_allclose(cs.table["p_cluster"], 2 * stats.t.sf(np.abs(gamma / se_cl), G - 1), rtol=1e-8)
    assert len(cs.frame) == n and "role" in cs.frame and str(cs.summary())


def test_sefcik_thompson_portfolios_against_numpy(result, characteristics):
    cs = result.regress("car ~ role + us_revenue_share", window=(-1, 1), data=characteristics)
    x = _design(result, characteristics)
    w = np.linalg.inv(x.T @ x) @ x.T
    est = result.panel.est_ar
    days = [t for t in range(est.shape[1]) if np.isfinite(est[:, t]).all()]
    se, tstat = [], []
    for j in range(x.shape[1]):
        series = [sum(w[j, i] * est[i, t] for i in range(len(x))) for t in days]
        se.append(np.std(series, ddof=1) * np.sqrt(3))
    se = np.array(se)
    np.testing.assert_allclose(cs.table["se_portfolio"], se, rtol=1e-8)
    # the portfolio's event-window CAR is the OLS coefficient (the weights sum the CARs)
    car = result.car.loc[result.car["window"] == "[-1,1]", "car"].to_numpy()
    np.testing.assert_allclose(cs.table["coef"], w @ car, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(cs.table["p_portfolio"],
                               2 * stats.t.sf(np.abs(w @ car / se), len(days) - 1), rtol=1e-8)
    assert cs.portfolio_days == len(days)


def test_roles_need_no_file_and_event_keys_work(result, characteristics, tmp_path):
    cs = result.regress("car ~ role", window=(0, 1))
    assert cs.table["term"].str.startswith("role").sum() == result.keys["role"].nunique() - 1
    keyed = result.keys[["event_id", "ticker"]].assign(size=np.arange(len(result.keys), dtype=float))
    path = tmp_path / "chars.csv"
    keyed.to_csv(path, index=False)
    by_event = result.regress("scar ~ size", window=(0, 1), data=path)
    ok = by_event.frame
    np.testing.assert_allclose(by_event.table["coef"], np.polyfit(ok["size"], ok["scar"], 1)[::-1], rtol=1e-8)


def test_bad_input_is_named(result, characteristics, tmp_path):
    path = tmp_path / "chars.csv"
    characteristics[characteristics["ticker"] != "E"].to_csv(path, index=False)
    with pytest.raises(ResearchError, match=r"chars.csv: no row for ticker 'E'"):
        result.regress("car ~ us_revenue_share", window=(0, 1), data=path)
    with pytest.raises(ResearchError, match=r"unknown column 'us_revenue'; the columns are .*us_revenue_share"):
        result.regress("car ~ us_revenue", window=(0, 1), data=characteristics)
    with pytest.raises(ResearchError, match="cannot read the characteristics file"):
        result.regress("car ~ role", window=(0, 1), data=tmp_path / "none.csv")
    with pytest.raises(ResearchError, match="more than one row for ticker 'A'"):
        result.regress("car ~ role", window=(0, 1), data=pd.concat([characteristics, characteristics.head(1)]))
    with pytest.raises(ResearchError, match="column.s. role are built in"):
        result.regress("car ~ role", window=(0, 1), data=characteristics.assign(role="x"))


def test_a_listing_alone_in_its_role_leaves_hc3_undefined(result):
    roles = result.keys["role"].where(result.keys["ticker"] != "B", "partner")      # B alone
    frame = result.keys[["event_id", "ticker"]].assign(group=roles.to_numpy())
    cs = result.regress("car ~ group", window=(0, 1), data=frame)
    assert cs.table["se_hc"].isna().all() and "B (E1) alone in its category" in cs.notes[0]
    hc1 = result.regress("car ~ group", window=(0, 1), data=frame, cov_type="HC1")
    assert hc1.table["se_hc"].notna().all() and not hc1.notes
