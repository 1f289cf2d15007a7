"""When the news came out: an announcement's local time, zone and precision, and the span of
instants it stands for.

:func:`parse_announcement` reads the three as the catalogue writes them, by the rules
:func:`announcement_time` holds for both it and the catalogue reader
(:mod:`research.events.catalogue`), so a researcher's own announcement is read exactly as a
catalogue event's is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd

from research.calendars import covered_span, covers, get_calendar
from research.errors import ResearchError
from research.timezones import zone

#: How well the announcement time is known. Each maps to a span of possible instants.
PRECISIONS = {
    "exact": "known to the minute; `time` is that minute",
    "after_us_close": "after the New York close of `time`'s date and before the next Asian session opens "
                      "(timezone America/New_York); placed at the close (16:00, or the early close), or at "
                      "`time` when an hour after the close is given",
    "business_hours": "during local business hours (09:00-17:00 in `timezone`) of `time`'s date, hour unknown",
    "date_only": "only the date is known: any instant of that day in `timezone`",
}

_NY = "America/New_York"

#: Local business hours: the span of a ``business_hours`` announcement, whose start is also where
#: the ``business_day`` date-only rule places news known only to the date.
BUSINESS_HOURS = (time(9, 0), time(17, 0))


def _local(day: date, clock: time, tz: str, *, earliest: bool) -> pd.Timestamp:
    """``day clock`` in ``tz``. A wall time that occurs twice (DST ends) is taken at its earliest
    or latest occurrence, one that never occurs (DST starts; some zones switch at midnight) is
    moved forward to the first instant that exists: a span's bounds then still hold the news."""
    naive = pd.Timestamp(datetime.combine(day, clock))
    return naive.tz_localize(tz, ambiguous=earliest, nonexistent="shift_forward")


@dataclass(frozen=True)
class Announcement:
    """When the news came out, as precisely as it is known.

    Attributes
    ----------
    time : tz-aware Timestamp in ``timezone``; midnight of the date when only the date is known.
    timezone : IANA name of the zone ``time`` was written in.
    precision : a key of :data:`PRECISIONS`.
    note : why this time (the evidence for it).
    """

    time: pd.Timestamp
    timezone: str
    precision: str
    note: str = ""

    @property
    def date(self) -> date:
        """The announcement's calendar date in its own timezone."""
        return self.time.date()

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Earliest and latest instant (UTC) the news can have come out, given the precision.

        ``exact`` and ``after_us_close`` are one instant; ``business_hours`` is 09:00-17:00 local;
        ``date_only`` is the whole local day, its end being the next midnight.
        """
        if self.precision == "date_only":
            start = _local(self.date, time(0, 0), self.timezone, earliest=True)
            end = _local(self.date + timedelta(days=1), time(0, 0), self.timezone, earliest=False)
        elif self.precision == "business_hours":
            start = _local(self.date, BUSINESS_HOURS[0], self.timezone, earliest=True)
            end = _local(self.date, BUSINESS_HOURS[1], self.timezone, earliest=False)
        else:
            start = end = self.time
        return start.tz_convert("UTC"), end.tz_convert("UTC")

    def business_day_start(self) -> pd.Timestamp:
        """The start of local business hours on the announcement's date (UTC): the earliest instant
        the ``business_day`` date-only rule lets news known only to the date be public."""
        return _local(self.date, BUSINESS_HOURS[0], self.timezone, earliest=True).tz_convert("UTC")

    @property
    def is_span(self) -> bool:
        """True when the time is a span (date or business hours), so day 0 depends on a rule."""
        start, end = self.span()
        return start != end

    def describe(self) -> str:
        """``2019-10-07 16:00 America/New_York (after_us_close)`` for tables."""
        if self.precision in ("date_only", "business_hours"):
            when = self.date.isoformat()
        else:
            when = self.time.strftime("%Y-%m-%d %H:%M")
        return f"{when} {self.timezone} ({self.precision})"


class AnnouncementError(ResearchError):
    """A problem with an announcement's ``field`` (time or timezone)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def parse_announcement(time_text, timezone: str, precision: str = "exact", note: str = "") -> Announcement:
    """An :class:`Announcement` from its local time (``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``), IANA
    zone and precision, checked by the catalogue's own rules (no catalogue needed).

    Raises
    ------
    ResearchError
        Naming the field: an unknown zone or precision, an unparseable time, an hour missing for
        ``exact`` or given for a span, a DST gap or overlap, a time outside the calendars.
    """
    tz_name = str(timezone).strip()
    zone(tz_name)
    if precision not in PRECISIONS:
        raise ResearchError(f"announced.precision: unknown precision {precision!r} (known: {', '.join(PRECISIONS)})")
    try:
        stamp = announcement_time(str(time_text), tz_name, precision)
    except AnnouncementError as exc:
        raise ResearchError(f"announced.{exc.field}: {exc}") from None
    return Announcement(time=stamp, timezone=tz_name, precision=precision, note=note)


