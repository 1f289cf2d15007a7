"""A real browser where a person would look: every HTML paper in headless Chromium, and the
episode notebooks in JupyterLab started as the README says (plain ``jupyter lab``)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browser import jupyterlab, launched, look_at
from executed_notebooks import executed_runs

from research.report import paper
from research.report.notebooks import ALL_NOTEBOOKS

E5 = "e5-hikvision-2022"
E5_TITLE = "Sanctions by press report: Hikvision, Dahua and the HFCAA list, May 2022"


@pytest.fixture(scope="module")
def browser():
    with launched() as b:
        yield b


@pytest.fixture(scope="module")
def papers(_real_store_dir, tmp_path_factory):
    """Every paper of ``research paper --all`` as HTML, from the notebooks the session executed."""
    runs = executed_runs(_real_store_dir, tmp_path_factory.mktemp("notebook-runs"))
    out = tmp_path_factory.mktemp("html-papers")
    return {name: paper.export(name, run=runs[name].folder, out=out / name, formats=("html",)).html
            for name in ALL_NOTEBOOKS}


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_html_paper_looks_right_in_chromium(name, papers, browser):
    html = papers[name]
    look = look_at(browser, html, html.with_suffix(".png"))
    assert look.problems == [], f"{name} ({look.screenshot}):\n" + "\n".join(look.problems)
    if name == E5:   # the Chinese names were found and measured, not skipped
        assert any(run["text"] == "海康威视" for run in look.cjk)


def _broken_image(html: str) -> str:
    return html.replace('src="data:image/png;base64,', 'src="data:image/png;base64,AAAA', 1)


def _console_error(html: str) -> str:
    return html.replace("</body>", "<script>console.error('boom')</script></body>", 1)


def _blank(html: str) -> str:
    return re.sub(r"<body>.*</body>", "<body></body>", html, flags=re.S)


def _pilcrows_shown(html: str) -> str:
    return html.replace("</style>", "a.anchor-link { visibility: visible !important; }</style>", 1)


def _text_right_aligned(html: str) -> str:
    return html.replace("</style>", "table.research-table td { text-align: right !important; }</style>", 1)


def _numbers_left_aligned(html: str) -> str:
    return html.replace("</style>", "table.research-table td { text-align: left !important; }</style>", 1)


@pytest.mark.parametrize("fault, seen", [(_broken_image, "broken image: "), (_console_error, "console error: boom"),
                                         (_blank, "blank first page"), (_pilcrows_shown, "visible pilcrow"),
                                         (_text_right_aligned, "text aligned right"),
                                         (_numbers_left_aligned, "numbers aligned left")])
def test_a_fault_injected_into_a_copy_of_the_e5_paper_is_seen(fault, seen, papers, browser, tmp_path):
    html = papers[E5].read_text(encoding="utf-8")
    broken = fault(html)
    assert broken != html
    copy = tmp_path / f"{E5}.html"
    copy.write_text(broken, encoding="utf-8")
    problems = look_at(browser, copy, tmp_path / "shot.png").problems
    assert any(seen in p for p in problems), problems


# --------------------------------------------------------------------------------------------
# JupyterLab
# --------------------------------------------------------------------------------------------

DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"


def _users_settings(home: Path, *, labconfig: dict | None = None, settings: dict | None = None) -> None:
    """A user's own JupyterLab settings under ``home``: a labconfig default override (as a user or
    another package writes one) and the Settings Editor's file for the document manager."""
    jupyter = home / ".jupyter"
    if labconfig is not None:
        (jupyter / "labconfig").mkdir(parents=True)
        (jupyter / "labconfig" / "default_setting_overrides.json").write_text(json.dumps({DOCMANAGER: labconfig}))
    if settings is not None:
        folder = jupyter / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
        folder.mkdir(parents=True)
        (folder / "plugin.jupyterlab-settings").write_text(json.dumps(settings))


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """Plain ``jupyter lab`` after the README's setup (``pip install -e .``), for a user who has
    a default viewer of their own for Markdown files."""
    folder = tmp_path_factory.mktemp("lab")
    _users_settings(folder / "home", labconfig={"defaultViewers": {"markdown": "Markdown Preview"}})
    with jupyterlab(folder) as server:
        yield server


