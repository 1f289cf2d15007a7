"""Size and power of every test on the store's own returns (Brown and Warner 1985 by simulation).

:func:`simulate` draws many samples of (listing, pseudo event date) from the daily returns in
the price store, studies them all in **one** call of :func:`~research.study.engine.event_study`
(one panel: every sample of every design and size is a group of listing-events), optionally
adds an abnormal return ``k`` to each listing's day-0 return, runs every test of
:func:`~research.study.significance.run_tests` once per ``k`` with the samples as groups, and
counts how often each test rejects at ``alpha`` (two-sided).

Designs
-------
``independent``
    Each listing of a sample gets its own date (Brown and Warner 1985): the ticker is drawn
    uniformly from the universe, then day 0 uniformly among the ticker's eligible trading days;
    each listing-event is its own event (``event_id``), so the Kolari-Pynnönen adjustment sees
    no shared calendar. A draw whose ticker is already in the sample with an overlapping event
    window is drawn again, ticker and date (a slight tilt away from tickers with few eligible
    days, which only matters for samples large relative to the universe).
``clustered``
    One calendar date for the whole sample (Kolari and Pynnönen 2010): the date is drawn
    uniformly among the universe's trading days on which at least n listings are eligible and
    trade, and n of those listings are drawn without replacement; the sample is one event. By
    default on the mainland listings (.SZ/.SS), whose returns move together. A sample cannot be
    larger than the universe: larger sizes are skipped and listed in ``settings["skipped"]``.

Eligible days
-------------
Day 0 is a listing's own trading day (a non-missing return; event time is counted in its own
trading days, as the engine does). It is eligible when every observation of the estimation and
event windows exists and has a benchmark return in its span, so no listing-event is excluded
for a short estimation window; and when the event window does not meet the event window of any
event of the five episodes (:data:`~research.events.catalogue.EPISODES`), widened by one day on
each side: an announcement's day 0 on the listing is approximated by its first trading day on or
after the announcement's local date (the one-day margin covers announcements after the US close,
which reach Asia the next day). Each of those events counts for every listing, named or not: the
designations moved the whole sector. Estimation windows may contain them, as the real studies'
do. The avoided events are the five episodes' and not the whole catalogue, so that the
validation, and the episode papers that quote it, do not change when the catalogue grows or a
researcher adds an event; ``avoid="catalogue"`` avoids every catalogue event instead.

Day 0 must also fall in a stated sample period, :data:`DEFAULT_PERIOD` (2012 to 2021) unless
``period`` says otherwise, as Brown and Warner (1985) draw their pseudo event dates from a stated
period of the CRSP daily file rather than from whatever history each file happens to hold. A fixed,
documented sample keeps the size and power tables from moving when a price file grows or is
trimmed: the kit's price snapshot (``data/prices``) keeps the estimation and event windows of
these day 0s (and the episodes'), with a margin of ten rows, and gives the same tables as the
full files.

Injected abnormal return
------------------------
The expected return of day 0 depends only on parameters fitted on the estimation window and on
day 0's benchmark (and factor) returns, never on the listing's own day-0 return. Adding ``k`` to
that return therefore adds exactly ``k`` to its abnormal return under every model of
:mod:`research.study.models` and leaves every variance unchanged; the panel is built once and
``k`` is added to its day-0 column (``tests/test_study_simulation.py`` checks this against a
study of shifted returns). A listing without a day-0 observation keeps a missing AR.

Rejection rates carry Wilson (1927) score intervals at 95 %: unlike the Wald interval they
keep their coverage at rates near 0 or 1, and unlike Clopper and Pearson (1934) they are not
conservative. A sample where a test cannot be computed (NaN p-value) is left out of that
test's count (``samples`` says how many entered).

References
----------
Boehmer, E., Musumeci, J. and Poulsen, A. B. (1991). Event-study methodology under conditions
    of event-induced variance. Journal of Financial Economics 30(2), 253-272.
Brown, S. J. and Warner, J. B. (1980). Measuring security price performance. Journal of
    Financial Economics 8(3), 205-258.
Brown, S. J. and Warner, J. B. (1985). Using daily stock returns: the case of event studies.
    Journal of Financial Economics 14(1), 3-31.
Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event
    studies. Journal of Financial Economics 23(2), 385-395.
Cowan, A. R. (1992). Nonparametric event study tests. Review of Quantitative Finance and
    Accounting 2(4), 343-358.
Kolari, J. W. and Pynnönen, S. (2010). Event study testing with cross-sectional correlation of
    abnormal returns. Review of Financial Studies 23(11), 3996-4025.
Kolari, J. W. and Pynnönen, S. (2011). Nonparametric rank tests for event studies. Journal of
    Empirical Finance 18(5), 953-971.
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    Journal of the American Statistical Association 22(158), 209-212.
Clopper, C. J. and Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated
    in the case of the binomial. Biometrika 26(4), 404-413.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.events.alignment import DEFAULT_WINDOW as DEFAULT_EVENT_WINDOW
from research.study.engine import DEFAULT_MIN_ESTIMATION, event_study
from research.study.inputs import check_seed
from research.study.panel import AbnormalReturnPanel
from research.study import significance
from research.study.significance import TEXTBOOK_TESTS
from research.study.windows import DEFAULT_ESTIMATION, window_label

DESIGNS = ("independent", "clustered")
#: Injected day-0 abnormal returns (fractions).
DEFAULT_KS = (0.0, 0.005, 0.01, 0.02)
#: CAR windows whose rejection rates are reported.
DEFAULT_WINDOWS = ((0, 0), (0, 1), (-1, 1))
#: Sample sizes: Brown and Warner's 50, and the 4 to 10 listings our episodes have.
DEFAULT_SIZES = (4, 6, 8, 10, 50)
#: Pseudo day 0s are drawn from these dates (inclusive): ten years that every listing of 2011 or
#: earlier covers with its estimation window [-250, -11] before and event window after.
DEFAULT_PERIOD = ("2012-01-01", "2021-12-31")
#: Default universe of each design: every listing, and the mainland listings.
UNIVERSES = {"independent": "all", "clustered": "mainland"}
TABLE_COLUMNS = ("design", "universe", "n", "k", "window", "test", "samples", "rejections",
                 "rate", "ci_low", "ci_high")


@dataclass
class Simulation:
    """What :func:`simulate` measured.

    Attributes
    ----------
    table : DataFrame, one row per design, sample size ``n``, injected ``k``, window and test:
        ``samples`` (with a p-value), ``rejections`` (p < alpha), ``rate`` and its Wilson 95 %
        interval ``ci_low``, ``ci_high``; columns :data:`TABLE_COLUMNS`.
    draws : DataFrame, one row per drawn listing-event: ``design, n, sample, ticker, day0,
        event_id``.
    settings : dict, everything needed to reproduce the table (seed, windows, universes, ...).
    seconds : dict, wall time of the draw, the event study and the tests.
    """

    table: pd.DataFrame
    draws: pd.DataFrame
    settings: dict
    seconds: dict = field(default_factory=dict)

    def rates(self, design: str, window: str = "[0,0]", n: int | None = None) -> pd.DataFrame:
        """Rejection rates of ``design`` in ``window``: tests x k for one sample size ``n``
        (default the largest), or tests x n for k = 0 when ``n`` is ``"all"``."""
        t = self.table[(self.table["design"] == design) & (self.table["window"] == window)]
        if t.empty:
            raise ResearchError(f"no {design} results for window {window}")
        if n == "all":
            t = t[t["k"] == 0]
            return t.pivot(index="test", columns="n", values="rate").reindex(tests_in_order(t["test"]))
        n = int(t["n"].max()) if n is None else int(n)
        t = t[t["n"] == n]
        return t.pivot(index="test", columns="k", values="rate").reindex(tests_in_order(t["test"]))

    def summary(self) -> str:
        """The rejection rates as text: per design, size and window, tests x k in percent with
        Wilson 95 % intervals, after the settings and before the timings."""
        s = self.settings
        lines = [f"{s['n_samples']} samples per design and size, seed {s['seed']}, {s['model']} model, estimation "
                 f"{s['estimation']}, event window {s['event_window']}, day 0 {_period_text(s.get('period'))}; "
                 f"rejection rate at {s['alpha']:.0%} "
                 f"(two-sided), % [Wilson 95 % interval]"]
        lines += [f"skipped: {x['design']} samples of {x['n']} ({x['reason']})" for x in s["skipped"]]
        if s["without_prices"]:
            lines.append(f"not drawn (no prices): {', '.join(s['without_prices'])}")
        t = self.table.assign(cell=[f"{r:6.1%} [{lo:.1%}, {hi:.1%}]" for r, lo, hi in
                                    zip(self.table["rate"], self.table["ci_low"], self.table["ci_high"])])
        with pd.option_context("display.width", 200, "display.max_rows", None, "display.max_columns", None):
            for (design, n, window), part in t.groupby(["design", "n", "window"], sort=False):
                lines.append(f"\n{design} dates, {n} listings drawn from {part['universe'].iloc[0]} "
                             f"({len(s['universe'][design])} listings), window {window}")
                grid = part.pivot(index="test", columns="k", values="cell")
                grid = grid.reindex(list(dict.fromkeys(part["test"])))
                grid.columns = [f"k={k:.1%}" for k in grid.columns]
                lines.append(grid.to_string())
        lines.append(f"\n{s['listing_events']} listing-events in one panel; {s['excluded']} excluded. "
                     f"Time: draw {self.seconds['draw']:.1f} s, event study {self.seconds['event_study']:.1f} s, "
                     f"tests {self.seconds['tests']:.1f} s")
        return "\n".join(lines)

    def plot(self, window: str = "[0,0]"):
        """Rejection rate against the injected k, one line per test, one panel per design and size
        of :func:`size_columns`, the level alpha dotted. A plain ``matplotlib.figure.Figure`` (the
        styled paper figures are :func:`research.report.figures.power_figure` and
        :func:`~research.report.figures.size_figure`); nothing is shown."""
        from matplotlib.figure import Figure

        t = self.table[self.table["window"] == window]
        if t.empty:
            raise ResearchError(f"the simulation has no window {window}")
        panels = size_columns(self)
        fig = Figure(figsize=(3.0 * len(panels) + 2.4, 3.6), layout="constrained")
        axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
        for ax, (design, n) in zip(axes, panels):
            part = t[(t["design"] == design) & (t["n"] == n)]
            for test in tests_in_order(part["test"]):
                line = part[part["test"] == test].sort_values("k")
                ax.plot(100 * line["k"], 100 * line["rate"], marker="o", ms=3, label=test)
            ax.axhline(100 * self.settings["alpha"], color="grey", lw=0.8, ls=":")
            ax.set_title(f"{design} dates, {n} listings")
            ax.set_xlabel("abnormal return on day 0 (%)")
            ax.set_ylim(0, 100)
        axes[0].set_ylabel("rejection rate (%)")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right center", fontsize=7.5)
        return fig


def simulate(n_samples: int = 1000, *, sizes: Sequence[int] = DEFAULT_SIZES,
             ks: Sequence[float] = DEFAULT_KS, designs: Sequence[str] = DESIGNS,
             windows: Sequence[tuple[int, int]] = DEFAULT_WINDOWS,
             event_window: tuple[int, int] = DEFAULT_EVENT_WINDOW,
             estimation: tuple[int, int] = DEFAULT_ESTIMATION, model="market",
             tests: Sequence[str] | None = None, bootstrap: bool = False, n_boot: int = 500,
             universe: Mapping[str, str | Sequence[str]] | str | Sequence[str] | None = None,
             avoid_catalogue: bool = True, avoid: str = "episodes", catalogue=None, alpha: float = 0.05, seed: int = 0,
             period: tuple[str, str] | None = DEFAULT_PERIOD,
             returns: Mapping[str, pd.Series] | None = None) -> Simulation:
    """Rejection rates of every test on samples drawn from the store's returns.

    Parameters
    ----------
    n_samples : samples per design and size (Brown and Warner 1985 use 250; 1,000 gives a
        rate of 5 % a 95 % interval of about +-1.4 points).
    sizes : listings per sample. In the clustered design sizes above the universe's listings
        are skipped (recorded in ``settings["skipped"]``).
    ks : abnormal returns added to every listing's day-0 return (0 measures size).
    designs : any of :data:`DESIGNS` (see the module docstring).
    windows : CAR windows (relative trading days) whose tests are counted.
    event_window : the event window of every draw; must contain ``windows``.
    estimation : estimation window in relative trading days (default [-250, -11]).
    model : expected-return model, as for :func:`~research.study.engine.event_study`
        (``factor`` is not supported here: the store holds no factors).
    tests : test names (default every test of
        :data:`~research.study.significance.TEXTBOOK_TESTS` but ``bootstrap``).
    bootstrap : also run the bootstrap (slow: ``n_boot`` resamples per sample and window).
    universe : the listings to draw from: ``"all"`` (every non-index listing of the registry
        with prices: equities and ADRs), ``"mainland"`` (.SZ/.SS equities), a list of tickers,
        or a mapping design -> one of these. Default :data:`UNIVERSES`.
    avoid_catalogue : keep pseudo event windows off the real events' windows (see the module
        docstring).
    avoid : ``"episodes"`` (the five episodes' events, the default) or ``"catalogue"`` (every
        event of the catalogue).
    catalogue : a loaded catalogue or path (default ``data/events.yaml``).
    alpha : test level (two-sided).
    seed : seed of the draws (and of the bootstrap); the same seed gives the same table.
    period : (first, last) date a pseudo day 0 may fall on, inclusive (default
        :data:`DEFAULT_PERIOD`); None draws from each listing's whole history.
    returns : ticker -> Series of simple returns, to use instead of the store (every listing
        and its registry benchmark).

    Returns
    -------
    Simulation

    Notes
    -----
    All samples of all designs and sizes are one panel, studied by one
    :func:`~research.study.engine.event_study` call (building the
    :class:`~research.study.panel.AbnormalReturnPanel` by hand would duplicate the engine's
    trade-to-trade clock and variances, the very things under test). The tests then run once
    per design, size and ``k`` on that block of the panel's rows, with the samples as groups of
    :func:`~research.study.significance.run_tests`. Nothing loops over samples here.

    References
    ----------
    Brown and Warner (1980, 1985); Kolari and Pynnönen (2010, 2011); Boehmer, Musumeci and
    Poulsen (1991); Corrado (1989); Cowan (1992); Wilson (1927).
    """
    from research.securities import load_registry

    clock = {"start": time.perf_counter()}
    designs, sizes, ks, windows, (evt_lo, evt_hi), (est_lo, est_hi), tests = _check_arguments(
        n_samples, designs, sizes, ks, windows, event_window, estimation, tests, bootstrap, model)
    check_seed(seed)
    span = _check_period(period)

    registry = load_registry()
    chosen = {d: _universe(universe, d, registry) for d in designs}
    tickers = list(dict.fromkeys(t for d in designs for t in chosen[d]))
    if returns is None:
        returns, missing = _store_returns(tickers, registry)
    else:
        missing = [t for t in tickers if t not in returns]
    benchmarks = {t: registry[t].benchmark for t in tickers if t in returns}
    lacking = [t for t in benchmarks if benchmarks[t] not in returns]
    if lacking:
        raise ResearchError(f"no returns for the benchmark(s) {sorted({benchmarks[t] for t in lacking})} "
                            f"of {', '.join(lacking)}; import them (`research import`)")
    if avoid not in ("episodes", "catalogue"):
        raise ResearchError(f"avoid must be 'episodes' or 'catalogue', not {avoid!r}")
    avoided = _catalogue_dates(catalogue, episodes_only=avoid == "episodes") if avoid_catalogue else []
    eligible = {t: _eligible(returns[t], returns[benchmarks[t]], (est_lo, evt_hi), (evt_lo, evt_hi), avoided, span)
                for t in benchmarks}
    draws, skipped = _draw(np.random.default_rng(seed), int(n_samples), designs, sizes, chosen, eligible, returns,
                           evt_hi - evt_lo + 1, missing)
    clock["draw"] = time.perf_counter()

    used = list(dict.fromkeys(draws["ticker"]))
    study = event_study(pd.DataFrame({t: returns[t] for t in used}),
                        pd.DataFrame({t: returns[benchmarks[t]] for t in used}),
                        draws[["event_id", "ticker", "day0"]], model=model, estimation=(est_lo, est_hi),
                        windows=windows, event_window=(evt_lo, evt_hi),
                        min_estimation=min(DEFAULT_MIN_ESTIMATION, est_hi - est_lo + 1), seed=seed)
    panel = study.panel
    keys = panel.keys[["event_id", "ticker"]]
    groups = keys.merge(draws[["event_id", "ticker", "group"]], how="left", on=["event_id", "ticker"])["group"]
    clock["study"] = time.perf_counter()

    counts = _rejections(panel, groups, draws, ks, windows, tests, n_boot, seed, alpha)
    clock["tests"] = time.perf_counter()
    table = _rate_table(counts, windows, tests, designs, {d: _universe_name(universe, d) for d in designs})

    settings = {
        "n_samples": int(n_samples), "sizes": sizes, "ks": ks, "designs": designs,
        "windows": windows, "event_window": [evt_lo, evt_hi], "estimation": [est_lo, est_hi],
        "model": getattr(model, "name", model), "tests": tests, "n_boot": n_boot if "bootstrap" in tests else None,
        "alpha": alpha, "seed": seed, "period": [str(d.date()) for d in span] if span else None,
        "universe": {d: chosen[d] for d in designs},
        "without_prices": missing, "avoid_catalogue": avoid_catalogue, "avoid": avoid, "catalogue_dates": len(avoided),
        "skipped": skipped, "listing_events": int(len(draws)), "excluded": int(len(draws) - panel.n),
        "interval": "Wilson (1927) score interval, 95 %",
    }
    seconds = {"draw": clock["draw"] - clock["start"], "event_study": clock["study"] - clock["draw"],
               "tests": clock["tests"] - clock["study"], "total": clock["tests"] - clock["start"]}
    return Simulation(table=table, draws=draws.drop(columns="group"), settings=settings, seconds=seconds)


def _period_text(period) -> str:
    return f"from {period[0]} to {period[1]}" if period else "anywhere in the history"


def _check_period(period) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``period`` as two timestamps (first <= last), or None for the whole history."""
    if period is None:
        return None
    try:
        first, last = (pd.Timestamp(x) for x in period)
    except (TypeError, ValueError) as exc:
        raise ResearchError(f"period {period!r}: give two dates, first and last ({exc})") from None
    if pd.isna(first) or pd.isna(last) or first > last:
        raise ResearchError(f"period {period!r}: give two dates, the first not after the last")
    return first, last


