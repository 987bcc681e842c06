"""duplicate_forms (F4), field_mappings and the consolidation plan of 一表通.

Every form field is mapped to a data element of the catalog it may use (its issuer's region and above) by the
one matcher (jianfu.analysis.fields); a mapping an officer confirmed overrides it. Then, over the forms:

* ``cancel``: a form whose fields all map to elements that other forms already collect from the same
  respondents (their respondent units include all of its own); forms are considered smallest first, and a
  cancelled form covers nothing, so of two identical forms one is kept;
* ``merge``: forms left with the same respondents that share most of their elements (at least
  ``dup_form_merge_share`` of the smaller one's, and ``dup_form_min_shared`` elements), clustered.

Hours come from the burden model's per-form table (respondents × filings per month × minutes per filing): a
cancelled form saves all of its hours, a merged form the share of its fields another form of the cluster asks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from jianfu.analysis.backend import AnalysisBackend
from jianfu.analysis.burden import B
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.fields import CatalogElement, FieldMatcher
from jianfu.analysis.findings import UnionFind, make_finding, quote_names
from jianfu.analysis.snapshot import input_name

TYPE = "duplicate_forms"
MAX_NAMED = 20  # shared elements named in a finding's evidence


@dataclass
class FormFacts:
    code: str
    title: str
    issuer: str
    respondents: frozenset[str]
    hours: float
    fields: int = 0
    elements: set[str] = field(default_factory=set)
    unmapped: int = 0


@dataclass
class FormsPlan:
    findings: list[dict[str, Any]]
    field_mappings: list[dict[str, Any]]
    consolidation: dict[str, Any]


def _catalog(backend: AnalysisBackend) -> list[dict[str, Any]]:
    return backend.query(
        f"SELECT code, name, synonyms, data_type, unit, coalesce(region_path, '/') AS region_path "
        f"FROM {input_name('elements')} WHERE code IS NOT NULL AND name IS NOT NULL ORDER BY code"
    )


def map_fields(backend: AnalysisBackend) -> list[dict[str, Any]]:
    """One `field_mappings` entry per form field, in form and position order."""
    catalog = _catalog(backend)
    fields = backend.query(f"""
SELECT f.form_code, f.position, f.name, coalesce(u.path, '/') AS issuer_path
FROM {input_name("fields")} f
LEFT JOIN {input_name("forms")} fm ON fm.code = f.form_code
LEFT JOIN {input_name("units")} u ON u.code = fm.issuer_code
WHERE f.form_code IS NOT NULL ORDER BY f.form_code, f.position""")
    confirmed = {
        (r["form_code"], r["position"]): r["element_code"]
        for r in backend.query(f"SELECT form_code, position, element_code FROM {input_name('field_elements')}")
    }
    region_paths = sorted({e["region_path"] for e in catalog})
    matchers: dict[tuple[str, ...], FieldMatcher] = {}
    by_catalog: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, row in enumerate(fields):
        visible = tuple(p for p in region_paths if p == "/" or row["issuer_path"].startswith(p))
        by_catalog[visible].append(index)
    results: list[dict[str, Any]] = [{}] * len(fields)
    for visible, indexes in by_catalog.items():
        if visible not in matchers:
            matchers[visible] = FieldMatcher(
                [
                    CatalogElement(e["code"], e["name"], tuple(e["synonyms"] or ()), e["data_type"], e["unit"])
                    for e in catalog
                    if e["region_path"] in visible
                ]
            )
        matches = matchers[visible].match_many([fields[i]["name"] or "" for i in indexes])
        for i, match in zip(indexes, matches):
            row = fields[i]
            key = (row["form_code"], row["position"])
            if key in confirmed:
                element, confidence = confirmed[key], 1.0
            else:
                element, confidence = match.element, float(match.confidence)
            results[i] = {
                "form": row["form_code"],
                "position": row["position"],
                "field": row["name"],
                "element": element,
                "confidence": round(confidence, 4),
            }
    return results


def _form_facts(backend: AnalysisBackend, mappings: list[dict[str, Any]]) -> dict[str, FormFacts]:
    respondents: dict[str, set[str]] = defaultdict(set)
    for row in backend.query(f"SELECT form_code, unit_code FROM {B}form_unit"):
        respondents[row["form_code"]].add(row["unit_code"])
    forms = {}
    for row in backend.query(f"""
