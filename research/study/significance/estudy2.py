"""The estudy2 convention: the R package estudy2 (0.10.0) reproduced as its conformance fixture
documents, quirks included (see the package docstring)."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from research.errors import ResearchError
from research.study.panel import AbnormalReturnPanel
from research.study.significance.helpers import (finite, masked_moments, p_normal, p_t, qsignrank, rank_rows,
                                                 results_frame, signed_rank_p)
from research.study.significance.registry import (ESTUDY2_CAR_PERCENTAGE, ESTUDY2_CAR_TESTS, ESTUDY2_DAILY_TESTS,
                                                  SIGNIF_LEVELS, estudy2_select, signif)
from research.study.windows import window_label


class _Estudy2:
    """estudy2's ingredients (see the module docstring and its README's notation)."""

    def __init__(self, panel: AbnormalReturnPanel):
        self.panel = panel
        self.ar = finite(panel.evt_ar)
        self.obs = ~np.isnan(self.ar)
        self.est = finite(panel.est_ar)
        self.est_obs = ~np.isnan(self.est)
        self.length = self.est.shape[1]
        self.big_l = np.asarray(panel.n_est, float)                # L_i
        _, _, var = masked_moments(self.est, self.est_obs)
        self.s = np.sqrt(var)                                      # sd with n - 1

    @cached_property
    def full(self) -> np.ndarray:
        return np.concatenate([self.est, self.ar], axis=1)

    @cached_property
    def full_obs_f(self) -> np.ndarray:
        return (~np.isnan(self.full)).astype(float)

    @cached_property
    def m_i(self) -> np.ndarray:
        """M_i, the listing's observations in the estimation and event windows."""
        return self.full_obs_f.sum(axis=1)

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        return rank_rows(self.full, medians=True)

    @cached_property
    def ranks(self) -> np.ndarray:
        """K_is, average ranks within E u W (NaN where missing)."""
        return self._sorted[0]

    def rank_values(self, test: str) -> np.ndarray:
        """The per-day values whose cross-sectional sums the rank-type tests use (0 if missing)."""
        cache = self.__dict__.setdefault("_values", {})
        if test not in cache:
            if test == "corrado_sign":
                values = np.sign(self.full - self._sorted[1][:, None])
            elif test == "corrado":
                values = self.ranks - (self.m_i[:, None] + 1) / 2
            else:
                values = self.ranks / (self.m_i[:, None] + 1) - 0.5
            cache[test] = np.where(self.full_obs_f > 0, values, 0.0)
        return cache[test]

    @cached_property
    def market(self):
        """Event-window market returns (N, T), mean and sum of squares over every finite
        estimation-window market return of the row."""
        if self.panel.est_market is None or self.panel.evt_market is None:
            raise ResearchError("estudy2's Patell, Boehmer and Lamb tests need est_market and "
                                "evt_market in the panel")
        est_m = finite(self.panel.est_market)
        n, mean, var = masked_moments(est_m, ~np.isnan(est_m))
        return finite(self.panel.evt_market), mean, var * (n - 1)

    @cached_property
    def sar(self) -> np.ndarray:
        """A_it / (s_i sqrt(1 + 1/L_i + (R_mt - Rbar_m)^2 / sum_E (R_ms - Rbar_m)^2)), (N, T)."""
        evt_m, mean, ss = self.market
        scale = np.sqrt(1.0 + 1.0 / self.big_l[:, None] + (evt_m - mean[:, None]) ** 2
                        / ss[:, None])
        return self.ar / (self.s[:, None] * scale)


