"""The filing catalogue as an Excel file (through jianfu.xlsx: no cell can run as a formula)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from jianfu.filings.models import Filing
from jianfu.xlsx import write_table

HEADERS = [
    "备案号",
    "类型",
    "台账编号",
    "名称",
    "主管单位编码",
    "主管单位",
    "状态",
    "备案时间",
    "到期（复核）日期",
    "到期依据",
    "申报编号",
    "剩余天数",
]


def filing_rows(filings: Iterable[Filing], today) -> Iterable[list]:
    for f in filings:
        yield [
            f.number,
            f.get_kind_display(),
            f.item_code,
            f.name,
            f.owner.code,
            f.owner.name,
            f.get_status_display(),
            timezone.localtime(f.approved_at).date(),
            f.expires_on,
            f.get_basis_display(),
            f.proposal.code if f.proposal_id else "",
            f.days_left(today),
        ]


def write_filings_xlsx(target, filings: Iterable[Filing], today) -> None:
    write_table(target, "备案目录", HEADERS, filing_rows(filings, today))
