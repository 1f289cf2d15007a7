"""An executed episode notebook as a paper: PDF through XeLaTeX, and a standalone HTML page.

The exporter reads the executed notebook of a run folder (``research report`` writes it) and
lays it out as a short empirical paper, following the conventions of ``notebooks/README.md``:

* the title is the notebook's first ``#`` heading; the authors are ``--author``, else the notebook
  metadata ``research.authors``, else ``RESEARCH_AUTHOR``, else git's ``user.name``
  (:func:`resolve_authors`); the abstract is the cell tagged ``abstract`` (markdown, or the text a
  code cell displayed: the template's, written from the results by :mod:`research.report.prose`);
* ``##`` headings become numbered sections; code, printed text and the parameters cell are
  left out: only prose, figures and tables remain;
* figures and tables are the outputs the kit's objects displayed (their output metadata
  ``research.kind``); they are numbered in order and captioned. A markdown link to
  ``#fig:<label>`` or ``#tab:<label>`` becomes "Figure n" / "Table n";
* references: MacKinlay (1997) and the papers of every test and model the tables name;
* the appendix starts at the markdown cell tagged ``appendix`` and ends with the run record
  (parameters papermill passed, execution time, versions);
* layout: URLs break anywhere (xurl), no float enters the references (a ``\\FloatBarrier``
  before them), a figure or table right under a heading stays with it (``[H]``), and a number
  keeps its unit on its line (a no-break space, :func:`research.report.format.keep_units`).

nbconvert's default LaTeX template drops Chinese characters (its fonts have no CJK glyphs), so
the kit ships its own templates (``research/report/templates``): the LaTeX one loads xeCJK
with Noto CJK, so 海康威视 survives in text and tables; figures are the vector PDFs the
notebook kept, which embed their own glyphs.
"""

from __future__ import annotations

import copy
import datetime as _dt
import html as _html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from research import config
from research.errors import ResearchError

TEMPLATES = Path(__file__).parent / "templates"
#: The author of a paper when none is given anywhere (see :func:`authors`).
NEUTRAL_AUTHOR = "Anonymous"
#: Debian packages of the toolchain, for the messages that say what to install.
TEX_PACKAGES = "texlive-xetex texlive-latex-extra texlive-lang-chinese fonts-noto-cjk pandoc"
#: LaTeX packages the template loads, and the Debian package that has each.
LATEX_FILES = {"xeCJK.sty": "texlive-lang-chinese", "adjustbox.sty": "texlive-latex-extra",
               "booktabs.sty": "texlive-latex-recommended", "caption.sty": "texlive-latex-recommended",
               "fontspec.sty": "texlive-latex-recommended"}
_REF = re.compile(r"\[([^\]]*)\]\(#(fig|tab):([A-Za-z0-9_.-]+)\)")
_REMOVED_TAGS = {"parameters", "injected-parameters", "research-strict", "remove-cell"}


@dataclass
class Paper:
    """What a paper export wrote."""

    name: str
    title: str
    html: Path | None = None
    pdf: Path | None = None
    tex: Path | None = None
    figures: int = 0
    tables: int = 0
    references: list[str] = field(default_factory=list)


def run_folder(name: str, run: Path | str | None = None) -> Path:
    """The run folder of ``name``: ``run`` or ``<results>/<name>``."""
    return Path(run) if run else config.results_dir() / name


def executed_notebook(name: str, run: Path | str | None = None):
    """The executed notebook of ``name``, checked: it exists, it ran to the end without error.

    Raises
    ------
    ResearchError
        Saying which command to run when the notebook was never executed or failed.
    """
    import nbformat

    folder = run_folder(name, run)
    path = folder / f"{name}.ipynb"
    if not path.is_file():
        raise ResearchError(f"{name} has no executed notebook ({path} is missing): run `research report {name}` "
                            f"first" + (" with the same --out" if run else ""))
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            raise ResearchError(f"{path}: cell {i} ended in an error; fix it and run `research report {name}` again")
        if cell.get("execution_count") is None and cell.source.strip():
            raise ResearchError(f"{path} was not executed to the end (cell {i} never ran); "
                                f"run `research report {name}`")
    return nb


