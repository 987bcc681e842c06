"""duplicate_groups: the spec thresholds exactly, clusters, and equality with a brute-force reference."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import duckdb
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analysis.helpers import group, members_of, of_type
from jianfu.analysis import AnalysisConfig
from jianfu.analysis.backend import DuckDBBackend
from jianfu.analysis.detectors import duplicate_groups
from jianfu.analysis.findings import clusters


def reference_pairs(groups: dict[str, set], config: AnalysisConfig | None = None) -> set[frozenset]:
    """Every pair, checked with exact fractions straight from the formats.md wording."""
    config = config or AnalysisConfig()
    out = set()
    for a, b in combinations(sorted(groups), 2):
        x, y = sorted((groups[a], groups[b]), key=len)
        if not x:
            continue
        o = len(x & y)
        jaccard = Fraction(o, len(x | y)) >= config.dup_group_jaccard
        containment = (
            len(x) >= config.dup_group_min_members
            and Fraction(len(x), len(y)) >= config.dup_group_size_ratio
            and Fraction(o, len(x)) >= config.dup_group_containment
        )
        if jaccard or containment:
            out.add(frozenset((a, b)))
    return out


def sql_pairs(groups: dict[str, set], config: AnalysisConfig | None = None, partitions: int = 1) -> set[frozenset]:
    config = config or AnalysisConfig()
    con = duckdb.connect()
    rows = [(g, p) for g, people in groups.items() for p in people]
    con.register(
        "m_arrow",
        pa.table(
            {
                "group_code": pa.array([r[0] for r in rows], pa.string()),
                "person_code": pa.array([r[1] for r in rows], pa.string()),
            }
        ),
    )
    con.execute("CREATE TABLE m AS SELECT * FROM m_arrow")
    backend = DuckDBBackend(con)
    backend.run_steps(duplicate_groups.pair_steps(config, members="m", partitions=partitions))
    found = backend.query(f"SELECT * FROM {duplicate_groups.PAIRS}")
    for row in found:  # the reported sizes and overlap are the true ones
        x, y = groups[row["group_a"]], groups[row["group_b"]]
        assert (row["members_a"], row["members_b"], row["shared"]) == (len(x), len(y), len(x & y))
        assert len(x) <= len(y)
    pairs = {frozenset((r["group_a"], r["group_b"])) for r in found}
    assert len(pairs) == len(found), "a pair reported twice"
    return pairs


def people(*ranges: range | list) -> set[str]:
    return {f"P{i:03d}" for r in ranges for i in r}


def test_jaccard_exactly_four_fifths_counts():
    # 12 ⊂ 15: Jaccard 12/15 = 0.8. A float ceil(0.8 × 15) = 13 would drop it.
    groups = {"A": people(range(12)), "B": people(range(15))}
    assert sql_pairs(groups) == {frozenset("AB")}


def test_containment_exactly_nine_tenths_counts():
    # 63 of 70 inside a group of 140 (twice as large): containment 0.9, Jaccard far below 0.8.
    # In floats 0.9 × 70 = 63.00000000000001, so a float threshold would need 64.
    groups = {"A": people(range(63), range(500, 507)), "B": people(range(140))}
    assert sql_pairs(groups) == {frozenset("AB")}


def test_containment_boundaries():
    groups = {
        "five": people(range(5)),
        "ten": people(range(10)),  # 5 ⊂ 10: half as large, ≥ 5 → pair
        "four": people(range(100, 104)),
        "eight": people(range(100, 108)),  # 4 members: too small
        "s5": people(range(200, 205)),
        "s11": people(range(200, 211)),  # 5 ⊂ 11: less than half
        "n9": people(range(300, 309), [399]),
        "n20": people(range(300, 320)),  # 9 of 10 in a group of 20
        "n8": people(range(400, 408), [498, 499]),
        "m20": people(range(400, 420)),  # 8 of 10: no
    }
    assert sql_pairs(groups) == {frozenset(("five", "ten")), frozenset(("n9", "n20"))}


def test_identical_singletons_are_duplicates():
    # Jaccard of two identical one-member groups is 1 ≥ 0.8: the spec taken literally.
    groups = {"A": people([1]), "B": people([1]), "C": people([2])}
    assert sql_pairs(groups) == {frozenset("AB")}


def test_clusters_become_one_finding(analyse):
    base = [f"P{i}" for i in range(20)]
    result = analyse(
        groups=[group("G1"), group("G2", messages_30d=50), group("G3"), group("G4"), group("G9")],
        members=members_of(
            {
                "G1": base,
                "G2": base[:19],
                "G3": base[:17],  # a chain of near-equal groups
                "G4": [f"Q{i}" for i in range(10)],
                "G9": [f"Q{i}" for i in range(5)],  # G9 ⊂ G4, half as large
            }
        ),
    )
    found = sorted(of_type(result, "duplicate_groups"), key=lambda f: f["items"][0])
    assert [f["items"] for f in found] == [["G1", "G2", "G3"], ["G4", "G9"]]
    first = found[0]
    assert first["rule"] == "F4" and first["action"] == "merge" and first["owner_code"] is not None
    assert first["evidence"]["groups"] == 3 and first["evidence"]["pairs"] == 3
    assert first["score"] == first["evidence"]["jaccard"] == 0.95
    second = found[1]
    assert second["evidence"]["containment"] == 1.0 and second["evidence"]["jaccard"] == 0.5
    assert second["score"] == 1.0  # a containment pair scores its containment
    assert second["hours_saved_per_month"] > 0 and "群G4" in second["reason"]


@st.composite
def group_sets(draw):
    pool = draw(st.integers(3, 16))
    person = st.integers(0, pool - 1)
    groups = {}
    for i in range(draw(st.integers(2, 9))):
        groups[f"G{i}"] = set(draw(st.lists(person, min_size=1, max_size=14)))
    # Nested and near-equal groups, which random sets rarely give: subsets, supersets and equal copies.
    for j in range(draw(st.integers(0, 6))):
        src = groups[draw(st.sampled_from(sorted(groups)))]
        kind = draw(st.sampled_from(["subset", "superset", "copy", "swap"]))
        new = set(src)
        if kind == "subset" and len(src) > 1:
            new = set(draw(st.lists(st.sampled_from(sorted(src)), min_size=1, max_size=len(src), unique=True)))
        elif kind == "superset":
            new |= set(draw(st.lists(person, max_size=4)))
        elif kind == "swap" and src:
            new.discard(draw(st.sampled_from(sorted(src))))
            new.add(draw(person))
        groups[f"H{j}"] = new
    return {g: {f"P{p:02d}" for p in s} for g, s in groups.items() if s}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups=group_sets(), k=st.sampled_from([1, 2, 3, 5]), partitions=st.sampled_from([1, 3]))
def test_equals_brute_force(groups, k, partitions):
    config = AnalysisConfig(dup_group_prefix_extra=k)
    expected = reference_pairs(groups, config)
    found = sql_pairs(groups, config, partitions)
    assert found == expected
    # and the clusters are the connected components of those pairs
    assert clusters(tuple(sorted(p)) for p in found) == clusters(tuple(sorted(p)) for p in expected)


@settings(max_examples=25, deadline=None)
@given(
    groups=group_sets(),
    jaccard=st.sampled_from(["0.5", "0.75", "0.8", "1"]),
    containment=st.sampled_from(["0.6", "0.9", "1"]),
    ratio=st.sampled_from(["0.25", "0.5", "1"]),
    minimum=st.integers(1, 6),
)
def test_equals_brute_force_other_thresholds(groups, jaccard, containment, ratio, minimum):
    config = AnalysisConfig(
        dup_group_jaccard=jaccard,
        dup_group_containment=containment,
        dup_group_size_ratio=ratio,
        dup_group_min_members=minimum,
    )
    assert sql_pairs(groups, config) == reference_pairs(groups, config)
