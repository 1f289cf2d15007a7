"""The ``research`` command.

Each subcommand is a function taking the parsed arguments and returning an exit code. User
mistakes raise :class:`ResearchError`: their message is printed to stderr and the exit code is 2,
with no traceback.
"""

from __future__ import annotations

import argparse
import sys

from research import __version__, config
from research.errors import ResearchError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=_command(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except ResearchError as exc:
        print(f"research: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("research: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (`| head`) closed the pipe: not an error of ours; silence the flush at exit
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _command(argv: list[str]) -> str:
    """The command being run: the first word that is not an option ('' for ``--help`` alone)."""
    return next((word for word in argv if not word.startswith("-")), "")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; with ``only``, the options of that command alone are built
    (each command's handler imports its own work, so ``research --help`` starts at once)."""
    parser = argparse.ArgumentParser(
        prog="research",
        description="Event studies of US designations of Chinese firms: prices in, "
                    "aligned events, abnormal returns and tests, notebooks and papers out.",
        epilog="Environment: " + "; ".join(f"{name}, {what}" for name, what in config.ENVIRONMENT.items()) + ".",
    )
    parser.add_argument("--version", action="version", version=f"research {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("build", help="the main job: import prices, report the store's coverage, compile the kernels")
    p.add_argument("prices", nargs="?", help="a CSV file or folder to import first (default: $RESEARCH_MIRROR, "
                                             "else the kit's snapshot data/prices)")
    p.set_defaults(handler=cmd_build)

    p = sub.add_parser("import", help="import a CSV file (yfinance, Tushare, akshare or baostock layout), or a "
                                      "folder of them, into the store")
    p.add_argument("path", help="a CSV file (named TICKER.csv) or a folder of them")
    p.add_argument("--ticker", help="the ticker of a single file whose name is not TICKER.csv")
    p.add_argument("--layout", choices=["yfinance", "tushare", "akshare", "baostock"],
                   help="the files' layout (default: detected from the header)")
    p.add_argument("--columns", metavar="FIELD=HEADER,...",
                   help="map fields to the file's headers, over the layout's names, e.g. date=trade_date,close=收盘; "
                        "fields: date, open, high, low, close, adj_close, volume, pre_close, pct_chg")
    p.add_argument("--date-format", metavar="FORMAT",
                   help="the dates' format as strptime writes it, e.g. %%Y%%m%%d or %%d/%%m/%%Y "
                        "(default: YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD)")
    p.add_argument("--replace", action="store_true",
                   help="replace a stored series with the file (default: merge, the file winning on the dates it holds)")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("fetch", help="download daily prices from Yahoo Finance, baostock or akshare into the store")
    p.add_argument("tickers", nargs="+", metavar="TICKER", help="tickers as Yahoo writes them (002415.SZ, 0941.HK, ^GSPC)")
    p.add_argument("--source", choices=["yahoo", "baostock", "akshare"], default="yahoo",
                   help="where from (default yahoo); baostock and akshare serve Shanghai and Shenzhen listings "
                        "and need `pip install -e \".[cn]\"`")
    p.add_argument("--start", help="first date (YYYY-MM-DD); default: the whole history")
    p.add_argument("--end", help="end date, exclusive (YYYY-MM-DD)")
    p.add_argument("--replace", action="store_true",
                   help="replace a stored series (default: merge, the fetched rows winning on the dates they hold)")
    p.set_defaults(handler=cmd_fetch)

    p = sub.add_parser("prices", help="the store's coverage and data-quality table, or one series in detail")
    p.add_argument("tickers", nargs="*", metavar="TICKER", help="show these series in detail")
    p.set_defaults(handler=cmd_prices)

    from research.prices.commands import add_commands as add_store_commands

    add_store_commands(sub)
    from research.events.commands import add_commands as add_event_commands

    add_event_commands(sub, only)
    from research.study.commands import add_commands as add_study_commands

    add_study_commands(sub, only)
    from research.report.commands import add_commands as add_report_commands

    add_report_commands(sub, only)
    return parser


def cmd_build(args) -> int:
    source = args.prices or config.mirror_dir() or config.SNAPSHOT_DIR
    cmd_import(argparse.Namespace(path=str(source), ticker=None, replace=False))
    print()
    code = cmd_prices(argparse.Namespace(tickers=[]))
    from research.study.engine import compile_kernels

    # once after installation, here rather than in the first study (or in every notebook at once)
    print(f"\nevent-study kernels compiled and cached in {compile_kernels():.0f} s")
    return code


def cmd_import(args) -> int:
    from research.prices import import_csv
    from research.prices.csvfile import Reading, parse_columns

    reading = Reading(getattr(args, "layout", None), parse_columns(getattr(args, "columns", None)),
                      getattr(args, "date_format", None))
    entries = import_csv(args.path, ticker=args.ticker, progress=True, replace=args.replace, reading=reading)
    store = config.store_dir()
    print(f"imported {len(entries)} series into {store}")
    for entry in entries:
        notes = f"  ({'; '.join(entry['notes'])})" if entry["notes"] else ""
        print(f"  {entry['ticker']:<10} {entry['first_date']} .. {entry['last_date']}  {entry['rows']:>6} rows{notes}")
        _print_changes(entry["changes"])
    return 0


def _print_changes(c: dict) -> None:
    """What a re-import or re-fetch did to a stored series (nothing for a new one)."""
    if not (c["replaced"] or c["kept"] or c.get("dropped")):
        return
    if "dropped" in c:
        change = f"replaced all {c['dropped']} stored rows (--replace)"
    elif not (c["added"] or c["changed"] or c["kept"]):
        change = "unchanged: the store held these rows"
    else:
        change = (f"{c['added']} rows added, {c['replaced']} replaced ({c['changed']} with other values), "
                  f"{c['kept']} kept from the stored series")
    print(f"  {'':<10} {change}")


def cmd_fetch(args) -> int:
    from research.prices import fetch

    if config.offline():
        raise ResearchError(f"RESEARCH_OFFLINE is set: {args.source} is not asked; unset it to fetch")
    entries, errors = fetch(args.tickers, start=args.start, end=args.end, progress=True, replace=args.replace,
                            source=args.source)
    for entry in entries:
        print(f"fetched {entry['ticker']:<10} {entry['first_date']} .. {entry['last_date']}  {entry['rows']:>6} rows")
        _print_changes(entry["changes"])
    for error in errors:
        print(f"research: error: {error}", file=sys.stderr)
    if errors:
        print(f"Tickers {args.source} cannot serve can be imported from CSV: `research import FILE.csv`.",
              file=sys.stderr)
        return 1 if entries else 2  # nothing fetched: as any other error, with the store unchanged
    return 0


def cmd_prices(args) -> int:
    import pandas as pd

    from research.prices import PriceStore, get_prices
    from research.prices.quality import quality_report
    from research.securities import load_registry

    registry = load_registry()
    store = PriceStore()
    if args.tickers:
        for ticker in args.tickers:
            security = registry.get(ticker)
            prices = get_prices(ticker, store)
            report = quality_report(ticker, prices, security, store.entry(ticker).get("st_dates", ()))
            _print_detail(report, security, store.entry(ticker))
        return 0
    tickers = store.tickers()
    if not tickers:
        raise ResearchError(f"the store {store.root} is empty; import prices first: `research import FOLDER`")
    rows, unreadable = [], []
    for ticker in tickers:
        security = registry.get(ticker)
        entry = store.entry(ticker)
        try:
            prices = store.load(ticker)
        except ResearchError as exc:  # one damaged series must not hide the others
            unreadable.append(str(exc))
            continue
        report = quality_report(ticker, prices, security, entry.get("st_dates", ()))
        rows.append({**report.summary_row(),
                     "exchange": security.exchange if security else "?",
                     "source": entry["source"],
                     "flags": "; ".join(report.warnings)})
    damaged = f", {len(unreadable)} of them unreadable" if unreadable else ""
    print(f"Price store {store.root}: {len(tickers)} series{damaged}")
    if rows:
        table = pd.DataFrame(rows).set_index("ticker")
        with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", None):
            print(table.to_string())
    if unreadable:
        print("\nListed in the manifest, but missing or unreadable (`research store check` lists every problem):")
        for message in unreadable:
            print(f"  {message}")
    unpriced = sorted(set(registry) - set(tickers))
    if unpriced:
        print(f"\nIn the registry without prices: {', '.join(unpriced)}")
    print("\nmissing = sessions of the exchange without a row (suspensions); limit_hits/beyond_limit = "
          "returns at/beyond the daily price limit. `research prices TICKER` lists them.")
    return 1 if unreadable else 0


def _print_detail(report, security, entry) -> None:
    from research.calendars import sessions
    from research.prices.quality import date_ranges

    title = security.label if security else report.ticker
    print(f"{report.ticker}  {title}")
    if security:
        print(f"  exchange {security.exchange}, {security.currency}, {security.timezone}, benchmark {security.benchmark or '-'}")
    source = {"csv": entry.get("source_path"),
              "yahoo": f"Yahoo (yfinance {entry.get('yfinance_version')}, auto_adjust={entry.get('auto_adjust')})"
              }.get(entry["source"], entry["source"])
    if entry.get("library_version") or entry.get("adjustment"):  # baostock, akshare
        source += f" {entry.get('library_version') or '(version unknown)'} {entry.get('source_code') or ''}; " \
                  f"adjustment: {entry.get('adjustment')}"
    print(f"  source   {source}, retrieved {entry.get('retrieved_utc') or 'unknown'}")
    print(f"  sha256   {entry['sha256']}")
    print(f"  coverage {entry['first_date']} .. {entry['last_date']}, {entry['rows']} rows")
    calendar = sessions(security.exchange, report.first_date, report.last_date) if security else None
    print(f"  missing sessions ({len(report.missing_sessions)}): {', '.join(date_ranges(report.missing_sessions, calendar)) or '-'}")
    print(f"  non-session rows ({len(report.extra_days)}): {', '.join(date_ranges(report.extra_days)) or '-'}")
    print(f"  zero-volume days ({len(report.zero_volume_days)}): {', '.join(date_ranges(report.zero_volume_days)) or '-'}")
    print(f"  repeated prices ({len(report.repeated_prices)}): {', '.join(date_ranges(report.repeated_prices)) or '-'}")
    for label, moves in (("limit hits", report.limit_hits), ("beyond the limit", report.beyond_limit)):
        listed = ", ".join(f"{d.date()} {r:+.2%}" for d, r in moves.items())
        print(f"  {label} ({len(moves)}): {listed or '-'}")
    if report.impossible:
        listed = "; ".join(f"{day.date()} {problem}" for day, problem in report.impossible)
        print(f"  prices that cannot be ({len(report.impossible)}): {listed}")
    for warning in report.warnings:
        print(f"  note: {warning}")
    print()


if __name__ == "__main__":
    sys.exit(main())
