"""research.study.simulation: draws, the injected abnormal return, reproducibility, size and
power on the shared prices (small sample counts: the full 1,000 x 50 run is the notebook's and
the benchmark's)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research import cli
from research.errors import ResearchError
from research.study import event_study
from research.study.simulation import inject, simulate, wilson_interval

FEW = ["bmp", "patell", "bmp_kp", "patell_kp", "grank"]


def test_wilson_interval_matches_the_textbook_values():
    low, high = wilson_interval([5, 0, 100], [100, 50, 100])
    assert low[0] == pytest.approx(0.02154, abs=1e-5) and high[0] == pytest.approx(0.11175, abs=1e-5)
    assert low[1] == 0 and high[1] == pytest.approx(0.07135, abs=1e-5)
    assert high[2] == pytest.approx(1.0) and low[2] == pytest.approx(0.96301, abs=1e-5)
    assert np.isnan(wilson_interval([0], [0])[0][0])


@pytest.mark.parametrize("model", ["market", "market_adjusted", "scholes_williams"])
def test_injecting_k_in_the_panel_equals_studying_shifted_returns(real_store, model):
    from research.events.reaction import PriceBook

    book = PriceBook()
    tickers = ["002415.SZ", "0941.HK", "AMBA"]
    bench = {"002415.SZ": "000300.SS", "0941.HK": "^HSI", "AMBA": "^IXIC"}
    returns = pd.DataFrame({t: book.returns(t) for t in tickers})
    market = pd.DataFrame({t: book.returns(bench[t]) for t in tickers})
    day0 = {"002415.SZ": "2016-03-15", "0941.HK": "2015-06-10", "AMBA": "2017-02-08"}
    events = pd.DataFrame({"event_id": tickers, "ticker": tickers, "day0": pd.to_datetime(list(day0.values()))})
    k = 0.013
    shifted = returns.copy()
    for t, d in day0.items():
        shifted.loc[pd.Timestamp(d), t] += k        # each date is a trading day of its listing
    kw = {"model": model, "windows": [(0, 0), (-1, 1)], "event_window": (-10, 20)}
    base = event_study(returns, market, events, **kw).panel
    moved = event_study(shifted, market, events, **kw).panel
    np.testing.assert_allclose(inject(base, k).evt_ar, moved.evt_ar, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(base.evt_ar[:, base.evt_days != 0], moved.evt_ar[:, moved.evt_days != 0])
    np.testing.assert_allclose(base.car_variance(-1, 1), moved.car_variance(-1, 1))


def test_same_seed_same_table_and_draws_avoid_real_events(real_store):
    kw = {"sizes": (5,), "ks": (0.0, 0.01), "windows": [(0, 0)], "tests": FEW}
    a = simulate(40, seed=7, **kw)
    b = simulate(40, seed=7, **kw)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    c = simulate(40, seed=8, **kw)
    assert not a.draws["day0"].equals(c.draws["day0"])
    assert a.settings["excluded"] == 0                    # every draw has its full windows
    # one shared date per clustered sample, distinct listings; independent: no overlapping
    # windows of one ticker within a sample
    clustered = a.draws[a.draws["design"] == "clustered"]
    assert (clustered.groupby("sample")["day0"].nunique() == 1).all()
    assert (clustered.groupby("sample")["ticker"].nunique() == 5).all()
    assert clustered["ticker"].str.endswith((".SZ", ".SS")).all()
    # no pseudo day 0 within 31 trading days of an announcement of the five episodes on that listing
    from research.events.catalogue import EPISODES, load_catalogue
    from research.events.reaction import PriceBook

    cat = load_catalogue()
    announced = sorted({pd.Timestamp(e.announced.date) for e in cat.values() if e.episode in EPISODES})
    assert a.settings["catalogue_dates"] == len(announced) and a.settings["avoid"] == "episodes"
    book = PriceBook()
    for ticker, part in a.draws.groupby("ticker"):
        days = pd.DatetimeIndex(book.returns(ticker).dropna().index)
        pos = days.get_indexer(pd.DatetimeIndex(part["day0"]))
        assert (pos >= 250).all()
        for day in announced:
            assert (np.abs(pos - days.searchsorted(day)) > 31).all()


def test_avoiding_the_whole_catalogue_avoids_every_event(real_store):
    from research.events.catalogue import load_catalogue
    from research.events.reaction import PriceBook

    kw = {"sizes": (3,), "ks": (0.0,), "windows": [(0, 0)], "tests": FEW, "designs": ("independent",)}
    a = simulate(30, seed=3, avoid="catalogue", **kw)
    cat = load_catalogue()
    announced = sorted({pd.Timestamp(e.announced.date) for e in cat.values()})
    assert a.settings["catalogue_dates"] == len(announced)
    book = PriceBook()
    for ticker, part in a.draws.groupby("ticker"):
        days = pd.DatetimeIndex(book.returns(ticker).dropna().index)
        pos = days.get_indexer(pd.DatetimeIndex(part["day0"]))
        for day in announced:
            assert (np.abs(pos - days.searchsorted(day)) > 31).all()
    with pytest.raises(ResearchError, match="avoid must be"):
        simulate(5, avoid="everything", **kw)


def test_power_at_two_percent_with_fifty_listings(real_store):
    sim = simulate(100, sizes=(50,), designs=("independent",), ks=(0.0, 0.02), windows=[(0, 0), (-1, 1)], seed=3)
    t = sim.table
    assert set(t["test"]) == {"csect_t", "brown_warner_1980", "brown_warner_1985", "patell", "bmp",
                              "patell_kp", "bmp_kp", "corrado", "modified_rank", "grank", "grank_scar", "sign",
                              "gsign", "corrado_sign", "wilcoxon"}
    assert (t["samples"] == 100).all()
    day0 = t[(t["k"] == 0.02) & (t["window"] == "[0,0]")]
    assert (day0["rate"] >= 0.9).all(), day0[["test", "rate"]]
    size = t[(t["k"] == 0) & (t["window"] == "[0,0]")].set_index("test")["rate"]
    assert (size < 0.2).all(), size                     # no test rejects wildly when nothing happened
    assert ((t["ci_low"] <= t["rate"]) & (t["rate"] <= t["ci_high"])).all()


def test_shared_dates_inflate_bmp_on_the_mainland(real_store):
    """Kolari and Pynnönen (2010): a shared date on correlated listings over-rejects BMP."""
    sim = simulate(300, sizes=(7,), ks=(0.0,), windows=[(0, 0)], tests=["bmp", "bmp_kp", "patell"],
                   universe="mainland", seed=11)
    rate = sim.table.set_index(["design", "test"])["rate"]
    assert rate["clustered", "bmp"] > rate["independent", "bmp"] + 0.03
    assert rate["clustered", "bmp_kp"] < rate["clustered", "bmp"]


def test_sizes_beyond_the_clustered_universe_are_skipped_and_said(real_store):
    sim = simulate(10, sizes=(8,), designs=("independent", "clustered"), ks=(0.0,), windows=[(0, 0)],
                   tests=["bmp"], seed=1)
    assert sim.settings["skipped"] == [{"design": "clustered", "n": 8, "reason": "the universe has 7 listings"}]
    assert set(sim.table["design"]) == {"independent"}
    with pytest.raises(ResearchError, match="inside the event window"):
        simulate(10, windows=[(0, 30)])
    with pytest.raises(ResearchError, match="designs"):
        simulate(10, designs=("calendar",))


def test_simulate_command_prints_rates_with_intervals(real_store, tmp_path, capsys):
    out = tmp_path / "sim.csv"
    assert cli.main(["simulate", "--samples", "20", "--sizes", "5", "--k", "0,0.02", "--windows=0,0",
                     "--designs", "clustered", "--seed", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "clustered dates, 5 listings" in text and "k=2.0%" in text and "Wilson" in text
    table = pd.read_csv(out)
    assert len(table) == 2 * 15 and set(table["k"]) == {0.0, 0.02}


def test_summary_plot_and_the_report_layouts(real_store):
    """Simulation computes; summary() and plot() read its table; the paper layouts live in report."""
    from matplotlib.figure import Figure

    from research.report.tables import power_table, settings_table, size_table
    from research.report.figures import power_figure, size_figure

    sim = simulate(12, sizes=(4, 6), ks=(0.0, 0.02), windows=[(0, 0)], tests=FEW, seed=3)
    text = sim.summary()
    for (design, n), part in sim.table.groupby(["design", "n"]):
        assert f"{design} dates, {n} listings" in text
        rate = part[(part["test"] == "bmp") & (part["k"] == 0.02)]["rate"].item()
        assert f"{rate:6.1%}" in text
    fig = sim.plot("[0,0]")
    assert isinstance(fig, Figure) and len(fig.axes) == len(simulation_panels(sim))
    with pytest.raises(ResearchError, match="no window"):
        sim.plot("[0,9]")
    size = size_table(sim)
    assert size.rows[0].stub == "Patell Z (1976)"          # the registry's names, in its order
    assert power_table(sim, k=0.02).data["rate"].tolist() == sim.table[sim.table["k"] == 0.02]["rate"].tolist()
    assert any(row.cells == ["12"] for row in settings_table(sim).rows)
    assert size_figure(sim).axes and power_figure(sim).axes


def simulation_panels(sim):
    from research.study.simulation import size_columns

    return size_columns(sim)


def test_pseudo_day0s_fall_in_the_stated_period(real_store):
    """Brown and Warner draw from a stated period; the default is 2012-2021, None the whole history."""
    from research.study.simulation import DEFAULT_PERIOD

    kw = {"sizes": (4,), "ks": (0.0,), "windows": [(0, 0)], "tests": ["bmp"], "seed": 5}
    sim = simulate(60, **kw)
    assert sim.settings["period"] == list(DEFAULT_PERIOD) == ["2012-01-01", "2021-12-31"]
    assert sim.draws["day0"].between(*DEFAULT_PERIOD).all()
    assert "day 0 from 2012-01-01 to 2021-12-31" in sim.summary()
    narrow = simulate(60, period=("2016-03-01", "2016-03-31"), **kw)
    assert narrow.draws["day0"].between("2016-03-01", "2016-03-31").all()
    anywhere = simulate(200, period=None, **kw)
    assert anywhere.settings["period"] is None
    assert not anywhere.draws["day0"].between(*DEFAULT_PERIOD).all()      # the whole history reaches 2010 and 2023
    for bad in [("2021-12-31", "2012-01-01"), ("2012-01-01", "not a date"), ("2012",)]:
        with pytest.raises(ResearchError, match="period"):
            simulate(10, period=bad, **kw)


def test_simulate_command_draws_day0_from_the_period_it_is_given(real_store, capsys):
    args = ["simulate", "--samples", "5", "--sizes", "4", "--k", "0", "--windows=0,0", "--designs", "clustered",
            "--seed", "2"]
    assert cli.main([*args, "--period", "2016-01-01,2016-12-31"]) == 0
    assert "day 0 from 2016-01-01 to 2016-12-31" in capsys.readouterr().out
    assert cli.main([*args, "--period", "all"]) == 0
    assert "day 0 anywhere in the history" in capsys.readouterr().out
    assert cli.main([*args, "--period", "2016-12-31,2016-01-01"]) == 2
    assert "the first not after the last" in capsys.readouterr().err
    assert cli.main([*args, "--period", "2016"]) == 2
    assert "--period '2016': give the first and last date" in capsys.readouterr().err
