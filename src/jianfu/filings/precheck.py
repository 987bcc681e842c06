"""The automatic pre-check: what a reviewer sees before reading a proposal. It only reads the registry.

For one proposed item (a plain dict, from the web form or from an import-format file) it returns

* ``similar`` — the most similar existing items, best first, at most ten, each with its score and the
  evidence (groups by member overlap, apps and platforms by purpose and function similarity, accounts by
  name, platform and owner, forms by field overlap; see :mod:`jianfu.analysis.similarity`);
* ``violations`` — rules the proposal itself breaks: forced-use features (F1–F3, the listed values and the
  demands written into its purpose, description or justification — :mod:`jianfu.analysis.demand_phrases`;
  ``refuse`` unless marked as security or emergency use with a reason, then ``exempted``), a unit below
  county level proposing an app (``LEVEL``, refuse), a standing group for a task that ends (``STANDING``,
  flag), a temporary group with no end date (``TASK_END``, flag), and a duplicate of an existing item (F4 groups and forms, F5 apps and
  accounts, flag: a reviewer decides) — by the kind's measure, or by an identical or near-identical name
  within the owner or its region;
* ``criteria`` — the five review criteria of the national rules, each ``yes`` / ``no`` from the data with
  its evidence, ``open`` for the reviewer to answer, or ``na`` where it does not apply to the kind.

Only carriers active on the check's day (``registry.lifecycle.active_q``) are compared: a proposal that
resembles a carrier already cancelled or merged away is no duplicate of it (docs/filings.md).

Among equally similar items the one with the same owner, then the same region, then the closer name ranks
first. Items are compared with the registry of the proposal's home region (its county, or the city or province
it belongs to) and the regions above it — duplicates are judged within a region, as the detectors judge them.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager, nullcontext
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.demand_phrases import find_demands
from jianfu.analysis.schema import ACCOUNT_ASSESSMENTS, APP_FEATURES, GROUP_DEMANDS, RULE_NAMES
from jianfu.analysis.similarity import (
    NEAR_IDENTICAL_NAME,
    AppIndex,
    TextMatcher,
    account_score,
    form_overlap,
    group_overlap,
    name_key,
    name_similarity,
    rank,
    text_similarity,
)
from jianfu.analysis.synonyms import catalog_equivalences
from jianfu.elements.models import DataElement
from jianfu.filings import policy as policies
from jianfu.findings.labels import RULE_LABELS as FINDING_RULE_LABELS
from jianfu.registry.lifecycle import active_q
from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, Unit, WorkGroup
from jianfu.textnorm import normalize_text

LIMIT = 10
KIND_LABELS = {
    "apps": "政务应用",
    "platforms": "信息平台",
    "accounts": "政务公众账号",
    "groups": "工作群",
    "forms": "报表",
}
CRITERIA = [
    (1, "符合数字化建设规划"),
    (2, "不与现有应用功能重复"),
    (3, "不能作为现有系统的模块建设"),
    (4, "能与相关系统互联互通"),
    (5, "符合数据共享要求"),
]
RULE_LABELS = {
    **FINDING_RULE_LABELS,
    "LEVEL": gettext_lazy("层级限制"),
    "STANDING": gettext_lazy("常设群用于阶段性任务"),
    "TASK_END": gettext_lazy("临时群未定结束日期"),
}
# Words in a standing group's name or purpose that say its task ends.
_TEMPORARY_HINTS = re.compile(r"(20\d\d年|专项|行动|攻坚|百日|临时|普查|大会战|会战)")
_MODULE_COVERAGE = 0.5  # share of a proposal's own functions an existing app already has
_GROUP_COVERED = 0.9  # share of the proposed members already in one existing group
_FORM_DUPLICATE = 0.7  # share of the smaller form's fields asked again
_FORM_COVERED = 0.7  # share of the proposal's fields that existing forms already ask
# Free-text fields where a forced-use demand may be written, with the label a reason names them by.
_FREE_TEXT_FIELDS = (("purpose", "用途"), ("description", "描述"), ("justification", "建设必要性"))
# Per kind: the registry model, the field leading to its owner unit, its name field, extra values to read.
_NAMED = {
    "groups": (WorkGroup, "owner", "name", ("member_count",)),
    "apps": (App, "owner", "name", ("category",)),
    "platforms": (App, "owner", "name", ("category",)),
    "accounts": (PublicAccount, "owner", "name", ()),
    "forms": (Form, "issuer", "title", ()),
}


@contextmanager
def read_only():
    """Run the enclosed queries so that nothing can be written.

    PostgreSQL: inside a READ ONLY transaction (or savepoint), rolled back at the end. SQLite: the
    connection is query_only; no transaction is opened (an outermost one would take the write lock).
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = ON")
        try:
            # Inside a caller's transaction a savepoint keeps a refused write from spoiling it.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Allowed after earlier queries and inside a savepoint; rolling back restores read-write.
            cursor.execute("SET TRANSACTION READ ONLY")
        try:
            yield
        finally:
            transaction.set_rollback(True)


def _round(value: float) -> float:
    return round(float(value), 4)


_APP_INDEX: dict[tuple, tuple[AppIndex, dict]] = {}


