"""Filling the store: CSV import, Yahoo fetch, and the lookup order store -> mirror -> Yahoo."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from research import config
from research.errors import ResearchError
from research.prices import yahoo
from research.prices.csvfile import PriceFile, read_price_csv
from research.prices.store import PriceStore, utc_now


def csv_files(path: Path | str) -> list[Path]:
    """The CSV files an import of ``path`` covers: the file itself, or a folder's ``*.csv``."""
    path = Path(path).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        if not files:
            raise ResearchError(f"{path}: no .csv files in this folder")
        return files
    if path.is_file():
        return [path]
    raise ResearchError(f"{path}: no such file or folder")


def import_csv(path: Path | str, *, ticker: str | None = None, store: PriceStore | None = None,
               progress: bool = False) -> list[dict]:
    """Import a CSV file or a folder of them into the store; returns the manifest entries.

    Every file is read and validated first; if any is bad, nothing is stored and one
    :class:`ResearchError` lists every bad file with its line and problem. The series are then
    committed together (:meth:`PriceStore.save_many`): all of them, or none.
    """
    store = store or PriceStore()
    files = csv_files(path)
    if ticker and len(files) > 1:
        raise ResearchError(f"{path}: --ticker names one series, but the folder holds {len(files)} files")
    parsed: list[PriceFile] = []
    errors: list[str] = []
    for file in _progress(files, "validating", progress):
        try:
            parsed.append(read_price_csv(file, ticker))
        except ResearchError as exc:
            errors.append(str(exc))
    if errors:
        raise ResearchError("nothing was imported; fix these files first:\n  " + "\n  ".join(errors))
    saved = store.save_many(_progress([(item.ticker, item.prices, {
        "source": "csv",
        "source_path": str(item.path.resolve()),
        "source_sha256": item.sha256,
        "retrieved_utc": utc_now(),
        "yfinance_version": None,
        "auto_adjust": None,
        "notes": list(item.notes),
    }) for item in parsed], "storing", progress))
    return [entry | {"ticker": item.ticker} for item, entry in zip(parsed, saved)]


def fetch(tickers: Iterable[str], *, store: PriceStore | None = None, progress: bool = False,
          start=None, end=None) -> tuple[list[dict], list[str]]:
    """Fetch tickers from Yahoo into the store; returns (entries stored, one error per failed ticker)."""
    store = store or PriceStore()
    entries, errors = [], []
    for ticker in _progress(list(tickers), "fetching", progress):
        try:
            prices, provenance = yahoo.fetch(ticker, start=start, end=end)
        except ResearchError as exc:
            errors.append(str(exc))
            continue
        entries.append(store.save(ticker, prices, provenance) | {"ticker": ticker})
    return entries, errors


def get_prices(ticker: str, store: PriceStore | None = None) -> pd.DataFrame:
    """The daily prices of ``ticker``: from the store, else the mirror, else Yahoo (then stored)."""
    store = store or PriceStore()
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
    where = f"the mirror {mirror}" if mirror else "no mirror (RESEARCH_MIRROR is unset)"
    raise ResearchError(
        f"no prices for {ticker}: not in the store {store.root}, not in {where}, and {reason}.\n"
        f"Provide them with `research import {ticker}.csv` (yfinance CSV layout), or put {ticker}.csv "
        f"in a folder named by RESEARCH_MIRROR, or run `research fetch {ticker}` with internet access.")


def _progress(items, desc: str, enabled: bool):
    if not enabled or len(items) < 2:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="series", leave=False)