def export(name: str, *, run: Path | str | None = None, out: Path | str | None = None,
           formats=("html", "pdf"), authors=None) -> Paper:
    """Write the paper of an executed notebook as HTML and PDF.

    Parameters
    ----------
    name : the notebook (episode id, ``overview``, or a new event's id).
    run : the run folder holding ``<name>.ipynb`` (default ``<results>/<name>``).
    out : where the paper goes (default the run folder): ``<name>.html``, ``<name>.pdf``.
    formats : any of ``html`` and ``pdf``.
    authors : override the notebook's authors.

    Raises
    ------
    ResearchError
        Unknown or unexecuted notebook; a missing TeX toolchain (the HTML is written first);
        a LaTeX error (the .tex and the log are kept, the message says where).
    """
    nb = executed_notebook(name, run)
    folder = Path(out) if out else run_folder(name, run)
    folder.mkdir(parents=True, exist_ok=True)
    meta = prepare(nb, authors=authors)
    paper = Paper(name=name, title=meta["title"], figures=len(meta["figures"]), tables=len(meta["tables"]),
                  references=[k for k, _, _ in meta["references"]])
    if "html" in formats:
        paper.html = folder / f"{name}.html"
        paper.html.write_text(to_html(nb, meta), encoding="utf-8")
    if "pdf" in formats:
        check_toolchain()
        paper.tex, paper.pdf = to_pdf(nb, meta, folder, name)
    return paper


# --------------------------------------------------------------------------------------------
# the paper's structure, from the notebook
# --------------------------------------------------------------------------------------------

def prepare(nb, *, authors=None) -> dict:
    """Turn an executed notebook (modified in place) into the paper's cells and metadata.

    Removes code inputs' cells that show nothing of the kit, the parameters and setup cells;
    takes out the title and the abstract; numbers figures and tables (deduplicating labels);
    marks the first appendix cell; collects the references and the run record.

    Returns
    -------
    dict
        ``title, authors, date, abstract (markdown), figures, tables`` (label -> number),
        ``references`` (key, label, text) and ``run`` (name, value) pairs.
    """
    from research.report.notebooks import strip_cell_refs
    from research.report.references import bibliography

    title, abstract = "", ""
    cells = []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & _REMOVED_TAGS:
            continue
        if cell.cell_type == "markdown":
            cell.source = strip_cell_refs(cell.source)  # the prose's cell references are for the check only
            if "abstract" in tags:
                abstract = (abstract + "\n\n" + cell.source).strip()
                continue
            if not title:
                match = re.match(r"\s*#\s+(.+?)\s*(?:\n|$)", cell.source)
                if match:
                    title = match.group(1).strip()
                    cell.source = cell.source[match.end():].strip()
                    if not cell.source:
                        continue
            cells.append(cell)
        elif cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("metadata", {}).get("research")
                            and o.get("output_type") in ("display_data", "execute_result")]
            for o in cell.outputs:
                if o.metadata["research"].get("kind") == "text" and "text/markdown" in o.data:
                    o.data["text/markdown"] = strip_cell_refs(_text(o.data["text/markdown"]))
            if "abstract" in tags:  # an abstract the notebook wrote from its results (the template's)
                written = [o.data["text/markdown"] for o in cell.outputs if "text/markdown" in o.data]
                abstract = "\n\n".join([abstract, *written]).strip()
                continue
            if cell.outputs:
                cells.append(cell)
    nb.cells = cells

    numbers = {"figure": {}, "table": {}}
    keys = ["mackinlay1997"]
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.metadata["research"]
            kind = meta.get("kind")
            if kind not in numbers:
                continue
            label = meta.get("label") or kind
            base, k = label, 2
            while label in numbers[kind]:
                label, k = f"{base}-{k}", k + 1
            n = len(numbers[kind]) + 1
            numbers[kind][label] = n
            meta["label"], meta["number"] = label, n
            if kind == "table" and "text/latex" in output.data:
                output.data["text/latex"] = _text(output.data["text/latex"]).replace(
                    f"\\label{{tab:{base}}}", f"\\label{{tab:{label}}}")
            keys += meta.get("references", [])
    _keep_with_headings(nb.cells)
    has_appendix = False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "appendix" in cell.metadata.get("tags", []):
            cell.metadata["research_appendix_start"] = True
            has_appendix = True
            break
    pm = nb.metadata.get("papermill", {})
    research_meta = nb.metadata.get("research", {})
    authors = resolve_authors(authors, research_meta.get("authors"))
    end = pm.get("end_time") or ""
    date = end[:10] if end else _dt.date.today().isoformat()
    run = [("executed (UTC)", end[:19].replace("T", " ") if end else "unknown"),
           ("execution time", f"{pm.get('duration', 0):.1f} s" if pm.get("duration") else "unknown")]
    for key, value in (pm.get("parameters") or {}).items():
        run.append((f"parameter {key}", repr(value)))
    run.append(("kernel", nb.metadata.get("kernelspec", {}).get("display_name", "")))
    return {"title": title or "Untitled", "authors": authors, "date": date, "abstract": abstract,
            "figures": numbers["figure"], "tables": numbers["table"], "references": bibliography(keys),
            "run": run, "has_appendix": has_appendix}


