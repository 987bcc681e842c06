"""Field → element mappings: the catalog as the matcher sees it, and the suggestions for fields not yet confirmed."""

from __future__ import annotations

from collections.abc import Iterable

from jianfu.analysis.fields import CatalogElement, FieldMatcher
from jianfu.elements.models import DataElement, FieldMapping
from jianfu.registry.models import FormField


def catalog_rows(elements: Iterable[DataElement] | None = None) -> list[dict]:
    """Active elements as plain rows (the analysis snapshot's `elements` table has the same columns)."""
    qs = elements if elements is not None else DataElement.objects.filter(status=DataElement.Status.ACTIVE)
    return [
        {
            "code": e.code,
            "name": e.name,
            "synonyms": list(e.synonyms or []),
            "data_type": e.data_type or None,
            "unit": e.unit or None,
            "region_path": e.region_path,
        }
        for e in qs.select_related("region")
    ]


def matcher_for(rows: list[dict]) -> FieldMatcher:
    return FieldMatcher(
        [
            CatalogElement(r["code"], r["name"], tuple(r["synonyms"] or ()), r.get("data_type"), r.get("unit"))
            for r in rows
        ]
    )


def visible_rows(rows: list[dict], unit_path: str) -> list[dict]:
    """The part of the catalog a form issued by a unit at `unit_path` may map to: its own region's and above."""
    return [r for r in rows if unit_path.startswith(r["region_path"]) or r["region_path"] == "/"]


def suggest(fields: list[FormField], issuer_path: str) -> dict[int, tuple[str | None, float, str]]:
    """field id → (element code, confidence, reason) from the matcher, for fields of one issuer's forms."""
    matcher = matcher_for(visible_rows(catalog_rows(), issuer_path))
    matches = matcher.match_many([f.name for f in fields])
    return {f.id: (m.element, float(m.confidence), m.reason) for f, m in zip(fields, matches)}


def mappings_of(fields: list[FormField]) -> dict[int, FieldMapping]:
    return {m.field_id: m for m in FieldMapping.objects.filter(field__in=fields).select_related("element")}