def _check_arguments(n_samples, designs, sizes, ks, windows, event_window, estimation, tests, bootstrap, model):
    """The arguments of :func:`simulate` in canonical form, or a clear error."""
    designs = list(dict.fromkeys(designs))
    bad = [d for d in designs if d not in DESIGNS]
    if bad or not designs:
        raise ResearchError(f"designs must be among {', '.join(DESIGNS)}, not {bad or designs}")
    if int(n_samples) < 1:
        raise ResearchError(f"n_samples must be at least 1, not {n_samples}")
    sizes = sorted({int(n) for n in sizes})
    if not sizes or sizes[0] < 2:
        raise ResearchError(f"sample sizes must be at least 2 listings, not {sizes}")
    ks = [float(k) for k in dict.fromkeys(ks)]
    windows = [(int(a), int(b)) for a, b in dict.fromkeys(tuple(w) for w in windows)]
    evt_lo, evt_hi = (int(x) for x in event_window)
    est_lo, est_hi = (int(x) for x in estimation)
    outside = [w for w in windows if w[0] < evt_lo or w[1] > evt_hi]
    if outside or not windows:
        raise ResearchError(f"windows {outside or windows} must lie inside the event window [{evt_lo},{evt_hi}]")
    if not (evt_lo <= 0 <= evt_hi) or est_hi >= evt_lo or est_lo > est_hi:
        raise ResearchError(f"the event window [{evt_lo},{evt_hi}] must contain day 0 and follow the "
                            f"estimation window [{est_lo},{est_hi}]")
    if tests is None:
        tests = [t for t in TEXTBOOK_TESTS if t != "bootstrap"] + (["bootstrap"] if bootstrap else [])
    tests = list(tests)
    if getattr(model, "uses_factors", False) or model == "factor":
        raise ResearchError("simulate cannot use the factor model: the store holds no factor returns")
    return designs, sizes, ks, windows, (evt_lo, evt_hi), (est_lo, est_hi), tests


