"""The /api/v1/ application: routers, token auth, the error object for every failure, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http.multipartparser import MultiPartParserError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
import orjson

from jianfu.api.auth import TokenAuth
from jianfu.api.endpoints import cases, clues, elements, findings, registry, reports, uploads
from jianfu.api.errors import STATUS_CODES, ApiError, error_response, from_exception, validation_fields

log = logging.getLogger("jianfu.api")


class LocalSwagger(Swagger):
    """Swagger UI from the package's own static files; settings travel as JSON data, no inline script."""

    template = "api/docs.html"


class ApiJSONEncoder(NinjaJSONEncoder):
    """NinjaJSONEncoder with dates and times tried first: they are most of what a list page hands to `default`
    (four per group row), and ninja's encoder tests pydantic, URL, address and enum types before passing them on
    to DjangoJSONEncoder. Same text: DjangoJSONEncoder formats them either way."""

    def default(self, o):
        if isinstance(o, (dt.date, dt.time, dt.timedelta)):
            return DjangoJSONEncoder.default(self, o)
        return super().default(o)


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes: readable in logs and curl, and a third smaller.

    Written by orjson: the standard library's encoder was a quarter of an API list page's CPU. Dates and times
    still go through ApiJSONEncoder (OPT_PASSTHROUGH_DATETIME), so they read exactly as before (DjangoJSONEncoder:
    milliseconds, "Z" for UTC); so do lazy translations, decimals and pydantic's URL and address types."""

    def render(self, request, data, *, response_status):
        options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
        return orjson.dumps(data, default=_encode_other, option=options)


_fallback_encoder = ApiJSONEncoder()


def _encode_other(value):
    """What orjson hands back. A day is most of it (three or four a group row) and reads as its ISO form under
    either encoder, so it skips DjangoJSONEncoder's chain of type tests; the rest keeps DjangoJSONEncoder's text."""
    if type(value) is dt.date:
        return value.isoformat()
    return _fallback_encoder.default(value)


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class NulRefusingParser(Parser):
    """No person types U+0000 and PostgreSQL text cannot hold it: any request carrying one is bad input (400)
    at the door, not a database error (500) wherever the value happens to reach a query."""

    def parse_body(self, request):
        return self._checked(super().parse_body(request), "body")

    def parse_querydict(self, data, list_fields, request):
        return self._checked(super().parse_querydict(data, list_fields, request), "query")

    @staticmethod
    def _checked(parsed, where: str):
        if _holds_nul(parsed):
            raise ValidationError([{"loc": (where,), "type": "nul_character", "msg": "NUL character"}])
        return parsed


api = NinjaAPI(
    title="Jianfu 减负 API",
    version="1",
    urls_namespace="api",
    description="Registry, findings, pre-check, import and anonymous clues for other government systems. See docs/api.md.",
    auth=TokenAuth(),
    docs=LocalSwagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
    parser=NulRefusingParser(),
)
api.add_router("", elements.router)  # before registry: its paths are more specific
api.add_router("", registry.router)
api.add_router("", findings.router)
api.add_router("", uploads.router)
api.add_router("", cases.router)
api.add_router("", reports.router)
api.add_router("", clues.router)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return from_exception(exc)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return error_response("invalid", fields=validation_fields(exc.errors))


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return error_response("unauthorized", headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja's own: a body it cannot parse, or one our parser refused
        if isinstance(exc.__cause__, ValidationError):
            return error_response("invalid", fields=validation_fields(exc.__cause__.errors))
        return error_response("malformed_json")
    return error_response(STATUS_CODES.get(exc.status_code, "invalid"), status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response("not_found")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response("forbidden")


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return error_response("too_large")


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(MultiPartParserError)
@api.exception_handler(BadRequest)
def _unreadable_request(request, exc):
    # Too many files or fields, a broken multipart body: the client's fault, never a 500.
    log.warning("unreadable API request %s %s: %s", request.method, request.path, exc)
    return error_response("invalid")


@api.exception_handler(Exception)
def _server_error(request, exc):
    # The client sees a sentence; the traceback goes to the log only.
    log.exception("API request failed: %s %s", request.method, request.path)
    return error_response("server_error")
