"""Comparing two analyses: the same findings with the same ids, scores to 1e-9, the same burden roll-up."""

from __future__ import annotations

import math
from typing import Any

TOLERANCE = 1e-9


def assert_close(a: Any, b: Any, where: str = "") -> None:
    """Equal, numbers within 1e-9 (relative for large ones); dicts and lists element by element."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None or isinstance(a, str):
        assert a == b, f"{where}: {a!r} != {b!r}"
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        assert math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE), f"{where}: {a!r} != {b!r}"
    elif isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{where}: keys {sorted(a.keys() ^ b.keys())}"
        for key in a:
            assert_close(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        assert len(a) == len(b), f"{where}: {len(a)} != {len(b)} entries"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def assert_same_findings(duck: list[dict], spark: list[dict]) -> None:
    by_id = {f["id"]: f for f in duck}
    other = {f["id"]: f for f in spark}
    assert by_id.keys() == other.keys(), (
        f"only DuckDB: {sorted(by_id.keys() - other.keys())[:5]}, only Spark: {sorted(other.keys() - by_id.keys())[:5]}"
    )
    for fid, finding in by_id.items():
        assert_close(finding, other[fid], f"{finding['type']} {fid}")


def assert_same_tables(duck: dict, spark: dict, keys: dict[str, str]) -> None:
    """Full burden tables (Arrow), row by row, matched on each table's key column."""
    for name, key in keys.items():
        rows_a = {r[key]: r for r in duck[name].to_pylist()}
        rows_b = {r[key]: r for r in spark[name].to_pylist()}
        assert_close(rows_a, rows_b, name)
