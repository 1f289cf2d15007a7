"""Size and power of the tests, as tables and figures: what :func:`research.study.simulation.simulate`
measured (a :class:`~research.study.simulation.Simulation`), laid out for the validation notebook and
papers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.report import style
from research.report.figures import PaperFigure, styled
from research.report.references import references_of_tests
from research.report.tables import fmt_pct, frame_table
from research.study.significance.registry import literature_name
from research.study.simulation import DESIGNS, Simulation, size_columns, tests_in_order
from research.study.windows import window_label


def _cell(rate, low, high) -> str:
    return f"{fmt_pct(rate)} [{fmt_pct(low)}, {fmt_pct(high)}]"


def size_table(sim: Simulation, window: str = "[0,0]", *, label: str = "size", columns=None):
    """Rejection rates with nothing injected (k = 0), per test, in percent with Wilson 95 %
    intervals, for the (design, n) pairs ``columns`` (default those of :func:`size_columns`).
    A ``ResultTable``."""
    t = sim.table[(sim.table["k"] == 0) & (sim.table["window"] == window)]
    cols = size_columns(sim) if columns is None else [(str(d), int(n)) for d, n in columns]
    for design, n in cols:
        if not ((t["design"] == design) & (t["n"] == n)).any():
            raise ResearchError(f"the simulation has no {design} samples of {n} listings in window {window}")
    tests = tests_in_order(t["test"])
    frame = pd.DataFrame({"Test": [literature_name(x) for x in tests]})
    data = []
    for design, n in cols:
        part = t[(t["design"] == design) & (t["n"] == n)].set_index("test").reindex(tests)
        frame[f"{design.capitalize()} dates, {n} listings"] = [
            _cell(r, lo, hi) for r, lo, hi in zip(part["rate"], part["ci_low"], part["ci_high"])]
        data.append(part.reset_index())
    s = sim.settings
    universe = {d: len(u) for d, u in s["universe"].items()}
    notes = [f"Share of {s['n_samples']:,} samples in which the test rejects a zero mean CAR over {window} "
             f"at {s['alpha']:.0%} (two-sided) when no abnormal return was added, in percent; brackets: "
             f"Wilson (1927) 95% interval. A correctly sized test rejects 5%.",
             "Independent: each listing with its own pseudo event date, drawn from "
             f"{universe.get('independent', 0)} listings; clustered: one date for the whole sample, "
             f"drawn from the {universe.get('clustered', 0)} mainland listings (Kolari and Pynnönen 2010).",
             f"{s['model']} model, estimation window {s['estimation']}, seed {s['seed']}."]
    return frame_table(frame, caption=f"Size: rejection rates without an event, window {window}", label=label,
                       notes=notes,
                       references=("brown_warner1985", "kolari_pynnonen2010", *references_of_tests(tests)),
                       data=pd.concat(data, ignore_index=True))


def power_table(sim: Simulation, k: float = 0.01, window: str = "[0,0]", *, sizes=None,
                label: str = "power"):
    """Rejection rates with ``k`` added on day 0, per design (row groups), test (rows) and
    sample size (columns), in percent. A ``ResultTable``."""
    t = sim.table[np.isclose(sim.table["k"], k) & (sim.table["window"] == window)]
    if t.empty:
        raise ResearchError(f"the simulation has no k = {k:g} in window {window}")
    sizes = sorted(set(t["n"])) if sizes is None else [int(n) for n in sizes]
    tests = tests_in_order(t["test"])
    rows = []
    for design in [d for d in DESIGNS if d in set(t["design"])]:
        part = t[t["design"] == design].pivot(index="test", columns="n", values="rate").reindex(tests)
        for test in tests:
            row = {"design": f"{design.capitalize()} dates", "Test": literature_name(test)}
            for n in sizes:
                row[f"n = {n}"] = part.loc[test, n] if n in part.columns else np.nan
            rows.append(row)
    frame = pd.DataFrame(rows)
    formats = {f"n = {n}": fmt_pct for n in sizes}
    s = sim.settings
    notes = [f"Share of {s['n_samples']:,} samples of n listings in which the test rejects a zero mean CAR over "
             f"{window} at {s['alpha']:.0%} (two-sided) when {k:.1%} is added to every listing's day-0 "
             f"return, in percent. A dash: no sample of that size in that design (a clustered sample "
             f"cannot hold more listings than the mainland has)."]
    return frame_table(frame, caption=f"Power against an abnormal return of {k:.1%} on day 0, window {window}",
                       label=label, notes=notes, stub="Test", group="design", formats=formats,
                       references=references_of_tests(tests), data=t.reset_index(drop=True))


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


def settings_table(sim: Simulation, *, label: str = "settings"):
    """The simulation's settings and timings, for the record. A ``ResultTable``."""
    s = sim.settings
    rows = [("samples per design and size", f"{s['n_samples']:,}"),
            ("sample sizes", ", ".join(map(str, s["sizes"]))),
            ("abnormal returns added on day 0", ", ".join(f"{k:.1%}" for k in s["ks"])),
            ("CAR windows", ", ".join(map(window_label, s["windows"]))),
            ("event window / estimation window", f"{s['event_window']} / {s['estimation']}"),
            ("model", s["model"]),
            ("tests", ", ".join(s["tests"])),
            *[(f"{d} universe", ", ".join(u)) for d, u in s["universe"].items()],
            ("without prices (not drawn)", ", ".join(s["without_prices"]) or "none"),
            ("pseudo dates avoid catalogue events",
             f"yes ({s['catalogue_dates']} announcement dates)" if s["avoid_catalogue"] else "no"),
            ("sizes not drawn", "; ".join(f"{x['design']} {x['n']}: {x['reason']}" for x in s["skipped"]) or "none"),
            ("listing-events studied (excluded)", f"{s['listing_events']:,} ({s['excluded']})"),
            ("seed", str(s["seed"])),
            ("interval", s["interval"]),
            ("seconds: draw, event study, tests",
             ", ".join(f"{sim.seconds[x]:.0f}" for x in ("draw", "event_study", "tests")))]
    frame = pd.DataFrame(rows, columns=["Setting", "Value"])
    return frame_table(frame, caption="Simulation settings", label=label, align=["p{10cm}"])
