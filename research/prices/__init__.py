"""Prices in: the local store, its sources (CSV, a CSV mirror, Yahoo), returns and quality."""

from research.prices.returns import simple_returns
from research.prices.sources import fetch, get_prices, import_csv
from research.prices.store import PriceStore

__all__ = ["PriceStore", "fetch", "get_prices", "import_csv", "simple_returns"]
