"""Re-run the adversarial battery of issue 11 against this checkout, as a user would.

Each case builds its inputs in a temporary folder, runs the real CLI (``python -m research.cli``,
with RESEARCH_STORE / RESEARCH_RESULTS in that folder and RESEARCH_OFFLINE=1) or
``research.study.event_study`` in Python, and prints one line:

    case  exit-code  traceback?  store-changed?  PASS/FAIL  first stderr line (or the check that failed)

The issue's rule: a clear one-line message with exit code 2 (a file with several problems may
list them, indented, under that line), or correct behaviour, with the store
intact. Cases are named after the issue's bullets (``loss/``, ``silent/``, ``trace/``, ``store/``).

    python scripts/battery.py [SUBSTRING ...]      # only the cases whose name contains one of them

Needs the shared prices (RESEARCH_MIRROR or /work/shared/data/prices), ``unshare -rm`` for the
read-only and disk-full cases, and takes a few minutes (``research run`` cases take ~15 s each).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
MIRROR = Path(os.environ.get("RESEARCH_MIRROR") or "/work/shared/data/prices")
EVENT = "hikvision-sdn-report-2022"        # two listings, both priced
HEADER = "Date,Open,High,Low,Close,Adj Close,Volume"
RESULTS: list[tuple[str, str]] = []


# --- the harness ---------------------------------------------------------------------------------

def snapshot(store: Path) -> dict[str, str]:
    """Every file under the store (but the lock) -> sha256 of its content."""
    if not store.is_dir():
        return {"<not a folder>": store.read_bytes().hex() if store.is_file() else ""}
    out = {}
    for p in sorted(store.rglob("*")):
        if p.is_file() and p.name != ".lock":
            data = p.read_bytes()
            out[str(p.relative_to(store))] = sha = hashlib.sha256(data).hexdigest()
            if p.name == "manifest.json":
                BEFORE_MANIFESTS[sha] = data.decode("utf-8", "replace")
    return out


def compare(before: dict[str, str], store: Path) -> str:
    """'same'; 'grown' when only series were added (a run fills the store from the mirror) and every
    file and manifest entry of before is as it was; else 'CHANGED'."""
    after = snapshot(store)
    if after == before:
        return "same"
    kept = all(after.get(k) == v for k, v in before.items() if k != "manifest.json")
    try:
        old = json.loads(BEFORE_MANIFESTS.get(before.get("manifest.json"), "{}")).get("series", {})
        new = json.loads((store / "manifest.json").read_text())["series"]
        entries_kept = all(new.get(t) == e for t, e in old.items())
    except (OSError, ValueError, KeyError, AttributeError):
        entries_kept = False
    return "grown" if kept and entries_kept else "CHANGED"


BEFORE_MANIFESTS: dict[str, str] = {}     # sha256 -> text of manifests seen by snapshot()


class Box:
    """A temporary world: a store (optionally filled from the mirror), results, a catalogue."""

    def __init__(self, base: Path, tickers=("0941.HK", "^HSI", "AMBA", "^IXIC")):
        self.dir = Path(tempfile.mkdtemp(dir=base))
        self.store = self.dir / "store"
        self.results = self.dir / "results"
        if tickers:
            src = self.dir / "seed"
            src.mkdir()
            for t in tickers:
                shutil.copy(MIRROR / f"{t}.csv", src / f"{t}.csv")
            r = self.cli("import", str(src))
            assert r.returncode == 0, r.stderr

    def env(self, **extra):
        env = dict(os.environ, RESEARCH_STORE=str(self.store), RESEARCH_RESULTS=str(self.results),
                   RESEARCH_OFFLINE="1", RESEARCH_MIRROR=str(MIRROR), MPLBACKEND="Agg",
                   RESEARCH_LOCK_TIMEOUT="5", PYTHONPATH=str(ROOT))
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def cli(self, *args, env=None, timeout=600, wrap=None, input=None):
        argv = [PY, "-m", "research.cli", *args]
        if wrap:                       # run inside `unshare -rm sh -c "<setup> && exec argv"`
            argv = ["unshare", "-rm", "sh", "-c", wrap + " && exec " + " ".join(map(quote, argv))]
        return subprocess.run(argv, capture_output=True, text=True, env=env or self.env(), timeout=timeout,
                              cwd=self.dir, input=input)

    def csv(self, name, rows, header=HEADER, newline="\n", raw: bytes | None = None):
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw if raw is not None else (newline.join([header, *rows]) + newline).encode())
        return path

    def manifest(self):
        return json.loads((self.store / "manifest.json").read_text())["series"]


def quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def message_lines(text: str) -> list[str]:
    """stderr without progress bars and the note that the command waits for the store's lock."""
    return [l for l in text.splitlines()
            if l.strip() and not l.startswith("research: the price store") and "series/s]" not in l]


def first_line(text: str) -> str:
    """The message's first line, and the first problem under it when the first line ends in ':'."""
    lines = message_lines(text)
    if len(lines) > 1 and lines[0].endswith(":"):
        return lines[0] + " | " + lines[1].strip()
    return lines[0] if lines else ""


def record(name, rc, err, changed, ok, why=""):
    """``changed``: False/'same', 'grown' (series added from the mirror), True/'CHANGED'."""
    tb = "Traceback" in err
    verdict = "PASS" if ok and not tb else "FAIL"
    line = first_line(err) if verdict == "PASS" or not why else why
    state = {False: "same", True: "CHANGED"}.get(changed, changed)
    print(f"{name:<44} rc={rc!s:<4} tb={'Y' if tb else 'n'} store={state:<7} "
          f"{verdict}  {line[:220]}", flush=True)
    RESULTS.append((name, verdict))


def reject(name, box: Box, *args, must=(), env=None, wrap=None, store_may_change=False, after=None, quiet=False):
    """The issue's rule for a bad input: exit 2, one line on stderr, no traceback, store unchanged."""
    before = snapshot(box.store)
    r = box.cli(*args, env=env, wrap=wrap)
    changed = compare(before, box.store)
    lines = message_lines(r.stderr)
    why = ""
    if r.returncode != 2:
        why = f"exit {r.returncode}: {first_line(r.stderr) or first_line(r.stdout)}"
    elif not lines[0].startswith("research: error"):
        # one message; a file with several problems lists them under it (the catalogue, an import)
        why = f"{len(lines)} stderr lines: {r.stderr.strip()[-200:]!r}"
    elif any(m.lower() not in r.stderr.lower() for m in must):
        why = f"message lacks {must}: {lines[0]}"
    elif quiet and r.stdout.strip():
        why = f"printed before refusing: {r.stdout.strip().splitlines()[0][:100]!r}"
    elif changed == "CHANGED" and not store_may_change:
        why = "store changed"
    elif after and (problem := after()):
        why = problem
    record(name, r.returncode, r.stderr, changed, not why, why)
    return r


