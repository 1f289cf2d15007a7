"""Multiple testing: p-values adjusted across the windows and tests of a family.

A tests table of W windows and M tests holds W x M p-values per group; some fall below 5 % by
chance alone. :func:`adjust_pvalues` adds, per family (by default each group: every window and
test of that group in the frame),

* ``p_holm``: Holm's (1979) step-down adjustment, which controls the family-wise error rate
  under any dependence: with the m p-values sorted, p_(1) <= ... <= p_(m),
  p~_(j) = max_{i <= j} min(1, (m - i + 1) p_(i));
* ``p_fdr_bh``: the step-up adjustment of Benjamini and Hochberg (1995), which controls the
  false discovery rate for independent or positively dependent tests (Benjamini and Yekutieli
  2001), as tests of overlapping windows on the same listings are:
  p~_(j) = min_{i >= j} min(1, m p_(i) / i).

Both from ``statsmodels.stats.multitest.multipletests``; missing p-values stay missing and do
not count in m.

References
----------
Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
    powerful approach to multiple testing. Journal of the Royal Statistical Society B 57(1), 289-300.
Benjamini, Y. and Yekutieli, D. (2001). The control of the false discovery rate in multiple testing
    under dependency. Annals of Statistics 29(4), 1165-1188.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
    Statistics 6(2), 65-70.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from research.errors import ResearchError

#: The adjustments (``multipletests`` method names) and how the literature names them.
ADJUSTMENTS = {"holm": "Holm (1979)", "fdr_bh": "Benjamini-Hochberg (1995)"}
#: Their papers (keys of ``research.report.references.REFERENCES``).
ADJUSTMENT_REFERENCES = {"holm": "holm1979", "fdr_bh": "benjamini_hochberg1995"}


def adjust_pvalues(tests: pd.DataFrame, methods: Sequence[str] = tuple(ADJUSTMENTS),
                   family: Sequence[str] = ("group",)) -> pd.DataFrame:
    """``tests`` (a frame with ``p_value``) with a column ``p_<method>`` per method, adjusted
    within each family: the rows sharing the values of the ``family`` columns (none: one family)."""
    from statsmodels.stats.multitest import multipletests

    unknown = [m for m in methods if m not in ADJUSTMENTS]
    if unknown:
        raise ResearchError(f"unknown p-value adjustment(s) {unknown}; use {', '.join(ADJUSTMENTS)}")
    family = [c for c in family if c in tests.columns]
    out = tests.copy()
    keys = pd.Series(0, index=out.index) if not family else out[family].astype(str).agg("\x1f".join, axis=1)
    p = out["p_value"].to_numpy(float)
    for method in methods:
        adjusted = np.full(len(out), np.nan)
        for rows in keys.groupby(keys, sort=False).indices.values():
            ok = rows[np.isfinite(p[rows])]
            if len(ok):
                adjusted[ok] = multipletests(p[ok], method=method)[1]
        out[f"p_{method}"] = adjusted
    return out
