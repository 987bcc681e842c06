"""Exact member-set overlap between groups, vectorised with numpy (prefix filtering).

For two groups a, b with |a| <= |b| to be duplicates (Jaccard >= 0.8, or |a| >= 5, 2|a| >= |b| and
containment >= 0.9), or even near-duplicates by the generator's safety margin, they must share at least
ceil(0.8 |a|) members.  Under any fixed global order of people, that means the first
|a| - ceil(0.8 |a|) + 1 members of a (its prefix) meet b.  More strongly, a must share at least K of its first
|a| - ceil(0.8 |a|) + K members with b.  Candidates are the pairs found at least K times from these
prefixes (rarest people first), pruned by a positional bound, and their overlaps are then counted exactly.
"""

from __future__ import annotations

import numpy as np

K = 3  # see overlapping_pairs

# All thresholds in integer arithmetic; a is the smaller group (sa <= sb), ov the shared members.


def is_duplicate(sa, sb, ov):
    """The detection rule: Jaccard >= 0.8, or containment >= 0.9 with |a| >= 5 and |a| >= |b| / 2."""
    jac = 9 * ov >= 4 * (sa + sb)  # ov / (sa + sb - ov) >= 4/5
    cont = (sa >= 5) & (2 * sa >= sb) & (10 * ov >= 9 * sa)
    return jac | cont


def is_near(sa, sb, ov):
    """The generator's margin: Jaccard >= 0.7, or containment >= 0.8 with |a| >= 4 and |a| >= 0.4 |b|.
    Groups that are not planted duplicates are kept below this."""
    jac = 17 * ov >= 7 * (sa + sb)  # ov / (sa + sb - ov) >= 7/10
    cont = (sa >= 4) & (5 * sa >= 2 * sb) & (10 * ov >= 8 * sa)
    return jac | cont


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [starts[i], starts[i]+counts[i]): (owner index i per element, element index)."""
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(counts)), counts)
    if total == 0:
        return owner, np.empty(0, dtype=np.int64)
    offs = np.cumsum(counts) - counts
    idx = np.arange(total, dtype=np.int64) - np.repeat(offs, counts) + np.repeat(starts, counts)
    return owner, idx


def overlapping_pairs(
    ptr: np.ndarray, mem: np.ndarray, rank: np.ndarray, probe: np.ndarray | None = None, batch: int = 4_000_000
):
    """Pairs of groups (a, b), a the smaller by (size, index), that share >= ceil(0.8 * |a|) members,
    with |a| >= 0.4 |b|; returns (a, b, overlap) arrays.  `probe` limits the search to pairs with at least
    one group in it.  `rank` maps a person id to its position in the global order (rarest first)."""
    G = len(ptr) - 1
    sizes = np.diff(ptr).astype(np.int64)
    grp = np.repeat(np.arange(G, dtype=np.int64), sizes)
    mem = mem.astype(np.int64)
    # members of each group sorted by rank
    order = np.lexsort((rank[mem], grp))
    mem_s = mem[order]
    pos = np.arange(len(mem_s), dtype=np.int64) - ptr[grp]
    alpha = (8 * sizes + 9) // 10
    # k-prefix filter: a qualifying a shares at least min(K, alpha) of its first |a| - alpha + K members
    plen = np.minimum(sizes, sizes - alpha + K)
    need_k = np.minimum(K, alpha)
    in_prefix = pos < plen[grp]

    # person → groups (all memberships) and person → groups (prefix memberships only)
    by_p = np.argsort(mem_s, kind="stable")
    p_sorted, g_by_p, pos_by_p = mem_s[by_p], grp[by_p], pos[by_p]
    pre_p, pre_g, pre_pos = mem_s[in_prefix], grp[in_prefix], pos[in_prefix]
    o = np.argsort(pre_p, kind="stable")
    pre_p, pre_g, pre_pos = pre_p[o], pre_g[o], pre_pos[o]

    def bound_ok(a, i, b, j):
        # positional filter: common members before (i, j) are at most min(i, j); after, at most the
        # shorter remainder.  A valid upper bound on the overlap from any one shared member.
        ub = np.minimum(i, j) + 1 + np.minimum(sizes[a] - i - 1, sizes[b] - j - 1)
        return ub >= alpha[a]

    def before(a, b):  # a precedes b in (size, index) order
        return (sizes[a] < sizes[b]) | ((sizes[a] == sizes[b]) & (a < b))

    keys = []
    # direction 1: the (probe) group a is the smaller one; its prefix meets b's members
    sel = in_prefix if probe is None else in_prefix & np.isin(grp, probe)
    src_g, src_p, src_pos = grp[sel], mem_s[sel], pos[sel]
    lo = np.searchsorted(p_sorted, src_p, "left")
    hi = np.searchsorted(p_sorted, src_p, "right")
    for s in range(0, len(src_g), max(1, batch // 64)):
        e = s + max(1, batch // 64)
        own, idx = _expand(lo[s:e], hi[s:e] - lo[s:e])
        a = src_g[s:e][own]
        b = g_by_p[idx]
        keep = (a != b) & before(a, b) & (5 * sizes[a] >= 2 * sizes[b])
        keep &= bound_ok(a, src_pos[s:e][own], b, pos_by_p[idx])
        keys.append(a[keep] * G + b[keep])
    if probe is not None:
        # direction 2: the probe group b is the larger one; a member of b is in a's prefix
        sel = np.isin(grp, probe)
        src_g, src_p, src_pos = grp[sel], mem_s[sel], pos[sel]
        lo = np.searchsorted(pre_p, src_p, "left")
        hi = np.searchsorted(pre_p, src_p, "right")
        own, idx = _expand(lo, hi - lo)
        b = src_g[own]
        a = pre_g[idx]
        keep = (a != b) & before(a, b) & (5 * sizes[a] >= 2 * sizes[b])
        keep &= bound_ok(a, pre_pos[idx], b, src_pos[own])
        keys.append(a[keep] * G + b[keep])
    found = np.sort(np.concatenate(keys)) if keys else np.empty(0, dtype=np.int64)
    if len(found):
        starts = np.flatnonzero(np.concatenate([[True], found[1:] != found[:-1]]))
        counts = np.diff(np.append(starts, len(found)))
        found = found[starts]
        A, B = found // G, found % G
        enough = counts >= need_k[A]
        A, B = A[enough], B[enough]
    else:
        A = B = found

    # exact overlaps: look every member of a up in b's membership
    NP = int(mem.max()) + 1 if len(mem) else 1
    mkeys = np.sort(grp * NP + mem_s)
    ov = np.zeros(len(A), dtype=np.int64)
    step = max(1, batch // max(1, int(sizes.mean()) if G else 1))
    for s in range(0, len(A), step):
        a, b = A[s : s + step], B[s : s + step]
        own, idx = _expand(ptr[a].astype(np.int64), sizes[a])
        q = b[own] * NP + mem_s[idx]
        at = np.searchsorted(mkeys, q)
        at[at >= len(mkeys)] = 0
        hit = mkeys[at] == q
        ov[s : s + step] = np.bincount(own, weights=hit, minlength=len(a)).astype(np.int64)
    need = (8 * sizes[A] + 9) // 10
    keep = ov >= need
    return A[keep], B[keep], ov[keep]
