"""The engine's input checks: what :func:`~research.study.engine.event_study` accepts, refused with
a message that names the column, the date, the event or the window.

Frames of returns (dates x columns, numeric, no duplicates, returns and not price levels), the
market, the events (``event_id, ticker, day0[, role]`` or a mapping ticker -> date), and the
windows, resolved to relative trading days on each listing's observation clock (a window
beyond the data is refused; a day 0 moved to the next observation is noted).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.study.windows import window_label


def as_frame(frame, what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ResearchError(f"{what} must be a DataFrame of dates x columns, not {type(frame).__name__}")
    frame = frame.infer_objects()
    frame.index = _as_dates(frame.index, what)
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise ResearchError(f"{what} has the column {dup!r} more than once")
    kinds = {dt: pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt)
             for dt in set(frame.dtypes)}
    bad = [c for c, dt in zip(frame.columns, frame.dtypes) if not kinds[dt]]
    if bad:
        raise ResearchError(f"{what} column(s) {', '.join(map(repr, bad[:5]))} are not numeric "
                            f"(dtype {frame[bad[0]].dtype}); convert them with pd.to_numeric")
    return frame      # values are checked once aligned on the common dates (check_returns)


#: A column whose median absolute value exceeds this holds price levels, not returns. The
#: median absolute daily return of a listing is about 0.01 (1 %) and hardly reaches 0.1 even for
#: the most volatile; a median move of 20 % a day is not a return series.
PRICE_LEVEL_MEDIAN = 0.2
#: A column of at least this many values, every one positive, holds price levels whatever their
#: scale: the chance that 20 daily returns are all gains is below one in a million.
MIN_SIGNED = 20
#: The largest absolute daily return accepted (10,000 %, simple or log): beyond it the number is
#: a data error (an unadjusted split, a price in the wrong unit), and compounding it overflows.
MAX_ABS_RETURN = 100.0


def check_returns(values: np.ndarray, names, axis, what: str, return_kind: str) -> None:
    """Refuse returns that cannot be daily returns, naming the column and the date.

    ``values`` (dates x columns, NaN = no return) must be finite; a column must not look like
    price levels (median ``|r|`` above :data:`PRICE_LEVEL_MEDIAN`, or :data:`MIN_SIGNED` values or
    more and all positive); simple returns must be
    above -1 (-100 %); no return may exceed :data:`MAX_ABS_RETURN` in absolute value.
    ``names`` are the column names (None: one unnamed column, the market Series).
    """
    check_finite(values, names, axis, what)
    absolute = np.abs(values)
    # a median above the limit needs at least half the column above it: the median is taken of
    # those columns only (a per-column median of a wide panel costs seconds)
    with np.errstate(invalid="ignore"):
        suspect = np.flatnonzero(2 * (absolute > PRICE_LEVEL_MEDIAN).sum(axis=0) >= (~np.isnan(values)).sum(axis=0))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # an all-NaN column has no median
        median = np.full(values.shape[1] if values.ndim > 1 else 1, np.nan)
        median[suspect] = np.nanmedian(absolute.reshape(len(absolute), -1)[:, suspect], axis=0)
    for c in np.flatnonzero(median > PRICE_LEVEL_MEDIAN):
        raise ResearchError(
            f"the values of {what}{_of(names, c)} look like price levels, not returns: their median absolute value is "
            f"{median[c]:.4g}, where a daily return's is about 0.01 (any median above {PRICE_LEVEL_MEDIAN} is "
            f"refused); pass returns, e.g. prices.pct_change()")
    count, positive = np.sum(~np.isnan(values), axis=0), np.sum(values > 0, axis=0)
    for c in np.flatnonzero((count >= MIN_SIGNED) & (positive == count)):  # a penny stock's prices: 0.05
        raise ResearchError(
            f"the values of {what}{_of(names, c)} look like price levels, not returns: all {count[c]} are positive, "
            f"where about half of a stock's daily returns are negative; pass returns, e.g. prices.pct_change()")
    if return_kind == "simple":
        bad = values <= -1
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ResearchError(f"{what}{_of(names, c)} on {axis[r].date()} is {values[r, c]:g}: a simple "
                                f"return cannot be -100% or less (log returns? pass return_kind='log')")
    big = np.abs(values) > MAX_ABS_RETURN
    if big.any():
        r, c = np.argwhere(big)[0]
        raise ResearchError(f"{what}{_of(names, c)} on {axis[r].date()} is {values[r, c]:g}: not a daily return "
                            f"(more than {MAX_ABS_RETURN:g} in absolute value); correct the data")


def check_benchmark_zones(market, tickers, exchanges: Mapping[str, str] | None) -> None:
    """Warn when one benchmark Series is applied to listings on exchanges in different time zones.

    A day's benchmark return is measured up to its own exchange's close; for a listing whose
    exchange closes hours earlier or later (a Shenzhen stock against the S&P 500, Ambarella against
    the CSI 300) the two days hold different news, and the model's beta and abnormal returns are
    biased (the nonsynchronous trading of Scholes and Williams, 1977). ``exchanges`` maps tickers
    to their exchanges (ISO 10383 MIC, e.g. ``XSHE``); listings it does not name are not checked.
    """
    if not exchanges or not isinstance(market, pd.Series):
        return
    from research.calendars import get_calendar

    zones: dict[str, list[str]] = {}
    for ticker in tickers:
        if ticker in exchanges:
            try:
                tz = str(get_calendar(exchanges[ticker]).tz)
            except ResearchError as exc:
                raise ResearchError(f"exchanges[{ticker!r}]: {exc}") from None
            zones.setdefault(tz, []).append(str(ticker))
    if len(zones) > 1:
        groups = "; ".join(f"{tz}: {', '.join(t)}" for tz, t in zones.items())
        warnings.warn(f"one benchmark Series is applied to listings on exchanges in different time zones ({groups}); "
                      f"their days close at different hours, so some listings are measured against another "
                      f"day's market; pass market as a DataFrame with each listing's own benchmark",
                      UserWarning, stacklevel=3)


def check_finite(values: np.ndarray, names, axis, what: str) -> None:
    """Refuse an infinite value (NaN stays: a day without a return), naming column and date."""
    inf = np.isinf(values)
    if inf.any():
        r, c = np.argwhere(inf)[0]
        raise ResearchError(f"{what}{_of(names, c)} is infinite on {axis[r].date()}")


def _of(names, c) -> str:
    return f" of {names[c]!r}" if names else ""


def check_seed(seed) -> None:
    """NumPy seeds its generators with non-negative integers; any other seed is refused here,
    before anything is computed, rather than deep inside the bootstrap."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ResearchError(f"seed must be a non-negative integer, not {seed!r}")


