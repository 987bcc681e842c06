"""The findings page: the rectification list, filterable, with evidence, decisions and Excel export."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianfu.accounts import scope
from jianfu.audit.log import history
from jianfu.audit.models import AuditEvent
from jianfu.findings.actions import (
    DecisionError,
    can_decide,
    choices_for,
    do_decide_finding,
    do_settle_request,
    merge_candidates,
    is_final_decider,
)
from jianfu.findings.export import write_findings_xlsx
from jianfu.findings.hours import saved_hours, saved_hours_split
from jianfu.findings.labels import EVIDENCE_LABELS, ITEM_KIND, RULE_LABELS, TYPE_LABELS
from jianfu.findings.models import AnalysisRun, Finding, FindingPath
from jianfu.registry import listing
from jianfu.registry.kinds import Sort
from jianfu.registry.models import Unit
from jianfu.registry.vocabulary import value_label
from jianfu.textnorm import normalize_text


def scoped_findings(user):
    return scope.scoped(user, Finding).select_related("owner")


# Parameters of a reason template that are words of the app itself (not names from the data): translated too.
_TRANSLATED_PARAMS = ("kind",)
UNIT_MATCHES = 50


def display_reason(finding: Finding) -> str:
    """The reason in the viewer's language: the stored template translated and filled in (the stored Chinese
    sentence when there is no template, or the translation does not fit its parameters)."""
    if not finding.reason_template:
        return finding.reason
    params = dict(finding.reason_params or {})
    for name in _TRANSLATED_PARAMS:
        if name in params:
            params[name] = pgettext("reason", params[name])
    if isinstance(params.get("terms"), str):  # vocabulary words (打卡接龙、即时回复) the detectors joined
        separator = pgettext("list separator", "、")
        params["terms"] = separator.join(str(value_label(term)) for term in params["terms"].split("、"))
    try:
        return gettext(finding.reason_template).format(**params)
    except (KeyError, IndexError, ValueError):
        return finding.reason


def _translated_term(row: dict) -> str:
    """One arithmetic line's label in the viewer's language (the stored Chinese label when it has no template)."""
    template = row.get("what_template")
    if not template:
        return row.get("what", "")
    try:
        return gettext(template).format(**(row.get("what_params") or {}))
    except (KeyError, IndexError, ValueError):
        return row.get("what", "")


def _unit_paths(user, text: str) -> list[str]:
    """Paths of the units in the user's region the unit filter names: a code, or part of a name (any script)."""
    units = scope.scoped(user, Unit)
    if text.isdigit():
        units = units.filter(code=text)
    else:
        units = units.filter(name__icontains=normalize_text(text))
    return list(units.order_by("path").values_list("path", flat=True)[:UNIT_MATCHES])


def filter_findings(user, params) -> tuple:
    """The user's findings narrowed by the list's filters (shared by the page, its cards and the export)."""
    qs = scoped_findings(user)
    if params.get("current", "1") == "1":
        qs = qs.filter(is_current=True)
    for name in ("rule", "type", "action", "status"):
        if params.get(name):
            qs = qs.filter(**{name: params[name]})
    unit = (params.get("unit") or "").strip()
    if unit:
        paths = _unit_paths(user, unit)
        match = Q(pk__in=[])
        for path in paths:
            match |= scope.prefix_q("path", path)
        qs = qs.filter(pk__in=FindingPath.objects.filter(match).values("finding_id"))
    text = (params.get("q") or "").strip()
    if text:
        simplified = normalize_text(text)
        match = Q(fid__icontains=text) | Q(items__icontains=text)
        for needle in {text, simplified}:
            match |= Q(reason__icontains=needle)
        qs = qs.filter(match)
    return qs


def _filtered(request):
    return filter_findings(request.user, request.GET)


def _cards(qs) -> tuple[list, dict]:
    hours, by_action = saved_hours_split(qs, "action")
    actions = [(value, label, *by_action.get(value, (0, 0.0))) for value, label in Finding.Action.choices]
    return actions, {"n": sum(n for n, _ in by_action.values()), "hours": hours}


CARDS_SECONDS = 120
# The list's order: most hours saved first, ties by id (descending); the (hours, id) index serves each page.
BY_SAVING = Sort(_("每月可减负（小时）"), "hours_saved_per_month", desc=True)


def _cards_cached(request, qs) -> tuple[list, dict]:
    """The cards sum every finding the filter keeps (a province: ~720,000). They are kept per region and filter
    until a finding changes (every decision writes an audit row of kind "findings"; an analysis finishes a run)
    or two minutes pass."""
    user = request.user
    written = (
        AuditEvent.objects.filter(object_kind="findings").aggregate(last=Max("id"))["last"],
        AnalysisRun.objects.order_by("-id").values_list("id", "finished_at").first(),
    )
    filters = sorted((k, v) for k, v in request.GET.items() if k not in ("after", "page"))
    key = (
        "jianfu:findings:cards:"
        + hashlib.sha256(repr((user.role, scope.region_path(user), filters, written)).encode()).hexdigest()
    )
    cards = cache.get(key)
    if cards is None:
        cards = _cards(qs)
        cache.set(key, cards, CARDS_SECONDS)
    return cards