def _draw(rng, n_samples, designs, sizes, chosen, eligible, returns, width, missing):
    """Every sample of every design and size, one row per drawn listing-event; and the sizes a
    design cannot draw (a clustered sample larger than its universe)."""
    frames, skipped = [], []
    for design in designs:
        pool = [t for t in chosen[design] if t in eligible and eligible[t].any()]
        if not pool:
            raise ResearchError(f"the {design} design has no listing with an eligible day "
                                f"(universe {chosen[design]}; without prices: {missing})")
        for n in sizes:
            if design == "clustered" and n > len(pool):
                skipped.append({"design": design, "n": n,
                                "reason": f"the universe has {len(pool)} listings"})
                continue
            draw = (_draw_independent if design == "independent" else _draw_clustered)(
                rng, n_samples, n, pool, returns, eligible, width)
            draw.insert(0, "n", n)
            draw.insert(0, "design", design)
            frames.append(draw)
    if not frames:
        raise ResearchError(f"nothing to simulate: {skipped}")
    draws = pd.concat(frames, ignore_index=True)
    tag = draws["design"].str[0] + draws["n"].astype(str) + "-" + draws["sample"].astype(str)
    draws["group"] = tag
    draws["event_id"] = np.where(draws["design"] == "clustered", tag, tag + "-" + draws.index.astype(str))
    return draws, skipped


