"""Burden surveys (office pages and the public one-time form) and the cadre's own page /me/."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jianfu.accounts import scope
from jianfu.analysis.findings import ITEM_KIND
from jianfu.findings.labels import RULE_LABELS, TYPE_LABELS
from jianfu.findings.models import Finding
from jianfu.registry.models import Person, Unit
from jianfu.surveys import actions, sheets
from jianfu.surveys.calibrating import K_ANONYMITY, effective_config, results
from jianfu.surveys.carriers import KIND_ORDER, Bearing
from jianfu.surveys.models import CadreLogin, RegionCalibration, Survey, SurveyLink
from jianfu.surveys.painpoints import pain_points

KIND_LABELS = {"group": "工作群", "app": "应用", "account": "公众号", "form": "报表"}


def _kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


def _manager_or_403(request) -> None:
    if not actions.can_manage(request.user):
        raise PermissionDenied


# --- office pages ---


@login_required
def survey_list(request):
    _manager_or_403(request)
    error = None
    if request.method == "POST":
        try:
            survey = actions.do_create_survey(
                request.user,
                title=request.POST.get("title", ""),
                region_code=request.POST.get("region", ""),
                question=request.POST.get("question", ""),
            )
        except actions.SurveyError as exc:
            error = exc.messages
        else:
            messages.success(request, _("已发起调研：%(title)s") % {"title": survey.title})
            return redirect("surveys:detail", survey.code)
    surveys = (
        scope.scoped(request.user, Survey)
        .select_related("region")
        .annotate(issued=Count("links", distinct=True), answered=Count("returns", distinct=True))[:200]
    )
    return render(
        request,
        "surveys/list.html",
        {
            "surveys": surveys,
            "errors": error,
            "post": request.POST,
            "default_region": request.user.unit.code if request.user.unit_id else "",
            "default_question": actions.DEFAULT_QUESTION,
        },
    )


def _survey_or_404(request, code: str) -> Survey:
    return scope.get_scoped_or_404(
        request.user, Survey, code, queryset=scope.scoped(request.user, Survey).select_related("region")
    )


@login_required
def survey_detail(request, code: str):
    _manager_or_403(request)
    survey = _survey_or_404(request, code)
    issued = dict(SurveyLink.objects.filter(survey=survey).values_list("area_id").annotate(n=Count("id")))
    used = dict(
        SurveyLink.objects.filter(survey=survey, used_on__isnull=False).values_list("area_id").annotate(n=Count("id"))
    )
    answered = dict(survey.returns.values_list("area_id").annotate(n=Count("id")))
    areas = []
    for area in [survey.region, *actions.areas_of(survey)]:
        people = scope.within_unit(Person, area)
        people = (people.filter(unit=area) if area == survey.region else people).count()
        if area == survey.region and not people:
            continue
        areas.append(
            {
                "unit": area,
                "people": people,
                "issued": issued.get(area.id, 0),
                "used": used.get(area.id, 0),
                "answered": answered.get(area.id, 0),
            }
        )
    res = results(survey)
    kinds = []
    if res.calibration:
        for kind in KIND_ORDER:
            k = res.calibration.kinds.get(kind)
            if k and k.answers >= K_ANONYMITY:
                kinds.append(
                    {
                        "kind": kind,
                        "label": _kind_label(kind),
                        "report": k,
                        "measured_h": k.measured_min / 60,
                        "model_h": k.model_min / 60,
                        "calibrated_h": k.calibrated_min / 60,
                    }
                )
    for row in res.carriers:
        row["label"] = _kind_label(row["kind"])
    calibration = RegionCalibration.objects.filter(region=survey.region).first()
    points, rest = pain_points(survey) if res.shown else ([], 0)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "areas": areas,
            "results": res,
            "kinds": kinds,
            "k": K_ANONYMITY,
            "calibration": calibration,
            "points": points,
            "rest": rest,
            "totals": {"issued": sum(issued.values()), "used": sum(used.values()), "answered": res.respondents},
        },
    )


@login_required
@require_POST
def survey_issue(request, code: str):
    _manager_or_403(request)
    survey = _survey_or_404(request, code)
    try:
        issued = actions.do_issue_links(request.user, survey, request.POST.get("area", ""))
    except actions.SurveyError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("surveys:detail", survey.code)
    area = request.POST.get("area", "")
    base = request.build_absolute_uri("/")[:-1]
    slips = [
        sheets.Slip(i.person.name, i.person.post or "", i.person.unit.name, f"{base}/s/{i.token}/") for i in issued
    ]
    if request.POST.get("format") == "pdf":
        unit = scope.within_unit(Unit, survey.region).filter(code=area).first()
        response = HttpResponse(sheets.pdf(survey, unit.name if unit else area, slips), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.code}-{area}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    response = render(request, "surveys/sheet.html", {"survey": survey, "slips": sheets.with_qr(slips), "area": area})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def survey_close(request, code: str):
    _manager_or_403(request)
    survey = _survey_or_404(request, code)
    actions.do_close_survey(request.user, survey)
    messages.success(request, _("调研已结束"))
    return redirect("surveys:detail", survey.code)


@login_required
@require_POST
def survey_calibrate(request, code: str):
    _manager_or_403(request)
    survey = _survey_or_404(request, code)
    try:
        actions.do_apply_calibration(request.user, survey)
    except actions.SurveyError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已把本次调研测得的参数用于%(region)s的负担测算，下次分析起生效") % {"region": survey.region.name},
        )
    return redirect("surveys:detail", survey.code)


# --- the public one-time form ---


def _field(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def answer(request, token: str):
    link = actions.link_for(token)
    closed = _closed_link_page(request, link)
    if closed is not None:
        return closed
    bearing = Bearing(effective_config())
    carriers = bearing.carriers(link.person)
    errors, values = [], {}
    if request.method == "POST":
        minutes, droppable, values, readable = _read_minutes(request.POST, carriers)
        if not readable:
            errors.append(_("每周用时请填写数字（分钟），不用时填 0"))
        else:
            try:
                actions.do_submit(
                    token,
                    minutes=minutes,
                    droppable=droppable & set(minutes),
                    text=request.POST.get("text", ""),
                    bearers={(c.kind, c.code): c.facts.get("sharing_people", 1) for c in carriers},
                    allowed={(c.kind, c.code) for c in carriers},
                )
            except actions.SurveyError as exc:
                errors.extend(exc.messages)
            else:
                return render(request, "surveys/answer_done.html", {"survey": link.survey})
    return _answer_form(request, link, carriers, values, errors)


def _closed_link_page(request, link):
    """The page that says why a link takes no answer (unknown, used, or its survey closed); None when it does."""
    if link is None:
        return render(
            request,
            "surveys/answer_closed.html",
            {"message": _("链接无效，请核对二维码或向发放单位索取新链接")},
            status=404,
        )
    if link.used_on is not None:
        return render(
            request,
            "surveys/answer_closed.html",
            {"message": _("此链接已经提交过，每个链接只能使用一次。如需更正，请联系发放单位")},
            status=410,
        )
    if not link.survey.is_open:
        return render(request, "surveys/answer_closed.html", {"message": _("调研已结束，不再接收答卷")}, status=410)
    return None


def _read_minutes(post, carriers) -> tuple[dict, set, dict[str, str], bool]:
    """(minutes a week by carrier, carriers marked droppable, the raw values by field, whether all were numbers)."""
    minutes, droppable, values, readable = {}, set(), {}, True
    for c in carriers:
        key = (c.kind, c.code)
        raw = (post.get("m:" + _field(*key)) or "").strip()
        values[_field(*key)] = raw
        if raw:
            try:
                minutes[key] = float(raw.replace("，", ".").replace(",", "."))
            except ValueError:
                readable = False
        if post.get("d:" + _field(*key)):
            droppable.add(key)
    return minutes, droppable, values, readable


def _answer_form(request, link, carriers, values: dict[str, str], errors: list[str]):
    """The form, one section per carrier kind, holding what was typed; never cached, never referred onwards."""
    groups = defaultdict(list)
    for c in carriers:
        groups[c.kind].append(
            {
                "carrier": c,
                "field": _field(c.kind, c.code),
                "value": values.get(_field(c.kind, c.code), ""),
                "dropped": bool(request.POST.get("d:" + _field(c.kind, c.code))),
            }
        )
    sections = [(_kind_label(k), groups[k]) for k in KIND_ORDER if groups[k]]
    response = render(
        request,
        "surveys/answer.html",
        {
            "survey": link.survey,
            "sections": sections,
            "errors": errors,
            "text": request.POST.get("text", ""),
            "max_minutes": actions.MAX_MINUTES_PER_WEEK,
            "max_text": actions.MAX_TEXT,
        },
        status=400 if errors else 200,
    )
    response["Cache-Control"] = "no-store"
    # The token is in the address: never pass it to another site. ("no-referrer" would also blank the Origin of
    # the form's own POST, which the CSRF check then refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response


# --- the cadre's own page ---


def clue_link(carrier) -> str:
    """The anonymous clue form, prefilled with the carrier: no login, no person in the address."""
    return "/clues/new/?" + urlencode({"region": carrier.region_code, "carrier": carrier.code})


def _findings_for(user, carriers) -> list[Finding]:
    """Current findings that name one of these carriers (matched by kind and code), each marked `visible` when the
    viewer's own scope holds it; the others concern the person only through their own carriers."""
    wanted = {(c.kind, c.code): c.name for c in carriers}
    if not wanted:
        return []
    found = []
    # A finding lists the paths of the units owning its carriers; narrow on those and on the type, then match the
    # codes in Python (items are a JSON list, and SQLite has no JSON contains).
    paths = {c.owner_path for c in carriers if c.owner_path}
    query = scope.naming_units(Finding, paths).filter(is_current=True).exclude(status=Finding.Status.REJECTED)
    types = [t for t, kind in ITEM_KIND.items() if kind in {k for k, _c in wanted}]
    for f in query.filter(type__in=types).order_by("-hours_saved_per_month", "fid").iterator(chunk_size=2000):
        kind = ITEM_KIND.get(f.type)
        if any((kind, code) in wanted for code in f.items):
            f.type_label = TYPE_LABELS.get(f.type, f.type)
            f.rule_label = RULE_LABELS.get(f.rule, f.rule)
            f.mine = [wanted[(kind, code)] for code in f.items if (kind, code) in wanted]
            found.append(f)
    found = found[:50]
    visible = set(scope.scoped(user, Finding).filter(pk__in=[f.pk for f in found]).values_list("pk", flat=True))
    for f in found:
        f.visible = f.pk in visible
    return found


@login_required
def me(request):
    link = CadreLogin.objects.filter(user=request.user).first()
    # The linked person must still be inside the login's own scope (a login moved to another unit keeps its link).
    person = (
        scope.scoped(request.user, Person).select_related("unit").filter(pk=link.person_id).first() if link else None
    )
    if person is None:
        return render(request, "surveys/me_unlinked.html")
    carriers = Bearing(effective_config()).carriers(person)
    sections = []
    for kind in KIND_ORDER:
        rows = sorted((c for c in carriers if c.kind == kind), key=lambda c: (-c.minutes, c.name))
        if rows:
            sections.append(
                {
                    "kind": kind,
                    "label": _kind_label(kind),
                    "rows": [(c, clue_link(c)) for c in rows],
                    "hours": sum(c.hours for c in rows),
                }
            )
    return render(
        request,
        "surveys/me.html",
        {
            "person": person,
            "sections": sections,
            "total": sum(c.hours for c in carriers),
            "findings": _findings_for(request.user, carriers),
            "calibrated": scope.applying_to(RegionCalibration, person.unit).exists(),
        },
    )
