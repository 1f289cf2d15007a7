"""Publication figures: built, captioned and returned, never shown.

Every function returns a :class:`PaperFigure`, a matplotlib ``Figure`` that also carries a
caption, a label and its references. In a notebook it displays itself as PNG and keeps a vector
PDF beside it in the output (``application/pdf``), with the caption in the output's metadata:
``research report`` writes both files, and the paper exporter numbers and captions the figure.
Nothing here touches pyplot's global state, so a test or an exporter can call any function.

Figures are drawn with :func:`research.report.style.rc` (CJK font for Chinese names, readable
dates) and the colour of each listing from :func:`research.report.style.listing_colour`.

:func:`timeline_figure`
    the announcements against each exchange's sessions (UTC), day 0 of each exchange marked;
:func:`price_figure`
    the price of each listing and of its benchmark around the announcement, rebased to 100;
:func:`car_figure`
    day-0 abnormal returns with 95 % intervals and cumulative abnormal returns per listing;
:func:`overview_figure`
    CARs across episodes by role, and the mean CAR path by exchange;
:func:`size_figure`, :func:`power_figure`
    the size and the power of the tests in the validation's simulation.

A figure of several panels is composed of single-panel draws (:func:`sessions_figure`,
:func:`listing_price_figure`, :func:`day0_figure`, :func:`car_path_figure`,
:func:`reactions_figure`, :func:`mean_car_figure`, :func:`power_curve_figure`, and
:func:`size_figure` itself). As in matplotlib, each of them draws into the Axes it is given
(``ax=``) and returns that Axes' figure, or makes a new :class:`PaperFigure` of one panel.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from research.report import style

PNG_DPI = 150


@contextmanager
def styled():
    import matplotlib

    with matplotlib.rc_context(style.rc()):
        yield


class PaperFigure(Figure):
    """A matplotlib ``Figure`` with a caption, a label and references, that renders itself
    in a notebook as PNG (shown) plus PDF (kept for papers and ``research report``).

    Parameters
    ----------
    caption : the sentence under the figure.
    label : short identifier, unique within a notebook (LaTeX ``fig:<label>``).
    references : bibliography keys of :mod:`research.report.references`.
    """

    def __init__(self, *args, caption: str = "", label: str = "", references: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption
        self.label = label
        self.references = tuple(references)

    def render(self, fmt: str, dpi: int | None = None) -> bytes:
        """The figure as ``png`` or ``pdf`` bytes, drawn with the kit's style."""
        buffer = io.BytesIO()
        with styled():
            self.savefig(buffer, format=fmt, dpi=dpi or (PNG_DPI if fmt == "png" else "figure"),
                         metadata=_file_metadata(fmt, self.caption))
        return buffer.getvalue()

    def metadata(self) -> dict:
        return {"research": {"kind": "figure", "label": self.label, "caption": self.caption,
                             "references": list(self.references)}}

    def _repr_mimebundle_(self, include=None, exclude=None):
        # Lay out once, then save both formats without the layout engine's extra draw each.
        with styled():
            self.draw_without_rendering()
        engine = self.get_layout_engine()
        self.set_layout_engine("none")
        try:
            png = self.render("png")
            pdf = self.render("pdf")
        finally:
            self.set_layout_engine(engine)
        data = {"image/png": base64.b64encode(png).decode("ascii"),
                "application/pdf": base64.b64encode(pdf).decode("ascii"),
                "text/plain": f"<Figure: {self.caption}>"}
        width, height = self.get_size_inches()
        meta = self.metadata()
        meta["image/png"] = {"width": int(width * 96), "height": int(height * 96)}
        return data, meta


def _file_metadata(fmt: str, caption: str) -> dict:
    if fmt == "pdf":
        return {"Title": caption, "Creator": "research kit", "CreationDate": None}
    if fmt == "png":
        return {"Title": caption, "Software": "research kit"}
    return {}


def _canvas(ax, figsize, *, caption: str, label: str, references=()):
    """The figure and the Axes a single-panel draw draws into: ``ax`` and its figure when given
    (the matplotlib convention), else a new :class:`PaperFigure` of one panel."""
    if ax is not None:
        return ax.figure, ax
    fig, axes = _new(figsize, caption=caption, label=label, references=references)
    return fig, axes[0, 0]


def _new(figsize, *, caption: str, label: str, references=(), nrows=1, ncols=1, **subplot_kw):
    fig = PaperFigure(figsize=figsize, layout="constrained", caption=caption, label=label, references=references)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


