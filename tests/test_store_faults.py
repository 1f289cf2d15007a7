"""What users and machines do to the price store, grouped by cause (issue 11).

- ``TestDataLoss``: concurrent and interrupted writers never leave the manifest pointing at a
  missing or changed file.
- ``TestFaults``: a full disk, a read-only store, a folder where a file belongs, a corrupt
  manifest, a garbage Parquet file: one line naming the file or ticker, exit 2, store unchanged.
- ``TestCheckRepair``: ``research store check`` finds every kind of damage, ``repair`` mends it
  without losing a series silently, and ``research prices`` survives a missing series.
- ``TestLock``: a held lock is waited for a bounded time, its holder named, nothing left behind.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from research.cli import main
from research.errors import ResearchError
from research.prices import PriceStore, import_csv

PROV = {"source": "csv", "source_path": "/x/AAA.csv", "yfinance_version": None, "auto_adjust": None, "notes": []}


def frame(n=5, level=10.0):
    dates = pd.DatetimeIndex(pd.bdate_range("2020-01-02", periods=n), name="Date", freq=None)
    close = level + np.arange(n, dtype=float)
    return pd.DataFrame({"Open": close, "High": close + 1, "Low": close - 1, "Close": close,
                         "Adj Close": close, "Volume": np.full(n, 100.0)}, index=dates)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but the lock, which only names its last holder) and its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def assert_sound(root: Path) -> dict:
    """Independently of the store's code: every entry's file exists and matches its sha256."""
    series = json.loads((root / "manifest.json").read_text())["series"]
    for ticker, entry in series.items():
        path = root / entry["file"]
        assert path.is_file(), f"{ticker}: {entry['file']} is missing"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], ticker
    return series


def scaled_copy(source: Path, target: Path, factor: float = 2.0) -> None:
    """The CSV with every price multiplied by ``factor``: same dates, other content."""
    with open(source, newline="") as f_in, open(target, "w", newline="") as f_out:
        rows = csv.reader(f_in)
        out = csv.writer(f_out, lineterminator="\n")
        out.writerow(next(rows))
        for row in rows:
            out.writerow([row[0], *(repr(float(x) * factor) if x else "" for x in row[1:6]), *row[6:]])


@pytest.fixture
def overlapping(tmp_path, shared_prices) -> tuple[Path, Path]:
    """Two folders of real CSVs sharing four tickers, whose shared series differ in content."""
    files = sorted(p for p in shared_prices.glob("*.csv") if not p.name.startswith("^"))[:12]
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for f in files[:8]:
        shutil.copy(f, a / f.name)
    for f in files[:4] + files[8:]:  # the shared four come first in both, so the writers meet on them
        scaled_copy(f, b / f.name)
    return a, b


def cli(*argv, env=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "research.cli", *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("research: error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# ---------------------------------------------------------------------------------------------
class TestDataLoss:
    WORKER = textwrap.dedent("""
        import contextlib, io, sys
        from research.cli import main
        for line in sys.stdin:  # one `research import FOLDER` per line the test sends
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                code = main(["import", sys.argv[1]])
            print(code, flush=True)
    """)

    def test_overlapping_imports_from_two_processes_lose_nothing_in_20_rounds(self, tmp_path, overlapping):
        """The superseded file was deleted outside the lock, after another writer had re-created it."""
        root = tmp_path / "store"
        env = {**os.environ, "RESEARCH_STORE": str(root)}
        workers = [subprocess.Popen([sys.executable, "-c", self.WORKER, str(folder)], env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE) for folder in overlapping]
        expected = {p.stem for folder in overlapping for p in folder.glob("*.csv")}
        try:
            for round_ in range(20):
                for w in workers:
                    w.stdin.write("go\n")
                    w.stdin.flush()
                assert [w.stdout.readline().strip() for w in workers] == ["0", "0"], f"round {round_}"
                series = assert_sound(root)
                assert set(series) == expected
                assert PriceStore(root).check() == []  # which also reads every series
        finally:
            for w in workers:
                w.stdin.close()
                w.wait(timeout=60)
                w.stdout.close()

    def test_a_writer_paused_between_its_parquet_and_its_commit_loses_nothing(self, tmp_path, monkeypatch):
        """The interleaving that lost series: B has renamed its file into place and not yet committed
        when A commits and removes its superseded file, which is B's. B then commits a missing file."""
        store = PriceStore(tmp_path)
        store.save("AAA", frame(level=2.0), PROV)  # B's content is the stored one
        paused, resume, real_replace = threading.Event(), threading.Event(), os.replace

        def replace(src, dst):
            real_replace(src, dst)
            if threading.current_thread().name == "B" and str(dst).endswith(".parquet"):
                paused.set()
                resume.wait(timeout=30)

        monkeypatch.setattr(os, "replace", replace)
        b = threading.Thread(target=PriceStore(tmp_path).save, args=("AAA", frame(level=2.0), PROV), name="B")
        a = threading.Thread(target=PriceStore(tmp_path, lock_timeout=30).save, args=("AAA", frame(level=1.0), PROV))
        b.start()
        assert paused.wait(timeout=30)
        a.start()
        a.join(timeout=0.5)  # A must wait for B's commit, not remove B's file under it
        resume.set()
        a.join(timeout=30), b.join(timeout=30)
        assert_sound(tmp_path)
        assert store.check() == []

    def test_a_merging_reimport_reads_and_writes_under_one_lock(self, tmp_path, monkeypatch):
        """Two imports of one ticker's disjoint date ranges at once: each merge reads the stored
        series and writes it back; a writer that commits between another's read and write would
        have its rows overwritten by a stale merge."""
        from research.prices import sources

        days = pd.bdate_range("2020-01-01", periods=60)
        for name, part in (("first", days[:20]), ("a", days[20:40]), ("b", days[40:])):
            (tmp_path / name).mkdir()
            rows = ["Date,Open,High,Low,Close,Adj Close,Volume"] + [f"{d.date()},10,11,9,10,10,100" for d in part]
            (tmp_path / name / "AAA.csv").write_text("\n".join(rows) + "\n")
        store_root = tmp_path / "store"
        import_csv(tmp_path / "first" / "AAA.csv", store=PriceStore(store_root))
        paused, resume, real_merge = threading.Event(), threading.Event(), sources.merge

        def merge(old, new):  # B pauses after it has read the stored series
            if threading.current_thread().name == "B":
                paused.set()
                resume.wait(timeout=30)
            return real_merge(old, new)

        monkeypatch.setattr(sources, "merge", merge)
        b = threading.Thread(target=import_csv, args=(tmp_path / "b" / "AAA.csv",),
                             kwargs={"store": PriceStore(store_root)}, name="B")
        a = threading.Thread(target=import_csv, args=(tmp_path / "a" / "AAA.csv",),
                             kwargs={"store": PriceStore(store_root, lock_timeout=30)})
        b.start()
        assert paused.wait(timeout=30)
        a.start()
        a.join(timeout=0.5)  # A waits for B's commit instead of committing between B's read and write
        resume.set()
        a.join(timeout=30), b.join(timeout=30)
        assert len(PriceStore(store_root).load("AAA")) == 60

    def test_the_superseded_file_goes_only_when_no_entry_references_it(self, tmp_path):
        store = PriceStore(tmp_path)
        first = store.save("AAA", frame(), PROV)
        again = store.save("AAA", frame(), PROV)  # the same content: the same file, which must stay
        assert again["file"] == first["file"] and (tmp_path / first["file"]).is_file()
        newer = store.save("AAA", frame(level=20.0), PROV)
        assert not (tmp_path / first["file"]).exists() and (tmp_path / newer["file"]).is_file()
        assert store.check() == []

    def test_a_failed_commit_never_removes_a_file_the_manifest_references(self, tmp_path, monkeypatch):
        store = PriceStore(tmp_path)
        entry = store.save("AAA", frame(), PROV)

        def interrupted(self, series):
            raise KeyboardInterrupt

        monkeypatch.setattr(PriceStore, "_write_manifest", interrupted)
        with pytest.raises(KeyboardInterrupt):  # the identical file was rewritten, then the commit failed
            store.save_many([("AAA", frame(), PROV), ("BBB", frame(level=5.0), PROV)])
        monkeypatch.undo()
        assert (tmp_path / entry["file"]).is_file() and store.check() == []
        pd.testing.assert_frame_equal(store.load("AAA"), frame())

    @pytest.mark.parametrize("ticker", ["/../../escape", "a/b", "..", ".hidden", "", "a\\b", "x\0y"])
    def test_a_ticker_that_is_no_file_name_is_refused_before_anything_is_written(self, tmp_path, ticker):
        store = PriceStore(tmp_path / "store")
        store.save("AAA", frame(), PROV)
        before = snapshot(store.root)
        with pytest.raises(ResearchError, match="is not a ticker"):
            store.save_many([("BBB", frame(), PROV), (ticker, frame(), PROV)])
        assert snapshot(store.root) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


