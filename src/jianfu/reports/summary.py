"""The outcome summary of formats.md ("Outcome summary"), and the tables and series the documents draw.

``start`` is the state on ``from``, ``end`` the state on ``to``:

* carriers: those active on each day (jianfu.registry.lifecycle.active_q);
* hours and the per-cadre median and 90th percentile: the analysis run that describes the day — the last run on
  or before it, or, for the start, the first run of the window when none came before; a window holding no run
  at all is refused;
* findings: first reported by a run of the window (opened), or decided in the window (their current status);
* clues and cases: jianfu.reports.counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from jianfu.accounts import scope
from jianfu.accounts.models import Role
from jianfu.findings.hours import saved_hours
from jianfu.findings.models import AnalysisRun, Finding, RunRollup
from jianfu.registry.lifecycle import KINDS, active_q, kind_filter
from jianfu.registry.models import CarrierStatus, Unit
from jianfu.reports.counts import clue_and_case_counts

REPORT_ROLES = {Role.ADMIN, Role.OFFICE, Role.DISCIPLINE}
# formats.md names groups, apps, accounts and forms; platforms are counted apart from apps as well.
CARRIER_KINDS = ("groups", "apps", "platforms", "accounts", "forms")
MAX_SERIES_POINTS = 24
TOP_UNITS = 10
ENDED_ROWS_PER_KIND = 200


class ReportError(Exception):
    """Bad input: ``code`` is the API error code (invalid → 400, not_found → 404, forbidden → 403)."""

    def __init__(self, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass
class Report:
    summary: dict
    region: Unit | None
    start_run: AnalysisRun
    end_run: AnalysisRun
    carrier_series: dict = field(default_factory=dict)  # {"dates": [...], kind: [counts]}
    ended: dict = field(default_factory=dict)  # kind → [(code, name, status label, date, merged into, finding)]
    runs: list = field(default_factory=list)  # [{as_of, total, p50, p90, people}] over the window's runs
    by_rule: list = field(default_factory=list)  # [(rule, open, accepted, rejected, done)]
    top_units: list = field(default_factory=list)  # [{code, name, level, people, mean, p90, total}]


def may_report(user) -> bool:
    return bool(user.is_authenticated and (user.role in REPORT_ROLES or user.is_superuser))


def parse_window(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """Both dates as ISO YYYY-MM-DD, from not after to."""
    days = []
    for name, text in (("from", start), ("to", end)):
        try:
            days.append(dt.date.fromisoformat((text or "").strip()))
        except ValueError:
            raise ReportError("invalid", _("日期应为 YYYY-MM-DD 格式"), name) from None
    if days[0] > days[1]:
        raise ReportError(
            "invalid",
            _("开始日期（%(start)s）晚于结束日期（%(end)s）")
            % {"start": days[0].isoformat(), "end": days[1].isoformat()},
            "from",
        )
    return days[0], days[1]


def resolve_region(user, code: str | None) -> Unit | None:
    """The unit a report covers: the code asked for if the user sees it, else the user's own unit.

    ``user`` None is the command line, which sees every region. A code outside the user's region is refused
    as if it did not exist (404), like every object outside the region.
    """
    code = (code or "").strip()
    if user is not None and not may_report(user):
        raise ReportError("forbidden", _("您的角色不能查看减负实效报告"))
    if not code:
        if user is None or scope.sees_everything(user):
            roots = list(Unit.objects.filter(parent__isnull=True)[:2])
            return roots[0] if len(roots) == 1 else None
        return user.unit
    units = scope.scoped(user, Unit) if user is not None else Unit.objects.all()
    unit = units.filter(code=code).first()
    if unit is None:
        raise ReportError("not_found", _("单位「%(code)s」不存在或不在您的管辖区域内") % {"code": code}, "region")
    return unit


def _runs() -> list[AnalysisRun]:
    return list(AnalysisRun.objects.filter(finished_at__isnull=False).order_by("as_of", "finished_at", "id"))


def pick_runs(start: dt.date, end: dt.date) -> tuple[AnalysisRun, AnalysisRun, list[AnalysisRun]]:
    """(run for the start, run for the end, runs within the window); refuses a window with no run."""
    runs = _runs()
    inside = [r for r in runs if start <= r.as_of <= end]
    if not inside:
        raise ReportError(
            "no_runs",
            _("%(start)s 至 %(end)s 之间没有分析记录：请先运行分析（jianfu analyze），或选择包含分析日期的时间段")
            % {"start": start, "end": end},
            "from",
        )
    before = [r for r in runs if r.as_of <= start]
    start_run = before[-1] if before else inside[0]
    end_run = [r for r in runs if r.as_of <= end][-1]
    return start_run, end_run, inside


def _burden_of(run: AnalysisRun, region: Unit | None) -> dict:
    """{total, p50, p90, mean, people} of a run, for the region (its kept roll-up) or the whole registry."""
    if region is None:
        per_person = (run.burden or {}).get("per_person_hours_per_month") or {}
        totals = (run.burden or {}).get("total_hours_per_month") or {}
        return {
            "total": float(totals.get("total") or 0.0),
            "p50": float(per_person.get("p50") or 0.0),
            "p90": float(per_person.get("p90") or 0.0),
            "mean": float(per_person.get("mean") or 0.0),
            "people": int(per_person.get("people") or 0),
        }
    row = RunRollup.objects.filter(run=run, unit_code=region.code).first()
    if row is None:
        return {"total": 0.0, "p50": 0.0, "p90": 0.0, "mean": 0.0, "people": 0}
    return {"total": row.total_hours, "p50": row.p50, "p90": row.p90, "mean": row.mean, "people": row.people}


def burden_series(runs: list[AnalysisRun], region: Unit | None) -> list[dict]:
    """One point per run: its date, total hours a month, per-cadre median and p90 (the trend line)."""
    if region is None:
        return [{"as_of": r.as_of, **_burden_of(r, None)} for r in runs]
    rows = {row.run_id: row for row in RunRollup.objects.filter(run__in=[r.id for r in runs], unit_code=region.code)}
    points = []
    for run in runs:
        row = rows.get(run.id)
        points.append(
            {
                "as_of": run.as_of,
                "total": row.total_hours if row else 0.0,
                "p50": row.p50 if row else 0.0,
                "p90": row.p90 if row else 0.0,
                "mean": row.mean if row else 0.0,
                "people": row.people if row else 0,
            }
        )
    return points


def _carriers(user, region: Unit | None, days: list[dt.date]) -> dict[str, list[int]]:
    """kind → carriers active on each of the days (one query per kind)."""
    counts = {}
    for kind in CARRIER_KINDS:
        model = KINDS[kind]
        qs = scope.in_region(user, model, region).filter(kind_filter(kind)).order_by()
        aggregates = {f"d{i}": Count("id", filter=active_q(model, day)) for i, day in enumerate(days)}
        values = qs.aggregate(**aggregates)
        counts[kind] = [int(values[f"d{i}"] or 0) for i in range(len(days))]
    return counts


def _ended(user, region: Unit | None, start: dt.date, end: dt.date) -> dict[str, list[tuple]]:
    """kind → the carriers cancelled or merged within the window (at most ENDED_ROWS_PER_KIND each)."""
    rows = {}
    for kind in CARRIER_KINDS:
        model = KINDS[kind]
        qs = (
            scope.in_region(user, model, region)
            .filter(kind_filter(kind))
            .exclude(status=CarrierStatus.ACTIVE)
            .filter(status_date__range=(start, end))
            .order_by("status_date", "code")
        )
        rows[kind] = [
            (c.code, str(c), c.get_status_display(), c.status_date, c.merged_into, c.status_finding)
            for c in qs[:ENDED_ROWS_PER_KIND]
        ]
    return rows


def _series_days(start: dt.date, end: dt.date, runs: list[AnalysisRun]) -> list[dt.date]:
    days = sorted({start, end, *(r.as_of for r in runs)})
    if len(days) > MAX_SERIES_POINTS:
        step = (len(days) - 1) / (MAX_SERIES_POINTS - 1)
        days = sorted({days[round(i * step)] for i in range(MAX_SERIES_POINTS)})
    return days


def _findings(user, region: Unit | None, start: dt.date, end: dt.date) -> tuple[dict, list, float]:
    qs = scope.in_region(user, Finding, region)
    decided = qs.filter(decided_at__date__range=(start, end))
    counts = {
        "opened": qs.filter(first_seen__as_of__range=(start, end)).count(),
        **{status: decided.filter(status=status).count() for status in ("accepted", "rejected", "done")},
    }
    by_rule: dict[str, dict[str, int]] = {}
    for rule, status, n in (
        qs.filter(first_seen__as_of__lte=end).values_list("rule", "status").annotate(n=Count("id")).order_by()
    ):
        by_rule.setdefault(rule, {}).setdefault(status, 0)
        by_rule[rule][status] += n
    table = [
        (
            rule,
            row.get("open", 0) + row.get("contested", 0),
            row.get("accepted", 0),
            row.get("rejected", 0),
            row.get("done", 0),
        )
        for rule, row in sorted(by_rule.items())
    ]
    return counts, table, saved_hours(decided.filter(status="done"))


def _top_units(run: AnalysisRun, region: Unit | None, user) -> list[dict]:
    rows = scope.in_region(user, RunRollup, region).filter(run=run, people__gt=0)
    if region is not None:
        rows = rows.exclude(unit_code=region.code)
    rows = list(rows.order_by("-mean", "unit_code")[:TOP_UNITS])
    units = {u.code: u for u in Unit.objects.filter(code__in=[r.unit_code for r in rows])}
    return [
        {
            "code": r.unit_code,
            "name": units[r.unit_code].name if r.unit_code in units else r.unit_code,
            "level": units[r.unit_code].level_label if r.unit_code in units else "",
            "people": r.people,
            "mean": round(r.mean, 2),
            "p90": round(r.p90, 2),
            "total": round(r.total_hours, 1),
        }
        for r in rows
    ]


def build_report(start: dt.date, end: dt.date, region: Unit | None, *, user=None) -> Report:
    """Everything the summary JSON, the page, the spreadsheet and the documents show, for one window."""
    if start > end:
        raise ReportError(
            "invalid",
            _("开始日期（%(start)s）晚于结束日期（%(end)s）") % {"start": start.isoformat(), "end": end.isoformat()},
            "from",
        )
    start_run, end_run, inside = pick_runs(start, end)
    days = _series_days(start, end, inside)
    carriers = _carriers(user, region, days)
    first, last = days.index(start), days.index(end)
    before, after = _burden_of(start_run, region), _burden_of(end_run, region)
    findings, by_rule, done_hours = _findings(user, region, start, end)
    summary = {
        "region": region.code if region else None,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "carriers": {kind: {"start": counts[first], "end": counts[last]} for kind, counts in carriers.items()},
        "findings": findings,
        "hours_per_month": {
            "start": round(before["total"], 2),
            "end": round(after["total"], 2),
            "saved": round(before["total"] - after["total"], 2),
            "done_findings": round(done_hours, 2),
        },
        "per_cadre_hours_per_month": {
            "start": {"p50": round(before["p50"], 2), "p90": round(before["p90"], 2)},
            "end": {"p50": round(after["p50"], 2), "p90": round(after["p90"], 2)},
        },
        **clue_and_case_counts(start, end, region),
        "region_name": region.name if region else None,
        "runs": {
            "start": {"id": start_run.id, "as_of": start_run.as_of.isoformat()},
            "end": {"id": end_run.id, "as_of": end_run.as_of.isoformat()},
        },
    }
    return Report(
        summary=summary,
        region=region,
        start_run=start_run,
        end_run=end_run,
        carrier_series={"dates": days, **carriers},
        ended=_ended(user, region, start, end),
        runs=burden_series(inside, region),
        by_rule=by_rule,
        top_units=_top_units(end_run, region, user),
    )
