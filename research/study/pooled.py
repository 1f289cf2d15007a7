"""The pooled study of a programme: every priced event of one designation programme as one panel.

:func:`pooled_study` selects a programme's events from the catalogue
(:mod:`research.events.selection`), aligns every listing once, keeps the events with at least one
listing that can be studied (the others are listed as unpriced, with the alignment's reason), and
studies them together with :func:`~research.study.bridge.study_events`: one panel keyed by
(event, listing), so a firm named by two events of the programme is two listing-events, each
with its own day 0 and estimation window (never merged, never counted twice for one event).

Listings of one event share their event date; the pooled tests that allow for that are those of
:data:`~research.study.significance.registry.SHARED_DATE_TESTS` (Kolari and Pynnönen 2010, 2011;
Brown and Warner 1985). :func:`programme_table` prints them beside the CAAR (MacKinlay 1997,
eq. 20) per programme and window.

A listing-event whose event window holds another event naming the same firm (this line,
another line of it, or the entity) is flagged in ``results.confounders`` (``same_firm``) and in
the results' notes: its CAR mixes the two designations.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from research.errors import ResearchError
from research.events.alignment import DEFAULT_DATE_ONLY_RULE, DEFAULT_WINDOW, align_event
from research.study.bridge import STUDIED, study_events
from research.study.significance.registry import SHARED_DATE_TESTS
from research.study.windows import DEFAULT_WINDOWS, window_label


def pooled_study(programme: str, *, catalogue=None, selection=None, exclude: Sequence[str] = (), book=None,
                 windows=DEFAULT_WINDOWS, event_window=None, date_only_rule: str = DEFAULT_DATE_ONLY_RULE,
                 **options):
    """Study every priced event of ``programme`` as one panel keyed by (event, listing).

    Parameters
    ----------
    programme : a key of :data:`research.events.catalogue.PROGRAMMES`.
    catalogue : a loaded catalogue or a path (default ``data/events.yaml``).
    selection : a :class:`~research.events.selection.Selection` narrowing the events further
        (dates, a ticker, a firm); its programmes are replaced by ``programme``.
    exclude : event ids left out (news of the opposite sign, such as a reversal). Removals from a
        list (instrument ``removal``) are always left out: their news has the opposite sign of
        the designations they are pooled with. Both are named in the notes.
    book : a :class:`~research.events.reaction.PriceBook` shared between calls.
    windows, event_window, date_only_rule, options : as for
        :func:`~research.study.bridge.study_events`.

    Returns
    -------
    EventStudyResults with ``provenance["pooled"]``: the programme, the events studied and the
    unpriced events with their reasons.

    Raises
    ------
    ResearchError
        For an unknown programme, or when no event of it has a listing with prices.
    """
    import dataclasses

    from research.events.catalogue import Catalogue, load_catalogue
    from research.events.reaction import PriceBook
    from research.events.selection import Selection, select_events

    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    chosen = dataclasses.replace(selection or Selection(), programmes=Selection.parse([programme]).programmes)
    events = select_events(cat, chosen)
    unknown = sorted(set(exclude) - set(cat))
    if unknown:
        raise ResearchError(f"--exclude: no event {', '.join(map(repr, unknown))} in {cat.path}")
    left_out = [e.id for e in events if e.id in set(exclude) or e.instrument == "removal"]
    events = [e for e in events if e.id not in left_out]
    if not events:
        raise ResearchError(f"no event of programme {programme!r} in {cat.path} (`research events "
                            f"--programme {programme}` lists them)")
    book = book or PriceBook()
    windows = [tuple(w) for w in windows]
    hull = event_window or (min(w[0] for w in windows), max(w[1] for w in windows))
    reach = (min(hull[0], DEFAULT_WINDOW[0]), max(hull[1], DEFAULT_WINDOW[1]))
    aligned = {e.id: align_event(cat, e.id, date_only_rule=date_only_rule, window=reach, book=book) for e in events}
    priced = [e.id for e in events if any(a.status in STUDIED for a in aligned[e.id])]
    unpriced = {e.id: "; ".join(f"{a.ticker}: {a.status}" for a in aligned[e.id])
                for e in events if e.id not in priced}
    if not priced:
        raise ResearchError(f"no event of programme {programme!r} has a listing with prices "
                            f"({'; '.join(f'{k} ({v})' for k, v in unpriced.items())}); "
                            f"fill them with `research fetch` or `research import`")
    results = study_events(priced, catalogue=cat, book=book, windows=windows, event_window=event_window,
                           date_only_rule=date_only_rule,
                           alignments=[a for event_id in priced for a in aligned[event_id]], **options)
    studied = set(zip(results.car["event_id"], results.car["ticker"]))
    same = results.confounders[results.confounders["same_firm"]]
    flagged: dict[tuple[str, str], list[str]] = {}
    for r in same.itertuples():
        if (r.event_id, r.ticker) in studied:
            flagged.setdefault((r.event_id, r.ticker), []).append(f"{r.confounder} {r.relative_day:+d}")
    if flagged:
        results.notes.insert(0, f"{len(flagged)} listing-event(s) have another event naming the same firm inside "
                                f"the event window, so their CARs mix the two: "
                                + "; ".join(f"{e} {t} ({', '.join(c)})" for (e, t), c in flagged.items()))
    if left_out:
        results.notes.append(f"left out, news of the opposite sign (removals and the events excluded): "
                             f"{', '.join(left_out)}")
    if unpriced:
        results.notes.append(f"{len(unpriced)} event(s) of {programme} without prices, not studied: "
                             + "; ".join(f"{k} ({v})" for k, v in unpriced.items()))
    results.provenance["pooled"] = {"programme": programme, "events": priced, "unpriced": unpriced,
                                    "left_out": left_out}
    return results


def programme_table(pooled: dict, tests: Sequence[str] = SHARED_DATE_TESTS) -> pd.DataFrame:
    """CAAR per programme and window with the tests that hold under shared dates.

    ``pooled`` maps a programme to its :func:`pooled_study` results. One row per (programme,
    window): ``events``, ``n`` (listing-events), ``caar`` (the mean CAR, MacKinlay 1997 eq. 20) and,
    per test of ``tests``, its statistic and two-sided p-value (``<test>``, ``<test>_p``) from
    :meth:`~research.study.results.EventStudyResults.tests_by`.
    """
    rows = []
    for programme, results in pooled.items():
        caar = results.caar()
        found = results.tests_by(None, tests=list(tests))
        found = found[found["group"] == "all"]
        for window in results.windows:
            label = window_label(window)
            row = {"programme": programme, "window": label,
                   "events": len(results.provenance["pooled"]["events"]),
                   "n": int(caar.loc[caar["window"] == label, "n"].iloc[0]),
                   "caar": float(caar.loc[caar["window"] == label, "caar"].iloc[0])}
            for test in tests:
                hit = found[(found["window"] == label) & (found["test"] == test)]
                row[test] = float(hit["statistic"].iloc[0]) if len(hit) else float("nan")
                row[f"{test}_p"] = float(hit["p_value"].iloc[0]) if len(hit) else float("nan")
            rows.append(row)
    columns = ["programme", "window", "events", "n", "caar", *(c for t in tests for c in (t, f"{t}_p"))]
    return pd.DataFrame(rows, columns=columns)
