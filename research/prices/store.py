"""The local price store: one Parquet file per ticker and a manifest of where each came from.

Layout (``config.store_dir()``, moved by ``RESEARCH_STORE``)::

    manifest.json                     {"format": 1, "series": {ticker: entry}}
    prices/<ticker>.<sha12>.parquet   the series; the name carries its content hash
    .lock                             serialises writers (fcntl); names its holder while held

The manifest is the single commit point. A write holds the lock throughout: each Parquet file
goes to a temporary file, fsync, rename to its content-addressed name; then the manifest is
rewritten through a temporary file and ``os.replace``; only then, still under the lock, are the
superseded files that no entry references removed. A writer interrupted at any step leaves the
manifest pointing at complete, hash-checked files: the old series, or the new ones. Because
nothing is deleted outside the lock, a second writer can never have its files removed under it.

:meth:`PriceStore.save_many` commits several series at once, all or none: a CSV import of a
folder either stores every file or leaves the store as it was (a disk filling up half-way
stores nothing). A writer that cannot get the lock within ``config.lock_timeout()`` seconds
stops with a message naming the holder (pid, host, command), having written nothing.

Interrupted writers can leave temporary files and unreferenced Parquet files behind; they are
harmless to readers. :meth:`PriceStore.check` lists them and any entry whose file is missing,
damaged or unreadable (``research store check``); :meth:`PriceStore.repair` drops such entries
and removes such files (``research store repair``), and rebuilds a corrupt manifest from the
entries it still holds and the files in ``prices/`` (keeping the bad one beside it).

Each manifest entry records: ``source`` (``yahoo``, ``csv``, or ``recovered`` by a repair),
``source_path`` and ``source_sha256`` (for CSV), ``retrieved_utc``, ``yfinance_version`` and
``auto_adjust`` (for Yahoo), ``first_date``, ``last_date``, ``rows``, ``file``, ``sha256`` of
the stored file, and ``notes`` (e.g. that Adj Close is empty).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import json
import os
import socket
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from research import config
from research.errors import ResearchError
from research.files import stage
from research.prices.frame import check_ticker

FORMAT = 1
MANIFEST = "manifest.json"
PRICES = "prices"
LOCK = ".lock"
_REPAIR_HINT = "`research store repair` drops it; then import the series again"


class StoreFault(ResearchError):
    """A manifest entry whose file is ``missing``, ``mismatched`` (sha256) or ``unreadable``."""

    def __init__(self, kind: str, ticker: str, file: str, detail: str):
        super().__init__(f"{ticker}: {detail}; {_REPAIR_HINT}")
        self.kind, self.ticker, self.file, self.detail = kind, ticker, file, detail


@dataclass(frozen=True)
class Problem:
    """One finding of :meth:`PriceStore.check`; ``path`` is relative to the store's folder."""

    kind: str  # manifest, missing, mismatched, unreadable, unreferenced, temporary, folder
    path: str
    detail: str

    def __str__(self) -> str:
        return self.detail


@dataclass
class Repair:
    """What :meth:`PriceStore.repair` did: one line per action, and the tickers it dropped."""

    actions: list[str]
    dropped: list[str]


