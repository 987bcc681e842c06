"""/reports/: pick a window and a region, preview the outcome summary, download it as .xlsx, .docx or .pdf."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.accounts import scope
from jianfu.findings.labels import RULE_LABELS
from jianfu.registry.models import Level, Unit
from jianfu.reports import export
from jianfu.reports.charts import kind_labels
from jianfu.reports.summary import CARRIER_KINDS, ReportError, build_report, may_report, parse_window, resolve_region

DEFAULT_DAYS = 90
MAX_REGION_CHOICES = 400
_STATUS = {"invalid": 400, "not_found": 404, "no_runs": 404, "forbidden": 403}
FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.write_xlsx),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", export.write_docx),
    "pdf": ("application/pdf", export.write_pdf),
}


def _region_choices(user) -> list[Unit]:
    """The user's own unit and the regions below it, down to townships (a select, not a tree)."""
    levels = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP]
    units = scope.scoped(user, Unit).filter(is_region=True, level__in=levels).order_by("path")
    choices = list(units[:MAX_REGION_CHOICES])
    if user.unit_id and all(u.pk != user.unit_id for u in choices):
        choices.insert(0, user.unit)
    return choices


def _window(request) -> tuple[str, str]:
    today = timezone.localdate()
    return (
        request.GET.get("from") or (today - dt.timedelta(days=DEFAULT_DAYS)).isoformat(),
        request.GET.get("to") or today.isoformat(),
    )


def _report(request):
    if not may_report(request.user):
        raise PermissionDenied
    start, end = _window(request)
    region = resolve_region(request.user, request.GET.get("region"))
    return build_report(*parse_window(start, end), region, user=request.user)


def _chart_data(report) -> dict:
    labels = kind_labels()
    series = report.carrier_series
    cadre = report.summary["per_cadre_hours_per_month"]
    return {
        "carriers": {
            "dates": [d.isoformat() for d in series["dates"]],
            "series": [{"name": str(labels[k]), "data": series[k]} for k in CARRIER_KINDS],
        },
        "cadre": {
            "labels": [_("中位数"), _("90%分位数")],
            "series": [
                {"name": _("期初"), "data": [cadre["start"]["p50"], cadre["start"]["p90"]]},
                {"name": _("期末"), "data": [cadre["end"]["p50"], cadre["end"]["p90"]]},
            ],
        },
        "rules": {
            "labels": [f"{rule} {RULE_LABELS.get(rule, '')}" for rule, *_c in report.by_rule],
            "series": [
                {"name": name, "data": [row[i] for row in report.by_rule]}
                for i, name in enumerate((_("待处理"), _("已采纳"), _("已驳回"), _("已完成")), start=1)
            ],
        },
    }


def _chart_tables(data: dict) -> dict:
    carriers = data["carriers"]
    return {
        "carriers": (
            [_("日期"), *(s["name"] for s in carriers["series"])],
            [[d, *(s["data"][i] for s in carriers["series"])] for i, d in enumerate(carriers["dates"])],
        ),
        "cadre": (
            [_("指标"), *(s["name"] for s in data["cadre"]["series"])],
            [
                [label, *(s["data"][i] for s in data["cadre"]["series"])]
                for i, label in enumerate(data["cadre"]["labels"])
            ],
        ),
        "rules": (
            [_("规则"), *(s["name"] for s in data["rules"]["series"])],
            [
                [label, *(s["data"][i] for s in data["rules"]["series"])]
                for i, label in enumerate(data["rules"]["labels"])
            ],
        ),
    }


@login_required
def report_page(request):
    if not may_report(request.user):
        raise PermissionDenied
    start, end = _window(request)
    context = {
        "start": start,
        "end": end,
        "region_code": request.GET.get("region", ""),
        "regions": _region_choices(request.user),
        "formats": list(FORMATS),
    }
    status = 200
    try:
        report = _report(request)
    except ReportError as exc:
        if exc.code == "not_found" and exc.field == "region":
            raise Http404 from None
        context["error"] = exc.message
        status = _STATUS[exc.code]
    else:
        chart = _chart_data(report)
        context.update(
            {
                "report": report,
                "s": report.summary,
                "paragraph": export.summary_paragraph(report),
                "tables": export.tables(report),
                "chart": chart,
                "chart_tables": _chart_tables(chart),
                "query": request.GET.urlencode(),
            }
        )
    return render(request, "reports/page.html", context, status=status)


@login_required
def report_download(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    try:
        report = _report(request)
    except ReportError as exc:
        if exc.code in ("not_found", "no_runs"):
            raise Http404(exc.message) from None
        return HttpResponse(exc.message, status=_STATUS[exc.code], content_type="text/plain; charset=utf-8")
    content_type, write = FORMATS[fmt]
    s = report.summary
    name = f"report-{s['region'] or 'all'}-{s['from']}-{s['to']}.{fmt}"
    response = HttpResponse(write(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
