"""Command-line commands of the event catalogue: ``events``, ``align`` and ``claims``.

:func:`add_commands` registers them on the main CLI's subparsers; each handler takes the parsed
``args``, prints plain-text tables (or JSON), returns an exit code, and raises
:class:`~research.errors.ResearchError` for user mistakes (an unknown event id, a bad catalogue).
"""

from __future__ import annotations

import argparse
import json

from research import config
from research.commands import add_command
from research.errors import ResearchError


def add_commands(subparsers: argparse._SubParsersAction, only: str | None = None) -> None:
    """Register ``events``, ``align`` and ``claims`` (handlers in ``handler``, as research.cli expects);
    the options of a command are built only when it runs (``only``; None: all)."""
    add_command(subparsers, "events", "list the event catalogue", _events_parser, only)
    add_command(subparsers, "align", "day 0 of each listing of an event", _align_parser, only)
    add_command(subparsers, "claims", "check the articles' numbers against the prices", _claims_parser, only)


def _events_parser(p: argparse.ArgumentParser) -> None:
    from research.events.alignment import DATE_ONLY_RULES, DEFAULT_DATE_ONLY_RULE
    from research.events.catalogue import PROGRAMMES

    p.description = ("The event catalogue (data/events.yaml) as a table, oldest first; the filters combine "
                     "(every one given must hold).")
    p.add_argument("--programme", action="append", metavar="NAME",
                   help="only this programme (repeat for several): " + ", ".join(PROGRAMMES))
    p.add_argument("--from", dest="start", metavar="WHEN", help="announced on or after: 2020, 2020-06 or 2020-06-03")
    p.add_argument("--to", dest="end", metavar="WHEN", help="announced on or before (the whole year, month or day)")
    p.add_argument("--ticker", help="only events naming this listing, e.g. 0981.HK")
    p.add_argument("--firm", metavar="NAME",
                   help="the firm's designation history: every event naming it (name, Chinese name or ticker)")
    p.add_argument("--calendar", action="store_true",
                   help="day 0 of every event on every exchange (from the calendars alone)")
    p.add_argument("--date-only-rule", default=DEFAULT_DATE_ONLY_RULE, choices=list(DATE_ONLY_RULES),
                   help=f"for --calendar: day 0 of announcements known only to the date (default {DEFAULT_DATE_ONLY_RULE})")
    _catalogue_option(p)
    p.set_defaults(handler=cmd_events)


def _align_parser(p: argparse.ArgumentParser) -> None:
    from research.events.alignment import DATE_ONLY_RULES, DEFAULT_DATE_ONLY_RULE, DEFAULT_WINDOW, LIMIT_WINDOW

    p.description = ("Per listing of EVENT_ID: the announcement in local time, calendar day 0, the first "
                     "traded day and the sessions missed, the day-0 return split into overnight gap and "
                     "intraday, the benchmark over the same span, price-limit hits in relative days "
                     f"[{LIMIT_WINDOW[0]}, +{LIMIT_WINDOW[1]}], and the other catalogue events inside the window.")
    p.add_argument("event_id", metavar="EVENT_ID", nargs="?", help="an event id (`research events`)")
    p.add_argument("--all", action="store_true",
                   help="every event of the catalogue: one line per listing (day 0, first traded day, status)")
    p.add_argument("--json", action="store_true", help="a JSON list, one object per listing (ISO dates)")
    p.add_argument("--date-only-rule", default=DEFAULT_DATE_ONLY_RULE, metavar="RULE",
                   help="for announcements known only to the day or to business hours: "
                        + "; ".join(f"{k}: {v}" for k, v in DATE_ONLY_RULES.items())
                        + f" (default {DEFAULT_DATE_ONLY_RULE})")
    p.add_argument("--window", nargs=2, type=int, default=list(DEFAULT_WINDOW), metavar=("FIRST", "LAST"),
                   help=f"relative days searched for confounding events (default {DEFAULT_WINDOW[0]} {DEFAULT_WINDOW[1]})")
    _catalogue_option(p)
    p.set_defaults(handler=cmd_align)


def _claims_parser(p: argparse.ArgumentParser) -> None:
    p.description = ("Every numeric claim of the catalogue: source, claim, measured value, and whether they "
                     "agree within the stated tolerance.")
    p.add_argument("--event", metavar="EVENT_ID", help="only this event's claims")
    p.add_argument("--json", action="store_true", help="a JSON list, one object per claim")
    p.add_argument("--strict", action="store_true", help="exit with status 1 if any claim disagrees")
    _catalogue_option(p)
    p.set_defaults(handler=cmd_claims)


