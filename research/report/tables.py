"""Result tables as a journal prints them: LaTeX (booktabs) and HTML, from the results objects.

A :class:`ResultTable` holds the displayed cells, a caption, a label, notes and the numbers
behind the cells (:attr:`ResultTable.data`, written as CSV by ``research report``). It renders
itself as LaTeX (:meth:`~ResultTable.to_latex`: a ``table`` float with booktabs rules,
significance stars as superscripts, t-statistics in parentheses under the estimates and the
notes under the table; needs ``\\usepackage{booktabs,adjustbox}``), as HTML
(:meth:`~ResultTable.to_html`) and as plain text; in a notebook it displays as HTML and carries
its caption, label and references in the output's metadata, which the paper exporter numbers.

The builders turn the kit's objects into tables: :func:`car_table` (CARs per listing and
window, pooled row), :func:`ar_table` (abnormal returns per event day), :func:`tests_table`
(pooled tests of the literature), :func:`frame_table` (any DataFrame of text and numbers).

Numbers are written with a true minus sign (U+2212) and in percent where the caption says so;
:func:`fmt_pct` is the one formatter, so a test can look for a table's number in the PDF.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from research.report.references import TEST_NAMES, references_of_tests

MINUS = "\u2212"
MISSING = "\u2014"
#: p-value thresholds of the stars, as in most journals: 10 %, 5 %, 1 %.
STAR_LEVELS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
#: Tables with more rows than this break across pages (``longtable``) in LaTeX.
LONG_ROWS = 44
STARS_NOTE = "*, ** and *** denote significance at the 10%, 5% and 1% levels (two-sided)."

#: Tests shown by default: parametric, cross-correlation robust, and non-parametric (with the
#: forms the validation notebook finds closest to their size when listings share a date).
DEFAULT_TESTS = ("csect_t", "patell", "bmp", "patell_kp", "bmp_kp", "brown_warner_1985", "corrado", "grank",
                 "grank_scar", "gsign", "corrado_sign")


# --------------------------------------------------------------------------------------------
# number formatting
# --------------------------------------------------------------------------------------------

def _missing(x) -> bool:
    return x is None or (isinstance(x, (float, np.floating)) and not math.isfinite(x)) or x is pd.NA \
        or x is pd.NaT


def fmt_number(x, digits: int = 2) -> str:
    """``-1.234`` as ``−1.23`` (true minus); missing values as an em dash."""
    if _missing(x):
        return MISSING
    text = f"{float(x):.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text.replace("-", MINUS)


def fmt_pct(x, digits: int = 2) -> str:
    """A fraction in percent without the sign: ``-0.09766`` as ``−9.77``."""
    return MISSING if _missing(x) else fmt_number(100 * float(x), digits)


def fmt_stat(x, digits: int = 2) -> str:
    """A test statistic in parentheses: ``(−6.18)``."""
    return "" if _missing(x) else f"({fmt_number(x, digits)})"


def fmt_p(p) -> str:
    """A p-value: ``0.031``, ``<0.001``."""
    if _missing(p):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def stars(p) -> str:
    """``***``, ``**``, ``*`` for two-sided p below 0.01, 0.05, 0.10; '' otherwise."""
    if _missing(p):
        return ""
    for level, mark in STAR_LEVELS:
        if p < level:
            return mark
    return ""


def parse_number(text: str) -> float:
    """The number of a formatted cell (``−9.77***`` -> -9.77), for tests and checks."""
    match = re.search(r"[-\u2212]?\d+(?:\.\d+)?", text)
    if not match:
        raise ValueError(f"no number in {text!r}")
    return float(match.group(0).replace(MINUS, "-"))


# --------------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------------

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
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text (Unicode, CJK included, passes through)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _latex_cell(text: str) -> str:
    match = re.fullmatch(r"(.*?)(\*{1,3})", text, re.S)
    if match and match.group(1):
        return _break_urls(latex_escape(match.group(1))) + r"\textsuperscript{" + match.group(2) + "}"
    return _break_urls(latex_escape(text))


def _break_urls(latex: str) -> str:
    """Typeset the URLs of a cell as written: TeX breaks a word only at hyphens, so a long path runs
    past the margin of a narrow column (the sources of the events table) unless it may break after
    its slashes, query marks and underscores, and TeX's ligatures would print "--" as an en dash."""
    def url(m: re.Match) -> str:
        rest = re.sub(r"([/?=&_])", r"\1\\allowbreak{}", m.group(2).replace("--", "-{}-"))
        return m.group(1) + rest
    return re.sub(r"(https?://)(\S+)", url, latex)


