"""The securities registry: complete for the shared prices, and strict about bad rows."""

from __future__ import annotations

import pytest

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
