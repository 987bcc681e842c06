"""Import in the browser: a queued job, a worker that claims it, progress, and the per-cell rejection report."""

import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.audit.models import AuditEvent
from jianfu.cli import main
from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob
from jianfu.registry.models import App, ImportBatch
from tests.builders import write_xlsx
from tests.web.conftest import BUREAU, SIBLING

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _imports_in_this_process(settings):
    # These tests keep their data in the test's own transaction, which a child process cannot see; imports in a
    # child process (the default) are tested in test_import_isolation.py.
    settings.JIANFU_IMPORT_SUBPROCESS = False


HEADER = ["编号", "名称", "类别", "主管单位", "上线日期"]


def xlsx(tmp_path: Path, name: str, rows: list[list]) -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes())


def good_file(tmp_path, code="A9", owner=BUREAU):
    return xlsx(tmp_path, "新增应用.xlsx", [HEADER, [code, "新应用", "APP", owner, "2024-05-01"]])


def bad_file(tmp_path):
    return xlsx(tmp_path, "坏应用.xlsx", [HEADER, ["A8", "坏应用", "APP", BUREAU, "2024/13/45"]])


def upload(client, *files, **extra):
    return client.post("/import/", {"files": list(files), **extra})


def test_it_redirects_anonymous_visitors(client, tmp_path):
    assert client.get("/import/")["Location"].startswith("/login/")
    assert upload(client, good_file(tmp_path))["Location"].startswith("/login/")
    assert not ImportJob.objects.exists()


def test_readers_may_not_import(cast, as_user, tmp_path):
    assert as_user(cast.discipline).get("/import/").status_code == 403
    assert upload(as_user(cast.cadre), good_file(tmp_path)).status_code == 403


def test_an_upload_queues_a_job_that_the_worker_runs(cast, as_user, tmp_path):
    client = as_user(cast.county)
    response = upload(client, good_file(tmp_path))
    job = ImportJob.objects.get()
    assert response["Location"] == f"/import/{job.code}/"
    assert job.status == "queued" and job.unit.code == "330102000000" and job.file_names == ["新增应用.xlsx"]
    assert not App.objects.filter(code="A9").exists()  # nothing happens inside the request
    page = client.get(f"/import/{job.code}/status/").content.decode()
    assert "every 1s" in page  # htmx keeps polling while the job waits
    assert worker.run_pending() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.report["ok"] and job.rows_done == 1
    assert App.objects.get(code="A9").owner.code == BUREAU
    page = client.get(f"/import/{job.code}/status/").content.decode()
    assert "every 1s" not in page and "已导入" in page
    assert ImportBatch.objects.filter(file_name="新增应用.xlsx", unit_scope__code="330102000000").exists()
    assert AuditEvent.objects.filter(action="import", object_code=str(job.code)).exists()


def test_uploaded_files_are_removed_once_imported(cast, as_user, tmp_path):
    upload(as_user(cast.county), good_file(tmp_path))
    job = ImportJob.objects.get()
    assert Path(job.files[0]["path"]).exists()
    worker.run_pending()
    assert not Path(job.files[0]["path"]).exists()


def test_a_bad_cell_is_reported_in_a_chinese_table(cast, as_user, tmp_path):
    client = as_user(cast.county)
    upload(client, bad_file(tmp_path), good_file(tmp_path))
    worker.run_pending()
    job = ImportJob.objects.get()
    assert job.report["ok"] is False
    body = client.get(f"/import/{job.code}/").content.decode()
    assert "拒绝原因" in body and "坏应用.xlsx" in body and "2024/13/45" in body and "上线日期" in body
    rejected = next(f for f in job.report["files"] if f["file"] == "坏应用.xlsx")
    assert rejected["errors"][0]["row"] == 2 and rejected["errors"][0]["column"] == "上线日期"
    assert not App.objects.filter(code="A8").exists() and App.objects.filter(code="A9").exists()


def test_the_import_is_confined_to_the_officers_region(cast, as_user, tmp_path):
    upload(as_user(cast.county), good_file(tmp_path, owner=SIBLING))
    worker.run_pending()
    job = ImportJob.objects.get()
    assert job.report["ok"] is False
    assert "管辖范围" in job.report["files"][0]["errors"][0]["expected"]
    assert not App.objects.filter(code="A9").exists()


