"""Queue an import: store the uploaded files under the job's folder, then write the job a worker will claim."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

from django.conf import settings

from jianfu.accounts import scope
from jianfu.jobs.models import ImportJob

# File systems allow 255 bytes per name, and a Chinese character takes three in UTF-8; the rest is room for "-N".
MAX_STORED_NAME_BYTES = 200


def _shown_name(name: str) -> str:
    """The officer's own file name (the report cites it), without any path, control character or leading dot."""
    base = os.path.basename(name.replace("\\", "/")).strip().lstrip(".") or "upload"
    return re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base)


def _clip_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _stored_name(shown: str, taken: set[str]) -> str:
    """A name for the disk: the shown name shortened to fit, always keeping its extension (the reader needs it)."""
    stem, suffix = os.path.splitext(shown)
    stem = _clip_utf8(stem, MAX_STORED_NAME_BYTES - len(suffix.encode("utf-8"))) or "upload"
    candidate, n = stem + suffix, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    taken.add(candidate)
    return candidate


def upload_dir_for(code) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(code)


def enqueue_import(uploaded_files, *, user, dry_run: bool = False) -> ImportJob:
    """Store the files (Django UploadedFile objects) and queue an ImportJob confined to the user's import scope.

    The caller has checked `scope.can_import(user)` and the files' types and sizes. The web upload page and the
    API both queue imports through here.
    """
    from jianfu.jobs import worker

    code = uuid.uuid4()
    folder = upload_dir_for(code)
    # Uploaded inventories carry names and phone numbers: owner-only, whatever the process umask.
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        stored, taken, shown_names = [], set(), set()
        for uploaded in uploaded_files:
            shown = _shown_name(uploaded.name)
            target = folder / _stored_name(shown, taken)
            with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                for chunk in uploaded.chunks():
                    out.write(chunk)
            stored.append({"name": shown if shown not in shown_names else target.name, "path": str(target)})
            shown_names.add(shown)
        # The job row is written only once its files are on disk, so a worker never claims half a job.
        unit = scope.import_scope(user)
        job = ImportJob.objects.create(
            code=code,
            created_by=user,
            actor_name=user.username,
            unit=unit,
            unrestricted=unit is None,
            dry_run=dry_run,
            files=stored,
        )
    except BaseException:
        # Uploaded sheets hold plain phone numbers: a job that was never queued must not leave them behind.
        shutil.rmtree(folder, ignore_errors=True)
        raise
    worker.wake()
    return job
