"""Log in and out (with lockout), and user management for administrators."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jianfu.accounts import lockout, scope
from jianfu.accounts.actions import UserError, do_create_user
from jianfu.accounts.models import Role, User
from jianfu.audit.log import record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        ip = lockout.client_ip(request)
        if lockout.is_locked(username, ip):
            # Refused before the password is even checked (an unbound form), so a guesser learns nothing more.
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(form=form, locked_message=_("登录失败次数过多，请 15 分钟后再试。"))
            response = self.render_to_response(context)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        lockout.clear_failures(form.get_user().username, lockout.client_ip(self.request))
        return super().form_valid(form)

    def form_invalid(self, form):
        lockout.record_failure(self.request.POST.get("username", ""), lockout.client_ip(self.request))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "login"


class UserCreateForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    unit_code = forms.CharField(label=gettext_lazy("单位编码"), max_length=40)
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=Role.choices)
    password = forms.CharField(label=gettext_lazy("初始密码"), widget=forms.PasswordInput, min_length=10)


@login_required
def user_list(request):
    if not scope.can_manage_users(request.user):
        raise PermissionDenied
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = do_create_user(data["username"], password=data["password"], unit_code=data["unit_code"],
                                  role=data["role"], acting_user=request.user)
        except UserError as exc:
            form.add_error(None, str(exc))
        else:
            record(actor=request.user, action="create", kind="user", code=user.username,
                   changes={"role": [None, user.role], "unit": [None, user.unit.code]}, unit_path=user.unit.path)
            messages.success(request, _("已创建用户 %(name)s") % {"name": user.username})
            return redirect("users")
    users = scope.scoped(request.user, User).select_related("unit").order_by("username")[:500]
    return render(request, "accounts/users.html", {"users": users, "form": form})
