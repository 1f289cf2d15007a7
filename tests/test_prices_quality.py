"""Returns and data quality on the real shared prices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research.prices import simple_returns
from research.prices.quality import date_ranges, quality_report
from research.prices.returns import returns_with_warnings
from research.securities import load_registry


def test_hikvision_limit_down_on_2022_05_05(real_store):
    r = simple_returns(real_store.load("002415.SZ"))
    assert round(r["2022-05-05"], 4) == -0.1000
    assert round(r["2022-05-06"], 4) == -0.0900


def test_return_over_a_suspension_is_trade_to_trade(real_store):
    prices = real_store.load("002415.SZ")
    r = simple_returns(prices)
    assert "2019-10-08" not in r.index and "2019-10-09" not in r.index
    expected = prices.loc["2019-10-10", "Adj Close"] / prices.loc["2019-09-30", "Adj Close"] - 1
    assert r["2019-10-10"] == pytest.approx(expected, rel=1e-12)
    assert round(r["2019-10-10"], 4) == -0.0433


def test_adjusted_returns_remove_ex_dividend_drops(real_store):
    # PROVENANCE.md: Hikvision's 2022-05-26 ex-date, raw -1.296%, true +1.523%.
    r = simple_returns(real_store.load("002415.SZ"))
    assert r["2022-05-26"] == pytest.approx(0.01523, abs=2e-5)


def test_empty_adj_close_falls_back_to_close_with_a_warning(real_store):
    prices = real_store.load("000300.SS")
    r, warnings = returns_with_warnings(prices)
    np.testing.assert_allclose(r, prices["Close"].pct_change().iloc[1:], rtol=1e-12)
    assert warnings and "from Close" in warnings[0]


def test_partial_adj_close_uses_close_only_where_missing():
    dates = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"], name="Date")
    prices = pd.DataFrame({"Close": [10.0, 11.0, 12.0, 13.0], "Adj Close": [5.0, 6.0, np.nan, 7.0]}, index=dates)
    r, warnings = returns_with_warnings(prices)
    np.testing.assert_allclose(r, [0.2, 12 / 11 - 1, 13 / 12 - 1])
    assert "2 days" in warnings[0]


def test_suspension_shows_as_missing_sessions(real_store):
    registry = load_registry()
    for ticker in ("002415.SZ", "002236.SZ"):
        report = quality_report(ticker, real_store.load(ticker), registry[ticker])
        assert pd.Timestamp("2019-10-08") in report.missing_sessions
        assert pd.Timestamp("2019-10-09") in report.missing_sessions
    report = quality_report("002230.SZ", real_store.load("002230.SZ"), registry["002230.SZ"])
    assert pd.Timestamp("2019-10-08") not in report.missing_sessions


def test_limit_hits_and_moves_beyond_the_limit(real_store):
    registry = load_registry()
    report = quality_report("002415.SZ", real_store.load("002415.SZ"), registry["002415.SZ"])
    assert round(report.limit_hits[pd.Timestamp("2022-05-05")], 4) == -0.1
    assert report.beyond_limit.empty
    # PROVENANCE.md: Netposa's first day of delisting consolidation, no price limit: -37.78%.
    report = quality_report("300367.SZ", real_store.load("300367.SZ"), registry["300367.SZ"])
    assert round(report.beyond_limit[pd.Timestamp("2022-06-09")], 4) == -0.3778
    # US listings have no daily limit.
    assert quality_report("AMBA", real_store.load("AMBA"), registry["AMBA"]).limit_hits.empty


def test_chinext_limit_widens_on_2020_08_24():
    sec = load_registry()["300188.SZ"]
    assert sec.price_limit(pd.Timestamp("2020-08-21").date()) == 0.10
    assert sec.price_limit(pd.Timestamp("2020-08-24").date()) == 0.20
    assert load_registry()["002415.SZ"].price_limit(pd.Timestamp("2022-05-05").date()) == 0.10
    assert load_registry()["AMBA"].price_limit(pd.Timestamp("2022-05-05").date()) is None


def test_zero_volume_and_repeated_rows_are_flagged():
    dates = pd.DatetimeIndex(pd.bdate_range("2021-01-04", periods=4), name="Date", freq=None)
    prices = pd.DataFrame({"Open": [1, 2, 2, 3.0], "High": [1, 2, 2, 3.0], "Low": [1, 2, 2, 3.0],
                           "Close": [1, 2, 2, 3.0], "Adj Close": [1, 2, 2, 3.0], "Volume": [5, 5, 0, 5.0]}, index=dates)
    report = quality_report("X", prices, load_registry()["AMBA"])
    assert list(report.zero_volume_days) == [pd.Timestamp("2021-01-06")]
    assert list(report.repeated_prices) == [pd.Timestamp("2021-01-06")]


def test_date_ranges_compacts_consecutive_sessions():
    days = pd.DatetimeIndex(["2019-10-08", "2019-10-09", "2019-10-15"])
    assert date_ranges(days) == ["2019-10-08..2019-10-09", "2019-10-15"]


def test_price_level_is_adj_close_else_close():
    """The level rule (Adj Close, Close where there is none) that reaction spans and episode paths read."""
    import numpy as np
    import pandas as pd

    from research.prices.returns import price_level

    idx = pd.bdate_range("2021-01-04", periods=4)
    prices = pd.DataFrame({"Close": [10.0, 11.0, np.nan, 13.0], "Adj Close": [9.0, np.nan, np.nan, 12.5]}, index=idx)
    level = price_level(prices)
    assert list(level.index) == [idx[0], idx[1], idx[3]]
    assert list(level) == [9.0, 11.0, 12.5]
