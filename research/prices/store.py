"""The local price store: one Parquet file per ticker and a manifest of where each came from.

Layout (``config.store_dir()``, moved by ``RESEARCH_STORE``)::

    manifest.json                     {"format": 1, "series": {ticker: entry}}
    prices/<ticker>.<sha12>.parquet   the series; the name carries its content hash
    .lock                             serialises writers (fcntl)

The manifest is the single commit point. A write goes: Parquet to a temporary file, fsync,
rename to its content-addressed name, then (holding the lock) the manifest is rewritten through
a temporary file and ``os.replace``, and only then is the superseded file removed. A writer
interrupted at any step leaves the manifest pointing at a complete, hash-checked file: the old
series, or the new one. Two processes writing at once are serialised by the lock.

Each manifest entry records: ``source`` (``yahoo`` or ``csv``), ``source_path`` and
``source_sha256`` (for CSV), ``retrieved_utc``, ``yfinance_version`` and ``auto_adjust`` (for
Yahoo), ``first_date``, ``last_date``, ``rows``, ``file``, ``sha256`` of the stored file, and
``notes`` (e.g. that Adj Close is empty).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from research import config
from research.errors import ResearchError

FORMAT = 1


class PriceStore:
    """Read and write daily price series; see the module docstring for the guarantees."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else config.store_dir()

    # -- reading -----------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def manifest(self) -> dict[str, dict]:
        """Manifest entries by ticker (empty for a store not yet written)."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, json.JSONDecodeError) as exc:
            raise ResearchError(f"the store manifest {self.manifest_path} is unreadable ({exc}); "
                                f"remove the store folder and import the prices again") from None
        return data.get("series", {})

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
        for attempt in range(2):  # a concurrent writer may remove the file between the two reads
            entry = self.entry(ticker)
            path = self.root / entry["file"]
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                if attempt == 0:
                    continue
                raise ResearchError(f"{ticker}: the store lists {path}, which is missing; "
                                    f"import the series again") from None
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise ResearchError(f"{ticker}: {path} does not match its sha256 in the manifest; "
                                    f"import the series again")
            return pd.read_parquet(path)
        raise AssertionError("unreachable")

    # -- writing -----------------------------------------------------------------------------
    def save(self, ticker: str, prices: pd.DataFrame, provenance: dict) -> dict:
        """Store ``prices`` for ``ticker`` atomically; returns the manifest entry written."""
        folder = self.root / "prices"
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{ticker}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                prices.to_parquet(handle, engine="pyarrow")
                handle.flush()
                os.fsync(handle.fileno())
            sha = _sha256(Path(tmp))
            final = folder / f"{ticker}.{sha[:12]}.parquet"
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        entry = {
            **provenance,
            "file": str(final.relative_to(self.root)),
            "sha256": sha,
            "first_date": prices.index[0].date().isoformat(),
            "last_date": prices.index[-1].date().isoformat(),
            "rows": int(len(prices)),
        }
        entry.setdefault("retrieved_utc", utc_now())
        try:
            with self._locked():
                series = self.manifest()
                previous = series.get(ticker, {}).get("file")
                series[ticker] = entry
                self._write_manifest(series)
        except BaseException:
            if self.manifest().get(ticker, {}).get("file") != entry["file"]:
                with contextlib.suppress(FileNotFoundError):
                    final.unlink()  # never committed: leave no orphan
            raise
        if previous and previous != entry["file"]:
            with contextlib.suppress(FileNotFoundError):
                (self.root / previous).unlink()
        return entry

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_manifest(self, series: dict) -> None:
        text = json.dumps({"format": FORMAT, "series": dict(sorted(series.items()))}, indent=2, ensure_ascii=False)
        fd, tmp = tempfile.mkstemp(prefix=".manifest.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.manifest_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
