"""Conformance of ``convention="estudy2"`` with the numbers estudy2 0.10.0 computed.

The panel is built here directly from estudy2's own abnormal returns and market-model fit
(``sim_docs``), not by the kit's models, so these tests check the significance module alone.
Relative days: the 240 estimation dates 2019-04-02..2020-03-13 are days -240..-1 and the event
dates 2020-03-16..20 are days 0..4 (estudy2 has no gap between the windows here).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from research.errors import ResearchError
from research.study import significance as sig
from research.study.panel import AbnormalReturnPanel

RTOL = 1e-10

# estudy2 column prefix -> our test name
PARAMETRIC = {"bw_1980": "brown_warner_1980", "bw_1985": "brown_warner_1985",
              "t_test": "csect_t", "pt": "patell", "bh": "bmp", "lmb": "lamb"}
NONPARAMETRIC = {"sign": "sign", "gsign": "gsign", "csign": "corrado_sign", "rank": "corrado",
                 "mrank": "modified_rank", "wlcx": "wilcoxon"}
CAR = {"car_brown_warner_1985": "brown_warner_1985", "car_lamb": "lamb",
       "car_rank_test": "corrado"}


def _read(path):
    return pd.read_csv(path, dtype={"date": str}, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def reference(estudy2_reference):
    docs = estudy2_reference / "sim_docs"
    return {
        "config": json.loads((docs / "config.json").read_text()),
        "ar": _read(docs / "abnormal_returns.csv"),
        "params": _read(docs / "model_parameters.csv"),
        "returns": _read(estudy2_reference / "inputs" / "returns.csv"),
        "parametric": _read(docs / "parametric.csv"),
        "nonparametric": _read(docs / "nonparametric.csv"),
        "car": _read(docs / "car.csv"),
    }


@pytest.fixture(scope="module")
def panel(reference) -> AbnormalReturnPanel:
    """estudy2's market-model abnormal returns as an AbnormalReturnPanel."""
    cfg, ar, params = reference["config"], reference["ar"], reference["params"]
    securities = cfg["securities"]
    returns = reference["returns"].set_index("date")
    est = ar[ar["window"] == "estimation"]
    evt = ar[ar["window"] == "event"]
    assert est["date"].iloc[0] >= cfg["estimation_start"]
    assert est["date"].iloc[-1] <= cfg["estimation_end"]
    assert (evt["date"].iloc[0], evt["date"].iloc[-1]) == (cfg["event_start"], cfg["event_end"])
    est_ar = est[securities].to_numpy(float).T
    evt_ar = evt[securities].to_numpy(float).T
    n, big_l, big_t = len(securities), est_ar.shape[1], evt_ar.shape[1]
    m_est = returns.loc[est["date"], cfg["regressor"]].to_numpy(float)
    m_evt = returns.loc[evt["date"], cfg["regressor"]].to_numpy(float)
    p = params.set_index("security").loc[securities]
    n_est = (~np.isnan(est_ar)).sum(axis=1)
    np.testing.assert_array_equal(n_est, p["estimation_length"].to_numpy())
    # The kit's textbook quantities: sigma with the regression's dof, (X'X)^-1 of the days used.
    sigma = np.sqrt(np.nansum(est_ar ** 2, axis=1) / (n_est - 2))
    xtx_inv = np.empty((n, 2, 2))
    for i in range(n):
        x = np.column_stack([np.ones(big_l), m_est])[~np.isnan(est_ar[i])]
        xtx_inv[i] = np.linalg.inv(x.T @ x)
    evt_x = np.stack([np.ones((n, big_t)), np.tile(m_evt, (n, 1))], axis=2)
    return AbnormalReturnPanel(
        keys=pd.DataFrame({"event_id": "estudy2-sim-docs", "ticker": securities, "role": "peer"}),
        est_days=np.arange(-big_l, 0), evt_days=np.arange(big_t),
        est_ar=est_ar, evt_ar=evt_ar,
        est_span=np.where(np.isnan(est_ar), np.nan, 1.0),
        evt_span=np.where(np.isnan(evt_ar), np.nan, 1.0),
        n_est=n_est, dof=n_est - 2, sigma=sigma, evt_x=evt_x, xtx_inv=xtx_inv,
        est_market=np.tile(m_est, (n, 1)), evt_market=np.tile(m_evt, (n, 1)),
        model="market")   # estudy2 sim (OLS): the single-index market model


