"""Filing pages: my proposals, to review, decided, expiring soon, the catalogue, off-catalog items, a proposal
with its pre-check and review, a filing with its renewal, and the region's rules. Objects are reached only
through jianfu.filings.access (region scope); anything outside answers 404."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from jianfu.accounts import scope
from jianfu.audit.log import history
from jianfu.filings import access, actions, lifecycle
from jianfu.filings import policy as policies
from jianfu.filings.export import write_filings_xlsx
from jianfu.filings.forms import PolicyForm, ProposalForm, RenewalForm
from jianfu.filings.models import Filing, Kind, Proposal, ProposalEvent, RegionPolicy, RenewalRequest, TransitionError
from jianfu.filings.precheck import CRITERIA, RULE_LABELS, Prechecker, read_only
from jianfu.inbox.api import unread_count
from jianfu.registry.models import App, Unit

_ = gettext_lazy  # module-level labels are lazy; inside views `_` below is the plain gettext again
TABS = [
    ("mine", _("我的申报")),
    ("review", _("待我审核")),
    ("decided", _("已处理")),
    ("expiring", _("即将到期")),
    ("catalog", _("备案目录")),
    ("offcatalog", _("目录外对象")),
]
ANSWER_LABELS = {"yes": _("符合"), "no": _("不符合"), "open": _("待核"), "na": _("不适用")}
SEVERITY_LABELS = {"refuse": _("不予受理"), "flag": _("提示审核"), "exempted": _("已申请豁免")}
EVIDENCE_LABELS = {
    "code": _("编号"),
    "name": _("名称"),
    "score": _("相似度"),
    "proposal_covered": _("拟入群成员已在该群的比例"),
    "function_coverage": _("功能覆盖率"),
    "purpose_similarity": _("用途相似度"),
    "plan_ref": _("规划依据"),
    "plan_item": _("对应的规划项目"),
    "closest_plan_item": _("最接近的规划项目"),
    "similarity": _("相似度"),
    "listed": _("申报的对接系统"),
    "found": _("台账中找到"),
    "missing": _("台账中没有"),
    "shared_data": _("拟共享的数据"),
    "why_not_existing": _("无法利用现有系统的原因"),
    "own_accounts": _("本单位已有账号"),
    "fields_already_collected": _("已由现有报表采集的指标比例"),
    "name_ratio": _("名称相似度"),
    "members": _("该群人数"),
}
CRITERION_TITLES = {
    1: _("符合数字化建设规划"),
    2: _("不与现有应用功能重复"),
    3: _("不能作为现有系统的模块建设"),
    4: _("能与相关系统互联互通"),
    5: _("符合数据共享要求"),
}
_ = gettext
KIND_NAMES = dict(Kind.choices)
REGISTRY_PATHS = {"apps": "apps", "platforms": "apps", "accounts": "accounts", "groups": "groups", "forms": "forms"}


def _today() -> dt.date:
    return timezone.localdate()


def _tabs_for(user) -> list[tuple[str, str]]:
    """The tabs a user can use: 我的申报 for proposers, 待我审核 and 已处理 for reviewers, the lists for all."""
    proposer, reviewer = access.can_propose(user), access.is_reviewer(user)
    hidden = set() if proposer else {"mine"}
    if not reviewer:
        hidden |= {"review", "decided"}
    return [(key, label) for key, label in TABS if key not in hidden]


def _base_context(request, tab: str) -> dict:
    proposer, reviewer = access.can_propose(request.user), access.is_reviewer(request.user)
    return {
        "tabs": _tabs_for(request.user),
        "tab": tab,
        "can_propose": proposer,
        "is_reviewer": reviewer,
        # The region rules concern those who propose or review; cadres and discipline officers do neither.
        "show_policy": proposer or reviewer,
        "unread": unread_count(request.user),
        "kinds": Kind.choices,
        "review_count": access.to_review(request.user).count() if reviewer else 0,
    }


def _page(request, qs, size: int = 50):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def index(request):
    tab = request.GET.get("tab") or ""
    if tab not in dict(_tabs_for(request.user)):
        if access.is_reviewer(request.user) and access.to_review(request.user).exists():
            tab = "review"
        else:
            tab = "mine" if access.can_propose(request.user) else "catalog"
    context = _base_context(request, tab)
    user = request.user
    if tab == "mine":
        qs = access.scoped_proposals(user).filter(Q(created_by=user) | Q(owner_id=user.unit_id))
        context["page"] = _page(request, qs)
    elif tab == "review":
        context["page"] = _page(request, access.to_review(user).order_by("submitted_at", "id"))
    elif tab == "decided":
        mine = ProposalEvent.objects.filter(
            actor=user,
            action__in=[ProposalEvent.Action.APPROVED, ProposalEvent.Action.RETURNED, ProposalEvent.Action.REJECTED],
        )
        qs = access.scoped_proposals(user).filter(id__in=mine.values("proposal_id"))
        context["page"] = _page(request, qs)
    elif tab == "expiring":
        default = policies.policy_for(user.unit).remind_days if user.unit_id else policies.DEFAULT_REMIND_DAYS
        try:
            days = max(1, min(int(request.GET.get("days", default)), 3650))
        except ValueError:
            days = default
        qs = access.scoped_filings(user).filter(
            status=Filing.Status.ACTIVE, expires_on__lte=_today() + dt.timedelta(days=days)
        )
        context.update(
            page=_page(request, qs.order_by("expires_on", "number")), days=days, today=_today(), extra=f"days={days}"
        )
    elif tab == "catalog":
        qs = _catalog(request)
        context["catalog_filtered"] = any(request.GET.get(k) for k in ("kind", "status", "q"))
        context.update(
            page=_page(request, qs),
            today=_today(),
            status_choices=Filing.Status.choices,
            filters={k: request.GET.get(k, "") for k in ("kind", "status", "q")},
            export_query=request.GET.urlencode(),
            extra=urlencode({k: v for k, v in request.GET.items() if k in ("kind", "status", "q") and v}),
        )
    else:
        context.update(_offcatalog(request))
    return render(request, "filings/index.html", context)


def _catalog(request):
    qs = access.scoped_filings(request.user)
    if request.GET.get("kind") in Kind.values:
        qs = qs.filter(kind=request.GET["kind"])
    if request.GET.get("status") in Filing.Status.values:
        qs = qs.filter(status=request.GET["status"])
    if request.GET.get("q"):
        q = request.GET["q"].strip()
        qs = qs.filter(Q(name__icontains=q) | Q(number__icontains=q) | Q(item_code__icontains=q))
    return qs.order_by("expires_on", "number")


def _offcatalog(request) -> dict:
    kind = request.GET.get("kind") if request.GET.get("kind") in lifecycle.OFF_CATALOG_KINDS else "apps"
    counts = []
    for k, (model, _unit, _title) in lifecycle.OFF_CATALOG_KINDS.items():
        counts.append(
            (
                k,
                KIND_NAMES[k] if k != "apps" else _("应用和平台"),
                lifecycle.off_catalog(k, scope.scoped(request.user, model)).count(),
            )
        )
    model, unit_field, title = lifecycle.OFF_CATALOG_KINDS[kind]
    qs = lifecycle.off_catalog(kind, scope.scoped(request.user, model)).select_related(unit_field).order_by("code")
    page = _page(request, qs)
    rows = [
        {"code": o.code, "name": getattr(o, title), "owner": getattr(o, unit_field).name, "created": o.created_at}
        for o in page
    ]
    since = policies.policy_for(request.user.unit).filing_since if request.user.unit_id else None
    return {
        "page": page,
        "rows": rows,
        "off_kind": kind,
        "extra": f"kind={kind}",
        "off_counts": counts,
        "since": since,
        "registry_path": REGISTRY_PATHS[kind],
    }


# --- proposals ------------------------------------------------------------------------------------------


@login_required
def new_proposal(request, kind: str):
    if kind not in Kind.values:
        raise Http404
    if not access.can_propose(request.user):
        raise PermissionDenied
    form = ProposalForm(request.POST or None, request.FILES or None, kind=kind, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = actions.do_create_proposal(
                kind=kind, owner=form.cleaned_owner, values=form.values(), acting_user=request.user
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            for problem in form.member_problems:
                messages.warning(request, problem)
            if "submit" in request.POST:
                return _submit_and_redirect(request, proposal)
            messages.success(request, _("已保存草稿"))
            return redirect("filings:proposal", code=proposal.code)
    return render(
        request,
        "filings/edit.html",
        {
            **_base_context(request, "mine"),
            "form": form,
            "kind": kind,
            "kind_label": KIND_NAMES[kind],
            "proposal": None,
            **_form_lists(),
        },
    )


def _form_lists() -> dict:
    from jianfu.registry.kinds import ACCOUNT_PLATFORMS, GROUP_PLATFORMS

    return {"group_platforms": GROUP_PLATFORMS, "account_platforms": ACCOUNT_PLATFORMS}


@login_required
def edit_proposal(request, code: str):
    proposal = access.get_proposal_or_404(request.user, code)
    if not access.is_proposer_side(request.user, proposal):
        raise PermissionDenied
    if proposal.status not in Proposal.TRANSITIONS["edit"]:
        messages.error(request, _("当前状态不能修改"))
        return redirect("filings:proposal", code=code)
    form = ProposalForm(
        request.POST or None, request.FILES or None, kind=proposal.kind, user=request.user, owner=proposal.owner
    )
    if request.method != "POST":
        form.set_initial_from(proposal)
    elif form.is_valid():
        try:
            actions.do_update_proposal(proposal, form.values(), acting_user=request.user)
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            for problem in form.member_problems:
                messages.warning(request, problem)
            if "submit" in request.POST:
                return _submit_and_redirect(request, proposal)
            messages.success(request, _("已保存"))
            return redirect("filings:proposal", code=code)
    return render(
        request,
        "filings/edit.html",
        {
            **_base_context(request, "mine"),
            "form": form,
            "kind": proposal.kind,
            "kind_label": KIND_NAMES[proposal.kind],
            "proposal": proposal,
            **_form_lists(),
        },
    )


def _submit_and_redirect(request, proposal: Proposal):
    try:
        actions.do_submit_proposal(proposal, acting_user=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已提交，预审结果已附在申报中，等待%(region)s审核") % {"region": proposal.steps[0]["region_name"]},
        )
    return redirect("filings:proposal", code=proposal.code)


def preset_answer(automatic: str, previous: str) -> str:
    """What the reviewer's form starts with for one criterion: never 符合 against the evidence.

    An automatic 不符合 stays 不符合 (overriding it takes a written opinion); an open one (待核) starts
    blank, whatever an earlier level chose, so this level judges it; otherwise the earlier level's answer,
    else the automatic one."""
    if automatic == "no":
        return "no"
    if automatic == "open":
        return ""
    return previous or automatic


@login_required
def draft_precheck(request, kind: str):
    """「预审」: the pre-check of a draft, shown in place (htmx) and not stored: it writes nothing.

    POST: the proposal form as filled in (new, or ``?proposal=CODE`` when editing). GET ``?proposal=CODE``:
    the saved draft. Only those who may propose (and, for a saved draft, its proposer side) may run it."""
    if kind not in Kind.values:
        raise Http404
    if not access.can_propose(request.user):
        raise PermissionDenied
    proposal = None
    if request.GET.get("proposal"):
        proposal = access.get_proposal_or_404(request.user, request.GET["proposal"])
        if proposal.kind != kind or not access.is_proposer_side(request.user, proposal):
            raise PermissionDenied
    if request.method == "POST":
        form = ProposalForm(
            request.POST, request.FILES, kind=kind, user=request.user, owner=proposal.owner if proposal else None
        )
        if not form.is_valid():
            return render(request, "filings/_draft_precheck.html", {"form": form, "errors": _form_errors(form)})
        draft = Proposal(kind=kind, owner=form.cleaned_owner, code=proposal.code if proposal else "", **form.values())
    elif proposal is not None:
        draft = proposal
    else:
        raise Http404
    with read_only():
        result = Prechecker().check(actions.proposal_item(draft))
    return render(request, "filings/_draft_precheck.html", _precheck_context(result, kind))


def _form_errors(form) -> list[str]:
    """Each error of an invalid form, prefixed with its field's label."""
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        out.extend(f"{label}：{error}" if label else str(error) for error in errors)
    return out


