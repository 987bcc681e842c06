"""Uploaded inventories (names, phone numbers) are stored owner-only, whatever umask the server runs with."""

import os
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.jobs.models import ImportJob
from tests.builders import write_xlsx
from tests.cast import BUREAU

pytestmark = pytest.mark.django_db


def test_an_uploaded_file_is_0600_in_a_0700_folder(cast, as_user, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    path = write_xlsx(
        tmp_path / "应用.xlsx",
        [["编号", "名称", "类别", "主管单位", "上线日期"], ["A9", "新应用", "APP", BUREAU, "2024-05-01"]],
    )
    previous = os.umask(0o022)
    try:
        response = as_user(cast.county).post(
            "/import/", {"files": [SimpleUploadedFile("应用.xlsx", path.read_bytes())]}
        )
    finally:
        os.umask(previous)
    assert response.status_code == 302
    stored = Path(ImportJob.objects.get().files[0]["path"])
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
