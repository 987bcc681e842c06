"""The one function that says how many hours a set of findings would save a month.

The dashboard, the findings page's cards, the CLI summary, the Excel export and the API all call it, so the
same run and filter give the same figure everywhere. An item named by several findings (a group that is
both idle and a duplicate) counts once, with its largest saving: the analysis summary's rule, applied to
whatever subset the viewer filtered.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jianfu.analysis.findings import deduplicated_hours


def saved_hours(findings: QuerySet) -> float:
    """Hours a month the findings of this queryset would save if acted on, each item counted once."""
    rows = findings.order_by().values_list("type", "saved_by_item").iterator(chunk_size=5000)
    return deduplicated_hours({"type": kind, "_saved_by_item": saved or {}} for kind, saved in rows)


def saved_hours_by(findings: QuerySet, field: str) -> dict[str, tuple[int, float]]:
    """{value of field: (findings, hours saved)} — each group costed with saved_hours."""
    rows: dict[str, list[dict]] = {}
    for value, kind, saved in findings.order_by().values_list(field, "type", "saved_by_item").iterator(chunk_size=5000):
        rows.setdefault(value, []).append({"type": kind, "_saved_by_item": saved or {}})
    return {value: (len(group), deduplicated_hours(group)) for value, group in rows.items()}
