"""Forms (报表) and their fields (报表字段).

Each field is an indicator (data element) of the catalog, printed under one of several names: the
canonical one, with its unit in brackets, without the trailing 数, or in Traditional characters.  Within
the scope of one county (the forms of its departments and townships plus those of its city and province)
forms that are not planted duplicates share less than half of the smaller form's data elements; planted
duplicates share at least 70% (a form covered by another, or two forms mostly asking the same).
Forms of different counties may ask the same things: they go to different respondents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import catalog
from .families import Family, family_forms, printed_wording
from .messy import traditional
from .units import Sizes, World

DUP_RATE = 0.10  # planted duplicate forms, as a share of all forms
COVER_SHARE = 0.5  # of planted duplicates, share that are covered by the original (else overlap)
_TITLES = ["情况统计表", "工作进展月报表", "工作台账", "摸底调查表", "信息采集表", "基本情况表", "进度表"]
_NOTES = ["", "", "", "截至上月底", "含已故人员", "按户籍口径", "不含外出半年以上人员", "填整数", "以系统数据为准"]


@dataclass
class FormTruth:
    duplicate_clusters: list[list[str]] = field(default_factory=list)
    field_elements: dict[str, list[str]] = field(default_factory=dict)
    forms: int = 0
    fields: int = 0
    planted: int = 0


def variant(ind: catalog.Indicator, k: int) -> str:
    name = ind.name
    if k == 1:
        return f"{name}（{ind.unit}）"
    if k == 2 and name.endswith("数") and len(name) > 3:
        return name[:-1]
    if k == 3:
        return traditional(name)
    return name


def _containment(a: set, b: set) -> tuple[int, int]:
    return len(a & b), min(len(a), len(b))


def _department(world: World, county: int, name: str) -> int:
    """The county's department called ``name`` (any department of the county if it has none so called)."""
    depts = world.depts_of.get(county, [])
    for d in depts:
        if world.units[d].name.endswith(name):
            return d
    return depts[sum(map(ord, name)) % len(depts)] if depts else county


def _family_forms(world: World, county: int, families: list[Family], rng: np.random.Generator) -> list[dict]:
    made = []
    for family, dept, els in family_forms(families, rng):
        made.append(
            {
                "issuer": _department(world, county, dept),
                "family": family,
                "els": els,
                "codes": {e.code for e in els},
                "target": "村",
                "cluster": -1,
            }
        )
    return made


def generate_forms(
    world: World,
    sizes: Sizes,
    rng: np.random.Generator,
    as_of: dt.date,
    forms_table,
    fields_table,
    families: list[Family] | None = None,
    family_rng: np.random.Generator | None = None,
) -> FormTruth:
    """Forms of every populated level (a county's see its city's and province's as their scope), planted
    duplicates among them, the form families last; writes their rows and returns the truth."""
    U = world.units
    truth = FormTruth()
    planner = _FormPlanner(world, rng)
    forms = []  # dicts: issuer, topic, elements(list of Indicator), target, planted cluster
    scopes: dict[int, list[dict]] = {}
    prov_forms = planner.region_forms(world.province, 15, [], "县") if world.populated == "province" else []
    forms += prov_forms
    city_forms = {}
    if world.populated in ("province", "city"):
        for c in world.cities:
            city_forms[c] = planner.region_forms(c, 10, list(prov_forms), "县")
            forms += city_forms[c]
    for k in world.counties:
        scope = prov_forms + city_forms.get(U[k].parent, [])
        made = planner.region_forms(k, sizes.forms_per_county, list(scope), "乡")
        scopes[k] = scope + made
        forms += made
    # form families after every other form, drawn from their own stream: the forms above stay as they were
    if families and family_rng is not None:
        for k in world.counties:
            made = _family_forms(world, k, families, family_rng)
            scopes[k] += made
            forms += made

    for i, f in enumerate(forms):
        f["code"] = f"F{i + 1:06d}"
    truth.duplicate_clusters = _duplicate_clusters(scopes)
    truth.planted = sum(1 for f in forms if f.get("copy"))

    for f in forms:
        if "family" in f:
            _write_family_form(f, U[f["issuer"]], family_rng, forms_table, fields_table, truth)
        else:
            _write_form(f, U[f["issuer"]], rng, as_of, forms_table, fields_table, truth)
    truth.forms = len(forms)
    return truth


