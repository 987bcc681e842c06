"""Cursor pages for the API: keyset pages of registry.listing, with the cursor signed so it cannot be forged."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet

from jianfu.api.errors import ApiError
from jianfu.registry import listing
from jianfu.registry.kinds import Sort

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_CURSOR_CHARS = 2000


def _salt(namespace: str) -> str:
    return f"jianfu.api.cursor:{namespace}"


def page(
    request, qs: QuerySet, sort: Sort, *, namespace: str, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """(rows, URL of the next page or None); a cursor this list did not issue is a 400, never a COUNT."""
    inner = None
    if cursor:
        try:
            if len(cursor) > MAX_CURSOR_CHARS:
                raise signing.BadSignature
            inner = signing.loads(cursor, salt=_salt(namespace))
        except (signing.BadSignature, ValueError, UnicodeError):
            raise ApiError("bad_cursor") from None
        if not isinstance(inner, str):
            raise ApiError("bad_cursor")
    try:
        result = listing.keyset_page(qs, sort, inner, size=limit)
    except ValueError:  # the listing's own cursor check (BadCursor is a ValueError)
        raise ApiError("bad_cursor") from None
    if not result.has_next:
        return result.rows, None
    token = signing.dumps(result.next_cursor, salt=_salt(namespace), compress=True)
    return result.rows, next_url(request, {"cursor": token, "limit": limit})


def next_url(request, replace: dict) -> str:
    """This request's URL with some query parameters replaced (absolute, under JIANFU_BASE_URL when set)."""
    params = {key: value for key, value in request.GET.items() if key not in replace}
    params.update(replace)
    path = f"{request.path}?{urlencode(params)}"
    base = getattr(settings, "JIANFU_BASE_URL", "")
    return f"{base}{path}" if base else request.build_absolute_uri(path)
