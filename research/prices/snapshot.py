"""The kit's frozen price snapshot (``data/prices/``) and its index (``data/snapshot.csv``).

``scripts/snapshot.py`` builds both from the shared files and checks them; ``data/README.md``
says which dates each series keeps and why. Here the kit only reads the index, so that a
series imported from the snapshot is named by its upstream source and hash, not by a path.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from research import config
from research.errors import ResearchError
from research.files import read_text


def snapshot_index(path=None) -> dict[str, dict[str, str]]:
    """ticker -> its row of the index (first_date, last_date, rows, sha256, upstream); empty
    when the index is absent (a kit without its snapshot)."""
    path = path or config.SNAPSHOT_INDEX
    if not path.is_file():
        return {}
    try:
        rows = list(csv.DictReader(io.StringIO(read_text(path, "the snapshot index"))))
    except csv.Error as exc:
        raise ResearchError(f"{path}: not a CSV file ({exc})") from None
    if rows and not {"ticker", "sha256", "upstream"} <= set(rows[0]):
        raise ResearchError(f"{path}: needs the columns ticker, sha256 and upstream")
    return {row["ticker"]: row for row in rows}


def from_snapshot(ticker: str, sha256: str | None) -> dict[str, str] | None:
    """The index row of ``ticker`` when ``sha256`` (an imported file's) is its snapshot file's."""
    row = snapshot_index().get(ticker)
    return row if row is not None and sha256 and row["sha256"] == sha256 else None


def named_source(ticker: str, entry: dict, snapshot: dict[str, dict[str, str]]) -> tuple[str, dict[str, str]]:
    """How a provenance table names the source of a stored series (``entry``, its manifest record):
    a file of the kit's snapshot by its upstream source and sha256, another CSV by its file name,
    Yahoo by yfinance's version; never by a path of the user's machine. Also the fields that take
    the place of the manifest's ``source_path`` in the table's data."""
    kit = snapshot.get(ticker)
    if entry.get("source") == "csv" and kit is not None and kit["sha256"] == entry.get("source_sha256"):
        return (f"kit snapshot data/prices/{ticker}.csv (sha256 {kit['sha256'][:12]}), from {kit['upstream']}",
                {"source_path": f"data/prices/{ticker}.csv", "upstream": kit["upstream"]})
    if entry.get("source") == "csv":
        name = Path(entry.get("source_path") or "").name
        return f"CSV {name} (sha256 {entry.get('source_sha256', '')[:12]})", {"source_path": name}
    return f"Yahoo, yfinance {entry.get('yfinance_version')}, auto_adjust={entry.get('auto_adjust')}", {}
