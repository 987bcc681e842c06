"""Import in the browser: upload, a queued job, a progress fragment polled by htmx, the rejection report."""

from __future__ import annotations

import io
import os

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jianfu.accounts import scope
from jianfu.ingest.readers import SUPPORTED_SUFFIXES
from jianfu.jobs import worker
from jianfu.jobs.models import ImportJob
from jianfu.jobs.queue import enqueue_import
from jianfu.registry.import_messages import expected_text
from jianfu.xlsx import write_table

MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(SUPPORTED_SUFFIXES))}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        items = data if isinstance(data, (list, tuple)) else [data]
        return [single(item, initial) for item in items if item] or [single(None, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label=gettext_lazy("台账文件"))
    dry_run = forms.BooleanField(label=gettext_lazy("仅校验，不写入"), required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("一次最多上传 %(n)d 个文件") % {"n": MAX_FILES})
        limit = getattr(settings, "JIANFU_MAX_UPLOAD_MB", 200) * 1024 * 1024
        for f in files:
            if os.path.splitext(f.name)[1].lower() not in SUPPORTED_SUFFIXES:
                raise forms.ValidationError(
                    _("不支持的文件类型：%(name)s（应为 xlsx、xls、ods 或 csv）") % {"name": f.name}
                )
            if f.size > limit:
                raise forms.ValidationError(_("文件过大：%(name)s") % {"name": f.name})
        return files


@login_required
def upload(request):
    if not scope.can_import(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = enqueue_import(form.cleaned_data["files"], user=request.user, dry_run=form.cleaned_data["dry_run"])
        return redirect("import-job", code=job.code)
    worker.reap_abandoned()  # a job whose worker died shows as failed, not "running" forever
    jobs = scope.scoped(request.user, ImportJob).order_by("-created_at")[:20]
    return render(request, "jobs/upload.html", {"form": form, "jobs": jobs})


def _job_or_404(request, code) -> ImportJob:
    try:
        return scope.scoped(request.user, ImportJob).select_related("unit").get(code=code)
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404 from None


@login_required
def job_detail(request, code):
    job = _job_or_404(request, code)
    return render(request, "jobs/job.html", {"job": job, "progress": worker.live_progress(job)})


@login_required
def job_status(request, code):
    job = _job_or_404(request, code)
    return render(request, "jobs/_status.html", {"job": job, "progress": worker.live_progress(job)})


REJECTION_HEADERS = ["文件", "工作表", "行", "列", "单元格的值", "应为"]


@login_required
def job_rejections(request, code):
    """The job's refused cells as an Excel file (formula-safe), to fix the sheet row by row."""
    job = _job_or_404(request, code)
    rows = [
        [
            e.get("file") or f.get("file"),
            e.get("sheet") or "",
            e.get("row"),
            e.get("column") or "",
            e.get("value") or "",
            expected_text(e),
        ]
        for f in (job.report or {}).get("files") or []
        for e in f.get("errors") or []
    ]
    buffer = io.BytesIO()
    write_table(buffer, "拒绝清单", REJECTION_HEADERS, rows, widths=[24, 14, 6, 16, 24, 60], wrap=[4, 5])
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=rejections-{job.code}.xlsx"
    return response
