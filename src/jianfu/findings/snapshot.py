"""Export the registry to the plain tables the analysis package reads (Parquet, one file per table)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection
from django.db.models import Q

from jianfu.analysis import SCHEMAS
from jianfu.elements.models import DataElement, FieldMapping
from jianfu.registry.lifecycle import active_q
from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, Unit, WorkGroup

BATCH_ROWS = 200_000


def _region_codes(units: list[tuple]) -> dict[str, str]:
    """Nearest ancestor-or-self that is a region, by walking each path from the leaf up."""
    is_region = {code: region for code, _, _, _, _, region, _ in units}
    result = {}
    for code, *_, path in units:
        chain = [c for c in path.strip("/").split("/") if c]
        result[code] = next((c for c in reversed(chain) if is_region.get(c)), chain[0] if chain else code)
    return result


def export_snapshot(folder: Path, as_of: dt.date | None = None) -> dict[str, int]:
    """Write every table of the analysis contract (jianfu.analysis.schema) as Parquet; return row counts.

    With ``as_of``, only carriers active on that day (registry.lifecycle) are written, with their members and
    fields: a cancelled or merged carrier is neither detected nor costed from its effective date on.
    """
    folder.mkdir(parents=True, exist_ok=True)
    units = list(Unit.objects.values_list("code", "name", "parent__code", "level", "unit_type", "is_region", "path"))
    regions = _region_codes(units)
    sources = {
        "units": [(c, n, p, lv, t, regions[c], path) for c, n, p, lv, t, _, path in units],
        "people": Person.objects.values_list(*_lookups("people")).iterator(chunk_size=20000),
        "apps": _active(App, as_of).values_list(*_lookups("apps")).iterator(chunk_size=5000),
        "accounts": _active(PublicAccount, as_of).values_list(*_lookups("accounts")).iterator(chunk_size=5000),
        "groups": _active(WorkGroup, as_of).values_list(*_lookups("groups")).iterator(chunk_size=20000),
        "members": _member_rows(as_of),
        "forms": _active(Form, as_of).values_list(*_lookups("forms")).iterator(chunk_size=5000),
        "fields": FormField.objects.filter(active_q(Form, as_of, "form__") if as_of else Q())
        .values_list(*_lookups("fields"))
        .iterator(chunk_size=20000),
        "elements": _element_rows(),
        "field_elements": FieldMapping.objects.filter(confirmed=True)
        .filter(active_q(Form, as_of, "field__form__") if as_of else Q())
        .values_list("field__form__code", "field__position", "element__code")
        .iterator(chunk_size=20000),
    }
    # Each source yields its columns in the contract's order; the contract's schema types them.
    return {table: _write(folder / f"{table}.parquet", SCHEMAS[table], rows) for table, rows in sources.items()}


def _lookups(table: str) -> list[str]:
    """The contract table's columns as the registry's field lookups: a column ``owner_code`` is ``owner__code``."""
    return [name.removesuffix("_code") + "__code" if name.endswith("_code") else name for name in SCHEMAS[table].names]


def _element_rows():
    """The active catalog (一表通) with each element's region path ('/' for the installation's own)."""
    for code, name, synonyms, data_type, unit, path in (
        DataElement.objects.filter(status=DataElement.Status.ACTIVE)
        .values_list("code", "name", "synonyms", "data_type", "unit", "region__path")
        .iterator(chunk_size=20000)
    ):
        yield code, name, list(synonyms or []), data_type or None, unit or None, path or "/"


def _active(model, as_of: dt.date | None):
    return model.objects.filter(active_q(model, as_of)) if as_of else model.objects.all()


def _member_rows(as_of: dt.date | None = None):
    members, groups, people = Membership._meta.db_table, WorkGroup._meta.db_table, Person._meta.db_table
    where, params = "", []
    if as_of:
        # The same rule as registry.lifecycle.active_q, in SQL: begun by as_of, not ended on or before it.
        where = (
            "WHERE (g.created_date IS NULL OR g.created_date <= %s) "
            "AND NOT (g.status <> 'active' AND g.status_date IS NOT NULL AND g.status_date <= %s)"
        )
        params = [as_of, as_of]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.code, p.code FROM {members} m JOIN {groups} g ON g.id = m.group_id "
            f"JOIN {people} p ON p.id = m.person_id {where}",
            params,
        )
        while rows := cursor.fetchmany(BATCH_ROWS):
            yield from rows


def _write(path: Path, schema: pa.Schema, rows) -> int:
    total = 0
    with pq.ParquetWriter(path, schema) as writer:
        buffer: list[tuple] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= BATCH_ROWS:
                writer.write_table(_table(buffer, schema))
                total += len(buffer)
                buffer = []
        if buffer or total == 0:
            writer.write_table(_table(buffer, schema))
            total += len(buffer)
    return total


def _table(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows)) if rows else [[] for _ in schema]
    arrays = []
    for values, field in zip(columns, schema):
        if pa.types.is_date(field.type):
            values = [v.date() if isinstance(v, dt.datetime) else v for v in values]
        arrays.append(pa.array(list(values), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
