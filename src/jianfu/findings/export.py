"""The rectification ledger (整改台账) as an Excel file: each finding with its decision, reason, who and when."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from django.utils import timezone, translation

from jianfu.findings.labels import RULE_LABELS, TYPE_LABELS, evidence_text
from jianfu.findings.models import Finding
from jianfu.xlsx import write_table

# (header, width); the ledger is an official document in Chinese whatever the viewer's language.
COLUMNS = [
    ("编号", 22),
    ("类型", 16),
    ("规则", 14),
    ("建议", 8),
    ("涉及对象", 24),
    ("责任单位", 20),
    ("每月可减负（小时）", 12),
    ("理由", 60),
    ("证据", 36),
    ("状态", 14),
    ("处理意见", 30),
    ("处理人", 12),
    ("处理时间", 17),
    ("申请驳回理由", 30),
    ("申请人", 12),
    ("申请时间", 17),
]
HEADERS = [name for name, _ in COLUMNS]
WRAPPED = [HEADERS.index(name) for name in ("涉及对象", "理由", "证据", "处理意见", "申请驳回理由")]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ledger_rows(findings: Iterable[Finding]) -> Iterable[list]:
    for f in findings:
        yield [
            f.fid,
            str(TYPE_LABELS.get(f.type, f.type)),
            str(RULE_LABELS.get(f.rule, f.rule)),
            str(f.get_action_display()),
            "、".join(f.items),
            f.owner.name if f.owner else "",
            round(float(f.hours_saved_per_month or 0), 2),
            f.reason,
            evidence_text(f.evidence),
            str(f.get_status_display()),
            f.decision_reason,
            f.decided_by.username if f.decided_by else "",
            _when(f.decided_at),
            f.request_reason,
            f.requested_by.username if f.requested_by else "",
            _when(f.requested_at),
        ]


def write_findings_xlsx(target, findings: Iterable[Finding], *, total_hours: float | None = None) -> None:
    """Write the ledger; the last row carries the total from jianfu.findings.hours.saved_hours when given."""
    with translation.override("zh-hans"):
        if hasattr(findings, "iterator"):
            findings = findings.select_related("owner", "decided_by", "requested_by").iterator(chunk_size=2000)
        rows = ledger_rows(findings)
        if total_hours is not None:
            total = ["合计（同一对象只计一次）", "", "", "", "", "", round(total_hours, 2)] + [""] * (len(HEADERS) - 7)
            rows = itertools.chain(rows, [total])
        write_table(target, "整改台账", HEADERS, rows, widths=[w for _, w in COLUMNS], wrap=WRAPPED)
