"""Catalogue events studied on the price store: the bridge from :mod:`research.events` to
:func:`research.study.event_study`.

Each (event, listing) is aligned (:func:`research.events.alignment.align_event`); the listings
that traded on or after their calendar day 0 enter the study, with their catalogue role, their
registry benchmark (or the one asked for) and the store's returns. Listings that cannot enter
(no prices, not yet listed, no trade after day 0) are added to the results' ``excluded`` table
with the alignment's reason (a series the store lists but cannot read is an error instead: the
data exist and can be mended), and the other catalogue events inside each listing's event window
are attached as ``confounders``: nothing is dropped or merged silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from research import config
from research.errors import ResearchError
from research.events.alignment import DEFAULT_DATE_ONLY_RULE
from research.study.engine import DEFAULT_MIN_ESTIMATION, event_study
from research.study.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS

#: Alignment statuses whose listing enters the study.
STUDIED = ("traded", "suspended")


def study_events(event_ids: str | Sequence[str], *, catalogue=None, model="market",
                 estimation=DEFAULT_ESTIMATION, windows=DEFAULT_WINDOWS, event_window=None,
                 benchmark: str | Mapping[str, str] | None = None, date_only_rule: str = DEFAULT_DATE_ONLY_RULE,
                 min_estimation: int = DEFAULT_MIN_ESTIMATION, listings: Sequence[str] | None = None,
                 book=None, alignments=None, require_adjusted: bool | None = None, **options):
    """Run an event study of catalogue events on the store's prices.

    Parameters
    ----------
    event_ids : one catalogue event id or several (studied together: a listing of two events
        is two listing-events).
    catalogue : a loaded :class:`~research.events.catalogue.Catalogue` or a path (default
        ``data/events.yaml``).
    benchmark : None (each listing's registry benchmark), one ticker for every listing, or a
        mapping from a listing's ticker or default benchmark to the benchmark to use.
    date_only_rule : how a date-only announcement becomes day 0 (see
        :data:`research.events.alignment.DATE_ONLY_RULES`).
    listings : restrict the study to these tickers.
    book : a :class:`~research.events.reaction.PriceBook` to share prices between calls.
    require_adjusted : a listing or benchmark that is an equity with neither an adjusted close nor
        a previous close (:func:`research.prices.quality.adjustment`) is an error, not a note
        (default ``RESEARCH_REQUIRE_ADJUSTED``; ``--require-adjusted`` on ``run`` and ``report``).
    alignments : the events' listing alignments when the caller has made them already
        (:func:`~research.events.alignment.align_event` with the same ``date_only_rule`` and a
        window that covers the event window): they are used as given, not made again.
    model, estimation, windows, event_window, min_estimation, options : as for
        :func:`~research.study.engine.event_study`.

    Returns
    -------
    EventStudyResults, with a note naming each series with unadjusted prices (and
    ``provenance["adjustment"]``, each series' status: adjusted, index or unadjusted), ``alignments`` (the list of
    :class:`~research.events.alignment.ListingAlignment`) and ``confounders`` (one row per
    listing-event and other catalogue event in its window) set, and the listings that could not
    be studied in ``excluded``.

    Raises
    ------
    ResearchError
        For an unknown event or listing; with ``require_adjusted``, a series with unadjusted prices; a listing or benchmark whose series the store lists but
        cannot read (missing file, sha256 mismatch: mend it with ``research store repair`` and
        import it again); a benchmark that is a listing of the events, or a listing's own
        ticker; or when no listing can be studied.
    """
    from research.events.alignment import DEFAULT_WINDOW, align_event
    from research.events.catalogue import Catalogue, load_catalogue
    from research.events.reaction import PriceBook
    from research.prices import PriceStore

    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    ids = [event_ids] if isinstance(event_ids, str) else list(event_ids)
    if not ids:
        raise ResearchError("name at least one event (`research events` lists them)")
    book = book or PriceBook()
    windows = [tuple(w) for w in windows]
    hull = event_window or (min(w[0] for w in windows), max(w[1] for w in windows))
    confounder_window = (min(hull[0], DEFAULT_WINDOW[0]), max(hull[1], DEFAULT_WINDOW[1]))
    if alignments is None:
        alignments = [a for event_id in ids
                      for a in align_event(cat, event_id, date_only_rule=date_only_rule, window=confounder_window,
                                           book=book)]
    else:
        alignments = [a for a in alignments if a.event_id in set(ids)]
    if listings is not None:
        unknown = set(listings) - {a.ticker for a in alignments}
        if unknown:
            raise ResearchError(f"{', '.join(sorted(unknown))} not among the listings of {', '.join(ids)}")
        alignments = [a for a in alignments if a.ticker in set(listings)]

    manifest = PriceStore().manifest()
    for a in alignments:
        if a.status == "no prices" and a.ticker in manifest:
            raise ResearchError(damaged_series(a.ticker, book))
    if isinstance(benchmark, str) and benchmark in {a.ticker for a in alignments}:
        raise ResearchError(f"benchmark {benchmark} is a listing of {', '.join(ids)}: a listing measured against "
                            f"itself has abnormal returns of 0 by construction; name a market index, or none to "
                            f"use each listing's registry benchmark")

    studied = [a for a in alignments if a.status in STUDIED]
    unstudied = [{"event_id": a.event_id, "ticker": a.ticker, "role": a.role, "day0": a.calendar_day0,
                  "reason": f"{a.status}: {a.notes[-1] if a.notes else ''}".rstrip(": ")}
                 for a in alignments if a.status not in STUDIED]
    if not studied:
        reasons = "; ".join(f"{u['event_id']} {u['ticker']}: {u['reason']}" for u in unstudied)
        raise ResearchError(f"no listing of {', '.join(ids)} can be studied: {reasons}")

    events = pd.DataFrame([{"event_id": a.event_id, "ticker": a.ticker, "day0": a.calendar_day0, "role": a.role}
                           for a in studied])
    tickers = list(dict.fromkeys(events["ticker"]))
    bench = {t: benchmark_of(cat.registry.get_security(t), benchmark) for t in tickers}
    own = [t for t in tickers if bench[t] == t]
    if own:
        raise ResearchError(f"the benchmark of {own[0]} is {own[0]} itself: its abnormal returns would be 0 by "
                            f"construction; give it a market index as benchmark")
    returns = {}
    for t in tickers + list(dict.fromkeys(bench.values())):
        r = book.returns(t)
        if r is None:
            if t in manifest:
                raise ResearchError(damaged_series(t, book))
            raise ResearchError(f"no prices for {t}, needed by {', '.join(ids)}: {book.why_missing(t)}")
        returns[t] = r
    adjustments, unadjusted = adjustments_of(list(returns), book, cat.registry, require_adjusted)
    hashes = {t: manifest[t]["sha256"] for t in [*tickers, *bench.values()] if t in manifest}
    results = event_study(pd.DataFrame({t: returns[t] for t in tickers}),
                          pd.DataFrame({t: returns[bench[t]] for t in tickers}),
                          events, model=model, estimation=estimation, windows=windows, event_window=event_window,
                          min_estimation=min_estimation, data_hashes=hashes, **options)
    results.notes[:0] = unadjusted  # first: the summary shows only the first ten notes
    results.provenance["adjustment"] = {t: status for t, (status, _) in adjustments.items()}
    if unstudied:
        results.excluded = pd.concat([results.excluded, pd.DataFrame(unstudied)], ignore_index=True)
    results.alignments = alignments
    results.confounders = confounders_frame(alignments, hull)
    results.provenance["catalogue"] = {"path": str(cat.path), "events": ids, "date_only_rule": date_only_rule,
                                       "benchmarks": bench}
    return results


def adjustments_of(tickers, book, registry, require_adjusted: bool | None = None):
    """Each series' adjustment status (:func:`research.prices.quality.adjustment`) and the flags of
    the unadjusted ones; with ``require_adjusted`` (default ``RESEARCH_REQUIRE_ADJUSTED``) an
    unadjusted series is a :class:`ResearchError` naming it."""
    from research.prices.quality import adjustment

    adjustments = {t: adjustment(t, book.get(t), registry.get(t)) for t in tickers}
    unadjusted = [flag for status, flag in adjustments.values() if status == "unadjusted"]
    if unadjusted and (config.require_adjusted() if require_adjusted is None else require_adjusted):
        raise ResearchError("adjusted prices are required (--require-adjusted): " + "; ".join(unadjusted)
                            + ". Import them with an adjusted close or the exchange's previous close (Adj Close, "
                            "pre_close), or fetch them with `research fetch --source baostock`")
    return adjustments, unadjusted


def damaged_series(ticker: str, book) -> str:
    """The message for a series the store lists but cannot serve (its file missing or failing
    its sha256): an error, not an exclusion, since the data exist and can be mended."""
    why = (book.why_missing(ticker).splitlines() or ["unreadable"])[0].removeprefix(f"{ticker}: ")
    return (f"{ticker}: the price store lists it but cannot read it ({why}); mend the store with "
            f"`research store repair`, then import {ticker} again (`research import {ticker}.csv`)")


def confounders_frame(alignments, window: tuple[int, int]) -> pd.DataFrame:
    """Other catalogue events whose day 0 falls in relative days ``window`` of each listing-event."""
    rows = [{"event_id": a.event_id, "ticker": a.ticker, "confounder": c.event_id, "title": c.title,
             "relative_day": c.relative_day, "date": c.date, "names_listing": c.names_listing,
             "same_firm": c.same_firm}
            for a in alignments for c in a.confounders if window[0] <= c.relative_day <= window[1]]
    return pd.DataFrame(rows, columns=["event_id", "ticker", "confounder", "title", "relative_day", "date",
                                       "names_listing", "same_firm"])


def benchmark_of(security, benchmark=None) -> str:
    """The benchmark of ``security`` under ``benchmark`` (see :func:`study_events`)."""
    if benchmark is None:
        return security.benchmark
    if isinstance(benchmark, str):
        return benchmark
    return benchmark.get(security.ticker) or benchmark.get(security.benchmark) or security.benchmark
