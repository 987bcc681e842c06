"""Work groups judged one at a time: expired temporary groups, idle groups, demands made of members."""

from __future__ import annotations

from datetime import date
from typing import Any

from jianfu.analysis import arithmetic
from jianfu.analysis.backend import SQLStep, has_any, sql_list
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import date_literal, output_table, sql_detector
from jianfu.analysis.schema import GROUP_DEMANDS, features_of_rule
from jianfu.analysis.snapshot import input_name

GROUPS = input_name("groups")
BURDEN = "__jf_b_grp"
# Dissolving an idle or finished group removes what belonging to it costs and what it demands; its messages,
# if any, are work that goes on elsewhere (burden-model.md).
RESIDUAL_H = "coalesce(b.attention_h, 0) + coalesce(b.f1_h, 0) + coalesce(b.f2_h, 0)"


def expired_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    today = date_literal(as_of)
    # A task that ends today is not over yet: only an end date before the analysis date counts.
    return [
        SQLStep(
            output_table("expired_group"),
            f"""
SELECT 'F5' AS rule, 'cancel' AS action, [g.code] AS items, g.owner_code, 1.0 AS score,
  {RESIDUAL_H} AS hours_saved, g.name, CAST(g.task_end_date AS VARCHAR) AS task_end_date, g.demands,
  date_diff('day', g.task_end_date, {today}) AS ev_days_past_end,
  coalesce(b.members, 0) AS ev_members, coalesce(g.messages_30d, 0) AS ev_messages_30d, g.messages_30d
FROM {GROUPS} g LEFT JOIN {BURDEN} b ON b.code = g.code
WHERE g.code IS NOT NULL AND g.nature = 'temporary' AND g.task_end_date < {today}""",
        )
    ]


def expired_reason(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return (
        "临时工作群「{name}」的任务已于{end}结束（已过{days}天），群仍未解散，建议解散。",
        {"name": row["name"] or row["items"][0], "end": row["task_end_date"], "days": row["ev_days_past_end"]},
    )


def residual_arithmetic(row: dict[str, Any], config: AnalysisConfig) -> list[dict[str, Any]]:
    """What dissolving a group removes: membership and the demands, for every member."""
    members = row["ev_members"]
    return [arithmetic.group_attention(members, config.burden)] + arithmetic.group_demands(
        members, row["demands"], row["messages_30d"], config.burden
    )


def idle_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    today = date_literal(as_of)
    # Never active: idle since it was created. Unknown dates, or messages without a date: not judged.
    return [
        SQLStep(
            output_table("idle_group"),
            f"""
SELECT 'F5' AS rule, 'cancel' AS action, [code] AS items, owner_code, 1.0 AS score, hours_saved, name,
  CAST(last_active AS VARCHAR) AS last_active, demands, messages_30d, ev_idle_days, ev_members
FROM (
  SELECT g.code, g.owner_code, g.name, g.last_active, g.demands, g.messages_30d,
    {RESIDUAL_H} AS hours_saved,
    date_diff('day', coalesce(g.last_active, g.created_date), {today}) AS ev_idle_days,
    coalesce(b.members, 0) AS ev_members
  FROM {GROUPS} g LEFT JOIN {BURDEN} b ON b.code = g.code
  WHERE g.code IS NOT NULL AND NOT (g.last_active IS NULL AND coalesce(g.messages_30d, 0) > 0)
) t
WHERE ev_idle_days >= {int(config.idle_group_days)}""",
        )
    ]


def idle_reason(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    params = {"name": row["name"] or row["items"][0], "days": row["ev_idle_days"], "since": row["last_active"] or ""}
    if row["last_active"]:
        return "工作群「{name}」已{days}天没有消息（最近活跃{since}），建议解散。", params
    return "工作群「{name}」已{days}天没有消息（建群后从未活跃），建议解散。", params


def demand_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    parts = []
    for rule, hours in (("F1", "f1_h"), ("F2", "f2_h")):
        terms = sql_list(features_of_rule(GROUP_DEMANDS, rule))
        parts.append(f"""
SELECT '{rule}' AS rule, 'rectify' AS action, [g.code] AS items, g.owner_code, 1.0 AS score,
  coalesce(b.{hours}, 0) AS hours_saved, g.name, g.demands, array_intersect(g.demands, {terms}) AS terms,
  array_length(array_intersect(g.demands, {terms})) AS ev_demands, coalesce(b.members, 0) AS ev_members,
  coalesce(g.messages_30d, 0) AS ev_messages_30d, g.messages_30d
FROM {GROUPS} g LEFT JOIN {BURDEN} b ON b.code = g.code
WHERE g.code IS NOT NULL AND {has_any("g.demands", terms)}""")
    return [SQLStep(output_table("group_demand"), "\nUNION ALL".join(parts))]


DEMAND_TEMPLATES = {
    "F1": "工作群「{name}」要求成员{terms}，属于强制使用，建议整改。",
    "F2": "工作群「{name}」要求成员{terms}，属于过度留痕，建议整改。",
}


def demand_reason(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    order = list(GROUP_DEMANDS)
    terms = "、".join(sorted(set(row["terms"]), key=order.index))
    return DEMAND_TEMPLATES[row["rule"]], {"name": row["name"] or row["items"][0], "terms": terms}


def demand_arithmetic(row: dict[str, Any], config: AnalysisConfig) -> list[dict[str, Any]]:
    return arithmetic.group_demands(row["ev_members"], row["demands"], row["messages_30d"], config.burden, row["rule"])


EXPIRED = sql_detector("expired_group", expired_steps, expired_reason, residual_arithmetic)
IDLE = sql_detector("idle_group", idle_steps, idle_reason, residual_arithmetic)
DEMAND = sql_detector("group_demand", demand_steps, demand_reason, demand_arithmetic)
