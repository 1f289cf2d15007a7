"""Notebook execution is quiet: the kernel's own log (its TCP transport warning, an interrupt at
shutdown) does not reach the user's terminal, while a cell's output still reaches the notebook."""

from __future__ import annotations

import nbformat

from research.report import notebooks


def test_a_notebook_runs_without_the_kernels_transport_warning(tmp_path, capfd):
    source = tmp_path / "tiny.py"
    source.write_text("# %%\nprint(6 * 7)\n", encoding="utf-8")
    run = notebooks.execute("tiny", tmp_path / "out", source=source)
    captured = capfd.readouterr()
    assert "IPKernelApp" not in captured.err and "without encryption" not in captured.err
    executed = nbformat.read(run.notebook, as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "42"


def test_notebooks_run_side_by_side_and_one_failure_leaves_the_others_written(tmp_path):
    """``execute_many`` with a failures list: the failing notebook is reported by name with its
    cell's error, the others run through and write their folders; progress sees every one."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "good.py").write_text("# %%\nprint(6 * 7)\n", encoding="utf-8")
    (folder / "bad.py").write_text("# %%\nraise ValueError('no such price')\n", encoding="utf-8")
    (folder / "also-good.py").write_text("# %%\nprint(2 * 3)\n", encoding="utf-8")
    failures, seen = [], []
    runs = notebooks.execute_many(["good", "bad", "also-good"], tmp_path / "out", jobs=2, notebooks=folder,
                                  progress=seen.append, failures=failures)
    assert [run.name for run in runs] == ["good", "also-good"]
    assert all((tmp_path / "out" / name / f"{name}.ipynb").exists() for name in ("good", "also-good"))
    (failure,) = failures
    assert failure.name == "bad" and "ValueError: no such price" in failure.message
    assert sorted(item.name for item in seen) == ["also-good", "bad", "good"]


def test_without_a_failures_list_the_first_failure_is_raised(tmp_path):
    import pytest

    from research.errors import ResearchError

    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "bad.py").write_text("# %%\nraise ValueError('no such price')\n", encoding="utf-8")
    with pytest.raises(ResearchError, match="bad.py: cell 1 failed with ValueError: no such price"):
        notebooks.execute_many(["bad"], tmp_path / "out", notebooks=folder)
