"""Filing and approval (遏增量): proposals for new items, their review through levels, and the filings they become.

The workflow follows wagtail's: the state lives on the proposal as status constants, and every move is a
transition method that refuses an illegal one (:class:`IllegalTransition`). The methods only change the
object in memory; :mod:`jianfu.filings.actions` wraps each in a transaction with a row lock, an access
check, an event row and an audit row.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianfu.registry.models import Unit


class TransitionError(Exception):
    """A workflow move that cannot be made; the message is for the user (Chinese)."""


class IllegalTransition(TransitionError):
    """The move is not allowed from the object's current status."""


class StaleDecision(TransitionError):
    """Someone else acted on the same step first: the decision would be applied twice."""


class Kind(models.TextChoices):
    APPS = "apps", _("政务应用")
    PLATFORMS = "platforms", _("信息平台")
    ACCOUNTS = "accounts", _("政务公众账号")
    GROUPS = "groups", _("工作群")
    FORMS = "forms", _("报表")


#: where each proposal kind lives in the registry (platforms are apps with category 'platform')
REGISTRY_KIND = {"apps": "apps", "platforms": "apps", "accounts": "accounts", "groups": "groups", "forms": "forms"}


def new_code() -> str:
    """A proposal's public identifier: SQ + date + random, never the integer key."""
    return f"SQ{timezone.localdate():%Y%m%d}{secrets.token_hex(3).upper()}"


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        RETURNED = "returned", _("退回修改")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("不予通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    #: transition → statuses it may start from (the target is decided by the method)
    TRANSITIONS = {
        "edit": {Status.DRAFT, Status.RETURNED},
        "submit": {Status.DRAFT, Status.RETURNED},
        "withdraw": {Status.DRAFT, Status.IN_REVIEW, Status.RETURNED},
        "comment": {Status.DRAFT, Status.IN_REVIEW, Status.RETURNED},
        "return": {Status.IN_REVIEW},
        "approve": {Status.IN_REVIEW},
        "reject": {Status.IN_REVIEW},
    }
    OPEN = {Status.DRAFT, Status.IN_REVIEW, Status.RETURNED}

    code = models.CharField(_("申报编号"), max_length=40, unique=True, default=new_code)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("申报单位"))
    owner_path = models.CharField(max_length=1000, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("申报人"),
    )
    created_by_name = models.CharField(_("申报人"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # The registry's fields: common ones here, the kind's own in `details` (see forms.DETAIL_FIELDS).
    name = models.CharField(_("名称"), max_length=300)
    item_code = models.CharField(_("拟用编号"), max_length=40, blank=True)
    details = models.JSONField(_("明细"), default=dict, blank=True)
    # What the rules ask of every proposal.
    justification = models.TextField(_("建设必要性"), blank=True)
    expected_users = models.CharField(_("预期用户"), max_length=300, blank=True)
    why_not_existing = models.TextField(_("现有系统无法满足的原因"), blank=True)
    shared_data = models.TextField(_("拟共享的数据"), blank=True)
    plan_ref = models.CharField(_("规划依据"), max_length=300, blank=True)
    related_systems = models.JSONField(_("对接系统"), default=list, blank=True)
    emergency = models.BooleanField(_("安全或应急用途"), default=False)
    emergency_reason = models.TextField(_("安全或应急用途说明"), blank=True)

    precheck = models.JSONField(_("预审结果"), default=dict, blank=True)
    precheck_at = models.DateTimeField(_("预审时间"), null=True, blank=True)
    # Resolved at submission from the region's route: [{"level", "region", "region_name"}, …].
    steps = models.JSONField(_("审批层级"), default=list, blank=True)
    current_step = models.PositiveSmallIntegerField(default=0)
    # The region whose office must act now: the "to review" page is one indexed lookup.
    current_region = models.CharField(max_length=40, blank=True, db_index=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    # Bumped by every transition; a decision is saved only if nobody moved the proposal meanwhile.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    # --- the workflow ---------------------------------------------------------------------------------

    def _require(self, transition: str) -> None:
        if self.status not in self.TRANSITIONS[transition]:
            raise IllegalTransition(
                f"申报当前状态为「{self.get_status_display()}」，不能{TRANSITION_LABELS[transition]}"
            )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def step(self) -> dict | None:
        if self.status != self.Status.IN_REVIEW or self.current_step >= len(self.steps):
            return None
        return self.steps[self.current_step]

    def check_editable(self) -> None:
        self._require("edit")

    def submit(self, steps: list[dict]) -> None:
        """Draft or returned → in review at the first level (a returned proposal starts the levels again)."""
        self._require("submit")
        if not steps:
            raise TransitionError(_("没有可用的审批层级，请联系减负办配置审批流程"))
        self.steps = steps
        self.current_step = 0
        self.current_region = steps[0]["region"]
        self.status = self.Status.IN_REVIEW
        self.submitted_at = timezone.now()
        self.decision_reason = ""

    def withdraw(self) -> None:
        self._require("withdraw")
        self.status = self.Status.WITHDRAWN
        self.current_region = ""
        self.decided_at = timezone.now()

    def check_comment(self) -> None:
        self._require("comment")

    def return_for_revision(self, step: int, reason: str) -> None:
        self._require("return")
        self._check_step(step)
        if not reason.strip():
            raise TransitionError(_("退回修改必须说明理由"))
        self.status = self.Status.RETURNED
        self.current_region = ""
        self.decision_reason = reason.strip()

    def approve(self, step: int) -> bool:
        """Approve the current level; True when it was the last one (the proposal is then approved)."""
        self._require("approve")
        self._check_step(step)
        if self.current_step + 1 < len(self.steps):
            self.current_step += 1
            self.current_region = self.steps[self.current_step]["region"]
            return False
        self.status = self.Status.APPROVED
        self.current_region = ""
        self.decided_at = timezone.now()
        return True

    def reject(self, step: int, reason: str) -> None:
        self._require("reject")
        self._check_step(step)
        if not reason.strip():
            raise TransitionError(_("不予通过必须说明理由"))
        self.status = self.Status.REJECTED
        self.current_region = ""
        self.decision_reason = reason.strip()
        self.decided_at = timezone.now()

    def _check_step(self, step: int) -> None:
        # The reviewer decided on the level shown to them; if it has moved on, the decision is stale.
        if step != self.current_step:
            raise StaleDecision("该申报已由其他审核人处理，请刷新页面后查看最新状态")

    # --- what the pre-check stored ----------------------------------------------------------------------

    @property
    def refusals(self) -> list[dict]:
        return [v for v in self.precheck.get("violations", []) if v.get("severity") == "refuse"]

    @property
    def registry_kind(self) -> str:
        return REGISTRY_KIND[self.kind]


TRANSITION_LABELS = {
    "edit": "修改",
    "submit": "提交",
    "withdraw": "撤回",
    "comment": "发表意见",
    "return": "退回修改",
    "approve": "审核通过",
    "reject": "作出不予通过决定",
}


class ProposalEvent(models.Model):
    """The proposal's visible history: submissions, comments and decisions, level by level."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        SUBMITTED = "submitted", _("提交")
        REFUSED = "refused", _("提交被拒")
        COMMENTED = "commented", _("意见")
        RETURNED = "returned", _("退回修改")
        APPROVED = "approved", _("审核通过")
        REJECTED = "rejected", _("不予通过")
        WITHDRAWN = "withdrawn", _("撤回")
        FILED = "filed", _("备案")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    level = models.CharField(_("审批层级"), max_length=20, blank=True)
    text = models.TextField(_("意见"), blank=True)
    # The reviewer's answers to the five review criteria: {"1": "yes", …}.
    criteria = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]


class Filing(models.Model):
    """An approved item in the catalogue (备案目录), with its filing number and review or expiry date."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已到期")

    class Basis(models.TextChoices):
        TASK_END = "task_end", _("任务结束日期")
        REVIEW = "review", _("定期复核")

    number = models.CharField(_("备案号"), max_length=60, unique=True)
    proposal = models.OneToOneField(Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="filing")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    registry_kind = models.CharField(max_length=20)
    item_code = models.CharField(_("台账编号"), max_length=40)
    name = models.CharField(_("名称"), max_length=300)
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="filings", verbose_name=_("主管单位"))
    owner_path = models.CharField(max_length=1000, db_index=True)
    # The region whose office gave the final approval: it decides renewals.
    region_code = models.CharField(_("备案机关"), max_length=40)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    approved_at = models.DateTimeField(_("备案时间"))
    expires_on = models.DateField(_("到期（复核）日期"), db_index=True)
    basis = models.CharField(_("到期依据"), max_length=20, choices=Basis.choices)
    # The expiry date a reminder was last sent for: one reminder per expiry date, even if the job runs twice.
    reminded_for = models.DateField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["expires_on", "number"]
        constraints = [models.UniqueConstraint(fields=["registry_kind", "item_code"], name="filing_item_unique")]

    def __str__(self) -> str:
        return self.number

    def days_left(self, today: dt.date | None = None) -> int:
        return (self.expires_on - (today or timezone.localdate())).days

    def expire(self) -> None:
        if self.status != self.Status.ACTIVE:
            raise IllegalTransition(f"备案当前状态为「{self.get_status_display()}」，不能置为到期")
        self.status = self.Status.EXPIRED
        self.expired_at = timezone.now()

    def renew(self, until: dt.date) -> None:
        if until <= self.expires_on and self.status == self.Status.ACTIVE:
            raise TransitionError(_("续期后的日期应晚于原到期日期"))
        self.expires_on = until
        self.status = self.Status.ACTIVE
        self.expired_at = None
        self.reminded_for = None


class RenewalRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("未同意")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="renewals")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_by_name = models.CharField(_("申请人"), max_length=150)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    until = models.DateField(_("申请续期至"))
    reason = models.TextField(_("续期理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["filing"], condition=Q(status="pending"), name="renewal_one_pending")
        ]

    def decide(self, approve: bool, reason: str) -> None:
        if self.status != self.Status.PENDING:
            raise IllegalTransition("该续期申请已处理")
        if not approve and not reason.strip():
            raise TransitionError(_("不同意续期必须说明理由"))
        self.status = self.Status.APPROVED if approve else self.Status.REJECTED
        self.decision_reason = reason.strip()
        self.decided_at = timezone.now()


class RegionPolicy(models.Model):
    """A region's filing rules; each key overrides the regions above it (see jianfu.filings.policy)."""

    region = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="filing_policy", verbose_name=_("地区"))
    # kind → approval levels in order, e.g. {"apps": ["county", "city"]}
    routes = models.JSONField(_("审批层级"), default=dict, blank=True)
    # kind → days from approval to the review date (temporary groups expire at their task end instead)
    valid_days = models.JSONField(_("备案有效天数"), default=dict, blank=True)
    remind_days = models.PositiveIntegerField(_("提前提醒天数"), null=True, blank=True)
    # Items that reach the registry on or after this date without a filing are off-catalog.
    filing_since = models.DateField(_("备案制度实施日期"), null=True, blank=True)
    # The region's digitalisation plan: projects a proposal's plan reference is matched against.
    plan_items = models.JSONField(_("数字化建设规划项目"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.region.name}"


class FilingSequence(models.Model):
    """The last filing number issued per (region, kind, year), incremented under a row lock."""

    key = models.CharField(max_length=80, unique=True)
    last = models.PositiveIntegerField(default=0)
