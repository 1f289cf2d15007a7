"""Time of :func:`research.study.simulation.simulate` for 1,000 samples of 50 listings.

Run ``python benchmarks/bench_simulation.py`` (a script, not a test) on a store holding the
shared prices (``research build ../shared/data/prices``, or ``RESEARCH_STORE`` pointing at one).
It times 1,000 samples x 50 listings, independent dates, every test but the bootstrap, windows
[0,0], [0,1], [-1,1] (the target is under 30 s), split into the draw (reading the store, the
eligible days), the one event study of the 50,000 listing-events and the tests; then the same
with the four injected abnormal returns (0, 0.5 %, 1 %, 2 %: one more run of the tests each).
It prints the machine's load average beside the times, since other work on a shared machine
slows them. Options: ``--samples``, ``--size``, ``--repeat`` (best of, default 1).

``--validation`` times instead the two simulations of ``notebooks/validation.py`` as it calls
them (every design and size, and the joint tests' one; 1,000 samples, seed 2024), wall and CPU
seconds (user + system, every thread) with the load average: the cost of a cold validation
notebook (issue 16: <= 60 s), less the kernel's start and the tables.
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    from research.study.simulation import DEFAULT_KS, simulate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--validation", action="store_true", help="the validation notebook's two simulations")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.validation:
        validation()
        return
    for ks, what in (((0.0,), "k = 0"), (DEFAULT_KS, "k = 0, 0.5%, 1%, 2%")):
        best = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            sim = simulate(args.samples, sizes=(args.size,), designs=("independent",), ks=ks, seed=1)
            wall = time.perf_counter() - start
            if best is None or wall < best[0]:
                best = (wall, sim.seconds)
        wall, sec = best
        print(f"{args.samples:,} samples x {args.size} listings, {what}, every test but the bootstrap: "
              f"{wall:.1f} s (draw {sec['draw']:.1f} s, event study {sec['event_study']:.1f} s, "
              f"tests {sec['tests']:.1f} s); load average {os.getloadavg()[0]:.2f}")


def validation() -> None:
    """The simulations of notebooks/validation.py, with its parameters."""
    from research.study.significance import JOINT_TESTS
    from research.study.simulation import simulate

    calls = {"main (every design and size)": dict(sizes=[4, 5, 6, 7, 8, 10, 50], ks=[0.0, 0.005, 0.01, 0.02]),
             "joint tests (clustered, 199 draws)": dict(
                 sizes=[4, 5, 6, 7], ks=[0.0, 0.01, 0.02], designs=["clustered"], windows=[(0, 0)],
                 tests=["bmp", "bmp_kp", "grank_scar", *JOINT_TESTS], n_boot=199)}
    for name, kw in calls.items():
        start, cpu = time.perf_counter(), time.process_time()
        simulate(1000, seed=2024, **kw)
        print(f"{name}: {time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
