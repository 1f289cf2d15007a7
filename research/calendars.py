"""Exchange trading calendars (``exchange_calendars``), one place for every session question.

Shenzhen (XSHE) has no calendar of its own in ``exchange_calendars``: it shares the mainland
holiday calendar, so it uses Shanghai's (XSHG); ``tests/test_calendars.py`` checks that the
Shenzhen index's trading days match it. Nasdaq (XNAS) is an alias of the NYSE calendar.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

from research.errors import ResearchError

#: The ``exchange_calendars`` calendar used for each exchange's MIC.
CALENDAR_OF = {"XSHE": "XSHG", "XSHG": "XSHG", "XHKG": "XHKG", "XNYS": "XNYS", "XNAS": "XNYS"}

#: First session each calendar is instantiated from: early enough for every series we hold.
_START = {"XSHG": "1991-01-02", "XHKG": "1986-01-02", "XNYS": "1885-02-16"}


@lru_cache(maxsize=None)
def get_calendar(mic: str) -> xcals.ExchangeCalendar:
    """The trading calendar of exchange ``mic`` (ISO 10383), covering all the years it records."""
    try:
        name = CALENDAR_OF[mic]
    except KeyError:
        raise ResearchError(f"no trading calendar for exchange {mic!r} (known: {', '.join(CALENDAR_OF)})") from None
    with warnings.catch_warnings():
        # exchange_calendars 4.x builds its tables with an API pandas 3.1 deprecates; not ours to fix.
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        cls = type(xcals.get_calendar(name))
        end = cls.bound_max() if cls.bound_max() is not None else pd.Timestamp.today().normalize() + pd.DateOffset(years=1)
        return xcals.get_calendar(name, start=_START[name], end=end)


def sessions(mic: str, start, end) -> pd.DatetimeIndex:
    """Sessions of ``mic`` from ``start`` to ``end`` inclusive, clipped to the calendar's range."""
    cal = get_calendar(mic)
    start = max(pd.Timestamp(start), cal.first_session)
    end = min(pd.Timestamp(end), cal.last_session)
    if start > end:
        return pd.DatetimeIndex([])
    return cal.sessions_in_range(start, end)


def covered_span() -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and the last session of the kit's calendars taken together: the dates an event
    can be placed on (well inside the years a pandas Timestamp holds, 1677-2262)."""
    calendars = [get_calendar(mic) for mic in sorted(set(CALENDAR_OF.values()))]
    return min(c.first_session for c in calendars), max(c.last_session for c in calendars)


#: Days from here to today are inside :func:`covered_span` whatever the calendars' exact bounds
#: (every calendar starts before it, NYSE's runs past today), so :func:`covers` answers for them
#: without building a calendar (a few hundred milliseconds each).
SURELY_COVERED_FROM = pd.Timestamp("1992-01-01")


def covers(day) -> bool:
    """Whether ``day`` lies inside :func:`covered_span`, the calendars built only for days before
    :data:`SURELY_COVERED_FROM` or after today."""
    day = pd.Timestamp(day)
    if SURELY_COVERED_FROM <= day <= pd.Timestamp.today().normalize():
        return True
    first, last = covered_span()
    return first <= day <= last