# --------------------------------------------------------------------------------------------
# timeline
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnnouncementSpan:
    """An announcement on the timeline: ``start``..``end`` (UTC; equal when the time is exact)."""

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    precision: str = "exact"


def _utc_naive(t) -> pd.Timestamp:
    return pd.Timestamp(t).tz_convert("UTC").tz_localize(None)


def sessions_figure(announcements: Sequence[AnnouncementSpan], exchanges: Sequence[str],
                    day0: dict[tuple[str, str], pd.Timestamp], *, letters: dict[str, str] | None = None,
                    days_after: int = 2, minor_note: bool = True, caption: str = "", label: str = "sessions",
                    ax=None) -> Figure:
    """Announcements close in time against each exchange's trading sessions, in UTC
    (:func:`timeline_figure`'s panel). One panel, drawn into ``ax`` when given (its figure is
    returned), else into a new :class:`PaperFigure`.

    Parameters
    ----------
    announcements : the announcements of the panel, in any order.
    exchanges : the MICs of the exchange rows, top to bottom.
    day0 : ``(announcement label, mic) -> session label`` (tz-naive date) of day 0.
    letters : announcement label -> its letter (default A, B, ... in time order).
    minor_note : say in the x label that minor ticks are 6 hours apart.
    """
    from research.calendars import get_calendar

    cluster = sorted(announcements, key=lambda a: a.start)
    letters = letters or {a.label: chr(ord("A") + i) for i, a in enumerate(cluster)}
    n_rows = len(cluster) + len(exchanges)
    caption = caption or "Announcements against the trading sessions of each exchange, in UTC."
    with styled():
        fig, ax = _canvas(ax, (7.2, 1.45 + 0.42 * n_rows), caption=caption, label=label)
        first = _utc_naive(min(a.start for a in cluster)).floor("D") - pd.Timedelta(days=1)
        d0s = [pd.Timestamp(v) for (lab, _), v in day0.items() if any(lab == a.label for a in cluster)]
        last = max([_utc_naive(a.end) for a in cluster] + d0s).ceil("D") + pd.Timedelta(days=days_after)
        ylabels = []
        for i, a in enumerate(cluster):
            y = n_rows - 1 - i
            s, e = _utc_naive(a.start), _utc_naive(a.end)
            if e > s:
                ax.broken_barh([(s, e - s)], (y - 0.25, 0.5), facecolors=style.ANNOUNCEMENT_COLOUR, alpha=0.35)
            else:
                ax.plot([s], [y], marker="D", color=style.ANNOUNCEMENT_COLOUR, ms=6)
            ax.axvline(s, color=style.ANNOUNCEMENT_COLOUR, lw=0.7, ls=":", alpha=0.8)
            if e > s:
                ax.axvline(e, color=style.ANNOUNCEMENT_COLOUR, lw=0.7, ls=":", alpha=0.8)
            ylabels.append(f"{letters[a.label]}: {a.label}")
        for lane, mic in enumerate(exchanges):
            y = len(exchanges) - 1 - lane
            cal = get_calendar(mic)
            colour = style.EXCHANGE_COLOURS.get(mic, "#777777")
            for session in cal.sessions_in_range(first - pd.Timedelta(days=1), last):
                opens, closes = _utc_naive(cal.session_open(session)), _utc_naive(cal.session_close(session))
                spans = [(opens, closes)]
                if cal.has_break and not pd.isna(cal.break_starts.get(session, pd.NaT)):
                    spans = [(opens, _utc_naive(cal.break_starts[session])),
                             (_utc_naive(cal.break_ends[session]), closes)]
                marks = [letters[lab] for (lab, m), d in day0.items()
                         if m == mic and pd.Timestamp(d) == session and any(lab == a.label for a in cluster)]
                for s, e in spans:
                    ax.broken_barh([(s, e - s)], (y - 0.3, 0.6), facecolors=colour,
                                   alpha=0.95 if marks else 0.25, edgecolor="black" if marks else "none",
                                   linewidth=0.6)
                if marks:
                    ax.annotate("day 0: " + ", ".join(sorted(marks)), (closes, y + 0.32), fontsize=7,
                                ha="left", va="bottom", xytext=(2, 0), textcoords="offset points")
            ylabels.append(style.exchange_name(mic))
        ax.set_yticks(list(range(n_rows - 1, -1, -1)))
        ax.set_yticklabels(ylabels, fontsize=7.5)
        ax.set_ylim(-0.6, n_rows - 0.4)
        ax.set_xlim(first, last - pd.Timedelta(hours=1))  # no tick label hanging off the right edge
        ax.axhline(len(exchanges) - 0.5, color="#999999", lw=0.6)
        _date_axis(ax, hours=True)
        ax.grid(axis="y", visible=False)
        years = sorted({first.year, last.year})
        ax.set_xlabel(f"time (UTC), {'–'.join(str(y) for y in years)}"
                      + ("; minor ticks every 6 hours" if minor_note else ""))
    return fig