def learned_equivalences() -> dict[str, str]:
    """The active catalog's synonyms (imported, and learned from confirmed mappings) as equivalences for app
    purposes: what ``duplicate_apps.learned_equivalences`` reads from the analysis snapshot of the same rows."""
    rows = DataElement.objects.filter(status=DataElement.Status.ACTIVE).values_list("name", "synonyms")
    return catalog_equivalences((name, synonyms) for name, synonyms in rows.iterator() if name and synonyms)


def _app_catalogue(config: AnalysisConfig, as_of: dt.date) -> tuple[AppIndex, dict[str, dict]]:
    """The apps and platforms active on ``as_of`` as an index (IDF over that catalogue, as the detector takes
    it, purposes folded with the catalog's learned synonyms), cached per process until the catalogue, the
    data-element catalog or the day changes."""
    apps = App.objects.aggregate(n=Count("id"), m=Max("updated_at"), i=Max("id")).values()
    elements = DataElement.objects.aggregate(n=Count("id"), m=Max("updated_at"), i=Max("id")).values()
    sig = (as_of, *apps, *elements)
    cached = _APP_INDEX.get(sig)
    if cached is not None:
        return cached
    rows = list(
        App.objects.filter(active_q(App, as_of)).values(
            "code", "name", "description", "functions", "category", "owner__code", "owner__name", "owner__path"
        )
    )
    codes = {c for r in rows for c in policies.ancestor_codes(r["owner__path"])}
    region_names = dict(Unit.objects.filter(code__in=codes, is_region=True).values_list("code", "name"))
    for r in rows:
        r["places"] = [region_names[c] for c in policies.ancestor_codes(r["owner__path"]) if c in region_names]
    index = AppIndex(rows, config, learned_equivalences())
    info = {r["code"]: r for r in rows}
    _APP_INDEX.clear()
    _APP_INDEX[sig] = (index, info)
    return index, info


