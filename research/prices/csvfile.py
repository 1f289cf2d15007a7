"""Read price files in the yfinance CSV layout: ``Date,Open,High,Low,Close,Adj Close,Volume``.

Everything is checked before anything is stored, and a bad file is rejected whole with a message
naming the file, the line and the problem. ``Adj Close`` and ``Volume`` may be empty (or absent);
a UTF-8 byte-order mark is accepted, other encodings are not. Dates may carry a time and offset
(``2019-10-08 00:00:00-04:00``, as ``DataFrame.to_csv`` writes yfinance frames): the date part is
the exchange-local trading date.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.prices.frame import COLUMNS, REQUIRED, validate

_TICKER = re.compile(r"^[\^A-Za-z0-9][A-Za-z0-9.\-=^]*$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass(frozen=True)
class PriceFile:
    """A validated price file: its ticker, prices, and what provenance needs."""

    ticker: str
    path: Path
    prices: pd.DataFrame
    sha256: str
    notes: tuple[str, ...] = ()


def ticker_from_path(path: Path) -> str:
    """The ticker a file holds, from its name: ``0941.HK.csv`` -> ``0941.HK``."""
    ticker = path.name[: -len(".csv")] if path.name.lower().endswith(".csv") else path.stem
    if not _TICKER.match(ticker):
        raise ResearchError(f"{path}: cannot take a ticker from the file name {path.name!r}; "
                            f"name the file <TICKER>.csv (e.g. 002415.SZ.csv) or pass --ticker")
    return ticker


def read_price_csv(path: Path | str, ticker: str | None = None) -> PriceFile:
    """Read and validate one CSV file; raise :class:`ResearchError` naming the line on any problem."""
    path = Path(path)
    ticker = ticker or ticker_from_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ResearchError(f"{path}: cannot read ({exc.strerror})") from None
    text, notes = _decode(raw, path)
    if not text.strip():
        raise ResearchError(f"{path}: the file is empty")
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    _check_header(header, path)
    body = rows[1:]
    if not body:
        raise ResearchError(f"{path}: the file has a header but no price rows")
    width = len(header)
    for n, row in enumerate(body, start=2):
        if len(row) != width:
            raise ResearchError(f"{path}, line {n}: {len(row)} fields, the header has {width}")
    table = pd.DataFrame(body, columns=header, dtype=object)
    prices = pd.DataFrame(index=range(len(body)))

    def locate(i: int) -> str:
        return f"line {i + 2}"

    dates = table["Date"].str.strip()
    parts = dates.str.extract(_DATE, expand=False)
    bad = parts.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ResearchError(f"{path}, {locate(i)}: Date {dates.iloc[i]!r} is not a date (expected YYYY-MM-DD)")
    parsed = pd.to_datetime(parts, format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        i = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise ResearchError(f"{path}, {locate(i)}: Date {dates.iloc[i]!r} is not a calendar date")
    for column in COLUMNS:
        if column not in table:
            prices[column] = np.nan
            continue
        cells = table[column].str.strip()
        numbers = pd.to_numeric(cells.where(cells != ""), errors="coerce")
        bad = (numbers.isna() & (cells != "")).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ResearchError(f"{path}, {locate(i)}: {column} {cells.iloc[i]!r} is not a number")
        prices[column] = numbers.astype("float64")
    prices.index = pd.DatetimeIndex(parsed)
    prices = validate(prices, str(path), locate)
    if prices["Adj Close"].isna().all():
        notes.append("Adj Close is empty: returns come from Close (not adjusted for dividends or splits)")
    elif prices["Adj Close"].isna().any():
        notes.append(f"Adj Close is empty on {int(prices['Adj Close'].isna().sum())} rows")
    return PriceFile(ticker, path, prices, hashlib.sha256(raw).hexdigest(), tuple(notes))


def _decode(raw: bytes, path: Path) -> tuple[str, list[str]]:
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ResearchError(f"{path}: the file is UTF-16 (it starts with a UTF-16 byte-order mark); "
                            f"save it as UTF-8 CSV")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        notes.append("a UTF-8 byte-order mark was removed")
    try:
        return raw.decode("utf-8"), notes
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ResearchError(f"{path}, line {line}: not UTF-8 text; save the file as UTF-8 CSV") from None


def _check_header(header: list[str], path: Path) -> None:
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if sep in header[0]:
                raise ResearchError(f"{path}, line 1: columns are separated by {name}, not commas; "
                                    f"expected the yfinance layout {','.join(['Date'] + COLUMNS)}")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ResearchError(f"{path}, line 1: missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)}; expected {','.join(['Date'] + COLUMNS)}")
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise ResearchError(f"{path}, line 1: duplicate column {', '.join(dup)}")
