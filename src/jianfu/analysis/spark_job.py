"""The analysis as a Spark application: ``spark-submit …/jianfu/analysis/spark_job.py SNAPSHOT OUT --as-of DATE``.

Reads the Parquet snapshot (a local folder, ``hdfs://…`` or ``s3a://…``), runs every detector and the
burden model on Spark SQL and writes ``OUT/findings.parquet`` and ``OUT/run.parquet``
(:mod:`jianfu.analysis.output`), which ``jianfu findings load OUT`` stores in the application database.
The master comes from spark-submit (``--master yarn``, ``spark://…``); see docs/scale-out.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot", help="folder of <table>.parquet (local, hdfs://, s3a://)")
    ap.add_argument("out", help="folder for findings.parquet and run.parquet")
    ap.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today)")
    ap.add_argument("--config", default=None, help="analysis.json with thresholds and burden parameters")
    ap.add_argument("--master", default=None, help="only outside spark-submit, e.g. local[2]")
    args = ap.parse_args(argv)

    from jianfu.analysis import AnalysisConfig, run
    from jianfu.analysis.output import write_result
    from jianfu.analysis.spark import SparkBackend, spark_session

    as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    config = (
        AnalysisConfig.from_dict(json.loads(Path(args.config).read_text(encoding="utf-8")))
        if args.config
        else AnalysisConfig()
    )
    if args.master:
        spark = spark_session(args.master)
    else:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.appName("jianfu-analyze").getOrCreate()  # master and conf from spark-submit
    backend = SparkBackend(spark, args.snapshot)

    def progress(step: str, done: int, total: int) -> None:
        print(f"[{done}/{total}] {step}", file=sys.stderr, flush=True)

    result = run(backend, as_of, config, progress, keep_tables=False)
    generated_at = datetime.now().astimezone().isoformat(timespec="seconds")
    write_result(result, args.out, engine="spark", generated_at=generated_at, spark=spark)
    print(f"{len(result.findings)} findings, {result.hours_saved_per_month} hours a month → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
