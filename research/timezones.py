"""IANA time-zone names: the one place a zone name written by a user becomes a :class:`ZoneInfo`.

``ZoneInfo`` alone is not a validator: ``ZoneInfo("Asia")`` opens the tzdata *folder* and raises
``IsADirectoryError``, and names with a trailing newline or a path in them fail with yet other
types. A name is accepted only if it is one of the zones the installed tz database lists.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from research.errors import ResearchError


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def zone(name: str) -> ZoneInfo:
    """The zone ``name`` (e.g. ``America/New_York``); ResearchError for anything the tz database
    does not list as a zone: unknown names, folders (``Asia``), empty strings, names with spaces
    or newlines."""
    if name in _known():
        try:
            return ZoneInfo(name)
        except (OSError, ValueError):  # listed, but its file cannot be read (a broken tzdata)
            pass
    raise ResearchError(f"unknown timezone {name!r} (use an IANA zone name such as America/New_York or Asia/Shanghai)")
