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


def notebooks_dir(path=None) -> Path:
    """The folder of notebook sources: ``path``, ``$RESEARCH_NOTEBOOKS`` or ``notebooks/``."""
    value = path or os.environ.get("RESEARCH_NOTEBOOKS")
    return Path(value).expanduser() if value else config.NOTEBOOKS_DIR


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
    return os.environ.get("RESEARCH_STRICT", "").strip().lower() in {"1", "true", "yes"}


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
                                           request_save_on_cell_execute=False)
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
    """Every text an executed notebook shows in its outputs (plain, HTML, LaTeX, CSV, streams),
    for checking that a number quoted in the prose appears in the results."""
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


def unsupported_numbers(nb, tag: str = "conclusion") -> list[str]:
    """Decimal numbers of the markdown cells tagged ``tag`` that no output of the notebook shows.

    A number in the prose matches an output number with the same digits; the prose may drop
    the sign of a negative number ("fell 9.77 %" for −9.77).
    """
    shown = set(quoted_numbers(output_text(nb)))
    shown |= {n.lstrip("-") for n in shown}
    missing = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and tag in cell.metadata.get("tags", []):
            for number in quoted_numbers(cell.source):
                if number not in shown:
                    missing.append(number)
    return missing


def execute_many(names, out_root: Path | str | None = None, *, jobs: int = 2, strict: bool | None = None,
                 notebooks=None) -> list[Run]:
    """Execute several notebooks, ``jobs`` at a time (each in its own process and kernel).

    The overview reads no other notebook's output, so every notebook can run in parallel.
    """
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    names = list(names)
    root = Path(out_root) if out_root else None
    args = [(n, root / n if root else None, strict, notebooks) for n in names]
    if jobs <= 1 or len(names) == 1:
        return [_execute_one(a) for a in args]
    # the overview does every episode's study: start it first so it does not finish last
    order = sorted(range(len(args)), key=lambda i: args[i][0] != "overview")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {i: pool.submit(_execute_one, args[i]) for i in order}
        return [futures[i].result() for i in range(len(args))]


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