class Prechecker:
    """Checks proposals against the registry; one instance reuses what it loaded for many proposals."""

    def __init__(self, *, as_of: dt.date | None = None, config: AnalysisConfig | None = None, limit: int = LIMIT):
        self.as_of = as_of or timezone.localdate()
        self.config = config or AnalysisConfig()
        self.limit = limit
        self._units: dict[str, Unit | None] = {}
        self._chains: dict[str, dict[str, Any]] = {}
        self._is_region: dict[str, bool] = {}
        self._named: dict[tuple[str, str], list[dict[str, Any]]] = {}

    # --- context --------------------------------------------------------------------------------------

    def unit(self, code: str | None) -> Unit | None:
        if not code:
            return None
        if code not in self._units:
            self._units[code] = Unit.objects.filter(code=code).first()
        return self._units[code]

    def _context(self, owner: Unit | None) -> dict[str, Any]:
        key = owner.code if owner else ""
        if key not in self._chains:
            if owner is None:
                self._chains[key] = {
                    "policy": policies.EffectivePolicy(),
                    "places": [],
                    "home": None,
                    "region": "",
                    "owner": "",
                    "name": "",
                }
            else:
                chain = policies.ancestors(owner)
                self._chains[key] = {
                    "policy": policies.policy_for(owner),
                    "home": policies.home_region(owner, chain),
                    "places": [u.name for u in chain if u.is_region],
                    "region": policies.region_of(owner, chain).code,
                    "owner": owner.code,
                    "name": "",
                }
        return self._chains[key]

    # --- the check ------------------------------------------------------------------------------------

    def check(self, item: dict[str, Any]) -> dict[str, Any]:
        kind = item["kind"]
        owner = self.unit(item.get("owner_code"))
        ctx = {**self._context(owner), "name": item.get("name") or ""}
        notes: list[str] = []
        if item.get("owner_code") and owner is None:
            notes.append(f"主管单位「{item['owner_code']}」不在台账中：与全部台账比对，未检查层级限制")
        finder = {
            "apps": self._similar_apps,
            "platforms": self._similar_apps,
            "accounts": self._similar_accounts,
            "groups": self._similar_groups,
            "forms": self._similar_forms,
        }[kind]
        similar, facts = finder(item, owner, ctx, notes)
        facts["measured"] = {s["code"] for s in similar if s.get("duplicate")}
        similar = self._add_name_matches(item, similar, self._name_matches(item, owner, ctx), facts)
        subset = next((s for s in similar if s["evidence"].get("subset_of_larger")), None)
        if subset is not None:
            ev = subset["evidence"]
            notes.append(
                f"拟入群成员有 {ev['proposal_covered']:.0%} 在现有工作群「{subset['name']}」（{subset['code']}，"
                f"{ev['members']} 人）中，为该群的子集：该群远大于拟建群，不按重复处理，请审核人判断能否直接利用该群"
            )
        violations = self._violations(item, owner, similar, facts)
        criteria = self._criteria(item, similar, facts, ctx)
        return {
            "code": item.get("code") or "",
            "kind": kind,
            "name": item.get("name") or "",
            "owner": item.get("owner_code") or "",
            "owner_name": owner.name if owner else "",
            "similar": similar,
            "violations": violations,
            "criteria": criteria,
            "notes": notes,
            "checked_at": timezone.now().isoformat(timespec="seconds"),
        }

    # --- where items sit, and which ones carry the proposal's name -------------------------------------------

    def _load_region_flags(self, paths: Iterable[str | None]) -> None:
        codes = {c for p in paths for c in policies.ancestor_codes(p or "")} - self._is_region.keys()
        if codes:
            found = dict(Unit.objects.filter(code__in=codes).values_list("code", "is_region"))
            self._is_region.update({c: bool(found.get(c)) for c in codes})

    def _region_code(self, path: str | None) -> str:
        """The code of the nearest region at or above the unit at ``path`` (as ``policy.region_of``)."""
        codes = policies.ancestor_codes(path or "")
        self._load_region_flags([path])
        return next((c for c in reversed(codes) if self._is_region.get(c)), codes[-1] if codes else "")

    def _nearness(
        self, ctx: dict[str, Any], owner_code: str | None, owner_path: str | None, name: object
    ) -> tuple[float, float, float]:
        """What ranks first among equally similar items: the same owner, then the same region, then the
        closer name."""
        same_owner = bool(ctx["owner"]) and owner_code == ctx["owner"]
        same_region = same_owner or (bool(ctx["region"]) and self._region_code(owner_path) == ctx["region"])
        return float(same_owner), float(same_region), name_similarity(ctx["name"], name)

    def _region_items(self, kind: str, region_code: str) -> list[dict[str, Any]]:
        """Registry items of the kind owned by the region or the units under it that are no region themselves
        (its departments), each with its comparable name key; cached per region."""
        model, owner_field, name_field, extra = _NAMED[kind]
        key = (model.__name__, region_code)
        if key not in self._named:
            region = self.unit(region_code)
            rows = (
                list(
                    model.objects.filter(active_q(model, self.as_of))
                    .filter(**{f"{owner_field}__path__startswith": region.path})
                    .values(
                        "id",
                        "code",
                        name_field,
                        f"{owner_field}__code",
                        f"{owner_field}__name",
                        f"{owner_field}__path",
                        *extra,
                    )
                )
                if region is not None
                else []
            )
            self._load_region_flags(r[f"{owner_field}__path"] for r in rows)
            self._named[key] = [
                {
                    "id": r["id"],
                    "code": r["code"],
                    "name": r[name_field],
                    "key": name_key(r[name_field]),
                    "owner_code": r[f"{owner_field}__code"],
                    "owner": r[f"{owner_field}__name"],
                    **{e: r[e] for e in extra},
                }
                for r in rows
                if self._region_code(r[f"{owner_field}__path"]) == region_code
            ]
        return self._named[key]

    def _name_matches(self, item, owner, ctx) -> dict[str, dict[str, Any]]:
        """Items of the owner or its region whose name is identical or near-identical to the proposal's."""
        wanted = name_key(item.get("name"))
        if owner is None or not wanted:
            return {}
        from rapidfuzz import fuzz, process

        rows = [r for r in self._region_items(item["kind"], ctx["region"]) if r["code"] != (item.get("code") or "")]
        hits = process.extract(
            wanted, [r["key"] for r in rows], scorer=fuzz.ratio, limit=None, score_cutoff=100 * NEAR_IDENTICAL_NAME
        )
        out = {}
        for _key, ratio, index in sorted(hits, key=lambda h: (-h[1], rows[h[2]]["code"])):
            row = rows[index]
            out[row["code"]] = {
                **row,
                "name_ratio": round(ratio / 100, 4),
                "identical": row["key"] == wanted,
                "same_owner": row["owner_code"] == owner.code,
            }
        return out

    def _add_name_matches(self, item, similar, matches, facts) -> list[dict[str, Any]]:
        """Mark name matches as duplicates (evidence ``same_name``). Those the measure did not rank fill the free
        places after its ranking; if none is free and no name match is shown, the best one takes the last place,
        so that the flagged item is always listed and the measure's best ones are never pushed out."""
        ranked = {s["code"] for s in similar}
        missing = sorted(
            (row for code, row in matches.items() if code not in ranked),
            key=lambda r: (not r["identical"], not r["same_owner"], -r["name_ratio"], r["code"]),
        )
        room = self.limit - len(similar)
        if room <= 0 and missing and not ranked & matches.keys():
            similar, room = similar[: self.limit - 1], 1
        for row in missing[: max(room, 0)]:
            similar.append(self._name_only_entry(item, row, facts))
        for s in similar:
            row = matches.get(s["code"])
            if row is not None:
                s["duplicate"] = True
                s["evidence"].update(
                    same_name=True,
                    name_ratio=row["name_ratio"],
                    identical_name=row["identical"],
                    same_owner=row["same_owner"],
                )
        return similar

    def _name_only_entry(self, item, row, facts) -> dict[str, Any]:
        """A ``similar`` entry for an item found by its name only (for groups, with its member overlap)."""
        evidence: dict[str, Any] = {}
        if item["kind"] == "groups" and facts.get("members"):
            shared = facts.get("overlap", {}).get(row["id"], 0)
            evidence = group_overlap(facts["members"], max(row["member_count"], shared), shared, self.config)
        kind = item["kind"]
        if kind in ("apps", "platforms"):
            kind = "platforms" if row.get("category") == "platform" else "apps"
        return {
            "code": row["code"],
            "kind": kind,
            "name": row["name"],
            "owner_code": row["owner_code"],
            "owner": row["owner"],
            "score": evidence.get("jaccard", 0.0),
            "duplicate": False,
            "evidence": evidence,
        }

    # --- similar items ---------------------------------------------------------------------------------

    def _similar_apps(self, item, owner, ctx, notes):
        index, info = _app_catalogue(self.config, self.as_of)
        candidates = None
        if owner is not None:
            in_chain = App.objects.filter(active_q(App, self.as_of), policies.chain_q(owner, "owner", ctx["home"]))
            candidates = set(in_chain.values_list("code", flat=True))
            candidates.discard(item.get("code") or "")
        proposal = {
            "name": item.get("name"),
            "description": item.get("description"),
            "functions": item.get("functions") or [],
            "places": ctx["places"],
        }
        ranked = index.rank(
            proposal,
            candidates=candidates,
            limit=self.limit,
            tiebreak=lambda app: self._nearness(ctx, app["owner__code"], app["owner__path"], app["name"]),
        )
        out = []
        for m in ranked:
            row = info[m["code"]]
            out.append(
                {
                    "code": m["code"],
                    "kind": "platforms" if row["category"] == "platform" else "apps",
                    "name": row["name"],
                    "owner_code": row["owner__code"],
                    "owner": row["owner__name"],
                    "score": m["score"],
                    "duplicate": m["duplicate"],
                    "evidence": m["evidence"],
                }
            )
        related = self._related_systems(item, owner)
        return out, {"related": related}

    def _related_systems(self, item, owner) -> dict[str, list[str]]:
        """The systems a proposal says it connects to, found in the registry by code or name."""
        listed = [normalize_text(s) for s in item.get("related_systems") or [] if normalize_text(s)]
        if not listed:
            return {"listed": [], "found": [], "missing": []}
        qs = App.objects.filter(active_q(App, self.as_of))
        found_rows = list(qs.filter(code__in=listed).values_list("code", "name")) + list(
            qs.filter(name__in=listed).values_list("code", "name")
        )
        hit = {c for c, _ in found_rows} | {n for _, n in found_rows}
        return {
            "listed": listed,
            "found": sorted({f"{n}（{c}）" for c, n in found_rows}),
            "missing": [s for s in listed if s not in hit],
        }

    def _similar_groups(self, item, owner, ctx, notes):
        ids = self._proposed_member_ids(item, notes)
        groups = WorkGroup.objects.filter(active_q(WorkGroup, self.as_of))
        if owner is not None:
            groups = groups.filter(policies.chain_q(owner, "owner", ctx["home"]))
        if ids:
            out, overlap = self._groups_sharing_members(item, list(ids.values()), groups, ctx)
        else:
            notes.append("未提供成员名单：仅按群名称和用途相似度比对，无法按成员重合判断重复")
            out, overlap = self._groups_alike_in_text(item, groups, ctx), {}
        return out, {"members": len(ids), "overlap": overlap}

    def _proposed_member_ids(self, item, notes) -> dict[str, int]:
        """Person code → id for the proposed members found in the registry; a note names those that are not."""
        codes = [c for c in dict.fromkeys(item.get("members") or []) if c]
        ids = dict(Person.objects.filter(code__in=codes).values_list("code", "id")) if codes else {}
        unknown = [c for c in codes if c not in ids]
        if unknown:
            notes.append(
                f"{len(unknown)} 名拟入群成员不在人员台账中：{'、'.join(unknown[:10])}"
                + ("……" if len(unknown) > 10 else "")
            )
        return ids

    def _groups_sharing_members(self, item, person_ids: list[int], groups, ctx) -> tuple[list[dict], dict[int, int]]:
        """The groups ranked by how many of the proposed members they share; group id → members shared."""
        n = len(person_ids)
        rows = (
            Membership.objects.filter(person_id__in=person_ids)
            .filter(group__in=groups)
            .values("group_id", "group__member_count")
            .annotate(shared=Count("id"))
        )
        overlap: dict[int, int] = {}
        scored = []
        for r in rows:
            shared = r["shared"]
            overlap[r["group_id"]] = shared
            ev = group_overlap(n, max(r["group__member_count"], shared), shared, self.config)
            scored.append((r["group_id"], ev))
        # Names and purposes only decide ties: read them for the candidates that can still reach the top.
        scored.sort(key=lambda x: (-x[1]["jaccard"], -x[1]["containment"]))
        if len(scored) > self.limit:
            edge = (scored[self.limit - 1][1]["jaccard"], scored[self.limit - 1][1]["containment"])
            scored = [x for x in scored if (x[1]["jaccard"], x[1]["containment"]) >= edge]
        evidence = dict(scored)
        matcher = TextMatcher(f"{item.get('name') or ''} {item.get('purpose') or ''}")
        found = list(
            WorkGroup.objects.filter(id__in=list(evidence)).values(
                "id", "code", "name", "purpose", "owner__code", "owner__name", "owner__path"
            )
        )
        self._load_region_flags(r["owner__path"] for r in found)
        out = []
        for r in found:
            if r["code"] == item.get("code"):
                continue
            ev = evidence[r["id"]]
            out.append(
                _group_candidate(
                    r,
                    score=ev["jaccard"],
                    duplicate=ev["qualifies_jaccard"] or ev["qualifies_containment"],
                    evidence=ev,
                    tiebreak=(
                        *self._nearness(ctx, r["owner__code"], r["owner__path"], r["name"]),
                        matcher(f"{r['name']} {r['purpose']}"),
                    ),
                )
            )
        return rank(out, self.limit, keys=("containment",)), overlap

    def _groups_alike_in_text(self, item, groups, ctx) -> list[dict]:
        """Without a member list: the groups whose name and purpose resemble the proposal's, never duplicates."""
        matcher = TextMatcher(f"{item.get('name') or ''} {item.get('purpose') or ''}")
        out = []
        for r in groups.values(
            "code", "name", "purpose", "member_count", "owner__code", "owner__name", "owner__path"
        ).iterator():
            sim = matcher(f"{r['name']} {r['purpose']}")
            if sim > 0:
                out.append(
                    _group_candidate(
                        r,
                        score=_round(sim),
                        duplicate=False,
                        evidence={"text_similarity": _round(sim), "members": r["member_count"]},
                        owner_path=r["owner__path"],
                    )
                )
        return self._rank_near(out, ctx)

    def _similar_accounts(self, item, owner, ctx, notes):
        qs = PublicAccount.objects.filter(active_q(PublicAccount, self.as_of))
        if owner is not None:
            qs = qs.filter(policies.chain_q(owner, "owner", ctx["home"]))
        platform = normalize_text(item.get("platform"))
        out, own_accounts = [], []
        for r in qs.values("code", "name", "platform", "owner__code", "owner__name", "owner__path").iterator():
            if r["code"] == item.get("code"):
                continue
            same_platform = bool(platform) and normalize_text(r["platform"]) == platform
            same_owner = owner is not None and r["owner__code"] == owner.code
            if same_owner:
                own_accounts.append(f"{r['name']}（{r['platform']}）")
            sim = name_similarity(item.get("name"), r["name"])
            score = account_score(sim, same_platform, same_owner)
            if score <= 0.15:
                continue
            out.append(
                {
                    "code": r["code"],
                    "kind": "accounts",
                    "name": r["name"],
                    "owner_code": r["owner__code"],
                    "owner": r["owner__name"],
                    "score": _round(score),
                    "duplicate": same_platform and (same_owner or sim >= 0.9),
                    "evidence": {
                        "name_similarity": _round(sim),
                        "same_platform": same_platform,
                        "same_owner": same_owner,
                        "platform": r["platform"],
                    },
                    "owner_path": r["owner__path"],
                }
            )
        return self._rank_near(out, ctx, keys=("name_similarity",)), {"own_accounts": own_accounts}

    def _similar_forms(self, item, owner, ctx, notes):
        qs = Form.objects.filter(active_q(Form, self.as_of))
        if owner is not None:
            qs = qs.filter(policies.chain_q(owner, "issuer", ctx["home"]))
        forms = {r["id"]: r for r in qs.values("id", "code", "title", "issuer__code", "issuer__name", "issuer__path")}
        fields: dict[int, list[str]] = {}
        for form_id, name in (
            FormField.objects.filter(form_id__in=list(forms))
            .order_by("form_id", "position")
            .values_list("form_id", "name")
        ):
            fields.setdefault(form_id, []).append(name)
        proposed = [f.get("name") if isinstance(f, dict) else f for f in item.get("fields") or []]
        proposed = [f for f in proposed if f]
        if not proposed:
            notes.append("未提供报表字段：仅按表名相似度比对")
        out = []
        for form_id, r in forms.items():
            if r["code"] == item.get("code"):
                continue
            title_sim = text_similarity(item.get("name"), r["title"])
            ev = form_overlap(proposed, fields.get(form_id, []))
            ev["title_similarity"] = _round(title_sim)
            score = ev["jaccard"] if proposed else title_sim
            if score <= 0 and title_sim <= 0:
                continue
            out.append(
                {
                    "code": r["code"],
                    "kind": "forms",
                    "name": r["title"],
                    "owner_code": r["issuer__code"],
                    "owner": r["issuer__name"],
                    "score": _round(score),
                    "duplicate": ev["shared_fields"] >= 2 and ev["overlap_of_smaller"] >= _FORM_DUPLICATE,
                    "evidence": ev,
                    "owner_path": r["issuer__path"],
                }
            )
        union = [f for names in fields.values() for f in names]
        covered = form_overlap(proposed, union)["proposal_covered"] if proposed and union else 0.0
        return self._rank_near(out, ctx, keys=("proposal_covered",)), {"covered": covered, "fields": len(proposed)}

    def _rank_near(self, out: list[dict[str, Any]], ctx: dict[str, Any], keys: tuple[str, ...] = ()) -> list[dict]:
        """:func:`rank`, equally similar items ordered by :meth:`_nearness` (each item's ``owner_path`` is read
        and dropped)."""
        self._load_region_flags(m["owner_path"] for m in out)
        for m in out:
            m["tiebreak"] = self._nearness(ctx, m["owner_code"], m.pop("owner_path"), m["name"])
        return rank(out, self.limit, keys=keys)

    # --- rules ---------------------------------------------------------------------------------------------

    def _violations(self, item, owner, similar, facts) -> list[dict[str, Any]]:
        kind = item["kind"]
        label = KIND_LABELS[kind]
        out: list[dict[str, Any]] = []
        out += _forced_violations(item, label)
        if kind in policies.COUNTY_AND_ABOVE_ONLY and owner is not None and owner.level in ("township", "village"):
            out.append(
                {
                    "rule": "LEVEL",
                    "severity": "refuse",
                    "reason": f"申报单位「{owner.name}」属于乡镇（街道）或村（社区）层级，按规定不得新建{label}",
                }
            )
        if kind == "groups":
            out += _group_nature_violations(item, self.as_of)
        measured, by_name = _duplicates(similar, facts)
        if measured is not None:
            out.append(_duplicate_violation(kind, measured))
        elif by_name is not None:
            out.append(_name_violation(kind, by_name, facts))
        return out

    # --- the five criteria -----------------------------------------------------------------------------------

    def _criteria(self, item, similar, facts, ctx) -> list[dict[str, Any]]:
        """The five review criteria, each answered yes / no / open (for the reviewer) / na with its evidence."""
        kind = item["kind"]
        is_app = kind in ("apps", "platforms")
        answers = {
            1: _plan_answer(item, ctx["policy"].plan_items) if is_app else _NOT_APPLICABLE,
            2: _duplicate_answer(similar, facts),
            3: self._existing_host_answer(item, kind, similar, facts),
            4: _related_systems_answer(facts) if is_app else _NOT_APPLICABLE,
            5: _data_sharing_answer(item, kind),
        }
        return [
            {"id": n, "title": title, "answer": answers[n][0], "evidence": answers[n][1], "note": answers[n][2]}
            for n, title in CRITERIA
        ]

    def _existing_host_answer(self, item, kind, similar, facts) -> tuple[str, dict, str]:
        """Criterion 3: could it be a module of (or be served by) an existing item?"""
        host = None
        if kind in ("apps", "platforms"):
            host = next(
                (
                    s
                    for s in similar
                    if s["evidence"].get("function_coverage", 0) >= _MODULE_COVERAGE
                    or s["evidence"].get("purpose_similarity", 0) >= self.config.dup_app_purpose_similarity
                ),
                None,
            )
            if host is not None:
                return (
                    "open",
                    {
                        "code": host["code"],
                        "name": host["name"],
                        "function_coverage": host["evidence"]["function_coverage"],
                        "purpose_similarity": host["evidence"]["purpose_similarity"],
                    },
                    f"现有「{host['name']}」已具备相近用途或功能，请审核人判断能否作为其模块建设",
                )
        elif kind == "groups":
            host = next((s for s in similar if s["evidence"].get("proposal_covered", 0) >= _GROUP_COVERED), None)
            if host is not None:
                return (
                    "open",
                    {
                        "code": host["code"],
                        "name": host["name"],
                        "proposal_covered": host["evidence"]["proposal_covered"],
                    },
                    f"现有工作群「{host['name']}」已包含拟入群成员的"
                    f"{host['evidence']['proposal_covered']:.0%}，可考虑直接利用",
                )
        elif kind == "accounts" and facts.get("own_accounts"):
            return (
                "open",
                {"own_accounts": facts["own_accounts"]},
                "本单位已有政务公众账号，请审核人判断能否利用现有账号",
            )
        elif kind == "forms" and facts.get("covered", 0) >= _FORM_COVERED:
            return (
                "open",
                {"fields_already_collected": facts["covered"]},
                f"拟填报指标的{facts['covered']:.0%}已由现有报表采集，可考虑从现有数据中提取",
            )
        why = (item.get("why_not_existing") or "").strip()
        if why:
            return "yes", {"why_not_existing": why}, "未发现可承载的现有对象，申报已说明原因"
        return "open", {}, "未发现可承载的现有对象，但申报未说明现有系统无法满足的原因"


