"""A new event: its catalogue entry and its notebook, both checked before either is written.

:func:`add_event` appends an entry to the catalogue file (``data/events.yaml``, or the file
named by ``--catalogue`` / ``RESEARCH_CATALOGUE``) and writes ``<notebooks>/<event id>.py`` from
``notebooks/template.py`` with the event in its parameters cell, ready for
``research report <event id>``. An event without an episode stands on its own: its episode is its
own id, and its notebook is its paper. Everything is checked first: the whole new catalogue text is
validated by :func:`research.events.catalogue.read_catalogue` (it must hold the old events and the
new one, nothing else), the notebook target must be free (or ``force``) and the notebook is
rendered in memory. Only then are both files written, each to a flushed temporary file renamed
over its target; a failure at any point leaves the catalogue and the notebooks folder as they were.

The entry is emitted by the YAML serializer (``yaml.safe_dump``) and appended to the existing text,
so the file's comments are kept and no value (a newline in ``--timezone``) can write YAML of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from research import config
from research.errors import ResearchError
from research.files import locked, read_text, stage, write_text

if TYPE_CHECKING:
    from research.events.catalogue import Event


def catalogue_path(path=None) -> Path:
    """The catalogue a command reads and writes: ``path``, ``$RESEARCH_CATALOGUE`` or data/events.yaml."""
    return config.catalogue_file(path)


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as the catalogue is written by hand."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


@dataclass
class NewEvent:
    """The fields of a catalogue entry (see the header of ``data/events.yaml``)."""

    id: str
    episode: str  # one of catalogue.EPISODES, or "" (or the event's id) for an episode of its own
    title: str
    time: str
    timezone: str
    precision: str
    authority: str
    programme: str
    instrument: str
    listings: list[tuple[str, str, str]]
    sources: list[str]
    entities: list[str] = field(default_factory=list)
    note: str = ""
    notes: str = ""
    #: the notebook's authors (``--author``; default ``$RESEARCH_AUTHOR``, then git's ``user.name``).
    authors: list[str] = field(default_factory=list)
    claims: list[dict[str, str]] = field(default_factory=list)  # from parse_claim; a missing date is day 0's

    def entry(self) -> dict:
        """The catalogue entry as a mapping of text, in the catalogue's field order."""
        s = str.strip
        announced = {"time": s(self.time), "timezone": s(self.timezone), "precision": s(self.precision)}
        if self.note.strip():
            announced["note"] = s(self.note)
        entities = self.entities or list(dict.fromkeys(e for _, _, e in self.listings))
        entry = {"id": s(self.id), "episode": s(self.episode) or s(self.id),  # no episode: one of its own
                 "title": s(self.title), "announced": announced,
                 "authority": s(self.authority), "programme": s(self.programme),
                 "instrument": s(self.instrument),
                 "entities": [s(e) for e in entities],
                 "listings": [{"ticker": s(t), "role": s(r), "entity": s(e)} for t, r, e in self.listings],
                 "sources": [{_source_key(x): s(x)} for x in self.sources]}
        if self.claims:
            entry["claims"] = [self._claim(i, c) for i, c in enumerate(self.claims)]
        if self.notes.strip():
            entry["notes"] = s(self.notes)
        return entry

    def _claim(self, i: int, claim: dict[str, str]) -> dict[str, str]:
        """A claim in the catalogue's field order, with the defaults a command-line claim leaves out:
        an id from its ticker and measure, the text as its quote, the event's first source."""
        slug = re.sub(r"[^a-z0-9]+", "-", f"{claim['ticker']}-{claim['measure']}".lower()).strip("-")
        first_source = self.sources[0].strip() if self.sources else ""
        filled = {"id": f"{slug}-{i + 1}", "quote": claim["text"], "source": first_source, **claim}
        return {k: filled[k] for k in _CLAIM_KEYS if filled.get(k)}

    def check(self) -> None:
        """What the catalogue alone cannot say in one line. An event joins one of the five episodes
        or stands on its own (its episode is its id): a misspelt episode would otherwise start an
        episode of its own under the wrong name. A claim is about one of the event's listings."""
        from research.events.catalogue import EPISODES

        episode = self.episode.strip()
        if episode and episode not in EPISODES and episode != self.id.strip():
            raise ResearchError(f"episode {episode!r} is not one of the five ({', '.join(EPISODES)}); leave out "
                                f"--episode for an event that stands on its own; the new event was not added")
        tickers = [t.strip() for t, _, _ in self.listings]
        for claim in self.claims:
            if claim["ticker"] not in tickers:
                raise ResearchError(f"claim {claim['text']!r}: ticker {claim['ticker']!r} is not one of the event's "
                                    f"listings ({', '.join(tickers)}); the new event was not added")

    def dated(self, event: Event) -> NewEvent:
        """The claims without a date measured on day 0: the first session of the claim's listing's
        exchange after ``event``'s announcement (as the catalogue reads it)."""
        from research.events.alignment import event_day0

        day0 = event_day0(event.announced, event.tickers).set_index("ticker")["day0"]
        claims = [c if c.get("date") else {**c, "date": f"{day0[c['ticker']]:%Y-%m-%d}"} for c in self.claims]
        return replace(self, claims=claims)

    def yaml(self) -> str:
        """The entry as one item of the ``events`` list, written by the YAML serializer."""
        body = yaml.dump([self.entry()], Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=100)
        return "\n# " + "-" * 93 + "\n# Added by `research new-event`\n" + body


