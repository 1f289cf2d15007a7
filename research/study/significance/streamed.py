"""The streamed pass of the textbook tests: the panel's arrays (:class:`Data`), the samples
(:class:`Samples`) and the one blocked pass over the listings' rows (:func:`stream`) that reduces
each block at once to the cross-sectional sums the tests read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from research.study import kernels
from research.study.panel import AbnormalReturnPanel
from research.study.significance.helpers import PASS_ROWS, column_bits, finite, in_blocks_in_order, in_chunks, sort_order
from research.study.windows import window_label


class Data:
    """The panel's arrays as the textbook tests read them.

    ``x`` denotes the per-session abnormal return AR / sqrt(span), NaN where missing. Nothing
    here is N x L: the row-wise products the tests need (zero-filled residuals, ranks, signs,
    standardised residuals) live only inside one block of :func:`stream`, which reduces them
    to cross-sectional sums at once; the per-listing moments it writes are in ``moments``.
    """

    def __init__(self, panel: AbnormalReturnPanel, tests=()):
        self.panel = panel
        self.tests = set(tests)
        self.n = panel.n
        self.length = len(panel.est_days)
        self.dof = np.asarray(panel.dof, float)
        self.sigma = np.asarray(panel.sigma, float)
        self.moments: dict[str, np.ndarray] = {}

    @cached_property
    def ar(self) -> np.ndarray:
        return finite(self.panel.evt_ar)

    @cached_property
    def est(self) -> np.ndarray:
        return finite(self.panel.est_ar)

    @cached_property
    def stale(self) -> bool:
        """Whether any observation spans more than one session."""
        return bool((np.asarray(self.panel.est_span) > 1).any()
                    or (np.asarray(self.panel.evt_span) > 1).any())

    @cached_property
    def n_est_obs(self) -> np.ndarray:
        """Observed estimation days of each listing (the L_i of the rank tests)."""
        out = np.empty(self.n)

        def block(rows: slice) -> None:
            out[rows] = np.count_nonzero(~np.isnan(self.est[rows]), axis=1)

        in_chunks(block, self.n)
        return out

    @property
    def est_moments(self):
        """Each listing's mean and sd (n) of x over the estimation window (after the pass)."""
        return self.moments["z_mean"], self.moments["z_sd"]

    @cached_property
    def clusters(self) -> np.ndarray:
        """Integer id of the listing's event (shared calendar); NaN ids are singletons."""
        keys = self.panel.keys
        if "event_id" not in keys:
            return np.zeros(self.n, int)
        codes, _ = pd.factorize(keys["event_id"].reset_index(drop=True))
        codes = np.asarray(codes).copy()
        missing = codes < 0
        codes[missing] = codes.max(initial=-1) + 1 + np.arange(missing.sum())
        return codes