def timeline_figure(announcements: Sequence[AnnouncementSpan], exchanges: Sequence[str],
                    day0: dict[tuple[str, str], pd.Timestamp], *, caption: str = "", label: str = "timeline",
                    title: str = "Announcements and trading sessions", days_after: int = 2) -> PaperFigure:
    """The announcements against each exchange's trading sessions, in UTC.

    One panel (:func:`sessions_figure`) per cluster of announcements (those less than five days
    apart share a panel). The top rows hold the announcements, lettered A, B, ...: an exact time
    is a diamond, a time known only to a span (a date, business hours) a bar over the span.
    Below, one row per exchange: its sessions as bars (lunch breaks left open), day 0 of each
    announcement dark and labelled with the announcement's letter.

    Parameters
    ----------
    announcements : the announcements, in any order.
    exchanges : the MICs of the exchange rows, top to bottom.
    day0 : ``(announcement label, mic) -> session label`` (tz-naive date) of day 0.
    """
    items = sorted(announcements, key=lambda a: a.start)
    letters = {a.label: chr(ord("A") + i) for i, a in enumerate(items)}
    clusters: list[list[AnnouncementSpan]] = []
    for a in items:
        if clusters and (a.start - clusters[-1][-1].end) < pd.Timedelta(days=5):
            clusters[-1].append(a)
        else:
            clusters.append([a])
    caption = caption or ("Announcements (top rows; a diamond for a known time, a bar for a time known only to the "
                          "date or the business hours) against the trading sessions of each exchange, in UTC. "
                          "Dark sessions are day 0 of the announcement whose letter they carry.")
    heights = [len(c) + len(exchanges) for c in clusters]
    with styled():
        fig = PaperFigure(figsize=(7.2, 0.9 + 0.42 * sum(heights) + 0.55 * len(clusters)), layout="constrained",
                          caption=caption, label=label)
        axes = fig.subplots(len(clusters), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
        for k, (ax, cluster) in enumerate(zip(axes[:, 0], clusters)):
            sessions_figure(cluster, exchanges, day0, letters=letters, days_after=days_after,
                            minor_note=k == len(clusters) - 1, ax=ax)
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# price paths
# --------------------------------------------------------------------------------------------

@dataclass
class PricePanel:
    """One listing's panel of :func:`price_figure`.

    ``prices`` and ``benchmark`` are price levels (adjusted closes) indexed by date;
    ``marks`` are ``(date, text)`` for the day 0 of each announcement; ``note`` replaces the
    plot when there are no prices (it says why).
    """

    ticker: str
    title: str
    prices: pd.Series | None
    benchmark: pd.Series | None = None
    benchmark_name: str = ""
    marks: list[tuple[pd.Timestamp, str]] = field(default_factory=list)
    note: str = ""


def listing_price_figure(panel: PricePanel, *, before: int = 15, after: int = 20, caption: str = "",
                         label: str = "price", ax=None) -> Figure:
    """One listing and its benchmark around day 0, rebased to 100 at the last close before it
    (:func:`price_figure`'s panel). One panel, drawn into ``ax`` when given (its figure is
    returned), else into a new :class:`PaperFigure`.

    Parameters
    ----------
    panel : the listing's :class:`PricePanel`.
    before, after : trading days of the listing shown before the first and after the last mark.
    """
    caption = caption or ("Price of the listing (solid) and of its benchmark (dashed, grey), rebased to 100 at "
                          "the last close before day 0; red lines mark day 0.")
    own = ax is None  # the legend is cleared of the labels here only in a figure of its own (else by the caller)
    with styled():
        fig, ax = _canvas(ax, (3.6, 2.75), caption=caption, label=label)
        ax.set_title(panel.title, loc="left", fontsize=8.5)
        if panel.prices is None or panel.prices.dropna().empty or not panel.marks:
            ax.text(0.5, 0.5, panel.note or "no prices", ha="center", va="center", wrap=True,
                    transform=ax.transAxes, fontsize=8, color="#555555")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            return fig
        prices = panel.prices.dropna()
        first_mark = min(d for d, _ in panel.marks)
        last_mark = max(d for d, _ in panel.marks)
        i0 = int(prices.index.searchsorted(first_mark))
        i1 = int(prices.index.searchsorted(last_mark))
        lo, hi = max(0, i0 - before), min(len(prices), i1 + after + 1)
        shown = prices.iloc[lo:hi]
        base_i = max(i0 - 1, 0)
        base_day = prices.index[base_i]
        ax.plot(shown.index, 100 * shown / prices.iloc[base_i], color=style.listing_colour(panel.ticker),
                lw=1.5, label=panel.ticker)
        if panel.benchmark is not None and not panel.benchmark.dropna().empty:
            bench = panel.benchmark.dropna()
            bench = bench[(bench.index >= shown.index[0]) & (bench.index <= shown.index[-1])]
            base = panel.benchmark.dropna()
            base = base[base.index <= base_day]
            if len(bench) and len(base):
                ax.plot(bench.index, 100 * bench / base.iloc[-1], color=style.BENCHMARK_COLOUR, lw=1.1,
                        ls="--", label=panel.benchmark_name)
        for k, (day, text) in enumerate(sorted(panel.marks)):
            ax.axvline(day, color=style.ANNOUNCEMENT_COLOUR, lw=0.9, alpha=0.8)
            ax.annotate(text, (day, 1.0), xycoords=("data", "axes fraction"), fontsize=7,
                        color=style.ANNOUNCEMENT_COLOUR, ha="left", va="top",
                        xytext=(2, -2 - 8 * (k % 2)), textcoords="offset points")
        ax.axhline(100, color="#999999", lw=0.6)
        ax.set_ylabel("index (day \u22121 close = 100)", fontsize=8)
        ax.legend(loc="best", fontsize=7)
        _date_axis(ax)
        if own:
            clear_legends(fig, [ax])
    return fig


#: Where a legend may go, in order of preference after matplotlib's own "best".
_LEGEND_SPOTS = ("best", "lower left", "lower right", "upper right", "upper left", "center left", "center right",
                 "lower center", "upper center")


def clear_legends(fig, axes) -> None:
    """Move the legend of each of ``axes`` off its labels (:func:`_legend_clear_of`), once the
    figure's layout has settled (constrained layout resizes the axes when panels are added)."""
    fig.draw_without_rendering()
    for ax in axes:
        legend = ax.get_legend()
        if legend is not None and ax.get_visible():
            _legend_clear_of(ax, ax.texts, fontsize=legend.get_texts()[0].get_fontsize() if legend.get_texts() else 7)


def _legend_clear_of(ax, texts, **kwargs):
    """The axes' legend at the first spot of :data:`_LEGEND_SPOTS` where it overlaps none of
    ``texts`` (the red day-0 labels): matplotlib's "best" weighs an overlap with a label like one
    with a line, and so may cover it. With no clear spot the legend goes under the axes."""
    boxes = [t.get_window_extent() for t in texts]  # the figure's own renderer, as it last drew
    for loc in _LEGEND_SPOTS:
        legend = ax.legend(loc=loc, **kwargs)
        if not any(legend.get_window_extent().overlaps(b) for b in boxes):
            return legend
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), **kwargs)