def _criteria_rows(precheck: dict, previous: dict[str, str]) -> list[dict]:
    rows = []
    for c in precheck.get("criteria", []):
        key = str(c["id"])
        evidence = [
            (EVIDENCE_LABELS.get(k, k), "、".join(map(str, v)) if isinstance(v, list) else v)
            for k, v in c.get("evidence", {}).items()
        ]
        rows.append(
            {
                **c,
                "key": key,
                "answer_label": ANSWER_LABELS.get(c["answer"], c["answer"]),
                "evidence": evidence,
                "title": CRITERION_TITLES.get(c["id"], c["title"]),
                "previous": previous.get(key, ""),
                "preset": preset_answer(c["answer"], previous.get(key, "")),
            }
        )
    return rows


def _similar_rows(precheck: dict, kind: str) -> list[dict]:
    rows = []
    for s in precheck.get("similar", []):
        path = REGISTRY_PATHS.get(s.get("kind") or kind)
        rows.append({**s, "url": f"/{path}/{s['code']}/", "kind_label": KIND_NAMES.get(s.get("kind"), "")})
    return rows


def _violation_rows(precheck: dict) -> list[dict]:
    return [
        {
            **v,
            "label": RULE_LABELS.get(v["rule"], v["rule"]),
            "severity_label": SEVERITY_LABELS.get(v["severity"], v["severity"]),
        }
        for v in precheck.get("violations", [])
    ]


