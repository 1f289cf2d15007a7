"""Events: the catalogue of designations (``data/events.yaml``), day 0 on each listing's exchange,
the day-0 reaction, confounding events, and the check of the articles' numbers.

``catalogue``  the file, validated, as :class:`Event` objects
``announcement`` when the news came out: local time, zone, precision (read as the catalogue reads them)
``alignment``  announcement time -> calendar day 0 -> first traded day; event time; confounders
``reaction``   a day's return and its overnight/intraday split; price-limit hits
``claims``     the articles' numbers against the prices
``commands``   ``research events``, ``research align``, ``research claims``
"""

from __future__ import annotations

from importlib import import_module

#: Each public name and its module, loaded on first use: the command line imports
#: ``research.events.commands`` to list its commands without the calendars or the catalogue.
_HOMES = {
    **dict.fromkeys(["DATE_ONLY_RULES", "DEFAULT_DATE_ONLY_RULE", "DEFAULT_WINDOW", "align_event", "align_listing",
                     "alignment_table", "calendar_day0", "confounder_table", "day0_table", "event_day0",
                     "session_at_or_after"],
                    "alignment"),
    **dict.fromkeys(["Announcement", "parse_announcement"], "announcement"),
    **dict.fromkeys(["Catalogue", "Claim", "Event", "Listing", "load_catalogue"], "catalogue"),
    **dict.fromkeys(["check_claims", "claims_table"], "claims"),
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"research.events.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
