"""Exchange trading calendars (``exchange_calendars``), one place for every session question.

Shenzhen (XSHE) has no calendar of its own in ``exchange_calendars``: it shares the mainland
holiday calendar, so it uses Shanghai's (XSHG); ``tests/test_calendars.py`` checks that the
Shenzhen index's trading days match it. Nasdaq (XNAS) is an alias of the NYSE calendar.
"""

from __future__ import annotations

import pickle
import warnings
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

from research import config
from research.errors import ResearchError
from research.files import write_text

#: The ``exchange_calendars`` calendar used for each exchange's MIC.
CALENDAR_OF = {"XSHE": "XSHG", "XSHG": "XSHG", "XHKG": "XHKG", "XNYS": "XNYS", "XNAS": "XNYS"}

#: First session each calendar is instantiated from: early enough for every series we hold.
_START = {"XSHG": "1991-01-02", "XHKG": "1986-01-02", "XNYS": "1885-02-16"}


@lru_cache(maxsize=None)
def get_calendar(mic: str) -> xcals.ExchangeCalendar:
    """The trading calendar of exchange ``mic`` (ISO 10383), covering all the years it records.

    Building one takes about a second (NYSE's runs from 1885), so each is built once a month and
    kept in the cache folder (:func:`research.config.cache_dir`) under a name that holds the
    versions of exchange_calendars and pandas: a new version builds anew, and a file that cannot
    be read (cut short, another format) is rebuilt, never an error.
    """
    try:
        name = CALENDAR_OF[mic]
    except KeyError:
        raise ResearchError(f"no trading calendar for exchange {mic!r} (known: {', '.join(CALENDAR_OF)})") from None
    if name != mic:         # Shenzhen, Nasdaq: the calendar they share, read from disk once
        return get_calendar(name)
    month = pd.Timestamp.today().normalize().replace(day=1)
    path = config.cache_dir() / "calendars" / (f"{name}-{_START[name]}-{month:%Y-%m}-xcals{xcals.__version__}"
                                                f"-pandas{pd.__version__}.pickle")
    try:
        with open(path, "rb") as handle:
            cal = pickle.load(handle)
        if isinstance(cal, xcals.ExchangeCalendar) and cal.name == name:
            return cal
    except Exception:       # missing, cut short or unreadable: any of a dozen errors, all mean rebuild
        pass
    cal = _build(name, month)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, pickle.dumps(cal, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, ResearchError):
        pass                # a read-only cache costs time, not correctness
    return cal


def _build(name: str, month: pd.Timestamp) -> xcals.ExchangeCalendar:
    """Calendar ``name`` from :data:`_START` to its bound, or to 13 months after ``month``'s first
    day (at least a year ahead, the same all month so that the cached one is the one built)."""
    with warnings.catch_warnings():
        # exchange_calendars 4.x builds its tables with an API pandas 3.1 deprecates; not ours to fix.
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        cls = type(xcals.get_calendar(name))
        end = cls.bound_max() if cls.bound_max() is not None else month + pd.DateOffset(months=13)
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