@pytest.fixture(scope="module")
def daily(panel):
    return sig.daily_tests(panel, convention="estudy2")


@pytest.fixture(scope="module")
def car(panel):
    return sig.run_tests(panel, [(0, 4)], convention="estudy2")


def _ours(daily, test, column):
    return daily[daily["test"] == test].sort_values("day")[column].to_numpy()


def _rel_err(ours, theirs):
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    return float(np.max(np.abs(ours - theirs) / np.abs(theirs)))


def test_panel_reproduces_estudy2_abnormal_returns(reference, panel):
    """The fixture's ARs are R_it - alpha_i - beta_i R_mt of its inputs (sanity of the panel)."""
    cfg, ar, params = reference["config"], reference["ar"], reference["params"]
    returns = reference["returns"].set_index("date")
    p = params.set_index("security")
    for kind, arr in (("estimation", panel.est_ar), ("event", panel.evt_ar)):
        dates = ar.loc[ar["window"] == kind, "date"]
        for i, sec in enumerate(cfg["securities"]):
            expected = (returns.loc[dates, sec].to_numpy() - p.loc[sec, "alpha"]
                        - p.loc[sec, "beta"] * returns.loc[dates, cfg["regressor"]].to_numpy())
            np.testing.assert_allclose(arr[i], expected, rtol=1e-9, atol=1e-15)
    s = np.nanstd(panel.est_ar, axis=1, ddof=1)
    np.testing.assert_allclose(s, p.loc[cfg["securities"], "estimation_ar_sd"], rtol=1e-12)


@pytest.mark.parametrize("prefix", list(PARAMETRIC))
def test_parametric_statistics(reference, daily, prefix):
    ref = reference["parametric"]
    test = PARAMETRIC[prefix]
    assert _rel_err(_ours(daily, test, "statistic"), ref[f"{prefix}_stat"]) < RTOL
    flags = [str(f) if isinstance(f, str) else "" for f in ref[f"{prefix}_signif"]]
    assert list(_ours(daily, test, "signif")) == flags


@pytest.mark.parametrize("prefix", list(NONPARAMETRIC))
def test_nonparametric_statistics(reference, daily, prefix):
    ref = reference["nonparametric"]
    test = NONPARAMETRIC[prefix]
    assert _rel_err(_ours(daily, test, "statistic"), ref[f"{prefix}_stat"]) < RTOL
    flags = [str(f) if isinstance(f, str) else "" for f in ref[f"{prefix}_signif"]]
    assert list(_ours(daily, test, "signif")) == flags


def test_daily_mean_and_percentage(reference, panel, daily):
    ref = reference["parametric"]
    for test in PARAMETRIC.values():
        assert _rel_err(_ours(daily, test, "estimate"), ref["mean"]) < RTOL
    for frame in (ref, reference["nonparametric"]):
        np.testing.assert_array_equal(100.0 * _ours(daily, "csect_t", "n") / panel.n,
                                      frame["percentage"])


@pytest.mark.parametrize("name", list(CAR))
def test_car_statistics(reference, car, name):
    ref = reference["car"].set_index("name").loc[name]
    row = car[car["test"] == CAR[name]].iloc[0]
    assert row["window"] == "[0,4]"
    assert _rel_err([row["statistic"]], [ref["statistic"]]) < RTOL
    assert row["signif"] == (ref["significance"] if isinstance(ref["significance"], str) else "")
    if not np.isnan(ref["car_mean"]):
        # estudy2's car_mean is the average of the daily means; our estimate is their sum.
        assert _rel_err([row["estimate"] / ref["number_of_days"]], [ref["car_mean"]]) < RTOL


