"""run(), the JSON shape of formats.md, stable ids, progress, and both kinds of snapshot."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa

from tests.formats import FINDING_KEYS
from tests.analysis.helpers import AS_OF, UNITS, app, days_ago, group, members_of
from jianfu.analysis import SCHEMAS, finding_id, load_snapshot, run, write_snapshot

TABLES = dict(
    units=UNITS,
    groups=[group("G1", last_active=days_ago(90)), group("G2", demands=["截图留痕"]), group("G3")],
    members=members_of({"G1": ["P1", "P2", "P3"], "G2": ["P1", "P2", "P3"], "G3": ["P1"]}),
    apps=[app("A1", last_update=days_ago(400), forced_features=["积分排名"])],
)


def test_json_shape(tmp_path):
    write_snapshot(TABLES, tmp_path)
    result = run(tmp_path, AS_OF)
    doc = result.to_json_dict("2026-11-26T10:00:00+08:00")
    json.dumps(doc, ensure_ascii=False)  # serialisable as it is
    assert set(doc) == {"generated_at", "summary", "findings", "burden", "field_mappings", "consolidation"}
    assert doc["generated_at"] == "2026-11-26T10:00:00+08:00"
    assert doc["summary"]["findings"] == len(doc["findings"]) > 0
    assert isinstance(doc["summary"]["hours_saved_per_month"], float)
    assert set(doc["burden"]["per_person_hours_per_month"]) >= {"p50", "p90", "max"}
    types = set()
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS | {"owner_code"}
        assert f["action"] in {"cancel", "merge", "optimise", "rectify"}
        assert isinstance(f["reason"], str) and f["reason"].endswith("。")
        assert all(isinstance(v, (int, float)) for v in f["evidence"].values())
        assert f["id"] == finding_id(f["type"], f["rule"], f["items"])
        types.add(f["type"])
    assert {"idle_group", "group_demand", "duplicate_groups", "zombie_app", "forced_feature"} <= types


def test_ids_stable_across_runs_and_item_order():
    assert finding_id("duplicate_groups", "F4", ["B", "A"]) == finding_id("duplicate_groups", "F4", ["A", "B"])
    assert finding_id("duplicate_groups", "F4", ["A", "B"]) != finding_id("duplicate_apps", "F5", ["A", "B"])


def test_rerun_gives_same_findings(tmp_path):
    write_snapshot(TABLES, tmp_path)
    first, second = run(tmp_path, AS_OF), run(tmp_path, AS_OF)
    assert first.to_json_dict("t") == second.to_json_dict("t")


def test_summary_counts_an_item_once(tmp_path):
    write_snapshot(TABLES, tmp_path)
    result = run(tmp_path, AS_OF)
    naive = sum(f["hours_saved_per_month"] for f in result.findings)
    assert 0 < result.hours_saved_per_month <= naive + 1e-9


def test_duckdb_connection_and_progress():
    con = duckdb.connect()
    for name, rows in TABLES.items():
        schema = SCHEMAS[name]
        table = pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)
        con.register(f"{name}_arrow", table)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
    calls = []
    result = run(load_snapshot(con), AS_OF, progress=lambda step, done, total: calls.append((step, done, total)))
    assert result.findings
    assert [c[1] for c in calls] == sorted(c[1] for c in calls) and calls[-1][1] == calls[-1][2]
    # The analysis cleans up after itself and leaves the caller's tables alone.
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not any(n.startswith("__jf_") for n in names) and {"groups", "members", "apps", "units"} <= names


def test_missing_tables_and_columns_read_as_empty(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE groups AS SELECT 'G1' AS code, DATE '2026-01-01' AS last_active")
    result = run(con, AS_OF)
    assert [f["type"] for f in result.findings] == ["idle_group"]
    assert result.burden["per_person_hours_per_month"]["max"] == 0.0
