"""Prose computed from the results: a markdown paragraph that displays in a notebook and in the
paper (output metadata ``research.kind = "text"``), for summaries a template notebook cannot
write by hand, and for verdicts that must follow a rule rather than a writer's judgement (which
tests are well-sized)."""

from __future__ import annotations

import numpy as np

from research.report.format import MINUS, fmt_number, fmt_p, fmt_pct
from research.study.windows import window_label

#: The level beyond which a pre-event abnormal return (or CAR) is reported as a move.
PRE_EVENT_LEVEL = 0.01


class Markdown:
    """A paragraph of markdown shown as rendered text in a notebook and as prose in the paper."""

    def __init__(self, text: str):
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.text, "text/plain": self.text}, {"research": {"kind": "text"}}

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Markdown({self.text[:40]!r}...)"


_VERDICT_WORDS = {"over-rejects": "over-rejecting", "under-rejects": "under-rejecting"}


def size_verdict(ci_low: float, ci_high: float, level: float = 0.05) -> str:
    """``"well-sized"`` when the Wilson 95 % interval of a rejection rate without an event holds
    the nominal ``level``; ``"over-rejects"`` when the whole interval lies above it,
    ``"under-rejects"`` when below. The one rule the papers use to call a test well-sized
    (Brown and Warner 1985 judge size by whether the rate differs from the level; the interval
    is Wilson's 1927 score interval, :func:`research.study.simulation.wilson_interval`)."""
    if ci_low <= level <= ci_high:
        return "well-sized"
    return "over-rejects" if ci_low > level else "under-rejects"


def size_verdicts(sim, window: str = "[0,0]", columns=None) -> Markdown:
    """Which tests are well-sized, over-reject or under-reject in each (design, n) of the size
    table (:func:`size_verdict` on the simulation's Wilson intervals), as a paragraph.

    Parameters
    ----------
    sim : :class:`research.study.simulation.Simulation`.
    window : the CAR window.
    columns : (design, n) pairs (default those of the size table,
        :func:`research.study.simulation.size_columns`).
    """
    from research.study.significance.registry import literature_name
    from research.study.simulation import size_columns, tests_in_order

    alpha = sim.settings["alpha"]
    t = sim.table[(sim.table["k"] == 0) & (sim.table["window"] == window)]
    parts = []
    for design, n in (size_columns(sim) if columns is None else columns):
        part = t[(t["design"] == design) & (t["n"] == n)].set_index("test")
        groups: dict[str, list[str]] = {"well-sized": [], "over-rejects": [], "under-rejects": []}
        for test in tests_in_order(part.index):
            r = part.loc[test]
            groups[size_verdict(r["ci_low"], r["ci_high"], alpha)].append(
                f"{literature_name(test)} ({fmt_pct(r['rate'])} %)")
        said = [f"well-sized: {', '.join(groups['well-sized']) or 'none'}"]
        said += [f"{_VERDICT_WORDS[k]}: {', '.join(v)}" for k, v in groups.items() if k != "well-sized" and v]
        parts.append(f"*{design.capitalize()} dates, {n} listings*, {'; '.join(said)}.")
    return Markdown(f"A test is called well-sized when the Wilson 95 % interval of its rejection rate without an "
                    f"event holds {alpha:.0%}, over-rejecting when the interval lies above it, under-rejecting when "
                    f"below. Over {window}: "
                    + " ".join(parts))


def p_text(p) -> str:
    """``p = 0.031`` or ``p < 0.001``, as prose writes a p-value."""
    shown = fmt_p(p)
    return f"p {shown[0]} {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


def pre_event_summary(ep, level: float = PRE_EVENT_LEVEL) -> Markdown:
    """A paragraph naming every listing that moved before day 0: a day at its price limit, or
    an abnormal return (or the window's CAR) beyond the ``level`` significance level. Such a
    move is a leak, other news, or a mis-dated event; the paragraph says so and explains
    nothing away."""
    from research.report.tables import PRE_EVENT

    moves = ep.pre_event_moves()
    window = window_label(PRE_EVENT).replace("-", MINUS)
    found = []
    for (event_id, ticker), one in moves.groupby(["event_id", "ticker"], sort=False):
        what = []
        for r in one.itertuples():
            if np.isfinite(r.limit_hit):
                what.append(f"closed at its daily limit on day {fmt_number(r.relative_day, 0)} "
                            f"(raw return {fmt_pct(r.limit_hit)} %)")
            if r.p_value < level:
                where = (f"its CAR over {window} was" if not np.isfinite(r.relative_day)
                         else f"its abnormal return on day {fmt_number(r.relative_day, 0)} was")
                what.append(f"{where} {fmt_pct(r.abnormal_return)} % ({p_text(r.p_value)})")
        if what:
            event = f" before {event_id}" if len(ep.events) > 1 else ""
            found.append(f"{ep.names.get(ticker, ticker)}{event}: " + "; ".join(what))
    if not found:
        return Markdown(f"No listing closed at its daily price limit, and no abnormal return or CAR over "
                        f"{window} passed the {level:.0%} level, in the five sessions before day 0.")
    return Markdown(f"Before day 0 some listings had abnormal returns beyond the {level:.0%} level or closed "
                    f"at their price limit ({'; '.join(found)}). A move before day 0 is a leak, other news, or a "
                    "mis-dated event; these data cannot tell which.")
