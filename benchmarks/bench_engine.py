"""Speed and memory of the event-study engine on synthetic listing-events.

Run ``python benchmarks/bench_engine.py`` (a script, not a test). For 100, 1,000, 10,000 and
100,000 listing-events (250-day estimation window, 41-day event window [-20, +20], market
model, the default CAR windows) it prints listing-events per second for

* ``engine``: :func:`research.study.event_study` (alignment, fits, ARs, CARs, BHARs),
* ``tests``: every pooled test of ``significance.run_tests`` but the bootstrap (and GARCH,
  which is a model, is not used), over the six default windows,
* ``total``: both,

the speed ratio against a loop that fits statsmodels OLS per listing-event and computes the same
ARs, CARs and prediction-error variances (timed on a subsample and extrapolated, as printed),
and the peak resident memory of the process (``resource.getrusage``; each size runs in a fresh
child process, so the peak is that size's, data included). The engine is timed ``--repeat``
times (default 3) and the best run shown, with the first (cold) run beside it; on a shared
machine the spread between them is the noise of other processes.

Options: ``--sizes 100 1000`` to choose sizes, ``--no-tests`` to time the engine alone,
``--loop-sample 300`` for the loop's subsample.
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


def run_one(n: int, with_tests: bool, loop_sample: int, repeat: int) -> dict:
    from research.study import DEFAULT_WINDOWS, event_study
    from research.study import significance

    returns, market, events = synthetic(n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    engine = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = event_study(returns, market, events, model="market", estimation=ESTIMATION,
                          event_window=EVENT_WINDOW, windows=DEFAULT_WINDOWS)
        engine.append(time.perf_counter() - t0)
    tests_time = float("nan")
    if with_tests:
        names = [t for t in significance.TEXTBOOK_TESTS if t != "bootstrap"]
        t1 = time.perf_counter()
        significance.run_tests(res.panel, res.windows, tests=names)
        tests_time = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sample = events.sample(min(loop_sample, n), random_state=1)
    t2 = time.perf_counter()
    loop_statsmodels(returns, market, sample, DEFAULT_WINDOWS)
    per_event = (time.perf_counter() - t2) / len(sample)
    return {"n": n, "used": res.panel.n, "engine": min(engine), "engine_first": engine[0], "tests": tests_time,
            "loop_per_event": per_event, "loop_sample": len(sample),
            "peak_rss_mib": peak / 1024, "rss_before_mib": rss_before / 1024}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    parser.add_argument("--no-tests", action="store_true")
    parser.add_argument("--loop-sample", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="engine runs per size; the best is shown")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, not args.no_tests, args.loop_sample, args.repeat)))
        return
    import research

    print(f"research {research.__version__}, numpy {np.__version__}, pandas {pd.__version__}; "
          f"estimation {ESTIMATION} (250 days), event window {EVENT_WINDOW} (41 days), market model")
    print(f"listing-events/s; engine = best of {args.repeat} runs (first, cold run in brackets); tests = one run; "
          f"the statsmodels loop is timed on a random subsample and extrapolated")
    head = (f"{'n':>8} {'engine s':>9} {'(cold)':>8} {'tests s':>9} {'total s':>9} {'engine/s':>10} {'total/s':>10} "
            f"{'loop s (extrap.)':>17} {'x loop (engine)':>15} {'x loop (total)':>14} {'peak RSS MiB':>13}")
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
        total = r["engine"] + (0 if np.isnan(r["tests"]) else r["tests"])
        loop = r["loop_per_event"] * n
        print(f"{n:>8} {r['engine']:>9.3f} {r['engine_first']:>8.3f} {r['tests']:>9.3f} {total:>9.3f} {n / r['engine']:>10.0f} "
              f"{n / total:>10.0f} {loop:>12.1f} (n={r['loop_sample']}) {loop / r['engine']:>10.0f}x "
              f"{loop / total:>13.0f}x {r['peak_rss_mib']:>13.0f}")


if __name__ == "__main__":
    main()
