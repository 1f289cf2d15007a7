"""The kit's own price snapshot (data/prices/): it agrees with the shared files row for row, and a
fresh clone with no ../shared and no network builds its store from it and reproduces E5's day 0."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from research import config
from research.errors import ResearchError

ROOT = config.PROJECT_ROOT


def _script():
    spec = importlib.util.spec_from_file_location("snapshot_script", ROOT / "scripts" / "snapshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _index(root: Path = ROOT) -> dict[str, dict]:
    with open(root / "data" / "snapshot.csv", newline="", encoding="utf-8") as f:
        return {row["ticker"]: row for row in csv.DictReader(f)}


def test_snapshot_check_passes_against_the_shared_files(shared_prices):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "snapshot.py"), "--check", str(shared_prices)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "agrees with" in done.stdout


def test_snapshot_rows_are_the_shared_rows_and_the_ranges_are_the_readme_s(shared_prices):
    """Independently of the script: each file is the shared header and the shared rows of the
    range data/README.md states, string-exact, and its sha256 is the one stated."""
    import hashlib

    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    index = _index()
    assert set(index) == {p.stem for p in (ROOT / "data" / "prices").glob("*.csv")}
    for ticker, row in index.items():
        raw = (ROOT / "data" / "prices" / f"{ticker}.csv").read_bytes()
        assert hashlib.sha256(raw).hexdigest() == row["sha256"]
        assert f"| {ticker} | {row['first_date']} | {row['last_date']} | {row['rows']} | `{row['sha256']}` |" in readme
        mine = raw.decode("utf-8").splitlines()
        theirs = (shared_prices / f"{ticker}.csv").read_text(encoding="utf-8").splitlines()
        assert mine[0] == theirs[0]
        wanted = [line for line in theirs[1:] if row["first_date"] <= line.split(",")[0] <= row["last_date"]]
        assert mine[1:] == wanted and len(wanted) == int(row["rows"])


def test_snapshot_check_names_a_changed_row_and_a_stale_readme(tmp_path, shared_prices, capsys):
    script = _script()
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("store", "results"))
    script.PROJECT, script.SNAPSHOT = tmp_path, tmp_path / "data" / "prices"
    script.INDEX, script.README = tmp_path / "data" / "snapshot.csv", tmp_path / "data" / "README.md"
    assert script.check(shared_prices) == []

    hik = tmp_path / "data" / "prices" / "002415.SZ.csv"
    lines = hik.read_bytes().decode().split("\n")
    lines[5] = lines[5].replace(",", ",9", 1)           # one Open changed
    hik.write_bytes("\n".join(lines).encode())
    readme = script.README.read_text(encoding="utf-8")
    first = _index()["^GSPC"]["first_date"]
    assert f"| ^GSPC | {first} |" in readme
    script.README.write_text(readme.replace(f"| ^GSPC | {first} |", "| ^GSPC | 1999-12-20 |"), encoding="utf-8")
    (tmp_path / "data" / "prices" / "XXX.csv").write_text("Date,Open,High,Low,Close,Adj Close,Volume\n")

    problems = script.check(shared_prices)
    assert any(p.startswith("data/prices/002415.SZ.csv: line 6 is") for p in problems), problems
    assert any(p.startswith("data/README.md:") for p in problems), problems
    assert "data/prices/XXX.csv: not a series of the snapshot" in problems
    assert script.main(["--check", str(shared_prices)]) == 1
    assert "differs from" in capsys.readouterr().out


def test_every_snapshot_file_is_a_strict_part_of_its_shared_file_with_its_line_endings(shared_prices):
    for path in (ROOT / "data" / "prices").glob("*.csv"):
        mine, theirs = path.read_bytes(), (shared_prices / path.name).read_bytes()
        assert b"\r" not in mine and b"\r" not in theirs, path.name      # LF, as the shared files
        assert len(mine.splitlines()) < len(theirs.splitlines()), path.name
    assert not (ROOT / ".gitattributes").exists() or "data/prices" not in (ROOT / ".gitattributes").read_text()


def test_the_script_refuses_a_rule_that_would_keep_a_series_whole(tmp_path, shared_prices, monkeypatch):
    script = _script()
    monkeypatch.setattr(script, "MARGIN", 100_000)       # every reach widened past both ends
    with pytest.raises(ResearchError, match="keeps every row of the shared file"):
        script.build(shared_prices)


def test_the_snapshot_holds_every_catalogue_listing_s_windows_as_the_shared_file_does(shared_prices):
    """Independently of the script's rule: around each catalogue event's announcement, the 251 rows
    before (estimation window and the close before it) and 21 from it (event window) of each
    listing, and its registry benchmark over them, are the shared file's rows."""
    from research.events.catalogue import is_shipped, load_catalogue
    from research.securities import load_registry

    registry = load_registry()

    def rows(folder, ticker):
        return (folder / f"{ticker}.csv").read_text(encoding="utf-8").splitlines()[1:]

    checked = 0
    for event in filter(is_shipped, load_catalogue(ROOT / "data" / "events.yaml").values()):
        day = str(event.announced.date)
        for ticker in event.tickers:
            if not (shared_prices / f"{ticker}.csv").is_file():
                continue
            theirs = rows(shared_prices, ticker)
            at = sum(line.split(",")[0] < day for line in theirs)
            want = theirs[max(0, at - 251):at + 21]
            mine = rows(ROOT / "data" / "prices", ticker)
            assert "\n".join(want) in "\n".join(mine), (event.id, ticker)
            lo, hi = want[0].split(",")[0], want[-1].split(",")[0]
            bench = registry[ticker].benchmark
            span = [line for line in rows(shared_prices, bench) if lo <= line.split(",")[0] <= hi]
            assert "\n".join(span) in "\n".join(rows(ROOT / "data" / "prices", bench)), (event.id, bench)
            checked += 1
    assert checked >= 30


