"""Run the detection engine over a snapshot of the registry and store its findings, keeping people's decisions."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jianfu import analysis
from jianfu.analysis.findings import ITEM_KIND, public
from jianfu.findings.hours import saved_hours
from jianfu.findings.models import AnalysisRun, Finding, FindingPath, RunRollup
from jianfu.findings.snapshot import export_snapshot
from jianfu.elements.actions import store_suggestions
from jianfu.registry.models import App, Form, PublicAccount, Unit, WorkGroup

Progress = Callable[[str, int, int], None]


def load_file_config():
    """Thresholds and burden parameters: the spec's defaults, overridden by JIANFU_HOME/analysis.json if present."""
    path = Path(settings.JIANFU_HOME) / "analysis.json"
    overrides = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return analysis.AnalysisConfig.from_dict(overrides) if overrides else analysis.AnalysisConfig()


def load_config():
    """The file's configuration plus each region's survey-calibrated burden parameters (docs/surveys.md)."""
    from jianfu.analysis.calibration import with_region_overrides
    from jianfu.surveys.calibrating import stored_calibrations

    return with_region_overrides(load_file_config(), stored_calibrations())


class EngineUnavailable(RuntimeError):
    """The chosen analysis engine cannot start here (pyspark or Java missing); the message says which."""


def run_and_store(
    *,
    as_of: dt.date,
    actor: str,
    progress: Progress | None = None,
    engine: str = "duckdb",
    spark_master: str = "local[2]",
) -> dict:
    """Analyse the whole registry; return the formats.md JSON document (summary, findings, burden).

    ``engine`` "spark" runs the same steps on Spark SQL (``spark_master``: local[N], spark://…, yarn)."""
    if engine not in ("duckdb", "spark"):
        raise ValueError(f"unknown engine {engine!r}")
    run = AnalysisRun.objects.create(actor=actor, as_of=as_of)
    with tempfile.TemporaryDirectory(prefix="jianfu-snapshot-") as folder:
        if progress:
            progress("snapshot", 0, 1)
        export_snapshot(Path(folder), as_of=as_of)
        if progress:
            progress("snapshot", 1, 1)
        source = Path(folder) if engine == "duckdb" else _spark_backend(folder, spark_master)
        result = analysis.run(source, as_of=as_of, config=load_config(), progress=progress)
    document = result.to_json_dict(generated_at=timezone.localtime().isoformat(timespec="seconds"))
    return _store_run(
        run, result.findings, document, field_mappings=result.field_mappings, per_person=result.tables.get("per_person")
    )


def _spark_backend(folder: str, master: str):
    try:
        from jianfu.analysis.spark import SparkBackend, java_available, spark_session
    except ImportError:
        raise EngineUnavailable("pyspark is not installed: pip install 'jianfu[spark]'") from None
    if not java_available():
        raise EngineUnavailable("Spark needs Java 17 or newer: apt-get install openjdk-17-jre-headless") from None
    from pyspark.sql import SparkSession

    # A session already running in this process (a notebook, the tests) is used as it is configured.
    active = SparkSession.getActiveSession()
    return SparkBackend(active if active is not None else spark_session(master), folder)


def load_and_store(path: Path, *, actor: str) -> dict:
    """Store the findings of an analysis written as Parquet (a cluster run: jianfu.analysis.spark_job)."""
    from jianfu.analysis.output import read_result

    as_of, document, findings = read_result(path)
    run = AnalysisRun.objects.create(actor=actor, as_of=as_of)
    document["findings"] = [public(f) for f in findings]
    return _store_run(run, findings, document)


def _store_run(run: AnalysisRun, findings: list[dict], document: dict, *, field_mappings=(), per_person=None) -> dict:
    """Store a run's findings, field suggestions and per-region roll-ups (a cluster run's Parquet carries neither
    of the last two: its forms keep their earlier suggestions, and its run has no roll-ups)."""
    store_findings(run, findings)
    refresh_planner_statistics()
    store_suggestions(field_mappings)  # 一表通: each field's element, kept for the form pages
    # One number everywhere: the summary is what the findings page computes over the same stored findings.
    document["summary"]["hours_saved_per_month"] = saved_hours(Finding.objects.filter(is_current=True))
    run.summary = document["summary"]
    run.burden = document["burden"]
    store_rollups(run, per_person)
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "burden", "finished_at"])
    return document


