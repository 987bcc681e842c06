"""An import refusal keeps its Chinese text for the CLI and the JSON outputs, and is translated on the web."""

from __future__ import annotations

from django.utils import translation

from jianfu.ingest.errors import CellError, Problem
from jianfu.registry.import_messages import expected_text


def test_a_problem_keeps_the_contract_and_carries_its_template():
    error = CellError(
        "应用.xlsx", "Sheet1", 3, "上线日期", "2024/13/45", Problem("日期不存在：%(text)s", text="2024/13/45")
    )
    assert error.expected == "日期不存在：2024/13/45"
    assert (
        error.message()
        == "文件「应用.xlsx」工作表「Sheet1」第 3 行列「上线日期」：值「2024/13/45」，日期不存在：2024/13/45"
    )
    assert set(error.as_dict()) == {"file", "sheet", "row", "column", "value", "expected", "message"}
    assert error.as_record()["template"] == "日期不存在：%(text)s" and error.as_record()["params"] == {
        "text": "2024/13/45"
    }
    assert error == CellError("应用.xlsx", "Sheet1", 3, "上线日期", "2024/13/45", "日期不存在：2024/13/45")


def test_the_web_translates_templates_fixed_texts_and_word_parameters():
    missing = CellError(
        "群.xlsx",
        "",
        2,
        "主管单位",
        "999",
        Problem("找不到此%(label)s（应为已导入或本次导入的%(kind_label)s编码）", label="主管单位", kind_label="单位"),
    ).as_record()
    with translation.override("en"):
        assert expected_text(missing) == (
            "no such Owner unit (expected the code of a Unit imported before or in this import)"
        )
        assert expected_text({"expected": "必填，不能为空"}) == "required: cannot be empty"
        assert expected_text({"expected": "某个未收录的说明"}) == "某个未收录的说明"
        assert expected_text({"expected": "坏", "template": "%(gone)s", "params": {"other": 1}}) == "坏"
    assert expected_text(missing) == missing["expected"]
