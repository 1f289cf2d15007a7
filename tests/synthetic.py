"""Synthetic daily returns shared by the engine tests: a market and listings loaded on it."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_data(n_days=400, tickers=("A", "B", "C"), seed=0):
    """(listing returns, market returns) on business days from 2019-01-01; listing i has beta 0.5 + 0.3 i."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=n_days)
    m = rng.normal(0.0003, 0.01, n_days)
    cols = {t: 0.0001 + (0.5 + 0.3 * i) * m + rng.normal(0, 0.02, n_days) for i, t in enumerate(tickers)}
    return pd.DataFrame(cols, index=dates), pd.Series(m, index=dates)
