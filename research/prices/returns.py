"""Daily simple returns from a price frame.

``R_t = P_t / P_{t-1} - 1`` on consecutive traded rows, with ``P`` the Adj Close (split- and
dividend-adjusted, so the return is the total return). Rows are traded days only: a return after
a suspension is trade-to-trade, the return since the last trade, never a run of zeros.

Where Adj Close is missing at either end of a pair and the row carries the exchange's previous
close ``PreClose``, the day's return is ``R_t = Close_t / PreClose_t - 1``, never the raw
close-to-close. On an ex-rights or ex-dividend date the exchange publishes as the previous close
its ex-rights reference price (除权（息）参考价 = [(previous close - cash dividend) + rights price x
share change ratio] / (1 + share change ratio); Shenzhen and Shanghai Stock Exchange Trading Rules,
section 除权与除息), and bases the day's price change and price limits on it. Tushare's ``pre_close``
("昨收价【除权价】", https://tushare.pro/document/2?doc_id=27) and baostock's ``preclose`` are that
price. So ``Close/PreClose - 1`` is the day's total return, as ``Adj Close`` would give it
(``Adj_t/Adj_{t-1} = Close_t/PreClose_t`` for a backward-adjusted series). Where neither is
there, the return comes from Close and is counted in the warnings (it then misses any dividend or
split on that day).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def price_level(prices: pd.DataFrame) -> pd.Series:
    """The total-return price level: Adj Close, Close where there is none (rows with neither drop).

    A frame with ``PreClose`` gets the level whose daily ratios are :func:`simple_returns`,
    backward-adjusted as Yahoo's Adj Close (its last value is the last Close).
    """
    if "PreClose" not in prices or prices["PreClose"].isna().all():
        return prices["Adj Close"].where(prices["Adj Close"].notna(), prices["Close"]).dropna()
    growth = np.concatenate([[1.0], np.cumprod(1.0 + simple_returns(prices).to_numpy())])
    return pd.Series(growth * (prices["Close"].iloc[-1] / growth[-1]), index=prices.index, name=prices.index.name)


def simple_returns(prices: pd.DataFrame, name: str | None = None) -> pd.Series:
    """Daily total returns on traded days (the first row has none and is dropped)."""
    returns, _ = returns_with_warnings(prices, name)
    return returns


def returns_with_warnings(prices: pd.DataFrame, name: str | None = None) -> tuple[pd.Series, list[str]]:
    """As :func:`simple_returns`, and the warnings a careful reader needs (Close fallbacks)."""
    returns, basis = returns_and_basis(prices, name)
    fallback = (basis == "Close").to_numpy()
    warnings = []
    if fallback.all():
        warnings.append("Adj Close is empty: returns from Close (not adjusted for dividends or splits)")
    elif fallback.any():
        neither = "Adj Close and PreClose are" if "PreClose" in prices else "Adj Close is"
        warnings.append(f"{neither} missing around {int(fallback.sum())} days: their returns come from Close")
    return returns, warnings


def returns_and_basis(prices: pd.DataFrame, name: str | None = None) -> tuple[pd.Series, pd.Series]:
    """As :func:`simple_returns`, and each day's basis, the rule of the module docstring in order:
    ``Adj Close`` (at both ends of the pair), else ``PreClose`` (Close / PreClose - 1), else
    ``Close`` (close-to-close, unadjusted)."""
    adj = prices["Adj Close"].to_numpy(dtype=float)
    close = prices["Close"].to_numpy(dtype=float)
    values = adj[1:] / adj[:-1] - 1.0
    basis = np.where(np.isnan(values), "Close", "Adj Close").astype(object)
    if "PreClose" in prices:
        from_pre = close[1:] / prices["PreClose"].to_numpy(dtype=float)[1:] - 1.0
        use = np.isnan(values) & ~np.isnan(from_pre)
        values = np.where(use, from_pre, values)
        basis[use] = "PreClose"
    values = np.where(basis == "Close", close[1:] / close[:-1] - 1.0, values)
    index = prices.index[1:]
    return pd.Series(values, index=index, name=name), pd.Series(basis, index=index, name=name, dtype=object)
