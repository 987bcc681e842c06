"""Clue routes never hold the reporter's network address: it is turned into an hourly keyed hash for rate
limiting and then removed from the request, before any other middleware, view or log line could see it."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string

from jianfu.accounts.client_address import client_ip
from jianfu.evidence import MAX_BYTES, MAX_FILES
from jianfu.clues.privacy import rate_key
from jianfu.clues.uploads import InMemoryEvidenceHandler

CLUE_PREFIXES = ("/clues/", "/api/v1/clues/")
# Every header a proxy or client may use to name an address (WSGI spelling).
ADDRESS_KEYS = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "REMOTE_PORT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_X_ORIGINAL_FORWARDED_FOR",
    "HTTP_VIA",
)
# Five files of 10 MB, their multipart framing and the form fields.
MAX_CLUE_BODY = MAX_FILES * MAX_BYTES + 1024 * 1024
PLACEHOLDER = "0.0.0.0"  # some code expects REMOTE_ADDR to exist; it gets a value that says nothing


def is_clue_path(path: str) -> bool:
    return path.startswith(CLUE_PREFIXES)


class ForgetReporterAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_clue_path(request.path):
            return self.get_response(request)
        request.clue_rate_key = rate_key(client_ip(request))
        for key in ADDRESS_KEYS:
            request.META.pop(key, None)
        request.META["REMOTE_ADDR"] = PLACEHOLDER
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_CLUE_BODY:
            return too_large(request)
        request.upload_handlers = [InMemoryEvidenceHandler(request)]  # before anything reads the body
        return self.get_response(request)


def too_large(request) -> HttpResponse:
    from django.utils.translation import gettext as _

    from jianfu.api.errors import error_response

    message = _("上传内容过大：最多 5 个文件，每个不超过 10 MB")
    if request.path.startswith("/api/"):
        return error_response("too_large", message)
    # Rendered without the request: LocaleMiddleware has not run yet, so the default language is used.
    body = render_to_string("clues/too_large.html", {"message": message})
    return HttpResponse(body, status=413)
