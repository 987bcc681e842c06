"""Excel export of a filtered list: the import headers (so the file can be edited and imported again),
formula injection neutralised, phones masked, rows streamed from the database in chunks."""

from __future__ import annotations

import datetime as dt
import tempfile

import xlsxwriter

from jianfu.registry.models import Form, Level
from jianfu.xlsx import escape_formula

_LEVELS = dict(Level.choices)
_CATEGORIES = {"app": "APP", "mini_program": "小程序", "h5": "H5", "pc": "PC系统", "platform": "平台"}
_NATURES = {"standing": "常设", "temporary": "临时"}
_FREQUENCIES = {k: str(v) for k, v in Form.Frequency.choices}
# The optional 状态 / 注销日期 import columns (docs/reports.md), in words the importer reads back.
_STATUSES = {"active": "在用", "cancelled": "注销", "merged": "整合"}
STATUS_COLUMNS = [("状态", lambda o: _STATUSES.get(o.status, o.status)), ("注销日期", lambda o: o.status_date)]


def neutralise(value):
    """Text that a spreadsheet could run as a formula gets a leading quote the importer removes; numbers stay typed."""
    return escape_formula(value) if isinstance(value, str) else value


def _multi(values) -> str:
    return "；".join(values or [])


def _code(unit) -> str:
    return unit.code if unit is not None else ""


def _name(unit) -> str:
    return unit.name if unit is not None else ""


# (header, getter) per kind; headers are the canonical import headers, plus readable names at the end.
COLUMNS = {
    "units": [
        ("编码", lambda o: o.code),
        ("名称", lambda o: o.name),
        ("上级编码", lambda o: _code(o.parent)),
        ("层级", lambda o: str(_LEVELS.get(o.level, o.level))),
        ("类型", lambda o: o.unit_type),
    ],
    "people": [
        ("编号", lambda o: o.code),
        ("姓名", lambda o: o.name),
        ("手机号（脱敏）", lambda o: o.phone_masked),
        ("所属单位", lambda o: o.unit.code),
        ("职务", lambda o: o.post),
        ("所属单位名称", lambda o: o.unit.name),
    ],
    "apps": [
        ("编号", lambda o: o.code),
        ("名称", lambda o: o.name),
        ("类别", lambda o: _CATEGORIES.get(o.category, o.category)),
        ("主管单位", lambda o: o.owner.code),
        ("上线日期", lambda o: o.launch_date),
        ("最近更新", lambda o: o.last_update),
        ("注册用户数", lambda o: o.registered_users),
        ("月活跃用户数", lambda o: o.monthly_active_users),
        ("功能", lambda o: _multi(o.functions)),
        ("强制功能", lambda o: _multi(o.forced_features)),
        ("描述", lambda o: o.description),
        *STATUS_COLUMNS,
        ("主管单位名称", lambda o: o.owner.name),
    ],
    "accounts": [
        ("编号", lambda o: o.code),
        ("名称", lambda o: o.name),
        ("平台", lambda o: o.platform),
        ("主办单位", lambda o: o.owner.code),
        ("开设日期", lambda o: o.opened_date),
        ("最近发布", lambda o: o.last_post),
        ("粉丝数", lambda o: o.followers),
        ("近30天发布数", lambda o: o.posts_30d),
        ("考核要求", lambda o: _multi(o.assessments)),
        *STATUS_COLUMNS,
        ("主办单位名称", lambda o: o.owner.name),
    ],
    "groups": [
        ("编号", lambda o: o.code),
        ("群名称", lambda o: o.name),
        ("平台", lambda o: o.platform),
        ("群主", lambda o: o.owner_person.code if o.owner_person else ""),
        ("主管单位", lambda o: o.owner.code),
        ("建群日期", lambda o: o.created_date),
        ("性质", lambda o: _NATURES.get(o.nature, o.nature)),
        ("任务结束日期", lambda o: o.task_end_date),
        ("最近活跃", lambda o: o.last_active),
        ("近30天消息数", lambda o: o.messages_30d),
        ("用途", lambda o: o.purpose),
        ("要求", lambda o: _multi(o.demands)),
        *STATUS_COLUMNS,
        ("成员数", lambda o: o.member_count),
        ("主管单位名称", lambda o: o.owner.name),
    ],
    "forms": [
        ("编号", lambda o: o.code),
        ("表名", lambda o: o.title),
        ("发文单位", lambda o: o.issuer.code),
        ("填报对象", lambda o: str(_LEVELS.get(o.respondent_level, o.respondent_level or ""))),
        ("频次", lambda o: _FREQUENCIES.get(o.frequency, o.frequency)),
        ("填报渠道", lambda o: o.channel),
        ("每次用时（分钟）", lambda o: o.minutes_per_filing),
        *STATUS_COLUMNS,
        ("发文单位名称", lambda o: o.issuer.name),
    ],
}
SHEET_NAMES = {
    "units": "单位",
    "people": "人员",
    "apps": "应用",
    "accounts": "公众号",
    "groups": "工作群",
    "forms": "报表",
}
EXTRA_RELATED = {"groups": ("owner_person",)}


def write_xlsx(kind: str, queryset, chunk_size: int = 2000):
    """Write the queryset to a temporary file and return it, rewound; constant_memory keeps one row in memory."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    book = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
            "tmpdir": tempfile.gettempdir(),
        },
    )
    sheet = book.add_worksheet(SHEET_NAMES[kind])
    header = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    columns = COLUMNS[kind]
    for col, (title, _getter) in enumerate(columns):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, max(10, min(40, len(title) * 2 + 4)))
    sheet.freeze_panes(1, 0)
    qs = queryset.select_related(*EXTRA_RELATED.get(kind, ())) if kind in EXTRA_RELATED else queryset
    row = 0
    for obj in qs.iterator(chunk_size=chunk_size):
        row += 1
        for col, (_title, getter) in enumerate(columns):
            value = getter(obj)
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(row, col, value)
            else:
                # write_string never builds a formula; the quote also protects a later save as CSV.
                sheet.write_string(row, col, neutralise(str(value)))
    book.close()
    handle.seek(0)
    return handle, row
