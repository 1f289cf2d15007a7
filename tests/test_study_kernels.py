"""The compiled kernels of :mod:`research.study.kernels` against plain numpy/scipy loops.

The statistics built on them are checked in test_study_significance.py; here each kernel's
own outputs are compared with a direct, row-by-row computation, including ties, missing
values, values that differ only in their last bits, and stale (multi-session) observations.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from research.study import kernels
from research.study.significance.helpers import column_bits, sort_order


def _rows(seed, n=40, w=30, missing=0.2, levels=None):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, levels, (n, w)).astype(float) if levels else rng.normal(size=(n, w))
    values[rng.random((n, w)) < missing] = np.nan
    return values


@pytest.mark.parametrize("seed, levels", [(0, None), (1, 4), (2, 2)])
@pytest.mark.parametrize("centre", [False, True])
def test_rank_rows_against_scipy(seed, levels, centre):
    values = _rows(seed, levels=levels)
    n, w = values.shape
    first = 12
    keyed = np.where(np.isnan(values), np.inf, values)
    ranks, first_ranks = np.empty((n, w)), np.empty((n, first))
    median, count, ties = np.empty(n), np.empty(n, np.int64), np.empty(n)
    scale = np.linspace(0.5, 2.0, n)
    kernels.rank_rows(keyed, sort_order(keyed), column_bits(w), first, scale, -7.0, centre, ranks, first_ranks,
                      median, count, ties)
    for i in range(n):
        ok = ~np.isnan(values[i])
        r = stats.rankdata(values[i, ok])
        expected = r / (ok.sum() + 1) - 0.5 if centre else r
        np.testing.assert_allclose(ranks[i, ok], expected, rtol=1e-15)
        assert (ranks[i, ~ok] == -7.0).all()
        ok_first = ok[:first]
        np.testing.assert_allclose(first_ranks[i, ok_first],
                                   stats.rankdata(values[i, :first][ok_first]) * scale[i], rtol=1e-15)
        assert (first_ranks[i, ~ok_first] == -7.0).all()
        assert count[i] == ok.sum()
        np.testing.assert_equal(median[i], np.median(values[i, ok]) if ok.any() else np.nan)
        _, sizes = np.unique(values[i, ok], return_counts=True)
        assert ties[i] == (sizes.astype(float) ** 3 - sizes).sum()


def test_rank_rows_repairs_values_differing_in_the_last_bits():
    base = np.linspace(1.0, 2.0, 50)
    values = np.tile(base, (3, 1))
    values[:, ::2] = np.nextafter(values[:, ::2], np.inf)      # neighbours one ulp apart
    values = values[:, ::-1].copy()
    ranks = np.empty_like(values)
    n = len(values)
    kernels.rank_rows(values, sort_order(values), column_bits(values.shape[1]), 0, np.ones(n), np.nan, False, ranks,
                      np.empty((n, 0)), np.empty(n), np.empty(n, np.int64), np.empty(n))
    for i in range(n):
        np.testing.assert_array_equal(ranks[i], stats.rankdata(values[i]))


def test_grank_above_counts_each_sar_against_the_event_point():
    rng = np.random.default_rng(3)
    m, length = 25, 40
    sar = rng.normal(size=(m, length))
    sar[rng.random((m, length)) < 0.1] = np.nan
    sar[0, :5] = 0.25                                         # ties with an event point below
    n_obs = (~np.isnan(sar)).sum(axis=1).astype(float)
    local = np.array([0, 3, 3, 7, 24, 0])
    segment = np.array([0, 0, 1, 1, 1, 2])
    g = np.array([0.25, -0.3, 1.1, 0.0, -2.0, np.nan])
    partial = np.zeros((3, length))
    le, lt = np.empty(6, np.int64), np.empty(6, np.int64)
    kernels.grank_above(sar, n_obs, local, segment, g, partial, le, lt)
    expected = np.zeros((3, length))
    for e, (i, k) in enumerate(zip(local, segment)):
        w = 1.0 / (n_obs[i] + 2.0)
        with np.errstate(invalid="ignore"):
            expected[k] += w * (sar[i] > g[e]) + 0.5 * w * (sar[i] == g[e])
            assert le[e] == n_obs[i] - (sar[i] > g[e]).sum()
            assert lt[e] == n_obs[i] - (sar[i] >= g[e]).sum()
    np.testing.assert_allclose(partial, expected, rtol=1e-14)
    assert le[0] - lt[0] == 5


@pytest.mark.parametrize("stale", [False, True])
def test_prepare_rows_matches_numpy(stale):
    rng = np.random.default_rng(4)
    m, length, width = 30, 50, 9
    est, evt = rng.normal(size=(m, length)), rng.normal(size=(m, width))
    est[rng.random(est.shape) < 0.15] = np.nan
    evt[rng.random(evt.shape) < 0.15] = np.nan
    est_span = np.where(np.isnan(est), np.nan, rng.integers(1, 4, est.shape)).astype(np.float32)
    evt_span = np.where(np.isnan(evt), np.nan, rng.integers(1, 4, evt.shape)).astype(np.float32)
    sigma = rng.uniform(0.5, 2.0, m)
    count = (~np.isnan(est)).sum(axis=1).astype(float)
    sar, keyed, moments = np.empty((m, length)), np.empty((m, length + width)), np.empty((m, 3))
    plain = np.full((m, 2 * length + 2 * width), -1.0)
    columns = np.array([0, length, length + width, 2 * length + width])
    est_obs = np.empty((m, length))
    packed = np.empty((m, length + width))
    low = column_bits(length + width)
    x_est = np.empty((m, length))
    kernels.prepare_rows(est, evt, est_span, evt_span, stale, count, sigma, x_est, sar, keyed, packed, low,
                         moments, plain, columns, est_obs)
    reference = np.clip(keyed, -np.finfo(float).max, np.finfo(float).max).view(np.int64)
    np.testing.assert_array_equal(packed.view(np.int64), (reference & ~low) | np.arange(length + width))
    x_e = est / np.sqrt(np.fmax(est_span.astype(float), 1.0)) if stale else est    # spans in float64
    x_a = evt / np.sqrt(np.fmax(evt_span.astype(float), 1.0)) if stale else evt
    np.testing.assert_array_equal(x_est, x_e)
    np.testing.assert_array_equal(sar, x_e / sigma[:, None])
    np.testing.assert_array_equal(keyed, np.where(np.isnan(np.hstack([x_e, x_a])), np.inf, np.hstack([x_e, x_a])))
    mean = np.nanmean(x_e, axis=1)
    np.testing.assert_allclose(moments[:, 0], mean, rtol=1e-13)
    np.testing.assert_allclose(moments[:, 1], np.nanstd(x_e, axis=1), rtol=1e-13)
    np.testing.assert_array_equal(moments[:, 2], (x_e > 0).sum(axis=1) / count)
    np.testing.assert_array_equal(plain[:, :length], ~np.isnan(est))
    np.testing.assert_array_equal(plain[:, length:length + width], ~np.isnan(evt))
    np.testing.assert_array_equal(plain[:, length + width:2 * length + width], np.nan_to_num(est))
    np.testing.assert_array_equal(plain[:, 2 * length + width:], np.nan_to_num(evt))
    np.testing.assert_array_equal(est_obs, ~np.isnan(est))


@pytest.mark.parametrize("exact", [False, True])
def test_ghk_counts_against_a_loop(exact):
    rng = np.random.default_rng(5)
    m, length = 12, 60
    est = rng.normal(size=(m, length))
    est[rng.random(est.shape) < 0.05] = np.nan
    taus = np.array([1, 3, 11, 70])
    cars = rng.normal(0, 2, (len(taus), m))
    cars[1, 4] = np.nan
    complete = np.ones((len(taus), length), bool)
    complete[2, 30:35] = False
    p, n_sums = np.empty(cars.shape), np.empty(cars.shape, np.int64)
    kernels.ghk_counts(est, cars, taus, complete, exact, p, n_sums)
    for j, tau in enumerate(taus):
        for i in range(m):
            sums = [est[i, t:t + tau].sum() for t in range(length - tau + 1)
                    if not np.isnan(est[i, t:t + tau]).any() and complete[j, t]]
            assert n_sums[j, i] == len(sums)
            if not sums or np.isnan(cars[j, i]):
                assert np.isnan(p[j, i])
                continue
            sums = np.array(sums)
            below, above = (sums <= cars[j, i]).sum(), (sums >= cars[j, i]).sum()
            want = (min(1.0, 2 * (min(below, above) + 1) / (len(sums) + 1)) if exact
                    else min(1.0, 2 * min(below, above) / len(sums)))
            np.testing.assert_allclose(p[j, i], want, rtol=1e-12)


def test_observed_sums_skip_days_without_an_abnormal_return():
    rng = np.random.default_rng(6)
    ar = rng.normal(size=(8, 10))
    ar[rng.random(ar.shape) < 0.3] = np.nan
    ar[0, 3] = np.inf                                          # not finite: not observed
    days = rng.integers(1, 3, ar.shape).astype(np.float32)
    x = rng.normal(size=(8, 10, 2))
    ar_sum, n_obs, day_sum, x_sum = np.empty(8), np.empty(8, np.int64), np.empty(8), np.empty((8, 2))
    kernels.observed_sums(ar, days, x, 2, 7, ar_sum, n_obs, day_sum, x_sum)
    seen = np.isfinite(ar[:, 2:7])
    np.testing.assert_allclose(ar_sum, np.where(seen, ar[:, 2:7], 0).sum(axis=1), rtol=1e-14)
    np.testing.assert_array_equal(n_obs, seen.sum(axis=1))
    np.testing.assert_allclose(day_sum, np.where(seen, days[:, 2:7], 0).sum(axis=1), rtol=1e-14)
    np.testing.assert_allclose(x_sum, np.where(seen[..., None], x[:, 2:7], 0).sum(axis=1), rtol=1e-14)


@pytest.mark.parametrize("log", [False, True])
def test_window_returns_against_numpy(log):
    rng = np.random.default_rng(7)
    ar, r, e = (rng.normal(0, 0.02, (20, 15)) for _ in range(3))
    ar[rng.random(ar.shape) < 0.2] = np.nan
    r[rng.random(r.shape) < 0.2] = np.nan
    e[np.isnan(ar) & (rng.random(ar.shape) < 0.5)] = np.nan
    ar[:3, 2:6] = np.nan                                       # a window with no observation
    r[:3, 2:6] = np.nan
    lo, hi = np.array([0, 2, 5]), np.array([15, 6, 9])
    car, bhar = np.empty((20, 3)), np.empty((20, 3))
    n_days = np.empty((20, 3), np.int64)
    kernels.window_returns(ar, r, e, lo, hi, log, car, n_days, bhar)
    for w, (a, b) in enumerate(zip(lo, hi)):
        seen = ~np.isnan(ar[:, a:b])
        np.testing.assert_array_equal(n_days[:, w], seen.sum(axis=1))
        np.testing.assert_allclose(car[:, w], np.where(seen.any(axis=1), np.nansum(ar[:, a:b], axis=1), np.nan),
                                   rtol=1e-14)
        both = ~np.isnan(r[:, a:b]) & ~np.isnan(e[:, a:b])
        if log:
            expected = np.exp(np.where(both, r[:, a:b], 0).sum(1)) - np.exp(np.where(both, e[:, a:b], 0).sum(1))
        else:
            expected = np.where(both, 1 + r[:, a:b], 1).prod(1) - np.where(both, 1 + e[:, a:b], 1).prod(1)
        np.testing.assert_allclose(bhar[:, w], np.where(both.any(axis=1), expected, np.nan), rtol=1e-12)
    assert np.isnan(car[:3, 1]).all() and np.isnan(bhar[:3, 1]).all()


@pytest.mark.parametrize("unit", [True, False])
def test_weighted_least_squares_against_statsmodels(unit):
    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    n, width = 6, 80
    x = rng.normal(0, 0.01, (n, width, 2))
    span = np.ones((n, width)) if unit else rng.integers(1, 4, (n, width)).astype(float)
    y = 0.001 * span + 0.9 * x[..., 0] - 0.3 * x[..., 1] + rng.normal(0, 0.02, (n, width)) * np.sqrt(span)
    used = rng.random((n, width)) > 0.1
    x[5, :, 1] = 2.0 * x[5, :, 0]                              # collinear: no fit
    coef, xtx_inv = np.empty((n, 3)), np.empty((n, 3, 3))
    resid, ssr, slope_ss = np.empty((n, width)), np.empty(n), np.zeros((n, 2))
    kernels.weighted_least_squares(y, x, span, used, unit, coef, xtx_inv, resid, ssr, slope_ss)
    for i in range(5):
        u = used[i]
        design = np.column_stack([span[i, u], x[i, u]])
        fit = sm.WLS(y[i, u], design, weights=1.0 / span[i, u]).fit()
        np.testing.assert_allclose(coef[i], fit.params, rtol=1e-9)
        np.testing.assert_allclose(xtx_inv[i], fit.normalized_cov_params, rtol=1e-9)
        np.testing.assert_allclose(resid[i, u], fit.resid, rtol=1e-9, atol=1e-15)
        assert np.isnan(resid[i, ~u]).all()
        np.testing.assert_allclose(ssr[i], fit.ssr, rtol=1e-9)
    assert np.isnan(coef[5]).all() and (slope_ss[5] == 0).all()


def test_compile_kernels_leaves_nothing_for_a_real_study_to_compile(real_store):
    """``research build`` compiles the kernels once (engine.compile_kernels); a study of the
    catalogue's events with its tests and summary must then need no signature it did not make."""
    from research.study.bridge import study_events
    from research.study.engine import compile_kernels

    compile_kernels()
    dispatchers = {name: f for name, f in vars(kernels).items() if hasattr(f, "signatures")}
    assert len(dispatchers) >= 7
    made = {name: list(f.signatures) for name, f in dispatchers.items()}
    assert all(made.values()), [name for name, sigs in made.items() if not sigs]
    for event in ("entity-list-2019", "ns-cmic-2021"):
        results = study_events(event)
        results.summary(), results.daily                    # noqa: B018 (every test, the daily tests)
    assert {name: list(f.signatures) for name, f in dispatchers.items()} == made
