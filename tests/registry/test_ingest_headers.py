"""Header recognition: kind from the header row, variants, Traditional characters, title and note rows."""

from pathlib import Path

import pytest

from jianfu.ingest import open_inventory
from jianfu.ingest.readers import detect_encoding
from tests.builders import write_csv, write_ods, write_xls, write_xlsx

APP_HEADER_VARIANTS = [
    [
        "编号",
        "名称",
        "类别",
        "主管单位",
        "上线日期",
        "最近更新",
        "注册用户数",
        "月活跃用户数",
        "功能",
        "强制功能",
        "描述",
    ],
    [
        "編號",
        "應用名稱",
        "類別",
        "主管單位",
        "上線時間",
        "最近更新",
        "注冊用戶數（人）",
        "月活躍用戶數（人）",
        "功能",
        "強制功能",
        "描述",
    ],
    [
        " 编号 ",
        "APP名称",
        "类别",
        "主管单位",
        "上线时间",
        "最后更新日期",
        "用户数(人)",
        "月活(人)",
        "主要功能",
        "强制使用功能",
        "简介",
    ],
    ["ＡＰＰ名稱", "编号", "主管部门", "类型", "MAU"],
]


@pytest.mark.parametrize("header", APP_HEADER_VARIANTS)
def test_it_recognises_app_headers(tmp_path: Path, header):
    path = write_xlsx(tmp_path / "x.xlsx", [header])
    inventory = open_inventory(path)
    assert inventory.kind == "apps"
    assert {"code", "name", "category", "owner_code"} <= set(inventory.sheets[0].header.columns)


@pytest.mark.parametrize(
    "header,kind",
    [
        (["编码", "名称", "上级编码", "层级"], "units"),
        (["人员编号", "姓名", "手机号", "所属单位"], "people"),
        (["编号", "名称", "平台", "主办单位", "最近发布"], "accounts"),
        (["群编号", "群名称", "平台", "主管单位", "性质"], "groups"),
        (["群编号", "人员编号"], "members"),
        (["群編號", "姓名", "手機號"], "members"),
        (["报表编号", "表名", "发文单位", "频次"], "forms"),
        (["报表编号", "序号", "指标名称", "计量单位"], "fields"),
    ],
)
def test_it_tells_kinds_apart(tmp_path: Path, header, kind):
    path = write_xlsx(tmp_path / "x.xlsx", [header])
    assert open_inventory(path).kind == kind


def test_it_skips_title_rows_and_notes(tmp_path: Path):
    rows = [["编码", "名称", "上级编码", "层级"], ["330000000000", "浙江省", None, "省"]]
    path = write_xlsx(tmp_path / "u.xlsx", rows, title="全省单位清单", notes=["注：本表由省减负办汇总", "填表人：张三"])
    sheet = open_inventory(path).sheets[0]
    assert sheet.header.row_number == 3
    records = list(sheet.records())
    assert [(n, r["code"]) for n, r in records] == [(4, "330000000000")]
    assert sheet.errors == []


def test_it_spreads_merged_cells_over_their_rows(tmp_path: Path):
    rows = [["编号", "名称", "类别", "主管单位"], ["A1", "甲", "APP", "330102000001"], ["A2", "乙", "H5", None]]
    path = write_xlsx(tmp_path / "a.xlsx", rows, merges=["D2:D3"])
    records = list(open_inventory(path).sheets[0].records())
    assert [r["owner_code"] for _, r in records] == ["330102000001", "330102000001"]


def test_it_reports_an_unrecognised_header(tmp_path: Path):
    path = write_xlsx(tmp_path / "x.xlsx", [["甲", "乙"], [1, 2]])
    inventory = open_inventory(path)
    assert inventory.sheets == [] and "表头" in inventory.file_errors[0].expected


@pytest.mark.parametrize(
    "encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")]
)
def test_it_detects_csv_encodings(tmp_path: Path, encoding, expected):
    path = write_csv(tmp_path / "p.csv", [["人员编号", "姓名", "所属单位"], ["P1", "張三丰", "330102001001"]], encoding)
    assert detect_encoding(path.read_bytes()) == expected
    records = list(open_inventory(path).sheets[0].records())
    assert records[0][1]["name"] == "张三丰"


def test_it_reads_xls_and_ods(tmp_path: Path):
    rows = [["人员编号", "姓名", "手机号", "所属单位"], ["P1", "张三", 13812345678, "330102001001"]]
    for path in (write_xls(tmp_path / "p.xls", rows), write_ods(tmp_path / "p.ods", rows)):
        records = list(open_inventory(path).sheets[0].records())
        assert records[0][1]["phone"] == "13812345678", path.suffix


def test_cell_errors_name_file_sheet_row_column_value(tmp_path: Path):
    rows = [["编号", "群名称", "平台", "主管单位", "建群日期"], ["G1", "群", "微信", "U1", "去年"]]
    path = write_xlsx(tmp_path / "群.xlsx", rows, sheet="工作群", title="某县工作群")
    sheet = open_inventory(path).sheets[0]
    assert list(sheet.records()) == []
    (error,) = sheet.errors
    assert (error.file, error.sheet, error.row, error.column, error.value) == (
        "群.xlsx",
        "工作群",
        4,
        "建群日期",
        "去年",
    )
    assert "第 4 行" in error.message() and "应为日期" in error.message()