def _precheck_context(precheck: dict, kind: str, previous: dict[str, str] | None = None) -> dict:
    """What filings/_precheck.html shows of one pre-check result."""
    return {
        "precheck": precheck,
        "kind": kind,
        "similar": _similar_rows(precheck, kind),
        "violations": _violation_rows(precheck),
        "criteria": _criteria_rows(precheck, previous or {}),
        "answer_labels": ANSWER_LABELS,
    }


@login_required
def proposal_detail(request, code: str):
    proposal = access.get_proposal_or_404(request.user, code)
    user = request.user
    proposer = access.is_proposer_side(user, proposal)
    reviewer = access.can_review_step(user, proposal)
    members = []
    if proposal.kind == "groups":
        codes = proposal.details.get("members") or []
        visible = dict(access.pickable_people(user).filter(code__in=codes).values_list("code", "name"))
        members = [(c, visible.get(c, "")) for c in codes]
    filing = Filing.objects.filter(proposal=proposal).first()
    return render(
        request,
        "filings/proposal.html",
        {
            **_base_context(request, "mine"),
            "p": proposal,
            "kind_label": KIND_NAMES[proposal.kind],
            **_precheck_context(proposal.precheck, proposal.kind, actions.previous_answers(proposal)),
            "events": proposal.events.select_related(None).order_by("id"),
            "members": members,
            "filing": filing,
            "category_label": dict(App.Category.choices).get(proposal.details.get("category"), ""),
            "is_proposer": proposer,
            "can_review": reviewer,
            "can_edit": proposer and proposal.status in Proposal.TRANSITIONS["edit"],
            "can_submit": proposer and proposal.status in Proposal.TRANSITIONS["submit"],
            "can_withdraw": proposer and proposal.status in Proposal.TRANSITIONS["withdraw"],
            "can_comment": proposal.status in Proposal.TRANSITIONS["comment"] and (proposer or reviewer),
            "history": history("proposals", proposal.code),
            "region_of_step": {i: s for i, s in enumerate(proposal.steps)},
        },
    )


