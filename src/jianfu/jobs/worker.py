"""Run queued import jobs: claimed with a conditional UPDATE, so any number of workers can share the queue.

By default each job runs in a child process (`python -m jianfu.jobs.child`) with memory and time limits, so a
file that makes a reader abort, exhaust memory or hang ends as a failed job and never takes the server down.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from jianfu.jobs.models import ImportJob
from jianfu.jobs.queue import upload_dir_for
from jianfu.liveness import owner_gone, this_host

log = logging.getLogger("jianfu.jobs")

_wake = threading.Event()
_thread: threading.Thread | None = None
STALE_AFTER = 6 * 3600  # no heartbeat for this long: the worker is gone even if it ran on another host
HEARTBEAT_SECONDS = 15  # how often the parent of a child process marks its job alive
ORPHAN_AFTER = 3600  # an upload folder without a job (the request died between files and row) is deleted after
PROGRESS_FILE = "progress.json"

# Stored in ImportJob.error as msgids and translated when shown (`{% translate job.error %}`).
NO_SCOPE = gettext_noop("任务的单位已不存在，无法确定导入范围")
INTERRUPTED = gettext_noop("后台任务中断，请重新上传")
CHILD_CRASHED = gettext_noop("导入进程意外退出，任务已中止，上传的文件已删除；请检查文件后重新上传")
CHILD_KILLED = gettext_noop("导入进程被系统终止（可能内存不足），任务已中止，上传的文件已删除；请拆分文件后重新上传")
TIMED_OUT = gettext_noop("导入超过时间上限，任务已中止，上传的文件已删除；请拆分文件后重新上传")
OUT_OF_MEMORY = gettext_noop("导入超过内存上限，任务已中止，上传的文件已删除；请拆分文件后重新上传")
UNEXPECTED = gettext_noop("导入出错，任务已中止，上传的文件已删除；详情见服务器日志")


class _NoScope(Exception):
    """The job's unit vanished: importing without a region would widen it to everything."""


def worker_name() -> str:
    return f"{this_host()}:{os.getpid()}:{threading.get_ident()}"


def upload_dir(job: ImportJob) -> Path:
    return upload_dir_for(job.code)


def progress_path(job: ImportJob) -> Path:
    return upload_dir(job) / PROGRESS_FILE


def delete_uploads(job: ImportJob) -> None:
    # Uploaded sheets hold plain phone numbers; the registry keeps only hashes, so the files must not linger.
    shutil.rmtree(upload_dir(job), ignore_errors=True)


def wake() -> None:
    """Tell the in-process worker (if any) that a job was queued, so it need not wait for its next poll."""
    _wake.set()


def claim_next(name: str | None = None) -> ImportJob | None:
    """Claim the oldest queued job; the status condition in the UPDATE makes the claim exclusive."""
    name = name or worker_name()
    for _ in range(10):
        candidate = (
            ImportJob.objects.filter(status=ImportJob.Status.QUEUED)
            .order_by("created_at", "id")
            .values_list("id", flat=True)
            .first()
        )
        if candidate is None:
            return None
        now = timezone.now()
        claimed = ImportJob.objects.filter(id=candidate, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING,
            started_at=now,
            heartbeat=now,
            worker=name[:100],
            host=this_host(),
            pid=os.getpid(),
        )
        if claimed:
            return ImportJob.objects.select_related("unit", "created_by").get(id=candidate)
    return None


def live_progress(job: ImportJob) -> dict:
    """Rows done so far: from the progress file the importing process keeps (any process on this host can read it,
    even while the import holds SQLite's write lock), else from the job row."""
    if not job.finished:
        try:
            found = json.loads(progress_path(job).read_text(encoding="utf-8"))
            return {"rows": int(found["rows"]), "kind": str(found["kind"])}
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return {"rows": job.rows_done, "kind": job.current_kind}


