"""The event catalogue: ``data/events.yaml`` read, validated and turned into :class:`Event` objects.

One event is one public act or report (a listing, an order, a notice, a press report) with its
announcement time, the entities it names, the listings it affects and the numeric claims the
source articles make about their prices. The file's own header documents every field.

The YAML is read with PyYAML's ``BaseLoader``: every scalar stays a string and is parsed here, so
``16:00`` never becomes the integer 960, ``0941.HK`` keeps its zero and ``no`` never becomes False.
Every problem is reported with the file, its line, the event id and the field; a file with any
problem loads nothing (one :class:`~research.errors.ResearchError` lists them all). An
announcement's time, zone and precision are read by the rules of :mod:`research.events.announcement`.

The catalogue is reviewed like code and needs no YAML anchors, aliases or tags, so they are refused
before anything is built from them: an alias is expanded by whoever walks the nodes, and a few
lines of nested aliases ("billion laughs") stand for more nodes than memory holds, or for a loop.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from research import config
from research.errors import ResearchError
from research.events.announcement import (BUSINESS_HOURS, PRECISIONS, Announcement, AnnouncementError,  # noqa: F401
                                          announcement_time, local_day, outside_calendars, parse_announcement,
                                          parse_local)
from research.files import read_text
from research.securities import Registry, load_registry
from research.timezones import zone

#: How a listing is affected by an event.
ROLES = {
    "designated": "the listed line of a firm the act names (or the report is about)",
    "partner": "a listed investor in or partner of a named firm",
    "supplier": "a listed (US) supplier of a named firm",
    "other_line": "another listing of a named firm (ADR vs Hong Kong line)",
    "peer": "a listed competitor the source names alongside, not itself the subject",
}

#: The designation programme (regime) an event belongs to: `research events --programme` and the
#: pooled study group events by it. A press report belongs to the programme it reports on.
PROGRAMMES = {
    "entity-list": "Commerce BIS Entity List (export controls, 15 CFR 744)",
    "dod-cmc": "DoD list of Communist Chinese military companies (s.1237 NDAA FY1999; s.1260H NDAA FY2021)",
    "ns-cmic": "E.O. 13959 / E.O. 14032 investment ban (Treasury's NS-CMIC list)",
    "exchange-delisting": "a US exchange's delisting of a Chinese issuer's securities",
    "hfcaa": "SEC identifications under the Holding Foreign Companies Accountable Act",
    "sdn": "Treasury OFAC Specially Designated Nationals (blocking sanctions)",
    "other": "news about a designated firm that no programme's act is behind",
}

#: What kind of act or report the event is.
INSTRUMENTS = {
    "entity-list": "Commerce BIS Entity List (15 CFR 744, Supplement No. 4)",
    "executive-order": "a presidential executive order",
    "ns-cmic-list": "Treasury OFAC Non-SDN Chinese Military-Industrial Complex Companies List "
                    "(E.O. 13959 as amended by E.O. 14032)",
    "exchange-notice": "an exchange's notice of delisting (or of reversing one)",
    "hfcaa-provisional-list": "SEC provisional list under the Holding Foreign Companies Accountable Act",
    "hfcaa-conclusive-list": "SEC conclusive list under the Holding Foreign Companies Accountable Act",
    "dod-cmc-list": "DoD's list of Communist Chinese military companies (a tranche, or the s.1260H list)",
    "sdn-list": "an OFAC designation on the Specially Designated Nationals list",
    "removal": "a removal from a list, or a court order that stays a listing",
    "press-report": "a press report, no official act",
}

#: The five episodes of docs/EPISODES.md and their titles; notebooks group events by episode.
#: A new event joins one of these or stands on its own, its episode its id (`research new-event`).
EPISODES = {
    "e1-entity-list-2019": "Commerce adds 28 Chinese entities to the Entity List (2019)",
    "e2-dahua-investment-2020": "Alibaba and China Mobile to invest in Dahua (2020)",
    "e3-nyse-delisting-2021": "NYSE delists China Mobile, China Telecom, China Unicom (2020-21)",
    "e4-ns-cmic-2021": "Treasury identifies eight firms under E.O. 13959/14032 (2021)",
    "e5-hikvision-2022": "FT reports possible SDN sanctions on Hikvision; SEC HFCAA additions (2022)",
}


def is_shipped(event: "Event") -> bool:
    """Whether ``event`` is of the kit's own catalogue: one of the five episodes, or the catalogue's
    other events grouped by programme (episode ``catalogue-<programme>``). A researcher's own event
    stands on its own (its episode is its id); the kit's snapshot and the papers it ships do not
    depend on it."""
    return event.episode in EPISODES or event.episode == f"catalogue-{event.programme}"

#: What a numeric claim measures, and whether daily prices can check it.
MEASURES = {
    "close_to_close": "simple return from the previous trade's close to the day's close (adjusted)",
    "close_to_open": "opening gap: previous close to the day's open (open adjusted by Adj Close/Close)",
    "open_to_close": "intraday return: the day's open to its close",
    "low_vs_prev_close": "the day's low against the previous close (\"fell as much as 10 % intraday\"; low adjusted "
                         "by Adj Close/Close)",
    "high_vs_prev_close": "the day's high against the previous close (\"rose as much as\"; high adjusted by "
                          "Adj Close/Close)",
    "close_price": "the day's unadjusted closing price, in the listing's currency",
    "market_value": "market capitalisation (needs shares outstanding: not checkable from daily prices)",
}
RETURN_MEASURES = ("close_to_close", "close_to_open", "open_to_close", "low_vs_prev_close", "high_vs_prev_close")

_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
#: Deeper than any catalogue needs (top, events, event, listings, listing, field): refused before
#: the composer's recursion could overflow the stack.
_MAX_DEPTH = 16
_EVENT_FIELDS = {"id": True, "episode": True, "title": True, "announced": True, "authority": True,
                 "programme": True, "instrument": True, "entities": True, "listings": True, "sources": True,
                 "claims": False, "notes": False}
_ANNOUNCED_FIELDS = {"time": True, "timezone": True, "precision": True, "note": False}
_LISTING_FIELDS = {"ticker": True, "role": True, "entity": True, "note": False}
_SOURCE_FIELDS = {"seed": False, "doc": False, "url": False, "title": False, "says": False, "note": False}
_CLAIM_FIELDS = {"id": True, "text": True, "quote": True, "source": True, "ticker": True, "date": True,
                 "measure": True, "value": True, "tolerance": True, "currency": False, "note": False}


@dataclass(frozen=True)
class Listing:
    """One listed security an event affects, and how."""

    ticker: str
    role: str
    entity: str
    note: str = ""


@dataclass(frozen=True)
class Source:
    """Where the facts of an event come from: a seed article (file name), a document, an address.

    ``says`` quotes what the source says about *when* the news came out (its dateline, time stamp
    or wording, verbatim), the evidence for the announcement's time and precision.
    """

    seed: str = ""
    doc: str = ""
    url: str = ""
    title: str = ""
    says: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """How claims and tables refer to this source: the seed file name, else the doc, else the URL."""
        return self.seed or self.doc or self.url


@dataclass(frozen=True)
class Claim:
    """A number a source states about a listing's price, to be checked against the prices.

    ``value`` and ``tolerance`` are fractions for the return measures (-0.12 is -12 %), currency
    units for ``close_price`` and ``market_value``.
    """

    event_id: str
    id: str
    text: str
    quote: str
    source: str
    ticker: str
    date: date
    measure: str
    value: float
    tolerance: float
    currency: str = ""
    note: str = ""


@dataclass(frozen=True)
class Event:
    """One announcement and what it touches. See the header of ``data/events.yaml``."""

    id: str
    episode: str
    title: str
    announced: Announcement
    authority: str
    programme: str
    instrument: str
    entities: tuple[str, ...]
    listings: tuple[Listing, ...]
    sources: tuple[Source, ...]
    claims: tuple[Claim, ...] = ()
    notes: str = ""

    @property
    def tickers(self) -> tuple[str, ...]:
        return tuple(listing.ticker for listing in self.listings)

    def listing(self, ticker: str) -> Listing:
        """The listing of ``ticker`` in this event; ResearchError naming the event's tickers otherwise."""
        for listing in self.listings:
            if listing.ticker == ticker:
                return listing
        raise ResearchError(f"event {self.id!r} has no listing {ticker!r} (it has {', '.join(self.tickers)})")