@login_required
@require_POST
def proposal_act(request, code: str, action: str):
    proposal = access.get_proposal_or_404(request.user, code)
    post = request.POST
    user = request.user
    try:
        step = int(post.get("step", proposal.current_step))
    except ValueError:
        step = -1
    try:
        if action == "submit":
            actions.do_submit_proposal(proposal, acting_user=user)
            messages.success(request, _("已提交，等待%(region)s审核") % {"region": proposal.steps[0]["region_name"]})
        elif action == "withdraw":
            actions.do_withdraw_proposal(proposal, acting_user=user, reason=post.get("reason", ""))
            messages.success(request, _("已撤回"))
        elif action == "comment":
            actions.do_comment_proposal(proposal, post.get("text", ""), acting_user=user)
            messages.success(request, _("已发表意见"))
        elif action == "return":
            actions.do_return_proposal(proposal, step=step, reason=post.get("reason", ""), acting_user=user)
            messages.success(request, _("已退回修改"))
        elif action == "reject":
            actions.do_reject_proposal(proposal, step=step, reason=post.get("reason", ""), acting_user=user)
            messages.success(request, _("已作出不予通过决定"))
        elif action == "approve":
            criteria = {str(n): post.get(f"criterion_{n}", "") for n, _title in CRITERIA}
            actions.do_approve_proposal(
                proposal, step=step, criteria=criteria, text=post.get("text", ""), acting_user=user
            )
            if proposal.status == Proposal.Status.APPROVED:
                filing = Filing.objects.get(proposal=proposal)
                messages.success(request, _("审核通过，已备案：备案号 %(number)s") % {"number": filing.number})
            else:
                messages.success(
                    request,
                    _("本级审核通过，已转%(region)s审核")
                    % {"region": proposal.steps[proposal.current_step]["region_name"]},
                )
        else:
            raise Http404
    except PermissionDenied:
        raise
    except TransitionError as exc:
        messages.error(request, str(exc))
    return redirect("filings:proposal", code=proposal.code)


@login_required
def people_search(request):
    """People picker for member lists: the proposer's home region, by name or code (see access.pickable_people)."""
    q = (request.GET.get("q") or "").strip()
    people = []
    if len(q) >= 1:
        people = list(
            access.pickable_people(request.user)
            .filter(Q(name__icontains=q) | Q(code__istartswith=q))
            .select_related("unit")
            .order_by("code")[:20]
        )
    return render(request, "filings/_people.html", {"people": people, "q": q})