_NOT_APPLICABLE: tuple[str, dict, str] = ("na", {}, "不适用")


def _group_candidate(row: dict[str, Any], **facts) -> dict[str, Any]:
    """A registry group as the pre-check lists it beside a proposal: who it is, then ``facts`` in order."""
    return {
        "code": row["code"],
        "kind": "groups",
        "name": row["name"],
        "owner_code": row["owner__code"],
        "owner": row["owner__name"],
        **facts,
    }


def _forced_violations(item: dict[str, Any], label: str) -> list[dict[str, Any]]:
    """A refusal for each rule the proposal's forced features or written demands break; exempted, with the reason
    given, for a declared safety or emergency use."""
    out: list[dict[str, Any]] = []
    exempt = bool(item.get("emergency")) and bool((item.get("emergency_reason") or "").strip())
    listed = forced_terms(item)
    written = written_demands(item)
    for rule in sorted(set(listed) | set(written)):
        terms = list(dict.fromkeys([*listed.get(rule, []), *(w["label"] for w in written.get(rule, []))]))
        parts = []
        if listed.get(rule):
            parts.append(f"含有「{'、'.join(listed[rule])}」")
        if written.get(rule):
            parts.append("在" + "、".join(f"{w['field_label']}中写有「{w['text']}」" for w in written[rule]))
        found = "，".join(parts)
        reason = f"申报的{label}{found}，属于{RULE_NAMES[rule]}，按规定不予受理"
        if exempt:
            reason = (
                f"申报的{label}{found}（{RULE_NAMES[rule]}），"
                f"已申报为安全或应急用途：{item['emergency_reason'].strip()}"
            )
        violation = {"rule": rule, "severity": "exempted" if exempt else "refuse", "reason": reason, "terms": terms}
        if written.get(rule):
            violation["written"] = [{"field": w["field"], "text": w["text"]} for w in written[rule]]
        out.append(violation)
    return out


