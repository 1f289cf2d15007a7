"""The baostock and akshare paths, each library faked at its boundary: a module put in
``sys.modules`` whose functions return what the library returns (baostock: result sets of strings,
paged with ``next()``/``get_row_data()``, with ``error_code``/``error_msg``; akshare: frames with
Chinese column names) or fail as it fails (baostock: ``error_code`` 10002007 网络接收错误; akshare:
``requests``' ConnectionError). No test touches the network."""

from __future__ import annotations

import datetime
import re
import sys
import types

import numpy as np
import pandas as pd
import pytest
import requests

from research import cli
from research.errors import ResearchError
from research.prices import PriceStore, fetch
from research.prices.cn import akshare_code, baostock_code

FIELDS = "date,code,open,high,low,close,preclose,volume,tradestatus,isST".split(",")
# Five sessions of Hikvision around an ex-dividend date (2019-05-24: 0.60 CNY; preclose is the
# ex-rights previous close), with 2019-05-27 suspended as baostock reports it: tradestatus 0,
# the last close repeated, no volume.
BAOSTOCK_ROWS = [
    ["2019-05-22", "sz.002415", "27.1000", "27.5000", "26.9000", "27.3000", "27.0000", "51000000", "1", "0"],
    ["2019-05-23", "sz.002415", "27.2000", "27.4000", "26.5000", "26.6000", "27.3000", "48000000", "1", "0"],
    ["2019-05-24", "sz.002415", "26.0000", "26.3000", "25.8000", "26.1000", "26.0000", "45000000", "1", "1"],
    ["2019-05-27", "sz.002415", "26.1000", "26.1000", "26.1000", "26.1000", "26.1000", "0", "0", "1"],
    ["2019-05-28", "sz.002415", "26.3000", "26.9000", "26.2000", "26.7000", "26.1000", "40000000", "1", "1"],
]


class ResultData:
    """baostock's result set: ``error_code``/``error_msg``, ``fields``, rows paged by ``next()``."""

    def __init__(self, rows=(), error_code="0", error_msg="success", fields=FIELDS):
        self.rows, self.error_code, self.error_msg, self.fields = list(rows), error_code, error_msg, list(fields)
        self.position = -1

    def next(self):
        self.position += 1
        return self.position < len(self.rows)

    def get_row_data(self):
        return self.rows[self.position]


@pytest.fixture
def baostock(monkeypatch):
    module = types.ModuleType("baostock")
    module.__version__ = "0.8.9"
    module.calls = []
    module.login_result = ResultData()
    module.rows = BAOSTOCK_ROWS
    module.login = lambda: module.calls.append("login") or module.login_result
    module.logout = lambda: module.calls.append("logout") or ResultData()

    def query(code, fields, start_date=None, end_date=None, frequency="d", adjustflag="3"):
        module.calls.append(("query", code, fields, start_date, end_date, frequency, adjustflag))
        return ResultData(module.rows, fields=fields.split(","))

    module.query_history_k_data_plus = query
    monkeypatch.setitem(sys.modules, "baostock", module)
    return module


def akshare_frame(adjust: str) -> pd.DataFrame:
    """What ``stock_zh_a_hist(period="daily")`` returns: dates as ``datetime.date``, Chinese headers;
    2019-05-27 is a row without volume (suspended)."""
    days = [datetime.date(2019, 5, d) for d in (22, 23, 24, 27, 28)]
    close = np.array([27.3, 26.6, 26.1, 26.1, 26.7])
    if adjust == "hfq":  # back-adjusted: from the ex-date on, prices scaled by the 26.6 / 26.0 factor
        close = np.array([273.0, 266.0, 266.0 * 26.1 / 26.0, 266.0 * 26.1 / 26.0, 266.0 * 26.7 / 26.0])
    return pd.DataFrame({"日期": days, "股票代码": "002415", "开盘": close - 0.1, "收盘": close, "最高": close + 0.2,
                         "最低": close - 0.3, "成交量": [510000, 480000, 450000, 0, 400000],
                         "成交额": 1e9, "振幅": 2.0, "涨跌幅": 0.5, "涨跌额": 0.1, "换手率": 0.6})


@pytest.fixture
def akshare(monkeypatch):
    module = types.ModuleType("akshare")
    module.__version__ = "1.17.0"
    module.calls = []
    module.failure = None

    def stock_zh_a_hist(symbol="000001", period="daily", start_date="19700101", end_date="20500101", adjust="",
                        timeout=None):
        module.calls.append((symbol, period, start_date, end_date, adjust))
        if module.failure:
            raise module.failure
        return akshare_frame(adjust)

    module.stock_zh_a_hist = stock_zh_a_hist
    monkeypatch.setitem(sys.modules, "akshare", module)
    return module


