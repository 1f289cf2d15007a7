"""Rebuild, or check, the kit's frozen price snapshot (``data/prices/``) from the shared data.

    python scripts/snapshot.py [SHARED_PRICES]           # rewrite data/prices/, data/snapshot.csv, data/README.md's table
    python scripts/snapshot.py --check [SHARED_PRICES]   # exit 1 unless the snapshot agrees with the shared files

``SHARED_PRICES`` defaults to ``../shared/data/prices`` beside the project. Every snapshot row is a
line of the shared file, copied string-exactly (LF line endings, as there); a snapshot file is the
shared file's header and its rows from ``first`` to ``last`` (inclusive), nothing else.

Which dates are kept: exactly the rows the kit's studies read, plus ``MARGIN`` rows on each side.

* A listing keeps the hull of
  - the validation's reach: its rows with a possible pseudo day 0, those inside
    ``research.study.simulation.DEFAULT_PERIOD``, with the estimation window before them and the
    event window after (the simulation's defaults, plus the previous close of the first return);
  - each episode's reach: for every catalogue event that names it, the estimation and event
    windows around the event's announcement date, and the "pre-episode" estimation year of the
    event's episode (``research.report.episode.pre_episode_estimation``); for a listing that
    first trades after the announcement, also its first ``MIN_ESTIMATION`` + 11 returns, as the
    limitations table names the first date from which a study is possible.
* An index keeps the span of the listings that read it, as their registry benchmark (over their
  whole kept span) or as the alternative benchmark of the episodes' robustness check
  (``research.report.episode.ALTERNATIVE_BENCHMARKS``, over their episodes' reach), widened by
  ``MARGIN`` of its own rows on each side, so that every trade-to-trade benchmark return has the
  index's prices at both of its ends.

The margins also cover a day 0 a session or two after its announcement's date. A series the rule
would keep whole is refused: no snapshot file may be a copy of its shared file.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import io
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from research import config  # noqa: E402
from research.errors import ResearchError  # noqa: E402
from research.files import read_text, write_text  # noqa: E402
from research.securities import load_registry  # noqa: E402

SNAPSHOT = PROJECT / "data" / "prices"
INDEX = PROJECT / "data" / "snapshot.csv"
README = PROJECT / "data" / "README.md"
DEFAULT_SHARED = PROJECT.parent / "shared" / "data" / "prices"
#: Rows kept beyond each reach the rule computes, on each side.
MARGIN = 10
BEGIN, END = "<!-- snapshot -->", "<!-- /snapshot -->"

#: The upstream sources of the shared files (../shared/data/prices/PROVENANCE.md): key ->
#: (repository, commit, what the files are).
UPSTREAM = {
    "BS": ("future-development-platform/data", "17f6890942a8f832b700235972ee71f1a88cd5b1",
           "baostock daily K-line, adjustflag=3 (unadjusted)"),
    "SL": ("SamLeon360/stock_data", "0de1cd19ad223a4112d348c23c5231052769e970", "unadjusted OHLC"),
    "GL": ("ganlei333/stockdata", "e4c6e193f7d164a7fb380c7d3f2c367baa898b1f", "A-share dump, unadjusted OHLC"),
    "CSI": ("zhanghe2775115/CSI300Analyse", "771a2a78c303bb40b9b216a24b949419ca253fdf", "baostock index daily"),
    "GP": ("LiuZesensengsheng/gupiao", "f249acd0fbab2ac7a101c0097575f6f2a92a53a1",
           "index daily (Tushare/akshare sync)"),
    "LU": ("luciusneo1017/momentum-portfolio_optimization", "bafe7bb71614319c0152ef2038d7c11751766685",
           "yfinance, auto_adjust=True (adjusted OHLC)"),
    "DP": ("dieperdev/yfinance-stock-data", "296de9891a69653e2f3038adfd237bbd58347ed5",
           "Yahoo CSV download, raw OHLC and Adj Close"),
    "MV": ("mavenskylab/Trader", "cdcca93148598b05fbadae66097e2bdf3cd17a06", "yfinance download, raw OHLC"),
    "HJ-HSI": ("hjyssg/tqqq_simulation", "5605b60a2f401ba4b2766127610bda64f0bd69b8", "yfinance download"),
    "HJ-SPX": ("hjyssg/tqqq_simulation", "83b9dc0fa7c3c863cc79938f4469e3d8d13c8890",
               "yfinance download (^SPX, Yahoo alias of the S&P 500)"),
    "AA": ("aarda55/Stock-prediction-AI-29.01.2023", "2dab6517dda696831750feeb2893518175221df2",
           "Yahoo CSV download"),
}


def _sources(ticker: str) -> list[tuple[str, str, str]]:
    """(source key, path in its repository, which rows) of each upstream file of a shared series."""
    code = ticker.split(".")[0]
    if ticker.endswith(".SZ") and ticker != "399001.SZ":    # spliced where extra/TICKER.csv's Source changes
        return [("BS", f"sz.{code}.csv", "to 2022-02-11"), ("SL", f"{code}.csv", "from 2022-02-14")]
    if ticker == "603019.SS":
        return [("GL", "sh603019.csv", "to 2022-01-14"), ("SL", "603019.csv", "from 2022-01-17")]
    if ticker == "000300.SS":
        return [("CSI", "sh.000300.csv", "")]
    if ticker == "399001.SZ":
        return [("GP", "data/399001.SZ.csv", "")]
    if ticker.endswith(".HK"):
        return [("LU", f"data/raw/{ticker}.csv", "")]
    if ticker == "CHL":
        return [("MV", "Data/CHL.csv", "")]
    if ticker == "^HSI":
        return [("HJ-HSI", "data/^HSI.csv", "")]
    if ticker == "^GSPC":
        return [("HJ-SPX", "data/^SPX.csv", "")]
    if ticker == "^IXIC":
        return [("AA", "^IXIC.csv", "")]
    return [("DP", f"data/{ticker}.csv", "")]


def upstream(ticker: str) -> str:
    """One line naming the upstream file(s) of a series: repository at commit, path (what; which rows);
    spaced so that a narrow table column can break it."""
    parts = []
    for key, path, rows in _sources(ticker):
        repo, commit, what = UPSTREAM[key]
        parts.append(f"{repo} at {commit[:12]}, {path} ({what}{'; ' + rows if rows else ''})")
    return " + ".join(parts)


def read_lines(path: Path) -> tuple[str, list[str]]:
    """A CSV's header line and its row lines, line endings kept (rows are copied byte-exactly)."""
    lines = read_text(path, "price file").splitlines(keepends=True)
    if not lines:
        raise ResearchError(f"{path}: empty file")
    return lines[0], [line for line in lines[1:] if line.strip()]


