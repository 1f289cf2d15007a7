"""Choosing events from the catalogue: by programme, date, listing or firm, and a firm's
designation history.

A firm is matched by name or ticker, case-insensitively, against what each event names: its
``entities``, its listings' ``entity`` and ticker, and the registry's English and Chinese names of
those listings. ``SMIC``, ``Semiconductor Manufacturing``, ``中芯`` and ``0981.HK`` all find
the events that named SMIC; a study can then exclude or mark a firm's earlier designations.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from research.errors import ResearchError
from research.events.catalogue import PROGRAMMES, Catalogue, Event


@dataclass(frozen=True)
class Selection:
    """What to keep; every criterion given must hold (None: any)."""

    programmes: tuple[str, ...] | None = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    ticker: str | None = None
    firm: str | None = None

    @classmethod
    def parse(cls, programmes: Iterable[str] | None = None, start: str | None = None, end: str | None = None,
              ticker: str | None = None, firm: str | None = None) -> "Selection":
        """From the command line's text: ``start`` and ``end`` are a year (``2020``), a month
        (``2020-06``) or a date; ``end`` includes the whole year, month or day it names."""
        progs = tuple(programmes) if programmes else None
        unknown = sorted(set(progs or ()) - set(PROGRAMMES))
        if unknown:
            raise ResearchError(f"--programme: unknown programme {', '.join(map(repr, unknown))} "
                                f"(known: {', '.join(PROGRAMMES)})")
        first = _period(start, "--from")
        last = _period(end, "--to")
        if firm is not None and not firm.strip():
            raise ResearchError("--firm: give a name or a ticker, e.g. --firm SMIC")
        return cls(progs, first.start_time if first else None, last.end_time if last else None,
                   ticker.strip() if ticker else None, firm.strip() if firm else None)

    def keeps(self, catalogue: Catalogue, event: Event) -> bool:
        day = pd.Timestamp(event.announced.date)
        return ((self.programmes is None or event.programme in self.programmes)
                and (self.start is None or day >= self.start)
                and (self.end is None or day <= self.end)
                and (self.ticker is None or self.ticker.upper() in {t.upper() for t in event.tickers})
                and (self.firm is None or bool(firm_listings(catalogue, event, self.firm) or
                                               _names_entity(event, self.firm))))


def select_events(catalogue: Catalogue, selection: Selection | None = None) -> list[Event]:
    """The events ``selection`` keeps, in date order (file order within a date)."""
    selection = selection or Selection()
    kept = [event for event in catalogue.values() if selection.keeps(catalogue, event)]
    return sorted(kept, key=lambda e: e.announced.date)


def firm_listings(catalogue: Catalogue, event: Event, firm: str) -> list:
    """The listings of ``event`` that belong to ``firm`` (by ticker, entity or registry name)."""
    needle = firm.casefold()
    found = []
    for listing in event.listings:
        names = [listing.ticker, listing.entity]
        if listing.ticker in catalogue.registry:
            sec = catalogue.registry.get(listing.ticker)
            names += [sec.name, sec.name_zh]
        if any(needle in (name or "").casefold() for name in names):
            found.append(listing)
    return found


def firm_history(catalogue: Catalogue, firm: str, selection: Selection | None = None) -> pd.DataFrame:
    """Every event that named ``firm`` (among those ``selection`` keeps), oldest first: ``date,
    event_id, programme, instrument, listings`` (the firm's lines in it, with their roles; empty
    when the event names the firm but none of its listed lines), ``title``. A firm no event names
    is an error naming the firm."""
    selection = dataclasses.replace(selection or Selection(), firm=Selection.parse(firm=firm).firm)
    rows = []
    for event in select_events(catalogue, selection):
        lines = firm_listings(catalogue, event, selection.firm)
        rows.append({"date": event.announced.date.isoformat(), "event_id": event.id, "programme": event.programme,
                     "instrument": event.instrument,
                     "listings": ", ".join(f"{x.ticker} ({x.role})" for x in lines), "title": event.title})
    if not rows:
        raise ResearchError(f"no event of {catalogue.path} names a firm matching {firm!r} "
                            f"(searched entities, listings and the registry's names)")
    return pd.DataFrame(rows, columns=["date", "event_id", "programme", "instrument", "listings", "title"])


def _names_entity(event: Event, firm: str) -> bool:
    needle = firm.casefold()
    return any(needle in entity.casefold() for entity in event.entities)


def _period(text: str | None, option: str) -> pd.Period | None:
    if text is None:
        return None
    text = text.strip()
    freq = {4: "Y", 7: "M", 10: "D"}.get(len(text))
    try:
        if freq is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
            raise ValueError
        return pd.Period(text, freq=freq)
    except (ValueError, TypeError):
        raise ResearchError(f"{option} {text!r}: write a year (2020), a month (2020-06) or a date "
                            f"(2020-06-03)") from None
