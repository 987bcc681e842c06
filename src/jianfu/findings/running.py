"""Run the detection engine over a snapshot of the registry and store its findings, keeping people's decisions."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jianfu import analysis
from jianfu.findings.models import AnalysisRun, Finding
from jianfu.findings.snapshot import export_snapshot
from jianfu.registry.models import Unit

Progress = Callable[[str, int, int], None]


def load_config():
    """Thresholds and burden parameters: the spec's defaults, overridden by JIANFU_HOME/analysis.json if present."""
    path = Path(settings.JIANFU_HOME) / "analysis.json"
    overrides = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return analysis.AnalysisConfig.from_dict(overrides) if overrides else analysis.AnalysisConfig()


def run_and_store(*, as_of: dt.date, actor: str, progress: Progress | None = None) -> dict:
    """Analyse the whole registry; return the formats.md JSON document (summary, findings, burden)."""
    run = AnalysisRun.objects.create(actor=actor, as_of=as_of)
    with tempfile.TemporaryDirectory(prefix="jianfu-snapshot-") as folder:
        if progress:
            progress("snapshot", 0, 1)
        export_snapshot(Path(folder))
        if progress:
            progress("snapshot", 1, 1)
        result = analysis.run(Path(folder), as_of=as_of, config=load_config(), progress=progress)
    document = result.to_json_dict(generated_at=timezone.localtime().isoformat(timespec="seconds"))
    store_findings(run, document["findings"])
    run.summary = document["summary"]
    run.burden = document["burden"]
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "burden", "finished_at"])
    return document


_CONTENT = ("type", "rule", "action", "items", "score", "evidence", "hours_saved_per_month", "reason", "owner_id",
            "owner_path")


@transaction.atomic
def store_findings(run: AnalysisRun, findings: list[dict]) -> None:
    """Replace open findings; keep accepted, rejected and done ones with their decisions when they recur.

    Only findings whose content changed are rewritten; the rest are just stamped as seen by this run, so a
    re-run over an unchanged registry costs a few set-based updates, not one statement per finding.
    """
    units = {code: (uid, path) for code, uid, path in Unit.objects.values_list("code", "id", "path")}
    existing = {row["fid"]: row for row in Finding.objects.values("id", "fid", *_CONTENT)}
    seen: set[str] = set()
    create, update = [], []
    for item in findings:
        fid = item["id"]
        if fid in seen:
            continue
        seen.add(fid)
        owner_id, owner_path = units.get(item.get("owner_code"), (None, "/"))
        values = {
            "type": item["type"], "rule": item["rule"], "action": item["action"], "items": item["items"],
            "score": item.get("score"), "evidence": item.get("evidence") or {},
            "hours_saved_per_month": float(item.get("hours_saved_per_month") or 0), "reason": item["reason"],
            "owner_id": owner_id, "owner_path": owner_path,
        }
        old = existing.get(fid)
        if old is None:
            create.append(Finding(fid=fid, first_seen_id=run.id, last_seen_id=run.id, **values))
        elif any(old[name] != value for name, value in values.items()):
            update.append(Finding(id=old["id"], **values))
    Finding.objects.bulk_create(create, batch_size=1000)
    Finding.objects.bulk_update(update, list(_CONTENT), batch_size=500)
    recurring = [fid for fid in seen if fid in existing]
    gone = [fid for fid in existing if fid not in seen]
    for start in range(0, max(len(recurring), len(gone)), 900):  # SQLite caps the number of bound parameters
        Finding.objects.filter(fid__in=recurring[start:start + 900]).update(last_seen=run, is_current=True)
        chunk = gone[start:start + 900]
        Finding.objects.filter(fid__in=chunk, status=Finding.Status.OPEN).delete()
        Finding.objects.filter(fid__in=chunk).exclude(status=Finding.Status.OPEN).update(is_current=False)