# ---------------------------------------------------------------------------------------------
def on_a_file(fd, *_args, **_kwargs) -> bool:
    """An ``fsync`` of a file's data, not of a folder entry (a rename's flush, whose failure is
    harmless and ignored)."""
    return stat.S_ISREG(os.fstat(fd).st_mode)


def a_temporary_file(path, *_args, **_kwargs) -> bool:
    """An ``os.open`` that creates the temporary file of an atomic write."""
    return str(path).endswith(".tmp")


def fail_on_call(monkeypatch, module, name: str, n: int, code: int, only=None) -> None:
    """Make the ``n``-th call of ``module.name`` (counting only the calls ``only`` accepts) raise
    ``OSError(code)``, as the kernel would."""
    real, calls = getattr(module, name), []

    def failing(*args, **kwargs):
        if only is not None and not only(*args, **kwargs):
            return real(*args, **kwargs)
        calls.append(1)
        if len(calls) == n:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


def _private_mounts_work() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


PRIVATE_MOUNTS = pytest.mark.skipif(not _private_mounts_work(), reason="needs `unshare -rm` (user namespaces)")

IN_NAMESPACE = textwrap.dedent("""
    import json, os, subprocess, sys
    store, mount, steps = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    subprocess.run(mount.replace("STORE", store), shell=True, check=True)
    out = []
    for argv in steps:
        proc = subprocess.run([sys.executable, "-m", "research.cli", *argv], capture_output=True, text=True)
        listing = {}
        for folder, _, files in os.walk(store):
            for f in files:
                path = os.path.join(folder, f)
                if f != ".lock":
                    listing[os.path.relpath(path, store)] = open(path, "rb").read().hex()
        out.append({"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "files": listing})
    print(json.dumps(out))
""")


