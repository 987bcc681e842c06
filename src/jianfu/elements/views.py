"""Pages of 一表通: the catalog, mapping confirmations, issuing forms, filling a copy, and the results workbook.

Objects are reached only through accounts.scope; every change goes through jianfu.elements.actions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianfu.accounts import scope
from jianfu.accounts.models import Role
from jianfu.elements import actions
from jianfu.elements.export import results_workbook
from jianfu.elements.models import DataElement, DataType, FormIssue, HeldValue, IssueCopy
from jianfu.elements.values import data_type_of
from jianfu.ingest.errors import Problem
from jianfu.registry.models import Form, FormField

BROWSER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT, Role.DISCIPLINE}
PAGE = 100


def say(problem: Problem | str) -> str:
    """A Chinese message from an action, translated for the reader."""
    if isinstance(problem, Problem):
        params = {k: v for k, v in problem.params.items()}
        return _(problem.template) % params if params else _(problem.template)
    return _(str(problem))


def _officer(request) -> None:
    if not (request.user.role in BROWSER_ROLES or request.user.is_superuser):
        raise PermissionDenied


def _element_or_404(user, code: str) -> DataElement:
    return scope.get_scoped_or_404(
        user, DataElement, code, queryset=scope.scoped(user, DataElement).select_related("region", "merged_into")
    )


@login_required
def element_list(request):
    _officer(request)
    qs = scope.scoped(request.user, DataElement).select_related("region")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(search_text__icontains=q) | Q(code__icontains=q))
    status = request.GET.get("status", "")
    if status in DataElement.Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=DataElement.Status.MERGED)
    after = request.GET.get("after", "")
    if after:
        qs = qs.filter(code__gt=after)
    rows = list(qs.order_by("code")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render(
        request,
        "elements/list.html",
        {
            "elements": rows,
            "q": q,
            "status": status,
            "statuses": DataElement.Status.choices,
            "next_after": rows[-1].code if more else None,
            "can_manage": actions.can_manage_catalog(request.user),
            "can_propose": request.user.role in actions.PROPOSER_ROLES or request.user.is_superuser,
            "data_types": DataType.choices,
        },
    )


@login_required
def element_detail(request, code: str):
    _officer(request)
    element = _element_or_404(request.user, code)
    writable = actions.catalog_writable(request.user, element)
    held = (
        scope.scoped(request.user, HeldValue)
        .filter(element=element)
        .select_related("unit")
        .order_by("-period", "unit__code")[:50]
    )
    return render(
        request,
        "elements/detail.html",
        {
            "element": element,
            "writable": writable,
            "held": held,
            "data_types": DataType.choices,
            "proposer": actions.proposer_of(element) if element.status == DataElement.Status.CANDIDATE else None,
            "synonyms_text": "；".join(element.synonyms or []),
        },
    )


def _posted_synonyms(text: str) -> list[str]:
    from jianfu.textnorm import split_multi

    out: list[str] = []
    for word in split_multi(text):
        if word not in out:
            out.append(word)
    return out


@login_required
@require_POST
def element_edit(request, code: str):
    _officer(request)
    element = _element_or_404(request.user, code)
    if not actions.catalog_writable(request.user, element):
        raise PermissionDenied
    post = request.POST
    data_type = post.get("data_type", "")
    if data_type not in DataType.values and data_type != "":
        data_type = element.data_type
    changes = {
        "name": post.get("name", element.name).strip() or element.name,
        "synonyms": _posted_synonyms(post.get("synonyms", "")),
        "definition": post.get("definition", "").strip(),
        "data_type": data_type,
        "unit": post.get("unit", "").strip()[:20],
        "source": post.get("source", "").strip()[:200],
    }
    try:
        diff = actions.do_update_element(element, changes, acting_user=request.user)
    except actions.ElementError as exc:
        messages.error(request, say(exc.problem))
    else:
        messages.success(request, _("已保存 %(n)d 项修改") % {"n": len(diff)} if diff else _("没有修改"))
    return redirect("elements:detail", code=code)


@login_required
@require_POST
def element_merge(request, code: str):
    _officer(request)
    keep = _element_or_404(request.user, code)
    other = request.POST.get("other", "").strip()
    drop = scope.scoped(request.user, DataElement).filter(code=other).select_related("region").first()
    if drop is None:
        messages.error(request, _("找不到要并入的数据元 %(code)s") % {"code": other})
        return redirect("elements:detail", code=code)
    try:
        actions.do_merge_elements(keep, drop, acting_user=request.user)
    except actions.ElementError as exc:
        messages.error(request, say(exc.problem))
    else:
        messages.success(request, _("已把 %(drop)s 并入 %(keep)s") % {"drop": drop.code, "keep": keep.code})
    return redirect("elements:detail", code=code)


@login_required
@require_POST
def element_approve(request, code: str):
    _officer(request)
    element = _element_or_404(request.user, code)
    try:
        actions.do_approve_element(element, acting_user=request.user)
    except actions.ElementError as exc:
        messages.error(request, say(exc.problem))
    else:
        messages.success(request, _("已批准，数据元已收录"))
    return redirect("elements:detail", code=code)


@login_required
@require_POST
def element_propose(request):
    _officer(request)
    field = None
    field_id = request.POST.get("field")
    if field_id and field_id.isdigit():
        field = scope.scoped(request.user, FormField).filter(id=int(field_id)).select_related("form").first()
        if field is None:
            raise Http404
    try:
        data_type = data_type_of(request.POST.get("data_type", ""))
    except ValueError:
        data_type = ""
    if request.POST.get("data_type") in DataType.values:
        data_type = request.POST["data_type"]
    try:
        element = actions.do_propose_element(
            code=request.POST.get("code", ""),
            name=request.POST.get("name", "") or (field.name if field else ""),
            data_type=data_type,
            unit=request.POST.get("unit", "")[:20],
            acting_user=request.user,
            field=field,
        )
    except actions.ElementError as exc:
        messages.error(request, say(exc.problem))
        return redirect(f"/forms/{field.form.code}/" if field else "elements:list")
    messages.success(request, _("已提出候选数据元 %(code)s，待另一名减负办人员批准") % {"code": element.code})
    return redirect("elements:detail", code=element.code)


# --- mappings on the form's page ---------------------------------------------------------------------------


def form_mapping_context(user, form: Form, fields) -> dict:
    """What the registry's form page shows about mappings (called from its detail view)."""
    from jianfu.elements.mapping import mappings_of

    fields = list(fields)
    mappings = mappings_of(fields)
    rows = [{"field": f, "mapping": mappings.get(f.id)} for f in fields]
    issues = scope.scoped(user, FormIssue).filter(form=form).order_by("-issued_at")[:10]
    return {
        "mapping_rows": rows,
        "can_map": actions.can_map(user, form),
        "can_issue": actions.can_issue(user, form),
        "form_issues": issues,
    }