@dataclass
class Samples:
    """S samples (group x window) stored sparsely: one entry per (sample, member listing).

    ``rows`` (sample) and ``cols`` (listing) of the K entries, sorted by sample; per-sample
    sums are segment sums over the entries, and the cross-sectional day sums the tests read
    (``day_sums``) are filled by :func:`stream`, so the cost grows with the samples' sizes,
    not S x N.
    """

    group: list[str]
    window: list[tuple[int, int]]
    w: np.ndarray          # (S,) window index
    g: np.ndarray          # (S,) group order
    car: np.ndarray        # (W, N)
    var: np.ndarray        # (W, N) prediction-error variance of CAR
    in_window: np.ndarray  # (S, T) event columns of the sample's window
    rows: np.ndarray       # (K,) sample of each entry
    cols: np.ndarray       # (K,) listing of each entry
    n_listings: int
    group_members: list    # listings of each group (sorted, groups in order), supersets of its samples
    sums_by_key: dict = field(default_factory=dict)   # day sums, filled by stream

    @property
    def size(self) -> int:
        return len(self.group)

    @cached_property
    def window_labels(self) -> list[str]:
        """Each sample's window as written in the results ("[a,b]"), labelled once per window."""
        labels = {w: window_label(w) for w in set(self.window)}
        return [labels[w] for w in self.window]

    @cached_property
    def x(self) -> np.ndarray:
        """CAR of each entry."""
        return self.car[self.w[self.rows], self.cols]

    @cached_property
    def v(self) -> np.ndarray:
        """Prediction-error variance of each entry's CAR."""
        return self.var[self.w[self.rows], self.cols]

    @cached_property
    def scar(self) -> np.ndarray:
        """Standardised CAR of each entry, CAR / sqrt(Var(CAR))."""
        return self.x / np.sqrt(self.v)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Entries of sample k are ``bounds[k]:bounds[k + 1]``."""
        return np.searchsorted(self.rows, np.arange(self.size + 1))

    @cached_property
    def _starts(self) -> tuple[np.ndarray, np.ndarray]:
        """First entry of each non-empty sample, and which samples are non-empty."""
        nonempty = self.bounds[1:] > self.bounds[:-1]
        return self.bounds[:-1][nonempty], nonempty

    def sums(self, values, keep=None) -> np.ndarray:
        """Per-sample sums of ``values`` (K,) over the entries kept (segments are contiguous)."""
        values = np.broadcast_to(np.asarray(values, float), self.rows.shape)
        if keep is not None:
            values = np.where(keep, values, 0.0)
        starts, nonempty = self._starts
        out = np.zeros(self.size)
        if len(starts):
            out[nonempty] = np.add.reduceat(values, starts)
        return out

    def moments(self, values, keep=None):
        """Per-sample count, mean and sample variance (n - 1) of ``values`` over kept entries."""
        if keep is None:
            keep = np.ones(self.rows.shape, bool)
        n = self.sums(keep.astype(float))
        mean = self.sums(values, keep) / n
        dev = np.where(keep, values - mean[self.rows], 0.0)
        return n.astype(int), mean, self.sums(dev ** 2) / (n - 1)

    def day_sums(self, key: str) -> np.ndarray:
        """Cross-sectional sums over each sample's listings, each day (S x columns), of the
        quantity ``key`` (see :func:`stream`)."""
        return self.sums_by_key[key]

    def members(self, k: int, keep=None) -> np.ndarray:
        """Listings of sample k (kept entries)."""
        lo, hi = self.bounds[k], self.bounds[k + 1]
        cols = self.cols[lo:hi]
        return cols if keep is None else cols[keep[lo:hi]]

    def membership(self, keep=None):
        """Sparse matrices that sum listings' rows over each sample's kept listings.

        A sample of a group (its listings with data in the window) usually lacks only a few of
        the group's listings: its sums are then the group's (``base``, G x N) minus those few,
        else they are summed directly (``corr``, S x N, entries +1 or -1); ``from_base`` (S,)
        says which. Sums of a block of listings are ``base[:, rows] @ V`` and
        ``corr[:, rows] @ V``; :func:`_combine` puts the totals together.
        """
        keep = np.ones(self.rows.shape, bool) if keep is None else keep
        sizes = np.array([len(m) for m in self.group_members], dtype=np.int64)
        groups = np.repeat(np.arange(len(self.group_members)), sizes)
        listings = np.concatenate(self.group_members).astype(np.int64)
        base = sparse.csc_matrix((np.ones(len(listings)), (groups, listings)),
                                 shape=(len(self.group_members), self.n_listings))
        # a sample's kept listings are some of its group's: it leaves out m - kept of them
        sample = np.repeat(np.arange(self.size), np.diff(self.bounds))
        n_kept = np.bincount(sample[keep], minlength=self.size)
        m = sizes[self.g]
        from_base = (m - n_kept) < n_kept
        # summed directly: +1 per kept listing; from the base: -1 per group member, +1 per kept
        # listing, so that the left-out members keep their -1 once the duplicates are summed
        fb = np.flatnonzero(from_base)
        lens = m[fb]
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])[self.g[fb]]
        ragged = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens) + np.arange(lens.sum())
        entries = keep.copy()
        q_rows = np.concatenate([sample[entries], np.repeat(fb, lens)])
        q_cols = np.concatenate([self.cols[entries].astype(np.int64), listings[ragged]])
        q_data = np.concatenate([np.ones(entries.sum()), -np.ones(lens.sum())])
        corr = sparse.coo_matrix((q_data, (q_rows, q_cols)), shape=(self.size, self.n_listings)).tocsc()
        corr.eliminate_zeros()
        return base, corr, from_base

    def combine(self, from_base, base_sums, corr_sums) -> np.ndarray:
        """Per-sample totals from the group sums and the corrections of :meth:`membership`."""
        return np.where(from_base[:, None], base_sums[self.g], 0.0) + corr_sums



def block_sums(matrix, rows: slice, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sets (rows of the sparse sets x listings ``matrix``) with members among the listings
    ``rows``, and their sums of ``values`` (one row per listing of the block). A block of a
    simulation's panel meets a few of its thousands of samples: a dense product gave every
    sample a row of zeros, block after block. The sums of the sets are those of the whole
    product, in the same order."""
    part = matrix[:, rows]
    sets = np.unique(part.indices)
    return sets, part[sets] @ values


