"""Log in (password, then a one-time code when the user has a device) and out, two-factor enrolment, users."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.plugins.otp_static.models import StaticToken

from jianfu.accounts import lockout, scope, two_factor
from jianfu.accounts.actions import (
    UserError,
    do_confirm_totp,
    do_create_user,
    do_remove_two_factor,
    do_set_two_factor_policy,
    do_start_totp_enrolment,
)
from jianfu.accounts.client_address import client_ip
from jianfu.accounts.models import Role, TwoFactorPolicy, User
from jianfu.registry.models import Unit


def _refused(response):
    response.status_code = 429
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        refusal = lockout.admit_password_attempt(
            username, client_ip(request), known_device=lockout.is_known_device(request, username)
        )
        if refusal:
            # Refused before the password is even checked (an unbound form), so a guesser learns nothing more.
            form = self.get_form_class()(request, initial={"username": username})
            return _refused(self.render_to_response(self.get_context_data(form=form, locked_message=refusal)))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        lockout.password_succeeded(user.username, client_ip(self.request))
        response = super().form_valid(form)
        if two_factor.has_device(user):
            response = HttpResponseRedirect(f"{reverse('login_otp')}?{urlencode({'next': self.get_success_url()})}")
        lockout.remember_device(self.request, response, user.username)
        return response

    def form_invalid(self, form):
        lockout.password_failed(self.request.POST.get("username", ""))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "login"


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else fallback


@login_required
def login_otp(request):
    """The second step: a code from the authenticator app, or one of the backup codes."""
    if request.user.is_verified() or not two_factor.has_device(request.user):
        return redirect(_safe_next(request))
    context, status = {"next": _safe_next(request)}, 200
    if request.method == "POST":
        ip = client_ip(request)
        refusal = lockout.admit_otp_attempt(request.user.pk, ip)
        device = None if refusal else match_token(request.user, request.POST.get("token", "").strip())
        if device is not None:
            lockout.otp_succeeded(request.user.pk, ip)
            otp_login(request, device)
            return redirect(context["next"])
        context["error"], status = refusal or _("验证码不正确"), 429 if refusal else 200
    response = render(request, "accounts/login_otp.html", context)
    response.status_code = status
    return response


@login_required
def two_factor_settings(request):
    """Enrol an authenticator (scan, confirm a code), see it, or remove it after re-entering the password."""
    user = request.user
    context = {"required": two_factor.requires_two_factor(user), "enrolled": two_factor.has_device(user)}
    if request.method == "POST":
        try:
            context.update(_two_factor_post(request))
        except UserError as exc:
            context["error"] = str(exc)
        context["enrolled"] = two_factor.has_device(user)
        if context.get("removed"):
            messages.success(request, _("已关闭两步验证"))
            return redirect("two_factor")
    if context["enrolled"]:
        context["backup_left"] = StaticToken.objects.filter(device__user=user).count()
    elif "backup_codes" not in context:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or do_start_totp_enrolment(user)
        context.update(secret=_grouped(device.config_url), qr_svg=two_factor.qr_svg(device.config_url))
    return render(request, "accounts/two_factor.html", context)


def _grouped(config_url: str) -> str:
    """The base32 secret from the otpauth URL, in groups of four for typing by hand."""
    secret = parse_qs(urlsplit(config_url).query)["secret"][0]
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def _two_factor_post(request) -> dict:
    user = request.user
    if request.POST.get("action") == "remove":
        refusal = lockout.admit_password_attempt(user.username, client_ip(request), known_device=True)
        if refusal:
            raise UserError(refusal)
        try:
            do_remove_two_factor(user, password=request.POST.get("password", ""))
        except UserError:
            lockout.password_failed(user.username)
            raise
        lockout.password_succeeded(user.username, client_ip(request))
        return {"removed": True}
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        return {}
    codes = do_confirm_totp(device, request.POST.get("token", ""))
    otp_login(request, TOTPDevice.objects.get(pk=device.pk))
    return {"backup_codes": codes}


class TwoFactorPolicyForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("须使用两步验证的角色"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(role.value, role.label) for role in two_factor.POLICY_ROLES],
    )


@login_required
def two_factor_policy(request, code: str):
    """Which roles must use two-factor login in a unit's region; set by an administrator or an office above."""
    unit = scope.get_scoped_or_404(request.user, Unit, code)
    if not scope.can_set_two_factor_policy(request.user, unit):
        raise PermissionDenied
    policy = TwoFactorPolicy.objects.filter(unit=unit).first()
    form = TwoFactorPolicyForm(
        request.POST if request.method == "POST" else None, initial={"roles": policy.roles if policy else []}
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_set_two_factor_policy(unit, form.cleaned_data["roles"], acting_user=request.user)
        except UserError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存 %(unit)s 的两步验证要求") % {"unit": unit.name})
            return redirect("two_factor_policy", code=unit.code)
    above = TwoFactorPolicy.objects.filter(unit__path__in=scope.ancestor_paths(unit.path)).exclude(unit=unit)
    inherited = [
        (policy.unit.name, [Role(role).label for role in policy.roles]) for policy in above.select_related("unit")
    ]
    return render(request, "accounts/two_factor_policy.html", {"unit": unit, "form": form, "inherited": inherited})


class UserCreateForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    unit_code = forms.CharField(label=gettext_lazy("单位编码"), max_length=40)
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=Role.choices)
    password = forms.CharField(label=gettext_lazy("初始密码"), widget=forms.PasswordInput, strip=False)
    person_code = forms.CharField(
        label=gettext_lazy("关联人员编号（可选）"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("基层干部本人的人员编号：登录后可在“我的负担”查看本人负担"),
    )


@login_required
def user_list(request):
    if not scope.can_manage_users(request.user):
        raise PermissionDenied
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = do_create_user(
                data["username"],
                password=data["password"],
                unit_code=data["unit_code"],
                role=data["role"],
                acting_user=request.user,
                person_code=data.get("person_code") or None,
            )
        except UserError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已创建用户 %(name)s") % {"name": user.username})
            return redirect("users")
    users = scope.scoped(request.user, User).select_related("unit", "cadre_link__person").order_by("username")[:500]
    return render(request, "accounts/users.html", {"users": users, "form": form})