def _rejections(panel, groups, draws, ks, windows, tests, n_boot, seed, alpha) -> pd.DataFrame:
    """Samples with a p-value and rejections per design, n, k, window and test.

    The tests run on each (design, size) block of rows: the cost of some tests grows with
    samples x rows, so blocks are cheaper than the whole panel at once."""
    meta = draws.drop_duplicates("group").set_index("group")[["design", "n"]]
    labels = groups.to_numpy(dtype=object)
    block_of = pd.Series(meta["design"] + ":" + meta["n"].astype(str)).reindex(labels).to_numpy()
    rows = []
    for block in pd.unique(block_of):
        at = np.flatnonzero(block_of == block)
        part = subpanel(panel, at)
        for k in ks:
            res = significance.run_tests(inject(part, k), windows, groups=labels[at], tests=tests, n_boot=n_boot,
                            seed=seed, alpha=alpha)
            res = res[res["group"] != "all"]
            p = res["p_value"].to_numpy(dtype=float)
            frame = pd.DataFrame({"design": meta["design"].reindex(res["group"]).to_numpy(),
                                  "n": meta["n"].reindex(res["group"]).to_numpy(),
                                  "window": res["window"].to_numpy(), "test": res["test"].to_numpy(),
                                  "valid": ~np.isnan(p), "reject": p < alpha})
            agg = frame.groupby(["design", "n", "window", "test"], sort=False).agg(
                samples=("valid", "sum"), rejections=("reject", "sum")).reset_index()
            agg.insert(2, "k", k)
            rows.append(agg)
    return pd.concat(rows, ignore_index=True)


