"""Where things live. Every path and environment variable the kit reads comes from here.

``RESEARCH_STORE``     moves the price store (default ``data/store`` in the project).
``RESEARCH_MIRROR``    names a folder of yfinance-layout CSV files consulted before Yahoo (and
                       imported by ``research build`` with no path; else it imports the kit's
                       snapshot, ``data/prices``).
``RESEARCH_RESULTS``   moves the results folder (default ``data/results``).
``RESEARCH_OFFLINE``   set to 1: never ask Yahoo; missing prices must come from the store or mirror.
``RESEARCH_CATALOGUE`` the event catalogue ``new-event`` and ``events`` commands read and write
                       (default ``data/events.yaml``).
``RESEARCH_NOTEBOOKS`` the folder of notebook sources (default ``notebooks/``).
``RESEARCH_STRICT``    set to 1: ``research report`` runs in strict mode by default.
``RESEARCH_REQUIRE_ADJUSTED`` set to 1: a study of an equity without adjusted prices is an error.
``RESEARCH_CJK_FONT``  a font file for Chinese names in figures, when none is installed.
``RESEARCH_LOCK_TIMEOUT`` seconds a writer waits for another's hold on the store (default 60).
``RESEARCH_AUTHOR``   the author of new events' notebooks and papers (before git's ``user.name``).
``RESEARCH_CACHE``     the cache of built exchange calendars (default ``~/.cache/research``);
                       deleting it is always safe.

The test suite also reads ``RESEARCH_SHARED`` (the ``shared`` folder beside the project) and
``RESEARCH_REQUIRE_SHARED`` (1: its absence fails the tests instead of skipping them).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path

from research.errors import ResearchError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SECURITIES_FILE = DATA_DIR / "securities.csv"
EVENTS_FILE = DATA_DIR / "events.yaml"
#: The kit's frozen price snapshot (``research build``'s default) and its index of ranges,
#: hashes and upstream sources (data/README.md; rebuilt and checked by scripts/snapshot.py).
SNAPSHOT_DIR = DATA_DIR / "prices"
SNAPSHOT_INDEX = DATA_DIR / "snapshot.csv"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

#: Every environment variable of the kit and what it does (the CLI's epilog lists them).
ENVIRONMENT = {
    "RESEARCH_STORE": "price store folder (default data/store)",
    "RESEARCH_MIRROR": "folder of CSVs consulted before Yahoo",
    "RESEARCH_RESULTS": "results folder (default data/results)",
    "RESEARCH_OFFLINE": "set to 1, never ask Yahoo",
    "RESEARCH_CATALOGUE": "event catalogue file (default data/events.yaml)",
    "RESEARCH_NOTEBOOKS": "folder of notebook sources (default notebooks/)",
    "RESEARCH_STRICT": "set to 1, research report is strict by default",
    "RESEARCH_REQUIRE_ADJUSTED": "set to 1, a study of an equity without adjusted prices is an error",
    "RESEARCH_CJK_FONT": "font file for Chinese names in figures",
    "RESEARCH_LOCK_TIMEOUT": "seconds a writer waits for the store's lock (default 60)",
    "RESEARCH_AUTHOR": "author of new events' notebooks and papers (default git's user.name)",
    "JUPYTER_CONFIG_PATH": "Jupyter's configuration folders; research lab puts the kit's first",
    "RESEARCH_CACHE": "cache of built exchange calendars (default ~/.cache/research)",
}
#: The kit's Jupyter configuration. Its one setting, :data:`LAB_SETTING`, makes jupytext's notebook
#: the default viewer of .py files, so notebooks/*.py open as notebooks, not in the text editor.
#: ``pip install`` copies the setting into the environment's Jupyter configuration
#: (``{sys.prefix}/etc/jupyter``, pyproject.toml's shared-data), where a plain ``jupyter lab`` reads it.
JUPYTER_CONFIG = PROJECT_ROOT / "research" / "report" / "jupyter"
LAB_SETTING = JUPYTER_CONFIG / "labconfig" / "default_setting_overrides.d" / "research.json"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


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


def author() -> str | None:
    """``$RESEARCH_AUTHOR``, or None when unset or blank."""
    return os.environ.get("RESEARCH_AUTHOR", "").strip() or None


def cache_dir() -> Path:
    """Where the kit keeps what it can rebuild (exchange calendars): ``RESEARCH_CACHE``, or
    ``~/.cache/research``."""
    return Path(os.environ.get("RESEARCH_CACHE") or Path.home() / ".cache" / "research").expanduser()


def offline() -> bool:
    """``RESEARCH_OFFLINE=1`` stops the kit from asking Yahoo (CI, air-gapped machines)."""
    return _flag("RESEARCH_OFFLINE")


def catalogue_file(path=None) -> Path:
    """The catalogue a command reads and writes: ``path``, ``$RESEARCH_CATALOGUE`` or data/events.yaml."""
    value = path or os.environ.get("RESEARCH_CATALOGUE")
    return Path(value).expanduser().resolve() if value else EVENTS_FILE


def notebooks_dir(path=None) -> Path:
    """The folder of notebook sources: ``path``, ``$RESEARCH_NOTEBOOKS`` or ``notebooks/``."""
    value = path or os.environ.get("RESEARCH_NOTEBOOKS")
    return Path(value).expanduser() if value else NOTEBOOKS_DIR


def strict() -> bool:
    """``RESEARCH_STRICT=1`` makes ``research report`` strict unless told otherwise."""
    return _flag("RESEARCH_STRICT")


def require_adjusted() -> bool:
    """``RESEARCH_REQUIRE_ADJUSTED=1``: an event study of an equity series with neither an adjusted
    close nor a previous close stops (``--require-adjusted``; carries it into report notebooks)."""
    return _flag("RESEARCH_REQUIRE_ADJUSTED")


@contextlib.contextmanager
def adjusted_required() -> Iterator[None]:
    """``RESEARCH_REQUIRE_ADJUSTED=1`` for the block, for the processes it starts (notebook kernels)."""
    previous = os.environ.get("RESEARCH_REQUIRE_ADJUSTED")
    os.environ["RESEARCH_REQUIRE_ADJUSTED"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("RESEARCH_REQUIRE_ADJUSTED", None)
        else:
            os.environ["RESEARCH_REQUIRE_ADJUSTED"] = previous


def cjk_font() -> str | None:
    """The font file named by ``$RESEARCH_CJK_FONT``, or None when unset."""
    return os.environ.get("RESEARCH_CJK_FONT") or None


def jupyter_config_path() -> str:
    """``JUPYTER_CONFIG_PATH`` with :data:`JUPYTER_CONFIG` first (the user's folders follow)."""
    theirs = os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)
    return os.pathsep.join([str(JUPYTER_CONFIG), *filter(None, theirs)])


def lock_timeout() -> float:
    """Seconds to wait for another process's lock on the store or the catalogue:
    ``$RESEARCH_LOCK_TIMEOUT`` or 60."""
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
