"""The triage list as Excel: formula-safe, and never the reporter's phone (not even masked)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.xlsx import write_table


def write_clues_xlsx(target, clues) -> None:
    headers = [
        _("编号"),
        _("类别"),
        _("发生地"),
        _("涉及对象"),
        _("问题描述"),
        _("状态"),
        _("收到时间"),
        _("办理期限"),
        _("逾期"),
        _("承办人"),
        _("办理结果"),
        _("关联台账对象"),
        _("关联问题"),
    ]

    def rows():
        for clue in clues.iterator(chunk_size=500):
            yield [
                clue.pk,
                clue.get_category_display(),
                clue.region.name,
                clue.carrier_text or clue.carrier_code,
                clue.description,
                clue.get_status_display(),
                timezone.localtime(clue.received_at).strftime("%Y-%m-%d %H:%M"),
                clue.due_on,
                _("是") if clue.overdue else "",
                clue.handler.username if clue.handler else "",
                clue.outcome,
                "、".join(clue.linked_codes),
                "、".join(clue.linked_findings),
            ]

    write_table(
        target, _("线索"), headers, rows(), widths=[8, 14, 14, 18, 50, 10, 17, 12, 6, 12, 30, 18, 18], wrap=(4, 10)
    )
