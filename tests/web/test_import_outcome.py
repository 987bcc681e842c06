"""What an officer sees after an import (issue 9 §4): a refused file makes the job say 已拒绝, a refused file
counts all its rows, and the rejection list downloads as a formula-safe Excel file."""

import io

import openpyxl
import pytest

from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob
from jianfu.registry.importing import import_paths
from tests.builders import write_xlsx
from tests.web.conftest import BUREAU
from tests.web.test_import_upload import HEADER, good_file, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _imports_in_this_process(settings):
    # The test's data lives in its own transaction, which a child process cannot see.
    settings.JIANFU_IMPORT_SUBPROCESS = False


THREE_BAD_ROWS = [
    HEADER,
    ["B1", "甲", "APP", BUREAU, "2024-05-01"],
    ["B2", "乙", "APP", BUREAU, "不是日期"],
    ["B3", "丙", "APP", BUREAU, "@坏日期"],
]


def test_a_refused_file_counts_every_row(cast, tmp_path):
    report = import_paths([write_xlsx(tmp_path / "应用.xlsx", THREE_BAD_ROWS)], actor="cli")
    assert report.files[0].status == "rejected" and report.files[0].rows == 3


def test_a_job_whose_only_file_was_refused_says_so(cast, as_user, tmp_path):
    client = as_user(cast.county)
    upload(client, xlsx(tmp_path, "坏.xlsx", THREE_BAD_ROWS))
    worker.run_pending()
    job = ImportJob.objects.get()
    assert job.status == "done" and job.outcome_label == "已拒绝"
    status = client.get(f"/import/{job.code}/status/").content.decode()
    heading = status[status.index("<h2>") : status.index("</h2>")]
    assert "已拒绝" in heading and "已完成" not in heading
    assert "已拒绝" in client.get("/import/").content.decode()
    assert job.report["files"][0]["rows"] == 3


def test_a_partly_refused_job_says_partly(cast, as_user, tmp_path):
    upload(as_user(cast.county), xlsx(tmp_path, "坏.xlsx", THREE_BAD_ROWS), good_file(tmp_path))
    worker.run_pending()
    assert ImportJob.objects.get().outcome_label == "部分拒绝"


def test_the_rejection_list_downloads_as_excel(cast, as_user, tmp_path):
    client = as_user(cast.county)
    upload(client, xlsx(tmp_path, "坏.xlsx", THREE_BAD_ROWS))
    worker.run_pending()
    job = ImportJob.objects.get()
    assert f"/import/{job.code}/rejections.xlsx" in client.get(f"/import/{job.code}/").content.decode()
    response = client.get(f"/import/{job.code}/rejections.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("文件", "工作表", "行", "列", "单元格的值", "应为")
    assert [(r[2], r[3]) for r in rows[1:]] == [(3, "上线日期"), (4, "上线日期")]
    assert rows[2][4] == "'@坏日期"  # formula-safe
    # Out of scope, a role that may not import, anonymous.
    assert as_user(cast.outsider).get(f"/import/{job.code}/rejections.xlsx").status_code == 404
    assert as_user(cast.cadre).get(f"/import/{job.code}/rejections.xlsx").status_code == 404
    assert as_user(None).get(f"/import/{job.code}/rejections.xlsx").status_code == 302
