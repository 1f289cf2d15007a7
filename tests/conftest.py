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
