"""One writer per import kind: validate a parsed sheet's rows against the registry, plan the writes, then
write them (codes upserted in chunks, units parents first, members in transactions of MEMBER_CHUNK rows)."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts import scope as region_scope

from jianfu.ingest import CellError
from jianfu.ingest.errors import Problem
from jianfu.ingest.parse import ParsedSheet
from jianfu.ingest.values import hash_phone, mask_phone
from jianfu.registry import search
from jianfu.registry.models import App, Form, FormField, ImportBatch, Membership, Person, PublicAccount, Unit, WorkGroup
from jianfu.registry.importing.maintenance import _beat_batch, refresh_member_counts

if TYPE_CHECKING:
    from jianfu.registry.importing.session import FileResult, _ImportSession

CHUNK = 5000
_KIND_LABELS = {"units": "单位", "people": "人员", "groups": "工作群", "forms": "报表", "elements": "数据元"}
MEMBER_CHUNK = 20000  # rows per members transaction: about a second of write lock on SQLite


@dataclass
class _PreparedChunk:
    """One chunk of a coded file as SQL parameters, ready to write."""

    insert_columns: list[str] = field(default_factory=list)
    inserts: list[list] = field(default_factory=list)
    update_columns: list[str] = field(default_factory=list)
    updates: list[list] = field(default_factory=list)
    created_codes: list = field(default_factory=list)
    silent: int = 0  # updates that change only silent fields, reported as unchanged


class _Writer:
    """Validates references and writes one kind; errors collected here are about references, not cell shapes."""

    kind: str

    def __init__(self, session: _ImportSession, batch: ImportBatch, result: FileResult):
        self.session = session
        self.batch = batch
        self.result = result
        self.errors: list[CellError] = []
        self.codes_seen: set[str] = set()
        self.sheet: ParsedSheet | None = None
        self.planned: list[Callable[[], None]] = []  # the writes, run only once the whole file is valid

    def plan(self, step: Callable, *args) -> None:
        self.planned.append(lambda: step(*args))

    def write_planned(self) -> None:
        """Run the planned writes and finish() in one transaction: the file is written whole or not at all."""
        with transaction.atomic():
            for step in self.planned:
                step()
            self.finish()
            if self.planned:  # the ?q= index of every object the file created or changed (they carry its batch)
                search.reindex_batch(getattr(self, "model", None), self.batch.id)
        self.planned.clear()

    @property
    def failed(self) -> bool:
        return bool(self.errors) or (self.sheet is not None and self.sheet.error_total > 0)

    def ref_error(self, row: int, column_field: str, value: object, expected: str | Problem) -> None:
        assert self.sheet is not None
        written = self.sheet.header.columns.get(column_field, (0, column_field))[1]
        self.errors.append(CellError(self.sheet.file_name, self.sheet.sheet_name, row, written, str(value), expected))

    def resolve(self, kind: str, code: str, row: int, column_field: str, label: str) -> int | None:
        rejected_in = self.session.rejected_codes.get(kind, {}).get(code)
        if rejected_in:
            self.ref_error(
                row,
                column_field,
                code,
                Problem("引用的%(label)s在被拒绝的文件「%(file)s」中，本文件一并拒绝", label=label, file=rejected_in),
            )
            return None
        found = self.session.ids(kind).get(code)
        if found is None:
            self.ref_error(
                row,
                column_field,
                code,
                Problem(
                    "找不到此%(label)s（应为已导入或本次导入的%(kind_label)s编码）",
                    label=label,
                    kind_label=_KIND_LABELS[kind],
                ),
            )
            return None
        if kind == "units" and not self.in_scope(found):
            self.ref_error(row, column_field, code, "该单位不在您的管辖范围内")
            return None
        return found

    def in_scope(self, unit_id: int) -> bool:
        scope = self.session.scope
        return scope is None or self.session.unit_paths().get(unit_id, "").startswith(scope.path)

    def consume(self, sheet: ParsedSheet) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


class _CodedWriter(_Writer):
    """Upsert of objects identified by their code: create new codes, update changed rows, leave equal rows alone."""

    model: type
    key_field = "code"
    # Fields written but never reported as a change: the report must not tell whether a value matched.
    silent_fields: tuple[str, ...] = ()

    def to_values(self, row: int, record: dict) -> dict | None:
        raise NotImplementedError

    def key_of(self, values: dict):
        return values["code"]

    def consume(self, sheet: ParsedSheet) -> None:
        self.sheet = sheet
        seen_rows: dict = {}
        pending: list[tuple[int, dict]] = []
        for row, record in sheet.records():
            self.result.rows += 1
            if "code" in record:
                self.codes_seen.add(record["code"])
            values = self.to_values(row, record)
            if values is None:
                continue
            key = self.key_of(values)
            if key in seen_rows:
                self.ref_error(
                    row,
                    self.key_field,
                    record.get(self.key_field, key),
                    Problem("编号重复：与第 %(row)d 行相同", row=seen_rows[key]),
                )
                continue
            seen_rows[key] = row
            if self.failed:
                continue  # keep validating for the report, but stop writing
            pending.append((row, values))
            if len(pending) >= CHUNK:
                self.plan(self.apply, self.prepare(pending))
                pending = []
            self.tick()
        if pending and not self.failed:
            self.plan(self.apply, self.prepare(pending))

    def tick(self) -> None:
        if self.session.progress and self.result.rows % 1000 == 0:
            self.session.progress(self.kind, 1000)

    def existing(self, keys: list) -> dict:
        fields = ["id", *self.compared_fields()]
        return {row["code"]: row for row in self.model.objects.filter(code__in=keys).values(*fields)}

    def compared_fields(self) -> list[str]:
        return [
            f.attname
            for f in self.model._meta.concrete_fields
            if f.attname not in ("id", "created_at", "updated_at", "batch_id")
        ]

    def write(self, pending: list[tuple[int, dict]]) -> None:
        keys = [self.key_of(values) for _, values in pending]
        current = self.existing(keys)
        now = timezone.now()
        create, update, silent = [], [], 0
        for _row, values in pending:
            old = current.get(self.key_of(values))
            if old is None:
                create.append(self.model(**values, batch_id=self.batch.id))
            elif any(old[name] != values[name] for name in values):
                update.append(self.model(id=old["id"], **values, batch_id=self.batch.id, updated_at=now))
                silent += all(old[name] == values[name] for name in values if name not in self.silent_fields)
            else:
                self.result.unchanged += 1
        if create:
            self.model.objects.bulk_create(create, batch_size=1000)
            self.result.created += len(create)
            self.after_create([o.code for o in create])
        if update:
            self.model.objects.bulk_update(update, [*pending[0][1].keys(), "batch_id", "updated_at"], batch_size=500)
            self.result.updated += len(update) - silent
            self.result.unchanged += silent

    def claims_outside_scope(self, pending: list[tuple[int, dict]], current: dict) -> bool:
        """Whether a row reuses the code of an object outside the uploader's region (it would move it in)."""
        if self.session.scope is None or not current:
            return False
        ids = {row["id"] for row in current.values()}
        inside = set(
            region_scope.within_unit(self.model, self.session.scope).filter(id__in=ids).values_list("id", flat=True)
        )
        if inside == ids:
            return False
        for row, values in pending:
            old = current.get(self.key_of(values))
            if old is not None and old["id"] not in inside:
                self.ref_error(row, self.key_field, self.key_of(values), _("该编号已被您管辖范围以外的对象使用"))
        return True

    def after_create(self, codes: list[str]) -> None:
        """Keep the session's code → id map current so later files can reference new objects."""
        cache_kind = {Person: "people", WorkGroup: "groups", Form: "forms", Unit: "units"}.get(self.model)
        if cache_kind and cache_kind in self.session._ids:
            created = self.model.objects.filter(code__in=codes).values_list("code", "id")
            self.session._ids[cache_kind].update(created)

    def prepare(self, pending: list[tuple[int, dict]]) -> _PreparedChunk:
        """Compare a chunk with the stored rows and turn it into SQL parameters: reads only, so on SQLite it runs
        without the write lock, and the lock is later held just for `apply`'s statements."""
        keys = [self.key_of(values) for _, values in pending]
        current = self.existing(keys)
        now = timezone.now()
        chunk = _PreparedChunk()
        if self.claims_outside_scope(pending, current):
            return chunk  # the file is refused; nothing of it will be written
        meta = self.model._meta
        insert_fields = [f for f in meta.concrete_fields if not f.primary_key]
        for _row, values in pending:
            old = current.get(self.key_of(values))
            if old is None:
                row = self.model(**values, batch_id=self.batch.id)
                chunk.inserts.append([f.get_db_prep_save(f.pre_save(row, True), connection) for f in insert_fields])
                chunk.created_codes.append(values.get("code"))
            elif any(old[name] != values[name] for name in values):
                # A change only in fields like the phone hash is stored but reported as unchanged (no oracle).
                chunk.silent += all(old[name] == values[name] for name in values if name not in self.silent_fields)
                row = self.model(id=old["id"], **values, batch_id=self.batch.id, updated_at=now)
                fields = [meta.get_field(name) for name in [*values, "batch_id", "updated_at"]]
                chunk.update_columns = [f.column for f in fields]
                chunk.updates.append(
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [old["id"]]
                )
            else:
                self.result.unchanged += 1
        chunk.insert_columns = [f.column for f in insert_fields]
        return chunk

    def apply(self, chunk: _PreparedChunk) -> None:
        """Write a prepared chunk: plain multi-row statements, no per-row ORM work while the lock is held."""
        quote, table = connection.ops.quote_name, connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            if chunk.inserts:
                columns = ", ".join(quote(c) for c in chunk.insert_columns)
                marks = ", ".join(["%s"] * len(chunk.insert_columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", chunk.inserts)
                self.result.created += len(chunk.inserts)
            if chunk.updates:
                assignments = ", ".join(f"{quote(c)} = %s" for c in chunk.update_columns)
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", chunk.updates)
                self.result.updated += len(chunk.updates) - chunk.silent
                self.result.unchanged += chunk.silent
        if chunk.created_codes and chunk.created_codes[0] is not None:
            self.after_create(chunk.created_codes)


class _UnitWriter(_CodedWriter):
    kind = "units"
    model = Unit

    def consume(self, sheet: ParsedSheet) -> None:
        # Units reference each other: read the whole file, then write parents before children.
        self.sheet = sheet
        records = self._read_records(sheet)
        known = self.session.ids("units")
        order = self._parents_first(records)
        self._check_parents(records, order, known)
        if self.session.scope is not None:
            self._check_scope(records, order, known)
        if self.failed:
            return
        self.plan(self.write_levels, *self._by_depth(records, order))
        self.tick()

    def _read_records(self, sheet: ParsedSheet) -> dict[str, tuple[int, dict]]:
        """Code → (row, record); a code met again is an error on its later row."""
        records: dict[str, tuple[int, dict]] = {}
        for row, record in sheet.records():
            self.result.rows += 1
            code = record["code"]
            self.codes_seen.add(code)
            if code in records:
                self.ref_error(row, "code", code, Problem("编码重复：与第 %(row)d 行相同", row=records[code][0]))
                continue
            records[code] = (row, record)
        return records

    def _parents_first(self, records: dict[str, tuple[int, dict]]) -> list[str]:
        """The file's codes with every parent the file holds before its children; a cycle is an error."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(code: str) -> bool:
            if state.get(code) == 2:
                return True
            if state.get(code) == 1:
                return False
            state[code] = 1
            row, record = records[code]
            parent = record.get("parent_code")
            if parent and parent in records and not visit(parent):
                self.ref_error(row, "parent_code", parent, "上级编码形成循环")
                state[code] = 2
                return True
            state[code] = 2
            order.append(code)
            return True

        for code in records:
            visit(code)
        return order

    def _check_parents(self, records: dict[str, tuple[int, dict]], order: list[str], known: dict[str, int]) -> None:
        """Each parent is in this file or already imported, and is not the unit itself."""
        for code in order:
            row, record = records[code]
            parent = record.get("parent_code")
            if parent and parent not in records and parent not in known:
                rejected_in = self.session.rejected_codes.get("units", {}).get(parent)
                why = (
                    Problem("上级单位在被拒绝的文件「%(file)s」中", file=rejected_in)
                    if rejected_in
                    else "找不到此上级单位（应在本文件或已导入的单位中）"
                )
                self.ref_error(row, "parent_code", parent, why)
            if parent == code:
                self.ref_error(row, "parent_code", parent, "上级编码不能是自身")

    def _check_scope(self, records: dict[str, tuple[int, dict]], order: list[str], known: dict[str, int]) -> None:
        """An uploader with a region hangs units only under units of that region, and adds no top-level unit."""
        for code in order:
            row, record = records[code]
            parent = record.get("parent_code")
            if parent in known and not self.in_scope(known[parent]):
                self.ref_error(row, "parent_code", parent, "该上级单位不在您的管辖范围内")
            elif not parent and code not in known:
                self.ref_error(row, "parent_code", "", "只有系统管理员可以导入顶级单位")
        if records:
            # A code already used outside the uploader's region would move that unit into it.
            self.claims_outside_scope(list(records.values()), self.existing(list(records)))

    def _by_depth(
        self, records: dict[str, tuple[int, dict]], order: list[str]
    ) -> tuple[dict[int, list[tuple[int, dict]]], dict[str, str]]:
        """The rows grouped by depth in the tree, parents first, and the path of every unit the file names."""
        paths = {
            u.code: u.path
            for u in Unit.objects.filter(
                code__in=[r["parent_code"] for _, r in records.values() if r.get("parent_code")]
            ).only("code", "path")
        }
        ordered: list[tuple[int, dict]] = []
        for code in order:
            row, record = records[code]
            parent = record.get("parent_code")
            paths[code] = (paths[parent] if parent else "/") + code + "/"
            ordered.append((row, record))
        # Parents first, one level at a time, so each child's parent id exists when it is written.
        by_depth: dict[int, list[tuple[int, dict]]] = {}
        for row, record in ordered:
            by_depth.setdefault(paths[record["code"]].count("/"), []).append((row, record))
        return by_depth, paths

    def write_levels(self, by_depth: dict[int, list[tuple[int, dict]]], paths: dict[str, str]) -> None:
        for depth in sorted(by_depth):
            level_ids = self.session.ids("units")
            chunk = []
            for row, record in by_depth[depth]:
                parent = record.get("parent_code")
                chunk.append(
                    (
                        row,
                        {
                            "code": record["code"],
                            "name": record["name"],
                            "level": record["level"],
                            "level_word": record.get("level_word") or "",
                            "unit_type": record.get("unit_type") or "",
                            "parent_id": level_ids[parent] if parent else None,
                            "is_region": is_region(record["code"]),
                            "path": paths[record["code"]],
                        },
                    )
                )
            for start in range(0, len(chunk), CHUNK):
                self.write(chunk[start : start + CHUNK])
            self.session._ids["units"].update(
                Unit.objects.filter(code__in=[r["code"] for _, r in by_depth[depth]]).values_list("code", "id")
            )

    def finish(self) -> None:
        if self.failed:
            return
        _repair_unit_paths()
        self.session._unit_paths = None


_DIVISION_SEGMENTS = (2, 2, 2, 3, 3)  # province, city, county, township, village


def is_region(code: str) -> bool:
    """A 12-digit statistical division code: once a segment is zero, every later one is zero too.

    Regions are typed 党政机关 as often as departments are, so the type cannot tell them apart; a
    department's code (any unique code) is a region code only by accident, and then rarely well-formed.
    """
    if not re.fullmatch(r"\d{12}", code):
        return False
    segments, start = [], 0
    for width in _DIVISION_SEGMENTS:
        segments.append(int(code[start : start + width]))
        start += width
    if segments[0] == 0:
        return False
    seen_zero = False
    for value in segments:
        if value == 0:
            seen_zero = True
        elif seen_zero:
            return False
    return True


def _repair_unit_paths() -> None:
    """A unit moved under another parent moves its whole subtree: recompute every path from the parents."""
    rows = list(Unit.objects.values_list("id", "code", "parent_id", "path"))
    by_id = {r[0]: r for r in rows}
    computed: dict[int, str] = {}

    def path_of(uid: int) -> str:
        if uid not in computed:
            _, code, parent_id, _ = by_id[uid]
            computed[uid] = (path_of(parent_id) if parent_id else "/") + code + "/"
        return computed[uid]

    stale = [Unit(id=uid, path=path_of(uid)) for uid, _, _, path in rows if path_of(uid) != path]
    if stale:
        Unit.objects.bulk_update(stale, ["path"], batch_size=500)


class _PersonWriter(_CodedWriter):
    kind = "people"
    model = Person
    # "Unchanged" for a row differing only by its phone would confirm a guessed number (10,000 candidates
    # behind a masked one); a new phone is stored, but the row counts as unchanged either way.
    silent_fields = ("phone_hash", "phone_masked")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = settings.PHONE_HASH_KEY

    def to_values(self, row: int, record: dict) -> dict | None:
        unit_id = self.resolve("units", record["unit_code"], row, "unit_code", "单位")
        if unit_id is None:
            return None
        phone = record.get("phone")
        return {
            "code": record["code"],
            "name": record["name"],
            "unit_id": unit_id,
            "post": record.get("post") or "",
            "phone_hash": hash_phone(phone, self.key) if phone else "",
            "phone_masked": mask_phone(phone) if phone else "",
        }

    def finish(self) -> None:
        self.session._people_by_phone = None


class _AppWriter(_CodedWriter):
    kind = "apps"
    model = App

    def to_values(self, row: int, record: dict) -> dict | None:
        owner_id = self.resolve("units", record["owner_code"], row, "owner_code", "主管单位")
        if owner_id is None:
            return None
        registered, active = record.get("registered_users"), record.get("monthly_active_users")
        if registered is not None and active is not None and active > registered:
            self.ref_error(
                row,
                "monthly_active_users",
                active,
                Problem("月活跃用户数不应大于注册用户数（%(registered)s）", registered=registered),
            )
            return None
        return {
            "code": record["code"],
            "name": record["name"],
            "category": record["category"],
            "owner_id": owner_id,
            "launch_date": record.get("launch_date"),
            "last_update": record.get("last_update"),
            "registered_users": registered,
            "monthly_active_users": active,
            "functions": record.get("functions") or [],
            "forced_features": record.get("forced_features") or [],
            "description": record.get("description") or "",
            **status_values(record),
        }


class _AccountWriter(_CodedWriter):
    kind = "accounts"
    model = PublicAccount

    def to_values(self, row: int, record: dict) -> dict | None:
        owner_id = self.resolve("units", record["owner_code"], row, "owner_code", "主办单位")
        if owner_id is None:
            return None
        return {
            "code": record["code"],
            "name": record["name"],
            "platform": record["platform"],
            "owner_id": owner_id,
            "opened_date": record.get("opened_date"),
            "last_post": record.get("last_post"),
            "followers": record.get("followers"),
            "posts_30d": record.get("posts_30d"),
            "assessments": record.get("assessments") or [],
            **status_values(record),
        }


class _GroupWriter(_CodedWriter):
    kind = "groups"
    model = WorkGroup

    def compared_fields(self) -> list[str]:
        return [f for f in super().compared_fields() if f != "member_count"]

    def to_values(self, row: int, record: dict) -> dict | None:
        owner_id = self.resolve("units", record["owner_code"], row, "owner_code", "主管单位")
        person_id = None
        if record.get("owner_person_code"):
            person_id = self.resolve("people", record["owner_person_code"], row, "owner_person_code", "群主")
            if person_id is None:
                return None
        if owner_id is None:
            return None
        return {
            "code": record["code"],
            "name": record["name"],
            "platform": record["platform"],
            "owner_person_id": person_id,
            "owner_id": owner_id,
            "created_date": record.get("created_date"),
            "nature": record["nature"],
            "task_end_date": record.get("task_end_date"),
            "last_active": record.get("last_active"),
            "messages_30d": record.get("messages_30d"),
            "purpose": record.get("purpose") or "",
            "demands": record.get("demands") or [],
            **status_values(record),
        }


class _FormWriter(_CodedWriter):
    kind = "forms"
    model = Form

    def to_values(self, row: int, record: dict) -> dict | None:
        issuer_id = self.resolve("units", record["issuer_code"], row, "issuer_code", "发文单位")
        if issuer_id is None:
            return None
        return {
            "code": record["code"],
            "title": record["title"],
            "issuer_id": issuer_id,
            "respondent_level": record.get("respondent_level") or "",
            "frequency": record["frequency"],
            "channel": record.get("channel") or "",
            "minutes_per_filing": record.get("minutes_per_filing"),
            **status_values(record),
        }


def status_values(record: dict) -> dict:
    """The optional 状态 / 注销日期 columns (issue 14): written only when the file has them, so a re-import of an
    inventory without them leaves a status set by a decision alone. A cancelled carrier without a date is
    cancelled as of the import day; one made active again loses its date. (Every row of a file gives the same
    keys: the importer writes a chunk with one UPDATE statement.)"""
    if "status" not in record:
        return {}
    status = record["status"]
    day = None if status == "active" else (record.get("status_date") or timezone.localdate())
    return {"status": status, "status_date": day}


class _FieldWriter(_CodedWriter):
    kind = "fields"
    model = FormField
    key_field = "position"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._form_scope: dict[int, bool] = {}

    def key_of(self, values: dict):
        return (values["form_id"], values["position"])

    def to_values(self, row: int, record: dict) -> dict | None:
        form_id = self.resolve("forms", record["form_code"], row, "form_code", "报表")
        if form_id is None:
            return None
        if not self.form_in_scope(form_id):
            self.ref_error(row, "form_code", record["form_code"], "该报表不在您的管辖范围内")
            return None
        return {
            "form_id": form_id,
            "position": record["position"],
            "name": record["name"],
            "note": record.get("note") or "",
            "data_type": record.get("data_type") or "",
            "unit": record.get("unit") or "",
        }

    def form_in_scope(self, form_id: int) -> bool:
        if self.session.scope is None:
            return True
        # One look-up per form, not per field row: a form's fields sit together in the file.
        if form_id not in self._form_scope:
            self._form_scope[form_id] = Form.objects.filter(
                id=form_id, issuer__path__startswith=self.session.scope.path
            ).exists()
        return self._form_scope[form_id]

    def existing(self, keys: list) -> dict:
        form_ids = {k[0] for k in keys}
        rows = FormField.objects.filter(form_id__in=form_ids).values("id", *self.compared_fields())
        return {(r["form_id"], r["position"]): r for r in rows}


class _MemberWriter(_Writer):
    """Memberships are added in bulk with raw multi-row inserts; a members file adds, it never removes."""

    kind = "members"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = settings.PHONE_HASH_KEY
        self.touched_groups: set[int] = set()
        self.chunks: list[array] = []  # validated (group id, person id) pairs, written once the file is valid
        self.inserted = 0
        self.table = Membership._meta.db_table

    def consume(self, sheet: ParsedSheet) -> None:
        self.sheet = sheet
        groups = self.session.ids("groups")
        people = self.session.ids("people")
        rejected_groups = self.session.rejected_codes.get("groups", {})
        rejected_people = self.session.rejected_codes.get("people", {})
        scope_path = self.session.scope.path if self.session.scope else None
        group_paths = self._group_paths() if scope_path else {}
        pending = array("q")  # group id, person id pairs, flat: a million rows in 16 MB, not 150 MB of tuples
        for row, record in sheet.records():
            self.result.rows += 1
            group_code = record["group_code"]
            group_id = groups.get(group_code)
            if group_id is None or group_code in rejected_groups:
                self._missing(row, "group_code", group_code, rejected_groups, "工作群")
                continue
            if scope_path and not group_paths.get(group_id, "").startswith(scope_path):
                self.ref_error(row, "group_code", group_code, "该工作群不在您的管辖范围内")
                continue
            person_code = record.get("person_code")
            if person_code:
                person_id = people.get(person_code)
                if person_id is None or person_code in rejected_people:
                    self._missing(row, "person_code", person_code, rejected_people, "人员")
                    continue
            else:
                person_id = self._by_name_and_phone(row, record)
                if person_id is None:
                    continue
            if self.errors or sheet.error_total:
                continue
            pending.extend((group_id, person_id))
            if len(pending) >= 2 * MEMBER_CHUNK:
                self._plan_chunk(pending)
                pending = array("q")
        if pending and not self.failed:
            self._plan_chunk(pending)

    def _plan_chunk(self, pending: array) -> None:
        self.chunks.append(pending)
        if self.session.progress:
            self.session.progress(self.kind, len(pending) // 2)

    def write_planned(self) -> None:
        """One short transaction per chunk, so the write lock is never held for long; if a chunk fails the caller
        undoes the chunks before it (`abandon_batch`), and a dead process's chunks are undone by the reaper."""
        batch_id = self.batch.id
        while self.chunks:
            flat = self.chunks.pop(0)
            pairs = iter(flat)
            # Sorted in index order, so neighbouring inserts touch the same B-tree pages; done before the lock.
            rows = [(group_id, person_id, batch_id) for group_id, person_id in sorted(zip(pairs, pairs))]
            with transaction.atomic():
                self._insert(rows)
            _beat_batch(batch_id)
        with transaction.atomic():
            self.finish()

    def _missing(self, row: int, column_field: str, code: str, rejected: dict[str, str], label: str) -> None:
        if code in rejected:
            self.ref_error(
                row,
                column_field,
                code,
                Problem(
                    "引用的%(label)s在被拒绝的文件「%(file)s」中，本文件一并拒绝", label=label, file=rejected[code]
                ),
            )
        else:
            self.ref_error(
                row,
                column_field,
                code,
                Problem("找不到此%(label)s（应为已导入或本次导入的%(kind_label)s编号）", label=label, kind_label=label),
            )

    def _by_name_and_phone(self, row: int, record: dict) -> int | None:
        self.result.phone_lookups += 1
        key = (record["name"], hash_phone(record["phone"], self.key))
        index = self.session.people_by_phone()
        if key not in index:
            self.ref_error(row, "name", record["name"], "找不到姓名和手机号都匹配的人员")
            return None
        if index[key] is None:
            self.ref_error(row, "name", record["name"], "姓名和手机号匹配到多名人员，请改用人员编号")
            return None
        return index[key]

    def _group_paths(self) -> dict[int, str]:
        return dict(WorkGroup.objects.values_list("id", "owner__path"))

    def _insert(self, pending: list[tuple[int, int, int]]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY into a transaction-local table, then one set-based insert: far fewer round trips
                # than a parameterised insert per row.
                raw = cursor.cursor
                raw.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS jianfu_member_load "
                    "(group_id bigint, person_id bigint, batch_id bigint) ON COMMIT DROP"
                )
                raw.execute("TRUNCATE jianfu_member_load")
                with raw.copy("COPY jianfu_member_load (group_id, person_id, batch_id) FROM STDIN") as copy:
                    for row in pending:
                        copy.write_row(row)
                raw.execute(
                    f"INSERT INTO {self.table} (group_id, person_id, batch_id) "
                    "SELECT group_id, person_id, batch_id FROM jianfu_member_load "
                    "ON CONFLICT (group_id, person_id) DO NOTHING"
                )
                self.inserted += raw.rowcount
            else:
                cursor.executemany(
                    f"INSERT INTO {self.table} (group_id, person_id, batch_id) VALUES (%s, %s, %s) "
                    "ON CONFLICT (group_id, person_id) DO NOTHING",
                    pending,
                )
                self.inserted += cursor.rowcount  # sqlite3 sums the rows each execution inserted
        self.touched_groups.update(p[0] for p in pending)

    def finish(self) -> None:
        if self.failed:
            return
        self.result.created = self.inserted
        self.result.unchanged = self.result.rows - self.result.created
        refresh_member_counts(self.touched_groups)


def writer_for(kind: str) -> type[_Writer]:
    """The writer of a kind; the catalog kinds of 一表通 live in their own app."""
    if kind in ("elements", "values"):
        from jianfu.elements.importing import WRITERS

        return WRITERS[kind]
    return _WRITERS[kind]


_WRITERS: dict[str, type[_Writer]] = {
    "units": _UnitWriter,
    "people": _PersonWriter,
    "apps": _AppWriter,
    "accounts": _AccountWriter,
    "groups": _GroupWriter,
    "members": _MemberWriter,
    "forms": _FormWriter,
    "fields": _FieldWriter,
}
