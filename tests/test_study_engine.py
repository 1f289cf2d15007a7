"""The entry point: input checks, event time, exclusions, the results object and its files."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest
from synthetic import make_data

import research
from research.errors import ResearchError
from research.study import DEFAULT_WINDOWS, EventStudyResults, event_study
from research.study import engine as engine_module

HAS_SIGNIFICANCE = importlib.util.find_spec("research.study.significance") is not None
needs_significance = pytest.mark.skipif(not HAS_SIGNIFICANCE, reason="research.study.significance not written yet")


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def events(data):
    returns, _ = data
    return pd.DataFrame({
        "event_id": ["EL-2019", "EL-2019", "EL-2019", "TR-2020"],
        "ticker": ["A", "B", "C", "A"],
        "day0": [returns.index[300], returns.index[300], returns.index[300], returns.index[360]],
        "role": ["target", "target", "peer", "target"],
    })


@pytest.fixture(scope="module")
def result(data, events):
    returns, market = data
    return event_study(returns, market, events, data_hashes={"prices": "sha256:abc"})


# ------------------------------------------------------------------------------------------ API

def test_defaults_and_keys(result, events):
    assert isinstance(result, EventStudyResults)
    assert result.windows == list(DEFAULT_WINDOWS)
    p = result.panel
    assert list(p.evt_days) == list(range(-10, 21))
    assert list(p.est_days) == list(range(-250, -10))
    # a firm designated twice is two observations
    assert list(zip(p.keys.event_id, p.keys.ticker)) == list(zip(events.event_id, events.ticker))
    assert p.model == "market"
    assert (p.n_est == 240).all() and (p.dof == 238).all()


def test_ar_table(result):
    ar = result.ar
    for col in ("event_id", "ticker", "role", "relative_day", "date", "return", "expected_return",
                "abnormal_return"):
        assert col in ar.columns
    assert len(ar) == 4 * 31
    np.testing.assert_allclose(ar["return"] - ar["expected_return"], ar["abnormal_return"], rtol=1e-12, atol=1e-16)
    first = ar[(ar.event_id == "TR-2020") & (ar.relative_day == 0)]
    assert first["date"].item() == pd.Timestamp(pd.bdate_range("2019-01-01", periods=400)[360])


def test_car_and_caar_by_group(result):
    core = result._car_core()
    assert len(core) == 4 * len(DEFAULT_WINDOWS)
    assert list(core.window.unique()) == ["[0,0]", "[-1,1]", "[0,1]", "[0,5]", "[-5,5]", "[-10,20]"]
    by_event = result.caar(by="event_id")
    one = by_event[(by_event.group == "EL-2019") & (by_event.window == "[-1,1]")]
    expect = core[(core.event_id == "EL-2019") & (core.window == "[-1,1]")]["car"].mean()
    assert one["caar"].item() == pytest.approx(expect, rel=1e-12)
    assert one["n"].item() == 3
    by_role = result.caar(by="role")
    assert set(by_role.group) == {"target", "peer"}
    assert result.caar()["n"].tolist() == [4] * 6


def test_provenance(result):
    prov = result.provenance
    assert prov["version"] == research.__version__
    assert prov["data_hashes"] == {"prices": "sha256:abc"}
    assert prov["parameters"]["model"] == "market"
    assert prov["parameters"]["estimation"] == [-250, -11]
    assert prov["parameters"]["windows"][0] == [0, 0]
    json.dumps(prov)


def test_summary_text_html_latex(result):
    from statsmodels.iolib.summary import Summary

    smry = result.summary()
    assert isinstance(smry, Summary)
    text = str(smry)
    assert "Event Study Results" in text and "market" in text and "[-10,20]" in text
    assert str(result) == text
    assert "<table" in smry.as_html()
    assert "tabular" in smry.as_latex()


def test_plot_returns_a_figure_without_showing(result):
    from matplotlib.figure import Figure

    fig = result.plot()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    path = result.aar()
    assert len(path) == 31 and (path["aar_se"] > 0).all()
    np.testing.assert_allclose(path["caar"].iloc[-1], result._car_core().query("window == '[-10,20]'")["car"].mean(),
                               rtol=1e-12)


@needs_significance
def test_tables_with_tests_and_write(result, tmp_path):
    car = result.car
    for col in ("event_id", "ticker", "role", "window", "car", "bhar", "t_stat", "p_value"):
        assert col in car.columns
    tests = result.tests
    for col in ("group", "window", "test", "statistic", "p_value", "df", "n", "estimate"):
        assert col in tests.columns
    frame = result.to_frame()
    assert "car[-1,1]" in frame.columns and "p_value[-1,1]" in frame.columns
    assert len(frame) == len(result.ar)
    out = result.write(tmp_path / "run")
    for name in ("ar.csv", "car.csv", "tests.csv", "run.json"):
        assert (out / name).is_file()
    run = json.loads((out / "run.json").read_text())
    assert run["provenance"]["version"] == research.__version__
    back = pd.read_csv(out / "car.csv")
    np.testing.assert_allclose(back["car"], car["car"], rtol=1e-15)
    grouped = result.tests_by("role")
    assert {"all", "target", "peer"} <= set(grouped["group"].astype(str))


@needs_significance
def test_single_listing_car_agrees_with_the_engine(result):
    car = result.car
    core = result._car_core()
    np.testing.assert_allclose(car["car"], core["car"], rtol=1e-12)


# ------------------------------------------------------------------------------- event time

def test_events_as_a_mapping(data):
    returns, market = data
    res = event_study(returns, market, {"A": "2020-02-03", "B": returns.index[300]}, windows=[(0, 0)])
    assert list(res.keys.event_id) == ["2020-02-03", str(returns.index[300].date())]
    assert list(res.keys.role) == ["", ""]


def test_one_benchmark_per_listing(data, events):
    returns, market = data
    other = market * 0.7 + 0.001 * np.sin(np.arange(len(market)))
    bench = pd.DataFrame({"A": market, "B": other, "C": market})
    res = event_study(returns, bench, events)
    solo_b = event_study(returns, other, events[events.ticker == "B"])
    solo_a = event_study(returns, market, events[events.ticker != "B"])
    np.testing.assert_allclose(res.params.query("ticker == 'B'")["beta"], solo_b.params["beta"], rtol=1e-12)
    np.testing.assert_allclose(res.params.query("ticker != 'B'")["beta"], solo_a.params["beta"], rtol=1e-12)


def test_date_windows_map_to_relative_days(data):
    returns, market = data
    d = returns.index
    by_days = event_study(returns, market, {"A": d[300]}, estimation=(-200, -11), windows=[(0, 2), (-3, 3)])
    by_dates = event_study(returns, market, {"A": d[300]}, estimation=(d[100], d[289]),
                           windows=[(d[300], d[302]), (d[297], d[303])])
    assert by_dates.windows == [(0, 2), (-3, 3)]
    np.testing.assert_allclose(by_dates.params["beta"], by_days.params["beta"], rtol=1e-14)
    np.testing.assert_allclose(by_dates._car, by_days._car, rtol=1e-14)


def test_date_windows_that_differ_across_listings_are_refused(data):
    returns, market = data
    returns = returns.copy()
    returns.iloc[301, 1] = np.nan  # B does not trade on day 301
    d = returns.index
    with pytest.raises(ResearchError, match="give windows as relative trading days"):
        event_study(returns, market, {"A": d[300], "B": d[300]}, windows=[(d[300], d[303])])


def test_estudy2_and_textbook_clocks_agree_without_gaps(data, events):
    returns, market = data
    a = event_study(returns, market, events, return_kind="log")
    b = event_study(returns, market, events, return_kind="log", convention="estudy2")
    np.testing.assert_allclose(a.panel.evt_ar, b.panel.evt_ar, rtol=1e-13)
    np.testing.assert_allclose(a.params["beta"], b.params["beta"], rtol=1e-13)


def test_estudy2_clock_counts_benchmark_sessions(data):
    returns, market = data
    returns = returns.copy()
    returns.iloc[295:298, 0] = np.nan
    d = returns.index
    res = event_study(returns, market, {"A": d[300]}, convention="estudy2", windows=[(-5, 0)], return_kind="log")
    assert np.isnan(res.panel.evt_ar[0, :3]).all() and not np.isnan(res.panel.evt_ar[0, 3:]).any()
    assert np.nanmax(res.panel.evt_span) == 1
    text = event_study(returns, market, {"A": d[300]}, windows=[(-5, 0)], return_kind="log")
    assert text.panel.evt_span[0, -3] == 4  # day -2 covers four sessions (three missed)


def test_blocks_do_not_change_results(data, events, monkeypatch):
    returns, market = data
    whole = event_study(returns, market, events, model="dimson")
    monkeypatch.setattr(engine_module, "BLOCK_CELLS", 300)  # one listing-event per block
    split = event_study(returns, market, events, model="dimson")
    np.testing.assert_array_equal(whole.panel.evt_ar, split.panel.evt_ar)
    np.testing.assert_array_equal(whole.panel.xtx_inv, split.panel.xtx_inv)


def test_log_returns_compound_by_sums_and_bhar_uses_exp(data):
    returns, market = data
    res = event_study(returns, market, {"A": returns.index[300]}, model="market_adjusted", windows=[(0, 3)],
                      return_kind="log")
    r = returns["A"].iloc[300:304].sum()
    m = market.iloc[300:304].sum()
    assert res._car[0, 0] == pytest.approx(r - m, rel=1e-12)
    assert res._bhar[0, 0] == pytest.approx(np.exp(r) - np.exp(m), rel=1e-12)


# ------------------------------------------------------------------------------- exclusions

def test_short_estimation_is_excluded_with_a_reason(data, events):
    returns, market = data
    returns = returns.copy()
    returns.iloc[:200, 2] = np.nan  # C has ~90 returns before its event
    res = event_study(returns, market, events)
    assert len(res.excluded) == 1
    row = res.excluded.iloc[0]
    assert row["ticker"] == "C" and row["event_id"] == "EL-2019"
    assert "fewer than the minimum of 100" in row["reason"]
    assert "C" not in set(res.keys.ticker)
    assert "excluded" in str(res.summary())


def test_every_listing_excluded_raises_with_the_reasons(data):
    returns, market = data
    returns = returns.copy()
    returns.iloc[:250, :] = np.nan
    with pytest.raises(ResearchError, match="every listing-event was excluded") as err:
        event_study(returns, market, {"A": returns.index[300], "B": returns.index[300]})
    assert "'A'" in str(err.value) and "'B'" in str(err.value) and "valid returns" in str(err.value)


def test_event_after_the_last_return_is_excluded(data):
    returns, market = data
    returns = returns.copy()
    returns.iloc[350:, 1] = np.nan
    res = event_study(returns, market, pd.DataFrame({"event_id": ["E", "E"], "ticker": ["A", "B"],
                                                     "day0": [returns.index[360]] * 2}))
    assert res.excluded["reason"].iloc[0].startswith("no observation on or after day 0")


def test_event_window_cut_by_the_end_of_data_keeps_observed_days(data):
    returns, market = data
    returns = returns.copy()
    returns.iloc[303:, 0] = np.nan
    res = event_study(returns, market, {"A": returns.index[300]}, windows=[(0, 5)])
    car = res._car_core()
    assert car["n_days"].item() == 3
    assert car["car"].item() == pytest.approx(np.nansum(res.panel.evt_ar[0, :3]), rel=1e-12)


# ------------------------------------------------------------------------------- bad input

def test_unknown_model_names_the_known_ones(data):
    returns, market = data
    with pytest.raises(ResearchError, match="known models: constant_mean, market_adjusted, market"):
        event_study(returns, market, {"A": "2020-01-02"}, model="capm")


def test_unknown_ticker(data):
    returns, market = data
    with pytest.raises(ResearchError, match="'ZZ'"):
        event_study(returns, market, {"ZZ": "2020-01-02"})


def test_event_before_first_trade(data):
    returns, market = data
    returns = returns.copy()
    returns.iloc[:50, 1] = np.nan
    with pytest.raises(ResearchError, match=r"event '2019-01-15', 'B': day 0 2019-01-15 is before the listing's "
                                            r"first return on 2019-03-12"):
        event_study(returns, market, {"B": "2019-01-15"})


def test_benchmark_without_variance(data, events):
    returns, market = data
    market = market.copy()
    market.iloc[:300] = 0.001
    with pytest.raises(ResearchError, match="zero variance in the estimation window of:\n  event 'EL-2019', 'A'"):
        event_study(returns, market, events)
    # a model without a market slope does not need the benchmark to vary
    event_study(returns, market, events, model="constant_mean")


def test_windows_overlapping_the_estimation_window(data):
    returns, market = data
    with pytest.raises(ResearchError, match="overlaps the event window"):
        event_study(returns, market, {"A": returns.index[300]}, estimation=(-250, -5))
    d = returns.index
    with pytest.raises(ResearchError, match="overlaps the event window"):
        event_study(returns, market, {"A": d[300]}, estimation=(d[0], d[299]), windows=[(-2, 2)])


def test_window_outside_the_event_window(data):
    returns, market = data
    with pytest.raises(ResearchError, match=r"\[0,30\] are outside the event window \[-10,20\]"):
        event_study(returns, market, {"A": returns.index[300]}, windows=[(0, 30)], event_window=(-10, 20))


@pytest.mark.parametrize("kwargs,match", [
    ({"return_kind": "pct"}, "return_kind must be one of simple, log"),
    ({"convention": "eventus"}, "convention must be one of textbook, estudy2"),
    ({"min_estimation": 0}, "min_estimation must be a positive integer"),
    ({"min_estimation": 300}, "has 240 days, fewer than min_estimation=300"),
    ({"windows": [(2, 1)]}, "ends before it starts"),
    ({"windows": [(0, "2020-01-01")]}, "mixes relative days and dates"),
    ({"windows": (0, 1)}, "list of"),
])
def test_bad_parameters(data, kwargs, match):
    returns, market = data
    with pytest.raises(ResearchError, match=match):
        event_study(returns, market, {"A": returns.index[300]}, **kwargs)


def test_bad_frames(data):
    returns, market = data
    text = returns.astype(object).copy()
    text["B"] = text["B"].astype(str)
    with pytest.raises(ResearchError, match="'B' are not numeric"):
        event_study(text, market, {"B": returns.index[300]})
    worse = returns.copy()
    worse.iloc[100, 0] = -1.2
    with pytest.raises(ResearchError, match="returns of 'A' on 2019-05-21 is -1.2"):
        event_study(worse, market, {"A": returns.index[300]})
    with pytest.raises(ResearchError, match="events has no column"):
        event_study(returns, market, pd.DataFrame({"ticker": ["A"], "date": ["2020-01-01"]}))
    twice = pd.DataFrame({"event_id": ["E", "E"], "ticker": ["A", "A"], "day0": ["2020-01-01"] * 2})
    with pytest.raises(ResearchError, match="names ticker 'A' more than once"):
        event_study(returns, market, twice)
    with pytest.raises(ResearchError, match="market has no benchmark column for ticker"):
        event_study(returns, pd.DataFrame({"A": market}), {"B": returns.index[300]})
    with pytest.raises(ResearchError, match="cannot read 'soon' as a date"):
        event_study(returns, market, {"A": "soon"})


def test_date_estimation_window_without_days_of_a_listing_excludes_it(data):
    returns, market = data
    returns = returns.copy()
    d = returns.index
    returns.iloc[:300, 1] = np.nan          # B's first return is its day 0
    res = event_study(returns, market, {"A": d[300], "B": d[300]}, estimation=(d[10], d[289]), windows=[(0, 1)])
    assert list(res.keys.ticker) == ["A"]
    assert "0 valid returns" in res.excluded["reason"].iloc[0]


def test_every_event_after_the_data_is_reported_as_such(data):
    returns, market = data
    with pytest.raises(ResearchError, match="no observation on or after day 0 2021-01-04"):
        event_study(returns, market, {"A": "2021-01-04"}, windows=[("2021-01-04", "2021-01-05")])


@needs_significance
def test_pooled_tests_do_not_depend_on_the_order_of_listings(data, events):
    from research.study import significance

    returns, market = data
    names = [t for t in significance.TEXTBOOK_TESTS if t != "bootstrap"]   # resampling follows row order
    a = event_study(returns, market, events, tests=names).tests
    b = event_study(returns[["C", "A", "B"]], market, events.iloc[[3, 1, 0, 2]], tests=names).tests
    key = ["group", "window", "test"]
    a, b = a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(a, b, rtol=1e-10)


# ------------------------------------------------------------------------------------------ compare

def test_compare_puts_specifications_side_by_side(data, events, result):
    """Each column block is the specification's own caar() and csect_t row, windows aligned."""
    from research.study import compare

    returns, market = data
    adjusted = event_study(returns, market, events, model="market_adjusted", windows=[(0, 0), (0, 2)])
    table = compare({"market": result, "adjusted": adjusted})
    assert list(dict.fromkeys(table.columns.get_level_values(0))) == ["market", "adjusted"]
    assert list(table.index) == [f"[{a},{b}]" for a, b in DEFAULT_WINDOWS] + ["[0,2]"]
    for name, res in (("market", result), ("adjusted", adjusted)):
        caar = res.caar().set_index("window")
        tests = res.tests[res.tests["test"] == "csect_t"].set_index("window")
        for window in caar.index:
            assert table.loc[window, (name, "caar")] == caar.loc[window, "caar"]
            assert table.loc[window, (name, "n")] == caar.loc[window, "n"]
            assert table.loc[window, (name, "statistic")] == tests.loc[window, "statistic"]
    assert np.isnan(table.loc["[0,2]", ("market", "caar")])          # a window one spec lacks
    assert np.isnan(table.loc["[-10,20]", ("adjusted", "caar")])
    same = result.compare(adjusted=adjusted)
    assert list(dict.fromkeys(same.columns.get_level_values(0))) == ["this", "adjusted"]
    with pytest.raises(ResearchError, match="not EventStudyResults"):
        compare({"x": result.car})


