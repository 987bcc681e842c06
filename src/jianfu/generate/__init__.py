"""Synthetic inventory generator: a realistic county, city or province in the import formats, with planted
findings and an exact ground truth (truth.json).  Pure Python + numpy; no Django.

    from jianfu.generate import generate
    summary = generate("county", seed=1, out_dir=Path("out"), as_of=date(2026, 11, 26))

See docs/generator.md for the scales, the planted rates, the messiness and the truth format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from pathlib import Path
from typing import Callable

import numpy as np

from . import catalog
from .accounts import AccountTruth, generate_accounts
from .apps import AppTruth, generate_apps
from .families import HELD_SHARE, catalog_synonyms, held_value, parse_families
from .forms import FormTruth, generate_forms
from .groups import GroupTruth, generate_groups
from .messy import phone_text
from .units import SCALES, Sizes, Unit, World, build_world
from .writers import CsvTable, RollingPairsCsv, XlsxTable

__all__ = ["generate", "SCALES", "Sizes", "MEMBERS_PER_FILE", "FILE_NAMES"]

MEMBERS_PER_FILE = 5_000_000

FILE_NAMES = {
    "units": "单位.xlsx",
    "people": "人员.csv",
    "apps": "应用.xlsx",
    "accounts": "公众号.xlsx",
    "groups": "工作群.xlsx",  # 工作群.csv at province scale
    "members": "群成员.csv",  # 群成员_001.csv … at province scale
    "members_name_phone": "群成员_姓名手机.xlsx",
    "forms": "报表.xlsx",
    "fields": "报表字段.xlsx",
    "elements": "数据元.xlsx",
    "values": "数据元取值.csv",
    "truth": "truth.json",
}

# Header rows as written (the variants are deliberate; see docs/generator.md).
HEADERS = {
    "units": ["编码", "名称", "上级编码", "层级", "类型"],
    "people": ["编号", "姓名", "手机号码", "所属单位", "职务"],
    "apps": [
        "編號",
        "應用名稱",
        "類別",
        "主管單位",
        "上線時間",
        "最近更新",
        "註冊用戶數（人）",
        "月活躍用戶數（人）",
        "功能",
        "強制功能",
        "描述",
    ],
    "accounts": [" 编号", "名称 ", "平台", " 主办单位 ", "开设日期", "最近发布", "粉丝数", "近30天发布数", "考核要求"],
    "groups": [
        "群编号",
        "群名称",
        "平台",
        "群主",
        "主管单位",
        "建群日期",
        "性质",
        "任务结束日期",
        "最近活跃",
        "近30天消息数（条）",
        "用途",
        "要求",
    ],
    "members": ["群编号", "人员编号"],
    "members_name_phone": ["群编号", "姓名", "手机号"],
    "forms": ["编号", "表名", "发文单位", "填报对象", "频次", "填报渠道", "每次用时（分钟）"],
    "fields": ["报表编号", "序号", "字段名称", "说明", "数据类型", "计量单位"],
    "elements": ["元素編碼", "名稱", "同義詞", "定義", "數據類型", "計量單位", "權威來源"],
    "values": ["元素编码", "单位编码", "期间", "值", "来源"],
}


def write_elements(path: Path, families, created: dt.datetime) -> list[Path]:
    """The element catalog (import kind ``elements``): the generator's indicators and the family elements."""
    authority = {i.code: t.dept for t in catalog.TOPICS for i in t.indicators}
    t = XlsxTable(path, HEADERS["elements"], created=created, title="数据元目录")
    for i in catalog.ALL_INDICATORS:
        t.add([i.code, i.name, "", "", i.dtype, i.unit, authority.get(i.code, "")])
    for family in families:
        for e in family.elements:
            i = e.indicator
            t.add(
                [
                    i.code,
                    i.name,
                    "；".join(catalog_synonyms(e)),
                    f"{family.name}：{i.name}",
                    i.dtype,
                    i.unit,
                    family.departments[0],
                ]
            )
    t.close()
    return [t.path]