def _page(request, qs):
    """One page of the list: keyset pages by (hours saved, id) like the registry lists, never a COUNT or OFFSET
    (the benchmarks' baseline mode keeps the old numbered pages)."""
    if getattr(settings, "JIANFU_BASELINE_QUERIES", False):
        page = Paginator(qs.order_by("-hours_saved_per_month", "fid"), listing.PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        base = {k: v for k, v in request.GET.items() if k not in ("after", "page")}
        return page, ("?" + urlencode({**base, "page": page.next_page_number()}) if page.has_next() else None)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    page = listing.keyset_page(qs, BY_SAVING, request.GET.get("after"), number, size=listing.PAGE_SIZE)
    base = {k: v for k, v in request.GET.items() if k not in ("after", "page")}
    next_url = "?" + urlencode({**base, "after": page.next_cursor, "page": page.number + 1}) if page.has_next else None
    return page, next_url


@login_required
def finding_list(request):
    qs = _filtered(request)
    try:
        page, next_url = _page(request, qs)
    except listing.BadCursor:
        base = {k: v for k, v in request.GET.items() if k not in ("after", "page")}
        return render(request, "registry/bad_cursor.html", {"first_url": "?" + urlencode(base)}, status=400)
    rows = list(page.rows if hasattr(page, "rows") else page)
    for finding in rows:
        finding.type_label = TYPE_LABELS.get(finding.type, finding.type)
        finding.display_reason = display_reason(finding)
    # The cards sum the whole filtered list: shown on its first page only, and cached.
    first = not request.GET.get("after")
    actions, total = _cards_cached(request, qs) if first else (None, None)
    query = {k: v for k, v in request.GET.items() if k not in ("after", "page")}
    context = {
        "page": rows,
        "number": getattr(page, "number", 1),
        "next_url": next_url,
        "first_url": "?" + urlencode(query) if not first else None,
        "actions": actions,
        "total": total,
        "query": urlencode(query),
        "filters": {k: request.GET.get(k, "") for k in ("rule", "type", "action", "status", "unit", "q")},
        "current": request.GET.get("current", "1"),
        "rules": RULE_LABELS.items(),
        "types": TYPE_LABELS.items(),
        "action_choices": Finding.Action.choices,
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


CHOICE_LABELS = {"accepted": _("采纳"), "rejected": _("驳回"), "done": _("已完成整改"), "open": _("重新打开")}


def _detail_context(request, finding: Finding, chosen: str = "", typed: str = "") -> dict:
    user = request.user
    choices = choices_for(user, finding)
    if user.role == "department":
        labels = {**CHOICE_LABELS, "rejected": _("申请驳回（需减负办确认）")}
    else:
        labels = CHOICE_LABELS
    keepers = merge_candidates(finding) if finding.action == Finding.Action.MERGE and "done" in choices else []
    keeper = request.POST.get("keep") or (keepers[0][0] if keepers else "")
    return {
        "finding": finding,
        "item_kind": ITEM_KIND.get(finding.type),
        "type_label": TYPE_LABELS.get(finding.type, finding.type),
        "reason": display_reason(finding),
        "evidence": [(EVIDENCE_LABELS.get(k, k), v) for k, v in finding.evidence.items()],
        "arithmetic": [
            {**row, "what": _translated_term(row), "who": gettext(row.get("who", ""))}
            for row in finding.arithmetic or []
        ],
        "rule_label": RULE_LABELS.get(finding.rule, finding.rule),
        "can_decide": can_decide(user, finding) and bool(choices),
        "choices": [(value, labels[value]) for value in choices],
        "chosen": chosen,
        "typed": typed,
        "can_settle": finding.status == Finding.Status.CONTESTED
        and is_final_decider(user, finding)
        and finding.requested_by_id != user.pk,
        "history": history("findings", finding.fid),
        "keepers": keepers,
        "keeper": keeper,
        "carried_out": _carried_out(finding),
    }


def _carried_out(finding: Finding) -> list[tuple]:
    """The carriers this finding cancelled or merged: (code, status label, effective date, merged into)."""
    from jianfu.registry.lifecycle import ITEM_MODELS, item_kind_of_type

    kind = item_kind_of_type(finding.type)
    if kind is None or finding.status != Finding.Status.DONE:
        return []
    rows = ITEM_MODELS[kind].objects.filter(code__in=finding.items, status_finding=finding.fid).exclude(status="active")
    return [(c.code, c.get_status_display(), c.status_date, c.merged_into) for c in rows.order_by("code")]


@login_required
def finding_detail(request, fid: str):
    finding = _get_finding_or_404(request, fid)
    return render(request, "findings/detail.html", _detail_context(request, finding))


@login_required
@require_POST
def finding_decide(request, fid: str):
    finding = _get_finding_or_404(request, fid)
    status, reason = request.POST.get("status", ""), request.POST.get("reason", "")
    settle = request.POST.get("settle", "")
    try:
        if settle:
            do_settle_request(finding, settle == "confirm", reason, acting_user=request.user)
        else:
            do_decide_finding(finding, status, reason, acting_user=request.user, keep=request.POST.get("keep") or None)
    except DecisionError as exc:
        # Show the form again as it was sent: a reject that lacked its reason must stay a reject.
        messages.error(request, str(exc))
        finding.refresh_from_db()
        return render(request, "findings/detail.html", _detail_context(request, finding, status, reason), status=400)
    messages.success(request, _("已保存处理结果"))
    return redirect("findings:detail", fid=finding.fid)


@login_required
def finding_export(request):
    qs = _filtered(request).order_by("-hours_saved_per_month", "fid")
    buffer = io.BytesIO()
    write_findings_xlsx(buffer, qs, total_hours=saved_hours(qs))
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=findings-{stamp}.xlsx"
    return response
