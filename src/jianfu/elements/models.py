"""一表通 (collect once): the data-element catalog, values already held, field mappings and forms issued pre-filled."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianfu.registry.models import Form, FormField, Tracked, Unit


def search_text_of(name: str, synonyms: list[str] | None) -> str:
    return "；".join([name, *(synonyms or [])])


class DataType(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数值")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")


class DataElement(Tracked):
    """One element of the catalog. A region's catalog is shared with every region below it; region None is the
    installation's own catalog (imported from the command line), shared with everyone."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("已收录")
        CANDIDATE = "candidate", _("候选")
        MERGED = "merged", _("已合并")

    code = models.CharField(_("元素编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    synonyms = models.JSONField(_("同义词"), default=list, blank=True)
    definition = models.TextField(_("定义"), blank=True)
    data_type = models.CharField(_("数据类型"), max_length=20, choices=DataType.choices, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    source = models.CharField(_("权威来源"), max_length=200, blank=True)
    region = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区域")
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Name and synonyms as plain text for search (a JSON column stores Chinese escaped on SQLite).
    search_text = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_text_of(self.name, self.synonyms)
        if kwargs.get("update_fields") is not None and (
            "name" in kwargs["update_fields"] or "synonyms" in kwargs["update_fields"]
        ):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def region_path(self) -> str:
        return self.region.path if self.region_id else "/"


class HeldValue(Tracked):
    """A value already held for (element, unit, period): imported, or submitted through an issued form."""

    class Origin(models.TextChoices):
        IMPORT = "import", _("导入")
        SUBMISSION = "submission", _("填报")

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="values", db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("期间"), max_length=20)
    value = models.CharField(_("值"), max_length=500)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.IMPORT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["element", "unit", "period"], name="heldvalue_unique")]


class FieldMapping(models.Model):
    """The element a form field maps to: the matcher's suggestion, or an officer's confirmation."""

    field = models.OneToOneField(FormField, on_delete=models.CASCADE, related_name="mapping")
    element = models.ForeignKey(DataElement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confidence = models.FloatField(default=0.0)
    reason = models.CharField(max_length=300, blank=True)
    confirmed = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)


def _new_number() -> str:
    return secrets.token_hex(6)


class FormIssue(models.Model):
    """A form issued by an office to its respondent units for one period."""

    number = models.CharField(max_length=20, unique=True, default=_new_number)
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="issues")
    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("发文单位"))
    period = models.CharField(_("期间"), max_length=20)
    deadline = models.DateField(_("截止日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]


class IssueCopy(models.Model):
    """One respondent unit's copy of an issued form."""

    class Status(models.TextChoices):
        OPEN = "open", _("待填报")
        SUBMITTED = "submitted", _("已提交")

    number = models.CharField(max_length=20, unique=True, default=_new_number)
    issue = models.ForeignKey(FormIssue, on_delete=models.CASCADE, related_name="copies")
    respondent = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报单位"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    fields_total = models.PositiveIntegerField(default=0)
    prefilled = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["respondent__code"]
        constraints = [models.UniqueConstraint(fields=["issue", "respondent"], name="issuecopy_unique")]

    @property
    def prefilled_share(self) -> float:
        return self.prefilled / self.fields_total if self.fields_total else 0.0


class CopyValue(models.Model):
    """One field of a copy: what was pre-filled (and from where) and what the respondent submitted."""

    copy = models.ForeignKey(IssueCopy, on_delete=models.CASCADE, related_name="values")
    field = models.ForeignKey(FormField, on_delete=models.CASCADE, related_name="+")
    element = models.ForeignKey(DataElement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    prefilled_value = models.CharField(max_length=500, blank=True)
    prefill_source = models.CharField(max_length=300, blank=True)
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["field__position"]
        constraints = [models.UniqueConstraint(fields=["copy", "field"], name="copyvalue_unique")]
