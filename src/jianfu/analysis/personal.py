"""One person's share of each carrier, in minutes a month: the burden model's formulas for a single bearer.

The SQL steps of :mod:`jianfu.analysis.burden` cost every carrier for everyone at once; a cadre's own page and a
burden survey need the same figures for one person and one carrier at a time. These functions are those
formulas (docs/burden-model.md, "Formulas") for one bearer, with the parameter set of that bearer's unit; a
test checks that they add up to the SQL model's total for each person. No Django here: callers pass the
carrier's facts in.
"""

from __future__ import annotations

from collections.abc import Iterable

from jianfu.analysis.config import BurdenParams, Cadence
from jianfu.analysis.schema import ACCOUNT_ASSESSMENTS, APP_FEATURES, FREQUENCIES, GROUP_DEMANDS

_ZERO = Cadence(0, "month", 0.0)
_REPLY_DEMANDS = ("即时回复", "收到请回复")


def app_share(params: BurdenParams, monthly_active_users: int | None, scope_people: int) -> float:
    """Share of the people in the app's region who use it: MAU / P(R), or the default when MAU is unknown."""
    if monthly_active_users is None or not scope_people:
        return params.app_active_share_default
    return min(1.0, monthly_active_users / scope_people)


def forced_share(monthly_active_users: int | None, scope_people: int) -> float:
    """Share of the region's people who bear an app's forced features: those who open it (MAU / P(R)) when
    MAU is known — a daily check-in makes its user active — and everyone when it is not."""
    if monthly_active_users is None or not scope_people:
        return 1.0
    return min(1.0, monthly_active_users / scope_people)


def app_usage_minutes(params: BurdenParams, share: float) -> float:
    return share * params.app_sessions_per_active_user * params.app_minutes_per_session


def app_forced_minutes(params: BurdenParams, forced_features: Iterable[str]) -> float:
    return sum(
        (params.per_month(params.app_features.get(f, _ZERO)) for f in set(forced_features or ()) if f in APP_FEATURES),
        0.0,
    )


def app_minutes(
    params: BurdenParams, monthly_active_users: int | None, scope_people: int, forced_features: Iterable[str]
) -> float:
    """Minutes a month an app or platform costs each person of its owner's region."""
    share = app_share(params, monthly_active_users, scope_people)
    forced = forced_share(monthly_active_users, scope_people) * app_forced_minutes(params, forced_features)
    return app_usage_minutes(params, share) + forced


def group_minutes(params: BurdenParams, messages_30d: float | None, demands: Iterable[str]) -> float:
    """Minutes a month a work group costs each member: attention, messages, F1 and F2 demands. A group with no
    message in 30 days (0, not unknown) demands nothing that month: every demand is a post in the group."""
    msgs = float(messages_30d or 0)
    silent = messages_30d is not None and msgs == 0
    demands = set(demands or ())
    minutes = params.group_attention_minutes
    minutes += msgs * (
        params.group_read_seconds_per_message / 60.0 + params.group_reply_share * params.group_minutes_per_reply
    )
    if not silent:
        minutes += sum(params.per_month(params.group_demands.get(d, _ZERO)) for d in demands if d in GROUP_DEMANDS)
    if demands & set(_REPLY_DEMANDS):
        minutes += (
            msgs * (params.group_reply_share_demanded - params.group_reply_share) * params.group_minutes_per_reply
        )
    return minutes


def account_minutes(params: BurdenParams, assessments: Iterable[str], posts_30d: float | None) -> float:
    """Minutes a month a public account's assessments cost each person of its owner's region."""
    total = 0.0
    for name in set(assessments or ()):
        if name not in ACCOUNT_ASSESSMENTS:
            continue
        cad = params.account_assessments.get(name, _ZERO)
        if cad.per == "post":
            posts = params.account_posts_default if posts_30d is None else float(posts_30d)
            total += cad.times * cad.minutes * posts
        else:
            total += params.per_month(cad)
    return total


def form_unit_minutes(
    params: BurdenParams, frequency: str | None, minutes_per_filing: float | None, fields: int
) -> float:
    """Minutes a month one respondent unit spends on a form (its people share them equally)."""
    freq = frequency if frequency in FREQUENCIES else "adhoc"
    filings = params.times_per_month(params.form_frequency.get(freq, _ZERO))
    minutes = (
        float(minutes_per_filing)
        if minutes_per_filing is not None
        else params.form_minutes_base + params.form_minutes_per_field * fields
    )
    return filings * minutes


def form_minutes(
    params: BurdenParams, frequency: str | None, minutes_per_filing: float | None, fields: int, sharing_people: int
) -> float:
    """One person's share of a form: the respondent unit's minutes divided among its people."""
    return form_unit_minutes(params, frequency, minutes_per_filing, fields) / max(1, sharing_people)
