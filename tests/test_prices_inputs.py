"""Prices coming in survive what users and machines feed them (issue 11), grouped by cause:
tickers, prices that cannot be, timestamps, tracebacks turned into messages, re-imports that
merge, and property-based tests of the CSV reader."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.cli import main
from research.errors import ResearchError
from research.prices import PriceStore, fetch, get_prices, import_csv
from research.prices.csvfile import read_price_csv
from research.prices.frame import BAR_TOLERANCE, check_ticker, price_faults, today
from research.prices.quality import quality_report
from research.prices.sources import merge
from research.securities import load_registry

HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
GOOD = HEADER + "2020-01-02,10,11,9,10.5,10.4,1000\n2020-01-03,10.5,12,10,11,10.9,\n2020-01-06,11,11,10,10,,500\n"


def write(folder, name, text):
    path = folder / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def snapshot(store: PriceStore) -> dict[str, str]:
    """Every file of the store with its sha256: equal snapshots mean an unchanged store."""
    if not store.root.exists():
        return {}
    return {str(p.relative_to(store.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.root.rglob("*")) if p.is_file() and p.name != ".lock"}


def rows(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


# -- tickers ---------------------------------------------------------------------------------
class TestTicker:
    BAD = ["/../../../tmp/x/esc", "a/b", "..", "A B", "ÄPFEL", "-x", "", ".hidden", "AAA\n", "A" * 33, "a\\b", "X:Y"]

    @pytest.mark.parametrize("ticker", BAD)
    def test_bad_ticker_option_is_refused_and_nothing_is_written(self, tmp_path, ticker):
        store = PriceStore(tmp_path / "store")
        with pytest.raises(ResearchError, match="is not a ticker"):
            import_csv(write(tmp_path, "GOOD.csv", GOOD), ticker=ticker, store=store)
        assert snapshot(store) == {}
        assert not (tmp_path / "x").exists()

    def test_path_escape_from_the_command_line_exits_2_without_a_file(self, tmp_path, capsys):
        escape = tmp_path / "x" / "esc"
        code = main(["import", str(write(tmp_path, "GOOD.csv", GOOD)), "--ticker", f"/../../..{escape}"])
        err = capsys.readouterr().err
        assert code == 2 and "is not a ticker" in err and "Traceback" not in err and len(err.splitlines()) == 1
        assert not escape.parent.exists()

    @pytest.mark.parametrize("ticker", ["002415.SZ", "0941.HK", "^GSPC", "BRK-B", "EURUSD=X", "AMBA"])
    def test_real_tickers_pass(self, ticker):
        assert check_ticker(ticker) == ticker

    @settings(max_examples=200, deadline=None)
    @given(ticker=st.text(max_size=40))
    def test_an_accepted_ticker_is_one_safe_file_name(self, ticker):
        try:
            check_ticker(ticker)
        except ResearchError:
            return
        assert "/" not in ticker and "\\" not in ticker and not ticker.startswith((".", "-"))
        assert ticker.isascii() and ticker.isprintable() and " " not in ticker and len(ticker) <= 32

    @pytest.mark.parametrize("name", ["a b.csv", "-x.csv", "..csv", "ÄPFEL.csv"])
    def test_file_names_go_through_the_same_rule(self, tmp_path, name):
        with pytest.raises(ResearchError, match="cannot take a ticker from the file name"):
            read_price_csv(write(tmp_path, name, GOOD))

    def test_fetch_and_lookup_check_the_ticker_before_anything_else(self, tmp_path):
        store = PriceStore(tmp_path / "store")
        entries, errors = fetch(["../x"], store=store)
        assert entries == [] and "is not a ticker" in errors[0]
        with pytest.raises(ResearchError, match="is not a ticker"):
            get_prices("../../etc/passwd", store)
        assert snapshot(store) == {}

    @pytest.mark.parametrize("names", [("X.csv", "X.CSV"), ("X.csv", "x.csv")])
    def test_two_files_for_one_ticker_in_a_folder_are_refused_naming_both(self, tmp_path, names):
        folder = tmp_path / "in"
        folder.mkdir()
        for name in names:
            write(folder, name, GOOD)
        store = PriceStore(tmp_path / "store")
        with pytest.raises(ResearchError) as info:
            import_csv(folder, store=store)
        assert all(name in str(info.value) for name in names)
        assert snapshot(store) == {}


# -- prices that cannot be --------------------------------------------------------------------
class TestImpossiblePrices:
    @pytest.mark.parametrize("line, message", [
        ("2020-01-02,10,9,11,10,10,1", "line 2: High 9 is below Low 11"),
        ("2020-01-02,13,12,10,11,11,1", "line 2: Open 13 is above High 12"),
        ("2020-01-02,11,12,10,8,8,1", "line 2: Close 8 is below Low 10"),
        ("2020-01-02,1e308,1e308,1e308,1e308,1e308,1", "line 2: Open 1e+308 is not a plausible price"),
        ("2020-01-02,1,1,1,5e-324,1,1", "line 2: Close 4.94066e-324 is not a plausible price"),
        ("2020-01-02,1,1,1,1,1e-310,1", "line 2: Adj Close 1e-310 is not a plausible price"),
        ("2020-01-02,1,1,1,inf,1,1", "line 2: Close is infinite"),
        ("2020-01-02,1,1,1,1,1,inf", "line 2: Volume inf is not a plausible volume"),
        ("2099-01-02,1,1,1,1,1,1", "line 2: Date 2099-01-02 is in the future"),
    ])
    def test_refused_on_import_naming_file_line_and_field(self, tmp_path, line, message):
        path = write(tmp_path, "BAD.csv", rows(line))
        store = PriceStore(tmp_path / "store")
        with pytest.raises(ResearchError) as info:
            import_csv(path, store=store)
        assert f"BAD.csv, {message}" in str(info.value)
        assert snapshot(store) == {}

    def test_the_day_after_today_is_refused_and_today_is_not(self, tmp_path):
        last = today().date()
        ok = write(tmp_path, "OK.csv", rows(f"{last - timedelta(days=1)},1,1,1,1,1,1", f"{last},1,1,1,1,1,1"))
        assert len(read_price_csv(ok).prices) == 2
        bad = write(tmp_path, "BAD.csv", rows(f"{last + timedelta(days=1)},1,1,1,1,1,1"))
        with pytest.raises(ResearchError, match="line 2: Date .* is in the future"):
            read_price_csv(bad)

    def test_a_small_bar_fault_is_imported_with_a_note_and_listed_by_the_quality_report(self, tmp_path):
        # Yahoo's own HK bars have faults of a few percent (0941.HK 2009-04-23): kept, but never silent.
        path = write(tmp_path, "0941.HK.csv", rows("2020-01-02,10,9.9,10,10,10,5", "2020-01-03,10,11,9,10,10,5"))
        item = read_price_csv(path)
        assert any("1 row with prices that cannot be" in note for note in item.notes)
        report = quality_report("0941.HK", item.prices, load_registry()["0941.HK"])
        assert report.impossible == [(pd.Timestamp("2020-01-02"), "High 9.9 is below Low 10"),
                                     (pd.Timestamp("2020-01-02"), "Open 10 is above High 9.9"),
                                     (pd.Timestamp("2020-01-02"), "Close 10 is above High 9.9")]
        assert report.summary_row()["impossible"] == 1
        assert any("prices that cannot be" in w and "2020-01-02" in w for w in report.warnings)

    def test_the_quality_report_flags_a_series_stored_before_the_rules(self):
        # A frame as an older kit stored it, bypassing import: every rule is reported, by date.
        dates = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06", "2099-01-02"], name="Date")
        prices = pd.DataFrame({"Open": [10, 10, 10, 10.0], "High": [5, 11, 11, 11.0], "Low": [9, 9, 9, 9.0],
                               "Close": [10, 1e308, 10, 10.0], "Adj Close": np.nan, "Volume": [1, 1, 1, 1.0]},
                              index=dates)
        report = quality_report("AMBA", prices, load_registry()["AMBA"])
        days = sorted({d.date().isoformat() for d, _ in report.impossible})
        assert days == ["2020-01-02", "2020-01-03", "2099-01-02"]
        assert report.summary_row()["impossible"] == 3

    def test_price_faults_agree_with_a_row_by_row_check(self):
        rng = np.random.default_rng(11)
        n = 400
        frame = pd.DataFrame(rng.uniform(1, 2, size=(n, 4)), columns=["Open", "High", "Low", "Close"],
                             index=pd.bdate_range("2001-01-01", periods=n, name="Date"))
        frame["Adj Close"], frame["Volume"] = frame["Close"], 1.0
        expected = set()
        for i, (o, h, lo, c) in enumerate(frame[["Open", "High", "Low", "Close"]].itertuples(index=False)):
            if h * (1 + BAR_TOLERANCE) < lo or max(o, c) > h * (1 + BAR_TOLERANCE) or min(o, c) * (1 + BAR_TOLERANCE) < lo:
                expected.add(i)
        assert {i for i, _ in price_faults(frame, BAR_TOLERANCE)} == expected and expected

    def test_every_shared_file_is_within_tolerance_and_its_faults_are_listed(self, real_store):
        registry = load_registry()
        report = quality_report("0941.HK", real_store.load("0941.HK"), registry["0941.HK"])
        assert (pd.Timestamp("2009-04-23"), "High 28.9962 is below Low 29.4201") in report.impossible
        assert quality_report("002415.SZ", real_store.load("002415.SZ"), registry["002415.SZ"]).impossible == []


# -- timestamps -------------------------------------------------------------------------------
class TestTimestamps:
    def test_a_hong_kong_close_written_in_utc_is_the_next_local_day(self, tmp_path):
        path = write(tmp_path, "0941.HK.csv", rows("2009-01-01 16:00:00+00:00,10,11,9,10,10,1",
                                                    "2009-01-04T16:00:00Z,10,11,9,10,10,1"))
        item = read_price_csv(path)
        assert [d.date() for d in item.prices.index] == [date(2009, 1, 2), date(2009, 1, 5)]
        assert any("Asia/Hong_Kong" in note for note in item.notes)

    def test_offsets_across_a_dst_change_keep_new_york_dates(self, tmp_path):
        path = write(tmp_path, "AMBA.csv", rows("2019-03-08 00:00:00-05:00,10,11,9,10,10,1",
                                                 "2019-03-11 00:00:00-0400,10,11,9,10,10,1",
                                                 "2019-03-12 04:00:00+00:00,10,11,9,10,10,1"))
        assert [d.date().isoformat() for d in read_price_csv(path).prices.index] == ["2019-03-08", "2019-03-11",
                                                                                    "2019-03-12"]

    def test_midnight_without_offset_is_the_date(self, tmp_path):
        path = write(tmp_path, "NOTINREG.csv", rows("2020-01-02 00:00:00,10,11,9,10,10,1"))
        assert read_price_csv(path).prices.index[0] == pd.Timestamp("2020-01-02")

    def test_a_ticker_not_in_the_registry_with_offsets_is_refused_with_the_fix(self, tmp_path):
        path = write(tmp_path, "NOTINREG.csv", rows("2020-01-02 00:00:00+08:00,10,11,9,10,10,1"))
        store = PriceStore(tmp_path / "store")
        with pytest.raises(ResearchError) as info:
            import_csv(path, store=store)
        text = str(info.value)
        assert "NOTINREG.csv, line 2" in text and "not in the securities registry" in text and "YYYY-MM-DD" in text
        assert snapshot(store) == {}

    def test_a_time_without_offset_is_refused_not_truncated(self, tmp_path):
        path = write(tmp_path, "0941.HK.csv", rows("2020-01-02 16:00:00,10,11,9,10,10,1"))
        with pytest.raises(ResearchError, match="line 2: Date '2020-01-02 16:00:00' has a time but no UTC offset"):
            read_price_csv(path)

    def test_offsets_that_put_two_rows_on_one_local_date_are_refused_naming_both(self, tmp_path):
        path = write(tmp_path, "0941.HK.csv", rows("2008-12-31,10,11,9,10,10,1",
                                                    "2009-01-01 16:00:00+00:00,10,11,9,10,10,1",
                                                    "2009-01-02 01:00:00+00:00,10,11,9,10,10,1"))
        with pytest.raises(ResearchError, match=r"lines 3 and 4: .*both rows on 2009-01-02 in Asia/Hong_Kong"):
            read_price_csv(path)

    def test_offsets_that_put_a_row_on_a_weekend_are_refused(self, tmp_path):
        # Midnight UTC labels of a US date would otherwise move every row to the day before.
        path = write(tmp_path, "AMBA.csv", rows("2019-10-07 00:00:00+00:00,10,11,9,10,10,1"))
        with pytest.raises(ResearchError, match=r"line 2: .*2019-10-06 \(Sunday\) in America/New_York"):
            read_price_csv(path)


# -- tracebacks become one-line messages --------------------------------------------------------
class TestTracebacks:
    @pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
    def test_any_line_ending_is_read(self, tmp_path, ending):
        item = read_price_csv(write(tmp_path, "AMBA.csv", GOOD.replace("\n", ending)))
        assert len(item.prices) == 3 and item.prices["Close"].iloc[-1] == 10

    def test_blank_lines_are_skipped_and_line_numbers_stay_true(self, tmp_path):
        text = HEADER + "\n2020-01-02,1,1,1,1,1,\"1\n\"\n\n2020-01-03,1,1,1,x,1,1\n"
        with pytest.raises(ResearchError, match="line 6: Close 'x' is not a number"):
            read_price_csv(write(tmp_path, "AMBA.csv", text))

    @pytest.mark.parametrize("name, data, message", [
        ("huge field", HEADER + "2020-01-02,1,1,1,1,1," + "1" * 140_000 + "\n", "line 2: field larger than field limit"),
        ("before 1677", rows("1600-01-02,1,1,1,1,1,1"), "line 2: Date '1600-01-02' is outside the dates"),
        ("after 2262", rows("2300-01-02,1,1,1,1,1,1"), "line 2: Date '2300-01-02' is outside the dates"),
        ("year 0", rows("0000-01-02,1,1,1,1,1,1"), "line 2: Date '0000-01-02' is"),
        ("offset past 2262", rows("2262-04-11 23:00:00-05:00,1,1,1,1,1,1"), "line 2: Date '2262-04-11 23:00:00-05:00'"),
        ("not UTF-8", (HEADER + "2020-01-02,1,1,1,1,1,1\n").encode() + b"2020-01-03,\xff,1,1,1,1,1\n", "line 3: not UTF-8"),
        ("NUL bytes", (HEADER + "2020-01-02,1,1,1,\x00,1,1\n").encode(), "line 2: Close"),
        ("unterminated quote", HEADER + '2020-01-02,1,1,1,"1,1,1\n', "line"),
    ])
    def test_each_is_one_line_with_exit_code_2(self, tmp_path, capsys, name, data, message):
        path = write(tmp_path, "AMBA.csv", data)
        code = main(["import", str(path)])
        err = capsys.readouterr().err
        assert code == 2 and "Traceback" not in err
        assert "AMBA.csv" in err and message in err
        assert PriceStore().tickers() == []

    def test_a_long_cell_is_cut_in_the_message(self, tmp_path):
        path = write(tmp_path, "AMBA.csv", rows("2020-01-02,1,1,1," + "x" * 10_000 + ",1,1"))
        with pytest.raises(ResearchError) as info:
            read_price_csv(path)
        assert len(str(info.value)) < 300

    def test_a_folder_that_cannot_be_listed_is_a_message(self, tmp_path):
        with pytest.raises(ResearchError, match="no such file or folder"):
            import_csv(tmp_path / "absent")


# -- re-imports merge ----------------------------------------------------------------------------
class TestMerge:
    def test_a_shorter_reimport_keeps_the_history(self, shared_prices, tmp_path, capsys):
        full = shared_prices / "0941.HK.csv"
        short = write(tmp_path, "short.csv", "".join(full.read_text().splitlines(keepends=True)[:101]))
        assert main(["import", str(full)]) == 0
        before = PriceStore().load("0941.HK")
        capsys.readouterr()
        assert main(["import", str(short), "--ticker", "0941.HK"]) == 0
        out = capsys.readouterr().out
        assert "0 rows added, 100 replaced (0 with other values), 4049 kept from the stored series" in out
        store = PriceStore()
        pd.testing.assert_frame_equal(store.load("0941.HK"), before)
        entry = store.entry("0941.HK")
        assert entry["rows"] == 4149 and entry["source_path"] == str(short.resolve())
        assert entry["merged_from"][0]["source_path"] == str(full.resolve())
        assert entry["merged_from"][0]["rows_kept"] == 4049
        assert any("4049 rows kept" in note for note in entry["notes"])

    def test_the_newer_file_wins_on_dates_both_hold(self, tmp_path):
        store = PriceStore(tmp_path / "store")
        import_csv(write(tmp_path, "AAA.csv", GOOD), store=store)
        newer = tmp_path / "newer"
        newer.mkdir()
        [entry] = import_csv(write(newer, "AAA.csv", rows("2020-01-06,11,12,10,11.5,11.5,700",
                                                          "2020-01-07,11,12,10,12,12,800")), store=store)
        assert entry["changes"] == {"added": 1, "replaced": 1, "changed": 1, "kept": 2}
        prices = store.load("AAA")
        assert list(prices["Close"]) == [10.5, 11, 11.5, 12]
        assert any("1 of the 1 dates both hold had other values" in note for note in entry["notes"])

    def test_merging_twice_keeps_every_earlier_source(self, tmp_path):
        store = PriceStore(tmp_path / "store")
        for k, day in enumerate(["2020-01-02", "2020-01-03", "2020-01-06"]):
            folder = tmp_path / str(k)
            folder.mkdir()
            import_csv(write(folder, "AAA.csv", rows(f"{day},1,1,1,1,1,1")), store=store)
        entry = store.entry("AAA")
        assert entry["rows"] == 3
        assert [m["source_path"].split("/")[-2] for m in entry["merged_from"]] == ["1", "0"]

    def test_replace_replaces_and_says_so(self, tmp_path, capsys):
        assert main(["import", str(write(tmp_path, "AAA.csv", GOOD))]) == 0
        small = tmp_path / "small"
        small.mkdir()
        assert main(["import", str(write(small, "AAA.csv", rows("2021-01-04,1,1,1,1,1,1"))), "--replace"]) == 0
        assert "replaced all 3 stored rows (--replace)" in capsys.readouterr().out
        assert len(PriceStore().load("AAA")) == 1 and "merged_from" not in PriceStore().entry("AAA")

    def test_a_folder_whose_one_series_cannot_be_merged_stores_nothing(self, tmp_path):
        store = PriceStore(tmp_path / "store")
        folder = tmp_path / "in"
        folder.mkdir()
        write(folder, "AAA.csv", GOOD)
        write(folder, "BBB.csv", GOOD)
        import_csv(folder, store=store)
        (store.root / store.entry("BBB")["file"]).unlink()
        before = snapshot(store)
        write(folder, "AAA.csv", rows("2021-01-04,1,1,1,1,1,1"))
        with pytest.raises(ResearchError, match="BBB cannot be merged"):
            import_csv(folder, store=store)
        assert snapshot(store) == before

    def test_the_same_file_again_is_reported_unchanged(self, tmp_path, capsys):
        path = write(tmp_path, "AAA.csv", GOOD)
        assert main(["import", str(path)]) == 0 and main(["import", str(path)]) == 0
        assert "unchanged: the store held these rows" in capsys.readouterr().out
        assert "merged_from" not in PriceStore().entry("AAA")

    def test_an_unreadable_stored_series_asks_for_replace(self, tmp_path):
        store = PriceStore(tmp_path / "store")
        import_csv(write(tmp_path, "AAA.csv", GOOD), store=store)
        (store.root / store.entry("AAA")["file"]).unlink()
        with pytest.raises(ResearchError, match="--replace"):
            import_csv(write(tmp_path, "AAA.csv", GOOD), store=store)
        import_csv(write(tmp_path, "AAA.csv", GOOD), store=store, replace=True)
        assert len(store.load("AAA")) == 3

    def test_a_shorter_fetch_keeps_the_history_too(self, monkeypatch):
        import yfinance
        from test_prices_yahoo import FakeYahoo, yahoo_frame

        monkeypatch.setattr(yfinance, "Ticker", FakeYahoo({"AMBA": [yahoo_frame(6), yahoo_frame(2), yahoo_frame(2)]}))
        fetch(["AMBA"])
        [entry], _ = fetch(["AMBA"], start="2019-10-03")
        assert entry["changes"] == {"added": 0, "replaced": 2, "changed": 0, "kept": 4} and entry["rows"] == 6
        assert entry["merged_from"][0]["source"] == "yahoo"
        [entry], _ = fetch(["AMBA"], replace=True)
        assert entry["rows"] == 2 and entry["changes"]["dropped"] == 6

    def test_merge_counts_against_a_direct_count(self):
        days = pd.bdate_range("2020-01-01", periods=30, name="Date")
        old = pd.DataFrame({"Close": np.arange(20.0) + 1}, index=days[:20])
        new = pd.DataFrame({"Close": np.arange(15.0) + 1}, index=days[15:])
        merged, changes = merge(old, new)
        assert changes == {"added": 10, "replaced": 5, "changed": 5, "kept": 15}
        assert merged.index.equals(days) and merged["Close"].iloc[15] == 1.0


# -- property-based: the reader never raises anything but ResearchError ---------------------------------
VALID = (HEADER + "2020-01-02,10,11,9,10.5,10.4,1000\n2020-01-03 00:00:00-05:00,10.5,12,10,11,10.9,\n"
         "2020-01-06,11,11,10,10,,500\n").encode()
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read_or_refuse(path):
    try:
        item = read_price_csv(path)
    except ResearchError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return None
    prices = item.prices
    assert prices.index.is_monotonic_increasing and prices.index.is_unique and (prices["Close"] > 0).all()
    assert price_faults(prices, BAR_TOLERANCE) == []
    return item


@st.composite
def mutated(draw):
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "splice"]))
        at = draw(st.integers(0, len(data)))
        if kind == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from([b"\r", b"\n", b",", b'"', b"\x00", b"\xff", b"-", b"e308", b"+08:00",
                                                b" 16:00:00Z", b"9" * 30, b"nan", b"\xef\xbb\xbf", b"2099"]))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        else:
            data[at:at] = bytes(data[draw(st.integers(0, len(data))):][:draw(st.integers(0, 40))])
    return bytes(data)


class TestProperty:
    @FAST
    @given(data=st.binary(max_size=400))
    def test_arbitrary_bytes(self, tmp_path, data):
        _read_or_refuse(write(tmp_path, "AMBA.csv", data))

    @FAST
    @given(data=st.binary(max_size=200).map(lambda b: HEADER.encode() + b))
    def test_arbitrary_bytes_after_a_valid_header(self, tmp_path, data):
        _read_or_refuse(write(tmp_path, "AMBA.csv", data))

    @FAST
    @given(data=mutated())
    def test_mutations_of_a_valid_file(self, tmp_path, data):
        _read_or_refuse(write(tmp_path, "AMBA.csv", data))

    @FAST
    @given(data=mutated())
    def test_a_rejected_import_leaves_the_store_unchanged(self, tmp_path, data):
        store = PriceStore(tmp_path / "store")
        if not store.root.exists():
            import_csv(write(tmp_path, "AMBA.csv", VALID), store=store)
        before, manifest = snapshot(store), json.loads(store.manifest_path.read_text())
        folder = tmp_path / "in"
        folder.mkdir(exist_ok=True)
        try:
            import_csv(write(folder, "AMBA.csv", data), store=store)
        except ResearchError:
            assert snapshot(store) == before
            assert json.loads(store.manifest_path.read_text()) == manifest
        else:  # accepted: restore the baseline for the next example
            import_csv(write(tmp_path, "AMBA.csv", VALID), store=store, replace=True)