def _group_nature_violations(item: dict[str, Any], as_of: dt.date) -> list[dict[str, Any]]:
    """Flags for a work group declared standing though its task ends, or temporary without a (future) end."""
    out: list[dict[str, Any]] = []
    end = _as_date(item.get("task_end_date"))
    if item.get("nature") == "standing":
        hint = _TEMPORARY_HINTS.search(f"{item.get('name') or ''} {item.get('purpose') or ''}")
        if end is not None:
            out.append(
                {
                    "rule": "STANDING",
                    "severity": "flag",
                    "reason": f"工作群申报为常设群，但所承担的任务将于 {end:%Y-%m-%d} 结束，"
                    "应按临时群申报并在任务结束后解散",
                }
            )
        elif hint:
            out.append(
                {
                    "rule": "STANDING",
                    "severity": "flag",
                    "reason": f"工作群申报为常设群，但名称或用途表明为阶段性任务（「{hint.group(1)}」），"
                    "应按临时群申报并写明任务结束日期",
                }
            )
    elif end is None:
        out.append({"rule": "TASK_END", "severity": "flag", "reason": "临时工作群未填写任务结束日期"})
    elif end < as_of:
        out.append({"rule": "TASK_END", "severity": "flag", "reason": f"临时工作群的任务结束日期 {end:%Y-%m-%d} 已过"})
    return out