class PriceStore:
    """Read and write daily price series; see the module docstring for the guarantees."""

    def __init__(self, root: Path | str | None = None, *, lock_timeout: float | None = None):
        self.root = Path(root) if root is not None else config.store_dir()
        self.lock_timeout = lock_timeout  # seconds; None: config.lock_timeout()
        self._held = 0  # the lock is re-entrant within this object: locked() around save_many()

    # -- reading -----------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def manifest(self) -> dict[str, dict]:
        """Manifest entries by ticker (empty for a store not yet written)."""
        series, problem = self._read_manifest()
        if problem:
            raise ResearchError(f"the store manifest {self.manifest_path} {problem}; run `research store repair` "
                                f"to rebuild it (it keeps the bad manifest beside it)")
        return series

    def tickers(self) -> list[str]:
        return sorted(self.manifest())

    def __contains__(self, ticker: str) -> bool:
        return ticker in self.manifest()

    def entry(self, ticker: str) -> dict:
        try:
            return self.manifest()[ticker]
        except KeyError:
            raise ResearchError(f"{ticker} is not in the price store {self.root}") from None

    def load(self, ticker: str) -> pd.DataFrame:
        """The stored series of ``ticker``, checked against the manifest's sha256."""
        try:
            return self._read_series(ticker, self.entry(ticker))
        except StoreFault as fault:
            if fault.kind != "missing":
                raise
        # A concurrent writer may have replaced the series between reading the manifest and the file.
        return self._read_series(ticker, self.entry(ticker))

    def _read_series(self, ticker: str, entry: dict) -> pd.DataFrame:
        file = entry["file"]
        try:
            data = (self.root / file).read_bytes()
        except FileNotFoundError:
            raise StoreFault("missing", ticker, file, f"the store lists {file}, which is missing") from None
        except OSError as exc:
            raise StoreFault("unreadable", ticker, file, f"cannot read {file} ({exc.strerror})") from None
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise StoreFault("mismatched", ticker, file, f"{file} does not match its sha256 in the manifest")
        return _parquet_frame(data, ticker, file)

    def _check_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise ResearchError(f"the price store {self.root} is a file, not a folder; "
                                f"point RESEARCH_STORE at a folder")

    def _read_manifest(self) -> tuple[dict[str, dict], str | None]:
        """The manifest's valid entries, and what is wrong with it (None when nothing is)."""
        self._check_root()
        try:
            raw = self.manifest_path.read_bytes()
        except FileNotFoundError:
            return {}, None
        except IsADirectoryError:
            return {}, "is a folder"
        except OSError as exc:
            raise ResearchError(f"cannot read the store manifest {self.manifest_path} ({exc.strerror})") from None
        return parse_manifest(raw)

    # -- writing -----------------------------------------------------------------------------
    def save(self, ticker: str, prices: pd.DataFrame, provenance: dict) -> dict:
        """Store ``prices`` for ``ticker`` atomically; returns the manifest entry written."""
        return self.save_many([(ticker, prices, provenance)])[0]

    def save_many(self, items: Iterable[tuple[str, pd.DataFrame, dict]]) -> list[dict]:
        """Store several ``(ticker, prices, provenance)`` in one commit: all of them, or none.

        Returns the manifest entries written, in order. On any failure (a full disk, a read-only
        store) nothing is committed, the files written so far are removed, and the store is as it
        was; an ``OSError`` becomes a one-line :class:`ResearchError` saying so.
        """
        with self._locked():
            before = self.manifest()
            entries: dict[str, dict] = {}
            written: list[str] = []
            try:
                (self.root / PRICES).mkdir(exist_ok=True)
                for ticker, prices, provenance in items:
                    if ticker in entries:
                        raise ResearchError(f"{ticker} is given twice; a ticker can be stored once per import")
                    if prices.empty:
                        raise ResearchError(f"{ticker}: no rows to store")
                    data = prices.to_parquet(engine="pyarrow")
                    sha = hashlib.sha256(data).hexdigest()
                    file = stored_file(ticker, sha)
                    stage(self.root / file, data).commit()
                    written.append(file)
                    entries[ticker] = {
                        **provenance,
                        "file": file,
                        "sha256": sha,
                        "first_date": prices.index[0].date().isoformat(),
                        "last_date": prices.index[-1].date().isoformat(),
                        "rows": int(len(prices)),
                    }
                    entries[ticker].setdefault("retrieved_utc", utc_now())
                self._write_manifest({**before, **entries})
            except BaseException as exc:
                self._discard(written, before)
                if isinstance(exc, OSError):
                    raise ResearchError(f"cannot write {exc.filename or self.root} ({exc.strerror or exc}); "
                                        f"nothing was stored, the store {self.root} is unchanged") from None
                if isinstance(exc, ResearchError) and str(exc).startswith("cannot write "):
                    raise ResearchError(f"{exc}; nothing was stored, the store {self.root} is unchanged") from None
                raise
            referenced = {e["file"] for e in {**before, **entries}.values()}
            for ticker in entries:
                previous = before.get(ticker, {}).get("file")
                if previous and previous not in referenced:
                    with contextlib.suppress(OSError):  # a left-over file is harmless; `repair` removes it
                        (self.root / previous).unlink()
        return list(entries.values())

    def _discard(self, written: list[str], before: dict) -> None:
        """Remove the files of a failed commit that neither the old nor the on-disk manifest references."""
        keep = {e["file"] for e in before.values()}
        with contextlib.suppress(ResearchError):  # unreadable: keep everything rather than guess
            now, _ = self._read_manifest()
            keep |= {e["file"] for e in now.values()}
            for file in set(written) - keep:
                with contextlib.suppress(OSError):
                    (self.root / file).unlink()

    def _write_manifest(self, series: dict) -> None:
        text = json.dumps({"format": FORMAT, "series": dict(sorted(series.items()))}, indent=2, ensure_ascii=False)
        stage(self.manifest_path, text + "\n").commit()

    # -- the lock ----------------------------------------------------------------------------
    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the store's lock across a read-modify-write, such as merging a re-import with the
        stored series: no other writer can commit between the read and the write."""
        return self._locked()

    @contextlib.contextmanager
    def _locked(self, *, required: bool = True) -> Iterator[None]:
        """Hold the store's lock, waiting at most ``lock_timeout`` seconds for another holder.

        With ``required=False`` (a reader that wants a quiet store, like ``check``), a store the
        user cannot write is read without the lock: nobody can be writing it through this user.
        """
        if self._held:  # already held by this object (flock would wait on itself)
            yield
            return
        self._check_root()
        path = self.root / LOCK
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # unbuffered: a holder line that cannot be written (disk full) must fail at its write,
            # where it is ignored, not again when the handle is closed
            handle = open(path, "ab", buffering=0)
        except IsADirectoryError:
            raise ResearchError(f"{path} is a folder, not the store's lock file; remove it") from None
        except OSError as exc:
            if required or exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise ResearchError(f"cannot write in the price store {self.root} ({exc.strerror})") from None
            handle = None
        if handle is None:
            yield
            return
        with handle:
            self._acquire(handle, path)
            try:
                with contextlib.suppress(OSError):  # naming the holder is a courtesy, not a condition
                    handle.truncate(0)
                    handle.write((json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": utc_now(),
                                              "command": " ".join(sys.argv)[:300]}) + "\n").encode("utf-8"))
                self._held += 1
                try:
                    yield
                finally:
                    self._held -= 1
            finally:
                with contextlib.suppress(OSError):
                    handle.truncate(0)
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _acquire(self, handle, path: Path) -> None:
        timeout = config.lock_timeout() if self.lock_timeout is None else self.lock_timeout
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            except OSError as exc:
                raise ResearchError(f"cannot lock {path} ({exc.strerror})") from None
            holder = lock_holder(path)
            if time.monotonic() >= deadline:
                raise ResearchError(f"the price store {self.root} is locked by {holder}; gave up after {timeout:g} s "
                                    f"(RESEARCH_LOCK_TIMEOUT); let that finish or stop it, then try again")
            if not told:
                print(f"research: the price store {self.root} is locked by {holder}; waiting up to {timeout:g} s",
                      file=sys.stderr, flush=True)
                told = True
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0.0)))

    # -- checking and mending ----------------------------------------------------------------
    def check(self) -> list[Problem]:
        """Everything wrong with the store, in the manner of ``git fsck``; empty when it is sound.

        Checks that the manifest is well formed, that every entry's file exists, matches its
        sha256 and reads as Parquet, that every file in ``prices/`` is referenced, and that no
        temporary file is left. Waits for writers, so a write in progress is not reported.
        """
        if not self.root.exists():
            return []
        with self._locked(required=False):
            return self._survey()[2]

    def _survey(self) -> tuple[dict[str, dict], dict[str, StoreFault], list[Problem]]:
        """(the manifest's valid entries, the faults of their files, every problem found)."""
        series, why = self._read_manifest()
        problems, faults = [], {}
        if why:
            problems.append(Problem("manifest", MANIFEST, f"{MANIFEST} {why}"))
        elif not self.manifest_path.exists() and any((self.root / PRICES).glob("*.parquet")):
            problems.append(Problem("manifest", MANIFEST, f"{MANIFEST} is missing, but {PRICES}/ holds Parquet files"))
        for ticker, entry in series.items():
            try:
                self._read_series(ticker, entry)
            except StoreFault as fault:
                faults[ticker] = fault
                problems.append(Problem(fault.kind, fault.file, f"{ticker}: {fault.detail}"))
        return series, faults, problems + self._strays({e["file"] for e in series.values()})

    def _strays(self, referenced: set[str]) -> list[Problem]:
        """The files of ``prices/`` that ``referenced`` lacks, and temporary files anywhere in the store."""
        folder = self.root / PRICES
        found = [(f"{PRICES}/{p.name}", p) for p in (sorted(folder.iterdir()) if folder.is_dir() else [])]
        found += [(p.name, p) for p in sorted(self.root.iterdir()) if _is_temporary(p.name)]
        problems = []
        for name, path in found:
            if path.is_dir() and not path.is_symlink():
                problems.append(Problem("folder", name, f"{name} is a folder the store does not use; remove it by hand"))
            elif _is_temporary(path.name):
                problems.append(Problem("temporary", name, f"{name} is a temporary file left by an interrupted write"))
            elif name not in referenced:
                problems.append(Problem("unreferenced", name, f"{name} is not referenced by the manifest"))
        return problems

    def repair(self) -> Repair:
        """Mend what :meth:`check` finds.

        Drops the entries whose file is missing, damaged or unreadable (the lines name them, to be
        imported again) and removes unreferenced and temporary files. A corrupt or missing
        manifest is kept as ``manifest.json.corrupt-<time>`` and rebuilt from the entries it still
        holds plus the readable files of ``prices/`` that their names and hashes vouch for (the
        newest per ticker), marked ``source: recovered``. Folders are left to the user.
        """
        if not self.root.exists():
            return Repair([], [])
        with self._locked():
            series, faults, problems = self._survey()
            actions = []
            kept = {t: e for t, e in series.items() if t not in faults}
            for ticker, fault in faults.items():
                actions.append(f"dropped {ticker}: {fault.detail}; import it again")
            rebuild = any(p.kind == "manifest" for p in problems)
            if rebuild:
                note = "the manifest was missing"
                if self.manifest_path.is_file():
                    aside = self.manifest_path.with_name(f"{MANIFEST}.corrupt-{utc_now().replace(':', '')}")
                    try:
                        stage(aside, self.manifest_path.read_bytes()).commit()
                    except (OSError, ResearchError) as exc:
                        why = exc.strerror if isinstance(exc, OSError) else str(exc).rpartition(": ")[2]
                        raise ResearchError(f"cannot keep a copy of the bad manifest as {aside} ({why}); "
                                            f"nothing was changed") from None
                    note = f"the bad manifest is kept as {aside.name}"
                    actions.append(f"{MANIFEST} was bad: kept as {aside.name}; rebuilt from its "
                                   f"{len(series)} valid entries and the files in {PRICES}/")
                for ticker, entry in self._recover(set(kept), note).items():
                    kept[ticker] = entry
                    actions.append(f"recovered {ticker} from {entry['file']} (its provenance is lost)")
            try:
                if rebuild or faults:
                    if self.manifest_path.is_dir():
                        self.manifest_path.rmdir()
                    self._write_manifest(kept)
                for stray in self._strays({e["file"] for e in kept.values()}):
                    if stray.kind != "folder":
                        (self.root / stray.path).unlink(missing_ok=True)
                        actions.append(f"removed {stray.path}")
            except OSError as exc:
                raise ResearchError(f"cannot repair the store {self.root}: {exc.filename} ({exc.strerror})") from None
            return Repair(actions, sorted(faults))

    def _recover(self, have: set[str], note: str) -> dict[str, dict]:
        """Entries for the files of ``prices/`` whose ticker has none: ``<ticker>.<sha12>.parquet``
        files whose content matches the name and reads, the newest per ticker."""
        found: dict[str, tuple[float, dict]] = {}
        folder = self.root / PRICES
        for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            ticker = path.name.rsplit(".", 2)[0]
            if ticker in have:
                continue
            try:
                data, mtime = path.read_bytes(), path.stat().st_mtime
            except OSError:
                continue
            sha = hashlib.sha256(data).hexdigest()
            try:
                if stored_file(ticker, sha) != f"{PRICES}/{path.name}":
                    continue
                prices = _parquet_frame(data, ticker, path.name)
            except ResearchError:
                continue
            if prices.empty or (ticker in found and found[ticker][0] >= mtime):
                continue
            found[ticker] = (mtime, {
                "source": "recovered", "source_path": None, "source_sha256": None, "retrieved_utc": None,
                "yfinance_version": None, "auto_adjust": None,
                "notes": [f"recovered by `research store repair` from {path.name}; {note}"],
                "file": f"{PRICES}/{path.name}", "sha256": sha,
                "first_date": prices.index[0].date().isoformat(), "last_date": prices.index[-1].date().isoformat(),
                "rows": int(len(prices)),
            })
        return {t: entry for t, (_, entry) in sorted(found.items())}


# -- the manifest's shape: its one home ------------------------------------------------------
_REQUIRED = {"file": str, "sha256": str, "source": str, "first_date": str, "last_date": str, "rows": int}


def stored_file(ticker: str, sha256: str) -> str:
    """The path, relative to the store, of ``ticker``'s series with content hash ``sha256``.

    The ticker rule (:func:`research.prices.frame.check_ticker`) keeps the name one plain, visible
    file in ``prices/``.
    """
    return f"{PRICES}/{check_ticker(ticker, 'the price store')}.{sha256[:12]}.parquet"


def parse_manifest(raw: bytes) -> tuple[dict[str, dict], str | None]:
    """The valid entries of a manifest's bytes, and what is wrong with it (None when nothing is).

    A valid manifest is ``{"format": 1, "series": {ticker: entry}}`` whose every entry has the
    keys of ``_REQUIRED`` with those types, a 64-hex-digit ``sha256``, and the ``file`` that
    :func:`stored_file` names for its ticker and hash.
    """
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return {}, "is not UTF-8 text"
    except (ValueError, RecursionError) as exc:
        return {}, f"is not JSON ({str(exc).splitlines()[0][:120]})"
    if not isinstance(data, dict) or not isinstance(data.get("series"), dict):
        return {}, 'is not {"format": 1, "series": {TICKER: entry, ...}}'
    if data.get("format") != FORMAT:
        return {}, f"has format {data.get('format')!r}, which this version does not know (it writes {FORMAT})"
    valid, bad = {}, []
    for ticker, entry in data["series"].items():
        why = _entry_problem(ticker, entry)
        if why:
            bad.append(f"{ticker}: {why}")
        else:
            valid[ticker] = entry
    if bad:
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        return valid, f"has {len(bad)} bad entries ({'; '.join(bad[:3])}{more})"
    return valid, None


def _entry_problem(ticker: str, entry) -> str | None:
    if not isinstance(entry, dict):
        return "the entry is not a mapping"
    for key, kind in _REQUIRED.items():
        if not isinstance(entry.get(key), kind) or isinstance(entry.get(key), bool):
            return f"no {key}" if key not in entry else f"{key} is not a {kind.__name__}"
    sha = entry["sha256"]
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        return "sha256 is not 64 hex digits"
    try:
        expected = stored_file(ticker, sha)
    except ResearchError as exc:
        return str(exc)
    if entry["file"] != expected:
        return f"file is {entry['file']!r}, not {expected!r}"
    return None


# -- files -----------------------------------------------------------------------------------
def _is_temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def _parquet_frame(data: bytes, ticker: str, file: str) -> pd.DataFrame:
    import pyarrow as pa

    try:
        return pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except (pa.ArrowException, OSError, ValueError) as exc:
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise StoreFault("unreadable", ticker, file, f"{file} is not a readable Parquet file ({detail})") from None


def lock_holder(path: Path) -> str:
    """Who holds the lock at ``path``, as its holder wrote it: pid, host, since when, command."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        return f"pid {holder['pid']} on {holder['host']} since {holder['since']} ({holder['command']})"
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return "another process"


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