def _shows_e5_as_a_notebook(page) -> None:
    """The E5 text file is open in the main area as a notebook: cells, its title in a markdown cell,
    and no text editor."""
    from playwright.sync_api import expect

    page.wait_for_function("document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length >= 3", timeout=60_000)
    panel = page.locator(".jp-NotebookPanel:visible")
    expect(panel).to_have_count(1)
    expect(panel.locator(".jp-MarkdownCell").first).to_contain_text(E5_TITLE, timeout=30_000)
    expect(page.locator(".jp-FileEditor:visible")).to_have_count(0)
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    expect(tab).to_have_text(f"{E5}.py")


def test_e5_opens_as_a_notebook_by_its_url(lab, browser):
    page = browser.new_page()
    try:
        page.goto(f"{lab.url}/lab/tree/notebooks/{E5}.py?reset&token={lab.token}", timeout=60_000)
        _shows_e5_as_a_notebook(page)
    finally:
        page.close()


def test_e5_opens_as_a_notebook_by_a_double_click_in_the_file_browser(lab, browser):
    page = browser.new_page()
    try:
        page.goto(f"{lab.url}/lab?reset&token={lab.token}", timeout=60_000)
        page.locator(".jp-DirListing-item", has_text="notebooks").first.dblclick(timeout=60_000)
        page.locator(".jp-DirListing-item", has_text=f"{E5}.py").first.dblclick(timeout=60_000)
        _shows_e5_as_a_notebook(page)
    finally:
        page.close()


def test_the_kits_default_viewer_is_merged_with_the_users_own(lab):
    """JupyterLab's default viewers hold the kit's (Python files: jupytext's notebook, from the
    environment's configuration) beside the user's own (Markdown), neither overwriting the other."""
    viewers = lab.api(f"lab/api/settings/{DOCMANAGER}")["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers == {"python": "Jupytext Notebook", "markdown": "Markdown Preview"}


def test_a_users_own_default_viewer_wins_and_e5_opens_as_text(browser, tmp_path):
    """The control: a user who chose the text editor for Python files in the Settings Editor gets
    E5 as text. So the default viewer decides, and the two tests above see the kit's setting at
    work; and the kit never overrules a user's choice."""
    _users_settings(tmp_path / "home", settings={"defaultViewers": {"python": "Editor"}})
    with jupyterlab(tmp_path) as lab:
        page = browser.new_page()
        try:
            page.goto(f"{lab.url}/lab/tree/notebooks/{E5}.py?reset&token={lab.token}", timeout=60_000)
            page.wait_for_selector(".jp-FileEditor", timeout=60_000)
            assert page.locator(".jp-NotebookPanel:visible").count() == 0
        finally:
            page.close()


def test_research_lab_is_jupyter_lab_on_the_project_folder(monkeypatch):
    """What ``research lab`` runs, without running it: JupyterLab on the project folder, the kit's
    Jupyter configuration first on JUPYTER_CONFIG_PATH (the user's kept after it), so the setting is
    read even in an environment installed without it."""
    from research import cli, config

    ran = {}
    monkeypatch.setattr(os, "execve", lambda path, argv, env: ran.update(argv=argv, env=env))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/theirs")
    assert cli.main(["lab", "--no-browser", "--port", "8899", "notebooks/e5-hikvision-2022.py"]) == 0
    assert ran["argv"][1:3] == ["-m", "jupyterlab"]
    assert {f"--ServerApp.root_dir={config.PROJECT_ROOT}", "--port=8899", "--no-browser",
            "notebooks/e5-hikvision-2022.py"} <= set(ran["argv"])
    assert ran["env"]["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(config.JUPYTER_CONFIG), "/theirs"]
    setting = json.loads(config.LAB_SETTING.read_text())
    assert setting[DOCMANAGER]["defaultViewers"]["python"] == "Jupytext Notebook"
    assert config.LAB_SETTING.is_relative_to(config.JUPYTER_CONFIG / "labconfig")
