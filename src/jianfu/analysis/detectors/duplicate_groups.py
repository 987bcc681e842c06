"""Duplicate work groups: an exact set-similarity self-join of member sets, as plain SQL.

Two groups x, y with |x| ≤ |y| (ties broken by id) and overlap o = |x ∩ y| are duplicates when

* Jaccard:      o / |x ∪ y| ≥ J                       ⇔  J_den·o ≥ J_num·(|x| + |y| − o), or
* containment:  |x| ≥ M, |x| ≥ R·|y|, o ≥ C·|x|      ⇔  R_den·|x| ≥ R_num·|y|, C_den·o ≥ C_num·|x|

(formats.md: J = 4/5, M = 5, R = 1/2, C = 9/10), all in integers so that no pair is lost to rounding.

Both criteria imply o ≥ t(|x|) with t(n) = ⌈2J·n/(1+J)⌉ (Jaccard, = ⌈8n/9⌉) or ⌈C·n⌉ (containment):
whichever is smaller. People are ordered globally by how many groups they are in, rarest first; each
group becomes a sorted list of person ranks. Prefix filtering (Chaudhuri et al. 2006; Bayardo et al.
2007, the "PPJoin" family): if o ≥ t then the first k common members (k ≤ t) lie within x's first
|x| − t + k ranks and within y's first |y| − t_min(|y|) + k ranks, t_min being the least overlap any
qualifying partner of y can have. So a pair is a candidate only if those two prefixes share at least
min(k, t) people — k = 1 is classic prefix filtering, k = 3 cuts candidates by two orders of magnitude
at province scale. Candidates are then verified exactly with ``array_intersect``. The length filter
(|y| ≤ |x|/J, or ≤ |x|/R when containment can apply) prunes the join.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jianfu.analysis import arithmetic
from jianfu.analysis.backend import AnalysisBackend, SQLStep
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import Detector
from jianfu.analysis.findings import clusters, make_finding, quote_names
from jianfu.analysis.snapshot import input_name

P = "__jf_dg_"
PAIRS = f"{P}pairs"


def pair_steps(config: AnalysisConfig, members: str | None = None, partitions: int | None = None) -> list[SQLStep]:
    """SQL steps ending in ``__jf_dg_pairs(group_a, group_b, members_a, members_b, shared)``,
    one row per qualifying pair, ``group_a`` the smaller (or, at equal size, the first by internal id).

    ``partitions`` > 1 splits the candidate join into that many steps by probing group (salting, as
    splink does for Spark), so that each step's join and aggregation fit in memory.
    """
    members = members or input_name("members")
    parts = max(1, int(partitions or config.dup_group_partitions or 1))
    k = int(config.dup_group_prefix_extra)
    return [
        *_prefix_steps(config, members),
        *_candidate_steps(parts, k, max(1, int(config.dup_group_bucket_rows))),
        *_verify_steps(config),
    ]


def _prefix_bounds(config: AnalysisConfig) -> tuple[str, str, str]:
    """SQL expressions over a group's size n: t, the least overlap it shares with a qualifying partner when it is the
    smaller; tmin, the least overlap any qualifying partner of it can have; umax, the largest partner it can pair with.
    """
    ja, jb = config.dup_group_jaccard.numerator, config.dup_group_jaccard.denominator
    cn, cd = config.dup_group_containment.numerator, config.dup_group_containment.denominator
    rn, rd = config.dup_group_size_ratio.numerator, config.dup_group_size_ratio.denominator
    m = int(config.dup_group_min_members)

    # ceil(p/q) for positive integers is (p + q − 1) // q.
    tj = f"(2*{ja}*n + {ja + jb - 1}) // {ja + jb}"
    tc = f"({cn}*n + {cd - 1}) // {cd}"
    t = f"CASE WHEN n >= {m} THEN least({tj}, {tc}) ELSE {tj} END"
    mj = f"({ja}*n + {jb - 1}) // {jb}"  # smallest Jaccard partner of a group of n
    mc = f"greatest({m}, ({rn}*n + {rd - 1}) // {rd})"  # smallest containment partner
    tmin_j = f"({ja}*({mj} + n) + {ja + jb - 1}) // {ja + jb}"
    tmin_c = f"({cn}*{mc} + {cd - 1}) // {cd}"
    tmin = f"CASE WHEN {mc} <= n THEN least({tmin_j}, {tmin_c}) ELSE {tmin_j} END"

    # Largest partner size a group of n can pair with (length filter).
    umax = f"CASE WHEN n >= {m} THEN greatest(({rd}*n) // {rn}, ({jb}*n) // {ja}) ELSE ({jb}*n) // {ja} END"
    return t, tmin, umax


def _prefix_steps(config: AnalysisConfig, members: str) -> list[SQLStep]:
    """The global order of people, each group as its sorted ranks, and the prefixes the candidate join meets on."""
    t, tmin, umax = _prefix_bounds(config)
    k = int(config.dup_group_prefix_extra)
    return [
        # Global order: rarest people first; ties by code so that the order (and the run) is reproducible.
        SQLStep(
            f"{P}tok",
            f"""
