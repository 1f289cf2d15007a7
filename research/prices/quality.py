"""Data quality of a stored series, judged against its exchange's calendar and rules.

* missing sessions: sessions of the listing's exchange between its first and last row that have
  no row (suspensions, or holes in the source);
* extra days: rows on days that are not sessions of the exchange;
* zero-volume days;
* repeated prices: rows whose Open, High, Low and Close all equal the previous row's (stale or
  filler rows);
* limit moves: returns at or beyond the exchange's daily price limit (mainland main board 10%,
  ChiNext 20% from 2020-08-24 and 10% before; 5% for a share under special treatment on the days
  its source says so); prices are quoted in ticks of 0.01 CNY, so a
  limit move can exceed the limit by rounding, hence the tolerance ``LIMIT_TOLERANCE``;
* prices that cannot be (:func:`research.prices.frame.price_faults`, the rules import refuses
  by): High below Low, Open or Close outside [Low, High] beyond float rounding, implausible
  prices or volumes, dates in the future. Import refuses gross ones; a series stored earlier, or
  a bar within the import's tolerance, is listed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from research.calendars import sessions
from research.prices.frame import price_faults
from research.prices.returns import returns_with_warnings
from research.securities import Security

#: Mainland index codes as Yahoo writes them: Shanghai's and CSI's 000xxx.SS, Shenzhen's 399xxx.SZ.
MAINLAND_INDEX = re.compile(r"000\d{3}\.SS|399\d{3}\.SZ")

#: Tolerance for tick rounding at the limit: a hit is |R| >= limit - tol, beyond is |R| > limit + tol.
LIMIT_TOLERANCE = 0.0015


def is_index(ticker: str, security: Security | None = None) -> bool:
    """An index: the registry's kind, or for a ticker not in it, ``^`` or a mainland index code."""
    if security is not None:
        return security.kind == "index"
    return ticker.startswith("^") or bool(MAINLAND_INDEX.fullmatch(ticker))


def adjustment(ticker: str, prices: pd.DataFrame, security: Security | None = None) -> tuple[str, str]:
    """Whether the returns of ``ticker`` are total returns: ``(status, flag)``.

    ``status`` is ``adjusted`` (an Adj Close or the exchange's previous close, PreClose, on some
    row; ``flag`` empty), ``index`` (neither, but an index has no dividends or splits to adjust
    for: exempt, and the flag says so) or ``unadjusted`` (an equity or ADR with neither: its
    returns miss every dividend and split, so a window holding an ex-date is biased; the flag
    names the series). The one home of this rule for ``research prices``, the run summary and
    the limitations table; ``require_adjusted`` makes ``unadjusted`` an error.
    """
    def present(column: str) -> bool:
        return column in prices and bool(prices[column].notna().any())

    if present("Adj Close") or present("PreClose"):
        return "adjusted", ""
    if is_index(ticker, security):
        return "index", f"{ticker} is an index: no adjusted close, none needed (exempt)"
    return "unadjusted", (f"{ticker} has unadjusted prices (neither Adj Close nor PreClose): its returns miss "
                          f"dividends and splits on ex-dates")


@dataclass
class QualityReport:
    ticker: str
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    rows: int
    missing_sessions: pd.DatetimeIndex
    extra_days: pd.DatetimeIndex
    zero_volume_days: pd.DatetimeIndex
    repeated_prices: pd.DatetimeIndex
    limit_hits: pd.Series  # returns at the limit (|R| >= limit - tol), by date
    beyond_limit: pd.Series  # returns beyond it (|R| > limit + tol), by date
    impossible: list[tuple[pd.Timestamp, str]] = field(default_factory=list)  # (date, problem), by date
    warnings: list[str] = field(default_factory=list)

    def summary_row(self) -> dict:
        return {
            "ticker": self.ticker,
            "first": self.first_date.date().isoformat(),
            "last": self.last_date.date().isoformat(),
            "rows": self.rows,
            "missing": len(self.missing_sessions),
            "extra": len(self.extra_days),
            "zero_vol": len(self.zero_volume_days),
            "repeated": len(self.repeated_prices),
            "limit_hits": len(self.limit_hits),
            "beyond_limit": len(self.beyond_limit),
            "impossible": len({day for day, _ in self.impossible}),
        }


def quality_report(ticker: str, prices: pd.DataFrame, security: Security | None,
                   st_dates=()) -> QualityReport:
    """Check ``prices`` of ``ticker`` against the calendar and limits of ``security``'s exchange.

    ``st_dates`` are the sessions under special treatment (the store's ``st_dates``, from baostock's
    ``isST``), whose main-board limit is 5 %.
    """
    dates = prices.index
    returns, warnings = returns_with_warnings(prices, ticker)
    missing = extra = pd.DatetimeIndex([])
    hits = beyond = pd.Series(dtype=float)
    if security is None:
        warnings.append(f"{ticker} is not in the securities registry: no calendar or limit checks")
    else:
        expected = sessions(security.exchange, dates[0], dates[-1])
        missing = expected.difference(dates)
        in_range = dates[(dates >= expected[0]) & (dates <= expected[-1])] if len(expected) else dates
        extra = in_range.difference(expected)
        st = set(pd.DatetimeIndex(pd.to_datetime(list(st_dates))))
        limits = np.array([security.price_limit(d.date(), d in st) or np.nan for d in returns.index])
        if not np.isnan(limits).all():
            size = returns.abs().to_numpy()
            hits = returns[size >= limits - LIMIT_TOLERANCE]
            beyond = returns[size > limits + LIMIT_TOLERANCE]
    status, flag = adjustment(ticker, prices, security)
    if flag:
        warnings.append(flag)
    volume = prices["Volume"]
    ohlc = prices[["Open", "High", "Low", "Close"]]
    repeated = (ohlc == ohlc.shift(1)).all(axis=1)
    impossible = [(dates[i], problem) for i, problem in price_faults(prices)]
    if impossible:
        rows = sorted({day.date().isoformat() for day, _ in impossible})
        shown = ", ".join(rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
        warnings.append(f"prices that cannot be (e.g. High below Low) on {len(rows)} "
                        f"day{'s' if len(rows) > 1 else ''}: {shown}")
    return QualityReport(
        ticker=ticker,
        first_date=dates[0],
        last_date=dates[-1],
        rows=len(prices),
        missing_sessions=missing,
        extra_days=extra,
        zero_volume_days=dates[(volume == 0).to_numpy()],
        repeated_prices=dates[repeated.to_numpy()],
        limit_hits=hits,
        beyond_limit=beyond,
        impossible=impossible,
        warnings=warnings,
    )


def date_ranges(days: pd.DatetimeIndex, calendar: pd.DatetimeIndex | None = None) -> list[str]:
    """Compact ``2019-10-08..2019-10-09`` ranges of consecutive days (consecutive sessions of
    ``calendar`` when given, calendar days otherwise)."""
    if len(days) == 0:
        return []
    if calendar is not None:
        position = calendar.get_indexer(days)
        breaks = np.flatnonzero(np.diff(position) != 1) + 1
    else:
        breaks = np.flatnonzero(np.diff(days.as_unit("ns").asi8) != 86_400 * 10**9) + 1
    out = []
    for run in np.split(np.arange(len(days)), breaks):
        a, b = days[run[0]].date(), days[run[-1]].date()
        out.append(a.isoformat() if a == b else f"{a}..{b}")
    return out
