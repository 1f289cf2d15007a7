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


def add_commands(subparsers: argparse._SubParsersAction, only: str | None = None) -> None:
    """Register ``events``, ``align`` and ``claims`` (handlers in ``handler``, as research.cli expects);
    the options of a command are built only when it runs (``only``; None: all)."""
    add_command(subparsers, "events", "list the event catalogue", _events_parser, only)
    add_command(subparsers, "align", "day 0 of each listing of an event", _align_parser, only)
    add_command(subparsers, "claims", "check the articles' numbers against the prices", _claims_parser, only)


def _events_parser(p: argparse.ArgumentParser) -> None:
    p.description = "The event catalogue (data/events.yaml) as a table."
    _catalogue_option(p)
    p.set_defaults(handler=cmd_events)


def _align_parser(p: argparse.ArgumentParser) -> None:
    from research.events.alignment import DATE_ONLY_RULES, DEFAULT_DATE_ONLY_RULE, DEFAULT_WINDOW, LIMIT_WINDOW

    p.description = ("Per listing of EVENT_ID: the announcement in local time, calendar day 0, the first "
                     "traded day and the sessions missed, the day-0 return split into overnight gap and "
                     "intraday, the benchmark over the same span, price-limit hits in relative days "
                     f"[{LIMIT_WINDOW[0]}, +{LIMIT_WINDOW[1]}], and the other catalogue events inside the window.")
    p.add_argument("event_id", metavar="EVENT_ID")
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
    """Print the catalogue, one row per event, and the meaning of the precisions."""
    from research.events.catalogue import PRECISIONS, load_catalogue

    catalogue = load_catalogue(config.catalogue_file(getattr(args, "catalogue", None)))
    print(f"{len(catalogue)} events in {catalogue.path}\n")
    print(_text(catalogue.table()))
    print("\nprecision: " + "\n           ".join(f"{k}: {v}" for k, v in PRECISIONS.items()))
    return 0


def cmd_align(args: argparse.Namespace) -> int:
    """Print (or write as JSON) the alignment of every listing of ``args.event_id``."""
    from research.events.alignment import DATE_ONLY_RULES, DEFAULT_DATE_ONLY_RULE, DEFAULT_WINDOW, align_event, \
        alignment_table
    from research.events.catalogue import load_catalogue
    from research.events.reaction import PriceBook

    catalogue = load_catalogue(config.catalogue_file(getattr(args, "catalogue", None)))
    event = catalogue[args.event_id]
    rule = getattr(args, "date_only_rule", None) or DEFAULT_DATE_ONLY_RULE
    window = tuple(getattr(args, "window", None) or DEFAULT_WINDOW)
    alignments = align_event(catalogue, event.id, date_only_rule=rule, window=window, book=PriceBook())
    if getattr(args, "json", False):
        print(json.dumps([a.to_dict() for a in alignments], indent=2, ensure_ascii=False))
        return 0
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