def write_values(path: Path, world, families, as_of: dt.date, rng: np.random.Generator) -> int:
    """Values held (import kind ``values``) for the first county, this year, about HELD_SHARE of them: the
    family elements of its villages and communities, then the common indicators of its villages and
    townships, then every line of work's own indicators for them. Returns the number of rows."""
    county = world.counties[0]
    villages = [u for u in world.units if u.tier == "village" and u.county == county and not u.is_dept]
    t = CsvTable(path, HEADERS["values"], encoding="utf-8-sig")
    rows = 0
    for village in villages:
        for family in families:
            for e in family.elements:
                if rng.random() < HELD_SHARE:
                    t.add(
                        [
                            e.indicator.code,
                            village.code,
                            str(as_of.year),
                            held_value(e.indicator, rng),
                            f"{family.departments[0]}台账",
                        ]
                    )
                    rows += 1
    # then the indicators many lines of work ask again (户籍人口数, 耕地面积 …) for villages and townships:
    # the statistics office holds them, so the regular forms that ask them can be pre-filled too
    towns = [u for u in world.units if u.tier == "township" and u.county == county and not u.is_dept]
    common = {i.code for i in catalog.COMMON_INDICATORS}
    for unit in villages + towns:
        for indicator in catalog.COMMON_INDICATORS:
            if rng.random() < HELD_SHARE:
                t.add([indicator.code, unit.code, str(as_of.year), held_value(indicator, rng), "统计局台账"])
                rows += 1
    # and each line of work's own indicators, from the owning department's ledger
    owned: dict[
        str, tuple[catalog.Indicator, catalog.Topic]
    ] = {}  # an indicator several lines of work ask is held once, by the first that owns it
    for topic in catalog.TOPICS:
        for indicator in topic.indicators:
            if indicator.code not in common:
                owned.setdefault(indicator.code, (indicator, topic))
    for unit in villages + towns:
        for indicator, topic in owned.values():
            if rng.random() >= HELD_SHARE:
                continue
            t.add([indicator.code, unit.code, str(as_of.year), held_value(indicator, rng), f"{topic.dept}台账"])
            rows += 1
    t.close()
    return rows


def resolve_sizes(scale: str | Sizes, overrides: dict | None = None) -> Sizes:
    sizes = scale if isinstance(scale, Sizes) else SCALES[scale]
    return dataclasses.replace(sizes, **overrides) if overrides else sizes


def generate(
    scale: str | Sizes,
    seed: int,
    out_dir: Path,
    as_of: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    sizes: dict | None = None,
) -> dict:
    """Write a synthetic inventory into out_dir and return a summary: the counts per kind (at the top
    level and under "counts"), "findings" (truth entries per type), "files" written, "scale", "seed",
    "as_of", "seconds".

    scale: "tiny", "county", "city", "province" (or a Sizes); `sizes` overrides fields of the scale,
    e.g. {"people": 500, "groups": 600, "memberships": 9000}.  Deterministic for (scale, seed, as_of).
    """
    started = time.time()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    as_of = as_of or dt.date.today()
    sz = resolve_sizes(scale, sizes)
    scale_name = scale if isinstance(scale, str) else sz.level
    ss = np.random.SeedSequence(seed)
    r_world, r_people, r_groups, r_apps, r_accounts, r_forms = (np.random.default_rng(s) for s in ss.spawn(6))

    world = build_world(sz, r_world)
    out = _Output(out_dir, as_of, _populated_root(world, sz), progress)
    _write_units(out, world, r_world)
    _write_people(out, world, r_people)
    app_truth = _write_apps(out, world, sz, r_apps)
    acc_truth = _write_accounts(out, world, r_accounts)
    grp_truth = _write_groups_and_members(out, world, sz, r_groups)
    form_truth, families, held = _write_forms_and_elements(out, world, sz, seed, r_forms)

    counts = _counts(world, app_truth, acc_truth, grp_truth, form_truth, families, held)
    findings = _planted_findings(grp_truth, app_truth, acc_truth, form_truth)
    truth = {
        "generator": "jianfu.generate/1",
        "scale": scale_name,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "root_unit": out.root.code,
        "counts": counts,
        "findings": findings,
        "stats": {
            "group_clusters_planted": grp_truth.planted_clusters,
            "group_clusters_accidental": grp_truth.accidental_clusters,
            "groups_redrawn": grp_truth.redrawn,
        },
        "data_elements": _data_elements(families),
        "form_field_elements": form_truth.field_elements,
    }
    _write_truth(out, truth)
    return {
        **counts,  # the counts per kind also at the top level
        "scale": scale_name,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "counts": counts,
        "findings": {k: len(v) for k, v in findings.items()},
        "files": [str(p) for p in out.files],
        "seconds": round(time.time() - started, 1),
    }


