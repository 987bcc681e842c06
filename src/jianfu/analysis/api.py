"""The entry point: run every detector and the burden model over a snapshot."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from jianfu.analysis import burden as burden_model
from jianfu.analysis.backend import AnalysisBackend, DuckDBBackend, Progress, SQLStep
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import Detector, all_detectors
from jianfu.analysis.findings import deduplicated_hours, public
from jianfu.analysis.detectors import duplicate_forms
from jianfu.analysis.detectors.duplicate_groups import auto_partitions
from jianfu.analysis.snapshot import input_name, input_steps, load_snapshot

#: burden tables kept on the result in full (the JSON holds only the top rows).
RESULT_TABLES = {
    "per_person": "__jf_b_person_total",
    "per_unit": "__jf_b_per_unit",
    "per_region": "__jf_b_per_region",
    "per_owner": "__jf_b_per_owner",
    "apps": "__jf_b_app",
    "groups": "__jf_b_grp",
    "accounts": "__jf_b_acc",
    "forms": "__jf_b_form",
}


@dataclass
class AnalysisResult:
    """Findings (dicts as in spec/formats.md, plus ``owner_code``), the burden summary, and full tables."""

    as_of: date
    findings: list[dict[str, Any]]
    burden: dict[str, Any]
    tables: dict[str, pa.Table] = field(default_factory=dict)
    _hours_saved: float = 0.0
    #: 一表通: one entry per form field, and the plan if every duplicate_forms finding were carried out.
    field_mappings: list[dict[str, Any]] = field(default_factory=list)
    consolidation: dict[str, Any] = field(default_factory=dict)

    @property
    def hours_saved_per_month(self) -> float:
        """If every finding were acted on; an item in several findings counts once, with its largest saving."""
        return self._hours_saved

    def to_json_dict(self, generated_at: datetime | str | None = None) -> dict[str, Any]:
        """Exactly the shape of ``jianfu analyze --json`` (spec/formats.md)."""
        if generated_at is None:
            generated_at = datetime.now().astimezone()
        if isinstance(generated_at, datetime):
            generated_at = generated_at.isoformat(timespec="seconds")
        return {
            "generated_at": generated_at,
            "summary": {"findings": len(self.findings), "hours_saved_per_month": self.hours_saved_per_month},
            "findings": [public(f) for f in self.findings],
            "burden": self.burden,
            "field_mappings": self.field_mappings,
            "consolidation": self.consolidation,
        }


def _duckdb_backend(snapshot: Any, config: AnalysisConfig) -> DuckDBBackend:
    """DuckDB over a snapshot directory or connection, within the configured threads, memory and spill directory."""
    return DuckDBBackend(
        load_snapshot(snapshot),
        threads=config.threads,
        memory_limit=config.memory_limit,
        temp_directory=config.temp_directory,
    )


def _with_partitions(backend: AnalysisBackend, config: AnalysisConfig) -> AnalysisConfig:
    """The config with the duplicate-groups join's partitions counted from the memberships when set to 0 (auto)."""
    if config.dup_group_partitions != 0:
        return config
    members = "members" if backend.columns("members") else input_name("members")
    return dataclasses.replace(config, dup_group_partitions=auto_partitions(backend, members))


def _detect(
    backend: AnalysisBackend,
    config: AnalysisConfig,
    as_of: date,
    detector: Detector,
    steps: list[SQLStep],
    progress: Progress | None,
    done: int,
    total: int,
) -> tuple[list[dict[str, Any]], int]:
    """One detector's steps, then its findings; with the progress count after them."""
    done = backend.run_steps(steps, progress, done, total)
    found = detector.build(backend, config, as_of)
    done += 1
    if progress:
        progress(f"build {detector.type}", done, total)
    return found, done


def run(
    snapshot: Any,
    as_of: date,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    *,
    detectors: list[Detector] | None = None,
    keep_tables: bool = True,
    forms: bool | None = None,
) -> AnalysisResult:
    """Analyse a snapshot: a directory of Parquet files, a DuckDB connection holding the tables, or a
    backend that already reads one (``jianfu.analysis.spark.SparkBackend``: the same steps on Spark).

    ``progress(step_name, done, total)`` is called after every SQL step and every detector's build.
    ``detectors`` restricts the run (default: all); ``forms`` runs the form mapping, duplicate_forms and the
    consolidation plan (default: when every detector runs). The intermediate ``__jf_*`` tables are dropped at the
    end; with ``keep_tables`` the burden tables are returned as Arrow tables in ``result.tables``.
    """
    config = config or AnalysisConfig()
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    backend = snapshot if isinstance(snapshot, AnalysisBackend) else _duckdb_backend(snapshot, config)
    with_forms = (detectors is None) if forms is None else forms
    detectors = all_detectors() if detectors is None else detectors
    try:
        done = backend.run_steps(input_steps(backend))
        config = _with_partitions(backend, config)
        multi = burden_model.register_param_sets(backend, config)
        b_steps = burden_model.burden_steps(config, multi)
        d_steps = [d.steps(config, as_of) for d in detectors]
        total = done + len(b_steps) + sum(len(s) + 1 for s in d_steps) + 1
        done = backend.run_steps(b_steps, progress, done, total)
        findings: list[dict[str, Any]] = []
        for detector, steps in zip(detectors, d_steps):
            found, done = _detect(backend, config, as_of, detector, steps, progress, done, total)
            findings.extend(found)
        forms_plan = duplicate_forms.plan(backend, config) if with_forms else None
        if forms_plan is not None:
            findings.extend(forms_plan.findings)
        findings.sort(key=lambda f: (-f["hours_saved_per_month"], f["type"], f["id"]))
        burden = burden_model.summarise(backend, config)
        tables = (
            {name: backend.query_arrow(f"SELECT * FROM {t}") for name, t in RESULT_TABLES.items()}
            if keep_tables
            else {}
        )
        if progress:
            progress("summary", total, total)
    finally:
        backend.drop_steps()
    return AnalysisResult(
        as_of,
        findings,
        burden,
        tables,
        deduplicated_hours(findings),
        forms_plan.field_mappings if forms_plan else [],
        forms_plan.consolidation if forms_plan else {},
    )