@login_required
@require_POST
def form_map(request, code: str):
    form = scope.get_scoped_or_404(request.user, Form, code)
    if not actions.can_map(request.user, form):
        raise PermissionDenied
    field = form.fields.filter(
        id=request.POST.get("field") if str(request.POST.get("field", "")).isdigit() else 0
    ).first()
    if field is None:
        raise Http404
    chosen = request.POST.get("element", "").strip()
    element = None
    if chosen:
        element = scope.scoped(request.user, DataElement).filter(code=chosen).first()
        if element is None:
            messages.error(request, _("找不到数据元 %(code)s") % {"code": chosen})
            return redirect("registry:detail", kind="forms", code=code)
    try:
        actions.do_confirm_mapping(field, element, acting_user=request.user)
    except actions.ElementError as exc:
        messages.error(request, say(exc.problem))
    else:
        messages.success(request, _("已确认字段「%(field)s」的映射") % {"field": field.name})
    return redirect("registry:detail", kind="forms", code=code)


# --- issuing ----------------------------------------------------------------------------------------------


def _share(prefilled: int, total: int) -> float:
    return prefilled / total if total else 0.0


@login_required
def issue_list(request):
    own = actions.copies_for(request.user).select_related("issue__form", "respondent").order_by("-issue__issued_at")
    own = list(own[:50])
    officer = request.user.role in actions.ISSUER_ROLES or request.user.is_superuser
    if not officer and not own and request.user.role != Role.CADRE:
        raise PermissionDenied
    issues = []
    if officer:
        qs = scope.scoped(request.user, FormIssue).select_related("form", "issuer").order_by("-issued_at")[:100]
        for issue in qs:
            totals = issue.copies.aggregate(p=Sum("prefilled"), t=Sum("fields_total"))
            issues.append(
                {
                    "issue": issue,
                    "share": _share(totals["p"] or 0, totals["t"] or 0),
                    "submitted": issue.copies.filter(status=IssueCopy.Status.SUBMITTED).count(),
                    "copies": issue.copies.count(),
                }
            )
    return render(request, "elements/issues.html", {"issues": issues, "own": own, "officer": officer})


