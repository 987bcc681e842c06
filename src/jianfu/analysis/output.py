"""An analysis written out as Parquet, so a cluster run can be loaded into the application database later.

A result folder holds ``findings.parquet`` (one row per finding: the columns of ``jianfu analyze --json``
plus ``finding_json``, the whole finding with its private keys) and ``run.parquet`` (one row: ``as_of``,
``engine``, ``generated_at`` and ``document_json``, the JSON document without its findings). Either may be
a single file or a folder of part files, as Spark writes them. ``jianfu findings load PATH`` reads it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

FINDINGS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("type", pa.string()),
        ("rule", pa.string()),
        ("action", pa.string()),
        ("items", pa.list_(pa.string())),
        ("score", pa.float64()),
        ("hours_saved_per_month", pa.float64()),
        ("owner_code", pa.string()),
        ("reason", pa.string()),
        ("finding_json", pa.string()),
    ]
)
RUN_SCHEMA = pa.schema(
    [
        ("as_of", pa.date32()),
        ("engine", pa.string()),
        ("generated_at", pa.string()),
        ("document_json", pa.string()),
    ]
)


def result_tables(result: Any, engine: str, generated_at: str) -> tuple[pa.Table, pa.Table]:
    """(findings, run) Arrow tables of an AnalysisResult."""
    findings = pa.Table.from_pylist(
        [
            {
                "id": f["id"],
                "type": f["type"],
                "rule": f["rule"],
                "action": f["action"],
                "items": list(f["items"]),
                "score": f.get("score"),
                "hours_saved_per_month": f.get("hours_saved_per_month"),
                "owner_code": f.get("owner_code"),
                "reason": f.get("reason"),
                "finding_json": json.dumps(f, ensure_ascii=False, default=str),
            }
            for f in result.findings
        ],
        schema=FINDINGS_SCHEMA,
    )
    document = result.to_json_dict(generated_at)
    document.pop("findings")
    run = pa.Table.from_pylist(
        [
            {
                "as_of": result.as_of,
                "engine": engine,
                "generated_at": generated_at,
                "document_json": json.dumps(document, ensure_ascii=False, default=str),
            }
        ],
        schema=RUN_SCHEMA,
    )
    return findings, run


def write_result(result: Any, out: str, *, engine: str, generated_at: str, spark: Any = None) -> str:
    """Write ``findings.parquet`` and ``run.parquet`` under ``out``: through Spark when given (so ``out`` may be
    ``hdfs://…`` or ``s3a://…``), else with pyarrow into a local folder."""
    findings, run = result_tables(result, engine, generated_at)
    base = str(out).rstrip("/")
    if spark is not None:
        for name, table in (("findings", findings), ("run", run)):
            frame = spark.createDataFrame(table)
            frame.coalesce(1).write.mode("overwrite").parquet(f"{base}/{name}.parquet")
        return base
    import pyarrow.parquet as pq

    Path(base).mkdir(parents=True, exist_ok=True)
    pq.write_table(findings, f"{base}/findings.parquet")
    pq.write_table(run, f"{base}/run.parquet")
    return base


class ResultFolderError(ValueError):
    """The folder is not an analysis result (a file is missing or has other columns)."""


def read_result(path: str | Path) -> tuple[date, dict[str, Any], list[dict[str, Any]]]:
    """(as_of, document without findings, findings with their private keys) from a result folder."""
    import pyarrow.parquet as pq

    base = Path(path)
    tables = {}
    for name, schema in (("findings", FINDINGS_SCHEMA), ("run", RUN_SCHEMA)):
        target = base / f"{name}.parquet"
        if not target.exists():
            raise ResultFolderError(f"{target} is missing")
        try:
            table = pq.read_table(str(target))
        except (OSError, pa.ArrowException) as exc:
            raise ResultFolderError(f"{target} cannot be read: {exc}") from None
        missing = [c for c in schema.names if c not in table.column_names]
        if missing:
            raise ResultFolderError(f"{target} lacks the columns {', '.join(missing)}")
        tables[name] = table
    runs = tables["run"].to_pylist()
    if len(runs) != 1:
        raise ResultFolderError(f"{base / 'run.parquet'} holds {len(runs)} rows, not one")
    findings = [json.loads(text) for text in tables["findings"].column("finding_json").to_pylist()]
    return runs[0]["as_of"], json.loads(runs[0]["document_json"]), findings