def price_figure(panels: Sequence[PricePanel], *, before: int = 15, after: int = 20, caption: str = "",
                 label: str = "prices", ncols: int = 2, title: str = "Prices around the announcements") -> PaperFigure:
    """Each listing and its benchmark around day 0, rebased to 100 at the last close before it:
    a panel (:func:`listing_price_figure`) per listing.

    Parameters
    ----------
    panels : one :class:`PricePanel` per listing.
    before, after : trading days of the listing shown before the first and after the last mark.
    """
    n = len(panels)
    ncols = 1 if n == 1 else ncols
    nrows = math.ceil(n / ncols)
    caption = caption or ("Prices of each listing (solid) and of its benchmark (dashed, grey), rebased to 100 at "
                          "the last close before day 0; red lines mark day 0 of each announcement on the "
                          "listing's exchange.")
    with styled():
        fig, axes = _new((7.2, 0.6 + 2.15 * nrows), caption=caption, label=label, nrows=nrows, ncols=ncols)
        for ax, panel in zip(axes.flat, panels):
            listing_price_figure(panel, before=before, after=after, ax=ax)
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
        clear_legends(fig, list(axes.flat)[:n])
    return fig


# --------------------------------------------------------------------------------------------
# abnormal returns
# --------------------------------------------------------------------------------------------

