"""The `elements` and `values` import kinds: accepted files, and every kind of bad input refused whole."""

from __future__ import annotations

from jianfu.elements.models import DataElement, HeldValue
from jianfu.registry.importing import import_paths
from tests import builders
from tests.cast import SIBLING, TOWNSHIP
from tests.elements.catalog import ELEMENT_ROWS, VALUE_ROWS, import_catalog


def _errors(report):
    return [e for f in report.files for e in f.errors]


def test_it_imports_elements_and_values_in_traditional_headers(cast, tmp_path):
    rows = [
        ["元素編碼", "名稱", "同義詞", "定義", "數據類型", "計量單位", "權威來源"],
        ["DE100", "60周歲以上老年人數", "老年人口數；60歲以上人口", "", "數值", "人", "民政局"],
    ]
    builders.write_xlsx(tmp_path / "e.xlsx", rows)
    builders.write_csv(
        tmp_path / "v.csv", [["元素編碼", "單位編碼", "期間", "值"], ["DE100", TOWNSHIP, "2026年11月", "1,203"]]
    )
    report = import_paths([tmp_path], actor="cli")
    assert report.ok, [e.message() for e in _errors(report)]
    element = DataElement.objects.get(code="DE100")
    assert element.name == "60周岁以上老年人数" and element.data_type == "number" and element.unit == "人"
    assert element.synonyms == ["老年人口数", "60岁以上人口"]
    held = HeldValue.objects.get(element=element)
    assert (held.period, held.value) == ("2026-11", "1203")


def test_it_updates_by_code_rather_than_duplicating(cast, tmp_path):
    import_catalog(tmp_path)
    builders.write_xlsx(
        tmp_path / "数据元.xlsx", ELEMENT_ROWS[:2] + [["DE002", "低保人数", "", "", "数值", "人", "民政"]]
    )
    report = import_paths([tmp_path / "数据元.xlsx"], actor="cli")
    assert report.ok
    assert DataElement.objects.filter(code="DE002").count() == 1


def test_duplicate_codes_are_refused_whole(cast, tmp_path):
    builders.write_xlsx(tmp_path / "e.xlsx", ELEMENT_ROWS + [["DE001", "另一个", "", "", "文本", "", ""]])
    report = import_paths([tmp_path / "e.xlsx"], actor="cli")
    assert not report.ok
    [error] = _errors(report)
    assert error.row == 6 and error.value == "DE001" and "第 2 行" in error.expected
    assert not DataElement.objects.exists()


def test_a_synonym_claimed_by_two_elements_is_refused(cast, tmp_path):
    builders.write_xlsx(
        tmp_path / "e.xlsx", ELEMENT_ROWS + [["DE009", "困难户数", "低保家庭户数", "", "数值", "户", ""]]
    )
    report = import_paths([tmp_path / "e.xlsx"], actor="cli")
    assert not report.ok
    [error] = _errors(report)
    assert error.column == "同义词" and error.value == "低保家庭户数" and "DE001" in error.expected
    assert not DataElement.objects.exists()


def test_a_synonym_already_in_the_catalog_is_refused(cast, tmp_path):
    import_catalog(tmp_path)
    builders.write_xlsx(tmp_path / "more.xlsx", [ELEMENT_ROWS[0], ["DE010", "常住人口", "", "", "数值", "人", ""]])
    report = import_paths([tmp_path / "more.xlsx"], actor="cli")
    [error] = _errors(report)
    assert error.column == "名称" and "DE004" in error.expected
    assert not DataElement.objects.filter(code="DE010").exists()


def test_a_bad_data_type_is_named(cast, tmp_path):
    builders.write_xlsx(tmp_path / "e.xlsx", [ELEMENT_ROWS[0], ["DE011", "某某", "", "", "图片", "", ""]])
    [error] = _errors(import_paths([tmp_path / "e.xlsx"], actor="cli"))
    assert error.column == "数据类型" and error.value == "图片" and "文本、数值、日期或选项" in error.expected


def test_values_for_an_unknown_element_or_unit_or_of_the_wrong_type_are_refused(cast, tmp_path):
    import_catalog(tmp_path)
    before = HeldValue.objects.count()
    bad = tmp_path / "bad"
    bad.mkdir()
    builders.write_xlsx(
        bad / "v.xlsx",
        [
            VALUE_ROWS[0],
            ["DE999", TOWNSHIP, "2026-11", 1, ""],  # unknown element
            ["DE001", "999999999999", "2026-11", 1, ""],  # unknown unit
            ["DE001", TOWNSHIP, "2026-11", "四十二", ""],  # text in a count
            ["DE002", TOWNSHIP, "2026-11", -3, ""],  # a negative count
            ["DE002", TOWNSHIP, "下个月", 3, ""],  # not a period
            ["DE003", TOWNSHIP, "2026", "张三", ""],
        ],
    )  # fine, but the file is refused
    report = import_paths([bad], actor="cli")
    errors = {(e.row, e.column): e for e in _errors(report)}
    assert set(errors) == {(2, "元素编码"), (3, "单位编码"), (4, "值"), (5, "值"), (6, "期间")}
    assert "找不到此数据元" in errors[(2, "元素编码")].expected
    assert "应为数字" in errors[(4, "值")].expected
    assert "不能为负数" in errors[(5, "值")].expected
    assert HeldValue.objects.count() == before


def test_values_referencing_a_rejected_elements_file_are_refused_too(cast, tmp_path):
    builders.write_xlsx(tmp_path / "e.xlsx", ELEMENT_ROWS + [["DE001", "重复", "", "", "", "", ""]])
    builders.write_xlsx(tmp_path / "v.xlsx", VALUE_ROWS)
    report = import_paths([tmp_path], actor="cli")
    assert [f.status for f in report.files] == ["rejected", "rejected"]
    assert not HeldValue.objects.exists()


def test_an_officer_imports_values_only_for_units_in_region(cast, tmp_path):
    import_catalog(tmp_path)
    builders.write_xlsx(tmp_path / "v2.xlsx", [VALUE_ROWS[0], ["DE001", TOWNSHIP, "2026-12", 5, ""]])
    report = import_paths([tmp_path / "v2.xlsx"], actor="outsider", scope=cast.outsider.unit)
    [error] = _errors(report)
    assert error.column == "单位编码" and "管辖范围" in error.expected
    sibling = import_paths([tmp_path / "v2.xlsx"], actor="county", scope=cast.county.unit)
    assert sibling.ok and SIBLING not in HeldValue.objects.values_list("unit__code", flat=True)
