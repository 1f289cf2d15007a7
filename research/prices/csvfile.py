"""Read price files: the yfinance CSV layout ``Date,Open,High,Low,Close,Adj Close,Volume``, and the
layouts of mainland vendors (:data:`LAYOUTS`).

A file's layout is detected from its header, or named (``layout=``, ``research import --layout``);
``columns=`` maps fields to other headers (``--columns date=trade_date,close=收盘``), over the
layout's own names. Headers are matched ignoring case, spaces and underscores (``adj_close`` is
``Adj Close``). A header that fits two layouts (neither holding the other's columns) is refused,
naming both. The layout used is noted unless it is the yfinance layout as written.

* ``yfinance``: ``Date,Open,High,Low,Close,Adj Close,Volume`` (and optionally ``PreClose``,
  ``PctChg``).
* ``tushare``: pro ``daily``: ``ts_code,trade_date,open,high,low,close,pre_close,change,pct_chg,
  vol,amount``, newest first, dates YYYYMMDD, ``vol`` in lots of 100 shares.
* ``akshare``: ``stock_zh_a_hist``: ``日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,
  涨跌额,换手率`` (``股票代码`` only in recent versions), ``成交量`` in lots of 100 shares.
* ``baostock``: ``query_history_k_data_plus`` daily fields ``date,code,open,high,low,close,
  preclose,volume,amount,adjustflag,turn,tradestatus,pctChg,isST``; rows with ``tradestatus`` 0
  (suspended, flat prices and no volume) are dropped, so a suspension is missing sessions.

The exchange's previous close (``pre_close``, ``preclose``) is kept as ``PreClose``; where a file
gives only the percentage change (``pct_chg``, ``涨跌幅``, ``pctChg``), ``PreClose = Close / (1 +
pct/100)``. Returns then come from it on ex-dates (:mod:`research.prices.returns`). Volumes in
lots are converted to shares. Rows in any order are sorted by date, with a note.

Everything is checked before anything is stored, and a bad file is rejected whole with a message
naming the file, the line and the problem. ``Adj Close`` and ``Volume`` may be empty (or absent);
a UTF-8 byte-order mark is accepted, other encodings are not. Lines may end in LF, CRLF or CR;
blank lines are skipped.

Dates are exchange-local trading dates, ``YYYY-MM-DD`` (``YYYYMMDD`` and ``YYYY/MM/DD`` are read too;
any other format is named with ``date_format=``, ``--date-format %d/%m/%Y``; ``01/02/2020``
without it is refused as ambiguous). A date may carry a time and a UTC offset
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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.prices.frame import COLUMNS, OPTIONAL, REQUIRED, check_ticker, price_faults, validate

_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COMPACT_DATE = re.compile(r"([0-9]{4})/?([0-9]{2})/?([0-9]{2})")  # YYYYMMDD, YYYY/MM/DD
_DAY_MONTH = re.compile(r"[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{4}")
_TIMED_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
                         r"(Z|[+-][0-9]{2}:?[0-9]{2})?")
_NUMERALS = re.compile(r"[0-9.eE+\-]*")
_BREAK = re.compile(r"\r\n|\r|\n")
_MIDNIGHT = re.compile(r"00:00(?::00(?:\.0+)?)?")
#: The days a pandas (nanosecond) timestamp can hold.
FIRST_DAY, LAST_DAY = date(1677, 9, 22), date(2262, 4, 11)
_CHUNK = 1 << 16  # rows converted at a time: bounds the memory held in Python strings


#: The fields a file may give: the frame's columns, its optional ones, and those read to derive them.
FIELDS = COLUMNS + OPTIONAL + ["PctChg", "TradeStatus"]
#: ``--columns`` keys: each field, as the command line writes it.
FIELD_KEYS = {"date": "Date", "open": "Open", "high": "High", "low": "Low", "close": "Close",
              "adj_close": "Adj Close", "volume": "Volume", "pre_close": "PreClose", "pct_chg": "PctChg"}


def _fold(header: str) -> str:
    """A header as layouts are matched: no case, spaces or underscores (``adj_close`` is ``Adj Close``)."""
    return re.sub(r"[\s_]+", "", header).lower()


@dataclass(frozen=True)
class Layout:
    """A vendor's CSV layout: the header of each field, the headers that identify it, its volume unit."""

    name: str
    fields: dict[str, str]
    signature: frozenset[str] = field(default=frozenset())
    volume_unit: int = 1  # shares per unit of the Volume column
    source: str = ""  # where the column list was confirmed

    def __post_init__(self):
        if not self.signature:  # the required fields identify the layout
            object.__setattr__(self, "signature", frozenset(_fold(self.fields[f]) for f in REQUIRED))


