"""一表通 over HTTP: the data-element catalog, a form's field mappings (confirm or correct them), and issued forms.

GET /api/v1/elements/[?q=], GET /api/v1/elements/<code>/; GET /api/v1/forms/<code>/mappings/,
POST /api/v1/forms/<code>/mappings/<position>/; GET /api/v1/elements/issues/, GET /api/v1/elements/issues/<number>/,
GET /api/v1/elements/issues/<number>/results.xlsx (the paths of the web pages under /elements/).
Objects are reached through accounts.scope; the one write goes through elements.actions.do_confirm_mapping."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import Field

from jianfu.accounts import scope
from jianfu.accounts.models import Role
from jianfu.api import pages
from jianfu.api.errors import ApiError
from jianfu.api.schemas import ERRORS, Schema, Strict, page_of
from jianfu.audit.log import via_api_token
from jianfu.elements import actions
from jianfu.elements.export import results_workbook
from jianfu.elements.mapping import mappings_of, suggest
from jianfu.elements.models import DataElement, FormIssue, IssueCopy
from jianfu.registry.kinds import Sort
from jianfu.registry.models import Form
from jianfu.textnorm import to_simplified

router = Router(tags=["elements"])
# Who reads the catalog, mappings and issued forms: as on the web pages (cadres fill their copies on the web).
READER_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT, Role.DISCIPLINE}
BY_CODE = Sort("code", "code")
BY_NUMBER = Sort("number", "number")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ElementOut(Schema):
    code: str
    name: str
    synonyms: list[str]
    definition: str
    data_type: str = Field(description="text, number, date, choice, or empty")
    unit: str
    source: str = Field(description="the authoritative source (权威来源)")
    region: str | None = Field(description="the owning region's unit code; null: the installation's catalog")
    status: Literal["active", "candidate", "merged"]
    merged_into: str | None
    updated_at: dt.datetime


class ElementParams(Schema):
    q: str = Field("", max_length=100, description="search in code, name and synonyms, Simplified or Traditional")
    status: Literal["", "active", "candidate", "merged"] = Field("", description="default: all but merged")
    limit: int = Field(pages.DEFAULT_LIMIT, ge=1, le=pages.MAX_LIMIT)
    cursor: str | None = Field(None, max_length=pages.MAX_CURSOR_CHARS)


class MappingOut(Schema):
    position: int
    field: str
    unit: str
    element: str | None = Field(description="the element code; null: no element of the catalog")
    element_name: str | None
    score: float = Field(description="the matcher's confidence; 1.0 once confirmed")
    reason: str
    status: Literal["confirmed", "suggested", "unmapped"] = Field(
        description="confirmed by an officer; suggested by the matcher; unmapped: a candidate new element"
    )


class FormMappingsOut(Schema):
    form: str
    title: str
    results: list[MappingOut]


class MappingIn(Strict):
    element: str | None = Field(..., max_length=40, description="an element code, or null for no element")


class ConfirmedOut(MappingOut):
    learned_synonym: str | None = Field(description="the field name, when it became a synonym of the element")


class IssueOut(Schema):
    number: str
    form: str
    title: str
    issuer: str
    period: str
    deadline: dt.date
    issued_at: dt.datetime
    copies: int
    submitted: int
    fields_total: int = Field(description="fields over all copies")
    prefilled: int = Field(description="of them, pre-filled from values held")
    prefilled_share: float


class CopyOut(Schema):
    number: str
    respondent: str
    respondent_name: str
    status: Literal["open", "submitted"]
    fields_total: int
    prefilled: int
    prefilled_share: float
    submitted_at: dt.datetime | None


class IssueDetailOut(IssueOut):
    results: list[CopyOut]


class IssueParams(Schema):
    form: str = Field("", max_length=40, description="only the issues of this form code")
    limit: int = Field(pages.DEFAULT_LIMIT, ge=1, le=pages.MAX_LIMIT)
    cursor: str | None = Field(None, max_length=pages.MAX_CURSOR_CHARS)


ElementPage = page_of(ElementOut, "ElementPage")
IssuePage = page_of(IssueOut, "IssuePage")


def _reader(user) -> None:
    if not (user.role in READER_ROLES or user.is_superuser):
        raise ApiError("forbidden")


def _elements(user):
    return scope.scoped(user, DataElement).select_related("region", "merged_into")


def element_json(element: DataElement) -> dict:
    return {
        "code": element.code,
        "name": element.name,
        "synonyms": list(element.synonyms or []),
        "definition": element.definition,
        "data_type": element.data_type,
        "unit": element.unit,
        "source": element.source,
        "region": element.region.code if element.region_id else None,
        "status": element.status,
        "merged_into": element.merged_into.code if element.merged_into_id else None,
        "updated_at": element.updated_at,
    }


# Issue routes come first: "issues" is no element code.
@router.get("/elements/issues/", response={200: IssuePage, **ERRORS}, operation_id="list_form_issues")
def issue_list(request, params: Query[IssueParams]):
    """Forms issued in the token's region (by number), each with its copies, submissions and pre-filled share."""
    _reader(request.user)
    qs = _issues(request.user)
    if params.form:
        qs = qs.filter(form__code=params.form)
    rows, next_url = pages.page(request, qs, BY_NUMBER, namespace="issues", cursor=params.cursor, limit=params.limit)
    return {"results": [issue_json(row) for row in rows], "next": next_url}


