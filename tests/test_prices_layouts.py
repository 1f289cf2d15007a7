"""Vendor layouts: the shared A-share files written as Tushare, akshare and baostock export them
must store the same returns as the yfinance layout, and the exchange's previous close must give
the true return on every ex-date PROVENANCE.md lists."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from research.cli import main
from research.errors import ResearchError
from research.prices import PriceStore, import_csv
from research.prices.csvfile import Reading, parse_columns, read_price_csv
from research.prices.returns import price_level, simple_returns
from research.prices.sources import merge

TICKERS = ["002415.SZ", "002236.SZ"]
#: Post-splice ex-dates, whose ex-rights previous close PROVENANCE.md gives in its table (extra/ has none there).
POST_SPLICE = {"002415.SZ": ("2022-05-26", "31.51"), "002236.SZ": ("2022-06-01", "15.90")}


@pytest.fixture(scope="module", params=TICKERS)
def series(request, shared_prices):
    """The shared file and its extra/ columns, as strings copied verbatim, on one frame."""
    ticker = request.param
    main_file = pd.read_csv(shared_prices / f"{ticker}.csv", dtype=str, keep_default_na=False)
    extra = pd.read_csv(shared_prices / "extra" / f"{ticker}.csv", dtype=str, keep_default_na=False)
    frame = main_file.merge(extra, on="Date", how="left").fillna("")
    day, pre = POST_SPLICE[ticker]
    assert (frame.loc[frame.Date == day, "PreClose"] == "").all()
    frame.loc[frame.Date == day, "PreClose"] = pre
    return ticker, frame


def expected_returns(frame: pd.DataFrame) -> pd.Series:
    """Independently of the kit: Close/PreClose - 1 where the row has PreClose, else close-to-close."""
    close = frame.Close.astype(float).to_numpy()
    pre = pd.to_numeric(frame.PreClose, errors="coerce").to_numpy()
    values = np.where(np.isnan(pre[1:]), close[1:] / close[:-1], close[1:] / pre[1:]) - 1
    return pd.Series(values, index=pd.DatetimeIndex(frame.Date[1:]))


def to_csv(path, table: dict[str, list], rows=None) -> None:
    frame = pd.DataFrame(table)
    if rows is not None:
        frame = frame.iloc[rows]
    path.write_text(frame.to_csv(index=False), encoding="utf-8")


def lots(volume: pd.Series) -> list[str]:
    return ["" if v == "" else repr(int(v) / 100) for v in volume]


def write_layouts(folder, ticker: str, f: pd.DataFrame) -> dict[str, str]:
    """Write ``f`` in each layout; returns layout -> file name."""
    folder.mkdir(exist_ok=True)
    code = ticker.split(".")[0]
    close, pre = f.Close.astype(float), pd.to_numeric(f.PreClose, errors="coerce")
    pct = [("" if np.isnan(p) else repr(100 * (c / p - 1))) for c, p in zip(close, pre)]
    newest_first = list(range(len(f)))[::-1]
    to_csv(folder / "yfinance.csv", {"Date": f.Date, "Open": f.Open, "High": f.High, "Low": f.Low, "Close": f.Close,
                                     "Adj Close": "", "Volume": f.Volume, "PreClose": f.PreClose})
    to_csv(folder / "tushare.csv", {
        "ts_code": ticker, "trade_date": f.Date.str.replace("-", ""), "open": f.Open, "high": f.High, "low": f.Low,
        "close": f.Close, "pre_close": f.PreClose, "change": (close - pre).map(repr).replace("nan", ""),
        "pct_chg": f.PctChg, "vol": lots(f.Volume), "amount": f.Amount}, rows=newest_first)
    shuffled = np.random.default_rng(13).permutation(len(f))
    akshare = {"日期": f.Date, "股票代码": code, "开盘": f.Open, "收盘": f.Close, "最高": f.High, "最低": f.Low,
               "成交量": lots(f.Volume), "成交额": f.Amount, "振幅": "", "涨跌幅": pct, "涨跌额": "", "换手率": f.Turnover}
    if ticker == "002236.SZ":  # akshare before 1.10 had no 股票代码 column
        del akshare["股票代码"]
    to_csv(folder / "akshare.csv", akshare, rows=shuffled)
    baostock = pd.DataFrame({
        "date": f.Date, "code": f"sz.{code}", "open": f.Open, "high": f.High, "low": f.Low, "close": f.Close,
        "preclose": f.PreClose, "volume": f.Volume, "amount": f.Amount, "adjustflag": "3", "turn": f.Turnover,
        "tradestatus": "1", "pctChg": f.PctChg, "isST": f.IsST})
    # a suspended day as baostock reports it: flat at the previous close, no volume, trade status 0
    last = baostock[baostock.date == "2019-09-30"].iloc[0]
    halt = last.copy()
    halt.update({"date": "2019-10-08", "open": last.close, "high": last.close, "low": last.close,
                 "preclose": last.close, "volume": "0", "amount": "0", "tradestatus": "0", "pctChg": "0.000000"})
    baostock = pd.concat([baostock, halt.to_frame().T]).sort_values("date")
    (folder / "baostock.csv").write_text(baostock.to_csv(index=False), encoding="utf-8")
    return {name: f"{name}.csv" for name in ("yfinance", "tushare", "akshare", "baostock")}


@pytest.fixture(scope="module")
def imported(series, tmp_path_factory):
    """Each layout's file imported into its own store: layout -> (stored frame, notes)."""
    ticker, frame = series
    folder = tmp_path_factory.mktemp("layouts")
    out = {}
    for name, file in write_layouts(folder / ticker, ticker, frame).items():
        store = PriceStore(folder / f"store-{name}")
        entry, = import_csv(folder / ticker / file, ticker=ticker, store=store)
        out[name] = store.load(ticker), entry["notes"]
    return ticker, frame, out


