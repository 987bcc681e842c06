"""Anonymous clues: POST /api/v1/clues/ and GET /api/v1/clues/track/<receipt>/ take no token; the triage
lists GET /api/v1/clues/ and GET /api/v1/clues/<id>/ are for office and discipline tokens of the region.

Nothing from the request other than its fields reaches the clue: the middleware has already dropped the
address, and a token sent with a post (a 12345 hotline's) only lifts the per-sender limit; it is not stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import Http404
from django.utils import timezone
from ninja import File, Form, Query, Router, Status
from ninja import Path as PathParam
from ninja.files import UploadedFile
from pydantic import Field

from jianfu.evidence import MAX_BYTES, MAX_FILES
from jianfu.api import pages
from jianfu.api.errors import ApiError
from jianfu.api.schemas import ERRORS, Schema, page_of
from jianfu.api.tokens import authenticate
from jianfu.clues import actions
from jianfu.clues import views as clue_views
from jianfu.clues.models import Clue
from jianfu.registry.kinds import Sort

router = Router(tags=["clues"])
BY_ID = Sort("id", "id", desc=True)


Receipt = Annotated[str, Field(max_length=60, description="the receipt as the reporter got it")]


class ClueIn(Schema):
    """The form fields; their meaning is checked by the clue actions, which name each bad field in Chinese."""

    category: str = Field("", max_length=10, description="F1 … F5 or other")
    region: str = Field("", max_length=40, description="the code of the region (township or county) where it happens")
    carrier: str = Field("", max_length=200, description="optional: a registry code or free text")
    description: str = Field("", max_length=5000)
    contact: str = Field("", max_length=30, description="optional: a mobile number for a reply (handler only)")


class ReceiptOut(Schema):
    receipt: str = Field(description="shown once; the only way to follow the clue (kept only as a hash)")
    status: str
    due_on: dt.date


class TrackOut(Schema):
    status: str
    due_on: dt.date
    outcome: str
    messages: list[dict]


class ClueOut(Schema):
    id: int
    category: str
    region: str
    region_name: str
    carrier_code: str
    carrier_text: str
    description: str
    status: str
    received_at: dt.datetime
    due_on: dt.date
    overdue: bool
    handler: str | None
    outcome: str
    closed_at: dt.datetime | None
    merged_into: int | None
    linked_codes: list[str]
    linked_findings: list[str]
    linked_cases: list[str]
    evidence: int
    messages: list[dict] | None = None


CluePage = page_of(ClueOut, "CluePage")


class ClueParams(Schema):
    status: Literal["", "open", "new", "handling", "closed", "merged"] = ""
    category: Literal["", "F1", "F2", "F3", "F4", "F5", "other"] = ""
    overdue: bool = False
    limit: int = Field(pages.DEFAULT_LIMIT, ge=1, le=pages.MAX_LIMIT)
    cursor: str | None = Field(None, max_length=pages.MAX_CURSOR_CHARS)


def clue_json(clue: Clue, *, with_messages: bool = False) -> dict:
    """A clue for an officer: never the reporter's phone, not even masked (it is for the handler's page only)."""
    out = {
        "id": clue.pk,
        "category": clue.category,
        "region": clue.region.code,
        "region_name": clue.region.name,
        "carrier_code": clue.carrier_code,
        "carrier_text": clue.carrier_text,
        "description": clue.description,
        "status": clue.status,
        "received_at": clue.received_at,
        "due_on": clue.due_on,
        "overdue": clue.overdue,
        "handler": clue.handler.username if clue.handler else None,
        "outcome": clue.outcome,
        "closed_at": clue.closed_at,
        "merged_into": clue.merged_into_id,
        "linked_codes": clue.linked_codes,
        "linked_findings": clue.linked_findings,
        "linked_cases": clue.linked_cases,
        "evidence": clue.evidence.count(),
    }
    if with_messages:
        out["messages"] = [{"at": m.at, "from": m.sender, "text": m.text} for m in clue.messages.all()]
    return out


def _token_holder(request):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return authenticate(header[7:].strip())
    return None


@router.post("/clues/", auth=None, response={201: ReceiptOut, **ERRORS}, operation_id="file_clue")
def file_clue(request, fields: Form[ClueIn], evidence: File[list[UploadedFile]] = None):
    """An anonymous clue (multipart: category, region, carrier, description, contact, evidence files).

    No token needed. A token (e.g. a 12345 hotline's) only exempts the sender from the per-sender hourly
    limit; the clue keeps no link to it.
    """
    if _token_holder(request) is None:
        allowed = clue_views.allow_post(request)
    else:
        allowed = clue_views.allow_post_all(request)
    if not allowed:
        raise ApiError("rate_limited", headers={"Retry-After": str(clue_views.retry_after())})
    uploads = []
    # Read from the request itself: the declared field documents it, the checks below are ours.
    for upload in request.FILES.getlist("evidence")[: MAX_FILES + 1]:
        if upload.size > MAX_BYTES:
            raise ApiError("too_large", fields={"evidence": [actions.file_too_large_message(upload.name)]})
        uploads.append(actions.Upload(upload.name, upload.read()))
    try:
        clue, receipt = actions.do_file_clue(
            category=fields.category,
            region_code=fields.region,
            description=fields.description,
            carrier=fields.carrier,
            contact=fields.contact,
            uploads=uploads,
        )
    except actions.ClueError as exc:
        problems = getattr(exc, "problems", {exc.field or "body": str(exc)})
        raise ApiError(
            "too_large" if exc.too_large else "invalid", fields={name: [message] for name, message in problems.items()}
        ) from None
    return Status(201, {"receipt": receipt, "status": clue.status, "due_on": clue.due_on})


@router.get("/clues/track/{receipt}/", auth=None, response={200: TrackOut, **ERRORS}, operation_id="track_clue")
def track_clue(request, receipt: PathParam[Receipt]):
    """The status and the messages between handler and reporter, for whoever holds the receipt."""
    if not clue_views.allow_track(request):
        raise ApiError("rate_limited", headers={"Retry-After": str(clue_views.retry_after())})
    clue = actions.clue_by_receipt(receipt)
    if clue is None:
        raise Http404
    view = clue_views.track_view(clue)
    return {
        "status": view["status"],
        "due_on": view["due_on"],
        "outcome": view["outcome"],
        "messages": view["messages"],
    }


def _may_list(request) -> None:
    if not actions.may_handle(request.user):
        raise ApiError("forbidden")


@router.get("/clues/", response={200: CluePage, **ERRORS}, operation_id="list_clues")
def list_clues(request, params: Query[ClueParams]):
    """Clues about the token's region (office, discipline), newest first; filter by status, category, overdue."""
    _may_list(request)
    qs = clue_views.scoped_clues(request.user)
    if params.status == "open":
        qs = qs.filter(status__in=[Clue.Status.NEW, Clue.Status.HANDLING])
    elif params.status:
        qs = qs.filter(status=params.status)
    if params.category:
        qs = qs.filter(category=params.category)
    if params.overdue:
        qs = qs.filter(status__in=[Clue.Status.NEW, Clue.Status.HANDLING], due_on__lt=timezone.localdate())
    rows, next_url = pages.page(request, qs, BY_ID, namespace="clues", cursor=params.cursor, limit=params.limit)
    return {"results": [clue_json(row) for row in rows], "next": next_url}


@router.get("/clues/{clue_id}/", response={200: ClueOut, **ERRORS}, operation_id="get_clue")
def get_clue(request, clue_id: int):
    """One clue with its messages (office, discipline of its region or above)."""
    _may_list(request)
    try:
        clue = clue_views.scoped_clues(request.user).get(pk=clue_id)
    except Clue.DoesNotExist:
        raise Http404 from None
    return clue_json(clue, with_messages=True)
