"""Every notebook runs top to bottom on the imported prices, with warnings as errors; each
conclusion quotes only numbers its own outputs show; the run folder holds tables and figures.

The notebooks are executed once per session (two kernels at a time) on a store holding every
shared price file; the paper tests reuse the executed E5 run.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from executed_notebooks import ALL, executed_runs

from research.report import notebooks


@pytest.fixture(scope="module")
def executed(_real_store_dir, tmp_path_factory):
    """Every notebook executed strictly on a store of every shared price file: name -> Run."""
    return executed_runs(_real_store_dir, tmp_path_factory.mktemp("notebook-runs"))


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_top_to_bottom_with_warnings_as_errors(executed, name):
    run = executed[name]
    nb = nbformat.read(run.notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code if c.source.strip())
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert "warnings.simplefilter('error')" in code[0].source  # the strict cell ran first
    record = json.loads((run.folder / "run.json").read_text())
    assert record["strict"] is True and record["source_sha256"]


@pytest.mark.parametrize("name", ALL)
def test_run_folder_holds_tables_and_figures(executed, name):
    run = executed[name]
    assert run.tables and all(p.stat().st_size > 0 for p in run.tables)
    pngs = [p for p in run.figures if p.suffix == ".png"]
    pdfs = [p for p in run.figures if p.suffix == ".pdf"]
    assert pngs and len(pngs) == len(pdfs)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)


@pytest.mark.parametrize("name", [*notebooks.ALL_NOTEBOOKS, notebooks.TEMPLATE])
def test_every_number_of_abstract_and_conclusion_prints_the_table_cell_it_names(executed, name):
    nb = nbformat.read(executed[name].notebook, as_version=4)
    conclusion = [text for tag, text in notebooks.prose_cells(nb) if tag == "conclusion"]
    assert conclusion, f"{name} has no cell tagged conclusion"
    # the template's is written from its results when it runs (research.report.prose)
    assert notebooks.quoted_numbers(conclusion[0]), f"{name}'s conclusion quotes no number"
    others = {other: nbformat.read(run.notebook, as_version=4) for other, run in executed.items() if other != name}
    assert notebooks.check_prose(nb, others) == []


def test_the_prose_check_fails_on_a_mismatch_injected_in_an_executed_notebook(executed):
    """One digit changed in E5's abstract: the check names the number and its cell."""
    nb = nbformat.read(executed["e5-hikvision-2022"].notebook, as_version=4)
    abstract = next(c for c in nb.cells if "abstract" in c.metadata.get("tags", []))
    claims, _ = notebooks.prose_claims(abstract.source)
    first = next(c for c in claims if c.notebook is None)
    wrong = first.numbers[0][:-1] + ("1" if first.numbers[0][-1] != "1" else "2")
    abstract.source = abstract.source.replace(first.numbers[0].replace("-", "\u2212"), wrong.replace("-", "\u2212"), 1)
    others = {"validation": nbformat.read(executed["validation"].notebook, as_version=4)}
    problems = notebooks.check_prose(nb, others)
    assert problems == [f"abstract: {wrong} differs from {first.where()}, which prints "
                        f"{notebooks.find_cell(notebooks.table_cells(nb)[first.label], first.row, first.column, first.line)!r}"]


@pytest.mark.parametrize("name", notebooks.EPISODE_NOTEBOOKS)
def test_episode_notebook_tells_the_whole_story(executed, name):
    nb = nbformat.read(executed[name].notebook, as_version=4)
    labels = [m.get("label") for _, _, m in notebooks.outputs(nb)]
    texts = [o for _, o, m in notebooks.outputs(nb) if m.get("kind") == "text"]
    assert any("before day 0" in "".join(o["data"]["text/markdown"]).lower() for o in texts)  # the pre-event sentence
    for label in ("events", "timeline", "day0", "prices", "pre-event", "pre-event-tests", "ar", "car", "tests",
                  "claims", "volume", "robustness", "limitations", "provenance", "parameters"):
        assert label in labels, f"{name} lacks its {label} output"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert ".txt`" in markdown and '"' in markdown  # a seed cited by file name, with a quotation
    tags = {t for c in nb.cells for t in c.metadata.get("tags", [])}
    assert {"abstract", "conclusion", "appendix", "parameters"} <= tags


def test_narrative_cells_make_one_call_to_the_package(executed):
    """Notebooks stay narrative: a code cell is one expression (or one assignment after its import)."""
    import ast

    for name in notebooks.ALL_NOTEBOOKS:
        nb = notebooks.read_source(notebooks.source_path(name))
        for cell in nb.cells:
            if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
                continue
            body = [n for n in ast.parse(cell.source).body if not isinstance(n, (ast.Import, ast.ImportFrom))]
            assert len(body) == 1, f"{name}: a cell does more than one thing:\n{cell.source}"


def test_e3_says_plainly_that_two_adrs_have_no_prices(executed):
    nb = nbformat.read(executed["e3-nyse-delisting-2021"].notebook, as_version=4)
    limits = next(o for _, o, m in notebooks.outputs(nb, "table") if m["label"] == "limitations")
    rows = [line for line in o_text(limits).splitlines() if "no prices in the data, so not studied" in line]
    assert rows and all("CHA, CHU" in row for row in rows)
    prices = next(o for _, o, m in notebooks.outputs(nb, "figure") if m["label"] == "prices")
    assert prices  # the price figure has a panel for each, saying why it is empty (tests/test_report_figures.py)


def o_text(output) -> str:
    text = output["data"]["text/plain"]
    return "".join(text) if isinstance(text, list) else text


def test_e4_reports_sensetime_short_history(executed):
    nb = nbformat.read(executed["e4-ns-cmic-2021"].notebook, as_version=4)
    text = notebooks.output_text(nb)
    assert "short history" in text and "first trade 2021-12-30" in text