class _Progress:
    """The importer's progress callback: counts rows into the job's progress file; on PostgreSQL a side thread
    also writes them to the job row."""

    WRITE_EVERY = 0.5  # seconds

    def __init__(self, job: ImportJob):
        self.job_id = job.id
        self.path = progress_path(job)
        self.rows = 0
        self.kind = ""
        self._written_at = 0.0
        self._stop = threading.Event()
        self._flusher = None
        if connection.vendor != "sqlite":
            self._flusher = threading.Thread(target=self._flush_loop, name=f"job-{job.id}-progress", daemon=True)
            self._flusher.start()

    def __call__(self, kind: str, count: int) -> None:
        self.rows += count
        self.kind = kind
        if time.monotonic() - self._written_at >= self.WRITE_EVERY:
            self._write_file()

    def _write_file(self) -> None:
        self._written_at = time.monotonic()
        temporary = self.path.with_name(f".{PROGRESS_FILE}.{os.getpid()}")
        try:  # write then rename, so a reader never sees half a file
            temporary.write_text(json.dumps({"rows": self.rows, "kind": self.kind}), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:  # the folder is gone (job reaped): progress is a nicety
            log.warning("cannot write progress of job %s", self.job_id)

    def _flush_loop(self) -> None:
        # Its own thread means its own connection, outside the import's transaction, so readers see it now.
        try:
            while not self._stop.wait(1.0):
                ImportJob.objects.filter(id=self.job_id).update(
                    rows_done=self.rows, current_kind=self.kind, heartbeat=timezone.now()
                )
        except Exception:  # progress is a nicety; never let it break the import
            log.exception("progress flush failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=5)


def _file_payload(result, original_names: dict[str, str]) -> dict:
    return {
        "file": original_names.get(str(result.path), result.path.name),
        "kind": result.kind or "",
        "status": str(result.status),
        "accepted": result.accepted,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "error_total": result.error_total,
        "errors": [
            {
                "file": e.file,
                "sheet": e.sheet,
                "row": e.row,
                "column": e.column,
                "value": e.value,
                "expected": e.expected,
                "template": e.template,
                "params": e.params,
            }
            for e in result.errors
        ],
    }


def fail_job(job: ImportJob, message: str, rows_done: int | None = None) -> bool:
    """Mark a running job failed with a translatable message; False when it had already ended."""
    extra = {} if rows_done is None else {"rows_done": rows_done}
    return bool(
        ImportJob.objects.filter(id=job.id, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), error=message, **extra
        )
    )


def run_job(job: ImportJob) -> ImportJob:
    """Import the job's files with the officer's scope, in this process; the uploaded files are removed afterwards."""
    from jianfu.audit.log import record
    from jianfu.registry.importing import import_paths

    paths = [f["path"] for f in job.files]
    names = {f["path"]: f["name"] for f in job.files}
    progress = _Progress(job)
    failure = None
    try:
        if job.unit is None and not job.unrestricted:
            raise _NoScope
        scope = None if job.unrestricted else job.unit
        report = import_paths(
            paths, dry_run=job.dry_run, actor=job.actor_name, scope=scope, progress=progress, user=job.created_by
        )
    except _NoScope:
        failure = NO_SCOPE
    except MemoryError:
        log.error("import job %s ran out of memory", job.code)
        failure = OUT_OF_MEMORY
    except Exception:  # a crash must end as a visible failure, not a job stuck "running"
        log.exception("import job %s failed", job.code)
        failure = UNEXPECTED
    finally:
        progress.stop()
        delete_uploads(job)  # before the job shows as ended, so an ended job never has files
    if failure:
        fail_job(job, failure, progress.rows)
    else:
        files = [_file_payload(r, names) for r in report.files]
        # The importer reports progress every thousand rows; the final count comes from its report.
        ImportJob.objects.filter(id=job.id).update(
            status=ImportJob.Status.DONE,
            finished_at=timezone.now(),
            rows_done=sum(f["rows"] for f in files),
            report={"ok": report.ok, "files": files},
        )
        record(
            actor=job.created_by or job.actor_name,
            action="import",
            kind="import",
            code=str(job.code),
            changes={f["file"]: [f["kind"], f["status"], f["rows"]] for f in files},
            unit_path=job.unit.path if job.unit else "",
        )
    job.refresh_from_db()
    return job


# -- the child process ---------------------------------------------------------------------------------------


def child_database_url() -> str:
    """The database this process is connected to, as a URL, so the child writes to the same one (test runs
    included, whose database name differs from the configured one)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    location = f"{db.get('HOST') or ''}" + (f":{db['PORT']}" if db.get("PORT") else "")
    return f"postgres://{credentials + '@' if credentials else ''}{location}/{quote(db['NAME'], safe='')}"


def run_in_child(job: ImportJob) -> ImportJob:
    """Run the job in a child process with memory and time limits; however the child ends, this process goes on."""
    timeout = settings.JIANFU_IMPORT_TIMEOUT_SECONDS
    command = [
        sys.executable,
        "-m",
        "jianfu.jobs.child",
        str(job.code),
        "--memory-mb",
        str(settings.JIANFU_IMPORT_MEMORY_MB),
        "--cpu-seconds",
        str(timeout),
    ]
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "DJANGO_SETTINGS_MODULE": "jianfu.settings",
        # One malloc arena: under RLIMIT_AS glibc otherwise retries a 128 MB arena reservation on every
        # allocation of a second thread and crawls instead of raising MemoryError.
        "MALLOC_ARENA_MAX": "1",
    }
    src = str(Path(__file__).resolve().parents[2])  # the child must import this same jianfu
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p)
    try:
        child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, close_fds=True)
    except OSError:
        log.exception("cannot start the child process of import job %s", job.code)
        fail_job(job, CHILD_CRASHED)
        delete_uploads(job)
        job.refresh_from_db()
        return job
    # From now on the child owns the record: if it dies, the reaper must see its pid, not ours.
    ImportJob.objects.filter(id=job.id, status=ImportJob.Status.RUNNING).update(pid=child.pid, heartbeat=timezone.now())
    timed_out = _wait_for_child(child, job, timeout)
    return _settle_child(job, child.pid, child.returncode, timed_out)


def _wait_for_child(child: subprocess.Popen, job: ImportJob, timeout: float) -> bool:
    """Wait for the child, beating the job's heartbeat; kill it at the deadline. True when it was killed."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            child.kill()
            child.wait()
            return True
        try:
            child.wait(timeout=min(HEARTBEAT_SECONDS, remaining))
            return False
        except subprocess.TimeoutExpired:
            _beat(job)


def _beat(job: ImportJob) -> None:
    try:
        ImportJob.objects.filter(id=job.id, status=ImportJob.Status.RUNNING).update(heartbeat=timezone.now())
    except OperationalError:  # the import holds SQLite's write lock past the busy timeout; the next beat will do
        log.warning("heartbeat of import job %s skipped: database busy", job.code)


def _settle_child(job: ImportJob, pid: int, returncode: int, timed_out: bool) -> ImportJob:
    """A child that ended without recording an outcome (killed, crashed, timed out) fails its job here."""
    from jianfu.registry.importing import abandon_batches_of

    job.refresh_from_db()
    if job.status == ImportJob.Status.RUNNING:
        if timed_out:
            message = TIMED_OUT
        elif returncode == -signal.SIGKILL:
            message = CHILD_KILLED
        else:
            message = CHILD_CRASHED
        log.error(
            "import job %s: child process %s ended with status %s%s",
            job.code,
            pid,
            returncode,
            " after the time limit" if timed_out else "",
        )
        delete_uploads(job)
        abandon_batches_of(this_host(), pid)
        fail_job(job, message)
    delete_uploads(job)
    job.refresh_from_db()
    return job


# -- reaping what dead processes left ------------------------------------------------------------------------


def reap_abandoned() -> int:
    """Fail jobs and import batches whose process is gone (this host, pid dead) or whose heartbeat is stale, and
    delete upload folders no live job needs. Returns how many jobs and batches were failed."""
    from jianfu.registry.importing import reap_abandoned_batches

    cutoff = timezone.now() - timezone.timedelta(seconds=STALE_AFTER)
    reaped = 0
    for job in ImportJob.objects.filter(status=ImportJob.Status.RUNNING):
        stale = job.heartbeat is None or job.heartbeat < cutoff
        if stale or owner_gone(job.host, job.pid):
            delete_uploads(job)
            if fail_job(job, INTERRUPTED):
                log.warning("import job %s abandoned by %s:%s; marked failed", job.code, job.host, job.pid)
                reaped += 1
    reaped += reap_abandoned_batches(STALE_AFTER)
    _delete_orphan_uploads()
    return reaped


def _delete_orphan_uploads() -> None:
    root = Path(settings.MEDIA_ROOT) / "imports"
    if not root.is_dir():
        return
    folders = {}
    for folder in root.iterdir():
        try:
            folders[uuid.UUID(folder.name)] = folder
        except ValueError:
            continue
    if not folders:
        return
    live = set(
        ImportJob.objects.filter(
            code__in=list(folders), status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
        ).values_list("code", flat=True)
    )
    known = set(ImportJob.objects.filter(code__in=list(folders)).values_list("code", flat=True))
    for code, folder in folders.items():
        if code in live:
            continue
        # A folder without a job may belong to an upload still being written: only old ones are orphans.
        if code in known or time.time() - folder.stat().st_mtime > ORPHAN_AFTER:
            shutil.rmtree(folder, ignore_errors=True)


# -- the loop --------------------------------------------------------------------------------------------------


def run_claimed(job: ImportJob) -> ImportJob:
    """Run a claimed job as settings say: in a child process (the default) or in this one."""
    if settings.JIANFU_IMPORT_SUBPROCESS:
        return run_in_child(job)
    return run_job(job)


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs until none is left (or `limit` ran); returns how many ran."""
    done = 0
    while limit is None or done < limit:
        job = claim_next()
        if job is None:
            break
        run_claimed(job)
        done += 1
    return done


def work_forever(poll_seconds: float = 2.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    try:
        reap_abandoned()
    except Exception:  # a broken database must not kill the worker for good
        log.exception("reaping abandoned imports failed")
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
    _thread = threading.Thread(target=work_forever, args=(poll_seconds, stop), name="jianfu-import-worker", daemon=True)
    _thread.start()
    return _thread
