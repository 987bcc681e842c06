"""The public clue pages (no login) and the officers' triage pages."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from jianfu.accounts import scope, throttle
from jianfu import evidence
from jianfu.clues import actions, storage
from jianfu.clues.export import write_clues_xlsx
from jianfu.clues.labels import category_rows
from jianfu.clues.models import Category, Clue
from jianfu.clues.privacy import challenge_nonce, new_challenge
from jianfu.registry.models import Unit
from jianfu.textnorm import normalize_text

HOUR = 3600
TRACKS_PER_HOUR = 60
SUGGESTIONS = 20


# --- rate limits: keyed by the hourly hash the middleware left, never by an address ----------------------


def retry_after() -> int:
    # The limits slide over the last hour: an hour from now every counted post has aged out.
    return HOUR


def allow_post_all(request) -> bool:
    """One more clue post from everyone together this hour, within the installation's limit."""
    return throttle.allow("clue-post-all", "all", limit=settings.JIANFU_CLUE_POSTS_PER_HOUR_ALL, window_seconds=HOUR)


def allow_post(request) -> bool:
    """One more clue post from this (hashed) sender and from everyone this hour, within the limits."""
    key = getattr(request, "clue_rate_key", "unknown")
    mine = throttle.allow("clue-post", key, limit=settings.JIANFU_CLUE_POSTS_PER_HOUR, window_seconds=HOUR)
    return allow_post_all(request) and mine


def allow_track(request) -> bool:
    key = getattr(request, "clue_rate_key", "unknown")
    return throttle.allow("clue-track", key, limit=TRACKS_PER_HOUR, window_seconds=HOUR)


def _limited(request, template: str, context: dict) -> HttpResponse:
    context["error"] = _("提交过于频繁，请一小时后再试。为保护反映人，本系统不记录网络地址，只能按时段限制次数。")
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after())
    return response


# --- the public form --------------------------------------------------------------------------------------


def _region_label(unit: Unit | None) -> str:
    if unit is None:
        return ""
    ancestors = Unit.objects.filter(path__in=scope.ancestor_paths(unit.path)).order_by("path")
    return " / ".join(a.name for a in ancestors)


def _typed_region(text: str) -> tuple[Unit | None, list[Unit]]:
    """A region from a typed name (or code): the unit when one matches, else the candidates."""
    text = (text or "").strip()
    if not text:
        return None, []
    if text.isdigit():
        unit = actions.find_region(text)
        return unit, []
    name = normalize_text(text)
    candidates = list(
        Unit.objects.filter(is_region=True, level__in=("county", "township"))
        .filter(Q(name=name) | Q(name__startswith=name))
        .order_by("path")[:SUGGESTIONS]
    )
    exact = [u for u in candidates if u.name == name]
    if len(exact) == 1:
        return exact[0], []
    if len(candidates) == 1:
        return candidates[0], []
    return None, exact or candidates


