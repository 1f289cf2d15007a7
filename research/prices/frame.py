"""The daily price frame every source produces and the store keeps, and its validation.

A price frame has a tz-naive ``DatetimeIndex`` named ``Date`` (exchange-local trading dates,
unique, ascending) and float columns ``Open, High, Low, Close, Adj Close, Volume``. ``Close`` is
present on every row and every price is positive; ``Adj Close`` and ``Volume`` may be NaN where
the source has none (the mainland indices and the CHL file in ``shared/`` have no Adj Close).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from research.errors import ResearchError

COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
PRICE_COLUMNS = ["Open", "High", "Low", "Close", "Adj Close"]
REQUIRED = ["Date", "Open", "High", "Low", "Close"]


def validate(frame: pd.DataFrame, origin: str, locate: Callable[[int], str]) -> pd.DataFrame:
    """Check a typed price frame; raise one message naming ``origin``, the row and the problem.

    ``locate(i)`` names row ``i`` for the user (``"line 12"`` for a file, a date for Yahoo).
    Returns the frame in canonical form (column order, float64, index named ``Date``).
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
    for column in PRICE_COLUMNS:
        values = frame[column].to_numpy()
        bad = ~np.isnan(values) & ~(values > 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ResearchError(f"{origin}, {locate(i)}: {column} {values[i]:g} is not a positive price")
        if np.isinf(values).any():
            i = int(np.flatnonzero(np.isinf(values))[0])
            raise ResearchError(f"{origin}, {locate(i)}: {column} is infinite")
    volume = frame["Volume"].to_numpy()
    bad = volume < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ResearchError(f"{origin}, {locate(i)}: Volume {volume[i]:g} is negative")
    out = frame[COLUMNS].astype("float64")
    out.index = pd.DatetimeIndex(dates, name="Date").as_unit("ns")
    return out
