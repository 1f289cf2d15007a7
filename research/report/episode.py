"""An episode studied end to end: what an episode notebook calls, one method per cell.

An *episode* groups the catalogue events of one story (``data/events.yaml``, field
``episode``); a single catalogue event can be studied the same way (a new event's notebook).
:class:`Episode` aligns every (event, listing) on its exchange's sessions
(:mod:`research.events.alignment`), runs the event study on the store's prices
(:func:`research.study.event_study`) and answers each question of the notebook with one
table or one figure: the events, the timeline against the sessions, day 0 per listing, the
price paths, abnormal returns and CARs, the pooled tests, the articles' claims, robustness to
the benchmark, the model and the estimation window, and what the evidence cannot show.

Listings the study cannot use (no prices, not yet listed, no trade after day 0) are left out
of the study and reported by :meth:`Episode.limitations_table`, never silently dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.events.alignment import DEFAULT_DATE_ONLY_RULE
from research.events.alignment import DEFAULT_WINDOW as EVENT_WINDOW  # the abnormal returns' event window
from research.prices.returns import price_level
from research.report import figures, tables
from research.report.references import MODEL_REFERENCES, REFERENCES
from research.report.tables import PRE_EVENT, SHARED_DATE_TESTS  # noqa: F401  (notebooks)
from research.report.text import PRE_EVENT_LEVEL, p_text, pre_event_summary
from research.securities import exchange_name
from research.study.bridge import STUDIED, benchmark_of
from research.study.engine import DEFAULT_SEED
from research.study.windows import DEFAULT_ESTIMATION as ESTIMATION
from research.study.windows import window_label

#: CAR windows of the episode notebooks (relative trading days, inclusive).
WINDOWS = ((0, 0), (0, 1), (-1, 1), (0, 5), (-5, 5))
#: Bootstrap resamples of the episodes' pooled tests.
BOOTSTRAP_RESAMPLES = 999
#: The other benchmark of each benchmark, for the robustness check (None: the data has none).
#: Fewest estimation-window returns a listing-event needs, by default.
MIN_ESTIMATION = 100
ALTERNATIVE_BENCHMARKS = {"000300.SS": "399001.SZ", "399001.SZ": "000300.SS", "^IXIC": "^GSPC",
                          "^GSPC": "^IXIC", "^HSI": None}
#: Tests shown when an episode has many events: parametric, cross-correlation robust, rank.
COMPACT_TESTS = ("csect_t", "patell_kp", "bmp_kp", "brown_warner_1985", "corrado", "grank", "grank_scar")


def episode_ids(catalogue=None) -> list[str]:
    """The episodes that have events in the catalogue, in catalogue order."""
    from research.events.catalogue import load_catalogue

    cat = load_catalogue(catalogue)
    return list(dict.fromkeys(e.episode for e in cat.values()))


class Episode:
    """The events of one episode (or one event) with their alignment, study and tables.

    Parameters
    ----------
    name : an episode id (``e5-hikvision-2022``) or a catalogue event id.
    catalogue : path of the event catalogue (default ``data/events.yaml``).
    model : expected-return model of the main study (a name of ``research.study.MODELS``).
    estimation : estimation window, relative trading days or dates.
    windows : CAR windows.
    benchmark : None (each listing's registry benchmark), a ticker for every listing, or a
        mapping from a listing's default benchmark (or its ticker) to the one to use.
    date_only_rule : day 0 of announcements known only to the date (a key of
        :data:`research.events.alignment.DATE_ONLY_RULES`; default ``business_day``).
    listings : restrict the study to these tickers (default every listing of the events).
    min_estimation : fewest estimation-window returns a listing-event needs.

    Examples
    --------
    >>> ep = Episode("e5-hikvision-2022")            # doctest: +SKIP
    >>> ep.car_table()                               # doctest: +SKIP
    """

    def __init__(self, name: str, *, catalogue=None, model: str = "market", estimation=ESTIMATION,
                 windows: Sequence = WINDOWS, benchmark=None, date_only_rule: str = DEFAULT_DATE_ONLY_RULE,
                 listings: Sequence[str] | None = None, min_estimation: int = MIN_ESTIMATION,
                 require_adjusted: bool | None = None):
        from research.events.alignment import align_event
        from research.events.catalogue import EPISODES, load_catalogue
        from research.events.reaction import PriceBook
        from research.report.newevent import catalogue_path

        self.catalogue = load_catalogue(catalogue_path(catalogue))
        self.registry = self.catalogue.registry
        events = [e for e in self.catalogue.values() if e.episode == name]
        if events:  # an episode of its own (a new event's) takes the event's title
            own = name not in EPISODES and name in list(self.catalogue)
            self.title = self.catalogue[name].title if own else EPISODES.get(name, name)
        elif name in list(self.catalogue):  # Catalogue.__contains__ raises for a missing id
            events = [self.catalogue[name]]
            self.title = events[0].title
        else:
            known = list(dict.fromkeys(e.episode for e in self.catalogue.values()))
            raise ResearchError(f"{name!r} is neither an episode ({', '.join(known)}) nor an event of "
                                f"{self.catalogue.path}; `research events` lists the events")
        self.name = name
        self.events = events
        self.model = model
        self.estimation = tuple(estimation)
        self.windows = [tuple(int(x) for x in w) for w in windows]
        self.benchmark = benchmark
        self.date_only_rule = date_only_rule
        self.min_estimation = int(min_estimation)
        self.require_adjusted = require_adjusted
        self.book = PriceBook()
        self.alignments = {e.id: align_event(self.catalogue, e.id, date_only_rule=date_only_rule, book=self.book)
                           for e in events}
        if listings:
            wanted = set(listings)
            unknown = wanted - {a.ticker for al in self.alignments.values() for a in al}
            if unknown:
                raise ResearchError(f"listing(s) {', '.join(sorted(unknown))} are not listings of {name}")
            self.alignments = {k: [a for a in v if a.ticker in wanted] for k, v in self.alignments.items()}

    # ------------------------------------------------------------------ names
    @cached_property
    def names(self) -> dict[str, str]:
        """ticker -> ``Hikvision 海康威视``: the catalogue's entity and the Chinese name; the
        ticker is appended where one firm has several lines in the episode."""
        entity = {}
        for event in self.events:
            for listing in event.listings:
                entity.setdefault(listing.ticker, listing.entity)
        out = {}
        for ticker, ent in entity.items():
            sec = self.registry.get(ticker)
            zh = sec.name_zh if sec else ""
            out[ticker] = f"{ent} {zh}".strip()
        counts = pd.Series(list(out.values())).value_counts()
        return {t: (f"{n} ({t})" if counts[n] > 1 else n) for t, n in out.items()}

    @cached_property
    def base_names(self) -> dict[str, str]:
        """ticker -> ``China Mobile 中国移动``: entity and Chinese name, without the ticker."""
        out = {}
        for event in self.events:
            for listing in event.listings:
                sec = self.registry.get(listing.ticker)
                out.setdefault(listing.ticker, f"{listing.entity} {sec.name_zh if sec else ''}".strip())
        return out

    def stub(self, ticker: str) -> str:
        """Row label of a listing: its name and ticker."""
        name = self.names.get(ticker, ticker)
        return name if name.endswith(f"({ticker})") else f"{name} ({ticker})"

    def _event_headings(self) -> dict[str, str]:
        return {e.id: e.id for e in self.events}

    # ------------------------------------------------------------------ study
    def _events_frame(self) -> pd.DataFrame:
        rows = [{"event_id": a.event_id, "ticker": a.ticker, "day0": a.calendar_day0, "role": a.role}
                for al in self.alignments.values() for a in al if a.status in STUDIED]
        if not rows:
            raise ResearchError(f"{self.name}: no listing has prices around its day 0; `research build` "
                                f"imports the kit's own, `research import FOLDER` yours, or set RESEARCH_MIRROR")
        return pd.DataFrame(rows)

    def benchmark_of(self, ticker: str, benchmark=None) -> str:
        """The benchmark used for ``ticker`` under ``benchmark`` (see the class parameters)."""
        return benchmark_of(self.registry.get_security(ticker), self.benchmark if benchmark is None else benchmark)

    def run(self, *, model=None, estimation=None, benchmark=None, windows=None, date_only_rule=None):
        """An event study of the episode's listings (:func:`research.study.bridge.study_events`,
        the code ``research run`` uses); any argument overrides the episode's own.

        Returns
        -------
        research.study.EventStudyResults
        """
        from research.study.bridge import study_events

        self._events_frame()  # a clear message when no listing can be studied
        tickers = [a.ticker for al in self.alignments.values() for a in al]
        rule = date_only_rule or self.date_only_rule
        # the episode's own alignments serve every specification with its date-only rule: align once
        aligned = [a for al in self.alignments.values() for a in al] if rule == self.date_only_rule else None
        return study_events([e.id for e in self.events], catalogue=self.catalogue, model=model or self.model,
                            estimation=self._estimation(estimation or self.estimation),
                            windows=windows or self.windows, event_window=EVENT_WINDOW,
                            benchmark=self.benchmark if benchmark is None else benchmark, date_only_rule=rule,
                            min_estimation=self.min_estimation, listings=tickers, book=self.book,
                            alignments=aligned, seed=DEFAULT_SEED, n_boot=BOOTSTRAP_RESAMPLES,
                            require_adjusted=self.require_adjusted)

    def _estimation(self, estimation):
        """``"pre-episode"`` becomes dates: the year ending 30 calendar days before the first day 0
        (after the estimation window come at least ten trading days before the event window)."""
        if isinstance(estimation, str):
            if estimation != "pre-episode":
                raise ResearchError(f"estimation {estimation!r}: give (start, end) or 'pre-episode'")
            return pre_episode_estimation(min(a.calendar_day0 for al in self.alignments.values() for a in al))
        return tuple(estimation)

    @cached_property
    def study(self):
        """The main study (the episode's model, estimation window and benchmarks)."""
        return self.run()

    # ------------------------------------------------------------------ what happened
    def events_table(self) -> tables.ResultTable:
        """The events of the episode: announcement, precision, authority, listings, sources."""
        rows = []
        for e in self.events:
            rows.append({"event": e.id,
                         "announced": e.announced.describe(),
                         "authority": e.authority,
                         "listings": ", ".join(f"{x.ticker} ({x.role.replace('_', ' ')})" for x in e.listings),
                         "sources": "; ".join(s.seed or s.doc or s.url for s in e.sources)})
        frame = pd.DataFrame(rows)
        return tables.frame_table(
            frame, caption=self._events_caption(), label="events", align=["p{3.2cm}", "p{2.6cm}", "p{4cm}",
                                                                                 "p{3.4cm}"],
            notes=["Announcement times in the announcing party's local time with their precision: exact, "
                   "after_us_close (after the New York close), business_hours or date_only (hour unknown).",
                   "Seed sources are the article files of the project's seed folder."])

    def _events_caption(self) -> str:
        """The event's title (or the episode's), never its slug."""
        if len(self.events) == 1:
            return f"The event: {self.events[0].title.rstrip('.')}"
        return f"The events of {self.title}"

    def timeline_figure(self) -> figures.PaperFigure:
        """The announcements against each exchange's sessions, day 0 of each exchange marked."""
        anns, day0, mics = [], {}, []
        for e in self.events:
            start, end = e.announced.span()
            anns.append(figures.AnnouncementSpan(e.id, start, end, e.announced.precision))
            for a in self.alignments[e.id]:
                day0[(e.id, a.exchange)] = a.calendar_day0
                if a.exchange not in mics:
                    mics.append(a.exchange)
        order = ["XSHE", "XSHG", "XHKG", "XNAS", "XNYS"]
        mics = sorted(mics, key=lambda m: order.index(m) if m in order else 99)
        return figures.timeline_figure(anns, mics, day0, label="timeline")

    def day0_table(self) -> tables.ResultTable:
        """Day 0 of each listing: local announcement time, session, first trade, day-0 return split."""
        rows, data = [], []
        for e in self.events:
            for a in self.alignments[e.id]:
                r = a.reaction
                limits = ""
                if a.limits is not None and a.limits.limited and a.limits.hits:
                    limits = "; ".join(f"{h.relative_day:+d}: {tables.fmt_pct(h.ret)}" for h in a.limits.hits)
                rows.append({
                    "event": e.id,
                    "listing": self.stub(a.ticker),
                    "exchange": exchange_name(a.exchange, short=True),
                    "day 0": f"{a.calendar_day0:%Y-%m-%d}" + (" (partial)" if a.partial else ""),
                    "first trade": "" if a.first_traded_day is None else f"{a.first_traded_day:%Y-%m-%d}",
                    "status": a.status,
                    "R (%)": tables.fmt_pct(r.close_to_close) if r else tables.MISSING,
                    "gap (%)": tables.fmt_pct(r.close_to_open) if r else tables.MISSING,
                    "intraday (%)": tables.fmt_pct(r.open_to_close) if r else tables.MISSING,
                    "bench. (%)": tables.fmt_pct(a.benchmark_return),
                    "limit hits": limits or ("none" if a.limits is not None and a.limits.limited else "n/a"),
                })
                data.append({"event_id": e.id, "ticker": a.ticker, "exchange": a.exchange, "status": a.status,
                             "calendar_day0": a.calendar_day0, "first_traded_day": a.first_traded_day,
                             "partial": a.partial, "sessions_missed": a.sessions_missed,
                             "return": r.close_to_close if r else np.nan, "gap": r.close_to_open if r else np.nan,
                             "intraday": r.open_to_close if r else np.nan, "span": r.span if r else np.nan,
                             "benchmark": a.benchmark, "benchmark_return": a.benchmark_return})
        frame = pd.DataFrame(rows)
        if len(self.events) == 1:
            frame = frame.drop(columns="event")
        return tables.frame_table(
            frame, caption="Day 0 of each listing and its raw return, split at the open", label="day0",
            stub="listing", group="event" if len(self.events) > 1 else None,
            align=["l", "l", "l", "l", "r", "r", "r", "r", "l"],
            data=pd.DataFrame(data),
            notes=["Day 0 is the first session of the listing's exchange that opens after the announcement "
                   "(partial: the announcement fell inside it). R is the close-to-close return of the first "
                   "trade on or after day 0, trade-to-trade after a suspension; gap is previous close to open, "
                   "intraday open to close, so (1 + gap)(1 + intraday) = 1 + R. bench. is the benchmark over the "
                   "same span. Limit hits: relative days in [−1, +5] at the daily price limit."])

    def price_figure(self) -> figures.PaperFigure:
        """Prices of every listing and its benchmark around day 0, announcements marked."""
        panels = []
        letters = self.letters()
        by_ticker: dict[str, list] = {}
        for e in self.events:
            for a in self.alignments[e.id]:
                by_ticker.setdefault(a.ticker, []).append((e, a))
        for ticker, pairs in by_ticker.items():
            sec = self.registry.get_security(ticker)
            prices = self.book.get(ticker)
            bench_t = self.benchmark_of(ticker)
            bench = self.book.get(bench_t)
            marks = [(a.first_traded_day or a.calendar_day0, letters[e.id] if len(self.events) > 1 else "day 0")
                     for e, a in pairs if a.status in STUDIED]
            note = "; ".join(dict.fromkeys(_missing_note(e, a) for e, a in pairs if a.status not in STUDIED))
            panels.append(figures.PricePanel(
                ticker=ticker, title=f"{self.base_names[ticker]}\n{ticker} · {exchange_name(sec.exchange, short=True)}",
                prices=None if prices is None else price_level(prices),
                benchmark=None if bench is None else price_level(bench),
                benchmark_name=f"{bench_t} ({self.registry[bench_t].name})" if bench_t in self.registry else bench_t,
                marks=marks, note=_wrap(note, 48)))
        caption = ("Prices of each listing (solid) and of its benchmark (dashed, grey), rebased to 100 at the last "
                   "close before day 0; red lines mark day 0 of "
                   + ("each announcement on the listing's exchange, lettered as in the timeline ("
                      + ", ".join(f"{v}: {k}" for k, v in letters.items()) + ")." if len(self.events) > 1
                      else "the announcement on the listing's exchange."))
        return figures.price_figure(panels, label="prices", caption=caption)

    def letters(self) -> dict[str, str]:
        """Event id -> A, B, ... in order of announcement, as the timeline letters them."""
        order = sorted(self.events, key=lambda e: e.announced.span()[0])
        return {e.id: chr(ord("A") + i) for i, e in enumerate(order)}

    # ------------------------------------------------------------------ abnormal returns
    def ar_table(self, days=(-1, 0, 1, 2, 3)) -> tables.ResultTable:
        """Abnormal returns of each listing around day 0 (%)."""
        return tables.ar_table(self.study, days, names={t: self.stub(t) for t in self.names},
                               events=self._event_headings())

    def car_table(self, windows=None) -> tables.ResultTable:
        """CARs of each listing and their mean per event, with cross-correlation-robust pooled tests."""
        return tables.car_table(self.study, windows, names={t: self.stub(t) for t in self.names},
                                events=self._event_headings())

    def tests_table(self, windows=None, tests=None, adjust=()) -> tables.ResultTable:
        """The pooled tests of the literature for each event's listings (with more than two
        events, the compact set :data:`COMPACT_TESTS`); ``adjust``: Holm and Benjamini-Hochberg
        p-values across the table's windows and tests (:func:`research.report.tables.tests_table`)."""
        if tests is None:
            tests = tables.DEFAULT_TESTS if len(self.events) <= 2 else COMPACT_TESTS
        return tables.tests_table(self.study, windows, tests, events=self._event_headings(), adjust=adjust)

    def volume_table(self) -> tables.ResultTable:
        """Abnormal volume, range and variance around day 0: :func:`research.report.risk.volume_table`."""
        from research.report.risk import volume_table

        return volume_table(self)

    def joint_tests_table(self, windows=None) -> tables.ResultTable:
        """The event portfolio's placebo test and the SUR tests for each event's listings
        (:func:`research.report.tables.joint_tests_table`)."""
        return tables.joint_tests_table(self.study, windows, events=self._event_headings())

    def car_figure(self) -> figures.PaperFigure:
        """Day-0 abnormal returns with 95 % intervals and CAR paths of every listing."""
        return figures.car_figure(self.study.ar, names=self.names, label="car")

    def summary(self, window=(0, 1), test: str = "bmp_kp"):
        """A paragraph of the main numbers, each as its table prints it: the day-0 abnormal
        return of every listing, and per event the mean CAR over ``window`` with ``test``.

        Returns
        -------
        research.report.text.Markdown
        """
        from research.report.text import Markdown

        res = self.study
        label = window_label(window)
        singles = res.listing_tests([tuple(window)])
        pooled = tables.pooled_tests(res, [tuple(window)], [test])
        ar = res.ar[res.ar["relative_day"] == 0]
        parts = []
        for e in self.events:
            rows = ar[ar["event_id"] == e.id].dropna(subset=["abnormal_return"])
            if rows.empty:
                parts.append(f"No listing of {e.id} could be studied (see the limitations).")
                continue
            listed = "; ".join(f"{self.names.get(r.ticker, r.ticker)} {tables.fmt_pct(r.abnormal_return)} % on "
                               f"{pd.Timestamp(r.date):%Y-%m-%d}" for r in rows.itertuples())
            text = f"For {e.id}, the day-0 abnormal returns were: {listed}."
            est, stat, p, n = _pooled(singles, pooled, e.id, label, test)
            if n > 1:
                text += (f" The mean CAR over {label} of its {n} listings was {tables.fmt_pct(est)} % "
                         f"({tables.TEST_NAMES.get(test, test)} {tables.fmt_number(stat)}, {p_text(p)}).")
            elif n == 1:
                text += (f" Its CAR over {label} was {tables.fmt_pct(est)} % (t = {tables.fmt_number(stat)}, "
                         f"{p_text(p)}).")
            parts.append(text)
        return Markdown(" ".join(parts))

    # ------------------------------------------------------------------ the paper's text
    def abstract(self):
        """The abstract written from the results (:func:`research.report.prose.abstract`)."""
        from research.report import prose
        return prose.abstract(self)

    def what_happened(self):
        """The event told from its catalogue entry (:func:`research.report.prose.what_happened`)."""
        from research.report import prose
        return prose.what_happened(self)

    def conclusion(self):
        """The conclusion written from the results (:func:`research.report.prose.conclusion`)."""
        from research.report import prose
        return prose.conclusion(self)

    # ------------------------------------------------------------------ before day 0
    def pre_event_moves(self) -> pd.DataFrame:
        """Every listing-event's abnormal returns over :data:`PRE_EVENT` (before day 0: a move
        here is a leak, other news, or a mis-dated event), with their tests and the price-limit
        hits of those days.

        Returns
        -------
        DataFrame
            One row per listing-event and relative day (``relative_day`` NaN for the CAR row):
            ``event_id, ticker, relative_day, date, abnormal_return, t_stat, p_value, limit_hit``
            (the raw return where the day closed at the limit, else NaN).
        """
        from research.events.reaction import limit_hits

        res = self.study
        lo, hi = PRE_EVENT
        dof = res.params.set_index(["event_id", "ticker"])["dof"]
        ar = res.ar[res.ar["relative_day"].between(lo, hi)]
        cars = res.listing_tests([PRE_EVENT]).set_index(["event_id", "ticker"])
        rows = []
        for e in self.events:
            for a in self.alignments[e.id]:
                if (e.id, a.ticker) not in cars.index:
                    continue
                one = ar[(ar["event_id"] == e.id) & (ar["ticker"] == a.ticker)].set_index("relative_day")
                sec = self.registry.get_security(a.ticker)
                returns = self.book.returns(a.ticker)
                hits = {}
                if returns is not None and a.first_traded_day is not None:
                    hits = {h.relative_day: h.ret for h in limit_hits(returns, a.first_traded_day, sec.price_limit,
                                                                    lo, hi).hits}
                for d in range(lo, hi + 1):
                    if d not in one.index:
                        continue
                    r = one.loc[d]
                    t, p = tables.ar_test(r["abnormal_return"], r["variance"], dof.loc[(e.id, a.ticker)])
                    rows.append({"event_id": e.id, "ticker": a.ticker, "relative_day": d, "date": r["date"],
                                 "abnormal_return": r["abnormal_return"], "t_stat": t, "p_value": p,
                                 "limit_hit": hits.get(d, np.nan)})
                c = cars.loc[(e.id, a.ticker)]
                rows.append({"event_id": e.id, "ticker": a.ticker, "relative_day": np.nan, "date": pd.NaT,
                             "abnormal_return": c["car"], "t_stat": c["t_stat"], "p_value": c["p_value"],
                             "limit_hit": np.nan})
        return pd.DataFrame(rows, columns=["event_id", "ticker", "relative_day", "date", "abnormal_return",
                                           "t_stat", "p_value", "limit_hit"])

    def pre_event_table(self) -> tables.ResultTable:
        """Before day 0, per listing: :func:`research.report.tables.pre_event_table`."""
        return tables.pre_event_table(self)

    def pre_event_tests_table(self, tests: Sequence[str] = SHARED_DATE_TESTS) -> tables.ResultTable:
        """Before day 0, pooled: :func:`research.report.tables.pre_event_tests_table`."""
        return tables.pre_event_tests_table(self, tests)

    def pre_event_summary(self, level: float = PRE_EVENT_LEVEL):
        """Before day 0, in words: :func:`research.report.text.pre_event_summary`."""
        return pre_event_summary(self, level)

    # ------------------------------------------------------------------ claims
    def claims_table(self) -> tables.ResultTable:
        """The articles' numeric claims against the prices."""
        from research.events.claims import check_claims

        checks = [c for e in self.events for c in check_claims(self.catalogue, e.id, self.book)]
        rows, data = [], []
        for c in checks:
            claim = c.claim
            rows.append({"claim": claim.text, "source": claim.source, "listing": claim.ticker,
                         "date": claim.date.isoformat(), "claimed": _claim_value(claim, claim.value),
                         "measured": _claim_value(claim, c.measured), "verdict": c.verdict,
                         "why": "; ".join(x for x in (c.reason, c.others_text()) if x)})
            data.append(c.to_dict())
        if not rows:
            frame = pd.DataFrame([{"claim": "no numeric claim in the sources", "source": "", "listing": "",
                                   "date": "", "claimed": "", "measured": "", "verdict": "", "why": ""}])
        else:
            frame = pd.DataFrame(rows)
        return tables.frame_table(
            frame, caption="The sources' numeric claims checked against the prices", label="claims",
            align=["l", "l", "l", "r", "r", "l", "p{4.2cm}"], data=pd.DataFrame(data) if data else frame,
            notes=["Returns in percent. A claim agrees when the measured value is within the catalogue's "
                   "tolerance; the other return measures of the day are shown beside it (an after-hours move is "
                   "an opening gap in daily data). A market value needs shares outstanding, which daily prices "
                   "do not hold."])

    # ------------------------------------------------------------------ robustness
    def specifications(self) -> dict[str, dict]:
        """The robustness specifications: name -> overrides of :meth:`run`."""
        alt = {}
        for al in self.alignments.values():
            for a in al:
                if a.status in STUDIED:
                    default = self.benchmark_of(a.ticker)
                    alt[a.ticker] = ALTERNATIVE_BENCHMARKS.get(default) or default
        specs = {f"Baseline: {self.model} model, {_window_text(self.estimation)}": {}}
        if any(alt[t] != self.benchmark_of(t) for t in alt):
            specs["Other benchmark (" + ", ".join(sorted({f"{self.benchmark_of(t)}→{alt[t]}" for t in alt
                                                          if alt[t] != self.benchmark_of(t)})) + ")"] = \
                {"benchmark": alt}
        for model in ("market_adjusted", "constant_mean"):
            if model != self.model:
                specs[f"{model.replace('_', '-')} model"] = {"model": model}
        if any(a.day0_by_rule.get("midnight") != a.calendar_day0 for al in self.alignments.values() for a in al
               if a.status in STUDIED) and self.date_only_rule != "midnight":
            # the old rule: a date-only day may put day 0 in a session that closed before the news's day began
            specs["Date-only rule: midnight (any hour of the date)"] = {"date_only_rule": "midnight"}
        specs["Estimation [−120, −11]"] = {"estimation": (-120, -11)}
        specs["Estimation: year before the episode"] = {"estimation": "pre-episode"}
        return specs

    @cached_property
    def robustness(self) -> dict[str, object]:
        """Results of each specification (a ResearchError is kept as its message)."""
        out = {}
        for name, overrides in self.specifications().items():
            if not overrides:
                out[name] = self.study
                continue
            try:
                out[name] = self.run(**overrides)
            except ResearchError as exc:
                out[name] = str(exc).splitlines()[0]
        return out

    def robustness_table(self, windows=((0, 0), (0, 1), (0, 5)), test: str = "bmp_kp") -> tables.ResultTable:
        """Mean CAR per event under each specification: benchmark, model, estimation window."""

        labels = [window_label(w) for w in windows]
        rows, data = [], []
        heads = self._event_headings()
        computed = {spec: (res.listing_tests(windows), tables.pooled_tests(res, windows, [test]))
                    for spec, res in self.robustness.items() if not isinstance(res, str)}
        for e in self.events:
            if not any(a.status in STUDIED for a in self.alignments[e.id]):
                continue
            rows.append(tables.Row(heads[e.id], kind="group"))
            for spec, res in self.robustness.items():
                if isinstance(res, str):
                    rows.append(tables.Row(spec, [tables.MISSING] * len(labels)))
                    rows.append(tables.Row("", ["(not estimable)"] + [""] * (len(labels) - 1), kind="stat"))
                    continue
                cells, stats = [], []
                for w in labels:
                    est, stat, p, n = _pooled(*computed[spec], e.id, w, test)
                    cells.append(tables.fmt_pct(est) + tables.stars(p))
                    stats.append(tables.fmt_stat(stat))
                    data.append({"event_id": e.id, "specification": spec, "window": w, "caar": est,
                                 "statistic": stat, "p_value": p, "n": n})
                rows.append(tables.Row(spec, cells))
                rows.append(tables.Row("", stats, kind="stat"))
        notes = [f"Mean CAR (CAAR) of each event's listings in percent; in parentheses the "
                 f"{tables.TEST_NAMES.get(test, test)} statistic (the listing's own t-statistic when an event has "
                 "one listing). Other benchmark: the SZSE Component for the CSI 300 and the S&P 500 for the Nasdaq "
                 "Composite and vice versa (Hong Kong has only the Hang Seng in the data). The market-adjusted "
                 "model subtracts the benchmark return; the constant-mean model ignores the market.",
                 tables.STARS_NOTE]
        return tables.ResultTable(labels, rows, caption="Robustness: benchmark, model and estimation window",
                                  label="robustness", notes=notes, data=pd.DataFrame(data),
                                  references=("brown_warner1985", "kolari_pynnonen2010", "bmp1991"))

    # ------------------------------------------------------------------ limits of the evidence
    def limitations_table(self) -> tables.ResultTable:
        """What the evidence does not show: missing prices, short histories, suspensions, limit
        moves, unadjusted prices (of a listing or its benchmark), confounding news, day 0 that depends on the date-only rule, exclusions."""
        rows = []
        params = self.study.params.set_index(["event_id", "ticker"])
        adjustments = self.study.provenance.get("adjustment", {})
        # listings the alignment kept out are reported from the alignment itself, below
        excluded = {(r.event_id, r.ticker): r.reason for r in self.study.excluded.itertuples()
                    if any(a.ticker == r.ticker and a.status in STUDIED for a in self.alignments.get(r.event_id, []))}
        for e in self.events:
            for a in self.alignments[e.id]:
                who = self.stub(a.ticker)

                def add(issue, detail, a=a, who=who):
                    rows.append({"event": a.event_id, "listing": who, "issue": issue, "detail": detail})

                if a.status == "no prices":
                    add("no prices", "no prices in the data, so not studied"
                        + (f" ({_listing_note(e, a.ticker)})" if _listing_note(e, a.ticker) else ""))
                elif a.status == "not yet listed":
                    add("short history", self._history_text(a))
                elif a.status == "no trade after day 0":
                    add("no trade after day 0", "; ".join(a.notes[-1:]))
                if a.status == "suspended":
                    add("suspension", f"no trade for {a.sessions_missed} session(s) from {a.calendar_day0:%Y-%m-%d}; "
                        f"first trade {a.first_traded_day:%Y-%m-%d}, day-0 return trade-to-trade over "
                        f"{a.reaction.span if a.reaction else '?'} sessions")
                if a.limits is not None and a.limits.limited and a.limits.hits:
                    add("price limit", "; ".join(h.describe() for h in a.limits.hits)
                        + ": the move is capped, the reaction spills into the next days")
                for t in dict.fromkeys([a.ticker, self.benchmark_of(a.ticker)]):
                    if adjustments.get(t) == "unadjusted":
                        add("unadjusted prices", f"{t}: neither an adjusted close nor the previous close, so its "
                            "returns miss dividends and splits; a window holding an ex-date is biased")
                if a.partial:
                    add("partial day 0", "the announcement fell inside the day-0 session: part of its return "
                        "predates the news")
                if a.day0_uncertain:
                    add("day 0 uncertain", "day 0 depends on the hour of the news: " + ", ".join(
                        f"{k}: {v:%Y-%m-%d}" for k, v in a.day0_by_rule.items()))
                conf = [c for c in a.confounders if -5 <= c.relative_day <= 5]
                if conf:
                    add("confounding news", "other catalogue events in days [−5, +5]: "
                        + "; ".join(c.describe() for c in conf))
                if (e.id, a.ticker) in excluded:
                    add("excluded", excluded[(e.id, a.ticker)])
                elif (e.id, a.ticker) in params.index:
                    n_est = int(params.loc[(e.id, a.ticker), "n_est"])
                    if n_est < 200:
                        add("short estimation window", f"{n_est} returns in the estimation window")
                    inside = self._events_in_estimation(e.id, a)
                    if inside:
                        add("news in the estimation window", ", ".join(inside) + " fall(s) inside it: the "
                            "normal-return model has absorbed part of the episode (see the pre-episode "
                            "estimation in the robustness table)")
        if not rows:
            rows.append({"event": "", "listing": "", "issue": "none found", "detail": ""})
        frame = _merge_listings(pd.DataFrame(rows))
        return tables.frame_table(frame, caption="What the evidence does not show", label="limitations",
                                  stub="issue", group="event", align=["p{4.2cm}", "p{7.6cm}"],
                                  notes=["Confounders are the other events of the catalogue whose day 0 on the "
                                         "listing's exchange falls within five trading days of this one."])

    def _history_text(self, a) -> str:
        returns = self.book.returns(a.ticker)
        first = a.first_traded_day
        text = (f"not listed on day 0 ({a.calendar_day0:%Y-%m-%d}); first trade {first:%Y-%m-%d}: no day-0 "
                f"return and no estimation window")
        need = self.min_estimation + abs(min(0, self.estimation[1] if isinstance(self.estimation[1], int) else -11))
        if returns is not None and len(returns) > need:
            text += (f"; a study with at least {self.min_estimation} estimation returns is possible only for "
                     f"events from {returns.index[need]:%Y-%m-%d}")
        elif returns is not None:
            text += f"; only {len(returns)} returns in the data"
        return text

    def _events_in_estimation(self, event_id: str, a) -> list[str]:
        """Other catalogue events whose day 0 on this listing's exchange is inside its estimation window."""
        from research.events.alignment import calendar_day0

        if not isinstance(self.estimation[0], int):
            return []
        returns = self.book.returns(a.ticker)
        if returns is None or a.first_traded_day is None:
            return []
        pos = int(returns.index.searchsorted(a.first_traded_day))
        lo, hi = max(0, pos + self.estimation[0]), max(0, pos + self.estimation[1])
        if hi <= lo:
            return []
        start, end = returns.index[lo], returns.index[hi]
        out = []
        for other in self.catalogue.values():
            if other.id == event_id or a.ticker not in other.tickers:
                continue
            day = calendar_day0(other.announced, a.exchange, self.date_only_rule).session
            if start <= day <= end:
                out.append(f"{other.id} ({day:%Y-%m-%d})")
        return out

    # ------------------------------------------------------------------ appendix
    def tickers(self) -> list[str]:
        """Every series the episode reads: listings with prices, their benchmarks and the alternatives."""
        out = []
        for al in self.alignments.values():
            for a in al:
                if self.book.get(a.ticker) is not None:
                    out.append(a.ticker)
                    b = self.benchmark_of(a.ticker)
                    out.append(b)
                    alt = ALTERNATIVE_BENCHMARKS.get(b)
                    if alt:
                        out.append(alt)
        return list(dict.fromkeys(out))

    def provenance_table(self) -> tables.ResultTable:
        """Where each series came from: source, retrieval time, coverage, sha256 (store manifest)."""
        return tables.provenance_table(self.tickers())

    def parameters(self) -> dict:
        """The run's parameters, as recorded in the paper's appendix."""
        import research

        return {"episode or event": self.name,
                "events": ", ".join(e.id for e in self.events),
                "model": self.model,
                "estimation window": _window_text(self.estimation),
                "minimum estimation returns": self.min_estimation,
                "CAR windows": ", ".join(window_label(w) for w in self.windows),
                "event window": window_label(EVENT_WINDOW),
                "benchmarks": ", ".join(sorted({f"{t}: {self.benchmark_of(t)}" for t in self._events_frame()["ticker"]})),
                "date-only rule": self.date_only_rule,
                "catalogue": str(self.catalogue.path),
                "bootstrap": f"{BOOTSTRAP_RESAMPLES} resamples, seed {DEFAULT_SEED}",
                "research version": research.__version__}

    def parameters_table(self) -> tables.ResultTable:
        """The parameters of this run, for the appendix."""
        frame = pd.DataFrame([{"parameter": k, "value": str(v)} for k, v in self.parameters().items()])
        return tables.frame_table(frame, caption="Parameters of the run", label="parameters",
                                  align=["p{10cm}"], notes=[])

    def references(self) -> list[str]:
        """Reference keys of the models the episode uses."""
        keys = ["mackinlay1997"]
        for spec in self.specifications().values():
            keys += MODEL_REFERENCES.get(spec.get("model", self.model), ())
        return [k for k in dict.fromkeys(keys) if k in REFERENCES]


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def _pooled(singles: pd.DataFrame, pooled: pd.DataFrame, event_id: str, window: str, test: str):
    """(mean CAR, statistic, p, n) of an event's listings over ``window``: the ``test`` row of the
    pooled tests, or the listing's own t-test when the event has one listing."""
    part = singles[(singles["event_id"] == event_id) & (singles["window"] == window)].dropna(subset=["car"])
    if part.empty:
        return math.nan, math.nan, math.nan, 0
    if len(part) == 1:
        r = part.iloc[0]
        return float(r["car"]), float(r["t_stat"]), float(r["p_value"]), 1
    row = pooled[(pooled["group"].astype(str) == event_id) & (pooled["window"] == window)
                 & (pooled["test"] == test)]
    if row.empty:
        return float(part["car"].mean()), math.nan, math.nan, len(part)
    r = row.iloc[0]
    return float(r["estimate"]), float(r["statistic"]), float(r["p_value"]), int(r["n"])


def _window_text(window) -> str:
    if isinstance(window, str):
        return window
    a, b = window
    if isinstance(a, int):
        return f"relative days [{a}, {b}]".replace("-", tables.MINUS)
    return f"{a} to {b}"


def pre_episode_estimation(first_day0) -> tuple[str, str]:
    """The ``"pre-episode"`` estimation window: the year (365 calendar days) ending 30 days before
    the episode's first day 0, as dates. scripts/snapshot.py keeps these dates in the snapshot."""
    end = pd.Timestamp(first_day0) - pd.Timedelta(days=30)
    return (str((end - pd.Timedelta(days=365)).date()), str(end.date()))


def _merge_listings(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (event, issue, detail): the listings that share it named together."""
    def names(group: pd.Series) -> str:
        listings = list(dict.fromkeys(group))
        if len(listings) == 1:
            return listings[0]
        return ", ".join(re.search(r"\(([^()]+)\)$", x).group(1) if re.search(r"\(([^()]+)\)$", x) else x
                         for x in listings)

    merged = frame.groupby(["event", "issue", "detail"], sort=False)["listing"].agg(names).reset_index()
    return merged[["event", "issue", "listing", "detail"]]


def _missing_note(event, a) -> str:
    """Why a listing has no price path: the catalogue's note, else the first clause of the reason."""
    note = _listing_note(event, a.ticker)
    if note:
        return note
    reason = a.notes[-1] if a.notes else a.status
    return reason.split(":")[0] if a.status == "no prices" else reason


def _listing_note(event, ticker: str) -> str:
    for listing in event.listings:
        if listing.ticker == ticker:
            return listing.note
    return ""


def _claim_value(claim, value) -> str:
    from research.events.catalogue import RETURN_MEASURES

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return tables.MISSING
    if claim.measure in RETURN_MEASURES:
        return tables.fmt_pct(value)
    if claim.measure == "market_value":
        return f"{tables.fmt_number(value / 1e9, 1)}bn {claim.currency}"
    return f"{tables.fmt_number(value)} {claim.currency}"


def _wrap(text: str, width: int) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width)) if text else ""