def test_the_validation_draws_the_same_pseudo_events_from_the_snapshot_as_from_the_shared_files(real_store, tmp_path,
                                                                                               monkeypatch):
    """Its stated period makes the simulation independent of the history outside it: the same
    draws and the same rejection counts from the snapshot as from the full shared files."""
    import pandas as pd

    from research.prices import import_csv
    from research.study.simulation import simulate

    kw = {"sizes": (4, 50), "ks": (0.0, 0.01), "windows": [(0, 0)], "tests": ["bmp", "patell_kp", "corrado"],
          "seed": 2024}
    shared = simulate(25, **kw)
    monkeypatch.setenv("RESEARCH_STORE", str(tmp_path / "store"))
    import_csv(config.SNAPSHOT_DIR)
    mine = simulate(25, **kw)
    pd.testing.assert_frame_equal(mine.draws, shared.draws)
    pd.testing.assert_frame_equal(mine.table, shared.table)
    assert mine.settings["period"] == ["2012-01-01", "2021-12-31"] and mine.settings["excluded"] == 0


def _needed() -> set[str]:
    """Every listing the catalogue names and every benchmark (and alternative) it is measured against."""
    from research.report.episode import ALTERNATIVE_BENCHMARKS
    from research.securities import load_registry

    from research.events.catalogue import is_shipped, load_catalogue

    registry = load_registry()
    catalogue = load_catalogue(ROOT / "data" / "events.yaml")
    listings = {t for event in catalogue.values() if is_shipped(event) for t in event.tickers}
    benchmarks = {registry[t].benchmark for t in listings}
    return listings | benchmarks | {ALTERNATIVE_BENCHMARKS[b] for b in benchmarks if ALTERNATIVE_BENCHMARKS.get(b)}


