"""Government apps (APP / 小程序 / H5 / PC系统) and information platforms (类别=平台), one file.

Every app serves one purpose of one line of work.  Along any chain of regions (province → city → county
with its townships) no two apps share a line of work, except the planted duplicate clusters: two or three
apps of the same county (or city, or province) departments with the same purpose, paraphrased
descriptions and mostly the same functions.  The same purpose in different regions is normal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from . import catalog
from .messy import XLSX_DATE_SHAPES, date_cell, join_multi, traditional
from .units import Sizes, Unit, World

DUP_REGION_RATE = 0.5  # share of regions (county, city, province) that get a planted duplicate cluster
TRIPLE_RATE = 0.25  # of those, share that are clusters of three
ZOMBIE_LOW_MAU = 0.12  # MAU < 5% of registered users
ZOMBIE_STALE = 0.08  # no update for >= 180 days
ZOMBIE_BOTH = 0.05
FORCED_RATE = 0.35  # apps with at least one forced-use feature

_KIND_WORD = {"APP": "APP", "小程序": "小程序", "H5": "H5应用", "PC系统": "系统", "平台": "平台"}
_DESC = [
    "为推进{region}{topic}工作，{owner}建设本{kw}，主要用于{purpose}。{kw}提供{funcs}等功能，实现工作信息实时掌握。",
    "本{kw}面向{users}，围绕{purpose}，支持{funcs}，便于及时掌握全{level}{topic}情况。",
    "{kw}聚焦{topic}领域，将{purpose}搬到线上办理，具备{funcs}功能，减少纸质台账。",
    "依托本{kw}开展{purpose}，整合{funcs}等模块，为{region}{topic}工作提供数据支撑。",
]
_USERS = {
    "province": "全省各级干部",
    "city": "全市各级干部",
    "county": "乡镇（街道）和村（社区）干部",
    "township": "村（社区）干部和网格员",
}
_LEVEL_WORD = {"province": "省", "city": "市", "county": "县", "township": "镇"}


@dataclass
class AppTruth:
    duplicate_clusters: list[list[str]] = field(default_factory=list)
    zombie: list[str] = field(default_factory=list)
    forced: dict[str, list[str]] = field(default_factory=lambda: {"F1": [], "F2": [], "F3": []})
    apps: int = 0
    platforms: int = 0
    paraphrased: list[list[str]] = field(default_factory=list)  # clusters whose copies swap synonyms
    reworded_clusters: set[int] = field(default_factory=set)


def paraphrase(text: str) -> str:
    """The same purpose as another department words it: each known word swapped for its synonym once."""
    for word, other in catalog.APP_PARAPHRASES:
        if word in text and other not in text:
            text = text.replace(word, "\0" + str(catalog.APP_PARAPHRASES.index((word, other))) + "\0")
    return re.sub("\0(\\d+)\0", lambda m: catalog.APP_PARAPHRASES[int(m.group(1))][1], text)


def _app_name(rng, kind: str, region_short: str, topic: str, purpose: str) -> str:
    r = int(rng.integers(4))
    if kind == "平台":
        return region_short + topic + ["综合管理平台", "信息平台", "指挥调度平台", "数据平台"][r]
    if kind == "APP":
        return [f"{region_short}{topic}通", f"智慧{topic}", f"{region_short}{purpose[:4]}", f"掌上{topic}"][r]
    if kind == "小程序":
        return f"{region_short}{topic}" + ["服务", "助手", "小程序", "e站"][r]
    if kind == "H5":
        return f"{region_short}{purpose}" + ["（H5）", "轻应用", "在线填报", "H5"][r]
    return f"{region_short}{purpose}" + ["管理系统", "信息系统", "业务系统", "综合系统"][r]


def generate_apps(world: World, sizes: Sizes, rng: np.random.Generator, as_of: dt.date, table) -> AppTruth:
    """Apps and platforms of every populated region (a county's avoid its city's and province's topics), planted
    duplicate clusters among them; writes their rows and returns the truth."""
    U = world.units
    truth = AppTruth()
    planner = _AppPlanner(world, rng)
    if world.populated == "province":
        prov_topics = planner.region_apps(world.province, 10, 3, set())
    else:
        prov_topics = set()
    city_topics = {}
    if world.populated in ("province", "city"):
        for c in world.cities:
            city_topics[c] = planner.region_apps(c, 6, 2, prov_topics)
    for k in world.counties:
        city = U[k].parent
        planner.region_apps(
            k, sizes.apps_per_county, sizes.platforms_per_county, prov_topics | city_topics.get(city, set())
        )

    clusters: dict[int, list[str]] = {}
    n_app = n_plat = 0
    for owner, kind, topic, purpose, tmpl, cl, reworded in planner.items:
        if kind == "平台":
            n_plat += 1
            code = f"PF{n_plat:05d}"
        else:
            n_app += 1
            code = f"A{n_app:06d}"
        if cl >= 0:
            clusters.setdefault(cl, []).append(code)
            if reworded:
                truth.reworded_clusters.add(cl)
        row, zombie, forced = _app_row(world, rng, as_of, code, U[owner], kind, topic, purpose, tmpl, cl >= 0, reworded)
        table.add(row)
        if zombie:
            truth.zombie.append(code)
        for rule in sorted({catalog.FORCED_RULES[f] for f in forced}):
            truth.forced[rule].append(code)
    truth.duplicate_clusters = [sorted(v) for v in clusters.values()]
    truth.paraphrased = [sorted(v) for cl, v in clusters.items() if cl in truth.reworded_clusters]
    truth.apps, truth.platforms = n_app, n_plat
    return truth


class _AppPlanner:
    """Draws the apps of one region after another: items (owner, kind, topic, purpose, description template,
    planted cluster or -1, reworded), clusters numbered across regions."""

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self.world = world
        self.rng = rng
        self.items: list[tuple] = []
        self.cluster_id = 0

    def region_apps(self, region: int, n_apps: int, n_plat: int, banned: set[str]) -> set[str]:
        """One region's apps and platforms on topics the regions above have not taken; returns its topics."""
        world, rng, U = self.world, self.rng, self.world.units
        free = [t.name for t in catalog.TOPICS if t.name not in banned]
        n = min(len(free), n_apps + n_plat)
        chosen = rng.choice(free, size=n, replace=False).tolist()
        depts = world.depts_of.get(region, [])
        tier = U[region].tier
        new = []
        for j, topic in enumerate(chosen):
            kind = "平台" if j >= n - n_plat else catalog.APP_KINDS[int(rng.integers(len(catalog.APP_KINDS)))]
            t = catalog.TOPIC_BY_NAME[topic]
            owners = [d for d in depts if topic in U[d].topics] or depts or [region]
            owner = owners[int(rng.integers(len(owners)))]
            if tier == "county" and rng.random() < 0.12:  # an app of a township office
                towns = world.children_of.get(region, [])
                offices = [o for tw in towns for o in world.depts_of.get(tw, []) if topic in U[o].topics]
                if offices:
                    owner = offices[int(rng.integers(len(offices)))]
            new.append((owner, kind, topic, t.purposes[int(rng.integers(2))], int(rng.integers(len(_DESC))), -1, False))
        self._plant_cluster(region, new)
        self.items.extend(new)
        return set(chosen)

    def _plant_cluster(self, region: int, new: list[tuple]) -> None:
        """Now and then a planted cluster: same region and level, same purpose, another department."""
        rng, U = self.rng, self.world.units
        depts = self.world.depts_of.get(region, [])
        app_items = [x for x in new if x[1] != "平台" and U[x[0]].tier == U[region].tier]
        if not (app_items and rng.random() < DUP_REGION_RATE):
            return
        orig = app_items[int(rng.integers(len(app_items)))]
        idx = new.index(orig)
        new[idx] = orig[:5] + (self.cluster_id, False)
        # in about half the regions the copies word the purpose with government synonyms (decided by the
        # region's code, so no random draw is spent and every other output stays as it was)
        reworded = int(U[region].code[:6]) % 2 == 1
        copies = 2 if rng.random() < TRIPLE_RATE else 1
        used_t = {orig[4]}
        for _ in range(copies):
            others = [d for d in depts if d != orig[0]] or [orig[0]]
            owner = others[int(rng.integers(len(others)))]
            tmpl = int(rng.choice([k for k in range(len(_DESC)) if k not in used_t]))
            used_t.add(tmpl)
            kind = catalog.APP_KINDS[int(rng.integers(len(catalog.APP_KINDS)))]
            purpose = paraphrase(orig[3]) if reworded else orig[3]
            new.append((owner, kind, orig[2], purpose, tmpl, self.cluster_id, reworded))
        self.cluster_id += 1


def _app_row(
    world: World,
    rng: np.random.Generator,
    as_of: dt.date,
    code: str,
    ou: Unit,
    kind: str,
    topic: str,
    purpose: str,
    tmpl: int,
    planted: bool,
    reworded: bool,
) -> tuple[list, bool, list[str]]:
    """One line of the apps file; also whether it is a zombie and its forced features. Draws from the run's
    generator, so rows must be made in order."""
    region = world.units[ou.region]
    name = _app_name(rng, kind, region.short, topic, purpose)
    all_funcs, desc = _functions_and_description(rng, ou, region, kind, topic, purpose, tmpl, planted, reworded)
    reg, mau, launched, updated = _usage(rng, region.tier, as_of)
    forced = []
    if rng.random() < FORCED_RATE:
        forced = rng.choice(list(catalog.FORCED_RULES), size=int(rng.integers(1, 4)), replace=False).tolist()
    shapes = rng.integers(0, len(XLSX_DATE_SHAPES), 2)
    trad = rng.random(4)
    kind_cell = kind if trad[0] > 0.2 else traditional(kind)
    if kind == "平台" and trad[0] > 0.6:
        kind_cell = "平台"
    funcs_cell = join_multi(all_funcs, int(rng.integers(12)))
    forced_cell = join_multi(forced, int(rng.integers(12)))
    if trad[1] < 0.1:
        funcs_cell = traditional(funcs_cell)
    if trad[2] < 0.15:
        forced_cell = traditional(forced_cell)
    if trad[3] < 0.05:
        desc = traditional(desc)
    row = [
        code,
        name,
        kind_cell,
        ou.code,
        date_cell(launched, XLSX_DATE_SHAPES[shapes[0]]),
        date_cell(updated, XLSX_DATE_SHAPES[shapes[1]]),
        reg,
        mau,
        funcs_cell,
        forced_cell,
        desc,
    ]
    zombie = mau * 20 < reg or (as_of - updated).days >= 180
    return row, zombie, forced


def _functions_and_description(
    rng: np.random.Generator,
    ou: Unit,
    region: Unit,
    kind: str,
    topic: str,
    purpose: str,
    tmpl: int,
    planted: bool,
    reworded: bool,
) -> tuple[list[str], str]:
    """3-4 of the topic's functions and 0-2 generic ones (a planted copy keeps all of the topic's, so at least 3
    of the original's), shuffled; and the description from its template."""
    t = catalog.TOPIC_BY_NAME[topic]
    k_t = int(rng.integers(3, len(t.functions) + 1))
    if planted:
        k_t = len(t.functions)
    funcs = rng.choice(t.functions, size=k_t, replace=False).tolist()
    generic = rng.choice(catalog.GENERIC_FUNCTIONS, size=int(rng.integers(0, 3)), replace=False).tolist()
    if reworded:  # the other department names the same functions in its own words
        funcs = [paraphrase(f) for f in funcs]
    desc = _DESC[tmpl].format(
        region=region.name,
        topic=topic,
        owner=ou.name,
        kw=_KIND_WORD[kind],
        purpose=purpose,
        funcs="、".join(funcs[:3]),
        users=_USERS.get(region.tier, "干部"),
        level=_LEVEL_WORD.get(region.tier, "县"),
    )
    if reworded:  # the whole description in the other department's words
        desc = paraphrase(desc)
    all_funcs = funcs + generic
    rng.shuffle(all_funcs)
    return all_funcs, desc


def _usage(rng: np.random.Generator, tier: str, as_of: dt.date) -> tuple[int, int, dt.date, dt.date]:
    """Registered and monthly active users, launch and last update: a share of zombies, by few users (under 5%),
    by no update for 180 days or more, or both."""
    base_users = {"province": 60000, "city": 12000, "county": 2500, "township": 300}[tier]
    reg = int(max(20, rng.lognormal(np.log(base_users), 0.8)))
    z = rng.random()
    low_mau = z < ZOMBIE_LOW_MAU + ZOMBIE_BOTH
    stale = ZOMBIE_LOW_MAU <= z < ZOMBIE_LOW_MAU + ZOMBIE_BOTH + ZOMBIE_STALE
    ratio = rng.uniform(0.002, 0.04) if low_mau else rng.uniform(0.08, 0.75)
    mau = int(reg * ratio)
    if low_mau:
        mau = min(mau, (reg - 1) // 20 - 0)  # strictly below 5%
        mau = max(0, mau)
    else:
        mau = max(mau, -(-reg * 8 // 100))
    upd_ago = int(rng.integers(200, 1100)) if stale else int(rng.integers(0, 150))
    launch_ago = upd_ago + int(rng.integers(30, 2000))
    return reg, mau, as_of - dt.timedelta(days=launch_ago), as_of - dt.timedelta(days=upd_ago)