SELECT person_code, CAST(row_number() OVER (ORDER BY count(*), person_code) AS INTEGER) AS tok
FROM {members} GROUP BY person_code""",
        ),
        # Each group as the sorted list of its distinct people's ranks.
        SQLStep(
            f"{P}list",
            f"""
SELECT group_code, CAST(row_number() OVER (ORDER BY group_code) AS BIGINT) AS gid, toks
FROM (SELECT mm.group_code, array_sort(array_distinct(list(t.tok))) AS toks
      FROM {members} mm JOIN {P}tok t ON t.person_code = mm.person_code
      WHERE t.tok IS NOT NULL GROUP BY mm.group_code) l""",
        ),
        # ord: a single sort key for "y comes after x": larger, or as large with a larger id.
        SQLStep(
            f"{P}size",
            f"""
SELECT gid, toks, n, n * 4294967296 + gid AS ord, {umax} AS umax, least({k}, {t}) AS need,
  least(n, n - ({t}) + {k}) AS lx, least(n, n - ({tmin}) + {k}) AS ly
FROM (SELECT gid, toks, CAST(array_length(toks) AS BIGINT) AS n FROM {P}list) s""",
        ),
        # The index holds each group's first ly ranks; the probe side each group's first lx (lx ≤ ly).
        SQLStep(
            f"{P}index",
            f"""
SELECT gid, n, ord, unnest(array_slice(toks, 1, ly)) AS tok FROM {P}size""",
        ),
        SQLStep(
            f"{P}probe",
            f"""
SELECT gid, ord, umax, need, unnest(array_slice(toks, 1, lx)) AS tok FROM {P}size""",
        ),
    ]


def _verify_steps(config: AnalysisConfig) -> list[SQLStep]:
    """The candidates' exact overlaps, kept when they meet either criterion, named by group code."""
    ja, jb = config.dup_group_jaccard.numerator, config.dup_group_jaccard.denominator
    cn, cd = config.dup_group_containment.numerator, config.dup_group_containment.denominator
    rn, rd = config.dup_group_size_ratio.numerator, config.dup_group_size_ratio.denominator
    m = int(config.dup_group_min_members)
    return [
        SQLStep(
            f"{P}verified",
            f"""
SELECT x, y, nx, ny, o FROM (
  SELECT c.x, c.y, a.n AS nx, b.n AS ny, CAST(array_length(array_intersect(a.toks, b.toks)) AS BIGINT) AS o
  FROM {P}cand c JOIN {P}size a ON a.gid = c.x JOIN {P}size b ON b.gid = c.y
) v
WHERE {jb}*o >= {ja}*(nx + ny - o) OR (nx >= {m} AND {rd}*nx >= {rn}*ny AND {cd}*o >= {cn}*nx)""",
        ),
        SQLStep(
            PAIRS,
            f"""
SELECT ga.group_code AS group_a, gb.group_code AS group_b, v.nx AS members_a, v.ny AS members_b, v.o AS shared
FROM {P}verified v JOIN {P}list ga ON ga.gid = v.x JOIN {P}list gb ON gb.gid = v.y""",
        ),
    ]


