"""Supervision of the supervision (监督的再监督): the offices and departments of a discipline officer's region,
ranked by what they leave undone — findings not acted on after 30 days, overdue cases, reopened cases — and by
how long their cases take to close.

Each row is one unit directly under the viewer's region (a sub-region's office, or a department hung under the
region) with everything below it rolled up, plus the region's own row (本级).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from jianfu.accounts import scope
from jianfu.cases.models import Case
from jianfu.findings.models import Finding
from jianfu.registry.models import Unit

STALE_DAYS = 30


@dataclass
class Row:
    unit: Unit
    own: bool = False  # the viewer's region itself (本级)
    stale_findings: int = 0
    overdue_cases: int = 0
    reopened_cases: int = 0
    open_cases: int = 0
    closed_cases: int = 0
    days_to_close: list[float] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.days_to_close), 1) if self.days_to_close else None

    def sort_key(self):
        return (
            -self.stale_findings,
            -self.overdue_cases,
            -self.reopened_cases,
            -(self.median_days or 0),
            self.unit.path,
        )


def _child_path(path: str, base: str) -> str:
    """The path of the unit directly under `base` that `path` lies in ('' when `path` is `base` itself)."""
    rest = path[len(base) :].strip("/")
    if not rest:
        return ""
    return f"{base}{rest.split('/')[0]}/"


def ranking(user, *, today: dt.date | None = None) -> list[Row]:
    """The rows for the user's region (an administrator: the whole installation from its roots)."""
    today = today or timezone.localdate()
    units = scope.scoped(user, Unit)
    base = scope.region_path(user) or "/"
    if base == "/":
        children = units.filter(parent__isnull=True)
    else:
        children = units.filter(parent__path=base)
    rows = {u.path: Row(u) for u in children}
    if base != "/":
        rows[""] = Row(user.unit, own=True)

    def row_for(path: str) -> Row | None:
        return rows.get(_child_path(path, base) if base != "/" else "/" + path.strip("/").split("/")[0] + "/")

    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=STALE_DAYS), dt.time.max))
    stale = (
        scope.scoped(user, Finding)
        .filter(status=Finding.Status.OPEN, is_current=True, first_seen__started_at__lte=cutoff, cases__isnull=True)
        .order_by()
        .values("owner_path")
        .annotate(n=Count("id"))
    )
    for group in stale:  # one row per owning unit, counted by the database
        row = row_for(group["owner_path"])
        if row:
            row.stale_findings += group["n"]
    cases = scope.scoped(user, Case).values_list(
        "unit_path", "status", "overdue", "reopen_count", "opened_at", "closed_at"
    )
    for path, status, overdue, reopens, opened, closed in cases.iterator():
        row = row_for(path)
        if row is None:
            continue
        row.overdue_cases += bool(overdue)
        row.reopened_cases += bool(reopens)
        if status == Case.Status.CLOSED and closed:
            row.closed_cases += 1
            row.days_to_close.append((closed - opened).total_seconds() / 86400)
        else:
            row.open_cases += 1
    return sorted(rows.values(), key=Row.sort_key)
