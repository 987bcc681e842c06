"""Import inventories into the registry: all-or-nothing per file, idempotent by code.

Each file is first read, validated and planned without writing (on SQLite: without the write lock, so the web
app keeps answering); only a file with no error is then written, in one short transaction (members: in
transactions of MEMBER_CHUNK rows, undone as a whole if the import fails or its process dies).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts import scope as region_scope

from jianfu.ingest import CellError, KIND_ORDER, open_inventory
from jianfu.ingest.parse import Inventory, resolve_kind
from jianfu.ingest.readers import SUPPORTED_SUFFIXES, UnreadableFile, file_sha256
from jianfu.liveness import this_host
from jianfu.registry import phone_lookups
from jianfu.registry.models import (
    Form,
    ImportBatch,
    Person,
    Unit,
    WorkGroup,
)
from jianfu.registry.importing.maintenance import abandon_batch, refresh_planner_statistics
from jianfu.registry.importing.writers import _Writer, writer_for

log = logging.getLogger("jianfu.import")
Progress = Callable[[str, int], None]


@dataclass
class FileResult:
    path: Path
    kind: str | None
    status: str
    batch_id: int | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    error_total: int = 0
    sha256: str = ""
    phone_lookups: int = 0  # rows matched to a person by name + phone (counted against the daily limit)

    @property
    def accepted(self) -> bool:
        return self.status in (ImportBatch.Status.ACCEPTED, ImportBatch.Status.DRY_RUN)

    def batch_outcome(self) -> dict:
        """The ImportBatch columns this result fills in when the file is done."""
        return {
            "status": self.status,
            "finished_at": timezone.now(),
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_total,
            "errors": [e.as_record() for e in self.errors],
        }


@dataclass
class ImportReport:
    files: list[FileResult]

    @property
    def ok(self) -> bool:
        return all(f.accepted for f in self.files)


class _Rejected(Exception):
    """Raised inside a dry run's transaction to roll it back."""


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(("~$", "."))
            )
        else:
            found.append(path)
    return found


def import_paths(
    paths: Iterable[Path | str],
    *,
    kind: str | None = None,
    dry_run: bool = False,
    actor: str = "cli",
    scope: Unit | None = None,
    progress: Progress | None = None,
    user=None,
) -> ImportReport:
    """Import files (or folders) in dependency order; a file referencing a rejected file's objects is rejected too.

    `user` is the officer behind the import: their name + phone lookups are capped per 24 hours. Without one (the
    installation's own command line, which holds the phone key anyway) lookups are audited but not capped.
    """
    forced_kind = resolve_kind(kind)
    inventories: list[Inventory] = []
    results: list[FileResult] = []
    for path in expand_paths(paths):
        if not path.exists():
            results.append(_reject_unopened(path, "文件不存在", actor))
            continue
        inventory = open_inventory(path, forced_kind)
        if inventory.file_errors:
            results.append(_record_unopened(path, inventory.file_errors, actor))
            continue
        inventories.append(inventory)
    inventories.sort(key=lambda inv: (KIND_ORDER.index(inv.kind), str(inv.path)))
    session = _ImportSession(actor=actor, dry_run=dry_run, scope=scope, progress=progress, user=user)
    if not dry_run:
        results.extend(session.import_inventory(inventory) for inventory in inventories)
        refresh_planner_statistics({r.kind for r in results if r.status == ImportBatch.Status.ACCEPTED and r.created})
        return ImportReport(results)
    # A dry run imports every file for real inside one outer transaction, so later files can see earlier
    # ones, then rolls it all back and keeps only the batch records.
    checked: list[FileResult] = []
    try:
        with transaction.atomic():
            checked.extend(session.import_inventory(inventory) for inventory in inventories)
            raise _Rejected
    except _Rejected:
        pass
    for result in checked:
        session.settle_phone_lookups(result)  # after the rollback, so the tally and its audit row stay
        result.batch_id = ImportBatch.objects.create(
            actor=actor,
            file_name=result.path.name,
            sha256=result.sha256,
            kind=result.kind or "",
            unit_scope=scope,
            **_owner_fields(),
            **result.batch_outcome(),
        ).id
    return ImportReport(results + checked)


def _reject_unopened(path: Path, reason: str, actor: str) -> FileResult:
    return _record_unopened(path, [CellError(path.name, "", None, "", "", reason)], actor)


def _owner_fields() -> dict:
    """Which process writes a batch, so a batch left running by a killed import can be reaped."""
    return {"host": this_host(), "pid": os.getpid(), "heartbeat": timezone.now()}


def _record_unopened(path: Path, errors: list[CellError], actor: str) -> FileResult:
    sha = file_sha256(path) if path.exists() else ""
    batch = ImportBatch.objects.create(
        actor=actor,
        file_name=path.name,
        sha256=sha,
        status=ImportBatch.Status.REJECTED,
        **_owner_fields(),
        error_count=len(errors),
        errors=[e.as_record() for e in errors],
        finished_at=timezone.now(),
    )
    return FileResult(path, None, ImportBatch.Status.REJECTED, batch.id, errors=errors, error_total=len(errors))


