"""How a finding's hours saved come about: people × times a month × minutes, and the parameter that says so.

Each term is a dict ``{"what", "who", "people", "times_per_month", "minutes", "param", "hours"}``; ``what``
and ``who`` are Chinese labels, ``param`` names the BurdenParams entry. The terms
are shown on the finding page; they use the parameters of the owner's region (docs/burden-model.md).
"""

from __future__ import annotations

from typing import Any, Iterable

from jianfu.analysis.config import BurdenParams
from jianfu.analysis.schema import ACCOUNT_ASSESSMENTS, APP_FEATURES, GROUP_DEMANDS

Term = dict[str, Any]
_REPLY_DEMANDS = ("即时回复", "收到请回复")
REGION = "主管单位所在地区的全体人员"
ACTIVE = "活跃用户"
MEMBERS = "群成员"
SHARED_MEMBERS = "与另一群重合的成员"
OWNER = "主办单位"


def term(
    what: str | tuple[str, dict[str, Any]],
    people: float,
    times_per_month: float,
    minutes: float,
    param: str,
    who: str = REGION,
) -> Term:
    """One line of the arithmetic; hours = people × times × minutes / 60. ``what`` is a label or a
    (template, params) pair, kept as such so that a user interface can translate it."""
    people, times, minutes = float(people or 0), float(times_per_month or 0), float(minutes or 0)
    template, fields = (what, {}) if isinstance(what, str) else what
    return {
        "what": template.format(**fields),
        "what_template": template,
        "what_params": fields,
        "who": who,
        "people": int(round(people)),
        "times_per_month": round(times, 3),
        "minutes": round(minutes, 3),
        "param": param,
        "hours": round(people * times * minutes / 60.0, 2),
    }


def _ordered(terms: Iterable[str], vocabulary: dict) -> list[str]:
    order = list(vocabulary)
    return sorted({t for t in terms or () if t in vocabulary}, key=order.index)


def app_forced(
    people: float,
    features: Iterable[str],
    params: BurdenParams,
    rule: str | None = None,
    monthly_active_users: int | None = None,
) -> list[Term]:
    """Forced-use features of an app (of one rule, or all), borne by the ``people`` of its region, or by its
    monthly active users when fewer of them are known (a daily check-in makes its user active)."""
    who = REGION
    if monthly_active_users is not None and monthly_active_users < float(people or 0):
        people, who = monthly_active_users, ACTIVE
    out = []
    for feature in _ordered(features, APP_FEATURES):
        if rule and APP_FEATURES[feature][0] != rule:
            continue
        cadence = params.app_features.get(feature)
        if cadence is None:
            continue
        out.append(
            term(
                ("强制功能「{term}」", {"term": feature}),
                people,
                params.times_per_month(cadence),
                cadence.minutes,
                f"app_features[{feature}]",
                who,
            )
        )
    return out


def app_duplicated_usage(users: float, usage_hours: float, params: BurdenParams) -> list[Term]:
    """The duplicated share of a merged app's use (reporting the same thing twice)."""
    per_user_minutes = params.app_minutes_per_session
    sessions = params.app_sessions_per_active_user
    active = usage_hours * 60.0 / (sessions * per_user_minutes) if sessions and per_user_minutes else 0.0
    return [
        term(
            "重复使用（活跃用户 × 次数 × 分钟 × duplicate_work_share）",
            active,
            sessions * params.duplicate_work_share,
            per_user_minutes,
            "app_sessions_per_active_user, app_minutes_per_session, duplicate_work_share",
            ACTIVE,
        )
    ]


def group_demands(
    members: float,
    demands: Iterable[str],
    messages: float | None,
    params: BurdenParams,
    rule: str | None = None,
    who: str = MEMBERS,
) -> list[Term]:
    """Demands a group makes of every member (of one rule, or all). ``messages`` is the group's messages in the
    last 30 days (None: unknown); a group with none demands nothing that month (every demand is a post)."""
    out = []
    silent = messages is not None and float(messages) == 0
    messages = float(messages or 0)
    for demand in [] if silent else _ordered(demands, GROUP_DEMANDS):
        if rule and GROUP_DEMANDS[demand][0] != rule:
            continue
        cadence = params.group_demands.get(demand)
        if cadence is not None and cadence.times and cadence.minutes:
            out.append(
                term(
                    ("群内要求「{term}」", {"term": demand}),
                    members,
                    params.times_per_month(cadence),
                    cadence.minutes,
                    f"group_demands[{demand}]",
                    who,
                )
            )
    if (rule in (None, "F1")) and any(d in _REPLY_DEMANDS for d in demands or ()):
        extra = messages * (params.group_reply_share_demanded - params.group_reply_share)
        out.append(
            term(
                "被要求回复的消息（近30天消息数 × 回复比例之差）",
                members,
                extra,
                params.group_minutes_per_reply,
                "group_reply_share_demanded − group_reply_share, group_minutes_per_reply",
                who,
            )
        )
    return out


def group_attention(
    members: float, params: BurdenParams, what: str | tuple[str, dict[str, Any]] = "成员关注本群", who: str = MEMBERS
) -> Term:
    return term(what, members, 1, params.group_attention_minutes, "group_attention_minutes", who)


def group_messages(members: float, messages: float, params: BurdenParams, share: float) -> list[Term]:
    """The share of a group's messages that another group already carries: reading and replying to them."""
    minutes = params.group_read_seconds_per_message / 60.0 + params.group_reply_share * params.group_minutes_per_reply
    return [
        term(
            "另一群已承载的重复消息（近30天消息数 × duplicate_work_share）",
            members,
            messages * share,
            minutes,
            "group_read_seconds_per_message, group_reply_share, group_minutes_per_reply, duplicate_work_share",
            SHARED_MEMBERS,
        )
    ]


def account_assessments(
    people: float, assessments: Iterable[str], posts: float | None, params: BurdenParams
) -> list[Term]:
    """Assessments an account imposes on everyone in its region."""
    out = []
    for name in _ordered(assessments, ACCOUNT_ASSESSMENTS):
        cadence = params.account_assessments.get(name)
        if cadence is None or not cadence.times or not cadence.minutes:
            continue
        if cadence.per == "post":
            times = cadence.times * (params.account_posts_default if posts is None else posts)
        else:
            times = params.times_per_month(cadence)
        out.append(
            term(("考核要求「{term}」", {"term": name}), people, times, cadence.minutes, f"account_assessments[{name}]")
        )
    return out


def account_upkeep(params: BurdenParams) -> Term:
    return term("主办单位维护账号", 1, 1, params.account_upkeep_hours * 60, "account_upkeep_hours", OWNER)
