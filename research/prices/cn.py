"""Daily prices of Shanghai and Shenzhen listings from baostock and akshare (``pip install -e ".[cn]"``).

Both are optional: a source whose library is not installed says which extra to install. Each
source maps the kit's Yahoo-style tickers (``002415.SZ``, ``603019.SS``) to its own codes in one
function (:func:`baostock_code`, :func:`akshare_code`), and refuses what it cannot serve.

* **baostock** (``query_history_k_data_plus``, ``adjustflag="3"``): prices as traded, with the
  exchange's previous close ``preclose`` (ex-rights adjusted) kept as ``PreClose``, so a total
  return is ``Close / PreClose - 1`` on ex-dates too. Rows with ``tradestatus`` 0 (suspended:
  baostock repeats the last close with no volume) are dropped, so a suspension is a run of missing
  sessions, never zero returns. Sessions under special treatment (``isST`` 1, a 5 % daily limit)
  are recorded in the provenance as ``st_dates``.
  As documented by baostock (http://baostock.com/baostock/index.php/A%E8%82%A1K%E7%BA%BF%E6%95%B0%E6%8D%AE
  and the quick start on https://pypi.org/project/baostock/): ``query_history_k_data_plus(code,
  fields, start_date=None, end_date=None, frequency="d", adjustflag="3")``, an empty start meaning
  2015-01-01; every value is a string; ``login()`` and the query return result sets whose
  ``error_code`` is "0" on success (else ``error_msg``), rows paged with ``next()`` /
  ``get_row_data()``. A network failure comes back as such a code (10002007, 网络接收错误, from its
  socket layer), not as an exception; a socket error that escapes is an ``OSError``.
* **akshare** (``stock_zh_a_hist``, East Money's A-share daily bars): Chinese column names
  (日期, 开盘, 收盘, 最高, 最低, 成交量 in lots of 100 shares). Two calls: ``adjust=""`` for prices
  as traded and ``adjust="hfq"`` (back-adjusted) whose close becomes ``Adj Close``. akshare
  fetches through ``requests``, whose exceptions derive from ``OSError``. Rows without volume
  (a suspended day) are dropped. Signature ``stock_zh_a_hist(symbol="000001", period="daily",
  start_date="19700101", end_date="20500101", adjust="", timeout=None)``, dates YYYYMMDD, an
  empty frame when East Money has no bars; documented at
  https://akshare.akfamily.xyz/data/stock/stock.html (历史行情数据-东财), source
  https://github.com/akfamily/akshare/blob/main/akshare/stock_feature/stock_hist_em.py.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from datetime import date, timedelta

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.prices.frame import COLUMNS, validate
from research.prices.store import utc_now

EXTRA = 'pip install -e ".[cn]"'
#: A mainland listing as Yahoo writes it: six digits, .SS (Shanghai) or .SZ (Shenzhen).
MAINLAND = re.compile(r"(\d{6})\.(SS|SZ)")
#: baostock's daily fields; ``adjustflag`` 3 asks for prices as traded.
BAOSTOCK_FIELDS = "date,code,open,high,low,close,preclose,volume,tradestatus,isST"
#: The first day of either exchange: an empty start would make baostock begin at 2015-01-01.
FIRST_DAY = "1990-12-19"


class SourceUnavailable(ResearchError):
    """A source could not be reached, or would not serve the ticker."""


def library(name: str):
    """Import the optional library ``name``, or say which extra installs it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ResearchError(f"{name} is not installed; install the Chinese-market sources with `{EXTRA}` "
                            f"in the kit's folder") from None


