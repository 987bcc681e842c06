"""Request and response schemas: the OpenAPI document is generated from these."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

# Plain pydantic models, not ninja.Schema: the answers are dicts already, and ninja's Django-attribute getter
# (a wrap validator on every nested object) cost ~14 ms of a 50-row page.
Schema = BaseModel


class Strict(BaseModel):
    """Input schemas refuse fields they do not know."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {status: ErrorOut for status in (400, 401, 403, 404, 405, 409, 413, 429, 500)}


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """{"results": [item…], "next": URL or null} for one item schema."""
    return create_model(name, __base__=Schema, results=(list[item], ...), next=(str | None, None))


# A carrier's status today, the value ?status= selects by (a cancellation or merger dated later is not yet one).
CarrierStatusField = Literal["active", "cancelled", "merged"]
STATUS_FIELD = Field(
    description="the carrier's status today: active, or cancelled or merged once the change's date has come"
)


class UnitOut(Schema):
    code: str
    name: str
    parent: str | None
    level: str
    unit_type: str
    is_region: bool
    updated_at: dt.datetime


class PersonOut(Schema):
    code: str
    name: str
    unit: str
    post: str
    phone_masked: str = Field(description="only the masked number, e.g. 138****1234")
    updated_at: dt.datetime


class AppOut(Schema):
    code: str
    name: str
    category: str = Field(description="app, mini_program, h5, pc or platform (信息平台)")
    owner: str
    launch_date: dt.date | None
    last_update: dt.date | None
    registered_users: int | None
    monthly_active_users: int | None
    functions: list[str]
    forced_features: list[str]
    description: str
    status: CarrierStatusField = STATUS_FIELD
    updated_at: dt.datetime


class AccountOut(Schema):
    code: str
    name: str
    platform: str
    owner: str
    opened_date: dt.date | None
    last_post: dt.date | None
    followers: int | None
    posts_30d: int | None
    assessments: list[str]
    status: CarrierStatusField = STATUS_FIELD
    updated_at: dt.datetime


class GroupOut(Schema):
    code: str
    name: str
    platform: str
    owner_person: str | None
    owner: str
    created_date: dt.date | None
    nature: str
    task_end_date: dt.date | None
    last_active: dt.date | None
    messages_30d: int | None
    purpose: str
    demands: list[str]
    member_count: int
    status: CarrierStatusField = STATUS_FIELD
    updated_at: dt.datetime


class FormFieldOut(Schema):
    position: int
    name: str
    note: str
    data_type: str
    unit: str


class FormOut(Schema):
    code: str
    title: str
    issuer: str
    respondent_level: str
    frequency: str
    channel: str
    minutes_per_filing: float | None
    status: CarrierStatusField = STATUS_FIELD
    updated_at: dt.datetime


class FormDetailOut(FormOut):
    fields: list[FormFieldOut]


class FindingOut(Schema):
    id: str
    type: str
    rule: str
    action: str
    items: list[str]
    score: float | None
    evidence: dict[str, Any]
    hours_saved_per_month: float
    reason: str
    owner_code: str | None
    status: Literal["open", "accepted", "rejected", "done", "contested"] = Field(
        description="contested: a department asked to reject it; the covering office confirms or overrules"
    )
    decision_reason: str
    decided_at: dt.datetime | None


class DecisionIn(Strict):
    decision: Literal["accept", "reject", "done"]
    reason: str = Field("", max_length=2000)
    # For a merge marked done: the carrier kept (a code the finding names); default the largest.
    keep: str | None = Field(None, max_length=40)


class PrecheckOut(Schema):
    proposals: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    notes: list[str]


class RejectionOut(Schema):
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: Any = None
    expected: str | None


class ImportFileOut(Schema):
    file: str
    kind: str
    status: str
    accepted: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    error_total: int
    errors: list[RejectionOut]


class ImportJobOut(Schema):
    code: str
    status: Literal["queued", "running", "done", "failed"]
    dry_run: bool
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rows_done: int
    file_names: list[str]
    ok: bool | None = Field(None, description="null until done: true when every file was imported")
    files: list[ImportFileOut]
    error: str | None = None