SELECT f.code, f.title, f.issuer_code, coalesce(b.total_h, 0) AS hours
FROM {input_name("forms")} f LEFT JOIN {B}form b ON b.code = f.code WHERE f.code IS NOT NULL ORDER BY f.code"""):
        forms[row["code"]] = FormFacts(
            row["code"],
            row["title"] or "",
            row["issuer_code"],
            frozenset(respondents.get(row["code"], ())),
            float(row["hours"] or 0),
        )
    for m in mappings:
        facts = forms.get(m["form"])
        if facts is None:
            continue
        facts.fields += 1
        if m["element"]:
            facts.elements.add(m["element"])
        else:
            facts.unmapped += 1
    return forms


def _cancellations(forms: dict[str, FormFacts], config: AnalysisConfig) -> list[tuple[FormFacts, dict[str, str]]]:
    """(cancelled form, element → the kept form that collects it), smallest forms first."""
    holders: dict[str, set[str]] = defaultdict(set)  # element → forms (not cancelled) collecting it
    for f in forms.values():
        for e in f.elements:
            holders[e].add(f.code)
    cancelled: list[tuple[FormFacts, dict[str, str]]] = []
    for f in sorted(forms.values(), key=lambda x: (len(x.elements), x.hours, x.code)):
        if f.unmapped or len(f.elements) < config.dup_form_min_shared or not f.respondents:
            continue
        covered_by: dict[str, str] = {}
        for e in sorted(f.elements):
            others = sorted(c for c in holders[e] if c != f.code and f.respondents <= forms[c].respondents)
            if not others:
                break
            # Prefer the form that covers the most of this one, so the evidence names few forms.
            covered_by[e] = max(others, key=lambda c: (len(forms[c].elements & f.elements), -len(c), c))
        else:
            cancelled.append((f, covered_by))
            for e in f.elements:
                holders[e].discard(f.code)
    return cancelled


def _merge_clusters(forms: dict[str, FormFacts], cancelled: set[str], config: AnalysisConfig) -> list[list[str]]:
    by_respondents: dict[frozenset[str], list[FormFacts]] = defaultdict(list)
    for f in forms.values():
        if f.code not in cancelled and f.respondents and f.elements:
            by_respondents[f.respondents].append(f)
    uf = UnionFind()
    for group in by_respondents.values():
        group.sort(key=lambda x: x.code)
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                shared = len(a.elements & b.elements)
                smaller = min(len(a.elements), len(b.elements))
                if shared >= config.dup_form_min_shared and shared >= config.dup_form_merge_share * smaller:
                    uf.union(a.code, b.code)
    return [c for c in uf.components() if len(c) > 1]


def _cancel_finding(f: FormFacts, covered_by: dict[str, str], forms: dict[str, FormFacts]) -> dict[str, Any]:
    keepers = sorted(set(covered_by.values()))
    titles: list[str | None] = [forms[c].title for c in keepers]
    return make_finding(
        TYPE,
        "F4",
        "cancel",
        [f.code, *keepers],
        score=1.0,
        evidence={
            "shared_elements": sorted(f.elements)[:MAX_NAMED],
            "shared": len(f.elements),
            "fields": f.fields,
            "covered_by": covered_by,
            "respondents": len(f.respondents),
        },
        hours_saved=f.hours,
        owner_code=f.issuer,
        saved_by_item={f.code: f.hours},
        reason=(
            "报表「{title}」的 {n} 项数据已由{others}向同一批填报单位采集，可以取消",
            {"title": f.title, "n": len(f.elements), "others": quote_names(titles)},
        ),
        arithmetic=[
            {
                "form": f.code,
                "respondents": len(f.respondents),
                "hours_per_month": round(f.hours, 2),
                "term": "cancelled form: all its hours",
            }
        ],
    )


def _merge_finding(cluster: list[str], forms: dict[str, FormFacts]) -> tuple[dict[str, Any], int]:
    members = sorted((forms[c] for c in cluster), key=lambda x: (-len(x.elements), x.code))
    main = members[0]
    counts: dict[str, int] = defaultdict(int)
    for m in members:
        for e in m.elements:
            counts[e] += 1
    shared = sorted(e for e, n in counts.items() if n > 1)
    saved_by_item, arithmetic = {}, []
    for m in members[1:]:
        # The share of this form's fields that another form of the cluster also asks: asked once after merging.
        duplicated = len(m.elements & set(shared))
        hours = m.hours * duplicated / m.fields if m.fields else 0.0
        saved_by_item[m.code] = hours
        arithmetic.append(
            {
                "form": m.code,
                "hours_per_month": round(m.hours, 2),
                "duplicated_fields": duplicated,
                "fields": m.fields,
                "saved": round(hours, 2),
            }
        )
    union = set().union(*(m.elements for m in members))
    smaller = min(len(m.elements) for m in members)
    finding = make_finding(
        TYPE,
        "F4",
        "merge",
        [m.code for m in members],
        score=len(shared) / max(smaller, 1),
        evidence={
            "shared_elements": shared[:MAX_NAMED],
            "shared": len(shared),
            "elements_after": len(union),
            "respondents": len(main.respondents),
        },
        hours_saved=sum(saved_by_item.values()),
        owner_code=main.issuer,
        saved_by_item=saved_by_item,
        reason=(
            "{forms}向同一批填报单位采集 {n} 项相同的数据，可以合并为一张表",
            {"forms": quote_names([m.title for m in members]), "n": len(shared)},
        ),
        arithmetic=arithmetic,
    )
    return finding, len(union) + sum(m.unmapped for m in members)


def plan(backend: AnalysisBackend, config: AnalysisConfig) -> FormsPlan:
    """Run after the burden steps (it reads their per-form tables)."""
    mappings = map_fields(backend)
    forms = _form_facts(backend, mappings)
    cancellations = _cancellations(forms, config)
    cancelled = {f.code for f, _ in cancellations}
    findings = [_cancel_finding(f, covered, forms) for f, covered in cancellations]
    merged_away = 0
    indicators_after = 0
    in_cluster: set[str] = set()
    for cluster in _merge_clusters(forms, cancelled, config):
        finding, indicators = _merge_finding(cluster, forms)
        findings.append(finding)
        merged_away += len(cluster) - 1
        indicators_after += indicators
        in_cluster.update(cluster)
    for f in forms.values():
        if f.code not in cancelled and f.code not in in_cluster:
            indicators_after += len(f.elements) + f.unmapped
    hours_before = sum(f.hours for f in forms.values())
    saved = sum(v for finding in findings for v in finding["_saved_by_item"].values())
    consolidation = {
        "forms_before": len(forms),
        "forms_after": len(forms) - len(cancelled) - merged_away,
        "indicators_before": sum(len(f.elements) + f.unmapped for f in forms.values()),
        "indicators_after": indicators_after,
        "hours_before_per_month": round(hours_before, 2),
        "hours_after_per_month": round(max(hours_before - saved, 0.0), 2),
    }
    return FormsPlan(findings, mappings, consolidation)