_HEADING_LAST = re.compile(r"(?:^|\n)#{1,6}\s[^\n]*\s*$")
_TABLE_FLOAT = re.compile(r"\\begin\{table\}\[[^\]]*\]")


def _keep_with_headings(cells) -> None:
    """A figure or table right under a heading is placed where it stands (``[H]``), so a float
    that moves to the next page cannot leave its section an empty heading (LaTeX keeps a
    heading with what follows it)."""
    after_heading = False
    for cell in cells:
        if cell.cell_type == "markdown":
            after_heading = bool(_HEADING_LAST.search(cell.source.strip()))
            continue
        for output in cell.get("outputs", []):
            meta = output.metadata["research"]
            if after_heading and meta.get("kind") in ("figure", "table"):
                meta["here"] = True
                if "text/latex" in output.data:
                    output.data["text/latex"] = _TABLE_FLOAT.sub(lambda _: r"\begin{table}[H]",
                                                                 _text(output.data["text/latex"]), count=1)
            after_heading = False  # whatever shows first under the heading keeps it company


def resolve_authors(given=None, notebook=None, *, neutral: bool = True) -> list[str]:
    """The authors: ``given`` (``--author``), else the notebook's own, else ``$RESEARCH_AUTHOR``,
    else git's ``user.name``; only then :data:`NEUTRAL_AUTHOR` (or none, ``neutral=False``: what
    ``new-event`` writes into a notebook, so a later paper still asks the environment)."""
    for found in (given, notebook, [config.author()], [git_user_name()]):
        names = [" ".join(str(a).split()) for a in (found or []) if a and str(a).strip()]
        if names:
            return names
    return [NEUTRAL_AUTHOR] if neutral else []


def git_user_name() -> str | None:
    """git's ``user.name`` (``git config user.name``), or None without git or a name."""
    try:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (result.stdout.strip() or None) if result.returncode == 0 else None


def _refs(source: str, meta: dict, fmt: str) -> str:
    """Replace ``[text](#tab:label)`` links by "Table n" (LaTeX ``\\ref``, HTML link); keep numbers with
    their units."""

    def sub(match):
        kind, label = match.group(2), match.group(3)
        table = meta["tables"] if kind == "tab" else meta["figures"]
        word = "Table" if kind == "tab" else "Figure"
        if label not in table:
            return match.group(1) or word
        if fmt == "latex":
            return f"{word}\u00a0\\ref{{{kind}:{label}}}"  # pandoc writes a no-break space as ~
        return f"[{word} {table[label]}](#{kind}-{label})"

    from research.report.format import keep_units

    return keep_units(_REF.sub(sub, source))  # pandoc writes the no-break space as ~ in LaTeX


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

