"""Read price files in the yfinance CSV layout: ``Date,Open,High,Low,Close,Adj Close,Volume``.

Everything is checked before anything is stored, and a bad file is rejected whole with a message
naming the file, the line and the problem. ``Adj Close`` and ``Volume`` may be empty (or absent);
a UTF-8 byte-order mark is accepted, other encodings are not. Lines may end in LF, CRLF or CR;
blank lines are skipped.

Dates are exchange-local trading dates, ``YYYY-MM-DD``. A date may carry a time and a UTC offset
(``2019-10-08 00:00:00-04:00``, as ``DataFrame.to_csv`` writes yfinance frames): it is converted
to the local date in the timezone the securities registry gives the ticker, so
``2009-01-01 16:00:00+00:00`` is 2009-01-02 in Hong Kong. A ticker the registry lacks, a time
without an offset (other than midnight), or offsets that put a row on a weekend or two rows on one
local date are refused: a date is never silently truncated.

The reader streams the rows in chunks, so its time and memory grow linearly with the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from array import array
from itertools import islice
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.prices.frame import COLUMNS, REQUIRED, check_ticker, price_faults, validate

_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIMED_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
                         r"(Z|[+-][0-9]{2}:?[0-9]{2})?")
_NUMERALS = re.compile(r"[0-9.eE+\-]*")
_BREAK = re.compile(r"\r\n|\r|\n")
_MIDNIGHT = re.compile(r"00:00(?::00(?:\.0+)?)?")
#: The days a pandas (nanosecond) timestamp can hold.
FIRST_DAY, LAST_DAY = date(1677, 9, 22), date(2262, 4, 11)
_CHUNK = 1 << 16  # rows converted at a time: bounds the memory held in Python strings


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
    try:
        return check_ticker(ticker)
    except ResearchError:
        raise ResearchError(f"{path}: cannot take a ticker from the file name {path.name!r}; "
                            f"name the file <TICKER>.csv (e.g. 002415.SZ.csv) or pass --ticker") from None


def read_price_csv(path: Path | str, ticker: str | None = None) -> PriceFile:
    """Read and validate one CSV file; raise :class:`ResearchError` naming the line on any problem."""
    path = Path(path)
    ticker = ticker_from_path(path) if ticker is None else check_ticker(ticker, f"{path}: --ticker")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ResearchError(f"{path}: cannot read ({exc.strerror})") from None
    sha256 = hashlib.sha256(raw).hexdigest()
    raw, notes = _decode(raw, path)
    if not raw.strip():
        raise ResearchError(f"{path}: the file is empty")
    table = _Table(path)
    table.read(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", newline=""))
    del raw
    if not table.lines:
        raise ResearchError(f"{path}: the file has a header but no price rows")
    days = table.local_days(ticker, notes)
    prices = pd.DataFrame(table.values, index=pd.DatetimeIndex(days.astype("datetime64[ns]")))
    prices = validate(prices, str(path), table.locate)
    if prices["Adj Close"].isna().all():
        notes.append("Adj Close is empty: returns come from Close (not adjusted for dividends or splits)")
    elif prices["Adj Close"].isna().any():
        notes.append(f"Adj Close is empty on {int(prices['Adj Close'].isna().sum())} rows")
    faulty = len({i for i, _ in price_faults(prices)})
    if faulty:
        notes.append(f"{faulty} row{'s' if faulty > 1 else ''} with prices that cannot be (e.g. High below Low), "
                     f"within the import's tolerance; `research prices {ticker}` lists them")
    return PriceFile(ticker, path, prices, sha256, tuple(notes))


class _Table:
    """The rows of one file, converted chunk by chunk to day numbers and float columns."""

    def __init__(self, path: Path):
        self.path = path
        self.lines = array("q")  # the file line of each row
        self._days: list[np.ndarray] = []
        self._values: dict[str, list[np.ndarray]] = {c: [] for c in COLUMNS}
        self.timed: list[tuple[int, str, str, str | None]] = []  # (row, cell, time, offset)

    def locate(self, i: int) -> str:
        return f"line {self.lines[i]}"

    def read(self, text: io.TextIOBase) -> None:
        """Read the rows of ``text``, opened with ``newline=""`` (LF, CRLF and CR end lines)."""
        reader = csv.reader(text)
        try:
            header = [h.strip() for h in next(reader)]
            _check_header(header, self.path)
            self._where = {c: header.index(c) for c in ["Date"] + COLUMNS if c in header}
            while True:
                first = reader.line_num + 1
                records = list(islice(reader, _CHUNK))
                if not records:
                    break
                self._chunk(records, first, reader.line_num, len(header))
        except csv.Error as exc:
            raise ResearchError(f"{self.path}, line {reader.line_num}: {exc}") from None

    def _chunk(self, records: list[list[str]], first: int, last: int, width: int) -> None:
        """Convert the records read from lines ``first..last``, skipping blank ones."""
        if last - first + 1 == len(records):  # one line per record: the usual case
            lines = range(first, last + 1)
        else:  # a quoted field spans lines: count the line breaks inside each record
            lines, line = [], first
            for record in records:
                lines.append(line)
                line += 1 + sum(len(_BREAK.findall(field)) for field in record)
        if {len(r) for r in records} != {width}:
            keep = [k for k, r in enumerate(records) if r]
            for k in keep:
                if len(records[k]) != width:
                    raise ResearchError(f"{self.path}, line {lines[k]}: {len(records[k])} fields, the header has {width}")
            records, lines = [records[k] for k in keep], [lines[k] for k in keep]
            if not records:
                return
        self.lines.extend(lines)
        self._convert(records)

    def _convert(self, chunk: list[list[str]]) -> None:
        start = len(self.lines) - len(chunk)
        columns = list(zip(*chunk))
        self._days.append(self._dates([d.strip() for d in columns[self._where["Date"]]], start))
        for name in COLUMNS:
            if name not in self._where:
                self._values[name].append(np.full(len(chunk), np.nan))
                continue
            self._values[name].append(self._numbers(columns[self._where[name]], name, start))

    def _numbers(self, cells: tuple[str, ...], name: str, start: int) -> np.ndarray:
        joined = "".join(cells)
        if not joined:
            return np.full(len(cells), np.nan)
        if _NUMERALS.fullmatch(joined):  # the common case: plain numbers, no blanks or spaces
            try:
                return np.array(cells, dtype="float64")
            except ValueError:
                pass
        stripped = pd.Series(cells, dtype=object).str.strip()
        numbers = pd.to_numeric(stripped.where(stripped != ""), errors="coerce")
        bad = (numbers.isna() & (stripped != "")).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ResearchError(f"{self.path}, {self.locate(start + i)}: {name} {_show(stripped.iloc[i])} is not a number")
        return numbers.to_numpy(dtype="float64")

    def _dates(self, cells: list[str], start: int) -> np.ndarray:
        """Day numbers (days since 1970-01-01) of ``cells``; a timed date gets its date part for now."""
        parts = []
        for i, cell in enumerate(cells):
            if _PLAIN_DATE.fullmatch(cell):
                parts.append(cell)
                continue
            match = _TIMED_DATE.fullmatch(cell)
            if not match:
                raise ResearchError(f"{self.path}, {self.locate(start + i)}: Date {_show(cell)} is not a date "
                                    f"(expected YYYY-MM-DD)")
            parts.append(match[1])
            self.timed.append((start + i, cell, match[2], match[3]))
        try:
            days = np.array(parts, dtype="datetime64[D]")
        except ValueError:
            for i, part in enumerate(parts):
                try:
                    np.datetime64(part, "D")
                except ValueError:
                    raise ResearchError(f"{self.path}, {self.locate(start + i)}: Date {_show(cells[i])} "
                                        f"is not a calendar date") from None
            raise
        outside = (days < np.datetime64(FIRST_DAY)) | (days > np.datetime64(LAST_DAY))
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise ResearchError(f"{self.path}, {self.locate(start + i)}: Date {_show(cells[i])} is outside the "
                                f"dates the kit can hold ({FIRST_DAY}..{LAST_DAY})")
        return days

    @property
    def values(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self._values.items()}

    def local_days(self, ticker: str, notes: list[str]) -> np.ndarray:
        """Every row's exchange-local trading date, the timed ones converted (see the module docstring)."""
        days = np.concatenate(self._days)
        if not self.timed:
            return days
        zone = None
        for row, cell, time, offset in self.timed:
            where = f"{self.path}, {self.locate(row)}: Date {cell!r}"
            if offset is None:
                if not _MIDNIGHT.fullmatch(time):
                    raise ResearchError(f"{where} has a time but no UTC offset, so its trading date is ambiguous; "
                                        f"write the date alone (YYYY-MM-DD, the exchange-local trading date), "
                                        f"or add the offset (e.g. {cell}+08:00)")
                continue
            zone = zone or _exchange_zone(ticker, where)
            try:
                local = datetime.fromisoformat(cell).astimezone(zone).date()
            except (ValueError, OverflowError):
                raise ResearchError(f"{where} is not a date and time") from None
            if local.weekday() >= 5 and local != datetime.fromisoformat(cell).date():
                raise ResearchError(f"{where} is {local} ({local:%A}) in {zone.key}, the exchange's timezone: "
                                    f"the offsets are not the exchange's; write the dates as YYYY-MM-DD "
                                    f"(the exchange-local trading date)")
            if not FIRST_DAY <= local <= LAST_DAY:
                raise ResearchError(f"{where} is outside the dates the kit can hold ({FIRST_DAY}..{LAST_DAY})")
            days[row] = np.datetime64(local, "D")
        if zone is not None:
            notes.append(f"dates with UTC offsets were converted to local dates in {zone.key}")
            order = np.argsort(days, kind="stable")
            same = np.flatnonzero(days[order][1:] == days[order][:-1])
            timed = {row for row, *_ in self.timed}
            for k in same:
                a, b = sorted((int(order[k]), int(order[k + 1])))
                if a in timed or b in timed:
                    raise ResearchError(f"{self.path}, lines {self.lines[a]} and {self.lines[b]}: their offsets put "
                                        f"both rows on {days[a]} in {zone.key}; a file holds one row per trading day")
        return days


