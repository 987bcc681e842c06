"""Cases and notices: POST/GET /api/v1/cases/, GET /api/v1/cases/<number>/, POST …/respond/ and …/verify/,
POST /api/v1/notices/, GET /api/v1/notices/<id>.docx and .pdf (spec/formats.md, "HTTP API")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field, ValidationError

from jianfu.accounts import scope
from jianfu.api import pages
from jianfu.api.errors import ApiError
from jianfu.api.schemas import ERRORS, Schema, Strict, page_of
from jianfu.audit.log import via_api_token
from jianfu.cases import actions, notices
from jianfu.cases.models import Case, IllegalTransition, Notice, TransitionError
from jianfu.evidence import EvidenceError, clean_files
from jianfu.clues.models import Clue
from jianfu.findings.models import Finding
from jianfu.registry.kinds import Sort
from jianfu.registry.models import Unit

router = Router(tags=["cases"])
BY_NUMBER = Sort("number", "number")


class CaseIn(Strict):
    finding: str | None = Field(None, max_length=64, description="a finding id (as in analyze --json)")
    clue: int | None = Field(None, description="a clue id (GET /api/v1/clues/)")
    unit: str = Field(..., max_length=40, description="the responsible unit's code")
    deadline: dt.date
    demand: str = Field(..., max_length=5000)


class CaseCreated(Schema):
    number: str
    status: str


class EventOut(Schema):
    at: dt.datetime
    action: str
    by: str
    text: str
    evidence: list[dict[str, Any]] = []


class CaseOut(Schema):
    number: str
    status: Literal["open", "responded", "closed", "reopened"]
    overdue: bool
    escalated: bool
    escalation_level: int
    finding: str | None
    clue: int | None = None
    unit: str
    supervisor: str
    demand: str
    deadline: dt.date
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    response_text: str
    verification_text: str
    reopen_count: int
    outcomes: list[dict[str, Any]]
    history: list[EventOut]


class CaseParams(Schema):
    status: Literal["", "open", "responded", "closed", "reopened"] = ""
    overdue: bool | None = None
    limit: int = Field(pages.DEFAULT_LIMIT, ge=1, le=pages.MAX_LIMIT)
    cursor: str | None = Field(None, max_length=pages.MAX_CURSOR_CHARS)


class VerifyIn(Strict):
    accepted: bool
    text: str = Field("", max_length=5000)
    deadline: dt.date | None = Field(None, description="a new deadline when refused (optional)")


class RespondIn(Strict):
    text: str = Field(..., max_length=5000)


class NoticeIn(Strict):
    title: str = Field(..., min_length=1, max_length=200)
    cases: list[str] = Field(..., min_length=1, max_length=100)


class NoticeCreated(Schema):
    id: str


CasePage = page_of(CaseOut, "CasePage")


def case_json(case: Case, *, history: bool = True) -> dict:
    events = []
    if history:
        for event in case.events.all().prefetch_related("evidence"):
            events.append(
                {
                    "at": event.at,
                    "action": event.action,
                    "by": event.actor_name,
                    "text": event.text,
                    "evidence": [
                        {"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
                        for f in event.evidence.all()
                    ],
                }
            )
    return {
        "number": case.number,
        "status": case.status,
        "overdue": case.overdue,
        "escalated": case.escalated,
        "escalation_level": case.escalation_level,
        "finding": case.finding.fid if case.finding_id else None,
        "clue": case.clue_id,
        "unit": case.unit.code,
        "supervisor": case.supervisor.code,
        "demand": case.demand,
        "deadline": case.deadline,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "response_text": case.response_text,
        "verification_text": case.verification_text,
        "reopen_count": case.reopen_count,
        "outcomes": [
            {"kind": o.kind, "reason": o.reason, "by": o.decided_by_name, "at": o.decided_at.isoformat()}
            for o in case.outcomes.all()
        ],
        "history": events,
    }


def _refusal(exc: TransitionError) -> ApiError:
    if isinstance(exc, actions.Forbidden):
        return ApiError("forbidden", str(exc))
    if isinstance(exc, (actions.Conflict, IllegalTransition)):
        return ApiError("conflict", str(exc))
    return ApiError("invalid", str(exc))


def _require_role(user) -> None:
    if not actions.sees_cases(user):
        raise ApiError("forbidden")


def _case_or_404(user, number: str) -> Case:
    _require_role(user)
    try:
        return actions.scoped_cases(user).get(number=number)
    except Case.DoesNotExist:
        raise Http404 from None


@router.post("/cases/", response={201: CaseCreated, **ERRORS}, operation_id="open_case")
def open_case(request, payload: CaseIn):
    """Open a case on a finding (office, discipline): the responsible unit's department officers are told."""
    if not actions.is_supervisor(request.user):
        raise ApiError("forbidden")
    if (payload.finding is None) == (payload.clue is None):
        raise ApiError("invalid", fields={"finding": [_("请指定 finding 或 clue 之一")]})
    if payload.clue is not None:
        source = scope.scoped(request.user, Clue).filter(pk=payload.clue).first()
    else:
        source = scope.scoped(request.user, Finding).filter(fid=payload.finding).first()
    if source is None:
        raise Http404
    unit = scope.scoped(request.user, Unit).filter(code=payload.unit).first()
    if unit is None:
        raise ApiError("invalid", fields={"unit": [_("责任单位不存在或不在您的管辖区域内")]})
    try:
        with via_api_token(request.auth.id):
            case = actions.do_open_case(source, unit, payload.demand, payload.deadline, acting_user=request.user)
    except TransitionError as exc:
        error = _refusal(exc)
        if error.code == "invalid":
            field = "deadline" if "期限" in str(exc) else "demand" if "要求" in str(exc) else "body"
            raise ApiError("invalid", str(exc), fields={field: [str(exc)]}) from None
        raise error from None
    return Status(201, {"number": case.number, "status": case.status})


