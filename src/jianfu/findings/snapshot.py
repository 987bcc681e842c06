"""Export the registry to the plain tables the analysis package reads (Parquet, one file per table)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection

from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, Unit, WorkGroup

_STR, _DATE, _INT, _FLOAT, _LIST = pa.string(), pa.date32(), pa.int64(), pa.float64(), pa.list_(pa.string())
BATCH_ROWS = 200_000


def _region_codes(units: list[tuple]) -> dict[str, str]:
    """Nearest ancestor-or-self that is a region, by walking each path from the leaf up."""
    is_region = {code: region for code, _, _, _, _, region, _ in units}
    result = {}
    for code, *_, path in units:
        chain = [c for c in path.strip("/").split("/") if c]
        result[code] = next((c for c in reversed(chain) if is_region.get(c)), chain[0] if chain else code)
    return result


def export_snapshot(folder: Path) -> dict[str, int]:
    """Write units, people, apps, accounts, groups, members, forms and fields as Parquet; return row counts."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    units = list(Unit.objects.values_list("code", "name", "parent__code", "level", "unit_type", "is_region", "path"))
    regions = _region_codes(units)
    counts["units"] = _write(folder / "units.parquet", {
        "code": _STR, "name": _STR, "parent_code": _STR, "level": _STR, "unit_type": _STR, "region_code": _STR, "path": _STR,
    }, [(c, n, p, lv, t, regions[c], path) for c, n, p, lv, t, _, path in units])
    counts["people"] = _write(folder / "people.parquet", {"code": _STR, "name": _STR, "unit_code": _STR, "post": _STR},
                              Person.objects.values_list("code", "name", "unit__code", "post").iterator(chunk_size=20000))
    counts["apps"] = _write(folder / "apps.parquet", {
        "code": _STR, "name": _STR, "category": _STR, "owner_code": _STR, "launch_date": _DATE, "last_update": _DATE,
        "registered_users": _INT, "monthly_active_users": _INT, "functions": _LIST, "forced_features": _LIST,
        "description": _STR,
    }, App.objects.values_list("code", "name", "category", "owner__code", "launch_date", "last_update",
                               "registered_users", "monthly_active_users", "functions", "forced_features",
                               "description").iterator(chunk_size=5000))
    counts["accounts"] = _write(folder / "accounts.parquet", {
        "code": _STR, "name": _STR, "platform": _STR, "owner_code": _STR, "opened_date": _DATE, "last_post": _DATE,
        "followers": _INT, "posts_30d": _INT, "assessments": _LIST,
    }, PublicAccount.objects.values_list("code", "name", "platform", "owner__code", "opened_date", "last_post",
                                         "followers", "posts_30d", "assessments").iterator(chunk_size=5000))
    counts["groups"] = _write(folder / "groups.parquet", {
        "code": _STR, "name": _STR, "platform": _STR, "owner_person_code": _STR, "owner_code": _STR,
        "created_date": _DATE, "nature": _STR, "task_end_date": _DATE, "last_active": _DATE, "messages_30d": _INT,
        "purpose": _STR, "demands": _LIST,
    }, WorkGroup.objects.values_list("code", "name", "platform", "owner_person__code", "owner__code", "created_date",
                                     "nature", "task_end_date", "last_active", "messages_30d", "purpose",
                                     "demands").iterator(chunk_size=20000))
    counts["members"] = _write(folder / "members.parquet", {"group_code": _STR, "person_code": _STR}, _member_rows())
    counts["forms"] = _write(folder / "forms.parquet", {
        "code": _STR, "title": _STR, "issuer_code": _STR, "respondent_level": _STR, "frequency": _STR,
        "channel": _STR, "minutes_per_filing": _FLOAT,
    }, Form.objects.values_list("code", "title", "issuer__code", "respondent_level", "frequency", "channel",
                                "minutes_per_filing").iterator(chunk_size=5000))
    counts["fields"] = _write(folder / "fields.parquet", {
        "form_code": _STR, "position": _INT, "name": _STR, "note": _STR, "data_type": _STR, "unit": _STR,
    }, FormField.objects.values_list("form__code", "position", "name", "note", "data_type", "unit").iterator(chunk_size=20000))
    return counts


def _member_rows():
    members, groups, people = Membership._meta.db_table, WorkGroup._meta.db_table, Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.code, p.code FROM {members} m JOIN {groups} g ON g.id = m.group_id "
            f"JOIN {people} p ON p.id = m.person_id"
        )
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield from rows


def _write(path: Path, columns: dict[str, pa.DataType], rows) -> int:
    schema = pa.schema(list(columns.items()))
    names = list(columns)
    total = 0
    with pq.ParquetWriter(path, schema) as writer:
        buffer: list[tuple] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= BATCH_ROWS:
                writer.write_table(_table(buffer, names, schema))
                total += len(buffer)
                buffer = []
        if buffer or total == 0:
            writer.write_table(_table(buffer, names, schema))
            total += len(buffer)
    return total


def _table(rows: list[tuple], names: list[str], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows)) if rows else [[] for _ in names]
    arrays = []
    for values, field in zip(columns, schema):
        if field.type == _DATE:
            values = [v.date() if isinstance(v, dt.datetime) else v for v in values]
        arrays.append(pa.array(list(values), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