class _FormPlanner:
    """Draws the forms of one region after another, numbering planted duplicate clusters across them."""

    def __init__(self, world: World, rng: np.random.Generator) -> None:
        self.world = world
        self.rng = rng
        self.cluster_id = 0

    def make_fields(self, topic: catalog.Topic, taken: set[str], scope: list[dict]) -> list[catalog.Indicator]:
        """3–6 of the topic's indicators (those no form of the scope asks yet, first) and up to two common ones,
        redrawn until the form shares less than half of the smaller with every form of its scope."""
        rng, commons = self.rng, catalog.COMMON_INDICATORS
        for attempt in range(40):
            avail = [i for i in topic.indicators if i.code not in taken]
            if len(avail) < 2:
                avail = list(topic.indicators)
            k = int(rng.integers(min(3, len(avail)), min(len(avail), 6) + 1))
            chosen = rng.choice(len(avail), size=k, replace=False)
            els = [avail[j] for j in chosen]
            n_common = int(rng.integers(0, 3)) if attempt < 20 else 0
            codes = {e.code for e in els}
            for j in rng.choice(len(commons), size=n_common, replace=False):
                if commons[j].code not in codes:
                    els.append(commons[j])
                    codes.add(commons[j].code)
            ok = True
            for other in scope:
                ov, mn = _containment(codes, other["codes"])
                if 2 * ov >= mn:
                    ok = False
                    break
            if ok:
                return els
        return els

    def region_forms(self, region: int, n: int, scope: list[dict], respondent: str) -> list[dict]:
        """``n`` forms issued in one region (a county's township offices issue some), a share of them planted
        copies of others; ``scope`` holds the forms from above that its respondents also fill."""
        made = self._new_forms(region, n - int(round(n * DUP_RATE)), scope, respondent)
        made += self._planted_copies(region, int(round(n * DUP_RATE)), scope, made)
        return made

    def _new_forms(self, region: int, n: int, scope: list[dict], respondent: str) -> list[dict]:
        """Forms on topics the scope holds fewer than two of, each from a department of that line of work."""
        world, rng, U = self.world, self.rng, self.world.units
        counts: dict[str, int] = {}
        taken: dict[str, set[str]] = {}
        for f in scope:
            counts[f["topic"].name] = counts.get(f["topic"].name, 0) + 1
            taken.setdefault(f["topic"].name, set()).update(f["codes"])
        depts = world.depts_of.get(region, [])
        towns = world.children_of.get(region, []) if U[region].tier == "county" else []
        made: list[dict] = []
        for _ in range(n):
            free = [t for t in catalog.TOPICS if counts.get(t.name, 0) < 2]
            if not free:
                break
            t = free[int(rng.integers(len(free)))]
            township_form = towns and rng.random() < 0.35
            if township_form:
                tw = towns[int(rng.integers(len(towns)))]
                offices = [o for o in world.depts_of.get(tw, []) if t.name in U[o].topics] or [tw]
                issuer = offices[int(rng.integers(len(offices)))]
                target = "社区" if U[tw].level == "街道" else "村"
            else:
                cand = [d for d in depts if t.name in U[d].topics] or depts or [region]
                issuer = cand[int(rng.integers(len(cand)))]
                target = respondent
            els = self.make_fields(t, taken.get(t.name, set()), scope + made)
            f = {
                "issuer": issuer,
                "topic": t,
                "els": els,
                "codes": {e.code for e in els},
                "target": target,
                "cluster": -1,
            }
            made.append(f)
            counts[t.name] = counts.get(t.name, 0) + 1
            taken.setdefault(t.name, set()).update(f["codes"])
        return made

    def _planted_copies(self, region: int, n_dup: int, scope: list[dict], made: list[dict]) -> list[dict]:
        """Copies of forms just made, issued by another department: covered by the original (a subset) or
        overlapping it (most of it plus one element), clear of every other form of the scope."""
        rng = self.rng
        depts = self.world.depts_of.get(region, [])
        copies: list[dict] = []
        originals = [f for f in made if len(f["els"]) >= 4]
        for _ in range(min(n_dup, len(originals))):
            a = originals.pop(int(rng.integers(len(originals))))
            base = list(a["els"])
            others = [
                f for f in scope + made + copies if f is not a and (a["cluster"] < 0 or f["cluster"] != a["cluster"])
            ]
            for _ in range(30):
                if rng.random() < COVER_SHARE:  # covered: a subset of the original
                    k = int(rng.integers(3, len(base) + 1))
                    els = [base[j] for j in sorted(rng.choice(len(base), size=k, replace=False))]
                else:  # overlap: most of the original plus one new element
                    k = max(3, -(-8 * len(base) // 10))
                    els = [base[j] for j in sorted(rng.choice(len(base), size=k, replace=False))]
                    extra = [i for i in catalog.ALL_INDICATORS if i.code not in a["codes"]]
                    els.append(extra[int(rng.integers(len(extra)))])
                codes = {e.code for e in els}
                # clear of every other form of the scope: less than half of the smaller shared
                if all(2 * _containment(codes, f["codes"])[0] < _containment(codes, f["codes"])[1] for f in others):
                    break
            if a["cluster"] < 0:
                a["cluster"] = self.cluster_id
                self.cluster_id += 1
            rng.shuffle(els)
            cand = [d for d in depts if d != a["issuer"]] or [a["issuer"]]
            issuer = cand[int(rng.integers(len(cand)))]
            copies.append(
                {
                    "issuer": issuer,
                    "topic": a["topic"],
                    "els": els,
                    "codes": {e.code for e in els},
                    "target": a["target"],
                    "cluster": a["cluster"],
                    "copy": True,
                }
            )
        return copies


def _duplicate_clusters(scopes: dict[int, list[dict]]) -> list[list[str]]:
    """The truth: forms joined by exact pairs (containment >= 0.7 of the smaller) within each county's scope."""
    pairs: set[tuple[str, ...]] = set()
    for scope in scopes.values():
        for x in range(len(scope)):
            for y in range(x + 1, len(scope)):
                a, b = scope[x], scope[y]
                ov, mn = _containment(a["codes"], b["codes"])
                if 10 * ov >= 7 * mn:
                    pairs.add(tuple(sorted((a["code"], b["code"]))))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for code_a, code_b in pairs:
        parent[find(code_a)] = find(code_b)
    comps: dict[str, set[str]] = {}
    for form_code in list(parent):
        comps.setdefault(find(form_code), set()).add(form_code)
    return sorted(sorted(v) for v in comps.values() if len(v) > 1)


def _write_form(
    f: dict, issuer, rng: np.random.Generator, as_of: dt.date, forms_table, fields_table, truth: FormTruth
) -> None:
    """One form's row and its fields' rows, each field worded one of four ways (a copy differently)."""
    t = f["topic"]
    title = f"{issuer.name}{t.name}{_TITLES[int(rng.integers(len(_TITLES)))]}"
    if f.get("copy"):
        title = f"{issuer.name}{t.name}{_TITLES[int(rng.integers(len(_TITLES)))]}（{as_of.year}年）"
    freq = catalog.FORM_FREQUENCIES[int(rng.integers(len(catalog.FORM_FREQUENCIES)))]
    chan = catalog.FORM_CHANNELS[int(rng.integers(len(catalog.FORM_CHANNELS)))]
    minutes = int(rng.integers(1, 13)) * 10 if rng.random() < 0.9 else None
    forms_table.add([f["code"], title, issuer.code, f["target"], freq, chan, minutes])
    vk = rng.integers(0, 4, len(f["els"]))
    if f.get("copy"):  # printed differently from the original
        vk = (vk + 1) % 4
    for j, (ind, k) in enumerate(zip(f["els"], vk.tolist())):
        note = _NOTES[int(rng.integers(len(_NOTES)))]
        fields_table.add([f["code"], j + 1, variant(ind, k), note, ind.dtype, ind.unit])
        truth.fields += 1
    truth.field_elements[f["code"]] = [e.code for e in f["els"]]


def _write_family_form(f: dict, issuer, rng, forms_table, fields_table, truth: FormTruth) -> None:
    family: Family = f["family"]
    title = f"{issuer.name}{family.name}{_TITLES[int(rng.integers(len(_TITLES)))]}"
    freq = ["月", "季", "季", "半年", "年"][int(rng.integers(5))]
    chan = catalog.FORM_CHANNELS[int(rng.integers(len(catalog.FORM_CHANNELS)))]
    forms_table.add([f["code"], title, issuer.code, f["target"], freq, chan, int(rng.integers(3, 10)) * 10])
    by_code = {e.indicator.code: e for e in family.elements}
    order = list(f["els"])
    rng.shuffle(order)
    for j, ind in enumerate(order):
        fields_table.add([f["code"], j + 1, printed_wording(by_code[ind.code], rng), "", ind.dtype, ind.unit])
        truth.fields += 1
    truth.field_elements[f["code"]] = [e.code for e in order]