def _issues(user):
    return (
        scope.scoped(user, FormIssue)
        .select_related("form", "issuer")
        .annotate(
            n_copies=Count("copies"),
            n_submitted=Count("copies", filter=Q(copies__status=IssueCopy.Status.SUBMITTED)),
            n_prefilled=Sum("copies__prefilled"),
            n_fields=Sum("copies__fields_total"),
        )
    )


def issue_json(issue: FormIssue) -> dict:
    prefilled, total = issue.n_prefilled or 0, issue.n_fields or 0
    return {
        "number": issue.number,
        "form": issue.form.code,
        "title": issue.form.title,
        "issuer": issue.issuer.code,
        "period": issue.period,
        "deadline": issue.deadline,
        "issued_at": issue.issued_at,
        "copies": issue.n_copies,
        "submitted": issue.n_submitted,
        "fields_total": total,
        "prefilled": prefilled,
        "prefilled_share": round(prefilled / total, 4) if total else 0.0,
    }


def _issue_or_404(user, number: str) -> FormIssue:
    _reader(user)
    issue = _issues(user).filter(number=number).first()
    if issue is None:
        raise Http404
    return issue


@router.get("/elements/issues/{number}/", response={200: IssueDetailOut, **ERRORS}, operation_id="get_form_issue")
def issue_detail(request, number: str):
    """One issued form with each respondent's copy: status and pre-filled share."""
    issue = _issue_or_404(request.user, number)
    copies = issue.copies.select_related("respondent").order_by("respondent__code")
    return {
        **issue_json(issue),
        "results": [
            {
                "number": c.number,
                "respondent": c.respondent.code,
                "respondent_name": c.respondent.name,
                "status": c.status,
                "fields_total": c.fields_total,
                "prefilled": c.prefilled,
                "prefilled_share": round(c.prefilled_share, 4),
                "submitted_at": c.submitted_at,
            }
            for c in copies
        ],
    }


@router.get(
    "/elements/issues/{number}/results.xlsx",
    response={200: None, **ERRORS},
    operation_id="form_issue_results",
    openapi_extra={"responses": {200: {"description": "the workbook", "content": {XLSX: {}}}}},
)
def issue_results(request, number: str):
    """The results as Excel: one row per respondent, the form's fields in its own column order."""
    issue = _issue_or_404(request.user, number)
    return FileResponse(
        results_workbook(issue),
        as_attachment=True,
        filename=f"{issue.form.code}-{issue.period}.xlsx",
        content_type=XLSX,
    )


@router.get("/elements/", response={200: ElementPage, **ERRORS}, operation_id="list_elements")
def element_list(request, params: Query[ElementParams]):
    """The catalog the token sees: its region's elements, those below, and those of every region above."""
    _reader(request.user)
    qs = _elements(request.user)
    q = params.q.strip()
    if q:
        simplified = to_simplified(q)
        qs = qs.filter(
            Q(search_text__icontains=q)
            | Q(search_text__icontains=simplified)
            | Q(code__icontains=q)
            | Q(name__icontains=simplified)
        )
    qs = qs.filter(status=params.status) if params.status else qs.exclude(status=DataElement.Status.MERGED)
    rows, next_url = pages.page(request, qs, BY_CODE, namespace="elements", cursor=params.cursor, limit=params.limit)
    return {"results": [element_json(row) for row in rows], "next": next_url}


