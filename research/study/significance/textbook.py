"""The textbook statistics: each paper's formulas on the panel's model quantities (see the
package docstring), one function per test, and the bootstrap."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from scipy import special   # the normal distribution (scipy.stats.norm's own ndtr and ndtri)

from research.study.significance.helpers import (masked_moments, p_normal, p_t, rank_rows, results_frame,
                                                 signed_rank_p, window_cars)
from research.study.significance.registry import JOINT_TESTS, signif
from research.study.significance.streamed import Data, Samples, stream
from research.study.windows import window_label


def _textbook_samples(d: Data, windows, labels) -> Samples:
    panel = d.panel
    cars, vars_, has = [], [], []
    in_window = np.zeros((len(windows), len(panel.evt_days)), bool)
    for j, ((a, b), (car, var)) in enumerate(zip(windows, window_cars(panel, windows))):
        h = ~np.isnan(car)
        var[~(var > 0)] = np.nan
        cars.append(car)
        vars_.append(var)
        has.append(h)
        in_window[j, panel.window_index(a, b)] = True
    group, window, w, g, rows, cols = [], [], [], [], [], []
    group_members = [np.flatnonzero(gmask) for _, gmask in labels]
    for gi, (name, _) in enumerate(labels):
        for j, win in enumerate(windows):
            members = group_members[gi][has[j][group_members[gi]]]
            rows.append(np.full(len(members), len(group)))
            cols.append(members)
            group.append(name)
            window.append(win)
            w.append(j)
            g.append(gi)
    w = np.array(w)
    return Samples(group, window, w, np.array(g), np.array(cars), np.array(vars_),
                    in_window[w], np.concatenate(rows), np.concatenate(cols), d.n, group_members)


def _result(s, test: str, statistic, p_value, df, n, estimate, null, **extra) -> dict:
    out = {"_g": s.g, "_w": s.w, "_t": np.full(s.size, 0), "group": s.group,
           "window": s.window_labels, "test": test,
           "statistic": np.asarray(statistic, float), "p_value": np.asarray(p_value, float),
           "df": np.broadcast_to(np.asarray(df, float), (s.size,)),
           "n": np.asarray(n, int), "estimate": np.asarray(estimate, float), "null": null}
    out.update(extra)
    out.setdefault("signif", signif(out["p_value"]))
    return out


def _csect_t(d: Data, s: Samples) -> dict:
    """Cross-sectional t-test of the mean CAR.

    t = CAAR / (s_CAR / sqrt(n)), CAAR = mean_i CAR_i, s_CAR the sample standard deviation
    (n - 1) of the n CARs of the sample; Student t with n - 1 degrees of freedom under iid
    normal CARs (robust to event-induced variance, not to cross-correlation). Identical to
    ``scipy.stats.ttest_1samp``. Under estudy2 this is its ``t_test`` (same formula daily).

    References: Brown and Warner (1985); MacKinlay (1997).
    """
    n, mean, var = s.moments(s.x)
    t = mean / np.sqrt(var / n)
    return _result(s, "csect_t", t, p_t(t, n - 1), n - 1, n, mean, "t")


def _brown_warner_1980(d: Data, s: Samples) -> dict:
    """Mean CAR over its standard error under cross-sectional independence.

    z = CAAR / (sqrt(sum_i Var(CAR_i)) / n), Var(CAR_i) the prediction-error variance of
    ``panel.car_variance`` (MacKinlay 1997, eq. 14, aggregated over listings; the independence
    test of Brown and Warner 1980 with model-based variances); N(0, 1) under the null
    (asymptotic in L).
    Textbook differs from estudy2: the regression's dof and the prediction-error term, the
    sample's n rather than all listings, the normal rather than t(mean L - 1).

    References: Brown and Warner (1980), JFE 8(3); MacKinlay (1997), JEL 35(1).
    """
    keep = ~np.isnan(s.v)
    n, mean, _ = s.moments(s.x, keep)
    z = mean / (np.sqrt(s.sums(s.v, keep)) / n)
    return _result(s, "brown_warner_1980", z, p_normal(z), np.nan, n, mean, "normal")


def _brown_warner_1985(d: Data, s: Samples) -> dict:
    """Crude dependence adjustment: the portfolio's own time-series standard deviation.

    Abar_s = mean of the sample's estimation residuals on day s (listings present),
    S = sd(Abar_s) over the L_p estimation days with a value (n - 1), CAAR = sum over the tau
    window days with data of AAR_t (the daily mean over listings present);
    t = CAAR / (S sqrt(tau)), Student t with L_p - 1 degrees of freedom. Cross-correlation is
    in S because the portfolio is formed first. Missing listings change the portfolio's
    composition day by day (the test's assumption of a stable variance then holds only
    roughly); spans are not rescaled.

    References: Brown and Warner (1980), JFE 8(3) (the "crude dependence adjustment");
    Brown and Warner (1985), JFE 14(1).
    """
    est_n, evt_n = s.day_sums("est_obs_f"), s.day_sums("evt_obs_f")
    abar = np.where(est_n > 0, s.day_sums("est0") / np.where(est_n > 0, est_n, 1.0), np.nan)
    aar = s.day_sums("ar0") / np.where(evt_n > 0, evt_n, 1.0)
    length, _, var = masked_moments(abar, est_n > 0)
    use = s.in_window & (evt_n > 0)
    tau = use.sum(axis=1)
    caar = np.where(tau > 0, np.where(use, aar, 0.0).sum(axis=1), np.nan)
    t = caar / (np.sqrt(var) * np.sqrt(tau))
    n = s.sums(1.0)
    return _result(s, "brown_warner_1985", t, p_t(t, length - 1), length - 1, n, caar, "t")


def _patell_parts(d: Data, s: Samples):
    dof = d.dof[s.cols]
    keep = ~np.isnan(s.scar) & (dof > 2)
    z = s.sums(s.scar, keep) / np.sqrt(s.sums(dof / np.where(keep, dof - 2.0, 1.0), keep))
    return z, keep


def _patell(d: Data, s: Samples) -> dict:
    """Patell's standardised-residual test, on standardised CARs.

    SCAR_i = CAR_i / sqrt(Var(CAR_i)) with the prediction-error variance (MacKinlay 1997,
    eq. 14); under the null SCAR_i is Student t with dof_i degrees of freedom, variance
    dof_i / (dof_i - 2) (= (L_i - 2) / (L_i - 4) for the market model), so
    Z = sum_i SCAR_i / sqrt(sum_i dof_i / (dof_i - 2)) is N(0, 1) asymptotically (Patell 1976;
    the CAR form is the J2 statistic of Campbell, Lo and MacKinlay 1997, ch. 4).
    Listings with dof <= 2 are left out. estudy2 differs: s_i with n - 1, the Patell term over
    all market returns, mean x N sums.

    References: Patell (1976), JAR 14(2); Campbell, Lo and MacKinlay (1997), The
    Econometrics of Financial Markets, ch. 4.
    """
    z, keep = _patell_parts(d, s)
    n, mean, _ = s.moments(s.x, keep)
    return _result(s, "patell", z, p_normal(z), np.nan, n, mean, "normal")


def _bmp_parts(d: Data, s: Samples):
    keep = ~np.isnan(s.scar)
    n, mean, var = s.moments(s.scar, keep)
    return mean / np.sqrt(var / n), keep


def _bmp(d: Data, s: Samples) -> dict:
    """Boehmer, Musumeci and Poulsen's standardised cross-sectional test.

    t = mean(SCAR) / (sd(SCAR) / sqrt(n)), SCAR as in the Patell test, sd with n - 1: the
    Patell standardisation with a cross-sectional variance, robust to event-induced variance.
    Student t with n - 1 degrees of freedom (BMP 1991).

    References: Boehmer, Musumeci and Poulsen (1991), JFE 30(2), 253-272.
    """
    t, keep = _bmp_parts(d, s)
    n, mean, _ = s.moments(s.x, keep)
    return _result(s, "bmp", t, p_t(t, n - 1), n - 1, n, mean, "t")


def _rbar(d: Data, s: Samples, kp: dict) -> np.ndarray:
    """Average cross-correlation of estimation residuals among each sample's listings.

    Pairs from different events (``keys.event_id``) share no calendar dates and count as
    uncorrelated: rbar = sum_c n_c (n_c - 1) rbar_c / (n (n - 1)). Within event c,
    rbar_c = sum_{i != j} sum_s z_is z_js / sum_{i != j} L_ij with z the residuals
    standardised by each listing's own mean and sd (n) and L_ij the common days: the plain
    mean of the Pearson correlations when every listing has every day, an overlap-weighted
    mean otherwise. Both sums over pairs come from per-event sums over listings
    (sum_{i != j} a_i a_j = (sum_i a_i)^2 - sum_i a_i^2), in O(n L) with no n x n matrix; the
    per-event sums of each listing set are made by the pass (:func:`_rbar_plan`).
    """
    _, sd = d.est_moments
    l_i = d.n_est_obs
    zz = np.where(sd > 0, l_i, 0.0)              # sum_s z_is^2 = L_i (0 for a constant series)
    big_l = d.length
    per_job = []
    for (listings, event, n_events), lo, hi in zip(kp["jobs"], kp["offsets"][:-1], kp["offsets"][1:]):
        sums = kp["sums"][lo:hi]
        per_job.append({"sz": sums[:, :big_l], "so": sums[:, big_l:],
                        "zz": np.bincount(event, zz[listings], minlength=n_events),
                        "oo": np.bincount(event, l_i[listings], minlength=n_events),
                        "n": np.bincount(event, minlength=n_events).astype(float)})
    out = np.full(s.size, np.nan)
    for k, (n, how) in enumerate(kp["plan"]):
        if how[0] == "nan":
            continue
        if how[0] == "zero":
            out[k] = 0.0
            continue
        sums = per_job[how[1]] if how[0] == "direct" else \
            {name: per_job[how[1]][name] - per_job[how[2]][name] for name in per_job[how[1]]}
        n_c = np.rint(sums["n"])
        num = (sums["sz"] ** 2).sum(axis=1) - sums["zz"]
        den = (sums["so"] ** 2).sum(axis=1) - sums["oo"]
        valid = (n_c > 1) & (den > 0)
        r_c = np.where(valid, num / np.where(valid, den, 1.0), 0.0)
        out[k] = float((n_c * (n_c - 1.0) * r_c).sum() / (n * (n - 1)))
    return out


def _kp_factor(rbar, n) -> np.ndarray:
    """sqrt((1 - rbar) / (1 + (n - 1) rbar)), Kolari and Pynnönen (2010)."""
    ratio = (1.0 - rbar) / (1.0 + (n - 1.0) * rbar)
    return np.where(ratio > 0, np.sqrt(ratio), np.nan)


def _kp_tests(d: Data, s: Samples, which: list[str], kp: dict) -> list[dict]:
    """Kolari and Pynnönen's adjustment of the Patell and BMP tests for cross-correlation.

    With rbar the average cross-correlation of the listings' estimation-window residuals
    (see ``_rbar``; computed over the listings with a valid SCAR, so both tests share it),
    Var(sum SCAR) = n (1 + (n - 1) rbar) instead of n, and the sample variance of the SCARs
    is biased by (1 - rbar); hence
    Z_KP = Z_Patell sqrt((1 - rbar) / (1 + (n - 1) rbar)) (normal null) and
    t_KP = t_BMP sqrt((1 - rbar) / (1 + (n - 1) rbar)) (Student t, n - 1 df). With
    rbar = 0 they equal the unadjusted tests. The window's CARs are assumed to share the
    daily residuals' correlation (as KP 2010 do for cumulated returns).

    References: Kolari and Pynnönen (2010), RFS 23(11), 3996-4025.
    """
    rbar = _rbar(d, s, kp)
    out = []
    if "patell_kp" in which:
        z, keep = _patell_parts(d, s)
        n, mean, _ = s.moments(s.x, keep)
        z = z * _kp_factor(rbar, n)
        out.append(_result(s, "patell_kp", z, p_normal(z), np.nan, n, mean, "normal",
                           rbar=rbar))
    if "bmp_kp" in which:
        t, keep = _bmp_parts(d, s)
        n, mean, _ = s.moments(s.x, keep)
        t = t * _kp_factor(rbar, n)
        out.append(_result(s, "bmp_kp", t, p_t(t, n - 1), n - 1, n, mean, "t", rbar=rbar))
    return out


def _day_sums(d: Data, s: Samples, name: str):
    """Cross-sectional sums of ``name`` (L + T days) over each sample, and the n_s."""
    counts = np.hstack([s.day_sums("est_obs_f"), s.day_sums("evt_obs_f")])
    return s.day_sums(name), counts


def _window_days(d: Data, s: Samples, counts: np.ndarray) -> np.ndarray:
    in_w = np.zeros(counts.shape, dtype=bool)
    in_w[:, d.length:] = s.in_window
    return in_w & (counts > 0)


def _corrado(d: Data, s: Samples) -> dict:
    """Corrado's rank test; for a window, Cowan's (1992) cumulated form.

    K_it is the rank of x_it = AR_it / sqrt(span_it) among listing i's M_i observations of
    the estimation and event windows (average ranks for ties), U_it = K_it / (M_i + 1) - 1/2
    (Corrado and Zivney 1992's scaling, a constant multiple of Corrado's K_it - (M + 1)/2
    when every listing has M days). Ubar_t = mean of U_it over the sample's listings present
    on t, S_U = sqrt(mean over the D days with data of Ubar_t^2) (all estimation and event
    days, as Corrado 1989), and for a window of tau days with data
    Z = sum_{t in w} Ubar_t / (sqrt(tau) S_U), N(0, 1) asymptotically (tau = 1: Corrado's T).

    References: Corrado (1989), JFE 23(2), 385-395; Cowan (1992), RQFA 2(4), 343-358;
    Campbell and Wasley (1993), JFE 33(1), 73-92.
    """
    sums, counts = _day_sums(d, s, "u")
    ubar = np.where(counts > 0, sums / np.where(counts > 0, counts, 1.0), 0.0)
    s_u = np.sqrt((ubar ** 2).sum(axis=1) / (counts > 0).sum(axis=1))
    use = _window_days(d, s, counts)
    tau = use.sum(axis=1)
    z = np.where(use, ubar, 0.0).sum(axis=1) / (np.sqrt(tau) * s_u)
    n, mean, _ = s.moments(s.x)
    return _result(s, "corrado", z, p_normal(z), np.nan, n, mean, "normal")


def _weighted_rank_z(d: Data, s: Samples, name: str):
    """Z = sum_{t in w} (D_t / sqrt(n_t)) / (sqrt(tau) S), S^2 = mean_s D_s^2 / n_s."""
    sums, counts = _day_sums(d, s, name)
    scaled = np.where(counts > 0, sums / np.sqrt(np.where(counts > 0, counts, 1.0)), 0.0)
    s_d = np.sqrt((scaled ** 2).sum(axis=1) / (counts > 0).sum(axis=1))
    use = _window_days(d, s, counts)
    tau = use.sum(axis=1)
    return np.where(use, scaled, 0.0).sum(axis=1) / (np.sqrt(tau) * s_d)


def _modified_rank(d: Data, s: Samples) -> dict:
    """Standardised rank test with the number of listings present as weights.

    With U_it as in the Corrado test and D_t = sum of U_it over the sample's listings present
    on t (n_t of them), S^2 = (1/D) sum_s D_s^2 / n_s over the D days with data and
    Z = sum_{t in w} (D_t / sqrt(n_t)) / (sqrt(tau) S), N(0, 1). Each day's term has the same
    variance whatever n_t, so missing listings do not inflate S (Corrado and Zivney 1992;
    the n_t / n weighting of Kolari and Pynnönen 2011). Equal to ``corrado`` when no
    listing misses a day. estudy2's modified rank uses mean x N sums and 1 / mean M_i.

    References: Corrado and Zivney (1992), JFQA 27(3); Kolari and Pynnönen (2011), JEF 18(5).
    """
    z = _weighted_rank_z(d, s, "u")
    n, mean, _ = s.moments(s.x)
    return _result(s, "modified_rank", z, p_normal(z), np.nan, n, mean, "normal")


def _corrado_sign(d: Data, s: Samples) -> dict:
    """Corrado and Zivney's sign test against each listing's median.

    G_it = sign(x_it - median_i), the median over the listing's estimation and event days
    (x_it = AR_it / sqrt(span_it)); G_t = sum of G_it over the sample's listings present,
    S^2 = (1/D) sum_s (G_s / sqrt(n_s))^2 over the D days with data, and
    Z = sum_{t in w} (G_t / sqrt(n_t)) / (sqrt(tau) S), N(0, 1). For tau = 1 this is
    Corrado and Zivney's (1992) statistic; the cumulation over a window follows Cowan's
    (1992) rank-test extension (an extension of ours, valid for serially independent G).

    References: Corrado and Zivney (1992), JFQA 27(3), 465-478; Cowan (1992).
    """
    z = _weighted_rank_z(d, s, "g")
    n, mean, _ = s.moments(s.x)
    return _result(s, "corrado_sign", z, p_normal(z), np.nan, n, mean, "normal")


def _sign(d: Data, s: Samples) -> dict:
    """Sign test of CARs with p = 1/2.

    w = number of the n CARs > 0 (zero is not positive), Z = (w - n/2) / sqrt(n/4),
    N(0, 1) (normal approximation to the binomial, no continuity correction). Assumes a
    symmetric CAR distribution with median zero, which skewed daily returns violate (hence
    the generalised sign test).

    References: Brown and Warner (1980); Cowan (1992).
    """
    n, mean, _ = s.moments(s.x)
    w = s.sums(s.x > 0)
    z = (w - 0.5 * n) / np.sqrt(0.25 * n)
    return _result(s, "sign", z, p_normal(z), np.nan, n, mean, "normal")


def _gsign(d: Data, s: Samples) -> dict:
    """Cowan's generalised sign test.

    p_hat = mean over the sample's listings of each listing's share of positive
    estimation-window abnormal returns (Cowan 1992's average of per-firm fractions; estudy2
    pools the pairs instead), w = number of the n CARs > 0,
    Z = (w - n p_hat) / sqrt(n p_hat (1 - p_hat)), N(0, 1), no continuity correction.

    References: Cowan (1992), RQFA 2(4), 343-358.
    """
    n, mean, _ = s.moments(s.x)
    share = d.moments["pos_share"][s.cols]
    known = ~np.isnan(share)
    p_hat = s.sums(share, known) / s.sums(known.astype(float))
    w = s.sums(s.x > 0)
    z = (w - n * p_hat) / np.sqrt(n * p_hat * (1.0 - p_hat))
    return _result(s, "gsign", z, p_normal(z), np.nan, n, mean, "normal")


def _segment_ranks(values: np.ndarray, seg: np.ndarray, n_seg: int):
    """Average ranks of ``values`` within each segment, and sum(t^3 - t) over its tie groups."""
    order = np.lexsort((values, seg))
    v, g = values[order], seg[order]
    k = len(v)
    pos = np.arange(k)
    new = np.ones(k, bool)
    new[1:] = (v[1:] != v[:-1]) | (g[1:] != g[:-1])
    last = np.ones(k, bool)
    last[:-1] = new[1:]
    start = np.maximum.accumulate(np.where(new, pos, 0))
    end = np.minimum.accumulate(np.where(last, pos, k)[::-1])[::-1]
    first = np.searchsorted(g, g)
    ranks = np.empty(k)
    ranks[order] = (start + end) / 2.0 - first + 1.0
    size = (end - start + 1.0)[new]
    return ranks, np.bincount(g[new], size ** 3 - size, minlength=n_seg)


def _wilcoxon(d: Data, s: Samples) -> dict:
    """Wilcoxon signed-rank test of the CARs against zero.

    Zero CARs are dropped (Wilcoxon's method); the remaining n are ranked by |CAR| (average
    ranks for ties) and the statistic is W+ = sum of the ranks of the positive CARs. The
    p-value is two-sided, 2 min(P(W+ <= w), P(W+ >= w)): exact for n <= 50 (the distribution
    over all 2^n sign patterns of the observed ranks, so exact conditional on ties), else
    from the normal with mean n(n+1)/4 and variance n(n+1)(2n+1)/24 - sum(t^3 - t)/48, no
    continuity correction. This equals ``scipy.stats.wilcoxon`` where scipy is exact (no
    ties, n <= 50), permutes (ties or zeros, n <= 13) or is asymptotic (n > 50).

    References: Wilcoxon (1945); Lehmann (1975), Nonparametrics, ch. 3.
    """
    keep = s.x != 0
    if s.size * s.n_listings <= 2 * keep.sum():        # samples cover most listings: rows
        dense = np.full((s.size, s.n_listings), np.nan)
        dense[s.rows[keep], s.cols[keep]] = np.abs(s.x[keep])
        dense_ranks, tie_term = rank_rows(dense, ties=True)
        ranks = dense_ranks[s.rows[keep], s.cols[keep]]
    else:
        ranks, tie_term = _segment_ranks(np.abs(s.x[keep]), s.rows[keep], s.size)
    n = s.sums(keep.astype(float))
    w_plus = np.bincount(s.rows[keep], np.where(s.x[keep] > 0, ranks, 0.0), minlength=s.size)
    mean_w = n * (n + 1) / 4.0
    var_w = n * (n + 1) * (2 * n + 1) / 24.0 - tie_term / 48.0
    p = p_normal((w_plus - mean_w) / np.sqrt(var_w))
    null = np.full(s.size, "normal", dtype=object)
    seg = s.rows[keep]
    bounds = np.searchsorted(seg, np.arange(s.size + 1))
    for k in np.flatnonzero((n > 0) & (n <= 50)):
        r = ranks[bounds[k]:bounds[k + 1]]
        p[k] = signed_rank_p(np.rint(2 * r), 2 * w_plus[k])
        null[k] = "signed-rank exact"
    _, mean, _ = s.moments(s.x)
    w_plus = np.where(n > 0, w_plus, np.nan)
    return _result(s, "wilcoxon", w_plus, p, np.nan, n, mean, null)


def _grank(d: Data, s: Samples, gr: dict, restandardise: bool = True) -> dict:
    """Kolari and Pynnönen's generalised rank test (GRANK-T), for any window.

    With ``restandardise=False`` (test ``grank_scar``) the event point is SCAR_i itself, not
    SCAR*_i: the cross-sectional sd of a handful of SCARs is a noisy divisor, and under a shared
    event date it misses the SCARs' common component, so the re-standardised test over-rejects
    with few listings (13 % at n = 4 on iid normal returns) and more under correlation, while
    this form keeps its size; it gives up the protection against event-induced variance.

    SCAR_i = CAR_i / sqrt(Var(CAR_i)) (prediction-error variance), re-standardised by its
    cross-sectional sd (n - 1), SCAR*_i = SCAR_i / s_SCAR, which removes
    event-induced volatility. Listing i's series of generalised SARs is its standardised
    estimation residuals SAR_is = x_is / sigma_i (s in the estimation window, x = residual /
    sqrt(span)) and, as one more point for the whole window, GSAR_i0 = SCAR*_i.
    U_it = rank(GSAR_it) / (T_i + 1) - 1/2 among listing i's T_i = L_i + 1 points.
    With Ubar_t the mean of U_it over the listings present on t (n_t of n),
    S_U^2 = (1/T) sum_t (n_t / n) Ubar_t^2 over the T time points with data,
    Z = Ubar_0 / S_U and t_grank = Z sqrt((T - 2) / (T - 1 - Z^2)), Student t with T - 2
    degrees of freedom (the GRANK-T form).

    The ranks come from :func:`stream`: rank(GSAR_i0) = (le + lt) / 2 + 1 with le (lt) the
    SARs at most (strictly below) GSAR_i0, and each estimation day's rank sum is the sum of the
    SARs' ranks among themselves plus one for each SAR above GSAR_i0 (one half for a tie).

    References: Kolari and Pynnönen (2011), J. Empirical Finance 18(5), 953-971.
    """
    variant = "grank" if restandardise else "grank_scar"
    scale = 1.0 / (d.n_est_obs + 2.0)                          # 1 / (T_i + 1)
    keep = gr["keep"]
    n, _, _ = s.moments(s.scar, keep)
    le, lt = gr["le"][variant], gr["lt"][variant]
    u0 = ((le + lt) / 2.0 + 1.0) * scale[s.cols] - 0.5         # U_i0, rank of GSAR_i0
    ubar0 = s.sums(u0, keep) / n
    n_s = s.day_sums("grank n")
    days = n_s > 0
    ubar = np.where(days, (s.day_sums("grank r") + gr["above"][variant])
                    / np.where(days, n_s, 1.0) - 0.5, 0.0)
    t_points = days.sum(axis=1) + 1
    s_u = np.sqrt(((n_s / n[:, None]) * ubar ** 2).sum(axis=1) + ubar0 ** 2) / np.sqrt(t_points)
    z = ubar0 / s_u
    denom = t_points - 1 - z ** 2
    enough = n >= 2
    t_stat = np.where(enough & (denom > 0), z * np.sqrt((t_points - 2) / np.where(denom > 0, denom, 1.0)),
                      np.nan)
    df = np.where(enough, t_points - 2.0, np.nan)
    _, mean, _ = s.moments(s.x, keep)
    return _result(s, variant, t_stat, p_t(t_stat, df), df, n, mean, "t")


def _bca_interval(x: np.ndarray, boot: np.ndarray, alpha: float):
    """BCa interval and two-sided p (achieved significance level) for the mean of x.

    z0 = Phi^-1(share of bootstrap means below the estimate, ties counting one half);
    acceleration a = sum(d^3) / (6 (sum d^2)^1.5), d the jackknife deviations
    mean(theta_(.)) - theta_(i); endpoints are the bootstrap quantiles at
    Phi(z0 + (z0 + z_q) / (1 - a (z0 + z_q))) for q = alpha/2, 1 - alpha/2 (Efron 1987;
    Efron and Tibshirani 1993, ch. 14). The p-value inverts the interval: with
    g = share of bootstrap means <= 0 (kept within [1/B, 1 - 1/B]), w = Phi^-1(g) - z0,
    z = w / (1 + a w) - z0 and p = 2 min(Phi(z), 1 - Phi(z)), so p < alpha exactly when 0
    is outside the interval (up to the bootstrap's resolution).
    """
    theta = x.mean()
    n, b = len(x), len(boot)
    jack = (x.sum() - x) / (n - 1)
    dev = jack.mean() - jack
    den = (dev ** 2).sum()
    a = (dev ** 3).sum() / (6.0 * den ** 1.5) if den > 0 else 0.0
    share = ((boot < theta).sum() + 0.5 * (boot == theta).sum()) / b
    z0 = special.ndtri(share)
    zq = special.ndtri([alpha / 2, 1 - alpha / 2])
    levels = special.ndtr(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
    if not np.isfinite(levels).all():
        return np.nan, np.nan, np.nan
    low, high = np.quantile(boot, levels)
    g = np.clip((boot <= 0).sum() / b, 1.0 / b, 1.0 - 1.0 / b)
    w = special.ndtri(g) - z0
    z = w / (1 + a * w) - z0
    p = 2.0 * min(special.ndtr(z), special.ndtr(-z)) if 1 + a * w > 0 else np.nan
    return low, high, p


def _bootstrap_means(rng: np.random.Generator, x: np.ndarray, n_boot: int) -> np.ndarray:
    """Means of n_boot resamples of x with replacement (n listings each), in chunks."""
    n = len(x)
    chunk = max(1, int(2e7 // max(n, 1)))
    out = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        out[start:start + size] = x[rng.integers(0, n, size=(size, n))].mean(axis=1)
    return out


#: Fewest listings for a bootstrap interval: with n listings there are only C(2n-1, n) distinct
#: resamples (3 for n = 2, 126 for n = 5), too few for the BCa percentiles to mean anything.
BOOTSTRAP_MIN_N = 10


def _bootstrap(d: Data, s: Samples, n_boot: int, seed, alpha: float) -> dict:
    """Bootstrap BCa confidence interval for the mean CAR, resampling listings.

    Samples with fewer than :data:`BOOTSTRAP_MIN_N` listings get NaN (no interval, no p-value)
    rather than a spuriously precise one.

    Each of ``n_boot`` resamples draws n listings' CARs with replacement (the listing is the
    unit; days of a listing stay together, so each CAR's own serial dependence is kept; the
    draws assume independent listings, so a shared event date is not accounted for). The
    interval is the bias-corrected and accelerated (BCa) percentile interval at 1 - alpha;
    ``statistic`` is CAAR / (sd of the bootstrap means); ``p_value`` inverts the BCa interval
    (see ``_bca_interval``). Samples are drawn in order with one generator seeded by
    ``seed``, so results are reproducible.

    References: Efron (1987), JASA 82(397); Efron and Tibshirani (1993), An Introduction to
    the Bootstrap, ch. 14-15.
    """
    rng = np.random.default_rng(seed)
    stat, p, low, high = (np.full(s.size, np.nan) for _ in range(4))
    n, mean, _ = s.moments(s.x)
    bounds = np.searchsorted(s.rows, np.arange(s.size + 1))
    for k in range(s.size):
        x = s.x[bounds[k]:bounds[k + 1]]
        if len(x) < BOOTSTRAP_MIN_N:
            continue
        boot = _bootstrap_means(rng, x, n_boot)
        se = boot.std(ddof=1)
        if se == 0:
            low[k] = high[k] = x.mean()
            continue
        stat[k] = x.mean() / se
        low[k], high[k], p[k] = _bca_interval(x, boot, alpha)
    return _result(s, "bootstrap", stat, p, np.nan, n, mean, "bootstrap BCa",
                   ci_low=low, ci_high=high)


_TEXTBOOK: dict[str, Callable[[Data, Samples], dict]] = {
    "csect_t": _csect_t, "brown_warner_1980": _brown_warner_1980,
    "brown_warner_1985": _brown_warner_1985, "patell": _patell, "bmp": _bmp,
    "corrado": _corrado, "modified_rank": _modified_rank, "sign": _sign,
    "gsign": _gsign, "corrado_sign": _corrado_sign, "wilcoxon": _wilcoxon,
}


#: tests that read the blocked pass over the listings' rows (:func:`stream`)
_STREAMED = {"brown_warner_1985", "corrado", "modified_rank", "corrado_sign", "grank", "grank_scar",
             "patell_kp", "bmp_kp", "gsign"}


def run_textbook(panel, windows, labels, tests, n_boot, seed, alpha) -> pd.DataFrame:
    d = Data(panel, tests)
    s = _textbook_samples(d, windows, labels)
    streamed = stream(d, s, tests) if set(tests) & _STREAMED else {}
    results = []
    for test in tests:
        if test in _TEXTBOOK:
            results.append(_TEXTBOOK[test](d, s))
        elif test in ("grank", "grank_scar"):
            results.append(_grank(d, s, streamed["grank"], restandardise=test == "grank"))
        elif test == "bootstrap":
            results.append(_bootstrap(d, s, n_boot, seed, alpha))
    kp = [t for t in tests if t in ("patell_kp", "bmp_kp")]
    if kp:
        results.extend(_kp_tests(d, s, kp, streamed["kp"]))
    for r in results:
        r["_t"] = np.full(s.size, tests.index(r["test"]))
    joint = [t for t in tests if t in JOINT_TESTS]
    if joint:       # rows already carry their _t (their place in ``tests``)
        from research.study.significance.joint import run_joint

        rows = pd.DataFrame(run_joint(panel, windows, labels, joint, n_boot, seed))
        rows["_t"] = [tests.index(t) for t in rows["test"]]
        results.append(rows)
    return results_frame(results, "textbook")

