"""The unit tree (province → city → county → township → village, departments hung under each level) and
the cadres who work in it.

People are numbered in depth-first order of the tree, so the people of any region's subtree form one
contiguous index range; group members are drawn from such ranges.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from . import catalog
from .names import PlaceNamer, person_names, unique_phones


@dataclass(frozen=True)
class Sizes:
    """What one scale builds.  `level` is the populated root: county, city or province."""

    level: str
    cities: int = 1
    counties: int = 1  # per city
    townships: tuple[int, int] = (12, 16)
    villages: tuple[int, int] = (8, 16)
    people: int = 2000
    groups: int = 3000
    memberships: int = 60_000
    apps_per_county: int = 20
    platforms_per_county: int = 4
    forms_per_county: int = 60
    members_split: bool = False  # 群成员_001.csv … instead of one 群成员.csv
    groups_csv: bool = False  # 工作群.csv instead of 工作群.xlsx


SCALES: dict[str, Sizes] = {
    "tiny": Sizes(
        "county",
        townships=(3, 3),
        villages=(4, 6),
        people=240,
        groups=300,
        memberships=3600,
        apps_per_county=14,
        platforms_per_county=2,
        forms_per_county=24,
    ),
    "county": Sizes("county"),
    "city": Sizes(
        "city",
        counties=10,
        townships=(10, 16),
        people=30_000,
        groups=60_000,
        memberships=1_200_000,
        apps_per_county=18,
        platforms_per_county=3,
        forms_per_county=50,
    ),
    "province": Sizes(
        "province",
        cities=12,
        counties=9,
        townships=(12, 18),
        villages=(10, 18),
        people=500_000,
        groups=1_000_000,
        memberships=30_000_000,
        apps_per_county=16,
        platforms_per_county=3,
        forms_per_county=45,
        members_split=True,
        groups_csv=True,
    ),
}


@dataclass
class Unit:
    idx: int
    code: str
    name: str
    parent: int  # -1 for the root
    level: str  # 层级 as written: 省 市 县 区 乡 镇 街道 村 社区
    utype: str  # 类型
    tier: str  # province / city / county / township / village
    is_dept: bool
    region: int  # the region unit this unit belongs to (itself for a region)
    short: str = ""  # region name without its suffix, for naming groups and accounts
    topics: list[str] = field(default_factory=list)
    lo: int = 0  # own people [lo, hi)
    hi: int = 0
    sub_lo: int = 0  # subtree people [sub_lo, sub_hi)
    sub_hi: int = 0
    county: int = -1  # the county (unit idx) above or at this unit, -1 for upper levels


@dataclass
class World:
    units: list[Unit]
    province: int
    cities: list[int]  # populated cities
    counties: list[int]  # populated counties
    depts_of: dict[int, list[int]]  # region idx → department idxs hung under it
    children_of: dict[int, list[int]]  # region idx → child region idxs
    people_unit: np.ndarray  # person idx → unit idx
    people_post: list[str]
    people_name: list[str]
    people_phone: np.ndarray
    people_weight: np.ndarray  # membership propensity
    people_code: list[str]
    province_platform: str
    populated: str  # county / city / province


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to weights that sum to total exactly (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    raw = w / w.sum() * total
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


def _dept_name(region: Unit, dept: str) -> str:
    tier = region.tier
    if tier == "province":
        dept = catalog.PROVINCE_RENAME.get(dept, dept)
    elif tier == "city":
        dept = catalog.CITY_RENAME.get(dept, dept)
    if dept in ("组织部", "宣传部", "政法委"):
        return f"{region.name[:-1]}{region.level}委{dept}" if tier != "province" else f"{region.name[:-1]}委{dept}"
    if dept == "党委办公室":
        return f"{region.name[:-1]}{region.level}委办公室" if tier != "province" else f"{region.name[:-1]}委办公室"
    if dept == "政府办公室":
        return f"{region.name}人民政府办公室"
    if dept == "共青团委员会":
        return f"共青团{region.name}委员会"
    if dept == "文明办":
        return f"{region.name[:-1]}{region.level}委文明办" if tier != "province" else f"{region.name[:-1]}委文明办"
    return region.name + dept


TOPIC_DEPTS: dict[str, list[str]] = {}
for _t in catalog.TOPICS:
    TOPIC_DEPTS.setdefault(_t.dept, []).append(_t.name)


def build_world(sizes: Sizes, rng: np.random.Generator) -> World:
    """The unit tree of one scale and its cadres: names, posts, phones, codes and membership weights."""
    namer = PlaceNamer(rng)
    prov_code, prov_name, prov_platform = catalog.PROVINCES[int(rng.integers(len(catalog.PROVINCES)))]
    tree = _Tree()
    province, cities, counties = _add_regions(tree, sizes, rng, namer, prov_code, prov_name)
    total = sizes.people
    heads = _head_counts(tree, sizes, rng, province, cities, counties)
    _number_people(tree, province, counties, heads, total)
    people_unit, posts, weight = _posts_and_weights(tree.units, total)
    weight *= rng.lognormal(0.0, 0.45, total)
    names = person_names(rng, total)
    phones = unique_phones(rng, total)
    codes = [f"P{i + 1:07d}" for i in range(total)]
    return World(
        tree.units,
        province,
        cities,
        counties,
        tree.depts_of,
        tree.children_of,
        people_unit,
        posts,
        names,
        phones,
        weight,
        codes,
        prov_platform,
        sizes.level,
    )


class _Tree:
    """The units as they are added, with each region's departments and child regions."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.depts_of: dict[int, list[int]] = {}
        self.children_of: dict[int, list[int]] = {}

    def add(self, code, name, parent, level, utype, tier, is_dept, region=None, short="", topics=None) -> Unit:
        u = Unit(
            len(self.units),
            code,
            name,
            parent,
            level,
            utype,
            tier,
            is_dept,
            region if region is not None else len(self.units),
            short,
            topics or [],
        )
        self.units.append(u)
        if parent >= 0:
            (self.depts_of if is_dept else self.children_of).setdefault(parent if not is_dept else region, []).append(
                u.idx
            )
        return u

    def add_depts(self, region: Unit, which: list[tuple[str, str]]) -> None:
        for i, (dept, utype) in enumerate(which):
            self.add(
                f"{region.code}{801 + i:03d}",
                _dept_name(region, dept),
                region.idx,
                region.level,
                utype,
                region.tier,
                True,
                region=region.idx,
                topics=list(TOPIC_DEPTS.get(dept, [])),
            )