def _plan_answer(item: dict[str, Any], plan: list[str]) -> tuple[str, dict, str]:
    """Criterion 1: an app or platform must be an item of the region's digitalisation plan."""
    plan_ref = (item.get("plan_ref") or "").strip()
    if not plan_ref:
        return "open", {}, "申报未填写规划依据，请审核人判断"
    if not plan:
        return "open", {"plan_ref": plan_ref}, "本地区未登记数字化建设规划项目，请审核人核对规划依据"
    best = max(plan, key=lambda p: text_similarity(plan_ref, p))
    sim = text_similarity(plan_ref, best)
    if sim >= 0.6 or normalize_text(best) in normalize_text(plan_ref):
        return (
            "yes",
            {"plan_ref": plan_ref, "plan_item": best, "similarity": _round(sim)},
            "规划依据与本地区数字化建设规划项目相符",
        )
    return (
        "no",
        {"plan_ref": plan_ref, "closest_plan_item": best, "similarity": _round(sim)},
        "规划依据不在本地区数字化建设规划项目中",
    )


def _duplicate_answer(similar: list[dict[str, Any]], facts: dict[str, Any]) -> tuple[str, dict, str]:
    """Criterion 2: no duplicate of an existing item (by content, by name, or a subset of a larger group)."""
    dup, by_name = _duplicates(similar, facts)
    if dup is not None:
        return (
            "no",
            {"code": dup["code"], "name": dup["name"], "score": dup["score"]},
            f"与现有「{dup['name']}」（{dup['code']}）重复",
        )
    if by_name is not None:
        ev = by_name["evidence"]
        where = "本单位" if ev["same_owner"] else "本地区"
        same = "同名" if ev["identical_name"] else "名称几乎相同"
        # Identical to the owner's own item: a duplicate on its face. Otherwise the reviewer checks.
        answer = "no" if ev["identical_name"] and ev["same_owner"] else "open"
        return (
            answer,
            {"code": by_name["code"], "name": by_name["name"], "name_ratio": ev["name_ratio"]},
            f"与{where}现有「{by_name['name']}」（{by_name['code']}）{same}，疑似重复"
            + ("" if answer == "no" else "，请审核人核实"),
        )
    subset = next((s for s in similar if s["evidence"].get("subset_of_larger")), None)
    if subset is not None:
        ev = subset["evidence"]
        return (
            "open",
            {
                "code": subset["code"],
                "name": subset["name"],
                "proposal_covered": ev["proposal_covered"],
                "members": ev["members"],
            },
            f"拟入群成员为现有工作群「{subset['name']}」（{ev['members']} 人）的子集，"
            "该群远大于拟建群，不按重复处理，请审核人判断",
        )
    if similar:
        return (
            "yes",
            {"code": similar[0]["code"], "name": similar[0]["name"], "score": similar[0]["score"]},
            "最相似的现有对象未达到重复标准",
        )
    return "yes", {}, "台账中没有相似的现有对象"


