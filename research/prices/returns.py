"""Daily simple returns from a price frame.

``R_t = P_t / P_{t-1} - 1`` on consecutive traded rows, with ``P`` the Adj Close (split- and
dividend-adjusted, so the return is the total return). Rows are traded days only: a return after
a suspension is trade-to-trade, the return since the last trade, never a run of zeros. Where
Adj Close is missing at either end of a pair, that day's return comes from Close and is
counted in the warnings (it then misses any dividend or split on that day).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def price_level(prices: pd.DataFrame) -> pd.Series:
    """The total-return price level: Adj Close, Close where there is none (rows with neither drop)."""
    return prices["Adj Close"].where(prices["Adj Close"].notna(), prices["Close"]).dropna()


def simple_returns(prices: pd.DataFrame, name: str | None = None) -> pd.Series:
    """Close-to-close simple returns on traded days (the first row has none and is dropped)."""
    returns, _ = returns_with_warnings(prices, name)
    return returns


def returns_with_warnings(prices: pd.DataFrame, name: str | None = None) -> tuple[pd.Series, list[str]]:
    """As :func:`simple_returns`, and the warnings a careful reader needs (Close fallbacks)."""
    adj = prices["Adj Close"].to_numpy(dtype=float)
    close = prices["Close"].to_numpy(dtype=float)
    from_adj = adj[1:] / adj[:-1] - 1.0
    from_close = close[1:] / close[:-1] - 1.0
    fallback = np.isnan(from_adj)
    values = np.where(fallback, from_close, from_adj)
    warnings = []
    if fallback.all():
        warnings.append("Adj Close is empty: returns from Close (not adjusted for dividends or splits)")
    elif fallback.any():
        warnings.append(f"Adj Close is missing around {int(fallback.sum())} days: their returns come from Close")
    return pd.Series(values, index=prices.index[1:], name=name), warnings
