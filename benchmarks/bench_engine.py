"""Speed and memory of the event-study engine on synthetic listing-events.

Run ``python benchmarks/bench_engine.py`` (a script, not a test). For 100, 1,000, 10,000 and
100,000 listing-events (250-day estimation window, 41-day event window [-20, +20], market
model, the default CAR windows) it prints, in seconds and listing-events per second:

* ``engine``: :func:`research.study.event_study` (alignment, fits, ARs, CARs, BHARs);
* ``tests``: the pooled tests the issue names, over the six default windows: cross-sectional
  t, Brown-Warner 1980 and 1985, Patell, BMP, their Kolari-Pynnönen forms, Corrado's rank
  test, GRANK, the generalised sign test and Wilcoxon (not the bootstrap; GARCH, a model, is
  not used);
* ``single``: the single-listing tests (prediction-error t and the Gelbach-Helland-Klick
  quantile test) for every listing-event and window;
* ``extra``: the kit's further pooled tests (modified rank, GRANK on SCARs, sign, Corrado-sign);
* ``total``: engine + tests + single (the target: 2 s at 100,000), and ``all`` with the extras;

the speed ratio against a loop that fits statsmodels OLS per listing-event and computes the
same ARs, CARs and prediction-error variances (timed on a subsample and extrapolated, as
printed), and the peak resident memory of the process (``resource.getrusage``; each size runs
in a fresh child process, so the peak is that size's, data included). Each stage is timed
``--repeat`` times (default 5) and the best run shown, with the engine's first (cold) run
beside it; on a shared machine the spread between them is the noise of other processes.

A last line prints the cost per event of the tests for listings sharing one date
(:mod:`research.study.significance.joint`, asked for by name only, so none of the above runs
them): the portfolio placebo test, the SUR Wald tests (by linearmodels' SUR, and in the closed form
the pooled tests and the simulation use), and the SUR tests with their bootstrap
(999 draws), on 150 events of six listings each, over the six default windows.

Options: ``--sizes 100 1000`` to choose sizes, ``--no-tests`` to time the engine alone (and skip
the joint line), ``--loop-sample 300`` for the loop's subsample.

``--wide 50000`` times the wide panel of issue 16 instead: N securities x 1,000 days, one event
each (day 0 within 40 sessions, as one designation names many listings), market model: the
engine, the engine plus every test but the bootstrap, the peak memory, and the ratio against the
statsmodels loop (timed on ``--loop-sample`` listings in the same run and scaled to N, as
printed). The engine cuts the panel to the rows the windows reach (``engine.CUT_WORTH``), so its
cost follows the events, not the panel's length. Targets: engine <= 1.5 s, with the tests <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

ESTIMATION = (-270, -21)          # 250 days, ending before the event window
EVENT_WINDOW = (-20, 20)          # 41 days
N_DATES = 2_500


def synthetic(n_events: int, seed: int = 0):
    """Returns of ``min(n, 2000)`` listings over 2,500 days (2% missing, so some trade-to-trade
    spans), a market index, and ``n_events`` listing-events on random days."""
    rng = np.random.default_rng(seed)
    n_sec = min(n_events, 2_000)
    dates = pd.bdate_range("2010-01-04", periods=N_DATES)
    m = rng.normal(0.0003, 0.01, N_DATES)
    beta = rng.uniform(0.5, 1.5, n_sec)
    r = 0.0002 + np.outer(m, beta) + rng.normal(0, 0.02, (N_DATES, n_sec))
    r[rng.random(r.shape) < 0.02] = np.nan
    returns = pd.DataFrame(r, index=dates, columns=[f"S{i:04d}" for i in range(n_sec)])
    market = pd.Series(m, index=dates, name="MKT")
    ticker = rng.integers(0, n_sec, n_events)
    day0 = rng.integers(300, N_DATES - 30, n_events)
    events = pd.DataFrame({"event_id": [f"E{i}" for i in range(n_events)],
                           "ticker": returns.columns[ticker], "day0": dates[day0]})
    return returns, market, events


def synthetic_wide(n_sec: int, n_dates: int = 1_000, seed: int = 0):
    """Returns of ``n_sec`` listings over ``n_dates`` days (2% missing), a market index, and one
    event per listing with day 0 among 40 consecutive sessions from day 600."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2015-01-01", periods=n_dates)
    m = rng.normal(0.0003, 0.01, n_dates)
    r = 0.0002 + np.outer(m, rng.uniform(0.5, 1.5, n_sec)) + rng.normal(0, 0.02, (n_dates, n_sec))
    r[rng.random(r.shape) < 0.02] = np.nan
    returns = pd.DataFrame(r, index=dates, columns=[f"S{i:05d}" for i in range(n_sec)])
    events = pd.DataFrame({"event_id": [f"E{i}" for i in range(n_sec)], "ticker": returns.columns,
                           "day0": dates[rng.integers(600, 640, n_sec)]})
    return returns, pd.Series(m, index=dates, name="MKT"), events


