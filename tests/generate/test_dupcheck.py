"""dupcheck.overlapping_pairs finds exactly the pairs a direct count over every pair of groups finds."""

import numpy as np
import pytest

from jianfu.generate.dupcheck import overlapping_pairs


def random_groups(seed: int) -> list[list[int]]:
    """Groups over a few dozen people, many of them near copies of an earlier group."""
    rng = np.random.default_rng(seed)
    people = int(rng.integers(5, 60))
    groups: list[list[int]] = []
    for _ in range(int(rng.integers(1, 40))):
        if groups and rng.random() < 0.4:
            base = groups[int(rng.integers(len(groups)))][int(rng.integers(0, 3)) :]
            added = rng.choice(people, int(rng.integers(0, 3)), replace=False).tolist()
            groups.append(sorted(set(base) | set(added)) or [int(rng.integers(people))])  # a group has members
        else:
            groups.append(sorted(rng.choice(people, int(rng.integers(1, min(people, 15) + 1)), replace=False).tolist()))
    return groups


def counted_one_by_one(groups: list[list[int]], probe: set[int] | None) -> set[tuple[int, int, int]]:
    found = set()
    for a, members_a in enumerate(groups):
        for b, members_b in enumerate(groups):
            if (len(members_a), a) >= (len(members_b), b) or 5 * len(members_a) < 2 * len(members_b):
                continue
            if probe is not None and not {a, b} & probe:
                continue
            shared = len(set(members_a) & set(members_b))
            if 10 * shared >= 8 * len(members_a):  # shared >= ceil(0.8 |a|)
                found.add((a, b, shared))
    return found


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("with_probe", [False, True])
def test_it_finds_the_pairs_a_direct_count_finds(seed, with_probe):
    groups = random_groups(seed)
    ptr = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype(np.int64)
    mem = np.array([p for g in groups for p in g], dtype=np.int32)
    rank = np.random.default_rng(seed + 1000).permutation(int(mem.max()) + 1)
    probe = sorted({0, len(groups) // 2, len(groups) - 1}) if with_probe else None
    # a small batch makes the search run in several slices, as it does at province scale
    a, b, overlap = overlapping_pairs(ptr, mem, rank, probe=None if probe is None else np.array(probe), batch=64)
    expected = counted_one_by_one(groups, None if probe is None else set(probe))
    assert set(zip(a.tolist(), b.tolist(), overlap.tolist())) == expected
    assert len(a) == len(expected)  # each pair once
