"""Where things live. Every path the kit uses comes from here.

``RESEARCH_STORE``   moves the price store (default ``data/store`` in the project).
``RESEARCH_MIRROR``  names a folder of yfinance-layout CSV files consulted before Yahoo.
``RESEARCH_RESULTS`` moves the results folder (default ``data/results``).
``RESEARCH_OFFLINE``  set to 1: never ask Yahoo; missing prices must come from the store or mirror.
``RESEARCH_LOCK_TIMEOUT`` seconds a writer waits for another's hold on the store (default 60).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from research.errors import ResearchError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SECURITIES_FILE = DATA_DIR / "securities.csv"
EVENTS_FILE = DATA_DIR / "events.yaml"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


def store_dir() -> Path:
    """The price store's folder: ``$RESEARCH_STORE`` or ``data/store``."""
    return Path(os.environ.get("RESEARCH_STORE") or DATA_DIR / "store").expanduser()


def mirror_dir() -> Path | None:
    """The CSV mirror named by ``$RESEARCH_MIRROR``, or None when unset."""
    value = os.environ.get("RESEARCH_MIRROR")
    return Path(value).expanduser() if value else None


def results_dir() -> Path:
    """Where runs, executed notebooks and papers go: ``$RESEARCH_RESULTS`` or ``data/results``."""
    return Path(os.environ.get("RESEARCH_RESULTS") or DATA_DIR / "results").expanduser()


def offline() -> bool:
    """``RESEARCH_OFFLINE=1`` stops the kit from asking Yahoo (CI, air-gapped machines)."""
    return os.environ.get("RESEARCH_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def lock_timeout() -> float:
    """Seconds to wait for another process's lock on the store: ``$RESEARCH_LOCK_TIMEOUT`` or 60."""
    value = os.environ.get("RESEARCH_LOCK_TIMEOUT", "").strip()
    if not value:
        return 60.0
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ResearchError(f"RESEARCH_LOCK_TIMEOUT={value!r} is not a number of seconds")
    return seconds
