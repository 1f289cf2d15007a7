"""The notebooks executed once per test session, shared by test_notebooks.py and
test_report_paper.py (a module-level cache: pytest would run a fixture imported into two
modules twice)."""

from __future__ import annotations

from pathlib import Path

import pytest

from research.report import notebooks

ALL = [*notebooks.ALL_NOTEBOOKS, notebooks.TEMPLATE]
_RUNS: dict[str, notebooks.Run] = {}


def executed_runs(store: Path, results: Path) -> dict[str, notebooks.Run]:
    """Every notebook executed strictly (warnings are errors) on ``store``: name -> Run."""
    if not _RUNS:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("RESEARCH_STORE", str(store))
            mp.setenv("RESEARCH_RESULTS", str(results))
            mp.setenv("RESEARCH_OFFLINE", "1")
            mp.delenv("RESEARCH_MIRROR", raising=False)
            mp.delenv("RESEARCH_CATALOGUE", raising=False)
            mp.delenv("RESEARCH_NOTEBOOKS", raising=False)
            runs = notebooks.execute_many(ALL, results, jobs=2, strict=True)
        _RUNS.update({run.name: run for run in runs})
    return _RUNS
