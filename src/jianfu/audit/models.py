"""An append-only, hash-chained record of every change to governed data."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


def sign(text: str) -> str:
    """HMAC-SHA256 of `text` with the audit key."""
    return hmac.new(settings.AUDIT_KEY.encode(), text.encode("utf-8"), hashlib.sha256).hexdigest()


class AppendOnlyError(Exception):
    """Audit rows are evidence: once written they are never changed or removed through the application."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")

    _raw_delete = delete

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # The name is kept as written: the history must still read correctly if the user is later removed.
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("操作"), max_length=50)
    object_kind = models.CharField(_("对象类型"), max_length=30)
    object_code = models.CharField(_("对象编号"), max_length=100)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    unit_path = models.CharField(max_length=1000, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC of `hash` with AUDIT_KEY (kept outside the database): whoever edits a row and recomputes the hashes
    # after it still cannot sign them.
    mac = models.CharField(max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_kind", "object_code", "id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_kind}/{self.object_code}"

    def payload(self) -> str:
        """The canonical text the hash covers: every field that carries meaning, in a fixed order."""
        return json.dumps(
            [
                self.prev_hash,
                self.actor_name,
                self.at.isoformat(),
                self.action,
                self.object_kind,
                self.object_code,
                self.changes,
                self.unit_path,
            ],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload().encode("utf-8")).hexdigest()

    def compute_mac(self) -> str:
        return sign(self.hash)

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")
