"""Layout checks of a rendered paper (issue 14), read from the PDF with poppler's pdftotext and
from the LaTeX and HTML the exporter wrote. Each returns the problems found (empty: none)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from research.report import paper

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')
#: A glyph's side bearing may reach this far into the margin (points).
TOLERANCE = 1.0


def margin_pt() -> float:
    """The side margin the paper's LaTeX template sets (``geometry``), in points."""
    template = (paper.TEMPLATES / "research-paper-latex" / "index.tex.j2").read_text(encoding="utf-8")
    cm = float(re.search(r"\\usepackage\[margin=([\d.]+)cm\]\{geometry\}", template).group(1))
    return cm / 2.54 * 72


def words_beyond_margin(pdf: Path) -> list[str]:
    """Every word of the PDF whose right edge passes the right margin (``pdftotext -bbox``)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    problems = []
    for number, page in enumerate(xhtml.split("<page ")[1:], 1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        edge = width - margin_pt() + TOLERANCE
        problems += [f"page {number}: {text!r} ends at {float(x1):.1f} pt, past {edge:.1f}"
                     for _, x1, text in _WORD.findall(page) if float(x1) > edge]
    return problems


def _pages(pdf: Path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


def empty_headings(pdf: Path, tex: Path) -> list[str]:
    """Every section heading that ends a page (its content went to the next one)."""
    titles = re.findall(r"\\section\*?\{([^{}]+)\}", tex.read_text(encoding="utf-8"))
    problems = []
    for number, page in enumerate(_pages(pdf), 1):
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        if lines and lines[-1].isdigit():        # the page number
            lines.pop()
        if lines and any(re.fullmatch(rf"(?:[0-9A-Z]{{1,2}} )?{re.escape(t)}", lines[-1]) for t in titles):
            problems.append(f"page {number} ends with the heading {lines[-1]!r}")
    return problems


def floats_in_references(pdf: Path) -> list[str]:
    """Every table or figure caption printed inside the reference list."""
    text = " ".join("\n".join(_pages(pdf)).split())
    start = text.rfind(" References ")
    if start < 0:
        return ["no reference list"]
    ends = [i for i in (text.find(" Appendix", start), text.find(" Run record", start)) if i > 0]
    inside = text[start:min(ends) if ends else len(text)]
    return [f"{m.group(0)!r} inside the references" for m in re.finditer(r"\b(?:Table|Figure) \d+:", inside)]


def split_units(tex: Path, html: Path) -> list[str]:
    """Every number of the prose whose "%" may be put on the next line: an ordinary space between
    them in the LaTeX (pandoc writes a kept space as ``~``) or in the HTML's paragraphs."""
    latex = tex.read_text(encoding="utf-8")
    problems = [f"LaTeX: {m.group(0)!r}" for m in re.finditer(r"\d+(?:\.\d+)? \\%", latex)]
    paragraphs = re.findall(r"<p>(.*?)</p>", html.read_text(encoding="utf-8"), re.S)
    problems += [f"HTML: {m.group(0)!r}" for p in paragraphs for m in re.finditer(r"\d+(?:\.\d+)? %", p)]
    return problems