def day0_figure(ar: pd.DataFrame, *, names: dict[str, str] | None = None, level: float = 0.95, caption: str = "",
                label: str = "day0", ax=None) -> Figure:
    """One event's listings: each one's abnormal return on day 0 with its ``level`` interval
    (normal, prediction-error variance), a bar per listing. One panel, drawn into ``ax`` when
    given (its figure is returned), else into a new :class:`PaperFigure`.

    Parameters
    ----------
    ar : rows of the ``ar`` table of :class:`research.study.EventStudyResults` (columns
        ``ticker, relative_day, abnormal_return, variance``), one event's.
    names : ticker -> display name.
    """
    from scipy.stats import norm

    names = names or {}
    z = norm.ppf(0.5 + level / 2)
    tickers = list(dict.fromkeys(ar["ticker"]))
    caption = caption or f"Abnormal return on day 0 with its {level:.0%} interval (prediction-error variance)."
    with styled():
        fig, ax = _canvas(ax, (3.2, max(1.5, 0.32 * len(tickers) + 0.7)), caption=caption, label=label)
        for i, ticker in enumerate(tickers):
            one = ar[ar["ticker"] == ticker].set_index("relative_day")
            if 0 in one.index and pd.notna(one.loc[0, "abnormal_return"]):
                value = 100 * one.loc[0, "abnormal_return"]
                err = 100 * z * math.sqrt(one.loc[0, "variance"])
                ax.barh(i, value, color=style.listing_colour(ticker), alpha=0.85, height=0.6)
                ax.errorbar(value, i, xerr=err, fmt="none", ecolor="black", lw=0.9, capsize=2)
        ax.set_yticks(range(len(tickers)))
        ax.set_yticklabels([names.get(t, t) for t in tickers], fontsize=7.5)
        ax.set_ylim(len(tickers) - 0.5, -0.5)
        ax.axvline(0, color="#666666", lw=0.7)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("abnormal return on day 0 (%)")
    return fig


def car_path_figure(ar: pd.DataFrame, *, names: dict[str, str] | None = None, days: tuple[int, int] = (-2, 10),
                    caption: str = "", label: str = "car-path", legend: bool = True, ax=None) -> Figure:
    """One event's listings: each one's cumulative abnormal return from ``days[0]`` to
    ``days[1]``, a line per listing. One panel, drawn into ``ax`` when given (its figure is
    returned), else into a new :class:`PaperFigure`.

    Parameters
    ----------
    ar : rows of the ``ar`` table (``ticker, relative_day, abnormal_return``), one event's.
    names : ticker -> display name (the legend).
    legend : draw the legend (off when a panel above already names the same listings).
    """
    names = names or {}
    caption = caption or (f"Cumulative abnormal return from relative day {days[0]}; day 0 is the first session "
                          "of the listing's exchange after the announcement.").replace("-", "\u2212")
    with styled():
        fig, ax = _canvas(ax, (4.0, 2.6), caption=caption, label=label)
        for ticker in dict.fromkeys(ar["ticker"]):
            one = ar[ar["ticker"] == ticker].set_index("relative_day")
            path = one.loc[days[0]:days[1], "abnormal_return"]
            last = path.last_valid_index()
            car = 100 * path.fillna(0).cumsum().where(path.notna().cummax() & (path.index <= (last or days[0])))
            ax.plot(car.index, car.values, color=style.listing_colour(ticker), lw=1.3, marker="o", ms=2.2,
                    label=names.get(ticker, ticker))
        ax.axhline(0, color="#666666", lw=0.7)
        ax.axvline(0, color=style.ANNOUNCEMENT_COLOUR, lw=0.9, ls="--")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(f"CAR from day {days[0]} (%)".replace("-", "\u2212"), fontsize=8)
        if legend:
            ax.legend(fontsize=6.5, loc="best")
        ax.set_xlabel("relative trading day")
    return fig