@pytest.mark.parametrize("layout", ["tushare", "akshare", "baostock"])
def test_each_layout_stores_the_returns_of_the_yfinance_layout(imported, layout):
    ticker, frame, out = imported
    reference, _ = out["yfinance"]
    stored, notes = out[layout]
    assert any(f"layout {layout} (detected from the header)" in n for n in notes)
    assert stored.index.equals(reference.index)
    for column in ("Open", "High", "Low", "Close"):
        assert np.array_equal(stored[column].to_numpy(), reference[column].to_numpy())
    np.testing.assert_allclose(stored.Volume, reference.Volume, rtol=1e-12)
    got, want = simple_returns(stored), simple_returns(reference)
    assert np.abs(got - want).max() < 1e-12
    assert np.abs(got - expected_returns(frame)).max() < 1e-12


def test_the_yfinance_layout_with_preclose_gives_the_true_returns(imported, shared_prices):
    ticker, frame, out = imported
    stored, _ = out["yfinance"]
    assert np.abs(simple_returns(stored) - expected_returns(frame)).max() < 1e-12
    # the shared file's Adj Close was built from the same previous closes, rounded to 6 decimals
    adjusted = simple_returns(read_price_csv(shared_prices / f"{ticker}.csv").prices)
    assert np.abs(simple_returns(stored) - adjusted).max() < 2e-6


def test_notes_say_what_each_layout_needed(imported):
    _, _, out = imported
    assert any("newest first: sorted by date" in n for n in out["tushare"][1])
    assert any("not in date order: sorted by date" in n for n in out["akshare"][1])
    assert any("lots of 100 shares" in n for n in out["akshare"][1])
    assert any("PreClose computed from the percentage change" in n for n in out["akshare"][1])
    assert any("1 suspended row (trade status 0) dropped" in n for n in out["baostock"][1])
    assert not any("layout" in n for n in out["yfinance"][1])  # the yfinance layout as written: no note


def provenance_ex_dates(shared_prices, ticker: str) -> dict[str, float]:
    """Ex-date -> true return in % as PROVENANCE.md lists them (pre-splice list and post-splice table)."""
    text = (shared_prices / "PROVENANCE.md").read_text(encoding="utf-8")
    line = re.search(rf"^\* {re.escape(ticker)} \(\d+\): (.*)$", text, re.M)[1]
    dates = {d: float(true) for d, true in re.findall(r"(\d{4}-\d{2}-\d{2}) [-+][\d.]+→([-+][\d.]+)", line)}
    row = re.search(rf"^\| {re.escape(ticker)} \| (\d{{4}}-\d{{2}}-\d{{2}}) \|(?:[^|]*\|){{3}} ([−+][\d.]+) %", text, re.M)
    dates[row[1]] = float(row[2].replace("−", "-"))
    return dates