def test_estudy2_rejects_tests_it_does_not_define(panel):
    with pytest.raises(ResearchError):
        sig.run_tests(panel, [(0, 4)], convention="estudy2", tests=["patell"])
    with pytest.raises(ResearchError):
        sig.run_tests(panel, [(0, 0)], convention="estudy2", tests=["grank"])


def test_estudy2_groups_repeat_the_pooled_numbers_for_a_single_group(panel, daily):
    frame = sig.run_tests(panel, [(t, t) for t in range(5)], convention="estudy2",
                          groups=panel.keys["role"])
    pooled = frame[frame["group"] == "all"].reset_index(drop=True)
    group = frame[frame["group"] == "peer"].reset_index(drop=True)
    np.testing.assert_allclose(pooled["statistic"], group["statistic"], rtol=1e-13)


def max_relative_errors(reference, panel) -> dict[str, float]:
    """Max relative error of each estudy2 statistic (used by the report; see test below)."""
    daily = sig.daily_tests(panel, convention="estudy2")
    car = sig.run_tests(panel, [(0, 4)], convention="estudy2")
    out = {}
    for frame, mapping in ((reference["parametric"], PARAMETRIC),
                           (reference["nonparametric"], NONPARAMETRIC)):
        for prefix, test in mapping.items():
            out[f"{prefix}_stat"] = _rel_err(_ours(daily, test, "statistic"),
                                             frame[f"{prefix}_stat"])
    out["mean"] = _rel_err(_ours(daily, "csect_t", "estimate"), reference["parametric"]["mean"])
    ref = reference["car"].set_index("name")
    for name, test in CAR.items():
        out[name] = _rel_err(car.loc[car["test"] == test, "statistic"],
                             [ref.loc[name, "statistic"]])
    return out


def test_report_max_relative_errors(reference, panel, capsys):
    errors = max_relative_errors(reference, panel)
    with capsys.disabled():
        print("\nestudy2 max relative error per statistic:")
        for name, err in errors.items():
            print(f"  {name:24s} {err:.2e}")
    assert max(errors.values()) < RTOL


def test_estudy2_convention_with_gaps_small_groups_and_an_empty_day(panel):
    """No warnings and sensible NaN where a group or a day has too few listings."""
    evt = panel.evt_ar.copy()
    evt[:, 2] = np.nan                        # nobody on day 2
    evt[0, 3] = np.nan                        # one listing missing on day 3
    gappy = AbnormalReturnPanel(**{**panel.__dict__, "evt_ar": evt,
                                   "evt_span": np.where(np.isnan(evt), np.nan, 1.0)})
    groups = ["solo"] + ["rest"] * (panel.n - 1)
    daily = sig.run_tests(gappy, [(t, t) for t in range(5)], convention="estudy2", groups=groups)
    empty = daily[daily["window"] == "[2,2]"]
    assert (empty["n"] == 0).all() and empty["statistic"].isna().all()
    assert (daily.loc[(daily["window"] == "[3,3]") & (daily["group"] == "all"), "n"] == 6).all()
    solo = daily[(daily["group"] == "solo") & (daily["test"] == "csect_t")]
    assert solo["statistic"].isna().all()     # one listing: no cross-sectional sd
    car = sig.run_tests(gappy, [(0, 4)], convention="estudy2")
    # day 2 (0%) and day 3 (6 of 7 = 85.7%) fall below estudy2's 90% rule: T = 3 days
    bw = sig.run_tests(gappy, [(0, 0), (1, 1), (4, 4)], convention="estudy2",
                       tests=["brown_warner_1985"])
    expected = bw["statistic"].sum() / np.sqrt(3)
    np.testing.assert_allclose(car.loc[car["test"] == "brown_warner_1985", "statistic"],
                               expected, rtol=1e-13)