def _source_key(source: str) -> str:
    source = source.strip()
    return "url" if re.match(r"^https?://", source) else ("seed" if source.endswith(".txt") else "doc")


_CLAIM_KEYS = ("id", "text", "quote", "source", "ticker", "date", "measure", "value", "tolerance", "currency", "note")
_CLAIM_REQUIRED = ("text", "ticker", "measure", "value", "tolerance")


def parse_claim(text: str) -> dict[str, str]:
    """``text=..., ticker=..., measure=..., value=..., tolerance=...[, date=..., quote=..., source=...]``
    -> the catalogue's claim fields (``data/events.yaml``'s header). A value may hold commas: a field
    starts only at ``, WORD=``. A return's value and tolerance may be written
    in percent (``-10%`` is -0.10). The catalogue validates the claim again with the event."""
    from research.events.catalogue import MEASURES, RETURN_MEASURES

    where = f"claim {text.strip()!r}"
    fields: dict[str, str] = {}
    for part in re.split(r",\s*(?=[A-Za-z_]\w*\s*=)", text.strip()):
        key, sep, value = (x.strip() for x in part.partition("="))
        if not sep or key not in _CLAIM_KEYS:
            raise ResearchError(f"{where}: {part.strip()!r} is not KEY=VALUE with KEY one of {', '.join(_CLAIM_KEYS)}")
        if key in fields:
            raise ResearchError(f"{where}: {key} is given twice")
        fields[key] = value
    if missing := [k for k in _CLAIM_REQUIRED if not fields.get(k)]:
        raise ResearchError(f"{where}: needs {', '.join(missing)} (write text=..., ticker=..., measure=..., value=..., "
                            f"tolerance=...)")
    if fields["measure"] not in MEASURES:
        raise ResearchError(f"{where}: unknown measure {fields['measure']!r} (known: {', '.join(MEASURES)})")
    for key in ("value", "tolerance"):
        raw = fields[key].replace(" ", "")
        percent = raw.endswith("%") and fields["measure"] in RETURN_MEASURES
        try:
            number = float(raw[:-1] if percent else raw)
        except ValueError:
            hint = " (returns: -0.10 or -10%)" if fields["measure"] in RETURN_MEASURES else ""
            raise ResearchError(f"{where}: {key} {fields[key]!r} is not a number{hint}") from None
        fields[key] = repr(number / 100 if percent else number)
    return fields


def parse_listing(text: str) -> tuple[str, str, str]:
    """``TICKER:ROLE[:ENTITY]`` -> (ticker, role, entity); the entity defaults to the ticker's
    name in the registry."""
    parts = [p.strip() for p in text.split(":", 2)]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ResearchError(f"listing {text!r}: write TICKER:ROLE[:ENTITY], e.g. 002415.SZ:designated:Hikvision")
    ticker, role = parts[0], parts[1]
    entity = parts[2] if len(parts) == 3 and parts[2] else ""
    if not entity:
        from research.securities import load_registry

        sec = load_registry().get(ticker)
        entity = sec.name if sec else ticker
    return ticker, role, entity


@dataclass(frozen=True)
class Added:
    """What :func:`add_event` wrote: the event as the catalogue reads it, and the two files."""

    event: Event
    catalogue: Path
    notebook: Path


def add_event(event: NewEvent, catalogue=None, *, notebooks=None, force: bool = False) -> Added:
    """Append ``event`` to the catalogue and write its notebook, after checking both.

    Raises
    ------
    ResearchError
        If the episode is neither one of the five nor the event's own, a claim names no listing of
        the event, the id exists, the catalogue with the new entry would not load (the message
        lists every problem with its field), the notebook exists (without ``force``) or is a
        folder, or a file cannot be written; the catalogue and the notebooks folder are then left unchanged.
    """
    event.check()
    path = catalogue_path(catalogue)
    # The catalogue is read, checked and replaced under its lock: two new events at once both land.
    with locked(path, "the event catalogue", config.lock_timeout()):
        return _add(event, path, notebooks, force)