def test_a_job_is_404_outside_its_region(cast, as_user, tmp_path):
    upload(as_user(cast.county), good_file(tmp_path))
    job = ImportJob.objects.get()
    assert as_user(cast.outsider).get(f"/import/{job.code}/").status_code == 404
    assert as_user(cast.outsider).get(f"/import/{job.code}/status/").status_code == 404
    assert as_user(cast.province).get(f"/import/{job.code}/").status_code == 200
    assert as_user(None).get(f"/import/{job.code}/")["Location"].startswith("/login/")


def test_a_dry_run_writes_nothing(cast, as_user, tmp_path):
    upload(as_user(cast.county), good_file(tmp_path), dry_run="on")
    worker.run_pending()
    assert ImportJob.objects.get().report["ok"] and not App.objects.filter(code="A9").exists()


def test_files_of_other_types_are_refused(cast, as_user):
    response = upload(as_user(cast.county), SimpleUploadedFile("x.exe", b"MZ"))
    assert response.status_code == 200 and response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_a_path_in_the_file_name_is_dropped(cast, as_user, tmp_path):
    evil = good_file(tmp_path)
    evil.name = "../../etc/新增应用.xlsx"
    upload(as_user(cast.county), evil)
    stored = Path(ImportJob.objects.get().files[0]["path"])
    assert stored.name == "新增应用.xlsx" and stored.parent == worker.upload_dir(ImportJob.objects.get())


def test_a_job_is_claimed_once(cast, as_user, tmp_path):
    upload(as_user(cast.county), good_file(tmp_path))
    first = worker.claim_next("a")
    assert first is not None and first.status == "running" and first.worker == "a"
    assert worker.claim_next("b") is None


def test_a_crash_ends_as_a_failed_job(cast, as_user, tmp_path, monkeypatch):
    upload(as_user(cast.county), good_file(tmp_path))

    def boom(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr("jianfu.registry.importing.import_paths", boom)
    worker.run_pending()
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error == worker.UNEXPECTED
    page = as_user(cast.county).get(f"/import/{job.code}/").content.decode()
    assert "导入出错，任务已中止" in page and "磁盘已满" not in page  # the detail goes to the log, not the officer
    assert not worker.upload_dir(job).exists()


def test_progress_is_visible_while_a_file_is_imported(cast, as_user, tmp_path, monkeypatch):
    rows = [HEADER] + [[f"B{i:04d}", f"应用{i}", "APP", BUREAU, "2024-05-01"] for i in range(1000)]
    upload(as_user(cast.county), xlsx(tmp_path, "千行.xlsx", rows))
    job = worker.claim_next()
    seen = {}
    original = worker._Progress.__call__

    def spy(self, kind, count):
        original(self, kind, count)
        seen.update(worker.live_progress(job))  # what a page served by any process on this host shows

    monkeypatch.setattr(worker._Progress, "__call__", spy)
    worker.run_job(job)
    assert seen == {"rows": 1000, "kind": "apps"} and not worker.progress_path(job).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_picks_up_a_job(cast, as_user, tmp_path):
    stop = threading.Event()
    worker._thread = None
    thread = worker.start_worker_thread(poll_seconds=0.2, stop=stop)
    try:
        upload(as_user(cast.county), good_file(tmp_path))
        job = ImportJob.objects.get()
        for _ in range(100):
            job.refresh_from_db()
            if job.finished:
                break
            threading.Event().wait(0.1)
        assert job.status == "done"
    finally:
        stop.set()
        worker.wake()
        thread.join(timeout=10)
        worker._thread = None
    assert not thread.is_alive()


def test_the_worker_command_runs_queued_jobs(cast, as_user, tmp_path, capsys):
    upload(as_user(cast.county), good_file(tmp_path))
    assert main(["worker", "--once"]) == 0
    assert "1" in capsys.readouterr().out and ImportJob.objects.get().status == "done"


def test_stale_running_jobs_are_failed(cast, as_user, tmp_path):
    from django.utils import timezone

    upload(as_user(cast.county), good_file(tmp_path))
    job = worker.claim_next()
    ImportJob.objects.filter(id=job.id).update(heartbeat=timezone.now() - timezone.timedelta(days=1))
    assert worker.reap_abandoned() == 1
    assert ImportJob.objects.get().status == "failed" and not worker.upload_dir(job).exists()


def test_the_upload_page_lists_recent_jobs_in_scope(cast, as_user, tmp_path):
    upload(as_user(cast.county), good_file(tmp_path))
    assert len(as_user(cast.county).get("/import/").context["jobs"]) == 1
    assert len(as_user(cast.outsider).get("/import/").context["jobs"]) == 0
