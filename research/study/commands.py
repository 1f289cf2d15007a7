"""``research run``: a catalogue event studied on the store, summary printed, files written."""

from __future__ import annotations

import re

from research import config
from research.errors import ResearchError

_DAYS = re.compile(r"^\s*\[?\s*(-?\d+)\s*[,:]\s*(-?\d+)\s*\]?\s*$")
_DATES = re.compile(r"^\s*\[?\s*(\d{4}-\d{2}-\d{2})\s*[,:]\s*(\d{4}-\d{2}-\d{2})\s*\]?\s*$")


def add_commands(sub) -> None:
    from research.study.engine import DEFAULT_MIN_ESTIMATION
    from research.study.models import MODELS

    p = sub.add_parser(
        "run", help="run an event study of catalogue events on the price store",
        description="Align each listing of the events, estimate the model, compute ARs, CARs and BHARs, "
                    "run the tests, print the summary and write ar.csv, car.csv, tests.csv, "
                    "confounders.csv and run.json. Windows that start with a minus sign need '=': "
                    "--estimation=-250,-11 --windows='-1,1 0,5'.")
    p.add_argument("event_ids", nargs="+", metavar="EVENT_ID", help="catalogue event ids (`research events`)")
    p.add_argument("--model", default="market", choices=sorted(MODELS), help="expected-return model (default: market)")
    p.add_argument("--estimation", default="-250,-11",
                   help="estimation window: relative trading days 'A,B' or dates 'YYYY-MM-DD,YYYY-MM-DD' (default -250,-11)")
    p.add_argument("--windows", default="0,0 -1,1 0,1 0,5 -5,5 -10,20",
                   help="CAR windows, space-separated 'A,B' pairs of relative days (default: '0,0 -1,1 0,1 0,5 -5,5 -10,20')")
    p.add_argument("--benchmark", help="one benchmark ticker for every listing (default: each listing's registry benchmark)")
    p.add_argument("--factors", help="CSV of daily factor returns for --model factor")
    p.add_argument("--date-only-rule", default="same_day", choices=["same_day", "next_open"],
                   help="day 0 of an announcement known only to the date (default: same_day)")
    p.add_argument("--min-estimation", type=int, default=DEFAULT_MIN_ESTIMATION,
                   help=f"fewest estimation-window returns a listing needs (default {DEFAULT_MIN_ESTIMATION})")
    p.add_argument("--seed", type=int, default=20240501, help="seed of the bootstrap (default 20240501)")
    p.add_argument("--out", help="folder for the files (default: the results folder's run/EVENT_ID)")
    p.set_defaults(handler=cmd_run)


def parse_window(text: str, what: str):
    """``'-1,1'`` -> (-1, 1); ``'2021-01-01,2021-12-31'`` -> (date, date); else a clear error."""
    if m := _DAYS.match(text):
        return int(m.group(1)), int(m.group(2))
    if m := _DATES.match(text):
        return m.group(1), m.group(2)
    raise ResearchError(f"{what} {text!r}: write 'A,B' in relative trading days (e.g. -250,-11) or "
                        f"'YYYY-MM-DD,YYYY-MM-DD'")


def cmd_run(args) -> int:
    import pandas as pd

    from research.study.catalogue import study_events
    from research.study.models import read_factors_csv

    estimation = parse_window(args.estimation, "--estimation")
    windows = [parse_window(w, "--windows") for w in args.windows.split()]
    if not windows:
        raise ResearchError("--windows: name at least one window, e.g. '0,0 -1,1'")
    if any(isinstance(w[0], str) for w in windows):
        raise ResearchError("--windows takes relative trading days ('0,1'), not dates")
    factors = read_factors_csv(args.factors) if args.factors else None
    results = study_events(args.event_ids, model=args.model, estimation=estimation, windows=windows,
                           benchmark=args.benchmark, factors=factors, date_only_rule=args.date_only_rule,
                           min_estimation=args.min_estimation, seed=args.seed)
    print(results.summary())
    print()
    listing_cars = results.car[["event_id", "ticker", "role", "window", "car", "bhar", "t_stat", "p_value"]]
    with pd.option_context("display.width", 160, "display.max_rows", None, "display.float_format", "{:.6f}".format):
        print("Per listing (CAR t-statistic from the model's prediction-error variance):")
        print(listing_cars.to_string(index=False))
        print()
        if len(results.confounders):
            print("Confounders: other catalogue events inside the event window")
            print(results.confounders.drop(columns="title").to_string(index=False))
        else:
            print("Confounders: no other catalogue event inside the event window")
    out = args.out or config.results_dir() / "run" / "+".join(args.event_ids)
    path = results.write(out)
    results.confounders.to_csv(path / "confounders.csv", index=False, date_format="%Y-%m-%d")
    print(f"\nwrote ar.csv, car.csv, tests.csv, confounders.csv, run.json to {path}")
    return 0
