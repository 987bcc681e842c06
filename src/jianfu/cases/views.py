"""Case pages (/cases/), the supervision ranking, and notices (/notices/, public once published)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianfu.accounts import scope
from jianfu.accounts.models import Role
from jianfu.cases import actions, notices
from jianfu.cases.export import write_cases_xlsx
from jianfu.cases.models import Accountability, Case, EvidenceFile, IllegalTransition, Notice, TransitionError
from jianfu.cases.supervision import ranking
from jianfu.clues.models import Clue
from jianfu.evidence import MAX_FILES, EvidenceError, clean_files
from jianfu.findings.models import Finding
from jianfu.findings.views import display_reason
from jianfu.registry.models import Unit
from jianfu.textnorm import normalize_text

TABS = ("all", "verify", "overdue", "mine")
UNIT_CHOICES = 500
DOCUMENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _require_case_role(user) -> None:
    if not actions.sees_cases(user):
        raise PermissionDenied


def _case_or_404(request, number: str) -> Case:
    _require_case_role(request.user)
    try:
        return actions.scoped_cases(request.user).get(number=number)
    except Case.DoesNotExist:
        raise Http404 from None


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def filter_cases(user, params):
    """The user's cases narrowed by the list's tab and filters (shared by the page and the export)."""
    qs = actions.scoped_cases(user)
    tab = params.get("tab") or "all"
    if tab == "verify":
        qs = qs.filter(status=Case.Status.RESPONDED)
        if user.unit_id:
            # As actions.may_verify: at or above the case's region, not the unit itself, not the responder.
            qs = (
                qs.filter(region__path__startswith=user.unit.path)
                .exclude(unit_id=user.unit_id)
                .exclude(responded_by=user)
            )
    elif tab == "overdue":
        qs = qs.filter(overdue=True).exclude(status=Case.Status.CLOSED)
    elif tab == "mine":
        qs = qs.filter(unit_id=user.unit_id, status__in=Case.AWAITING_RESPONSE)
    if params.get("status") in Case.Status.values:
        qs = qs.filter(status=params["status"])
    text = (params.get("q") or "").strip()
    if text:
        match = Q(number__icontains=text)
        for needle in {text, normalize_text(text)}:
            match |= (
                Q(demand__icontains=needle) | Q(unit__name__icontains=needle) | Q(finding__reason__icontains=needle)
            )
        qs = qs.filter(match)
    return qs


def _tabs(user) -> list[tuple[str, str]]:
    tabs = [("all", _("全部案件"))]
    if actions.is_supervisor(user):
        tabs.append(("verify", _("待我核验")))
    tabs.append(("overdue", _("逾期案件")))
    if user.role == Role.DEPARTMENT:
        tabs.append(("mine", _("待我反馈")))
    return tabs


@login_required
def case_list(request):
    _require_case_role(request.user)
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "all"
    qs = filter_cases(request.user, {**request.GET.dict(), "tab": tab})
    page = Paginator(qs.order_by("-opened_at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "tab": tab,
            "tabs": _tabs(request.user),
            "query": query.urlencode(),
            "filters": {k: request.GET.get(k, "") for k in ("status", "q")},
            "status_choices": Case.Status.choices,
            "can_notice": actions.is_supervisor(request.user),
            "is_discipline": request.user.role in (Role.DISCIPLINE, Role.ADMIN) or request.user.is_superuser,
        },
    )


@login_required
def case_export(request):
    _require_case_role(request.user)
    buffer = io.BytesIO()
    write_cases_xlsx(buffer, filter_cases(request.user, request.GET).order_by("number"))
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=cases-{timezone.localdate():%Y%m%d}.xlsx"
    return response


def _finding_for_case(request, fid: str) -> Finding:
    try:
        return scope.scoped(request.user, Finding).select_related("owner").get(fid=fid)
    except Finding.DoesNotExist:
        raise Http404 from None


@login_required
def case_new(request, fid: str):
    """Open a case from a finding (office and discipline): the form, and its submission."""
    if not actions.is_supervisor(request.user):
        raise PermissionDenied
    finding = _finding_for_case(request, fid)
    return _open_case_form(
        request, finding, display_reason(finding), f"/findings/{finding.fid}/", finding.fid, finding.owner
    )


@login_required
def case_new_from_clue(request, pk: int):
    """Open a case from a clue (office and discipline)."""
    if not actions.is_supervisor(request.user):
        raise PermissionDenied
    clue = scope.scoped(request.user, Clue).filter(pk=pk).select_related("region").first()
    if clue is None:
        raise Http404
    owner = scope.scoped(request.user, Unit).filter(code=clue.carrier_code).first() if clue.carrier_code else None
    summary = _("群众反映的线索：%(category)s%(carrier)s") % {
        "category": clue.get_category_display(),
        "carrier": f"（{clue.carrier_text or clue.carrier_code}）" if clue.carrier_text or clue.carrier_code else "",
    }
    return _open_case_form(
        request, clue, f"{summary}\n{clue.description}", f"/clues/{clue.pk}/", f"#{clue.pk}", owner or clue.region
    )


def _open_case_form(request, source, reason: str, back_url: str, back_label: str, owner):
    form = {"unit": owner.code if owner else "", "demand": "", "deadline": ""}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("unit", "demand", "deadline")}
        unit = scope.scoped(request.user, Unit).filter(code=form["unit"]).first()
        deadline = _parse_date(form["deadline"])
        try:
            if unit is None:
                raise actions.CaseError(_("责任单位「%(code)s」不存在或不在您的管辖区域内") % {"code": form["unit"]})
            if deadline is None:
                raise actions.CaseError(_("请填写整改期限（年-月-日）"))
            case = actions.do_open_case(source, unit, form["demand"], deadline, acting_user=request.user)
        except TransitionError as exc:
            messages.error(request, str(exc))
            status = refusal_status(exc)
        else:
            if not actions.responders(case).exists():
                messages.warning(request, _("责任单位尚无部门人员账号，无人收到交办通知，请先为其开设账号"))
            messages.success(request, _("已立案交办，案件编号 %(number)s") % {"number": case.number})
            return redirect("cases:detail", number=case.number)
    existing = source.cases.exclude(status=Case.Status.CLOSED).first()
    # The source's owner first (the usual responsible unit), then the region's units in tree order.
    owner_id = owner.pk if owner else None
    units = list(scope.scoped(request.user, Unit).filter(pk=owner_id)) + list(
        scope.scoped(request.user, Unit).exclude(pk=owner_id).order_by("path")[:UNIT_CHOICES]
    )
    return render(
        request,
        "cases/new.html",
        {
            "reason": reason,
            "back_url": back_url,
            "back_label": back_label,
            "form": form,
            "existing": existing,
            "units": units,
            "min_deadline": timezone.localdate().isoformat(),
        },
        status=status,
    )


def _detail_context(request, case: Case) -> dict:
    user = request.user
    return {
        "case": case,
        "events": case.events.select_related(None).prefetch_related("evidence"),
        "reason": display_reason(case.finding) if case.finding else actions.source_summary(case),
        "can_respond": actions.is_responder(user, case) and case.awaiting_response,
        "can_verify": actions.may_verify(user, case) and case.status == Case.Status.RESPONDED,
        "can_account": actions.may_supervise(user, case) and case.status == Case.Status.CLOSED,
        "outcome_choices": [
            (k, label) for k, label in Accountability.Kind.choices if not case.outcomes.filter(kind=k).exists()
        ],
        "outcomes": case.outcomes.all(),
        "max_files": MAX_FILES,
        "verify_blocked": actions.is_supervisor(user)
        and case.status == Case.Status.RESPONDED
        and not actions.may_verify(user, case),
    }


@login_required
def case_detail(request, number: str):
    case = _case_or_404(request, number)
    return render(request, "cases/detail.html", _detail_context(request, case))


def refusal_status(exc: Exception) -> int:
    """403 for a role or unit that may not, 409 for a state that does not allow it, 400 for bad input."""
    if isinstance(exc, actions.Forbidden):
        return 403
    if isinstance(exc, (actions.Conflict, IllegalTransition)):
        return 409
    return 400


def _refused(request, case: Case, exc: Exception):
    messages.error(request, str(exc))
    case.refresh_from_db()
    return render(request, "cases/detail.html", _detail_context(request, case), status=refusal_status(exc))


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def case_respond(request, number: str):
    case = _case_or_404(request, number)
    if not actions.is_responder(request.user, case):  # refused before any upload is decoded
        return _refused(request, case, actions.Forbidden(_("只有责任单位的部门人员可以反馈整改情况")))
    try:
        files = clean_files(request.FILES.getlist("evidence"))
        actions.do_respond_case(
            case, request.POST.get("text", ""), files, acting_user=request.user, version=_version(request)
        )
    except EvidenceError as exc:
        return _refused(request, case, actions.CaseError(str(exc)))
    except TransitionError as exc:
        return _refused(request, case, exc)
    messages.success(request, _("已提交整改情况，等待核验"))
    return redirect("cases:detail", number=case.number)


@login_required
@require_POST
def case_verify(request, number: str):
    case = _case_or_404(request, number)
    accepted = request.POST.get("accepted") == "1"
    try:
        actions.do_verify_case(
            case,
            accepted,
            request.POST.get("text", ""),
            acting_user=request.user,
            new_deadline=_parse_date(request.POST.get("deadline", "")),
            version=_version(request),
        )
    except TransitionError as exc:
        return _refused(request, case, exc)
    messages.success(request, _("核验通过，案件已办结") if accepted else _("已退回责任单位重新整改"))
    return redirect("cases:detail", number=case.number)


@login_required
@require_POST
def case_outcome(request, number: str):
    case = _case_or_404(request, number)
    try:
        actions.do_record_outcome(
            case, request.POST.get("kind", ""), request.POST.get("reason", ""), acting_user=request.user
        )
    except TransitionError as exc:
        return _refused(request, case, exc)
    messages.success(request, _("已记录问责结果"))
    return redirect("cases:detail", number=case.number)


@login_required
def case_evidence(request, number: str, uid: str):
    case = _case_or_404(request, number)
    try:
        item = EvidenceFile.objects.get(case=case, uid=uid)
        stored = default_storage.open(item.stored, "rb")
    except (EvidenceFile.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    response = FileResponse(stored, content_type=item.content_type, as_attachment=True, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def supervision(request):
    """Supervision of the supervision: for discipline officers (and administrators)."""
    if not (request.user.role == Role.DISCIPLINE or scope.sees_everything(request.user)):
        raise PermissionDenied
    return render(request, "cases/supervision.html", {"rows": ranking(request.user)})


# --- notices ----------------------------------------------------------------------------------------------


def _notice_or_404(request, code: str) -> Notice:
    """A published notice for anyone; a draft only for the office and discipline officers of its region."""
    notice = Notice.objects.filter(code=code).select_related("unit").first()
    if notice is None:
        raise Http404
    if notice.status == Notice.Status.PUBLISHED:
        return notice
    if actions.is_supervisor(request.user) and scope.scoped(request.user, Notice).filter(pk=notice.pk).exists():
        return notice
    raise Http404


def notice_list(request):
    """The public page of published notices; officers also see their region's drafts."""
    published = Notice.objects.filter(status=Notice.Status.PUBLISHED).select_related("unit").order_by("-published_at")
    drafts = (
        scope.scoped(request.user, Notice).filter(status=Notice.Status.DRAFT)
        if actions.is_supervisor(request.user)
        else Notice.objects.none()
    )
    return render(
        request,
        "cases/notices.html",
        {"page": Paginator(published, 30).get_page(request.GET.get("page")), "drafts": drafts[:50]},
    )


