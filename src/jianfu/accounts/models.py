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


class TwoFactorPolicy(models.Model):
    """Roles that must log in with a one-time code in this unit's region (and every region below it)."""

    unit = models.OneToOneField("registry.Unit", on_delete=models.CASCADE, related_name="two_factor_policy")
    roles = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class RateCounter(models.Model):
    """One rate-limited subject (key = scope:subject): the row accounts.throttle locks to serialise its hits;
    `count` is 0 until it is hit a second time, then 1; `expires_at` is when its last hit is a window old."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)


class RateHit(models.Model):
    """One admitted hit of a rate-limited subject, kept for one window: a sliding window counts these."""

    key = models.CharField(max_length=200)
    at = models.FloatField()  # seconds since the epoch
    cost = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="accounts_ratehit_key_at")]
