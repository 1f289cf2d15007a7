"""The securities registry: every listing the kit knows, read from ``data/securities.csv``.

One row per listing, keyed by the ticker as Yahoo writes it. A listing carries its exchange
(ISO 10383 MIC), currency, timezone, the board that sets its daily price limit, and the benchmark
index used by default for its market.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from research import config
from research.errors import ResearchError
from research.files import read_text
from research.timezones import zone

EXCHANGES = {
    "XSHG": "Shanghai Stock Exchange",
    "XSHE": "Shenzhen Stock Exchange",
    "XHKG": "Hong Kong Exchanges",
    "XNYS": "New York Stock Exchange",
    "XNAS": "Nasdaq",
}
#: The exchange as a reader names it in tables and figures (``Shenzhen`` for ``XSHE``).
EXCHANGE_NAMES = {"XSHE": "Shenzhen", "XSHG": "Shanghai", "XHKG": "Hong Kong", "XNYS": "New York (NYSE)",
                  "XNAS": "New York (Nasdaq)"}
KINDS = {"equity", "adr", "index"}
BOARDS = {"", "main", "chinext", "star"}
COLUMNS = ["ticker", "name", "name_zh", "kind", "exchange", "board", "currency", "timezone", "benchmark"]


def exchange_name(mic: str, short: bool = False) -> str:
    """``Shenzhen`` for ``XSHE``: the exchange as a reader names it (the code itself if unknown);
    ``short``: the name in parentheses where there is one (``NYSE`` for ``New York (NYSE)``)."""
    name = EXCHANGE_NAMES.get(mic, mic)
    if short and name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1:-1]
    return name


#: ChiNext's daily limit widened from 10% to 20% with the registration reform of 2020-08-24.
CHINEXT_REFORM = date(2020, 8, 24)


@dataclass(frozen=True)
class Security:
    ticker: str
    name: str
    name_zh: str
    kind: str
    exchange: str
    board: str
    currency: str
    timezone: str
    benchmark: str

    @property
    def label(self) -> str:
        """``Name (中文名)`` for tables and figures."""
        return f"{self.name} ({self.name_zh})" if self.name_zh else self.name

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def price_limit(self, day: date, st: bool = False) -> float | None:
        """The exchange's daily price limit on ``day`` as a fraction, or None where there is none.

        Mainland main board and pre-reform ChiNext: 10%, 5% for a share under special treatment
        (``st``, which the registry does not track: a source such as baostock gives it by day);
        ChiNext from 2020-08-24 and STAR: 20%, ST or not.
        """
        if self.board == "main":
            return 0.05 if st else 0.10
        if self.board == "chinext":
            return 0.20 if day >= CHINEXT_REFORM else 0.05 if st else 0.10
        if self.board == "star":
            return 0.20
        return None


class Registry(dict[str, Security]):
    """Securities by ticker, with lookups that fail with a message naming the ticker."""

    path: Path

    def get_security(self, ticker: str, *, context: str = "") -> Security:
        try:
            return self[ticker]
        except KeyError:
            where = f"{context}: " if context else ""
            raise ResearchError(
                f"{where}ticker {ticker!r} is not in the securities registry {self.path}; "
                f"add a row for it there (ticker,name,name_zh,kind,exchange,board,currency,timezone,benchmark)"
            ) from None


def load_registry(path: Path | str | None = None) -> Registry:
    """Read and validate the registry; any bad row rejects the whole file.

    Raises
    ------
    ResearchError
        Naming the file, the line and the ticker of the first bad row.
    """
    path = (Path(path) if path else config.SECURITIES_FILE).resolve()
    return _parse(path, read_text(path, "the securities registry"))


@lru_cache(maxsize=8)  # keyed by the text too: an edited file is read afresh
def _parse(path: Path, text: str) -> Registry:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [(reader.line_num, row) for row in reader if row]
    except csv.Error as exc:
        raise ResearchError(f"{path}, line {reader.line_num}: not a readable CSV row ({exc})") from None
    if not rows or rows[0][1] != COLUMNS:
        header = ",".join(rows[0][1]) if rows else ""
        raise ResearchError(f"{path}: header must be {','.join(COLUMNS)}, found {header!r}")
    registry = Registry()
    registry.path = path
    lines = {}
    for line, row in rows[1:]:
        where = f"{path}, line {line}"
        if len(row) != len(COLUMNS):
            first = row[0].strip() if row else ""
            raise ResearchError(f"{where}: {first or 'the row'} has {len(row)} fields, the header {len(COLUMNS)} "
                                f"({','.join(COLUMNS)}); quote a field that holds a comma")
        values = dict(zip(COLUMNS, (v.strip() for v in row)))
        ticker = values["ticker"]
        unprintable = next((c for c in COLUMNS if not values[c].isprintable()), None)
        if unprintable:  # a NUL or a line break inside quotes: a damaged file, not a name
            raise ResearchError(f"{where}: the {unprintable} of {ticker or 'the row'} holds a control character "
                                f"({values[unprintable]!r})")
        if not ticker:
            raise ResearchError(f"{where}: empty ticker")
        if ticker in registry:
            raise ResearchError(f"{where}: duplicate ticker {ticker!r}")
        if values["exchange"] not in EXCHANGES:
            raise ResearchError(f"{where}: unknown exchange {values['exchange']!r} for {ticker} (known: {', '.join(EXCHANGES)})")
        if values["kind"] not in KINDS:
            raise ResearchError(f"{where}: kind of {ticker} must be one of {sorted(KINDS)}, not {values['kind']!r}")
        if values["board"] not in BOARDS:
            raise ResearchError(f"{where}: board of {ticker} must be one of {sorted(BOARDS - {''})} or empty")
        try:
            zone(values["timezone"])
        except ResearchError as exc:
            raise ResearchError(f"{where}: {ticker}: {exc}") from None
        if values["benchmark"] == ticker:
            # the market model would regress the listing on itself: AR = 0 up to rounding, and a
            # t-statistic of that rounding noise
            raise ResearchError(f"{where}: the benchmark of {ticker} is {ticker} itself; name its market's index")
        registry[ticker] = Security(**values)
        lines[ticker] = line
    for sec in registry.values():
        if sec.kind != "index" and sec.benchmark not in registry:
            raise ResearchError(f"{path}, line {lines[sec.ticker]}: benchmark {sec.benchmark!r} of {sec.ticker} "
                                f"is not itself in the registry")
    return registry
