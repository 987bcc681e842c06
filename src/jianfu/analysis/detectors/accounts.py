"""Public accounts: stale ones, ones used for assessment, and several of one owner on one platform."""

from __future__ import annotations

from datetime import date
from typing import Any

from jianfu.analysis import arithmetic
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
    return [
        SQLStep(
            output_table("stale_account"),
            f"""
SELECT 'F5' AS rule, 'cancel' AS action, [code] AS items, owner_code, 1.0 AS score, hours_saved, name, platform,
  CAST(last_post AS VARCHAR) AS last_post, assessments, posts_30d, people, ev_days_since_post, ev_followers
FROM (
  SELECT a.code, a.owner_code, a.name, a.platform, a.last_post, a.assessments, a.posts_30d,
    coalesce(b.scope_people, 0) AS people,
    -- An account that no longer posts costs its owner no upkeep: closing it removes its assessments only.
    coalesce(b.assessment_h, 0) AS hours_saved,
    date_diff('day', coalesce(a.last_post, a.opened_date), {today}) AS ev_days_since_post,
    a.followers AS ev_followers
  FROM {ACCOUNTS} a LEFT JOIN {BURDEN} b ON b.code = a.code
  WHERE a.code IS NOT NULL AND NOT (a.last_post IS NULL AND coalesce(a.posts_30d, 0) > 0)
) t
WHERE ev_days_since_post >= {int(config.stale_account_days)}""",
        )
    ]


def stale_reason(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    params = {
        "platform": row["platform"] or "",
        "name": row["name"] or row["items"][0],
        "days": row["ev_days_since_post"],
        "since": row["last_post"] or "",
    }
    where = "{platform}账号" if row["platform"] else "政务公众账号"
    if row["last_post"]:
        return where + "「{name}」已{days}天未发布内容（最近发布{since}），建议关停。", params
    return where + "「{name}」已{days}天未发布内容（开设后从未发布），建议关停。", params


def stale_arithmetic(row: dict[str, Any], config: AnalysisConfig) -> list[dict[str, Any]]:
    return arithmetic.account_assessments(row["people"], row["assessments"], row["posts_30d"], config.burden)


def assessment_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    terms = sql_list(ACCOUNT_ASSESSMENTS)
    return [
        SQLStep(
            output_table("account_assessment"),
            f"""
SELECT 'F3' AS rule, 'rectify' AS action, [a.code] AS items, a.owner_code, 1.0 AS score,
  coalesce(b.assessment_h, 0) AS hours_saved, a.name, a.assessments, a.posts_30d,
  array_intersect(a.assessments, {terms}) AS terms,
  array_length(array_intersect(a.assessments, {terms})) AS ev_assessments, coalesce(b.scope_people, 0) AS ev_people_in_scope,
  a.followers AS ev_followers
FROM {ACCOUNTS} a LEFT JOIN {BURDEN} b ON b.code = a.code
WHERE a.code IS NOT NULL AND {has_any("a.assessments", terms)}""",
        )
    ]


def assessment_reason(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    order = list(ACCOUNT_ASSESSMENTS)
    terms = "、".join(sorted(set(row["terms"]), key=order.index))
    return (
        "公众账号「{name}」设有{terms}，以关注、点赞转发或阅读量考核基层，属于滥用排名，建议整改。",
        {"name": row["name"] or row["items"][0], "terms": terms},
    )


def assessment_arithmetic(row: dict[str, Any], config: AnalysisConfig) -> list[dict[str, Any]]:
    return arithmetic.account_assessments(
        row["ev_people_in_scope"], row["assessments"], row["posts_30d"], config.burden
    )


def duplicates_steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    # One account per unit per platform: every account that shares its owner and platform with another.
    return [
        SQLStep(
            output_table("duplicate_accounts"),
            f"""
SELECT owner_code, platform, code, name, followers, hours, assessments, posts_30d, people FROM (
  SELECT a.owner_code, trim(a.platform) AS platform, a.code, a.name, a.followers, coalesce(b.total_h, 0) AS hours,
    a.assessments, a.posts_30d, coalesce(b.scope_people, 0) AS people,
    count(*) OVER (PARTITION BY a.owner_code, trim(a.platform)) AS accounts
  FROM {ACCOUNTS} a LEFT JOIN {BURDEN} b ON b.code = a.code
  WHERE a.code IS NOT NULL AND a.owner_code IS NOT NULL AND trim(coalesce(a.platform, '')) <> ''
) t
WHERE accounts >= 2""",
        )
    ]


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
        reason = (
            "同一单位在{platform}开设了{names}账号共{count}个，按一个单位一个平台一个账号的要求，建议整合为「{kept}」。",
            {"platform": platform, "names": quote_names(names), "count": len(rows), "kept": names[0]},
        )
        terms = []
        for r in rows[1:]:
            terms.append(arithmetic.account_upkeep(config.burden))
            terms += arithmetic.account_assessments(r["people"], r["assessments"], r["posts_30d"], config.burden)
        out.append(
            make_finding(
                "duplicate_accounts",
                "F5",
                "merge",
                items,
                score=1.0,
                evidence={"accounts": len(rows), "followers": sum(r["followers"] or 0 for r in rows)},
                hours_saved=sum(saved.values()),
                reason=reason,
                owner_code=owner,
                saved_by_item=saved,
                arithmetic=terms,
            )
        )
    return out


STALE = sql_detector("stale_account", stale_steps, stale_reason, stale_arithmetic)
ASSESSMENT = sql_detector("account_assessment", assessment_steps, assessment_reason, assessment_arithmetic)
DUPLICATES = Detector("duplicate_accounts", duplicates_steps, duplicates_build)
