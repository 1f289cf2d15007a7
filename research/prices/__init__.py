"""Prices in: the local store, its sources (CSV, a CSV mirror, Yahoo), returns and quality."""

from __future__ import annotations

from importlib import import_module

#: Each public name and its module, loaded on first use (the command line lists its commands
#: without pandas).
_HOMES = {"simple_returns": "returns", "fetch": "sources", "get_prices": "sources", "import_csv": "sources",
          "PriceStore": "store"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"research.prices.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