def check_own_benchmark(R: np.ndarray, M: np.ndarray, bench_of: np.ndarray, tickers) -> None:
    """Refuse a listing whose benchmark is its own return series.

    Its abnormal returns would be zero up to rounding, with a spuriously tiny variance
    (CAR -0.000000 and t = -4.94 were seen): the benchmark must be a market index. A series is
    taken as the listing's own when both have at least two common returns and agree exactly on
    every one of them.
    """
    bench = M[:, bench_of] if M.shape[1] > 1 else M          # (D, S), or (D, 1) broadcast
    both = ~np.isnan(R) & ~np.isnan(bench)
    common = both.sum(axis=0)
    own = (common >= 2) & ((R == bench) | ~both).all(axis=0)   # all at once: a loop costs seconds at 50,000
    for j in np.flatnonzero(own):
        raise ResearchError(f"the benchmark of {tickers[j]!r} is its own return series (equal on all "
                            f"{int(common[j])} common days): its abnormal returns would be 0 by construction; give "
                            f"a market index as its benchmark")


def check_reach(windows, event_window, asked, obs, axis, sec, pos0, placed, day0, events) -> list[str]:
    """Refuse windows beyond the data; return notes on what was adjusted to the data.

    A window (or the event window) is refused when it reaches further from day 0 than the data
    do for every listing-event: no listing can fill it, and cutting it silently would report a
    shorter window under the longer one's label. The notes name each listing-event whose day 0
    has no observation (it moves to the listing's next one: a weekend, a holiday, a suspension)
    and each whose observations stop inside the event window (its CARs use the observed days).
    """
    idx = np.flatnonzero(placed)
    d0_row = obs.row[obs.start[sec[idx]] + pos0[idx]]        # axis row of each listing-event's day 0
    after = len(axis) - 1 - int(d0_row.min())                # most sessions after any day 0
    before = int(d0_row.max())                               # most sessions before any day 0
    checks = [("window", w) for w in windows] + ([("event_window", event_window)] if asked else [])
    for what, (a, b) in checks:
        if b > after or a < -before:
            side = (f"the data end on {axis[-1].date()}, {after} dates after the earliest day 0"
                    if b > after else f"the data start on {axis[0].date()}, {before} dates before the latest day 0")
            raise ResearchError(f"{what} {window_label((a, b))} reaches beyond the data: {side}; shorten it "
                                f"(the event window is {window_label(event_window)})")
    notes = []
    moved = np.flatnonzero(axis[d0_row] != day0[idx])
    for k in moved:
        i = idx[k]
        asked_day, found = day0[i], axis[d0_row[k]]
        notes.append(f"event {events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r}: day 0 "
                     f"{asked_day.date()} ({asked_day:%a}) has no observation; day 0 is the next, "
                     f"{found.date()} ({found:%a})")
    last = obs.nobs[sec[idx]] - 1 - pos0[idx]
    for k in np.flatnonzero((last < event_window[1]) | (pos0[idx] < -event_window[0])):
        i = idx[k]
        # within the event window: the panel before and after the windows may be cut (engine.CUT_WORTH)
        first, to = max(-int(pos0[i]), event_window[0]), min(int(last[k]), event_window[1])
        notes.append(f"event {events['event_id'].iloc[i]!r}, {events['ticker'].iloc[i]!r}: the listing's "
                     f"observations cover relative days {first} to {to}, not all of the event "
                     f"window {window_label(event_window)}; its CARs use the observed days")
    return notes