LAYOUTS = {layout.name: layout for layout in [
    Layout("yfinance", {"Date": "Date", "Open": "Open", "High": "High", "Low": "Low", "Close": "Close",
                        "Adj Close": "Adj Close", "Volume": "Volume", "PreClose": "PreClose", "PctChg": "PctChg"}),
    Layout("tushare", {"Date": "trade_date", "Open": "open", "High": "high", "Low": "low", "Close": "close",
                       "PreClose": "pre_close", "PctChg": "pct_chg", "Volume": "vol"}, volume_unit=100,
           source="https://tushare.pro/wctapi/documents/27.md"),
    Layout("akshare", {"Date": "日期", "Open": "开盘", "Close": "收盘", "High": "最高", "Low": "最低",
                       "Volume": "成交量", "PctChg": "涨跌幅"}, volume_unit=100,
           source="the columns stock_zh_a_hist returns, as printed in github.com/poolwsh/ak_data_collector "
                  "(dags/dg_ak/store_daily/s-zh-a/s-zh-a_readme.md); recent versions add 股票代码"),
    Layout("baostock", {"Date": "date", "Open": "open", "High": "high", "Low": "low", "Close": "close",
                        "PreClose": "preclose", "Volume": "volume", "PctChg": "pctChg", "TradeStatus": "tradestatus"},
           signature=frozenset({"date", "code", "open", "high", "low", "close"}),
           source="http://baostock.com/baostock/index.php/A%E8%82%A1K%E7%BA%BF%E6%95%B0%E6%8D%AE"),
]}


def parse_columns(text: str | None) -> dict[str, str]:
    """``date=trade_date,close=收盘`` as ``{"Date": "trade_date", "Close": "收盘"}``."""
    mapping: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, header = item.partition("=")
        key = key.strip().lower().replace(" ", "_")
        if not sep or not header.strip():
            raise ResearchError(f"--columns {item.strip()!r}: write FIELD=HEADER, e.g. close=收盘")
        if key not in FIELD_KEYS:
            raise ResearchError(f"--columns {item.strip()!r}: {key!r} is not a field; the fields are "
                                f"{', '.join(FIELD_KEYS)}")
        mapping[FIELD_KEYS[key]] = header.strip()
    return mapping


@dataclass(frozen=True)
class Reading:
    """How to read a file: a layout's name (None: detect it), headers mapped over it, a date format."""

    layout: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None

    def __post_init__(self):
        if self.layout is not None and self.layout not in LAYOUTS:
            raise ResearchError(f"--layout {self.layout!r}: not a layout; the layouts are {', '.join(LAYOUTS)}")
        if self.date_format is not None and "%" not in self.date_format:
            raise ResearchError(f"--date-format {self.date_format!r}: write it as strptime does, e.g. %Y%m%d "
                                f"or %d/%m/%Y")


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