@router.get("/elements/{code}/", response={200: ElementOut, **ERRORS}, operation_id="get_element")
def element_detail(request, code: str):
    """One element by its code; 404 outside what the token's region sees."""
    _reader(request.user)
    element = _elements(request.user).filter(code=code).first()
    if element is None:
        raise Http404
    return element_json(element)


# --- a form's mappings -------------------------------------------------------------------------------------


def _form_or_404(user, code: str) -> Form:
    _reader(user)
    form = scope.scoped(user, Form).select_related("issuer").filter(code=code).first()
    if form is None:
        raise Http404
    return form


def _rows(form: Form, fields: list) -> list[dict]:
    stored = mappings_of(fields)
    # Fields imported after the last analysis: the matcher's suggestion, computed now and not stored (a GET
    # writes nothing; issuing the form or the next analysis stores it).
    missing = [f for f in fields if f.id not in stored]
    live = suggest(missing, form.issuer.path) if missing else {}
    names = dict(DataElement.objects.filter(code__in={s[0] for s in live.values() if s[0]}).values_list("code", "name"))
    rows = []
    for f in fields:
        m = stored.get(f.id)
        if m is not None:
            code, name = (m.element.code, m.element.name) if m.element_id else (None, None)
            score, reason = m.confidence, m.reason
            status = "confirmed" if m.confirmed else ("suggested" if code else "unmapped")
        else:
            code, score, reason = live[f.id]
            name = names.get(code) if code else None
            status = "suggested" if code else "unmapped"
        rows.append(
            {
                "position": f.position,
                "field": f.name,
                "unit": f.unit,
                "element": code,
                "element_name": name,
                "score": round(float(score), 4),
                "reason": reason,
                "status": status,
            }
        )
    return rows


@router.get("/forms/{code}/mappings/", response={200: FormMappingsOut, **ERRORS}, operation_id="list_form_mappings")
def form_mappings(request, code: str):
    """Each field of a form with its element, the matcher's score and whether an officer confirmed it."""
    form = _form_or_404(request.user, code)
    fields = list(form.fields.order_by("position"))
    return {"form": form.code, "title": form.title, "results": _rows(form, fields)}


@router.post(
    "/forms/{code}/mappings/{position}/", response={200: ConfirmedOut, **ERRORS}, operation_id="confirm_form_mapping"
)
def confirm_mapping(request, code: str, position: int, payload: MappingIn):
    """Confirm or correct a field's element (null: no element). The field name then becomes a synonym of the
    element unless some element already has it, so the next form worded the same maps exactly."""
    form = _form_or_404(request.user, code)
    field = form.fields.filter(position=position).first()
    if field is None:
        raise Http404
    if not actions.can_map(request.user, form):
        raise ApiError("forbidden")
    element = None
    if payload.element is not None:
        element = scope.scoped(request.user, DataElement).filter(code=payload.element).first()
        if element is None:
            raise ApiError("invalid", fields={"element": [_("数据元不存在或不在您的管辖区域内")]})
        if element.status != DataElement.Status.ACTIVE:
            raise ApiError(
                "conflict",
                _("数据元 %(code)s 的状态为「%(status)s」，只能映射到已收录的数据元")
                % {"code": element.code, "status": DataElement.Status(element.status).label},
            )
    before = set(element.synonyms or []) if element is not None else set()
    try:
        with via_api_token(request.auth.id):
            actions.do_confirm_mapping(field, element, acting_user=request.user)
    except PermissionDenied:
        raise ApiError("forbidden") from None
    except actions.ElementError:
        # The element changed state between the check above and the action (merged, or made a candidate).
        raise ApiError("conflict") from None
    learned = None
    if element is not None:
        element.refresh_from_db(fields=["synonyms"])
        learned = field.name if field.name in set(element.synonyms or []) - before else None
    row = _rows(form, [field])[0]
    return {**row, "learned_synonym": learned}