def _date(line: str) -> str:
    return line.split(",", 1)[0].strip()


def plan(shared: Path) -> dict[str, tuple[str, str]]:
    """ticker -> (first, last) date kept, by the rule of the module docstring."""
    from research.events.catalogue import is_shipped, load_catalogue
    from research.report.episode import ALTERNATIVE_BENCHMARKS, MIN_ESTIMATION, pre_episode_estimation
    from research.study.simulation import DEFAULT_ESTIMATION, DEFAULT_EVENT_WINDOW, DEFAULT_PERIOD

    registry = load_registry()
    # the kit's own events, whatever RESEARCH_CATALOGUE says and whatever events a researcher added
    events = [e for e in load_catalogue(config.EVENTS_FILE).values() if is_shipped(e)]
    files = {p.stem: p for p in shared.glob("*.csv")}
    dates = {t: [_date(r) for r in read_lines(files[t])[1]] for t in files if t in registry}
    before, after = -DEFAULT_ESTIMATION[0] + 1, DEFAULT_EVENT_WINDOW[1]     # rows: 250 and a close; 20
    listed_late = MIN_ESTIMATION - DEFAULT_ESTIMATION[1] + 1                 # rows: 111 returns and a close
    first_of = {}                      # episode -> its first announcement date
    for event in events:
        day = str(event.announced.date)
        first_of[event.episode] = min(first_of.get(event.episode, day), day)

    listing_reach: dict[str, list[tuple[int, int]]] = {}
    episode_reach: dict[str, list[tuple[int, int]]] = {}
    for t, d in dates.items():
        if registry[t].kind == "index":
            continue
        inside = [i for i, x in enumerate(d) if DEFAULT_PERIOD[0] <= x <= DEFAULT_PERIOD[1]]
        if inside:
            listing_reach.setdefault(t, []).append((inside[0] - before, inside[-1] + after))
    for event in events:
        day = str(event.announced.date)
        pre = pre_episode_estimation(first_of[event.episode])[0]
        for t in event.tickers:
            if t not in dates:
                continue
            d = dates[t]
            at = bisect.bisect_left(d, day)
            end = max(at + after, listed_late) if at == 0 else at + after     # at 0: not yet listed
            reach = (min(at - before, bisect.bisect_left(d, pre) - 1), end)
            listing_reach.setdefault(t, []).append(reach)
            episode_reach.setdefault(t, []).append(reach)

    ranges = {t: _rows(dates[t], reaches) for t, reaches in listing_reach.items()}
    readers: dict[str, list[tuple[str, str]]] = {}
    for t, (first, last) in ranges.items():
        bench = registry[t].benchmark
        readers.setdefault(bench, []).append((first, last))
        alt = ALTERNATIVE_BENCHMARKS.get(bench)
        if alt and t in episode_reach:
            readers.setdefault(alt, []).append(_rows(dates[t], episode_reach[t]))
    for index, spans in readers.items():
        if index in dates:
            d = dates[index]
            lo = bisect.bisect_left(d, min(a for a, _ in spans))
            hi = bisect.bisect_right(d, max(b for _, b in spans)) - 1
            ranges[index] = _rows(d, [(lo, hi)])
    return dict(sorted(ranges.items()))