def _candidate_steps(parts: int, k: int, bucket_rows: int) -> list[SQLStep]:
    # Skewed prefixes: a person in the prefixes of very many groups (the members of one very large
    # standing group that thousands of small groups draw on) makes one join key hold a giant bucket, and on
    # Spark one task would hold all of it. Such a key is split into ⌈rows / bucket_rows⌉ salts: each index
    # row goes to salt gid % salts, each probe row to every salt, so every (probe, index) pair still meets
    # exactly once and no (tok, salt) bucket holds more than bucket_rows index rows.
    salting = [
        SQLStep(
            f"{P}hot",
            f"""
SELECT tok, CAST((count(*) + {bucket_rows - 1}) // {bucket_rows} AS BIGINT) AS salts
FROM {P}index GROUP BY tok HAVING count(*) > {bucket_rows}""",
        ),
        SQLStep(
            f"{P}index_salted",
            f"""
SELECT i.gid, i.n, i.ord, i.tok, CASE WHEN h.salts IS NULL THEN 0 ELSE i.gid % h.salts END AS salt
FROM {P}index i LEFT JOIN {P}hot h ON h.tok = i.tok""",
            materialise=False,
        ),
        SQLStep(
            f"{P}probe_salted",
            f"""
SELECT p.gid, p.ord, p.umax, p.need, p.tok, CAST(0 AS BIGINT) AS salt
FROM {P}probe p WHERE NOT EXISTS (SELECT 1 FROM {P}hot h WHERE h.tok = p.tok)
UNION ALL
SELECT p.gid, p.ord, p.umax, p.need, p.tok, unnest(generate_series(CAST(0 AS BIGINT), h.salts - 1)) AS salt
FROM {P}probe p JOIN {P}hot h ON h.tok = p.tok""",
            materialise=False,
        ),
    ]

    # Candidates: y after x in (size, id) order, within the length filter, sharing ≥ need prefix members.
    def cand(where: str) -> str:
        return f"""
SELECT a.gid AS x, b.gid AS y
FROM {P}probe_salted a JOIN {P}index_salted b ON a.tok = b.tok AND a.salt = b.salt
WHERE b.ord > a.ord AND b.n <= a.umax{where}
GROUP BY a.gid, b.gid, a.need
HAVING count(*) >= a.need"""

    if parts == 1:
        return salting + [SQLStep(f"{P}cand", cand(""))]
    steps = [SQLStep(f"{P}cand_{i}", cand(f" AND a.gid % {parts} = {i}")) for i in range(parts)]
    union = "\nUNION ALL\n".join(f"SELECT x, y FROM {P}cand_{i}" for i in range(parts))
    return salting + steps + [SQLStep(f"{P}cand", union)]


#: memberships per partition of the candidate join when ``dup_group_partitions`` is 0 (auto)
ROWS_PER_PARTITION = 40_000_000