def _rate_table(table, windows, tests, designs, universe_names) -> pd.DataFrame:
    """Rates and Wilson intervals of the counts, in the order of designs, n, k, windows and tests."""
    table["samples"] = table["samples"].astype(int)
    table["rejections"] = table["rejections"].astype(int)
    table["rate"] = table["rejections"] / table["samples"].where(table["samples"] > 0)
    table["ci_low"], table["ci_high"] = wilson_interval(table["rejections"].to_numpy(), table["samples"].to_numpy())
    table["universe"] = table["design"].map(universe_names)
    order = {"window": [window_label(w) for w in windows], "test": tests, "design": designs}
    for col, values in order.items():
        table[col] = pd.Categorical(table[col], categories=values, ordered=True)
    table = table.sort_values(["design", "n", "k", "window", "test"]).reset_index(drop=True)
    for col in order:
        table[col] = table[col].astype(str)
    return table[list(TABLE_COLUMNS)]


def inject(panel: AbnormalReturnPanel, k: float) -> AbnormalReturnPanel:
    """The panel with ``k`` added to every day-0 abnormal return (missing ones stay missing).

    Equivalent to adding ``k`` to each listing's day-0 return before the study: the expected
    return of day 0 does not depend on it, and no variance does (see the module docstring).
    """
    if k == 0:
        return panel
    day0 = panel.window_index(0, 0)[0]
    ar = np.array(panel.evt_ar, dtype=float, copy=True)
    ar[:, day0] += k
    return dataclasses.replace(panel, evt_ar=ar)


