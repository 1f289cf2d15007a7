"""The command line as a user meets it: the installed console script, import, prices, errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from research import cli


def run(*args, env=None):
    # the console script installed beside this interpreter (a venv need not be on PATH)
    exe = Path(sys.executable).with_name("research")
    if not exe.exists():
        pytest.fail(f"the console script `research` is not installed beside {sys.executable}")
    return subprocess.run([exe, *args], capture_output=True, text=True, env={**os.environ, **(env or {})})


def test_console_script_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("build", "import", "fetch", "prices"):
        assert command in result.stdout


def test_import_then_prices_shows_coverage_and_quality(shared_prices, capsys):
    assert cli.main(["import", str(shared_prices)]) == 0
    out = capsys.readouterr().out
    assert "imported 24 series" in out
    assert cli.main(["prices"]) == 0
    out = capsys.readouterr().out
    # the registry's listings without a shared price file (the catalogue's unpriced lines), CHA and CHU among them
    from research.securities import load_registry
    unpriced = sorted(set(load_registry()) - {p.name[:-4] for p in shared_prices.glob("*.csv")})
    assert {"CHA", "CHU"} <= set(unpriced)
    assert "002415.SZ" in out and f"In the registry without prices: {', '.join(unpriced)}\n" in out
    assert cli.main(["prices", "002415.SZ"]) == 0
    out = capsys.readouterr().out
    assert "2019-10-08..2019-10-09" in out  # the suspension after the Entity List
    assert "2022-05-05 -10.00%" in out      # the limit-down day after the FT report
    assert "海康威视" in out


def test_bad_file_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path):
    bad = tmp_path / "BAD.csv"
    bad.write_text("Date,Open,High,Low,Close\n2020-01-02,1,1,1,oops\n")
    result = run("import", str(bad), env={"RESEARCH_STORE": str(tmp_path / "store")})
    assert result.returncode == 2
    assert "BAD.csv, line 2: Close 'oops' is not a number" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "store" / "manifest.json").exists()


def test_prices_on_an_empty_store_says_what_to_do(capsys):
    assert cli.main(["prices"]) == 2
    assert "import prices first" in capsys.readouterr().err


def test_fetch_refuses_politely_when_offline(capsys):
    assert cli.main(["fetch", "AMBA"]) == 2
    assert "RESEARCH_OFFLINE" in capsys.readouterr().err


def test_build_imports_the_mirror_and_prints_coverage(mirror, capsys):
    assert cli.main(["build"]) == 0
    out = capsys.readouterr().out
    assert "Price store" in out and "24 series" in out and "event-study kernels compiled and cached in" in out


def test_module_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "research.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("research ")


def test_event_commands_are_wired_into_the_main_parser(mirror, capsys):
    import json

    assert cli.main(["align", "entity-list-2019", "--json"]) == 0
    rows = {r["ticker"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["002415.SZ"]["calendar_day0"] == "2019-10-08"
    assert rows["002415.SZ"]["first_traded_day"] == "2019-10-10"
    assert rows["AMBA"]["exchange"] == "XNAS" and rows["AMBA"]["first_traded_day"] == "2019-10-08"
    assert cli.main(["align", "no-such-event"]) == 2
    assert "no-such-event" in capsys.readouterr().err


def test_the_import_and_fetch_choices_are_the_packages_own_lists():
    """The parser spells the layouts, fields and sources out so that `--help` needs no pandas;
    this holds them to the lists the readers and fetchers use."""
    from research.prices.csvfile import FIELD_KEYS, LAYOUTS
    from research.prices.sources import SOURCES

    actions = {a.dest: a for p in cli.build_parser()._subparsers._group_actions[0].choices.values()
               for a in p._actions if p.prog.split()[-1] in ("import", "fetch")}
    assert set(actions["layout"].choices) == set(LAYOUTS)
    assert set(actions["source"].choices) == set(SOURCES)
    assert all(field in actions["columns"].help for field in FIELD_KEYS)