def _html_cell(text: str) -> str:
    match = re.fullmatch(r"(.*?)(\*{1,3})", text, re.S)
    if match and match.group(1):
        return html.escape(match.group(1)) + f"<sup>{match.group(2)}</sup>"
    return html.escape(text)


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
        right-aligned.
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
        if align is None:
            align = ["r"] * len(self.columns)
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

    def _body_latex(self, ncol: int) -> list[str]:
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
                    cells = [rf"{{\footnotesize {c}}}" if c else "" for c in cells]
                lines.append(" & ".join([latex_escape(row.stub), *cells]) + r" \\")
        return lines

    def _longtable(self, spec: str, ncol: int) -> str:
        header = " & ".join([latex_escape(self.stub)] + [latex_escape(c) for c in self.columns]) + r" \\"
        lines = [r"\begingroup\footnotesize", r"\setlength{\LTcapwidth}{\linewidth}",
                 rf"\begin{{longtable}}{{{spec}}}",
                 rf"\caption{{{latex_escape(self.caption)}}}\label{{tab:{self.label}}} \\",
                 r"\toprule", header, r"\midrule", r"\endfirsthead",
                 rf"\multicolumn{{{ncol}}}{{l}}{{\textit{{(continued)}}}} \\", r"\toprule", header, r"\midrule",
                 r"\endhead", r"\bottomrule", r"\endlastfoot"]
        lines += self._body_latex(ncol)
        lines.append(r"\end{longtable}")
        if self.notes:
            notes = " ".join(latex_escape(n) for n in self.notes)
            lines += [r"\vspace{-\baselineskip}", rf"\par\textit{{Notes:}} {notes}\par"]
        lines.append(r"\endgroup")
        return "\n".join(lines) + "\n"

    def to_html(self, *, number: int | None = None) -> str:
        """The table as an HTML ``<table>`` with its caption (``Table n.`` when numbered) and notes."""
        prefix = f"Table {number}. " if number else ""
        out = [f'<table class="research-table" id="tab-{html.escape(self.label)}">',
               f"<caption>{html.escape(prefix)}{html.escape(self.caption)}</caption>",
               "<thead><tr>" + f"<th>{html.escape(self.stub)}</th>"
               + "".join(f"<th>{html.escape(c)}</th>" for c in self.columns) + "</tr></thead>", "<tbody>"]
        ncol = len(self.columns) + 1
        for row in self.rows:
            if row.kind == "group":
                out.append(f'<tr class="group"><th colspan="{ncol}">{html.escape(row.stub)}</th></tr>')
            elif row.kind in ("gap", "rule"):
                continue
            else:
                cells = "".join(f"<td>{_html_cell(c)}</td>" for c in row.cells)
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


# --------------------------------------------------------------------------------------------
# builders from the results object
# --------------------------------------------------------------------------------------------

def listing_label(ticker: str, registry=None) -> str:
    """``Hikvision (海康威视)`` for a ticker: the registry's short name and Chinese name."""
    if registry is None:
        from research.securities import load_registry
        registry = load_registry()
    sec = registry.get(ticker)
    if sec is None:
        return ticker
    return sec.label


def pooled_tests(results, windows, tests: Sequence[str], by: str | None = "event_id") -> pd.DataFrame:
    """The pooled tests ``tests`` of ``results`` over ``windows``, per ``by`` group and for all.

    Only the tests asked for are computed (the bootstrap, the slowest, only when named).
    """
    from research.study.significance import run_tests

    groups = results.keys[by].reset_index(drop=True) if by else None
    options = {k: v for k, v in results.provenance["parameters"].items() if k in ("n_boot", "seed") and v is not None}
    return run_tests(results.panel, [tuple(w) for w in windows], groups=groups, convention=results.convention,
                     tests=list(tests), **options)


