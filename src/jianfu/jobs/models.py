"""Background work queued by the web app; workers claim jobs with a conditional UPDATE (no broker needed)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    # The officer's unit: the import may only touch objects under it, and only that region sees the job.
    unit = models.ForeignKey("registry.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    files = models.JSONField(default=list)  # [{"name": original name, "path": stored path}]
    # Only administrators import without a region; a job whose unit vanished must not widen to everything.
    unrestricted = models.BooleanField(default=False)
    dry_run = models.BooleanField(_("仅校验"), default=False)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    current_kind = models.CharField(max_length=20, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="importjob_queue")]

    def __str__(self) -> str:
        return f"{self.code} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def outcome_label(self) -> str:
        """What became of the files: a finished job whose files were refused says so, not 已完成."""
        files = (self.report or {}).get("files") or []
        if self.status != self.Status.DONE or not files:
            return str(self.get_status_display())
        refused = sum(1 for f in files if not f.get("accepted"))
        if refused == len(files):
            return str(_("已拒绝"))
        if refused:
            return str(_("部分拒绝"))
        return str(_("校验通过")) if self.dry_run else str(self.get_status_display())

    @property
    def file_names(self) -> list[str]:
        return [f["name"] for f in self.files]
