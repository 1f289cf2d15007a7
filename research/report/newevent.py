"""A new event: its catalogue entry, validated with the catalogue's own checks, and its notebook.

:func:`add_event` appends an entry to the catalogue file (``data/events.yaml``, or the file
named by ``--catalogue`` / ``RESEARCH_CATALOGUE``) in the file's own style, after checking the
whole new file with :func:`research.events.catalogue.load_catalogue`: if the catalogue would not
load, nothing is written and the message names the field. :func:`write_notebook` writes
``<notebooks>/<event id>.py`` from ``notebooks/template.py`` with the event in its parameters
cell, ready for ``research report <event id>``.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from research import config
from research.errors import ResearchError


def catalogue_path(path=None) -> Path:
    """The catalogue a command reads and writes: ``path``, ``$RESEARCH_CATALOGUE`` or data/events.yaml."""
    value = path or os.environ.get("RESEARCH_CATALOGUE")
    return Path(value).expanduser().resolve() if value else config.EVENTS_FILE


@dataclass
class NewEvent:
    """The fields of a catalogue entry (see the header of ``data/events.yaml``)."""

    id: str
    episode: str
    title: str
    time: str
    timezone: str
    precision: str
    authority: str
    instrument: str
    listings: list[tuple[str, str, str]]
    sources: list[str]
    entities: list[str] = field(default_factory=list)
    note: str = ""
    notes: str = ""

    def yaml(self) -> str:
        """The entry as YAML, in the catalogue's style (every scalar quoted)."""
        q = _quote
        entities = self.entities or list(dict.fromkeys(e for _, _, e in self.listings))
        lines = ["", "# " + "-" * 93, f"# Added by `research new-event`: {self.title}",
                 f"- id: {self.id}", f"  episode: {self.episode}", f"  title: {q(self.title)}", "  announced:",
                 f"    time: {q(self.time)}", f"    timezone: {self.timezone}", f"    precision: {self.precision}"]
        if self.note:
            lines.append(f"    note: {q(self.note)}")
        lines += [f"  authority: {q(self.authority)}", f"  instrument: {self.instrument}", "  entities:"]
        lines += [f"    - {q(e)}" for e in entities]
        lines.append("  listings:")
        lines += [f"    - {{ticker: {q(t)}, role: {r}, entity: {q(e)}}}" for t, r, e in self.listings]
        lines.append("  sources:")
        for source in self.sources:
            key = "url" if re.match(r"^https?://", source) else ("seed" if source.endswith(".txt") else "doc")
            lines.append(f"    - {key}: {q(source)}")
        if self.notes:
            lines.append(f"  notes: {q(self.notes)}")
        return "\n".join(lines) + "\n"


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


def add_event(event: NewEvent, catalogue=None):
    """Append ``event`` to the catalogue after validating the whole resulting file.

    Returns
    -------
    research.events.catalogue.Event
        The new event as the catalogue reads it.

    Raises
    ------
    ResearchError
        If the id exists or the catalogue with the new entry would not load (the message lists
        every problem with its field); the file is then left unchanged.
    """
    from research.events.catalogue import load_catalogue

    path = catalogue_path(catalogue)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResearchError(f"cannot read the event catalogue {path}: {exc.strerror}") from None
    current = load_catalogue(path)
    if event.id in list(current):  # Catalogue.__contains__ raises for a missing id
        raise ResearchError(f"{path} already has an event {event.id!r}; choose another id")
    new_text = text.rstrip("\n") + "\n" + event.yaml()
    fd, tmp = tempfile.mkstemp(prefix=".events.", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_text)
        try:
            loaded = load_catalogue(tmp)
        except ResearchError as exc:
            raise ResearchError(str(exc).replace(str(Path(tmp).resolve()), str(path)).replace(tmp, str(path))
                                + f"\nthe new event was not added to {path}") from None
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return loaded[event.id]


def write_notebook(event_id: str, title: str, *, catalogue=None, notebooks=None, force: bool = False) -> Path:
    """Write ``<notebooks>/<event_id>.py`` from the template, with the event in its parameters.

    The catalogue is written into the parameters only when it is not the default one.
    """
    import jupytext

    from research.report.notebooks import TEMPLATE, notebooks_dir, source_path

    template = source_path(TEMPLATE, config.NOTEBOOKS_DIR if not (notebooks_dir(notebooks) / "template.py").is_file()
                           else notebooks)
    folder = notebooks_dir(notebooks)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{event_id}.py"
    if target.exists() and not force:
        raise ResearchError(f"{target} exists; remove it or pass --force to overwrite it")
    nb = jupytext.read(template)
    cat = catalogue_path(catalogue)
    cat_value = None if cat == config.EVENTS_FILE else str(cat)
    found = False
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "parameters" in tags:
            cell.source = _set_parameter(cell.source, "event", repr(event_id))
            cell.source = _set_parameter(cell.source, "catalogue", repr(cat_value))
            found = True
        elif cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            cell.source = re.sub(r"^\s*# .*", f"# {title}", cell.source, count=1)
    if not found:
        raise ResearchError(f"{template} has no cell tagged `parameters`")
    jupytext.write(nb, target, fmt="py:percent")
    return target


def _set_parameter(source: str, name: str, value: str) -> str:
    pattern = re.compile(rf"^{name}\s*=.*$", re.M)
    if not pattern.search(source):
        raise ResearchError(f"the template's parameters cell does not set {name!r}")
    return pattern.sub(f"{name} = {value}", source, count=1)


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'
