"""A small catalog, held values and a second form for the cast county (tests/cast.py), shared by these tests."""

from __future__ import annotations

from pathlib import Path

from jianfu.registry.importing import import_paths
from tests import builders
from tests.cast import BUREAU, COMMUNITY, COUNTY, TOWNSHIP

ELEMENT_ROWS = [
    ["元素编码", "名称", "同义词", "定义", "数据类型", "计量单位", "权威来源"],
    ["DE001", "低保户数", "低保家庭户数；最低生活保障户数", "", "数值", "户", "民政局"],
    ["DE002", "低保人数", "低保对象人数", "", "数值", "人", "民政局"],
    ["DE003", "户主姓名", "", "", "文本", "", "公安局"],
    ["DE004", "常住人口数", "常住人口", "", "数值", "人", "统计局"],
]
VALUE_ROWS = [
    ["元素编码", "单位编码", "期间", "值", "来源"],
    ["DE001", TOWNSHIP, "2026-11", 42, "民政统计平台"],
    ["DE002", TOWNSHIP, "2026-11", 87, "民政统计平台"],
]
# A second form asking the same elements in other words, plus one more field.
FORM_ROWS = [
    ["编号", "表名", "发文单位", "填报对象", "频次", "填报渠道", "每次用时（分钟）"],
    ["F3", "困难群众情况季报", BUREAU, "乡", "月", "系统", 40],
]
FIELD_ROWS = [
    ["报表编号", "序号", "字段名称", "数据类型", "计量单位"],
    ["F3", 1, "低保家庭户数", "数值", "户"],
    ["F3", 2, "低保对象人数", "数值", "人"],
    ["F3", 3, "常住人口", "数值", "人"],
]

__all__ = ["COMMUNITY", "COUNTY"]


def import_catalog(folder: Path) -> None:
    builders.write_xlsx(folder / "数据元.xlsx", ELEMENT_ROWS)
    builders.write_xlsx(folder / "数据元取值.xlsx", VALUE_ROWS)
    builders.write_xlsx(folder / "报表3.xlsx", FORM_ROWS)
    builders.write_xlsx(folder / "报表字段3.xlsx", FIELD_ROWS)
    report = import_paths([folder], actor="cli")
    assert report.ok, [e.message() for f in report.files for e in f.errors]


def import_paraphrase_case(folder: Path, app_rows: list[list]) -> None:
    """Apps, the element 外出务工人员数 (DE009) and a form field 异地就业人员数 that names it in other words, not yet
    mapped: what an officer's confirmation teaches as a synonym (duplicate_apps and the pre-check both use it)."""
    folder.mkdir()
    builders.write_xlsx(folder / "应用3.xlsx", app_rows)
    builders.write_xlsx(
        folder / "数据元3.xlsx",
        [
            ["元素编码", "名称", "同义词", "定义", "数据类型", "计量单位", "权威来源"],
            ["DE009", "外出务工人员数", "", "", "数值", "人", "人社局"],
        ],
    )
    builders.write_xlsx(
        folder / "报表字段5.xlsx",
        [["报表编号", "序号", "字段名称", "数据类型", "计量单位"], ["F3", 4, "异地就业人员数", "数值", "人"]],
    )
    report = import_paths([folder], actor="cli")
    assert report.ok, [e.message() for f in report.files for e in f.errors]