def _rows(d: list[str], reaches: list[tuple[int, int]]) -> tuple[str, str]:
    """(first, last) date of the hull of row ranges, widened by MARGIN rows and clipped to the file."""
    lo = max(0, min(a for a, _ in reaches) - MARGIN)
    hi = min(len(d) - 1, max(b for _, b in reaches) + MARGIN)
    return d[lo], d[hi]


def build(shared: Path) -> dict[str, str]:
    """The snapshot's files as text: ``prices/T.csv`` for each series, and ``snapshot.csv``."""
    out, index = {}, []
    for ticker, (first, last) in plan(shared).items():
        header, rows = read_lines(shared / f"{ticker}.csv")
        kept = [r for r in rows if first <= _date(r) <= last]
        if len(kept) == len(rows):
            raise ResearchError(f"{ticker}: the rule keeps every row of the shared file; the snapshot "
                                f"ships no copy of a shared file (change the rule, not the bytes)")
        text = "".join(line.rstrip("\r\n") + "\n" for line in [header, *kept])
        out[f"prices/{ticker}.csv"] = text
        index.append({"ticker": ticker, "first_date": first, "last_date": last, "rows": len(kept),
                      "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "upstream": upstream(ticker)})
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(index[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(index)
    out["snapshot.csv"] = buf.getvalue()
    out["table"] = readme_table(index)
    return out


def readme_table(index: list[dict]) -> str:
    lines = ["| Series | Kept from | to | Rows | sha256 of data/prices/SERIES.csv | Upstream (repository at commit, path) |",
             "|---|---|---|---:|---|---|"]
    for e in index:
        lines.append(f"| {e['ticker']} | {e['first_date']} | {e['last_date']} | {e['rows']} | `{e['sha256']}` "
                     f"| {e['upstream']} |")
    return "\n".join(lines) + "\n"


def _readme_with(table: str) -> str:
    text = read_text(README, "data README")
    if BEGIN not in text or END not in text:
        raise ResearchError(f"{README}: the markers {BEGIN} and {END} are missing")
    head, rest = text.split(BEGIN, 1)
    return head + BEGIN + "\n" + table + END + rest.split(END, 1)[1]


def check(shared: Path) -> list[str]:
    """Every way the committed snapshot differs from a rebuild from ``shared`` (empty: they agree)."""
    want = build(shared)
    problems = []
    names = {f"prices/{p.name}" for p in SNAPSHOT.glob("*.csv")} if SNAPSHOT.is_dir() else set()
    for extra in sorted(names - set(want)):
        problems.append(f"data/{extra}: not a series of the snapshot")
    for name, text in want.items():
        if name == "table":
            if _readme_with(text) != read_text(README, "data README"):
                problems.append("data/README.md: its table of ranges and hashes is not the rebuilt one")
            continue
        path = PROJECT / "data" / name
        if not path.is_file():
            problems.append(f"data/{name}: missing")
            continue
        have = path.read_bytes().decode("utf-8", errors="replace")
        if have != text:
            problems.append(f"data/{name}: {_first_difference(have, text)}")
    return problems


def _first_difference(have: str, want: str) -> str:
    a, b = have.splitlines(), want.splitlines()
    for n, (x, y) in enumerate(zip(a, b), start=1):
        if x != y:
            return f"line {n} is {x!r}, the shared data give {y!r}"
    return f"{len(a)} lines, the shared data give {len(b)}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shared", nargs="?", default=str(DEFAULT_SHARED), help="the shared prices folder")
    parser.add_argument("--check", action="store_true", help="check, write nothing; exit 1 on any difference")
    args = parser.parse_args(argv)
    shared = Path(args.shared).expanduser()
    try:
        if not shared.is_dir():
            raise ResearchError(f"{shared}: no such folder (name the shared prices folder)")
        if args.check:
            problems = check(shared)
            for p in problems:
                print(f"snapshot: {p}", file=sys.stderr)
            print(f"snapshot: {'differs from' if problems else 'agrees with'} {shared}")
            return 1 if problems else 0
        files = build(shared)
        SNAPSHOT.mkdir(parents=True, exist_ok=True)
        for stale in SNAPSHOT.glob("*.csv"):
            if f"prices/{stale.name}" not in files:
                stale.unlink()
        readme = _readme_with(files.pop("table"))
        for name, text in files.items():
            write_text(PROJECT / "data" / name, text)
        write_text(README, readme)
        print(f"snapshot: wrote {len(files) - 1} series to {SNAPSHOT}")
        return 0
    except ResearchError as exc:
        print(f"snapshot: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