def cmd_events(args: argparse.Namespace) -> int:
    """Print the catalogue (or the events the filters keep), one row per event; with ``--firm`` the
    firm's designation history; with ``--calendar`` day 0 of each event on every exchange."""
    from research.events.alignment import DEFAULT_DATE_ONLY_RULE, calendar_table
    from research.events.catalogue import PRECISIONS, load_catalogue
    from research.events.selection import Selection, firm_history, select_events

    catalogue = load_catalogue(config.catalogue_file(getattr(args, "catalogue", None)))
    selection = Selection.parse(getattr(args, "programme", None), getattr(args, "start", None),
                                getattr(args, "end", None), getattr(args, "ticker", None))
    firm = getattr(args, "firm", None)
    if firm is not None:
        history = firm_history(catalogue, firm, selection)
        print(f"{len(history)} event(s) of {catalogue.path} name a firm matching {firm.strip()!r}, oldest first\n")
        print(_text(history))
        return 0
    events = select_events(catalogue, selection)
    filtered = "" if len(events) == len(catalogue) else f" (of {len(catalogue)})"
    if getattr(args, "calendar", False):
        rule = getattr(args, "date_only_rule", None) or DEFAULT_DATE_ONLY_RULE
        table = calendar_table(catalogue, events, date_only_rule=rule)
        print(f"Day 0 of {len(events)} event(s){filtered} on each exchange (date-only rule: {rule}); "
              f"'partial': announced during that session\n")
        print(_text(table.assign(**{c: table[c].dt.strftime("%Y-%m-%d") for c in table.columns
                                    if str(table[c].dtype).startswith("datetime")})))
        return 0
    print(f"{len(events)} event(s){filtered} in {catalogue.path}\n")
    print(_text(catalogue.table(events)))
    print("\nprecision: " + "\n           ".join(f"{k}: {v}" for k, v in PRECISIONS.items()))
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    """Print (or write as JSON) the alignment of every listing of ``args.event_id``."""
    from research.events.alignment import DATE_ONLY_RULES, DEFAULT_DATE_ONLY_RULE, DEFAULT_WINDOW, align_event, \
        alignment_table
    from research.events.catalogue import load_catalogue
    from research.events.reaction import PriceBook

    catalogue = load_catalogue(config.catalogue_file(getattr(args, "catalogue", None)))
    every = getattr(args, "all", False)
    if every == (args.event_id is not None):
        raise ResearchError("name one event id, or --all for every event (`research events` lists them)")
    rule = getattr(args, "date_only_rule", None) or DEFAULT_DATE_ONLY_RULE
    window = tuple(getattr(args, "window", None) or DEFAULT_WINDOW)
    book = PriceBook()
    ids = list(catalogue) if every else [catalogue[args.event_id].id]
    alignments = [a for event_id in ids for a in align_event(catalogue, event_id, date_only_rule=rule,
                                                             window=window, book=book)]
    if getattr(args, "json", False):
        print(json.dumps([a.to_dict() for a in alignments], indent=2, ensure_ascii=False))
        return 0
    if every:
        table = alignment_table(alignments)
        print(f"{len(ids)} events, {len(alignments)} listing-events of {catalogue.path} (date-only rule: {rule})\n")
        print(_text(table[["event", "ticker", "role", "exchange", "status", "cal. day 0", "first traded", "missed"]]))
        return 0
    event = catalogue[args.event_id]
    print(f"{event.id}: {event.title}")
    print(f"announced {event.announced.describe()}")
    if event.announced.note:
        print(f"  {event.announced.note}")
    if event.announced.is_span:
        print(f"date-only rule: {rule} ({DATE_ONLY_RULES[rule]})")
    table = alignment_table(alignments)
    timing = ["ticker", "role", "exchange", "status", "announced (local)", "cal. day 0", "by rule",
              "first traded", "missed"]
    reaction = ["ticker", "span", "R day0 %", "gap %", "intraday %", "benchmark", "R bench %", "limit hits [-1,+5]"]
    print("\nDay 0 (first session opening after the announcement; 'partial': announced during it)")
    print(_text(table[timing]))
    print("\nDay-0 return, trade-to-trade over 'span' sessions, = (1+gap)(1+intraday)-1; benchmark over the same span")
    print(_text(table[reaction]))
    print(f"\nOther catalogue events in relative days [{window[0]}, {window[1]}] (listing's traded days)")
    print(_text(table[["ticker", "confounders"]]))
    notes = [(a.ticker, note) for a in alignments for note in a.notes]
    if notes:
        print("\nNotes")
        for ticker, note in notes:
            print(f"  {ticker}: {note}")
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    """Print every claim with its measured value and verdict; status 1 on disagreement with --strict."""
    from research.events.catalogue import load_catalogue
    from research.events.claims import DISAGREES, check_claims, claims_table
    from research.events.reaction import PriceBook

    catalogue = load_catalogue(config.catalogue_file(getattr(args, "catalogue", None)))
    checks = check_claims(catalogue, getattr(args, "event", None), PriceBook())
    if getattr(args, "json", False):
        print(json.dumps([c.to_dict() for c in checks], indent=2, ensure_ascii=False))
    elif not checks:
        print("no claims")
    else:
        print(_text(claims_table(checks)))
        print("\nQuotes")
        for check in checks:
            print(f"  {check.claim.id} ({check.claim.source}): \"{check.claim.quote}\"")
    if getattr(args, "strict", False) and any(c.verdict == DISAGREES for c in checks):
        return 1
    return 0


def _catalogue_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalogue", metavar="PATH", default=None,
                        help="event catalogue to read (default data/events.yaml or $RESEARCH_CATALOGUE)")


def _text(frame) -> str:
    import pandas as pd

    if frame.empty:
        return "(none)"
    with pd.option_context("display.width", 10_000, "display.max_columns", None, "display.max_colwidth", None):
        return frame.to_string(index=False)
