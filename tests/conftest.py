"""Shared fixtures. ``shared`` is the folder beside the project that holds the real prices,
the seed articles and the reference outputs of other event-study software."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from research import config

SHARED = Path(os.environ.get("RESEARCH_SHARED", config.PROJECT_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ``../shared`` folder; CI always has it (RESEARCH_REQUIRE_SHARED=1 makes absence fatal)."""
    if not SHARED.is_dir():
        if os.environ.get("RESEARCH_REQUIRE_SHARED"):
            pytest.fail(f"{SHARED} is missing, and RESEARCH_REQUIRE_SHARED is set")
        pytest.skip(f"{SHARED} is not beside the project")
    return SHARED


@pytest.fixture(scope="session")
def shared_prices(shared: Path) -> Path:
    return shared / "data" / "prices"


@pytest.fixture(scope="session")
def estudy2_reference(shared: Path) -> Path:
    return shared / "reference" / "estudy2"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path_factory):
    """Every test gets its own empty store and results folder, no mirror, and no Yahoo."""
    monkeypatch.setenv("RESEARCH_STORE", str(tmp_path_factory.mktemp("store")))
    monkeypatch.setenv("RESEARCH_RESULTS", str(tmp_path_factory.mktemp("results")))
    monkeypatch.setenv("RESEARCH_OFFLINE", "1")
    monkeypatch.delenv("RESEARCH_MIRROR", raising=False)


@pytest.fixture
def mirror(monkeypatch, shared_prices) -> Path:
    """RESEARCH_MIRROR set to the shared prices: series are imported on first use."""
    monkeypatch.setenv("RESEARCH_MIRROR", str(shared_prices))
    return shared_prices


@pytest.fixture(scope="session")
def _real_store_dir(shared_prices, tmp_path_factory) -> Path:
    from research.prices import PriceStore, import_csv

    root = tmp_path_factory.mktemp("real-store")
    import_csv(shared_prices, store=PriceStore(root))
    return root


@pytest.fixture
def real_store(monkeypatch, _real_store_dir):
    """A store holding every shared price file, imported once per session. Read it; don't write."""
    from research.prices import PriceStore

    monkeypatch.setenv("RESEARCH_STORE", str(_real_store_dir))
    return PriceStore(_real_store_dir)