def _form_context(values: dict, errors: dict | None = None, choices: list | None = None) -> dict:
    question, token = new_challenge()
    region = actions.find_region(values.get("region", ""))
    return {
        "categories": category_rows(),
        "values": values,
        "errors": errors or {},
        "region_label": _region_label(region),
        "region_choices": [(u, _region_label(u)) for u in choices or []],
        "question": question,
        "challenge": token,
        "max_files": evidence.MAX_FILES,
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


FIELDS = ("category", "region", "region_name", "carrier", "description", "contact")


@never_cache
def clue_new(request):
    """The public form: anyone, logged in or not; nothing about the visitor is attached to the clue."""
    if request.method != "POST":
        values = {
            "category": request.GET.get("category", ""),
            "region": request.GET.get("region", ""),
            "carrier": request.GET.get("carrier", ""),
        }
        if values["category"] not in Category.values:
            values["category"] = ""
        region = actions.find_region(values["region"])
        values["region"] = region.code if region else ""
        if region and values["carrier"]:
            _code, text = actions.resolve_carrier(region, values["carrier"])
            values["carrier_name"] = text
        return _no_store(render(request, "clues/new.html", _form_context(values)))
    values = {name: request.POST.get(name, "") for name in FIELDS}
    if not allow_post(request):
        return _no_store(_limited(request, "clues/new.html", _form_context(values)))
    nonce = challenge_nonce(request.POST.get("challenge", ""), request.POST.get("answer", ""))
    if nonce is None or not throttle.allow("clue-challenge", nonce, limit=1, window_seconds=2 * HOUR):
        errors = {"answer": _("验证题答案不对或已过期，请回答新的题目（用阿拉伯数字）")}
        return _no_store(render(request, "clues/new.html", _form_context(values, errors), status=400))
    choices: list[Unit] = []
    if not values["region"] and values["region_name"]:
        unit, choices = _typed_region(values["region_name"])
        values["region"] = unit.code if unit else ""
    uploads = []
    for upload in request.FILES.getlist("evidence")[: evidence.MAX_FILES + 1]:
        if upload.size > evidence.MAX_BYTES:
            errors = {"evidence": actions.file_too_large_message(upload.name)}
            return _no_store(render(request, "clues/new.html", _form_context(values, errors), status=413))
        uploads.append(actions.Upload(upload.name, upload.read()))
    try:
        clue, receipt = actions.do_file_clue(
            category=values["category"],
            region_code=values["region"],
            description=values["description"],
            carrier=values["carrier"],
            contact=values["contact"],
            uploads=uploads,
        )
    except actions.ClueError as exc:
        errors = getattr(exc, "problems", {exc.field: str(exc)})
        if choices and "region" in errors:
            errors["region"] = _("有多个同名地区，请选择其中一个")
        status = 413 if exc.too_large else 400
        return _no_store(render(request, "clues/new.html", _form_context(values, errors, choices), status=status))
    return _no_store(render(request, "clues/receipt.html", {"receipt": receipt, "clue": clue}, status=201))


@require_GET
def region_options(request):
    """Regions for the form's tree (?parent=CODE: its child regions) or its search box (?q=name)."""
    text = (request.GET.get("q") or "").strip()
    units = Unit.objects.filter(is_region=True).exclude(level="village")
    if text:
        name = normalize_text(text)
        units = units.filter(Q(name__contains=name) | Q(code=text)).order_by("path")[:SUGGESTIONS]
        rows = [{"code": u.code, "name": u.name, "label": _region_label(u), "level": u.level} for u in units]
    else:
        parent = (request.GET.get("parent") or "").strip()
        units = units.filter(parent__code=parent) if parent else units.filter(parent__isnull=True)
        units = list(units.order_by("code")[:500])
        with_children = set(
            Unit.objects.filter(is_region=True, parent__in=units)
            .exclude(level="village")
            .values_list("parent_id", flat=True)
        )
        rows = [{"code": u.code, "name": u.name, "level": u.level, "children": u.id in with_children} for u in units]
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


@require_GET
def carrier_options(request):
    """Carriers of a region whose name contains ?q=: name and code only, never members or owners' people."""
    region = actions.find_region(request.GET.get("region", ""))
    text = normalize_text((request.GET.get("q") or "").strip())
    rows = []
    if region and text:
        for kind, found in actions.region_carriers(region, name__contains=text):
            rows += [{"code": code, "name": name, "kind": str(kind)} for code, name in found[:SUGGESTIONS]]
    return JsonResponse({"results": rows[:SUGGESTIONS]}, json_dumps_params={"ensure_ascii": False})


# --- the reporter's tracking page -------------------------------------------------------------------------


def track_view(clue: Clue) -> dict:
    """What the reporter may see: status, due date, outcome and the messages, without anyone's identity."""
    shown = [{"at": m.at, "from": m.sender, "text": m.text} for m in clue.messages.all()]
    return {
        "status": clue.status,
        "status_label": clue.get_status_display(),
        "messages": shown,
        "received_at": clue.received_at,
        "due_on": clue.due_on,
        "outcome": clue.outcome,
        "category": clue.get_category_display(),
        "open": clue.is_open,
    }


@never_cache
def clue_track(request):
    """Enter the receipt (posted, never in the address bar), see the status and messages, reply."""
    if request.method != "POST":
        return _no_store(render(request, "clues/track.html", {}))
    receipt = request.POST.get("receipt", "")
    if not allow_track(request):
        return _no_store(_limited(request, "clues/track.html", {}))
    error = ""
    if request.POST.get("text") is not None:
        try:
            actions.do_reporter_reply(receipt, request.POST.get("text", ""))
        except actions.ClueError as exc:
            error = str(exc)
    clue = actions.clue_by_receipt(receipt)
    if clue is None:
        context = {"error": _("回执码不正确：请核对后重新输入（不区分大小写，短横线可省略）")}
        return _no_store(render(request, "clues/track.html", context, status=404))
    context = {"receipt": receipt, "view": track_view(clue), "error": error}
    return _no_store(render(request, "clues/track.html", context, status=400 if error else 200))


# --- triage (office and discipline officers) --------------------------------------------------------------


def _handler_or_403(request) -> None:
    if not actions.may_handle(request.user):
        raise PermissionDenied


def scoped_clues(user):
    return scope.scoped(user, Clue).select_related("region", "handler")


def _clue_or_404(request, pk: int) -> Clue:
    _handler_or_403(request)
    try:
        return scoped_clues(request.user).get(pk=pk)
    except Clue.DoesNotExist:
        raise Http404 from None


def filter_clues(user, params):
    qs = scoped_clues(user)
    status = params.get("status", "")
    if status == "open":
        qs = qs.filter(status__in=[Clue.Status.NEW, Clue.Status.HANDLING])
    elif status in Clue.Status.values:
        qs = qs.filter(status=status)
    if params.get("category") in Category.values:
        qs = qs.filter(category=params["category"])
    if params.get("overdue") == "1":
        qs = qs.filter(status__in=[Clue.Status.NEW, Clue.Status.HANDLING], due_on__lt=timezone.localdate())
    if params.get("mine") == "1":
        qs = qs.filter(handler=user)
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(description__contains=text) | Q(carrier_text__contains=text) | Q(carrier_code=text))
    return qs


