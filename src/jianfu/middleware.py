"""Language selection: the deployment's language (Simplified Chinese) unless the user picked another."""

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
