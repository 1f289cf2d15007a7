"""Volume and risk around day 0: the episode table of abnormal log volume, range and variance.

The numbers come from :mod:`research.study.volume` (Campbell and Wasley 1996 for volume, the log
range of Parkinson 1980 and Alizadeh, Brandt and Diebold 2002, Chow's 1960 predictive F); this
module only lays them out, one row per listing-event and a pooled row per event. It is its
own module because :mod:`research.report.tables` is at its size limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from research.report.format import MISSING, fmt_number, fmt_p, stars
from research.report.tables import frame_table
from research.study.windows import window_label

#: The volume study's windows: relative trading days of the listing's own volume series.
VOLUME_ESTIMATION, VOLUME_EVENT_WINDOW = (-250, -11), (-10, 10)
CAV_WINDOW, VARIANCE_WINDOW = (0, 1), (0, 5)


def has_volume(prices) -> bool:
    """Whether a price frame has any positive Volume (indices and some sources have none)."""
    if prices is None or "Volume" not in prices:
        return False
    return bool((pd.to_numeric(prices["Volume"], errors="coerce") > 0).any())


def volume_table(ep, *, label: str = "volume"):
    """Per listing-event of ``ep`` (an :class:`~research.report.episode.Episode`): the abnormal log
    volume of day 0 as a ratio to normal volume (exp AV), the cumulative abnormal log volume over
    :data:`CAV_WINDOW` with its t, the day-0 range as a ratio to the normal range, and Chow's
    predictive F of the abnormal returns over :data:`VARIANCE_WINDOW` with its p-value; per event a
    pooled row (means; the cross-sectional t of the CAVs with the Corrado rank p-value; the equally
    weighted portfolio's F)."""
    from research.study.volume import abnormal_range, abnormal_volume, variance_ratio

    study = ep.study
    events = study.params[["event_id", "ticker", "role", "date0"]].rename(columns={"date0": "day0"})
    frames = {t: ep.book.get(t) for t in dict.fromkeys(events["ticker"])}
    without = [t for t, f in frames.items() if not has_volume(f)]
    events = events[~events["ticker"].isin(without)].reset_index(drop=True)
    notes = [f"Volume: the listing's log volume less its mean over relative days "
             f"{window_label(VOLUME_ESTIMATION)} of its own trading days (the mean-adjusted model of Campbell "
             f"and Wasley 1996; the benchmarks are indices, whose volume the store lacks or holds in part). "
             f"Volume ratio = exp(abnormal log volume); CAV = cumulative abnormal log volume over "
             f"{window_label(CAV_WINDOW)}, t from its prediction-error variance. Range ratio: the same for the "
             f"log of log(High/Low) (Parkinson 1980; Alizadeh, Brandt and Diebold 2002). Variance F: Chow's "
             f"(1960) predictive test of the abnormal returns over {window_label(VARIANCE_WINDOW)} against the "
             f"estimation variance, estimation error included; F above 1 is more variance, p one-sided. "
             f"Pooled rows: mean ratios and CAV, the cross-sectional t of the CAVs with the Corrado rank "
             f"p-value in brackets, and the equally weighted portfolio's F."]
    if without:
        notes.append("No volume in the store for " + ", ".join(ep.stub(t) for t in without)
                     + ": left out of the volume columns.")
    frame, excluded = _rows(ep, study, events, frames, abnormal_volume, abnormal_range, variance_ratio)
    for r in excluded.itertuples():
        notes.append(f"No volume around day 0 for {ep.stub(r.ticker)} in {r.event_id} (a series whose Volume "
                     f"is empty there): {r.reason}.")
    if frame["event"].nunique() == 1:
        frame = frame.drop(columns="event")
    return frame_table(frame, caption="Trading volume and risk around day 0", label=label, stub="listing",
                       group="event" if "event" in frame else None, notes=notes,
                       references=("campbell_wasley1996",), align=["r"] * (len(frame.columns) - 1 - ("event" in frame)),
                       formats={c: (lambda v: v if isinstance(v, str) else fmt_number(v)) for c in frame.columns})


def _rows(ep, study, events, frames, abnormal_volume, abnormal_range, variance_ratio):
    """The table's rows, and the listing-events the volume study left out."""
    def wide(column):
        parts = {t: f[column] for t, f in frames.items() if f is not None and column in f}
        return pd.DataFrame(parts).astype(float)

    opts = {"estimation": VOLUME_ESTIMATION, "event_window": VOLUME_EVENT_WINDOW}
    vol = abnormal_volume(wide("Volume"), events, **opts) if len(events) else None
    rng = abnormal_range(wide("High"), wide("Low"), events, **opts) if len(events) else None
    var = variance_ratio(study.panel, [VARIANCE_WINDOW])
    a, b = CAV_WINDOW
    measures = {}
    for name, m in (("vol", vol), ("rng", rng)):
        if m is None:
            continue
        p = m.panel
        day0 = p.evt_ar[:, int(np.searchsorted(p.evt_days, 0))]
        cav, variance = p.car(a, b)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = cav / np.sqrt(variance)
        keyed = p.keys.assign(day0=day0, cav=cav, t=t).set_index(["event_id", "ticker"])
        measures[name] = (keyed, m)
    rows = []
    for event_id, keys in study.keys.groupby("event_id", sort=False):
        for ticker in keys["ticker"]:
            row = {"event": event_id, "listing": ep.stub(ticker)}
            v = _get(measures, "vol", event_id, ticker)
            r = _get(measures, "rng", event_id, ticker)
            f = var[(var["event_id"] == event_id) & (var["ticker"] == ticker)].iloc[0]
            row.update({"Volume ratio day 0": _ratio(v, "day0"), f"CAV {window_label(CAV_WINDOW)}": _num(v, "cav"),
                        "t": _num(v, "t"), "Range ratio day 0": _ratio(r, "day0"),
                        f"Variance F {window_label(VARIANCE_WINDOW)}": fmt_number(f["F"]) + stars(f["p_value"]),
                        "p (F)": fmt_p(f["p_value"])})
            rows.append(row)
        rows.append(_pooled(event_id, measures, study, variance_ratio))
    return pd.DataFrame(rows), (vol.excluded if vol is not None else pd.DataFrame(columns=["event_id", "ticker"]))


def _pooled(event_id, measures, study, variance_ratio) -> dict:
    row = {"event": event_id, "listing": "Mean"}
    cav_col = f"CAV {window_label(CAV_WINDOW)}"
    for name, ratio_col in (("vol", "Volume ratio day 0"), ("rng", "Range ratio day 0")):
        keyed, m = measures.get(name, (None, None))
        part = None if keyed is None else keyed.xs(event_id, level="event_id", drop_level=False) \
            if event_id in keyed.index.get_level_values(0) else None
        row[ratio_col] = MISSING if part is None else fmt_number(float(np.exp(np.nanmean(part["day0"]))))
        if name == "vol":
            if part is None:
                row[cav_col] = row["t"] = MISSING
                continue
            labels = (m.panel.keys["event_id"] == event_id).map({True: event_id, False: None})
            tests = m.tests([CAV_WINDOW], ("csect_t", "corrado"), groups=labels)
            tests = tests[tests["group"].astype(str) == event_id].set_index("test")
            row[cav_col] = fmt_number(float(np.nanmean(part["cav"])))
            row["t"] = (fmt_number(tests.at["csect_t", "statistic"]) + stars(tests.at["csect_t", "p_value"])
                        + f" [{fmt_p(tests.at['corrado', 'p_value'])}]")
    mask = (study.keys["event_id"] == event_id).to_numpy()
    sub = _subpanel(study.panel, mask)
    port = variance_ratio(sub, [VARIANCE_WINDOW]).iloc[-1]
    row[f"Variance F {window_label(VARIANCE_WINDOW)}"] = fmt_number(port["F"]) + stars(port["p_value"])
    row["p (F)"] = fmt_p(port["p_value"])
    return row


def _subpanel(panel, mask):
    from dataclasses import replace

    fields = ("est_ar", "evt_ar", "est_span", "evt_span", "n_est", "dof", "sigma", "evt_x", "xtx_inv")
    extra = {f: getattr(panel, f)[mask] for f in ("evt_cond_var", "est_market", "evt_market")
             if getattr(panel, f) is not None}
    return replace(panel, keys=panel.keys[mask].reset_index(drop=True),
                   **{f: getattr(panel, f)[mask] for f in fields}, **extra)


def _get(measures, name, event_id, ticker):
    keyed = measures.get(name, (None,))[0]
    if keyed is None or (event_id, ticker) not in keyed.index:
        return None
    return keyed.loc[(event_id, ticker)]


def _ratio(row, column) -> str:
    return MISSING if row is None else fmt_number(float(np.exp(row[column])))


def _num(row, column) -> str:
    return MISSING if row is None else fmt_number(row[column])