def _e2_daily(e: _Estudy2, gmask: np.ndarray, test: str) -> dict[str, np.ndarray]:
    """estudy2's daily test ``test`` on every event day, for the listings of ``gmask``.

    N = listings of the group, N_t = those with an abnormal return on t, mean_t their mean:

    * ``brown_warner_1980``: mean_t / (sqrt(sum_i s_i^2) / N), t(mean L_i - 1);
    * ``brown_warner_1985``: mean_t / sd(Abar_s), Abar_s the daily mean over the group's
      listings present in the estimation window, t(mean L_i - 1);
    * ``csect_t`` (estudy2 ``t_test``): mean_t / sd_t * sqrt(N_t), t(N_t - 1);
    * ``patell``: SAR_it = A_it / (s_i sqrt(1 + 1/L_i + (R_mt - Rbar_m)^2 / SS_m)),
      Z = mean_t(SAR) N / sqrt(sum_i (L_i - 2) / (L_i - 4)) over the group's N listings, normal;
    * ``bmp`` (estudy2 ``boehmer``): mean_t(SAR) / sd_t(SAR) sqrt(N_t), t(N_t - 1);
    * ``lamb``: mean_t / (sd(Abar_s) sqrt(1 + 1/mean L_i + (R_mt - Rbar_m)^2 / SS_m)) with the
      market of the group's first listing, normal;
    * ``sign``: (w_t - N_t/2) / sqrt(N_t/4), w_t = share of A_it > 0 times N, normal;
    * ``gsign``: (w_t - N_t p) / sqrt(N_t p (1 - p)), p the pooled share of positive
      estimation abnormal returns of the group, normal;
    * ``corrado_sign``, ``corrado`` (estudy2 ``rank_test``), ``modified_rank``, ``wilcoxon``:
      see ``_e2_rank_family`` and ``_e2_wilcoxon``.

    The sums of the Patell and sign tests are estudy2's mean x N. The Patell denominator's
    sum over the group's N listings (not the N_t present) is our reading of estudy2: the
    fixture, complete on event days, cannot tell them apart. Returns arrays over the event
    days: statistic, p_value, df, n (N_t), estimate (mean_t), null and, for Wilcoxon, signif.

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    idx = np.flatnonzero(gmask)
    big_n = float(len(idx))
    a = e.ar[idx]                                     # (n, T)
    avail = e.obs[idx]
    n_t, mean_t, var_t = masked_moments(a.T, avail.T)
    mean_l = e.big_l[idx].mean()
    out = {"n": n_t, "estimate": mean_t}

    def done(stat, p, df, null):
        out.update(statistic=stat, p_value=p, df=np.broadcast_to(np.asarray(df, float),
                                                                 mean_t.shape), null=null)
        return out

    if test == "brown_warner_1980":
        stat = mean_t / (np.sqrt((e.s[idx] ** 2).sum()) / big_n)
        return done(stat, p_t(stat, np.full(stat.shape, mean_l - 1)), mean_l - 1, "t")
    if test in ("brown_warner_1985", "lamb"):
        sd = _e2_portfolio_sd(e, idx)
        if test == "brown_warner_1985":
            stat = mean_t / sd
            return done(stat, p_t(stat, np.full(stat.shape, mean_l - 1)), mean_l - 1, "t")
        evt_m, m_mean, m_ss = e.market
        first = idx[0]
        scale = np.sqrt(1.0 + 1.0 / mean_l + (evt_m[first] - m_mean[first]) ** 2 / m_ss[first])
        stat = mean_t / (sd * scale)
        return done(stat, p_normal(stat), np.nan, "normal")
    if test == "csect_t":
        stat = mean_t / np.sqrt(var_t) * np.sqrt(n_t)
        return done(stat, p_t(stat, n_t - 1), n_t - 1, "t")
    if test in ("patell", "bmp"):
        _, mean_sar, var_sar = masked_moments(e.sar[idx].T, avail.T)
        if test == "patell":
            big_l = e.big_l[idx]
            stat = mean_sar * big_n / np.sqrt(((big_l - 2) / (big_l - 4)).sum())
            return done(stat, p_normal(stat), np.nan, "normal")
        stat = mean_sar / np.sqrt(var_sar) * np.sqrt(n_t)
        return done(stat, p_t(stat, n_t - 1), n_t - 1, "t")
    if test in ("sign", "gsign"):
        w_t = (avail & (a > 0)).sum(axis=0) / n_t * big_n
        if test == "sign":
            stat = (w_t - 0.5 * n_t) / np.sqrt(0.25 * n_t)
        else:
            p_hat = (e.est[idx] > 0).sum() / e.est_obs[idx].sum()
            stat = (w_t - n_t * p_hat) / np.sqrt(n_t * p_hat * (1 - p_hat))
        return done(stat, p_normal(stat), np.nan, "normal")
    if test == "wilcoxon":
        return _e2_wilcoxon(a, avail, big_n, out)
    stat = _e2_rank_family(e, gmask, test, n_t, big_n)
    return done(stat, p_normal(stat), np.nan, "normal")


def _e2_portfolio_sd(e: _Estudy2, idx: np.ndarray) -> float:
    """sd (n - 1) over the estimation days of the daily mean abnormal return of the group."""
    est, obs = e.est[idx], e.est_obs[idx]
    cnt = obs.sum(axis=0)
    abar = np.where(obs, est, 0.0).sum(axis=0) / np.where(cnt > 0, cnt, 1)
    _, _, var = masked_moments(abar, cnt > 0)
    return float(np.sqrt(var))


def _e2_rank_family(e: _Estudy2, gmask: np.ndarray, test, n_t, big_n) -> np.ndarray:
    """estudy2's Corrado sign, rank and modified rank tests on each event day t.

    Over F_i (estimation and event days, M_i of them) and every day s of E u W with n_s
    listings present, with "sums" the mean over present listings times N:

    * ``corrado_sign``: G_is = sign(A_is - median_i), S = sqrt(sum_s (G_s / sqrt(n_s))^2 /
      mean M_i), Z = (G_t / sqrt(N_t)) / S;
    * ``corrado`` (rank_test): D_s = sum of K_is - (M_i + 1)/2, S = sqrt(sum_s (D_s / n_s)^2 /
      mean M_i), Z = (D_t / N_t) / S;
    * ``modified_rank``: D_s = sum of K_is / (M_i + 1) - 1/2,
      S = sqrt(sum_s (D_s / sqrt(n_s))^2 / mean M_i), Z = (D_t / sqrt(N_t)) / S.

    All normal. Differences from the textbook tests: mean x N sums (missing listings inflate
    a day's sum by N / n_s) and the divisor mean M_i instead of the number of days.

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    m = gmask.astype(float)
    counts = m @ e.full_obs_f
    safe = np.where(counts > 0, counts, 1.0)
    sums = np.where(counts > 0, (m @ e.rank_values(test)) / safe, 0.0) * big_n
    scaled = sums / safe ** (1.0 if test == "corrado" else 0.5)
    s_d = np.sqrt((scaled ** 2).sum() / e.m_i[gmask].mean())
    return np.where(n_t > 0, scaled[e.length:] / s_d, np.nan)


def _e2_wilcoxon(a: np.ndarray, avail: np.ndarray, big_n: float, out: dict) -> dict:
    """estudy2's Wilcoxon test: W+ as mean x N, with estudy2's mixed-quantile flags.

    Drop listings whose A_it is missing or zero; rank |A_it| (average ranks); W+ is the mean
    over the n kept listings of rank x 1[A_it > 0], times N. Flag at level a when
    W+ >= qsignrank(1 - a, n) or W+ <= n(n+1)/2 - qsignrank(1 - a/2, n) (estudy2's two
    tails). ``p_value`` is two-sided from the exact signed-rank distribution of n untied ranks
    evaluated at W+ (normal approximation for n > 50); where N != n or ties occur the p-value
    and the flag can disagree, as they do in estudy2.

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    keep = (avail & (a != 0)).T                       # (T, n)
    ranks = rank_rows(np.where(keep, np.abs(a.T), np.nan))
    n = keep.sum(axis=1)
    w_plus = np.where(keep & (a.T > 0), ranks, 0.0).sum(axis=1) / np.where(n > 0, n, 1) * big_n
    p = np.full(len(n), np.nan)
    flags = np.full(len(n), "", dtype=object)
    for k in np.flatnonzero(n > 0):
        nk = int(n[k])
        if nk <= 50:
            p[k] = signed_rank_p(2.0 * np.arange(1, nk + 1), 2 * w_plus[k])
        else:
            mu, sd = nk * (nk + 1) / 4, np.sqrt(nk * (nk + 1) * (2 * nk + 1) / 24)
            p[k] = p_normal((w_plus[k] - mu) / sd)
        total = nk * (nk + 1) / 2
        for level, flag in reversed(SIGNIF_LEVELS):
            if (w_plus[k] >= qsignrank(1 - level, nk)
                    or w_plus[k] <= total - qsignrank(1 - level / 2, nk)):
                flags[k] = flag
    out.update(statistic=np.where(n > 0, w_plus, np.nan), p_value=p, df=np.full(len(n), np.nan),
               null=np.where(n <= 50, "signed-rank exact", "normal"), signif=flags)
    return out


def _e2_car(e: _Estudy2, gmask: np.ndarray, cols: np.ndarray, test: str,
            daily: dict[str, np.ndarray]) -> tuple[float, float, int]:
    """estudy2's CAR tests over a window, on the days with more than 90% of listings present.

    With T such days: ``brown_warner_1985`` (car_brown_warner_1985) and ``lamb`` (car_lamb):
    sum_t stat_t / sqrt(T) of the daily statistics; ``corrado`` (car_rank_test):
    sqrt(T) (Kbar_w - mean_i Kbar_i) / sqrt(sum_{s in E u W} (Kbar_s - mean_i Kbar_i)^2 /
    mean_i M_i), Kbar_w the mean of all K_it (t among the T days, listings present), Kbar_s
    the plain mean over the listings present on s, Kbar_i = (M_i + 1)/2 averaged over the
    group. All normal. ``estimate`` is the sum over the T days of mean_t (estudy2's car_mean
    is its average, estimate / T). Returns (statistic, estimate, listings with data).

    References: estudy2 0.10.0 (Rudnytskyi), as documented with its conformance fixture in
    ``reference/estudy2/README.md``; the papers of the textbook tests of the same names.
    """
    pct = 100.0 * daily["n"] / gmask.sum()
    days = cols[pct[cols] > ESTUDY2_CAR_PERCENTAGE]
    if len(days) == 0:
        return np.nan, np.nan, 0
    estimate = float(daily["estimate"][days].sum())
    n_list = int((gmask & e.obs[:, days].any(axis=1)).sum())
    if test in ("brown_warner_1985", "lamb"):
        return float(daily["statistic"][days].sum() / np.sqrt(len(days))), estimate, n_list
    idx = np.flatnonzero(gmask)
    obs = e.full_obs_f[idx] > 0
    k = np.where(obs, e.ranks[idx], 0.0)
    kbar_i = ((e.m_i[idx] + 1) / 2).mean()
    at = e.length + days
    k_w = k[:, at].sum() / obs[:, at].sum()
    cnt = obs.sum(axis=0)
    dev = np.where(cnt > 0, k.sum(axis=0) / np.where(cnt > 0, cnt, 1) - kbar_i, 0.0)
    s_k = np.sqrt((dev ** 2).sum() / e.m_i[idx].mean())
    return float(np.sqrt(len(days)) * (k_w - kbar_i) / s_k), estimate, n_list


def run_estudy2(panel, windows, labels, tests) -> pd.DataFrame:
    e = _Estudy2(panel)
    one_day = any(a == b for a, b in windows)
    longer = any(a != b for a, b in windows)
    model = panel.model
    day_tests = estudy2_select(tests, ESTUDY2_DAILY_TESTS, "estudy2 (one-day windows)", model) if one_day else []
    car_tests = estudy2_select(tests, ESTUDY2_CAR_TESTS, "estudy2 (CAR windows)", model) if longer else []
    rows = []
    for gi, (name, gmask) in enumerate(labels):
        cache: dict[str, dict] = {}

        def daily(test: str) -> dict:
            if test not in cache:
                cache[test] = _e2_daily(e, gmask, test)
            return cache[test]

        for wi, (a, b) in enumerate(windows):
            cols = panel.window_index(a, b)
            if a == b:
                for test in day_tests:
                    r = daily(test)
                    t = cols[0]
                    rows.append({"_g": gi, "_w": wi, "_t": ESTUDY2_DAILY_TESTS.index(test),
                                 "group": name, "window": window_label((a, b)), "test": test,
                                 "statistic": r["statistic"][t], "p_value": r["p_value"][t],
                                 "df": r["df"][t], "n": r["n"][t], "estimate": r["estimate"][t],
                                 "null": r["null"] if isinstance(r["null"], str) else r["null"][t],
                                 "signif": r["signif"][t] if "signif" in r
                                 else signif(r["p_value"][t])[()]})
            else:
                for test in car_tests:
                    base = daily("csect_t") if test == "corrado" else daily(test)
                    stat, est, n_list = _e2_car(e, gmask, cols, test, base)
                    p = float(p_normal(stat))
                    rows.append({"_g": gi, "_w": wi, "_t": ESTUDY2_CAR_TESTS.index(test),
                                 "group": name, "window": window_label((a, b)), "test": test,
                                 "statistic": stat, "p_value": p, "df": np.nan, "n": n_list,
                                 "estimate": est, "null": "normal",
                                 "signif": signif(p)[()]})
    frame = pd.DataFrame(rows)
    frame["n"] = frame["n"].astype(int)
    return results_frame([frame], "estudy2")
