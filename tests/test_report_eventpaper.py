"""Issue 14: a researcher's own event gets a paper written from its results.

`research new-event` adds a standalone event (a listing whose prices are in ../shared) to a copy
of the catalogue, `research report` runs its notebook and `research paper` lays it out. The
abstract must name the event, its date and the first listing's day-0 abnormal return as the AR
table prints it (and as a least-squares market model on the CSV gives it), say nothing of the
template itself, and every number of the generated prose must be read back from its table
cell. The layout checks of every paper (text inside the margin, no empty heading, no float in
the references, numbers kept with their units) are in :mod:`paper_layout`.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import numpy as np
import pandas as pd
import pytest
from own_event import OWN_EVENT, add_own_event
from paper_layout import empty_headings, floats_in_references, split_units, words_beyond_margin

from research import cli
from research.report import notebooks, paper
from research.report.tables import fmt_pct

needs_tex = pytest.mark.skipif(not (shutil.which("xelatex") and shutil.which("pdftotext") and shutil.which("pandoc")),
                               reason="XeLaTeX, pandoc or poppler-utils missing (run the README's setup)")
AUTHOR = "A. N. Researcher"
#: What a (test) source says of the day-0 close; the CSV's close-to-close return is −3.78 %.
CLAIM = ("text=iFlytek closed 3.8% lower on Monday, ticker=002230.SZ, measure=close_to_close, value=-3.8%, "
         "tolerance=0.1%")
#: Sentences of the template describing itself (the abstract of sessions 1-3, the old conclusion).
TEMPLATE_SELF = ("research new-event", "copy of this notebook", "this notebook", "research report <event id>",
                 "An event study of one announcement of the event catalogue", "The summary below is computed",
                 "Event study of one catalogue event")


@pytest.fixture(scope="module")
def own(_real_store_dir, tmp_path_factory):
    """The own event added, reported and laid out as a paper: (folder, run folder, Paper)."""
    folder = tmp_path_factory.mktemp("own-event-paper")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RESEARCH_STORE", str(_real_store_dir))
        mp.setenv("RESEARCH_OFFLINE", "1")
        mp.setenv("RESEARCH_AUTHOR", AUTHOR)
        for name in ("RESEARCH_MIRROR", "RESEARCH_CATALOGUE", "RESEARCH_NOTEBOOKS"):
            mp.delenv(name, raising=False)
        catalogue = add_own_event(folder, "--claim", CLAIM)
        run = folder / "run"
        assert cli.main(["report", OWN_EVENT, "--catalogue", str(catalogue), "--notebooks",
                         str(folder / "notebooks"), "--out", str(run), "--strict"]) == 0
        formats = ("html", "pdf") if shutil.which("xelatex") else ("html",)
        result = paper.export(OWN_EVENT, run=run, out=folder / "paper", formats=formats)
    return folder, run, result


def _executed(run):
    return nbformat.read(run / f"{OWN_EVENT}.ipynb", as_version=4)


def _abstract(run) -> str:
    """The abstract as the notebook displayed it (cell references and all)."""
    [(tag, text)] = [p for p in notebooks.prose_cells(_executed(run)) if p[0] == "abstract"]
    return text


def _pdf_text(pdf) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def _day0_ar_by_least_squares(shared) -> float:
    """iFlytek's day-0 abnormal return from the shared CSVs: a market model on the CSI 300 by
    least squares over relative days −250..−11 (MacKinlay 1997, eq. 7), computed apart from the kit."""
    frames = {t: pd.read_csv(shared / f"{t}.csv", index_col="Date", parse_dates=True)
              for t in ("002230.SZ", "000300.SS")}
    # an index has no adjusted close: its Close is the level
    close = {t: f["Adj Close"] if f["Adj Close"].notna().all() else f["Close"] for t, f in frames.items()}
    r, m = (close[t].pct_change().dropna() for t in ("002230.SZ", "000300.SS"))
    r, m = r.align(m, join="inner")
    t0 = r.index.get_loc(pd.Timestamp("2022-10-10"))    # China's National Day week ends 10-07: next session
    X = np.column_stack([np.ones(240), m.iloc[t0 - 250:t0 - 10]])
    (alpha, beta), *_ = np.linalg.lstsq(X, r.iloc[t0 - 250:t0 - 10].to_numpy(), rcond=None)
    return float(r.iloc[t0] - alpha - beta * m.iloc[t0])


def test_the_abstract_names_the_event_its_date_and_the_day0_ar_as_the_table_prints_it(own, shared_prices):
    folder, run, result = own
    nb = _executed(run)
    abstract = notebooks.strip_cell_refs(_abstract(run))
    event_title = "Test: a US paper reports that iFlytek may face new export controls"
    assert event_title in abstract and "2022-10-07" in abstract
    ar = notebooks.table_cells(nb)["ar"]
    printed = notebooks.find_cell(ar, "iFlytek", "day 0")             # e.g. −3.21** as the AR table prints it
    number = re.match(r"[−\d.]+", printed).group(0)
    assert f"{number} %" in abstract
    assert number == fmt_pct(_day0_ar_by_least_squares(shared_prices))             # and as least squares gives it
    assert not [s for s in TEMPLATE_SELF if s in abstract]
    assert "designated" in abstract or "named firm" in abstract       # the listing's role
    assert "2022-10-10" in abstract                                   # day 0 on the Shenzhen exchange
    if result.pdf:
        text = _pdf_text(result.pdf)
        assert event_title in text and f"{number} %" in text
        assert not [s for s in TEMPLATE_SELF if s in text]            # nowhere in the paper either
        assert result.title == event_title


def test_every_number_of_the_generated_prose_is_read_back_from_its_cell(own):
    _, run, _ = own
    nb = _executed(run)
    assert notebooks.check_run(run / f"{OWN_EVENT}.ipynb") == []
    for tag, text in notebooks.prose_cells(nb):
        claims, orphans = notebooks.prose_claims(text)
        assert claims and not orphans, tag
    # a number changed after the run is caught, naming its cell
    cell = next(c for c in nb.cells if "abstract" in c.metadata.get("tags", []))
    output = next(o for o in cell.outputs if "text/markdown" in o.get("data", {}))
    text = output.data["text/markdown"]
    first = notebooks.prose_claims(text)[0][0]
    output.data["text/markdown"] = text.replace(f"{first.numbers[0].replace('-', '−')} ", "12.34 ", 1)
    problems = notebooks.check_prose(nb)
    assert any("12.34 differs from" in p and first.label in p for p in problems), problems


def test_the_paper_tells_what_happened_and_captions_use_the_title(own):
    _, run, result = own
    html = result.html.read_text(encoding="utf-8")
    assert "What happened" in html and "https://example.org/iflytek-report" in html
    assert "The event: Test: a US paper reports that iFlytek" in html
    assert f"The events of {OWN_EVENT}" not in html and not notebooks.CELL_REF.search(html)
    assert "iFlytek closed 3.8% lower on Monday" in html                # the claim, told and checked
    conclusion = [t for tag, t in notebooks.prose_cells(_executed(run)) if tag == "conclusion"]
    assert conclusion and "iFlytek" in conclusion[0] and "Conclusion" in html
    assert "2 numeric claims about the prices, 2 agree with the data" in conclusion[0]   # with new-event's


def test_the_author_is_the_researchers(own):
    folder, run, result = own
    source = (folder / "notebooks" / f"{OWN_EVENT}.py").read_text(encoding="utf-8")
    assert AUTHOR in source and "research kit" not in source           # written by new-event from the chain
    assert AUTHOR in result.html.read_text(encoding="utf-8")


@needs_tex
def test_the_own_events_paper_keeps_inside_the_margins_and_its_layout_rules(own):
    _, _, result = own
    assert words_beyond_margin(result.pdf) == []
    assert empty_headings(result.pdf, result.tex) == []
    assert floats_in_references(result.pdf) == []
    assert split_units(result.tex, result.html) == []


# --------------------------------------------------------------------------------------------
# the author: --author, then the notebook's, then RESEARCH_AUTHOR, then git's user.name
# --------------------------------------------------------------------------------------------

@pytest.fixture
def no_git_name(tmp_path, monkeypatch):
    """git with a global config of our own and no system config; run outside any repository."""
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("RESEARCH_AUTHOR", raising=False)
    monkeypatch.chdir(tmp_path)
    return gitconfig


def test_the_given_author_comes_first(no_git_name, monkeypatch):
    monkeypatch.setenv("RESEARCH_AUTHOR", "Env Author")
    assert paper.resolve_authors(["Given Author"], ["Notebook Author"]) == ["Given Author"]


def test_the_notebooks_author_comes_before_the_environment(no_git_name, monkeypatch):
    monkeypatch.setenv("RESEARCH_AUTHOR", "Env Author")
    assert paper.resolve_authors(None, ["Notebook Author"]) == ["Notebook Author"]


def test_research_author_comes_before_git(no_git_name, monkeypatch):
    subprocess.run(["git", "config", "--global", "user.name", "Git Author"], check=True)
    monkeypatch.setenv("RESEARCH_AUTHOR", "  Env   Author ")
    assert paper.resolve_authors(None, []) == ["Env Author"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git missing")
def test_git_user_name_comes_next(no_git_name):
    subprocess.run(["git", "config", "--global", "user.name", "Git Author"], check=True)
    assert paper.git_user_name() == "Git Author"
    assert paper.resolve_authors(None, None) == ["Git Author"]


def test_only_then_a_neutral_author(no_git_name):
    assert paper.git_user_name() is None
    assert paper.resolve_authors(None, None) == [paper.NEUTRAL_AUTHOR] != ["research kit"]
    assert paper.resolve_authors(None, None, neutral=False) == []


def test_new_event_writes_the_author_option_into_the_notebook(tmp_path, no_git_name, monkeypatch, capsys):
    monkeypatch.setenv("RESEARCH_AUTHOR", "Env Author")
    add_own_event(tmp_path, "--author", "Ada Lovelace", "--author", "Charles Babbage")
    nb = notebooks.read_source(tmp_path / "notebooks" / f"{OWN_EVENT}.py")
    assert nb.metadata["research"]["authors"] == ["Ada Lovelace", "Charles Babbage"]
    shutil.rmtree(tmp_path / "notebooks")
    add_own_event(tmp_path / "again")                                   # no --author: the environment's
    nb = notebooks.read_source(tmp_path / "again" / "notebooks" / f"{OWN_EVENT}.py")
    assert nb.metadata["research"]["authors"] == ["Env Author"]


# --------------------------------------------------------------------------------------------
# the words of the generated text
# --------------------------------------------------------------------------------------------

def test_significance_words_follow_the_stars_as_the_prose_check_demands():
    from research.report import prose

    # "significant" only for two or three stars (a cell that rejects at 5 %)
    assert "significant" not in prose.significance(0) + prose.significance(1)
    assert "1 % level" in prose.significance(3) and "5 % level" in prose.significance(2)
    assert "significant" in prose.significance(2) and "significant" in prose.significance(3)


def test_a_limitation_of_several_listings_is_said_in_the_plural():
    from research.report import prose

    for implication in prose.IMPLICATIONS.values():
        plural = prose.agree(implication, True)
        assert not re.search(r"\b(?:has|was|is|its)\b", plural), plural
    assert prose.agree("has no prices and is not studied", True) == "have no prices and are not studied"


def test_what_happened_tells_the_catalogue_entry(real_store):
    from research.report import Episode

    ep = Episode("hikvision-sdn-report-2022")
    text = str(ep.what_happened())
    event = ep.events[0]
    assert event.title in text and "Financial Times" in text and "Wednesday 2022-05-04" in text
    assert "03:47am EDT" in text                                    # a source's `says`
    assert "Hikvision fell 10% on Thursday" in text                 # a claim
    assert "002236.SZ" in text and "peer" in text                   # a listing and its role
    abstract = notebooks.strip_cell_refs(str(ep.abstract()))
    assert "price limit" in abstract                                # what the limit-down day implies
    assert "HFCAA" in abstract and "day 0" in abstract              # the confounder, by its title
