"""The shared pieces of :mod:`research.study.significance.helpers` against scipy and numpy:
the packed-key row ranks every rank test reads (ties, gaps, last-bit differences, medians)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from research.study.significance import helpers


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), rows=st.integers(1, 9), cols=st.integers(1, 30),
       first=st.integers(0, 30), levels=st.integers(2, 6))
def test_rank_rows_match_scipy_rankdata_with_ties_and_gaps(seed, rows, cols, first, levels):
    rng = np.random.default_rng(seed)
    first = min(first, cols)
    values = rng.integers(0, levels, (rows, cols)).astype(float)     # many ties
    values[rng.random((rows, cols)) < 0.2] = np.nan
    ranks, ranks_first, tie_term = helpers.rank_rows(values, first=first, ties=True)
    for i in range(rows):
        ok = ~np.isnan(values[i])
        expected = np.full(cols, np.nan)
        expected[ok] = stats.rankdata(values[i, ok])
        np.testing.assert_array_equal(ranks[i], expected)
        ok_first = ok[:first]
        expected_first = np.full(first, np.nan)
        expected_first[ok_first] = stats.rankdata(values[i, :first][ok_first])
        np.testing.assert_array_equal(ranks_first[i], expected_first)
        _, counts = np.unique(values[i, ok], return_counts=True)
        assert tie_term[i] == (counts ** 3 - counts).sum()


def test_rank_rows_exact_for_values_differing_in_the_last_bits():
    """The integer sort packs column numbers into the low mantissa bits; order must stay exact."""
    base = np.array([1.0, -1.0, 1e-300, -0.0, 0.0, 3.5])
    near = np.concatenate([np.nextafter(base, np.inf), np.nextafter(base, -np.inf), base])
    rng = np.random.default_rng(5)
    values = np.stack([rng.permutation(near) for _ in range(50)])
    ranks = helpers.rank_rows(values)
    for i in range(50):
        np.testing.assert_array_equal(ranks[i], stats.rankdata(values[i]))
    wide = np.tile(np.nextafter(2.0, np.inf) - np.arange(600) * 2.0 ** -51, (3, 1))
    np.testing.assert_array_equal(helpers.rank_rows(wide)[0], stats.rankdata(wide[0]))


def test_rank_rows_continuous_fast_path_over_chunks():
    rng = np.random.default_rng(3)
    values = rng.standard_normal((helpers.CHUNK_ROWS * 2 + 17, 12))
    values[rng.random(values.shape) < 0.1] = np.nan
    ranks = helpers.rank_rows(values)
    for i in rng.integers(0, len(values), 40):
        ok = ~np.isnan(values[i])
        np.testing.assert_array_equal(ranks[i, ok], stats.rankdata(values[i, ok]))
        assert np.isnan(ranks[i, ~ok]).all()


def test_rank_rows_medians_match_numpy():
    rng = np.random.default_rng(4)
    values = rng.standard_normal((30, 9))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[0] = np.nan
    with np.errstate(all="ignore"):
        expected = np.array([np.median(v[~np.isnan(v)]) if (~np.isnan(v)).any() else np.nan
                             for v in values])
    _, medians = helpers.rank_rows(values, medians=True)
    np.testing.assert_array_equal(medians, expected)


class _Panel:
    def __init__(self, n):
        self.n = n


def test_group_masks_are_the_labels_compared_as_text_in_order_of_first_appearance():
    """Factorised once (issue 16: a string comparison per group was O(groups x listings) in the
    simulation): the same masks as comparing each label's text, missing labels in no group."""
    labels = ["b", None, 1, "1", np.nan, "a", "b", 2.0, "a"]
    masks = helpers.group_masks(_Panel(len(labels)), labels)
    text = [None if x is None or (isinstance(x, float) and np.isnan(x)) else str(x) for x in labels]
    names = list(dict.fromkeys(t for t in text if t is not None))
    assert [name for name, _ in masks] == ["all", *names] == ["all", "b", "1", "a", "2.0"]
    for name, mask in masks[1:]:
        np.testing.assert_array_equal(mask, [t == name for t in text])
    assert masks[0][1].all()


def test_group_masks_refuse_a_group_named_all():
    import pytest

    from research.errors import ResearchError

    with pytest.raises(ResearchError, match='"all" is reserved'):
        helpers.group_masks(_Panel(3), ["x", "all", None])


def test_signed_rank_p_does_not_depend_on_the_ranks_order_and_matches_the_convolution():
    """The exact null is shared between samples with the same ranks (cached): any order of the
    ranks gives the p of the uncached convolution, against scipy where it is exact (no ties)."""
    rng = np.random.default_rng(3)
    for n in (1, 4, 7, 12):
        doubled = 2.0 * np.arange(1, n + 1)
        positive = rng.random(n) < 0.5
        w2 = float(doubled[positive].sum())
        counts = helpers.signed_rank_null(doubled)
        k = int(round(w2))
        expected = min(1.0, 2.0 * min(counts[:k + 1].sum(), counts[k:].sum()) / counts.sum())
        for order in (doubled, doubled[::-1], rng.permutation(doubled)):
            assert helpers.signed_rank_p(order, w2) == expected
        if n >= 4:                                       # x_i = +-i: W+ is the sum of the positive ranks
            x = np.arange(1, n + 1) * np.where(positive, 1.0, -1.0)
            assert np.isclose(expected, stats.wilcoxon(x, method="exact").pvalue, rtol=1e-12)
    tied = np.array([3.0, 3.0, 6.0, 8.0, 10.0])          # a tie: ranks 1.5, 1.5 doubled
    assert helpers.signed_rank_p(tied[::-1], 11.0) == helpers.signed_rank_p(tied, 11.0)
