"""Write the messy files real departments send, inside the tests: xlsx, xls, ods and CSV in several encodings."""

from __future__ import annotations

import csv
from pathlib import Path


def write_xlsx(
    path: Path,
    rows: list[list],
    *,
    title: str | None = None,
    notes: list[str] = (),
    merges: list[str] = (),
    sheet: str = "Sheet1",
    extra_sheets: dict[str, list[list]] | None = None,
) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    offset = 0
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(rows[0]), 2))
        ws.append(["填报日期：2026年11月"])
        offset = 2
    for row in rows:
        ws.append(row)
    for note in notes:
        ws.append([note])
    for ref in merges:
        ws.merge_cells(_shift(ref, offset))
    for name, extra in (extra_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in extra:
            other.append(row)
    workbook.save(path)
    return path


def _shift(ref: str, offset: int) -> str:
    import re

    return re.sub(r"(\D+)(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", ref)


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xls(path: Path, rows: list[list]) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, rows: list[list]) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Sheet1")
    for row in rows:
        tr = TableRow()
        for value in row:
            if isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            if value is not None:
                cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


UNIT_ROWS = [
    ["编码", "名称", "上级编码", "层级", "类型"],
    ["330000000000", "浙江省", None, "省", None],
    ["330100000000", "杭州市", "330000000000", "市", None],
    ["330102000000", "上城区", "330100000000", "区", None],
    ["330102001000", "清波街道", "330102000000", "街道", None],
    ["330102001001", "清波社区", "330102001000", "社区", None],
    ["330102000001", "上城区民政局", "330102000000", "县", "党政机关"],
    ["330105000000", "拱墅区", "330100000000", "区", None],
    ["330105001000", "米市巷街道", "330105000000", "街道", None],
]

PEOPLE_ROWS = [
    ["人员编号", "姓名", "手机号码", "所属单位", "职务"],
    ["P1", "张三", "138 1234 5678", "330102001001", "网格员"],
    ["P2", "李四", "139-1234-5678", "330102001001", ""],
    ["P3", "王五", "13712345678", "330102001000", "干事"],
    ["P4", "赵六", "13612345678", "330105001000", "干事"],
]

GROUP_ROWS = [
    [
        "编号",
        "群名称",
        "平台",
        "群主",
        "主管单位",
        "建群时间",
        "性质",
        "任务结束日期",
        "最近活跃",
        "近30天消息数（条）",
        "用途",
        "要求",
    ],
    [
        "G1",
        "防汛工作群",
        "微信",
        "P1",
        "330102000001",
        "2024/5/1",
        "临时性",
        "20240901",
        "2024年10月1日",
        12,
        "防汛",
        "打卡接龙；收到请回复",
    ],
    [
        "G2",
        "森林防火群",
        "钉钉",
        "P3",
        "330102000001",
        45413,
        "长期",
        None,
        "2024.10.1",
        "3",
        "森林防火",
        "截圖留痕、定位打卡",
    ],
]

MEMBER_ROWS = [["群编号", "人员编号"], ["G1", "P1"], ["G1", "P2"], ["G2", "P1"], ["G2", "P3"]]


def write_small_county(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "单位.xlsx", UNIT_ROWS, title="上城区单位清单", notes=["注：本表由区减负办汇总"])
    write_csv(folder / "人员.csv", PEOPLE_ROWS, encoding="gbk")
    write_xlsx(folder / "工作群.xlsx", GROUP_ROWS)
    write_csv(folder / "群成员.csv", MEMBER_ROWS, encoding="utf-8-sig")
    return folder
