"""A listing's price reaction on one trading day, measured from daily prices.

The day's close-to-close return is split into the overnight gap (previous close to open) and the
intraday return (open to close), so that ``(1 + gap) (1 + intraday) = 1 + close-to-close``:

    P_t, P_{t-1} = Adj Close_t, Adj Close_{t-1}   (both ends have one)
                 = Close_t, PreClose_t          (else, where the row gives the previous close)
                 = Close_t, Close_{t-1}         (else: unadjusted)
    gap_t    = Open_t * (P_t / Close_t) / P_{t-1} - 1     the open on the adjusted scale of the day
    intra_t  = Close_t / Open_t - 1
    R_t      = P_t / P_{t-1} - 1
    low_t    = Low_t * (P_t / Close_t) / P_{t-1} - 1      the day's extremes against the previous close,
    high_t   = High_t * (P_t / Close_t) / P_{t-1} - 1     "fell as much as 10 % intraday"

which basis applies is :func:`research.prices.returns.returns_and_basis`'s rule, so ``R_t`` is
the day's return in every study.

Adjusting the open by the day's ``Adj Close / Close`` factor keeps an ex-dividend or bonus-share
day from showing up as a false opening gap. ``P_{t-1}`` is the previous *trade*: after a
suspension the return is trade-to-trade and covers ``span`` sessions of the exchange.

Prices are read only through :func:`research.prices.get_prices`; :class:`PriceBook` remembers each
series (or why it is missing) for the duration of one command.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from research.calendars import sessions
from research.errors import ResearchError
from research.prices import get_prices, simple_returns
from research.prices.returns import price_level, returns_and_basis

#: A return within this distance of the daily price limit (or beyond it) counts as a limit hit:
#: limit prices are rounded to the 0.01 CNY tick, so a limit day's return is not exactly 10 %.
LIMIT_TOLERANCE = 0.0015


class PriceBook:
    """Daily prices by ticker, each read once via :func:`research.prices.get_prices`.

    A ticker without prices is remembered with the store's message (which names the ticker and
    how to provide it), so callers can report it plainly instead of failing.
    """

    def __init__(self):
        self._prices: dict[str, pd.DataFrame] = {}
        self._missing: dict[str, str] = {}
        self._returns: dict[str, pd.Series] = {}

    def get(self, ticker: str) -> pd.DataFrame | None:
        """The price frame of ``ticker``, or None when there is none (see :meth:`why_missing`)."""
        if ticker in self._prices:
            return self._prices[ticker]
        if ticker in self._missing:
            return None
        try:
            frame = get_prices(ticker)
        except ResearchError as exc:
            self._missing[ticker] = str(exc)
            return None
        if frame.empty:
            self._missing[ticker] = f"the price series of {ticker} is empty"
            return None
        self._prices[ticker] = frame
        return frame

    def why_missing(self, ticker: str) -> str:
        """The reason ``ticker`` has no prices ('' if it has)."""
        self.get(ticker)
        return self._missing.get(ticker, "")

    def returns(self, ticker: str) -> pd.Series | None:
        """Close-to-close (trade-to-trade) simple returns of ``ticker``."""
        if ticker not in self._returns:
            frame = self.get(ticker)
            if frame is None:
                return None
            self._returns[ticker] = simple_returns(frame, ticker)
        return self._returns[ticker]


@dataclass(frozen=True)
class DayReturn:
    """The return of one traded day and its overnight/intraday split (fractions).

    Attributes
    ----------
    date : the traded day.
    previous : the previous traded day (the return runs from its close).
    span : the exchange's sessions the return covers (1 normally, more after a suspension).
    close_to_close, close_to_open, open_to_close : the return and its two parts (NaN without an Open).
    basis : ``Adj Close``, ``PreClose`` (Close over the exchange's previous close: no adjusted
        close for this pair of days) or ``Close`` (neither: unadjusted).
    low_vs_prev_close, high_vs_prev_close : the day's low and high against the previous close, on the
        same adjusted scale as the gap (NaN without a Low or High).
    """

    date: pd.Timestamp
    previous: pd.Timestamp
    span: int
    close_to_close: float
    close_to_open: float
    open_to_close: float
    basis: str
    low_vs_prev_close: float = math.nan
    high_vs_prev_close: float = math.nan

    @property
    def identity_error(self) -> float:
        """``(1+gap)(1+intraday) - (1+close-to-close)``: 0 up to rounding when the Open exists."""
        return (1 + self.close_to_open) * (1 + self.open_to_close) - (1 + self.close_to_close)


def day_return(prices: pd.DataFrame, day, mic: str) -> DayReturn | None:
    """The return of traded day ``day`` from the previous trade, split at the open.

    Parameters
    ----------
    prices : a frame from :func:`research.prices.get_prices`.
    day : a date; None is returned if the listing did not trade that day or it is the first row.
    mic : the listing's exchange, to count the sessions the return spans.
    """
    day = pd.Timestamp(day)
    if day not in prices.index:
        return None
    t = prices.index.get_loc(day)
    if t == 0:
        return None
    row, prev = prices.iloc[t], prices.iloc[t - 1]
    previous = prices.index[t - 1]
    basis = returns_and_basis(prices.iloc[t - 1:t + 1])[1].iloc[0]
    if basis == "Adj Close":
        p_t, p_prev = row["Adj Close"], prev["Adj Close"]
    elif basis == "PreClose":           # the exchange's ex-rights reference price, not Close_{t-1}
        p_t, p_prev = row["Close"], row["PreClose"]
    else:
        p_t, p_prev = row["Close"], prev["Close"]
    c2c = p_t / p_prev - 1
    factor = p_t / row["Close"]
    gap = row["Open"] * factor / p_prev - 1 if _present(row["Open"]) else math.nan
    intraday = row["Close"] / row["Open"] - 1 if _present(row["Open"]) else math.nan
    low, high = (row[k] * factor / p_prev - 1 if _present(row.get(k)) else math.nan for k in ("Low", "High"))
    span = len(sessions(mic, previous + pd.Timedelta(days=1), day))
    return DayReturn(day, previous, span, float(c2c), float(gap), float(intraday), basis, float(low), float(high))


def span_return(prices: pd.DataFrame, start, end) -> tuple[float, pd.Timestamp | None, pd.Timestamp | None]:
    """Return from the last close on or before ``start`` to the last close on or before ``end``.

    Used for the benchmark over a listing's trade-to-trade span. Returns the return and the two
    dates actually used (NaN and None where the series has no close by then).
    """
    level = price_level(prices)
    level = level[level.index <= pd.Timestamp(end)]
    before = level[level.index <= pd.Timestamp(start)]
    if before.empty or level.empty:
        return math.nan, None, None
    return float(level.iloc[-1] / before.iloc[-1] - 1), before.index[-1], level.index[-1]


@dataclass(frozen=True)
class LimitHit:
    """A day whose return reached the exchange's daily price limit."""

    relative_day: int
    date: pd.Timestamp
    ret: float
    limit: float

    def describe(self) -> str:
        side = "up" if self.ret > 0 else "down"
        return f"{self.relative_day:+d} {self.date:%Y-%m-%d} {self.ret:+.2%} (limit-{side} {self.limit:.0%})"