def _add(event: NewEvent, path: Path, notebooks, force: bool) -> Added:
    from research.events.catalogue import read_catalogue

    text = read_text(path, "the event catalogue")
    current = read_catalogue(text, path)
    if event.id.strip() in current:
        raise ResearchError(f"{path} already has an event {event.id.strip()!r}; choose another id")
    if any(not c.get("date") for c in event.claims):  # measured on day 0, known once the event reads
        bare, _ = _appended(text, current, replace(event, claims=[]), path)
        event = event.dated(bare[event.id.strip()])
    loaded, new_text = _appended(text, current, event, path)
    added = loaded[event.id.strip()]
    target, notebook = _notebook(added.id, added.title, path, notebooks, force, event.authors)
    _write_both(path, text, new_text, target, notebook)
    return Added(added, path, target)


def _appended(text: str, current, event: NewEvent, path: Path):
    """The catalogue with ``event`` appended, validated, and its text."""
    from research.events.catalogue import read_catalogue

    new_text = text.rstrip("\n") + "\n" + event.yaml()
    try:
        loaded = read_catalogue(new_text, path, current.registry)
    except ResearchError as exc:
        raise ResearchError(f"{exc}\nthe new event was not added to {path}") from None
    if list(loaded) != [*current, event.id.strip()]:  # the entry must land in the events list, alone
        raise ResearchError(f"{path}: the new event cannot be appended to this file's events list (is it the "
                            f"last block of the file?); the new event was not added")
    return loaded, new_text


def _notebook(event_id: str, title: str, catalogue: Path, notebooks, force: bool,
              authors=()) -> tuple[Path, str]:
    """The notebook's path and text, from the template, with the event in its parameters and its
    authors in the metadata; checks the target is free (or ``force``) and not a folder."""
    import jupytext

    from research.report.paper import resolve_authors

    from research.report.notebooks import TEMPLATE, notebooks_dir, read_source, source_path

    folder = notebooks_dir(notebooks)
    if folder.exists() and not folder.is_dir():
        raise ResearchError(f"the notebooks folder {folder} is a file; the new event was not added")
    target = folder / f"{event_id}.py"
    if target.is_dir():
        raise ResearchError(f"{target} is a folder; the new event was not added")
    if (target.exists() or target.is_symlink()) and not force:
        raise ResearchError(f"{target} exists; remove it or pass --force to overwrite it; the new event was not added")
    own = (folder / f"{TEMPLATE}.py").is_file()
    template = source_path(TEMPLATE, notebooks if own else config.NOTEBOOKS_DIR)
    nb = read_source(template)
    cat_value = None if catalogue == config.EVENTS_FILE else str(catalogue)
    found = False
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "parameters" in tags:
            cell.source = _set_parameter(cell.source, "event", repr(event_id))
            cell.source = _set_parameter(cell.source, "catalogue", repr(cat_value))
            found = True
        elif cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            cell.source = re.sub(r"^\s*# .*", lambda _: f"# {' '.join(title.split())}", cell.source, count=1)
    if not found:
        raise ResearchError(f"{template} has no cell tagged `parameters`")
    nb.metadata.setdefault("research", {})["authors"] = resolve_authors(authors, neutral=False)
    text = jupytext.writes(nb, fmt="py:percent")
    return target, text if text.endswith("\n") else text + "\n"


def _write_both(path: Path, old_text: str, new_text: str, target: Path, notebook: str) -> None:
    """Write the catalogue and the notebook as one change: both are staged (written and flushed
    beside their targets) before either is renamed into place; a failure removes what was staged,
    the folders created for it, and puts the old catalogue back if it had already been replaced."""
    missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    staged = []
    try:
        staged.append(stage(path, new_text))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ResearchError(f"cannot create the notebooks folder {target.parent}: {exc.strerror or exc}") from None
        staged.append(stage(target, notebook))
        if read_text(path, "the event catalogue") != old_text:
            raise ResearchError(f"{path} changed while the event was being added; run the command again")
        staged[0].commit()
        try:
            staged[1].commit()
        except BaseException:
            write_text(path, old_text)
            raise
    except BaseException:
        for item in staged:
            item.discard()
        for folder in missing:  # deepest first; only the folders made here, and only if still empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def _set_parameter(source: str, name: str, value: str) -> str:
    pattern = re.compile(rf"^{name}\s*=.*$", re.M)
    if not pattern.search(source):
        raise ResearchError(f"the template's parameters cell does not set {name!r}")
    return pattern.sub(lambda _: f"{name} = {value}", source, count=1)  # a function: no backslash escapes
