"""The results of an issued form as Excel: one row per respondent, the form's own fields in its column order."""

from __future__ import annotations

import io

from django.utils import timezone

from jianfu.elements.models import CopyValue, FormIssue, IssueCopy
from jianfu.xlsx import write_table

# Leading columns; the workbook is an official document in Chinese whatever the viewer's language.
LEAD = ["填报单位编码", "填报单位", "状态", "提交时间", "预填字段数"]


def _number(text: str) -> object:
    """A submitted count or amount as a number cell, other text as (formula-safe) text."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


def results_workbook(issue: FormIssue) -> io.BytesIO:
    fields = list(issue.form.fields.order_by("position"))
    headers = LEAD + [f.name + (f"（{f.unit}）" if f.unit else "") for f in fields]
    values: dict[int, dict[int, CopyValue]] = {}
    for v in CopyValue.objects.filter(copy__issue=issue):
        values.setdefault(v.copy_id, {})[v.field_id] = v

    def rows():
        for copy in issue.copies.select_related("respondent").order_by("respondent__code"):
            own = values.get(copy.id, {})
            submitted = copy.status == IssueCopy.Status.SUBMITTED
            stamp = timezone.localtime(copy.submitted_at).strftime("%Y-%m-%d %H:%M") if copy.submitted_at else ""
            cells = [
                copy.respondent.code,
                copy.respondent.name,
                "已提交" if submitted else "未提交",
                stamp,
                copy.prefilled,
            ]
            for f in fields:
                v = own.get(f.id)
                text = (v.value if submitted else v.prefilled_value) if v else ""
                cells.append(_number(text) if text else "")
            yield cells

    handle = io.BytesIO()
    write_table(
        handle, f"{issue.form.code} {issue.period}", headers, rows(), widths=[14, 20, 8, 17, 10] + [16] * len(fields)
    )
    handle.seek(0)
    return handle