def run_wide(n: int, loop_sample: int, repeat: int) -> dict:
    from research.study import DEFAULT_WINDOWS, event_study, significance

    returns, market, events = synthetic_wide(n)
    res = None

    def engine():
        nonlocal res
        res = None
        res = event_study(returns, market, events, model="market", estimation=ESTIMATION,
                          event_window=EVENT_WINDOW, windows=DEFAULT_WINDOWS)

    engine_best, engine_first = _best(engine, repeat)
    tests, _ = _best(lambda: significance.run_tests(res.panel, res.windows, tests=list(ISSUE_TESTS + EXTRA_TESTS)),
                     repeat)
    single, _ = _best(lambda: significance.single_listing_tests(res.panel, res.windows), repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sample = events.sample(min(loop_sample, n), random_state=1)
    t0 = time.perf_counter()
    loop_statsmodels(returns, market, sample, DEFAULT_WINDOWS)
    per_event = (time.perf_counter() - t0) / len(sample)
    return {"n": n, "engine": engine_best, "engine_first": engine_first, "tests": tests, "single": single,
            "loop_per_event": per_event, "loop_sample": len(sample), "peak_rss_mib": peak / 1024,
            "data_mib": returns.memory_usage().sum() / 2**20}


def print_wide(r: dict) -> None:
    loop = r["loop_per_event"] * r["n"]
    with_tests = r["engine"] + r["tests"] + r["single"]
    print(f"wide panel: {r['n']:,} securities x 1,000 days, one event each, market model; best of the runs "
          f"(engine's first run {r['engine_first']:.2f} s)")
    print(f"  engine {r['engine']:.2f} s (target 1.5); + every test but the bootstrap ({r['tests']:.2f} s) and the "
          f"single-listing tests ({r['single']:.2f} s): {with_tests:.2f} s (target 3)")
    print(f"  statsmodels loop {loop:.1f} s (timed on {r['loop_sample']} listings, scaled to {r['n']:,}): "
          f"{loop / r['engine']:.0f}x the engine, {loop / with_tests:.0f}x with the tests")
    print(f"  peak RSS {r['peak_rss_mib']:.0f} MiB (the returns frame alone {r['data_mib']:.0f} MiB)")


def loop_statsmodels(returns, market, events, windows):
    """The per-listing-event loop a researcher would write: OLS on the estimation window,
    ARs on the event window, CAR and its prediction-error variance per window."""
    import statsmodels.api as sm

    out = []
    for ev in events.itertuples():
        r = returns[ev.ticker].dropna()
        pos0 = r.index.searchsorted(ev.day0)
        est = r.iloc[pos0 + ESTIMATION[0]: pos0 + ESTIMATION[1] + 1]
        evt = r.iloc[pos0 + EVENT_WINDOW[0]: pos0 + EVENT_WINDOW[1] + 1]
        X = sm.add_constant(market.reindex(est.index).to_numpy())
        fit = sm.OLS(est.to_numpy(), X, missing="drop").fit()
        Xe = sm.add_constant(market.reindex(evt.index).to_numpy(), has_constant="add")
        ar = evt.to_numpy() - Xe @ fit.params
        cov = fit.cov_params()
        for a, b in windows:
            sl = slice(a - EVENT_WINDOW[0], b - EVENT_WINDOW[0] + 1)
            s = Xe[sl].sum(axis=0)
            out.append((ar[sl].sum(), fit.scale * (b - a + 1) + s @ cov @ s))
    return out


#: the pooled tests named by the issue (every test but the bootstrap), and the kit's others
ISSUE_TESTS = ("csect_t", "brown_warner_1980", "brown_warner_1985", "patell", "bmp", "patell_kp",
               "bmp_kp", "corrado", "grank", "gsign", "wilcoxon")
EXTRA_TESTS = ("modified_rank", "grank_scar", "sign", "corrado_sign")


def _best(func, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times), times[0]


def run_one(n: int, with_tests: bool, loop_sample: int, repeat: int) -> dict:
    from research.study import DEFAULT_WINDOWS, event_study
    from research.study import significance

    assert set(ISSUE_TESTS + EXTRA_TESTS) == set(significance.TEXTBOOK_TESTS) - {"bootstrap"}
    returns, market, events = synthetic(n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = None

    def engine():
        nonlocal res
        res = None                                   # the previous run's arrays are freed first
        res = event_study(returns, market, events, model="market", estimation=ESTIMATION,
                          event_window=EVENT_WINDOW, windows=DEFAULT_WINDOWS)

    engine_best, engine_first = _best(engine, repeat)
    nan = float("nan")
    tests = single = extra = nan
    if with_tests:
        tests, _ = _best(lambda: significance.run_tests(res.panel, res.windows, tests=list(ISSUE_TESTS)), repeat)
        single, _ = _best(lambda: significance.single_listing_tests(res.panel, res.windows), repeat)
        extra, _ = _best(lambda: significance.run_tests(res.panel, res.windows, tests=list(EXTRA_TESTS)), repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sample = events.sample(min(loop_sample, n), random_state=1)
    t2 = time.perf_counter()
    loop_statsmodels(returns, market, sample, DEFAULT_WINDOWS)
    per_event = (time.perf_counter() - t2) / len(sample)
    return {"n": n, "used": res.panel.n, "engine": engine_best, "engine_first": engine_first,
            "tests": tests, "single": single, "extra": extra,
            "loop_per_event": per_event, "loop_sample": len(sample),
            "peak_rss_mib": peak / 1024, "rss_before_mib": rss_before / 1024}


def joint_cost(n_events: int = 150, listings: int = 6, repeat: int = 3) -> dict:
    """Seconds per event of the placebo test, the SUR Wald tests (fitted by linearmodels' SUR, as
    ``joint_tests`` does, and in the closed form of the pooled tests) and the SUR tests with the
    bootstrap, each event ``listings`` listings sharing its day 0, over the default windows."""
    from research.study import DEFAULT_WINDOWS, event_study
    from research.study import significance

    returns, market, _ = synthetic(n_events * listings)
    rng = np.random.default_rng(1)
    day0 = returns.index[rng.integers(300, N_DATES - 30, n_events)]
    events = pd.DataFrame({"event_id": np.repeat([f"E{i}" for i in range(n_events)], listings),
                           "ticker": returns.columns[:n_events * listings], "day0": np.repeat(day0, listings)})
    res = event_study(returns, market, events, model="market", estimation=ESTIMATION, event_window=EVENT_WINDOW,
                      windows=DEFAULT_WINDOWS)
    assert res.panel.est_x is not None, "a study this size keeps its design (engine.DESIGN_CELLS)"
    groups = res.keys["event_id"]
    out = {}
    for name, tests in (("placebo", ["placebo_portfolio"]), ("sur", ["sur_wald", "sur_wald_mean"]),
                        ("sur_boot", ["sur_boot", "sur_boot_mean"])):
        best, _ = _best(lambda: significance.joint_tests(res.panel, res.windows, groups=groups, tests=tests,
                                                         n_boot=999, seed=0), repeat)
        out[name] = best / n_events
    best, _ = _best(lambda: significance.run_tests(res.panel, res.windows, groups=groups,
                                                   tests=["sur_wald", "sur_wald_mean"]), repeat)
    out["sur_closed"] = best / n_events
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    parser.add_argument("--no-tests", action="store_true")
    parser.add_argument("--loop-sample", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each stage per size; the best is shown")
    parser.add_argument("--wide", type=int, metavar="N", help="the wide panel: N securities x 1,000 days instead")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.wide:
        print_wide(run_wide(args.wide, args.loop_sample, args.repeat))
        return
    if args.one:
        print(json.dumps(run_one(args.one, not args.no_tests, args.loop_sample, args.repeat)))
        return
    import research

    print(f"research {research.__version__}, numpy {np.__version__}, pandas {pd.__version__}; "
          f"estimation {ESTIMATION} (250 days), event window {EVENT_WINDOW} (41 days), market model")
    print(f"seconds, best of {args.repeat} runs (the engine's first, cold run in brackets); total = engine + "
          f"tests + single; all = total + extra; the statsmodels loop is timed on a random subsample and "
          f"extrapolated")
    head = (f"{'n':>8} {'engine':>7} {'(cold)':>7} {'tests':>7} {'single':>7} {'extra':>7} {'total':>7} "
            f"{'all':>7} {'total/s':>9} {'loop (extrap.)':>16} {'x loop (engine)':>15} {'x loop (total)':>14} "
            f"{'peak RSS MiB':>12}")
    print(head)
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--loop-sample", str(args.loop_sample),
               "--repeat", str(args.repeat)]
        if args.no_tests:
            cmd.append("--no-tests")
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode:
            print(f"{n:>8} failed:\n{out.stderr}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        parts = [r["engine"]] + [0.0 if np.isnan(r[k]) else r[k] for k in ("tests", "single")]
        total = sum(parts)
        everything = total + (0.0 if np.isnan(r["extra"]) else r["extra"])
        loop = r["loop_per_event"] * n
        print(f"{n:>8} {r['engine']:>7.3f} {r['engine_first']:>7.3f} {r['tests']:>7.3f} {r['single']:>7.3f} "
              f"{r['extra']:>7.3f} {total:>7.3f} {everything:>7.3f} {n / total:>9.0f} "
              f"{loop:>9.1f} (n={r['loop_sample']}) {loop / r['engine']:>14.0f}x {loop / total:>13.0f}x "
              f"{r['peak_rss_mib']:>12.0f}")
    if not args.no_tests:
        j = joint_cost(repeat=args.repeat)
        print("joint tests per event (150 events of 6 listings sharing a date, the default windows): "
              f"placebo {1e3 * j['placebo']:.2f} ms, SUR Wald {1e3 * j['sur']:.2f} ms by linearmodels' SUR "
              f"({1e3 * j['sur_closed']:.2f} ms in the closed form), "
              f"SUR with 999 bootstrap draws {1e3 * j['sur_boot']:.1f} ms")


if __name__ == "__main__":
    main()