class _Output:
    """Where one run writes: its folder, the date its workbooks carry, the unit its titles name, the files
    written so far, and the progress callback."""

    def __init__(
        self, folder: Path, as_of: dt.date, root: Unit, progress: Callable[[str, int, int], None] | None
    ) -> None:
        self.folder = folder
        self.as_of = as_of
        self.created = dt.datetime(as_of.year, as_of.month, as_of.day)
        self.stamp = f"填报日期：{as_of.year}年{as_of.month}月"
        self.root = root
        self.progress = progress
        self.files: list[Path] = []

    def report(self, kind: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(kind, done, total)

    def xlsx(self, kind: str, title: str | None = None) -> XlsxTable:
        """The workbook of one kind; with a title, under "<root's name><title>" and the date line."""
        if title is None:
            return XlsxTable(self.folder / FILE_NAMES[kind], HEADERS[kind], created=self.created)
        return XlsxTable(
            self.folder / FILE_NAMES[kind],
            HEADERS[kind],
            created=self.created,
            title=f"{self.root.name}{title}",
            subtitle=self.stamp,
        )


def _populated_root(world: World, sizes: Sizes) -> Unit:
    units = world.units
    if sizes.level == "county":
        return units[world.counties[0]]
    return units[world.cities[0]] if sizes.level == "city" else units[world.province]


def _write_units(out: _Output, world: World, rng: np.random.Generator) -> None:
    units = world.units
    t = out.xlsx("units", title="行政区划及单位清单")
    skip_type = rng.random(len(units)) < 0.05
    for u in units:
        parent = units[u.parent].code if u.parent >= 0 else ""
        t.add([u.code, u.name, parent, u.level, "" if skip_type[u.idx] else u.utype])
    t.close()
    out.files.append(t.path)
    out.report("units", len(units), len(units))


def _write_people(out: _Output, world: World, rng: np.random.Generator) -> None:
    """The people file, in GBK, phones written in three shapes."""
    n_people = len(world.people_code)
    people_table = CsvTable(out.folder / FILE_NAMES["people"], HEADERS["people"], encoding="gbk")
    shapes = rng.integers(0, 3, n_people)
    step = 50_000
    for s in range(0, n_people, step):
        e = min(n_people, s + step)
        people_table.add_many(
            [
                [
                    world.people_code[i],
                    world.people_name[i],
                    phone_text(int(world.people_phone[i]), int(shapes[i])),
                    world.units[world.people_unit[i]].code,
                    world.people_post[i],
                ]
                for i in range(s, e)
            ]
        )
        out.report("people", e, n_people)
    people_table.close()
    out.files.append(people_table.path)


def _write_apps(out: _Output, world: World, sizes: Sizes, rng: np.random.Generator) -> AppTruth:
    """Apps and platforms, in one workbook with notes under the table."""
    t = out.xlsx("apps", title="政务应用程序和信息平台清单")
    truth = generate_apps(world, sizes, rng, out.as_of, t)
    t.close(notes=[f"注：本表由{out.root.name}减负办汇总", "填表人：王伟    审核人：李娜"])
    out.files.append(t.path)
    out.report("apps", truth.apps + truth.platforms, truth.apps + truth.platforms)
    return truth


def _write_accounts(out: _Output, world: World, rng: np.random.Generator) -> AccountTruth:
    t = out.xlsx("accounts")
    truth = generate_accounts(world, rng, out.as_of, t)
    t.close()
    out.files.append(t.path)
    out.report("accounts", truth.accounts, truth.accounts)
    return truth


def _write_groups_and_members(out: _Output, world: World, sizes: Sizes, rng: np.random.Generator) -> GroupTruth:
    """Groups (a CSV at province scale), members by code (split into files at province scale), and the
    members a unit listed by name and phone."""
    groups_table: CsvTable | XlsxTable
    if sizes.groups_csv:
        groups_table = CsvTable(out.folder / "工作群.csv", HEADERS["groups"], encoding="utf-8-sig")
    else:
        groups_table = out.xlsx("groups")
    members_csv = RollingPairsCsv(
        out.folder,
        "群成员",
        (HEADERS["members"][0], HEADERS["members"][1]),
        split=sizes.members_split,
        max_rows=MEMBERS_PER_FILE,
    )
    np_table = out.xlsx("members_name_phone")
    truth = generate_groups(
        world,
        sizes,
        rng,
        out.as_of,
        groups_table,
        members_csv,
        np_table,
        csv_mode=sizes.groups_csv,
        progress=out.progress,
    )
    if isinstance(groups_table, XlsxTable):
        groups_table.close(notes=["注：群成员名单见群成员表"])
    else:
        groups_table.close()
    members_csv.close()
    np_table.close()
    out.files += [groups_table.path, *members_csv.paths, np_table.path]
    return truth


def _write_forms_and_elements(out: _Output, world: World, sz: Sizes, seed: int, r_forms: np.random.Generator):
    """The forms and their fields, the data-element catalog and the values already held (一表通):
    (forms' truth, the indicator families, the values held)."""
    families = parse_families(len(catalog.ALL_INDICATORS) + 1)
    # the families' own stream, so that every output written before them stays as it was
    r_families, r_values = (np.random.default_rng(s) for s in np.random.SeedSequence([seed, 15]).spawn(2))
    form_truth = _write_forms(out, world, sz, r_forms, families, r_families)
    out.files += write_elements(out.folder / FILE_NAMES["elements"], families, out.created)
    held = write_values(out.folder / FILE_NAMES["values"], world, families, out.as_of, r_values)
    out.files.append(out.folder / FILE_NAMES["values"])
    return form_truth, families, held


def _write_forms(
    out: _Output, world: World, sizes: Sizes, rng: np.random.Generator, families, family_rng: np.random.Generator
) -> FormTruth:
    """Forms and their fields, two workbooks."""
    ft = out.xlsx("forms", title="基层报表清单")
    fdt = out.xlsx("fields")
    truth = generate_forms(world, sizes, rng, out.as_of, ft, fdt, families=families, family_rng=family_rng)
    ft.close(notes=["注：频次为“临时”的报表按通知要求不定期报送", f"填表人：{out.root.name}减负办"])
    fdt.close()
    out.files += [ft.path, fdt.path]
    out.report("forms", truth.forms, truth.forms)
    return truth


def _counts(
    world: World,
    app_truth: AppTruth,
    acc_truth: AccountTruth,
    grp_truth: GroupTruth,
    form_truth: FormTruth,
    families,
    held: int,
) -> dict[str, int]:
    """Rows written per kind, as the summary and truth.json give them."""
    return {
        "units": len(world.units),
        "people": len(world.people_code),
        "apps": app_truth.apps,
        "platforms": app_truth.platforms,
        "accounts": acc_truth.accounts,
        "groups": grp_truth.groups,
        "memberships": grp_truth.memberships,
        "memberships_by_name_phone": grp_truth.memberships_by_name_phone,
        "forms": form_truth.forms,
        "fields": form_truth.fields,
        "elements": len(catalog.ALL_INDICATORS) + sum(len(f.elements) for f in families),
        "values": held,
    }


def _planted_findings(
    grp_truth: GroupTruth, app_truth: AppTruth, acc_truth: AccountTruth, form_truth: FormTruth
) -> dict[str, list[dict]]:
    """The findings truth.json promises, by type: what the generator planted (and the accidental overlaps)."""

    def single(rule: str, codes: list[str]) -> list[dict]:
        return [{"rule": rule, "items": [c]} for c in codes]

    return {
        "duplicate_groups": [{"rule": "F4", "items": c, "planted": p} for c, p in sorted(grp_truth.duplicate_clusters)],
        "expired_group": single("F5", sorted(grp_truth.expired)),
        "idle_group": single("F5", sorted(grp_truth.idle)),
        "group_demand": single("F1", sorted(grp_truth.demand_f1)) + single("F2", sorted(grp_truth.demand_f2)),
        "duplicate_apps": [
            {"rule": "F5", "items": c, "planted": True, **({"paraphrase": True} if c in app_truth.paraphrased else {})}
            for c in sorted(app_truth.duplicate_clusters)
        ],
        "zombie_app": single("F5", sorted(app_truth.zombie)),
        "forced_feature": [x for r in ("F1", "F2", "F3") for x in single(r, sorted(app_truth.forced[r]))],
        "stale_account": single("F5", sorted(acc_truth.stale)),
        "account_assessment": single("F3", sorted(acc_truth.assessment)),
        "duplicate_accounts": [
            {"rule": "F5", "items": c, "planted": True} for c in sorted(acc_truth.duplicate_clusters)
        ],
        "duplicate_forms": [{"rule": "F4", "items": c, "planted": True} for c in form_truth.duplicate_clusters],
    }


def _data_elements(families) -> dict[str, dict]:
    """Element code → name and unit (and family) for every element the catalog file lists."""
    return {i.code: {"name": i.name, "unit": i.unit} for i in catalog.ALL_INDICATORS} | {
        e.indicator.code: {"name": e.indicator.name, "unit": e.indicator.unit, "family": f.name}
        for f in families
        for e in f.elements
    }


def _write_truth(out: _Output, truth: dict) -> None:
    truth_path = out.folder / FILE_NAMES["truth"]
    with open(truth_path, "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=None, separators=(",", ":"))
    out.files.append(truth_path)
