"""The scheduled run (`jianfu filings expire`, daily from cron or a systemd timer) and the off-catalog check.

Each filing is claimed with a conditional UPDATE before anything is sent, healthchecks style: two runs at
once, or a run repeated after a crash, send one reminder per expiry date and expire each filing once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from jianfu.accounts.models import Role, User
from jianfu.audit.log import record
from jianfu.filings import policy as policies
from jianfu.filings.models import Filing, RegionPolicy
from jianfu.inbox.api import notify
from jianfu.registry.models import App, Form, PublicAccount, WorkGroup


@dataclass
class LifecycleReport:
    as_of: dt.date
    reminded: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)


def _owners(filing: Filing) -> list[User]:
    """Who hears about a filing: its proposer and the officers of the owner unit."""
    users = list(User.objects.filter(is_active=True, unit_id=filing.owner_id, role__in=[Role.DEPARTMENT, Role.OFFICE]))
    if filing.proposal_id and filing.proposal.created_by_id:
        users.insert(0, filing.proposal.created_by)
    return users


def _remind_days(filing: Filing, cache: dict[int, int]) -> int:
    if filing.owner_id not in cache:
        cache[filing.owner_id] = policies.policy_for(filing.owner).remind_days
    return cache[filing.owner_id]


def run_lifecycle(as_of: dt.date | None = None, *, actor: str = "scheduler") -> LifecycleReport:
    """Send reminders for filings close to their date, and expire those whose date has passed."""
    today = as_of or timezone.localdate()
    report = LifecycleReport(today)
    _send_reminders(today, actor, report)
    _expire_passed(today, actor, report)
    return report


def _send_reminders(today: dt.date, actor: str, report: LifecycleReport) -> None:
    """Remind the owners of the active filings within their region's reminder window, once per expiry date."""
    cache: dict[int, int] = {}
    longest = max(
        [
            policies.DEFAULT_REMIND_DAYS,
            *RegionPolicy.objects.exclude(remind_days=None).values_list("remind_days", flat=True),
        ]
    )
    due = (
        Filing.objects.filter(
            status=Filing.Status.ACTIVE, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=longest)
        )
        .exclude(reminded_for=F("expires_on"))
        .select_related("owner", "proposal__created_by")
    )
    for filing in due:
        days = filing.days_left(today)
        if days > _remind_days(filing, cache):
            continue
        # Claim: only the run whose update succeeds sends the reminder.
        claimed = (
            Filing.objects.filter(pk=filing.pk, status=Filing.Status.ACTIVE, expires_on=filing.expires_on)
            .exclude(reminded_for=filing.expires_on)
            .update(reminded_for=filing.expires_on)
        )
        if not claimed:
            continue
        what = "任务结束" if filing.basis == Filing.Basis.TASK_END else "复核"
        notify(
            _owners(filing),
            f"备案即将到期：{filing.name}",
            f"备案 {filing.number}（{filing.name}）将于 {filing.expires_on:%Y-%m-%d} 到期（{what}），还有 {days} 天。"
            f"如需继续使用，请在到期前申请续期；不再需要的请及时注销、解散。",
            url=reverse("filings:filing", args=[filing.number]),
            topic="filing.reminder",
        )
        record(
            actor=actor,
            action="filing.reminded",
            kind="filings",
            code=filing.number,
            changes={"reminder": [None, f"{filing.expires_on:%Y-%m-%d}（{days} 天后）"]},
            unit_path=filing.owner_path,
        )
        report.reminded.append(filing.number)


def _expire_passed(today: dt.date, actor: str, report: LifecycleReport) -> None:
    """Expire the active filings whose date has passed, and tell their owners."""
    for filing in Filing.objects.filter(status=Filing.Status.ACTIVE, expires_on__lt=today).select_related(
        "owner", "proposal__created_by"
    ):
        filing.expire()  # the transition, in memory; the conditional update below applies it once
        claimed = Filing.objects.filter(pk=filing.pk, status=Filing.Status.ACTIVE, expires_on__lt=today).update(
            status=filing.status, expired_at=filing.expired_at
        )
        if not claimed:
            continue
        notify(
            _owners(filing),
            f"备案已到期：{filing.name}",
            f"备案 {filing.number}（{filing.name}）已于 {filing.expires_on:%Y-%m-%d} 到期。"
            + (
                "临时工作群任务已结束，请及时解散。"
                if filing.registry_kind == "groups" and filing.basis == Filing.Basis.TASK_END
                else "如需继续使用，请申请续期。"
            ),
            url=reverse("filings:filing", args=[filing.number]),
            topic="filing.expired",
        )
        record(
            actor=actor,
            action="filing.expired",
            kind="filings",
            code=filing.number,
            changes={"status": [Filing.Status.ACTIVE, Filing.Status.EXPIRED]},
            unit_path=filing.owner_path,
        )
        report.expired.append(filing.number)


# --- off-catalog -------------------------------------------------------------------------------------------

OFF_CATALOG_KINDS = {
    "apps": (App, "owner", "name"),
    "accounts": (PublicAccount, "owner", "name"),
    "groups": (WorkGroup, "owner", "name"),
    "forms": (Form, "issuer", "title"),
}


def _since_q(unit_field: str) -> Q:
    """Items that reached the registry after the filing rules applied to their region (most specific wins)."""
    policies_with_date = list(RegionPolicy.objects.exclude(filing_since=None).select_related("region"))
    default = policies.EffectivePolicy().filing_since
    paths = sorted(((p.region.path, p.filing_since) for p in policies_with_date), key=lambda x: -len(x[0]))
    q = Q(pk__in=[])
    covered = Q(pk__in=[])
    for path, since in paths:
        under = Q(**{f"{unit_field}__path__startswith": path})
        q |= under & ~covered & Q(created_at__date__gte=since)
        covered |= under
    q |= ~covered & (Q(created_at__date__gte=default) if default else Q())
    return q


def off_catalog(kind: str, base: QuerySet | None = None) -> QuerySet:
    """Registry items of a kind that have no filing (from imports or edits), under the region's gate date."""
    model, unit_field, _title = OFF_CATALOG_KINDS[kind]
    qs = base if base is not None else model.objects.all()
    filed = Filing.objects.filter(registry_kind=kind, item_code=OuterRef("code"))
    return qs.filter(_since_q(unit_field)).exclude(Exists(filed))
