"""Time to execute every episode notebook (and the overview) from the imported prices.

Run ``python benchmarks/bench_notebooks.py`` (a script, not a test). It imports the shared price
files into a temporary store (``--prices``, default ``../shared/data/prices``; not timed), then
executes the five episode notebooks and the overview with papermill, ``--jobs`` kernels at a
time (default 2, the cores of the reference machine), and prints each notebook's own execution
time and the wall time of the whole set. Target: under 60 s in all. ``--strict`` runs them with
warnings as errors, as CI does; ``--no-overview`` times the five episodes alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--prices", default=str(root.parent / "shared" / "data" / "prices"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--no-overview", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as tmp:
        os.environ.update({"RESEARCH_STORE": str(Path(tmp) / "store"), "RESEARCH_RESULTS": str(Path(tmp) / "results"),
                           "RESEARCH_OFFLINE": "1"})
        os.environ.pop("RESEARCH_MIRROR", None)
        from research.prices import import_csv
        from research.report import notebooks

        import_csv(args.prices)
        names = list(notebooks.EPISODE_NOTEBOOKS) + ([] if args.no_overview else ["overview"])
        started = time.perf_counter()
        runs = notebooks.execute_many(names, Path(tmp) / "results", jobs=args.jobs, strict=args.strict)
        wall = time.perf_counter() - started
    print(f"{'notebook':<28} {'seconds':>8}")
    for run in runs:
        print(f"{run.name:<28} {run.seconds:>8.1f}")
    verdict = "within" if wall < TARGET_SECONDS else "OVER"
    print(f"{'all (' + str(len(runs)) + ' notebooks, ' + str(args.jobs) + ' at a time)':<28} {wall:>8.1f}  "
          f"({verdict} the {TARGET_SECONDS:.0f} s target, {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
