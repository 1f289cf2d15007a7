"""Size and power of the tests, as tables and figures: what :func:`research.study.simulation.simulate`
measured (a :class:`~research.study.simulation.Simulation`), laid out for the validation notebook and
papers."""

from __future__ import annotations

import numpy as np

from research.report import style
from research.report.figures import PaperFigure, styled
from research.report.references import references_of_tests
from research.study.significance.registry import literature_name
from research.study.simulation import Simulation, size_columns, tests_in_order


def power_figure(sim: Simulation, window: str = "[0,0]", *, tests=None, label: str = "power-curves"):
    """Rejection rate against the injected k, one line per test, one panel per design and
    size of :func:`size_columns`; the dotted line is the 5 % level. A ``PaperFigure``."""
    t = sim.table[sim.table["window"] == window]
    panels = size_columns(sim)
    tests = tests_in_order(t["test"]) if tests is None else list(tests)
    caption = (f"Rejection rate at {sim.settings['alpha']:.0%} against the abnormal return added on day 0 "
               f"(CAR {window}), by test; {sim.settings['n_samples']:,} samples per point.")
    with styled():
        fig = PaperFigure(figsize=(3.0 * len(panels) + 2.4, 3.6), layout="constrained", caption=caption,
                          label=label, references=("brown_warner1985", *references_of_tests(tests)))
        axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
        for ax, (design, n) in zip(axes, panels):
            part = t[(t["design"] == design) & (t["n"] == n)]
            for i, test in enumerate(tests):
                line = part[part["test"] == test].sort_values("k")
                ax.plot(100 * line["k"], 100 * line["rate"], marker="o", ms=3, lw=1.2,
                        color=style.PALETTE[i % len(style.PALETTE)], ls="-" if i < 8 else "--",
                        label=literature_name(test))
            ax.axhline(100 * sim.settings["alpha"], color="grey", lw=0.8, ls=":")
            ax.set_title(f"{design.capitalize()} dates, {n} listings")
            ax.set_xlabel("abnormal return on day 0 (%)")
            ax.set_ylim(0, 100)
        axes[0].set_ylabel("rejection rate (%)")
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside right center", fontsize=7.5)
    return fig


def size_figure(sim: Simulation, window: str = "[0,0]", *, label: str = "size"):
    """Rejection rates at k = 0 with their Wilson 95 % intervals, per test, for the designs
    and sizes of :func:`size_columns`; the band is 3-7 %. A ``PaperFigure``."""
    t = sim.table[(sim.table["k"] == 0) & (sim.table["window"] == window)]
    cols = size_columns(sim)
    tests = tests_in_order(t["test"])
    caption = (f"Size of each test without an event (CAR {window}): rejection rate at "
               f"{sim.settings['alpha']:.0%} with its Wilson 95% interval; the shaded band is 3-7%.")
    with styled():
        fig = PaperFigure(figsize=(7.0, 0.32 * len(tests) + 1.4), layout="constrained", caption=caption,
                          label=label, references=("kolari_pynnonen2010", *references_of_tests(tests)))
        ax = fig.subplots()
        y = np.arange(len(tests))
        colours = ("#0072B2", "#009E73", "#D55E00")
        for j, (design, n) in enumerate(cols):
            part = t[(t["design"] == design) & (t["n"] == n)].set_index("test").reindex(tests)
            off = (j - (len(cols) - 1) / 2) * 0.22
            ax.errorbar(100 * part["rate"], y + off,
                        xerr=[100 * (part["rate"] - part["ci_low"]), 100 * (part["ci_high"] - part["rate"])],
                        fmt="o", ms=3.5, lw=1, capsize=2, color=colours[j % 3],
                        label=f"{design} dates, {n} listings")
        ax.axvspan(3, 7, color=style.BENCHMARK_COLOUR, alpha=0.08, lw=0)
        ax.axvline(100 * sim.settings["alpha"], color="grey", lw=0.8, ls=":")
        ax.set_yticks(y, [literature_name(x) for x in tests])
        ax.invert_yaxis()
        ax.set_xlabel("rejection rate without an event (%)")
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=len(cols))
    return fig