class Catalogue(Mapping[str, Event]):
    """The events of one catalogue file by id, in file order."""

    def __init__(self, events: list[Event], path: Path, registry: Registry):
        self._events = {event.id: event for event in events}
        self.path = path
        self.registry = registry

    def __getitem__(self, event_id: str) -> Event:
        try:
            return self._events[event_id]
        except KeyError:
            raise ResearchError(f"no event {event_id!r} in {self.path} (known: {', '.join(self._events)})") from None

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._events

    def __iter__(self) -> Iterator[str]:
        return iter(self._events)

    def __len__(self) -> int:
        return len(self._events)

    @property
    def claims(self) -> list[Claim]:
        """Every claim of every event, in file order."""
        return [claim for event in self.values() for claim in event.claims]

    def table(self, events=None) -> pd.DataFrame:
        """One row per event (``events``, default all): id, episode, announcement, programme,
        instrument, listings (role), claims, title."""
        rows = []
        for event in self.values() if events is None else events:
            rows.append({
                "id": event.id,
                "episode": event.episode,
                "announced": event.announced.describe(),
                "programme": event.programme,
                "instrument": event.instrument,
                "listings": ", ".join(f"{x.ticker} ({x.role})" for x in event.listings),
                "claims": len(event.claims),
                "title": event.title,
            })
        return pd.DataFrame(rows, columns=["id", "episode", "announced", "programme", "instrument", "listings", "claims", "title"])


