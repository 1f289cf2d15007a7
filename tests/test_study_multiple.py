"""Issue 15 item 5: Holm and Benjamini-Hochberg p-values across windows and tests, checked
against the step-down and step-up rules written out in numpy, and in the tests table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from research.errors import ResearchError
from research.report import tables
from research.study import event_study, significance
from synthetic import make_data


def _holm(p):
    """Holm (1979): p~_(j) = max_{i<=j} min(1, (m - i + 1) p_(i))."""
    m, order = len(p), np.argsort(p, kind="stable")
    out = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def _bh(p):
    """Benjamini and Hochberg (1995): p~_(j) = min_{i>=j} min(1, m p_(i) / i)."""
    m, order = len(p), np.argsort(p, kind="stable")
    out = np.empty(m)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, m * p[i] / (rank + 1))
        out[i] = running
    return out


def test_adjustments_against_the_rules_written_out():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"group": np.repeat(["all", "E1", "E2"], 12), "p_value": rng.uniform(0, 0.2, 36)})
    frame.loc[5, "p_value"] = np.nan
    out = significance.adjust_pvalues(frame)
    for _, part in out.groupby("group"):
        ok = part["p_value"].notna()
        np.testing.assert_allclose(part.loc[ok, "p_holm"], _holm(part.loc[ok, "p_value"].to_numpy()), rtol=1e-12)
        np.testing.assert_allclose(part.loc[ok, "p_fdr_bh"], _bh(part.loc[ok, "p_value"].to_numpy()), rtol=1e-12)
        assert part.loc[~ok, ["p_holm", "p_fdr_bh"]].isna().all().all()
    one_family = significance.adjust_pvalues(frame, ["holm"], family=())
    ok = frame["p_value"].notna()
    np.testing.assert_allclose(one_family.loc[ok, "p_holm"], _holm(frame.loc[ok, "p_value"].to_numpy()), rtol=1e-12)
    with pytest.raises(ResearchError, match="unknown p-value adjustment"):
        significance.adjust_pvalues(frame, ["bonferroni"])


@pytest.fixture(scope="module")
def result():
    returns, market = make_data(n_days=500, tickers=tuple("ABCDE"), seed=2)
    events = pd.DataFrame({"event_id": ["E1"] * 3 + ["E2"] * 2, "ticker": list("ABCDE"),
                           "day0": [returns.index[300]] * 3 + [returns.index[400]] * 2})
    return event_study(returns, market, events, windows=[(0, 0), (0, 1), (-1, 1)], seed=1)


def test_tests_table_shows_the_adjusted_p_values_and_names_the_family(result):
    tests = ("csect_t", "bmp_kp", "grank_scar")
    table = tables.tests_table(result, tests=tests, by=None, adjust=("holm", "fdr_bh"))
    data = table.data
    assert len(data) == 9
    np.testing.assert_allclose(data["p_holm"], _holm(data["p_value"].to_numpy()), rtol=1e-12)
    np.testing.assert_allclose(data["p_fdr_bh"], _bh(data["p_value"].to_numpy()), rtol=1e-12)
    cells = table.cells()
    stat = [c for c in cells if c["line"] == "stat"]
    assert len(stat) == 3                   # the adjusted p-values share the p-value's line
    first = data[(data.test == "csect_t") & (data.window == "[0,0]")].iloc[0]
    assert stat[0]["cells"]["[0,0]"] == (f"({tables.fmt_p(first.p_value)}) [{tables.fmt_p(first.p_holm)}; "
                                         f"{tables.fmt_p(first.p_fdr_bh)}]")
    assert any("Holm (1979) and Benjamini-Hochberg (1995) adjusted p-values (in that order), adjusted over the "
               "family of the 3 windows x 3 tests of each group" in n for n in table.notes)
    assert {"holm1979", "benjamini_hochberg1995"} <= set(table.references)
    plain = tables.tests_table(result, tests=tests, by=None)
    assert "[" not in plain.cells()[1]["cells"]["[0,0]"] and "p_holm" not in plain.data
