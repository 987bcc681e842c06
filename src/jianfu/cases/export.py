"""The case ledger (督办台账) as an Excel file, safe from formula injection (jianfu.xlsx)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone, translation

from jianfu.cases.actions import source_summary
from jianfu.cases.models import Case
from jianfu.xlsx import write_table

COLUMNS = [
    ("案件编号", 12),
    ("状态", 12),
    ("问题", 50),
    ("规则", 8),
    ("责任单位", 20),
    ("整改要求", 40),
    ("整改期限", 12),
    ("逾期", 6),
    ("督办单位", 16),
    ("升级次数", 8),
    ("退回次数", 8),
    ("整改情况", 40),
    ("核验意见", 30),
    ("问责结果", 30),
    ("立案人", 12),
    ("立案时间", 17),
    ("办结时间", 17),
]
HEADERS = [name for name, _ in COLUMNS]
WRAPPED = [HEADERS.index(name) for name in ("问题", "整改要求", "整改情况", "核验意见", "问责结果")]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ledger_rows(cases: Iterable[Case]):
    for case in cases:
        finding = case.finding
        yield [
            case.number,
            str(case.get_status_display()),
            source_summary(case),
            finding.rule if finding else (case.clue.category if case.clue_id else ""),
            case.unit.name,
            case.demand,
            case.deadline,
            "是" if case.overdue else "",
            case.supervisor.name,
            case.escalation_level,
            case.reopen_count,
            case.response_text,
            case.verification_text,
            "；".join(f"{o.get_kind_display()}：{o.reason}" for o in case.outcomes.all()),
            case.opened_by_name,
            _when(case.opened_at),
            _when(case.closed_at),
        ]


def write_cases_xlsx(target, cases) -> None:
    with translation.override("zh-hans"):
        cases = cases.select_related("unit", "finding", "clue", "supervisor").prefetch_related("outcomes")
        write_table(target, "督办台账", HEADERS, ledger_rows(cases), widths=[w for _, w in COLUMNS], wrap=WRAPPED)