def _window_list(results, windows) -> list[tuple[int, int]]:
    if windows is None:
        return list(results.windows)
    wanted = [(int(a), int(b)) for a, b in windows]
    missing = [w for w in wanted if w not in results.windows]
    if missing:
        from research.errors import ResearchError
        raise ResearchError(f"window(s) {missing} are not among the results' windows {results.windows}")
    return wanted


def _wlabel(w) -> str:
    a, b = w
    return f"[{a},{b}]"


def _stub(ticker: str, names: dict | None) -> str:
    if names and ticker in names:
        return names[ticker]
    return f"{listing_label(ticker)} ({ticker})"


def car_table(results, windows=None, *, label: str = "car", caption: str | None = None,
              pooled_test: str = "bmp_kp", names: dict[str, str] | None = None,
              events: dict[str, str] | None = None) -> ResultTable:
    """CARs per listing-event (rows) and window (columns), in percent, with t-statistics.

    Each listing-event shows its CAR with stars from the prediction-error t-test of
    MacKinlay (1997, eq. 13-14) and that t below in parentheses. When an event has more than
    one listing a pooled row follows: the mean CAR (CAAR) with ``pooled_test``'s statistic and
    stars (default the BMP test adjusted for cross-correlation, Kolari and Pynnönen 2010,
    since the listings of an event share its date).

    Parameters
    ----------
    results : :class:`research.study.EventStudyResults`.
    windows : windows to show (default all of the results').
    pooled_test : a test name of :mod:`research.study.significance`.
    names : ticker -> row label (default: registry name, Chinese name and ticker).
    events : event id -> heading for the groups (default the ids).
    """
    windows = _window_list(results, windows)
    labels = [_wlabel(w) for w in windows]
    car = results.car
    car = car[car["window"].isin(labels)]
    tests = pooled_tests(results, windows, [pooled_test])
    rows, records = [], []
    event_ids = list(dict.fromkeys(results.keys["event_id"]))
    for event_id in event_ids:
        if len(event_ids) > 1:
            rows.append(Row((events or {}).get(event_id, event_id), kind="group"))
        part = car[car["event_id"] == event_id]
        for ticker in dict.fromkeys(part["ticker"]):
            one = part[part["ticker"] == ticker].set_index("window")
            cells, stats = [], []
            for w in labels:
                r = one.loc[w]
                cells.append(fmt_pct(r["car"]) + stars(r["p_value"]))
                stats.append(fmt_stat(r["t_stat"]))
                records.append({"event_id": event_id, "ticker": ticker, "name": _stub(ticker, names),
                                "role": r["role"], "window": w, "car": r["car"], "t_stat": r["t_stat"],
                                "p_value": r["p_value"], "n_days": r["n_days"], "row": "listing"})
            rows.append(Row(_stub(ticker, names), cells))
            rows.append(Row("", stats, kind="stat"))
        group = tests[tests["group"].astype(str) == str(event_id)].set_index("window")
        n_listings = part["ticker"].nunique()
        if n_listings > 1 and len(group):
            cells, stats = [], []
            for w in labels:
                if w in group.index:
                    r = group.loc[w]
                    cells.append(fmt_pct(r["estimate"]) + stars(r["p_value"]))
                    stats.append(fmt_stat(r["statistic"]))
                    records.append({"event_id": event_id, "ticker": "", "name": "CAAR", "role": "",
                                    "window": w, "car": r["estimate"], "t_stat": r["statistic"],
                                    "p_value": r["p_value"], "n_days": np.nan, "row": f"pooled ({pooled_test})"})
                else:
                    cells.append(MISSING)
                    stats.append("")
            rows.append(Row(f"Mean (CAAR), N = {n_listings}", cells))
            rows.append(Row("", stats, kind="stat"))
    model = results.provenance["parameters"]["model"]
    est = results.provenance["parameters"]["estimation_days"]
    notes = [f"Cumulative abnormal returns in percent over windows of relative trading days (day 0: the "
             f"first session of the listing's exchange after the announcement), {model} model estimated "
             f"over relative days [{est[0]}, {est[1]}]."
             " In parentheses: the prediction-error t-statistic of each listing's CAR (MacKinlay 1997);"
             f" for the mean, the {TEST_NAMES.get(pooled_test, pooled_test)} statistic.",
             "Returns after suspensions are trade-to-trade (Maynes and Rumsey 1993).", STARS_NOTE]
    caption = caption or "Cumulative abnormal returns by listing and window (%)"
    return ResultTable(labels, rows, caption=caption, label=label, notes=notes, data=pd.DataFrame(records),
                       references=("mackinlay1997", "maynes_rumsey1993", *references_of_tests([pooled_test])))


