"""Run queued import jobs: claimed with a conditional UPDATE, so any number of workers can share the queue."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from jianfu.jobs.models import ImportJob

log = logging.getLogger("jianfu.jobs")

# Progress of jobs running in this process. On SQLite the import holds the write lock for a whole file,
# so counters cannot be written to the database meanwhile; pages served by this process read them here.
LIVE: dict[int, dict] = {}
_wake = threading.Event()
_thread: threading.Thread | None = None
STALE_AFTER = 6 * 3600


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def upload_dir_for(code) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(code)


def upload_dir(job: ImportJob) -> Path:
    return upload_dir_for(job.code)


def wake() -> None:
    """Tell the in-process worker (if any) that a job was queued, so it need not wait for its next poll."""
    _wake.set()


def claim_next(name: str | None = None) -> ImportJob | None:
    """Claim the oldest queued job; the status condition in the UPDATE makes the claim exclusive."""
    name = name or worker_name()
    for _ in range(10):
        candidate = (ImportJob.objects.filter(status=ImportJob.Status.QUEUED)
                     .order_by("created_at", "id").values_list("id", flat=True).first())
        if candidate is None:
            return None
        now = timezone.now()
        claimed = ImportJob.objects.filter(id=candidate, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, started_at=now, heartbeat=now, worker=name[:100])
        if claimed:
            return ImportJob.objects.select_related("unit", "created_by").get(id=candidate)
    return None


class _Progress:
    """The importer's progress callback: counts rows; on PostgreSQL a side thread also writes them to the job."""

    def __init__(self, job: ImportJob):
        self.job_id = job.id
        self.rows = 0
        self.kind = ""
        LIVE[self.job_id] = {"rows": 0, "kind": ""}
        self._stop = threading.Event()
        self._flusher = None
        if connection.vendor != "sqlite":
            self._flusher = threading.Thread(target=self._flush_loop, name=f"job-{job.id}-progress", daemon=True)
            self._flusher.start()

    def __call__(self, kind: str, count: int) -> None:
        self.rows += count
        self.kind = kind
        LIVE[self.job_id] = {"rows": self.rows, "kind": kind}

    def _flush_loop(self) -> None:
        # Its own thread means its own connection, outside the import's transaction, so readers see it now.
        try:
            while not self._stop.wait(1.0):
                ImportJob.objects.filter(id=self.job_id).update(
                    rows_done=self.rows, current_kind=self.kind, heartbeat=timezone.now())
        except Exception:  # progress is a nicety; never let it break the import
            log.exception("progress flush failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=5)
        LIVE.pop(self.job_id, None)


def _file_payload(result, original_names: dict[str, str]) -> dict:
    return {
        "file": original_names.get(str(result.path), result.path.name),
        "kind": result.kind or "",
        "status": str(result.status),
        "accepted": result.accepted,
        "rows": result.rows, "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "error_total": result.error_total,
        "errors": [{"file": e.file, "sheet": e.sheet, "row": e.row, "column": e.column, "value": e.value,
                    "expected": e.expected, "template": e.template, "params": e.params} for e in result.errors],
    }


def run_job(job: ImportJob) -> ImportJob:
    """Import the job's files with the officer's scope; the uploaded files are removed afterwards."""
    from jianfu.audit.log import record
    from jianfu.registry.importing import import_paths

    paths = [f["path"] for f in job.files]
    names = {f["path"]: f["name"] for f in job.files}
    progress = _Progress(job)
    try:
        if job.unit is None and not job.unrestricted:
            raise PermissionError("任务的单位已不存在，无法确定导入范围")
        scope = None if job.unrestricted else job.unit
        report = import_paths(paths, dry_run=job.dry_run, actor=job.actor_name, scope=scope, progress=progress,
                              user=job.created_by)
    except Exception as exc:  # a crash must end as a visible failure, not a job stuck "running"
        log.exception("import job %s failed", job.code)
        ImportJob.objects.filter(id=job.id).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000], rows_done=progress.rows)
    else:
        files = [_file_payload(r, names) for r in report.files]
        # The importer reports progress every thousand rows; the final count comes from its report.
        ImportJob.objects.filter(id=job.id).update(
            status=ImportJob.Status.DONE, finished_at=timezone.now(), rows_done=sum(f["rows"] for f in files),
            report={"ok": report.ok, "files": files})
        record(actor=job.created_by or job.actor_name, action="import", kind="import", code=str(job.code),
               changes={f["file"]: [f["kind"], f["status"], f["rows"]] for f in files},
               unit_path=job.unit.path if job.unit else "")
    finally:
        progress.stop()
        # Uploaded sheets hold plain phone numbers; the registry keeps only hashes, so the files must not linger.
        shutil.rmtree(upload_dir(job), ignore_errors=True)
    job.refresh_from_db()
    return job


def fail_stale_jobs() -> int:
    """Jobs left running by a worker that died: marked failed so their officers know to upload again."""
    cutoff = timezone.now() - timezone.timedelta(seconds=STALE_AFTER)
    return ImportJob.objects.filter(status=ImportJob.Status.RUNNING, heartbeat__lt=cutoff).update(
        status=ImportJob.Status.FAILED, finished_at=timezone.now(), error="后台任务中断，请重新上传")


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs until none is left (or `limit` ran); returns how many ran."""
    done = 0
    while limit is None or done < limit:
        job = claim_next()
        if job is None:
            break
        run_job(job)
        done += 1
    return done


def work_forever(poll_seconds: float = 2.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    fail_stale_jobs()
    while not stop.is_set():
        try:
            close_old_connections()
            ran = run_pending()
        except Exception:  # a broken database must not kill the worker for good
            log.exception("worker loop failed")
            ran = 0
        if not ran:
            _wake.wait(poll_seconds)
            _wake.clear()
    connection.close()


def start_worker_thread(poll_seconds: float = 2.0, stop: threading.Event | None = None) -> threading.Thread:
    """The in-process worker `jianfu serve` starts, so the embedded default needs no second process."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    _thread = threading.Thread(target=work_forever, args=(poll_seconds, stop), name="jianfu-import-worker",
                               daemon=True)
    _thread.start()
    return _thread
