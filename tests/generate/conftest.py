"""Fixtures and small readers for the generator tests: they read the written files back the way an
independent consumer would (csv, python_calamine), not through the generator's own structures."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

AS_OF = dt.date(2026, 11, 26)
EXCEL_EPOCH = dt.date(1899, 12, 30)


@pytest.fixture(scope="session")
def county_dir(tmp_path_factory) -> Path:
    from jianfu.generate import generate

    out = tmp_path_factory.mktemp("county")
    generate("county", seed=7, out_dir=out, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    from jianfu.generate import generate

    out = tmp_path_factory.mktemp("tiny")
    generate("tiny", seed=3, out_dir=out, as_of=AS_OF)
    return out


def read_truth(d: Path) -> dict:
    return json.loads((d / "truth.json").read_text(encoding="utf-8"))


def xlsx_rows(path: Path, header_first_cell: str | None = None) -> tuple[list[str], list[list]]:
    """Header and data rows of the first sheet; title rows above the header and note rows below the
    data (rows whose other cells are empty) are dropped."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    h = 0
    while sum(1 for c in rows[h] if c not in ("", None)) < 3:
        h += 1
    header = [str(c) for c in rows[h]]
    data = [r for r in rows[h + 1 :] if sum(1 for c in r if c not in ("", None)) >= 2]
    return header, data


def parse_date(v) -> dt.date | None:
    if v in ("", None):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)):
        return EXCEL_EPOCH + dt.timedelta(days=int(v))
    s = str(v).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if re.fullmatch(r"\d{8}", s):
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    if re.fullmatch(r"\d{5}", s):
        return EXCEL_EPOCH + dt.timedelta(days=int(s))
    raise ValueError(f"unparsed date {v!r}")


def split_multi(v) -> list[str]:
    if v in ("", None):
        return []
    return [p.strip() for p in re.split(r"[;；、,，\r\n]+", str(v)) if p.strip()]


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def read_people(d: Path) -> list[dict]:
    with open(d / "人员.csv", encoding="gbk", newline="") as f:
        return list(csv.DictReader(f))


def read_memberships(d: Path) -> dict[str, set[str]]:
    """group code → person codes, from 群成员*.csv and the name/phone file."""
    members: dict[str, set[str]] = {}
    for path in sorted(d.glob("群成员*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            assert next(r) == ["群编号", "人员编号"]
            for g, p in r:
                members.setdefault(g, set()).add(p)
    by_name_phone = {(p["姓名"], digits(p["手机号码"])): p["编号"] for p in read_people(d)}
    _, rows = xlsx_rows(d / "群成员_姓名手机.xlsx")
    for g, name, phone in rows:
        members.setdefault(g, set()).add(by_name_phone[(name, digits(str(phone)))])
    return members