def refresh_planner_statistics() -> None:
    """PostgreSQL plans from statistics that a first analysis (or a large change) leaves empty or stale until
    autovacuum gets to them: on a fresh city the API's findings page then took ~1 s (a hash of all 61,000
    finding paths instead of a walk of the id index, ~1 ms). The importer does the same for the registry."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Finding, FindingPath):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


_ROLLUP_SQL = """
SELECT a.anc AS unit_code, count(*) AS people,
  quantile_cont(t.total_h, 0.5) AS p50, quantile_cont(t.total_h, 0.9) AS p90, max(t.total_h) AS max,
  avg(t.total_h) AS mean, sum(t.total_h) AS total_hours, sum(t.apps_h) AS apps_hours,
  sum(t.groups_h) AS groups_hours, sum(t.accounts_h) AS accounts_hours, sum(t.forms_h) AS forms_hours
FROM person_total t
JOIN (SELECT code, unnest(string_split(trim(path, '/'), '/')) AS anc FROM unit_paths) a ON a.code = t.unit_code
WHERE a.anc <> ''
GROUP BY a.anc
"""


def store_rollups(run: AnalysisRun, per_person) -> int:
    """Keep the run's burden per unit and subtree (people, per-cadre median and p90, hours by carrier kind)."""
    if per_person is None or per_person.num_rows == 0:
        return 0
    import duckdb
    import pyarrow as pa

    paths = dict(Unit.objects.values_list("code", "path").iterator(chunk_size=20000))
    unit_paths = pa.table(
        {"code": pa.array(list(paths), pa.string()), "path": pa.array(list(paths.values()), pa.string())}
    )
    con = duckdb.connect()
    try:
        con.register("person_total", per_person)
        con.register("unit_paths", unit_paths)
        rows = con.execute(_ROLLUP_SQL).fetchall()
    finally:
        con.close()
    fields = (
        "unit_code",
        "people",
        "p50",
        "p90",
        "max",
        "mean",
        "total_hours",
        "apps_hours",
        "groups_hours",
        "accounts_hours",
        "forms_hours",
    )
    rollups = []
    for row in rows:
        values = dict(zip(fields, row))
        if values["unit_code"] not in paths:
            continue
        for name in fields[2:]:
            values[name] = round(float(values[name] or 0.0), 3)
        rollups.append(RunRollup(run=run, path=paths[values["unit_code"]], **values))
    RunRollup.objects.bulk_create(rollups, batch_size=2000)
    return len(rollups)


_CONTENT = (
    "type",
    "rule",
    "action",
    "items",
    "score",
    "evidence",
    "hours_saved_per_month",
    "reason",
    "owner_id",
    "owner_path",
    "reason_template",
    "reason_params",
    "arithmetic",
    "saved_by_item",
    "scope_paths",
    "decider_path",
)
_CARRIERS = {
    "group": (WorkGroup, "owner__path"),
    "app": (App, "owner__path"),
    "account": (PublicAccount, "owner__path"),
    "form": (Form, "issuer__path"),
}


def _carrier_paths() -> dict[str, str]:
    """kind:code → the path of the unit owning that carrier."""
    paths = {}
    for kind, (model, path_lookup) in _CARRIERS.items():
        for code, path in model.objects.values_list("code", path_lookup).iterator(chunk_size=20000):
            paths[f"{kind}:{code}"] = path or "/"
    return paths


def _common_path(paths: list[str]) -> str:
    """The deepest unit path that is an ancestor-or-self of all of them ('/' when they share none)."""
    split = [[c for c in p.strip("/").split("/") if c] for p in paths]
    common = []
    for parts in zip(*split):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/" + "".join(f"{c}/" for c in common)


def scope_of(item_type: str, items: list[str], owner_path: str, carriers: dict[str, str]) -> tuple[str, str]:
    """(scope_paths, decider_path): every unit whose carrier the finding names sees it; their common
    ancestor's office decides it."""
    kind = ITEM_KIND.get(item_type)
    paths = sorted({carriers.get(f"{kind}:{code}", owner_path) for code in items} | {owner_path})
    return "|" + "|".join(paths) + "|", _common_path(paths)


