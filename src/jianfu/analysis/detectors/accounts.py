"""Public accounts: stale ones, ones used for assessment, and several of one owner on one platform."""

from __future__ import annotations

from datetime import date
from typing import Any

from jianfu.analysis.backend import AnalysisBackend, SQLStep, has_any, sql_list
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import Detector, date_literal, output_table, sql_detector
from jianfu.analysis.findings import make_finding, quote_names
from jianfu.analysis.schema import ACCOUNT_ASSESSMENTS
from jianfu.analysis.snapshot import input_name

ACCOUNTS = input_name("accounts")
BURDEN = "__jf_b_acc"


def stale_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    today = date_literal(as_of)
    return [SQLStep(output_table("stale_account"), f"""
SELECT 'F5' AS rule, 'cancel' AS action, [code] AS items, owner_code, 1.0 AS score, hours_saved, name, platform,
  CAST(last_post AS VARCHAR) AS last_post, ev_days_since_post, ev_followers
FROM (
  SELECT a.code, a.owner_code, a.name, a.platform, a.last_post, coalesce(b.total_h, 0) AS hours_saved,
    date_diff('day', coalesce(a.last_post, a.opened_date), {today}) AS ev_days_since_post,
    a.followers AS ev_followers
  FROM {ACCOUNTS} a LEFT JOIN {BURDEN} b ON b.code = a.code
  WHERE a.code IS NOT NULL AND NOT (a.last_post IS NULL AND coalesce(a.posts_30d, 0) > 0)
) t
WHERE ev_days_since_post >= {int(config.stale_account_days)}""")]


def stale_reason(row: dict[str, Any]) -> str:
    since = f"（最近发布{row['last_post']}）" if row["last_post"] else "（开设后从未发布）"
    where = f"{row['platform']}账号" if row["platform"] else "政务公众账号"
    return f"{where}「{row['name'] or row['items'][0]}」已{row['ev_days_since_post']}天未发布内容{since}，建议关停。"


def assessment_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    terms = sql_list(ACCOUNT_ASSESSMENTS)
    return [SQLStep(output_table("account_assessment"), f"""
SELECT 'F3' AS rule, 'rectify' AS action, [a.code] AS items, a.owner_code, 1.0 AS score,
  coalesce(b.assessment_h, 0) AS hours_saved, a.name, array_intersect(a.assessments, {terms}) AS terms,
  array_length(array_intersect(a.assessments, {terms})) AS ev_assessments, coalesce(b.scope_people, 0) AS ev_people_in_scope,
  a.followers AS ev_followers
FROM {ACCOUNTS} a LEFT JOIN {BURDEN} b ON b.code = a.code
WHERE a.code IS NOT NULL AND {has_any("a.assessments", terms)}""")]


def assessment_reason(row: dict[str, Any]) -> str:
    order = list(ACCOUNT_ASSESSMENTS)
    terms = "、".join(sorted(set(row["terms"]), key=order.index))
    return f"公众账号「{row['name'] or row['items'][0]}」设有{terms}，以关注、点赞转发或阅读量考核基层，属于滥用排名，建议整改。"


def duplicates_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    # One account per unit per platform: every account that shares its owner and platform with another.
    return [SQLStep(output_table("duplicate_accounts"), f"""
SELECT owner_code, platform, code, name, followers, hours FROM (
  SELECT a.owner_code, trim(a.platform) AS platform, a.code, a.name, a.followers, coalesce(b.total_h, 0) AS hours,
    count(*) OVER (PARTITION BY a.owner_code, trim(a.platform)) AS accounts
  FROM {ACCOUNTS} a LEFT JOIN {BURDEN} b ON b.code = a.code
  WHERE a.code IS NOT NULL AND a.owner_code IS NOT NULL AND trim(coalesce(a.platform, '')) <> ''
) t
WHERE accounts >= 2""")]


def duplicates_build(backend: AnalysisBackend, config: AnalysisConfig, as_of: date) -> list[dict[str, Any]]:
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in backend.query(f"SELECT * FROM {output_table('duplicate_accounts')}"):
        by_key.setdefault((row["owner_code"], row["platform"]), []).append(row)
    out = []
    for (owner, platform), rows in sorted(by_key.items()):
        # The account with the most followers is the one kept.
        rows.sort(key=lambda r: (-(r["followers"] if r["followers"] is not None else -1), r["code"]))
        items = [r["code"] for r in rows]
        saved = {r["code"]: float(r["hours"]) for r in rows[1:]}
        names = [r["name"] or r["code"] for r in rows]
        reason = (f"同一单位在{platform}开设了{quote_names(names)}账号共{len(rows)}个，"
                  f"按一个单位一个平台一个账号的要求，建议整合为「{names[0]}」。")
        out.append(make_finding(
            "duplicate_accounts", "F5", "merge", items, score=1.0,
            evidence={"accounts": len(rows), "followers": sum(r["followers"] or 0 for r in rows)},
            hours_saved=sum(saved.values()), reason=reason, owner_code=owner, saved_by_item=saved,
        ))
    return out


STALE = sql_detector("stale_account", stale_steps, stale_reason)
ASSESSMENT = sql_detector("account_assessment", assessment_steps, assessment_reason)
DUPLICATES = Detector("duplicate_accounts", duplicates_steps, duplicates_build)
