"""Anonymous clues (线索): what a reporter sends, the evidence, and the messages between handler and reporter.

Nothing here can lead back to the reporter: no user, no network address, no session. The receipt is kept only
as a hash; the optional phone only as a keyed hash, a masked form and an encrypted copy for the handler.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    F1 = "F1", _("F1 强制使用")
    F2 = "F2", _("F2 过度留痕")
    F3 = "F3", _("F3 滥用排名")
    F4 = "F4", _("F4 多头填报")
    F5 = "F5", _("F5 空壳僵尸")
    OTHER = "other", _("其他")


# Days a clue may stay open per category: coercion and ranking (F1–F3) hurt every day and are urgent.
DUE_DAYS = {"F1": 15, "F2": 15, "F3": 15, "F4": 30, "F5": 30, "other": 30}


class Clue(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("待受理")
        HANDLING = "handling", _("办理中")
        CLOSED = "closed", _("已办结")
        MERGED = "merged", _("已合并")

    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    region = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="clues", verbose_name=_("发生地")
    )
    # The region's path when the clue arrived: the scope door filters on it (a clue outlives unit moves).
    region_path = models.CharField(max_length=1000, db_index=True)
    carrier_code = models.CharField(_("涉及对象编号"), max_length=40, blank=True, default="")
    carrier_text = models.CharField(_("涉及对象"), max_length=200, blank=True, default="")
    description = models.TextField(_("问题描述"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("办理期限"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_clues",
        verbose_name=_("承办人"),
    )
    outcome = models.TextField(_("办理结果"), blank=True, default="")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates", verbose_name=_("合并到")
    )
    linked_codes = models.JSONField(_("关联台账对象"), default=list, blank=True)
    linked_findings = models.JSONField(_("关联问题"), default=list, blank=True)
    # Numbers of the supervision cases opened from this clue (the cases app calls actions.do_link_case).
    linked_cases = models.JSONField(_("关联案件"), default=list, blank=True)
    # sha256 of the receipt: it has 100 random bits, so a hash is enough and the receipt itself is never kept.
    receipt_hash = models.CharField(max_length=64, unique=True)
    contact_hash = models.CharField(max_length=64, blank=True, default="")
    contact_masked = models.CharField(max_length=20, blank=True, default="")
    contact_sealed = models.TextField(blank=True, default="")  # Fernet token, key outside the database

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["region_path", "status"], name="clue_region_status")]

    def __str__(self) -> str:
        return f"#{self.id} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.HANDLING)

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @staticmethod
    def due_for(category: str, received: dt.datetime) -> dt.date:
        return timezone.localtime(received).date() + dt.timedelta(days=DUE_DAYS.get(category, 30))


class Evidence(models.Model):
    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="evidence")
    # A random name under JIANFU_HOME/clues/: the reporter's file name is never kept (it may name them).
    stored_name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10)  # jpeg, png, pdf
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]


class Message(models.Model):
    class Sender(models.TextChoices):
        HANDLER = "handler", _("办理人员")
        REPORTER = "reporter", _("反映人")

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    # Which officer wrote a handler message: shown to officers, never to the reporter.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