def test_results_declare_catalogue_fields_and_expose_test_options(data, events):
    returns, market = data
    res = event_study(returns, market, events, tests=["csect_t", "sign"], n_boot=50, seed=3)
    assert res.alignments is None and res.confounders is None
    assert res.test_options == {"tests": ["csect_t", "sign"], "n_boot": 50, "seed": 3}
    res.test_options["seed"] = 4                       # a copy: the results keep their options
    assert res.test_options["seed"] == 3
    from research.study.significance import run_tests
    again = run_tests(res.panel, res.windows, convention=res.convention, **res.test_options)
    pd.testing.assert_frame_equal(again, res.tests)


class TestPanelCutToTheWindows:
    """The engine reads only the rows the events' windows reach (engine.CUT_WORTH): a study of the
    cut panel must equal the study of the whole one, to the last digit that matters."""

    @staticmethod
    def panel(seed=3):
        rng = np.random.default_rng(seed)
        n, days = 120, 900
        dates = pd.bdate_range("2015-01-01", periods=days)
        m = rng.normal(0.0003, 0.01, days)
        r = 0.0002 + np.outer(m, rng.uniform(0.5, 1.5, n)) + rng.normal(0, 0.02, (days, n))
        r[rng.random(r.shape) < 0.1] = np.nan        # trade-to-trade spans everywhere
        r[:250, :10] = np.nan                         # late listings: their estimation reaches further back
        r[575:, 13:18] = np.nan                       # stop inside the event window: noted
        r[300:340, 18:22] = np.nan                    # a long suspension inside the estimation window
        tickers = [f"S{i:03d}" for i in range(n)]
        returns = pd.DataFrame(r, index=dates, columns=tickers)
        day0 = dates[rng.integers(560, 600, n)]
        events = pd.DataFrame({"event_id": [f"E{i % 7}" for i in range(n)], "ticker": tickers, "day0": day0})
        return returns, pd.Series(m, index=dates), events

    @pytest.mark.parametrize("model", ["market", "scholes_williams", "dimson", "constant_mean"])
    def test_the_cut_panel_gives_the_whole_panels_results(self, model, monkeypatch):
        returns, market, events = self.panel()
        kw = dict(model=model, estimation=(-270, -21), event_window=(-20, 20), windows=DEFAULT_WINDOWS, seed=1)
        monkeypatch.setattr(engine_module, "CUT_WORTH", 1.0)        # always cut
        cut = event_study(returns, market, events, **kw)
        monkeypatch.setattr(engine_module, "CUT_WORTH", 0.0)        # never
        whole = event_study(returns, market, events, **kw)
        assert len(cut._dates) < 0.85 * len(whole._dates) == 765    # the cut happened (its end: the stops)
        assert cut.excluded.equals(whole.excluded) and cut.notes == whole.notes != []
        for frame in ("ar", "car", "params", "tests"):
            pd.testing.assert_frame_equal(getattr(cut, frame), getattr(whole, frame), rtol=1e-12, atol=1e-15)

    def test_a_series_too_short_for_the_cut_keeps_every_row(self, monkeypatch):
        returns, market, events = self.panel()
        returns.iloc[:500, 0] = np.nan        # S000's history is too short: excluded, and the cut reaches row 0
        monkeypatch.setattr(engine_module, "CUT_WORTH", 1.0)
        cut = event_study(returns, market, events, estimation=(-270, -21), windows=DEFAULT_WINDOWS, seed=1)
        monkeypatch.setattr(engine_module, "CUT_WORTH", 0.0)
        whole = event_study(returns, market, events, estimation=(-270, -21), windows=DEFAULT_WINDOWS, seed=1)
        pd.testing.assert_frame_equal(cut.car, whole.car, rtol=1e-12, atol=1e-15)
        assert len(cut._dates) == len(whole._dates)
        assert "S000" in set(cut.excluded["ticker"]) and cut.excluded.equals(whole.excluded)


