"""``research run``: a catalogue event studied on the store, summary printed, files written."""

from __future__ import annotations

from research import config
from research.commands import add_command
from research.errors import ResearchError
from research.files import write_text
from research.outputs import check_output_file, check_output_folder
from research.study.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS, parse_window, window_text


def add_commands(sub, only: str | None = None) -> None:
    """Register ``run`` and ``simulate``; a command's options are built only when it runs (``only``)."""
    add_command(sub, "run", "run an event study of catalogue events on the price store", _run_parser, only)
    add_command(sub, "simulate", "size and power of every test on samples drawn from the store's returns",
                _simulate_parser, only)


def _run_parser(p) -> None:
    from research.events.alignment import DATE_ONLY_RULES, DEFAULT_DATE_ONLY_RULE
    from research.study.engine import DEFAULT_MIN_ESTIMATION, DEFAULT_SEED
    from research.study.models import MODELS

    estimation, windows = window_text(DEFAULT_ESTIMATION), " ".join(map(window_text, DEFAULT_WINDOWS))
    p.description = ("Align each listing of the events, estimate the model, compute ARs, CARs and BHARs, "
                     "run the tests, print the summary and write ar.csv, car.csv, tests.csv, "
                     "confounders.csv and run.json. Windows that start with a minus sign need '=': "
                     f"--estimation={estimation} --windows='-1,1 0,5'.")
    p.add_argument("event_ids", nargs="*", metavar="EVENT_ID", help="catalogue event ids (`research events`)")
    p.add_argument("--programme", action="append", metavar="NAME",
                   help="instead of event ids: every priced event of this programme as one panel keyed by (event, "
                        "listing), printed as CAAR with the tests that hold under shared dates (repeat for several; "
                        "`all` for every programme)")
    p.add_argument("--exclude", action="append", default=[], metavar="EVENT_ID",
                   help="with --programme: leave this event out (repeat), e.g. a reversal; removals from a list "
                        "are always left out")
    p.add_argument("--model", default="market", choices=sorted(MODELS), help="expected-return model (default: market)")
    p.add_argument("--estimation", default=estimation,
                   help=f"estimation window: relative trading days 'A,B' or dates 'YYYY-MM-DD,YYYY-MM-DD' (default {estimation})")
    p.add_argument("--windows", default=windows,
                   help=f"CAR windows, space-separated 'A,B' pairs of relative days (default: '{windows}')")
    p.add_argument("--benchmark", help="one benchmark ticker for every listing (default: each listing's registry benchmark)")
    p.add_argument("--factors", help="CSV of daily factor returns for --model factor")
    p.add_argument("--date-only-rule", default=DEFAULT_DATE_ONLY_RULE, choices=list(DATE_ONLY_RULES),
                   help=f"day 0 of an announcement known only to the date (default: {DEFAULT_DATE_ONLY_RULE})")
    p.add_argument("--min-estimation", type=int, default=DEFAULT_MIN_ESTIMATION,
                   help=f"fewest estimation-window returns a listing needs (default {DEFAULT_MIN_ESTIMATION})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the bootstrap (default {DEFAULT_SEED})")
    p.add_argument("--out", help="folder for the files (default: the results folder's run/EVENT_ID); a new or "
                                 "empty folder, or an earlier output of research")
    p.add_argument("--force", action="store_true", help="write into an --out folder that holds other files")
    p.add_argument("--strict", action="store_true",
                   help="exit 2 (writing nothing) when any listing-event is excluded, after listing them")
    p.add_argument("--require-adjusted", action="store_true", default=None,
                   help="exit 2 when a listing or benchmark that is not an index has neither an adjusted close nor "
                        "a previous close (default: a note in the summary; also RESEARCH_REQUIRE_ADJUSTED=1)")
    p.add_argument("--catalogue", metavar="PATH",
                   help="event catalogue (default data/events.yaml or $RESEARCH_CATALOGUE)")
    p.set_defaults(handler=cmd_run)