def in_private_mounts(store: Path, mount: str, *steps: list[str]) -> list[dict]:
    """Run ``research`` steps in a mount namespace where ``mount`` (a shell line) has been run."""
    proc = subprocess.run(["unshare", "-rm", sys.executable, "-c", IN_NAMESPACE, str(store), mount, json.dumps(steps)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "RESEARCH_STORE": str(store)})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


BAD_MANIFESTS = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
    "a JSON list": b"[1, 2, 3]",
    "an entry without file": json.dumps({"format": 1, "series": {"AAA": {"sha256": "0" * 64, "source": "csv"}}}).encode(),
    "series: []": json.dumps({"format": 1, "series": []}).encode(),
    "truncated": b'{"format": 1, "series": {"AAA": {"file": "pri',
    "a file outside prices/": json.dumps({"format": 1, "series": {"AAA": {
        "file": "../../etc/passwd", "sha256": "0" * 64, "source": "csv", "first_date": "2020-01-02",
        "last_date": "2020-01-08", "rows": 5}}}).encode(),
}


class TestFaults:
    @pytest.mark.parametrize("point", [("fsync", on_a_file, errno.ENOSPC), ("open", a_temporary_file, errno.ENOSPC),
                                       ("replace", None, errno.EROFS), ("open", a_temporary_file, errno.EACCES)])
    @pytest.mark.parametrize("n", [1, 2, 3, 4])
    def test_a_write_failing_at_any_step_stores_nothing(self, tmp_path, monkeypatch, point, n):
        """A folder import is all or nothing: a disk filling at series 2 of 3 leaves the store as it was.

        Calls 1-3 write the three Parquet files, call 4 the manifest."""
        store = PriceStore(tmp_path)
        store.save("AAA", frame(), PROV)
        before = snapshot(tmp_path)
        name, only, code = point
        fail_on_call(monkeypatch, os, name, n, code, only)
        with pytest.raises(ResearchError) as caught:
            store.save_many([("AAA", frame(level=50.0), PROV), ("BBB", frame(), PROV), ("CCC", frame(), PROV)])
        monkeypatch.undo()
        message = str(caught.value)
        assert "\n" not in message and os.strerror(code) in message and "nothing was stored" in message
        assert snapshot(tmp_path) == before
        assert store.check() == [] and store.tickers() == ["AAA"]

    def test_a_disk_full_during_a_folder_import_exits_2_and_keeps_the_store(self, tmp_path, monkeypatch, capsys,
                                                                            shared_prices):
        root = tmp_path / "store"
        monkeypatch.setenv("RESEARCH_STORE", str(root))
        assert run_cli(capsys, "import", str(shared_prices / "AMBA.csv"))[0] == 0
        before = snapshot(root)
        fail_on_call(monkeypatch, os, "fsync", 15, errno.ENOSPC, on_a_file)  # the 15th of 24 series
        code, _, err = run_cli(capsys, "import", str(shared_prices))
        assert code == 2 and "No space left on device" in err and "nothing was stored" in err
        monkeypatch.undo()
        assert snapshot(root) == before

    @PRIVATE_MOUNTS
    def test_a_real_2mb_disk_filling_up_leaves_the_earlier_import(self, tmp_path, shared_prices):
        """On a 2 MB tmpfs the 24 shared series (about 5 MB) cannot fit: none is stored."""
        small = tmp_path / "small"
        small.mkdir()
        shutil.copy(shared_prices / "PDD.csv", small)
        store = tmp_path / "store"
        store.mkdir()
        first, full, check = in_private_mounts(store, "mount -t tmpfs -o size=2m tmpfs STORE",
                                               ["import", str(small)], ["import", str(shared_prices)],
                                               ["store", "check"])
        assert first["rc"] == 0
        assert full["rc"] == 2 and "Traceback" not in full["stderr"], full["stderr"]
        assert "No space left on device" in full["stderr"] and "nothing was stored" in full["stderr"]
        assert full["files"] == first["files"]
        assert check["rc"] == 0, check["stdout"]

    @PRIVATE_MOUNTS
    def test_a_disk_already_full_is_one_line_even_for_the_lock(self, tmp_path, shared_prices):
        """The lock's holder line cannot be written either: its failure is ignored once, not raised
        again (as a traceback after the message) when the lock file is closed."""
        store = tmp_path / "store"
        store.mkdir()
        (full,) = in_private_mounts(store, "mount -t tmpfs -o size=64k tmpfs STORE && "
                                           "(dd if=/dev/zero of=STORE/fill bs=4k 2>/dev/null; true)",
                                    ["import", str(shared_prices / "PDD.csv")])
        assert full["rc"] == 2 and "Traceback" not in full["stderr"], full["stderr"]
        assert "No space left on device" in full["stderr"] and "nothing was stored" in full["stderr"]
        assert set(full["files"]) == {"fill"}

    @PRIVATE_MOUNTS
    def test_a_read_only_store(self, tmp_path, shared_prices):
        store = tmp_path / "store"
        assert cli("import", str(shared_prices / "PDD.csv"), env={"RESEARCH_STORE": str(store)}).returncode == 0
        ro = "mount --bind STORE STORE && mount -o remount,bind,ro STORE"
        imported, check, prices = in_private_mounts(store, ro, ["import", str(shared_prices / "BILI.csv")],
                                                    ["store", "check"], ["prices", "PDD"])
        assert imported["rc"] == 2 and "Read-only file system" in imported["stderr"], imported["stderr"]
        assert "Traceback" not in imported["stderr"] and "BILI" not in json.dumps(list(imported["files"]))
        assert check["rc"] == 0 and prices["rc"] == 0, (check, prices)

    def test_lock_is_a_folder(self, tmp_path, monkeypatch, capsys):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path))
        PriceStore(tmp_path).save("AAA", frame(), PROV)
        (tmp_path / ".lock").unlink()
        (tmp_path / ".lock").mkdir()
        before = snapshot(tmp_path)
        with pytest.raises(ResearchError, match=r"\.lock is a folder"):
            PriceStore(tmp_path).save("BBB", frame(), PROV)
        assert snapshot(tmp_path) == before
        code, _, err = run_cli(capsys, "store", "repair")
        assert code == 2 and ".lock is a folder" in err

    def test_research_store_names_a_file(self, tmp_path, monkeypatch, capsys, shared_prices):
        target = tmp_path / "not-a-folder"
        target.write_text("x")
        monkeypatch.setenv("RESEARCH_STORE", str(target))
        for argv in (["import", str(shared_prices / "PDD.csv")], ["prices"], ["store", "check"], ["store", "repair"]):
            code, _, err = run_cli(capsys, *argv)
            assert code == 2 and "is a file, not a folder" in err, argv
        assert target.read_text() == "x"

    @pytest.mark.parametrize("name", sorted(BAD_MANIFESTS))
    def test_a_bad_manifest_is_one_line_naming_repair_and_blocks_no_reimport(self, name, tmp_path, monkeypatch,
                                                                             capsys, shared_prices):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path))
        assert run_cli(capsys, "import", str(shared_prices / "PDD.csv"))[0] == 0
        (tmp_path / "manifest.json").write_bytes(BAD_MANIFESTS[name])
        before = snapshot(tmp_path)
        for argv in (["prices"], ["prices", "PDD"], ["import", str(shared_prices / "BILI.csv")]):
            code, _, err = run_cli(capsys, *argv)
            assert code == 2 and "manifest.json" in err and "research store repair" in err, (argv, err)
            assert len(err.strip().splitlines()) == 1
        assert snapshot(tmp_path) == before  # refused before writing: no orphan file either
        code, out, _ = run_cli(capsys, "store", "check")
        assert code == 1 and "manifest.json" in out
        code, out, _ = run_cli(capsys, "store", "repair")
        assert code == 0, out
        kept = [p for p in tmp_path.iterdir() if p.name.startswith("manifest.json.corrupt-")]
        assert [p.read_bytes() for p in kept] == [BAD_MANIFESTS[name]]  # the bad manifest is kept for the user
        assert PriceStore(tmp_path).tickers() == ["PDD"]  # its series recovered from prices/
        assert run_cli(capsys, "import", str(shared_prices / "BILI.csv"))[0] == 0
        assert PriceStore(tmp_path).tickers() == ["BILI", "PDD"] and PriceStore(tmp_path).check() == []

    def test_garbage_parquet_whose_sha_matches_names_ticker_and_file(self, tmp_path, monkeypatch, capsys):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path))
        store = PriceStore(tmp_path)
        store.save("AAA", frame(), PROV)
        garbage = b"PAR1 this is not a Parquet file PAR1"
        sha = hashlib.sha256(garbage).hexdigest()
        manifest = json.loads(store.manifest_path.read_text())
        old = tmp_path / manifest["series"]["AAA"]["file"]
        new = f"prices/AAA.{sha[:12]}.parquet"
        old.rename(tmp_path / new)
        (tmp_path / new).write_bytes(garbage)
        manifest["series"]["AAA"].update(file=new, sha256=sha)
        store.manifest_path.write_text(json.dumps(manifest))
        with pytest.raises(ResearchError, match=rf"^AAA: prices/AAA\.{sha[:12]}\.parquet is not a readable Parquet"):
            store.load("AAA")
        code, _, err = run_cli(capsys, "prices", "AAA")
        assert code == 2 and "AAA" in err and new in err