def check(name, box: Box, r, problem: str | None, before=None):
    """Correct behaviour: ``problem`` is None when the outcome is right, else says what is wrong."""
    changed = compare(before, box.store) if before is not None else "same"
    record(name, r.returncode, r.stderr, changed, problem is None, problem or "")


def rows_of(ticker, n=None, start=0):
    lines = (MIRROR / f"{ticker}.csv").read_text().splitlines()[1:]
    return lines[start:start + n if n else None]


# --- data loss -----------------------------------------------------------------------------------

def loss_overlapping_imports(base):
    box = Box(base, tickers=())
    names = sorted(p.name for p in MIRROR.glob("*.csv"))
    a, b = box.dir / "a", box.dir / "b"
    for folder, part in ((a, names[:16]), (b, names[8:])):
        folder.mkdir()
        for n in part:
            shutil.copy(MIRROR / n, folder / n)
    bad = []
    for round_ in range(6):
        if round_:                       # change the content so files are superseded
            for folder in (a, b):
                for p in folder.glob("*.csv"):
                    lines = p.read_text().splitlines()
                    p.write_text("\n".join(lines[:len(lines) - round_]) + "\n")
        procs = [subprocess.Popen([PY, "-m", "research.cli", "import", str(f)] + (["--replace"] if round_ else []),
                                  env=box.env(RESEARCH_LOCK_TIMEOUT=120), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for f in (a, b)]
        for p in procs:
            _, err = p.communicate()
            if p.returncode:
                bad.append(f"round {round_}: exit {p.returncode} {first_line(err)}")
        series = box.manifest()
        missing = [t for t, e in series.items() if not (box.store / e["file"]).is_file()]
        if missing or len(series) != len(names):
            bad.append(f"round {round_}: {len(series)} series, files missing for {missing}")
    r = box.cli("store", "check")
    if r.returncode:
        bad.append("store check: " + first_line(r.stdout + r.stderr))
    check("loss/overlapping-imports-6-rounds", box, r, "; ".join(bad) or None)


def loss_ticker(base):
    box = Box(base, tickers=("0941.HK",))
    good = box.csv("GOOD.csv", rows_of("0941.HK", 50))
    esc = box.dir / "esc"
    for label, ticker in [("escape-abs", f"/../../../{esc}"), ("escape-rel", "../../esc"), ("slash", "a/b"),
                          ("dotdot", ".."), ("space", "A B"), ("umlaut", "ÄPFEL"), ("dash", "-x"),
                          ("empty", ""), ("newline", "A\nB")]:
        reject(f"loss/ticker-{label}", box, "import", str(good), f"--ticker={ticker}", must=("ticker",),
               after=lambda: "wrote outside the store" if list(box.dir.glob("esc*")) or Path("/tmp/x").exists()
               else None)


def loss_shorter_reimport(base):
    box = Box(base, tickers=("0941.HK",))
    rows = rows_of("0941.HK")
    short = box.csv("in/0941.HK.csv", rows[-100:])
    before = snapshot(box.store)
    r = box.cli("import", str(short))
    n = box.manifest()["0941.HK"]["rows"]
    check("loss/shorter-reimport-merges", box, r,
          None if r.returncode == 0 and n == len(rows) and ("merge" in r.stdout.lower() or "kept" in r.stdout.lower()
                                                             or "changed" in r.stdout.lower())
          else f"exit {r.returncode}, {n} rows of {len(rows)} kept; stdout {r.stdout.strip()[:120]!r}", before)
    # newer source wins on an overlapping date, and the change is printed
    changed = rows[-1].split(",")
    changed[4] = str(float(changed[4]) * 1.01)
    edited = box.csv("in2/0941.HK.csv", rows[-5:-1] + [",".join(changed)])
    r = box.cli("import", str(edited))
    from_store = subprocess.run([PY, "-c", "from research.prices.store import PriceStore; import sys;"
                                 "print(PriceStore(sys.argv[1]).load('0941.HK')['Close'].iloc[-1])", str(box.store)],
                                capture_output=True, text=True, env=box.env())
    got = float(from_store.stdout.strip() or "nan")
    check("loss/reimport-newer-wins-on-overlap", box, r,
          None if r.returncode == 0 and abs(got - float(changed[4])) < 1e-9 and box.manifest()["0941.HK"]["rows"] == len(rows)
          else f"close {got} vs {changed[4]}; {r.stdout.strip()[:120]!r}")
    before = snapshot(box.store)
    r = box.cli("import", str(short), "--replace")
    check("loss/reimport-replace-flag", box, r,
          None if r.returncode == 0 and box.manifest()["0941.HK"]["rows"] == 100 else f"{box.manifest()['0941.HK']['rows']} rows")


NEW_EVENT = ["--id", "battery-2023", "--episode", "e5-hikvision-2022", "--title", "A battery event",
             "--announced", "2022-06-01", "--timezone", "America/New_York", "--precision", "date_only",
             "--authority", "nobody", "--programme", "other", "--instrument", "press-report", "--listing", "002415.SZ:designated:Hikvision",
             "--source", "https://example.org", "--note", "battery"]


def new_event_box(base):
    box = Box(base, tickers=())
    cat = box.dir / "events.yaml"
    shutil.copy(ROOT / "data" / "events.yaml", cat)
    nb = box.dir / "nb"
    nb.mkdir()
    return box, cat, nb


def loss_new_event(base):
    box, cat, nb = new_event_box(base)
    (nb / "battery-2023.py").write_text("# mine\n")
    before = cat.read_bytes()
    reject("loss/new-event-target-exists", box, "new-event", *NEW_EVENT, "--catalogue", str(cat), "--notebooks", str(nb),
           after=lambda: "catalogue changed" if cat.read_bytes() != before else
           ("notebook overwritten" if (nb / "battery-2023.py").read_text() != "# mine\n" else None))
    (nb / "battery-2023.py").unlink()
    (nb / "battery-2023.py").mkdir()
    reject("loss/new-event-target-is-folder-force", box, "new-event", *NEW_EVENT, "--catalogue", str(cat),
           "--notebooks", str(nb), "--force", after=lambda: "catalogue changed" if cat.read_bytes() != before else None)
    (nb / "battery-2023.py").rmdir()
    nbfile = box.dir / "nbfile"
    nbfile.write_text("x")
    reject("loss/new-event-notebooks-is-file", box, "new-event", *NEW_EVENT, "--catalogue", str(cat),
           "--notebooks", str(nbfile), after=lambda: "catalogue changed" if cat.read_bytes() != before else None)
    r = box.cli("new-event", *NEW_EVENT, "--catalogue", str(cat), "--notebooks", str(nb))
    check("loss/new-event-retry-after-refusal-works", box, r,
          None if r.returncode == 0 and (nb / "battery-2023.py").is_file() else f"exit {r.returncode}")
    # injection through a newline
    box, cat, nb = new_event_box(base)
    before = cat.read_bytes()
    args = list(NEW_EVENT)
    args[args.index("--timezone") + 1] = "America/New_York\n  precision: exact\nevil: 1"
    reject("loss/new-event-newline-in-timezone", box, "new-event", *args, "--catalogue", str(cat), "--notebooks", str(nb),
           after=lambda: "catalogue changed" if cat.read_bytes() != before else None)
    args = list(NEW_EVENT)
    title = "Line one\n- id: injected-1\n  title: \"x\": y # z"
    args[args.index("--title") + 1] = title
    r = box.cli("new-event", *args, "--catalogue", str(cat), "--notebooks", str(nb))
    probe = subprocess.run([PY, "-c", "import sys; from research.events.catalogue import load_catalogue as l;"
                            "print(repr(l(sys.argv[1])['battery-2023'].title))", str(cat)], capture_output=True, text=True, env=box.env())
    if r.returncode == 2:
        check("loss/new-event-newline-in-title", box, r, None if cat.read_bytes() == before else "catalogue changed")
    else:
        ok = r.returncode == 0 and probe.stdout.strip() == repr(title)
        check("loss/new-event-newline-in-title", box, r,
              None if ok and probe.returncode == 0 else f"exit {r.returncode}; probe {probe.stdout.strip()} {first_line(probe.stderr)}")


# --- silently accepted ---------------------------------------------------------------------------

def silent_prices(base):
    box = Box(base, tickers=("0941.HK",))
    good = rows_of("AMBA", 30)
    def with_row(i, **cols):
        out = list(good)
        f = out[i].split(",")
        names = HEADER.split(",")
        for k, v in cols.items():
            f[names.index(k)] = v
        out[i] = ",".join(f)
        return out
    bad = {
        "high-below-low": with_row(5, High="1.0", Low="2.0"),
        "open-above-high": with_row(5, Open="1e6"),
        "close-below-low": with_row(5, Close="0.001"),
        "close-1e308": with_row(5, Close="1e308", High="1e308"),
        "close-denormal": with_row(5, Close="5e-324", Low="5e-324"),
        "close-negative": with_row(5, Close="-3"),
        "row-dated-2099": good + ["2099-01-02,10,11,9,10,10,100"],
        "close-nan-text": with_row(5, Close="nan"),
        "volume-negative": with_row(5, Volume="-5"),
    }
    for label, rows in bad.items():
        path = box.csv(f"{label}/AMBA.csv", rows)
        reject(f"silent/prices-{label}", box, "import", str(path), must=("AMBA",))
    # flagged in the quality report for a series already stored
    code = textwrap.dedent("""
        import sys, pandas as pd
        from research.prices.store import PriceStore
        from research.prices.csvfile import read_price_csv
        s = PriceStore(sys.argv[1]); df = s.load('0941.HK').copy()
        df.iloc[10, df.columns.get_loc('High')] = df['Low'].iloc[10] / 2
        s.save('0941.HK', df, dict(s.entry('0941.HK'), notes=[]))
    """)
    p = subprocess.run([PY, "-c", code, str(box.store)], capture_output=True, text=True, env=box.env())
    r = box.cli("prices", "0941.HK")
    text = (r.stdout + r.stderr).lower()
    check("silent/prices-quality-flags-stored-series", box, r,
          None if p.returncode == 0 and ("high" in text and ("low" in text) and ("impossib" in text or "below" in text or "<" in text))
          else f"save {p.returncode} {first_line(p.stderr)}; report shows no flag: {r.stdout[:200]!r}")


def silent_two_files(base):
    box = Box(base, tickers=())
    box.csv("two/X.csv", rows_of("AMBA", 20))
    box.csv("two/X.CSV", rows_of("AMBA", 20, 20))
    reject("silent/two-files-one-ticker", box, "import", str(box.dir / "two"), must=("X",))


def silent_utc_offsets(base):
    box = Box(base, tickers=())
    rows = rows_of("0941.HK", 40, 1000)
    local = [r.split(",", 1) for r in rows]
    # as yfinance writes a Hong Kong series: midnight local with its offset
    box.csv("hk8/0941.HK.csv", [f"{d} 00:00:00+08:00,{rest}" for d, rest in local])
    r = box.cli("import", str(box.dir / "hk8"))
    dates = subprocess.run([PY, "-c", "import sys; from research.prices.store import PriceStore as P;"
                            "print(P(sys.argv[1]).load('0941.HK').index[0].date())", str(box.store)],
                           capture_output=True, text=True, env=box.env()).stdout.strip()
    check("silent/utc-offset-+08-local-midnight", box, r,
          None if r.returncode == 2 or (r.returncode == 0 and dates == local[0][0]) else f"first date {dates} != {local[0][0]}")
    # the same instants written in UTC: the day before, 16:00Z
    box = Box(base, tickers=())
    import datetime as dt
    utc = [f"{(dt.date.fromisoformat(d) - dt.timedelta(days=1)).isoformat()} 16:00:00+00:00,{rest}" for d, rest in local]
    box.csv("hk0/0941.HK.csv", utc)
    r = box.cli("import", str(box.dir / "hk0"))
    dates = subprocess.run([PY, "-c", "import sys; from research.prices.store import PriceStore as P;"
                            "print(P(sys.argv[1]).load('0941.HK').index[0].date())", str(box.store)],
                           capture_output=True, text=True, env=box.env()).stdout.strip()
    check("silent/utc-offset-utc-instants", box, r,
          None if (r.returncode == 2 and "Traceback" not in r.stderr) or (r.returncode == 0 and dates == local[0][0])
          else f"exit {r.returncode}; first date {dates!r} != {local[0][0]}")


def catalogue_with(box, old, new, count=1):
    text = (ROOT / "data" / "events.yaml").read_text()
    assert old in text, old
    path = box.dir / f"cat{len(list(box.dir.glob('cat*')))}.yaml"
    path.write_text(text.replace(old, new, count))
    return path


def silent_catalogue(base):
    box = Box(base, tickers=())
    first = "- id: entity-list-2019"
    for label, new in [("empty", "- id: ''"), ("null", "- id: null"), ("tilde", "- id: ~"), ("numeric", "- id: 2019"),
                       ("mapping", "- id: {a: 1}"), ("list", "- id: [a]"), ("missing", "- idx: entity-list-2019")]:
        reject(f"silent/catalogue-id-{label}", box, "events", "--catalogue", str(catalogue_with(box, first, new)))
    for year in ("0001", "9999", "1600", "2300"):
        cat = catalogue_with(box, 'time: "2019-10-07"', f'time: "{year}-10-07"')
        reject(f"silent/catalogue-year-{year}-events", box, "events", "--catalogue", str(cat))
        reject(f"silent/catalogue-year-{year}-align", box, "align", "entity-list-2019", "--catalogue", str(cat))


def python_case(name, code, expect_error: str | None, box=None):
    """Run ``code`` in Python; it must raise ResearchError containing ``expect_error`` (when given), or print OK."""
    box = box or Box(Path(tempfile.gettempdir()), tickers=())
    wrapper = ("import sys\nfrom research.errors import ResearchError\ntry:\n" + textwrap.indent(code, "    ") +
               "\nexcept ResearchError as e:\n    print('ERR', e); sys.exit(2)\nprint('OK')\n")
    r = subprocess.run([PY, "-c", wrapper], capture_output=True, text=True, env=box.env(), cwd=box.dir, timeout=600)
    out = r.stdout.strip().splitlines()
    last = out[-1] if out else ""
    if expect_error is None:
        problem = None if r.returncode == 0 and last == "OK" else f"exit {r.returncode}: {last or first_line(r.stderr)}"
    else:
        problem = None if r.returncode == 2 and expect_error.lower() in last.lower() and "\n" not in last \
            else f"exit {r.returncode}: {last or first_line(r.stderr)}"
    record(name, r.returncode, r.stderr, False, problem is None, problem or "")
    if problem is None and last.startswith("ERR"):
        print(f"{'':<44} -> {last[4:154]}")


REGISTRY_HEAD = "ticker,name,name_zh,kind,exchange,board,currency,timezone,benchmark"


def silent_benchmark(base):
    box = Box(base, tickers=())
    reg = box.dir / "reg.csv"
    reg.write_text(REGISTRY_HEAD + "\nAMBA,Ambarella,,equity,XNAS,,USD,America/New_York,AMBA\n")
    python_case("silent/benchmark-equal-listing-registry",
                f"from research.securities import load_registry\nload_registry({str(reg)!r})", "AMBA", box)
    box = Box(base, tickers=("002415.SZ", "^GSPC", "000300.SS", "^IXIC", "AMBA", "BABA"))
    reject("silent/benchmark-equal-listing-cli", box, "run", EVENT, "--benchmark", "002415.SZ",
           "--out", str(box.dir / "out"), must=("002415.SZ",),
           after=lambda: "wrote output" if (box.dir / "out").exists() and any((box.dir / "out").iterdir()) else None)
    python_case("silent/benchmark-equal-listing-python", textwrap.dedent("""
        import numpy as np, pandas as pd
        from research.study import event_study
        idx = pd.bdate_range('2020-01-01', periods=400)
        r = pd.DataFrame({'A': np.random.default_rng(1).normal(0, .01, 400)}, index=idx)
        event_study(r, r['A'], {'A': idx[300]})
    """), "A", box)


def silent_out(base):
    box = Box(base, tickers=("002415.SZ", "000300.SS", "^GSPC"))
    reject("silent/out-root", box, "run", EVENT, "--out", "/",
           after=lambda: "wrote into /" if Path("/ar.csv").exists() or Path("/run.json").exists() else None)
    reject("silent/out-inside-store", box, "run", EVENT, "--out", str(box.store / "prices"), must=("store",))
    reject("silent/out-store-itself", box, "run", EVENT, "--out", str(box.store), must=("store",))
    other = box.dir / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    reject("silent/out-non-empty-foreign", box, "run", EVENT, "--out", str(other))
    before = snapshot(box.store)
    r = box.cli("run", EVENT, "--out", str(other), "--force")
    check("silent/out-non-empty-with-force", box, r,
          None if r.returncode == 0 and (other / "notes.txt").read_text() == "keep" and (other / "car.csv").is_file()
          else f"exit {r.returncode} {first_line(r.stderr)}", before)
    r = box.cli("run", EVENT, "--out", str(other))
    check("silent/out-earlier-output-rewritten", box, r, None if r.returncode == 0 else f"exit {r.returncode} {first_line(r.stderr)}")


STUDY = """
import numpy as np, pandas as pd
from research.study import event_study
idx = pd.bdate_range('2019-01-01', periods=400)
rng = np.random.default_rng(7)
r = pd.DataFrame({'A': rng.normal(0, .01, 400), 'B': rng.normal(0, .01, 400)}, index=idx)
m = pd.Series(rng.normal(0, .01, 400), index=idx)
ev = {'A': idx[300], 'B': idx[310]}
"""


def silent_event_study(base):
    box = Box(base, tickers=())
    python_case("silent/event_study-inf-market-return", STUDY + "m.iloc[100] = np.inf\nevent_study(r, m, ev)", "inf", box)
    python_case("silent/event_study-inf-listing-return", STUDY + "r.iloc[305, 0] = -np.inf\nevent_study(r, m, ev)", "A", box)
    python_case("silent/event_study-return-1e300", STUDY + "r.iloc[301, 0] = 1e300\nres = event_study(r, m, ev)\n"
                "import numpy as np\nassert np.isfinite(res.car['bhar'].to_numpy(dtype=float)).all()", "A", box)
    python_case("silent/event_study-window-0-5000", STUDY + "event_study(r, m, ev, windows=[(0, 5000)])", "5000", box)
    # an estimation window is where the model may draw from: fewer returns than asked are used,
    # counted in params.n_est, and min_estimation guards the floor (correct behaviour, not a cut window)
    python_case("silent/event_study-estimation-before-data", STUDY + "res = event_study(r, m, ev, estimation=(-5000, -11))\n"
                "assert sorted(res.params['n_est']) == [290, 300], res.params", None, box)
    python_case("silent/event_study-nan-everywhere-ok", STUDY + "r.iloc[::7, 0] = np.nan\nevent_study(r, m, ev)", None, box)


def silent_lock(base):
    box = Box(base, tickers=("0941.HK",))
    holder = subprocess.Popen([PY, "-c", textwrap.dedent(f"""
        import sys, time
        from research.prices.store import PriceStore
        with PriceStore({str(box.store)!r}).locked():
            print('held', flush=True); time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True, env=box.env())
    holder.stdout.readline()
    try:
        good = box.csv("in/0941.HK.csv", rows_of("0941.HK", 50))
        t0 = time.monotonic()
        reject("silent/held-lock-times-out", box, "import", str(good), env=box.env(RESEARCH_LOCK_TIMEOUT=2),
               must=("locked by", "pid"),
               after=lambda: f"took {time.monotonic() - t0:.0f} s" if time.monotonic() - t0 > 30 else
               (f"orphan files {[p.name for p in box.store.rglob('*.tmp*')]}" if list(box.store.rglob("*.tmp*")) else None))
    finally:
        holder.kill()
        holder.wait()


def silent_run_missing_file(base):
    box = Box(base, tickers=("002415.SZ", "000300.SS", "^GSPC", "^IXIC"))
    f = box.store / box.manifest()["002415.SZ"]["file"]
    f.unlink()
    reject("silent/run-listing-file-missing", box, "run", EVENT, "--out", str(box.dir / "o"), must=("002415.SZ",))


def silent_run_strict(base):
    """A listing without prices anywhere: a listed exclusion (exit 0), or exit 2 writing nothing under --strict."""
    box = Box(base, tickers=("002415.SZ", "000300.SS"))
    empty = box.dir / "no-mirror"
    empty.mkdir()
    env = box.env(RESEARCH_MIRROR=empty)
    before = snapshot(box.store)
    r = box.cli("run", EVENT, "--out", str(box.dir / "o1"), env=env)
    check("silent/run-listing-unpriced-listed-exit-0", box, r,
          None if r.returncode == 0 and "exclu" in r.stdout.lower() else f"exit {r.returncode}: {first_line(r.stderr)}", before)
    reject("silent/run-listing-unpriced-strict-exit-2", box, "run", EVENT, "--out", str(box.dir / "o2"), "--strict",
           env=env, after=lambda: "wrote output" if (box.dir / "o2").exists() and any((box.dir / "o2").iterdir()) else None)


# --- tracebacks ----------------------------------------------------------------------------------

def trace_csv(base):
    box = Box(base, tickers=("0941.HK",))
    good = rows_of("AMBA", 30)
    before = snapshot(box.store)
    r = box.cli("import", str(box.csv("cr/AMBA.csv", good, newline="\r")))
    check("trace/csv-cr-only-line-endings", box, r,      # old Mac line endings read as lines: 30 rows stored
          None if r.returncode == 0 and box.manifest()["AMBA"]["rows"] == 30 else f"exit {r.returncode}", before)
    long = list(good)
    long[3] = long[3] + "," + "x" * 140_000
    reject("trace/csv-field-over-131072", box, "import", str(box.csv("long/AMBA.csv", long)))
    long = list(good)
    long[3] = '"' + "x" * 140_000 + '",1,1,1,1,1,1'
    reject("trace/csv-quoted-field-over-131072", box, "import", str(box.csv("long2/AMBA.csv", long)))
    for label, day in (("1600", "1600-01-03"), ("2300", "2300-01-03"), ("1677-09-20", "1677-09-20")):
        reject(f"trace/csv-date-{label}", box, "import", str(box.csv(f"d{label}/AMBA.csv", [f"{day},10,11,9,10,10,100"] + good)))
    reject("trace/csv-not-utf8", box, "import", str(box.csv("nu/AMBA.csv", [], raw=(HEADER + "\n").encode() +
                                                             b"2020-01-02,\xff\xfe,1,1,1,1,1\n")))
    reject("trace/csv-nul-bytes", box, "import", str(box.csv("nul/AMBA.csv", [], raw=b"\x00" * 500)))
    reject("trace/csv-empty", box, "import", str(box.csv("empty/AMBA.csv", [], raw=b"")))
    reject("trace/csv-header-only", box, "import", str(box.csv("ho/AMBA.csv", [])))
    (box.dir / "x" / "AMBA.csv").mkdir(parents=True)
    reject("trace/csv-is-folder", box, "import", str(box.dir / "x" / "AMBA.csv"))
    reject("trace/csv-missing-path", box, "import", str(box.dir / "nope.csv"))
    reject("trace/csv-quote-unterminated", box, "import", str(box.csv("q/AMBA.csv", good[:3] + ['"2020-01-02,1,1,1,1,1,1'] + good[3:])))


def trace_2m_rows(base):
    box = Box(base, tickers=())
    import datetime as dt
    day = dt.date(1700, 1, 1)
    lines = []
    step = dt.timedelta(days=1)
    for i in range(2_000_000):
        lines.append(f"{day.isoformat()},10,11,9,10,10,100")
        day += step
        if day.year > 2200:
            day = dt.date(1700, 1, 1)
    lines.append("9999-01-01,10,11,9,10,10,100")
    path = box.csv("big/AMBA.csv", lines)
    t0 = time.monotonic()
    reject("trace/csv-2M-rows-date-9999", box, "import", str(path))
    print(f"{'':<44} -> took {time.monotonic() - t0:.1f} s")


BILLION = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
events: [*i]
"""


def trace_catalogue(base):
    box = Box(base, tickers=())
    p = box.dir / "laughs.yaml"
    p.write_text(BILLION)
    t0 = time.monotonic()
    reject("trace/catalogue-billion-laughs", box, "events", "--catalogue", str(p),
           after=lambda: f"took {time.monotonic() - t0:.0f} s" if time.monotonic() - t0 > 20 else None)
    p = box.dir / "rec.yaml"
    p.write_text("events: &a [*a]\n")
    reject("trace/catalogue-recursive-alias", box, "events", "--catalogue", str(p))
    p = box.dir / "rec2.yaml"
    p.write_text("events:\n- &x\n  id: a\n  self: *x\n")
    reject("trace/catalogue-recursive-alias-in-event", box, "events", "--catalogue", str(p))
    p = box.dir / "latin1.yaml"
    p.write_bytes((ROOT / "data" / "events.yaml").read_text().replace("Hikvision", "Hikvisi\u00f3n").encode("latin-1", "replace"))
    reject("trace/catalogue-not-utf8", box, "events", "--catalogue", str(p))
    reject("trace/catalogue-not-utf8-align", box, "align", "entity-list-2019", "--catalogue", str(p))
    p = box.dir / "utf16.yaml"
    p.write_bytes((ROOT / "data" / "events.yaml").read_text().encode("utf-16"))
    reject("trace/catalogue-utf16", box, "events", "--catalogue", str(p))
    reject("trace/catalogue-timezone-Asia", box, "events", "--catalogue",
           str(catalogue_with(box, "timezone: America/New_York", "timezone: Asia")))
    reject("trace/catalogue-timezone-dotdot", box, "events", "--catalogue",
           str(catalogue_with(box, "timezone: America/New_York", "timezone: ../../etc/passwd")))
    reject("trace/catalogue-is-folder", box, "events", "--catalogue", str(box.dir))
    reject("trace/catalogue-missing", box, "events", "--catalogue", str(box.dir / "none.yaml"))
    reject("trace/catalogue-tab-indent", box, "events", "--catalogue", str(catalogue_with(box, "  episode: e1", "\tepisode: e1")))
    reject("trace/catalogue-python-tag", box, "events", "--catalogue",
           str(catalogue_with(box, "- id: entity-list-2019", "- id: !!python/object/apply:os.system ['true']")))


def trace_registry(base):
    box = Box(base, tickers=())
    def reg(name, data: bytes):
        p = box.dir / name
        p.write_bytes(data)
        return p
    good = (ROOT / "data" / "securities.csv").read_bytes()
    cases = {
        "not-utf8": (reg("latin.csv", good.decode().encode("gb18030")), "line"),
        "extra-field": (reg("extra.csv", good.replace(b"\n002236.SZ,", b",extra\n002236.SZ,", 1)), "line"),
        "timezone-Asia": (reg("asia.csv", good.replace(b"Asia/Shanghai", b"Asia", 1)), "Asia"),
        "timezone-empty": (reg("tzempty.csv", good.replace(b"Asia/Shanghai", b"", 1)), "timezone"),
        "nul-bytes": (reg("nul.csv", good[:200] + b"\x00" + good[200:]), "line"),
        "cr-only": (reg("cr.csv", good.replace(b"\n", b"\r")), ""),
        "folder": (box.dir, ""),
        "duplicate-ticker": (reg("dup.csv", good + good.split(b"\n")[1] + b"\n"), "002415.SZ"),
    }
    for label, (path, must) in cases.items():
        # CR-only line endings are a registry that reads (or a one-line error); the rest must be refused
        python_case(f"trace/registry-{label}", f"from research.securities import load_registry\nload_registry({str(path)!r})",
                    None if label == "cr-only" else must, box)


def trace_new_event_tz(base):
    for tz in ("Asia", "America", "../../../etc/passwd", "Not/AZone", "", "UTC\x00"):
        box, cat, nb = new_event_box(base)
        before = cat.read_bytes()
        args = list(NEW_EVENT)
        args[args.index("--timezone") + 1] = tz
        try:
            reject(f"trace/new-event-timezone-{tz[:10]!r}", box, "new-event", *args, "--catalogue", str(cat),
                   "--notebooks", str(nb), after=lambda: "catalogue changed" if cat.read_bytes() != before else None)
        except ValueError as exc:        # argv cannot carry NUL
            record(f"trace/new-event-timezone-{tz[:10]!r}", "-", "", False, True, f"not testable: {exc}")


def trace_out(base):
    box = Box(base, tickers=("002415.SZ", "000300.SS", "^GSPC"))
    f = box.dir / "afile"
    f.write_text("x")
    reject("trace/out-is-file", box, "run", EVENT, "--out", str(f), quiet=True)
    reject("trace/out-under-a-file", box, "run", EVENT, "--out", str(f / "sub"), quiet=True)
    ro = box.dir / "ro"
    ro.mkdir()
    reject("trace/out-read-only", box, "run", EVENT, "--out", str(ro),
           wrap=f"mount --bind {ro} {ro} && mount -o remount,bind,ro {ro}", quiet=True)
    reject("trace/out-proc", box, "run", EVENT, "--out", "/proc", quiet=True)
    reject("trace/out-proc-sub", box, "run", EVENT, "--out", "/proc/self/battery", quiet=True)


def store_box(base, **kw):
    return Box(base, tickers=kw.get("tickers", ("0941.HK", "AMBA")))


def trace_store_faults(base):
    # disk full: a 2 MB tmpfs as the store, importing the whole mirror
    box = Box(base, tickers=())
    mnt = box.dir / "small"
    mnt.mkdir()
    store = mnt / "store"
    env = box.env(RESEARCH_STORE=store)
    setup = f"mount -t tmpfs -o size=2m tmpfs {mnt}"
    line = (f"{setup} && {PY} -m research.cli import {MIRROR}; echo rc=$?; "
            f"{PY} -c 'import json,sys,os; m=json.load(open(\"{store}/manifest.json\"))[\"series\"] if os.path.exists(\"{store}/manifest.json\") else {{}};"
            f"print(\"series\", len(m)); print(\"files\", sorted(os.listdir(\"{store}/prices\")) if os.path.isdir(\"{store}/prices\") else [])'")
    p = subprocess.run(["unshare", "-rm", "sh", "-c", line], capture_output=True, text=True, env=env, timeout=600)
    rc = next((l[3:] for l in p.stdout.splitlines() if l.startswith("rc=")), "?")
    series = next((l for l in p.stdout.splitlines() if l.startswith("series")), "")
    files = next((l for l in p.stdout.splitlines() if l.startswith("files")), "")
    errs = message_lines(p.stderr)
    ok = rc == "2" and len(errs) == 1 and series in ("series 0", "") and files in ("files []", "")
    record("trace/store-disk-full-import-mirror", rc, p.stderr, series not in ("series 0", ""), ok,
           "" if ok else f"{series}; {files[:80]}; stderr {errs[-1][:100] if errs else ''}")
    # disk full while writing the manifest only: fill the tmpfs then re-import a small file
    line = (f"{setup} && {PY} -m research.cli import {MIRROR}/AMBA.csv >/dev/null && "
            f"(dd if=/dev/zero of={mnt}/fill bs=4k 2>/dev/null; true) && {PY} -m research.cli import {MIRROR}/BABA.csv; echo rc=$?; "
            f"cat {store}/manifest.json | head -c 300; rm -f {mnt}/fill; {PY} -m research.cli store check; echo check=$?")
    p = subprocess.run(["unshare", "-rm", "sh", "-c", line], capture_output=True, text=True, env=env, timeout=600)
    rc = next((l[3:] for l in p.stdout.splitlines() if l.startswith("rc=")), "?")
    chk = next((l[6:] for l in p.stdout.splitlines() if l.startswith("check=")), "?")
    errs = message_lines(p.stderr)
    ok = rc == "2" and len(errs) == 1 and '"AMBA"' in p.stdout and '"BABA"' not in p.stdout and chk == "0"
    record("trace/store-disk-full-small-write", rc, p.stderr, False, ok, "" if ok else f"check={chk} stderr={errs[-2:]} {p.stdout[-200:]!r}")

    box = store_box(base)
    good = box.csv("in/BABA.csv", rows_of("BABA", 50))
    reject("trace/store-read-only", box, "import", str(good),
           wrap=f"mount --bind {box.store} {box.store} && mount -o remount,bind,ro {box.store}")
    box = store_box(base)
    (box.store / ".lock").unlink(missing_ok=True)
    (box.store / ".lock").mkdir()
    reject("trace/store-lock-is-folder", box, "import", str(good))
    box = store_box(base)
    fileroot = box.dir / "storefile"
    fileroot.write_text("x")
    reject("trace/store-RESEARCH_STORE-is-file-import", box, "import", str(good), env=box.env(RESEARCH_STORE=fileroot))
    reject("trace/store-RESEARCH_STORE-is-file-prices", box, "prices", env=box.env(RESEARCH_STORE=fileroot))
    reject("trace/store-RESEARCH_STORE-is-file-check", box, "store", "check", env=box.env(RESEARCH_STORE=fileroot))

    def manifest_case(label, data: bytes, cmds=(("prices",), ("import", "GOOD"), ("run",))):
        box = store_box(base, tickers=("0941.HK", "AMBA", "002415.SZ", "000300.SS", "^GSPC"))
        (box.store / "manifest.json").write_bytes(data(box) if callable(data) else data)
        good = box.csv("in/BABA.csv", rows_of("BABA", 50))
        for cmd in cmds:
            if cmd == ("import", "GOOD"):
                before = snapshot(box.store)
                r = box.cli("import", str(good))
                # a corrupt manifest must not block re-import: exit 0 or a message naming `store repair`
                ok = r.returncode == 0 or (r.returncode == 2 and "repair" in r.stderr and snapshot(box.store) == before)
                check(f"trace/store-manifest-{label}-import", box, r, None if ok else f"exit {r.returncode} {first_line(r.stderr)}")
            elif cmd == ("run",):
                reject(f"trace/store-manifest-{label}-run", box, "run", EVENT, "--out", str(box.dir / "o"))
            else:
                r = box.cli(*cmd)
                check(f"trace/store-manifest-{label}-{cmd[0]}", box, r,
                      None if r.returncode in (0, 2) and "Traceback" not in r.stderr else f"exit {r.returncode}")
        r = box.cli("store", "repair")
        r2 = box.cli("store", "check")
        check(f"store/repair-then-check-after-{label}", box, r2,
              None if r.returncode == 0 and r2.returncode == 0 else f"repair {r.returncode} {first_line(r.stderr)}; check {r2.returncode} {first_line(r2.stdout)}")

    def without_file(box):
        m = json.loads((box.store / "manifest.json").read_text())
        del m["series"]["AMBA"]["file"]
        return json.dumps(m).encode()

    manifest_case("binary", bytes(range(256)) * 4)
    manifest_case("json-list", b"[1, 2, 3]")
    manifest_case("entry-without-file", without_file)
    manifest_case("series-empty-list", b'{"format": 1, "series": []}')
    manifest_case("empty-file", b"")
    manifest_case("truncated", lambda b: (b.store / "manifest.json").read_bytes()[:100])
    manifest_case("format-99", lambda b: (b.store / "manifest.json").read_bytes().replace(b'"format": 1', b'"format": 99'))
    # series: [] also used to leave an orphan file on import
    box = store_box(base)
    (box.store / "manifest.json").write_bytes(b'{"format": 1, "series": []}')
    before_files = set(p.name for p in (box.store / "prices").iterdir())
    r = box.cli("import", str(box.csv("in/BABA.csv", rows_of("BABA", 50))))
    after_files = set(p.name for p in (box.store / "prices").iterdir())
    check("trace/store-series-empty-list-no-orphan", box, r,
          None if (r.returncode == 0) or (r.returncode == 2 and after_files == before_files and "Traceback" not in r.stderr)
          else f"exit {r.returncode}; new files {after_files - before_files}")
    # garbage Parquet whose sha matches the manifest
    box = store_box(base, tickers=("0941.HK", "AMBA", "002415.SZ", "000300.SS", "^GSPC"))
    m = json.loads((box.store / "manifest.json").read_text())
    e = m["series"]["002415.SZ"]
    garbage = b"PAR1 this is not parquet at all" * 10
    (box.store / e["file"]).unlink()
    e["sha256"] = hashlib.sha256(garbage).hexdigest()
    from_name = e["file"]
    (box.store / from_name).write_bytes(garbage)
    (box.store / "manifest.json").write_text(json.dumps(m))
    reject("trace/store-garbage-parquet-sha-matches-prices", box, "prices", "002415.SZ", must=("002415.SZ",))
    reject("trace/store-garbage-parquet-sha-matches-run", box, "run", EVENT, "--out", str(box.dir / "o"), must=("002415.SZ",))
    r = box.cli("store", "check")
    check("store/check-finds-garbage-parquet", box, r,
          None if r.returncode == 1 and "002415.SZ" in r.stdout + r.stderr else f"exit {r.returncode} {first_line(r.stdout)}")


# --- a store a user can check and mend -------------------------------------------------------------

def store_check_repair(base):
    box = store_box(base)
    prices = box.store / "prices"
    (prices / "XYZ.0123456789ab.parquet").write_bytes(b"orphan")
    # the names an interrupted write leaves (store._write_atomically: .<stem>.<random>.tmp)
    (prices / ".AMBA.k3j2h1.tmp").write_bytes(b"partial")
    (box.store / ".manifest.q9w8e7.tmp").write_bytes(b"{")
    gone = box.store / box.manifest()["AMBA"]["file"]
    gone.unlink()
    r = box.cli("store", "check")
    out = r.stdout + r.stderr
    check("store/check-lists-missing-orphan-temp", box, r,
          None if r.returncode == 1 and "AMBA" in out and "XYZ.0123456789ab" in out and "tmp" in out
          else f"exit {r.returncode}: {out[:300]!r}")
    r = box.cli("prices")      # exit 1, as `store check`: the overview is shown, the damage listed
    check("store/prices-overview-lists-missing-series", box, r,
          None if r.returncode in (0, 1) and "AMBA" in r.stdout and "0941.HK" in r.stdout and "missing" in (r.stdout + r.stderr).lower()
          else f"exit {r.returncode} {first_line(r.stderr)}")
    r = box.cli("store", "repair")
    out = r.stdout + r.stderr
    left = sorted(p.name for p in box.store.rglob("*") if p.is_file() and p.name != ".lock")
    check("store/repair-drops-missing-lists-it", box, r,
          None if r.returncode == 0 and "AMBA" in out and "AMBA" not in box.manifest() and "0941.HK" in box.manifest()
          and not any("tmp" in n or "XYZ" in n for n in left) else f"exit {r.returncode}; left {left}; {out[:200]!r}")
    r = box.cli("store", "check")
    check("store/check-clean-after-repair", box, r, None if r.returncode == 0 else f"exit {r.returncode} {first_line(r.stdout)}")
    r = box.cli("import", str(MIRROR / "AMBA.csv"))
    check("store/reimport-after-repair", box, r, None if r.returncode == 0 and "AMBA" in box.manifest() else f"exit {r.returncode}")


def store_sigkill(base, runs=20):
    box = Box(base, tickers=())
    src = box.dir / "src"
    src.mkdir()
    for p in sorted(MIRROR.glob("*.csv")):
        shutil.copy(p, src / p.name)
    rng = random.Random(11)
    for i in range(runs):
        p = subprocess.Popen([PY, "-m", "research.cli", "import", str(src), "--replace"], env=box.env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 3.5))
        p.send_signal(signal.SIGKILL)
        p.wait()
        if i % 2:
            for f in src.glob("*.csv"):      # new content so the next run supersedes files
                lines = f.read_text().splitlines()
                f.write_text("\n".join(lines[:-1]) + "\n")
    bad = []
    if (box.store / "manifest.json").exists():
        try:
            series = box.manifest()
            bad += [t for t, e in series.items() if not (box.store / e["file"]).is_file()]
        except ValueError as exc:
            bad.append(f"manifest corrupt: {exc}")
    strays = [p.name for p in box.store.rglob("*") if p.is_file() and "tmp" in p.name]
    r0 = box.cli("store", "check")
    r = box.cli("store", "repair")
    r2 = box.cli("store", "check")
    check(f"store/sigkill-{runs}-imports-repair-check", box, r2,
          None if not bad and r.returncode == 0 and r2.returncode == 0
          else f"dangling {bad}; repair {r.returncode}; check {r2.returncode} {first_line(r2.stdout)}")
    print(f"{'':<44} -> before repair: check exit {r0.returncode}, {len(strays)} temporary files")


# --- beyond the examples: the same classes, other doors ------------------------------------

def extra_doors(base):
    box = Box(base, tickers=("002415.SZ", "000300.SS", "002236.SZ"))
    good = rows_of("AMBA", 30)
    before = snapshot(box.store)
    r = box.cli("import", str(box.csv("bom/AMBA.csv", [], raw=b"\xef\xbb\xbf" + ("\n".join([HEADER, *good]) + "\n").encode())))
    check("extra/csv-utf8-bom-imports", box, r, None if r.returncode == 0 else f"exit {r.returncode} {first_line(r.stderr)}", before)
    reject("extra/csv-duplicate-date", box, "import", str(box.csv("dup/BABA.csv", good[:5] + good[4:])))
    reject("extra/csv-semicolons", box, "import", str(box.csv("semi/BABA.csv", [g.replace(",", ";") for g in good],
                                                              header=HEADER.replace(",", ";"))))
    reject("extra/csv-filename-not-a-ticker", box, "import", str(box.csv("badname/a b.csv", good)))
    loop = box.dir / "loop"
    loop.mkdir()
    (loop / "X.csv").symlink_to(loop / "X.csv")
    reject("extra/csv-symlink-loop", box, "import", str(loop))
    reject("extra/prices-ticker-slash", box, "prices", "a/b")
    reject("extra/prices-unknown-ticker", box, "prices", "NOPE")
    reject("extra/lock-timeout-not-a-number", box, "import", str(MIRROR / "AMBA.csv"), env=box.env(RESEARCH_LOCK_TIMEOUT="soon"))
    out = str(box.dir / "o")
    for label, opt in [("windows-text", "--windows=a,b"), ("windows-reversed", "--windows=5,1"),
                       ("estimation-reversed", "--estimation=-11,-250"), ("estimation-overlaps-window", "--estimation=-5,5"),
                       ("estimation-future-dates", "--estimation=2099-01-01,2099-02-01"),
                       ("estimation-bad-date", "--estimation=2020-02-30,2020-03-01"),
                       ("min-estimation-negative", "--min-estimation=-1"), ("seed-negative", "--seed=-1"),
                       ("benchmark-slash", "--benchmark=a/b"), ("benchmark-unknown", "--benchmark=NOPE")]:
        reject(f"extra/run-{label}", box, "run", EVENT, opt, "--out", out, quiet=True)
    fac = box.dir / "f.csv"
    fac.write_bytes(b"Date,MKT\n2020-01-02,\xff\n")
    reject("extra/run-factors-not-utf8", box, "run", EVENT, "--model", "factor", "--factors", str(fac), "--out", out, quiet=True)
    reject("extra/run-factors-missing", box, "run", EVENT, "--model", "factor", "--factors", str(box.dir / "nope.csv"),
           "--out", out, quiet=True)
    reject("extra/simulate-seed-negative", box, "simulate", "--samples", "5", "--seed=-1", "--out", str(box.dir / "s.csv"),
           quiet=True)
    reject("extra/run-unknown-event", box, "run", "no-such-event", "--out", out, quiet=True)
    reject("extra/align-window-reversed", box, "align", "entity-list-2019", "--window", "5", "-5")
    # the window only bounds the search for confounding events: a huge one finds them all (correct)
    r = box.cli("align", "entity-list-2019", "--window", "0", "100000000")
    check("extra/align-window-huge-searches-all", box, r, None if r.returncode == 0 else f"exit {r.returncode}")
    box2, cat, nb = new_event_box(base)
    before = cat.read_bytes()
    for label, opt, value in [("id-path", "--id", "../../evil"), ("id-upper", "--id", "Evil-2023"),
                              ("listing-slash", "--listing", "a/b:designated:X"), ("announced-bad", "--announced", "2023-02-30"),
                              ("announced-year-9999", "--announced", "9999-01-01"), ("episode-not-a-slug", "--episode", "E 9")]:
        args = list(NEW_EVENT)
        args[args.index(opt) + 1] = value
        reject(f"extra/new-event-{label}", box2, "new-event", *args, "--catalogue", str(cat), "--notebooks", str(nb),
               after=lambda: "catalogue changed" if cat.read_bytes() != before else
               ("wrote outside the notebooks folder" if list(box2.dir.rglob("evil*")) or list(nb.iterdir()) else None))
    args = list(NEW_EVENT)       # a new episode of its own is allowed (catalogue.EPISODES says so)
    args[args.index("--episode") + 1] = "e9-new-episode"
    r = box2.cli("new-event", *args, "--catalogue", str(cat), "--notebooks", str(nb))
    check("extra/new-event-new-episode-allowed", box2, r, None if r.returncode == 0 else f"exit {r.returncode} {first_line(r.stderr)}")
    bad = box2.dir / "bad.yaml"
    bad.write_bytes(b"events:\n- id: \xff\n")
    reject("extra/new-event-catalogue-not-utf8", box2, "new-event", *NEW_EVENT, "--catalogue", str(bad), "--notebooks", str(nb),
           after=lambda: "catalogue changed" if bad.read_bytes() != b"events:\n- id: \xff\n" else None)
    reject("extra/claims-catalogue-not-utf8", box2, "claims", "--catalogue", str(bad))


CASES = [loss_overlapping_imports, loss_ticker, loss_shorter_reimport, loss_new_event,
         silent_prices, silent_two_files, silent_utc_offsets, silent_catalogue, silent_benchmark, silent_out,
         silent_event_study, silent_lock, silent_run_missing_file, silent_run_strict,
         trace_csv, trace_catalogue, trace_registry, trace_new_event_tz, trace_out, trace_store_faults,
         store_check_repair, store_sigkill, extra_doors, trace_2m_rows]


def main(argv):
    base = Path(tempfile.mkdtemp(prefix="battery-"))
    try:
        for case in CASES:
            if argv and not any(a in case.__name__ for a in argv):
                continue
            try:
                case(base)
            except Exception as exc:          # the harness itself failed: say so, go on
                record(case.__name__, "-", "", False, False, f"HARNESS {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    fails = [n for n, v in RESULTS if v == "FAIL"]
    print(f"\n{len(RESULTS)} cases, {len(RESULTS) - len(fails)} pass, {len(fails)} fail" + (": " + ", ".join(fails) if fails else ""))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
