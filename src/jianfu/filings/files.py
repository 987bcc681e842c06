"""Import-format files read as proposals (for `jianfu precheck`) and member or field lists uploaded with a
proposal. Reading goes through jianfu.ingest, exactly as the importer reads; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from jianfu.accounts import scope as region_scope
from jianfu.ingest import open_inventory
from jianfu.ingest.readers import file_sha256
from jianfu.ingest.values import hash_phone
from jianfu.registry import phone_lookups
from jianfu.registry.importing import expand_paths
from jianfu.registry.models import Person


@dataclass
class ReadResult:
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _records(path: Path, kind: str | None, errors: list[dict]) -> tuple[str | None, list[dict]]:
    """(kind, typed records) of one file, or (None, []) with the file's errors added when it cannot be read."""
    inventory = open_inventory(path, kind)
    if inventory.file_errors:
        errors.extend(e.as_dict() for e in inventory.file_errors)
        return None, []
    records: list[dict] = []
    bad = False
    for sheet in inventory.sheets:
        records.extend(record for _row, record in sheet.records())
        if sheet.error_total:
            errors.extend(e.as_dict() for e in sheet.errors)
            bad = True
    if bad:
        return None, []
    return inventory.kind, records


def person_ids_by_name_phone(rows: list[dict], queryset=None) -> dict[tuple[str, str], str | None]:
    """(name, phone) → person code for member rows without a code; None where several people match."""
    key = settings.PHONE_HASH_KEY
    wanted = {(r["name"], hash_phone(r["phone"], key)): (r["name"], r["phone"]) for r in rows}
    if not wanted:
        return {}
    qs = (queryset if queryset is not None else Person.objects.all()).filter(phone_hash__in=[h for _, h in wanted])
    found: dict[tuple[str, str], str | None] = {}
    for code, name, phone_hash in qs.values_list("code", "name", "phone_hash"):
        original = wanted.get((name, phone_hash))
        if original is None:
            continue
        found[original] = None if original in found else code
    return found


def _member_codes(rows: list[dict], queryset=None) -> tuple[list[str], int]:
    """Person codes of member rows (by code, or by name and phone); and how many rows matched nobody."""
    by_phone = person_ids_by_name_phone([r for r in rows if not r.get("person_code")], queryset)
    codes, unmatched = [], 0
    for r in rows:
        code = r.get("person_code") or by_phone.get((r.get("name"), r.get("phone")))
        if code:
            codes.append(code)
        else:
            unmatched += 1
    return list(dict.fromkeys(codes)), unmatched


def read_proposals(paths: list[Path | str]) -> ReadResult:
    """Every app, platform, account, group and form in the files as a proposal item (members and fields attached)."""
    result = ReadResult()
    by_kind = _records_by_kind(paths, result)
    result.items += [_app_item(r) for r in by_kind.get("apps", [])]
    result.items += [_account_item(r) for r in by_kind.get("accounts", [])]
    result.items += _group_items(by_kind.get("groups", []), by_kind.get("members", []), result)
    fields: dict[str, list[dict]] = {}
    for r in by_kind.get("fields", []):
        fields.setdefault(r["form_code"], []).append(r)
    result.items += [_form_item(r, fields.get(r["code"], [])) for r in by_kind.get("forms", [])]
    return result


def _records_by_kind(paths: list[Path | str], result: ReadResult) -> dict[str, list[dict]]:
    """The records of every readable file, by kind; missing files and files of units or people are noted."""
    by_kind: dict[str, list[dict]] = {}
    for path in expand_paths(paths):
        if not Path(path).exists():
            result.errors.append({"file": str(path), "message": f"文件「{path}」不存在"})
            continue
        kind, records = _records(Path(path), None, result.errors)
        if kind is None:
            continue
        if kind in ("units", "people"):
            result.notes.append(f"{Path(path).name}：{kind} 文件不是申报对象，已跳过")
            continue
        by_kind.setdefault(kind, []).extend(records)
    return by_kind


def _app_item(r: dict) -> dict:
    return {
        "kind": "platforms" if r.get("category") == "platform" else "apps",
        "code": r["code"],
        "name": r["name"],
        "owner_code": r.get("owner_code"),
        "category": r.get("category"),
        "functions": r.get("functions") or [],
        "forced_features": r.get("forced_features") or [],
        "description": r.get("description") or "",
    }