# ---------------------------------------------------------------------------------------------
class TestCheckRepair:
    def damaged(self, root: Path) -> PriceStore:
        """A store with each kind of damage: missing, mismatched, unreadable, unreferenced, temporary."""
        store = PriceStore(root)
        for i, ticker in enumerate(["GOOD", "GONE", "BENT", "JUNK"]):
            store.save(ticker, frame(level=10.0 + i), PROV)
        series = store.manifest()
        (root / series["GONE"]["file"]).unlink()
        with open(root / series["BENT"]["file"], "ab") as handle:
            handle.write(b"x")
        junk = b"not parquet"
        manifest = json.loads(store.manifest_path.read_text())
        (root / series["JUNK"]["file"]).unlink()
        sha = hashlib.sha256(junk).hexdigest()
        manifest["series"]["JUNK"].update(file=f"prices/JUNK.{sha[:12]}.parquet", sha256=sha)
        (root / f"prices/JUNK.{sha[:12]}.parquet").write_bytes(junk)
        store.manifest_path.write_text(json.dumps(manifest))
        (root / "prices" / "ORPHAN.0123456789ab.parquet").write_bytes(b"left by a killed import")
        (root / "prices" / ".GOOD.abcd.tmp").write_bytes(b"half")
        (root / ".manifest.efgh.tmp").write_bytes(b"{")
        return store

    def test_check_is_clean_on_a_sound_store_and_an_absent_one(self, tmp_path, monkeypatch, capsys):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path / "none"))
        assert run_cli(capsys, "store", "check")[0] == 0
        assert not (tmp_path / "none").exists()
        PriceStore(tmp_path / "none").save("AAA", frame(), PROV)
        code, out, _ = run_cli(capsys, "store", "check")
        assert code == 0 and "1 series" in out

    def test_check_lists_every_kind_of_damage(self, tmp_path):
        problems = self.damaged(tmp_path).check()
        found = sorted((p.kind, Path(p.path).name.lstrip(".").split(".")[0]) for p in problems)
        assert found == sorted([("missing", "GONE"), ("mismatched", "BENT"), ("unreadable", "JUNK"),
                                ("unreferenced", "ORPHAN"), ("temporary", "GOOD"), ("temporary", "manifest")])

    def test_repair_drops_lists_removes_and_leaves_check_clean(self, tmp_path, monkeypatch, capsys):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path))
        self.damaged(tmp_path)
        code, out, _ = run_cli(capsys, "store", "check")
        assert code == 1 and "GONE" in out and "ORPHAN" in out and "research store repair" in out
        code, out, _ = run_cli(capsys, "store", "repair")
        assert code == 0
        assert "Import these series again: BENT, GONE, JUNK" in out
        store = PriceStore(tmp_path)
        assert store.tickers() == ["GOOD"] and store.check() == []
        pd.testing.assert_frame_equal(store.load("GOOD"), frame())
        assert sorted(p.name for p in (tmp_path / "prices").iterdir()) == [Path(store.entry("GOOD")["file"]).name]
        code, out, _ = run_cli(capsys, "store", "repair")
        assert code == 0 and "nothing to repair" in out

    def test_a_lost_manifest_is_rebuilt_from_the_files(self, tmp_path, capsys, monkeypatch):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path))
        store = PriceStore(tmp_path)
        store.save("AAA", frame(), PROV)
        store.save("BBB", frame(level=3.0), PROV)
        store.manifest_path.unlink()
        problems = store.check()
        assert problems[0].kind == "manifest" and {p.kind for p in problems[1:]} == {"unreferenced"}
        assert run_cli(capsys, "store", "repair")[0] == 0
        assert store.tickers() == ["AAA", "BBB"] and store.entry("AAA")["source"] == "recovered"
        pd.testing.assert_frame_equal(store.load("BBB"), frame(level=3.0))
        code, out, _ = run_cli(capsys, "prices", "AAA")
        assert code == 0 and "recovered" in out

    def test_a_partly_bad_manifest_keeps_the_provenance_of_its_good_entries(self, tmp_path):
        store = PriceStore(tmp_path)
        store.save("AAA", frame(), {**PROV, "source_path": "/data/AAA.csv"})
        store.save("BBB", frame(level=3.0), PROV)
        manifest = json.loads(store.manifest_path.read_text())
        del manifest["series"]["BBB"]["file"]
        store.manifest_path.write_text(json.dumps(manifest))
        with pytest.raises(ResearchError, match="1 bad entries .BBB: no file"):
            store.tickers()
        store.repair()
        assert store.entry("AAA")["source_path"] == "/data/AAA.csv"
        assert store.entry("BBB")["source"] == "recovered"
        assert store.check() == []

    def test_prices_overview_lists_a_missing_series_and_shows_the_rest(self, tmp_path, monkeypatch, capsys,
                                                                        shared_prices):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path))
        folder = tmp_path / "in"
        folder.mkdir()
        for name in ("PDD.csv", "BILI.csv", "JD.csv"):
            shutil.copy(shared_prices / name, folder)
        import_csv(folder)
        (tmp_path / PriceStore(tmp_path).entry("JD")["file"]).unlink()
        code, out, err = run_cli(capsys, "prices")
        assert code == 1, err
        assert "3 series, 1 of them unreadable" in out
        table, missing = out.split("Listed in the manifest, but missing or unreadable")
        assert "PDD" in table and "BILI" in table and "JD" not in table
        assert "JD: the store lists prices/JD." in missing

    def test_sigkill_at_random_points_of_20_imports_then_repair_leaves_check_clean(self, tmp_path, overlapping):
        """Each import is killed at a random moment: of its whole run (even rounds), or of its
        writing, which begins when the lock names it (odd rounds); what the kills left, repair mends."""
        root = tmp_path / "store"
        env = {"RESEARCH_STORE": str(root)}
        started = time.monotonic()
        assert cli("import", str(overlapping[0]), env=env).returncode == 0
        duration = time.monotonic() - started
        rng = random.Random(11)
        running_when_killed = 0
        for k in range(20):
            proc = subprocess.Popen([sys.executable, "-m", "research.cli", "import", str(overlapping[k % 2])],
                                    env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if k % 2:
                while proc.poll() is None and f'"pid": {proc.pid},' not in (root / ".lock").read_text():
                    time.sleep(0.002)
                time.sleep(rng.uniform(0, 0.3))
            else:
                time.sleep(rng.uniform(0.3, 1.1) * duration)
            running_when_killed += proc.poll() is None
            proc.kill()
            proc.wait()
            assert_sound(root)  # even before repair, the manifest never points at a bad file
        assert running_when_killed >= 5
        store = PriceStore(root)
        store.repair()
        assert store.check() == []
        assert set(store.tickers()) <= {p.stem for f in overlapping for p in f.glob("*.csv")}
        for ticker in store.tickers():
            assert len(store.load(ticker)) == store.entry(ticker)["rows"]


# ---------------------------------------------------------------------------------------------
HOLDER = textwrap.dedent("""
    import sys, time
    from research.prices import PriceStore
    with PriceStore(sys.argv[1])._locked():
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


@pytest.fixture
def held(tmp_path):
    """Start a process that holds the store's lock for the given seconds; yields it once held."""
    procs = []

    def hold(seconds: float) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), str(seconds), "--holding-the-lock"],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "held"
        procs.append(proc)
        return proc

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()
        proc.stdout.close()


