"""Findings of the detection engine, kept with the decisions people make on them (the rectification list)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianfu.jsonfield import FastJSONField
from jianfu.registry.models import Unit


class AnalysisRun(models.Model):
    actor = models.CharField(_("操作人"), max_length=150)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    as_of = models.DateField(_("基准日期"))
    summary = models.JSONField(default=dict, blank=True)
    burden = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]


class Finding(models.Model):
    class Action(models.TextChoices):
        CANCEL = "cancel", _("取消")
        MERGE = "merge", _("整合")
        OPTIMISE = "optimise", _("优化")
        RECTIFY = "rectify", _("整改")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACCEPTED = "accepted", _("已采纳")
        REJECTED = "rejected", _("已驳回")
        DONE = "done", _("已完成")
        # A department asked to reject a finding about its own carriers; the office confirms or overrules.
        CONTESTED = "contested", _("申请驳回待确认")

    # Stable identity: a hash of type, rule and the sorted item codes, so a re-run finds the same finding.
    fid = models.CharField(max_length=64, unique=True)
    type = models.CharField(_("类型"), max_length=40, db_index=True)
    rule = models.CharField(_("规则"), max_length=10, db_index=True)
    action = models.CharField(_("建议"), max_length=20, choices=Action.choices, db_index=True)
    items = FastJSONField(_("对象"), default=list)
    score = models.FloatField(_("得分"), null=True, blank=True)
    evidence = FastJSONField(_("证据"), default=dict)
    hours_saved_per_month = models.FloatField(_("每月可减负（小时）"), default=0)
    reason = models.TextField(_("理由"))
    # The reason as the analysis wrote it: a Chinese template and its parameters, translated at display time.
    reason_template = models.TextField(blank=True, default="")
    reason_params = FastJSONField(default=dict, blank=True)
    # How the hours saved come about (jianfu.analysis.arithmetic) and each item's share of them.
    arithmetic = FastJSONField(default=list, blank=True)
    saved_by_item = FastJSONField(default=dict, blank=True)
    owner = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings", verbose_name=_("责任单位")
    )
    owner_path = models.CharField(max_length=1000, db_index=True, default="/")
    # "|path|path|": the paths of the units owning every carrier the finding names. The finding is visible to
    # each of them (accounts/scope.py) and decided by an office whose region covers decider_path, their
    # common ancestor.
    scope_paths = models.TextField(default="|/|")
    decider_path = models.CharField(max_length=1000, default="/")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    request_reason = models.TextField(_("申请驳回理由"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    first_seen = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, related_name="+")
    last_seen = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, related_name="+")
    # False when the latest run no longer reports it (the problem went away); kept for the record of decisions.
    is_current = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["-hours_saved_per_month", "fid"]
        # The findings list's keyset order (saving, then id): a page walks this index instead of sorting.
        # The dashboard's data version reads the latest decision on every page (registry/dashboard.py).
        indexes = [
            models.Index(fields=["hours_saved_per_month", "id"], name="findings_saving_id"),
            models.Index(fields=["decided_at"], name="finding_decided_at"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.items}"

    def unit_paths(self) -> list[str]:
        return [p for p in self.scope_paths.split("|") if p]


class FindingPath(models.Model):
    """One row per (finding, unit path) the finding names: its scope_paths, one path a row.

    The region scope (accounts/scope.py) finds a region's findings by a prefix match on `path`, which the
    b-tree below serves (PostgreSQL: varchar_pattern_ops, so LIKE 'p%' uses it under any collation; SQLite:
    a range condition on the default BINARY order). scope_paths stays the record the finding page shows.
    """

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="paths", db_index=False)
    path = models.CharField(max_length=1000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["finding", "path"], name="findings_path_unique")]
        indexes = [
            models.Index(
                fields=["path", "finding"], name="findings_path_prefix", opclasses=["varchar_pattern_ops", "int8_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.path}"


class RunRollup(models.Model):
    """One analysis run's burden in one unit and everything below it: kept for every run, so that any two
    dates compare and every office sees the figures of its own region (issue 14)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="rollups")
    unit_code = models.CharField(max_length=40)
    # The unit's path when the run was made: the region scope filters on it (accounts/scope.py).
    path = models.CharField(max_length=1000)
    people = models.PositiveIntegerField(default=0)
    p50 = models.FloatField(default=0)
    p90 = models.FloatField(default=0)
    max = models.FloatField(default=0)
    mean = models.FloatField(default=0)
    total_hours = models.FloatField(default=0)
    apps_hours = models.FloatField(default=0)
    groups_hours = models.FloatField(default=0)
    accounts_hours = models.FloatField(default=0)
    forms_hours = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "unit_code"], name="runrollup_run_unit_unique")]
        indexes = [models.Index(fields=["unit_code", "run"], name="runrollup_unit_run")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.unit_code}"
