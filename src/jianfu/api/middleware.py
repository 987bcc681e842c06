"""Guards for /api/: body size limits before anything reads the body, and the error object for every failure;
and the browser's middleware (the session's login, two-factor, messages) made to stand aside for /api/."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.http import Http404
from django_otp.middleware import OTPMiddleware

from jianfu.api.errors import STATUS_CODES, error_response

log = logging.getLogger("jianfu.api")
API_PREFIX = "/api/"
MULTIPART = "multipart/form-data"


def body_limit(request) -> int:
    """Bytes a request may carry: uploads up to JIANFU_MAX_UPLOAD_MB, anything else up to JIANFU_API_MAX_JSON_KB."""
    if request.content_type == MULTIPART:
        return settings.JIANFU_MAX_UPLOAD_MB * 1024 * 1024
    return settings.JIANFU_API_MAX_JSON_KB * 1024


class ApiMiddleware:
    """Sits after LocaleMiddleware, so its messages are in the request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response("invalid")
        if length > body_limit(request):
            return error_response("too_large")
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            # Django's own answers (no such path, method not allowed, server error) in the API's shape.
            code = STATUS_CODES.get(response.status_code, "server_error" if response.status_code >= 500 else "invalid")
            replacement = error_response(code, status=response.status_code)
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):  # raised outside ninja's handlers, e.g. its docs-pointing root view
            return error_response("not_found")
        log.exception("API request failed: %s %s", request.method, request.path)
        return error_response("server_error")


class _BrowserOnly:
    """For a browser's session only: the API authenticates by bearer token alone (api/auth.py), so a cookie must
    not count there, and for /api/ paths the middleware does nothing (0.06–0.10 ms of CPU a request saved,
    docs/performance.md).

    Without the session's login no cookie can act for anyone under /api/ (nothing there reads the session): a
    cross-site request that carries the browser's cookies gets what a request without them gets, a 401.
    Sync only, as the server is WSGI."""

    async_capable = False

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            return self.for_api(request)
        return super().__call__(request)

    def for_api(self, request):
        return self.get_response(request)


class BrowserAuthenticationMiddleware(_BrowserOnly, AuthenticationMiddleware):
    def for_api(self, request):
        # Nobody, until TokenAuth sets the token's user: what follows (the two-factor gate, error pages) may
        # still read request.user.
        request.user = AnonymousUser()
        return self.get_response(request)


class BrowserOTPMiddleware(_BrowserOnly, OTPMiddleware):
    pass


class BrowserMessageMiddleware(_BrowserOnly, MessageMiddleware):
    pass