def read_price_csv(path: Path | str, ticker: str | None = None, reading: Reading | None = None) -> PriceFile:
    """Read and validate one CSV file; raise :class:`ResearchError` naming the line on any problem."""
    path = Path(path)
    reading = reading or Reading()
    ticker = ticker_from_path(path) if ticker is None else check_ticker(ticker, f"{path}: --ticker")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ResearchError(f"{path}: cannot read ({exc.strerror})") from None
    sha256 = hashlib.sha256(raw).hexdigest()
    raw, notes = _decode(raw, path)
    if not raw.strip():
        raise ResearchError(f"{path}: the file is empty")
    table = _Table(path, reading)
    table.read(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", newline=""))
    del raw
    if not table.lines:
        raise ResearchError(f"{path}: the file has a header but no price rows")
    notes += table.notes
    days = table.local_days(ticker, notes)
    values = table.values
    if table.unit != 1 and "Volume" in table.where:
        values["Volume"] = values["Volume"] * table.unit
        notes.append(f"Volume was in lots of {table.unit} shares ({table.layout} layout): converted to shares")
    keep = _traded(values, notes)
    _derive_preclose(values, notes)
    lines = np.asarray(table.lines)[keep]
    days, values = days[keep], {k: v[keep] for k, v in values.items()}
    if len(days) > 1 and (np.diff(days.astype("int64")) < 0).any():
        order = np.argsort(days, kind="stable")
        newest_first = bool((np.diff(days.astype("int64")) <= 0).all())
        days, lines, values = days[order], lines[order], {k: v[order] for k, v in values.items()}
        notes.append("rows were newest first: sorted by date" if newest_first
                     else "rows were not in date order: sorted by date")
    columns = {k: values[k] for k in COLUMNS}
    if not np.isnan(values["PreClose"]).all():
        columns["PreClose"] = values["PreClose"]
    prices = pd.DataFrame(columns, index=pd.DatetimeIndex(days.astype("datetime64[ns]")))
    prices = validate(prices, str(path), lambda i: f"line {lines[i]}")
    if "PreClose" in prices and prices["Adj Close"].isna().all():
        without = int(prices["PreClose"].iloc[1:].isna().sum())
        notes.append("Adj Close is empty: returns come from the exchange's previous close (Close/PreClose - 1)"
                     + (f", and from Close on {without} rows without PreClose" if without else ""))
    elif prices["Adj Close"].isna().all():
        notes.append("Adj Close is empty: returns come from Close (not adjusted for dividends or splits)")
    elif prices["Adj Close"].isna().any():
        notes.append(f"Adj Close is empty on {int(prices['Adj Close'].isna().sum())} rows")
    faulty = len({i for i, _ in price_faults(prices)})
    if faulty:
        notes.append(f"{faulty} row{'s' if faulty > 1 else ''} with prices that cannot be (e.g. High below Low), "
                     f"within the import's tolerance; `research prices {ticker}` lists them")
    return PriceFile(ticker, path, prices, sha256, tuple(notes))


def _traded(values: dict[str, np.ndarray], notes: list[str]) -> np.ndarray:
    """The rows to keep: all but those a trade status marks suspended (baostock ``tradestatus`` 0)."""
    suspended = values["TradeStatus"] == 0
    if suspended.any():
        notes.append(f"{int(suspended.sum())} suspended row{'s' if suspended.sum() > 1 else ''} (trade status 0) "
                     f"dropped: a suspension is missing sessions, not zero returns")
    return ~suspended


def _derive_preclose(values: dict[str, np.ndarray], notes: list[str]) -> None:
    """Fill PreClose from the percentage change where the file gives no previous close:
    ``PreClose = Close / (1 + pct/100)``, so that ``Close/PreClose - 1 = pct/100``."""
    fill = np.isnan(values["PreClose"]) & ~np.isnan(values["PctChg"])
    if fill.any():
        values["PreClose"] = values["PreClose"].copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            values["PreClose"][fill] = values["Close"][fill] / (1.0 + values["PctChg"][fill] / 100.0)
        notes.append(f"PreClose computed from the percentage change on {int(fill.sum())} rows "
                     f"(Close / (1 + pct/100))")


class _Table:
    """The rows of one file, converted chunk by chunk to day numbers and float columns."""

    def __init__(self, path: Path, reading: Reading | None = None):
        self.path = path
        self.reading = reading or Reading()
        self.notes: list[str] = []
        self.lines = array("q")  # the file line of each row
        self._days: list[np.ndarray] = []
        self._values: dict[str, list[np.ndarray]] = {c: [] for c in FIELDS}
        self.timed: list[tuple[int, str, str, str | None]] = []  # (row, cell, time, offset)

    def locate(self, i: int) -> str:
        return f"line {self.lines[i]}"

    def read(self, text: io.TextIOBase) -> None:
        """Read the rows of ``text``, opened with ``newline=""`` (LF, CRLF and CR end lines)."""
        reader = csv.reader(text)
        try:
            header = [h.strip() for h in next(reader)]
            _check_header(header, self.path)
            self.layout, self.where, self.unit, note = _resolve(header, self.path, self.reading)
            if note:
                self.notes.append(note)
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
        self._days.append(self._dates([d.strip() for d in columns[self.where["Date"]]], start))
        for name in FIELDS:
            if name not in self.where:
                self._values[name].append(np.full(len(chunk), np.nan))
                continue
            self._values[name].append(self._numbers(columns[self.where[name]], name, start))

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
        if self.reading.date_format:
            return self._formatted(cells, start)
        parts = []
        for i, cell in enumerate(cells):
            if _PLAIN_DATE.fullmatch(cell):
                parts.append(cell)
                continue
            compact = _COMPACT_DATE.fullmatch(cell)
            if compact:
                parts.append("-".join(compact.groups()))
                continue
            match = _TIMED_DATE.fullmatch(cell)
            if not match:
                where = f"{self.path}, {self.locate(start + i)}: Date {_show(cell)} is not a date"
                if _DAY_MONTH.fullmatch(cell):
                    raise ResearchError(f"{where} in YYYY-MM-DD, and its order of day and month is ambiguous: "
                                        f"name the format with --date-format (%d/%m/%Y or %m/%d/%Y)")
                raise ResearchError(f"{where} (expected YYYY-MM-DD, or name the format with --date-format)")
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
        return self._held(days, cells, start)

    def _formatted(self, cells: list[str], start: int) -> np.ndarray:
        """Day numbers of ``cells`` read with the named date format; a time of day is refused."""
        fmt = self.reading.date_format
        try:
            stamps = pd.to_datetime(pd.Series(cells, dtype=object), format=fmt, errors="coerce")
        except (ValueError, TypeError) as exc:  # a bad directive ('%Q'), or offsets that differ by row
            raise ResearchError(f"{self.path}: --date-format {fmt} cannot read these dates ({exc})") from None
        bad = stamps.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ResearchError(f"{self.path}, {self.locate(start + i)}: Date {_show(cells[i])} does not match "
                                f"--date-format {fmt}")
        if getattr(stamps.dt, "tz", None) is not None or (stamps != stamps.dt.normalize()).any():
            raise ResearchError(f"{self.path}: --date-format {fmt} reads a time of day or an offset; name the "
                                f"date alone (the exchange-local trading date), or omit --date-format for "
                                f"ISO dates with an offset")
        days = stamps.to_numpy().astype("datetime64[D]")
        return self._held(days, cells, start)

    def _held(self, days: np.ndarray, cells: list[str], start: int) -> np.ndarray:
        """``days``, unless one lies outside the dates a pandas Timestamp can hold (named by its line)."""
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
    if not any(header):
        raise ResearchError(f"{path}, line 1: blank; the header ({','.join(['Date'] + COLUMNS)}, or a vendor's) "
                            f"must be the first line: delete the blank lines above it")
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if sep in header[0]:
                raise ResearchError(f"{path}, line 1: columns are separated by {name}, not commas; "
                                    f"expected the yfinance layout {','.join(['Date'] + COLUMNS)}")
    dup = sorted(h[:40] for h, n in Counter(_fold(h) for h in header).items() if n > 1)
    if dup:
        raise ResearchError(f"{path}, line 1: duplicate column {', '.join(dup)}")


def _detect(folded: set[str], path: Path) -> Layout | None:
    """The one layout whose identifying headers ``folded`` holds; a layout whose headers another
    match holds too (yfinance's within baostock's) gives way to it. None if none fits."""
    fits = [layout for layout in LAYOUTS.values() if layout.signature <= folded]
    fits = [a for a in fits if not any(a.signature < b.signature for b in fits)]
    if len(fits) > 1:
        raise ResearchError(f"{path}, line 1: the header fits two layouts, {fits[0].name} and {fits[1].name}; "
                            f"name one with --layout")
    return fits[0] if fits else None


def _resolve(header: list[str], path: Path, reading: Reading) -> tuple[str, dict[str, int], int, str | None]:
    """The layout's name, the column index of each field the file gives, the volume unit, and a
    note saying which layout was used (None for the yfinance layout as written)."""
    index = {_fold(h): i for i, h in enumerate(header)}
    named = LAYOUTS[reading.layout] if reading.layout else _detect(set(index), path)
    layout = named or LAYOUTS["yfinance"]
    where = {f: index[_fold(h)] for f, h in layout.fields.items() if _fold(h) in index}
    for name, column in reading.columns.items():
        if _fold(column) not in index:
            raise ResearchError(f"{path}, line 1: --columns {_key(name)}={column}: the file has no column "
                                f"{column!r} (its columns: {', '.join(header)[:300]})")
        where[name] = index[_fold(column)]
    missing = [c for c in REQUIRED if c not in where]
    if missing:
        hint = "" if named or reading.columns else "; or name a layout (--layout) or map the columns (--columns)"
        raise ResearchError(f"{path}, line 1: missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(layout.fields[c] for c in missing)} of the {layout.name} layout; "
                            f"expected {','.join(layout.fields[c] for c in REQUIRED)} at least{hint}")
    unit = layout.volume_unit if "Volume" not in reading.columns else 1
    how = "named" if reading.layout else "detected from the header" if named else "by default"
    exact = layout.name == "yfinance" and all(header[where[f]] == layout.fields[f] for f in where
                                               if f not in reading.columns)
    note = None if exact and not reading.columns else (
        f"layout {layout.name} ({how})" + (f", columns mapped: {', '.join(f'{_key(k)}={v}' for k, v in reading.columns.items())}"
                                           if reading.columns else ""))
    return layout.name, where, unit, note


def _key(name: str) -> str:
    return next(k for k, v in FIELD_KEYS.items() if v == name)
