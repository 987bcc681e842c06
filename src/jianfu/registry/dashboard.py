"""The home dashboard: the viewer's region at a glance, with charts drawn from JSON the page embeds."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jianfu.accounts import scope
from jianfu.jobs.models import ImportJob
from jianfu.registry.models import App, Form, ImportBatch, Membership, Person, PublicAccount, Unit, WorkGroup

CACHE_SECONDS = 120
TOP_UNITS = 10


def _counts(user) -> dict[str, int]:
    apps = scope.scoped(user, App)
    return {
        "units": scope.scoped(user, Unit).count(),
        "people": scope.scoped(user, Person).count(),
        "apps": apps.exclude(category=App.Category.PLATFORM).count(),
        "platforms": apps.filter(category=App.Category.PLATFORM).count(),
        "accounts": scope.scoped(user, PublicAccount).count(),
        "groups": scope.scoped(user, WorkGroup).count(),
        "forms": scope.scoped(user, Form).count(),
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

    Three grouped queries keyed by unit id, folded onto subtrees in Python through the unit paths, so the
    cost does not grow with the number of focus units.
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
    memberships = (Membership.objects.filter(scope.unit_q(user, "person__unit"))
                   .values_list("person__unit_id").annotate(n=Count("id")).order_by())
    for unit_id, n in memberships:
        joined[owner_of(unit_id)] += n
    for unit_id, n in scope.scoped(user, WorkGroup).values_list("owner_id").annotate(n=Count("id")).order_by():
        groups[owner_of(unit_id)] += n
    for unit_id, n in scope.scoped(user, App).values_list("owner_id").annotate(n=Count("id")).order_by():
        apps[owner_of(unit_id)] += n
    rows = []
    for f in focus:
        cadres = people.get(f.id, 0)
        rows.append({
            "code": f.code, "name": f.name, "people": cadres, "groups_owned": groups.get(f.id, 0),
            "apps_owned": apps.get(f.id, 0), "memberships": joined.get(f.id, 0),
            "groups_per_cadre": round(joined.get(f.id, 0) / cadres, 2) if cadres else 0.0,
            "apps_per_cadre": round(apps.get(f.id, 0) / cadres, 2) if cadres else 0.0,
        })
    rows.sort(key=lambda r: (-r["groups_per_cadre"], -r["apps_per_cadre"], r["code"]))
    return rows[:TOP_UNITS]


def _platforms(user) -> list[dict]:
    rows = (scope.scoped(user, WorkGroup).values("platform").annotate(n=Count("id")).order_by("-n", "platform")[:12])
    return [{"name": r["platform"] or _("未填"), "value": r["n"]} for r in rows]


def dashboard_data(user) -> dict:
    """Everything the dashboard draws, cached briefly per region: the roll-ups read every row of the region."""
    key = f"jianfu:dashboard:{user.role}:{scope.region_path(user)}"
    data = cache.get(key)
    if data is None:
        data = {"counts": _counts(user), "units": _per_unit(user), "platforms": _platforms(user)}
        cache.set(key, data, CACHE_SECONDS)
    return data


def _chart_tables(chart: dict) -> dict:
    """Each chart's numbers as a table (headers, rows): the text alternative read by those who cannot see it."""
    units = chart["units"]
    return {
        "kinds": ([_("载体"), _("数量")], list(zip(chart["kinds"]["labels"], chart["kinds"]["values"]))),
        "units": ([pgettext("plural", "单位"), *units["series"]],
                  list(zip(units["labels"], units["groups"], units["apps"]))[::-1]),
        "platforms": ([_("平台"), _("工作群")], [(p["name"], p["value"]) for p in chart["platforms"]]),
    }


@login_required
def home(request):
    data = dashboard_data(request.user)
    labels = {"units": pgettext("plural", "单位"), "people": _("人员"), "apps": _("应用"), "platforms": _("平台"),
              "accounts": _("公众号"), "groups": _("工作群"), "forms": _("报表")}
    chart = {
        "kinds": {"labels": [labels[k] for k in ("apps", "platforms", "accounts", "groups", "forms")],
                  "values": [data["counts"][k] for k in ("apps", "platforms", "accounts", "groups", "forms")]},
        "units": {"labels": [u["name"] for u in data["units"]][::-1],
                  "groups": [u["groups_per_cadre"] for u in data["units"]][::-1],
                  "apps": [u["apps_per_cadre"] for u in data["units"]][::-1],
                  "series": [_("人均加入工作群"), _("人均应用（主管）")]},
        "platforms": data["platforms"],
    }
    chart_tables = _chart_tables(chart)
    cards = [(k, labels[k], data["counts"][k]) for k in ("units", "people", "apps", "platforms", "accounts", "groups", "forms")]
    context = {
        "cards": cards, "units": data["units"], "chart": chart, "chart_tables": chart_tables,
        "batches": scope.scoped(request.user, ImportBatch).order_by("-started_at")[:8],
        "jobs": scope.scoped(request.user, ImportJob).order_by("-created_at")[:5],
        "region": request.user.unit,
        "burden": _whole_registry_burden(request.user),
        "todo": _open_findings(request.user),
        "collect_once": _collect_once(request.user),
        "clue_counts": _clue_counts(request.user),
    }
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
    """What to do first: the viewer's open findings by rule, the hours they would save, the ten biggest."""
    from jianfu.findings.hours import saved_hours, saved_hours_by
    from jianfu.findings.labels import RULE_LABELS, TYPE_LABELS
    from jianfu.findings.models import Finding

    open_findings = scope.scoped(user, Finding).filter(is_current=True, status=Finding.Status.OPEN)
    by_rule = saved_hours_by(open_findings, "rule")
    top = list(open_findings.select_related("owner").order_by("-hours_saved_per_month", "fid")[:TOP_FINDINGS])
    for finding in top:
        finding.type_label = TYPE_LABELS.get(finding.type, finding.type)
    return {"hours": saved_hours(open_findings), "count": sum(n for n, _ in by_rule.values()),
            "by_rule": [(rule, RULE_LABELS.get(rule, rule), n, hours) for rule, (n, hours) in sorted(by_rule.items())],
            "top": top}


def _whole_registry_burden(user) -> dict | None:
    """The last analysis's burden figures, for viewers whose region is the whole registry only: the stored
    roll-up covers every region, so showing it to a county officer would show other counties' figures."""
    from jianfu.findings.models import AnalysisRun

    path = scope.region_path(user)
    whole = path is None or (user.unit_id and user.unit.parent_id is None and user.role != "cadre")
    run = AnalysisRun.objects.filter(finished_at__isnull=False).first() if whole else None
    if run is None or not run.burden:
        return None
    per_person = run.burden.get("per_person_hours_per_month") or {}
    return {"run": run, "p50": per_person.get("p50"), "p90": per_person.get("p90"), "max": per_person.get("max"),
            "hours_saved": (run.summary or {}).get("hours_saved_per_month"),
            "findings": (run.summary or {}).get("findings")}
