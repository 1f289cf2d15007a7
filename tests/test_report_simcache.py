"""The validation notebook's simulation cache (research.report.simcache): read back only while
its arguments, code and data are unchanged; the numbers the same as a fresh simulation's."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from research.prices import PriceStore
from research.report.simcache import simulation
from research.study.simulation import simulate

#: a small simulation: seconds, not minutes
SMALL = dict(sizes=(4,), ks=(0.0, 0.01), windows=[(0, 0)], tests=["patell", "bmp", "gsign"], seed=5)


@pytest.fixture
def store(_real_store_dir, tmp_path, monkeypatch) -> PriceStore:
    """A writable copy of the store of every shared price file."""
    root = tmp_path / "store"
    shutil.copytree(_real_store_dir, root)
    monkeypatch.setenv("RESEARCH_STORE", str(root))
    return PriceStore(root)


def same(a, b) -> None:
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    pd.testing.assert_frame_equal(a.draws, b.draws, check_exact=True)
    assert a.settings == b.settings


def test_the_second_call_reads_the_first_ones_numbers_unchanged(store, tmp_path):
    first = simulation(30, folder=tmp_path / "cache", **SMALL)
    again = simulation(30, folder=tmp_path / "cache", **SMALL)
    assert first.seconds["cached"] is False and again.seconds["cached"] is True
    same(again, first)
    same(again, simulate(30, **SMALL))            # what the notebook would show without the cache
    (path,) = (tmp_path / "cache").glob("simulation-*.pickle")
    assert not list((tmp_path / "cache").glob(".*.tmp"))


def test_changing_one_input_price_recomputes_the_simulation(store, tmp_path):
    first = simulation(30, folder=tmp_path / "cache", **SMALL)
    ticker = first.draws["ticker"].iloc[0]          # a series the simulation read
    prices = store.load(ticker)
    day = prices.index[len(prices) // 2]
    prices.loc[day, ["Close", "Adj Close"]] *= 1.5
    store.save(ticker, prices, {"source": "test", "note": "one price changed"})
    again = simulation(30, folder=tmp_path / "cache", **SMALL)
    assert again.seconds["cached"] is False
    same(again, simulate(30, **SMALL))
    assert simulation(30, folder=tmp_path / "cache", **SMALL).seconds["cached"] is True   # the new one kept


@pytest.mark.parametrize("change", [dict(seed=6), dict(ks=(0.0, 0.02)), dict(n_samples=31), dict(model="dimson")])
def test_changing_any_argument_recomputes(store, tmp_path, change):
    simulation(30, folder=tmp_path / "cache", **SMALL)
    args = {"n_samples": 30, **SMALL, **change}
    assert simulation(folder=tmp_path / "cache", **args).seconds["cached"] is False


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x80\x05N."])
def test_a_damaged_cache_file_is_recomputed_not_an_error(store, tmp_path, damage):
    first = simulation(30, folder=tmp_path / "cache", **SMALL)
    (path,) = (tmp_path / "cache").glob("simulation-*.pickle")
    path.write_bytes(damage)
    again = simulation(30, folder=tmp_path / "cache", **SMALL)
    assert again.seconds["cached"] is False
    same(again, first)
