"""The findings page: the rectification list, filterable, with evidence, decisions and Excel export."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianfu.accounts import scope
from jianfu.audit.log import history
from jianfu.findings.actions import DecisionError, can_decide, do_decide_finding
from jianfu.findings.export import write_findings_xlsx
from jianfu.findings.models import AnalysisRun, Finding

TYPE_LABELS = {
    "duplicate_groups": _("重复工作群"), "expired_group": _("到期未解散的临时群"), "idle_group": _("长期不活跃的群"),
    "group_demand": _("群内强制要求"), "duplicate_apps": _("功能重复的应用"), "zombie_app": _("僵尸应用"),
    "forced_feature": _("强制使用功能"), "stale_account": _("长期不更新的公众号"), "account_assessment": _("公众号考核"),
    "duplicate_accounts": _("重复的公众号"), "duplicate_forms": _("重复报表"),
}
RULE_LABELS = {"F1": _("F1 强制使用"), "F2": _("F2 过度留痕"), "F3": _("F3 滥用排名"), "F4": _("F4 多头填报"), "F5": _("F5 空壳僵尸")}
EVIDENCE_LABELS = {
    "jaccard": _("成员重合度（Jaccard）"), "containment": _("较小群成员被包含比例"), "shared_members": _("共同成员数"),
    "members": _("成员总数"), "groups": _("涉及群数"), "pairs": _("重复对数"), "apps": _("涉及应用数"), "accounts": _("涉及账号数"),
    "similarity": _("综合相似度"), "purpose_similarity": _("名称和描述相似度"), "function_similarity": _("功能相似度"),
    "shared_functions": _("共有功能数"), "days_past_end": _("任务结束后天数"), "idle_days": _("未活跃天数"),
    "messages_30d": _("近30天消息数"), "demands": _("强制要求数"), "features": _("强制功能数"), "people_in_scope": _("涉及人数"),
    "mau_percent": _("月活跃用户占比（%）"), "monthly_active_users": _("月活跃用户数"), "registered_users": _("注册用户数"),
    "days_since_update": _("未更新天数"), "days_since_post": _("未发布天数"), "followers": _("粉丝数"), "assessments": _("考核要求数"),
}
# Where each finding type's items live in the web app.
ITEM_KIND = {"duplicate_groups": "groups", "expired_group": "groups", "idle_group": "groups", "group_demand": "groups",
             "duplicate_apps": "apps", "zombie_app": "apps", "forced_feature": "apps", "stale_account": "accounts",
             "account_assessment": "accounts", "duplicate_accounts": "accounts", "duplicate_forms": "forms"}


def scoped_findings(user):
    return scope.scoped(user, Finding).select_related("owner")


def _filtered(request):
    qs = scoped_findings(request.user)
    params = request.GET
    current = params.get("current", "1")
    if current == "1":
        qs = qs.filter(is_current=True)
    for name in ("rule", "type", "action", "status"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    if params.get("unit"):
        qs = qs.filter(Q(owner__code=params["unit"]) | Q(owner_path__contains=f"/{params['unit']}/"))
    if params.get("q"):
        qs = qs.filter(Q(reason__icontains=params["q"]) | Q(fid__icontains=params["q"]))
    return qs


@login_required
def finding_list(request):
    qs = _filtered(request)
    by_action = {row["action"]: row for row in qs.values("action").annotate(n=Count("id"), hours=Sum("hours_saved_per_month"))}
    actions = [(value, label, by_action.get(value, {}).get("n", 0), by_action.get(value, {}).get("hours") or 0)
               for value, label in Finding.Action.choices]
    page = Paginator(qs.order_by("-hours_saved_per_month", "fid"), 50).get_page(request.GET.get("page"))
    for finding in page:
        finding.type_label = TYPE_LABELS.get(finding.type, finding.type)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "actions": actions, "query": query.urlencode(),
        "filters": {k: request.GET.get(k, "") for k in ("rule", "type", "action", "status", "unit", "q")},
        "current": request.GET.get("current", "1"),
        "rules": RULE_LABELS.items(), "types": TYPE_LABELS.items(), "action_choices": Finding.Action.choices,
        "status_choices": Finding.Status.choices,
        "last_run": AnalysisRun.objects.filter(finished_at__isnull=False).first(),
    }
    template = "findings/_rows.html" if request.headers.get("HX-Request") else "findings/list.html"
    return render(request, template, context)


def _get_finding_or_404(request, fid: str) -> Finding:
    try:
        return scoped_findings(request.user).get(fid=fid)
    except Finding.DoesNotExist:
        raise Http404 from None


@login_required
def finding_detail(request, fid: str):
    finding = _get_finding_or_404(request, fid)
    kind = ITEM_KIND.get(finding.type)
    return render(request, "findings/detail.html", {
        "finding": finding, "item_kind": kind, "type_label": TYPE_LABELS.get(finding.type, finding.type),
        "evidence": [(EVIDENCE_LABELS.get(k, k), v) for k, v in finding.evidence.items()],
        "rule_label": RULE_LABELS.get(finding.rule, finding.rule), "can_decide": can_decide(request.user),
        "history": history("findings", finding.fid),
    })


@login_required
@require_POST
def finding_decide(request, fid: str):
    finding = _get_finding_or_404(request, fid)
    try:
        do_decide_finding(finding, request.POST.get("status", ""), request.POST.get("reason", ""),
                          acting_user=request.user)
        messages.success(request, _("已保存处理结果"))
    except DecisionError as exc:
        messages.error(request, str(exc))
    return redirect("findings:detail", fid=finding.fid)


@login_required
def finding_export(request):
    rows = [{"id": f.fid, "type": str(TYPE_LABELS.get(f.type, f.type)), "rule": f.rule, "action": f.action, "items": f.items,
             "owner_code": f.owner.name if f.owner else "", "hours_saved_per_month": f.hours_saved_per_month,
             "score": f.score, "reason": f.reason, "evidence": f.evidence, "status": str(f.get_status_display())}
            for f in _filtered(request).order_by("-hours_saved_per_month", "fid").iterator(chunk_size=2000)]
    buffer = io.BytesIO()
    write_findings_xlsx(buffer, rows)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=findings-{stamp}.xlsx"
    return response