def store_paths(findings: list[Finding], replace: set[int] = frozenset()) -> None:
    """Keep the finding ↔ unit path table (the region scope's index) equal to each finding's scope_paths;
    `replace` names findings whose earlier paths are dropped first."""
    ids = sorted(replace)
    for start in range(0, len(ids), 900):
        FindingPath.objects.filter(finding_id__in=ids[start : start + 900]).delete()
    rows = [FindingPath(finding_id=f.id, path=path) for f in findings for path in sorted(set(f.unit_paths()))]
    FindingPath.objects.bulk_create(rows, batch_size=2000)


def _finding_values(item: dict, units: dict[str, tuple[int, str]], carriers: dict[str, str]) -> dict:
    """The Finding columns of one analysis finding: its owner unit and the scope paths that may see and decide it."""
    owner_id, owner_path = units.get(item.get("owner_code"), (None, "/"))
    scope_paths, decider_path = scope_of(item["type"], item["items"], owner_path, carriers)
    return {
        "type": item["type"],
        "rule": item["rule"],
        "action": item["action"],
        "items": item["items"],
        "score": item.get("score"),
        "evidence": item.get("evidence") or {},
        "hours_saved_per_month": float(item.get("hours_saved_per_month") or 0),
        "reason": item["reason"],
        "owner_id": owner_id,
        "owner_path": owner_path,
        "reason_template": item.get("_reason_template") or "",
        "reason_params": item.get("_reason_params") or {},
        "arithmetic": item.get("_arithmetic") or [],
        "saved_by_item": item.get("_saved_by_item")
        or {item["items"][0]: float(item.get("hours_saved_per_month") or 0)},
        "scope_paths": scope_paths,
        "decider_path": decider_path,
    }


def _fill_missing_ids(created: list[Finding]) -> None:
    """Read back the ids of the findings just inserted, on databases that return no ids from a bulk insert."""
    unknown = [f for f in created if f.id is None]
    for start in range(0, len(unknown), 900):
        chunk = unknown[start : start + 900]
        ids = dict(Finding.objects.filter(fid__in=[f.fid for f in chunk]).values_list("fid", "id"))
        for finding in chunk:
            finding.id = ids[finding.fid]


@transaction.atomic
def store_findings(run: AnalysisRun, findings: list[dict]) -> None:
    """Replace open findings; keep accepted, rejected and done ones with their decisions when they recur.

    Only findings whose content changed are rewritten; the rest are just stamped as seen by this run, so a
    re-run over an unchanged registry costs a few set-based updates, not one statement per finding.
    """
    units = {code: (uid, path) for code, uid, path in Unit.objects.values_list("code", "id", "path")}
    carriers = _carrier_paths()
    existing = {row["fid"]: row for row in Finding.objects.values("id", "fid", *_CONTENT)}
    seen: set[str] = set()
    create, update, moved = [], [], []
    for item in findings:
        fid = item["id"]
        if fid in seen:
            continue
        seen.add(fid)
        values = _finding_values(item, units, carriers)
        old = existing.get(fid)
        if old is None:
            create.append(Finding(fid=fid, first_seen_id=run.id, last_seen_id=run.id, **values))
        elif any(old[name] != value for name, value in values.items()):
            update.append(Finding(id=old["id"], **values))
            if old["scope_paths"] != values["scope_paths"]:
                moved.append(old["id"])
    Finding.objects.bulk_create(create, batch_size=1000)
    Finding.objects.bulk_update(update, list(_CONTENT), batch_size=500)
    _fill_missing_ids(create)
    replace = set(moved)
    store_paths(create + [f for f in update if f.id in replace], replace=replace)
    recurring = [fid for fid in seen if fid in existing]
    gone = [fid for fid in existing if fid not in seen]
    for start in range(0, max(len(recurring), len(gone)), 900):  # SQLite caps the number of bound parameters
        Finding.objects.filter(fid__in=recurring[start : start + 900]).update(last_seen=run, is_current=True)
        chunk = gone[start : start + 900]
        # An open finding that went away goes too, unless a case was opened on it (the case keeps its record).
        Finding.objects.filter(fid__in=chunk, status=Finding.Status.OPEN, cases__isnull=True).delete()
        Finding.objects.filter(fid__in=chunk).update(is_current=False)
