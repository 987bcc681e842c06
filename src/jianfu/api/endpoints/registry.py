"""GET /api/v1/<kind>/ and /api/v1/<kind>/<code>/ for the six registry kinds, through the region scope."""

from typing import Literal

from django.db.models import Model
from django.http import Http404
from django.utils import timezone
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
from jianfu.registry import lifecycle, listing
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


class _Fields:
    """Object → dict of the fields an answer schema lists; a foreign key (parent, unit, owner, issuer) as the
    related object's code. The schema is the one list of what the API shows of a kind."""

    def __init__(self, schema: type[Schema], model: type[Model]):
        self.names = tuple(schema.model_fields)
        self.related = tuple(f.name for f in model._meta.concrete_fields if f.many_to_one and f.name in self.names)

    def __call__(self, obj: Model) -> dict:
        row = {name: getattr(obj, name) for name in self.names}
        for name in self.related:
            row[name] = _code(row[name])
        if "status" in row:  # today's status, the value ?status= filters by, not the stored one
            row["status"] = lifecycle.status_on(obj, timezone.localdate())
        return row

    def columns(self) -> dict[str, str]:
        """Answer field → the column or lookup a list page reads it from with .values(): the same values as
        __call__ gives for an object, without model instances or columns the answer does not carry (a city's page
        of 50 groups built 150 model objects and decoded every JSON column before; see docs/performance.md)."""
        return {name: f"{name}__code" if name in self.related else name for name in self.names}


def _form_fields(obj) -> dict:
    fields = obj.fields.order_by("position").values("position", "name", "note", "data_type", "unit")[:1000]
    return {"fields": list(fields)}


# kind → (list item schema, detail schema, what the detail adds to the item)
ENDPOINTS = {
    "units": (UnitOut, UnitOut, None),
    "people": (PersonOut, PersonOut, None),
    "apps": (AppOut, AppOut, None),
    "accounts": (AccountOut, AccountOut, None),
    "groups": (GroupOut, GroupOut, None),
    "forms": (FormOut, FormDetailOut, _form_fields),
}


def _register(kind: str) -> None:
    item_schema, detail_schema, detail_extra = ENDPOINTS[kind]
    spec = KINDS[kind]
    as_item = _Fields(item_schema, spec.model)
    related = as_item.related

    def as_detail(obj) -> dict:
        return {**as_item(obj), **detail_extra(obj)} if detail_extra else as_item(obj)

    page_schema = page_of(item_schema, f"{item_schema.__name__.removesuffix('Out')}Page")

    carrier = any(f.param == "status" for f in spec.filters)
    params_schema = CarrierListParams if carrier else ListParams

    columns = as_item.columns()

    def object_list(request, params: Query[params_schema]):  # type: ignore[valid-type]
        filters = {"q": params.q, "status": getattr(params, "status", None) or ""}
        qs, _applied = listing.apply_filters(scope.scoped(request.user, spec.model), spec, filters, request.user)
        rows, next_url = pages.page(
            request,
            qs.values("id", *columns.values(), *(["status_date"] if carrier else [])),
            spec.sorts["code"],
            namespace=kind,
            cursor=params.cursor,
            limit=params.limit,
        )
        results = [{name: row[lookup] for name, lookup in columns.items()} for row in rows]
        if carrier:  # today's status, as the detail answers it and ?status= filters by, not the stored one
            today = timezone.localdate()
            for result, row in zip(results, rows, strict=True):
                result["status"] = lifecycle.stored_status_on(row["status"], row["status_date"], today)
        return {"results": results, "next": next_url}

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
