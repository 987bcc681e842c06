"""Exact member-set overlap between groups, vectorised with numpy (prefix filtering).

For two groups a, b with |a| <= |b| to be duplicates (Jaccard >= 0.8, or |a| >= 5, 2|a| >= |b| and
containment >= 0.9), or even near-duplicates by the generator's safety margin, they must share at least
ceil(0.8 |a|) members.  Under any fixed global order of people, that means the first
|a| - ceil(0.8 |a|) + 1 members of a (its prefix) meet b.  More strongly, a must share at least K of its first
|a| - ceil(0.8 |a|) + K members with b.  Candidates are the pairs found at least K times from these
prefixes (rarest people first), pruned by a positional bound, and their overlaps are then counted exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    m = _Memberships.index(ptr, mem, rank)
    keys = [_pairs_from_prefixes(m, probe, batch)]
    if probe is not None:
        keys.append(_pairs_into_probe(m, probe))
    a, b = _pairs_met_k_times(m, np.sort(np.concatenate(keys)))
    ov = _exact_overlaps(m, a, b, batch)
    keep = ov >= m.alpha[a]
    return a[keep], b[keep], ov[keep]


@dataclass
class _Memberships:
    """Every group's members sorted by rank, with each one's position, and the members looked up by person."""

    ptr: np.ndarray  # group → start of its members
    sizes: np.ndarray  # group → member count
    grp: np.ndarray  # membership → its group
    mem_s: np.ndarray  # membership → its person, each group's members sorted by rank
    pos: np.ndarray  # membership → its position within its group
    alpha: np.ndarray  # group a → ceil(0.8 |a|), the members it must share
    in_prefix: np.ndarray  # membership → whether it is in its group's k-prefix
    p_sorted: np.ndarray  # all memberships sorted by person: the person,
    g_by_p: np.ndarray  # … the group,
    pos_by_p: np.ndarray  # … the position
    pre_p: np.ndarray  # prefix memberships sorted by person: the person,
    pre_g: np.ndarray  # … the group,
    pre_pos: np.ndarray  # … the position

    @property
    def group_count(self) -> int:
        return len(self.ptr) - 1

    @classmethod
    def index(cls, ptr: np.ndarray, mem: np.ndarray, rank: np.ndarray) -> _Memberships:
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
        in_prefix = pos < plen[grp]
        # person → groups (all memberships) and person → groups (prefix memberships only)
        by_p = np.argsort(mem_s, kind="stable")
        pre_p, pre_g, pre_pos = mem_s[in_prefix], grp[in_prefix], pos[in_prefix]
        o = np.argsort(pre_p, kind="stable")
        return cls(
            ptr=ptr,
            sizes=sizes,
            grp=grp,
            mem_s=mem_s,
            pos=pos,
            alpha=alpha,
            in_prefix=in_prefix,
            p_sorted=mem_s[by_p],
            g_by_p=grp[by_p],
            pos_by_p=pos[by_p],
            pre_p=pre_p[o],
            pre_g=pre_g[o],
            pre_pos=pre_pos[o],
        )

    def candidate_keys(self, a, i, b, j) -> np.ndarray:
        """a * G + b for the pairs met at positions (i in a, j in b) that may still qualify."""
        sizes = self.sizes
        before = (sizes[a] < sizes[b]) | ((sizes[a] == sizes[b]) & (a < b))  # a precedes b in (size, index) order
        keep = (a != b) & before & (5 * sizes[a] >= 2 * sizes[b])
        # positional filter: common members before (i, j) are at most min(i, j); after, at most the
        # shorter remainder.  A valid upper bound on the overlap from any one shared member.
        upper_bound = np.minimum(i, j) + 1 + np.minimum(sizes[a] - i - 1, sizes[b] - j - 1)
        keep &= upper_bound >= self.alpha[a]
        return a[keep] * self.group_count + b[keep]


def _pairs_from_prefixes(m: _Memberships, probe: np.ndarray | None, batch: int) -> np.ndarray:
    """Direction 1: the (probe) group a is the smaller one; its prefix meets b's members."""
    sel = m.in_prefix if probe is None else m.in_prefix & np.isin(m.grp, probe)
    src_g, src_p, src_pos = m.grp[sel], m.mem_s[sel], m.pos[sel]
    lo = np.searchsorted(m.p_sorted, src_p, "left")
    hi = np.searchsorted(m.p_sorted, src_p, "right")
    keys = []
    step = max(1, batch // 64)
    for s in range(0, len(src_g), step):
        own, idx = _expand(lo[s : s + step], hi[s : s + step] - lo[s : s + step])
        keys.append(
            m.candidate_keys(src_g[s : s + step][own], src_pos[s : s + step][own], m.g_by_p[idx], m.pos_by_p[idx])
        )
    return np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)


def _pairs_into_probe(m: _Memberships, probe: np.ndarray) -> np.ndarray:
    """Direction 2: the probe group b is the larger one; a member of b is in a's prefix."""
    sel = np.isin(m.grp, probe)
    src_g, src_p, src_pos = m.grp[sel], m.mem_s[sel], m.pos[sel]
    lo = np.searchsorted(m.pre_p, src_p, "left")
    hi = np.searchsorted(m.pre_p, src_p, "right")
    own, idx = _expand(lo, hi - lo)
    return m.candidate_keys(m.pre_g[idx], m.pre_pos[idx], src_g[own], src_pos[own])


def _pairs_met_k_times(m: _Memberships, found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs among the sorted keys found at least min(K, alpha(a)) times: (a, b) arrays."""
    if not len(found):
        return found, found
    starts = np.flatnonzero(np.concatenate([[True], found[1:] != found[:-1]]))
    counts = np.diff(np.append(starts, len(found)))
    found = found[starts]
    A, B = found // m.group_count, found % m.group_count
    enough = counts >= np.minimum(K, m.alpha[A])
    return A[enough], B[enough]


def _exact_overlaps(m: _Memberships, A: np.ndarray, B: np.ndarray, batch: int) -> np.ndarray:
    """The number of members each pair shares: every member of a looked up in b's membership."""
    G, sizes = m.group_count, m.sizes
    NP = int(m.mem_s.max()) + 1 if len(m.mem_s) else 1
    mkeys = np.sort(m.grp * NP + m.mem_s)
    ov = np.zeros(len(A), dtype=np.int64)
    step = max(1, batch // max(1, int(sizes.mean()) if G else 1))
    for s in range(0, len(A), step):
        a, b = A[s : s + step], B[s : s + step]
        own, idx = _expand(m.ptr[a].astype(np.int64), sizes[a])
        q = b[own] * NP + m.mem_s[idx]
        at = np.searchsorted(mkeys, q)
        at[at >= len(mkeys)] = 0
        hit = mkeys[at] == q
        ov[s : s + step] = np.bincount(own, weights=hit, minlength=len(a)).astype(np.int64)
    return ov