def _as_dates(index, what: str) -> pd.DatetimeIndex:
    try:
        idx = pd.DatetimeIndex(index)
    except (TypeError, ValueError):
        raise ResearchError(f"{what} must be indexed by dates (a DatetimeIndex)") from None
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    if idx.hasnans:
        raise ResearchError(f"{what} has a missing date in its index")
    if idx.has_duplicates:
        raise ResearchError(f"{what} has the date {idx[idx.duplicated()][0].date()} more than once")
    if not idx.is_monotonic_increasing:
        raise ResearchError(f"{what} dates are not in increasing order")
    return idx.normalize() if (idx != idx.normalize()).any() else idx


def as_market(market, tickers) -> pd.Series | pd.DataFrame:
    if isinstance(market, pd.Series):
        if not pd.api.types.is_numeric_dtype(market) or pd.api.types.is_bool_dtype(market):
            raise ResearchError(f"market must hold numbers, not dtype {market.dtype}")
        m = market.copy(deep=False)
        m.index = _as_dates(m.index, "market")
        return m
    if isinstance(market, pd.DataFrame):
        missing = [t for t in tickers if t not in market.columns]
        if missing:
            raise ResearchError(f"market has no benchmark column for ticker(s) {', '.join(map(repr, missing))}; "
                                f"give one column per ticker, or a Series for one benchmark")
        return as_frame(market[tickers], "market")
    raise ResearchError(f"market must be a Series or a DataFrame, not {type(market).__name__}")


def as_events(events) -> pd.DataFrame:
    if isinstance(events, Mapping):
        rows = []
        for ticker, day in events.items():
            stamp = _timestamp(day, f"events[{ticker!r}]")
            rows.append((str(stamp.date()), ticker, stamp, ""))
        frame = pd.DataFrame(rows, columns=["event_id", "ticker", "day0", "role"])
    elif isinstance(events, pd.DataFrame):
        need = [c for c in ("event_id", "ticker", "day0") if c not in events.columns]
        if need:
            raise ResearchError(f"events has no column(s) {', '.join(need)} (needs event_id, ticker, day0; "
                                f"role optional)")
        frame = events[["event_id", "ticker", "day0"]].reset_index(drop=True)
        frame["role"] = (events["role"].fillna("").astype(str).to_numpy() if "role" in events.columns else "")
        blank = frame["event_id"].isna() | frame["ticker"].isna()
        blank |= frame["ticker"].astype(str).str.strip() == ""
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise ResearchError(f"events row {i}: event_id and ticker must be filled (found "
                                f"{frame['event_id'].iloc[i]!r}, {frame['ticker'].iloc[i]!r})")
        day0 = frame["day0"]
        if not pd.api.types.is_datetime64_any_dtype(day0):
            try:
                day0 = pd.to_datetime(day0, errors="coerce", format="mixed")
            except (TypeError, ValueError):
                day0 = pd.Series([pd.NaT] * len(frame))
        else:
            day0 = pd.Series(day0)
        if getattr(day0.dt, "tz", None) is not None:
            day0 = day0.dt.tz_localize(None)
        if day0.isna().any():
            i = int(np.flatnonzero(day0.isna().to_numpy())[0])
            _timestamp(frame["day0"].iloc[i], f"events row {i} (event {frame['event_id'].iloc[i]!r}, "
                                              f"{frame['ticker'].iloc[i]!r}) day0")
        frame["day0"] = day0.dt.normalize().to_numpy()
    else:
        raise ResearchError(f"events must be a DataFrame (event_id, ticker, day0[, role]) or a mapping "
                            f"ticker -> date, not {type(events).__name__}")
    if frame.empty:
        raise ResearchError("events is empty")
    dup = frame.duplicated(["event_id", "ticker"])
    if dup.any():
        r = frame[dup].iloc[0]
        raise ResearchError(f"event {r.event_id!r} names ticker {r.ticker!r} more than once")
    frame["day0"] = pd.DatetimeIndex(frame["day0"])
    return frame.reset_index(drop=True)


