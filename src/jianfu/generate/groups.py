"""Work groups and their members, generated chunk by chunk (one county, or one upper-level unit's groups,
at a time) and streamed to disk, so that even 30 million memberships never sit in memory together.

Members of a group are drawn from its owner's region (a county's or a township's people, or a whole
city or province for upper-level groups), weighted by each cadre's propensity — village secretaries,
township cadres in charge of villages (包村干部) and leaders end up in many groups.  Planted duplicate
clusters are copies of a group with a few members added or removed, or subgroups of it.  Every chunk is
then checked exactly (see dupcheck): groups that are not planted duplicates but come near the rule are
redrawn, and the duplicate truth is computed from the final member sets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import catalog, dupcheck
from .messy import TEXT_DATE_SHAPES, XLSX_DATE_SHAPES, date_cell, join_multi, phone_text, traditional
from .units import Sizes, World

TEMP_RATE = 0.35  # share of temporary groups
EXPIRED_OF_TEMP = 0.6  # of temporary groups, share whose task has ended
IDLE_RATE = 0.22  # share of groups with no message for >= 60 days (before expiry correlation)
DEMAND_F1_RATE = 0.28
DEMAND_F2_RATE = 0.20
DUP_SINGLE_RATE = 0.012  # share of groups that get one planted copy
DUP_DOUBLE_RATE = 0.003  # share of groups that get two (a cluster of three)
DIVERT_RATE = 0.02  # memberships written to 群成员_姓名手机.xlsx instead of 群成员.csv

_F1 = ["打卡接龙", "即时回复", "收到请回复"]
_F2 = ["截图留痕", "上传照片视频", "定位打卡"]
_STANDING_SUFFIX = ["工作群", "工作群", "工作交流群", "信息报送群", "调度群", "专班群", "业务群", "联络群", "群"]
_TEMP_SUFFIX = ["专项行动群", "攻坚群", "集中整治群", "百日行动群", "临时工作群", "督导群"]
_DECOR = ["", "", "", "", "", "【重要】", "（新）", "2群", "①", "（勿删）"]
_PURPOSE_TEMPLATES = [
    "{p}工作的通知传达、进度调度和信息报送",
    "用于{p}相关工作沟通",
    "{p}，日常调度和问题反馈",
    "传达上级关于{t}的工作要求，收集{p}情况",
]


@dataclass
class Chunk:
    owners: np.ndarray  # unit idx per base group
    pool_lo: np.ndarray
    pool_hi: np.ndarray
    sizes: np.ndarray  # planned sizes of base groups
    n_copies: int


@dataclass
class GroupTruth:
    duplicate_clusters: list[tuple[list[str], bool]] = field(default_factory=list)  # (codes, planted)
    expired: list[str] = field(default_factory=list)
    idle: list[str] = field(default_factory=list)
    demand_f1: list[str] = field(default_factory=list)
    demand_f2: list[str] = field(default_factory=list)
    groups: int = 0
    memberships: int = 0
    memberships_by_name_phone: int = 0
    planted_clusters: int = 0
    accidental_clusters: int = 0
    redrawn: int = 0


#: (owners, their member pools, each owner's kind — one number for all, or a list —, share, groups)
_ChunkSpec = tuple[list[int], list[tuple[int, int]], float | list[int], float, int]
#: (owners, pool starts, pool ends, size multipliers, cap fractions of the pool, planted copies)
_DrawnChunk = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]


def plan_chunks(world: World, sizes: Sizes, rng: np.random.Generator) -> list[Chunk]:
    """Owners, pools and sizes of every base group, chunk by chunk, calibrated to the membership target."""
    specs = _chunk_specs(world, sizes)
    chunks_raw = _draw_owners(world, specs, rng)
    final = _calibrated_sizes(chunks_raw, sizes.memberships / sizes.groups, rng)
    return [Chunk(c[0], c[1], c[2], s, c[5]) for c, s in zip(chunks_raw, final)]


def _chunk_specs(world: World, sizes: Sizes) -> list[_ChunkSpec]:
    """How many groups the province's and cities' departments own, then each county's share by its people."""
    U = world.units
    specs: list[_ChunkSpec] = []
    # (owner units, their pools, multiplier of size, cap fraction of pool, count)
    total = sizes.groups
    upper_share = 0.0
    upper_chunks = []
    if world.populated == "province":
        upper_chunks.append((world.province, 0.02))
    if world.populated in ("province", "city"):
        for c in world.cities:
            upper_chunks.append((c, 0.04 / len(world.cities)))
    for r, share in upper_chunks:
        depts = world.depts_of.get(r, [])
        if not depts:
            continue
        n = int(round(total * share))
        upper_share += share
        specs.append((depts, [(U[r].sub_lo, U[r].sub_hi)] * len(depts), 3.0, 0.05, n))
    county_people = np.array([U[k].sub_hi - U[k].sub_lo for k in world.counties], dtype=float)
    county_groups = np.floor(county_people / county_people.sum() * (total - sum(s[4] for s in specs)))
    county_groups[: int(total - sum(s[4] for s in specs) - county_groups.sum())] += 1
    for k, n in zip(world.counties, county_groups.astype(int)):
        owners, pools, kinds = [], [], []
        for d in world.depts_of[k]:
            owners.append(d)
            pools.append((U[k].sub_lo, U[k].sub_hi))
            kinds.append(0)
        for t in world.children_of.get(k, []):
            for o in [t] + world.depts_of.get(t, []):
                owners.append(o)
                pools.append((U[t].sub_lo, U[t].sub_hi))
                kinds.append(1)
        specs.append((owners, pools, kinds, 0.0, int(n)))  # a list of kinds: resolved below
    return specs


