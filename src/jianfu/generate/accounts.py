"""Government public accounts (微信公众号, 微博, 抖音 …).  The rule is one account per unit per platform;
planted duplicates are a second (or third) account of the same owner on the same platform."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import catalog
from .messy import XLSX_DATE_SHAPES, date_cell, join_multi, traditional
from .units import World

DUP_OWNER_RATE = 0.08  # share of account-holding owners with a duplicate on one platform
STALE_RATE = 0.25  # no post for >= 60 days
ASSESS_RATE = 0.15  # follows / likes / reads used for assessment
_PLATFORM_P = np.array([5, 2, 3, 1.5, 1, 2, 0.5, 0.3])
_PLATFORM_P = _PLATFORM_P / _PLATFORM_P.sum()
_DUP_SUFFIX = ["服务号", "发布", "之窗", "在线", "资讯"]


@dataclass
class AccountTruth:
    duplicate_clusters: list[list[str]] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    assessment: list[str] = field(default_factory=list)
    accounts: int = 0


def _short(world: World, unit) -> str:
    """An account name for a department: 银坝县民政局 → 银坝民政, 银坝县委组织部 stays, 共青团银坝县委员会 → 银坝共青团."""
    region = world.units[unit.region]
    name = unit.name
    if name.startswith("共青团"):
        return region.short + "共青团"
    rest = name[len(region.name) :] if name.startswith(region.name) else name
    for suffix in ("委员会", "局", "厅", "办公室", "中心", "大队", "总队", "支队"):
        if rest.endswith(suffix) and len(rest) > len(suffix) + 1:
            rest = rest[: -len(suffix)]
            break
    if rest.startswith(("委", "人民政府")):
        return region.name + rest
    return region.short + rest


def generate_accounts(world: World, rng: np.random.Generator, as_of: dt.date, table) -> AccountTruth:
    U = world.units
    truth = AccountTruth()
    owners = []
    for k in world.counties:
        owners += [(d, 0.45) for d in world.depts_of[k]]
        owners += [(t, 0.6) for t in world.children_of.get(k, [])]
    for c in world.cities:
        owners += [(d, 0.6) for d in world.depts_of.get(c, [])]
    if world.populated == "province":
        owners += [(d, 0.7) for d in world.depts_of.get(world.province, [])]
    rows = []  # (owner, platform, name, cluster key)
    for owner, p in owners:
        if rng.random() >= p:
            continue
        k = int(rng.integers(1, 4))
        plats = rng.choice(catalog.ACCOUNT_PLATFORMS, size=k, replace=False, p=_PLATFORM_P).tolist()
        short = _short(world, U[owner]) if U[owner].is_dept else U[owner].name
        for j, plat in enumerate(plats):
            name = short if plat == "微信公众号" else (short + ("发布" if j % 2 else ""))
            rows.append((owner, plat, name))
        if rng.random() < DUP_OWNER_RATE:
            plat = plats[0]
            extra = 2 if rng.random() < 0.2 else 1
            for e in range(extra):
                rows.append((owner, plat, short + _DUP_SUFFIX[(e + int(rng.integers(5))) % 5]))
    by_key: dict[tuple[int, str], list[str]] = {}
    for i, (owner, plat, name) in enumerate(rows):
        code = f"GZ{i + 1:06d}"
        by_key.setdefault((owner, plat), []).append(code)
        stale = rng.random() < STALE_RATE
        last_ago = int(rng.integers(65, 800)) if stale else int(rng.integers(0, 50))
        open_ago = last_ago + int(rng.integers(60, 3000))
        posts30 = 0 if last_ago >= 30 else int(rng.integers(1, 60))
        fans = int(rng.lognormal(np.log(3000 if U[owner].tier in ("county", "township") else 40000), 1.0))
        assess = []
        if rng.random() < ASSESS_RATE:
            assess = rng.choice(catalog.ASSESSMENTS, size=int(rng.integers(1, 3)), replace=False).tolist()
        shapes = rng.integers(0, len(XLSX_DATE_SHAPES), 2)
        plat_cell = traditional(plat) if rng.random() < 0.08 else plat
        table.add(
            [
                code,
                name,
                plat_cell,
                U[owner].code,
                date_cell(as_of - dt.timedelta(days=open_ago), XLSX_DATE_SHAPES[shapes[0]]),
                date_cell(as_of - dt.timedelta(days=last_ago), XLSX_DATE_SHAPES[shapes[1]]),
                fans,
                posts30,
                join_multi(assess, int(rng.integers(12))),
            ]
        )
        if last_ago >= 60:
            truth.stale.append(code)
        if assess:
            truth.assessment.append(code)
    truth.duplicate_clusters = [v for v in by_key.values() if len(v) > 1]
    truth.accounts = len(rows)
    return truth
