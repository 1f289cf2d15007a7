"""Alignment: from an announcement time to day 0 of each listing, in that listing's trading days.

Calendar day 0 of a listing is the first session of its exchange that *opens after* the
announcement (session open and close times from ``exchange_calendars``, lunch breaks counted as
inside the session). An announcement during a session maps to that session, flagged
``partial``: part of the day's return predates the news.

When the time is a span (``date_only``, ``business_hours``; see
:data:`research.events.catalogue.PRECISIONS`) the *date-only rule* picks the instant:

``business_day`` (default)
    the start of the business day, 09:00 local time on the date, in the announcement's own
    timezone (business hours start then too). News dated only to a US day is public no earlier
    than 09:00 New York time, so it never lands in an Asian session that closed before the US day
    began (Shanghai and Hong Kong close at 02:00-04:00 New York time). Day 0 is the first session
    that can hold the news once the source's business day has begun.
``midnight``
    the earliest instant of the span (the date's 00:00, or 09:00 for business hours): the first
    session that could contain *any* instant of the date, even one that closed before the source's
    business day began. A robustness alternative: it can only put day 0 earlier.
``next_open``
    the latest instant (the next midnight, or 17:00). Day 0 is then a session certainly after the
    news (or in progress when it came); a reaction on the date itself is missed.

Every rule's day 0 is reported (:attr:`ListingAlignment.day0_by_rule`) so the choice is visible.

Event time is counted in the listing's own traded days (the rows of its price series, from
:func:`research.prices.get_prices`): relative day 0 is the first traded day on or after calendar
day 0. When the listing was suspended on calendar day 0 (Hikvision and Dahua, 2019-10-08/09), its
day-0 return is the trade-to-trade return since the last trade, matched by the benchmark's return
over the same span. A listing without prices is aligned on its exchange's sessions and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from research.calendars import get_calendar, sessions
from research.errors import ResearchError
from research.events.catalogue import Announcement, Catalogue, Event, Listing
from research.events.reaction import DayReturn, LimitCheck, PriceBook, day_return, limit_hits, span_return
from research.securities import EXCHANGE_NAMES, Security

#: The rules for an announcement known only to a span of time (see the module docstring).
DATE_ONLY_RULES = {
    "business_day": "09:00 local on the date, the start of the source's business day; for US news 09:00 New York",
    "midnight": "the earliest instant of the span (the date's 00:00, or 09:00 for business hours)",
    "next_open": "the latest instant of the span (the date's end, or 17:00 for business hours)",
}
DEFAULT_DATE_ONLY_RULE = "business_day"

#: Relative days (the listing's traded days) searched for other catalogue events.
DEFAULT_WINDOW = (-10, 20)

#: Relative days searched for price-limit hits.
LIMIT_WINDOW = (-1, 5)


# --- calendar day 0 ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionMatch:
    """The session an instant maps to on one exchange.

    ``session`` is the session label (a tz-naive date); ``open`` and ``close`` are UTC; ``partial``
    is True when the instant falls inside the session (open <= instant < close).
    """

    session: pd.Timestamp
    open: pd.Timestamp
    close: pd.Timestamp
    partial: bool


@lru_cache(maxsize=None)
def _schedule(mic: str) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, pd.DatetimeIndex]:
    cal = get_calendar(mic)
    return cal.sessions, pd.DatetimeIndex(cal.opens), pd.DatetimeIndex(cal.closes)


def session_at_or_after(mic: str, instant: pd.Timestamp) -> SessionMatch:
    """The session of exchange ``mic`` in progress at ``instant``, else the first to open after it.

    Parameters
    ----------
    mic : exchange (ISO 10383), e.g. ``XSHE``.
    instant : a tz-aware Timestamp (any zone).

    Raises
    ------
    ResearchError
        If ``instant`` is naive, or after the last session the calendar knows.
    """
    instant = pd.Timestamp(instant)
    if instant.tzinfo is None:
        raise ResearchError(f"announcement time {instant} has no timezone; day 0 depends on it")
    labels, opens, closes = _schedule(mic)
    i = int(closes.searchsorted(instant.tz_convert("UTC"), side="right"))  # first close after the instant
    if i >= len(labels):
        raise ResearchError(f"{instant} is after the last session ({labels[-1]:%Y-%m-%d}) of the {mic} calendar")
    return SessionMatch(labels[i], opens[i], closes[i], bool(opens[i] <= instant))


def announcement_instant(announced: Announcement, rule: str = DEFAULT_DATE_ONLY_RULE) -> pd.Timestamp:
    """The instant (UTC) day 0 is computed from: the time itself, or the instant of a span ``rule`` picks
    (see the module docstring); an exact time is never moved."""
    _check_rule(rule)
    start, end = announced.span()
    if rule == "next_open":
        return end
    if rule == "business_day" and start != end:
        return max(start, announced.business_day_start())
    return start


def calendar_day0(announced: Announcement, mic: str, rule: str = DEFAULT_DATE_ONLY_RULE) -> SessionMatch:
    """Calendar day 0 of an announcement on exchange ``mic`` (whether or not a listing traded)."""
    return session_at_or_after(mic, announcement_instant(announced, rule))


def event_day0(announced, listings, *, timezone: str | None = None, precision: str = "exact",
               date_only_rule: str = DEFAULT_DATE_ONLY_RULE, traded=None, event_id: str | None = None) -> pd.DataFrame:
    """Day 0 of one announcement on each listing's exchange, from the exchange calendars alone:
    no catalogue, no price store. The catalogue's own day 0 (:func:`day0_table`) is this function.

    Parameters
    ----------
    announced : an :class:`~research.events.catalogue.Announcement`, or the local time of the news
        as text, ``"2022-05-04"`` or ``"2022-05-04 20:15"``, read with ``timezone`` and ``precision``
        by the catalogue's rules (:func:`~research.events.announcement.parse_announcement`).
    listings : tickers of the securities registry (``002415.SZ``), exchange codes (``XSHE``), or a
        mapping from the caller's ticker to its exchange's code.
    timezone : the IANA zone of a time given as text (e.g. ``America/New_York``).
    precision : how well that time is known (a key of ``announcement.PRECISIONS``; default ``exact``).
    date_only_rule : where a span (``date_only``, ``business_hours``) puts the news (a key of
        :data:`DATE_ONLY_RULES`).
    traded : the caller's returns (a DataFrame with a column per listing) or a mapping from
        listing to its traded days; the first traded day is the first day on or after day 0 with
        a return there. Without it, the first traded day is day 0.
    event_id : the ``event_id`` column (default the announcement's local date, ``YYYY-MM-DD``).

    Returns
    -------
    DataFrame, one row per listing: ``event_id``, ``ticker`` (as given), ``exchange``, ``day0`` (the first session
    of the exchange opening after the news, or in progress then), ``partial`` (the news came during
    that session), ``first_traded_day`` (NaT when the listing has no return from day 0 on),
    ``sessions_missed`` (sessions of the exchange from day 0 before the first traded day) and
    ``day0_<rule>`` under every date-only rule. It is the ``events`` frame
    :func:`research.study.event_study` takes (concatenate the frames of several events).

    Raises
    ------
    ResearchError
        For a listing that is neither in the registry nor an exchange code, or a malformed time.

    Examples
    --------
    >>> event_day0("2019-10-07", ["002415.SZ", "AMBA"], timezone="America/New_York",
    ...            precision="after_us_close")[["ticker", "exchange", "day0"]]  # doctest: +NORMALIZE_WHITESPACE
          ticker exchange       day0
    0  002415.SZ     XSHE 2019-10-08
    1       AMBA     XNAS 2019-10-08
    """
    from research.events.announcement import Announcement, parse_announcement

    _check_rule(date_only_rule)
    if not isinstance(announced, Announcement):
        if timezone is None:
            raise ResearchError("event_day0: give the announcement's timezone (IANA, e.g. America/New_York)")
        announced = parse_announcement(announced, timezone, precision)
    rows = []
    for ticker, mic in _exchanges(listings).items():
        match, by_rule = _day0s(announced, mic, date_only_rule)
        first = _first_traded(traded, ticker, match.session) if traded is not None else match.session
        rows.append({"event_id": event_id or announced.date.isoformat(), "ticker": ticker, "exchange": mic,
                     "day0": match.session, "partial": match.partial, "first_traded_day": first,
                     "sessions_missed": None if pd.isna(first) else _sessions_missed(mic, match.session, first),
                     **{f"day0_{rule}": day for rule, day in by_rule.items()}})
    return pd.DataFrame(rows, columns=["event_id", "ticker", "exchange", "day0", "partial", "first_traded_day",
                                       "sessions_missed", *(f"day0_{rule}" for rule in DATE_ONLY_RULES)])


def _exchanges(listings) -> dict[str, str]:
    """listing -> exchange code: a mapping as given, an exchange code as itself, a ticker by the registry."""
    from research.calendars import CALENDAR_OF

    if isinstance(listings, str):
        listings = [listings]
    if isinstance(listings, dict):
        out = {str(t): str(m) for t, m in listings.items()}
    else:
        registry = None
        out = {}
        for name in listings:
            name = str(name)
            if name in CALENDAR_OF:
                out[name] = name
                continue
            if registry is None:
                from research.securities import load_registry

                registry = load_registry()
            out[name] = registry.get_security(name, context="event_day0").exchange
    for ticker, mic in out.items():
        if mic not in CALENDAR_OF:
            raise ResearchError(f"listing {ticker}: no trading calendar for exchange {mic!r} "
                                f"(known: {', '.join(CALENDAR_OF)})")
    return out


def _day0s(announced: Announcement, mic: str, rule: str) -> tuple[SessionMatch, dict[str, pd.Timestamp]]:
    """Calendar day 0 under ``rule``, and its session under every rule: what both the catalogue's
    alignment and :func:`event_day0` report."""
    return calendar_day0(announced, mic, rule), {r: calendar_day0(announced, mic, r).session for r in DATE_ONLY_RULES}


def _sessions_missed(mic: str, day0: pd.Timestamp, first_traded: pd.Timestamp) -> int:
    """Sessions of the exchange from calendar day 0 before the listing's first trade (a suspension)."""
    return len(sessions(mic, day0, first_traded)) - 1


def _first_traded(traded, ticker: str, day0: pd.Timestamp):
    """The first day on or after ``day0`` with a return of ``ticker`` in ``traded`` (NaT if none)."""
    if isinstance(traded, pd.DataFrame):
        if ticker not in traded.columns:
            raise ResearchError(f"listing {ticker} is not a column of the traded days' frame")
        days = traded[ticker].dropna().index
    else:
        if ticker not in traded:
            raise ResearchError(f"listing {ticker} has no traded days in the mapping given")
        days = traded[ticker]
        days = days.dropna().index if isinstance(days, pd.Series) else days
    clock = EventClock(ticker, pd.DatetimeIndex(days).sort_values(), True)
    i = clock.locate(day0)
    return pd.NaT if i is None else clock.days[i]


def _check_rule(rule: str) -> None:
    if rule not in DATE_ONLY_RULES:
        raise ResearchError(f"unknown date-only rule {rule!r} (known: {', '.join(DATE_ONLY_RULES)})")


# --- event time ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventClock:
    """The days event time is counted in for one listing.

    ``days`` are the listing's traded days when it has prices (``traded`` True), else its
    exchange's sessions (an approximation that ignores suspensions, said in :attr:`name`).
    """

    ticker: str
    days: pd.DatetimeIndex
    traded: bool

    @property
    def name(self) -> str:
        return "traded days" if self.traded else "exchange sessions (no prices)"

    def locate(self, day) -> int | None:
        """Position of the first clock day on or after ``day``; None past the clock's end."""
        i = int(self.days.searchsorted(pd.Timestamp(day)))
        return i if i < len(self.days) else None

    def relative_day(self, day, day0_position: int) -> int | None:
        """Relative day of ``day`` (its first clock day on or after), counting from ``day0_position``."""
        i = self.locate(day)
        return None if i is None else i - day0_position


def event_clock(security: Security, book: PriceBook) -> EventClock:
    """The listing's traded days from its prices, or its exchange's sessions when it has none."""
    prices = book.get(security.ticker)
    if prices is not None:
        return EventClock(security.ticker, pd.DatetimeIndex(prices.index), True)
    cal = get_calendar(security.exchange)
    return EventClock(security.ticker, sessions(security.exchange, cal.first_session, cal.last_session), False)


# --- one listing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Confounder:
    """Another catalogue event whose day 0 falls inside this listing-event's window."""

    event_id: str
    title: str
    relative_day: int
    date: pd.Timestamp
    names_listing: bool
    same_episode: bool
    #: the other event names this listing's firm (this line, another of its lines, or the entity)
    same_firm: bool = False

    def describe(self) -> str:
        named = ("" if self.names_listing else ", names another line of the firm" if self.same_firm
                 else ", not naming it")
        return f"{self.event_id} ({self.relative_day:+d}, {self.date:%Y-%m-%d}{named})"


@dataclass(frozen=True)
class ListingAlignment:
    """Day 0 of one (event, listing), and what happened to the listing's price around it.

    Status: ``traded`` (traded on calendar day 0), ``suspended`` (first trade later, return is
    trade-to-trade), ``no prices``, ``not yet listed`` (first trade after day 0 with no earlier
    price), ``no trade after day 0`` (series ends before it).
    """

    event_id: str
    ticker: str
    label: str
    role: str
    exchange: str
    timezone: str
    benchmark: str
    status: str
    rule: str
    announced_local: str
    calendar_day0: pd.Timestamp
    partial: bool
    day0_by_rule: dict[str, pd.Timestamp]
    clock: str
    first_traded_day: pd.Timestamp | None = None
    previous_trade: pd.Timestamp | None = None
    sessions_missed: int | None = None
    reaction: DayReturn | None = None
    benchmark_return: float = math.nan
    benchmark_dates: tuple[pd.Timestamp | None, pd.Timestamp | None] = (None, None)
    limits: LimitCheck | None = None
    confounders: tuple[Confounder, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def day0_uncertain(self) -> bool:
        """True when the date-only rules give different day 0s."""
        return len(set(self.day0_by_rule.values())) > 1

    def to_dict(self) -> dict:
        """A JSON-ready record (ISO dates, NaN as None)."""
        r = self.reaction
        return {
            "event_id": self.event_id,
            "ticker": self.ticker,
            "name": self.label,
            "role": self.role,
            "exchange": self.exchange,
            "status": self.status,
            "announced_local": self.announced_local,
            "date_only_rule": self.rule,
            "calendar_day0": _iso(self.calendar_day0),
            "partial": self.partial,
            "day0_by_rule": {k: _iso(v) for k, v in self.day0_by_rule.items()},
            "first_traded_day": _iso(self.first_traded_day),
            "previous_trade": _iso(self.previous_trade),
            "sessions_missed": self.sessions_missed,
            "return_span": r.span if r else None,
            "close_to_close": _num(r.close_to_close) if r else None,
            "close_to_open": _num(r.close_to_open) if r else None,
            "open_to_close": _num(r.open_to_close) if r else None,
            "return_basis": r.basis if r else None,
            "benchmark": self.benchmark,
            "benchmark_return": _num(self.benchmark_return),
            "benchmark_from": _iso(self.benchmark_dates[0]),
            "benchmark_to": _iso(self.benchmark_dates[1]),
            "price_limit_hits": None if self.limits is None or not self.limits.limited else [
                {"relative_day": h.relative_day, "date": _iso(h.date), "return": h.ret, "limit": h.limit}
                for h in self.limits.hits],
            "confounders": [{"event_id": c.event_id, "relative_day": c.relative_day, "date": _iso(c.date),
                             "names_listing": c.names_listing, "same_episode": c.same_episode}
                            for c in self.confounders],
            "clock": self.clock,
            "notes": list(self.notes),
        }


def align_listing(catalogue: Catalogue, event: Event, listing: Listing, *,
                  date_only_rule: str = DEFAULT_DATE_ONLY_RULE, window: tuple[int, int] = DEFAULT_WINDOW,
                  book: PriceBook | None = None) -> ListingAlignment:
    """Align one listing of ``event``: calendar day 0, first traded day, reaction, limits, confounders.

    Parameters
    ----------
    catalogue : the catalogue ``event`` belongs to (its registry and the other events).
    date_only_rule : a key of :data:`DATE_ONLY_RULES`.
    window : relative days (first, last) searched for confounding events.
    book : prices already read, shared between calls; a fresh one by default.
    """
    _check_rule(date_only_rule)
    first, last = _check_window(window)
    book = book or PriceBook()
    sec = catalogue.registry.get_security(listing.ticker, context=f"event {event.id}")
    match, by_rule = _day0s(event.announced, sec.exchange, date_only_rule)
    clock = event_clock(sec, book)
    base = dict(event_id=event.id, ticker=sec.ticker, label=sec.label, role=listing.role, exchange=sec.exchange,
                timezone=sec.timezone, benchmark=sec.benchmark, rule=date_only_rule,
                announced_local=_local_text(event.announced, sec.timezone),
                calendar_day0=match.session, partial=match.partial, day0_by_rule=by_rule, clock=clock.name)
    notes = [listing.note] if listing.note else []
    if event.announced.is_span and len(set(by_rule.values())) > 1:
        notes.append("day 0 depends on the date-only rule: "
                     + ", ".join(f"{k} {v:%Y-%m-%d}" for k, v in by_rule.items()))

    prices = book.get(sec.ticker)
    if prices is None:
        notes.append(book.why_missing(sec.ticker).splitlines()[0])
        day0_pos = clock.locate(match.session)
        return ListingAlignment(status="no prices", notes=tuple(notes),
                                confounders=_confounders(catalogue, event, listing, sec, clock, day0_pos, first, last, date_only_rule),
                                **base)
    pos = clock.locate(match.session)
    if pos is None:
        notes.append(f"{sec.ticker}'s prices end {prices.index[-1]:%Y-%m-%d}, before calendar day 0")
        return ListingAlignment(status="no trade after day 0", notes=tuple(notes), **base)
    first_traded = clock.days[pos]
    if pos == 0:
        notes.append(f"{sec.ticker} has no price before {first_traded:%Y-%m-%d} (listing starts after calendar day 0): "
                     f"no day-0 return, no estimation window before the event")
        return ListingAlignment(status="not yet listed", first_traded_day=first_traded, notes=tuple(notes),
                                confounders=_confounders(catalogue, event, listing, sec, clock, pos, first, last, date_only_rule),
                                **base)
    previous = clock.days[pos - 1]
    missed = _sessions_missed(sec.exchange, match.session, first_traded)
    reaction = day_return(prices, first_traded, sec.exchange)
    if missed:
        notes.append(f"no trade from {match.session:%Y-%m-%d} for {missed} session(s): the day-0 return is "
                     f"trade-to-trade from {previous:%Y-%m-%d} ({reaction.span} sessions), benchmark over the same span")
    bench_ret, bench_dates = math.nan, (None, None)
    bench_prices = book.get(sec.benchmark)
    if bench_prices is None:
        notes.append(f"benchmark {sec.benchmark}: {book.why_missing(sec.benchmark).splitlines()[0]}")
    else:
        bench_ret, *bench_dates = span_return(bench_prices, previous, first_traded)
        if bench_dates[1] is not None and (bench_dates[0] != previous or bench_dates[1] != first_traded):
            notes.append(f"benchmark {sec.benchmark} has no close on every end of the span: used "
                         f"{bench_dates[0]:%Y-%m-%d}..{bench_dates[1]:%Y-%m-%d}")
    limits = limit_hits(book.returns(sec.ticker), first_traded, sec.price_limit, *LIMIT_WINDOW)
    return ListingAlignment(
        status="suspended" if missed else "traded", first_traded_day=first_traded, previous_trade=previous,
        sessions_missed=missed, reaction=reaction, benchmark_return=bench_ret, benchmark_dates=tuple(bench_dates),
        limits=limits, confounders=_confounders(catalogue, event, listing, sec, clock, pos, first, last, date_only_rule),
        notes=tuple(notes), **base)


def align_event(catalogue: Catalogue, event_id: str, *, date_only_rule: str = DEFAULT_DATE_ONLY_RULE,
                window: tuple[int, int] = DEFAULT_WINDOW, book: PriceBook | None = None) -> list[ListingAlignment]:
    """Align every listing of event ``event_id`` (see :func:`align_listing`)."""
    event = catalogue[event_id]
    book = book or PriceBook()
    return [align_listing(catalogue, event, listing, date_only_rule=date_only_rule, window=window, book=book)
            for listing in event.listings]


def alignment_table(alignments: list[ListingAlignment]) -> pd.DataFrame:
    """The alignment of an event's listings as a table (returns in %), for printing."""
    rows = []
    for a in alignments:
        r = a.reaction
        rows.append({
            "event": a.event_id,
            "ticker": a.ticker,
            "role": a.role,
            "exchange": a.exchange,
            "status": a.status,
            "announced (local)": a.announced_local,
            "cal. day 0": _day(a.calendar_day0) + (" (partial)" if a.partial else ""),
            "by rule": " / ".join(f"{k}: {_day(v)}" for k, v in a.day0_by_rule.items()) if a.day0_uncertain else "same",
            "first traded": _day(a.first_traded_day),
            "missed": "" if a.sessions_missed is None else a.sessions_missed,
            "span": r.span if r else "",
            "R day0 %": _pct(r.close_to_close) if r else "",
            "gap %": _pct(r.close_to_open) if r else "",
            "intraday %": _pct(r.open_to_close) if r else "",
            "benchmark": a.benchmark,
            "R bench %": _pct(a.benchmark_return),
            "limit hits [-1,+5]": a.limits.describe() if a.limits else "",
            "confounders": "; ".join(c.describe() for c in a.confounders) or "none",
        })
    return pd.DataFrame(rows)


def day0_table(catalogue: Catalogue, event_ids=None, *,
               date_only_rule: str = DEFAULT_DATE_ONLY_RULE) -> pd.DataFrame:
    """Calendar day 0 of every (event, listing), from the calendars alone (no prices read).

    The frame :func:`research.study.engine.event_study` takes as ``events`` (it maps ``day0`` to
    each listing's first observation on or after it). Columns: ``event_id, episode, ticker, role,
    exchange, day0, partial`` and ``day0_<rule>`` for every date-only rule.
    Listings without prices (CHA, CHU) are included: drop them before a study, e.g. by
    the tickers of the returns frame.
    """
    _check_rule(date_only_rule)
    ids = list(catalogue) if event_ids is None else [catalogue[e].id for e in event_ids]
    columns = ["event_id", "episode", "ticker", "role", "exchange", "day0", "partial",
               *(f"day0_{rule}" for rule in DATE_ONLY_RULES)]
    frames = []
    for event_id in ids:
        event = catalogue[event_id]
        exchanges = {x.ticker: catalogue.registry.get_security(x.ticker, context=f"event {event.id}").exchange
                     for x in event.listings}
        frame = event_day0(event.announced, exchanges, date_only_rule=date_only_rule)  # the one rule of day 0
        frames.append(frame.assign(event_id=event.id, episode=event.episode,
                                   role=[x.role for x in event.listings])[columns])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def calendar_table(catalogue: Catalogue, events=None, *,
                   date_only_rule: str = DEFAULT_DATE_ONLY_RULE) -> pd.DataFrame:
    """Calendar day 0 of every event on every exchange of the registry, from the calendars alone.

    One row per event (``events``: Event objects or ids, default all): ``event_id, announced,
    programme``, one column per exchange MIC with the session that is day 0 there, whether or not
    the event names a listing on it, and ``partial``: the MICs where the announcement fell inside
    that session (day 0 is then the announcement's own session, as for the listings).
    """
    _check_rule(date_only_rule)
    order = list(EXCHANGE_NAMES)
    mics = sorted({sec.exchange for sec in catalogue.registry.values()},
                  key=lambda mic: (order.index(mic) if mic in order else len(order), mic))
    rows = []
    for event in (catalogue.values() if events is None else events):
        event = catalogue[event] if isinstance(event, str) else event
        matches = {mic: calendar_day0(event.announced, mic, date_only_rule) for mic in mics}
        rows.append({"event_id": event.id, "announced": event.announced.describe(), "programme": event.programme,
                     **{mic: m.session for mic, m in matches.items()},
                     "partial": ", ".join(mic for mic, m in matches.items() if m.partial)})
    return pd.DataFrame(rows, columns=["event_id", "announced", "programme", *mics, "partial"])


def confounder_table(catalogue: Catalogue, *, date_only_rule: str = DEFAULT_DATE_ONLY_RULE,
                     window: tuple[int, int] = DEFAULT_WINDOW, book: PriceBook | None = None) -> pd.DataFrame:
    """Every (event, listing, confounding event) of the catalogue, one row each, for notebooks.

    Columns: ``event_id, ticker, role, confounder, relative_day, date, names_listing, same_episode,
    same_firm``.
    """
    _check_rule(date_only_rule)
    first, last = _check_window(window)
    book = book or PriceBook()
    rows = []
    for event in catalogue.values():
        for listing in event.listings:
            sec = catalogue.registry.get_security(listing.ticker, context=f"event {event.id}")
            clock = event_clock(sec, book)
            pos = clock.locate(calendar_day0(event.announced, sec.exchange, date_only_rule).session)
            for c in _confounders(catalogue, event, listing, sec, clock, pos, first, last, date_only_rule):
                rows.append({"event_id": event.id, "ticker": sec.ticker, "role": listing.role,
                             "confounder": c.event_id, "relative_day": c.relative_day, "date": c.date,
                             "names_listing": c.names_listing, "same_episode": c.same_episode,
                             "same_firm": c.same_firm})
    return pd.DataFrame(rows, columns=["event_id", "ticker", "role", "confounder", "relative_day", "date",
                                       "names_listing", "same_episode", "same_firm"])


def _confounders(catalogue: Catalogue, event: Event, listing: Listing, sec: Security, clock: EventClock,
                 day0_pos: int | None, first: int, last: int, rule: str) -> tuple[Confounder, ...]:
    """Other events whose day 0 on this listing's clock is within relative days first..last.

    Every other event counts, whether or not it names this listing (market-wide news such as the
    HFCAA additions confounds a study of Hikvision); ``names_listing`` says which is which, and
    ``same_firm`` whether it names the listing's firm at all (this line, another line of it, as
    China Mobile's ADR and Hong Kong line, or the entity without a listing).
    """
    if day0_pos is None:
        return ()
    found = []
    for other in catalogue.values():
        if other.id == event.id:
            continue
        day = calendar_day0(other.announced, sec.exchange, rule).session
        rel = clock.relative_day(day, day0_pos)
        if rel is None or not first <= rel <= last:
            continue
        if clock.locate(day) == 0 and day < clock.days[0]:
            continue  # before the listing's first trade
        found.append(Confounder(other.id, other.title, rel, clock.days[day0_pos + rel],
                                sec.ticker in other.tickers, other.episode == event.episode,
                                _names_firm(other, sec.ticker, listing.entity)))
    return tuple(sorted(found, key=lambda c: (c.relative_day, c.event_id)))


def _names_firm(event: Event, ticker: str, entity: str) -> bool:
    """Whether ``event`` names the firm of the listing (``ticker``, whose firm is ``entity``)."""
    firm = entity.casefold()
    return (ticker in event.tickers or any(x.entity.casefold() == firm for x in event.listings)
            or any(e.casefold() == firm for e in event.entities))


def _check_window(window) -> tuple[int, int]:
    try:
        first, last = (int(x) for x in window)
    except (TypeError, ValueError):
        raise ResearchError(f"event window must be two relative days (first, last), not {window!r}") from None
    if first > 0 or last < 0:
        raise ResearchError(f"event window [{first}, {last}] must contain day 0")
    return first, last


def _local_text(announced: Announcement, tz: str) -> str:
    start, end = announced.span()
    fmt = "%Y-%m-%d %H:%M %Z"
    if start == end:
        return start.tz_convert(tz).strftime(fmt)
    return f"{start.tz_convert(tz).strftime(fmt)} .. {end.tz_convert(tz).strftime(fmt)}"


def _iso(day) -> str | None:
    return None if day is None or pd.isna(day) else pd.Timestamp(day).date().isoformat()


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _day(day) -> str:
    return "" if day is None else f"{pd.Timestamp(day):%Y-%m-%d}"


def _pct(x) -> str:
    return "" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:+.2f}"
