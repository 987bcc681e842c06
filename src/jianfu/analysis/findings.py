"""Finding dicts exactly as spec/formats.md shows them, with stable ids, and clustering of pairs."""

from __future__ import annotations

import hashlib
import math
from typing import Any, Iterable

ACTIONS = ("cancel", "merge", "optimise", "rectify")

#: a reason as a Chinese template (str.format fields) and its parameters
Reason = tuple[str, dict[str, Any]]

#: every finding type this package produces → its rules (formats.md).
FINDING_TYPES: dict[str, tuple[str, ...]] = {
    "duplicate_groups": ("F4",),
    "expired_group": ("F5",),
    "idle_group": ("F5",),
    "group_demand": ("F1", "F2"),
    "duplicate_apps": ("F5",),
    "zombie_app": ("F5",),
    "forced_feature": ("F1", "F2", "F3"),
    "stale_account": ("F5",),
    "account_assessment": ("F3",),
    "duplicate_accounts": ("F5",),
    "duplicate_forms": ("F4",),
}

ITEM_KIND = {
    "duplicate_groups": "group",
    "expired_group": "group",
    "idle_group": "group",
    "group_demand": "group",
    "duplicate_apps": "app",
    "zombie_app": "app",
    "forced_feature": "app",
    "stale_account": "account",
    "account_assessment": "account",
    "duplicate_accounts": "account",
    "duplicate_forms": "form",
}


def finding_id(type_: str, rule: str, items: Iterable[str]) -> str:
    """Stable id: the same type, rule and set of items give the same id on every run."""
    key = "\x1f".join([type_, rule, *sorted(items)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def make_finding(
    type_: str,
    rule: str,
    action: str,
    items: list[str],
    *,
    score: float,
    evidence: dict[str, Any],
    hours_saved: float,
    reason: str | Reason,
    owner_code: str | None,
    saved_by_item: dict[str, float] | None = None,
    arithmetic: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One finding. ``items`` lists the main item first (the one kept when merging, or the only one).

    ``reason`` is a sentence, or a (template, params) pair: the sentence is the template filled in, and the
    pair is kept (private) so that a user interface can translate the template and fill it in itself.
    ``arithmetic`` lists the terms of ``hours_saved`` (who, how many, how often, which parameter).
    """
    template, params = (reason, {}) if isinstance(reason, str) else reason
    if type_ not in FINDING_TYPES or rule not in FINDING_TYPES[type_]:
        raise ValueError(f"{type_}/{rule} is not a finding type of formats.md")
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    finding = {
        "id": finding_id(type_, rule, items),
        "type": type_,
        "rule": rule,
        "action": action,
        "items": list(items),
        "score": round(float(score), 4),
        "evidence": {k: _clean(v) for k, v in evidence.items() if v is not None},
        "hours_saved_per_month": round(float(hours_saved or 0.0), 2),
        "reason": template.format(**params) if params else template,
        "owner_code": owner_code,
    }
    finding["_reason_template"], finding["_reason_params"] = template, dict(params)
    finding["_arithmetic"] = list(arithmetic or [])
    # Kept out of the JSON: the summary uses it to count each item's saving once.
    finding["_saved_by_item"] = saved_by_item if saved_by_item is not None else {items[0]: float(hours_saved or 0)}
    return finding


def public(finding: dict[str, Any]) -> dict[str, Any]:
    """The finding without its private keys."""
    return {k: v for k, v in finding.items() if not k.startswith("_")}


class BestSavings:
    """Each item's largest saving over the findings added so far: acting on all of them saves the sum.

    An item named by several findings (a group both idle and a duplicate) counts once, with its largest saving.
    Kept as a tally so that one pass over the findings can cost several subsets at once (the whole set and
    each rule's share of it).
    """

    __slots__ = ("best",)

    def __init__(self) -> None:
        self.best: dict[str, float] = {}

    def add(self, finding_type: str, saved_by_item: dict[str, Any]) -> None:
        prefix = ITEM_KIND.get(finding_type, finding_type)  # groups, apps and accounts may reuse a code
        best = self.best
        for item, hours in saved_by_item.items():
            key = f"{prefix}:{item}"
            saving = float(hours)
            if saving > best.get(key, 0.0):
                best[key] = saving

    def total(self) -> float:
        return round(float(sum(self.best.values())), 2)


def deduplicated_hours(findings: Iterable[dict[str, Any]]) -> float:
    """Hours saved if every finding were acted on, each item counted once (its largest saving)."""
    tally = BestSavings()
    for f in findings:
        tally.add(f["type"], f.get("_saved_by_item", {}))
    return tally.total()


class UnionFind:
    """Connected components of pairs (the pairs are the output of a detector, so they fit in memory)."""

    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra

    def components(self) -> list[list[Any]]:
        groups: dict[Any, list[Any]] = {}
        for x in self.parent:
            groups.setdefault(self.find(x), []).append(x)
        return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def clusters(pairs: Iterable[tuple[Any, Any]]) -> list[list[Any]]:
    """Connected components of the pairs, each sorted, ordered by their first member."""
    uf = UnionFind()
    for a, b in pairs:
        uf.union(a, b)
    return uf.components()


def quote_names(names: list[str | None], limit: int = 3) -> str:
    """「甲」、「乙」等 N 个 — names for a reason sentence."""
    shown = "、".join(f"「{n or '未命名'}」" for n in names[:limit])
    return shown + (f"等 {len(names)} 个" if len(names) > limit else "")
