"""What :func:`~research.study.engine.event_study` returns: tables, tests, summary, figure, files.

In the manner of ``arch`` and statsmodels results: :meth:`EventStudyResults.summary` gives a
``statsmodels.iolib.summary.Summary`` (text, HTML in a notebook, LaTeX), the tables are tidy
DataFrames, and :meth:`EventStudyResults.write` leaves a run on disk with its provenance.

The test statistics come from :mod:`research.study.significance`, whose statistics load when first
needed. :func:`compare` puts several specifications side by side, as linearmodels' ``compare``.
"""

from __future__ import annotations

import copy
import json
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.study import significance
from research.study.windows import window_label

__all__ = ["EventStudyResults", "compare", "window_label"]


class EventStudyResults:
    """Results of an event study: abnormal returns, CARs, BHARs and tests per listing-event.

    Attributes
    ----------
    panel : :class:`~research.study.panel.AbnormalReturnPanel`, what every test reads.
    windows : list of (start, end) CAR windows in relative trading days.
    params : DataFrame, one row per listing-event: keys, day 0 asked for (``day0``) and found
        (``date0``), the model's estimates, ``sigma``, ``n_est``, ``dof``.
    excluded : DataFrame ``event_id, ticker, role, day0, reason``.
    provenance : dict, parameters, package version, software versions and the caller's data
        hashes.
    convention, return_kind : as given to :func:`~research.study.engine.event_study`.
    notes : list of str, what the study did to the input that a reader should know (a day 0
        moved to the listing's next observation, an event window cut by the end of the data).
    test_options : dict, the options of the pooled tests (``tests``, ``n_boot``, ``seed``, ``alpha``
        as given to :func:`research.study.significance.run_tests`); :attr:`tests` and
        :meth:`tests_by` use them.
    alignments : list of :class:`research.events.alignment.Alignment` of a catalogue run
        (:func:`research.study.bridge.study_events`), else None.
    confounders : DataFrame of the other catalogue events inside each listing's event window
        (catalogue runs), else None.
    """

    def __init__(self, *, panel, windows, params, excluded, evt_return, evt_expected, evt_rows, dates, car, bhar,
                 car_days, provenance, convention, return_kind, test_options, notes=(), alignments=None,
                 confounders=None):
        self.panel = panel
        self.windows = [tuple(int(x) for x in w) for w in windows]
        self.params = params
        self.excluded = excluded
        self.provenance = provenance
        self.convention = convention
        self.return_kind = return_kind
        self.notes = list(notes)
        self._evt_return = evt_return
        self._evt_expected = evt_expected
        self._evt_rows = evt_rows      # (N, T) rows of ``dates`` (-1: no observation)
        self._dates = dates
        self._car = car
        self._bhar = bhar
        self._car_days = car_days
        self._test_options = {k: v for k, v in test_options.items() if v is not None}
        self.alignments = alignments
        self.confounders = confounders

    @property
    def test_options(self) -> dict:
        """The options of the pooled tests (a copy): pass them to
        :func:`research.study.significance.run_tests` to repeat :attr:`tests` on other groups."""
        return dict(self._test_options)

    # ------------------------------------------------------------------ tables
    @property
    def keys(self) -> pd.DataFrame:
        """``event_id, ticker, role`` of the N listing-events, in panel order."""
        return self.panel.keys

    @cached_property
    def ar(self) -> pd.DataFrame:
        """One row per listing-event and event-window day.

        Columns ``event_id, ticker, role, relative_day, date, return, expected_return,
        abnormal_return, span`` (sessions the return covers), ``variance`` (prediction-error
        variance of the AR, :meth:`AbnormalReturnPanel.ar_variance`).
        """
        p = self.panel
        n, t = p.evt_ar.shape
        frame = _repeat_keys(p.keys, t)
        frame["relative_day"] = np.tile(p.evt_days, n)
        rows = self._evt_rows.reshape(-1)
        frame["date"] = pd.DatetimeIndex(np.where(rows >= 0, self._dates.values[np.maximum(rows, 0)],
                                                  np.datetime64("NaT")))
        frame["return"] = self._evt_return.reshape(-1)
        frame["expected_return"] = self._evt_expected.reshape(-1)
        frame["abnormal_return"] = p.evt_ar.reshape(-1)
        frame["span"] = np.asarray(p.evt_span, dtype=float).reshape(-1)
        frame["variance"] = np.where(np.isnan(p.evt_ar), np.nan, p.ar_variance()).reshape(-1)
        return frame

    def _car_core(self) -> pd.DataFrame:
        """CAR, BHAR, observed days and prediction-error variance per listing-event and window."""
        p = self.panel
        w = len(self.windows)
        frame = _repeat_keys(p.keys, w)
        frame["window"] = pd.Series([window_label(x) for x in self.windows] * p.n, dtype=object)
        frame["start"] = np.tile([a for a, _ in self.windows], p.n)
        frame["end"] = np.tile([b for _, b in self.windows], p.n)
        frame["car"] = self._car.reshape(-1)
        frame["bhar"] = self._bhar.reshape(-1)
        frame["n_days"] = self._car_days.reshape(-1)
        var = np.column_stack([p.car_variance(a, b) for a, b in self.windows])
        frame["variance"] = np.where(np.isnan(self._car), np.nan, var).reshape(-1)
        return frame

    @cached_property
    def car(self) -> pd.DataFrame:
        """One row per listing-event and window.

        Columns ``event_id, ticker, role, window, start, end, car, bhar, n_days, variance,
        t_stat, df, p_value, ghk_p_value``: CAR (MacKinlay 1997, eq. 12) and BHAR (Barber and Lyon
        1997) over the observed days of the window, its prediction-error variance, and the
        single-listing tests of :func:`research.study.significance.single_listing_tests`.
        """
        core = self._car_core()
        return _attach_single(core, self.listing_tests(), ["t_stat", "df", "p_value", "ghk_p_value"])

    def listing_tests(self, windows=None) -> pd.DataFrame:
        """Each listing's CAR tested on its own over ``windows`` (default :attr:`windows`; any
        windows inside the event window): :func:`research.study.significance.single_listing_tests`."""
        windows = self.windows if windows is None else [tuple(int(x) for x in w) for w in windows]
        return significance.single_listing_tests(self.panel, windows)

    @cached_property
    def tests(self) -> pd.DataFrame:
        """Pooled tests per window (group ``all``), from :func:`research.study.significance.run_tests`."""
        return significance.run_tests(self.panel, self.windows, convention=self.convention,
                                         **self._test_options)

    def tests_by(self, groups, windows=None, tests=None) -> pd.DataFrame:
        """Pooled tests per window and group, with the results' :attr:`test_options`; ``groups`` is
        ``"event_id"``, ``"role"``, ``"ticker"``, a Series of N labels or None (the pooled ``all``
        rows only, which are always included). ``windows`` (default :attr:`windows`) may be any
        windows inside the event window; ``tests`` replaces the tests of the options."""
        labels = None if groups is None else self._groups(groups)
        windows = self.windows if windows is None else [tuple(int(x) for x in w) for w in windows]
        options = self.test_options if tests is None else {**self.test_options, "tests": list(tests)}
        return significance.run_tests(self.panel, windows, groups=labels, convention=self.convention, **options)

    def regress(self, formula: str, window, data=None, *, cov_type: str = "HC3"):
        """The cross-sectional regression of the CARs of ``window`` on characteristics, with
        heteroskedasticity-robust, event-clustered and Sefcik-Thompson portfolio standard errors:
        :func:`research.study.crosssection.regress`, e.g. ``regress("car ~ role", (0, 1))``."""
        from research.study.crosssection import regress

        return regress(self, formula, window, data, cov_type=cov_type)

    def joint_tests(self, windows=None, by="event_id", n_boot: int = 999, seed=None) -> pd.DataFrame:
        """The tests for a few listings sharing one date, per window and group (default each
        event): the event portfolio's placebo test and the SUR Wald tests with event dummies and
        their residual-vector bootstrap (:func:`research.study.significance.joint_tests`), with
        each p-value's ``resolution`` and a ``note`` where a p-value is missing. ``seed`` defaults
        to the results' (:attr:`test_options`)."""
        windows = self.windows if windows is None else [tuple(int(x) for x in w) for w in windows]
        labels = None if by is None else self._groups(by)
        seed = self._test_options.get("seed") if seed is None else seed
        return significance.joint_tests(self.panel, windows, groups=labels, n_boot=n_boot, seed=seed)

    @cached_property
    def daily(self) -> pd.DataFrame:
        """Tests per event day, from :func:`research.study.significance.daily_tests`."""
        return significance.daily_tests(self.panel, convention=self.convention)

    def caar(self, by=None) -> pd.DataFrame:
        """Cross-sectional means per window: ``n``, ``caar`` (mean CAR) and ``mean_bhar``.

        ``by`` is None (all listing-events), ``"event_id"``, ``"role"``, ``"ticker"`` or a
        Series of N labels.
        """
        core = self._car_core()
        core["group"] = "all" if by is None else np.repeat(np.asarray(self._groups(by), dtype=object),
                                                           len(self.windows))
        order = {window_label(w): i for i, w in enumerate(self.windows)}
        out = (core.groupby(["group", "window"], sort=False)
               .agg(n=("car", "count"), caar=("car", "mean"), mean_bhar=("bhar", "mean"))
               .reset_index())
        out["_o"] = out["window"].map(order)
        return out.sort_values(["group", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)

    def aar(self) -> pd.DataFrame:
        """Per event day: ``n``, ``aar`` (mean AR), ``aar_se`` (``sqrt(sum_i Var AR_it) / n_t``),
        ``caar`` (mean CAR from the first event day) and ``caar_se``, assuming independence
        across listing-events (MacKinlay 1997, eq. 15-21)."""
        p = self.panel
        observed = ~np.isnan(p.evt_ar)
        n_t = observed.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            aar = np.nansum(p.evt_ar, axis=0) / n_t
            var = np.where(observed, p.ar_variance(), 0.0).sum(axis=0)
            aar_se = np.sqrt(var) / n_t
            caar, caar_se = [], []
            first = int(p.evt_days[0])
            cum = np.nancumsum(p.evt_ar, axis=1)
            for j, day in enumerate(p.evt_days):
                has = observed[:, : j + 1].any(axis=1)
                m = has.sum()
                caar.append(cum[has, j].sum() / m if m else np.nan)
                cv = p.car_variance(first, int(day))
                caar_se.append(np.sqrt(cv[has].sum()) / m if m else np.nan)
        return pd.DataFrame({"relative_day": p.evt_days, "n": n_t, "aar": aar, "aar_se": aar_se,
                             "caar": caar, "caar_se": caar_se})

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: :attr:`ar` with each day's ``t_stat``/``p_value`` and, for every window
        ``[a,b]``, the listing's ``car[a,b]``, ``bhar[a,b]``, ``t_stat[a,b]`` and ``p_value[a,b]``
        (the same on every day of the listing)."""
        frame = self.ar.copy()
        days = [(int(d), int(d)) for d in self.panel.evt_days]
        daily = _attach_single(self._car_core_for(days), significance.single_listing_tests(self.panel, days),
                               ["t_stat", "p_value"])
        frame["t_stat"] = daily["t_stat"].to_numpy()
        frame["p_value"] = daily["p_value"].to_numpy()
        car = self.car
        t = len(self.panel.evt_days)
        for label, part in car.groupby("window", sort=False):
            for col in ("car", "bhar", "t_stat", "p_value"):
                frame[f"{col}{label}"] = np.repeat(part[col].to_numpy(), t)
        return frame

    def _car_core_for(self, windows):
        p = self.panel
        frame = _repeat_keys(p.keys, len(windows))
        frame["window"] = pd.Series([window_label(x) for x in windows] * p.n, dtype=object)
        return frame

    def _groups(self, groups) -> pd.Series:
        if isinstance(groups, str):
            if groups not in self.panel.keys.columns:
                raise ResearchError(f"groups must be one of {', '.join(self.panel.keys.columns)} or a Series "
                                    f"of {self.panel.n} labels, not {groups!r}")
            return self.panel.keys[groups].reset_index(drop=True)
        labels = pd.Series(groups).reset_index(drop=True)
        if len(labels) != self.panel.n:
            raise ResearchError(f"groups has {len(labels)} labels for {self.panel.n} listing-events")
        return labels

    def compare(self, test: str = "csect_t", **others) -> pd.DataFrame:
        """These results (column ``this``) beside ``others`` (name=results): :func:`compare`."""
        return compare({"this": self, **others}, test=test)

    # ------------------------------------------------------------------ display
    def summary(self, alpha: float = 0.05):
        """A ``statsmodels.iolib.summary.Summary``: the run's settings, and per window the
        number of listing-events, CAAR, mean BHAR and every pooled test (statistic, p-value)."""
        from statsmodels.iolib.summary import Summary
        from statsmodels.iolib.table import SimpleTable
        from statsmodels.iolib.tableformatting import fmt_2cols, fmt_params

        prm = self.provenance["parameters"]
        data = self.provenance["data"]
        model = prm["model"] + (f" {prm['model_options']}" if prm["model_options"] else "")
        est = _days(prm["estimation_days"])
        if not all(isinstance(x, int) for x in prm["estimation"]):
            est = f"{prm['estimation'][0]} - {prm['estimation'][1]}"
        left = [("Model:", model), ("Convention:", self.convention), ("Returns:", self.return_kind),
                ("Estimation window:", est),
                ("Event window:", _days(prm["event_window"])), ("Min. estimation obs.:", str(prm["min_estimation"]))]
        right = [("Listing-events:", str(self.panel.n)), ("Excluded:", str(len(self.excluded))),
                 ("Events:", str(self.panel.keys["event_id"].nunique())),
                 ("Securities:", str(self.panel.keys["ticker"].nunique())),
                 ("Sample:", f"{data['first_date']} - {data['last_date']}"),
                 ("research:", str(self.provenance["version"]))]
        fmt = copy.deepcopy(fmt_2cols)
        fmt["data_fmts"][1] = "%18s"
        top = SimpleTable([[v] for _, v in left], stubs=[k for k, _ in left], title="Event Study Results",
                          txt_fmt=fmt)
        top.extend_right(SimpleTable([[v] for _, v in right], stubs=[f"  {k:<19s}" for k, _ in right]))
        smry = Summary()
        smry.tables.append(top)

        caar = self.caar()
        rows, stubs = [], []
        for r in caar.itertuples():
            stubs.append(r.window)
            rows.append([str(r.n), f"{r.caar:.6f}", f"{r.mean_bhar:.6f}"])
        smry.tables.append(SimpleTable(rows, headers=["N", "CAAR", "mean BHAR"], stubs=stubs,
                                       title="Cumulative abnormal returns", txt_fmt=copy.deepcopy(fmt_params)))
        notes = []
        tests = self.tests
        if len(tests):
            sel = tests[tests["group"].astype(str) == "all"] if "group" in tests.columns else tests
            rows, stubs = [], []
            for r in sel.itertuples():
                stubs.append(f"{r.window} {r.test}")
                star = "*" if (pd.notna(r.p_value) and r.p_value < alpha) else ""
                df = "" if pd.isna(r.df) else (str(int(r.df)) if float(r.df).is_integer() else _num(r.df))
                rows.append([_num(r.estimate), _num(r.statistic), _num(r.p_value) + star, df, str(r.n)])
            smry.tables.append(SimpleTable(rows, headers=["estimate", "statistic", "p-value", "df", "n"],
                                           stubs=stubs, title="Pooled tests", txt_fmt=copy.deepcopy(fmt_params)))
        notes.append(f"* p-value below {alpha}.")
        if self.convention == "textbook":
            notes.append("Event time in each listing's own trading days; returns after non-trading days are "
                         "trade-to-trade (Maynes-Rumsey), weighted 1/span.")
        if self.notes:
            notes.append("Notes:")
            notes.extend(f"  {n}" for n in self.notes[:10])
            if len(self.notes) > 10:
                notes.append(f"  ... {len(self.notes) - 10} more (see .notes)")
        if len(self.excluded):
            notes.append(f"{len(self.excluded)} listing-event(s) excluded:")
            for r in self.excluded.head(10).itertuples():
                notes.append(f"  {r.event_id} {r.ticker}: {r.reason}")
            if len(self.excluded) > 10:
                notes.append("  ... (see .excluded)")
        smry.add_extra_txt(notes)
        return smry

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        return (f"<EventStudyResults model={self.panel.model!r} listing_events={self.panel.n} "
                f"excluded={len(self.excluded)} windows={[window_label(w) for w in self.windows]}>")

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def plot(self, level: float = 0.95):
        """AAR (bars) and CAAR (line) over the event window with ``level`` confidence bands
        (normal, from :meth:`aar`). Returns a ``matplotlib.figure.Figure``; nothing is shown."""
        from matplotlib.figure import Figure
        from scipy.stats import norm

        path = self.aar()
        z = norm.ppf(0.5 + level / 2)
        fig = Figure(figsize=(8, 6), layout="constrained")
        ax1, ax2 = fig.subplots(2, 1, sharex=True)
        d = path["relative_day"].to_numpy()
        ax1.bar(d, path["aar"], color="tab:blue", alpha=0.7, label="AAR")
        ax1.errorbar(d, path["aar"], yerr=z * path["aar_se"], fmt="none", ecolor="black", lw=0.8,
                     label=f"{level:.0%} interval")
        ax1.axhline(0, color="grey", lw=0.6)
        ax1.set_ylabel("AAR")
        ax1.legend(loc="best", fontsize="small")
        ax2.plot(d, path["caar"], color="tab:red", label="CAAR")
        ax2.fill_between(d, path["caar"] - z * path["caar_se"], path["caar"] + z * path["caar_se"],
                         color="tab:red", alpha=0.2, label=f"{level:.0%} band")
        ax2.axhline(0, color="grey", lw=0.6)
        for ax in (ax1, ax2):
            ax.axvline(0, color="grey", lw=0.6, ls="--")
        ax2.set_xlabel("relative trading day")
        ax2.set_ylabel("CAAR")
        ax2.legend(loc="best", fontsize="small")
        fig.suptitle(f"{self.panel.model} model, {self.panel.n} listing-events")
        return fig

    # ------------------------------------------------------------------ files
    def write(self, directory, *, force: bool = False) -> Path:
        """Write ``ar.csv``, ``car.csv``, ``tests.csv``, ``run.json`` (provenance, windows, model
        estimates, exclusions, notes) and, when set, ``confounders.csv`` into ``directory``;
        return it.

        The folder must be usable by :func:`research.outputs.check_output_folder` (outside the
        price store; new, empty or an earlier output unless ``force``); the files are made in memory
        first and then written all or nothing (:func:`research.outputs.write_files`).
        """
        from research.outputs import check_output_folder, write_files

        path = check_output_folder(directory, force=force, option="directory")
        ar, car, tests = self.ar, self.car, self.tests      # computed before anything is written
        run = {
            "provenance": self.provenance,
            "windows": [window_label(w) for w in self.windows],
            "params": _records(self.params),
            "excluded": _records(self.excluded),
            "notes": list(self.notes),
        }
        files = {
            "ar.csv": ar.to_csv(index=False, float_format="%.17g", date_format="%Y-%m-%d"),
            "car.csv": car.to_csv(index=False, float_format="%.17g"),
            "tests.csv": tests.to_csv(index=False, float_format="%.17g"),
            "run.json": json.dumps(run, indent=2, default=_json_default) + "\n",
        }
        if self.confounders is not None:
            files["confounders.csv"] = self.confounders.to_csv(index=False, date_format="%Y-%m-%d")
        return write_files(path, files)


def compare(results, test: str = "csect_t") -> pd.DataFrame:
    """Specifications side by side, in the manner of linearmodels' ``compare``.

    ``results`` maps a name to each :class:`EventStudyResults` (a list is named by position, a
    model, estimation window or convention per specification, say). One row per window (the
    windows of all specifications, in order of first appearance) and, per specification, the
    columns ``n`` and ``caar`` (:meth:`EventStudyResults.caar`) and the pooled test ``test``'s
    ``statistic``, ``p_value`` and ``signif`` (:attr:`EventStudyResults.tests`, group ``all``);
    empty where a specification lacks the window or the test.
    """
    if not isinstance(results, dict):
        results = {str(i): r for i, r in enumerate(results)}
    if not results:
        raise ResearchError("compare needs at least one set of results")
    parts = {}
    for name, res in results.items():
        if not isinstance(res, EventStudyResults):
            raise ResearchError(f"compare: {name!r} is a {type(res).__name__}, not EventStudyResults")
        caar = res.caar().set_index("window")[["n", "caar"]]
        tests = res.tests
        one = tests[(tests["group"] == "all") & (tests["test"] == test)].set_index("window")
        parts[name] = caar.join(one[["statistic", "p_value", "signif"]], how="left")
    windows = list(dict.fromkeys(w for part in parts.values() for w in part.index))
    out = pd.concat({name: part.reindex(windows) for name, part in parts.items()}, axis=1)
    out.index.name = "window"
    return out


def _repeat_keys(keys: pd.DataFrame, times: int) -> pd.DataFrame:
    idx = np.repeat(np.arange(len(keys)), times)
    return keys.iloc[idx].reset_index(drop=True)


def _attach_single(core: pd.DataFrame, single: pd.DataFrame, columns) -> pd.DataFrame:
    """Join the single-listing tests onto ``core`` by (event_id, ticker, window)."""
    on = [c for c in ("event_id", "ticker", "window") if c in single.columns]
    if on != ["event_id", "ticker", "window"]:
        raise ResearchError("single_listing_tests must return event_id, ticker and window columns")
    single = single.copy()
    single["window"] = single["window"].astype(str)
    core = core.copy()
    core["window"] = core["window"].astype(str)
    keep = [c for c in columns if c in single.columns]
    merged = core.merge(single[on + keep], on=on, how="left", validate="one_to_one")
    return merged


def _days(pair) -> str:
    return "" if pair is None else f"[{pair[0]}, {pair[1]}]"


def _num(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.4g}" if abs(float(x)) < 1e-3 and x != 0 else f"{float(x):.4f}"


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts (dates as YYYY-MM-DD, NaN as null)."""
    out = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, (float, np.floating)) and np.isnan(v):
                v = None
            elif not isinstance(v, (str, int, float, type(None))):
                v = _json_default(v)
            clean[str(k)] = v
        out.append(clean)
    return out


def _json_default(value):
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else str(stamp.date())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is pd.NaT or value is pd.NA:
        return None
    return str(value)
