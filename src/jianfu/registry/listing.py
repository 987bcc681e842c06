"""Search, filters and keyset pagination for the lists: no COUNT(*) and no OFFSET, so page 1000 costs what page 1 does."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

from django.core import signing
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from jianfu.accounts import scope
from jianfu.registry import search
from jianfu.registry.kinds import KindSpec, Sort
from jianfu.registry.lifecycle import status_q
from jianfu.registry.models import Unit
from jianfu.textnorm import normalize_text

PAGE_SIZE = 50


def normalized_query(raw: str | None) -> str:
    """Full-width to half-width and Traditional to Simplified, as the names were stored."""
    return normalize_text(raw or "")[:100]


def _json_list_contains(field: str, value: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})  # jsonb @> can use a GIN index later
    # SQLite keeps the JSON text with non-ASCII escaped (json.dumps' default), so match the escaped element.
    return Q(**{f"_{field}_text__contains": json.dumps(value)})


def apply_filters(qs: QuerySet, spec: KindSpec, params, user) -> tuple[QuerySet, dict[str, str]]:
    """Narrow `qs` by the request's filters; returns the queryset and the filters actually applied."""
    applied: dict[str, str] = {}
    q = normalized_query(params.get("q"))
    if q:
        title, code = spec.search_fields
        qs = qs.filter(Q(**{f"{title}__icontains": q}) | Q(**{f"{code}__icontains": q}))
        qs = search.narrow(qs, spec.kind, q)  # the bigram index: the same rows, without scanning every name
        applied["q"] = q
    for flt in spec.filters:
        value = (params.get(flt.param) or "").strip()
        if not value:
            continue
        if flt.type == "choice":
            qs = qs.filter(**{flt.field: value})
        elif flt.type == "unit":
            # The unit is looked up through the scope too: a code from outside the region matches nothing.
            unit = scope.scoped(user, Unit).filter(code=value).only("path").first()
            prefix = f"{spec.unit_field}__" if spec.unit_field else ""
            qs = qs.filter(**{f"{prefix}path__startswith": unit.path}) if unit else qs.none()
        elif flt.type == "present":
            if value in ("1", "yes", "true"):
                qs = qs.exclude(**{flt.field: []})
            elif value in ("0", "no", "false"):
                qs = qs.filter(**{flt.field: []})
            else:
                continue
        elif flt.type == "lifecycle":
            if value not in dict(flt.choices):
                continue
            qs = qs.filter(status_q(value, timezone.localdate()))
        elif flt.type == "contains":
            if connection.vendor != "postgresql":
                qs = qs.annotate(**{f"_{flt.field}_text": Cast(flt.field, TextField())})
            qs = qs.filter(_json_list_contains(flt.field, value))
        applied[flt.param] = value
    return qs, applied


@dataclass
class Page:
    rows: list
    has_next: bool
    next_cursor: str | None
    number: int


class BadCursor(ValueError):
    """A page cursor this list did not issue: mangled, tampered with, or made for another list or sort."""


# Cursors are signed: a forged or edited one is refused before its values reach a query. The salt names the
# list and its order, so a cursor issued for one sort cannot be replayed against another.
_MAX_CURSOR = 1000
_MAX_ID = 2**63 - 1


def _signer(namespace: str) -> signing.Signer:
    return signing.Signer(salt=f"jianfu.listing.cursor:{namespace}")


def cursor_namespace(qs: QuerySet, sort: Sort) -> str:
    return f"{qs.model._meta.label_lower}:{sort.field}:{'desc' if sort.desc else 'asc'}"


def encode_cursor(value, pk: int, namespace: str) -> str:
    payload = ["d", value.isoformat(), pk] if isinstance(value, dt.date) else ["v", value, pk]
    return _signer(namespace).sign_object(payload)


def _valid_value(value, expected: type) -> bool:
    """Whether a cursor's sort value has the type of the sort column and fits it (a bigint, a finite float)."""
    if isinstance(value, bool):
        return False
    if expected is float:
        return isinstance(value, (int, float)) and math.isfinite(value) and abs(value) < 1e300
    if expected is int:
        return isinstance(value, int) and abs(value) <= _MAX_ID
    return isinstance(value, expected)


def _sort_type(model, sort: Sort) -> type:
    internal = model._meta.get_field(sort.field).get_internal_type()
    if internal == "DateField":
        return dt.date
    if internal == "FloatField":
        return float
    if "Integer" in internal or internal.endswith("AutoField"):  # an id column sorts as the integer it is
        return int
    return str


def decode_cursor(token: str, namespace: str, expected: type = object):
    """(sort value, id) from a cursor this list issued; BadCursor for anything else."""
    if len(token) > _MAX_CURSOR:
        raise BadCursor(token[:50])
    try:
        kind, value, pk = _signer(namespace).unsign_object(token)
        if kind == "d":
            value = dt.date.fromisoformat(value)
        elif kind != "v":
            raise BadCursor(token[:50])
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise BadCursor(token[:50]) from exc
    if not _valid_value(value, expected) or not _valid_value(pk, int) or pk <= 0:
        raise BadCursor(token[:50])
    return value, pk


def _fetch(qs: QuerySet, n: int) -> list:
    """The first n rows; a search whose matches are dense (registry/search.ordered_scan) walks the sort's index
    on PostgreSQL, whose LIKE estimate would otherwise have it scan and sort the whole table."""
    if connection.vendor != "postgresql" or not qs._hints.get(search.ORDERED_SCAN_HINT):
        return list(qs[:n])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return list(qs[:n])


def keyset_page(qs: QuerySet, sort: Sort, cursor: str | None, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page ordered by (sort key, id); fetches size+1 rows to learn whether a next page exists.
    ``qs`` may be a .values() queryset that includes "id": its rows are then dicts carrying "_k" too.

    Raises BadCursor when ``cursor`` was not issued by this list in this order.
    """
    key = F(sort.field) if sort.null_as is None else Coalesce(F(sort.field), Value(sort.null_as))
    qs = qs.annotate(_k=key)
    sign = "-" if sort.desc else ""
    qs = qs.order_by(f"{sign}_k", f"{sign}id")
    namespace = cursor_namespace(qs, sort)
    if cursor:
        value, pk = decode_cursor(cursor, namespace, _sort_type(qs.model, sort))
        op = "lt" if sort.desc else "gt"
        qs = qs.filter(Q(**{f"_k__{op}": value}) | Q(_k=value, **{f"id__{op}": pk}))
    else:
        number = 1
    rows = _fetch(qs, size + 1)
    has_next = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if has_next:
        last = rows[-1]
        # Model rows, or dicts from a .values() queryset (the API reads only the columns it answers with).
        value, pk = (last["_k"], last["id"]) if isinstance(last, dict) else (last._k, last.id)
        next_cursor = encode_cursor(value, pk, namespace)
    return Page(rows, has_next, next_cursor, number)
