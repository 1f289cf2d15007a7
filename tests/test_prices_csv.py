"""CSV import: the yfinance layout, every bad-file case with its message, and all-or-nothing folders."""

from __future__ import annotations

import pytest

from research.errors import ResearchError
from research.prices import PriceStore, import_csv
from research.prices.csvfile import read_price_csv

HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
GOOD = HEADER + "2020-01-02,10,11,9,10.5,10.4,1000\n2020-01-03,10.5,12,10,11,10.9,\n2020-01-06,11,11,10,10,,500\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_reads_the_yfinance_layout_with_empty_cells(tmp_path):
    item = read_price_csv(write(tmp_path, "AMBA.csv", GOOD))
    assert item.ticker == "AMBA"
    assert list(item.prices.columns) == ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert item.prices.index.name == "Date"
    assert item.prices.loc["2020-01-03", "Close"] == 11.0
    assert item.prices["Volume"].isna().sum() == 1 and item.prices["Adj Close"].isna().sum() == 1
    assert len(item.sha256) == 64


def test_dates_with_time_and_offset_keep_the_local_date(tmp_path):
    text = HEADER + "2019-10-07 00:00:00-04:00,10,11,9,10.5,10.4,1\n2019-10-08 00:00:00-04:00,10,11,9,10,10,1\n"
    item = read_price_csv(write(tmp_path, "AMBA.csv", text))
    assert [d.date().isoformat() for d in item.prices.index] == ["2019-10-07", "2019-10-08"]


@pytest.mark.parametrize("name, text, message", [
    ("missing column", "Date,Open,High,Low,Adj Close,Volume\n2020-01-02,1,1,1,1,1\n", "line 1: missing column Close"),
    ("duplicate date", HEADER + "2020-01-02,1,1,1,1,1,1\n2020-01-02,1,1,1,1,1,1\n", "line 3: duplicate date 2020-01-02"),
    ("duplicate after sorting", HEADER + "2020-01-03,1,1,1,1,1,1\n2020-01-02,1,1,1,1,1,1\n2020-01-03,1,1,1,1,1,1\n",
     "line 4: duplicate date 2020-01-03"),
    ("non-numeric", HEADER + "2020-01-02,1,1,1,1,1,1\n2020-01-03,1,1,1,abc,1,1\n", "line 3: Close 'abc' is not a number"),
    ("negative price", HEADER + "2020-01-02,1,1,1,-3,1,1\n", "line 2: Close -3 is not a positive price"),
    ("zero price", HEADER + "2020-01-02,0,1,1,1,1,1\n", "line 2: Open 0 is not a positive price"),
    ("negative volume", HEADER + "2020-01-02,1,1,1,1,1,-5\n", "line 2: Volume -5 is negative"),
    ("empty close", HEADER + "2020-01-02,1,1,1,,1,1\n", "line 2: Close is empty"),
    ("bad date", HEADER + "02/01/2020,1,1,1,1,1,1\n", "line 2: Date '02/01/2020' is not a date"),
    ("impossible date", HEADER + "2020-02-30,1,1,1,1,1,1\n", "line 2: Date '2020-02-30' is not a calendar date"),
    ("ragged row", HEADER + "2020-01-02,1,1,1,1\n", "line 2: 5 fields, the header has 7"),
    ("empty file", "", "the file is empty"),
    ("header only", HEADER, "header but no price rows"),
    ("wrong delimiter", "Date;Open;High;Low;Close;Adj Close;Volume\n2020-01-02;1;1;1;1;1;1\n", "separated by semicolons"),
    ("tab delimiter", "Date\tOpen\tHigh\tLow\tClose\tAdj Close\tVolume\n", "separated by tabs"),
    ("blank first line", "\n" + HEADER + "2020-01-02,1,1,1,1,1,1\n", "line 1: blank; the header"),
])
def test_bad_files_are_rejected_with_file_line_and_problem(tmp_path, name, text, message):
    path = write(tmp_path, "BAD.csv", text)
    with pytest.raises(ResearchError) as info:
        read_price_csv(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_utf16_byte_order_mark_is_rejected(tmp_path):
    path = write(tmp_path, "BAD.csv", b"\xff\xfe" + GOOD.encode("utf-16-le"))
    with pytest.raises(ResearchError, match="UTF-16 byte-order mark"):
        read_price_csv(path)


def test_utf8_byte_order_mark_is_accepted_and_noted(tmp_path):
    item = read_price_csv(write(tmp_path, "AMBA.csv", b"\xef\xbb\xbf" + GOOD.encode()))
    assert len(item.prices) == 3
    assert any("byte-order mark" in note for note in item.notes)


def test_a_folder_with_one_bad_file_imports_nothing(tmp_path):
    folder = tmp_path / "prices"
    folder.mkdir()
    write(folder, "AAA.csv", GOOD)
    write(folder, "BBB.csv", HEADER + "2020-01-02,1,1,1,x,1,1\n")
    store = PriceStore(tmp_path / "store")
    with pytest.raises(ResearchError) as info:
        import_csv(folder, store=store)
    assert "nothing was imported" in str(info.value) and "BBB.csv, line 2" in str(info.value)
    assert store.tickers() == []


def test_a_bad_file_leaves_the_stored_series_unchanged(tmp_path):
    store = PriceStore(tmp_path / "store")
    import_csv(write(tmp_path, "AAA.csv", GOOD), store=store)
    before = store.entry("AAA")
    bad = tmp_path / "bad"
    bad.mkdir()
    with pytest.raises(ResearchError):
        import_csv(write(bad, "AAA.csv", HEADER + "2020-01-02,1,1,1,1,1,1\n2020-01-02,1,1,1,1,1,1\n"), store=store)
    assert store.entry("AAA") == before
    assert len(store.load("AAA")) == 3


def test_every_shared_price_file_imports(shared_prices, tmp_path):
    store = PriceStore(tmp_path / "store")
    entries = import_csv(shared_prices, store=store)
    files = sorted(p.name[:-4] for p in shared_prices.glob("*.csv"))
    assert sorted(e["ticker"] for e in entries) == files
    hik = store.entry("002415.SZ")
    assert hik["source"] == "csv" and hik["source_path"].endswith("002415.SZ.csv")
    assert hik["first_date"] == "2010-05-28" and hik["rows"] == 3069
    assert "Adj Close is empty" in " ".join(store.entry("000300.SS")["notes"])
