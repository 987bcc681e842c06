"""Work groups judged one at a time: expired temporary groups, idle groups, demands made of members."""

from __future__ import annotations

from datetime import date
from typing import Any

from jianfu.analysis.backend import SQLStep, has_any, sql_list
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import date_literal, output_table, sql_detector
from jianfu.analysis.schema import GROUP_DEMANDS, features_of_rule
from jianfu.analysis.snapshot import input_name

GROUPS = input_name("groups")
BURDEN = "__jf_b_grp"


def expired_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    today = date_literal(as_of)
    # A task that ends today is not over yet: only an end date before the analysis date counts.
    return [SQLStep(output_table("expired_group"), f"""
SELECT 'F5' AS rule, 'cancel' AS action, [g.code] AS items, g.owner_code, 1.0 AS score,
  coalesce(b.total_h, 0) AS hours_saved, g.name, CAST(g.task_end_date AS VARCHAR) AS task_end_date,
  date_diff('day', g.task_end_date, {today}) AS ev_days_past_end,
  coalesce(b.members, 0) AS ev_members, coalesce(g.messages_30d, 0) AS ev_messages_30d
FROM {GROUPS} g LEFT JOIN {BURDEN} b ON b.code = g.code
WHERE g.code IS NOT NULL AND g.nature = 'temporary' AND g.task_end_date < {today}""")]


def expired_reason(row: dict[str, Any]) -> str:
    return (f"临时工作群「{row['name'] or row['items'][0]}」的任务已于{row['task_end_date']}结束"
            f"（已过{row['ev_days_past_end']}天），群仍未解散，建议解散。")


def idle_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    today = date_literal(as_of)
    # Never active: idle since it was created. Unknown dates, or messages without a date: not judged.
    return [SQLStep(output_table("idle_group"), f"""
SELECT 'F5' AS rule, 'cancel' AS action, [code] AS items, owner_code, 1.0 AS score, hours_saved, name,
  CAST(last_active AS VARCHAR) AS last_active, ev_idle_days, ev_members
FROM (
  SELECT g.code, g.owner_code, g.name, g.last_active, coalesce(b.total_h, 0) AS hours_saved,
    date_diff('day', coalesce(g.last_active, g.created_date), {today}) AS ev_idle_days,
    coalesce(b.members, 0) AS ev_members
  FROM {GROUPS} g LEFT JOIN {BURDEN} b ON b.code = g.code
  WHERE g.code IS NOT NULL AND NOT (g.last_active IS NULL AND coalesce(g.messages_30d, 0) > 0)
) t
WHERE ev_idle_days >= {int(config.idle_group_days)}""")]


def idle_reason(row: dict[str, Any]) -> str:
    since = f"（最近活跃{row['last_active']}）" if row["last_active"] else "（建群后从未活跃）"
    return f"工作群「{row['name'] or row['items'][0]}」已{row['ev_idle_days']}天没有消息{since}，建议解散。"


def demand_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    parts = []
    for rule, hours in (("F1", "f1_h"), ("F2", "f2_h")):
        terms = sql_list(features_of_rule(GROUP_DEMANDS, rule))
        parts.append(f"""
SELECT '{rule}' AS rule, 'rectify' AS action, [g.code] AS items, g.owner_code, 1.0 AS score,
  coalesce(b.{hours}, 0) AS hours_saved, g.name, array_intersect(g.demands, {terms}) AS terms,
  array_length(array_intersect(g.demands, {terms})) AS ev_demands, coalesce(b.members, 0) AS ev_members,
  coalesce(g.messages_30d, 0) AS ev_messages_30d
FROM {GROUPS} g LEFT JOIN {BURDEN} b ON b.code = g.code
WHERE g.code IS NOT NULL AND {has_any("g.demands", terms)}""")
    return [SQLStep(output_table("group_demand"), "\nUNION ALL".join(parts))]


def demand_reason(row: dict[str, Any]) -> str:
    order = list(GROUP_DEMANDS)
    terms = "、".join(sorted(set(row["terms"]), key=order.index))
    label = {"F1": "属于强制使用", "F2": "属于过度留痕"}[row["rule"]]
    return f"工作群「{row['name'] or row['items'][0]}」要求成员{terms}，{label}，建议整改。"


EXPIRED = sql_detector("expired_group", expired_steps, expired_reason)
IDLE = sql_detector("idle_group", idle_steps, idle_reason)
DEMAND = sql_detector("group_demand", demand_steps, demand_reason)