def _timestamp(value, what):
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ResearchError(f"{what}: cannot read {value!r} as a date") from None
    if pd.isna(stamp):
        raise ResearchError(f"{what}: the date is missing")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def is_days(spec) -> bool:
    return len(spec) == 2 and is_int(spec[0]) and is_int(spec[1])


def window_spec(spec, what):
    """("days", a, b) for relative days or ("dates", t0, t1) for dates; checked."""
    if not isinstance(spec, (tuple, list)) or len(spec) != 2:
        raise ResearchError(f"{what} must be a pair (start, end), not {spec!r}")
    a, b = spec
    if is_days(spec):
        if a > b:
            raise ResearchError(f"{what} {window_label(spec)} ends before it starts")
        return "days", int(a), int(b)
    if is_int(a) or is_int(b):
        raise ResearchError(f"{what} {spec!r} mixes relative days and dates")
    t0, t1 = _timestamp(a, what), _timestamp(b, what)
    if t0 > t1:
        raise ResearchError(f"{what} ({t0.date()}, {t1.date()}) ends before it starts")
    return "dates", t0, t1


def _date_range(obs, axis, sec, pos0, t0, t1):
    """Per listing-event relative days of its first observation on/after t0 and last on/before t1."""
    lo = obs.locate(sec, np.full(len(sec), axis.searchsorted(t0, side="left"), dtype=np.int64)) - pos0
    hi = obs.locate(sec, np.full(len(sec), axis.searchsorted(t1, side="right"), dtype=np.int64),
                    side="last_before") - pos0
    return lo, hi


def common_windows(specs, what, obs, axis, sec, pos0, events):
    """Windows as relative days, the same for every listing-event (date windows are mapped)."""
    if isinstance(specs, tuple) and len(specs) == 2 and not isinstance(specs[0], (tuple, list)):
        raise ResearchError(f"{what} must be a list of (start, end) pairs, e.g. [(0, 0), (-1, 1)]")
    out = []
    for spec in specs:
        kind, a, b = window_spec(spec, what)
        if kind == "days":
            out.append((a, b))
            continue
        if len(sec) == 0:
            continue
        lo, hi = _date_range(obs, axis, sec, pos0, a, b)
        if (hi < lo).any():
            i = int(np.flatnonzero(hi < lo)[0])
            raise ResearchError(f"{what} ({a.date()}, {b.date()}) holds no trading day of "
                                f"{events['ticker'].iloc[i]!r} (event {events['event_id'].iloc[i]!r})")
        if (lo != lo[0]).any() or (hi != hi[0]).any():
            i = int(np.flatnonzero((lo != lo[0]) | (hi != hi[0]))[0])
            raise ResearchError(
                f"{what} ({a.date()}, {b.date()}) is relative days [{lo[0]}, {hi[0]}] for "
                f"{events['ticker'].iloc[0]!r} but [{lo[i]}, {hi[i]}] for {events['ticker'].iloc[i]!r} "
                f"(event {events['event_id'].iloc[i]!r}): give windows as relative trading days")
        out.append((int(lo[0]), int(hi[0])))
    return list(dict.fromkeys(out))


def estimation_ranges(spec, obs, axis, sec, pos0, placed):
    kind, a, b = window_spec(spec, "estimation")
    n = len(sec)
    if kind == "days":
        return np.full(n, a, dtype=np.int64), np.full(n, b, dtype=np.int64)
    lo = np.zeros(n, dtype=np.int64)
    hi = np.full(n, -1, dtype=np.int64)
    if placed.any():
        lo[placed], hi[placed] = _date_range(obs, axis, sec[placed], pos0[placed], a, b)
    return lo, hi
