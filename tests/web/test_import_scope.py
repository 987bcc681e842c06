"""An officer's import may not reach outside their region by reusing a code: it would move the object in."""

import pytest

from jianfu.registry.importing import import_paths
from jianfu.registry.models import App, Person, Unit
from tests.builders import write_csv, write_xlsx
from tests.cast import SIBLING, TOWNSHIP

pytestmark = pytest.mark.django_db


def import_as_township(path):
    (result,) = import_paths([path], actor="qingbo", scope=Unit.objects.get(code=TOWNSHIP)).files
    return result


@pytest.mark.parametrize(
    "name,rows,model,code,field,before",
    [
        (
            "apps.xlsx",
            [["编号", "名称", "类别", "主管单位", "上线日期"], ["A3", "夺来的", "APP", TOWNSHIP, "2024-05-01"]],
            App,
            "A3",
            "owner__code",
            SIBLING,
        ),
        (
            "people.csv",
            [["人员编号", "姓名", "手机号码", "所属单位", "职务"], ["P4", "赵六", "13612345678", TOWNSHIP, "干事"]],
            Person,
            "P4",
            "unit__code",
            "330105001000",
        ),
        (
            "units.xlsx",
            [["编码", "名称", "上级编码", "层级", "类型"], [SIBLING, "拱墅区", TOWNSHIP, "区", None]],
            Unit,
            SIBLING,
            "parent__code",
            "330100000000",
        ),
    ],
)
def test_a_code_from_another_region_is_refused_not_taken_over(cast, tmp_path, name, rows, model, code, field, before):
    writer = write_csv if name.endswith(".csv") else write_xlsx
    result = import_as_township(writer(tmp_path / name, rows))
    assert result.status == "rejected", [e.message() for e in result.errors]
    assert any("管辖范围以外" in e.expected for e in result.errors), [e.message() for e in result.errors]
    assert model.objects.filter(code=code).values_list(field, flat=True).get() == before


def test_objects_inside_the_region_are_still_updated(cast, tmp_path):
    path = write_xlsx(
        tmp_path / "apps.xlsx",
        [["编号", "名称", "类别", "主管单位", "上线日期"], ["A2", "民政统计平台二期", "平台", TOWNSHIP, "2023-01-05"]],
    )
    result = import_as_township(path)
    assert result.status == "accepted" and result.updated == 1
    assert App.objects.get(code="A2").name == "民政统计平台二期"
