"""The securities registry: complete for the shared prices, and strict about bad rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research import config
from research.errors import ResearchError
from research.securities import COLUMNS, load_registry


def test_every_shared_price_file_has_a_registry_row(shared_prices):
    registry = load_registry()
    files = {p.name[:-4] for p in shared_prices.glob("*.csv")}
    assert files <= set(registry), files - set(registry)


def test_rows_carry_what_the_issue_asks_for():
    registry = load_registry()
    hik = registry["002415.SZ"]
    assert (hik.exchange, hik.currency, hik.timezone, hik.benchmark, hik.name_zh) == (
        "XSHE", "CNY", "Asia/Shanghai", "000300.SS", "海康威视")
    assert registry["0941.HK"].benchmark == "^HSI" and registry["AMBA"].benchmark == "^IXIC"
    assert registry["603019.SS"].exchange == "XSHG" and registry["BABA"].exchange == "XNYS"
    assert all(s.benchmark == "" for s in registry.values() if s.kind == "index")


def write(tmp_path, *rows):
    path = tmp_path / "securities.csv"
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


GOOD = "^GSPC,S&P 500,,index,XNYS,,USD,America/New_York,"


@pytest.mark.parametrize("row, message", [
    ("AAA,A,,equity,XXXX,,USD,America/New_York,^GSPC", "line 3: unknown exchange 'XXXX' for AAA"),
    ("AAA,A,,equity,XNYS,,USD,Mars/Olympus,^GSPC", "line 3: AAA: unknown timezone 'Mars/Olympus'"),
    ("AAA,A,,stock,XNYS,,USD,America/New_York,^GSPC", "line 3: kind of AAA must be one of"),
    ("AAA,A,,equity,XNYS,,USD,America/New_York,^DJI", "benchmark '^DJI' of AAA is not itself in the registry"),
    (GOOD, "line 3: duplicate ticker '^GSPC'"),
])
def test_bad_rows_name_file_line_and_problem(tmp_path, row, message):
    path = write(tmp_path, GOOD, row)
    with pytest.raises(ResearchError) as info:
        load_registry(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_unknown_ticker_lookup_says_where_to_add_it():
    with pytest.raises(ResearchError, match="'ZZZZ' is not in the securities registry"):
        load_registry().get_security("ZZZZ")


# --- issue 11: rows that used to crash or pass ------------------------------------------------------

class TestRegistryRows:
    """Every bad row names the file, the line and the ticker; nothing reaches a traceback."""

    @pytest.mark.parametrize("row, message", [
        ("AAA,A,,equity,XNYS,,USD,America/New_York,^GSPC,extra",
         "line 3: AAA has 10 fields, the header 9"),
        ("AAA,A,,equity,XNYS,,USD,America/New_York", "line 3: AAA has 8 fields, the header 9"),
        ('AAA,"Name, Inc",,equity,XNYS,,USD,America/New_York,^GSPC,', "line 3: AAA has 10 fields"),
        ("AAA,A,,equity,XNYS,,USD,America/New_York,AAA",
         "line 3: the benchmark of AAA is AAA itself; name its market's index"),
        ('AAA,"A"B,,equity,XNYS,,USD,America/New_York,^GSPC', "line 3: not a readable CSV row"),
        ("AAA,A\x00B,,equity,XNYS,,USD,America/New_York,^GSPC", "line 3: the name of AAA holds a control character"),
        ('AAA,"A\nB",,equity,XNYS,,USD,America/New_York,^GSPC', "the name of AAA holds a control character ('A\\nB')"),
    ])
    def test_bad_rows(self, tmp_path, row, message):
        path = write(tmp_path, GOOD, row)
        with pytest.raises(ResearchError) as info:
            load_registry(path)
        assert str(info.value).startswith(f"{path}, ") and message in str(info.value)

    def test_a_quoted_comma_is_one_field(self, tmp_path):
        registry = load_registry(write(tmp_path, GOOD, 'AAA,"Name, Inc",,equity,XNYS,,USD,America/New_York,^GSPC'))
        assert registry["AAA"].name == "Name, Inc"

    def test_a_missing_benchmark_names_the_line_of_its_listing(self, tmp_path):
        path = write(tmp_path, GOOD, "AAA,A,,equity,XNYS,,USD,America/New_York,^GSPC",
                     "BBB,B,,equity,XNYS,,USD,America/New_York,^DJI")
        with pytest.raises(ResearchError, match=r"line 4: benchmark '\^DJI' of BBB is not itself in the registry"):
            load_registry(path)

    def test_a_registry_that_is_not_utf8_names_line_and_byte(self, tmp_path):
        path = write(tmp_path, GOOD)
        raw = path.read_bytes() + "AAA,Caf\u00e9,,equity,XNYS,,USD,America/New_York,^GSPC\n".encode("latin-1")
        path.write_bytes(raw)
        offset = raw.index(b"\xe9")
        with pytest.raises(ResearchError) as info:
            load_registry(path)
        assert str(info.value) == (f"{path}, line 3: byte {offset} (0xe9) is not UTF-8; "
                                   f"save the securities registry as UTF-8 text")

    def test_a_byte_order_mark_is_dropped(self, tmp_path):
        path = write(tmp_path, GOOD)
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        assert list(load_registry(path)) == ["^GSPC"]

    def test_an_edited_file_is_read_afresh(self, tmp_path):
        path = write(tmp_path, GOOD)
        assert list(load_registry(path)) == ["^GSPC"]
        write(tmp_path, GOOD, "AAA,A,,equity,XNYS,,USD,America/New_York,^GSPC")
        assert list(load_registry(path)) == ["^GSPC", "AAA"]

    def test_a_folder_in_place_of_the_registry(self, tmp_path):
        with pytest.raises(ResearchError, match="cannot read the securities registry"):
            load_registry(tmp_path)


# --- issue 11: the loader never raises anything but ResearchError -----------------------------------

REAL = config.SECURITIES_FILE.read_bytes()
TOKENS = [b"", b",", b'"', b'""', b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"Asia", b"Asia/",
          b"index", b"XNYS", b"^GSPC", b"002415.SZ", b"a" * 200_000]


@st.composite
def mutated_registry(draw) -> bytes:
    """The real registry with a few cuts, insertions and duplications of bytes and whole lines."""
    data = bytearray(REAL)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(data)))
        j = draw(st.integers(i, min(len(data), i + 200)))
        op = draw(st.sampled_from(["cut", "token", "bytes", "duplicate"]))
        if op == "cut":
            del data[i:j]
        elif op == "token":
            data[i:j] = draw(st.sampled_from(TOKENS))
        elif op == "bytes":
            data[i:j] = draw(st.binary(max_size=20))
        else:
            data[i:i] = data[i:j]
    return bytes(data)


class TestRegistryProperties:
    """Whatever the bytes, the registry loads or raises ResearchError naming the file (hypothesis)."""

    @staticmethod
    def _load(raw: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "securities.csv"
            path.write_bytes(raw)
            try:
                load_registry(path)
            except ResearchError as exc:
                assert str(path) in str(exc)

    @settings(max_examples=200, deadline=None, database=None)
    @given(raw=st.binary(max_size=2000))
    def test_arbitrary_bytes(self, raw):
        self._load(raw)

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(raw=mutated_registry())
    def test_mutations_of_the_real_registry(self, raw):
        self._load(raw)
