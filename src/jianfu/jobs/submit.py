"""Queue an import: store the uploaded files, then write the job row the worker claims (browser and API)."""

from __future__ import annotations

import os
import re
import uuid

from jianfu.accounts import scope
from jianfu.audit.log import record
from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob


def safe_name(name: str, taken: set[str]) -> str:
    # Keep the officer's own file name (the report cites it) but never a path or a hidden file.
    base = os.path.basename(name.replace("\\", "/")).strip().lstrip(".") or "upload"
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base)[:150]
    stem, suffix = os.path.splitext(base)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    taken.add(candidate)
    return candidate


def enqueue_import(user, uploads, *, dry_run: bool) -> ImportJob:
    """Store `uploads` (Django UploadedFiles) and queue one job confined to the user's import scope."""
    code = uuid.uuid4()
    folder = worker.upload_dir_for(code)
    folder.mkdir(parents=True, exist_ok=True)
    stored, taken = [], set()
    for upload in uploads:
        target = folder / safe_name(upload.name, taken)
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        stored.append({"name": target.name, "path": str(target)})
    # The job row is written only once its files are on disk, so a worker never claims half a job.
    unit = scope.import_scope(user)
    job = ImportJob.objects.create(
        code=code, created_by=user, actor_name=user.username, unit=unit,
        unrestricted=unit is None, dry_run=dry_run, files=stored,
    )
    record(actor=user, action="import.queue", kind="import", code=str(job.code),
           changes={"files": [None, job.file_names], "dry_run": [None, dry_run]}, unit_path=unit.path if unit else "")
    worker.wake()
    return job