@login_required
def clue_list(request):
    _handler_or_403(request)
    qs = filter_clues(request.user, request.GET)
    page = Paginator(qs.order_by("-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clues/list.html",
        {
            "page": page,
            "filters": request.GET,
            "categories": Category.choices,
            "statuses": Clue.Status.choices,
            "query": query.urlencode(),
            "counts": clue_counts(request.user),
        },
    )


def clue_counts(user) -> dict:
    """Received, open and overdue clues in the user's region (for the list and the office dashboard)."""
    qs = scope.scoped(user, Clue)
    open_statuses = [Clue.Status.NEW, Clue.Status.HANDLING]
    return {
        "received": qs.count(),
        "open": qs.filter(status__in=open_statuses).count(),
        "overdue": qs.filter(status__in=open_statuses, due_on__lt=timezone.localdate()).count(),
    }


@login_required
def clue_export(request):
    _handler_or_403(request)
    out = io.BytesIO()
    write_clues_xlsx(out, filter_clues(request.user, request.GET).order_by("id"))
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="clues-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def clue_detail(request, pk: int):
    return _detail(request, _clue_or_404(request, pk))


def _detail(request, clue: Clue, revealed: str | None = None) -> HttpResponse:
    from jianfu.audit.log import history

    return _no_store(
        render(
            request,
            "clues/detail.html",
            {
                "clue": clue,
                "handlers": actions.handler_choices(clue),
                "messages_": clue.messages.select_related("author"),
                "evidence": clue.evidence.all(),
                "can_see_contact": actions.can_see_contact(request.user, clue),
                "revealed": revealed,
                "duplicates": clue.duplicates.all(),
                "history": history("clues", str(clue.pk)),
                "category_help": dict((v, e) for v, _l, e, _x in category_rows()),
            },
        )
    )


def _act(request, pk: int, do):
    clue = _clue_or_404(request, pk)
    try:
        do(clue)
    except actions.ClueError as exc:
        messages.error(request, str(exc))
    return redirect("clues:detail", pk=clue.pk)


@login_required
@require_POST
def clue_assign(request, pk: int):
    from jianfu.accounts.models import User

    handler = (
        User.objects.filter(pk=request.POST.get("handler") or 0).first()
        if (request.POST.get("handler") or "").isdigit()
        else None
    )
    return _act(request, pk, lambda c: actions.do_assign(c, handler, acting_user=request.user))


@login_required
@require_POST
def clue_link(request, pk: int):
    codes = request.POST.get("codes", "").replace("，", ",").split(",")
    found = request.POST.get("findings", "").replace("，", ",").split(",")
    return _act(request, pk, lambda c: actions.do_link(c, codes, found, acting_user=request.user))


@login_required
@require_POST
def clue_merge(request, pk: int):
    def merge(clue):
        into = request.POST.get("into", "").strip().lstrip("#")
        target = scoped_clues(request.user).filter(pk=int(into)).first() if into.isdigit() else None
        if target is None:
            raise actions.ClueError(_("找不到要合并到的线索"), "into")
        actions.do_merge(clue, target, acting_user=request.user)

    return _act(request, pk, merge)


@login_required
@require_POST
def clue_reply(request, pk: int):
    return _act(request, pk, lambda c: actions.do_reply(c, request.POST.get("text", ""), acting_user=request.user))


@login_required
@require_POST
def clue_close(request, pk: int):
    return _act(request, pk, lambda c: actions.do_close(c, request.POST.get("outcome", ""), acting_user=request.user))


@login_required
@require_POST
def clue_reveal_contact(request, pk: int):
    # Shown in this answer only (not stored in the session, not in a URL, never cached).
    clue = _clue_or_404(request, pk)
    try:
        phone = actions.do_reveal_contact(clue, acting_user=request.user)
    except actions.ClueError as exc:
        messages.error(request, str(exc))
        return redirect("clues:detail", pk=clue.pk)
    return _detail(request, clue, revealed=phone)


@login_required
def clue_evidence(request, pk: int, evidence_id: int):
    clue = _clue_or_404(request, pk)
    item = clue.evidence.filter(pk=evidence_id).first()
    if item is None:
        raise Http404
    try:
        handle = storage.path_of(item.stored_name).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type, suffix = evidence.KINDS[item.kind]
    return FileResponse(
        handle, content_type=content_type, as_attachment=True, filename=f"clue-{clue.pk}-{item.pk}{suffix}"
    )