# -- tickers ---------------------------------------------------------------------------------------
def test_tickers_map_to_each_sources_codes():
    assert baostock_code("002415.SZ") == "sz.002415" and baostock_code("603019.SS") == "sh.603019"
    assert baostock_code("000300.SS") == "sh.000300"  # baostock serves indices
    assert akshare_code("002415.SZ") == "002415" and akshare_code("603019.SS") == "603019"


@pytest.mark.parametrize("ticker", ["0941.HK", "AMBA", "^GSPC", "000300.SS", "399006.SZ"])
def test_akshare_refuses_what_its_a_share_function_cannot_serve(ticker):
    with pytest.raises(ResearchError, match=re.escape(f"{ticker}: akshare")):
        akshare_code(ticker)


def test_baostock_refuses_listings_outside_the_mainland():
    with pytest.raises(ResearchError, match="0941.HK: baostock serves Shanghai and Shenzhen listings only"):
        baostock_code("0941.HK")


# -- baostock --------------------------------------------------------------------------------------
def test_baostock_fetch_stores_prices_preclose_and_provenance(baostock):
    entries, errors = fetch(["002415.SZ"], source="baostock", start="2019-05-22", end="2019-05-29")
    assert errors == [] and len(entries) == 1
    query = next(c for c in baostock.calls if c[0] == "query")
    assert query[1] == "sz.002415" and query[3:] == ("2019-05-22", "2019-05-28", "d", "3")
    assert {"preclose", "tradestatus", "isST"} <= set(query[2].split(","))
    assert baostock.calls[0] == "login" and baostock.calls[-1] == "logout"
    entry = PriceStore().entry("002415.SZ")
    assert entry["source"] == "baostock" and entry["library_version"] == "0.8.9"
    assert entry["source_code"] == "sz.002415" and "previous close" in entry["adjustment"]
    assert entry["st_dates"] == ["2019-05-24", "2019-05-28"]
    assert any("ST" in note and "5 %" in note for note in entry["notes"])
    prices = PriceStore().load("002415.SZ")
    assert prices["Close"].tolist() == [27.3, 26.6, 26.1, 26.7]
    assert prices["PreClose"].tolist() == [27.0, 27.3, 26.0, 26.1]
    assert prices["Volume"].iloc[0] == 51_000_000 and prices["Adj Close"].isna().all()
    # The total return on the ex-date comes from the ex-rights previous close, not the raw close.
    on_ex_date = prices.loc["2019-05-24"]
    assert on_ex_date["Close"] / on_ex_date["PreClose"] - 1 == pytest.approx(26.1 / 26.0 - 1, abs=1e-12)


def test_baostock_suspension_becomes_missing_sessions_not_zero_returns(baostock):
    from research.prices.quality import quality_report
    from research.securities import load_registry

    fetch(["002415.SZ"], source="baostock")
    prices = PriceStore().load("002415.SZ")
    assert pd.Timestamp("2019-05-27") not in prices.index
    report = quality_report("002415.SZ", prices, load_registry().get("002415.SZ"))
    assert list(report.missing_sessions) == [pd.Timestamp("2019-05-27")]
    assert any("1 suspended sessions" in note for note in PriceStore().entry("002415.SZ")["notes"])


def test_baostock_network_failure_names_ticker_and_source_exit_2_store_unchanged(baostock, monkeypatch, capsys):
    monkeypatch.delenv("RESEARCH_OFFLINE")
    fetch(["002415.SZ"], source="baostock")
    before = PriceStore().manifest_path.read_bytes()
    baostock.login_result = ResultData(error_code="10002007", error_msg="网络接收错误。")
    assert cli.main(["fetch", "--source", "baostock", "002415.SZ"]) == 2
    err = capsys.readouterr().err
    assert "002415.SZ: baostock cannot be reached" in err and "10002007" in err
    assert PriceStore().manifest_path.read_bytes() == before


def test_baostock_socket_error_is_reported_by_ticker(baostock):
    def refuse():
        raise ConnectionRefusedError(111, "Connection refused")

    baostock.login = refuse
    entries, errors = fetch(["002415.SZ"], source="baostock")
    assert entries == [] and errors[0].startswith("002415.SZ: baostock cannot be reached (ConnectionRefusedError")
    assert "002415.SZ" not in PriceStore()


def test_baostock_query_error_is_reported(baostock):
    baostock.query_history_k_data_plus = lambda *a, **k: ResultData(error_code="10004011", error_msg="参数错误")
    entries, errors = fetch(["002415.SZ"], source="baostock")
    assert errors == ["002415.SZ: baostock error for sz.002415: 参数错误 (code 10004011)"]
    assert baostock.calls[-1] == "logout"  # logged out even so


