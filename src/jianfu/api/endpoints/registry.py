"""GET /api/v1/<kind>/ and /api/v1/<kind>/<code>/ for the six registry kinds, through the region scope."""

from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from jianfu.accounts import scope
from jianfu.api import pages
from jianfu.api.schemas import (
    ERRORS,
    AccountOut,
    AppOut,
    FormDetailOut,
    FormOut,
    GroupOut,
    PersonOut,
    UnitOut,
    page_of,
)
from jianfu.registry import listing
from jianfu.registry.kinds import KINDS

router = Router(tags=["registry"])


class ListParams(Schema):
    q: str = Field("", max_length=100, description="search in name and code, Simplified or Traditional")
    limit: int = Field(pages.DEFAULT_LIMIT, ge=1, le=pages.MAX_LIMIT)
    cursor: str | None = Field(None, max_length=pages.MAX_CURSOR_CHARS)


class CarrierListParams(ListParams):
    status: Literal["active", "cancelled", "merged"] | None = Field(
        None,
        description="the carrier's status today: active (not cancelled or merged by today), cancelled or merged; "
        "every status when absent",
    )


def _code(unit) -> str | None:
    return unit.code if unit is not None else None


def _unit(obj) -> dict:
    return {
        "code": obj.code,
        "name": obj.name,
        "parent": _code(obj.parent),
        "level": obj.level,
        "unit_type": obj.unit_type,
        "is_region": obj.is_region,
        "updated_at": obj.updated_at,
    }


def _person(obj) -> dict:
    return {
        "code": obj.code,
        "name": obj.name,
        "unit": obj.unit.code,
        "post": obj.post,
        "phone_masked": obj.phone_masked,
        "updated_at": obj.updated_at,
    }


def _app(obj) -> dict:
    names = (
        "code",
        "name",
        "category",
        "launch_date",
        "last_update",
        "registered_users",
        "monthly_active_users",
        "functions",
        "forced_features",
        "description",
        "updated_at",
    )
    return {**{name: getattr(obj, name) for name in names}, "owner": obj.owner.code}


def _account(obj) -> dict:
    names = (
        "code",
        "name",
        "platform",
        "opened_date",
        "last_post",
        "followers",
        "posts_30d",
        "assessments",
        "updated_at",
    )
    return {**{name: getattr(obj, name) for name in names}, "owner": obj.owner.code}


def _group(obj) -> dict:
    names = (
        "code",
        "name",
        "platform",
        "created_date",
        "nature",
        "task_end_date",
        "last_active",
        "messages_30d",
        "purpose",
        "demands",
        "member_count",
        "updated_at",
    )
    return {
        **{name: getattr(obj, name) for name in names},
        "owner": obj.owner.code,
        "owner_person": _code(obj.owner_person),
    }


def _form(obj) -> dict:
    names = ("code", "title", "respondent_level", "frequency", "channel", "minutes_per_filing", "updated_at")
    return {**{name: getattr(obj, name) for name in names}, "issuer": obj.issuer.code}


def _form_detail(obj) -> dict:
    fields = obj.fields.order_by("position").values("position", "name", "note", "data_type", "unit")[:1000]
    return {**_form(obj), "fields": list(fields)}


# kind → (list item schema, detail schema, row → dict, object → detail dict, related objects to join)
ENDPOINTS = {
    "units": (UnitOut, UnitOut, _unit, _unit, ("parent",)),
    "people": (PersonOut, PersonOut, _person, _person, ("unit",)),
    "apps": (AppOut, AppOut, _app, _app, ("owner",)),
    "accounts": (AccountOut, AccountOut, _account, _account, ("owner",)),
    "groups": (GroupOut, GroupOut, _group, _group, ("owner", "owner_person")),
    "forms": (FormOut, FormDetailOut, _form, _form_detail, ("issuer",)),
}


def _register(kind: str) -> None:
    item_schema, detail_schema, as_item, as_detail, related = ENDPOINTS[kind]
    spec = KINDS[kind]
    page_schema = page_of(item_schema, f"{item_schema.__name__.removesuffix('Out')}Page")

    carrier = any(f.param == "status" for f in spec.filters)
    params_schema = CarrierListParams if carrier else ListParams

    def object_list(request, params: Query[params_schema]):  # type: ignore[valid-type]
        qs = scope.scoped(request.user, spec.model).select_related(*related)
        filters = {"q": params.q, "status": getattr(params, "status", None) or ""}
        qs, _applied = listing.apply_filters(qs, spec, filters, request.user)
        rows, next_url = pages.page(
            request, qs, spec.sorts["code"], namespace=kind, cursor=params.cursor, limit=params.limit
        )
        return {"results": [as_item(row) for row in rows], "next": next_url}

    def object_detail(request, code: str):
        qs = scope.scoped(request.user, spec.model).select_related(*related)
        try:
            return as_detail(qs.get(code=code))
        except spec.model.DoesNotExist:
            raise Http404 from None

    object_list.__doc__ = f"List {kind} in the token's region, by code; ?q= searches names and codes" + (
        "; ?status= keeps active, cancelled or merged carriers." if carrier else "."
    )
    object_detail.__doc__ = f"One of the {kind} by its code; 404 outside the token's region."
    router.get(f"/{kind}/", response={200: page_schema, **ERRORS}, operation_id=f"list_{kind}", summary=f"list {kind}")(
        object_list
    )
    router.get(
        f"/{kind}/{{code}}/",
        response={200: detail_schema, **ERRORS},
        operation_id=f"get_{kind}",
        summary=f"one of {kind}",
    )(object_detail)


for _kind in ENDPOINTS:
    _register(_kind)
