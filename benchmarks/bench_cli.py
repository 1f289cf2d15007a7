"""Start-up time of the command line beside ``python -c "import pandas"``, in the same run.

    python benchmarks/bench_cli.py [--runs 7]

Each command runs ``--runs`` times in a fresh interpreter (the median is printed, with the
difference from the pandas import and the ratio to it). ``research events`` and
``research prices`` read a temporary store into which the shared prices are imported first
(``$RESEARCH_MIRROR`` or ../shared/data/prices), so the figures do not depend on the user's store.
Targets (issue 12): ``--help`` within 0.3 s of the pandas import, ``events`` within 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"research --help": 0.3, "research events": 1.0}


def timed(argv: list[str], env: dict, runs: int) -> float:
    """Median wall time of ``argv`` over ``runs`` runs (output discarded; a failure stops the bench)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (default 7)")
    args = parser.parse_args()
    prices = os.environ.get("RESEARCH_MIRROR") or str(ROOT.parent / "shared" / "data" / "prices")
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        env = {**os.environ, "RESEARCH_STORE": str(Path(tmp) / "store"), "RESEARCH_OFFLINE": "1",
               "RESEARCH_RESULTS": str(Path(tmp) / "results")}
        subprocess.run([python, "-m", "research.cli", "import", prices], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli = [python, "-m", "research.cli"]
        commands = {
            'python -c "import pandas"': [python, "-c", "import pandas"],
            "research --help": [*cli, "--help"],
            "research events": [*cli, "events"],
            "research prices": [*cli, "prices"],
        }
        seconds = {name: timed(argv, env, args.runs) for name, argv in commands.items()}
    base = seconds['python -c "import pandas"']
    load = os.getloadavg()
    print(f"median of {args.runs} runs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{os.cpu_count()} cores")
    print(f"{'command':<28}{'seconds':>9}{'- pandas':>10}{'/ pandas':>10}  target")
    for name, s in seconds.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f"within {target} s: {'yes' if s - base <= target else 'NO'}"
        print(f"{name:<28}{s:>9.3f}{s - base:>+10.3f}{s / base:>10.2f}  {verdict}")


if __name__ == "__main__":
    main()
