"""The price store: round trip, provenance, atomic and concurrent writes, RESEARCH_STORE."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from research import config
from research.errors import ResearchError
from research.prices import PriceStore


def frame(n=5, start="2020-01-02", level=10.0):
    dates = pd.DatetimeIndex(pd.bdate_range(start, periods=n), name="Date", freq=None)
    close = level + np.arange(n, dtype=float)
    return pd.DataFrame({"Open": close, "High": close + 1, "Low": close - 1, "Close": close,
                         "Adj Close": close * 0.9, "Volume": np.full(n, 100.0)}, index=dates)


PROV = {"source": "csv", "source_path": "/x/AAA.csv", "yfinance_version": None, "auto_adjust": None, "notes": []}


def consistent(store: PriceStore) -> None:
    for ticker, entry in store.manifest().items():
        data = (store.root / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], ticker


def test_round_trip_and_manifest(tmp_path):
    store = PriceStore(tmp_path)
    entry = store.save("AAA", frame(), PROV)
    pd.testing.assert_frame_equal(store.load("AAA"), frame())
    for key in ("source", "source_path", "retrieved_utc", "yfinance_version", "auto_adjust",
                "first_date", "last_date", "rows", "sha256", "file"):
        assert key in entry
    assert entry["first_date"] == "2020-01-02" and entry["rows"] == 5
    assert json.loads((tmp_path / "manifest.json").read_text())["series"]["AAA"] == entry
    consistent(store)


def test_rewrite_replaces_the_file_and_leaves_one_per_ticker(tmp_path):
    store = PriceStore(tmp_path)
    store.save("AAA", frame(), PROV)
    store.save("AAA", frame(level=20.0), PROV)
    assert store.load("AAA")["Close"].iloc[0] == 20.0
    assert len(list((tmp_path / "prices").glob("AAA.*.parquet"))) == 1


def test_environment_variable_moves_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("RESEARCH_STORE", str(tmp_path / "elsewhere"))
    assert PriceStore().root == tmp_path / "elsewhere" == config.store_dir()


def test_tampered_file_is_detected(tmp_path):
    store = PriceStore(tmp_path)
    entry = store.save("AAA", frame(), PROV)
    with open(tmp_path / entry["file"], "ab") as handle:
        handle.write(b"x")
    with pytest.raises(ResearchError, match="does not match its sha256"):
        store.load("AAA")


def test_unknown_ticker_names_it(tmp_path):
    with pytest.raises(ResearchError, match="ZZZ is not in the price store"):
        PriceStore(tmp_path).load("ZZZ")


def test_failure_while_committing_keeps_the_old_series(tmp_path, monkeypatch):
    store = PriceStore(tmp_path)
    store.save("AAA", frame(), PROV)

    def interrupted(self, series):
        raise KeyboardInterrupt

    monkeypatch.setattr(PriceStore, "_write_manifest", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save("AAA", frame(level=99.0), PROV)
    pd.testing.assert_frame_equal(store.load("AAA"), frame())
    consistent(store)
    assert len(list((tmp_path / "prices").glob("*.parquet"))) == 1


def test_failure_while_writing_parquet_keeps_the_old_series(tmp_path, monkeypatch):
    store = PriceStore(tmp_path)
    store.save("AAA", frame(), PROV)

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)  # the Parquet bytes are written, then the disk is full
    with pytest.raises(ResearchError, match="No space left on device"):
        store.save("AAA", frame(level=99.0), PROV)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(store.load("AAA"), frame())
    assert not list((tmp_path / "prices").glob(".*.tmp"))


WRITER = textwrap.dedent("""
    import sys, numpy as np, pandas as pd
    from research.prices import PriceStore
    store, ticker, rounds = PriceStore(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    dates = pd.bdate_range("2000-01-03", periods=5000, name="Date")
    for k in range(rounds):
        close = np.full(5000, 1.0 + k % 2)
        df = pd.DataFrame({"Open": close, "High": close, "Low": close, "Close": close,
                           "Adj Close": close, "Volume": close}, index=dates)
        store.save(ticker, df, {"source": "csv", "source_path": None, "notes": []})
        print(k, flush=True)
""")


def test_a_killed_writer_leaves_a_readable_series_and_a_consistent_manifest(tmp_path):
    store = PriceStore(tmp_path)
    store.save("AAA", frame(), PROV)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "AAA", "100000"],
                            stdout=subprocess.PIPE, text=True)
    for _ in range(3):  # let it commit a few rounds, then kill it mid-way through another
        proc.stdout.readline()
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    consistent(store)
    close = store.load("AAA")["Close"]
    assert len(close) == 5000 and close.nunique() == 1 and close.iloc[0] in (1.0, 2.0)


def test_two_processes_writing_at_once_both_land(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), t, "15"], stdout=subprocess.DEVNULL)
             for t in ("AAA", "BBB")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = PriceStore(tmp_path)
    assert store.tickers() == ["AAA", "BBB"]
    consistent(store)
    assert len(list((tmp_path / "prices").glob("*.parquet"))) == 2
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