def test_preclose_gives_the_true_return_on_every_listed_ex_date(imported, shared_prices):
    ticker, frame, out = imported
    stored, _ = out["tushare"]  # pre_close with raw closes
    ex_dates = provenance_ex_dates(shared_prices, ticker)
    assert len(ex_dates) == {"002415.SZ": 13, "002236.SZ": 14}[ticker]
    returns = simple_returns(stored)
    by_date = frame.set_index("Date")
    close = stored.Close
    for day, true_pct in ex_dates.items():
        t = pd.Timestamp(day)
        true = float(by_date.loc[day, "Close"]) / float(by_date.loc[day, "PreClose"]) - 1
        raw = close[t] / close[close.index < t].iloc[-1] - 1
        assert returns[t] == pytest.approx(true, abs=1e-12), day
        assert abs(returns[t] * 100 - true_pct) < 0.006, day  # as PROVENANCE.md rounds it
        assert abs(returns[t] - raw) > 1e-3, day  # the raw close-to-close is wrong there


def test_lower_case_yfinance_headers_store_the_same_frame(shared_prices, tmp_path):
    text = (shared_prices / "0941.HK.csv").read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    path = tmp_path / "0941.HK.csv"
    path.write_text("date,open,high,low,close,adj_close,volume\n" + body, encoding="utf-8")
    item = read_price_csv(path)
    pd.testing.assert_frame_equal(item.prices, read_price_csv(shared_prices / "0941.HK.csv").prices)
    assert "layout yfinance (detected from the header)" in item.notes


TUSHARE = ("ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,vol,amount\n"
           "000001.SZ,20180718,8.75,8.85,8.69,8.70,8.72,-0.02,-0.23,525152.77,460697.377\n"
           "000001.SZ,20180717,8.74,8.75,8.66,8.72,8.73,-0.01,-0.11,375356.33,326396.994\n")


def test_the_tushare_example_reads_with_its_previous_close(tmp_path):
    path = tmp_path / "000001.SZ.csv"
    path.write_text(TUSHARE, encoding="utf-8")
    prices = read_price_csv(path).prices
    assert [d.date().isoformat() for d in prices.index] == ["2018-07-17", "2018-07-18"]
    assert prices.PreClose.tolist() == [8.73, 8.72] and prices.Volume.iloc[1] == pytest.approx(52515277)
    assert simple_returns(prices).iloc[0] == pytest.approx(8.70 / 8.72 - 1, abs=1e-15)


def test_an_explicit_mapping_and_date_format_read_any_header(tmp_path):
    path = tmp_path / "X.csv"
    path.write_text("Datum,Erster,Hoch,Tief,Schluss\n02/01/2020,1,2,1,1.5\n03/01/2020,1.5,2,1,2\n", encoding="utf-8")
    reading = Reading(columns=parse_columns("date=Datum,open=Erster,high=Hoch,low=Tief,close=Schluss"),
                      date_format="%d/%m/%Y")
    item = read_price_csv(path, reading=reading)
    assert [d.date().isoformat() for d in item.prices.index] == ["2020-01-02", "2020-01-03"]
    assert any("columns mapped: date=Datum" in n for n in item.notes)


def test_a_mapping_over_a_layout_replaces_its_column(tmp_path):
    path = tmp_path / "000001.SZ.csv"
    path.write_text(TUSHARE.replace("close,pre_close", "close,prev"), encoding="utf-8")
    item = read_price_csv(path, reading=Reading("tushare", parse_columns("pre_close=prev")))
    assert item.prices.PreClose.tolist() == [8.73, 8.72]


def store_state(store: PriceStore):
    return store.manifest(), sorted(p.name for p in (store.root / "prices").glob("*"))