def auto_partitions(backend: AnalysisBackend, members: str) -> int:
    """Partitions for the candidate join: one per ROWS_PER_PARTITION memberships."""
    rows = backend.scalar(f"SELECT count(*) FROM {members}") or 0
    return max(1, -(-int(rows) // ROWS_PER_PARTITION))


def steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    return pair_steps(config)


def qualifies(config: AnalysisConfig, nx: int, ny: int, o: int) -> tuple[bool, bool]:
    """(Jaccard criterion, containment criterion) for sizes nx ≤ ny and overlap o — integer arithmetic."""
    j, c, r = config.dup_group_jaccard, config.dup_group_containment, config.dup_group_size_ratio
    by_jaccard = j.denominator * o >= j.numerator * (nx + ny - o)
    by_containment = (
        nx >= config.dup_group_min_members
        and r.denominator * nx >= r.numerator * ny
        and c.denominator * o >= c.numerator * nx
    )
    return by_jaccard, by_containment


def is_subset_of_larger(config: AnalysisConfig, proposed: int, existing: int, shared: int) -> bool:
    """The containment criterion's share and minimum met by ``proposed`` inside ``existing``, but ``existing``
    more than 1/R times its size (an all-staff group): a subset worth a note, not a duplicate."""
    c, r = config.dup_group_containment, config.dup_group_size_ratio
    return (
        proposed >= config.dup_group_min_members
        and c.denominator * shared >= c.numerator * proposed
        and r.denominator * proposed < r.numerator * existing
    )


def build(backend: AnalysisBackend, config: AnalysisConfig, as_of: date) -> list[dict[str, Any]]:
    pairs = backend.query(f"SELECT * FROM {PAIRS}")
    if not pairs:
        return []
    info = _paired_groups(backend)
    size: dict[str, int] = {}
    for p in pairs:
        size[p["group_a"]], size[p["group_b"]] = p["members_a"], p["members_b"]
    by_root: dict[int, list[dict[str, Any]]] = {}
    comps = clusters((p["group_a"], p["group_b"]) for p in pairs)
    where = {code: i for i, comp in enumerate(comps) for code in comp}
    for p in pairs:
        by_root.setdefault(where[p["group_a"]], []).append(p)
    return [_cluster_finding(comp, by_root[i], info, size, config) for i, comp in enumerate(comps)]


def _paired_groups(backend: AnalysisBackend) -> dict[str, dict[str, Any]]:
    """code → name, owner, messages, path, demands and burden hours, for every group in a qualifying pair."""
    rows = backend.query(f"""
SELECT g.code, g.name, g.owner_code, coalesce(g.messages_30d, 0) AS messages_30d, g.messages_30d AS known_messages_30d, u.path, g.demands,
  coalesce(b.attention_h, 0) AS attention_h, coalesce(b.messages_h, 0) AS messages_h,
  coalesce(b.f1_h, 0) + coalesce(b.f2_h, 0) AS demand_h
FROM {input_name("groups")} g
JOIN (SELECT group_a AS code FROM {PAIRS} UNION SELECT group_b FROM {PAIRS}) p ON p.code = g.code
LEFT JOIN __jf_b_grp b ON b.code = g.code
LEFT JOIN __jf_b_unit u ON u.code = g.owner_code""")
    return {row["code"]: row for row in rows}


def _closest_pair(config: AnalysisConfig, edges: list[dict[str, Any]]) -> tuple[dict[str, Any], float, float, float]:
    """The cluster's most similar pair, with its Jaccard, containment and the score of the criterion it meets."""
    best, best_key = None, None
    for e in edges:
        nx, ny, o = e["members_a"], e["members_b"], e["shared"]
        jac = o / (nx + ny - o)
        con = o / nx
        by_j, _ = qualifies(config, nx, ny, o)
        score = jac if by_j else con
        key = (score, jac, o)
        if best_key is None or key > best_key:
            best, best_key = (e, jac, con, score), key
    assert best is not None  # every root has at least one edge
    return best


def _cluster_finding(
    comp: list[str],
    edges: list[dict[str, Any]],
    info: dict[str, dict[str, Any]],
    size: dict[str, int],
    config: AnalysisConfig,
) -> dict[str, Any]:
    """One finding for a cluster of duplicate groups: keep the largest (then busiest), merge the rest into it."""

    def rank(code: str) -> tuple:
        meta = info.get(code, {})
        return (-size[code], -(meta.get("messages_30d") or 0), code)

    main, *rest = sorted(comp, key=rank)
    items = [main, *sorted(rest)]
    e, jac, con, score = _closest_pair(config, edges)
    saved, terms = _saving(rest, edges, info, size, config)
    names = [info.get(c, {}).get("name") or c for c in items]
    params = {"jaccard": f"{jac:.2f}", "containment": f"{con:.0%}", "shared": e["shared"]}
    if len(items) == 2:
        reason = (
            "工作群「{first}」与「{second}」成员高度重合（Jaccard {jaccard}，较小群{containment}的成员也在另一群中，"
            "共同成员{shared}人），属于为同一工作重复建群，建议整合为一个群。",
            {**params, "first": names[0], "second": names[1]},
        )
    else:
        reason = (
            "{names}工作群成员高度重合（最相近的两个群Jaccard {jaccard}，较小群{containment}的成员也在另一群中，"
            "共同成员{shared}人），属于为同一工作重复建群，建议整合为「{kept}」。",
            {**params, "names": quote_names(names), "kept": names[0]},
        )
    return make_finding(
        "duplicate_groups",
        "F4",
        "merge",
        items,
        score=score,
        evidence={
            "jaccard": jac,
            "containment": con,
            "shared_members": e["shared"],
            "groups": len(items),
            "pairs": len(edges),
            "members": size[main],
        },
        hours_saved=sum(saved.values()),
        reason=reason,
        owner_code=info.get(main, {}).get("owner_code"),
        saved_by_item=saved,
        arithmetic=terms,
    )


def _saving(
    rest: list[str], pairs: list[dict[str, Any]], info: dict, size: dict[str, int], config: AnalysisConfig
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """What merging removes: for the members a dropped group shares with another group of the cluster, one
    group's attention and demands, and the share of its messages the other group already carries. Members
    found in no other group move into the kept group and save nothing."""
    shared_of: dict[str, int] = {}
    for p in pairs:
        for code in (p["group_a"], p["group_b"]):
            shared_of[code] = max(shared_of.get(code, 0), p["shared"])
    saved, terms = {}, []
    for code in rest:
        meta = info.get(code, {})
        params = config.params_for_path(meta.get("path")) if config.region_overrides else config.burden
        fraction = min(1.0, shared_of.get(code, 0) / size[code]) if size.get(code) else 0.0
        share = params.duplicate_work_share
        saved[code] = fraction * (
            meta.get("attention_h", 0.0) + meta.get("demand_h", 0.0) + share * meta.get("messages_h", 0.0)
        )
        people = fraction * size.get(code, 0)
        name = meta.get("name") or code
        shared = arithmetic.SHARED_MEMBERS
        terms.append(arithmetic.group_attention(people, params, ("「{name}」：少关注一个群", {"name": name}), shared))
        terms += arithmetic.group_demands(
            people, meta.get("demands") or [], meta.get("known_messages_30d"), params, who=shared
        )
        terms += arithmetic.group_messages(people, meta.get("messages_30d") or 0, params, share)
    return saved, terms


DETECTOR = Detector("duplicate_groups", steps, build)
