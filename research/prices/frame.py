"""The daily price frame every source produces and the store keeps, its validation, and tickers.

A price frame has a tz-naive ``DatetimeIndex`` named ``Date`` (exchange-local trading dates,
unique, ascending, none after today) and float columns ``Open, High, Low, Close, Adj Close,
Volume``. ``Close`` is present on every row and every price is positive and plausible
(``MIN_PRICE``..``MAX_PRICE``); ``Adj Close`` and ``Volume`` may be NaN where the source has none
(the mainland indices and the CHL file in ``shared/`` have no Adj Close).

A frame may also carry the optional float column ``PreClose`` (:data:`OPTIONAL`): the exchange's
previous close, which on an ex-rights or ex-dividend date is the exchange's ex-rights reference
price rather than the previous row's Close (mainland vendors: Tushare ``pre_close``, baostock
``preclose``). It is positive where present and NaN where the source has none;
:mod:`research.prices.returns` takes the day's total return from it.

Prices that cannot be are found by :func:`price_faults`, the one home of those rules: import
refuses them (:func:`validate`) and the quality report lists them for series already stored. A bar
whose Open or Close lies outside [Low, High], or whose High is below Low, cannot be either; but
Yahoo's own HK bars have such faults of up to 3 % (0941.HK on 2009-04-23: High 28.996 < Low
29.420), so import refuses a bar only when it is off by more than ``BAR_TOLERANCE`` (a corrupt or
shifted row), and the quality report lists every one beyond float rounding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd

from research.errors import ResearchError

COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
PRICE_COLUMNS = ["Open", "High", "Low", "Close", "Adj Close"]
REQUIRED = ["Date", "Open", "High", "Low", "Close"]
#: Columns a frame may carry besides :data:`COLUMNS` (see the module docstring).
OPTIONAL = ["PreClose"]

#: A ticker as Yahoo writes it (002415.SZ, 0941.HK, ^GSPC, BRK-B, EURUSD=X): ASCII letters, digits
#: and ``.-=^``, starting with a letter, a digit or ``^``, at most 32 characters. It becomes part of a
#: file name in the store, so it can hold no path separator, no ``..`` at its start and no space.
TICKER = re.compile(r"[\^A-Za-z0-9][A-Za-z0-9.\-=^]{0,31}")

#: Prices no exchange has quoted: outside this range a value is a unit error, an overflow
#: (1e308) or a denormal, and its returns would be meaningless.
MIN_PRICE, MAX_PRICE = 1e-8, 1e12
#: More shares than any listing has traded in a day.
MAX_VOLUME = 1e15
#: A bar off by more than this (relative) is refused on import; see the module docstring.
BAR_TOLERANCE = 0.05
#: Relative slack for float rounding when the quality report lists bar faults.
ROUNDING = 1e-6


def check_ticker(ticker: object, where: str = "") -> str:
    """``ticker`` if it is a valid ticker, else a :class:`ResearchError` naming it (and ``where``)."""
    if isinstance(ticker, str) and TICKER.fullmatch(ticker):
        return ticker
    prefix = f"{where}: " if where else ""
    raise ResearchError(f"{prefix}{ticker!r} is not a ticker: use letters, digits and . - = ^ as Yahoo "
                        f"writes them (002415.SZ, 0941.HK, ^GSPC), at most 32 characters")


def today() -> pd.Timestamp:
    """The latest date that is already today somewhere (UTC+14): no trading day can be later."""
    return pd.Timestamp(datetime.now(timezone(timedelta(hours=14))).date())


def price_faults(frame: pd.DataFrame, bar_tolerance: float = ROUNDING) -> list[tuple[int, str]]:
    """Rows of a typed price frame that cannot be: ``[(row position, problem)]``, by row.

    Finds non-finite or implausible prices (outside ``MIN_PRICE..MAX_PRICE``, which catches
    overflows and denormals), non-finite or implausible volumes, dates after :func:`today`, and
    bars with High below Low or Open/Close outside [Low, High] by more than ``bar_tolerance``
    (relative). Missing values (NaN) are not faults here; non-positive prices are checked by
    :func:`validate` first.
    """
    faults: list[tuple[int, str]] = []

    def add(mask, problem: Callable[[int], str]) -> None:
        faults.extend((int(i), problem(int(i))) for i in np.flatnonzero(mask))

    for column in _prices(frame):
        v = frame[column].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            add(np.isinf(v), lambda i, c=column: f"{c} is infinite")
            add(np.isfinite(v) & (v > 0) & ((v < MIN_PRICE) | (v > MAX_PRICE)),
                lambda i, c=column, v=v: f"{c} {v[i]:g} is not a plausible price "
                                         f"(outside {MIN_PRICE:g}..{MAX_PRICE:g})")
    volume = frame["Volume"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        add(np.isinf(volume) | (volume > MAX_VOLUME), lambda i: f"Volume {volume[i]:g} is not a plausible volume")
    future = frame.index > today()
    add(future, lambda i: f"Date {frame.index[i].date()} is in the future")
    o, h, lo, c = (frame[k].to_numpy(dtype="float64") for k in ("Open", "High", "Low", "Close"))
    slack = 1 + bar_tolerance
    with np.errstate(invalid="ignore"):
        add(h * slack < lo, lambda i: f"High {h[i]:g} is below Low {lo[i]:g}")
        for name, x in (("Open", o), ("Close", c)):
            add(x > h * slack, lambda i, n=name, x=x: f"{n} {x[i]:g} is above High {h[i]:g}")
            add(x * slack < lo, lambda i, n=name, x=x: f"{n} {x[i]:g} is below Low {lo[i]:g}")
    faults.sort(key=lambda fault: fault[0])
    return faults


def _prices(frame: pd.DataFrame) -> list[str]:
    """The price columns of ``frame``: :data:`PRICE_COLUMNS` and the optional ones it carries."""
    return PRICE_COLUMNS + [c for c in OPTIONAL if c in frame]


def validate(frame: pd.DataFrame, origin: str, locate: Callable[[int], str]) -> pd.DataFrame:
    """Check a typed price frame; raise one message naming ``origin``, the row and the problem.

    ``locate(i)`` names row ``i`` for the user (``"line 12"`` for a file, a date for Yahoo).
    Returns the frame in canonical form (column order, float64, index named ``Date``), keeping the
    :data:`OPTIONAL` columns it carries.
    """
    if frame.empty:
        raise ResearchError(f"{origin}: no price rows")
    dates = frame.index
    if dates.hasnans:
        raise ResearchError(f"{origin}, {locate(int(np.flatnonzero(dates.isna())[0]))}: Date is empty")
    dup = dates.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise ResearchError(f"{origin}, {locate(i)}: duplicate date {dates[i].date()}")
    if not dates.is_monotonic_increasing:
        i = int(np.flatnonzero(np.diff(dates.asi8) < 0)[0]) + 1
        raise ResearchError(
            f"{origin}, {locate(i)}: dates are not sorted ascending ({dates[i].date()} after {dates[i - 1].date()})")
    missing_close = frame["Close"].isna().to_numpy()
    if missing_close.any():
        raise ResearchError(f"{origin}, {locate(int(np.flatnonzero(missing_close)[0]))}: Close is empty")
    for column in _prices(frame):
        values = frame[column].to_numpy()
        bad = ~np.isnan(values) & ~(values > 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ResearchError(f"{origin}, {locate(i)}: {column} {values[i]:g} is not a positive price")
    volume = frame["Volume"].to_numpy()
    bad = volume < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ResearchError(f"{origin}, {locate(i)}: Volume {volume[i]:g} is negative")
    faults = price_faults(frame, BAR_TOLERANCE)
    if faults:
        i, problem = faults[0]
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        raise ResearchError(f"{origin}, {locate(i)}: {problem}{more}")
    out = frame[COLUMNS + [c for c in OPTIONAL if c in frame]].astype("float64")
    out.index = pd.DatetimeIndex(dates, name="Date").as_unit("ns")
    return out
