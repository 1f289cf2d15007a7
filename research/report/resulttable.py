"""The table of a paper: :class:`ResultTable` holds the displayed cells, a caption, a label,
notes and the numbers behind the cells (:attr:`ResultTable.data`, written as CSV by ``research
report``), and renders itself as LaTeX (:meth:`~ResultTable.to_latex`: a ``table`` float with
booktabs rules, significance stars as superscripts, t-statistics in parentheses under the
estimates and the notes under the table; needs ``\\usepackage{booktabs,adjustbox}``), as HTML
(:meth:`~ResultTable.to_html`) and as plain text; in a notebook it displays as HTML and carries its
caption, label and references in the output's metadata, which the paper exporter numbers.

The builders that turn the kit's objects into tables are in :mod:`research.report.tables`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from research.report.format import keep_units

#: Tables with more rows than this break across pages (``longtable``) in LaTeX.
LONG_ROWS = 44
#: A long table wider than this many characters is set in ``\scriptsize`` (the widest line that
#: fits the paper's text width in ``\footnotesize``, measured on the tests tables).
LONG_CHARS = 100


@dataclass
class Row:
    """One row of a :class:`ResultTable`.

    ``kind``: ``"row"`` (estimates), ``"stat"`` (statistics under the row above, smaller),
    ``"group"`` (a heading spanning the table), ``"gap"`` (space before the next row).
    """

    stub: str
    cells: list[str] = field(default_factory=list)
    kind: str = "row"


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                  "\u00a0": "~"}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text (Unicode, CJK included, passes through); a
    number keeps its unit on its line (:func:`research.report.format.keep_units`)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in keep_units(str(text)))


def _stacked(latex: str) -> str:
    """A statistics cell holding a p-value and, in brackets, its adjusted p-values: the two on
    two lines, so that the adjusted ones do not widen a long table past the margin (a long table
    cannot be scaled to the line). ``{}`` keeps ``\\\\`` from reading the bracket as its option."""
    head, sep, tail = latex.partition(" [")
    if not sep or not head.startswith("("):
        return latex
    return rf"\begin{{tabular}}[t]{{@{{}}r@{{}}}}{head}\\{{}}[{tail}\end{{tabular}}"


def _latex_cell(text: str) -> str:
    match = re.fullmatch(r"(.*?)(\*{1,3})", text, re.S)
    if match and match.group(1):
        return _break_urls(latex_escape(match.group(1))) + r"\textsuperscript{" + match.group(2) + "}"
    return _break_urls(latex_escape(text))


def _break_urls(latex: str) -> str:
    """Typeset the URLs and other long words of a cell (seed file names) as written: TeX breaks a
    word only at hyphens, so a long path runs past the margin of a narrow column (the sources of
    the events table) unless it may break after its slashes, dots, query marks and underscores
    (a host name too: ``www.marketscreener.com/``), and TeX's ligatures would print "--" as an
    en dash."""
    def url(m: re.Match) -> str:
        rest = re.sub(r"([/?=&_.])", r"\1\\allowbreak{}", m.group(2).replace("--", "-{}-"))
        # a run of 11+ letters or digits (``freeamericanetwork``) may break anywhere, as xurl lets \url
        return m.group(1) + re.sub(r"(?<![\\A-Za-z0-9])[A-Za-z0-9]{11,}", lambda r: r"\allowbreak{}".join(r.group(0)),
                                   rest)

    def word(m: re.Match) -> str:
        return re.sub(r"(/|\.|\\_)", r"\1\\allowbreak{}", m.group(0))
    latex = re.sub(r"(?<!\S)(?!https?://)\S{20,}", word, latex)
    return re.sub(r"(https?://)(\S+)", url, latex)


_WORD = re.compile(r"[^\W\d_]{2}")   # two letters running (any script): text, not a number such as 1.2e-3
# a number, perhaps signed, starred, bracketed or with its unit: −9.77***, (2.10), 12 %, 277.96 USD, 1.2bn CNY
_NUMBER = re.compile(r"[(\[]?[−+\-]?\d[\d,]*(\.\d+)?\s*(%|[^\W\d_]{1,3})?(\s[^\W\d_]{1,3})?\**[)\]]?")


def _is_text(cell: str) -> bool:
    return bool(_WORD.search(cell)) and not _NUMBER.fullmatch(cell.strip())


def _html_cell(text: str) -> str:
    match = re.fullmatch(r"(.*?)(\*{1,3})", text, re.S)
    if match and match.group(1):
        return html.escape(keep_units(match.group(1))) + f"<sup>{match.group(2)}</sup>"
    return html.escape(keep_units(text))


class ResultTable:
    """A captioned table with notes, rendered as LaTeX, HTML or text; numbers in :attr:`data`.

    Parameters
    ----------
    columns : the column headings (after the stub column).
    rows : :class:`Row` objects (or ``(stub, cells)`` pairs).
    caption : one sentence saying what the table shows.
    label : short identifier, unique within a notebook (``car``, ``tests``); LaTeX ``tab:label``.
    notes : sentences printed under the table.
    data : the numbers behind the cells, one tidy row per number (the CSV of the table).
    references : bibliography keys of :mod:`research.report.references` the table rests on.
    stub : heading of the first column.
    align : LaTeX column types after the stub, e.g. ``"rrr"`` or ``["l", "p{5cm}"]``; default
        ``l`` for a column with text in a cell (two letters running, not a number's unit), ``r`` for
        numbers.
    """

    def __init__(self, columns: Sequence[str], rows: Iterable, *, caption: str, label: str,
                 notes: Sequence[str] = (), data: pd.DataFrame | None = None,
                 references: Sequence[str] = (), stub: str = "", align=None):
        self.columns = [str(c) for c in columns]
        self.rows = [r if isinstance(r, Row) else Row(str(r[0]), [str(c) for c in r[1]]) for r in rows]
        for row in self.rows:
            if row.kind in ("row", "stat") and len(row.cells) != len(self.columns):
                raise ValueError(f"row {row.stub!r} has {len(row.cells)} cells for {len(self.columns)} columns")
        self.caption = caption
        self.label = label
        self.notes = list(notes)
        self.stub = stub
        self.data = data if data is not None else self.to_frame()
        self.references = tuple(references)
        if align is None:   # text columns (a cell with a word) left, numbers right
            cells = [row.cells for row in self.rows if row.kind in ("row", "stat")]
            align = ["l" if any(_is_text(c[j]) for c in cells) else "r" for j in range(len(self.columns))]
        elif isinstance(align, str):
            align = list(align)
        if len(align) != len(self.columns):
            raise ValueError(f"align has {len(align)} entries for {len(self.columns)} columns")
        self.align = list(align)

    # ------------------------------------------------------------------ renderings
    def to_frame(self) -> pd.DataFrame:
        """The displayed cells as a DataFrame (stub as the first column)."""
        records = [[r.stub, *r.cells] for r in self.rows if r.kind in ("row", "stat")]
        return pd.DataFrame(records, columns=[self.stub or "", *self.columns])

    def to_latex(self, *, float_env: bool = True, position: str = "htbp", long: bool | None = None) -> str:
        """The table as LaTeX: booktabs rules, stars as superscripts, notes under the table.

        Parameters
        ----------
        float_env : wrap in a ``table`` float with ``\\caption`` and ``\\label{tab:<label>}``;
            False gives the ``tabular`` and the notes only.
        position : the float's placement.
        long : a ``longtable`` that breaks across pages (default: when the table has more than
            :data:`LONG_ROWS` rows); its columns must fit the line (``p{}`` columns for text).

        Notes
        -----
        Needs ``\\usepackage{booktabs}``, ``\\usepackage{adjustbox}`` (the tabular is
        shrunk to the line width when wider, and to the page when taller), ``array`` for text
        (``p{}``) columns and ``longtable`` for long tables.
        """
        ncol = len(self.columns) + 1
        # text columns ragged right, not justified into hyphenated gaps (needs the array package)
        spec = "l" + "".join(rf">{{\raggedright\arraybackslash}}{a}" if a.startswith("p{") else a
                             for a in self.align)
        if long is None:
            long = float_env and len(self.rows) > LONG_ROWS
        if long:
            return self._longtable(spec, ncol)
        lines = []
        if float_env:
            lines += [rf"\begin{{table}}[{position}]", r"\centering",
                      rf"\caption{{{latex_escape(self.caption)}}}\label{{tab:{self.label}}}"]
        size = r"\small" if len(self.rows) <= 24 else r"\footnotesize"
        # shrunk to the line, and to the page when its text cells wrap into more lines than a page holds
        # (the events table's sources): a float cannot break, and its bottom would run off the page
        lines += [size, r"\begin{adjustbox}{max width=\linewidth, max totalheight=0.8\textheight}",
                  rf"\begin{{tabular}}{{{spec}}}",
                  r"\toprule"]
        header = [latex_escape(self.stub)] + [latex_escape(c) for c in self.columns]
        lines.append(" & ".join(header) + r" \\")
        lines.append(r"\midrule")
        lines += self._body_latex(ncol)
        lines += [r"\bottomrule", r"\end{tabular}", r"\end{adjustbox}"]
        if self.notes:
            notes = " ".join(latex_escape(n) for n in self.notes)
            lines += [r"\par\smallskip", r"\begin{minipage}{\linewidth}\footnotesize",
                      rf"\textit{{Notes:}} {notes}", r"\end{minipage}"]
        if float_env:
            lines.append(r"\end{table}")
        return "\n".join(lines) + "\n"

    def _body_latex(self, ncol: int, stat_size: str = r"\footnotesize") -> list[str]:
        """The rows; statistics lines in ``stat_size`` (a long table, already small, passes "")."""
        lines = []
        for i, row in enumerate(self.rows):
            if row.kind == "group":
                if i:
                    lines.append(r"\addlinespace")
                lines.append(rf"\multicolumn{{{ncol}}}{{l}}{{\textit{{{latex_escape(row.stub)}}}}} \\")
            elif row.kind == "gap":
                lines.append(r"\addlinespace[2pt]")
            elif row.kind == "rule":
                lines.append(r"\midrule")
            else:
                cells = [_latex_cell(c) for c in row.cells]
                if row.kind == "stat":
                    cells = [rf"{{{stat_size} {_stacked(c)}}}" if c and stat_size else _stacked(c) for c in cells]
                lines.append(" & ".join([latex_escape(row.stub), *cells]) + r" \\")
        return lines

    def _longtable(self, spec: str, ncol: int) -> str:
        header = " & ".join([latex_escape(self.stub)] + [latex_escape(c) for c in self.columns]) + r" \\"
        # a long table cannot be scaled to the line as a float is: a wide one gets a smaller type,
        # closer columns and a stub that wraps (the long names of the tests)
        size = r"\footnotesize"
        if self._width_chars() > LONG_CHARS:
            size = r"\scriptsize\setlength{\tabcolsep}{3pt}"
            spec = r">{\raggedright\arraybackslash}p{0.22\linewidth}" + spec[1:]
        lines = [rf"\begingroup{size}", r"\setlength{\LTcapwidth}{\linewidth}",
                 rf"\begin{{longtable}}{{{spec}}}",
                 rf"\caption{{{latex_escape(self.caption)}}}\label{{tab:{self.label}}} \\",
                 r"\toprule", header, r"\midrule", r"\endfirsthead",
                 rf"\multicolumn{{{ncol}}}{{l}}{{\textit{{(continued)}}}} \\", r"\toprule", header, r"\midrule",
                 r"\endhead", r"\bottomrule", r"\endlastfoot"]
        lines += self._body_latex(ncol, stat_size="")
        lines.append(r"\end{longtable}")
        if self.notes:
            notes = " ".join(latex_escape(n) for n in self.notes)
            lines += [r"\vspace{-\baselineskip}", rf"\par\textit{{Notes:}} {notes}\par"]
        lines.append(r"\endgroup")
        return "\n".join(lines) + "\n"

    def _width_chars(self) -> int:
        """The table's width in characters: the widest cell of each column, the stub's included,
        a stacked statistics cell counting its wider line."""
        widths = [len(self.stub), *(len(c) for c in self.columns)]
        for row in self.rows:
            if row.kind in ("row", "stat"):
                for i, cell in enumerate([row.stub, *row.cells]):
                    widths[i] = max(widths[i], max(len(part) for part in str(cell).split(" [")))
        return sum(widths)

    def to_html(self, *, number: int | None = None) -> str:
        """The table as an HTML ``<table>`` with its caption (``Table n.`` when numbered) and notes."""
        prefix = f"Table {number}. " if number else ""
        # the LaTeX column types as classes: text columns (l, p{}) left, c centred, numbers (r) right
        align = [' class="l"' if a == "l" or a.startswith("p{") else ' class="c"' if a == "c" else ""
                 for a in self.align]
        out = [f'<table class="research-table" id="tab-{html.escape(self.label)}">',
               f"<caption>{html.escape(prefix)}{html.escape(self.caption)}</caption>",
               "<thead><tr>" + f"<th>{html.escape(self.stub)}</th>"
               + "".join(f"<th{a}>{html.escape(c)}</th>" for a, c in zip(align, self.columns))
               + "</tr></thead>", "<tbody>"]
        ncol = len(self.columns) + 1
        for row in self.rows:
            if row.kind == "group":
                out.append(f'<tr class="group"><th colspan="{ncol}">{html.escape(row.stub)}</th></tr>')
            elif row.kind in ("gap", "rule"):
                continue
            else:
                cells = "".join(f"<td{a}>{_html_cell(c)}</td>" for a, c in zip(align, row.cells))
                out.append(f'<tr class="{row.kind}"><th>{html.escape(row.stub)}</th>{cells}</tr>')
        out.append("</tbody>")
        if self.notes:
            out.append(f'<tfoot><tr><td colspan="{ncol}"><em>Notes:</em> '
                       f'{html.escape(" ".join(self.notes))}</td></tr></tfoot>')
        out.append("</table>")
        return "\n".join(out)

    def to_text(self) -> str:
        """A plain-text rendering (terminal, logs, the notebook's ``text/plain``)."""
        header = [self.stub, *self.columns]
        body = []
        for row in self.rows:
            if row.kind == "group":
                body.append([f"[{row.stub}]"] + [""] * len(self.columns))
            elif row.kind in ("row", "stat"):
                body.append([row.stub, *row.cells])
        widths = [max(len(str(r[j])) for r in [header, *body]) for j in range(len(header))]
        lines = [self.caption, ""]
        fmt = lambda r: "  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w)  # noqa: E731
                                  for j, (c, w) in enumerate(zip(r, widths)))
        lines.append(fmt(header))
        lines.append("-" * len(lines[-1]))
        lines += [fmt(r) for r in body]
        if self.notes:
            lines += ["", "Notes: " + " ".join(self.notes)]
        return "\n".join(lines)

    def to_csv(self, path) -> None:
        """Write :attr:`data` (the numbers, full precision) as CSV."""
        self.data.to_csv(path, index=False, float_format="%.10g", date_format="%Y-%m-%d")

    def cells(self) -> list[dict]:
        """The displayed grid, one entry per estimate or statistics line: ``group`` (the heading
        above it), ``stub`` (a statistics line takes the stub of the line above), ``line``
        (``"row"`` or ``"stat"``) and ``cells`` (column -> text as printed). The prose check of
        :mod:`research.report.notebooks` reads a number in an abstract against these cells."""
        out, group, stub = [], "", ""
        for row in self.rows:
            if row.kind == "group":
                group = row.stub
            elif row.kind in ("row", "stat"):
                stub = row.stub if row.kind == "row" else stub
                out.append({"group": group, "stub": stub, "line": row.kind,
                            "cells": dict(zip(self.columns, row.cells))})
        return out

    def metadata(self) -> dict:
        """What the paper exporter and the prose check read from the output: kind, label,
        caption, notes, references and the displayed cells."""
        return {"research": {"kind": "table", "label": self.label, "caption": self.caption,
                             "notes": self.notes, "references": list(self.references), "cells": self.cells()}}

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/plain": self.to_text(), "text/html": self.to_html(), "text/latex": self.to_latex(),
                "text/csv": self.data.to_csv(index=False, float_format="%.10g", date_format="%Y-%m-%d")}
        return data, self.metadata()

    def __repr__(self) -> str:
        return f"<ResultTable {self.label!r}: {len(self.rows)} rows x {len(self.columns)} columns>"

    def __str__(self) -> str:
        return self.to_text()