def to_html(nb, meta: dict) -> str:
    """The paper as one self-contained HTML page (figures embedded, no script)."""
    from nbconvert import HTMLExporter
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    exporter = HTMLExporter(template_name="research-paper-html", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_filter("paper_markdown", lambda s: markdown2html_mistune(_refs(s, meta, "html")))
    resources = {"paper": {**meta, "abstract_html": markdown2html_mistune(_refs(meta["abstract"], meta, "html")),
                           "references_html": [(_html.escape(label), _html.escape(text))
                                               for _, label, text in meta["references"]]}}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            m = output.metadata["research"]
            if m.get("kind") == "text":
                continue
            if m.get("kind") == "table" and "text/html" in output.data:
                output.data["text/html"] = _text(output.data["text/html"]).replace(
                    "<caption>", f"<caption>Table {m['number']}. ", 1).replace(
                    f'id="tab-{_strip_suffix(m["label"])}"', f'id="tab-{m["label"]}"', 1)
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    return body


def _strip_suffix(label: str) -> str:
    return re.sub(r"-\d+$", "", label)


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

def check_toolchain() -> None:
    """Check that XeLaTeX, pandoc, the LaTeX packages and a CJK font are installed.

    Raises
    ------
    ResearchError
        Naming what is missing and the packages to install.
    """
    missing = [tool for tool in ("xelatex", "pandoc") if shutil.which(tool) is None]
    if missing:
        raise ResearchError(f"{' and '.join(missing)} not found: the PDF is typeset with XeLaTeX (markdown via "
                            f"pandoc). Install them (Debian/Ubuntu: `apt-get install {TEX_PACKAGES}`), or export "
                            f"the HTML only with `--html`")
    if shutil.which("kpsewhich"):
        lacking = []
        for name, package in LATEX_FILES.items():
            found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
            if not found:
                lacking.append(f"{name} ({package})")
        if lacking:
            raise ResearchError("LaTeX packages missing for the PDF: " + ", ".join(lacking)
                                + f"; install them (Debian/Ubuntu: `apt-get install {TEX_PACKAGES}`)")
    cjk_fonts()


def cjk_fonts() -> tuple[str, str]:
    """(serif, sans) CJK font families fontconfig knows, for xeCJK."""
    if shutil.which("fc-list") is None:
        raise ResearchError(f"fontconfig (fc-list) not found: XeLaTeX finds its fonts with it; install "
                            f"`fontconfig fonts-noto-cjk`")
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    families = {f.strip() for line in out.splitlines() for f in line.split(",")}
    serif = next((f for f in ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN") if f in families), None)
    sans = next((f for f in ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei") if f in families), None)
    if not (serif or sans):
        raise ResearchError("no Chinese font for XeLaTeX (fc-list :lang=zh finds none): install fonts-noto-cjk")
    return serif or sans, sans or serif


def to_latex(nb, meta: dict) -> tuple[str, dict[str, bytes]]:
    """The paper's LaTeX source and its figure files (name -> bytes)."""
    import base64

    from nbconvert import LatexExporter
    from nbconvert.filters.pandoc import convert_pandoc

    def md2latex(source: str) -> str:
        return convert_pandoc(_refs(source, meta, "latex"), "markdown+raw_tex-implicit_figures", "latex",
                              extra_args=["--shift-heading-level-by=-1", "--wrap=preserve"])

    files = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            m = output.metadata["research"]
            if m.get("kind") != "figure":
                continue
            if "application/pdf" in output.data:
                name = f"figure-{m['number']:02d}.pdf"
                files[name] = base64.b64decode(_text(output.data["application/pdf"]))
            elif "image/png" in output.data:
                name = f"figure-{m['number']:02d}.png"
                files[name] = base64.b64decode(_text(output.data["image/png"]))
            else:
                continue
            m["file"] = name
    serif, sans = cjk_fonts()
    exporter = LatexExporter(template_name="research-paper-latex", extra_template_basedirs=[str(TEMPLATES)],
                             exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_filter("paper_markdown", md2latex)
    from research.report.tables import latex_escape

    resources = {"paper": {**meta, "abstract_latex": md2latex(meta["abstract"]) if meta["abstract"] else "",
                           "title_latex": latex_escape(meta["title"]),
                           "authors_latex": r" \and ".join(latex_escape(a) for a in meta["authors"]),
                           "references_latex": [latex_escape(text) for _, _, text in meta["references"]],
                           "run_latex": [(latex_escape(k), latex_escape(v)) for k, v in meta["run"]],
                           "cjk_serif": serif, "cjk_sans": sans}}
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    return body, files


def to_pdf(nb, meta: dict, folder: Path, name: str) -> tuple[Path, Path]:
    """Typeset the paper with XeLaTeX (twice, for the references); return the .tex and .pdf."""
    tex, files = to_latex(nb, meta)
    with tempfile.TemporaryDirectory(prefix="research-paper-") as tmp:
        build = Path(tmp)
        (build / f"{name}.tex").write_text(tex, encoding="utf-8")
        for fname, data in files.items():
            (build / fname).write_bytes(data)
        for _ in range(2):
            result = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
                                    cwd=build, capture_output=True, text=True, errors="replace")
            if result.returncode != 0:
                keep = folder / "latex-build"
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(build, keep)
                raise ResearchError(f"XeLaTeX failed on the paper of {name}: {_latex_error(result.stdout)}; the "
                                    f"source and log are in {keep}")
        pdf = folder / f"{name}.pdf"
        shutil.copyfile(build / f"{name}.pdf", pdf)
        tex_path = folder / f"{name}.tex"
        shutil.copyfile(build / f"{name}.tex", tex_path)
    return tex_path, pdf


def _latex_error(log: str) -> str:
    lines = [line for line in log.splitlines() if line.startswith("!")]
    if lines:
        missing = re.search(r"File `([^']+)' not found", log)
        if missing:
            package = LATEX_FILES.get(missing.group(1), "the TeX package that has it")
            return f"{missing.group(1)} not found (install {package})"
        return lines[0].lstrip("! ")
    return "see the log"


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)
