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
