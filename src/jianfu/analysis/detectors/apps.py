"""Apps and platforms judged one at a time: zombies and forced-use features."""

from __future__ import annotations

from datetime import date
from typing import Any

from jianfu.analysis import arithmetic
from jianfu.analysis.backend import SQLStep, has_any, sql_list
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import date_literal, output_table, sql_detector
from jianfu.analysis.schema import APP_FEATURES, features_of_rule
from jianfu.analysis.snapshot import input_name

APPS = input_name("apps")
BURDEN = "__jf_b_app"


def _kind(row: dict[str, Any]) -> str:
    return "平台" if row.get("category") == "platform" else "应用"


def zombie_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    today = date_literal(as_of)
    pct = float(config.zombie_mau_percent)
    # An app nobody updates but many still use is a maintenance problem, not a zombie to close: it is to be
    # rectified (kept up or handed over), and closing it would save nobody any time.
    # 100·MAU < pct·registered keeps 4.99 % vs 5 % exact (integers on the left, an exact double on the right).
    return [
        SQLStep(
            output_table("zombie_app"),
            f"""
SELECT 'F5' AS rule, CASE WHEN still_used THEN 'rectify' ELSE 'cancel' END AS action, [code] AS items, owner_code,
  1.0 AS score, CASE WHEN still_used THEN 0.0 ELSE hours_saved END AS hours_saved, name, category,
  low_use, stale, still_used, last_update, forced_features, ev_mau_percent, ev_monthly_active_users,
  ev_registered_users, ev_days_since_update, ev_people_in_scope
FROM (
  SELECT a.code, a.owner_code, a.name, a.category, a.forced_features,
    CAST(coalesce(a.last_update, a.launch_date) AS VARCHAR) AS last_update, coalesce(b.scope_people, 0) AS ev_people_in_scope,
    -- Closing an app removes what it forces on people, not the work its users do in it (burden-model.md).
    coalesce(b.f1_h, 0) + coalesce(b.f2_h, 0) + coalesce(b.f3_h, 0) AS hours_saved,
    coalesce(a.registered_users > 0 AND a.monthly_active_users IS NOT NULL
             AND 100 * a.monthly_active_users < {pct!r} * a.registered_users, false) AS low_use,
    coalesce(date_diff('day', coalesce(a.last_update, a.launch_date), {today}) >= {int(config.zombie_no_update_days)},
             false) AS stale,
    CASE WHEN a.registered_users > 0 THEN round(100.0 * a.monthly_active_users / a.registered_users, 2) END
      AS ev_mau_percent,
    coalesce(a.registered_users > 0 AND a.monthly_active_users IS NOT NULL
             AND 100 * a.monthly_active_users >= {pct!r} * a.registered_users, false) AS still_used,
    a.monthly_active_users AS ev_monthly_active_users, a.registered_users AS ev_registered_users,
    date_diff('day', coalesce(a.last_update, a.launch_date), {today}) AS ev_days_since_update
  FROM {APPS} a LEFT JOIN {BURDEN} b ON b.code = a.code
  WHERE a.code IS NOT NULL
) t
WHERE low_use OR stale""",
        )
    ]


def zombie_reason(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Names only the condition that held: low use, no update, or both, with the numbers."""
    params = {
        "kind": _kind(row),
        "name": row["name"] or row["items"][0],
        "percent": f"{row['ev_mau_percent'] or 0:g}",
        "days": row["ev_days_since_update"],
        "since": row["last_update"] or "",
    }
    if row["low_use"] and row["stale"]:
        return (
            "{kind}「{name}」月活跃用户仅占注册用户的{percent}%，且已{days}天未更新（最近更新{since}），"
            "建议关停或整合。",
            params,
        )
    if row["low_use"]:
        return "{kind}「{name}」月活跃用户仅占注册用户的{percent}%，使用率低，建议关停或整合。", params
    if row["still_used"]:
        return (
            "{kind}「{name}」已{days}天未更新（最近更新{since}），但月活跃用户仍占注册用户的{percent}%，"
            "建议明确维护责任、及时更新，而非关停。",
            params,
        )
    return ("{kind}「{name}」已{days}天未更新（最近更新{since}），疑似无人维护，建议核实后关停或整合。", params)


def zombie_arithmetic(row: dict[str, Any], config: AnalysisConfig) -> list[dict[str, Any]]:
    if row["still_used"]:
        return []  # nothing is closed, so no hours are claimed
    return arithmetic.app_forced(
        row["ev_people_in_scope"], row["forced_features"], config.burden, None, row["ev_monthly_active_users"]
    )


def forced_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    parts = []
    for rule in ("F1", "F2", "F3"):
        terms = sql_list(features_of_rule(APP_FEATURES, rule))
        parts.append(f"""
SELECT '{rule}' AS rule, 'rectify' AS action, [a.code] AS items, a.owner_code, 1.0 AS score,
  coalesce(b.{rule.lower()}_h, 0) AS hours_saved, a.name, a.category, a.forced_features,
  array_intersect(a.forced_features, {terms}) AS terms,
  array_length(array_intersect(a.forced_features, {terms})) AS ev_features, coalesce(b.scope_people, 0) AS ev_people_in_scope,
  a.monthly_active_users
FROM {APPS} a LEFT JOIN {BURDEN} b ON b.code = a.code
WHERE a.code IS NOT NULL AND {has_any("a.forced_features", terms)}""")
    return [SQLStep(output_table("forced_feature"), "\nUNION ALL".join(parts))]


FORCED_TEMPLATES = {
    "F1": "{kind}「{name}」设有{terms}等要求，属于强制使用，建议整改。",
    "F2": "{kind}「{name}」设有{terms}等要求，属于过度留痕，建议整改。",
    "F3": "{kind}「{name}」设有{terms}等要求，以排名、时长或点赞转发考核基层，属于滥用排名，建议整改。",
}


def forced_reason(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    order = list(APP_FEATURES)
    terms = "、".join(sorted(set(row["terms"]), key=order.index))
    return FORCED_TEMPLATES[row["rule"]], {"kind": _kind(row), "name": row["name"] or row["items"][0], "terms": terms}


def forced_arithmetic(row: dict[str, Any], config: AnalysisConfig) -> list[dict[str, Any]]:
    return arithmetic.app_forced(
        row["ev_people_in_scope"], row["forced_features"], config.burden, row["rule"], row["monthly_active_users"]
    )


ZOMBIE = sql_detector("zombie_app", zombie_steps, zombie_reason, zombie_arithmetic)
FORCED = sql_detector("forced_feature", forced_steps, forced_reason, forced_arithmetic)