def _exchange_zone(ticker: str, where: str) -> ZoneInfo:
    from research.securities import load_registry

    registry = load_registry()
    if ticker not in registry:
        raise ResearchError(f"{where} has a UTC offset, and {ticker} is not in the securities registry "
                            f"{registry.path}, so its exchange's local date is unknown; write the dates as "
                            f"YYYY-MM-DD (the exchange-local trading date), or add {ticker} to the registry")
    return registry[ticker].tz


def _show(cell: str) -> str:
    """A cell for a message: quoted, and cut if long."""
    return repr(cell if len(cell) <= 40 else cell[:40] + "...")


def _decode(raw: bytes, path: Path) -> tuple[bytes, list[str]]:
    """``raw`` checked to be UTF-8, without its byte-order mark, and notes on what was done."""
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ResearchError(f"{path}: the file is UTF-16 (it starts with a UTF-16 byte-order mark); "
                            f"save it as UTF-8 CSV")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        notes.append("a UTF-8 byte-order mark was removed")
    try:
        raw.decode("utf-8")  # checked whole here, so the streamed decoding cannot fail half-way
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ResearchError(f"{path}, line {line}: not UTF-8 text; save the file as UTF-8 CSV") from None
    return raw, notes


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
    dup = sorted(h[:40] for h, n in Counter(header).items() if n > 1)
    if dup:
        raise ResearchError(f"{path}, line 1: duplicate column {', '.join(dup)}")
