"""A unit's page (issue 9 §4): the level word the source used (街道, not 乡), and children a viewer cannot see
said to exist rather than 「无下级单位」."""

import pytest

from jianfu.registry.importing import import_paths
from jianfu.registry.models import Unit
from tests.builders import write_xlsx
from tests.cast import COUNTY, TOWNSHIP

pytestmark = pytest.mark.django_db


def test_the_level_word_of_the_source_is_kept_and_shown(cast, as_user, tmp_path):
    assert Unit.objects.get(code=TOWNSHIP).level_word == "街道"
    assert Unit.objects.get(code=TOWNSHIP).level == "township"
    rows = [["编码", "名称", "上级编码", "层级"], ["330102002000", "南星镇", COUNTY, "镇"]]
    assert import_paths([write_xlsx(tmp_path / "单位.xlsx", rows)], actor="cli").ok
    client = as_user(cast.county)
    page = client.get("/units/330102002000/").content.decode()
    assert "<dd>镇</dd>" in page and "<dd>乡</dd>" not in page
    assert "<td>街道</td>" in client.get(f"/units/{COUNTY}/").content.decode()  # the children's table
    client.cookies["django_language"] = "zh-hant"
    assert "<dd>鎮</dd>" in client.get("/units/330102002000/").content.decode()
    client.cookies["django_language"] = "en"
    assert "<dd>Township</dd>" in client.get("/units/330102002000/").content.decode()


def test_a_cadre_is_told_the_units_below_exist(cast, as_user):
    page = as_user(cast.cadre).get(f"/units/{TOWNSHIP}/").content.decode()
    assert "无下级单位" not in page and 'id="hidden-children"' in page and "另有 1 个下级单位" in page


def test_an_office_sees_the_units_below(cast, as_user):
    page = as_user(cast.county).get(f"/units/{TOWNSHIP}/").content.decode()
    assert "清波社区" in page and 'id="hidden-children"' not in page
    assert as_user(cast.outsider).get(f"/units/{TOWNSHIP}/").status_code == 404
    assert as_user(None).get(f"/units/{TOWNSHIP}/").status_code == 302
    leaf = as_user(cast.county).get("/units/330102001001/").content.decode()
    assert "无下级单位" in leaf