def _grank_keep(d: Data, s: Samples) -> np.ndarray:
    """Entries GRANK uses: a valid SCAR, estimation residuals and sigma > 0."""
    return ~np.isnan(s.scar) & (d.n_est_obs > 0)[s.cols] & (d.sigma > 0)[s.cols]


def _grank_threshold(s: Samples, keep: np.ndarray, restandardise: bool) -> np.ndarray:
    """GSAR_i0 of each entry: SCAR*_i (re-standardised) or SCAR_i."""
    if not restandardise:
        return s.scar
    _, _, var = s.moments(s.scar, keep)
    return s.scar / np.sqrt(var)[s.rows]


def _grank_plan(d: Data, s: Samples, variants) -> dict:
    """GRANK's samples' entries, ordered by block of listings then by sample, with the
    thresholds GSAR_i0 of each variant and the accumulators the pass fills."""
    gr = {"keep": (keep := _grank_keep(d, s))}
    gr["membership"] = s.membership(keep)
    entries = np.flatnonzero(keep)
    order = entries[np.lexsort((s.rows[entries], s.cols[entries] // PASS_ROWS))]
    gr["order"] = order
    gr["block_edges"] = np.searchsorted(s.cols[order] // PASS_ROWS,
                                        np.arange((d.n + PASS_ROWS - 1) // PASS_ROWS + 1))
    gr["thresholds"] = {v: _grank_threshold(s, keep, v == "grank")[order] for v in variants}
    gr["le"] = {v: np.zeros(len(s.rows), np.int64) for v in variants}
    gr["lt"] = {v: np.zeros(len(s.rows), np.int64) for v in variants}
    gr["above"] = {v: np.zeros((s.size, d.length)) for v in variants}
    return gr


def stream(d: Data, s: Samples, tests) -> dict:
    """The one blocked pass over the listings' rows that every textbook test reads.

    For each block of listings it forms the row-wise quantities of the tests requested and
    reduces them at once to what the tests need, so nothing N x L is ever held:

    * per listing (``d.moments``): ``z_mean``, ``z_sd`` (mean and sd (n) of x over the
      estimation window) and ``pos_share`` (share of positive estimation residuals);
    * cross-sectional sums over each sample, each day (``s.day_sums``): ``est_obs_f``,
      ``evt_obs_f`` (listings present), ``est0``, ``ar0`` (residuals; BW 1985), ``u`` (Corrado's
      U_it), ``g`` (median signs; Corrado-Zivney), and over GRANK's entries ``grank r``
      (estimation-window ranks / (T_i + 1)) and ``grank n``;
    * for GRANK and GRANK on SCARs: per entry, how many estimation SARs lie at most at and
      strictly below GSAR_i0 (so its rank), and per sample and day the sum of 1 / (T_i + 1)
      over the listings whose SAR ranks above GSAR_i0 (adding the event point moves their
      rank up by one; a tie by one half);
    * for the Kolari-Pynnönen rbar: per-event sums of standardised residuals and of presence.

    Returns the GRANK and rbar pieces; the rest is stored in ``d`` and ``s``.
    """
    tests = set(tests)
    n, big_l, big_t = d.n, d.length, d.ar.shape[1]
    counts = bool(tests & {"brown_warner_1985", "corrado", "modified_rank", "corrado_sign"})
    layout = ([("est_obs_f", big_l), ("evt_obs_f", big_t)] if counts else []) \
        + ([("est0", big_l), ("ar0", big_t)] if "brown_warner_1985" in tests else []) \
        + ([("u", big_l + big_t)] if tests & {"corrado", "modified_rank"} else []) \
        + ([("g", big_l + big_t)] if "corrado_sign" in tests else [])
    keys = [k for k, _ in layout]
    edges = np.cumsum([0] + [w for _, w in layout])
    variants = [v for v in ("grank", "grank_scar") if v in tests]
    need_ranks = bool(variants) or "u" in keys or "g" in keys
    plain = s.membership() if layout else None

    gr = _grank_plan(d, s, variants) if variants else {}

    # Kolari-Pynnönen rbar: the listing sets whose per-event sums it needs
    kp = _rbar_plan(d, s) if tests & {"patell_kp", "bmp_kp"} else None
    kp_jobs = kp is not None and kp["matrix"].shape[0] > 0
    kp_sums = np.zeros((kp["matrix"].shape[0], 2 * big_l)) if kp_jobs else None

    z_mean, z_sd, pos_share = np.empty(n), np.empty(n), np.empty(n)
    low = column_bits(big_l + big_t)
    l_i = d.n_est_obs
    plain_sums = [np.zeros((m.shape[0], edges[-1])) for m in plain[:2]] if layout else None
    gr_sums = [np.zeros((m.shape[0], 2 * big_l)) for m in gr["membership"][:2]] if variants else None

    def block(rows: slice):
        m = rows.stop - rows.start
        count = l_i[rows]
        empty = np.empty((m, 0))
        sar = np.empty((m, big_l)) if variants else empty
        x = np.empty((m, big_l)) if kp_jobs else empty
        keyed = np.empty((m, big_l + big_t)) if need_ranks else empty
        packed = np.empty((m, big_l + big_t)) if need_ranks else empty
        values = np.empty((m, edges[-1])) if layout else empty
        g_values = np.empty((m, 2 * big_l)) if variants else empty
        moments = np.empty((m, 3))
        columns = np.array([edges[keys.index(k)] if k in keys else -1
                            for k in ("est_obs_f", "evt_obs_f", "est0", "ar0")], np.int64)
        kernels.prepare_rows(d.est[rows], d.ar[rows], d.panel.est_span[rows], d.panel.evt_span[rows],
                             d.stale, count, d.sigma[rows], x, sar, keyed, packed, low, moments, values, columns,
                             g_values[:, big_l:] if variants else empty)
        z_mean[rows], z_sd[rows], pos_share[rows] = moments.T
        out = {}
        ranked = None
        if need_ranks:                 # ranks over both windows, and over the estimation days
            u = values[:, edges[keys.index("u")]:edges[keys.index("u") + 1]] if "u" in keys else empty
            ranked = {"first": g_values[:, :big_l] if variants else empty, "median": np.empty(m)}
            kernels.rank_rows(keyed, sort_order(keyed, packed), low, big_l, 1.0 / (count + 2.0), 0.0, True, u,
                              ranked["first"], ranked["median"], np.empty(m, np.int64), np.empty(m))
            if "g" in keys:
                lo, hi = edges[keys.index("g")], edges[keys.index("g") + 1]
                values[:, lo:hi] = np.where(keyed < np.inf, np.sign(keyed - ranked["median"][:, None]), 0.0)
        if layout:
            base, corr, _ = plain
            out["plain"] = (block_sums(base, rows, values), block_sums(corr, rows, values))
        if variants:
            out["grank"] = _grank_block(d, s, gr, rows, g_values, sar)
        if kp_jobs:
            mean, sd = moments[:, 0], moments[:, 1]
            eo = ~np.isnan(x)
            ok = sd > 0
            inv_sd = np.where(ok, 1.0 / np.where(ok, sd, 1.0), 0.0)
            kp_values = np.hstack([np.where(eo, (x - mean[:, None]) * inv_sd[:, None], 0.0), eo])
            out["kp"] = block_sums(kp["matrix"], rows, kp_values)
        return out

    def reduce(out) -> None:
        # in place, on the sets the block meets: a samples x days array per block cost more
        # than the sums themselves
        for name, acc in (("plain", plain_sums), ("grank", gr_sums)):
            if name in out:
                for j in (0, 1):
                    sets, sums = out[name][j]
                    acc[j][sets] += sums
        if "grank" in out:
            for v, (samples, partial) in out["grank"][2].items():
                gr["above"][v][samples] += partial       # a block's samples are distinct
        if "kp" in out:
            sets, sums = out["kp"]
            kp_sums[sets] += sums

    in_blocks_in_order(block, n, reduce)
    d.moments.update(z_mean=z_mean, z_sd=z_sd, pos_share=pos_share)
    if layout:
        totals = s.combine(plain[2], *plain_sums)
        for key, lo, hi in zip(keys, edges[:-1], edges[1:]):
            s.sums_by_key[key] = totals[:, lo:hi]
    if variants:
        totals = s.combine(gr["membership"][2], *gr_sums)
        s.sums_by_key["grank r"], s.sums_by_key["grank n"] = totals[:, :big_l], totals[:, big_l:]
    if kp is not None:
        kp["sums"] = kp_sums if kp_sums is not None else np.zeros((0, 2 * big_l))
    return {"grank": gr if variants else None, "kp": kp}


def _grank_block(d: Data, s: Samples, gr: dict, rows: slice, values, sar):
    """One block's share of GRANK (see :func:`stream`): the group sums of ``values`` (scaled
    estimation ranks, presence), and per variant the entries' counts and the above-sums by
    sample (:func:`research.study.kernels.grank_above` on the SARs)."""
    base, corr, _ = gr["membership"]
    b = rows.start // PASS_ROWS
    span = slice(gr["block_edges"][b], gr["block_edges"][b + 1])
    entries = gr["order"][span]
    local = s.cols[entries] - rows.start
    sample = s.rows[entries]
    new = np.r_[True, sample[1:] != sample[:-1]] if len(sample) else np.zeros(0, bool)
    segment = np.cumsum(new) - 1
    n_obs = d.n_est_obs[rows]
    partials = {}
    for v in gr["thresholds"]:
        partial = np.zeros((int(new.sum()), sar.shape[1]))
        le, lt = np.empty(len(entries), np.int64), np.empty(len(entries), np.int64)
        kernels.grank_above(sar, n_obs, local, segment, gr["thresholds"][v][span], partial, le, lt)
        gr["le"][v][entries], gr["lt"][v][entries] = le, lt
        partials[v] = (sample[new], partial)
    return block_sums(base, rows, values), block_sums(corr, rows, values), partials


def _rbar_plan(d: Data, s: Samples) -> dict:
    """The listing sets whose per-event sums the KP rbar of each sample needs (see ``_rbar``).

    Per distinct group (base): the events with two or more of its listings; per distinct
    sample (listings with a valid SCAR): either the sums over its listings in such events or,
    when fewer, the group's minus those of the listings it leaves out. Every set is a block of
    rows of one sparse matrix (sets x N) that the pass multiplies with the standardised
    residuals and the presence of each block of listings.
    """
    keep = ~np.isnan(s.scar)
    jobs: list[tuple[np.ndarray, np.ndarray, int]] = []    # listings, their event, events
    bases: dict[bytes, tuple] = {}
    plan: list = []                                          # per sample
    seen: dict[tuple, tuple] = {}
    for k in range(s.size):
        members = s.members(k, keep)
        base = s.group_members[s.g[k]]
        bkey = base.tobytes()
        if bkey not in bases:
            _, inverse, cnt = np.unique(d.clusters[base], return_inverse=True, return_counts=True)
            multi = cnt[inverse] > 1
            _, compact = np.unique(inverse[multi], return_inverse=True)
            event = np.full(len(base), -1)   # on the group's listings (sorted); one N-long array
            event[multi] = compact             # per group made this O(groups x N)
            n_events = int(compact.max()) + 1 if len(compact) else 0
            job = None
            if n_events:
                jobs.append((base[multi], compact, n_events))
                job = len(jobs) - 1
            bases[bkey] = (event, n_events, base[multi], job)
        event, n_events, base_multi, base_job = bases[bkey]
        key = (bkey, members.tobytes())
        if key not in seen:
            inside = members[event[np.searchsorted(base, members)] >= 0]
            if len(members) < 2:
                seen[key] = ("nan",)
            elif n_events == 0 or len(inside) < 2:
                seen[key] = ("zero",)
            else:
                left_out = np.setdiff1d(base_multi, inside, assume_unique=True)
                if len(left_out) < len(inside):
                    jobs.append((left_out, event[np.searchsorted(base, left_out)], n_events))
                    seen[key] = ("minus", base_job, len(jobs) - 1)
                else:
                    jobs.append((inside, event[np.searchsorted(base, inside)], n_events))
                    seen[key] = ("direct", len(jobs) - 1)
        plan.append((len(members), seen[key]))
    offsets = np.cumsum([0] + [n_ev for _, _, n_ev in jobs])
    if jobs:
        listing = np.concatenate([j[0] for j in jobs]).astype(np.int64)
        row = np.concatenate([off + j[1] for off, j in zip(offsets[:-1], jobs)]).astype(np.int64)
    else:
        listing = row = np.zeros(0, np.int64)
    matrix = sparse.csc_matrix((np.ones(len(listing)), (row, listing)), shape=(offsets[-1], d.n))
    return {"jobs": jobs, "offsets": offsets, "plan": plan, "matrix": matrix}