@dataclass(frozen=True)
class LimitCheck:
    """Price-limit hits over a range of relative days; ``limited`` is False where no limit applies."""

    limited: bool
    hits: tuple[LimitHit, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        if not self.limited:
            return "no daily limit"
        return "; ".join(h.describe() for h in self.hits) if self.hits else "none"


def limit_hits(returns: pd.Series, day0: pd.Timestamp, limit_of, first: int = -1, last: int = 5) -> LimitCheck:
    """Days in relative days ``first..last`` (the listing's traded days) at the daily price limit.

    Parameters
    ----------
    returns : trade-to-trade returns of the listing, indexed by traded day.
    day0 : the first traded day on or after calendar day 0 (relative day 0).
    limit_of : ``Security.price_limit``: date -> limit fraction, or None where there is none.
    """
    if limit_of(day0.date()) is None:
        return LimitCheck(False)
    t0 = returns.index.searchsorted(day0)
    hits = []
    for rel in range(first, last + 1):
        t = t0 + rel
        if t < 0 or t >= len(returns):
            continue
        day, ret = returns.index[t], float(returns.iloc[t])
        limit = limit_of(day.date())
        if limit is not None and abs(ret) >= limit - LIMIT_TOLERANCE:
            hits.append(LimitHit(rel, day, ret, limit))
    return LimitCheck(True, tuple(hits))


def _present(value) -> bool:
    return value is not None and not pd.isna(value)
