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
    CARs across episodes by role, and the mean CAR path by exchange.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

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


def timeline_figure(announcements: Sequence[AnnouncementSpan], exchanges: Sequence[str],
                    day0: dict[tuple[str, str], pd.Timestamp], *, caption: str = "", label: str = "timeline",
                    title: str = "Announcements and trading sessions", days_after: int = 2) -> PaperFigure:
    """The announcements against each exchange's trading sessions, in UTC.

    One panel per cluster of announcements (those less than five days apart share a panel).
    The top rows hold the announcements, lettered A, B, ...: an exact time is a diamond, a time
    known only to a span (a date, business hours) a bar over the span. Below, one row per
    exchange: its sessions as bars (lunch breaks left open), day 0 of each announcement dark
    and labelled with the announcement's letter.

    Parameters
    ----------
    announcements : the announcements, in any order.
    exchanges : the MICs of the exchange rows, top to bottom.
    day0 : ``(announcement label, mic) -> session label`` (tz-naive date) of day 0.
    """
    from research.calendars import get_calendar

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
    naive = lambda t: pd.Timestamp(t).tz_convert("UTC").tz_localize(None)  # noqa: E731
    with styled():
        fig = PaperFigure(figsize=(7.2, 0.9 + 0.42 * sum(heights) + 0.55 * len(clusters)), layout="constrained",
                          caption=caption, label=label)
        axes = fig.subplots(len(clusters), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
        for k, (ax, cluster) in enumerate(zip(axes[:, 0], clusters)):
            first = naive(min(a.start for a in cluster)).floor("D") - pd.Timedelta(days=1)
            d0s = [pd.Timestamp(v) for (lab, _), v in day0.items() if any(lab == a.label for a in cluster)]
            last = max([naive(a.end) for a in cluster] + d0s).ceil("D") + pd.Timedelta(days=days_after)
            n_rows = len(cluster) + len(exchanges)
            ylabels = []
            for i, a in enumerate(cluster):
                y = n_rows - 1 - i
                s, e = naive(a.start), naive(a.end)
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
                    opens, closes = naive(cal.session_open(session)), naive(cal.session_close(session))
                    spans = [(opens, closes)]
                    if cal.has_break and not pd.isna(cal.break_starts.get(session, pd.NaT)):
                        spans = [(opens, naive(cal.break_starts[session])), (naive(cal.break_ends[session]), closes)]
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
                          + ("; minor ticks every 6 hours" if k == len(clusters) - 1 else ""))
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