def _account_item(r: dict) -> dict:
    return {
        "kind": "accounts",
        "code": r["code"],
        "name": r["name"],
        "owner_code": r.get("owner_code"),
        "platform": r.get("platform") or "",
        "assessments": r.get("assessments") or [],
    }


def _group_items(groups: list[dict], member_rows: list[dict], result: ReadResult) -> list[dict]:
    """The groups with their members as person codes; unmatched members and stray group codes are noted."""
    members: dict[str, list[dict]] = {}
    for r in member_rows:
        members.setdefault(r["group_code"], []).append(r)
    items = []
    for r in groups:
        codes, unmatched = _member_codes(members.get(r["code"], []))
        if unmatched:
            result.notes.append(f"工作群 {r['code']}：{unmatched} 名成员的姓名和手机号在人员台账中找不到")
        items.append(
            {
                "kind": "groups",
                "code": r["code"],
                "name": r["name"],
                "owner_code": r.get("owner_code"),
                "platform": r.get("platform") or "",
                "nature": r.get("nature") or "standing",
                "task_end_date": r.get("task_end_date"),
                "purpose": r.get("purpose") or "",
                "demands": r.get("demands") or [],
                "members": codes,
            }
        )
    stray = sorted(set(members) - {r["code"] for r in groups})
    if stray:
        result.notes.append(
            f"成员文件中有 {len(stray)} 个群编号不在所给的工作群文件中，已忽略：{'、'.join(stray[:10])}"
        )
    return items


def _form_item(r: dict, field_rows: list[dict]) -> dict:
    rows = sorted(field_rows, key=lambda f: f.get("position") or 0)
    return {
        "kind": "forms",
        "code": r["code"],
        "name": r["title"],
        "owner_code": r.get("issuer_code"),
        "frequency": r.get("frequency"),
        "respondent_level": r.get("respondent_level") or "",
        "channel": r.get("channel") or "",
        "fields": [f["name"] for f in rows],
    }


def read_member_upload(path: Path, people, *, user) -> tuple[list[str], list[str]]:
    """Person codes from an uploaded members or people file, matched only among ``people`` (a queryset); rows
    given by name + phone only among those of them ``user`` may see, within the user's daily lookup limit.

    Returns (codes, problems); problems are Chinese messages for the form.
    """
    errors: list[dict] = []
    kind, records = _records(path, None, errors)
    if kind is None:
        return [], [e["message"] for e in errors[:10]]
    if kind not in ("members", "people"):
        return [], [f"文件「{path.name}」不是群成员或人员名单"]
    rows = [
        {
            "person_code": r.get("person_code") if kind == "members" else r.get("code"),
            "name": r.get("name"),
            "phone": r.get("phone"),
        }
        for r in records
    ]
    named = [r for r in rows if not r["person_code"] and r.get("name") and r.get("phone")]
    if named and not phone_lookups.spend(
        user, len(named), file_sha256=file_sha256(path), unit_path=user.unit.path if user.unit_id else ""
    ):
        return [], [
            gettext(
                "24 小时内按姓名和手机号匹配人员的次数已达上限（每人每 24 小时 %(limit)d 次），名单未读取：请改用人员编号，"
                "或稍后再试"
            )
            % {"limit": phone_lookups.daily_limit()}
        ]
    # A phone confirms a match only among people the uploader may see: elsewhere a match and none look alike.
    by_phone = person_ids_by_name_phone(named, people.filter(region_scope.unit_q(user, "unit")))
    codes = [r["person_code"] or by_phone.get((r["name"], r["phone"])) for r in rows]
    known = set(people.filter(code__in=[c for c in codes if c]).values_list("code", flat=True))
    problems = []
    missing = sum(1 for c in codes if not c or c not in known)
    if missing:
        problems.append(f"名单中有 {missing} 人在本地区人员台账中找不到，已忽略")
    return list(dict.fromkeys(c for c in codes if c and c in known)), problems


def read_field_upload(path: Path) -> tuple[list[dict], list[str]]:
    """Fields (name, unit, data type) from an uploaded fields file (报表字段 format)."""
    errors: list[dict] = []
    kind, records = _records(path, "fields", errors)
    if kind is None:
        return [], [e["message"] for e in errors[:10]]
    rows = sorted(records, key=lambda r: r.get("position") or 0)
    return [{"name": r["name"], "unit": r.get("unit") or "", "data_type": r.get("data_type") or ""} for r in rows], []
