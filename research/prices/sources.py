"""Filling the store: CSV import, Yahoo fetch, and the lookup order store -> mirror -> Yahoo."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from research import config
from research.errors import ResearchError
from research.prices import yahoo
from research.prices.csvfile import PriceFile, Reading, read_price_csv
from research.prices.frame import check_ticker
from research.prices.store import PriceStore, utc_now


def csv_files(path: Path | str) -> list[Path]:
    """The CSV files an import of ``path`` covers: the file itself, or a folder's ``*.csv``.

    Two files of a folder that name one ticker (``X.csv`` and ``X.CSV``, or ``x.csv`` on a
    case-insensitive disk) are refused, naming both: neither may silently win.
    """
    path = Path(path).expanduser()
    try:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        elif path.is_file():
            return [path]
        else:
            raise ResearchError(f"{path}: no such file or folder")
    except OSError as exc:
        raise ResearchError(f"{path}: cannot read ({exc.strerror})") from None
    if not files:
        raise ResearchError(f"{path}: no .csv files in this folder")
    seen: dict[str, Path] = {}
    for file in files:
        key = file.name[: -len(".csv")].upper()
        if key in seen:
            raise ResearchError(f"{path}: {seen[key].name} and {file.name} name one ticker; "
                                f"keep one of them")
        seen[key] = file
    return files


def import_csv(path: Path | str, *, ticker: str | None = None, store: PriceStore | None = None,
               progress: bool = False, replace: bool = False, reading: Reading | None = None) -> list[dict]:
    """Import a CSV file or a folder of them into the store; returns the manifest entries.

    ``reading`` names the files' layout, a column mapping and a date format
    (:class:`~research.prices.csvfile.Reading`); by default each file's layout is detected.

    Every file is read and validated first; if any is bad, nothing is stored and one
    :class:`ResearchError` lists every bad file with its line and problem. A series already in
    the store is merged with the file (:func:`merge`), unless ``replace``; each entry returned
    carries ``changes``, the counts of rows added, replaced, changed and kept. The series are then
    committed together (:meth:`PriceStore.save_many`): all of them, or none.
    """
    store = store or PriceStore()
    if ticker is not None:
        check_ticker(ticker, f"{path}: --ticker")
    files = csv_files(path)
    if ticker is not None and len(files) > 1:
        raise ResearchError(f"{path}: --ticker names one series, but the folder holds {len(files)} files")
    parsed: list[PriceFile] = []
    errors: list[str] = []
    for file in _progress(files, "validating", progress):
        try:
            parsed.append(read_price_csv(file, ticker, reading))
        except ResearchError as exc:
            errors.append(str(exc))
    if errors:
        raise ResearchError("nothing was imported; fix these files first:\n  " + "\n  ".join(errors))
    # Every merge is planned (stored series read) before anything is written, all under the lock:
    # a concurrent import cannot commit between the read and the write, and lose rows.
    with store.locked():
        return _commit(store, [_plan(store, item.ticker, item.prices, {
            "source": "csv",
            "source_path": str(item.path.resolve()),
            "source_sha256": item.sha256,
            "retrieved_utc": utc_now(),
            "yfinance_version": None,
            "auto_adjust": None,
            "notes": list(item.notes),
        }, replace) for item in parsed], progress)


def _commit(store: PriceStore, plans: list[tuple], progress: bool = False) -> list[dict]:
    """Save the planned ``(ticker, prices, provenance, changes)`` in one commit; the entries carry
    their ticker and changes."""
    saved = store.save_many(_progress([plan[:3] for plan in plans], "storing", progress))
    return [entry | {"ticker": ticker, "changes": changes} for (ticker, *_, changes), entry in zip(plans, saved)]


#: What a manifest entry says of its source; an earlier source's are kept in ``merged_from``.
SOURCE_FIELDS = ("source", "source_path", "source_sha256", "retrieved_utc", "yfinance_version", "auto_adjust",
                 "first_date", "last_date", "notes")


def merge(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """``new`` over ``old``: the newer source wins on the dates both hold; ``old``'s other rows stay.

    Returns the merged frame and the counts ``added`` (dates only ``new`` holds), ``replaced``
    (dates both hold), ``changed`` (of those, rows whose values differ) and ``kept`` (dates only
    ``old`` holds).
    """
    # One source may carry PreClose and the other not: a row that gains or loses it has other values.
    columns = list(old.columns) + [c for c in new.columns if c not in old.columns]
    old, new = old.reindex(columns=columns), new.reindex(columns=columns)
    both = new.index.intersection(old.index)
    a, b = old.loc[both].to_numpy(), new.loc[both].to_numpy()
    differ = ~((a == b) | (np.isnan(a) & np.isnan(b))).all(axis=1)
    kept = old.drop(both)
    merged = pd.concat([kept, new]).sort_index() if len(kept) else new
    return merged, {"added": len(new) - len(both), "replaced": len(both), "changed": int(differ.sum()),
                    "kept": len(kept)}


def _plan(store: PriceStore, ticker: str, prices: pd.DataFrame, provenance: dict, replace: bool):
    """What to save for ``ticker``: ``prices`` merged with the stored series unless ``replace``,
    its provenance, and the changes (see :func:`merge`)."""
    previous = store.manifest().get(ticker)
    if previous is None:
        return ticker, prices, provenance, {"added": len(prices), "replaced": 0, "changed": 0, "kept": 0}
    if replace:
        return ticker, prices, provenance, {"added": len(prices), "replaced": 0, "changed": 0, "kept": 0,
                                            "dropped": previous.get("rows")}
    try:
        stored = store.load(ticker)
    except ResearchError as exc:
        raise ResearchError(f"{exc}\n{ticker} cannot be merged with its stored series; "
                            f"import it with --replace to replace that series") from None
    prices, changes = merge(stored, prices)
    if changes["kept"]:
        earlier = [{k: previous.get(k) for k in SOURCE_FIELDS} | {"rows_kept": changes["kept"]}]
        provenance = provenance | {"merged_from": earlier + list(previous.get("merged_from", []))}
        note = (f"merged: {changes['kept']} rows kept from the earlier source "
                f"({previous.get('source_path') or previous.get('source')})")
        if changes["changed"]:
            note += (f"; {changes['changed']} of the {changes['replaced']} dates both hold had other values "
                     f"(check that both sources use the same adjustment)")
        provenance["notes"] = list(provenance.get("notes", [])) + [note]
    return ticker, prices, provenance, changes


#: ``research fetch --source``: Yahoo, and the Chinese-market sources of the ``cn`` extra.
SOURCES = ("yahoo", "baostock", "akshare")


def fetch(tickers: Iterable[str], *, store: PriceStore | None = None, progress: bool = False,
          start=None, end=None, replace: bool = False, source: str = "yahoo") -> tuple[list[dict], list[str]]:
    """Fetch tickers from ``source`` (:data:`SOURCES`) into the store; returns (entries stored, one
    error per failed ticker). A failed ticker leaves its stored series as it was.

    A series already stored is merged with the fetched rows as on import, unless ``replace``.
    """
    if source not in SOURCES:
        raise ResearchError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    if source == "yahoo":
        download = yahoo.fetch
    else:
        from research.prices.cn import FETCHERS

        download = FETCHERS[source]
    store = store or PriceStore()
    entries, errors = [], []
    for ticker in _progress(list(tickers), "fetching", progress):
        try:
            check_ticker(ticker)
            prices, provenance = download(ticker, start=start, end=end)
            with store.locked():  # a stored series that cannot be merged fails this ticker only
                entries += _commit(store, [_plan(store, ticker, prices, provenance, replace)])
        except ResearchError as exc:
            errors.append(str(exc))
    return entries, errors


def get_prices(ticker: str, store: PriceStore | None = None) -> pd.DataFrame:
    """The daily prices of ``ticker``: from the store, else the mirror, else Yahoo (then stored)."""
    store = store or PriceStore()
    check_ticker(ticker)
    if ticker in store:
        return store.load(ticker)
    mirror = config.mirror_dir()
    if mirror is not None and (mirror / f"{ticker}.csv").is_file():
        import_csv(mirror / f"{ticker}.csv", store=store)
        return store.load(ticker)
    if config.offline():
        reason = "Yahoo was not asked (RESEARCH_OFFLINE is set)"
    else:
        try:
            prices, provenance = yahoo.fetch(ticker)
        except yahoo.YahooUnavailable as exc:
            reason = str(exc)
        else:
            store.save(ticker, prices, provenance)
            return store.load(ticker)
    where = f"not in the mirror {mirror}" if mirror else "no mirror is set (RESEARCH_MIRROR)"
    raise ResearchError(
        f"no prices for {ticker}: not in the store {store.root}, {where}, and {reason}.\n"
        f"Provide them with `research import {ticker}.csv` (yfinance CSV layout), or put {ticker}.csv "
        f"in a folder named by RESEARCH_MIRROR, or run `research fetch {ticker}` with internet access.")


def _progress(items, desc: str, enabled: bool):
    if not enabled or len(items) < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="series", leave=False)
