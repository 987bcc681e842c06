"""The home dashboard: the viewer's region at a glance, with charts drawn from JSON the page embeds."""

from __future__ import annotations

import threading
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jianfu.accounts import scope
from jianfu.jobs.models import ImportJob
from jianfu.registry.lifecycle import active_q
from jianfu.registry.models import App, Form, ImportBatch, Membership, Person, PublicAccount, Unit, WorkGroup

CACHE_SECONDS = 120
TOP_UNITS = 10


def _counts(user) -> dict[str, int]:
    """Units, people, and the carriers active today (a cancelled or merged one no longer counts)."""
    today = timezone.localdate()
    apps = scope.scoped(user, App).filter(active_q(App, today))
    return {
        "units": scope.scoped(user, Unit).count(),
        "people": scope.scoped(user, Person).count(),
        "apps": apps.exclude(category=App.Category.PLATFORM).count(),
        "platforms": apps.filter(category=App.Category.PLATFORM).count(),
        "accounts": scope.scoped(user, PublicAccount).filter(active_q(PublicAccount, today)).count(),
        "groups": scope.scoped(user, WorkGroup).filter(active_q(WorkGroup, today)).count(),
        "forms": scope.scoped(user, Form).filter(active_q(Form, today)).count(),
    }


def _focus_units(user) -> list[Unit]:
    """The units to compare: the children of the viewer's unit (or the roots, for administrators)."""
    units = scope.scoped(user, Unit)
    if user.unit_id and not scope.sees_everything(user):
        level = [user.unit]
    else:
        level = list(units.filter(parent__isnull=True).order_by("code")[:300])
    # A region with a single child (a province holding one city) says nothing compared with itself: descend.
    for _depth in range(6):
        if len(level) != 1:
            break
        children = list(units.filter(parent_id=level[0].id).order_by("code")[:300])
        if not children:
            break
        level = children
    return level


