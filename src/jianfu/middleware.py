"""Language selection (the deployment's language unless the user picked another) and the "database busy" answer."""

import logging
import sys

from django.conf import settings


class DeploymentLanguageMiddleware:
    """Ignore the browser's Accept-Language unless settings say to honour it.

    Office machines often run an English system locale; the switcher's cookie is the user's real choice.
    Sits before django.middleware.locale.LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # API clients have no language switcher: for them Accept-Language is the only way to choose.
        honour = getattr(settings, "JIANFU_HONOUR_BROWSER_LANGUAGE", False) or request.path.startswith("/api/")
        if not honour:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


RETRY_AFTER_SECONDS = 5


def database_busy(exc: BaseException | None) -> bool:
    """SQLite's answer when another connection (an import) holds the write lock past the busy timeout."""
    from django.db import OperationalError

    return isinstance(exc, OperationalError) and "locked" in str(exc)


def busy_response(request):
    """503 with Retry-After and a translated page: the database is busy, try again shortly. Never a 500."""
    from django.shortcuts import render

    response = render(request, "503_busy.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """A view that meets a locked database answers 503 "busy, retry" (see `server_error` for middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_busy(exception):
            logging.getLogger("jianfu.web").warning("database busy on %s %s", request.method, request.path)
            return busy_response(request)
        return None


def server_error(request):
    """handler500: the same 503 when the lock was met outside a view (saving the session), else the usual 500."""
    from django.views.defaults import server_error as default_server_error

    if database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return default_server_error(request)