def _related_systems_answer(facts: dict[str, Any]) -> tuple[str, dict, str]:
    """Criterion 4: an app or platform works with the related systems, which must be in the registry."""
    rel = facts.get("related") or {"listed": []}
    if not rel["listed"]:
        return "open", {}, "申报未列出对接的相关系统，请审核人判断"
    if rel["missing"]:
        return "open", rel, "部分对接系统不在台账中，请审核人核实"
    return "yes", rel, "对接的相关系统均已在台账中"


def _data_sharing_answer(item: dict[str, Any], kind: str) -> tuple[str, dict, str]:
    """Criterion 5: the proposal says which data it will share (groups hold no data of their own)."""
    if kind == "groups":
        return _NOT_APPLICABLE
    shared_data = (item.get("shared_data") or "").strip()
    if shared_data:
        return "yes", {"shared_data": shared_data}, "申报已列明拟共享的数据"
    return "no", {}, "申报未说明拟共享的数据"


def forced_terms(item: dict[str, Any]) -> dict[str, list[str]]:
    """Forced-use terms of the formats.md vocabularies found in the proposal, by rule."""
    kind = item["kind"]
    if kind in ("apps", "platforms"):
        vocabulary = {t: r for t, (r, _) in APP_FEATURES.items()}
        values = [*(item.get("forced_features") or []), *(item.get("functions") or [])]
    elif kind == "groups":
        vocabulary = {t: r for t, (r, _) in GROUP_DEMANDS.items()}
        values = item.get("demands") or []
    elif kind == "accounts":
        vocabulary = {t: "F3" for t in ACCOUNT_ASSESSMENTS}
        values = item.get("assessments") or []
    else:
        return {}
    texts = [normalize_text(v) for v in values]
    found: dict[str, list[str]] = {}
    for term, rule in vocabulary.items():
        if any(term in t for t in texts):
            found.setdefault(rule, []).append(term)
    return dict(sorted(found.items()))