def load_catalogue(path: Path | str | None = None, registry: Registry | None = None) -> Catalogue:
    """Read and validate an event catalogue; any error rejects the whole file.

    Parameters
    ----------
    path : the YAML file; default ``data/events.yaml`` (:data:`research.config.EVENTS_FILE`).
    registry : the securities registry tickers are checked against; default the project's.

    Raises
    ------
    ResearchError
        Listing every problem as ``file:line: event 'id': field: problem``.
    """
    path = Path(path).expanduser().resolve() if path else config.EVENTS_FILE
    return read_catalogue(read_text(path, "the event catalogue"), path, registry)


def read_catalogue(text: str, path: Path, registry: Registry | None = None) -> Catalogue:
    """Validate the catalogue ``text`` as if read from ``path`` (messages name ``path``): lets a
    command check a file's new content before writing it. Raises as :func:`load_catalogue`."""
    registry = registry if registry is not None else load_registry()
    checker = _Checker(path, registry)
    events = checker.read(text)
    if checker.errors:
        n = len(checker.errors)
        raise ResearchError(f"{path}: {n} problem{'s' * (n > 1)}; no event was loaded:\n  "
                            + "\n  ".join(checker.errors))
    return Catalogue(events, path, registry)


# --- reading: YAML nodes with their line numbers --------------------------------------------------

class _Map(dict):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict


class _Seq(list):
    """A YAML sequence that remembers the line of itself and of each item."""

    line: int = 0
    lines: list


class _Refused(yaml.MarkedYAMLError):
    """YAML the catalogue does not take, although it is valid YAML."""


