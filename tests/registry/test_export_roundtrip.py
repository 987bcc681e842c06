"""An export imported again changes nothing: the apostrophe that neutralises formulas is the importer's to remove."""

from pathlib import Path

import pytest
import python_calamine
from hypothesis import given
from hypothesis import strategies as st

from jianfu.registry.export import write_xlsx
from jianfu.registry.importing import import_paths
from jianfu.registry.models import WorkGroup
from jianfu.xlsx import FORMULA_TRIGGERS, escape_formula, unescape_formula
from tests import builders

TRICKY = {"G1": ("=SUM(A1)", "@所有人"), "G2": ("-3 号群", '\'=HYPERLINK("http://x")')}


@pytest.mark.django_db
def test_an_exported_registry_imports_again_unchanged(tmp_path: Path):
    assert import_paths([builders.write_small_county(tmp_path / "c")]).ok
    for code, (name, purpose) in TRICKY.items():
        WorkGroup.objects.filter(code=code).update(name=name, purpose=purpose)
    WorkGroup.objects.filter(code="G2").update(platform="'引号开头的平台")
    handle, rows = write_xlsx("groups", WorkGroup.objects.order_by("code"))
    path = tmp_path / "groups.xlsx"
    path.write_bytes(handle.read())
    exported = list(python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    assert exported[1][1] == "'=SUM(A1)" and exported[2][1] == "'-3 号群"
    assert exported[2][10] == "''=HYPERLINK(\"http://x\")"
    report = import_paths([path], kind="groups")
    assert report.ok, [e.message() for e in report.files[0].errors]
    assert (report.files[0].updated, report.files[0].unchanged) == (0, rows)
    found = {g.code: (g.name, g.purpose) for g in WorkGroup.objects.all()}
    assert found == TRICKY
    assert WorkGroup.objects.get(code="G2").platform == "'引号开头的平台"


@given(st.text(alphabet=st.sampled_from(["'", "a", "号", " ", *FORMULA_TRIGGERS]), max_size=8) | st.text(max_size=12))
def test_unescape_undoes_escape_exactly(text):
    assert unescape_formula(escape_formula(text)) == text


@pytest.mark.parametrize(
    "text,escaped",
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("-3 号群", "'-3 号群"),
        ("@所有人", "'@所有人"),
        ("＝1", "'＝1"),
        ("'=x", "''=x"),
        ("'引号", "'引号"),
        ("正常", "正常"),
        ("", ""),
        ("'", "'"),
    ],
)
def test_escape_formula(text, escaped):
    assert escape_formula(text) == escaped and unescape_formula(escaped) == text


def test_only_the_exports_own_apostrophe_is_removed():
    # An apostrophe that no export would have added (not before a formula trigger) is the value's own.
    assert unescape_formula("'引号") == "'引号" and unescape_formula("''引号") == "''引号"