@pytest.mark.parametrize("name, text, options, message", [
    ("mapping names a missing column", "日期,开盘,收盘,最高,最低,成交量\n2020-01-02,1,1,1,1,1\n",
     ["--columns", "close=收盘价"], "--columns close=收盘价: the file has no column '收盘价'"),
    ("ambiguous date", "Date,Open,High,Low,Close\n01/02/2020,1,1,1,1\n", [],
     "Date '01/02/2020' is not a date in YYYY-MM-DD, and its order of day and month is ambiguous: "
     "name the format with --date-format"),
    ("two layouts match", "date,trade_date,open,high,low,close\n2020-01-02,20200102,1,1,1,1\n", [],
     "the header fits two layouts, yfinance and tushare; name one with --layout"),
    ("date against its format", "trade_date,open,high,low,close\n2020-01-02,1,1,1,1\n", ["--date-format", "%Y%m%d"],
     "line 2: Date '2020-01-02' does not match --date-format %Y%m%d"),
    ("unknown field", "Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n", ["--columns", "last=Close"],
     "'last' is not a field"),
    ("a format pandas cannot read", "Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n", ["--date-format", "%Q"],
     "--date-format %Q cannot read these dates"),
])
def test_bad_input_is_refused_and_the_store_is_unchanged(tmp_path, capsys, name, text, options, message):
    store = PriceStore()
    good = tmp_path / "AAA.csv"
    good.write_text("Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n", encoding="utf-8")
    assert main(["import", str(good)]) == 0
    before = store_state(store)
    bad = tmp_path / "bad" / "AAA.csv"
    bad.parent.mkdir()
    bad.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(bad), *options]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") <= 2 and "Traceback" not in err
    assert store_state(store) == before


def test_the_cli_says_which_layout_it_used(tmp_path, capsys):
    path = tmp_path / "000001.SZ.csv"
    path.write_text(TUSHARE, encoding="utf-8")
    assert main(["import", str(path), "--layout", "tushare"]) == 0
    out = capsys.readouterr().out
    assert "layout tushare (named)" in out and "rows were newest first: sorted by date" in out
    assert PriceStore().load("000001.SZ").PreClose.tolist() == [8.73, 8.72]


def test_a_series_with_preclose_merges_over_one_without(tmp_path):
    days = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06"], name="Date")
    old = pd.DataFrame({"Open": 1.0, "High": 1.0, "Low": 1.0, "Close": [1.0, 2.0, 2.0], "Adj Close": np.nan,
                        "Volume": 1.0}, index=days)
    new = old.iloc[1:].assign(PreClose=[1.0, 1.0])
    merged, changes = merge(old, new)
    assert list(merged.columns)[-1] == "PreClose" and np.isnan(merged.PreClose.iloc[0])
    assert changes == {"added": 0, "replaced": 2, "changed": 2, "kept": 1}


def test_returns_prefer_adj_close_then_preclose_then_close():
    days = pd.date_range("2020-01-01", periods=4, freq="D", name="Date")
    prices = pd.DataFrame({"Open": 1.0, "High": 1.0, "Low": 1.0, "Close": [10.0, 11.0, 6.0, 6.6],
                           "Adj Close": [np.nan, np.nan, np.nan, np.nan], "Volume": 1.0,
                           "PreClose": [np.nan, 10.0, 5.5, np.nan]}, index=days)
    # 2nd: 11/10 - 1; 3rd (ex-date, 1-for-1 bonus): 6/5.5 - 1, not 6/11 - 1; 4th: no PreClose, 6.6/6 - 1
    assert simple_returns(prices).tolist() == pytest.approx([0.1, 6 / 5.5 - 1, 0.1], abs=1e-15)
    adjusted = prices.assign(**{"Adj Close": [5.0, 5.5, 6.05, 6.655]})  # Adj Close, where present, wins
    assert simple_returns(adjusted).tolist() == pytest.approx([0.1, 0.1, 0.1], abs=1e-15)
    level = price_level(prices)
    assert level.iloc[-1] == 6.6 and (level.pct_change().iloc[1:] - simple_returns(prices)).abs().max() < 1e-15


def test_offsets_that_put_two_rows_on_one_local_date_are_refused_and_the_store_is_unchanged(tmp_path, capsys):
    path = tmp_path / "0941.HK.csv"
    path.write_text("Date,Open,High,Low,Close\n2009-01-01 16:00:00+00:00,1,1,1,1\n2009-01-02 00:00:00+08:00,1,1,1,1\n",
                    encoding="utf-8")
    assert main(["import", str(path)]) == 2
    assert "lines 2 and 3: their offsets put both rows on 2009-01-02 in Asia/Hong_Kong" in capsys.readouterr().err
    assert not PriceStore().root.joinpath("manifest.json").exists()