class _Loader(yaml.BaseLoader):
    """PyYAML's BaseLoader (every scalar a string) that refuses anchors, aliases, tags and deep
    nesting as it meets them, before any node is built from them."""

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        self.depth += 1
        try:
            _check_event(event, self.depth)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _check_event(event: yaml.Event, depth: int) -> None:
    """Refuse an anchor, an alias, a tag, or nesting deeper than :data:`_MAX_DEPTH`, at its event."""
    if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
        raise _Refused(problem="YAML anchors and aliases (&name, *name) are not allowed in the catalogue; "
                               "write each value out", problem_mark=event.start_mark)
    if getattr(event, "tag", None) is not None:  # read by BaseLoader as if absent: refused, not ignored
        raise _Refused(problem=f"YAML tags ({event.tag}) are not allowed in the catalogue; every value is text",
                       problem_mark=event.start_mark)
    if depth > _MAX_DEPTH:
        raise _Refused(problem=f"nested deeper than {_MAX_DEPTH} levels", problem_mark=event.start_mark)


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree, refusing what :class:`_Loader` refuses. With libyaml, the events
    are checked first and the tree is then composed in C: a tenth of the time of the Python
    composer, which a 43-event catalogue made a quarter of every command's run."""
    if not getattr(yaml, "__with_libyaml__", False):
        return yaml.compose(text, Loader=_Loader)
    depth = 0
    try:
        events = list(yaml.parse(text, Loader=yaml.CBaseLoader))
    except yaml.YAMLError as exc:   # libyaml stops at its own depth limit, scanning ahead of our count
        if "nesting depth" not in str(getattr(exc, "problem", "")):
            raise
        raise _Refused(problem=f"nested deeper than {_MAX_DEPTH} levels", problem_mark=exc.problem_mark) from None
    for event in events:
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        opens = isinstance(event, yaml.CollectionStartEvent)
        depth += opens
        _check_event(event, depth if opens else depth + 1)    # a node's depth, as _Loader counts it
    return yaml.compose(text, Loader=yaml.CBaseLoader)


