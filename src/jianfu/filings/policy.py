"""Per-region filing rules: which levels approve each kind, how long a filing lasts, when reminders go out.

Defaults are below; a region's :class:`~jianfu.filings.models.RegionPolicy` overrides any of them for the
region and everything under it, and a region lower down overrides it again (the most specific wins,
key by key). Plan items add up along the chain: a county proposal may cite the province's plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from jianfu.registry.models import Level, Unit

LEVEL_ORDER = ["province", "city", "county", "township", "village"]
LEVEL_LABELS = dict(Level.choices)

#: approval levels per proposal kind, lowest first: the county office, then the city's
DEFAULT_ROUTES: dict[str, list[str]] = {
    "apps": ["county", "city"],
    "platforms": ["county", "city"],
    "accounts": ["county"],
    "groups": ["county"],
    "forms": ["county"],
}
#: days from approval to the review date; a temporary group expires at its task end date instead
DEFAULT_VALID_DAYS: dict[str, int] = {"apps": 365, "platforms": 365, "accounts": 365, "groups": 365, "forms": 365}
DEFAULT_REMIND_DAYS = 30
#: kinds a unit below county level (township, village) may not propose (national rule for new apps)
COUNTY_AND_ABOVE_ONLY = frozenset({"apps", "platforms"})
KINDS = tuple(DEFAULT_ROUTES)
#: the national floor of a route: the highest level it names must be this one or above
ROUTE_FLOOR: dict[str, str] = {"apps": "county", "platforms": "county"}
#: a filing is reviewed again within three years at most, and lasts at least a month
MIN_VALID_DAYS, MAX_VALID_DAYS = 30, 3 * 365
MAX_REMIND_DAYS = 180


def meets_floor(kind: str, levels: list[str]) -> bool:
    """Whether a route reaches the level the national rules require for this kind (apps: county and above)."""
    floor = ROUTE_FLOOR.get(kind)
    if floor is None:
        return bool(levels)
    return any(LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(floor) for level in levels if level in LEVEL_ORDER)


def bounded_valid_days(days: int) -> int:
    return min(max(int(days), MIN_VALID_DAYS), MAX_VALID_DAYS)


@dataclass
class EffectivePolicy:
    routes: dict[str, list[str]] = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_ROUTES.items()})
    valid_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_VALID_DAYS))
    remind_days: int = DEFAULT_REMIND_DAYS
    # JIANFU_FILING_SINCE (YYYY-MM-DD) is the installation-wide default; None: every unfiled item is off-catalog.
    filing_since: dt.date | None = field(default_factory=lambda: settings.JIANFU_FILING_SINCE)
    plan_items: list[str] = field(default_factory=list)
    # key → code of the region that set it ("" for the default)
    sources: dict[str, str] = field(default_factory=dict)


def ancestor_codes(path: str) -> list[str]:
    return [c for c in (path or "").strip("/").split("/") if c]


def policy_for(unit: Unit | None) -> EffectivePolicy:
    """The rules that apply to a unit: defaults, overridden root first by each region above it that has a policy."""
    from jianfu.filings.models import RegionPolicy

    effective = EffectivePolicy()
    if unit is None:
        return effective
    codes = ancestor_codes(unit.path)
    policies = {p.region.code: p for p in RegionPolicy.objects.filter(region__code__in=codes).select_related("region")}
    for code in codes:
        p = policies.get(code)
        if p is None:
            continue
        # A stored rule below the national floor (set before the floor was enforced) is ignored, not obeyed.
        for kind, levels in (p.routes or {}).items():
            if kind in DEFAULT_ROUTES and levels and meets_floor(kind, levels):
                effective.routes[kind] = [lv for lv in levels if lv in LEVEL_ORDER]
                effective.sources[f"routes.{kind}"] = code
        for kind, days in (p.valid_days or {}).items():
            if kind in DEFAULT_VALID_DAYS and days:
                effective.valid_days[kind] = bounded_valid_days(days)
                effective.sources[f"valid_days.{kind}"] = code
        if p.remind_days is not None:
            effective.remind_days = min(max(p.remind_days, 0), MAX_REMIND_DAYS)
            effective.sources["remind_days"] = code
        if p.filing_since is not None:
            effective.filing_since = p.filing_since
            effective.sources["filing_since"] = code
        effective.plan_items.extend(i for i in (p.plan_items or []) if i and i not in effective.plan_items)
    return effective


def ancestors(unit: Unit) -> list[Unit]:
    """The unit's ancestors and itself, root first."""
    codes = ancestor_codes(unit.path)
    found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def region_of(unit: Unit, chain: list[Unit] | None = None) -> Unit:
    """The nearest region at or above a unit (a department's region is the one it hangs under)."""
    chain = chain or ancestors(unit)
    for u in reversed(chain):
        if u.is_region:
            return u
    return chain[-1] if chain else unit


def home_region(unit: Unit, chain: list[Unit] | None = None) -> Unit:
    """The region whose catalogue a proposal is compared with: the county (or higher) the unit belongs to."""
    chain = chain or ancestors(unit)
    for u in reversed(chain):
        if u.is_region and u.level in ("county", "city", "province"):
            return u
    return chain[0] if chain else unit


def resolve_steps(owner: Unit, kind: str, policy: EffectivePolicy | None = None) -> list[dict]:
    """The levels a proposal of this owner must pass, each pinned to the office of one region above it.

    A level with no region above the owner (a township level for a county department) is skipped; if every
    level is skipped, the owner's own region approves.
    """
    policy = policy or policy_for(owner)
    chain = ancestors(owner)
    regions = {u.level: u for u in chain if u.is_region}
    steps, seen = [], set()
    for level in policy.routes.get(kind, DEFAULT_ROUTES[kind]):
        region = regions.get(level)
        if region is None or region.code in seen:
            continue
        seen.add(region.code)
        steps.append({"level": level, "region": region.code, "region_name": region.name})
    if not steps:
        region = region_of(owner, chain)
        steps.append({"level": region.level, "region": region.code, "region_name": region.name})
    return steps


def chain_q(owner: Unit | None, lookup: str, home: Unit | None = None) -> Q:
    """Registry items a proposal of ``owner`` is compared with: those of its home region and everything under
    it, and those of the regions above (and their departments). ``lookup`` leads from the item to its Unit."""
    if owner is None:
        return Q()
    home = home or home_region(owner)
    above = [c for c in ancestor_codes(home.path) if c != home.code]
    q = Q(**{f"{lookup}__path__startswith": home.path})
    if above:
        q |= Q(**{f"{lookup}__code__in": above})
        q |= Q(**{f"{lookup}__parent__code__in": above, f"{lookup}__is_region": False})
    return q