@login_required
def issue_new(request, code: str):
    form = scope.get_scoped_or_404(request.user, Form, code)
    if not actions.can_issue(request.user, form):
        raise PermissionDenied
    error = None
    period = request.POST.get("period", "")
    deadline = request.POST.get("deadline", "")
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(deadline)
        except ValueError:
            error = _("截止日期应为日期，如 2026-12-31")
        else:
            try:
                issue = actions.do_issue_form(form, period=period, deadline=day, acting_user=request.user)
            except actions.ElementError as exc:
                error = say(exc.problem)
            else:
                messages.success(request, _("已下发给 %(n)d 个填报单位") % {"n": issue.copies.count()})
                return redirect("elements:issue", number=issue.number)
    return render(
        request,
        "elements/issue_new.html",
        {
            "form": form,
            "error": error,
            "period": period,
            "deadline": deadline,
            "respondents": len(actions.respondents_of(form)),
        },
        status=400 if error else 200,
    )


def _issue_or_404(user, number: str) -> FormIssue:
    issue = scope.scoped(user, FormIssue).select_related("form", "issuer").filter(number=number).first()
    if issue is None:
        raise Http404
    return issue


@login_required
def issue_detail(request, number: str):
    _officer(request)
    issue = _issue_or_404(request.user, number)
    copies = list(issue.copies.select_related("respondent").order_by("respondent__code"))
    total = sum(c.fields_total for c in copies)
    return render(
        request,
        "elements/issue_detail.html",
        {
            "issue": issue,
            "copies": copies,
            "share": _share(sum(c.prefilled for c in copies), total),
            "submitted": sum(1 for c in copies if c.status == IssueCopy.Status.SUBMITTED),
        },
    )


@login_required
def issue_results(request, number: str):
    _officer(request)
    issue = _issue_or_404(request.user, number)
    handle = results_workbook(issue)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{issue.form.code}-{issue.period}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _copy_or_404(user, number: str) -> IssueCopy:
    copy = scope.scoped(user, IssueCopy).select_related("issue__form", "respondent").filter(number=number).first()
    if copy is None:
        raise Http404
    return copy


@login_required
def copy_fill(request, number: str):
    copy = _copy_or_404(request.user, number)
    if not actions.can_fill(request.user, copy):
        raise PermissionDenied
    values = list(copy.values.select_related("field", "element").order_by("field__position"))
    actions.live_prefill(copy, values)
    problems: dict = {}
    posted: dict[int, str] = {}
    refused = None
    if request.method == "POST":
        posted = {v.field_id: request.POST.get(f"f{v.field_id}", "") for v in values}
        try:
            problems = actions.do_submit_copy(copy, posted, acting_user=request.user)
        except actions.ElementError as exc:
            refused = say(exc.problem)
        else:
            if not problems:
                messages.success(request, _("已提交，谢谢。这些数据以后的报表会自动带出，不必再填"))
                return redirect("elements:fill", number=number)
    rows = []
    for v in values:
        shown = posted.get(v.field_id, v.value or v.prefilled_value)
        rows.append(
            {
                "v": v,
                "shown": shown,
                "problem": say(problems[v.field_id]) if v.field_id in problems else "",
                "numeric": (v.element.data_type if v.element else "") == "number",
            }
        )
    prefilled = sum(1 for v in values if v.prefilled_value)
    status = 400 if problems else (403 if refused else 200)
    return render(
        request,
        "elements/fill.html",
        {
            "copy": copy,
            "rows": rows,
            "prefilled": prefilled,
            "share": _share(prefilled, len(values)),
            "refused": refused,
            "past_deadline": copy.issue.deadline < timezone.localdate(),
        },
        status=status,
    )


def dashboard_figures(user) -> dict | None:
    """一表通 on the dashboard: forms issued in the viewer's region and the share of their fields pre-filled."""
    copies = scope.scoped(user, IssueCopy)
    totals = copies.aggregate(p=Sum("prefilled"), t=Sum("fields_total"))
    if not totals["t"]:
        return None
    return {
        "copies": copies.count(),
        "submitted": copies.filter(status=IssueCopy.Status.SUBMITTED).count(),
        "issues": scope.scoped(user, FormIssue).count(),
        "share": _share(totals["p"] or 0, totals["t"] or 0),
        "elements": scope.scoped(user, DataElement).filter(status=DataElement.Status.ACTIVE).count(),
    }