def cmd_run(args) -> int:
    import pandas as pd

    from research.study.bridge import study_events
    from research.study.models import read_factors_csv

    estimation = parse_window(args.estimation, "--estimation")
    windows = [parse_window(w, "--windows") for w in args.windows.split()]
    if not windows:
        raise ResearchError("--windows: name at least one window, e.g. '0,0 -1,1'")
    if any(isinstance(w[0], str) for w in windows):
        raise ResearchError("--windows takes relative trading days ('0,1'), not dates")
    factors = read_factors_csv(args.factors) if args.factors else None
    options = dict(model=args.model, estimation=estimation, windows=windows, benchmark=args.benchmark,
                   factors=factors, date_only_rule=args.date_only_rule, min_estimation=args.min_estimation,
                   seed=args.seed, require_adjusted=args.require_adjusted)
    if args.programme and args.event_ids:
        raise ResearchError("name event ids, or --programme NAME for a programme's pooled study, not both")
    if not args.programme and not args.event_ids:
        raise ResearchError("name the event ids to study (`research events` lists them), or --programme NAME")
    if args.exclude and not args.programme:
        raise ResearchError("--exclude goes with --programme (name the events to study instead)")
    if args.programme:
        return _run_programmes(args, options)
    folder = check_output_folder(args.out or config.results_dir() / "run" / "+".join(args.event_ids),
                                 force=args.force)   # before any work: a bad --out fails at once
    results = study_events(args.event_ids, catalogue=config.catalogue_file(args.catalogue), **options)
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
    if args.strict and len(results.excluded):
        names = ", ".join(f"{r.event_id} {r.ticker}" for r in results.excluded.itertuples())
        raise ResearchError(f"--strict: {len(results.excluded)} listing-event(s) excluded ({names}); nothing written")
    path = results.write(folder, force=args.force)
    print(f"\nwrote ar.csv, car.csv, tests.csv, confounders.csv, run.json to {path}")
    return 0


def _run_programmes(args, options) -> int:
    """``research run --programme``: one pooled study per programme, its table, notes and files."""
    import pandas as pd

    from research.events.catalogue import PROGRAMMES, load_catalogue
    from research.events.reaction import PriceBook
    from research.events.selection import Selection, select_events
    from research.study.pooled import pooled_study, programme_table

    catalogue = load_catalogue(config.catalogue_file(args.catalogue))
    if "all" in args.programme:
        names = [p for p in PROGRAMMES if select_events(catalogue, Selection(programmes=(p,)))]
    else:
        names = list(dict.fromkeys(Selection.parse(args.programme).programmes))
    base = args.out or config.results_dir() / "run"
    folders = {p: check_output_folder(f"{base}/programme-{p}", force=args.force) for p in names}
    book, pooled, failed = PriceBook(), {}, []
    for programme in names:
        try:
            pooled[programme] = pooled_study(programme, catalogue=catalogue, exclude=args.exclude, book=book,
                                             **options)
        except ResearchError as exc:
            if len(names) == 1:
                raise
            failed.append(f"{programme}: {exc}")
    table = programme_table(pooled)
    tests = [c.removesuffix("_p") for c in table.columns if c.endswith("_p")]
    shown = table[["programme", "window", "events", "n"]].assign(
        **{"CAAR %": (100 * table["caar"]).map("{:+.2f}".format)},
        **{test: table[f"{test}_p"].map("{:.3f}".format) for test in tests})
    with pd.option_context("display.width", 200, "display.max_rows", None):
        print("Pooled CAAR per programme; two-sided p-values of the tests that allow for listings sharing "
              "an event date (statistics in each folder's tests.csv):")
        print(shown.to_string(index=False))
    for programme, results in pooled.items():
        print(f"\n{programme}: {len(results.provenance['pooled']['events'])} event(s) studied: "
              + ", ".join(results.provenance["pooled"]["events"]))
        for note in results.notes:
            print(f"  note: {note}")
    for line in failed:
        print(f"\nnot studied: {line}")
    if args.strict and any(len(r.excluded) for r in pooled.values()):
        raise ResearchError("--strict: listing-events were excluded (see the notes); nothing written")
    for programme, results in pooled.items():
        path = results.write(folders[programme], force=args.force)
        print(f"wrote {programme} to {path}")
    return 1 if failed else 0