def subpanel(panel: AbnormalReturnPanel, rows) -> AbnormalReturnPanel:
    """The listing-events ``rows`` of ``panel`` (every per-listing array sliced, days kept)."""
    rows = np.asarray(rows)
    n = panel.n
    changes = {}
    for f in dataclasses.fields(panel):
        value = getattr(panel, f.name)
        if f.name == "keys":
            changes["keys"] = value.iloc[rows].reset_index(drop=True)
        elif isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n \
                and f.name not in ("est_days", "evt_days"):
            changes[f.name] = value[rows]
    return dataclasses.replace(panel, **changes)


def wilson_interval(successes, trials, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson (1927) score interval of a binomial proportion, for arrays of counts.

    ``(p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)`` with ``p = x/n`` and ``z``
    the normal quantile of ``(1 + level)/2``; NaN where ``n`` is 0.
    """
    x = np.asarray(successes, float)
    n = np.asarray(trials, float)
    from scipy import stats

    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    good = n > 0
    low = np.where(x == 0, 0.0, centre - half)           # exact at the ends, not rounding
    high = np.where(x == n, 1.0, centre + half)
    return np.where(good, low, np.nan), np.where(good, high, np.nan)


# --------------------------------------------------------------------------------------------
# universe, returns and eligible days
# --------------------------------------------------------------------------------------------

def _universe(spec, design: str, registry) -> list[str]:
    if isinstance(spec, Mapping):
        spec = spec.get(design, UNIVERSES[design])
    if spec is None:
        spec = UNIVERSES[design]
    listings = [t for t, s in registry.items() if s.kind != "index"]
    if spec == "all":
        return listings
    if spec == "mainland":
        return [t for t in listings if t.endswith((".SZ", ".SS"))]
    if isinstance(spec, str):
        raise ResearchError(f"universe must be 'all', 'mainland' or a list of tickers, not {spec!r}")
    out = list(dict.fromkeys(spec))
    for t in out:
        registry.get_security(t, context="simulate universe")
        if registry[t].kind == "index":
            raise ResearchError(f"{t} is an index, not a listing; leave it out of the universe")
    return out


def _universe_name(spec, design: str) -> str:
    if isinstance(spec, Mapping):
        spec = spec.get(design, UNIVERSES[design])
    spec = UNIVERSES[design] if spec is None else spec
    return spec if isinstance(spec, str) else f"{len(list(spec))} listings"


def _store_returns(tickers, registry) -> tuple[dict, list]:
    from research.events.reaction import PriceBook

    book = PriceBook()
    returns, missing = {}, []
    for t in tickers:
        r = book.returns(t)
        if r is None:
            missing.append(t)
            continue
        returns[t] = r
        b = registry[t].benchmark
        if b not in returns:
            rb = book.returns(b)
            if rb is not None:
                returns[b] = rb
    return returns, missing


def _catalogue_dates(catalogue, *, episodes_only: bool) -> list[pd.Timestamp]:
    from research.events.catalogue import EPISODES, Catalogue, load_catalogue

    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    return sorted({pd.Timestamp(e.announced.date) for e in cat.values()
                   if not episodes_only or e.episode in EPISODES})


def _eligible(r: pd.Series, bench: pd.Series, reach: tuple[int, int], evt: tuple[int, int],
              avoid: list[pd.Timestamp], period=None) -> np.ndarray:
    """Which of the listing's own trading days can be day 0 (see the module docstring).

    ``reach`` is (first estimation day, last event day), ``evt`` the event window, ``period``
    (first, last) the dates day 0 may fall on (None: any).
    """
    r = r.dropna()
    dates = pd.DatetimeIndex(r.index).tz_localize(None) if r.index.tz is not None else pd.DatetimeIndex(r.index)
    n = len(dates)
    out = np.zeros(n, bool)
    if n == 0:
        return out
    bdates = pd.DatetimeIndex(bench.dropna().index)
    bdates = bdates.tz_localize(None) if bdates.tz is not None else bdates
    # an observation is usable when the benchmark has a return in (previous trade, this trade]
    upto = bdates.searchsorted(dates, side="right")
    prev = np.concatenate([[bdates.searchsorted(dates[0], side="left")], upto[:-1]])
    ok = (upto - prev) > 0
    bad = np.concatenate([[0], np.cumsum(~ok)])
    lo, hi = reach
    pos = np.arange(n)
    inside = (pos + lo >= 0) & (pos + hi <= n - 1)
    a = np.clip(pos + lo, 0, n)
    b = np.clip(pos + hi + 1, 0, n)
    out = inside & (bad[b] - bad[a] == 0)
    if period is not None:
        out &= (dates >= period[0]) & (dates <= period[1])
    width = evt[1] - evt[0] + 1
    for day in avoid:
        d = int(dates.searchsorted(day, side="left"))
        out[max(0, d - width):min(n, d + width + 1)] = False
    return out


# --------------------------------------------------------------------------------------------
# the two designs
# --------------------------------------------------------------------------------------------

def _draw_independent(rng, n_samples, n, pool, returns, eligible, width) -> pd.DataFrame:
    """Ticker uniform over ``pool``, day 0 uniform over its eligible days; a listing whose
    ticker is already in the sample within ``width`` trading days is drawn again (ticker and
    day), so event windows of one ticker never overlap within a sample."""
    days = {t: np.flatnonzero(eligible[t]) for t in pool}
    sizes = np.array([len(days[t]) for t in pool])
    tick = np.empty((n_samples, n), np.int64)
    pos = np.empty((n_samples, n), np.int64)

    def place(mask):
        tick[mask] = rng.integers(0, len(pool), size=int(mask.sum()))
        pos[mask] = _pick(days, pool, tick[mask], rng.random(int(mask.sum())), sizes)

    place(np.ones_like(tick, bool))
    for _ in range(1000):
        order = np.lexsort((pos, tick), axis=-1)
        tk = np.take_along_axis(tick, order, 1)
        ps = np.take_along_axis(pos, order, 1)
        clash_sorted = np.zeros_like(tk, bool)
        clash_sorted[:, 1:] = (tk[:, 1:] == tk[:, :-1]) & (ps[:, 1:] - ps[:, :-1] <= width)
        if not clash_sorted.any():
            break
        clash = np.zeros_like(clash_sorted)
        np.put_along_axis(clash, order, clash_sorted, 1)
        place(clash)
    else:
        raise ResearchError("could not draw non-overlapping event windows for repeated tickers; "
                            "use a larger universe or smaller samples")
    dates = {t: pd.DatetimeIndex(returns[t].dropna().index) for t in pool}
    names = np.array(pool, dtype=object)[tick]
    day0 = [dates[t][p] for t, p in zip(names.ravel(), pos.ravel())]
    return pd.DataFrame({"sample": np.repeat(np.arange(n_samples), n), "ticker": names.ravel(),
                         "day0": pd.DatetimeIndex(day0)})


def _pick(days, pool, t, u, sizes) -> np.ndarray:
    """Eligible day number ``floor(u * size)`` of ticker ``pool[t]``, for arrays t, u."""
    out = np.empty(len(t), np.int64)
    for i in np.unique(t):                        # a loop over tickers, not samples
        m = t == i
        out[m] = days[pool[i]][(u[m] * sizes[i]).astype(np.int64)]
    return out


def _draw_clustered(rng, n_samples, n, pool, returns, eligible, width) -> pd.DataFrame:
    """One calendar date per sample, among the days on which at least n listings of ``pool``
    trade and are eligible; n of them drawn without replacement."""
    dates = {t: pd.DatetimeIndex(returns[t].dropna().index) for t in pool}
    calendar = dates[pool[0]]
    for t in pool[1:]:
        calendar = calendar.union(dates[t])
    ok = np.zeros((len(calendar), len(pool)), bool)
    for j, t in enumerate(pool):
        at = calendar.get_indexer(dates[t])
        ok[at, j] = eligible[t]
    candidates = np.flatnonzero(ok.sum(axis=1) >= n)
    if not len(candidates):
        raise ResearchError(f"no date on which {n} listings of {pool} are all eligible")
    chosen = candidates[rng.integers(0, len(candidates), size=n_samples)]
    keys = rng.random((n_samples, len(pool)))
    keys[~ok[chosen]] = np.inf
    members = np.argsort(keys, axis=1, kind="stable")[:, :n]
    names = np.array(pool, dtype=object)[members]
    return pd.DataFrame({"sample": np.repeat(np.arange(n_samples), n), "ticker": names.ravel(),
                         "day0": np.repeat(calendar[chosen].to_numpy(), n)})


def tests_in_order(tests) -> list[str]:
    """``tests`` in the registry's order (unknown names last, in their own order)."""
    known = [t for t in TEXTBOOK_TESTS if t in set(tests)]
    return known + [t for t in dict.fromkeys(tests) if t not in known]


def _largest(sim: Simulation, design: str) -> int | None:
    sizes = sim.table.loc[sim.table["design"] == design, "n"]
    return int(sizes.max()) if len(sizes) else None


def size_columns(sim: Simulation) -> list[tuple[str, int]]:
    """The (design, n) pairs a size table shows: the largest independent sample, and the
    largest clustered sample beside an independent one of the same size when there is one."""
    out = []
    big = _largest(sim, "independent")
    if big is not None:
        out.append(("independent", big))
    small = _largest(sim, "clustered")
    if small is not None:
        if ((sim.table["design"] == "independent") & (sim.table["n"] == small)).any() and small != big:
            out.append(("independent", small))
        out.append(("clustered", small))
    return out