def car_figure(ar: pd.DataFrame, *, names: dict[str, str] | None = None, days: tuple[int, int] = (-2, 10),
               caption: str = "", label: str = "car", level: float = 0.95,
               title: str = "Abnormal returns around day 0") -> PaperFigure:
    """Day-0 abnormal returns with confidence intervals, and CAR paths, per listing-event.

    One row of two panels per event: left, each listing's abnormal return on day 0 with its
    ``level`` interval (:func:`day0_figure`); right, each listing's cumulative abnormal return
    from ``days[0]`` (:func:`car_path_figure`).

    Parameters
    ----------
    ar : the ``ar`` table of :class:`research.study.EventStudyResults` (columns ``event_id,
        ticker, relative_day, abnormal_return, variance``).
    names : ticker -> display name.
    days : the relative days of the CAR paths; the CAR starts at the first of them.
    level : coverage of the day-0 intervals (normal, prediction-error variance).
    """
    events = list(dict.fromkeys(ar["event_id"]))
    multi = len(events) > 1
    caption = caption or (f"Left: abnormal return on day 0 with its {level:.0%} interval (prediction-error "
                          f"variance). Right: cumulative abnormal return from relative day {days[0]}; day 0 is "
                          "the first session of the listing's exchange after the announcement"
                          + (". One row per event." if multi else "."))
    caption = caption.replace(f"day {days[0]}", f"day {days[0]}".replace("-", "\u2212"))
    sizes = [ar.loc[ar["event_id"] == e, "ticker"].nunique() for e in events]
    heights = [max(1.5, 0.32 * n + 0.7) for n in sizes]
    with styled():
        fig = PaperFigure(figsize=(7.2, 0.5 + sum(heights)), layout="constrained", caption=caption, label=label)
        axes = fig.subplots(len(events), 2, squeeze=False,
                            gridspec_kw={"width_ratios": [1, 1.35], "height_ratios": heights})
        previous = None
        for row, event_id in enumerate(events):
            ax1, ax2 = axes[row]
            part = ar[ar["event_id"] == event_id]
            tickers = list(dict.fromkeys(part["ticker"]))
            day0_figure(part, names=names, level=level, ax=ax1)
            # the same listings as the row above: the same colours, named once
            car_path_figure(part, names=names, days=days, legend=tickers != previous, ax=ax2)
            previous = tickers
            if multi:
                ax1.set_title(event_id, loc="left", fontsize=8.5)
            if row < len(events) - 1:
                ax1.set_xlabel("")
                ax2.set_xlabel("")
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# across episodes
# --------------------------------------------------------------------------------------------

ROLE_MARKERS = {"designated": "o", "partner": "s", "supplier": "^", "other_line": "D", "peer": "v"}


def _exchange_label(names: dict[str, str] | None):
    return lambda m: (names or {}).get(m) or style.exchange_name(m)


def reactions_figure(cars: pd.DataFrame, *, window: str = "[0,1]", caption: str = "", label: str = "reactions",
                     names: dict[str, str] | None = None, legend: bool = True, ax=None) -> Figure:
    """The CAR of every listing-event, by episode; the marker is the listing's role, the colour
    its exchange. One panel, drawn into ``ax`` when given (its figure is returned, the legend
    in the panel), else into a new :class:`PaperFigure` (the legend under it).

    Parameters
    ----------
    cars : one row per listing-event: ``episode, event_id, ticker, name, role, exchange, car``
        (the CAR over ``window``, a fraction); rows of one episode are drawn together, the
        events of an episode separated by a thin line and named at the right.
    names : exchange code -> legend label (default the exchange's name).
    legend : draw the legend of roles and exchanges (:func:`reaction_handles`).
    """
    from matplotlib.transforms import blended_transform_factory

    caption = caption or (f"CAR over {window} of each listing-event, by episode; the marker is the listing's role, "
                          "the colour its exchange.")
    with styled():
        own = ax is None
        fig, ax = _canvas(ax, (4.6, 1.4 + max(3.0, 0.19 * len(cars))), caption=caption, label=label)
        right = blended_transform_factory(ax.transAxes, ax.transData)
        ylabels, y = [], 0
        for episode, part in cars.groupby("episode", sort=False):
            events = list(dict.fromkeys(part["event_id"]))
            for event_id in events:
                rows = part[part["event_id"] == event_id]
                first = y
                for rec in rows.itertuples():
                    ax.scatter(100 * rec.car, y, marker=ROLE_MARKERS.get(rec.role, "o"),
                               color=style.EXCHANGE_COLOURS.get(rec.exchange, "#777777"), s=24, zorder=3,
                               edgecolor="black", linewidth=0.4)
                    ylabels.append(f"{episode[:2].upper()}  {rec.name}")
                    y += 1
                if len(events) > 1:
                    ax.text(1.01, (first + y - 1) / 2, event_id, transform=right, fontsize=6, va="center",
                            ha="left", rotation=0, color="#555555", clip_on=False)
                    ax.axhline(y - 0.5, color="#DDDDDD", lw=0.4)
            ax.axhline(y - 0.5, color="#999999", lw=0.6)
        ax.set_yticks(range(len(ylabels)))
        ax.set_yticklabels(ylabels, fontsize=6.5)
        ax.set_ylim(len(ylabels) - 0.5, -0.5)
        ax.axvline(0, color="#666666", lw=0.7)
        ax.set_xlabel(f"CAR {window} (%)")
        ax.grid(axis="y", visible=False)
        if legend and own:
            fig.legend(handles=reaction_handles(cars, names), loc="outside lower center", fontsize=7, ncols=4)
        elif legend:
            ax.legend(handles=reaction_handles(cars, names), fontsize=7)
    return fig


