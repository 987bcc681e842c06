"""The rectification list as an Excel file."""

from __future__ import annotations

from collections.abc import Iterable

from jianfu.xlsx import write_table

ACTION_LABELS = {"cancel": "取消", "merge": "整合", "optimise": "优化", "rectify": "整改"}
HEADERS = ["编号", "类型", "规则", "建议", "涉及对象", "责任单位", "每月可减负（小时）", "得分", "理由", "证据", "状态"]


def finding_rows(findings: Iterable[dict]) -> Iterable[list]:
    for f in findings:
        yield [f["id"], f["type"], f["rule"], ACTION_LABELS.get(f["action"], f["action"]), f["items"],
               f.get("owner_code") or "", round(float(f.get("hours_saved_per_month") or 0), 2), f.get("score"),
               f["reason"], f.get("evidence") or {}, f.get("status", "open")]


def write_findings_xlsx(target, findings: Iterable[dict]) -> None:
    write_table(target, "问题清单", HEADERS, finding_rows(findings))