def ar_test(abnormal_return: float, variance: float, dof: float) -> tuple[float, float]:
    """(t, two-sided p) of one abnormal return: the AR over its prediction-error standard
    deviation, Student t with the listing's residual degrees of freedom (MacKinlay 1997, eq. 8)."""
    from scipy import stats as st

    t = abnormal_return / math.sqrt(variance) if variance > 0 else math.nan
    p = 2 * st.t.sf(abs(t), dof) if math.isfinite(t) else math.nan
    return t, p


def ar_table(results, days: Sequence[int] = (-1, 0, 1, 2, 3), *, label: str = "ar", caption: str | None = None,
             names: dict[str, str] | None = None, events: dict[str, str] | None = None) -> ResultTable:
    """Abnormal returns per listing-event (rows) and relative day (columns), in percent.

    Stars and the t-statistic in parentheses come from each AR's prediction-error variance
    (MacKinlay 1997, eq. 8) with the listing's residual degrees of freedom (:func:`ar_test`).
    """
    ar = results.ar
    dof = results.params.set_index(["event_id", "ticker"])["dof"]
    days = [int(d) for d in days]
    rows, records = [], []
    event_ids = list(dict.fromkeys(results.keys["event_id"]))
    for event_id in event_ids:
        if len(event_ids) > 1:
            rows.append(Row((events or {}).get(event_id, event_id), kind="group"))
        part = ar[(ar["event_id"] == event_id) & ar["relative_day"].isin(days)]
        for ticker in dict.fromkeys(part["ticker"]):
            one = part[part["ticker"] == ticker].set_index("relative_day")
            cells, stats = [], []
            for d in days:
                if d not in one.index:
                    cells.append(MISSING)
                    stats.append("")
                    continue
                r = one.loc[d]
                t, p = ar_test(r["abnormal_return"], r["variance"], dof.loc[(event_id, ticker)])
                cells.append(fmt_pct(r["abnormal_return"]) + stars(p))
                stats.append(fmt_stat(t))
                records.append({"event_id": event_id, "ticker": ticker, "name": _stub(ticker, names),
                                "relative_day": d, "date": r["date"], "return": r["return"],
                                "expected_return": r["expected_return"], "abnormal_return": r["abnormal_return"],
                                "span": r["span"], "t_stat": t, "p_value": p})
            rows.append(Row(_stub(ticker, names), cells))
            rows.append(Row("", stats, kind="stat"))
    model = results.provenance["parameters"]["model"]
    notes = [f"Abnormal returns in percent on relative trading days, {model} model. In parentheses: "
             "AR divided by its prediction-error standard deviation (MacKinlay 1997).",
             "A return after a suspension spans every session since the last trade.", STARS_NOTE]
    return ResultTable([f"day {fmt_number(d, 0) if d < 0 else d}" for d in days], rows,
                       caption=caption or "Abnormal returns around day 0 (%)", label=label, notes=notes,
                       data=pd.DataFrame(records), references=("mackinlay1997",))