def _simulate_parser(p) -> None:
    """``research simulate``: size and power of every test on the store's returns."""
    from research.events.alignment import DEFAULT_WINDOW
    from research.study.models import MODELS
    from research.study.simulation import DEFAULT_PERIOD, DEFAULT_SIZES, DESIGNS

    p.description = ("Draw samples of (listing, pseudo event date) from the store's returns (Brown and Warner "
                     "1985), with dates drawn per listing (independent) or shared by the sample (clustered, "
                     "mainland listings by default), add an abnormal return k on day 0, and print how often "
                     "each test rejects at 5 % (two-sided) with Wilson 95 % intervals. Windows that start "
                     "with a minus sign need '=': --windows='0,0 -1,1'.")
    p.add_argument("--samples", type=int, default=1000, help="samples per design and size (default 1000)")
    p.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                   help=f"listings per sample, comma-separated (default {','.join(map(str, DEFAULT_SIZES))})")
    p.add_argument("--k", default="0,0.005,0.01,0.02",
                   help="abnormal returns injected on day 0, fractions (default 0,0.005,0.01,0.02)")
    p.add_argument("--designs", default=",".join(DESIGNS), help="independent, clustered or both (default both)")
    p.add_argument("--windows", default="0,0 0,1 -1,1", help="CAR windows (default '0,0 0,1 -1,1')")
    p.add_argument("--event-window", default=window_text(DEFAULT_WINDOW),
                   help=f"event window of every draw (default {window_text(DEFAULT_WINDOW)})")
    p.add_argument("--estimation", default=window_text(DEFAULT_ESTIMATION),
                   help=f"estimation window (default {window_text(DEFAULT_ESTIMATION)})")
    p.add_argument("--model", default="market", choices=sorted(set(MODELS) - {"factor"}),
                   help="expected-return model (default: market)")
    p.add_argument("--universe", help="listings to draw from for every design: all, mainland or tickers "
                                      "(comma-separated); default all for independent, mainland for clustered")
    p.add_argument("--bootstrap", action="store_true", help="also run the bootstrap (slow)")
    p.add_argument("--n-boot", type=int, default=500, help="bootstrap resamples (default 500)")
    p.add_argument("--period", default=",".join(DEFAULT_PERIOD),
                   help=f"first and last date a pseudo day 0 may fall on (default {','.join(DEFAULT_PERIOD)}); "
                        f"'all': anywhere in the history")
    p.add_argument("--keep-catalogue-windows", action="store_true",
                   help="allow pseudo event windows over the catalogue's real events")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws (default 0)")
    p.add_argument("--out", help="write the table as CSV to this file (replaced if it exists)")
    p.set_defaults(handler=cmd_simulate)


def cmd_simulate(args) -> int:
    from research.study.simulation import simulate

    def numbers(text, kind, what):
        try:
            return [kind(x) for x in text.replace(" ", ",").split(",") if x.strip()]
        except ValueError:
            raise ResearchError(f"{what} {text!r}: write comma-separated numbers") from None

    windows = [parse_window(w, "--windows") for w in args.windows.split()]
    if any(isinstance(w[0], str) for w in windows):
        raise ResearchError("--windows takes relative trading days ('0,1'), not dates")
    event_window = parse_window(args.event_window, "--event-window")
    estimation = parse_window(args.estimation, "--estimation")
    if isinstance(event_window[0], str) or isinstance(estimation[0], str):
        raise ResearchError("--event-window and --estimation take relative trading days")
    period = None if args.period.strip().lower() == "all" else tuple(numbers(args.period, str, "--period"))
    if period is not None and len(period) != 2:
        raise ResearchError(f"--period {args.period!r}: give the first and last date, e.g. 2012-01-01,2021-12-31, or all")
    out = check_output_file(args.out) if args.out else None
    universe = None
    if args.universe:
        universe = args.universe if args.universe in ("all", "mainland") else numbers(args.universe, str, "--universe")
    sim = simulate(args.samples, sizes=numbers(args.sizes, int, "--sizes"), ks=numbers(args.k, float, "--k"),
                   designs=numbers(args.designs, str, "--designs"), windows=windows, event_window=event_window,
                   estimation=estimation, model=args.model, bootstrap=args.bootstrap, n_boot=args.n_boot,
                   universe=universe, avoid_catalogue=not args.keep_catalogue_windows, seed=args.seed,
                   period=period)
    print(sim.summary())
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)  # checked writable by check_output_file
        write_text(out, sim.table.to_csv(index=False))
        print(f"wrote {out}")
    return 0