def _draw_owners(world: World, specs: list[_ChunkSpec], rng: np.random.Generator) -> list[_DrawnChunk]:
    """The owner of every base group of each chunk, drawn by weight; copies of planted duplicates left aside."""
    U = world.units
    chunks_raw = []
    for owners, pools, mult, capf, n in specs:
        n_copies = int(round(n * (DUP_SINGLE_RATE + 2 * DUP_DOUBLE_RATE)))
        n_base = n - n_copies
        owners_a = np.array(owners)
        lo = np.array([p[0] for p in pools])
        hi = np.array([p[1] for p in pools])
        if isinstance(mult, list):  # county chunk: 38% county departments, 62% townships
            owner_kinds = np.array(mult)
            w = np.where(owner_kinds == 0, 0.38 / max(1, (owner_kinds == 0).sum()), 0.0)
            tw = (hi - lo).astype(float) * (owner_kinds == 1)
            w = w + (0.62 * tw / tw.sum() if tw.sum() else 0)
            w = w * rng.uniform(0.5, 1.5, len(w))
            for i, o in enumerate(owners):  # departments with a line of work create more groups
                if U[o].topics:
                    w[i] *= 1.5
            m = np.where(owner_kinds == 0, 2.0, 1.0)
            capfrac = np.where(owner_kinds == 0, 0.15, 0.2)
        else:
            w = rng.uniform(0.5, 1.5, len(owners))
            m = np.full(len(owners), mult)
            capfrac = np.full(len(owners), capf)
        pick = rng.choice(len(owners), size=n_base, p=w / w.sum())
        pick.sort()
        chunks_raw.append((owners_a[pick], lo[pick], hi[pick], m[pick], capfrac[pick], n_copies))
    return chunks_raw