def written_demands(item: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Forced-use demands written in the proposal's purpose, description or justification, by rule."""
    found: dict[str, list[dict[str, str]]] = {}
    for field, field_label in _FREE_TEXT_FIELDS:
        for demand in find_demands(item.get(field)):
            found.setdefault(demand.rule, []).append(
                {"field": field, "field_label": field_label, "label": demand.label, "text": demand.text}
            )
    return dict(sorted(found.items()))


def _duplicates(similar: list[dict[str, Any]], facts: dict[str, Any]) -> tuple[dict | None, dict | None]:
    """The best duplicate by the kind's measure, and the best one by name only (each None if there is none)."""
    measured_codes = facts.get("measured", ())
    measured = next((s for s in similar if s["code"] in measured_codes), None)
    by_name = next((s for s in similar if s["evidence"].get("same_name") and s["code"] not in measured_codes), None)
    return measured, by_name


def _name_violation(kind: str, top: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    ev = top["evidence"]
    where = "本单位" if ev["same_owner"] else "本地区"
    same = "同名" if ev["identical_name"] else f"名称几乎相同（相似度 {ev['name_ratio']:.2f}）"
    reason = f"与{where}现有{KIND_LABELS[top['kind']]}「{top['name']}」（{top['code']}）{same}"
    if kind == "groups" and not facts.get("members"):
        reason += "，且申报未提供成员名单，无法按成员重合排除重复建群"
    return {
        "rule": "F4" if kind in ("groups", "forms") else "F5",
        "severity": "flag",
        "item": top["code"],
        "reason": reason + "，疑似重复建设，请审核人核实",
    }


def _duplicate_violation(kind: str, top: dict[str, Any]) -> dict[str, Any]:
    ev = top["evidence"]
    if kind == "groups":
        if ev["qualifies_jaccard"]:
            how = f"Jaccard {ev['jaccard']:.2f}"
        elif ev["proposed_members"] <= ev["members"]:
            how = f"拟入群成员的 {ev['proposal_covered']:.0%} 已在该群中，该群 {ev['members']} 人"
        else:
            how = f"该群 {ev['members']} 人中的 {ev['containment']:.0%} 在拟入群成员中"
        return {
            "rule": "F4",
            "severity": "flag",
            "item": top["code"],
            "reason": f"与现有工作群「{top['name']}」（{top['code']}）成员高度重合（{how}，"
            f"共同成员 {ev['shared_members']} 人），属于为同一工作重复建群",
        }
    if kind == "forms":
        return {
            "rule": "F4",
            "severity": "flag",
            "item": top["code"],
            "reason": f"与现有报表「{top['name']}」（{top['code']}）的指标重复 {ev['shared_fields']} 项"
            f"（占较小一方的 {ev['overlap_of_smaller']:.0%}），属于多头填报",
        }
    if kind == "accounts":
        if ev.get("same_owner"):
            reason = (
                f"本单位已在{ev['platform']}开设账号「{top['name']}」（{top['code']}），"
                "一个单位在同一平台原则上只开设一个账号"
            )
        else:
            reason = f"与{ev['platform']}上的现有账号「{top['name']}」（{top['code']}）名称几乎相同，属于重复开设"
        return {"rule": "F5", "severity": "flag", "item": top["code"], "reason": reason}
    return {
        "rule": "F5",
        "severity": "flag",
        "item": top["code"],
        "reason": f"与现有{KIND_LABELS[top['kind']]}「{top['name']}」（{top['code']}）用途高度相似"
        f"（相似度 {ev['similarity']:.2f}），属于重复建设",
    }


def _as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def breaks_a_rule(result: dict[str, Any]) -> bool:
    """Whether a pre-check result counts against the proposal (exit code 2 of `jianfu precheck`)."""
    return any(v["severity"] in ("refuse", "flag") for v in result.get("violations", []))
