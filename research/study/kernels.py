"""Compiled row kernels for the hot loops of :mod:`research.study.significance`.

Each kernel walks one block of rows and writes only that block's outputs. numba compiles
them with the GIL released (the significance pass runs its blocks on every core), numpy's
floating-point rules (x / 0 is inf or NaN, not an error) and a cache on disk after the first
call. The arithmetic is the one the tests' docstrings define (ranks average over ties; GRANK
counts a tie as one half); the test suite checks every statistic built on them against
independent computations (scipy, statsmodels, plain loops).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True, error_model="numpy")
def rank_rows(keyed, keys, low, first, scale, fill, centre, ranks, first_ranks, median, count,
              tie_term):  # pragma: no cover (compiled)
    """Average ranks of each row of ``keyed`` (m, w), missing values as +inf, given ``keys``,
    each row sorted as packed keys whose bits ``low`` hold the column (see
    ``research.study.significance.helpers.sort_order``): a column order that sorts the row up to
    values differing only in their last bits.

    The order is repaired by an insertion sort on the exact values, so the ranks are exact. For row i with n_i finite values and average ranks r_ij (1-based, ties averaged),
    each output is written only if it has columns:

    * ``ranks[i, j]`` = r_ij, or r_ij / (n_i + 1) - 1/2 if ``centre`` (Corrado's U);
    * ``first_ranks[i, j]`` (j < ``first``) = r'_ij * ``scale[i]``, r'_ij the average rank
      among the row's first ``first`` columns alone;
    * ``fill`` where the value is missing; ``median[i]`` (NaN without values), ``count[i]`` =
      n_i and ``tie_term[i]`` = sum over tie groups of t^3 - t.
    """
    m, w = keyed.shape
    want_ranks = ranks.shape[1] > 0
    want_first = first_ranks.shape[1] > 0
    v = np.empty(w)
    o = np.empty(w, np.int64)
    for i in range(m):
        row = keyed[i]
        for p in range(w):
            o[p] = keys[i, p] & low
            v[p] = row[o[p]]
        for p in range(1, w):                    # insertion sort: the packed sort is nearly exact
            if v[p - 1] > v[p]:
                c, x = o[p], v[p]
                q = p - 1
                while q >= 0 and v[q] > x:
                    o[q + 1], v[q + 1] = o[q], v[q]
                    q -= 1
                o[q + 1], v[q + 1] = c, x
        n = 0
        while n < w and v[n] < np.inf:
            n += 1
        count[i] = n
        median[i] = (v[(n - 1) // 2] + v[n // 2]) / 2.0 if n > 0 else np.nan
        total = n + 1.0
        ties = 0.0
        before = 0                               # first-window values in earlier tie groups
        a = 0
        while a < n:
            b = a
            while b + 1 < n and v[b + 1] == v[a]:
                b += 1
            if a == b:                           # no tie: the common case
                c = o[a]
                if want_ranks:
                    ranks[i, c] = (a + 1.0) / total - 0.5 if centre else a + 1.0
                if c < first:
                    before += 1
                    if want_first:
                        first_ranks[i, c] = before * scale[i]
            else:
                size = b - a + 1.0
                ties += size ** 3 - size
                rank = (a + b) / 2.0 + 1.0
                inside = 0
                for p in range(a, b + 1):
                    if o[p] < first:
                        inside += 1
                rank_first = (2.0 * before + inside + 1.0) / 2.0
                for p in range(a, b + 1):
                    c = o[p]
                    if want_ranks:
                        ranks[i, c] = rank / total - 0.5 if centre else rank
                    if want_first and c < first:
                        first_ranks[i, c] = rank_first * scale[i]
                before += inside
            a = b + 1
        tie_term[i] = ties
        for p in range(n, w):
            c = o[p]
            if want_ranks:
                ranks[i, c] = fill
            if want_first and c < first:
                first_ranks[i, c] = fill


@njit(nogil=True, cache=True, error_model="numpy")
def grank_above(sar, n_obs, local, segment, g, partial, le, lt):  # pragma: no cover (compiled)
    """GRANK's event point against each listing's estimation SARs, for entries of a block.

    Entry e is listing ``local[e]`` of the block in sample ``segment[e]`` with event point
    GSAR_i0 = ``g[e]``. With ``sar`` the SAR_is (NaN where missing) and
    w_i = 1 / (n_obs_i + 2) = 1 / (T_i + 1): ``partial[segment, s] += w_i`` where
    SAR_is > GSAR_i0 and ``+= w_i / 2`` where they are equal (the event point moves the SAR's
    rank up by one, or one half); ``le[e]`` and ``lt[e]`` count the SARs at most and strictly
    below GSAR_i0.
    """
    length = sar.shape[1]
    for e in range(local.shape[0]):
        i = local[e]
        k = segment[e]
        gv = g[e]
        w = 1.0 / (n_obs[i] + 2.0)
        half = 0.5 * w
        above = 0
        tied = 0
        for s in range(length):
            up = sar[i, s] > gv
            eq = sar[i, s] == gv
            above += up
            tied += eq
            partial[k, s] += w * up + half * eq
        le[e] = n_obs[i] - above
        lt[e] = n_obs[i] - above - tied


@njit(nogil=True, cache=True, error_model="numpy")
def ghk_counts(est, cars, taus, complete, exact, p, n_sums):  # pragma: no cover (compiled)
    """Gelbach-Helland-Klick sample-quantile p-values for a block of rows.

    For row i and window j of ``taus[j]`` days: the sums of ``taus[j]`` consecutive
    estimation residuals over every start t with all of those days observed (and
    ``complete[j, t]``, the relative days consecutive); with m sums, B of them <= CAR and A
    >= CAR, ``p[j, i] = min(1, 2 min(B, A) / m)`` (GHK's sample quantiles), or with ``exact``
    ``min(1, 2 min(1 + B, 1 + A) / (m + 1))``, the randomisation p-value that counts the
    observed CAR among the m + 1 (Phipson and Smyth 2010); NaN without sums or CAR.
    ``n_sums[j, i]`` is m. Sums are differences of the running sum, as a vectorised version
    would form them.
    """
    m, length = est.shape
    csum = np.zeros(length + 1)
    run = np.zeros(length + 1, np.int64)
    for i in range(m):
        acc = 0.0
        for t in range(length):
            v = est[i, t]
            if v == v:
                acc += v
            csum[t + 1] = acc
        run[length] = 0
        for t in range(length - 1, -1, -1):
            run[t] = run[t + 1] + 1 if est[i, t] == est[i, t] else 0
        for j in range(taus.shape[0]):
            tau = taus[j]
            car = cars[j, i]
            cnt = 0
            below = 0
            above = 0
            if tau <= length:
                for t in range(length - tau + 1):
                    if run[t] >= tau and complete[j, t]:
                        s = csum[t + tau] - csum[t]
                        cnt += 1
                        below += s <= car
                        above += s >= car
            n_sums[j, i] = cnt
            if cnt > 0 and car == car:
                if exact:
                    p[j, i] = min(1.0, 2.0 * (min(below, above) + 1) / (cnt + 1))
                else:
                    p[j, i] = min(1.0, 2.0 * min(below, above) / cnt)
            else:
                p[j, i] = np.nan


@njit(nogil=True, cache=True, error_model="numpy")
def prepare_rows(est, evt, est_span, evt_span, stale, count, sigma, x_est, sar, keyed, packed, low, moments,
                 plain, columns, est_obs):  # pragma: no cover (compiled)
    """The row-wise quantities of a block of listings, in one sweep.

    ``est`` (m, L) and ``evt`` (m, T) are abnormal returns, NaN where missing; ``x`` is
    AR / sqrt(span) where the span exceeds one session, AR otherwise (``stale`` False: x is AR).
    Writes, each only if its array has columns:

    * ``x_est``: x over the estimation window, NaN missing; ``sar``: x / ``sigma[i]`` (GRANK's
      SARs);
    * ``keyed`` (m, L + T): x with +inf where missing, for ranking; ``packed``: the same values
      clipped to finite ones with their bits ``low`` replaced by the column, the keys that
      ``research.study.significance.helpers.sort_order`` sorts;
    * ``moments`` (m, 3): the mean and sd (n) of x over the ``count[i]`` estimation
      observations and the share of positive ones;
    * in ``plain`` at the column offsets ``columns`` (-1 to skip): presence of the estimation
      days, of the event days, the raw estimation residuals and the raw event ARs (0 where
      missing); ``est_obs``: presence of the estimation days.
    """
    m, length = est.shape
    width = evt.shape[1]
    want_x = x_est.shape[1] > 0
    want_sar = sar.shape[1] > 0
    want_keyed = keyed.shape[1] > 0
    big = np.finfo(np.float64).max
    keys = packed.view(np.int64)
    want_obs = est_obs.shape[1] > 0
    c_eo, c_ao, c_e0, c_a0 = columns[0], columns[1], columns[2], columns[3]
    for i in range(m):
        total = 0.0
        positive = 0
        for t in range(length):
            raw = est[i, t]
            seen = raw == raw
            v = raw
            if stale and seen and est_span[i, t] > 1:
                v = raw / np.sqrt(np.float64(est_span[i, t]))
            if want_x:
                x_est[i, t] = v
            if want_sar:
                sar[i, t] = v / sigma[i]
            if want_keyed:
                keyed[i, t] = v if seen else np.inf
                packed[i, t] = max(-big, min(v, big)) if seen else big
                keys[i, t] = (keys[i, t] & ~low) | t
            if seen:
                total += v
                positive += v > 0
            if want_obs:
                est_obs[i, t] = 1.0 if seen else 0.0
            if c_eo >= 0:
                plain[i, c_eo + t] = 1.0 if seen else 0.0
            if c_e0 >= 0:
                plain[i, c_e0 + t] = raw if seen else 0.0
        mean = total / count[i]
        squares = 0.0
        for t in range(length):
            raw = est[i, t]
            if raw == raw:
                v = raw
                if stale and est_span[i, t] > 1:
                    v = raw / np.sqrt(np.float64(est_span[i, t]))
                squares += (v - mean) ** 2
        moments[i, 0] = mean
        moments[i, 1] = np.sqrt(squares / count[i])
        moments[i, 2] = positive / count[i]
        for t in range(width):
            raw = evt[i, t]
            seen = raw == raw
            if want_keyed:
                v = raw
                if stale and seen and evt_span[i, t] > 1:
                    v = raw / np.sqrt(np.float64(evt_span[i, t]))
                keyed[i, length + t] = v if seen else np.inf
                packed[i, length + t] = max(-big, min(v, big)) if seen else big
                keys[i, length + t] = (keys[i, length + t] & ~low) | (length + t)
            if c_ao >= 0:
                plain[i, c_ao + t] = 1.0 if seen else 0.0
            if c_a0 >= 0:
                plain[i, c_a0 + t] = raw if seen else 0.0


@njit(nogil=True, cache=True, error_model="numpy")
def observed_sums(ar, days, regressors, lo, hi, ar_sum, n_obs, day_sum,
                  regressor_sum):  # pragma: no cover (compiled)
    """Over the columns ``lo:hi`` where ``ar`` (N, T) is finite (observed), in day order:
    ``ar_sum[i]`` and ``n_obs[i]``, the sum and number of those abnormal returns;
    ``day_sum[i]``, the sum of ``days`` (N, T) (spans, or GARCH variance forecasts); and
    ``regressor_sum[i, j]``, the sum of ``regressors[i, :, j]`` (N, T, k)."""
    for i in range(ar.shape[0]):
        total = 0.0
        count = 0
        span = 0.0
        for j in range(regressors.shape[2]):
            regressor_sum[i, j] = 0.0
        for t in range(lo, hi):
            a = ar[i, t]
            if abs(a) < np.inf:
                total += a
                count += 1
                span += days[i, t]
                for j in range(regressors.shape[2]):
                    regressor_sum[i, j] += regressors[i, t, j]
        ar_sum[i] = total
        n_obs[i] = count
        day_sum[i] = span


@njit(nogil=True, cache=True, error_model="numpy")
def weighted_least_squares(y, x, span, used, unit, coef, xtx_inv, resid, ssr,
                           slope_ss):  # pragma: no cover (compiled)
    """Row by row, ``y_t = a n_t + b' x_t + e_t`` with weights ``1 / n_t`` over the ``used``
    observations (see :func:`research.study.models.weighted_least_squares`, which documents
    the centred normal equations solved here and the outputs).

    ``y``, ``span`` (n, W), ``x`` (n, W, p), ``used`` (n, W) bool; ``unit``: every used span
    is 1 (plain OLS). A regressor without variation (centred sum of squares at most 1e-12
    of its raw one) or regressors with condition number above 1e12 leave the row's
    coefficients and residuals NaN and its ``slope_ss`` 0.
    """
    n, width, p = x.shape
    tiny = np.finfo(np.float64).tiny
    xbar = np.empty(p)
    xty = np.empty(p)
    S = np.empty((p, p))
    for i in range(n):
        sum_n = 0.0
        ysum = 0.0
        xbar[:] = 0.0
        for t in range(width):
            if used[i, t]:
                sum_n += 1.0 if unit else span[i, t]
                ysum += y[i, t]
                for j in range(p):
                    xbar[j] += x[i, t, j]
        has = sum_n > 0
        safe = sum_n if has else 1.0
        ybar = ysum / safe
        for j in range(p):
            xbar[j] /= safe
        ok = has
        if p == 0:
            coef[i, 0] = ybar if has else np.nan
            xtx_inv[i, 0, 0] = 1.0 / sum_n if has else np.nan
        else:
            S[:, :] = 0.0
            xty[:] = 0.0
            for t in range(width):
                if used[i, t]:
                    n_t = 1.0 if unit else span[i, t]
                    w = 1.0 if unit else 1.0 / n_t
                    for j in range(p):
                        cj = x[i, t, j] - n_t * xbar[j]
                        xty[j] += cj * w * y[i, t]
                        for k in range(j, p):
                            S[j, k] += cj * w * (x[i, t, k] - n_t * xbar[k])
            for j in range(p):
                for k in range(j + 1, p):
                    S[k, j] = S[j, k]
                slope_ss[i, j] = S[j, j]
                if not S[j, j] > 1e-12 * max(S[j, j] + sum_n * xbar[j] ** 2, tiny):
                    ok = False
            if ok and p > 1 and np.linalg.cond(S) > 1e12:
                ok = False
            if ok:
                Sinv = np.linalg.inv(S) if p > 1 else 1.0 / S
                a = ybar
                for j in range(p):
                    b_j = 0.0
                    for k in range(p):
                        b_j += Sinv[j, k] * xty[k]
                    coef[i, 1 + j] = b_j
                    a -= xbar[j] * b_j
                coef[i, 0] = a
                corner = 1.0 / sum_n
                for j in range(p):
                    sxb = 0.0
                    for k in range(p):
                        sxb += Sinv[j, k] * xbar[k]
                    corner += xbar[j] * sxb
                    xtx_inv[i, 0, 1 + j] = -sxb
                    xtx_inv[i, 1 + j, 0] = -sxb
                    for k in range(p):
                        xtx_inv[i, 1 + j, 1 + k] = Sinv[j, k]
                xtx_inv[i, 0, 0] = corner
            else:
                for j in range(p + 1):
                    coef[i, j] = np.nan
                    for k in range(p + 1):
                        xtx_inv[i, j, k] = np.nan
                for j in range(p):
                    slope_ss[i, j] = 0.0
        total = 0.0
        for t in range(width):
            if used[i, t]:
                n_t = 1.0 if unit else span[i, t]
                e = y[i, t] - coef[i, 0] * n_t
                for j in range(p):
                    e -= coef[i, 1 + j] * x[i, t, j]
                resid[i, t] = e
                total += e * e if unit else e * e / n_t
            else:
                resid[i, t] = np.nan
        ssr[i] = total


@njit(nogil=True, cache=True, error_model="numpy")
def window_returns(ar, r, expected, lo, hi, log, car, n_days, bhar):  # pragma: no cover (compiled)
    """CAR and BHAR of each row over the column ranges ``lo[w]:hi[w]``.

    ``car[i, w]`` = sum of the row's non-NaN ``ar`` in the window and ``n_days[i, w]`` their
    number (CAR NaN without any; MacKinlay 1997, eq. 12); ``bhar[i, w]`` = prod(1 + r) -
    prod(1 + expected) over the days where both are present, or exp(sum r) - exp(sum
    expected) for log returns (Barber and Lyon 1997), NaN without such a day. Sums and
    products run in day order.
    """
    for i in range(ar.shape[0]):
        for w in range(lo.shape[0]):
            total = 0.0
            count = 0
            gr = 0.0 if log else 1.0
            ge = 0.0 if log else 1.0
            both = False
            for t in range(lo[w], hi[w]):
                a = ar[i, t]
                if a == a:
                    total += a
                    count += 1
                x, e = r[i, t], expected[i, t]
                if x == x and e == e:
                    both = True
                    if log:
                        gr += x
                        ge += e
                    else:
                        gr *= 1.0 + x
                        ge *= 1.0 + e
            car[i, w] = total if count > 0 else np.nan
            n_days[i, w] = count
            if not both:
                bhar[i, w] = np.nan
            elif log:
                bhar[i, w] = np.exp(gr) - np.exp(ge)
            else:
                bhar[i, w] = gr - ge