def _per_unit(user) -> list[dict]:
    """Groups joined and apps owned per cadre, rolled up to each focus unit's subtree.

    Grouped queries keyed by unit id, folded onto subtrees in Python through the unit paths, so the cost does
    not grow with the number of focus units.
    """
    focus = _focus_units(user)
    if not focus:
        return []
    # Focus units are siblings (or all roots), so each sits at one depth of the materialised path.
    depth = focus[0].depth
    focus_by_code = {f.code: f.id for f in focus}
    owner: dict[int, int | None] = {}
    for unit_id, path in scope.scoped(user, Unit).values_list("id", "path").iterator(chunk_size=20000):
        parts = path.strip("/").split("/")
        owner[unit_id] = focus_by_code.get(parts[depth]) if len(parts) > depth else None

    def owner_of(unit_id: int) -> int | None:
        return owner.get(unit_id)

    people, joined, groups, apps = (defaultdict(int) for _ in range(4))
    for unit_id, n in scope.scoped(user, Person).values_list("unit_id").annotate(n=Count("id")).order_by():
        people[owner_of(unit_id)] += n
    today = timezone.localdate()
    for unit_id, n in _memberships_per_unit(user, today).items():
        joined[owner_of(unit_id)] += n
    for unit_id, n in (
        scope.scoped(user, WorkGroup)
        .filter(active_q(WorkGroup, today))
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        groups[owner_of(unit_id)] += n
    for unit_id, n in (
        scope.scoped(user, App).filter(active_q(App, today)).values_list("owner_id").annotate(n=Count("id")).order_by()
    ):
        apps[owner_of(unit_id)] += n
    rows = []
    for f in focus:
        cadres = people.get(f.id, 0)
        rows.append(
            {
                "code": f.code,
                "name": f.name,
                "people": cadres,
                "groups_owned": groups.get(f.id, 0),
                "apps_owned": apps.get(f.id, 0),
                "memberships": joined.get(f.id, 0),
                "groups_per_cadre": round(joined.get(f.id, 0) / cadres, 2) if cadres else 0.0,
                "apps_per_cadre": round(apps.get(f.id, 0) / cadres, 2) if cadres else 0.0,
            }
        )
    rows.sort(key=lambda r: (-r["groups_per_cadre"], -r["apps_per_cadre"], r["code"]))
    return rows[:TOP_UNITS]


def _memberships_per_unit(user, today) -> dict[int, int]:
    """{unit id: memberships of groups active today held by the unit's people} over the viewer's region.

    A region's own people are few enough to join each membership to its group. An office covering every unit
    (a province: 30 million memberships, 39 s that way) counts per person on the membership table's person index
    (about 2 s), takes off the few groups no longer active, and folds people onto units.
    """
    if not scope.covers_every_unit(user):
        members = Membership.objects.filter(scope.unit_q(user, "person__unit"), active_q(WorkGroup, today, "group__"))
        return dict(members.values_list("person__unit_id").annotate(n=Count("id")).order_by())
    per_person = defaultdict(int, Membership.objects.values_list("person_id").annotate(n=Count("id")).order_by())
    # As a list of groups first (one scan of the groups), so each ended group's members come from its index.
    ended = Membership.objects.filter(group_id__in=WorkGroup.objects.exclude(active_q(WorkGroup, today)).values("id"))
    for person_id, n in ended.values_list("person_id").annotate(n=Count("id")).order_by():
        per_person[person_id] -= n
    units: dict[int, int] = defaultdict(int)
    for person_id, unit_id in scope.scoped(user, Person).values_list("id", "unit_id").iterator(chunk_size=20000):
        units[unit_id] += per_person[person_id]
    return units


def _platforms(user) -> list[dict]:
    rows = (
        scope.scoped(user, WorkGroup)
        .filter(active_q(WorkGroup, timezone.localdate()))
        .values("platform")
        .annotate(n=Count("id"))
        .order_by("-n", "platform")[:12]
    )
    return [{"name": r["platform"] or _("未填"), "value": r["n"]} for r in rows]


def data_version() -> str:
    """Changes whenever an import or an analysis finishes, or a decision changes carriers' status.

    Part of the cache key, read from the database (three small indexed aggregates), so that every process sees
    a change at once: the command line, the import worker and each web process have caches of their own.
    """
    from jianfu.findings.models import AnalysisRun, Finding

    stamps = [
        ImportBatch.objects.aggregate(m=Max("finished_at"))["m"],
        AnalysisRun.objects.aggregate(m=Max("finished_at"))["m"],
        Finding.objects.aggregate(m=Max("decided_at"))["m"],
    ]
    return "|".join(stamp.isoformat() if stamp else "-" for stamp in stamps)


def dashboard_data(user) -> dict:
    """Everything the dashboard draws, cached briefly per region and per data version: the roll-ups read every
    row of the region, and an import, an analysis or a decision makes a new version (no waiting for expiry)."""
    key = f"jianfu:dashboard:{user.role}:{scope.region_path(user)}:{data_version()}"
    return _cached(key, lambda: {"counts": _counts(user), "units": _per_unit(user), "platforms": _platforms(user)})


_computing: dict[str, threading.Lock] = {}
_computing_guard = threading.Lock()


def _cached(key: str, compute):
    """cache.get, else compute once: the threads of this process asking for the same key meanwhile wait for that
    one computation. When a province office's officers log in together after an import, each of them started
    the same 11-second sums, and every page of the server waited behind them (60 s)."""
    value = cache.get(key)
    if value is not None:
        return value
    with _computing_guard:
        lock = _computing.setdefault(key, threading.Lock())
    try:
        with lock:
            value = cache.get(key)
            if value is None:
                value = compute()
                cache.set(key, value, CACHE_SECONDS)
    finally:
        with _computing_guard:
            _computing.pop(key, None)
    return value


def _chart_tables(chart: dict) -> dict:
    """Each chart's numbers as a table (headers, rows): the text alternative read by those who cannot see it."""
    units = chart["units"]
    return {
        "kinds": ([_("载体"), _("数量")], list(zip(chart["kinds"]["labels"], chart["kinds"]["values"]))),
        "units": (
            [pgettext("plural", "单位"), *units["series"]],
            list(zip(units["labels"], units["groups"], units["apps"]))[::-1],
        ),
        "platforms": ([_("平台"), _("工作群")], [(p["name"], p["value"]) for p in chart["platforms"]]),
    }


@login_required
def home(request):
    data = dashboard_data(request.user)
    labels = {
        "units": pgettext("plural", "单位"),
        "people": _("人员"),
        "apps": _("应用"),
        "platforms": _("平台"),
        "accounts": _("公众号"),
        "groups": _("工作群"),
        "forms": _("报表"),
    }
    chart = {
        "kinds": {
            "labels": [labels[k] for k in ("apps", "platforms", "accounts", "groups", "forms")],
            "values": [data["counts"][k] for k in ("apps", "platforms", "accounts", "groups", "forms")],
        },
        "units": {
            "labels": [u["name"] for u in data["units"]][::-1],
            "groups": [u["groups_per_cadre"] for u in data["units"]][::-1],
            "apps": [u["apps_per_cadre"] for u in data["units"]][::-1],
            "series": [_("人均加入工作群"), _("人均应用（主管）")],
        },
        "platforms": data["platforms"],
    }
    chart_tables = _chart_tables(chart)
    cards = [
        (k, labels[k], data["counts"][k])
        for k in ("units", "people", "apps", "platforms", "accounts", "groups", "forms")
    ]
    context = {
        "cards": cards,
        "units": data["units"],
        "chart": chart,
        "chart_tables": chart_tables,
        "batches": scope.scoped(request.user, ImportBatch).order_by("-started_at")[:8],
        "jobs": scope.scoped(request.user, ImportJob).order_by("-created_at")[:5],
        "region": request.user.unit,
        "todo": _open_findings(request.user),
        "collect_once": _collect_once(request.user),
        "clue_counts": _clue_counts(request.user),
    }
    context["burden"] = _region_burden(request.user, context["todo"]["hours"])
    if context["burden"]:
        trend = context["burden"]["trend"]
        chart["trend"] = {
            "dates": [p["as_of"].isoformat() for p in trend],
            "p50": [round(p["p50"], 2) for p in trend],
            "p90": [round(p["p90"], 2) for p in trend],
            "series": [_("中位数"), _("90%分位数")],
        }
        chart_tables["trend"] = (
            [_("基准日期"), _("中位数"), _("90%分位数"), _("每月负担（小时）")],
            [(p["as_of"].isoformat(), round(p["p50"], 2), round(p["p90"], 2), round(p["total"], 1)) for p in trend],
        )
    return render(request, "registry/dashboard.html", context)


TOP_FINDINGS = 10


def _collect_once(user) -> dict | None:
    from jianfu.elements.views import dashboard_figures  # 一表通: its own app keeps its figures

    return dashboard_figures(user)


def _clue_counts(user) -> dict | None:
    """Received, open and overdue clues of the region, for those who triage them (None for other roles)."""
    from jianfu.clues.actions import may_handle
    from jianfu.clues.views import clue_counts

    return clue_counts(user) if may_handle(user) else None


def _open_findings(user) -> dict:
    """What to do first: the viewer's open findings by rule, the hours they would save, the ten biggest.

    The sums read every open finding of the region (a province office: a million rows), so they and the ids of
    the ten biggest are cached under the data version, which a decision changes.
    """
    from jianfu.findings.hours import saved_hours_split
    from jianfu.findings.labels import RULE_LABELS, TYPE_LABELS
    from jianfu.findings.models import Finding

    open_findings = scope.scoped(user, Finding).filter(is_current=True, status=Finding.Status.OPEN)
    key = f"jianfu:dashboard-todo:{user.role}:{scope.region_path(user)}:{data_version()}"
    by_saving = ("-hours_saved_per_month", "fid")

    def compute() -> dict:
        hours, by_rule = saved_hours_split(open_findings, "rule")
        # The ten biggest are kept by id too: SQLite sorts a province's million open findings to find them (2 s).
        top_ids = list(open_findings.order_by(*by_saving).values_list("id", flat=True)[:TOP_FINDINGS])
        return {"hours": hours, "by_rule": by_rule, "top_ids": top_ids}

    sums = _cached(key, compute)
    top = list(open_findings.filter(pk__in=sums["top_ids"]).select_related("owner").order_by(*by_saving))
    for finding in top:
        finding.type_label = TYPE_LABELS.get(finding.type, finding.type)
    by_rule = sums["by_rule"]
    return {
        "hours": sums["hours"],
        "count": sum(n for n, _ in by_rule.values()),
        "by_rule": [(rule, RULE_LABELS.get(rule, rule), n, hours) for rule, (n, hours) in sorted(by_rule.items())],
        "top": top,
    }


TREND_RUNS = 24


def _region_burden(user, open_hours: float) -> dict | None:
    """The viewer's own region in the last analysis: per-cadre median, 90th percentile and maximum, hours a month,
    the hours its open findings would save, and the trend over the kept runs (one point per run)."""
    from jianfu.findings.models import AnalysisRun, RunRollup
    from jianfu.reports.summary import burden_series

    runs = list(
        AnalysisRun.objects.filter(finished_at__isnull=False).order_by("-as_of", "-finished_at", "-id")[:TREND_RUNS]
    )
    if not runs:
        return None
    region = None if scope.sees_everything(user) else user.unit
    if region is None and scope.region_path(user) == "":
        return None
    trend = burden_series(runs[::-1], region)
    last = runs[0]
    if region is None:
        per_person = (last.burden or {}).get("per_person_hours_per_month") or {}
        peak = per_person.get("max")
    else:
        row = RunRollup.objects.filter(run=last, unit_code=region.code).first()
        if row is None:
            return None
        peak = row.max
    return {
        "run": last,
        "p50": trend[-1]["p50"],
        "p90": trend[-1]["p90"],
        "max": peak,
        "total": trend[-1]["total"],
        "people": trend[-1]["people"],
        "hours_saved": open_hours,
        # Each carrier counted once and never above what it costs, so this share is at most 100 %.
        "saved_percent": 100.0 * open_hours / trend[-1]["total"] if trend[-1]["total"] else None,
        "trend": trend,
    }