def library_version(module, name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return getattr(module, "__version__", None)


def _mainland(ticker: str, source: str) -> tuple[str, str]:
    match = MAINLAND.fullmatch(ticker)
    if not match:
        raise ResearchError(f"{ticker}: {source} serves Shanghai and Shenzhen listings only, written as Yahoo "
                            f"writes them (603019.SS, 002415.SZ); fetch this one with --source yahoo or import it")
    return match.group(1), match.group(2)


def baostock_code(ticker: str) -> str:
    """``002415.SZ`` -> ``sz.002415``, ``603019.SS`` -> ``sh.603019`` (baostock also serves indices)."""
    digits, exchange = _mainland(ticker, "baostock")
    return f"{'sh' if exchange == 'SS' else 'sz'}.{digits}"


def akshare_code(ticker: str) -> str:
    """``002415.SZ`` -> ``002415``: ``stock_zh_a_hist`` takes six digits and serves A shares only.

    The digits alone do not say the exchange, so indices are refused by their code: Shanghai's
    000xxx (000300.SS) would be read as a Shenzhen share (000300), Shenzhen's 399xxx are indices.
    """
    digits, exchange = _mainland(ticker, "akshare")
    shares = ("60", "68") if exchange == "SS" else ("00", "30")
    if not digits.startswith(shares):
        raise ResearchError(f"{ticker}: akshare's stock_zh_a_hist serves A shares only (Shanghai 60xxxx/68xxxx, "
                            f"Shenzhen 00xxxx/30xxxx), not indices or B shares; use --source baostock")
    return digits


def _day(value, what: str) -> date:
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        raise ResearchError(f"{what} {value!r} is not a date; write YYYY-MM-DD") from None


def _span(start, end) -> tuple[date, date]:
    """First and last day asked: the kit's ``--end`` is exclusive (as yfinance's), both Chinese
    sources take an inclusive end; no start is the exchanges' first day, no end today."""
    first = _day(start or FIRST_DAY, "--start")
    last = _day(end, "--end") - timedelta(days=1) if end is not None else date.today()
    return first, last


def _typed(values, origin: str) -> np.ndarray:
    """Strings (baostock) or numbers as floats; an empty string is missing."""
    series = pd.Series(values).replace("", np.nan)
    try:
        return pd.to_numeric(series).to_numpy(dtype="float64")
    except (TypeError, ValueError) as exc:
        raise SourceUnavailable(f"{origin}: a value is not a number ({exc})") from None


def _dates(dates, origin: str) -> pd.DatetimeIndex:
    """``2019-05-24`` strings (baostock) or ``datetime.date`` objects (akshare) as a date index."""
    try:
        return pd.DatetimeIndex(pd.to_datetime(pd.Series(dates).astype(str), format="ISO8601"), name="Date")
    except (TypeError, ValueError) as exc:
        raise SourceUnavailable(f"{origin}: a date is not a date ({exc})") from None


def _frame(dates, columns: dict[str, np.ndarray], origin: str) -> pd.DataFrame:
    """A price frame in date order (akshare's and baostock's are oldest first, but do not rely on it)."""
    index = _dates(dates, origin)
    blank = {c: np.full(len(index), np.nan) for c in COLUMNS}
    frame = pd.DataFrame(blank | columns, index=index)
    order = np.argsort(index.asi8, kind="stable")
    return frame.iloc[order]


# -- baostock ------------------------------------------------------------------------------------
def fetch_baostock(ticker: str, start=None, end=None) -> tuple[pd.DataFrame, dict]:
    """Daily prices of ``ticker`` from baostock, as traded, with ``PreClose``; returns (frame, provenance)."""
    code = baostock_code(ticker)
    first, last = _span(start, end)
    bs = library("baostock")
    origin = f"{ticker}: baostock"
    try:
        login = bs.login()
        if login.error_code != "0":
            raise SourceUnavailable(f"{origin} cannot be reached (login: {login.error_msg}, code {login.error_code})")
        try:
            result = bs.query_history_k_data_plus(code, BAOSTOCK_FIELDS, start_date=first.isoformat(),
                                                  end_date=last.isoformat(), frequency="d", adjustflag="3")
            rows = []
            while result.error_code == "0" and result.next():
                rows.append(result.get_row_data())
            if result.error_code != "0":
                raise SourceUnavailable(f"{origin} error for {code}: {result.error_msg} (code {result.error_code})")
            fields = list(result.fields)
        finally:
            bs.logout()
    except OSError as exc:  # socket errors of baostock's client
        raise SourceUnavailable(f"{origin} cannot be reached ({type(exc).__name__}: {exc})") from None
    if not rows:
        raise SourceUnavailable(f"{origin} returned no prices for {code}")
    raw = pd.DataFrame(rows, columns=fields)
    traded = raw["tradestatus"] == "1"
    st = raw.loc[traded & (raw["isST"] == "1"), "date"].tolist()
    suspended = int((~traded).sum())
    raw = raw[traded]
    if raw.empty:
        raise SourceUnavailable(f"{origin}: {code} did not trade in the dates asked")
    columns = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Volume": "volume"}
    values = {k: _typed(raw[v], origin) for k, v in columns.items()} | {"PreClose": _typed(raw["preclose"], origin)}
    prices = _checked(_frame(raw["date"], values, origin), origin)
    notes = ["Close as traded (adjustflag 3); total returns from Close / PreClose - 1, PreClose being the "
             "exchange's previous close, ex-rights adjusted"]
    if suspended:
        notes.append(f"{suspended} suspended sessions (tradestatus 0) left out: missing sessions, not zero returns")
    if st:
        notes.append(f"special treatment (ST, 5 % daily limit) on {len(st)} sessions, {st[0]} .. {st[-1]}")
    return prices, {
        "source": "baostock",
        "source_path": None,
        "source_code": code,
        "retrieved_utc": utc_now(),
        "library_version": library_version(bs, "baostock"),
        "yfinance_version": None,
        "auto_adjust": None,
        "adjustment": "none: Close as traded, with the exchange's previous close (PreClose)",
        "st_dates": st,
        "notes": notes,
    }


def _checked(frame: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Validate as every source is validated (``PreClose`` included), each row named by its date."""
    return validate(frame, origin, lambda i: str(frame.index[i].date()))


# -- akshare -------------------------------------------------------------------------------------
#: ``stock_zh_a_hist``'s columns -> the store's; 成交量 is in lots (手) of 100 shares.
AKSHARE_COLUMNS = {"Open": "开盘", "High": "最高", "Low": "最低", "Close": "收盘", "Volume": "成交量"}


def fetch_akshare(ticker: str, start=None, end=None) -> tuple[pd.DataFrame, dict]:
    """Daily prices of ``ticker`` from akshare: as traded, and back-adjusted (hfq) as Adj Close."""
    symbol = akshare_code(ticker)
    first, last = _span(start, end)
    ak = library("akshare")
    origin = f"{ticker}: akshare"
    span = {"start_date": first.strftime("%Y%m%d"), "end_date": last.strftime("%Y%m%d")}
    try:
        raw = ak.stock_zh_a_hist(symbol=symbol, period="daily", adjust="", **span)
        back = ak.stock_zh_a_hist(symbol=symbol, period="daily", adjust="hfq", **span)
    except OSError as exc:  # requests' exceptions derive from OSError
        raise SourceUnavailable(f"{origin} cannot be reached ({type(exc).__name__}: {exc})") from None
    except (KeyError, TypeError, ValueError) as exc:  # East Money's answer without the expected data
        raise SourceUnavailable(f"{origin} gave no usable answer for {symbol} ({type(exc).__name__}: {exc})") from None
    if raw is None or raw.empty:
        raise SourceUnavailable(f"{origin} returned no prices for {symbol}")
    missing = [c for c in ["日期", *AKSHARE_COLUMNS.values()] if c not in raw]
    if missing:
        raise SourceUnavailable(f"{origin}: stock_zh_a_hist's frame lacks {', '.join(missing)}")
    volume = _typed(raw["成交量"], origin)
    traded = ~(volume == 0)
    suspended = int((~traded).sum())
    raw = raw[traded]
    values = {k: _typed(raw[v], origin) for k, v in AKSHARE_COLUMNS.items()}
    values["Volume"] = values["Volume"] * 100  # lots -> shares, as Yahoo counts
    prices = _frame(raw["日期"], values, origin)
    if back is not None and not back.empty and {"日期", "收盘"} <= set(back.columns):
        adjusted = pd.Series(_typed(back["收盘"], origin), index=_dates(back["日期"], origin))
        prices["Adj Close"] = adjusted[~adjusted.index.duplicated()].reindex(prices.index).to_numpy()
    prices = _checked(prices, origin)
    notes = ["Close as traded (adjust=''); Adj Close is akshare's back-adjusted close (adjust='hfq')",
             "Volume: akshare's 成交量 (lots of 100 shares) times 100"]
    if suspended:
        notes.append(f"{suspended} rows without volume (suspended) left out: missing sessions, not zero returns")
    if prices["Adj Close"].isna().any():
        notes.append(f"Adj Close is missing on {int(prices['Adj Close'].isna().sum())} days the hfq answer lacks")
    return prices, {
        "source": "akshare",
        "source_path": None,
        "source_code": symbol,
        "retrieved_utc": utc_now(),
        "library_version": library_version(ak, "akshare"),
        "yfinance_version": None,
        "auto_adjust": None,
        "adjustment": "Adj Close back-adjusted by East Money (stock_zh_a_hist adjust='hfq')",
        "notes": notes,
    }


#: ``research fetch --source``: each source's fetch function, Yahoo's in :mod:`research.prices.yahoo`.
FETCHERS = {"baostock": fetch_baostock, "akshare": fetch_akshare}
