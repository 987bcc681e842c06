"""Small hand-built tables: a province → city → two districts tree, and rows with sensible defaults."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

AS_OF = date(2026, 11, 26)

PROVINCE, CITY = "330000000000", "330100000000"
XIHU, SHANGCHENG = "330106000000", "330102000000"
BEISHAN, BEISHAN_VILLAGE = "330106001000", "330106001001"
XIHU_CIVIL = "D330106MZ"  # a department of 西湖区


def days_ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def _unit(code: str, name: str, parent: str | None, level: str, region: str, path: list[str]) -> dict:
    return {
        "code": code,
        "name": name,
        "parent_code": parent,
        "level": level,
        "unit_type": None,
        "region_code": region,
        "path": "/" + "/".join(path) + "/",
    }


UNITS = [
    _unit(PROVINCE, "浙江省", None, "province", PROVINCE, [PROVINCE]),
    _unit(CITY, "杭州市", PROVINCE, "city", CITY, [PROVINCE, CITY]),
    _unit(XIHU, "西湖区", CITY, "county", XIHU, [PROVINCE, CITY, XIHU]),
    _unit(SHANGCHENG, "上城区", CITY, "county", SHANGCHENG, [PROVINCE, CITY, SHANGCHENG]),
    _unit(BEISHAN, "北山街道", XIHU, "township", BEISHAN, [PROVINCE, CITY, XIHU, BEISHAN]),
    _unit(
        BEISHAN_VILLAGE,
        "北山社区",
        BEISHAN,
        "village",
        BEISHAN_VILLAGE,
        [PROVINCE, CITY, XIHU, BEISHAN, BEISHAN_VILLAGE],
    ),
    _unit(XIHU_CIVIL, "西湖区民政局", XIHU, "county", XIHU, [PROVINCE, CITY, XIHU, XIHU_CIVIL]),
]


def group(code: str, **kw: Any) -> dict:
    row = {
        "code": code,
        "name": f"群{code}",
        "platform": "微信",
        "owner_person_code": None,
        "owner_code": XIHU,
        "created_date": days_ago(400),
        "nature": "standing",
        "task_end_date": None,
        "last_active": AS_OF,
        "messages_30d": 10,
        "purpose": None,
        "demands": [],
    }
    row.update(kw)
    return row


def app(code: str, **kw: Any) -> dict:
    row = {
        "code": code,
        "name": f"应用{code}",
        "category": "app",
        "owner_code": XIHU,
        "launch_date": days_ago(800),
        "last_update": days_ago(10),
        "registered_users": 1000,
        "monthly_active_users": 800,
        "functions": [],
        "forced_features": [],
        "description": None,
    }
    row.update(kw)
    return row


def account(code: str, **kw: Any) -> dict:
    row = {
        "code": code,
        "name": f"公众号{code}",
        "platform": "微信公众号",
        "owner_code": XIHU,
        "opened_date": days_ago(800),
        "last_post": days_ago(1),
        "followers": 100,
        "posts_30d": 10,
        "assessments": [],
    }
    row.update(kw)
    return row


def members_of(groups: dict[str, list[str]]) -> list[dict]:
    return [{"group_code": g, "person_code": p} for g, people in groups.items() for p in people]


def of_type(result, type_: str) -> list[dict]:
    return [f for f in result.findings if f["type"] == type_]