class _ImportSession:
    """State shared by the files of one import call: code → id maps and the codes of rejected files."""

    def __init__(self, *, actor: str, dry_run: bool, scope: Unit | None, progress: Progress | None, user=None):
        self.actor = actor
        self.user = user
        self.dry_run = dry_run
        self.scope = scope
        self.progress = progress
        self.rejected_codes: dict[str, dict[str, str]] = {}
        self._ids: dict[str, dict[str, int]] = {}
        self._unit_paths: dict[int, str] | None = None
        self._people_by_phone: dict[tuple[str, str], int | None] | None = None

    # -- lookups ---------------------------------------------------------------------------------------
    def ids(self, kind: str) -> dict[str, int]:
        if kind not in self._ids:
            model = {"units": Unit, "people": Person, "groups": WorkGroup, "forms": Form}[kind]
            self._ids[kind] = dict(model.objects.values_list("code", "id").iterator(chunk_size=20000))
        return self._ids[kind]

    def unit_paths(self) -> dict[int, str]:
        if self._unit_paths is None:
            self._unit_paths = dict(Unit.objects.values_list("id", "path"))
        return self._unit_paths

    def people_by_phone(self) -> dict[tuple[str, str], int | None]:
        """(name, phone hash) → person id among the people the uploader may see: a match outside the region must
        look exactly like no match, or the report would confirm phone numbers of people the officer cannot see."""
        if self._people_by_phone is None:
            index: dict[tuple[str, str], int | None] = {}
            people = region_scope.within_unit(Person, self.scope).exclude(phone_hash="")
            for pid, name, phone_hash in people.values_list("id", "name", "phone_hash"):
                key = (name, phone_hash)
                index[key] = None if key in index else pid  # None marks an ambiguous name + phone
            self._people_by_phone = index
        return self._people_by_phone

    # -- name + phone lookups -----------------------------------------------------------------------------
    def charge_phone_lookups(self, result: FileResult) -> bool:
        """Count the file's name + phone lookups against the user's daily limit; True when they fit (or no limit)."""
        if not result.phone_lookups:
            return True
        username = getattr(self.user, "username", None)
        limit = phone_lookups.daily_limit() if username else None
        granted = phone_lookups.charge(username or self.actor, result.phone_lookups, limit=limit)
        if granted:
            self._audit_phone_lookups(result, granted=True)
        return granted

    def refuse_phone_lookups(self, result: FileResult) -> None:
        """Over the limit: the file's row-by-row outcome is withheld, whatever it was, and the refusal audited."""
        self._audit_phone_lookups(result, granted=False)
        username = self.user.username
        message = _(
            "24 小时内按姓名和手机号匹配人员的次数已达上限（每人每 24 小时 %(limit)d 次，已用 %(used)d 次，"
            "本文件需要 %(wanted)d 次）：本文件未导入也未校验，请改用人员编号，或稍后再试"
        ) % {
            "limit": phone_lookups.daily_limit(),
            "used": phone_lookups.used_today(username),
            "wanted": result.phone_lookups,
        }
        result.status = ImportBatch.Status.REJECTED
        result.created = result.updated = result.unchanged = 0
        result.errors = [CellError(result.path.name, "", None, "", "", message)]
        result.error_total = 1

    def settle_phone_lookups(self, result: FileResult) -> None:
        if not self.charge_phone_lookups(result):
            self.refuse_phone_lookups(result)

    def _audit_phone_lookups(self, result: FileResult, *, granted: bool) -> None:
        phone_lookups.audit(
            actor=self.user or self.actor,
            file_sha256=result.sha256,
            lookups=result.phone_lookups,
            granted=granted,
            unit_path=self.scope.path if self.scope else "",
        )

    def _forget_caches(self) -> None:
        self._ids.clear()
        self._unit_paths = None
        self._people_by_phone = None

    # -- one file --------------------------------------------------------------------------------------
    def import_inventory(self, inventory: Inventory) -> FileResult:
        kind = inventory.kind
        result = FileResult(inventory.path, kind, ImportBatch.Status.RUNNING, sha256=file_sha256(inventory.path))
        batch = ImportBatch.objects.create(
            actor=self.actor,
            file_name=inventory.path.name,
            sha256=result.sha256,
            kind=kind,
            unit_scope=self.scope,
            **_owner_fields(),
        )
        result.batch_id = batch.id
        writer = writer_for(kind)(self, batch, result)
        over_limit = False
        try:
            self._check(inventory, writer, result)
            if not result.error_total:
                # An accepted file pays for its lookups before it is written; over the limit nothing is written.
                if not self.dry_run and not self.charge_phone_lookups(result):
                    over_limit = True
                else:
                    writer.write_planned()
        except UnreadableFile as exc:
            result.errors.append(CellError(inventory.path.name, "", None, "", "", str(exc)))
            result.error_total += 1
        except BaseException:
            # Whatever was written is undone and the batch says so: a crash leaves the data as it was.
            self._forget_caches()
            abandon_batch(batch.id)
            raise
        if over_limit:
            self.refuse_phone_lookups(result)
        elif result.error_total and not self.dry_run:
            self.settle_phone_lookups(result)  # a rejected file's report still answered every lookup
        if result.error_total:
            result.status = ImportBatch.Status.REJECTED
            self.rejected_codes.setdefault(kind, {}).update(dict.fromkeys(writer.codes_seen, inventory.path.name))
            self._forget_caches()
            log.info("rejected %s: %d bad cells", inventory.path, result.error_total)
        else:
            result.status = ImportBatch.Status.DRY_RUN if self.dry_run else ImportBatch.Status.ACCEPTED
        ImportBatch.objects.filter(id=batch.id).update(**result.batch_outcome())
        return result

    def _check(self, inventory: Inventory, writer: _Writer, result: FileResult) -> None:
        """Read, validate and plan the whole file; writes nothing, so it holds no write lock."""
        for sheet in inventory.sheets:
            writer.consume(sheet)
        for sheet in inventory.sheets:
            result.rows += sheet.refused_rows
            result.errors.extend(sheet.errors)
            result.error_total += sheet.error_total
        result.errors.extend(writer.errors)
        result.error_total += len(writer.errors)
