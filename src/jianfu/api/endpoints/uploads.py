"""POST /api/v1/precheck/ (writes nothing) and POST/GET /api/v1/imports/ (the browser import's job and worker)."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from jianfu.accounts import scope
from jianfu.accounts.models import Role
from jianfu.api.errors import ApiError
from jianfu.api.schemas import ERRORS, ImportJobOut, PrecheckOut
from jianfu.api.actions import do_queue_import
from jianfu.filings.cli import precheck_paths
from jianfu.jobs.models import ImportJob
from jianfu.jobs.views import UploadForm
from jianfu.registry.models import Unit

router = Router(tags=["uploads"])
PRECHECK_ROLES = {Role.ADMIN, Role.OFFICE, Role.DEPARTMENT}
NAME_BYTES = 200  # a file system allows 255 bytes per name; a Chinese character takes three


def _disk_name(name: str) -> str:
    """The uploaded file's own name (pre-check messages cite it), without a path, and short enough for a disk."""
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", os.path.basename(name.replace("\\", "/")).strip().lstrip("."))
    stem, suffix = os.path.splitext(base or "upload")
    return stem.encode("utf-8")[: NAME_BYTES - len(suffix.encode("utf-8"))].decode("utf-8", "ignore") + suffix


def _checked_uploads(request) -> list:
    """The `files` parts, checked as the browser upload checks them (count, type, size): 400 naming the problem."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ApiError("invalid", fields={name: list(errors) for name, errors in form.errors.items()})
    return form.cleaned_data["files"]


def _refuse_foreign_owners(user, document: dict) -> None:
    """Proposals must name an owner unit inside the token's region, or the answer would show others' items."""
    if scope.sees_everything(user):
        return
    owners = {p.get("owner") or "" for p in document["proposals"]}
    visible = set(scope.scoped(user, Unit).filter(code__in=owners - {""}).values_list("code", flat=True))
    outside = sorted(owners - visible)
    if outside:
        messages = [
            _("主管单位「%(code)s」不在您的管辖区域内") % {"code": code} if code else _("申报对象缺少主管单位")
            for code in outside
        ]
        raise ApiError("invalid", fields={"files": messages})


@router.post("/precheck/", response={200: PrecheckOut, **ERRORS}, operation_id="precheck")
def precheck(request, files: File[list[UploadedFile]]):
    """The same JSON as `jianfu precheck --json` for the uploaded import-format files; writes nothing."""
    if request.user.role not in PRECHECK_ROLES and not scope.sees_everything(request.user):
        raise ApiError("forbidden")
    uploads = _checked_uploads(request)
    with tempfile.TemporaryDirectory(prefix="jianfu-precheck-") as folder:
        paths = []
        for index, upload in enumerate(uploads):
            # One folder per file, so two files of the same name both keep it.
            target = Path(folder) / str(index) / _disk_name(upload.name)
            target.parent.mkdir()
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            paths.append(target)
        document = precheck_paths(paths)
    # Where `jianfu precheck` exits 1 (nothing could be checked), the API answers 400 with the same messages.
    if document["errors"]:
        raise ApiError(
            "invalid", fields={"files": [e.get("message") or e.get("expected", "") for e in document["errors"]]}
        )
    if not document["proposals"]:
        raise ApiError("invalid", fields={"files": [_("没有找到可预审的应用、平台、公众账号、工作群或报表")]})
    _refuse_foreign_owners(request.user, document)
    return document


@router.post("/imports/", response={201: ImportJobOut, **ERRORS}, operation_id="create_import")
def create_import(request, files: File[list[UploadedFile]], dry_run: Form[bool] = False):
    """Queue the files for the import worker (as the browser upload does); poll the job it answers."""
    if not scope.can_import(request.user):
        raise ApiError("forbidden")
    uploads = _checked_uploads(request)
    job = do_queue_import(uploads, acting_user=request.user, token=request.auth, dry_run=dry_run)
    return Status(201, job_json(job))


@router.get("/imports/{code}/", response={200: ImportJobOut, **ERRORS}, operation_id="get_import")
def import_status(request, code: str):
    """A job's status and, once done, each file's outcome with its per-cell rejections."""
    try:
        job = scope.scoped(request.user, ImportJob).get(code=uuid.UUID(code))
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404 from None
    return job_json(job)


def job_json(job: ImportJob) -> dict:
    report = job.report or {}
    return {
        "code": str(job.code),
        "status": job.status,
        "dry_run": job.dry_run,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "rows_done": job.rows_done,
        "file_names": job.file_names,
        "ok": report.get("ok"),
        "files": report.get("files", []),
        # The worker's own text may be a raw exception; the client gets a translated sentence, the log the detail.
        "error": _("导入失败，请检查文件后重新上传") if job.status == ImportJob.Status.FAILED else None,
    }
