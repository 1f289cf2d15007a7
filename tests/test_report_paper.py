"""research paper: the E5 paper as PDF (XeLaTeX) and HTML, and the messages for bad input."""

from __future__ import annotations

import shutil
import subprocess

import nbformat
import pandas as pd
import pytest
from executed_notebooks import executed_runs
from paper_layout import empty_headings, floats_in_references, split_units, words_beyond_margin

from research import cli
from research.errors import ResearchError
from research.report import notebooks, paper
from research.report.tables import fmt_pct

E1 = "e1-entity-list-2019"
E5 = "e5-hikvision-2022"
TITLE = "Sanctions by press report: Hikvision, Dahua and the HFCAA list, May 2022"
needs_tex = pytest.mark.skipif(not (shutil.which("xelatex") and shutil.which("pdftotext") and shutil.which("pandoc")),
                               reason="XeLaTeX, pandoc or poppler-utils missing (run the README's setup)")


@pytest.fixture(scope="module")
def executed(_real_store_dir, tmp_path_factory):
    return executed_runs(_real_store_dir, tmp_path_factory.mktemp("notebook-runs"))


@pytest.fixture(scope="module")
def e5_paper(executed, tmp_path_factory):
    run = executed[E5]
    out = tmp_path_factory.mktemp("paper")
    return run, paper.export(E5, run=run.folder, out=out)


@pytest.fixture(scope="module")
def e1_paper(executed, tmp_path_factory):
    run = executed[E1]
    return run, paper.export(E1, run=run.folder, out=tmp_path_factory.mktemp("paper-e1"))


@needs_tex
@pytest.mark.parametrize("which", ["e1_paper", "e5_paper"])
def test_episode_papers_keep_inside_the_margins_and_the_layout_rules(which, request):
    """Issue 14's layout: no text past the right margin (pdftotext -bbox), no page ending on a
    heading, no float inside the references, no number split from its %."""
    _, result = request.getfixturevalue(which)
    assert words_beyond_margin(result.pdf) == []
    assert empty_headings(result.pdf, result.tex) == []
    assert floats_in_references(result.pdf) == []
    assert split_units(result.tex, result.html) == []
    tex = result.tex.read_text(encoding="utf-8")
    assert tex.index(r"\FloatBarrier") < tex.index(r"\section*{References}")


def _pdftotext(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@needs_tex
def test_e5_pdf_has_title_chinese_name_and_the_day0_abnormal_return_of_the_table(e5_paper):
    run, result = e5_paper
    text = _pdftotext(result.pdf)
    flat = " ".join(text.split())
    assert TITLE in flat
    assert "海康威视" in text
    car = pd.read_csv(next(p for p in run.tables if p.name.endswith("-car.csv")))
    hik = car[(car["ticker"] == "002415.SZ") & (car["window"] == "[0,0]")].iloc[0]
    shown = fmt_pct(hik["car"])                 # as the results table prints it, e.g. −9.77
    assert shown in text
    nb = nbformat.read(run.notebook, as_version=4)
    assert shown in notebooks.output_text(nb)   # the same string is in the notebook's own table


@needs_tex
def test_e5_pdf_first_pages_are_not_blank(e5_paper, tmp_path):
    _, result = e5_paper
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "3", str(result.pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 3
    from matplotlib.image import imread

    for page in pages:
        pixels = imread(page)[..., :3]
        # at 40 dpi a page of text is anti-aliased grey (a full text page has under 1 % of pixels below 0.5,
        # about 7 % below 0.75); a blank page has none
        dark = (pixels.mean(axis=-1) < 0.75).mean()
        assert dark > 0.01, f"{page.name} is blank"


@needs_tex
def test_e5_paper_layout(e5_paper):
    run, result = e5_paper
    tex = result.tex.read_text(encoding="utf-8")
    assert r"\begin{abstract}" in tex and r"\appendix" in tex and "xeCJK" in tex
    assert "ep.car_table()" not in tex and "Episode(" not in tex    # no code
    assert tex.count(r"\begin{figure}") == result.figures == 3
    assert r"\caption{" in tex and r"\toprule" in tex
    text = " ".join(_pdftotext(result.pdf).split())
    for needle in ("References", "MacKinlay, A. C. (1997)", "Kolari, J. W. and Pynnönen, S. (2010)",
                   "Data provenance", "Parameters of the run", "Run record", "Figure 1:", "Table 1:"):
        assert needle in text, needle
    assert "Table~" not in text
    assert "car: Hikvision" not in tex and "validation/power" not in tex


def test_e5_html_is_standalone_with_numbered_captions(e5_paper):
    _, result = e5_paper
    html = result.html.read_text(encoding="utf-8")
    assert "<script" not in html and "海康威视" in html
    assert "Figure 1.</b>" in html and "<caption>Table 1. " in html
    assert 'src="data:image/png;base64,' in html
    assert "ep.car_table" not in html and "References" in html
    assert "car: Hikvision" not in html and "validation/power" not in html   # the prose's cell references


def test_unknown_episode_says_what_exists(capsys):
    assert cli.main(["paper", "e9-nothing"]) == 2
    err = capsys.readouterr().err
    assert "unknown episode or event 'e9-nothing'" in err and E5 in err


def test_never_executed_notebook_says_to_run_report(capsys):
    assert cli.main(["paper", E5]) == 2
    err = capsys.readouterr().err
    assert "no executed notebook" in err and f"research report {E5}" in err


def test_unknown_id_for_report_lists_the_episodes(capsys):
    assert cli.main(["report", "e9-nothing"]) == 2
    err = capsys.readouterr().err
    assert "e5-hikvision-2022" in err and "research new-event" in err


def test_missing_tex_toolchain_says_what_to_install(executed, monkeypatch, tmp_path):
    run = executed[E5]
    monkeypatch.setattr(paper.shutil, "which", lambda name: None)
    with pytest.raises(ResearchError, match="xelatex and pandoc not found.*apt-get install texlive-xetex"):
        paper.export(E5, run=run.folder, out=tmp_path)
    assert (tmp_path / f"{E5}.html").is_file()   # the HTML is still written


def test_failed_notebook_is_refused(executed, tmp_path):
    nb = nbformat.read(executed[E5].notebook, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and "car_table" in c.source)
    code.outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])]
    folder = tmp_path / E5
    folder.mkdir()
    nbformat.write(nb, folder / f"{E5}.ipynb")
    with pytest.raises(ResearchError, match="ended in an error"):
        paper.export(E5, run=folder)
