"""Bearer-token authentication for /api/v1/: the token's user (role and region), a per-token rate limit."""

from __future__ import annotations


from django.conf import settings
from ninja.security import HttpBearer

from jianfu.accounts import throttle
from jianfu.api.errors import ApiError
from jianfu.api.models import ApiToken
from jianfu.api.tokens import authenticate, note_use

RATE_WINDOW_SECONDS = 60
# A token's hits of the same 3 seconds share one row: at most 22 rows a token, whatever its limit (throttle.py).
RATE_BUCKET_SECONDS = 3


class TokenAuth(HttpBearer):
    """Only `Authorization: Bearer …` counts; a session cookie alone is not a credential here (so no CSRF)."""

    openapi_description = "jianfu token create USERNAME"

    def authenticate(self, request, token: str) -> ApiToken | None:
        found = authenticate(token.strip())
        if found is None:
            return None
        limit = settings.JIANFU_API_RATE_PER_MINUTE
        # Not durable: a count lost to a database crash is harmless, a flush per request is not (throttle.hit).
        window = {"window_seconds": RATE_WINDOW_SECONDS, "bucket_seconds": RATE_BUCKET_SECONDS}
        if not throttle.allow("api", str(found.id), limit=limit, durable=False, **window):
            wait = throttle.retry_after("api", str(found.id), limit=limit, **window)
            raise ApiError("rate_limited", headers={"Retry-After": str(max(1, wait))})
        note_use(found)
        request.user = found.user
        return found
