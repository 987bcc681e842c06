"""The app's own page for a refused form post (CSRF_FAILURE_VIEW), instead of Django's debug advice."""

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    """403 in the user's language; Django has already logged the reason to django.security.csrf."""
    return render(request, "security/csrf_failure.html", status=403)