def tests_table(results, windows=None, tests: Sequence[str] = DEFAULT_TESTS, *, by: str | None = "event_id",
                label: str = "tests", caption: str | None = None, events: dict[str, str] | None = None) -> ResultTable:
    """Pooled tests of the mean CAR: one row per test (per group), one column per window.

    Each cell is the statistic with stars from its two-sided p-value, the p-value under it in
    parentheses. With ``by="event_id"`` (default) each event is its own sample, as pooling
    news of opposite signs would mislead; ``by=None`` pools everything.
    """
    windows = _window_list(results, windows)
    labels = [_wlabel(w) for w in windows]
    frame = pooled_tests(results, windows, tests, by=by)
    groups = list(dict.fromkeys(frame["group"].astype(str)))
    if by and len(groups) > 2:
        groups = [g for g in groups if g != "all"]
    elif by:
        groups = [g for g in groups if g != "all"] or groups
    rows, records = [], []
    for group in groups:
        part = frame[frame["group"].astype(str) == group]
        if len(groups) > 1 or by:
            n = int(part["n"].max()) if len(part) else 0
            rows.append(Row(f"{(events or {}).get(group, group)} (N = {n})", kind="group"))
        for test in tests:
            one = part[part["test"] == test].set_index("window")
            if one.empty:
                continue
            cells, ps = [], []
            for w in labels:
                if w not in one.index:
                    cells.append(MISSING)
                    ps.append("")
                    continue
                r = one.loc[w]
                cells.append(fmt_number(r["statistic"]) + stars(r["p_value"]))
                ps.append(f"({fmt_p(r['p_value'])})")
                records.append({"group": group, "test": test, "window": w, "statistic": r["statistic"],
                                "p_value": r["p_value"], "n": r["n"], "estimate": r["estimate"],
                                "rbar": r["rbar"], "null": r["null"]})
            rows.append(Row(TEST_NAMES.get(test, test), cells))
            rows.append(Row("", ps, kind="stat"))
    notes = ["Test statistics of the mean CAR over each window, two-sided p-values in parentheses.",
             "The Kolari-Pynnönen (2010) adjustment and the Brown-Warner (1985) crude dependence adjustment "
             "allow for the cross-correlation of abnormal returns of listings that share an event date; the "
             "rank and sign tests do not assume normality.", STARS_NOTE]
    return ResultTable(labels, rows, caption=caption or "Pooled tests of the mean cumulative abnormal return",
                       label=label, notes=notes, data=pd.DataFrame(records),
                       references=references_of_tests(tests))


def frame_table(frame: pd.DataFrame, *, caption: str, label: str, notes: Sequence[str] = (), stub: str | None = None,
                formats: dict | None = None, align=None, references: Sequence[str] = (),
                data: pd.DataFrame | None = None, group: str | None = None) -> ResultTable:
    """A :class:`ResultTable` from a DataFrame: the first column (or ``stub``) labels the rows.

    Parameters
    ----------
    formats : column -> callable(value) -> str; default: :func:`fmt_number` for floats,
        ``str`` otherwise, missing values as an em dash.
    align : LaTeX column types after the stub (default: ``r`` for numbers, ``l`` for text).
    data : the numbers for the CSV (default ``frame`` itself).
    group : a column whose values head groups of rows (shown as a heading, not as a column).
    """
    formats = formats or {}
    stub_col = stub if stub is not None else frame.columns[0]
    columns = [c for c in frame.columns if c not in (stub_col, group)]
    rows = []
    current = object()
    for _, rec in frame.iterrows():
        if group is not None and rec[group] != current:
            current = rec[group]
            rows.append(Row(str(current), kind="group"))
        cells = []
        for c in columns:
            value = rec[c]
            if c in formats:
                cells.append(formats[c](value))
            elif _missing(value) or (not isinstance(value, str) and pd.isna(value)):
                cells.append(MISSING)
            elif isinstance(value, (float, np.floating)):
                cells.append(fmt_number(value))
            else:
                cells.append(str(value))
        rows.append(Row(str(rec[stub_col]), cells))
    if align is None:
        align = ["r" if pd.api.types.is_numeric_dtype(frame[c]) else "l" for c in columns]
    return ResultTable(columns, rows, caption=caption, label=label, notes=notes, stub=str(stub_col),
                       align=align, references=references, data=frame if data is None else data)
