"""The catalog kinds through the API's import (the browser's job and worker): scoped to the uploader's region."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.api.tokens import do_create_token
from jianfu.elements.models import DataElement, HeldValue
from jianfu.jobs import worker
from tests import builders
from tests.cast import TOWNSHIP

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _imports_in_this_process(settings):
    settings.JIANFU_IMPORT_SUBPROCESS = False  # the test's transaction is invisible to a child process


def _post(client, user, *paths):
    raw = do_create_token(user, acting_user=user)[1]
    files = [SimpleUploadedFile(p.name, p.read_bytes()) for p in paths]
    return client.post("/api/v1/imports/", {"files": files}, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_county_uploads_its_own_elements_and_values(cast, client, tmp_path):
    elements = (
        builders.write_xlsx(
            tmp_path / "數據元.xlsx",
            [
                ["元素編碼", "名稱", "同義詞", "數據類型", "計量單位"],
                ["DEW1", "網格員人數", "專職網格員數", "數值", "人"],
            ],
        )
        or tmp_path / "數據元.xlsx"
    )
    values = builders.write_csv(
        tmp_path / "取值.csv", [["元素编码", "单位编码", "期间", "值"], ["DEW1", TOWNSHIP, "2026Q4", "12"]]
    )
    response = _post(client, cast.county, elements, values)
    assert response.status_code == 201, response.content
    assert worker.run_pending() == 1
    element = DataElement.objects.get(code="DEW1")
    assert element.region == cast.county.unit and element.name == "网格员人数"
    assert HeldValue.objects.get(element=element).period == "2026Q4"


def test_bad_values_through_the_api_are_refused_cell_by_cell(cast, client, tmp_path):
    builders.write_xlsx(
        tmp_path / "e.xlsx", [["元素编码", "名称", "数据类型", "计量单位"], ["DEW2", "护林员人数", "数值", "人"]]
    )
    builders.write_csv(tmp_path / "v.csv", [["元素编码", "单位编码", "期间", "值"], ["DEW2", TOWNSHIP, "2026", "-1"]])
    job = _post(client, cast.county, tmp_path / "e.xlsx", tmp_path / "v.csv").json()
    worker.run_pending()
    raw = do_create_token(cast.county, acting_user=cast.county)[1]
    done = client.get(f"/api/v1/imports/{job['code']}/", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert done["ok"] is False
    rejected = next(f for f in done["files"] if f["status"] == "rejected")
    [error] = rejected["errors"]
    assert error["column"] == "值" and error["value"] == "-1" and "不能为负数" in error["expected"]
    assert not HeldValue.objects.exists()