class TestLock:
    def test_a_held_lock_times_out_naming_its_holder_and_writes_nothing(self, tmp_path, held, monkeypatch, capsys):
        monkeypatch.setenv("RESEARCH_STORE", str(tmp_path))
        monkeypatch.setenv("RESEARCH_LOCK_TIMEOUT", "0.5")
        PriceStore(tmp_path).save("AAA", frame(), PROV)
        before = snapshot(tmp_path)
        holder = held(60)
        started = time.monotonic()
        with pytest.raises(ResearchError) as caught:
            PriceStore(tmp_path).save("BBB", frame(), PROV)
        assert 0.5 <= time.monotonic() - started < 10
        message = str(caught.value)
        assert f"pid {holder.pid}" in message and "--holding-the-lock" in message and "gave up after 0.5 s" in message
        assert "waiting up to 0.5 s" in capsys.readouterr().err  # said so while waiting, not only at the end
        assert snapshot(tmp_path) == before  # no orphan Parquet, no temporary file

    def test_the_cli_exits_2_on_a_held_lock(self, tmp_path, held, shared_prices):
        held(60)
        proc = cli("import", str(shared_prices / "PDD.csv"), env={"RESEARCH_STORE": str(tmp_path),
                                                                   "RESEARCH_LOCK_TIMEOUT": "0.3"})
        assert "locked by pid" in one_line_error(proc)
        assert not (tmp_path / "prices").exists() or not any((tmp_path / "prices").iterdir())

    def test_a_writer_waits_for_a_lock_released_in_time(self, tmp_path, held):
        held(1.0)
        store = PriceStore(tmp_path, lock_timeout=30)
        store.save("AAA", frame(), PROV)
        assert store.tickers() == ["AAA"] and (tmp_path / ".lock").read_text() == ""  # the holder's name is cleared

    def test_the_lock_names_its_holder_while_held(self, tmp_path):
        store = PriceStore(tmp_path)
        with store._locked():
            holder = json.loads((tmp_path / ".lock").read_text())
        assert holder["pid"] == os.getpid() and holder["host"] and holder["since"]

    @pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
    def test_a_bad_timeout_setting_is_named(self, tmp_path, monkeypatch, value):
        monkeypatch.setenv("RESEARCH_LOCK_TIMEOUT", value)
        with pytest.raises(ResearchError, match="RESEARCH_LOCK_TIMEOUT"):
            PriceStore(tmp_path).save("AAA", frame(), PROV)
        assert not (tmp_path / "prices").exists() or not any((tmp_path / "prices").iterdir())
