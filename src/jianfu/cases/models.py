"""Supervision (深化监督): cases that order a rectification, its verification, accountability and notices (通报).

The workflow follows wagtail's and the filings app's: the state lives on the case as status constants and every
move is a transition method that refuses an illegal one (:class:`IllegalTransition`). The methods change the
object in memory only; :mod:`jianfu.cases.actions` wraps each in a transaction with a row lock, an access check,
an event row, an audit row and the notices.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.findings.models import Finding
from jianfu.registry.models import Unit


class TransitionError(Exception):
    """A move that cannot be made; the message is for the user."""


class IllegalTransition(TransitionError):
    """The move is not allowed from the case's current status (409 over HTTP)."""


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        RESPONDED = "responded", _("待核验")
        CLOSED = "closed", _("已办结")
        REOPENED = "reopened", _("退回重新整改")

    #: transition → statuses it may start from
    TRANSITIONS = {
        "respond": {Status.OPEN, Status.REOPENED},
        "verify": {Status.RESPONDED},
        "escalate": {Status.OPEN, Status.REOPENED},
        "account": {Status.CLOSED},
    }
    #: statuses in which the responsible unit still owes an answer
    AWAITING_RESPONSE = {Status.OPEN, Status.REOPENED}

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    # The source: a finding of the detection engine, or an anonymous clue (exactly one of them).
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("问题")
    )
    clue = models.ForeignKey(
        "clues.Clue", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("线索")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("责任单位"))
    # The responsible unit's path: the case is seen by offices above it and by the unit itself (accounts/scope.py).
    unit_path = models.CharField(max_length=1000, db_index=True)
    demand = models.TextField(_("整改要求"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_by_name = models.CharField(_("立案人"), max_length=150)
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    # The region of the office that opened it: its officers (and those above) verify; notices are numbered there.
    region = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("立案区域"))
    # The region whose office supervises the case now: the opener's, then one level up at each escalation.
    supervisor = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="supervised_cases", verbose_name=_("督办单位")
    )
    escalation_level = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    escalated_on = models.DateField(_("最近升级日期"), null=True, blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False, db_index=True)
    overdue_since = models.DateField(_("逾期起始日"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    response_text = models.TextField(_("整改情况"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    verification_text = models.TextField(_("核验意见"), blank=True)
    # Bumped by every transition: a form shows the version it was drawn from, a stale submission is refused.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One finding has at most one case that is not closed (checked under the finding's row lock as well).
            models.UniqueConstraint(
                fields=["finding"], condition=~Q(status="closed"), name="cases_one_open_per_finding"
            ),
            models.UniqueConstraint(fields=["clue"], condition=~Q(status="closed"), name="cases_one_open_per_clue"),
        ]

    def __str__(self) -> str:
        return self.number

    # --- the workflow -------------------------------------------------------------------------------------

    def _require(self, transition: str) -> None:
        if self.status not in self.TRANSITIONS[transition]:
            raise IllegalTransition(
                _("案件当前状态为「%(status)s」，不能%(what)s")
                % {"status": self.get_status_display(), "what": TRANSITION_LABELS[transition]}
            )

    @property
    def awaiting_response(self) -> bool:
        return self.status in self.AWAITING_RESPONSE

    def respond(self, text: str, user) -> None:
        """Open or reopened → responded: the responsible unit says what it did."""
        self._require("respond")
        self.status = self.Status.RESPONDED
        self.response_text = text
        self.responded_by, self.responded_at = user, timezone.now()
        self.version += 1

    def verify(self, accepted: bool, text: str, user, new_deadline: dt.date | None = None) -> None:
        """Responded → closed (accepted) or reopened (refused, optionally with a new deadline)."""
        self._require("verify")
        self.verification_text = text
        if accepted:
            self.status = self.Status.CLOSED
            self.closed_by, self.closed_at = user, timezone.now()
        else:
            self.status = self.Status.REOPENED
            self.reopen_count += 1
            if new_deadline:
                self.deadline = new_deadline
        self.version += 1

    def mark_overdue(self, as_of: dt.date) -> bool:
        """Flag an unanswered case past its deadline (the deadline day itself is not overdue); True if it changed."""
        self._require("escalate")
        if as_of <= self.deadline or self.overdue:
            return False
        self.overdue, self.overdue_since = True, as_of
        self.version += 1
        return True

    def escalate_to(self, region: Unit, as_of: dt.date) -> None:
        self._require("escalate")
        self.supervisor = region
        self.escalation_level += 1
        self.escalated_on = as_of
        self.version += 1

    def check_accountable(self) -> None:
        self._require("account")

    @property
    def escalated(self) -> bool:
        return self.escalation_level > 0

    @property
    def days_to_close(self) -> float | None:
        if not self.closed_at:
            return None
        return (self.closed_at - self.opened_at).total_seconds() / 86400


TRANSITION_LABELS = {
    "respond": _("反馈整改情况"),
    "verify": _("核验"),
    "escalate": _("逾期升级"),
    "account": _("认定问责结果"),
}


class CaseCounter(models.Model):
    """The last case number given out in a year (locked while the next one is taken)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class CaseEvent(models.Model):
    """One step of a case's history, as the detail page and the API show it."""

    class Action(models.TextChoices):
        OPENED = "opened", _("立案交办")
        RESPONDED = "responded", _("反馈整改情况")
        ACCEPTED = "accepted", _("核验通过，办结")
        REFUSED = "refused", _("核验不通过，退回")
        OVERDUE = "overdue", _("逾期")
        ESCALATED = "escalated", _("升级督办")
        ACCOUNTABILITY = "accountability", _("认定问责结果")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    text = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]


class EvidenceFile(models.Model):
    """A file attached to a response, checked and re-encoded without metadata (jianfu.evidence)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored = models.CharField(max_length=300)  # relative to MEDIA_ROOT

    class Meta:
        ordering = ["id"]


class Accountability(models.Model):
    """An accountability outcome on a closed case, with who decided it and why."""

    class Kind(models.TextChoices):
        RECTIFIED = "rectified", _("整改到位")
        CRITICISM = "criticism", _("批评教育")
        NOTICE = "notice", pgettext_lazy("accountability", "通报")
        TRANSFER = "transfer", _("移交纪检监察机关")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("问责结果"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("理由"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_name = models.CharField(_("认定人"), max_length=150)
    decided_at = models.DateTimeField(_("认定时间"), default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="cases_one_outcome_of_a_kind")]


class NoticeTemplate(models.Model):
    """How a region's notices look: the header, the issuing organ, the red header, and the fixed text around
    the cases. A region without one uses the nearest ancestor's, else the default built from its name."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="notice_template")
    issuer = models.CharField(_("发文机关"), max_length=200)
    red_header = models.BooleanField(_("红头"), default=True)
    number_prefix = models.CharField(_("发文字号前缀"), max_length=40)
    intro = models.TextField(_("开头"))
    closing = models.TextField(_("结尾"))
    updated_at = models.DateTimeField(auto_now=True)


def new_notice_code() -> str:
    return "TB" + secrets.token_hex(5).upper()


class Notice(models.Model):
    """A notice (通报) of typical cases: drafted, then published to the public page /notices/."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    code = models.CharField(max_length=20, unique=True, default=new_notice_code)
    title = models.CharField(_("标题"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="notices", verbose_name=_("发文区域"))
    unit_path = models.CharField(max_length=1000, db_index=True)
    doc_number = models.CharField(_("发文字号"), max_length=80)
    issuer = models.CharField(_("发文机关"), max_length=200)
    red_header = models.BooleanField(_("红头"), default=True)
    intro = models.TextField(_("开头"))
    closing = models.TextField(_("结尾"))
    # [{"case": number, "heading": …, "text": …}]: fixed when drafted, so a published notice never changes.
    paragraphs = models.JSONField(default=list)
    cases = models.ManyToManyField(Case, related_name="notices")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by_name = models.CharField(_("起草人"), max_length=150)
    created_at = models.DateTimeField(_("起草时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