def price_figure(panels: Sequence[PricePanel], *, before: int = 15, after: int = 20, caption: str = "",
                 label: str = "prices", ncols: int = 2, title: str = "Prices around the announcements") -> PaperFigure:
    """Each listing and its benchmark around day 0, rebased to 100 at the last close before it.

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
            ax.set_title(panel.title, loc="left", fontsize=8.5)
            if panel.prices is None or panel.prices.dropna().empty or not panel.marks:
                ax.text(0.5, 0.5, panel.note or "no prices", ha="center", va="center", wrap=True,
                        transform=ax.transAxes, fontsize=8, color="#555555")
                ax.set_xticks([])
                ax.set_yticks([])
                ax.grid(False)
                continue
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
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# abnormal returns
# --------------------------------------------------------------------------------------------

def car_figure(ar: pd.DataFrame, *, names: dict[str, str] | None = None, days: tuple[int, int] = (-2, 10),
               caption: str = "", label: str = "car", level: float = 0.95,
               title: str = "Abnormal returns around day 0") -> PaperFigure:
    """Day-0 abnormal returns with confidence intervals, and CAR paths, per listing-event.

    One row of two panels per event: left, each listing's abnormal return on day 0 with its
    ``level`` interval; right, each listing's cumulative abnormal return from ``days[0]``.

    Parameters
    ----------
    ar : the ``ar`` table of :class:`research.study.EventStudyResults` (columns ``event_id,
        ticker, relative_day, abnormal_return, variance``).
    names : ticker -> display name.
    days : the relative days of the CAR paths; the CAR starts at the first of them.
    level : coverage of the day-0 intervals (normal, prediction-error variance).
    """
    from scipy.stats import norm

    names = names or {}
    z = norm.ppf(0.5 + level / 2)
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
        for row, event_id in enumerate(events):
            ax1, ax2 = axes[row]
            part = ar[ar["event_id"] == event_id]
            tickers = list(dict.fromkeys(part["ticker"]))
            for i, ticker in enumerate(tickers):
                one = part[part["ticker"] == ticker].set_index("relative_day")
                colour = style.listing_colour(ticker)
                if 0 in one.index and pd.notna(one.loc[0, "abnormal_return"]):
                    value = 100 * one.loc[0, "abnormal_return"]
                    err = 100 * z * math.sqrt(one.loc[0, "variance"])
                    ax1.barh(i, value, color=colour, alpha=0.85, height=0.6)
                    ax1.errorbar(value, i, xerr=err, fmt="none", ecolor="black", lw=0.9, capsize=2)
                path = one.loc[days[0]:days[1], "abnormal_return"]
                last = path.last_valid_index()
                car = 100 * path.fillna(0).cumsum().where(path.notna().cummax() & (path.index <= (last or days[0])))
                ax2.plot(car.index, car.values, color=colour, lw=1.3, marker="o", ms=2.2,
                         label=names.get(ticker, ticker))
            ax1.set_yticks(range(len(tickers)))
            ax1.set_yticklabels([names.get(t, t) for t in tickers], fontsize=7.5)
            ax1.set_ylim(len(tickers) - 0.5, -0.5)
            ax1.axvline(0, color="#666666", lw=0.7)
            ax1.grid(axis="y", visible=False)
            ax2.axhline(0, color="#666666", lw=0.7)
            ax2.axvline(0, color=style.ANNOUNCEMENT_COLOUR, lw=0.9, ls="--")
            ax2.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax2.set_ylabel(f"CAR from day {days[0]} (%)".replace("-", "\u2212"), fontsize=8)
            if row == 0 or tickers != list(dict.fromkeys(ar.loc[ar["event_id"] == events[row - 1], "ticker"])):
                ax2.legend(fontsize=6.5, loc="best")  # the same listings as the row above: same colours
            if multi:
                ax1.set_title(event_id, loc="left", fontsize=8.5)
            if row == len(events) - 1:
                ax1.set_xlabel("abnormal return on day 0 (%)")
                ax2.set_xlabel("relative trading day")
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
    return fig


# --------------------------------------------------------------------------------------------
# across episodes
# --------------------------------------------------------------------------------------------

ROLE_MARKERS = {"designated": "o", "partner": "s", "supplier": "^", "other_line": "D", "peer": "v"}


def overview_figure(cars: pd.DataFrame, paths: pd.DataFrame, *, window: str = "[0,1]", caption: str = "",
                    label: str = "overview", title: str = "Reactions across the episodes",
                    names: dict[str, str] | None = None) -> PaperFigure:
    """CARs of every listing-event by episode and role, and mean CAR paths by exchange.

    Parameters
    ----------
    cars : one row per listing-event: ``episode, event_id, ticker, name, role, exchange, car``
        (the CAR over ``window``, a fraction); rows of one episode are drawn together, the
        events of an episode separated by a thin line and named at the right.
    paths : ``exchange, relative_day, mean_car`` (fractions): a mean CAR path per exchange group.
    names : exchange code -> legend label (default the exchange's name).
    """
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory

    label_of = (lambda m: (names or {}).get(m) or style.exchange_name(m))  # noqa: E731
    caption = caption or (f"Left: CAR over {window} of each listing-event, by episode; the marker is the listing's "
                          "role, the colour its exchange. Right: mean CAR path by exchange.")
    with styled():
        fig, axes = _new((7.2, 1.4 + max(3.0, 0.19 * len(cars))), caption=caption, label=label, ncols=2,
                         gridspec_kw={"width_ratios": [1.6, 1]})
        ax1, ax2 = axes[0]
        right = blended_transform_factory(ax1.transAxes, ax1.transData)
        ylabels, y = [], 0
        for episode, part in cars.groupby("episode", sort=False):
            events = list(dict.fromkeys(part["event_id"]))
            for event_id in events:
                rows = part[part["event_id"] == event_id]
                first = y
                for rec in rows.itertuples():
                    ax1.scatter(100 * rec.car, y, marker=ROLE_MARKERS.get(rec.role, "o"),
                                color=style.EXCHANGE_COLOURS.get(rec.exchange, "#777777"), s=24, zorder=3,
                                edgecolor="black", linewidth=0.4)
                    ylabels.append(f"{episode[:2].upper()}  {rec.name}")
                    y += 1
                if len(events) > 1:
                    ax1.text(1.01, (first + y - 1) / 2, event_id, transform=right, fontsize=6, va="center",
                             ha="left", rotation=0, color="#555555", clip_on=False)
                    ax1.axhline(y - 0.5, color="#DDDDDD", lw=0.4)
            ax1.axhline(y - 0.5, color="#999999", lw=0.6)
        ax1.set_yticks(range(len(ylabels)))
        ax1.set_yticklabels(ylabels, fontsize=6.5)
        ax1.set_ylim(len(ylabels) - 0.5, -0.5)
        ax1.axvline(0, color="#666666", lw=0.7)
        ax1.set_xlabel(f"CAR {window} (%)")
        ax1.grid(axis="y", visible=False)
        handles = [Line2D([], [], marker=m, ls="", color="#777777", label=r.replace("_", " "))
                   for r, m in ROLE_MARKERS.items() if r in set(cars["role"])]
        handles += [Line2D([], [], marker="s", ls="", color=c, label=label_of(x))
                    for x, c in style.EXCHANGE_COLOURS.items() if x in set(cars["exchange"])]
        fig.legend(handles=handles, loc="outside lower center", fontsize=7, ncols=4)
        for exchange, part in paths.groupby("exchange", sort=False):
            ax2.plot(part["relative_day"], 100 * part["mean_car"], lw=1.6, marker="o", ms=2.5,
                     color=style.EXCHANGE_COLOURS.get(exchange, "#777777"), label=label_of(exchange))
        ax2.axhline(0, color="#666666", lw=0.7)
        ax2.axvline(0, color=style.ANNOUNCEMENT_COLOUR, lw=0.9, ls="--")
        ax2.set_xlabel("relative trading day")
        ax2.set_ylabel("mean CAR from day 0 (%)")
        ax2.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax2.legend(fontsize=7)
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
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

