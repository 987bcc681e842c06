"""Burden surveys (调研) and the cadre's own page.

What is kept, and what is not (docs/surveys.md):

* A **SurveyLink** is issued to one registry person; only the sha256 of its random token is stored. Using it
  stamps the *day* it was used, nothing else.
* Answers carry no person and no link: a **SurveyReturn** holds the open answer and the area (the unit
  under the survey's region where the respondent works, e.g. their township); each carrier's minutes are a
  separate **CarrierAnswer** row, with no key to the return or to the other answers of the same respondent,
  so a set of carriers cannot be matched back to one person's memberships. Neither has a time stamp.
* A **CadreLogin** links a login to the registry person it is, for the page /me/.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    code = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    question = models.CharField(_("开放问题"), max_length=300)
    region = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("调研范围"))
    owner_path = models.CharField(max_length=1000, db_index=True)  # the region's path: the scope door's column
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    simulated = models.BooleanField(_("模拟数据"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SurveyLink(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    used_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="surveys_one_link_per_person")]


class SurveyReturn(models.Model):
    """One submitted survey: the open answer and the area, never the person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="returns")
    area = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    # The text's jieba keywords [[word, weight], …], computed once on submission for the pain points.
    keywords = models.JSONField(default=list, blank=True)


class CarrierAnswer(models.Model):
    """Minutes a week one carrier costs one (unnamed) respondent, and whether it could be dropped."""

    class Kind(models.TextChoices):
        APP = "app", _("应用")
        GROUP = "group", _("工作群")
        ACCOUNT = "account", _("公众号")
        FORM = "form", _("报表")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    area = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    carrier_code = models.CharField(max_length=40)
    minutes_per_week = models.FloatField()
    droppable = models.BooleanField(default=False)
    # Forms only: how many people share the respondent unit's filings (the model divides its time by this).
    bearers = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["survey", "kind", "carrier_code"], name="surveys_answer_carrier")]


class RegionCalibration(models.Model):
    """Burden parameters a region's survey measured, used by the burden model for that region and below."""

    region = models.OneToOneField("registry.Unit", on_delete=models.CASCADE, related_name="+")
    owner_path = models.CharField(max_length=1000, db_index=True)
    survey = models.ForeignKey(Survey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    overrides = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    applied_by = models.CharField(max_length=150)
    applied_at = models.DateTimeField(auto_now=True)


class CadreLogin(models.Model):
    """This login is this registry person: their own burden page /me/."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cadre_link")
    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE, related_name="login_link")
