"""Daily prices from Yahoo Finance through yfinance.

Always ``auto_adjust=False``, so both Close (as traded) and Adj Close (split- and
dividend-adjusted) are kept. yfinance hides per-ticker exceptions by default; here they are
raised (``yfinance.config.debug.hide_exceptions = False`` for the duration of the call) and
turned into one :class:`ResearchError` per ticker. Rate-limit errors are retried with
exponential backoff before being reported.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import pandas as pd

from research.errors import ResearchError
from research.prices.frame import validate
from research.prices.store import utc_now

RETRIES = 4
BACKOFF_SECONDS = 2.0


class YahooUnavailable(ResearchError):
    """Yahoo could not be reached, or would not serve the ticker."""


def fetch(ticker: str, start=None, end=None, *, retries: int = RETRIES,
          backoff: float = BACKOFF_SECONDS, sleep: Callable[[float], None] | None = None
          ) -> tuple[pd.DataFrame, dict]:
    """Download the daily history of ``ticker``; returns (price frame, provenance).

    ``start``/``end`` bound the history (yfinance's ``end`` is exclusive); without them the
    whole history (``period="max"``) is fetched.
    """
    import yfinance as yf
    from yfinance import exceptions as yfe

    sleep = sleep or time.sleep
    kwargs = {"interval": "1d", "auto_adjust": False, "actions": False}
    if start is None and end is None:
        kwargs["period"] = "max"
    else:
        kwargs.update(start=start, end=end)
    for attempt in range(retries + 1):
        try:
            with _exceptions_raised(yf):
                frame = yf.Ticker(ticker).history(**kwargs)
            break
        except yfe.YFRateLimitError:
            if attempt == retries:
                raise YahooUnavailable(f"{ticker}: Yahoo rate limit still hit after {retries} retries "
                                       f"with backoff; try again later") from None
            sleep(backoff * 2**attempt)
        except yfe.YFTickerMissingError as exc:
            raise YahooUnavailable(f"{ticker}: Yahoo has no prices ({exc}); it may be delisted") from None
        except yfe.YFException as exc:
            raise YahooUnavailable(f"{ticker}: Yahoo error: {exc}") from None
        except OSError as exc:  # curl_cffi / requests connection errors derive from OSError
            raise YahooUnavailable(f"{ticker}: Yahoo cannot be reached ({type(exc).__name__}: {exc})") from None
    if frame is None or frame.empty:
        raise YahooUnavailable(f"{ticker}: Yahoo returned no prices")
    prices = _to_price_frame(frame, ticker)
    provenance = {
        "source": "yahoo",
        "source_path": None,
        "retrieved_utc": utc_now(),
        "yfinance_version": yf.__version__,
        "auto_adjust": False,
        "notes": [],
    }
    return prices, provenance


@contextlib.contextmanager
def _exceptions_raised(yf) -> Iterator[None]:
    previous = yf.config.debug.hide_exceptions
    yf.config.debug.hide_exceptions = False
    try:
        yield
    finally:
        yf.config.debug.hide_exceptions = previous


def _to_price_frame(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """yfinance's frame (tz-aware exchange-time index) -> the store's price frame."""
    missing = [c for c in ("Open", "High", "Low", "Close", "Adj Close", "Volume") if c not in frame]
    if missing:
        raise YahooUnavailable(f"{ticker}: Yahoo's frame lacks {', '.join(missing)} (was auto_adjust honoured?)")
    index = frame.index
    if getattr(index, "tz", None) is not None:
        index = index.tz_localize(None)  # keep the exchange-local wall date
    dates = pd.DatetimeIndex(index).normalize()
    out = frame[["Open", "High", "Low", "Close", "Adj Close", "Volume"]].astype("float64")
    out.index = dates
    out = out[out["Close"].notna()]  # yfinance pads rows of dividends/NaN days
    return validate(out, f"Yahoo {ticker}", lambda i: str(out.index[i].date()))
