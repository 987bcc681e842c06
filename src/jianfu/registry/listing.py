"""Search, filters and keyset pagination for the lists: no COUNT(*) and no OFFSET, so page 1000 costs what page 1 does."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

from jianfu.accounts import scope
from jianfu.registry.kinds import KindSpec, Sort
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


def _encode(value, pk: int) -> str:
    if isinstance(value, dt.date):
        payload = ["d", value.isoformat(), pk]
    else:
        payload = ["v", value, pk]
    return base64.urlsafe_b64encode(json.dumps(payload, ensure_ascii=False).encode()).decode().rstrip("=")


def _decode(token: str):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        kind, value, pk = json.loads(raw)
        if kind == "d":
            value = dt.date.fromisoformat(value)
        elif not isinstance(value, (str, int, float)):
            return None
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None  # a mangled cursor just means the first page


def keyset_page(qs: QuerySet, sort: Sort, cursor: str | None, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page ordered by (sort key, id); fetches size+1 rows to learn whether a next page exists."""
    key = F(sort.field) if sort.null_as is None else Coalesce(F(sort.field), Value(sort.null_as))
    qs = qs.annotate(_k=key)
    sign = "-" if sort.desc else ""
    qs = qs.order_by(f"{sign}_k", f"{sign}id")
    decoded = _decode(cursor) if cursor else None
    if decoded:
        value, pk = decoded
        op = "lt" if sort.desc else "gt"
        qs = qs.filter(Q(**{f"_k__{op}": value}) | Q(_k=value, **{f"id__{op}": pk}))
    else:
        number = 1
    rows = list(qs[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    next_cursor = _encode(rows[-1]._k, rows[-1].id) if has_next else None
    return Page(rows, has_next, next_cursor, number)
