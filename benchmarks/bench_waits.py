"""Every wait a user feels, timed in one run on the shared prices in a temporary store (issue 16).

    python benchmarks/bench_waits.py [--runs 3] [--events ID ...] [--skip report paper] [--profile 25]

It imports the shared prices (``$RESEARCH_MIRROR`` or ../shared/data/prices) into a temporary
store and results folder (not timed), then times, each as a fresh process:

* start-up: ``research --help``, ``events`` and ``prices`` beside ``python -c "import pandas"``
  (the median of ``--runs``; benchmarks/bench_cli.py does the same with more runs);
* ``research run EVENT`` for every catalogue event, *cold* (the first run after installation:
  empty numba and calendar caches; where ``research build`` compiles the kernels, that is timed
  once on its own and a cold run starts with empty calendars only) and *warm* (the median of
  ``--runs`` further runs);
* ``research report --all`` (each notebook's own time, as the command prints it, and the wall);
* ``research paper --all``;

and prints one table with the load average before and after, then cProfile's top entries
(cumulative time) of a cold and a warm ``research run`` of the first event. The caches a cold run
starts without are those the kit keeps outside the results folder: ``NUMBA_CACHE_DIR`` and
``RESEARCH_CACHE`` point into the temporary folder, emptied before each cold run.
Targets (issue 16): run warm <= 1.5 s, cold <= 10 s; the five episodes and the overview <= 30 s.
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"run warm": 1.5, "run cold": 10.0, "report --all (episodes + overview)": 30.0}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run(argv: list[str], env: dict, may_fail: bool = False) -> tuple[float, str]:
    """Wall time and stdout of ``argv``; a failure stops the bench, naming the command, unless
    ``may_fail`` (an event no listing of which can be studied exits 2: its time is still a wait)."""
    global CPU
    before, start = children_cpu(), time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds, CPU = time.perf_counter() - start, children_cpu() - before
    if done.returncode != 0 and not (may_fail and done.returncode == 2):
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr.strip()[-2000:]}")
    return seconds, done.stdout + ("" if done.returncode == 0 else f"(exit {done.returncode})")


def median(argv: list[str], env: dict, runs: int, may_fail: bool = False) -> float:
    global CPU
    walls, cpus = [], []
    for _ in range(runs):
        walls.append(run(argv, env, may_fail)[0])
        cpus.append(CPU)
    CPU = statistics.median(cpus)
    return statistics.median(walls)


#: CPU seconds (user + system) of the last command and its children, whatever the machine's load
CPU = 0.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def show(rows: list, name: str, seconds: float, note: str = "") -> None:
    rows.append((name, seconds, CPU, load(), note))
    print(f"{name:<44}{seconds:>9.2f}{CPU:>9.2f}  {load()}  {note}", flush=True)


def empty_caches(caches: list[Path]) -> None:
    for folder in caches:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)


def event_ids(env: dict) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from research.events.catalogue import load_catalogue

    return list(load_catalogue())


def has_compile_kernels() -> bool:
    sys.path.insert(0, str(ROOT))
    from research.study import engine

    return hasattr(engine, "compile_kernels")


def profile(argv: list[str], env: dict, top: int) -> str:
    """cProfile's ``top`` entries by cumulative time for ``python -m cProfile argv``."""
    with tempfile.NamedTemporaryFile(suffix=".prof", delete=False) as f:
        out = f.name
    try:
        run([sys.executable, "-m", "cProfile", "-o", out, *argv], env)
        text = io.StringIO()
        pstats.Stats(out, stream=text).sort_stats("cumulative").print_stats(top)
        lines = text.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        return "\n".join(lines[start - 2: start + top + 1])
    finally:
        os.unlink(out)


