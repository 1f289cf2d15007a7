"""Executing the episode notebooks: jupytext text in, executed notebook, tables and figures out.

The notebooks live in ``notebooks/`` as jupytext percent-format ``.py`` files (the conventions
are in ``notebooks/README.md``). :func:`execute` reads one, runs it top to bottom with papermill
(the ``parameters`` cell can be overridden), and writes into the run folder::

    <out>/<name>.ipynb             the executed notebook
    <out>/tables/NN-<label>.csv    every table the notebook displayed (its numbers, full precision)
    <out>/figures/NN-<label>.png   every figure, and the same as vector PDF
    <out>/run.json                 parameters, source hash, timings, package version

With ``strict=True`` (or ``RESEARCH_STRICT=1``) a first cell turns warnings into errors in the
kernel and any warning written to stderr fails the run: what CI does.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from research import config
from research.errors import ResearchError

#: The episode notebooks, in the order of the catalogue's episodes.
EPISODE_NOTEBOOKS = ("e1-entity-list-2019", "e2-dahua-investment-2020", "e3-nyse-delisting-2021",
                     "e4-ns-cmic-2021", "e5-hikvision-2022")
#: Every notebook ``research report --all`` runs: the episodes, the overview, and the validation
#: of the tests (size and power on the store's returns, issue 7).
ALL_NOTEBOOKS = (*EPISODE_NOTEBOOKS, "overview", "validation")
#: The notebook a new event's notebook is written from.
TEMPLATE = "template"

_STRICT_CELL = ("# Added by research.report.notebooks (strict run): warnings are errors.\n"
                "import warnings\nwarnings.simplefilter('error')")
_STRICT_END = ("# Added by research.report.notebooks (strict run): the kernel's own shutdown may warn.\n"
               "import warnings\nwarnings.resetwarnings()")
_STRICT_TAGS = ["research-strict", "remove-cell"]
#: The kernel's own log (its TCP transport warning, an interrupt at shutdown) is not the reader's
#: business: a failing cell comes back through the notebook, a dead kernel through nbclient.
QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]


def notebooks_dir(path=None) -> Path:
    """The folder of notebook sources: ``path``, ``$RESEARCH_NOTEBOOKS`` or ``notebooks/``."""
    return config.notebooks_dir(path)


def source_path(name: str, folder=None) -> Path:
    """The jupytext source of notebook ``name`` (``notebooks/<name>.py``); a path is taken as is."""
    candidate = Path(name)
    if candidate.suffix in (".py", ".ipynb", ".md") and candidate.is_file():
        return candidate
    path = notebooks_dir(folder) / f"{name}.py"
    if not path.is_file():
        available = sorted(p.stem for p in notebooks_dir(folder).glob("*.py"))
        raise ResearchError(f"no notebook {name!r} in {notebooks_dir(folder)} (available: {', '.join(available)}); "
                            f"a new event gets one from `research new-event`")
    return path


def read_source(path: Path):
    """A notebook (nbformat node) from a jupytext text file or an ``.ipynb``."""
    import jupytext

    try:
        nb = jupytext.read(path)
    except Exception as exc:  # jupytext raises many types for a malformed file
        raise ResearchError(f"cannot read the notebook {path}: {exc}") from None
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb


def parameters_of(nb) -> dict:
    """The default parameters of a notebook: the assignments of its ``parameters`` cell."""
    import ast

    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            out = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        out[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:
                        out[node.targets[0].id] = ast.unparse(node.value)
            return out
    return {}


@dataclass
class Run:
    """What :func:`execute` left on disk."""

    name: str
    folder: Path
    notebook: Path
    tables: list[Path] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    parameters: dict = field(default_factory=dict)


def strict_default() -> bool:
    return config.strict()


def execute(name: str, out: Path | str | None = None, parameters: dict | None = None, *,
            strict: bool | None = None, notebooks=None, timeout: int = 900, source: Path | None = None) -> Run:
    """Execute notebook ``name`` top to bottom and write the run folder.

    Parameters
    ----------
    name : a notebook of ``notebooks/`` (``e5-hikvision-2022``, ``overview``) or a path.
    out : the run folder; default ``<results>/<name>`` (``RESEARCH_RESULTS`` moves the results).
    parameters : values for the ``parameters`` cell (papermill injects them after it).
    strict : warnings are errors (default ``RESEARCH_STRICT``).
    notebooks : the folder of notebook sources (default ``notebooks/``).
    source : run this source file under ``name`` (a template run for a new event).

    Returns
    -------
    Run

    Raises
    ------
    ResearchError
        When the notebook is missing, or a cell fails (the message names the cell and the
        error; the partly executed notebook is kept in the run folder for inspection).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    strict = strict_default() if strict is None else strict
    src = source or source_path(name, notebooks)
    nb = read_source(src)
    stem = Path(name).stem if Path(name).suffix else name
    folder = Path(out) if out else config.results_dir() / stem
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}.ipynb"
    if strict:
        import nbformat

        nb.cells.insert(0, nbformat.v4.new_code_cell(_STRICT_CELL, metadata={"tags": list(_STRICT_TAGS)}))
        nb.cells.append(nbformat.v4.new_code_cell(_STRICT_END, metadata={"tags": list(_STRICT_TAGS)}))
    params = dict(parameters or {})
    declared = parameters_of(nb)
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ResearchError(f"{src.name} has no parameter(s) {', '.join(unknown)} (its parameters cell sets: "
                            f"{', '.join(declared) or 'nothing'})")
    started = time.perf_counter()
    env = {"RESEARCH_STRICT": "1"} if strict else {}
    for attempt in (1, 2):
        try:
            with _environment(env):
                papermill.execute_notebook(copy.deepcopy(nb), str(target), parameters=params, kernel_name="python3",
                                           progress_bar=False, cwd=str(folder), execution_timeout=timeout,
                                           request_save_on_cell_execute=False, extra_arguments=QUIET_KERNEL)
            break
        except PapermillExecutionError as exc:
            raise ResearchError(f"{src.name}: cell {exc.exec_count} failed with {exc.ename}: "
                                f"{_first_line(exc.evalue)}; the executed notebook is in {target}") from None
        except (RuntimeError, TimeoutError, OSError) as exc:
            # the kernel did not start or died (ports taken by a kernel starting beside it): once more
            if attempt == 2:
                raise ResearchError(f"{src.name}: the Python kernel failed ({type(exc).__name__}: "
                                    f"{_first_line(str(exc))}); is ipykernel installed in this environment?") from None
    seconds = time.perf_counter() - started
    import nbformat

    executed = nbformat.read(target, as_version=4)
    if strict:
        _check_no_warnings(executed, src, target)
    run = Run(name=stem, folder=folder, notebook=target, seconds=seconds, parameters={**declared, **params})
    run.tables, run.figures = write_outputs(executed, folder)
    record = {"notebook": stem, "source": str(src), "source_sha256": hashlib.sha256(src.read_bytes()).hexdigest(),
              "parameters": _jsonable(run.parameters), "strict": strict, "seconds": round(seconds, 2),
              "executed": executed.metadata.get("papermill", {}).get("end_time"),
              "tables": [p.name for p in run.tables], "figures": [p.name for p in run.figures],
              "research_version": _version()}
    (folder / "run.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return run


def outputs(nb, kind: str | None = None):
    """``(cell index, output, research metadata)`` of every output the kit's objects displayed,
    figures and tables, in notebook order; ``kind`` selects ``"figure"`` or ``"table"``."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("research")
            if meta and (kind is None or meta.get("kind") == kind):
                yield i, output, meta


def write_outputs(nb, folder: Path) -> tuple[list[Path], list[Path]]:
    """Write every table (CSV) and figure (PNG, PDF) the executed notebook displayed."""
    tables, figures = [], []
    tdir, fdir = folder / "tables", folder / "figures"
    for sub in (tdir, fdir):
        if sub.is_dir():
            for old in sub.iterdir():
                old.unlink()
    counts = {"table": 0, "figure": 0}
    for _, output, meta in outputs(nb):
        kind = meta.get("kind")
        if kind not in counts:
            continue
        counts[kind] += 1
        stem = f"{counts[kind]:02d}-{_slug(meta.get('label') or kind)}"
        data = output.get("data", {})
        if kind == "table" and "text/csv" in data:
            tdir.mkdir(parents=True, exist_ok=True)
            path = tdir / f"{stem}.csv"
            path.write_text(_text(data["text/csv"]), encoding="utf-8")
            tables.append(path)
        elif kind == "figure":
            fdir.mkdir(parents=True, exist_ok=True)
            for mime, ext in (("image/png", "png"), ("application/pdf", "pdf")):
                if mime in data:
                    path = fdir / f"{stem}.{ext}"
                    path.write_bytes(base64.b64decode(_text(data[mime])))
                    figures.append(path)
    return tables, figures


def output_text(nb) -> str:
    """Every text an executed notebook shows in its outputs (plain, HTML, LaTeX, CSV, streams)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(_text(output.get("text", "")))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/"):
                    parts.append(_text(value))
    return "\n".join(parts)


#: A decimal number as prose writes it: 9.77, -9.77, −9.77 (a leading sign kept).
NUMBER = re.compile(r"[-\u2212]?\d+\.\d+")


def quoted_numbers(text: str) -> list[str]:
    """The decimal numbers of ``text`` (``9.77``, ``−15.88``), normalised to an ASCII minus."""
    return [n.replace("\u2212", "-") for n in NUMBER.findall(text)]


# --------------------------------------------------------------------------------------------
# numbers in prose, each read against the table cell it names (issue 17)
# --------------------------------------------------------------------------------------------

#: A number's source, written right after it in an abstract or a conclusion and invisible in
#: the notebook and the paper: ``−8.30 %<!-- car: Dahua | [0,0] -->``. The label may name
#: another notebook's table (``validation/power``); the row is a stub (or a unique part of one),
#: optionally after its group heading (``Clustered dates > BMP t``); ``| stat`` reads the line of
#: statistics (t or p) printed under that row.
CELL_REF = re.compile(r"<!--\s*(?:(?P<notebook>[\w.-]+)/)?(?P<label>[\w-]+)\s*:\s*(?P<row>[^|>]*?(?:>[^|]*?)?)"
                      r"\s*\|\s*(?P<column>[^|]*?)\s*(?:\|\s*(?P<line>stat)\s*)?-->")
#: The prose tags whose numbers are checked ("prose": a section's own prose, e.g. volume and risk).
PROSE_TAGS = ("abstract", "conclusion", "prose")
#: Tables of abnormal returns: a number read from them is never called a loss, a rise or a price move.
ABNORMAL_TABLES = ("ar", "car", "tests", "robustness", "pre-event", "pre-event-tests", "overview", "listings",
                   "programmes")
_MOVE_WORDS = re.compile(r"\b(?:lost|lose|loses|loss|losses|fell|fall|falls|rose|rise|rises|gained|gain|gains|"
                         r"dropped|drop|drops|jumped|slumped|cost|costs|price move|price moves)\b", re.I)
_SIGNIFICANT = re.compile(r"(?<!not )(?<!in)\bsignificant(?:ly)?\b", re.I)
_NON_REJECTION = re.compile(r"\b(?:not significant|insignificant|no measurable|does not reject|do not reject|"
                            r"not rejected|no evidence)\b", re.I)
_GAP = re.compile(r"[^A-Za-z\u00C0-\u024F\u4e00-\u9fff]*")  # what may separate the numbers one reference covers


_SENTENCE_END = re.compile(r"(?<=\.)\s+(?=[A-Z])|\n\s*\n")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: a full stop before a capital letter, or a
    blank line, ends one."""
    cuts = list(_SENTENCE_END.finditer(text))
    starts = [0] + [m.end() for m in cuts]
    ends = [m.start() for m in cuts] + [len(text)]
    return list(zip(starts, ends))


def strip_cell_refs(text: str) -> str:
    """Prose without its cell references (what a reader and the paper see)."""
    return CELL_REF.sub("", text)


def table_cells(nb) -> dict[str, list[dict]]:
    """label -> displayed cells (:meth:`research.report.tables.ResultTable.cells`) of every table
    an executed notebook shows; a label shown twice keeps its first table."""
    out: dict[str, list[dict]] = {}
    for _, _, meta in outputs(nb, "table"):
        if meta.get("label") and "cells" in meta:
            out.setdefault(meta["label"], meta["cells"])
    return out


def find_cell(cells: list[dict], row: str, column: str, line: str = "row") -> str:
    """The printed text of the cell at ``row`` (``[group >] stub``: exact, else a unique part),
    ``column`` (exact, else a unique part) and ``line`` (``row`` or ``stat``).

    Raises
    ------
    LookupError
        When the row or the column is missing or ambiguous (the message says which).
    """
    group, _, stub = row.rpartition(">")
    group, stub = group.strip(), stub.strip()
    lines = [c for c in cells if c["line"] == line and (not group or group in c["group"])]
    rows = [c for c in lines if c["stub"] == stub] or [c for c in lines if stub in c["stub"]]
    if len(rows) != 1:
        raise LookupError(f"row {row!r} ({line}) matches {len(rows)} rows")
    columns = list(rows[0]["cells"])
    names = [c for c in columns if c == column] or [c for c in columns if column in c]
    if len(names) != 1:
        raise LookupError(f"column {column!r} matches {len(names)} of {columns}")
    return rows[0]["cells"][names[0]]


@dataclass
class Claim:
    """A run of numbers of the prose and the cell reference written right after it."""

    numbers: list[str]
    notebook: str | None
    label: str
    row: str
    column: str
    line: str
    sentence: str
    clause: str

    def where(self) -> str:
        stat = " | stat" if self.line == "stat" else ""
        return f"{self.notebook + '/' if self.notebook else ''}{self.label}: {self.row} | {self.column}{stat}"


def prose_claims(text: str) -> tuple[list[Claim], list[str]]:
    """The claims of a prose cell, and its numbers that no reference covers.

    A reference covers the numbers right before it, separated by spaces, signs, brackets,
    commas, ``%`` or ``=`` only (``[6.20, 9.52] %<!-- ... -->`` covers two numbers)."""
    claims, orphans = [], []
    spans = sentences(text)
    pending: list[tuple[str, int]] = []  # numbers since the last reference: (text, end)
    last = 0
    tokens = sorted([(m.start(), m.end(), "n", m) for m in NUMBER.finditer(text)]
                    + [(m.start(), m.end(), "r", m) for m in CELL_REF.finditer(text)], key=lambda t: t[0])
    tokens = [t for t in tokens if not (t[2] == "n" and any(r[0] <= t[0] < r[1] for r in tokens if r[2] == "r"))]
    for start, end, kind, m in tokens:
        if kind == "n":
            if pending and not _GAP.fullmatch(text[pending[-1][1]:start]):
                orphans += [n for n, _ in pending]
                pending = []
            pending.append((m.group(0).replace("\u2212", "-"), end))
            continue
        covered = pending if pending and _GAP.fullmatch(text[pending[-1][1]:start]) else []
        if pending and not covered:
            orphans += [n for n, _ in pending]
        begin, stop = next(span for span in spans if span[0] <= start < span[1])
        sentence = strip_cell_refs(text[begin:stop])
        clause_start = max(begin, last)
        first = covered[0][1] - len(covered[0][0]) if covered else start
        claims.append(Claim([n for n, _ in covered], m.group("notebook"), m.group("label"), m.group("row").strip(),
                            m.group("column").strip(), m.group("line") or "row", sentence,
                            strip_cell_refs(text[clause_start:first])))
        pending, last = [], end
    orphans += [n for n, _ in pending]
    return claims, orphans


def prose_cells(nb, tags: Sequence[str] = PROSE_TAGS) -> list[tuple[str, str]]:
    """(tag, markdown) of every prose cell tagged ``tags``: a markdown cell's source, or the text
    a code cell displayed (the template's abstract and conclusion are written by
    :mod:`research.report.prose` when the notebook runs)."""
    out = []
    for cell in nb.cells:
        found = sorted(set(cell.metadata.get("tags", [])) & set(tags))
        if not found:
            continue
        if cell.cell_type == "markdown":
            out.append((found[0], cell.source))
        elif cell.cell_type == "code":
            out += [(found[0], _text(o["data"]["text/markdown"])) for o in cell.get("outputs", [])
                    if o.get("metadata", {}).get("research", {}).get("kind") == "text"
                    and "text/markdown" in o.get("data", {})]
    return out


def check_prose(nb, others: dict | None = None, tags: Sequence[str] = PROSE_TAGS) -> list[str]:
    """Every problem of the numbers in the prose cells tagged ``tags`` of an executed notebook.

    A number must be followed by a reference to a table cell (:data:`CELL_REF`) and equal the
    number that cell prints (same digits and sign; a cell printing an interval may be quoted in
    part). Words follow the statistic: a number read from a table of abnormal returns
    (:data:`ABNORMAL_TABLES`) is not introduced as a loss, rise or price move; a sentence that
    calls something significant names a cell that carries at least two stars or a p-value under
    0.05; a sentence drawn from a non-rejection quotes the power of the validation's power table.

    Parameters
    ----------
    nb : the executed notebook.
    others : notebook name -> executed notebook, for references to another notebook's tables.

    Returns
    -------
    list of str, one message per problem (empty: the prose agrees with its tables).
    """
    own = table_cells(nb)
    shelves = {name: table_cells(other) for name, other in (others or {}).items()}
    problems = []
    for tag, source in prose_cells(nb, tags):
        claims, orphans = prose_claims(source)
        problems += [f"{tag}: {n} names no table cell" for n in orphans]
        problems += [f"{tag}: cannot read the cell reference {m.group(0)[:60]!r} (write <!-- label: row | column -->)"
                     for m in re.finditer(r"<!--.*?-->", strip_cell_refs(source), re.S)]
        by_sentence: dict[str, list[tuple[Claim, str | None]]] = {
            strip_cell_refs(source[a:b]): [] for a, b in sentences(source)}
        unread: dict[str, int] = {}
        for claim in claims:
            shelf = own if claim.notebook is None else shelves.get(claim.notebook)
            by_sentence.setdefault(claim.sentence, []).append((claim, None))
            if shelf is None:
                unread[claim.notebook] = unread.get(claim.notebook, 0) + 1
                continue
            if claim.label not in shelf:
                problems.append(f"{tag}: {claim.where()}: no table labelled {claim.label!r}")
                continue
            try:
                shown = find_cell(shelf[claim.label], claim.row, claim.column, claim.line)
            except LookupError as exc:
                problems.append(f"{tag}: {claim.where()}: {exc}")
                continue
            by_sentence[claim.sentence][-1] = (claim, shown)
            printed = quoted_numbers(shown)
            if not claim.numbers:
                problems.append(f"{tag}: {claim.where()}: the reference follows no number")
            elif not _contiguous(claim.numbers, printed):
                problems.append(f"{tag}: {' '.join(claim.numbers)} differs from {claim.where()}, which prints "
                                f"{shown!r}")
            if claim.label in ABNORMAL_TABLES and claim.line == "row" and _MOVE_WORDS.search(claim.clause):
                problems.append(f"{tag}: {' '.join(claim.numbers)} ({claim.where()}) is an abnormal return but is "
                                f"called a {_MOVE_WORDS.search(claim.clause).group(0)!r}")
        problems += [f"{tag}: {k} reference(s) to {name!r}, which has no executed notebook to read (run "
                     f"`research report {name}`)" for name, k in unread.items()]
        for sentence, found in by_sentence.items():
            quoted = " ".join(sentence.split())[:90]
            if _SIGNIFICANT.search(sentence) and not any(shown is not None and _rejects(c, shown)
                                                         for c, shown in found):
                problems.append(f"{tag}: 'significant' without a cell that rejects at 5 %: {quoted}")
            if _NON_REJECTION.search(sentence) and not any(c.label == "power" and c.notebook in (None, "validation")
                                                           for c, _ in found):
                problems.append(f"{tag}: a non-rejection without the test's power (validation/power): {quoted}")
    return problems


def check_run(notebook: Path | str) -> list[str]:
    """:func:`check_prose` on an executed notebook (a run folder's ``<name>.ipynb``), reading
    another notebook's tables (``validation/power``) from its run folder beside this one, or from
    the results folder."""
    import nbformat

    notebook = Path(notebook)
    folder = notebook.parent
    nb = nbformat.read(notebook, as_version=4)
    wanted = {m.group("notebook") for c in nb.cells if c.cell_type == "markdown"
              for m in CELL_REF.finditer(c.source) if m.group("notebook")}
    others = {}
    for name in wanted:
        for candidate in (folder.parent / name / f"{name}.ipynb", config.results_dir() / name / f"{name}.ipynb"):
            if candidate.is_file():
                others[name] = nbformat.read(candidate, as_version=4)
                break
    return check_prose(nb, others)


def _contiguous(quoted: list[str], printed: list[str]) -> bool:
    k = len(quoted)
    return any(printed[i:i + k] == quoted for i in range(len(printed) - k + 1))


def _rejects(claim: Claim, shown: str) -> bool:
    """A cell that rejects at 5 %: two or more stars, or a p-value (a statistics line) under 0.05."""
    if "**" in shown:
        return True
    if shown.strip("() ").startswith("<"):  # p < 0.001
        return True
    is_p = (claim.line == "stat" and claim.label.endswith("tests")) or claim.column.lower().startswith("p")
    numbers = quoted_numbers(shown)
    return is_p and bool(numbers) and float(numbers[0]) < 0.05


@dataclass
class Failure:
    """A notebook of :func:`execute_many` that did not run through: its name, the error's one-line
    message (the cell and the error, as :func:`execute` raises it) and the seconds from the start
    of the batch to the failure."""

    name: str
    message: str
    seconds: float = 0.0


def execute_many(names, out_root: Path | str | None = None, *, jobs: int | None = None, strict: bool | None = None,
                 notebooks=None, progress=None, failures: list | None = None) -> list[Run]:
    """Execute several notebooks, ``jobs`` at a time (default: the cores), each in its own process
    and kernel; ``progress(run)`` is called as each one finishes.

    With a ``failures`` list, a notebook that fails is appended to it as a :class:`Failure` (and
    passed to ``progress``) while the others run on, and the runs of those that succeeded are
    returned; without one, the first failure is raised. Each notebook writes only its own folder,
    so a failure leaves the others' outputs whole. The overview reads no other notebook's output,
    so every notebook can run in parallel.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    import multiprocessing

    names = list(names)
    jobs = jobs or os.cpu_count() or 1
    root = Path(out_root) if out_root else None
    args = [(n, root / n if root else None, strict, notebooks) for n in names]
    done = progress or (lambda run: None)
    started = time.perf_counter()

    def failed(name, exc):
        if failures is None or not isinstance(exc, ResearchError):
            raise exc
        failures.append(Failure(name, str(exc), time.perf_counter() - started))
        done(failures[-1])

    runs = {}
    if jobs <= 1 or len(names) == 1:
        for i, a in enumerate(args):
            try:
                runs[i] = _execute_one(a)
            except ResearchError as exc:
                failed(a[0], exc)
                continue
            done(runs[i])
        return [runs[i] for i in sorted(runs)]
    # the longest (the overview and the validation, which do many studies) first, so they do not finish last
    order = sorted(range(len(args)), key=lambda i: args[i][0] not in ("overview", "validation"))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(_execute_one, args[i]): i for i in order}
        for future in as_completed(futures):
            i = futures[future]
            try:
                runs[i] = future.result()
            except ResearchError as exc:
                failed(args[i][0], exc)
                continue
            done(runs[i])
        return [runs[i] for i in sorted(runs)]


def _execute_one(args) -> Run:
    name, out, strict, notebooks = args
    return execute(name, out, strict=strict, notebooks=notebooks)


def _check_no_warnings(nb, src: Path, target: Path) -> None:
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = _text(output.get("text", ""))
                if "Warning" in text:
                    raise ResearchError(f"{src.name}: cell {i} wrote a warning (strict run): "
                                        f"{_first_line(text)}; see {target}")


class _environment:
    """Set environment variables for the kernel the block starts, restoring them after."""

    def __init__(self, values: dict):
        self.values = values
        self.saved: dict = {}

    def __enter__(self):
        for k, v in self.values.items():
            self.saved[k] = os.environ.get(k)
            os.environ[k] = v

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _first_line(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(text)).strip()
    return text.splitlines()[0] if text else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "output"


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def _version() -> str:
    import research
    return research.__version__
