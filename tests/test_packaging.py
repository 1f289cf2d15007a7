"""The project's own promises: one dependency list in two formats, a README whose test command
is the one CI runs, no copy of the shared data in the repository, and an installation that carries
the kit's JupyterLab setting."""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import yaml

from research import config

ROOT = config.PROJECT_ROOT
#: conda-forge names that differ from PyPI names.
CONDA_TO_PYPI = {"arch-py": "arch"}


def normalise(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    name = CONDA_TO_PYPI.get(name.lower(), name.lower())
    return re.sub(r"[-_.]+", "-", name), spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pypi = {normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = {normalise(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))}
    assert conda == pypi, f"only in pyproject: {pypi - conda}; only in environment.yml: {conda - pypi}"
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


def test_required_runtime_dependencies_are_declared():
    names = {normalise(r)[0] for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert {"jupyterlab", "yfinance", "statsmodels", "matplotlib", "pandas", "pyarrow", "exchange-calendars"} <= names


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- setup -->\s*```(?:bash|sh)\n(.*?)```", text, re.S)
    assert block, "README must hold the setup commands in a ```bash block after <!-- setup -->"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second():
    commands = readme_commands()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci.splitlines()


def _unified(data: bytes) -> bytes:
    """The bytes with every line ending made LF: a copy with its line endings changed is still a copy."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def test_no_shared_data_file_is_committed(shared):
    shared_hashes = {hashlib.sha256(_unified(p.read_bytes())).hexdigest()
                     for p in (shared / "data").rglob("*") if p.is_file() and p.stat().st_size}
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    copies = [name for name in tracked.decode().split("\0") if name and (ROOT / name).is_file()
              and hashlib.sha256(_unified((ROOT / name).read_bytes())).hexdigest() in shared_hashes]
    assert copies == []


def test_the_copy_check_sees_through_changed_line_endings(shared):
    """The device the first snapshot used (CRLF copies of LF files) is caught."""
    original = (shared / "data" / "prices" / "CHL.csv").read_bytes()
    assert b"\r" not in original
    assert _unified(original.replace(b"\n", b"\r\n")) == _unified(original)


def test_cn_extra_names_both_chinese_sources_and_environment_yml_says_how_to_install_it():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {normalise(r)[0] for r in extras["cn"]} == {"baostock", "akshare"}
    env = (ROOT / "environment.yml").read_text()
    assert 'pip install -e ".[cn]"' in env and "baostock" in env and "akshare" in env


def test_the_readme_example_of_ones_own_data_runs_as_written(shared_prices, monkeypatch):
    """The README's worked example (input shapes, event_day0, event_study) run as a doctest from
    the shared prices folder: its printed outputs are checked, so it cannot go stale."""
    import doctest

    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- example: own data -->\s*```python\n(.*?)```", text, re.S)
    assert block, "README must hold the worked example in a ```python block after <!-- example: own data -->"
    monkeypatch.chdir(shared_prices)
    test = doctest.DocTestParser().get_doctest(block.group(1), {}, "README own data", "README.md", 0)
    assert len(test.examples) >= 8
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_pip_installs_the_kits_jupyterlab_setting_into_the_environment():
    """`pip install -e .` (both README commands) copies the kit's default-viewer setting into the
    environment's Jupyter configuration, where a plain `jupyter lab` reads it (tests/test_browser.py
    opens a notebook so); pip's record of the install holds it, so `pip uninstall` takes it away."""
    installed = Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "default_setting_overrides.d" / "research.json"
    assert installed.is_file(), f"{installed} is missing: install the kit again (pip install -e .)"
    assert installed.read_bytes() == config.LAB_SETTING.read_bytes(), f"{installed} is stale: pip install -e . again"
    # the installed distribution's record, not an old setuptools research.egg-info in the project folder
    dist = next(importlib.metadata.distributions(name="research", path=[sysconfig.get_path("purelib")]))
    assert any(f.locate().resolve() == installed.resolve() for f in dist.files)
