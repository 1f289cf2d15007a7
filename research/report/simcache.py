"""The validation notebook's simulation, computed once and kept in the results folder.

A 1,000-sample :func:`~research.study.simulation.simulate` takes minutes; a report of the
notebook whose inputs have not changed reads the table it made last time instead. The cache is
a thin layer around the call: :func:`simulation` takes exactly :func:`simulate`'s arguments.

A cached simulation is used only when everything that makes its numbers is the same:

* the arguments, every one of ``simulate``'s parameters with its default filled in (a parameter
  added to ``simulate`` later is part of the key without a change here);
* the code that computes them (the sha256 of every module of ``research.study``), the registry
  (``data/securities.csv``) and the event catalogue (the windows it avoids);
* the data: the store manifest's sha256 of every series the simulation read (its universes'
  listings and their benchmarks, a series not yet in the store as absent), checked against the
  store when the cache is read, so that one changed price recomputes it.

The file is written atomically (a temporary file, then a rename); one that cannot be read is
recomputed, never an error. A call with ``returns=`` (the caller's own data) is not cached.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import pickle
from pathlib import Path

from research import config
from research.files import write_text

#: the cache's folder inside the results folder
FOLDER = "cache"


def simulation(*args, folder: Path | str | None = None, **kwargs):
    """:func:`research.study.simulation.simulate` ``(*args, **kwargs)``, from the cache when its
    inputs are unchanged (see the module docstring); ``folder`` moves the cache (default
    ``<results>/cache``). The returned ``Simulation`` has ``seconds["cached"]`` True when read."""
    from research.study.simulation import simulate

    bound = inspect.signature(simulate).bind(*args, **kwargs)
    bound.apply_defaults()
    params = dict(bound.arguments)
    if params.get("returns") is not None:
        return simulate(*args, **kwargs)
    key = _key(params)
    path = Path(folder) if folder is not None else config.results_dir() / FOLDER
    path = path / f"simulation-{key[:24]}.pickle"
    cached = _read(path, key)
    if cached is not None:
        cached.seconds = {**cached.seconds, "cached": True}
        return cached
    sim = simulate(*args, **kwargs)
    sim.seconds = {**sim.seconds, "cached": False}
    record = {"key": key, "data": data_hashes(_series_read(sim)), "simulation": sim}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass    # an unwritable results folder costs the next report time, not its numbers
    return sim


def data_hashes(tickers) -> dict[str, str | None]:
    """The store manifest's sha256 of each ticker's series (None: not in the store)."""
    from research.prices.store import PriceStore

    manifest = PriceStore().manifest()
    return {t: manifest.get(t, {}).get("sha256") for t in sorted(tickers)}


def _read(path: Path, key: str):
    try:
        with open(path, "rb") as handle:
            record = pickle.load(handle)
        if record["key"] != key or data_hashes(record["data"]) != record["data"]:
            return None
        return record["simulation"]
    except Exception:       # missing, cut short, another format: any of these means recompute
        return None


def _series_read(sim) -> set[str]:
    """Every series the simulation drew from: its universes' listings and their benchmarks."""
    from research.securities import load_registry

    registry = load_registry()
    listings = {t for tickers in sim.settings["universe"].values() for t in tickers}
    return listings | {registry[t].benchmark for t in listings if t in registry}


def _key(params: dict) -> str:
    """sha256 of the arguments, the code of research.study, the registry and the catalogue."""
    import research.study

    study = Path(research.study.__file__).parent
    digest = hashlib.sha256()
    for source in sorted(study.rglob("*.py")):
        digest.update(source.relative_to(study).as_posix().encode() + b"\0" + source.read_bytes())
    catalogue = params.get("catalogue")
    catalogue = getattr(catalogue, "path", catalogue)
    for file in (config.SECURITIES_FILE, config.catalogue_file(catalogue)):
        digest.update(Path(file).read_bytes() if Path(file).exists() else b"(none)")
    digest.update(json.dumps({**params, "catalogue": None}, sort_keys=True, default=_plain).encode())
    return digest.hexdigest()


def _plain(value):
    """A model instance (``Dimson(lags=2)``) by its class and settings, not its address."""
    return {"class": type(value).__name__, **vars(value)} if hasattr(value, "__dict__") else repr(value)