def reaction_handles(cars: pd.DataFrame, names: dict[str, str] | None = None) -> list:
    """The legend of :func:`reactions_figure`: the roles' markers, then the exchanges' colours."""
    from matplotlib.lines import Line2D

    label_of = _exchange_label(names)
    handles = [Line2D([], [], marker=m, ls="", color="#777777", label=r.replace("_", " "))
               for r, m in ROLE_MARKERS.items() if r in set(cars["role"])]
    handles += [Line2D([], [], marker="s", ls="", color=c, label=label_of(x))
                for x, c in style.EXCHANGE_COLOURS.items() if x in set(cars["exchange"])]
    return handles


def mean_car_figure(paths: pd.DataFrame, *, caption: str = "", label: str = "mean-car",
                    names: dict[str, str] | None = None, ax=None) -> Figure:
    """The mean CAR path of each exchange group. One panel, drawn into ``ax`` when given (its
    figure is returned), else into a new :class:`PaperFigure`.

    Parameters
    ----------
    paths : ``exchange, relative_day, mean_car`` (fractions): a mean CAR path per exchange group.
    names : exchange code -> legend label (default the exchange's name).
    """
    label_of = _exchange_label(names)
    with styled():
        fig, ax = _canvas(ax, (3.6, 3.0), caption=caption or "Mean CAR path by exchange.", label=label)
        for exchange, part in paths.groupby("exchange", sort=False):
            ax.plot(part["relative_day"], 100 * part["mean_car"], lw=1.6, marker="o", ms=2.5,
                    color=style.EXCHANGE_COLOURS.get(exchange, "#777777"), label=label_of(exchange))
        ax.axhline(0, color="#666666", lw=0.7)
        ax.axvline(0, color=style.ANNOUNCEMENT_COLOUR, lw=0.9, ls="--")
        ax.set_xlabel("relative trading day")
        ax.set_ylabel("mean CAR from day 0 (%)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=7)
    return fig


def overview_figure(cars: pd.DataFrame, paths: pd.DataFrame, *, window: str = "[0,1]", caption: str = "",
                    label: str = "overview", title: str = "Reactions across the episodes",
                    names: dict[str, str] | None = None) -> PaperFigure:
    """CARs of every listing-event by episode and role (:func:`reactions_figure`), and mean CAR
    paths by exchange (:func:`mean_car_figure`), side by side; the parameters are theirs."""
    caption = caption or (f"Left: CAR over {window} of each listing-event, by episode; the marker is the listing's "
                          "role, the colour its exchange. Right: mean CAR path by exchange.")
    with styled():
        fig, axes = _new((7.2, 1.4 + max(3.0, 0.19 * len(cars))), caption=caption, label=label, ncols=2,
                         gridspec_kw={"width_ratios": [1.6, 1]})
        ax1, ax2 = axes[0]
        reactions_figure(cars, window=window, names=names, legend=False, ax=ax1)
        fig.legend(handles=reaction_handles(cars, names), loc="outside lower center", fontsize=7, ncols=4)
        mean_car_figure(paths, names=names, ax=ax2)
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# size and power (the validation notebook)
# --------------------------------------------------------------------------------------------

def power_curve_figure(sim, design: str, n: int, window: str = "[0,0]", *, tests=None, caption: str = "",
                       label: str = "power-curve", ax=None) -> Figure:
    """Rejection rate against the injected k, one line per test, for the samples of ``n``
    listings of one ``design`` of a :class:`~research.study.simulation.Simulation`; the dotted
    line is the level. One panel, drawn into ``ax`` when given (its figure is returned), else
    into a new :class:`PaperFigure`."""
    from research.report.references import references_of_tests
    from research.study.significance.registry import literature_name
    from research.study.simulation import tests_in_order

    t = sim.table[sim.table["window"] == window]
    tests = tests_in_order(t["test"]) if tests is None else list(tests)
    part = t[(t["design"] == design) & (t["n"] == n)]
    caption = caption or (f"Rejection rate at {sim.settings['alpha']:.0%} against the abnormal return added on "
                          f"day 0 (CAR {window}), {design} dates, {n} listings, by test.")
    with styled():
        fig, ax = _canvas(ax, (4.4, 3.6), caption=caption, label=label,
                          references=("brown_warner1985", *references_of_tests(tests)))
        for i, test in enumerate(tests):
            line = part[part["test"] == test].sort_values("k")
            ax.plot(100 * line["k"], 100 * line["rate"], marker="o", ms=3, lw=1.2,
                    color=style.PALETTE[i % len(style.PALETTE)], ls="-" if i < 8 else "--",
                    label=literature_name(test))
        ax.axhline(100 * sim.settings["alpha"], color="grey", lw=0.8, ls=":")
        ax.set_title(f"{design.capitalize()} dates, {n} listings")
        ax.set_xlabel("abnormal return on day 0 (%)")
        ax.set_ylim(0, 100)
    return fig


def power_figure(sim, window: str = "[0,0]", *, tests=None, label: str = "power-curves") -> PaperFigure:
    """Rejection rate against the injected k, one line per test, one panel
    (:func:`power_curve_figure`) per design and size of
    :func:`research.study.simulation.size_columns`; the dotted line is the 5 % level."""
    from research.report.references import references_of_tests
    from research.study.simulation import size_columns, tests_in_order

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
            power_curve_figure(sim, design, n, window, tests=tests, ax=ax)
        axes[0].set_ylabel("rejection rate (%)")
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside right center", fontsize=7.5)
    return fig


def size_figure(sim, window: str = "[0,0]", *, label: str = "size", ax=None) -> Figure:
    """Rejection rates at k = 0 with their Wilson 95 % intervals, per test, for the designs
    and sizes of :func:`research.study.simulation.size_columns`; the band is 3-7 %. One
    panel, drawn into ``ax`` when given (its figure is returned, the legend in the panel),
    else into a new :class:`PaperFigure` (the legend under it)."""
    from research.report.references import references_of_tests
    from research.study.significance.registry import literature_name
    from research.study.simulation import size_columns, tests_in_order

    t = sim.table[(sim.table["k"] == 0) & (sim.table["window"] == window)]
    cols = size_columns(sim)
    tests = tests_in_order(t["test"])
    caption = (f"Size of each test without an event (CAR {window}): rejection rate at "
               f"{sim.settings['alpha']:.0%} with its Wilson 95% interval; the shaded band is 3-7%.")
    with styled():
        own = ax is None
        fig, ax = _canvas(ax, (7.0, 0.32 * len(tests) + 1.4), caption=caption, label=label,
                          references=("kolari_pynnonen2010", *references_of_tests(tests)))
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
        if own:
            fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=len(cols))
        else:
            ax.legend(fontsize=7)
    return fig


# --------------------------------------------------------------------------------------------
# axes helpers
# --------------------------------------------------------------------------------------------

def _date_axis(ax, hours: bool = False) -> None:
    import matplotlib.dates as mdates

    if hours:
        locator = mdates.DayLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d %b"))
        ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))
        ax.tick_params(axis="x", labelsize=7.5)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("left")
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(
            locator, offset_formats=["", "%Y", "%Y", "%Y", "%d %b %Y", "%d %b %Y"]))


def save(fig: PaperFigure, stem) -> list:
    """Write ``stem.png`` and ``stem.pdf``; return the two paths."""
    from pathlib import Path

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in ("png", "pdf"):
        path = stem.with_suffix(f".{fmt}")
        path.write_bytes(fig.render(fmt))
        paths.append(path)
    return paths

