"""Two-factor login: who must use it (per-region policy), the enrolment QR code, and the gate middleware."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from jianfu.accounts import scope
from jianfu.accounts.models import Role, TwoFactorPolicy, User

# Roles a region may require it of; cadres are left out on purpose (many share phones and have no app store).
POLICY_ROLES = [Role.ADMIN, Role.OFFICE, Role.DEPARTMENT, Role.DISCIPLINE]
BACKUP_CODE_COUNT = 10


def requires_two_factor(user: User) -> bool:
    """Whether a policy on the user's unit or any unit above it requires a one-time code of the user's role."""
    if user.unit_id is None:
        # Users outside the tree (installation administrators) follow the policies set at the roots.
        policies = TwoFactorPolicy.objects.filter(unit__parent__isnull=True)
    else:
        policies = TwoFactorPolicy.objects.filter(unit__path__in=scope.ancestor_paths(user.unit.path))
    return any(user.role in roles for roles in policies.values_list("roles", flat=True))


def has_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def qr_svg(config_url: str) -> str:
    """The otpauth:// URL as an inline SVG QR code (drawn here: no external service sees the key)."""
    image = qrcode.make(config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration: the markup goes inside an HTML page


class TwoFactorGateMiddleware:
    """A logged-in user with a device must pass the code step; one required to enrol can only enrol."""

    OPEN_PREFIXES = ("/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self._detour(request)
        return redirect(target) if target else self.get_response(request)

    def _detour(self, request) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if request.path.startswith(self.OPEN_PREFIXES) or request.path == reverse("logout"):
            return None
        otp_step, enrol = reverse("login_otp"), reverse("two_factor")
        if has_device(user):
            return None if request.path == otp_step else f"{otp_step}?{urlencode({'next': request.get_full_path()})}"
        # Checked on every request (three indexed lookups), so a new policy binds sessions already open.
        if requires_two_factor(user):
            return None if request.path == enrol else enrol
        return None