def _research(args, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "research.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def _day0(run: Path) -> tuple[dict, dict]:
    with open(run / "car.csv", newline="") as f:
        car = next(r for r in csv.DictReader(f) if r["ticker"] == "002415.SZ" and r["window"] == "[0,0]")
    with open(run / "ar.csv", newline="") as f:
        ar = next(r for r in csv.DictReader(f) if r["ticker"] == "002415.SZ" and r["relative_day"] == "0")
    return car, ar


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory) -> Path:
    """The committed HEAD cloned alone into an empty folder: no ../shared beside it."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the project is not a git checkout")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    clone = tmp_path_factory.mktemp("alone") / "kit"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "checkout", "-q", head.strip()], cwd=clone, check=True)
    assert not (clone.parent / "shared").exists()
    return clone


def test_a_fresh_clone_builds_from_its_snapshot_and_reproduces_hikvision_day0(fresh_clone, shared_prices, tmp_path):
    # The clone's own code (PYTHONPATH), store and results; no mirror, no network, no ../shared.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESEARCH_")}
    env |= {"PYTHONPATH": str(fresh_clone), "RESEARCH_OFFLINE": "1", "MPLBACKEND": "Agg"}
    where = subprocess.run([sys.executable, "-c", "import research; print(research.__file__)"], cwd=fresh_clone,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(fresh_clone)

    _research(["build"], fresh_clone, env)
    series = json.loads((fresh_clone / "data" / "store" / "manifest.json").read_text())["series"]
    index = _index(fresh_clone)
    # every series an episode reads that the shared data hold (CHA, CHU and many of the catalogue's listings have none)
    held = {t for t in _needed() if (shared_prices / f"{t}.csv").is_file()}
    assert held <= set(series) and set(index) == set(series)
    assert {"CHA", "CHU"} <= _needed() - held
    for ticker, row in index.items():
        assert series[ticker]["source_sha256"] == row["sha256"]
        assert series[ticker]["source_path"] == str((fresh_clone / "data" / "prices" / f"{ticker}.csv").resolve())

    _research(["run", "hikvision-sdn-report-2022"], fresh_clone, env)
    car, ar = _day0(fresh_clone / "data" / "results" / "run" / "hikvision-sdn-report-2022")
    assert round(float(car["car"]) * 100, 2) == -9.77 and round(float(car["t_stat"]), 2) == -6.18
    assert ar["date"] == "2022-05-05" and ar["abnormal_return"] == car["car"]

    # The same run on the shared files, read through the mirror into a store of its own.
    shared_env = env | {"PYTHONPATH": str(ROOT), "RESEARCH_MIRROR": str(shared_prices),
                        "RESEARCH_STORE": str(tmp_path / "store"), "RESEARCH_RESULTS": str(tmp_path / "results")}
    _research(["run", "hikvision-sdn-report-2022"], ROOT, shared_env)
    car_shared, ar_shared = _day0(tmp_path / "results" / "run" / "hikvision-sdn-report-2022")
    assert car == car_shared and ar == ar_shared        # every field, to the full precision written


def test_build_with_no_path_and_no_mirror_imports_the_snapshot(capsys):
    from research import cli
    from research.prices import PriceStore

    assert cli.main(["build"]) == 0
    assert f"imported {len(_index())} series" in capsys.readouterr().out
    manifest = PriceStore().manifest()
    for ticker, row in _index().items():
        assert manifest[ticker]["source_sha256"] == row["sha256"]
        assert manifest[ticker]["first_date"] == row["first_date"] and manifest[ticker]["last_date"] == row["last_date"]


def test_the_provenance_table_names_a_snapshot_series_by_its_upstream_source_not_a_local_path(tmp_path):
    from research.prices import import_csv
    from research.report.tables import provenance_table

    import_csv(config.SNAPSHOT_DIR / "002415.SZ.csv")
    other = tmp_path / "elsewhere" / "^HSI.csv"         # a file of the user's: named, not located
    other.parent.mkdir()
    shutil.copy(config.SNAPSHOT_DIR / "^HSI.csv", other)
    other.write_bytes(b"\n".join(other.read_bytes().splitlines()[:-1]) + b"\n")    # a file of its own
    import_csv(other)
    table = provenance_table(["002415.SZ", "^HSI", "BABA"])
    data = table.data.set_index("ticker")
    row = _index()["002415.SZ"]
    assert data.loc["002415.SZ", "source_path"] == "data/prices/002415.SZ.csv"
    assert data.loc["002415.SZ", "upstream"] == row["upstream"]
    assert "future-development-platform/data at 17f6890942a8" in row["upstream"]
    assert data.loc["^HSI", "source_path"] == "^HSI.csv"
    shown = {r.stub: r.cells for r in table.rows}
    assert f"sha256 {row['sha256'][:12]}" in shown["002415.SZ"][0] and row["upstream"] in shown["002415.SZ"][0]
    assert shown["^HSI"][0].startswith("CSV ^HSI.csv (sha256") and shown["BABA"][0] == "not in the store"
    text = "\n".join(str(c) for r in table.rows for c in r.cells) + "\n".join(table.notes)
    assert str(tmp_path) not in text and str(config.PROJECT_ROOT) not in text
    assert str(tmp_path) not in table.data.to_csv() and str(config.PROJECT_ROOT) not in table.data.to_csv()