def notice_detail(request, code: str):
    notice = _notice_or_404(request, code)
    return render(
        request,
        "cases/notice.html",
        {"notice": notice, "can_publish": notice.status == Notice.Status.DRAFT and actions.is_supervisor(request.user)},
    )


def notice_file(request, code: str, kind: str):
    notice = _notice_or_404(request, code)
    response = HttpResponse(notices.render(notice, kind), content_type=DOCUMENT_TYPES[kind])
    response["Content-Disposition"] = f"attachment; filename={notices.file_name(notice, kind)}"
    return response


@login_required
def notice_new(request):
    """Draft a notice from the cases ticked on /cases/ (or typed as numbers)."""
    if not actions.is_supervisor(request.user):
        raise PermissionDenied
    numbers = [n.strip() for n in request.POST.getlist("cases") or request.GET.getlist("cases") if n.strip()]
    cases = list(actions.scoped_cases(request.user).filter(number__in=numbers).order_by("number"))
    title = request.POST.get("title", "").strip() or _("关于几起形式主义为基层增负典型问题的通报")
    if request.method == "POST" and request.POST.get("draft"):
        try:
            if len(cases) != len(set(numbers)):
                raise actions.CaseError(_("有案件不存在或不在您的管辖区域内"))
            notice = actions.do_draft_notice(cases, title, acting_user=request.user)
        except TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已生成通报草稿"))
            return redirect("notices:detail", code=notice.code)
    choices = actions.scoped_cases(request.user).exclude(status=Case.Status.RESPONDED).order_by("-opened_at")[:200]
    return render(
        request,
        "cases/notice_new.html",
        {"cases": cases, "choices": choices, "title": title, "chosen": {c.number for c in cases}},
        status=400 if request.method == "POST" and request.POST.get("draft") else 200,
    )


@login_required
@require_POST
def notice_publish(request, code: str):
    notice = _notice_or_404(request, code)
    if not actions.is_supervisor(request.user):
        raise Http404
    try:
        actions.do_publish_notice(notice, acting_user=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("通报已发布到公开页面"))
    return redirect("notices:detail", code=notice.code)


@login_required
def notice_template(request):
    """The region's notice template: issuer, red header, number prefix, the text around the cases."""
    if not actions.is_supervisor(request.user) or not request.user.unit_id:
        raise PermissionDenied
    unit = actions.region_of(request.user.unit)
    template = actions.template_for(unit)
    status = 200
    if request.method == "POST":
        try:
            template = actions.do_save_notice_template(
                unit,
                issuer=request.POST.get("issuer", ""),
                number_prefix=request.POST.get("number_prefix", ""),
                intro=request.POST.get("intro", ""),
                closing=request.POST.get("closing", ""),
                red_header=request.POST.get("red_header") == "1",
                acting_user=request.user,
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
            status = 400
        else:
            messages.success(request, _("已保存通报模板"))
            return redirect("notices:template")
    return render(request, "cases/notice_template.html", {"template": template, "unit": unit}, status=status)
