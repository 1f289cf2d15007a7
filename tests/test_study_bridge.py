"""Catalogue events run on the store (`research run`), checked against a direct computation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from research import cli
from research.prices import get_prices, simple_returns
from research.study.bridge import study_events


def direct_market_model_ar(ticker, benchmark, day0, estimation=(-250, -11)):
    """OLS market model on the listing's own trading days, written out with statsmodels."""
    r = simple_returns(get_prices(ticker))
    m = simple_returns(get_prices(benchmark)).reindex(r.index)
    pos = r.index.get_indexer([pd.Timestamp(day0)])[0]
    est = slice(pos + estimation[0], pos + estimation[1] + 1)
    fit = sm.OLS(r.iloc[est].to_numpy(), sm.add_constant(m.iloc[est].to_numpy())).fit()
    alpha, beta = fit.params
    ar = r.iloc[pos:pos + 2].to_numpy() - alpha - beta * m.iloc[pos:pos + 2].to_numpy()
    return ar, fit


def test_hikvision_2022_against_statsmodels(mirror):
    results = study_events("hikvision-sdn-report-2022", windows=[(0, 0), (0, 1)])
    car = results.car.set_index(["ticker", "window"])
    ar, fit = direct_market_model_ar("002415.SZ", "000300.SS", "2022-05-05")
    assert car.loc[("002415.SZ", "[0,0]"), "car"] == pytest.approx(ar[0], rel=1e-9)
    assert car.loc[("002415.SZ", "[0,1]"), "car"] == pytest.approx(ar.sum(), rel=1e-9)
    # t-statistic of the day-0 AR with the prediction-error variance (MacKinlay 1997, eq. 8)
    x0 = np.array([1.0, simple_returns(get_prices("000300.SS"))["2022-05-05"]])
    var = fit.scale * (1 + x0 @ fit.normalized_cov_params @ x0)
    assert car.loc[("002415.SZ", "[0,0]"), "t_stat"] == pytest.approx(ar[0] / np.sqrt(var), rel=1e-9)
    assert set(results.confounders["confounder"]) == {"hfcaa-additions-2022"}


def test_listings_without_prices_are_excluded_with_the_reason(mirror):
    results = study_events("nyse-delisting-2020")
    excluded = results.excluded.set_index("ticker")
    assert {"CHA", "CHU"} <= set(excluded.index)
    assert "no prices for CHA" in excluded.loc["CHA", "reason"]
    assert {"CHL", "0941.HK"} <= set(results.car["ticker"])
    # the reversals of the following days are confounders, not merged into the event
    assert {"nyse-reversal-2021", "nyse-re-reversal-2021"} <= set(results.confounders["confounder"])


def test_research_run_prints_the_summary_and_writes_the_files(mirror, tmp_path, capsys):
    assert cli.main(["run", "hikvision-sdn-report-2022", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Event Study Results" in out and "hfcaa-additions-2022" in out and "002415.SZ" in out
    ar = pd.read_csv(tmp_path / "ar.csv")
    assert {"event_id", "ticker", "role", "relative_day", "date", "return", "expected_return",
            "abnormal_return"} <= set(ar.columns)
    car = pd.read_csv(tmp_path / "car.csv")
    assert {"event_id", "ticker", "role", "window", "car", "bhar", "t_stat", "p_value"} <= set(car.columns)
    assert set(car["window"]) == {"[0,0]", "[-1,1]", "[0,1]", "[0,5]", "[-5,5]", "[-10,20]"}
    tests = pd.read_csv(tmp_path / "tests.csv")
    assert {"bmp_kp", "patell_kp", "grank"} <= set(tests["test"])
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["provenance"]["data_hashes"]["002415.SZ"]
    assert pd.read_csv(tmp_path / "confounders.csv")["confounder"].tolist() == ["hfcaa-additions-2022"] * 2


@pytest.mark.parametrize("argv, message", [
    (["run", "no-such-event"], "no-such-event"),
    (["run", "hikvision-sdn-report-2022", "--estimation", "last year"], "--estimation 'last year'"),
    (["run", "hikvision-sdn-report-2022", "--windows", "0,1 soon"], "--windows 'soon'"),
])
def test_research_run_bad_input(mirror, capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("event_id", ["entity-list-2019", "ns-cmic-2021", "hikvision-sdn-report-2022"])
def test_the_alignment_clock_and_the_engine_clock_agree(mirror, event_id):
    """Two clocks count event time: the alignment's (events.alignment.EventClock, the listing's
    traded days) and the engine's (study.abnormal observations). Day 0 and every confounder's
    relative day must be the same on both."""
    results = study_events(event_id)
    by_listing = {(a.event_id, a.ticker): a for a in results.alignments}
    ar = results.ar.dropna(subset=["date"])
    for row in results.params.itertuples():
        assert pd.Timestamp(row.date0) == by_listing[(row.event_id, row.ticker)].first_traded_day
    checked = 0
    for c in results.confounders.itertuples():
        days = ar[(ar["event_id"] == c.event_id) & (ar["ticker"] == c.ticker)]
        on_or_after = days[days["date"] >= pd.Timestamp(c.date)]
        if len(on_or_after) and on_or_after["relative_day"].iloc[0] <= days["relative_day"].max():
            assert on_or_after["relative_day"].iloc[0] == c.relative_day, (c.ticker, c.confounder)
            checked += 1
    assert checked or results.confounders.empty


def test_alignments_made_once_are_used_as_given(mirror):
    """A caller that aligned the events passes the alignments in; the study is the same."""
    from research.events.alignment import align_event
    from research.events.catalogue import load_catalogue
    from research.events.reaction import PriceBook

    book = PriceBook()
    aligned = align_event(load_catalogue(), "hikvision-sdn-report-2022", window=(-10, 20), book=book)
    again = study_events("hikvision-sdn-report-2022", alignments=aligned, book=book, seed=1)
    fresh = study_events("hikvision-sdn-report-2022", seed=1)
    assert again.alignments == aligned
    pd.testing.assert_frame_equal(again.car, fresh.car)
    pd.testing.assert_frame_equal(again.tests, fresh.tests)
    pd.testing.assert_frame_equal(again.confounders, fresh.confounders)


def test_research_run_takes_the_catalogue_of_an_own_event(mirror, tmp_path, capsys):
    from own_event import OWN_EVENT, add_own_event

    catalogue = add_own_event(tmp_path / "cat")
    assert cli.main(["run", OWN_EVENT, "--out", str(tmp_path / "default")]) == 2     # not in data/events.yaml
    assert f"no event {OWN_EVENT!r}" in capsys.readouterr().err
    assert cli.main(["run", OWN_EVENT, "--catalogue", str(catalogue), "--out", str(tmp_path / "run")]) == 0
    car = pd.read_csv(tmp_path / "run" / "car.csv")
    assert set(car["ticker"]) == {"002230.SZ"} and set(car["event_id"]) == {OWN_EVENT}