def _plain(node: yaml.Node, duplicates: list[tuple[int, str]]):
    """Convert a composed YAML node to _Map/_Seq/str, keeping line numbers (1-based)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.line, out.lines = line, {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in out:
                duplicates.append((key_node.start_mark.line + 1, key))
            out[key] = _plain(value_node, duplicates)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = _Seq(_plain(item, duplicates) for item in node.value)
        out.line, out.lines = line, [item.start_mark.line + 1 for item in node.value]
        return out
    return node.value


class _Checker:
    """Turns the YAML text into events, collecting every problem instead of stopping at the first."""

    def __init__(self, path: Path, registry: Registry):
        self.path = path
        self.registry = registry
        self.errors: list[str] = []

    def error(self, line: int, event_id: str | None, field: str, problem: str) -> None:
        where = f"{self.path}:{line}"
        who = f"event {event_id!r}" if event_id else "catalogue"
        self.errors.append(f"{where}: {who}: {field}: {problem}" if field else f"{where}: {who}: {problem}")

    # top level ------------------------------------------------------------------------------------
    def read(self, text: str) -> list[Event]:
        try:
            node = _compose(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            problem = getattr(exc, "problem", None) or exc
            self.error(line, None, "", f"{problem}" if isinstance(exc, _Refused) else f"not valid YAML: {problem}")
            return []
        duplicates: list[tuple[int, str]] = []
        doc = _plain(node, duplicates) if node is not None else None
        for line, key in duplicates:
            self.error(line, None, key, "key appears twice in one mapping (the first would be silently lost)")
        if not isinstance(doc, _Map) or "events" not in doc:
            self.error(getattr(doc, "line", 1), None, "events", "the file must be a mapping with an `events:` list")
            return []
        for key in doc:
            if key != "events":
                self.error(doc.lines[key], None, key, "unknown top-level key (only `events` is read)")
        items = doc["events"]
        if not isinstance(items, _Seq):
            self.error(doc.lines["events"], None, "events", "must be a list of events")
            return []
        events, seen = [], {}
        for item, line in zip(items, items.lines):
            event = self.event(item, line)
            if event is None:
                continue
            if event.id in seen:
                self.error(line, event.id, "id", f"duplicate id (first used at line {seen[event.id]})")
                continue
            seen[event.id] = line
            events.append(event)
        return events

    # one event ------------------------------------------------------------------------------------
    def event(self, item, line: int) -> Event | None:
        if not isinstance(item, _Map):
            self.error(line, None, "", "an event must be a mapping of fields")
            return None
        before = len(self.errors)
        # an id that is empty, a list or a mapping is an error here: the event is not silently dropped
        event_id = self.text(item, "id", None) or None
        self.fields(item, _EVENT_FIELDS, event_id, "")
        if event_id is not None and (problem := _slug_problem(event_id)):
            self.error(item.lines["id"], event_id, "id", f"{event_id!r} {problem} (e.g. entity-list-2019)")
        episode = self.text(item, "episode", event_id)
        if episode and (problem := _slug_problem(episode)):
            self.error(item.lines["episode"], event_id, "episode",
                       f"{episode!r} {problem} (e.g. {next(iter(EPISODES))}, or a new episode's own id)")
        programme = self.text(item, "programme", event_id)
        if programme and programme not in PROGRAMMES:
            self.error(item.lines["programme"], event_id, "programme",
                       f"unknown programme {programme!r} (known: {', '.join(PROGRAMMES)})")
        instrument = self.text(item, "instrument", event_id)
        if instrument and instrument not in INSTRUMENTS:
            self.error(item.lines["instrument"], event_id, "instrument",
                       f"unknown instrument {instrument!r} (known: {', '.join(INSTRUMENTS)})")
        announced = self.announced(item, event_id)
        entities = self.entities(item, event_id)
        listings = self.listings(item, event_id, entities)
        sources = self.sources(item, event_id)
        claims = self.claims(item, event_id, listings, sources)
        if len(self.errors) > before:
            return None
        return Event(id=event_id, episode=episode, title=self.text(item, "title", event_id),
                     announced=announced, authority=self.text(item, "authority", event_id),
                     programme=programme, instrument=instrument, entities=tuple(entities), listings=tuple(listings),
                     sources=tuple(sources), claims=tuple(claims),
                     notes=self.text(item, "notes", event_id, required=False))

    def fields(self, item: _Map, known: dict[str, bool], event_id: str | None, prefix: str) -> None:
        """Report missing required fields and unknown (misspelt) ones."""
        for key, required in known.items():
            if required and key not in item:
                self.error(item.line, event_id, prefix + key, "missing")
        for key in item:
            if key not in known:
                self.error(item.lines[key], event_id, prefix + key,
                           f"unknown field (known: {', '.join(known)})")

    def text(self, item: _Map, key: str, event_id: str | None, *, prefix: str = "", required: bool = True) -> str:
        value = item.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(item.lines[key], event_id, prefix + key, "must be text, not a list or mapping")
            return ""
        value = value.strip()
        if required and not value:
            self.error(item.lines[key], event_id, prefix + key, "is empty")
        return value

    # announcement ---------------------------------------------------------------------------------
    def announced(self, item: _Map, event_id: str | None) -> Announcement | None:
        node = item.get("announced")
        if node is None:
            return None
        field = "announced."
        if not isinstance(node, _Map):
            self.error(item.lines["announced"], event_id, "announced", "must be a mapping with time, timezone, precision")
            return None
        self.fields(node, _ANNOUNCED_FIELDS, event_id, field)
        tz_name = self.text(node, "timezone", event_id, prefix=field)
        tz = None
        if tz_name:
            try:
                tz = zone(tz_name)
            except ResearchError as exc:
                self.error(node.lines["timezone"], event_id, field + "timezone", str(exc))
        precision = self.text(node, "precision", event_id, prefix=field)
        if precision and precision not in PRECISIONS:
            self.error(node.lines["precision"], event_id, field + "precision",
                       f"unknown precision {precision!r} (known: {', '.join(PRECISIONS)})")
            precision = ""
        raw = self.text(node, "time", event_id, prefix=field)
        if not raw:
            return None
        try:
            if tz is None or not precision:
                local_day(raw)  # the time's own problems are still reported
                return None
            stamp = announcement_time(raw, tz_name, precision)
        except AnnouncementError as exc:
            self.error(node.lines[exc.field], event_id, field + exc.field, str(exc))
            return None
        return Announcement(time=stamp, timezone=tz_name, precision=precision,
                            note=self.text(node, "note", event_id, prefix=field, required=False))

    # entities, listings, sources ------------------------------------------------------------------
    def entities(self, item: _Map, event_id: str | None) -> list[str]:
        node = item.get("entities")
        if node is None:
            return []
        if not isinstance(node, _Seq) or not node:
            self.error(item.lines["entities"], event_id, "entities", "must be a non-empty list of names")
            return []
        names = []
        for i, (name, line) in enumerate(zip(node, node.lines)):
            if not isinstance(name, str) or not name.strip():
                self.error(line, event_id, f"entities[{i}]", "must be a name")
            else:
                names.append(name.strip())
        return names

    def listings(self, item: _Map, event_id: str | None, entities: list[str]) -> list[Listing]:
        node = item.get("listings")
        if node is None:
            return []
        if not isinstance(node, _Seq) or not node:
            self.error(item.lines["listings"], event_id, "listings", "must be a non-empty list")
            return []
        out, seen = [], set()
        for i, (entry, line) in enumerate(zip(node, node.lines)):
            field = f"listings[{i}]."
            if not isinstance(entry, _Map):
                self.error(line, event_id, f"listings[{i}]", "must be a mapping with ticker, role, entity")
                continue
            before = len(self.errors)
            self.fields(entry, _LISTING_FIELDS, event_id, field)
            ticker = self.text(entry, "ticker", event_id, prefix=field)
            role = self.text(entry, "role", event_id, prefix=field)
            entity = self.text(entry, "entity", event_id, prefix=field)
            if ticker:
                if ticker not in self.registry:
                    self.error(entry.lines["ticker"], event_id, field + "ticker",
                               f"ticker {ticker!r} is not in the securities registry {self.registry.path}; add a row there first")
                elif self.registry[ticker].kind == "index":
                    self.error(entry.lines["ticker"], event_id, field + "ticker",
                               f"{ticker} is an index, not a listing an event can affect")
                if ticker in seen:
                    self.error(entry.lines["ticker"], event_id, field + "ticker", f"{ticker} is listed twice in this event")
                seen.add(ticker)
            if role and role not in ROLES:
                self.error(entry.lines["role"], event_id, field + "role", f"unknown role {role!r} (known: {', '.join(ROLES)})")
            if entity and role in ("designated", "other_line") and entities and entity not in entities:
                self.error(entry.lines["entity"], event_id, field + "entity",
                           f"{entity!r} is not among this event's entities ({', '.join(entities)})")
            if len(self.errors) == before:
                out.append(Listing(ticker, role, entity, self.text(entry, "note", event_id, prefix=field, required=False)))
        return out

    def sources(self, item: _Map, event_id: str | None) -> list[Source]:
        node = item.get("sources")
        if node is None:
            return []
        if not isinstance(node, _Seq) or not node:
            self.error(item.lines["sources"], event_id, "sources", "must be a non-empty list")
            return []
        out = []
        for i, (entry, line) in enumerate(zip(node, node.lines)):
            field = f"sources[{i}]."
            if not isinstance(entry, _Map):
                self.error(line, event_id, f"sources[{i}]", "must be a mapping with a seed, doc or url")
                continue
            before = len(self.errors)
            self.fields(entry, _SOURCE_FIELDS, event_id, field)
            values = {key: self.text(entry, key, event_id, prefix=field, required=False) for key in _SOURCE_FIELDS}
            if not (values["seed"] or values["doc"] or values["url"]):
                self.error(entry.line, event_id, f"sources[{i}]", "needs a seed (article file name), a doc or a url")
            if values["url"] and not re.match(r"^https?://\S+$", values["url"]):
                self.error(entry.lines["url"], event_id, field + "url", f"not an http(s) address: {values['url']!r}")
            if len(self.errors) == before:
                out.append(Source(**values))
        return out

    # claims ---------------------------------------------------------------------------------------
    def claims(self, item: _Map, event_id: str | None, listings: list[Listing], sources: list[Source]) -> list[Claim]:
        node = item.get("claims")
        if node is None:
            return []
        if not isinstance(node, _Seq):
            self.error(item.lines["claims"], event_id, "claims", "must be a list")
            return []
        out, seen = [], set()
        # every ticker written under listings, valid or not, so one bad listing is reported once
        raw = item.get("listings")
        tickers = {x.ticker for x in listings} | {
            entry["ticker"].strip() for entry in (raw if isinstance(raw, _Seq) else [])
            if isinstance(entry, _Map) and isinstance(entry.get("ticker"), str)}
        source_keys = {key for s in sources for key in (s.seed, s.doc, s.url) if key}
        for i, (entry, line) in enumerate(zip(node, node.lines)):
            field = f"claims[{i}]."
            if not isinstance(entry, _Map):
                self.error(line, event_id, f"claims[{i}]", "must be a mapping")
                continue
            before = len(self.errors)
            self.fields(entry, _CLAIM_FIELDS, event_id, field)
            get = {key: self.text(entry, key, event_id, prefix=field, required=required)
                   for key, required in _CLAIM_FIELDS.items()}
            if get["id"]:
                if problem := _slug_problem(get["id"]):
                    self.error(entry.lines["id"], event_id, field + "id", f"{get['id']!r} {problem}")
                if get["id"] in seen:
                    self.error(entry.lines["id"], event_id, field + "id", f"duplicate claim id {get['id']!r}")
                seen.add(get["id"])
            if "source" in entry and get["source"] and get["source"] not in source_keys:
                self.error(entry.lines["source"], event_id, field + "source",
                           f"{get['source']!r} is not one of this event's sources ({', '.join(sorted(source_keys))})")
            if get["ticker"] and get["ticker"] not in tickers:
                self.error(entry.lines["ticker"], event_id, field + "ticker",
                           f"{get['ticker']!r} is not one of this event's listings ({', '.join(sorted(tickers))})")
            measure = get["measure"]
            if measure and measure not in MEASURES:
                self.error(entry.lines["measure"], event_id, field + "measure",
                           f"unknown measure {measure!r} (known: {', '.join(MEASURES)})")
            day = None
            if get["date"]:
                parsed = parse_local(get["date"])
                if parsed is None or parsed[1] is not None:
                    self.error(entry.lines["date"], event_id, field + "date", f"cannot parse {get['date']!r} as YYYY-MM-DD")
                elif problem := outside_calendars(parsed[0]):
                    self.error(entry.lines["date"], event_id, field + "date", problem)
                else:
                    day = parsed[0]
            value = self.number(entry, "value", event_id, field)
            tolerance = self.number(entry, "tolerance", event_id, field)
            if tolerance is not None and tolerance <= 0:
                self.error(entry.lines["tolerance"], event_id, field + "tolerance", "must be positive")
            if measure in RETURN_MEASURES and value is not None and abs(value) >= 1:
                self.error(entry.lines["value"], event_id, field + "value",
                           f"{value} is not a return fraction (write -0.12 for -12 %)")
            if measure in ("close_price", "market_value") and not get["currency"]:
                self.error(entry.line, event_id, field + "currency", f"measure {measure} needs a currency")
            if len(self.errors) == before and event_id:
                out.append(Claim(event_id=event_id, id=get["id"], text=get["text"], quote=get["quote"],
                                 source=get["source"], ticker=get["ticker"], date=day, measure=measure,
                                 value=value, tolerance=tolerance, currency=get["currency"], note=get["note"]))
        return out

    def number(self, entry: _Map, key: str, event_id: str | None, field: str) -> float | None:
        raw = entry.get(key)
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            value = float(raw.replace("_", ""))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.error(entry.lines[key], event_id, field + key, f"{raw!r} is not a finite number")
            return None
        return value


def _slug_problem(value: str) -> str | None:
    """Why ``value`` is no id (a lower-case slug), or None. An id must also read as text to any
    other YAML reader: ``5``, ``1.5``, ``null``, ``no`` and ``2019-10-07`` would not."""
    if not _ID.match(value):
        return "is not a lower-case slug (use lower-case letters, digits and hyphens)"
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False)).rsplit(":", 1)[-1]
    if tag != "str":
        kind = {"null": "null", "bool": "a boolean", "timestamp": "a date"}.get(tag, "a number")
        return f"reads as {kind} in YAML, not as a name; use a slug with letters"
    return None
