"""The one function that says how many hours a set of findings would save a month.

The dashboard, the findings page's cards, the CLI summary, the Excel export and the API all call it, so the
same run and filter give the same figure everywhere. An item named by several findings (a group that is
both idle and a duplicate) counts once, with its largest saving: the analysis summary's rule, applied to
whatever subset the viewer filtered.
"""

from __future__ import annotations

from typing import Iterator

from django.db.models import QuerySet

from jianfu.analysis.findings import BestSavings


def _savings(findings: QuerySet, *fields: str) -> Iterator[tuple]:
    """(*fields, type, saved_by_item) of each finding, read in one pass (saved_by_item is a FastJSONField: a
    province office sums a million findings here, and orjson reads them in half the standard library's time)."""
    rows = findings.order_by().values_list(*fields, "type", "saved_by_item").iterator(chunk_size=5000)
    for *values, kind, saved in rows:
        yield *values, kind, saved or {}


def saved_hours(findings: QuerySet) -> float:
    """Hours a month the findings of this queryset would save if acted on, each item counted once."""
    tally = BestSavings()
    for kind, saved in _savings(findings):
        tally.add(kind, saved)
    return tally.total()


def saved_hours_split(findings: QuerySet, field: str) -> tuple[float, dict[str, tuple[int, float]]]:
    """The hours of the whole queryset and {value of field: (findings, hours saved)}, from one pass over it.

    Each share is costed as saved_hours costs it, so the shares may sum to more than the whole: an item named
    under two values counts once in the whole.
    """
    whole = BestSavings()
    shares: dict[str, tuple[list[int], BestSavings]] = {}
    for value, kind, saved in _savings(findings, field):
        whole.add(kind, saved)
        share = shares.get(value)
        if share is None:
            share = shares[value] = ([0], BestSavings())
        share[0][0] += 1
        share[1].add(kind, saved)
    return whole.total(), {value: (count[0], tally.total()) for value, (count, tally) in shares.items()}