@pytest.mark.parametrize("seed", range(5))
def test_padded_windows_see_their_own_listing_or_empty_cells(seed):
    """Observations.padded gives each listing only the empty cells its events' windows reach past
    its data (issue 16: a fixed pad around every listing doubled a cut wide panel's arrays). Every
    slice first..last around each event's day 0 holds that listing's observations where they
    exist and empty cells (-1, NaN, False) elsewhere, never a neighbour's."""
    from research.study.abnormal import build_observations

    rng = np.random.default_rng(seed)
    days, n = 80, 6
    r = rng.normal(0, 0.02, (days, n))
    r[rng.random(r.shape) < 0.3] = np.nan
    r[:, 2] = np.nan
    r[40, 2] = 0.01                                   # one observation only
    m = rng.normal(0, 0.01, (days, 1))
    obs = build_observations(r, m, np.zeros(n, np.int64), "simple", "textbook")
    nobs = obs.nobs
    sec = rng.choice(np.flatnonzero(nobs > 0), 12)
    pos0 = np.array([rng.integers(0, nobs[s]) for s in sec])
    first, last = int(rng.integers(-30, 1)), int(rng.integers(0, 15))
    rows, values = obs.row.copy(), obs.r.copy()
    padded = obs.padded(sec, pos0, first, last)
    assert len(padded.row) < len(rows) + (n + 1) * max(-first, last)     # less than a fixed pad
    for s, p in zip(sec, pos0):
        at = padded.offset[s] + p + np.arange(first, last + 1)
        assert at.min() >= 0 and at.max() < len(padded.row)
        own = p + np.arange(first, last + 1)
        inside = (own >= 0) & (own < nobs[s])
        k = obs.start[s] + own[inside]
        np.testing.assert_array_equal(padded.row[at[inside]], rows[k])
        np.testing.assert_array_equal(padded.r[at[inside]], values[k])
        assert (padded.row[at[~inside]] == -1).all() and np.isnan(padded.r[at[~inside]]).all()
        assert not padded.valid[at[~inside]].any()