@router.get("/cases/", response={200: CasePage, **ERRORS}, operation_id="list_cases")
def list_cases(request, params: Query[CaseParams]):
    """The cases the token may see: office and discipline their region's, a department its own unit's."""
    _require_role(request.user)
    qs = actions.scoped_cases(request.user).prefetch_related("outcomes")
    if params.status:
        qs = qs.filter(status=params.status)
    if params.overdue is not None:
        qs = qs.filter(overdue=params.overdue)
    rows, next_url = pages.page(request, qs, BY_NUMBER, namespace="cases", cursor=params.cursor, limit=params.limit)
    return {"results": [case_json(row, history=False) for row in rows], "next": next_url}


@router.get("/cases/{number}/", response={200: CaseOut, **ERRORS}, operation_id="get_case")
def get_case(request, number: str):
    """One case with its history."""
    return case_json(_case_or_404(request.user, number))


_RESPOND_BODY = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {"type": "string"},
                        "evidence": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "JPEG, PNG or PDF, at most 10 MB each, at most 5; re-encoded without metadata",
                        },
                    },
                }
            },
        }
    }
}


@router.post(
    "/cases/{number}/respond/",
    response={200: CaseOut, **ERRORS},
    operation_id="respond_case",
    openapi_extra=_RESPOND_BODY,
)
def respond_case(request, number: str):
    """What the responsible unit did: JSON {"text"} or multipart text plus `evidence` files."""
    case = _case_or_404(request.user, number)
    if request.content_type == "multipart/form-data":
        text, uploads = request.POST.get("text", ""), request.FILES.getlist("evidence")
    else:
        try:
            text, uploads = RespondIn.model_validate(json.loads(request.body or b"{}")).text, []
        except json.JSONDecodeError:
            raise ApiError("malformed_json") from None
        except ValidationError as exc:
            from jianfu.api.errors import validation_fields

            raise ApiError("invalid", fields=validation_fields(exc.errors())) from None
    if not actions.is_responder(request.user, case):
        raise ApiError("forbidden", _("只有责任单位的部门人员可以反馈整改情况"))
    try:
        files = clean_files(uploads)
    except EvidenceError as exc:
        raise ApiError("too_large" if exc.too_large else "invalid", fields={"evidence": [str(exc)]}) from None
    try:
        with via_api_token(request.auth.id):
            case = actions.do_respond_case(case, text, files, acting_user=request.user)
    except TransitionError as exc:
        raise _refusal(exc) from None
    return case_json(case)


@router.post("/cases/{number}/verify/", response={200: CaseOut, **ERRORS}, operation_id="verify_case")
def verify_case(request, number: str, payload: VerifyIn):
    """Accepted closes the case (and the finding is done); refused reopens it (a reason is required)."""
    case = _case_or_404(request.user, number)
    try:
        with via_api_token(request.auth.id):
            case = actions.do_verify_case(
                case, payload.accepted, payload.text, acting_user=request.user, new_deadline=payload.deadline
            )
    except TransitionError as exc:
        raise _refusal(exc) from None
    return case_json(case)


@router.post("/notices/", response={201: NoticeCreated, **ERRORS}, operation_id="draft_notice", tags=["notices"])
def draft_notice(request, payload: NoticeIn):
    """Draft a notice (通报) of the chosen cases, with the region's template."""
    if not actions.is_supervisor(request.user):
        raise ApiError("forbidden")
    numbers = list(dict.fromkeys(payload.cases))
    cases = list(actions.scoped_cases(request.user).filter(number__in=numbers))
    if len(cases) != len(numbers):
        raise Http404
    try:
        with via_api_token(request.auth.id):
            notice = actions.do_draft_notice(cases, payload.title, acting_user=request.user)
    except TransitionError as exc:
        raise _refusal(exc) from None
    return Status(201, {"id": notice.code})


def _notice_file(request, code: str, kind: str) -> HttpResponse:
    if not actions.is_supervisor(request.user):
        raise ApiError("forbidden")
    notice = scope.scoped(request.user, Notice).filter(code=code).first()
    if notice is None:
        raise Http404
    response = HttpResponse(
        notices.render(notice, kind),
        content_type={
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf": "application/pdf",
        }[kind],
    )
    response["Content-Disposition"] = f"attachment; filename={notices.file_name(notice, kind)}"
    return response


@router.get("/notices/{code}.docx", response={200: None, **ERRORS}, operation_id="notice_docx", tags=["notices"])
def notice_docx(request, code: str):
    """The notice as a Word document."""
    return _notice_file(request, code, "docx")


@router.get("/notices/{code}.pdf", response={200: None, **ERRORS}, operation_id="notice_pdf", tags=["notices"])
def notice_pdf(request, code: str):
    """The notice as a PDF."""
    return _notice_file(request, code, "pdf")
