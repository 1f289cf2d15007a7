"""Conformance of the entry point with the R package estudy2 (0.10.0) on its own data.

Everything goes through :func:`research.study.event_study` with ``convention="estudy2"`` and the
windows given as dates, as in ``sim_docs/config.json``: the market-model fit and abnormal
returns against ``model_parameters.csv`` / ``abnormal_returns.csv``, then every statistic of
``parametric.csv``, ``nonparametric.csv`` and ``car.csv`` that the kit also computes. The
``mean_adj`` and ``mrkt_adj`` models are checked against a direct numpy computation.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from research.errors import ResearchError
from research.study import event_study

RTOL = 1e-10

PARAMETRIC = {"bw_1980": "brown_warner_1980", "bw_1985": "brown_warner_1985", "t_test": "csect_t",
              "pt": "patell", "bh": "bmp", "lmb": "lamb"}
NONPARAMETRIC = {"sign": "sign", "gsign": "gsign", "csign": "corrado_sign", "rank": "corrado",
                 "mrank": "modified_rank", "wlcx": "wilcoxon"}
CAR = {"car_brown_warner_1985": "brown_warner_1985", "car_lamb": "lamb", "car_rank_test": "corrado"}


def _read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def ref(estudy2_reference):
    docs = estudy2_reference / "sim_docs"
    returns = pd.read_csv(estudy2_reference / "inputs" / "returns.csv", index_col="date", parse_dates=True)
    return {
        "config": json.loads((docs / "config.json").read_text()),
        "returns": returns,
        "ar": pd.read_csv(docs / "abnormal_returns.csv", index_col="date", parse_dates=True),
        "params": _read(docs / "model_parameters.csv").set_index("security"),
        "parametric": _read(docs / "parametric.csv"),
        "nonparametric": _read(docs / "nonparametric.csv"),
        "car": _read(docs / "car.csv"),
    }


def _run(ref, model="market", **kw):
    cfg = ref["config"]
    secs = cfg["securities"]
    events = pd.DataFrame({"event_id": "sim_docs", "ticker": secs, "day0": cfg["event_start"]})
    days = pd.bdate_range(cfg["event_start"], cfg["event_end"])
    windows = [(d, d) for d in days] + [(cfg["car_start"], cfg["car_end"])]
    kw.setdefault("estimation", (cfg["estimation_start"], cfg["estimation_end"]))
    return event_study(ref["returns"][secs], ref["returns"][cfg["regressor"]], events, model=model, windows=windows,
                       event_window=(cfg["event_start"], cfg["event_end"]), return_kind="log",
                       convention="estudy2", **kw)


@pytest.fixture(scope="module")
def result(ref):
    return _run(ref)


def test_windows_map_to_estudy2_days(result):
    assert result.windows == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (0, 4)]
    assert list(result.panel.est_days) == list(range(-240, 0))


def test_market_model_parameters(ref, result):
    p = result.params.set_index("ticker")
    want = ref["params"].loc[p.index]
    np.testing.assert_allclose(p["alpha"], want["alpha"], rtol=RTOL)
    np.testing.assert_allclose(p["beta"], want["beta"], rtol=RTOL)
    np.testing.assert_array_equal(p["n_est"], want["estimation_length"])
    # estudy2's s_i: the n - 1 sample sd of the estimation residuals
    sd = np.nanstd(result.panel.est_ar, axis=1, ddof=1)
    np.testing.assert_allclose(sd, want["estimation_ar_sd"], rtol=RTOL)


def test_abnormal_returns(ref, result):
    secs = list(result.keys.ticker)
    ar = ref["ar"]
    est = ar[ar.window == "estimation"][secs]
    mine = pd.DataFrame(result.panel.est_ar.T, index=est.index, columns=secs)
    assert (mine.isna() == est.isna()).all().all()
    np.testing.assert_allclose(mine.to_numpy(), est.to_numpy(), rtol=RTOL)
    evt = ar[ar.window == "event"][secs]
    got = result.ar.pivot(index="date", columns="ticker", values="abnormal_return")[secs]
    assert list(got.index) == list(evt.index)
    np.testing.assert_allclose(got.to_numpy(), evt.to_numpy(), rtol=RTOL)


@pytest.mark.parametrize("model", ["constant_mean", "market_adjusted"])
def test_mean_adj_and_mrkt_adj_against_numpy(ref, model):
    res = _run(ref, model=model)
    cfg = ref["config"]
    R = ref["returns"]
    secs = cfg["securities"]
    est = R.loc[cfg["estimation_start"]:cfg["estimation_end"], secs]
    evt = R.loc[cfg["event_start"]:cfg["event_end"], secs]
    m_est = R.loc[est.index, cfg["regressor"]].to_numpy()[:, None]
    m_evt = R.loc[evt.index, cfg["regressor"]].to_numpy()[:, None]
    if model == "constant_mean":
        mu = np.nanmean(est.to_numpy(), axis=0)   # estudy2 mean_adj: mean over non-NA days of E
        want_est, want_evt = est.to_numpy() - mu, evt.to_numpy() - mu
        np.testing.assert_allclose(res.params.set_index("ticker").loc[secs, "mu"], mu, rtol=RTOL)
    else:
        want_est, want_evt = est.to_numpy() - m_est, evt.to_numpy() - m_evt
    np.testing.assert_allclose(res.panel.est_ar.T, want_est, rtol=RTOL)
    np.testing.assert_allclose(res.panel.evt_ar.T, want_evt, rtol=RTOL)
    np.testing.assert_array_equal(res.panel.n_est, (~np.isnan(est.to_numpy())).sum(axis=0))


# ----------------------------------------------------------------- statistics through the entry point

def _daily(result):
    daily = result.tests
    return daily[(daily["group"].astype(str) == "all") & (daily["window"].str.split(",").str[0].str[1:]
                                                          == daily["window"].str.split(",").str[1].str[:-1])]


@pytest.mark.parametrize("table,names", [("parametric", PARAMETRIC), ("nonparametric", NONPARAMETRIC)])
def test_daily_statistics(ref, result, table, names):
    pytest.importorskip("research.study.significance")
    want = ref[table]
    got = _daily(result)
    assert len(want) == 5
    for day, row in enumerate(want.itertuples(index=False)):
        for prefix, test in names.items():
            mine = got[(got.window == f"[{day},{day}]") & (got.test == test)]
            assert len(mine) == 1, (day, test)
            stat = getattr(row, f"{prefix}_stat")
            assert mine["statistic"].item() == pytest.approx(stat, rel=RTOL), (day, test)
            flag = getattr(row, f"{prefix}_signif")
            assert (mine["signif"].item() or "") == ("" if pd.isna(flag) else flag), (day, test)
        if table == "parametric":
            mean = got[(got.window == f"[{day},{day}]") & (got.test == "csect_t")]["estimate"].item()
            assert mean == pytest.approx(row.mean, rel=RTOL)


def test_daily_tests_entry_matches_run_tests(result):
    pytest.importorskip("research.study.significance")
    daily = result.daily
    got = _daily(result)
    for test in ("patell", "corrado", "wilcoxon"):
        a = daily[daily.test == test].sort_values("day")["statistic"].to_numpy()
        b = got[got.test == test].sort_values("window")["statistic"].to_numpy()
        np.testing.assert_allclose(np.sort(a), np.sort(b), rtol=1e-14)


def test_car_statistics(ref, result):
    pytest.importorskip("research.study.significance")
    tests = result.tests
    car = tests[(tests.window == "[0,4]") & (tests["group"].astype(str) == "all")]
    for row in ref["car"].itertuples(index=False):
        mine = car[car.test == CAR[row.name]]
        assert len(mine) == 1
        assert mine["statistic"].item() == pytest.approx(row.statistic, rel=RTOL), row.name
        assert (mine["signif"].item() or "") == row.significance
        if not pd.isna(row.car_mean):
            assert mine["estimate"].item() / row.number_of_days == pytest.approx(row.car_mean, rel=RTOL)


def test_textbook_convention_on_the_same_data_gives_the_same_fit(ref, result):
    cfg = ref["config"]
    secs = cfg["securities"]
    text = event_study(ref["returns"][secs], ref["returns"][cfg["regressor"]],
                       {s: cfg["event_start"] for s in secs}, estimation=(cfg["estimation_start"], cfg["estimation_end"]),
                       windows=[(0, 4)], return_kind="log")
    np.testing.assert_allclose(text.params["beta"], result.params["beta"], rtol=RTOL)
    np.testing.assert_allclose(text.panel.evt_ar, result.panel.evt_ar, rtol=RTOL)


# ----------------------------------------------------------------- what estudy2 refuses

@pytest.mark.parametrize("model", ["constant_mean", "market_adjusted"])
def test_market_model_tests_are_refused_without_the_market_model(ref, model):
    res = _run(ref, model=model)
    # by default they are left out, as estudy2 would not compute them ...
    assert not {"patell", "bmp", "lamb"} & set(res.tests["test"])
    assert {"brown_warner_1980", "csect_t", "corrado"} <= set(res.tests["test"])
    # ... and asked for, they are refused with estudy2's reason
    for test in ("patell", "bmp", "lamb"):
        with pytest.raises(ResearchError, match="applicable only for the single-index market model"):
            res.tests_by(None, tests=[test])
    assert not {"patell", "bmp", "lamb"} & set(res.daily["test"])
    assert {"patell", "bmp", "lamb"} <= set(_run(ref).tests["test"])      # the market model keeps them


def test_estudy2_has_no_minimum_estimation_length(ref):
    """An 84-day estimation window: estudy2 fits every listing (the market model's OLS, checked
    with numpy); the textbook default of 100 excludes all, and the message names min_estimation."""
    cfg = ref["config"]
    secs = cfg["securities"]
    R = ref["returns"]
    est = R.loc[:cfg["estimation_end"]].iloc[-84:]
    res = _run(ref, estimation=(str(est.index[0].date()), cfg["estimation_end"]))
    assert res.provenance["parameters"]["min_estimation"] == 1 and res.excluded.empty
    p = res.params.set_index("ticker")
    for sec in secs:
        x, y = est[cfg["regressor"]].to_numpy(), est[sec].to_numpy()
        ok = ~np.isnan(y)
        beta, alpha = np.polyfit(x[ok], y[ok], 1)
        np.testing.assert_allclose([p.loc[sec, "alpha"], p.loc[sec, "beta"]], [alpha, beta], rtol=1e-9)
        assert p.loc[sec, "n_est"] == ok.sum() <= 84
    events = pd.DataFrame({"event_id": "sim_docs", "ticker": secs, "day0": cfg["event_start"]})
    with pytest.raises(ResearchError, match=r"every listing-event was excluded.*lower min_estimation") as err:
        event_study(R[secs], R[cfg["regressor"]], events, estimation=(str(est.index[0].date()), cfg["estimation_end"]),
                    windows=[(0, 0)], return_kind="log")
    assert "min_estimation=100" in str(err.value)