def _calibrated_sizes(chunks_raw: list[_DrawnChunk], target: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Lognormal group sizes under each pool's cap, scaled by one common factor so that the mean hits ``target``."""
    base = [rng.lognormal(0.0, 0.9, len(c[0])) for c in chunks_raw]
    caps = [np.clip(np.floor((c[2] - c[1]) * c[4]), 3, 500) for c in chunks_raw]

    def sizes_for(f):
        return [np.clip(np.rint(f * c[3] * b), 3, cap).astype(np.int64) for c, b, cap in zip(chunks_raw, base, caps)]

    lo_f, hi_f = 0.5, 400.0
    for _ in range(40):
        mid = (lo_f + hi_f) / 2
        s = sizes_for(mid)
        mean = sum(int(x.sum()) for x in s) / max(1, sum(len(x) for x in s))
        lo_f, hi_f = (mid, hi_f) if mean < target else (lo_f, mid)
    return sizes_for((lo_f + hi_f) / 2)


def _sample(rng, lo, hi, need, cumw, forced):
    """Weighted sampling without replacement from person ranges [lo, hi): `need[i]` people per group, the
    person `forced[i]` (or -1) always included.  Returns a list of int64 arrays."""
    G = len(need)
    have = np.zeros(G, dtype=np.int64)
    # forced members first
    f = forced >= 0
    chosen_g = [np.nonzero(f)[0]]
    chosen_p = [forced[f].astype(np.int64)]
    prio = [np.full(int(f.sum()), -1.0)]
    todo = np.arange(G)
    rounds = 0
    result_g = np.empty(0, dtype=np.int64)
    result_p = np.empty(0, dtype=np.int64)
    while len(todo):
        rounds += 1
        k = np.ceil((need[todo] - have[todo]) * 1.4).astype(np.int64) + 2
        gi = np.repeat(todo, k)
        wl, wh = cumw[lo[gi]], cumw[hi[gi]]
        u = wl + rng.random(len(gi)) * (wh - wl)
        p = np.searchsorted(cumw, u, "right") - 1
        p = np.clip(p, lo[gi], hi[gi] - 1)
        chosen_g.append(gi)
        chosen_p.append(p)
        prio.append(rng.random(len(gi)))
        g_all = np.concatenate([result_g] + chosen_g)
        p_all = np.concatenate([result_p] + chosen_p)
        pr_all = np.concatenate([np.full(len(result_g), -2.0)] + prio)
        # dedupe (group, person), keeping the lowest priority (kept ones and forced first)
        o = np.lexsort((pr_all, p_all, g_all))
        g_all, p_all, pr_all = g_all[o], p_all[o], pr_all[o]
        first = np.ones(len(g_all), dtype=bool)
        first[1:] = (g_all[1:] != g_all[:-1]) | (p_all[1:] != p_all[:-1])
        g_all, p_all, pr_all = g_all[first], p_all[first], pr_all[first]
        o = np.lexsort((pr_all, g_all))
        g_all, p_all = g_all[o], p_all[o]
        starts = np.searchsorted(g_all, np.arange(G))
        rank_in = np.arange(len(g_all)) - starts[g_all]
        keep = rank_in < need[g_all]
        result_g, result_p = g_all[keep], p_all[keep]
        have = np.bincount(result_g, minlength=G)
        todo = np.nonzero(have < need)[0]
        chosen_g, chosen_p, prio = [], [], []
        if rounds > 30:  # pool exhausted: take what there is
            break
    starts = np.searchsorted(result_g, np.arange(G + 1))
    return [result_p[starts[i] : starts[i + 1]] for i in range(G)]


@dataclass
class _Drawn:
    """The groups of one chunk while they are being drawn: one entry per group, planted copies appended."""

    members: list[np.ndarray]
    owners: list[int]  # owning unit idx
    pools: list[tuple[int, int]]  # person index range members are drawn from
    owner_person: list[int]
    topic: list[str]
    copy_of: list[int]  # the original's index for a planted copy, else -1
    cluster: list[int]  # planted cluster number, else -1


@dataclass
class _Context:
    """What every chunk of one run shares."""

    world: World
    rng: np.random.Generator
    as_of: dt.date
    cumw: np.ndarray  # cumulative propensity of people (weighted draws)
    uniform: np.ndarray  # cumulative 1 per person (uniform draws)
    rank: np.ndarray  # person → position in the global order used by dupcheck (rarest first)
    shapes: tuple[str, ...]  # date shapes of the groups file
    platforms: list[str]
    topic_names: list[str]
    csv_mode: bool


def generate_groups(
    world: World,
    sizes: Sizes,
    rng: np.random.Generator,
    as_of: dt.date,
    table,
    members_csv,
    name_phone_table,
    csv_mode: bool,
    progress=None,
) -> GroupTruth:
    """Draw every chunk's groups, plant duplicates, redraw near misses, write the rows and the members."""
    chunks = plan_chunks(world, sizes, rng)
    total_groups = sum(len(c.sizes) + c.n_copies for c in chunks)
    codes_perm = rng.permutation(total_groups) + 1
    weights = world.people_weight
    rank = np.empty(len(weights), dtype=np.int64)
    rank[np.argsort(weights, kind="stable")] = np.arange(len(weights))
    ctx = _Context(
        world=world,
        rng=rng,
        as_of=as_of,
        cumw=np.concatenate([[0.0], np.cumsum(weights)]),
        uniform=np.arange(len(weights) + 1, dtype=np.float64),
        rank=rank,
        shapes=TEXT_DATE_SHAPES if csv_mode else XLSX_DATE_SHAPES,
        platforms=catalog.GROUP_PLATFORMS + [world.province_platform] * 2,
        topic_names=[t.name for t in catalog.TOPICS],
        csv_mode=csv_mode,
    )
    truth = GroupTruth()
    next_code = 0
    for chunk in chunks:
        drawn = _draw_base_groups(ctx, chunk)
        _plant_duplicates(ctx, chunk, drawn)
        truth.redrawn += _redraw_near_misses(ctx, drawn)
        ptr, mem, components = _duplicate_components(ctx, drawn.members)
        n_groups = len(drawn.members)
        codes = [f"G{codes_perm[next_code + i]:07d}" for i in range(n_groups)]
        next_code += n_groups
        _record_clusters(truth, codes, drawn.cluster, components)
        _write_groups(ctx, drawn, codes, ptr, mem, table, members_csv, name_phone_table, truth)
        if progress:
            progress("groups", truth.groups, total_groups)
    return truth


def _draw_base_groups(ctx: _Context, chunk: Chunk) -> _Drawn:
    """The chunk's planned groups: an owner person, members drawn from the pool, a line of work."""
    units, rng = ctx.world.units, ctx.rng
    nb = len(chunk.sizes)
    # owner person: one of the owner unit's own people (else anyone in the pool)
    own_lo = np.array([units[o].lo for o in chunk.owners], dtype=np.int64)
    own_hi = np.array([units[o].hi for o in chunk.owners], dtype=np.int64)
    has_people = own_hi > own_lo
    owner_p = np.where(
        has_people,
        own_lo + (rng.random(nb) * np.maximum(1, own_hi - own_lo)).astype(np.int64),
        chunk.pool_lo + (rng.random(nb) * (chunk.pool_hi - chunk.pool_lo)).astype(np.int64),
    )
    members = _sample(rng, chunk.pool_lo, chunk.pool_hi, chunk.sizes, ctx.cumw, owner_p)
    owners = list(chunk.owners.tolist())
    topic: list[str] = [""] * nb
    for i, o in enumerate(owners):
        lines_of_work = units[o].topics or ctx.topic_names
        topic[i] = lines_of_work[int(rng.integers(len(lines_of_work)))]
    return _Drawn(
        members=members,
        owners=owners,
        pools=list(zip(chunk.pool_lo.tolist(), chunk.pool_hi.tolist())),
        owner_person=owner_p.tolist(),
        topic=topic,
        copy_of=[-1] * nb,
        cluster=[-1] * nb,
    )


def _near_copy(rng: np.random.Generator, base: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """A few members removed and added: Jaccard with the original stays ≥ 0.85."""
    n = len(base)
    removed = int(rng.integers(0, max(1, n // 16) + 1))
    added = int(rng.integers(0, max(1, n // 16) + 1))
    while 20 * (n - removed) < 17 * (n + added):
        added = max(0, added - 1) if added else added
        removed = max(0, removed - 1) if not added else removed
    keep = rng.choice(base, size=n - removed, replace=False)
    extra: list[int] = []
    pool_size = hi - lo
    while len(extra) < added and pool_size > n + added:
        candidate = int(lo + rng.integers(pool_size))
        if candidate not in set(base.tolist()) and candidate not in extra:
            extra.append(candidate)
    return np.concatenate([keep, np.array(extra, dtype=np.int64)])


def _subgroup(rng: np.random.Generator, base: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """55–75% of the original's members (at least 5); one outsider in groups of 20 or more."""
    n = len(base)
    size = int(rng.integers(max(5, -(-55 * n // 100)), max(6, 75 * n // 100) + 1))
    size = min(size, n)
    new = rng.choice(base, size=size, replace=False)
    if size >= 20:
        base_set = set(base.tolist())
        while True:
            outsider = int(lo + rng.integers(hi - lo))
            if outsider not in base_set:
                break
        new[0] = outsider
    return new


def _plant_duplicates(ctx: _Context, chunk: Chunk, drawn: _Drawn) -> None:
    """Planted clusters: a near copy or a subgroup of an original (both, for a cluster of three)."""
    world, rng = ctx.world, ctx.rng
    nb = len(chunk.sizes)
    n_double = int(round(nb * DUP_DOUBLE_RATE))
    n_single = chunk.n_copies - 2 * n_double
    eligible = [i for i in range(nb) if len(drawn.members[i]) >= 8]
    n_orig = min(len(eligible), n_single + n_double)
    originals = rng.choice(eligible, size=n_orig, replace=False).tolist() if n_orig else []
    for j, o in enumerate(originals):
        drawn.cluster[o] = j
        kinds = ["near" if rng.random() < 0.6 else "sub"]
        if j >= n_single:
            kinds = ["near", "sub"]
        for kind in kinds:
            lo, hi = drawn.pools[o]
            maker = _near_copy if kind == "near" else _subgroup
            new = maker(rng, drawn.members[o], lo, hi)
            drawn.members.append(np.sort(new.astype(np.int64)))
            # the copy may belong to a sibling unit of the same region
            owner = drawn.owners[o]
            siblings = world.depts_of.get(world.units[owner].region, []) + [world.units[owner].region]
            drawn.owners.append(owner if rng.random() < 0.5 else siblings[int(rng.integers(len(siblings)))])
            drawn.pools.append(drawn.pools[o])
            new_members = new.tolist()
            drawn.owner_person.append(drawn.owner_person[o] if drawn.owner_person[o] in new_members else new_members[0])
            drawn.topic.append(drawn.topic[o])
            drawn.copy_of.append(o)
            drawn.cluster.append(j)


def _members_csr(members: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, concatenated members) of the groups."""
    ptr = np.zeros(len(members) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(m) for m in members])
    return ptr, np.concatenate(members)


def _redraw_near_misses(ctx: _Context, drawn: _Drawn) -> int:
    """Redraw groups that are not planted duplicates but come near the rule; returns how many were redrawn."""
    members, cluster = drawn.members, drawn.cluster
    planted = np.array([c >= 0 for c in cluster])
    clus = np.array(cluster)
    probe = None
    redrawn = 0
    for round_no in range(12):
        ptr, mem = _members_csr(members)
        a_idx, b_idx, overlap = dupcheck.overlapping_pairs(ptr, mem, ctx.rank, probe=probe)
        size_a, size_b = ptr[a_idx + 1] - ptr[a_idx], ptr[b_idx + 1] - ptr[b_idx]
        near = dupcheck.is_near(size_a, size_b, overlap)
        same_cluster = planted[a_idx] & planted[b_idx] & (clus[a_idx] == clus[b_idx])
        bad = near & ~same_cluster
        victims: set[int] = set()
        for a, b in zip(a_idx[bad].tolist(), b_idx[bad].tolist()):
            if a in victims or b in victims:
                continue
            if not planted[b]:
                victims.add(b)
            elif not planted[a]:
                victims.add(a)
        if not victims:
            break
        chosen = np.array(sorted(victims), dtype=np.int64)
        lo = np.array([drawn.pools[i][0] for i in chosen], dtype=np.int64)
        hi = np.array([drawn.pools[i][1] for i in chosen], dtype=np.int64)
        need = np.array([len(members[i]) for i in chosen], dtype=np.int64)
        forced = np.array([drawn.owner_person[i] for i in chosen], dtype=np.int64)
        # later rounds draw uniformly (no propensity), which spreads members further apart
        again = _sample(ctx.rng, lo, hi, need, ctx.cumw if round_no < 2 else ctx.uniform, forced)
        for i, m in zip(chosen.tolist(), again):
            members[i] = np.sort(m)
        redrawn += len(chosen)
        probe = chosen
    return redrawn


def _duplicate_components(ctx: _Context, members: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """(offsets, members, clusters): the exact duplicate pairs over the whole chunk, joined into components."""
    ptr, mem = _members_csr(members)
    a_idx, b_idx, overlap = dupcheck.overlapping_pairs(ptr, mem, ctx.rank)
    size_a, size_b = ptr[a_idx + 1] - ptr[a_idx], ptr[b_idx + 1] - ptr[b_idx]
    dup = dupcheck.is_duplicate(size_a, size_b, overlap)
    parent = list(range(len(members)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(a_idx[dup].tolist(), b_idx[dup].tolist()):
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[root_a] = root_b
    components: dict[int, list[int]] = {}
    for a in a_idx[dup].tolist():
        components.setdefault(find(a), [])
    for i in range(len(members)):
        root = find(i)
        if root in components:
            components[root].append(i)
    return ptr, mem, list(components.values())


def _record_clusters(truth: GroupTruth, codes: list[str], cluster: list[int], components: list[list[int]]) -> None:
    """Each duplicate component in the truth, marked planted when it is exactly a planted cluster."""
    planted_sets: dict[int, set[int]] = {}
    for i, c in enumerate(cluster):
        if c >= 0:
            planted_sets.setdefault(c, set()).add(i)
    planted_frozen = {frozenset(members) for members in planted_sets.values()}
    for comp in components:
        is_planted = frozenset(comp) in planted_frozen
        truth.duplicate_clusters.append((sorted(codes[i] for i in comp), is_planted))
        if is_planted:
            truth.planted_clusters += 1
        else:
            truth.accidental_clusters += 1


@dataclass
class _Attributes:
    """What one chunk's groups are like, drawn for all of them at once (one entry per group)."""

    created_ago: np.ndarray  # days before as_of
    temp: np.ndarray  # temporary (task) group
    last_ago: np.ndarray  # days since the last message
    end_ago: np.ndarray  # days since the task ended (negative: ends later)
    msgs: np.ndarray  # messages in the last 30 days
    f1: np.ndarray  # demands of rule F1
    f2: np.ndarray  # demands of rule F2
    plat: np.ndarray
    shape_i: np.ndarray  # date shapes of its four date cells
    sep_i: np.ndarray  # separator of its demands cell
    decor: np.ndarray
    suf: np.ndarray  # picks the name suffix, nature word, purpose and copy mark
    trad: np.ndarray  # written in Traditional characters


def _draw_attributes(ctx: _Context, n_groups: int) -> _Attributes:
    rng = ctx.rng
    created_ago = rng.integers(1, 1500, n_groups)
    temp = rng.random(n_groups) < TEMP_RATE
    expired = temp & (rng.random(n_groups) < EXPIRED_OF_TEMP)
    idle = rng.random(n_groups) < np.where(expired, 0.6, IDLE_RATE)
    last_ago = np.where(idle, rng.integers(62, 700, n_groups), rng.integers(0, 56, n_groups))
    created_ago = last_ago + created_ago
    end_ago = np.where(expired, rng.integers(2, 400, n_groups), -rng.integers(2, 240, n_groups))
    # an ended task ended after the group was created
    end_ago = np.where(expired, np.minimum(end_ago, np.maximum(2, created_ago - 3)), end_ago)
    msgs = np.where(last_ago < 30, np.maximum(1, rng.lognormal(3.0, 1.2, n_groups).astype(np.int64)), 0)
    return _Attributes(
        created_ago=created_ago,
        temp=temp,
        last_ago=last_ago,
        end_ago=end_ago,
        msgs=msgs,
        f1=rng.random(n_groups) < DEMAND_F1_RATE,
        f2=rng.random(n_groups) < DEMAND_F2_RATE,
        plat=rng.integers(0, len(ctx.platforms), n_groups),
        shape_i=rng.integers(0, len(ctx.shapes), (n_groups, 4)),
        sep_i=rng.integers(0, 12, n_groups),
        decor=rng.integers(0, len(_DECOR), n_groups),
        suf=rng.integers(0, 100, n_groups),
        trad=rng.random(n_groups) < 0.04,
    )


def _group_name(owner_name: str, topic: catalog.Topic, a: _Attributes, i: int, is_copy: bool, as_of: dt.date) -> str:
    """A standing group after its owner and line of work; a task group after its year, sometimes its owner too;
    decorations, and a copy's 「（新）」 or 「2群」."""
    suf = a.suf[i]
    if a.temp[i]:
        year = (as_of - dt.timedelta(days=int(a.created_ago[i]))).year
        name = f"{year}年{topic.name}{_TEMP_SUFFIX[suf % len(_TEMP_SUFFIX)]}"
        if suf % 3 == 0:
            name = owner_name + name
    else:
        name = f"{owner_name}{topic.name}{_STANDING_SUFFIX[suf % len(_STANDING_SUFFIX)]}"
    name += _DECOR[a.decor[i]]
    if is_copy and suf % 2 == 0:
        name += "（新）" if suf % 4 == 0 else "2群"
    return name


def _group_row(ctx: _Context, drawn: _Drawn, a: _Attributes, i: int, code: str) -> list:
    """One line of the groups file, as a person would have typed it (date shapes, Traditional now and then).
    Draws the group's demands from the run's generator, so rows must be made in order."""
    world, rng, as_of, shapes = ctx.world, ctx.rng, ctx.as_of, ctx.shapes
    topic = catalog.TOPIC_BY_NAME[drawn.topic[i]]
    owner = world.units[drawn.owners[i]]
    suf, temp, trad = a.suf[i], a.temp[i], a.trad[i]
    name = _group_name(owner.name, topic, a, i, drawn.copy_of[i] >= 0, as_of)
    platform = ctx.platforms[a.plat[i]]
    if trad:
        platform = traditional(platform)
    nature = ("临时" if suf % 2 else "临时性") if temp else ("常设" if suf % 5 else "长期")
    if trad and temp:
        nature = traditional(nature)
    created = as_of - dt.timedelta(days=int(a.created_ago[i]))
    last = as_of - dt.timedelta(days=int(a.last_ago[i]))
    end = as_of - dt.timedelta(days=int(a.end_ago[i])) if temp else None
    purpose = _PURPOSE_TEMPLATES[suf % len(_PURPOSE_TEMPLATES)].format(p=topic.purposes[suf % 2], t=topic.name)
    demands = []
    if a.f1[i]:
        demands += [_F1[k] for k in sorted(set(rng.integers(0, 3, 1 + suf % 2).tolist()))]
    if a.f2[i]:
        demands += [_F2[k] for k in sorted(set(rng.integers(0, 3, 1 + suf % 2).tolist()))]
    demand_cell = join_multi(demands, int(a.sep_i[i]))
    if trad:
        demand_cell = traditional(demand_cell)
    row = [
        code,
        name,
        platform,
        world.people_code[drawn.owner_person[i]],
        owner.code,
        date_cell(created, shapes[a.shape_i[i, 0]]),
        nature,
        date_cell(end, shapes[a.shape_i[i, 1]]) if end else None,
        date_cell(last, shapes[a.shape_i[i, 2]]),
        int(a.msgs[i]),
        purpose,
        demand_cell,
    ]
    return ["" if v is None else str(v) for v in row] if ctx.csv_mode else row


def _record_group_truth(truth: GroupTruth, code: str, a: _Attributes, i: int, as_of: dt.date) -> None:
    """The group's expiry, idleness and demands, judged on the dates as written."""
    end = as_of - dt.timedelta(days=int(a.end_ago[i])) if a.temp[i] else None
    last = as_of - dt.timedelta(days=int(a.last_ago[i]))
    if a.temp[i] and end is not None and end < as_of:
        truth.expired.append(code)
    if (as_of - last).days >= 60:
        truth.idle.append(code)
    if a.f1[i]:
        truth.demand_f1.append(code)
    if a.f2[i]:
        truth.demand_f2.append(code)


def _write_groups(
    ctx: _Context,
    drawn: _Drawn,
    codes: list[str],
    ptr: np.ndarray,
    mem: np.ndarray,
    table,
    members_csv,
    name_phone_table,
    truth: GroupTruth,
) -> None:
    """The chunk's attributes (dates, nature, demands, names …), its rows and its members' lines."""
    world = ctx.world
    n_groups = len(drawn.members)
    attributes = _draw_attributes(ctx, n_groups)
    divert_all = ctx.rng.random(len(mem)) < DIVERT_RATE
    pcode, pname, pphone = world.people_code, world.people_name, world.people_phone
    lines: list[str] = []
    np_rows = []
    for i in range(n_groups):
        code = codes[i]
        table.add(_group_row(ctx, drawn, attributes, i, code))
        _record_group_truth(truth, code, attributes, i, ctx.as_of)
        # members: a few by name and phone instead of the person code
        diverted = divert_all[ptr[i] : ptr[i + 1]].tolist()
        for person, by_name in zip(drawn.members[i].tolist(), diverted):
            if by_name:
                np_rows.append((code, pname[person], phone_text(int(pphone[person]), (person + i) % 3)))
            else:
                lines.append(f"{code},{pcode[person]}\n")
    members_csv.write_lines(lines)
    for np_row in np_rows:
        name_phone_table.add(np_row)
    truth.groups += n_groups
    truth.memberships += len(mem)
    truth.memberships_by_name_phone += len(np_rows)