def _add_regions(
    tree: _Tree, sizes: Sizes, rng: np.random.Generator, namer: PlaceNamer, prov_code: str, prov_name: str
) -> tuple[int, list[int], list[int]]:
    """Province, cities and counties (departments only at the populated levels); returns the province and the
    populated cities and counties."""
    populated = sizes.level
    prov = tree.add(f"{prov_code}0000000000", prov_name, -1, "省", "党政机关", "province", False, short=prov_name[:-1])
    if populated == "province":
        tree.add_depts(prov, catalog.COUNTY_DEPARTMENTS)
    n_cities = sizes.cities if populated == "province" else 1
    city_names = namer.names(n_cities)
    cities, counties = [], []
    for ci in range(n_cities):
        cname = city_names[ci] + "市"
        city = tree.add(
            f"{prov_code}{ci + 1:02d}00000000", cname, prov.idx, "市", "党政机关", "city", False, short=city_names[ci]
        )
        if populated in ("province", "city"):
            cities.append(city.idx)
            tree.add_depts(city, catalog.COUNTY_DEPARTMENTS)
        n_counties = sizes.counties if populated != "county" else 1
        county_names = namer.names(n_counties)
        n_districts = 0 if populated == "county" else max(1, n_counties // 5)
        k_county = 21
        for ki in range(n_counties):
            is_district = ki < n_districts
            level = "区" if is_district else "县"
            code_dd = ki + 1 if is_district else k_county
            if not is_district:
                k_county += 1
            county = tree.add(
                f"{city.code[:4]}{code_dd:02d}000000",
                county_names[ki] + level,
                city.idx,
                level,
                "党政机关",
                "county",
                False,
                short=county_names[ki],
            )
            counties.append(county.idx)
            tree.add_depts(county, catalog.COUNTY_DEPARTMENTS)
            _add_townships(tree, county, is_district, sizes, rng, namer)
    return prov.idx, cities, counties


def _add_townships(
    tree: _Tree, county: Unit, is_district: bool, sizes: Sizes, rng: np.random.Generator, namer: PlaceNamer
) -> None:
    """A county's townships (streets in a district, towns and xiang in a county), each with offices and villages."""
    n_town = int(rng.integers(sizes.townships[0], sizes.townships[1] + 1))
    n_streets = max(1, n_town // 2) if is_district else (1 if n_town >= 6 else 0)
    n_xiang = 0 if is_district else n_town // 4
    n_zhen = n_town - n_streets - n_xiang
    town_names = namer.names(n_town)
    kinds = ["街道"] * n_streets + ["镇"] * n_zhen + ["乡"] * n_xiang
    counters = {"街道": 1, "镇": 100, "乡": 200}
    for ti, kind in enumerate(kinds):
        ttt = counters[kind]
        counters[kind] += 1
        tname = town_names[ti] + kind
        town = tree.add(
            f"{county.code[:6]}{ttt:03d}000",
            tname,
            county.idx,
            kind,
            "党政机关",
            "township",
            False,
            short=town_names[ti],
        )
        offices = catalog.TOWNSHIP_OFFICES[: 7 + int(rng.integers(0, len(catalog.TOWNSHIP_OFFICES) - 6))]
        for oi, office in enumerate(offices):
            utype = "事业单位" if office.endswith(("中心", "站", "所")) else "党政机关"
            tree.add(
                f"{town.code}{801 + oi:03d}",
                tname + office,
                town.idx,
                kind,
                utype,
                "township",
                True,
                region=town.idx,
                topics=list(catalog.TOWNSHIP_OFFICE_TOPICS.get(office, [])),
            )
        _add_villages(tree, town, kind, sizes, rng, namer)


def _add_villages(
    tree: _Tree, town: Unit, kind: str, sizes: Sizes, rng: np.random.Generator, namer: PlaceNamer
) -> None:
    """A township's villages and communities (all communities under a street, one or two under a town)."""
    n_vil = int(rng.integers(sizes.villages[0], sizes.villages[1] + 1))
    if kind == "街道":
        n_comm = n_vil
    elif kind == "镇":
        n_comm = min(n_vil, int(rng.integers(1, 3)))
    else:
        n_comm = 0
    vnames = namer.names(n_vil)
    for vi in range(n_vil):
        comm = vi < n_comm
        vvv = vi + 1 if comm else 200 + vi - n_comm
        tree.add(
            f"{town.code[:9]}{vvv:03d}",
            vnames[vi] + ("社区" if comm else "村"),
            town.idx,
            "社区" if comm else "村",
            "村（居）委会",
            "village",
            False,
            short=vnames[vi],
        )


def _head_counts(
    tree: _Tree, sizes: Sizes, rng: np.random.Generator, province: int, cities: list[int], counties: list[int]
) -> np.ndarray:
    """People per unit. Upper levels first, then each county: departments 22%, township 36%, villages 42%."""
    depts_of, children_of = tree.depts_of, tree.children_of
    total = sizes.people
    upper_people = 0
    heads = np.zeros(len(tree.units), dtype=np.int64)
    if sizes.level == "province":
        prov_share = int(total * 0.015)
        depts = depts_of.get(province, [])
        heads[depts] = _allocate(prov_share, np.ones(len(depts)))
        upper_people += prov_share
    if sizes.level in ("province", "city"):
        city_share = int(total * 0.04)
        per_city = _allocate(city_share, np.ones(len(cities)))
        for c, n in zip(cities, per_city):
            depts = depts_of.get(c, [])
            heads[depts] = _allocate(int(n), rng.uniform(0.6, 1.4, len(depts)))
        upper_people += city_share
    per_county = _allocate(total - upper_people, rng.uniform(0.8, 1.2, len(counties)))
    for k, n in zip(counties, per_county):
        n = int(n)
        depts = depts_of[k]
        towns = children_of.get(k, [])
        villages = [v for t in towns for v in children_of.get(t, [])]
        n_dept, n_town = int(n * 0.22), int(n * 0.36)
        n_vil = n - n_dept - n_town
        heads[depts] = _allocate(n_dept, rng.uniform(0.5, 1.5, len(depts)))
        town_heads = _allocate(n_town, rng.uniform(0.8, 1.2, len(towns)))
        for t, th in zip(towns, town_heads):
            town_offices = depts_of.get(t, [])
            leaders = min(10, max(3, int(th) // 6))
            heads[t] = leaders
            heads[town_offices] = _allocate(int(th) - leaders, rng.uniform(0.6, 1.4, len(town_offices)))
        heads[villages] = _allocate(n_vil, rng.uniform(0.7, 1.3, len(villages)))
    return heads


def _number_people(tree: _Tree, province: int, counties: list[int], heads: np.ndarray, total: int) -> None:
    """Each unit's own and subtree person ranges, numbered depth first (a region, its departments, then its child
    regions), and the county of every unit."""
    units, depts_of, children_of = tree.units, tree.depts_of, tree.children_of
    order: list[int] = []

    def visit(r: int) -> None:
        order.append(r)
        order.extend(depts_of.get(r, []))
        for c in children_of.get(r, []):
            visit(c)

    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))
    visit(province)
    pos = 0
    for at in order:
        units[at].lo = pos
        pos += int(heads[at])
        units[at].hi = pos
    assert pos == total, (pos, total)

    def subtree(r: int) -> tuple[int, int]:
        u = units[r]
        lo, hi = u.lo, u.hi
        for d in depts_of.get(r, []):
            hi = max(hi, units[d].hi)
        for c in children_of.get(r, []):
            _, chi = subtree(c)
            hi = max(hi, chi)
        u.sub_lo, u.sub_hi = lo, hi
        for d in depts_of.get(r, []):
            units[d].sub_lo, units[d].sub_hi = units[d].lo, units[d].hi
        return lo, hi

    subtree(province)
    for k in counties:
        stack = [k]
        while stack:
            r = stack.pop()
            units[r].county = k
            for d in depts_of.get(r, []):
                units[d].county = k
            stack.extend(children_of.get(r, []))


def _posts_and_weights(units: list[Unit], total: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Person → unit, post (the unit's post list in order, its level's words) and base membership weight."""
    people_unit = np.empty(total, dtype=np.int32)
    posts: list[str] = [""] * total
    weight = np.empty(total, dtype=np.float64)
    for u in units:
        n = u.hi - u.lo
        if n <= 0:
            continue
        people_unit[u.lo : u.hi] = u.idx
        if u.tier == "village":
            plist = catalog.COMMUNITY_POSTS if u.level == "社区" else catalog.VILLAGE_POSTS
            base = [2.6, 2.2] + [1.2] * 20
        elif u.tier == "township" and not u.is_dept:
            plist = catalog.TOWNSHIP_LEADER_POSTS
            base = [1.6] * 20
        elif u.tier == "township":
            plist = catalog.OFFICE_POSTS
            base = [1.6] * 20
        else:
            plist = catalog.COUNTY_POSTS
            base = [0.9] * 20
        for j in range(n):
            post = plist[j] if j < len(plist) else plist[-1 - (j % 3)]
            if u.level == "乡":
                post = post.replace("镇长", "乡长")
            elif u.level == "街道":
                post = post.replace("副镇长", "副主任").replace("镇长", "办事处主任").replace("党委", "党工委")
            posts[u.lo + j] = post
            b = base[j] if j < len(base) else base[-1]
            if posts[u.lo + j] == "包村干部":
                b = 2.2
            weight[u.lo + j] = b
    return people_unit, posts, weight