def main(argv=None) -> int:
    global CPU
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs per command; the median is shown (default 3)")
    parser.add_argument("--events", nargs="+", help="catalogue events to run (default: all)")
    parser.add_argument("--skip", nargs="+", default=[], choices=["startup", "run", "report", "paper"])
    parser.add_argument("--jobs", type=int, help="research report --all --jobs N (default: the command's own)")
    parser.add_argument("--profile", type=int, default=25, help="profile entries shown (0: no profile)")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set (default: Python's bytecode cache, as users have)")
    args = parser.parse_args(argv)
    prices = os.environ.get("RESEARCH_MIRROR") or str(ROOT.parent / "shared" / "data" / "prices")
    python, rows = sys.executable, []
    with tempfile.TemporaryDirectory(prefix="bench-waits-") as tmp:
        tmp = Path(tmp)
        caches = [tmp / "numba", tmp / "cache"]
        env = {**os.environ, "RESEARCH_STORE": str(tmp / "store"), "RESEARCH_RESULTS": str(tmp / "results"),
               "RESEARCH_OFFLINE": "1", "NUMBA_CACHE_DIR": str(caches[0]), "RESEARCH_CACHE": str(caches[1]),
               "MPLBACKEND": "Agg"}
        env.pop("RESEARCH_MIRROR", None)       # everything from the store, as after the main job's import
        if not args.no_bytecode:
            # Python's default, as on a user's machine: each module compiled once and kept in
            # __pycache__ (PYTHONDONTWRITEBYTECODE recompiles the kit's modules in every command)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        # what the user types: the `research` command pip installed beside this Python
        script = Path(python).with_name("research")
        cli = [str(script)] if script.is_file() else [python, "-m", "research.cli"]
        run([*cli, "import", prices], env)
        print(f"load average at start {load()}; {os.cpu_count()} cores; bytecode cache "
              f"{'off' if env.get('PYTHONDONTWRITEBYTECODE') else 'on'}; warm figures are the median of "
              f"{args.runs} runs; cpu: user + system seconds of the command and its children (all cores)\n"
              f"{'what the user waits for':<44}{'seconds':>9}{'cpu':>9}  load average (1, 5, 15 min) after",
              flush=True)
        if "startup" not in args.skip:
            for name, command in {'python -c "import pandas"': [python, "-c", "import pandas"],
                                  "research --help": [*cli, "--help"], "research events": [*cli, "events"],
                                  "research prices": [*cli, "prices"]}.items():
                show(rows, name, median(command, env, args.runs))
        if "run" not in args.skip:
            # a kit whose `research build` compiles the kernels: time that once; a cold run is
            # then the first after installation and build (calendars not yet cached)
            builds = has_compile_kernels()
            if builds:
                empty_caches(caches)
                show(rows, "kernels compiled (in research build)",
                     run([python, "-c", "from research.study.engine import compile_kernels; compile_kernels()"],
                         env)[0])
            for eid in args.events or event_ids(env):
                empty_caches(caches[1:] if builds else caches)
                seconds, out = run([*cli, "run", eid, "--force"], env, may_fail=True)
                show(rows, f"run {eid} cold", seconds, "(exit 2: nothing to study)" if "(exit 2)" in out else "")
                show(rows, f"run {eid} warm", median([*cli, "run", eid, "--force"], env, args.runs, may_fail=True))
        if "report" not in args.skip:
            jobs = ["--jobs", str(args.jobs)] if args.jobs else []
            seconds, out = run([*cli, "report", "--all", *jobs], env)
            total = CPU
            for name, s in re.findall(r"^(\S+): executed in ([\d.]+) s", out, flags=re.M):
                CPU = float("nan")           # not measured per notebook
                show(rows, f"  notebook {name}", float(s))
            CPU = total
            show(rows, f"report --all (wall{', jobs ' + str(args.jobs) if args.jobs else ''})", seconds)
        if "paper" not in args.skip:
            show(rows, "paper --all", run([*cli, "paper", "--all"], env)[0])
        if args.profile and "run" not in args.skip:
            eid = (args.events or event_ids(env))[0]
            empty_caches(caches[1:] if has_compile_kernels() else caches)
            print(f"\ncProfile, research run {eid}, cold:\n" + profile(["-m", "research.cli", "run", eid, "--force"],
                                                                         env, args.profile))
            print(f"\ncProfile, research run {eid}, warm:\n" + profile(["-m", "research.cli", "run", eid, "--force"],
                                                                         env, args.profile))
    print(f"\nload average at end {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
