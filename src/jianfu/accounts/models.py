"""Users belong to a unit and see that unit's region and everything below it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    OFFICE = "office", _("减负办")
    DEPARTMENT = "department", _("部门")
    DISCIPLINE = "discipline", _("纪检监察")
    CADRE = "cadre", _("基层干部")


class User(AbstractUser):
    unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("单位")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CADRE)


class LoginFailure(models.Model):
    """One failed login, counted per username and address to lock out password guessing."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"], name="loginfailure_lookup")]


class RateCounter(models.Model):
    """One fixed-window counter (key = scope:subject:window); incremented atomically by accounts.throttle."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)
