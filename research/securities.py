"""The securities registry: every listing the kit knows, read from ``data/securities.csv``.

One row per listing, keyed by the ticker as Yahoo writes it. A listing carries its exchange
(ISO 10383 MIC), currency, timezone, the board that sets its daily price limit, and the benchmark
index used by default for its market.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from research import config
from research.errors import ResearchError

EXCHANGES = {
    "XSHG": "Shanghai Stock Exchange",
    "XSHE": "Shenzhen Stock Exchange",
    "XHKG": "Hong Kong Exchanges",
    "XNYS": "New York Stock Exchange",
    "XNAS": "Nasdaq",
}
KINDS = {"equity", "adr", "index"}
BOARDS = {"", "main", "chinext", "star"}
COLUMNS = ["ticker", "name", "name_zh", "kind", "exchange", "board", "currency", "timezone", "benchmark"]

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
        return ZoneInfo(self.timezone)

    def price_limit(self, day: date) -> float | None:
        """The exchange's daily price limit on ``day`` as a fraction, or None where there is none.

        Mainland main board and pre-reform ChiNext: 10%; ChiNext from 2020-08-24 and STAR: 20%.
        (Special-treatment "ST" shares have 5%; the registry does not track ST status.)
        """
        if self.board == "main":
            return 0.10
        if self.board == "chinext":
            return 0.20 if day >= CHINEXT_REFORM else 0.10
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
    """Read and validate the registry; any bad row rejects the whole file."""
    path = Path(path) if path else config.SECURITIES_FILE
    return _load(path.resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Registry:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResearchError(f"cannot read the securities registry {path}: {exc.strerror}") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or list(rows[0].keys()) != COLUMNS:
        header = text.splitlines()[0] if text else ""
        raise ResearchError(f"{path}: header must be {','.join(COLUMNS)}, found {header!r}")
    registry = Registry()
    registry.path = path
    for line, row in enumerate(rows, start=2):
        where = f"{path}, line {line}"
        values = {k: (v or "").strip() for k, v in row.items()}
        ticker = values["ticker"]
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
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ResearchError(f"{where}: unknown timezone {values['timezone']!r} for {ticker}") from None
        registry[ticker] = Security(**values)
    for sec in registry.values():
        if sec.kind != "index" and sec.benchmark not in registry:
            raise ResearchError(f"{path}: benchmark {sec.benchmark!r} of {sec.ticker} is not itself in the registry")
    return registry
