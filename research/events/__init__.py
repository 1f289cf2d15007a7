"""Events: the catalogue of designations (``data/events.yaml``), day 0 on each listing's exchange,
the day-0 reaction, confounding events, and the check of the articles' numbers.

``catalogue``  the file, validated, as :class:`Event` objects
``alignment``  announcement time -> calendar day 0 -> first traded day; event time; confounders
``reaction``   a day's return and its overnight/intraday split; price-limit hits
``claims``     the articles' numbers against the prices
``commands``   ``research events``, ``research align``, ``research claims``
"""

from research.events.alignment import (DATE_ONLY_RULES, DEFAULT_DATE_ONLY_RULE, DEFAULT_WINDOW, align_event,
                                       align_listing, alignment_table, calendar_day0, confounder_table,
                                       day0_table, session_at_or_after)
from research.events.catalogue import Announcement, Catalogue, Claim, Event, Listing, load_catalogue
from research.events.claims import check_claims, claims_table

__all__ = ["Announcement", "Catalogue", "Claim", "DATE_ONLY_RULES", "DEFAULT_DATE_ONLY_RULE", "DEFAULT_WINDOW",
           "Event", "Listing", "align_event", "align_listing", "alignment_table", "calendar_day0",
           "check_claims", "claims_table", "confounder_table", "day0_table", "load_catalogue",
           "session_at_or_after"]
