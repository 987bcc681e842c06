"""Which carriers are active on a given day: the one definition detection, burden and the reports share.

A carrier is active on day D when it had begun by D (its launch, opening or creation date, where the registry
knows one) and had not been cancelled or merged on or before D. A temporary group past its task end is still
active: its expiry is a finding (``expired_group``), not a status, until someone cancels it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Model, Q

from jianfu.registry.models import App, CarrierStatus, Form, PublicAccount, WorkGroup

# The report's carrier kinds (formats.md "Outcome summary"), platforms apart from apps, with their models.
KINDS: dict[str, type[Model]] = {
    "groups": WorkGroup,
    "apps": App,
    "platforms": App,
    "accounts": PublicAccount,
    "forms": Form,
}
START_FIELD: dict[type[Model], str | None] = {
    App: "launch_date",
    PublicAccount: "opened_date",
    WorkGroup: "created_date",
    Form: None,
}
# Finding item kinds (jianfu.analysis.findings.ITEM_KIND, plus forms) → model.
ITEM_MODELS: dict[str, type[Model]] = {"group": WorkGroup, "app": App, "account": PublicAccount, "form": Form}


def active_q(model: type[Model], day: dt.date, prefix: str = "") -> Q:
    """A Q selecting the carriers of ``model`` active on ``day`` (``prefix`` for a lookup through a relation)."""
    ended = Q(**{f"{prefix}status_date__lte": day}) & ~Q(**{f"{prefix}status": CarrierStatus.ACTIVE})
    q = ~ended
    start = START_FIELD[model]
    if start:
        q &= Q(**{f"{prefix}{start}__isnull": True}) | Q(**{f"{prefix}{start}__lte": day})
    return q


def status_q(status: str, day: dt.date, prefix: str = "") -> Q:
    """A Q selecting the carriers whose status on ``day`` is ``status``: ``active`` (not cancelled or merged on or
    before ``day``), ``cancelled`` or ``merged`` (on or before ``day``); the registry lists' ``?status=``."""
    ended = Q(**{f"{prefix}status_date__lte": day}) & ~Q(**{f"{prefix}status": CarrierStatus.ACTIVE})
    if status == CarrierStatus.ACTIVE:
        return ~ended
    return ended & Q(**{f"{prefix}status": status})


def status_on(carrier: Model, day: dt.date) -> str:
    """The carrier's status on ``day``, as ``status_q`` selects it: its cancellation or merger once dated on or
    before ``day``, else active (a change dated later, or undated, has not happened yet)."""
    return stored_status_on(carrier.status, carrier.status_date, day)


def stored_status_on(status: str, status_date: dt.date | None, day: dt.date) -> str:
    """status_on for the two stored columns, as a list page reads them with .values()."""
    ended = status != CarrierStatus.ACTIVE and status_date is not None and status_date <= day
    return status if ended else CarrierStatus.ACTIVE


def kind_filter(kind: str) -> Q:
    """Apps and platforms share a table: the category tells them apart."""
    if kind == "platforms":
        return Q(category=App.Category.PLATFORM)
    if kind == "apps":
        return ~Q(category=App.Category.PLATFORM)
    return Q()


def item_kind_of_type(finding_type: str) -> str | None:
    """The kind of carrier a finding type names (group, app, account, form)."""
    from jianfu.analysis.findings import ITEM_KIND

    if finding_type == "duplicate_forms":
        return "form"
    return ITEM_KIND.get(finding_type)


def size_of(obj: Model) -> int:
    """How big a carrier is, for the default keeper of a merge: members, users, followers or fields."""
    if isinstance(obj, WorkGroup):
        return obj.member_count or 0
    if isinstance(obj, App):
        return obj.registered_users or obj.monthly_active_users or 0
    if isinstance(obj, PublicAccount):
        return obj.followers or 0
    if isinstance(obj, Form):
        return obj.fields.count()
    return 0