# -- akshare ---------------------------------------------------------------------------------------
def test_akshare_fetch_stores_prices_back_adjusted_close_and_provenance(akshare):
    entries, errors = fetch(["002415.SZ"], source="akshare", start="2019-05-22", end="2019-05-29")
    assert errors == [] and len(entries) == 1
    assert sorted(c[4] for c in akshare.calls) == ["", "hfq"]
    assert {c[:4] for c in akshare.calls} == {("002415", "daily", "20190522", "20190528")}
    entry = PriceStore().entry("002415.SZ")
    assert entry["source"] == "akshare" and entry["library_version"] == "1.17.0"
    assert "hfq" in entry["adjustment"]
    prices = PriceStore().load("002415.SZ")
    assert prices["Close"].tolist() == [27.3, 26.6, 26.1, 26.7]
    assert prices["Volume"].tolist() == [51_000_000, 48_000_000, 45_000_000, 40_000_000]
    from research.prices.returns import simple_returns

    # The back-adjusted close carries the dividend: the ex-date return is 26.1 / 26.0 - 1, not 26.1 / 26.6 - 1.
    assert simple_returns(prices).loc["2019-05-24"] == pytest.approx(26.1 / 26.0 - 1, abs=1e-12)


def test_akshare_zero_volume_rows_become_missing_sessions(akshare):
    fetch(["002415.SZ"], source="akshare")
    assert pd.Timestamp("2019-05-27") not in PriceStore().load("002415.SZ").index
    assert any("without volume" in note for note in PriceStore().entry("002415.SZ")["notes"])


def test_akshare_network_failure_names_ticker_and_source_exit_2_store_unchanged(akshare, monkeypatch, capsys):
    monkeypatch.delenv("RESEARCH_OFFLINE")
    fetch(["002415.SZ"], source="akshare")
    before = PriceStore().manifest_path.read_bytes()
    akshare.failure = requests.exceptions.ConnectionError("HTTPSConnectionPool(host='push2his.eastmoney.com')")
    assert cli.main(["fetch", "--source", "akshare", "002415.SZ"]) == 2
    err = capsys.readouterr().err
    assert "002415.SZ: akshare cannot be reached (ConnectionError" in err
    assert PriceStore().manifest_path.read_bytes() == before


# -- not installed ---------------------------------------------------------------------------------
@pytest.mark.parametrize("source", ["baostock", "akshare"])
def test_a_library_not_installed_names_the_extra(source, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, source, None)  # import then raises ImportError
    monkeypatch.delenv("RESEARCH_OFFLINE")
    entries, errors = fetch(["002415.SZ"], source=source)
    assert entries == [] and errors == [f'{source} is not installed; install the Chinese-market sources with '
                                        f'`pip install -e ".[cn]"` in the kit\'s folder']
    assert cli.main(["fetch", "--source", source, "002415.SZ"]) == 2
    assert 'pip install -e ".[cn]"' in capsys.readouterr().err


def test_a_baostock_fetch_merges_over_a_series_stored_without_preclose(baostock, tmp_path):
    from research.prices import import_csv

    path = tmp_path / "002415.SZ.csv"
    path.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n"
                    "2019-05-21,27.0,27.2,26.8,27.0,26.4,50000000\n"
                    "2019-05-22,27.1,27.5,26.9,27.3,26.7,51000000\n")
    import_csv(path)
    entries, errors = fetch(["002415.SZ"], source="baostock")
    assert errors == [] and entries[0]["changes"] == {"added": 3, "replaced": 1, "changed": 1, "kept": 1}
    prices = PriceStore().load("002415.SZ")
    assert list(prices.index.strftime("%Y-%m-%d")) == ["2019-05-21", "2019-05-22", "2019-05-23", "2019-05-24",
                                                       "2019-05-28"]
    assert np.isnan(prices["PreClose"].iloc[0]) and prices["PreClose"].iloc[1] == 27.0


def test_a_bad_date_is_named_before_the_source_is_asked(baostock):
    entries, errors = fetch(["002415.SZ"], source="baostock", end="2019-13-01")
    assert errors == ["--end '2019-13-01' is not a date; write YYYY-MM-DD"] and baostock.calls == []


def test_research_prices_shows_the_source_its_version_and_adjustment(baostock, capsys):
    fetch(["002415.SZ"], source="baostock")
    assert cli.main(["prices", "002415.SZ"]) == 0
    out = capsys.readouterr().out
    assert "source   baostock 0.8.9 sz.002415; adjustment: none: Close as traded" in out
    assert "missing sessions (1): 2019-05-27" in out