# --- filings -------------------------------------------------------------------------------------------------


@login_required
def filing_detail(request, number: str):
    filing = access.get_filing_or_404(request.user, number)
    pending = filing.renewals.filter(status=RenewalRequest.Status.PENDING).first()
    return render(
        request,
        "filings/filing.html",
        {
            **_base_context(request, "catalog"),
            "f": filing,
            "today": _today(),
            "pending": pending,
            "renewals": filing.renewals.all(),
            "kind_label": KIND_NAMES[filing.kind],
            "registry_url": f"/{filing.registry_kind}/{filing.item_code}/",
            "can_request": access.can_request_renewal(request.user, filing) and pending is None,
            "can_decide": pending is not None and access.can_decide_renewal(request.user, filing),
            "form": RenewalForm(initial={"until": _suggest_until(filing)}),
            "history": history("filings", filing.number),
        },
    )


def _suggest_until(filing: Filing) -> dt.date:
    base = max(filing.expires_on, _today())
    return base + dt.timedelta(days=365 if filing.basis == Filing.Basis.REVIEW else 90)


@login_required
@require_POST
def filing_renew(request, number: str):
    filing = access.get_filing_or_404(request.user, number)
    form = RenewalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写续期日期和理由"))
        return redirect("filings:filing", number=number)
    try:
        actions.do_request_renewal(
            filing, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"], acting_user=request.user
        )
        messages.success(request, _("已提交续期申请"))
    except TransitionError as exc:
        messages.error(request, str(exc))
    return redirect("filings:filing", number=number)


@login_required
@require_POST
def renewal_decide(request, number: str):
    filing = access.get_filing_or_404(request.user, number)
    pending = filing.renewals.filter(status=RenewalRequest.Status.PENDING).first()
    if pending is None:
        messages.error(request, _("没有待审核的续期申请"))
        return redirect("filings:filing", number=number)
    try:
        actions.do_decide_renewal(
            pending,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
            acting_user=request.user,
        )
        messages.success(request, _("已处理续期申请"))
    except TransitionError as exc:
        messages.error(request, str(exc))
    return redirect("filings:filing", number=number)


@login_required
def export(request):
    rows = _catalog(request).select_related("owner", "proposal")
    buffer = io.BytesIO()
    write_filings_xlsx(buffer, rows.iterator(chunk_size=2000), _today())
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=filings-{_today():%Y%m%d}.xlsx"
    return response


# --- region rules -----------------------------------------------------------------------------------------


def _visible_region(user, code: str) -> Unit | None:
    """A region in the user's scope, or one of the regions above the user's unit (whose rules apply to it)."""
    region = Unit.objects.filter(code=code, is_region=True).first()
    if region is None:
        return None
    if scope.scoped(user, Unit).filter(pk=region.pk).exists():
        return region
    if user.unit_id and f"/{region.code}/" in user.unit.path:
        return region
    return None


@login_required
def region_policy(request):
    user = request.user
    own_region = policies.region_of(user.unit) if user.unit_id else None
    code = request.GET.get("region") or (own_region.code if own_region else "")
    region = _visible_region(user, code) if code else None
    if region is None:
        if code:
            raise Http404
        return render(request, "filings/policy.html", {**_base_context(request, "policy"), "region": None})
    can_set = actions.can_set_policy(user, region)
    own = RegionPolicy.objects.filter(region=region).first()
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                diff = actions.do_set_region_policy(region, form.values(), acting_user=user)
                messages.success(request, _("已保存 %(n)s 项配置") % {"n": len(diff)})
                return redirect(f"{request.path}?region={region.code}")
            except TransitionError as exc:
                form.add_error(None, str(exc))
    else:
        initial = {}
        if own is not None:
            initial = {
                "remind_days": own.remind_days,
                "filing_since": own.filing_since,
                "plan_items": "\n".join(own.plan_items),
            }
            for kind, levels in own.routes.items():
                initial[f"route_{kind}"] = levels
            for kind, days in own.valid_days.items():
                initial[f"days_{kind}"] = days
        form = PolicyForm(initial=initial)
    effective = policies.policy_for(region)
    routes = [
        (
            label,
            [policies.LEVEL_LABELS[lv] for lv in effective.routes[k]],
            effective.valid_days[k],
            effective.sources.get(f"routes.{k}", ""),
        )
        for k, label in Kind.choices
    ]
    return render(
        request,
        "filings/policy.html",
        {
            **_base_context(request, "policy"),
            "region": region,
            "form": form,
            "can_set": can_set,
            "effective": effective,
            "routes": routes,
        },
    )
