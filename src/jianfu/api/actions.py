"""Writes the API makes on top of other apps' actions, each with its audit row."""

from __future__ import annotations

from jianfu.accounts.models import User
from jianfu.api.models import ApiToken
from jianfu.audit.log import record
from jianfu.jobs.models import ImportJob
from jianfu.jobs.queue import enqueue_import


def do_queue_import(uploaded_files, *, acting_user: User, token: ApiToken, dry_run: bool) -> ImportJob:
    """Queue an import exactly as the browser upload does, and audit that this token queued it."""
    job = enqueue_import(uploaded_files, user=acting_user, dry_run=dry_run)
    record(
        actor=acting_user,
        action="import.queue",
        kind="import",
        code=str(job.code),
        changes={"files": [None, job.file_names], "dry_run": [None, dry_run], "api_token": [None, token.id]},
        unit_path=job.unit.path if job.unit else "",
    )
    return job