def announcement_time(raw: str, tz_name: str, precision: str) -> pd.Timestamp:
    """The instant a catalogue ``announced`` block stands for (midnight of the date for a span);
    the one home of the rules :func:`parse_announcement` and the catalogue reader apply."""
    day, clock = local_day(raw)
    if precision == "exact" and clock is None:
        raise AnnouncementError("time", "precision exact needs an hour (YYYY-MM-DD HH:MM)")
    if precision in ("date_only", "business_hours") and clock is not None:
        raise AnnouncementError("time", f"precision {precision} takes a date only; use precision exact if the hour "
                                      f"is known")
    if precision != "after_us_close":
        return _localize(day, clock or time(0, 0), tz_name)
    if tz_name != _NY:
        raise AnnouncementError("timezone", f"precision after_us_close is defined in {_NY} time, not {tz_name}")
    close = _ny_close(day)
    if clock is None:
        return close
    stamp = _localize(day, clock, tz_name)
    if stamp < close:
        raise AnnouncementError("time", f"{clock:%H:%M} is before the New York close ({close:%H:%M}) of {day}")
    return stamp


def local_day(raw: str) -> tuple[date, time | None]:
    parsed = parse_local(raw)
    if parsed is None:
        raise AnnouncementError("time", f"cannot parse {raw!r}: write YYYY-MM-DD or YYYY-MM-DD HH:MM, local time "
                                      f"without offset")
    if problem := outside_calendars(parsed[0]):
        raise AnnouncementError("time", problem)
    return parsed


def _localize(day: date, clock: time, tz_name: str) -> pd.Timestamp:
    """Local wall time to a tz-aware Timestamp; DST gaps and overlaps are errors, not guesses."""
    naive = pd.Timestamp(datetime.combine(day, clock))
    try:
        return naive.tz_localize(tz_name, ambiguous="raise", nonexistent="raise")
    except Exception as exc:  # pytz/zoneinfo raise different types for DST gaps and overlaps
        kind = "ambiguous (a DST overlap)" if "mbiguous" in type(exc).__name__ + str(exc) else "nonexistent (a DST gap)"
        raise AnnouncementError("time", f"{naive} is {kind} in {tz_name}; give the UTC offset's zone") from None


def parse_local(raw: str) -> tuple[date, time | None] | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (a ``T`` may replace the space); None if unparseable."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?", raw.strip())
    if not match:
        return None
    try:
        day = date.fromisoformat(match.group(1))
        clock = time(int(match.group(2)), int(match.group(3))) if match.group(2) else None
    except ValueError:
        return None
    return day, clock


def outside_calendars(day: date) -> str | None:
    """Why ``day`` cannot be placed on the trading calendars, or None."""
    if covers(day):
        return None
    first, last = covered_span()
    return (f"{day.isoformat()} is outside the dates the trading calendars cover "
            f"({first:%Y-%m-%d} to {last:%Y-%m-%d})")


def _ny_close(day: date) -> pd.Timestamp:
    """The NYSE close of ``day`` in New York time: 16:00, or the early close; 16:00 on non-sessions."""
    cal = get_calendar("XNYS")
    label = pd.Timestamp(day)
    if cal.first_session <= label <= cal.last_session and cal.is_session(label):
        return cal.session_close(label).tz_convert(_NY)
    return pd.Timestamp(datetime.combine(day, time(16, 0))).tz_localize(_NY)
