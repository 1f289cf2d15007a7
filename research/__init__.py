"""Market-impact research kit: event studies of US designations of Chinese firms.

The package follows the flow of data:

``prices``  -> a local store of daily prices (yfinance or CSV), returns and quality checks
``events``  -> the catalogue of designations and their alignment to each exchange's sessions
``study``   -> expected-return models, abnormal returns and the tests of the literature
``report``  -> figures, episode notebooks and papers
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("research")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
