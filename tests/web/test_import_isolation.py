"""Imports behind a process boundary: a killed import fails its job, loses its files and leaves the server up;
records of dead processes are reaped; a locked SQLite database answers 503; long upload names keep their type."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from jianfu.cli import main
from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob
from jianfu.registry.models import ImportBatch, Membership, Person, WorkGroup
from tests.builders import write_csv, write_xlsx
from tests.web.conftest import BUREAU, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PEOPLE_HEADER = ["人员编号", "姓名", "手机号码", "所属单位", "职务"]
sqlite_only = pytest.mark.skipif(
    "os.environ.get('DATABASE_URL', '').startswith('postgres')", reason="SQLite's write lock"
)


def big_people_csv(path: Path, rows: int) -> Path:
    """Enough valid rows (each phone hashed) to keep an import busy for seconds."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(PEOPLE_HEADER)
        for number in range(rows):
            writer.writerow([f"Q{number:07d}", f"人员{number}", f"139{number:08d}", BUREAU, "干事"])
    return path


def wait_for(condition, seconds: float = 60.0, message: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


def child_pid(job: ImportJob) -> int | None:
    job.refresh_from_db()
    return job.pid if job.pid and job.pid != os.getpid() and job.status == ImportJob.Status.RUNNING else None


@pytest.fixture
def worker_thread():
    stop = threading.Event()
    worker._thread = None
    thread = worker.start_worker_thread(poll_seconds=0.2, stop=stop)
    yield thread
    stop.set()
    worker.wake()
    thread.join(timeout=60)
    worker._thread = None


def uploaded(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_fails_its_job_deletes_its_files_and_the_server_answers(
    cast, as_user, live_server, worker_thread, tmp_path
):
    assert worker.settings.JIANFU_IMPORT_SUBPROCESS  # the default
    client = as_user(cast.county)
    client.post("/import/", {"files": [uploaded(big_people_csv(tmp_path / "十万人员.csv", 300_000))]})
    job = ImportJob.objects.get()
    pid = wait_for(lambda: child_pid(job), message="the child process")
    wait_for(lambda: worker.live_progress(job)["rows"] > 0, message="progress from the child")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: ImportJob.objects.get(id=job.id).finished, message="the job to end")
    job.refresh_from_db()
    assert job.status == "failed" and job.error == worker.CHILD_KILLED
    assert not worker.upload_dir(job).exists()
    assert not Person.objects.filter(code__startswith="Q").exists()
    assert not ImportBatch.objects.filter(status="running").exists()
    page = client.get(f"/import/{job.code}/status/").content.decode()
    assert "导入进程被系统终止" in page
    # The server lives on: its pages answer and its worker runs the next job.
    assert urllib.request.urlopen(f"{live_server.url}/login/", timeout=10).status == 200
    assert worker_thread.is_alive()
    small = write_xlsx(tmp_path / "应用.xlsx", [["编号", "名称", "类别", "主管单位"], ["A9", "新应用", "APP", BUREAU]])
    client.post("/import/", {"files": [uploaded(small)]})
    second = ImportJob.objects.exclude(id=job.id).get()
    wait_for(lambda: ImportJob.objects.get(id=second.id).finished, message="the second job")
    assert ImportJob.objects.get(id=second.id).status == "done"


@pytest.mark.django_db(transaction=True)
def test_a_child_over_its_memory_limit_fails_the_job(cast, as_user, settings, tmp_path):
    settings.JIANFU_IMPORT_MEMORY_MB = 100  # Django fits; 300,000 people do not
    settings.JIANFU_IMPORT_TIMEOUT_SECONDS = 120  # a child crawling at its limit instead of failing fails this test
    as_user(cast.county).post("/import/", {"files": [uploaded(big_people_csv(tmp_path / "人员.csv", 300_000))]})
    assert worker.run_pending() == 1
    job = ImportJob.objects.get()
    # Python raises MemoryError; a C library (libpq on PostgreSQL) may instead crash the child: both fail the job.
    assert job.status == "failed" and job.error in (worker.OUT_OF_MEMORY, worker.CHILD_CRASHED)
    assert not worker.upload_dir(job).exists() and not Person.objects.filter(code__startswith="Q").exists()
    assert not ImportBatch.objects.filter(status="running").exists()


@pytest.mark.django_db(transaction=True)
def test_a_child_past_its_time_limit_is_killed(cast, as_user, settings, tmp_path):
    settings.JIANFU_IMPORT_TIMEOUT_SECONDS = 1
    as_user(cast.county).post("/import/", {"files": [uploaded(big_people_csv(tmp_path / "人员.csv", 300_000))]})
    assert worker.run_pending() == 1
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error == worker.TIMED_OUT
    assert not worker.upload_dir(job).exists() and not Person.objects.filter(code__startswith="Q").exists()


@pytest.mark.django_db(transaction=True)
def test_a_cli_import_killed_with_sigkill_is_reaped_by_the_next_import(cast, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": worker.child_database_url(),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    path = big_people_csv(tmp_path / "人员.csv", 300_000)
    importer = subprocess.Popen([sys.executable, "-m", "jianfu.cli", "import", "--quiet", str(path)], env=env)
    try:
        batch = wait_for(
            lambda: ImportBatch.objects.filter(pid=importer.pid, status="running").first(), message="the CLI's batch"
        )
    finally:
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=30)
    assert ImportBatch.objects.get(id=batch.id).status == "running"  # what kill -9 leaves behind
    small = write_csv(tmp_path / "群成员.csv", [["群编号", "人员编号"], ["G1", "P3"]])
    assert main(["import", "--quiet", str(small)]) == 0  # any CLI start reaps first
    batch.refresh_from_db()
    assert batch.status == "failed" and "导入进程中断" in batch.errors[0]["expected"]
    assert not Person.objects.filter(code__startswith="Q").exists()


@pytest.mark.django_db(transaction=True)
def test_the_jobs_page_reaps_a_job_whose_process_is_gone(cast, as_user, tmp_path):
    client = as_user(cast.county)
    client.post("/import/", {"files": [uploaded(big_people_csv(tmp_path / "人员.csv", 10))]})
    job = worker.claim_next()
    gone = subprocess.Popen(["true"])
    gone.wait()
    ImportJob.objects.filter(id=job.id).update(pid=gone.pid)
    assert worker.upload_dir(job).exists()
    client.get("/import/")
    job.refresh_from_db()
    assert job.status == "failed" and job.error == worker.INTERRUPTED and not worker.upload_dir(job).exists()
    assert "后台任务中断" in client.get(f"/import/{job.code}/").content.decode()
    client.cookies["django_language"] = "en"
    assert "background task was interrupted" in client.get(f"/import/{job.code}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_members_file_that_fails_midway_is_undone(cast, tmp_path, monkeypatch):
    from jianfu.registry import importing

    rows = [["群编号", "人员编号"], ["G3", "P2"], ["G3", "P3"], ["G4", "P3"], ["G4", "P4"]]
    before = set(Membership.objects.values_list("group_id", "person_id"))
    counts = dict(WorkGroup.objects.values_list("code", "member_count"))
    monkeypatch.setattr(importing.writers, "MEMBER_CHUNK", 1)
    real_insert = importing._MemberWriter._insert
    calls = []

    def fail_on_third_chunk(self, rows):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        real_insert(self, rows)

    monkeypatch.setattr(importing._MemberWriter, "_insert", fail_on_third_chunk)
    with pytest.raises(OSError):
        importing.import_paths([write_csv(tmp_path / "群成员.csv", rows)])
    assert set(Membership.objects.values_list("group_id", "person_id")) == before
    assert dict(WorkGroup.objects.values_list("code", "member_count")) == counts
    assert ImportBatch.objects.filter(file_name="群成员.csv").latest("id").status == "failed"


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_locked_database_answers_503_busy_not_500(cast):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout=200")  # the server's 30 s, shortened for the test
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what a long import did to every writer
    try:
        response = Client(raise_request_exception=False).post("/login/", {"username": "county", "password": PASSWORD})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "系统繁忙" in response.content.decode()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_busy_page_is_translated(cast):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout=200")
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    try:
        response = client.post("/login/", {"username": "county", "password": PASSWORD})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503 and "busy" in response.content.decode().lower()


def test_a_200_character_chinese_file_name_keeps_its_extension(cast, as_user, settings, tmp_path):
    settings.JIANFU_IMPORT_SUBPROCESS = False
    name = ("上城区" + "关于政务应用程序清理整合情况的统计" * 12)[:195] + ".xlsx"
    assert len(name) == 200 and len(name.encode()) > 255  # too long for a file system as it stands
    path = write_xlsx(tmp_path / "应用.xlsx", [["编号", "名称", "类别", "主管单位"], ["A9", "新应用", "APP", BUREAU]])
    client = as_user(cast.county)
    response = client.post("/import/", {"files": [SimpleUploadedFile(name, path.read_bytes())]})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    stored = Path(job.files[0]["path"])
    assert stored.suffix == ".xlsx" and len(stored.name.encode()) <= 255 and job.file_names == [name]
    worker.run_pending()
    job.refresh_from_db()
    assert job.status == "done" and job.report["ok"], job.report
    assert job.report["files"][0]["file"] == name
