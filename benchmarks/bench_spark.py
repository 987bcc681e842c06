"""Benchmark: the whole analysis on DuckDB and on Spark (local[N]) in the same run, on the same snapshot.

    python benchmarks/bench_spark.py --groups 1000000            # the synthetic province (≈31M memberships)
    python benchmarks/bench_spark.py --groups 200000 --runs 3    # smaller, three times
    python benchmarks/bench_spark.py --snapshot DIR              # any snapshot folder (e.g. one exported)

The synthetic snapshot is the province of bench_duplicate_groups.py (township and county groups,
lognormal sizes, Zipf popularity, 2% planted near-copies) plus a ``groups`` table (standing and temporary
groups with dates, messages and demands), so the duplicate-group join, the group detectors and the
burden model's membership pass all run. Each engine runs in its own subprocess:

* DuckDB: ``jianfu.analysis.run(folder)``, threads = cores, peak RSS from getrusage (native memory too).
* Spark: ``run(SparkBackend(spark_session(local[N])))``; peak memory is the driver JVM's VmHWM (read from
  /proc before the session stops; local mode runs the executors in it) plus the Python process's peak;
  shuffle bytes are the sums of shuffleWriteBytes / shuffleReadBytes over all stages, read from the Spark
  UI's REST API (/api/v1/applications/<id>/stages) at the end of the run.

Results go to benchmarks/out/spark_<groups>.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"
AS_OF = date(2026, 11, 26)


def make_snapshot(groups: int, seed: int, folder: Path) -> dict:
    """members.parquet from bench_duplicate_groups.synthesize, and a groups.parquet for its group codes."""
    sys.path.insert(0, str(HERE))
    from bench_duplicate_groups import synthesize

    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    members = folder / "members.parquet"
    info = synthesize(groups, seed, members) if not members.exists() else {"groups": groups}
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    # Deterministic attributes from a hash of the code: 10% temporary (half of them past their end date),
    # 8% idle for 90 days, 15% with demands, messages 0–199 a month.
    con.execute(f"""COPY (
      SELECT group_code AS code, '工作群' || group_code AS name, '微信' AS platform, NULL AS owner_person_code,
        NULL AS owner_code, DATE '2025-01-01' AS created_date,
        CASE WHEN h % 10 = 0 THEN 'temporary' ELSE 'standing' END AS nature,
        CASE WHEN h % 10 = 0 THEN DATE '{AS_OF}' + CAST(h % 61 AS INTEGER) - 30 END AS task_end_date,
        CASE WHEN h % 100 < 8 THEN DATE '{AS_OF}' - 90 ELSE DATE '{AS_OF}' - CAST(h % 30 AS INTEGER) END AS last_active,
        CAST(h % 200 AS BIGINT) AS messages_30d, NULL AS purpose,
        CASE WHEN h % 100 < 10 THEN ['打卡接龙'] WHEN h % 100 < 15 THEN ['截图留痕', '即时回复']
             ELSE CAST([] AS VARCHAR[]) END AS demands
      FROM (SELECT DISTINCT group_code, abs(hash(group_code)) AS h FROM read_parquet('{members}'))
    ) TO '{folder / "groups.parquet"}' (FORMAT parquet)""")
    info["memberships"] = con.execute(f"SELECT count(*) FROM read_parquet('{members}')").fetchone()[0]
    return info


def worker(args) -> dict:
    from jianfu.analysis import AnalysisConfig, run

    steps: dict[str, float] = {}
    last = [time.time()]

    def progress(name: str, done: int, total: int) -> None:
        now = time.time()
        steps[name] = round(now - last[0], 2)
        last[0] = now

    started = time.time()
    out: dict = {"engine": args.worker}
    if args.worker == "duckdb":
        config = AnalysisConfig(threads=args.cores, memory_limit=args.memory_limit)
        result = run(Path(args.snapshot), AS_OF, config, progress, keep_tables=False)
        out["wall_s"] = round(time.time() - started, 1)
        out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    else:
        from jianfu.analysis.spark import SparkBackend, spark_session

        spark = spark_session(
            f"local[{args.cores}]",
            ui=True,
            conf={
                "spark.driver.memory": args.spark_memory,
                "spark.ui.port": str(args.ui_port),
                "spark.local.dir": str(args.out / "spark_tmp"),
            },
        )
        out["session_s"] = round(time.time() - started, 1)
        result = run(SparkBackend(spark, args.snapshot), AS_OF, AnalysisConfig(), progress, keep_tables=False)
        out["wall_s"] = round(time.time() - started, 1)
        out.update(shuffle_bytes(spark))
        jvm = spark.sparkContext._gateway.proc.pid
        out["jvm_peak_mb"] = _vm_hwm_mb(jvm)
        out["python_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
        out["peak_mb"] = out["jvm_peak_mb"] + out["python_peak_mb"]
        spark.stop()
    out["findings"] = len(result.findings)
    out["duplicate_groups"] = sum(1 for f in result.findings if f["type"] == "duplicate_groups")
    out["hours_saved_per_month"] = result.hours_saved_per_month
    out["slowest_steps"] = dict(sorted(steps.items(), key=lambda kv: -kv[1])[:8])
    return out


def shuffle_bytes(spark) -> dict:
    """Shuffle written and read, summed over every stage of the application, from the UI's REST API."""
    from urllib.request import urlopen

    base = spark.sparkContext.uiWebUrl.rstrip("/")
    app = spark.sparkContext.applicationId
    with urlopen(f"{base}/api/v1/applications/{app}/stages?status=complete", timeout=30) as response:
        stages = json.load(response)
    return {
        "shuffle_write_mb": round(sum(s.get("shuffleWriteBytes", 0) for s in stages) / 2**20, 1),
        "shuffle_read_mb": round(sum(s.get("shuffleReadBytes", 0) for s in stages) / 2**20, 1),
        "stages": len(stages),
        "tasks": sum(s.get("numCompleteTasks", 0) for s in stages),
    }


def _vm_hwm_mb(pid: int) -> int:
    # spark-submit execs java, so the gateway's pid is the JVM; fall back to its children if not.
    pids = (
        [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        if Path(f"/proc/{pid}/task/{pid}/children").exists()
        else [pid]
    )
    best = 0
    for candidate in pids:
        for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                best = max(best, int(line.split()[1]) // 1024)
    return best


def spawn(engine: str, args) -> dict:
    command = [
        sys.executable,
        __file__,
        "--worker",
        engine,
        "--snapshot",
        str(args.snapshot),
        "--cores",
        str(args.cores),
        "--memory-limit",
        args.memory_limit,
        "--spark-memory",
        args.spark_memory,
        "--out",
        str(args.out),
        "--ui-port",
        str(args.ui_port),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--groups", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--snapshot", type=Path, help="an existing snapshot folder instead of the synthetic one")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--cores", type=int, default=2, help="DuckDB threads and local[N]")
    ap.add_argument("--memory-limit", default="3GB", help="DuckDB memory_limit")
    ap.add_argument("--spark-memory", default="6g", help="spark.driver.memory (local mode: all of Spark)")
    ap.add_argument("--ui-port", type=int, default=4047)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--worker", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.worker:
        print(json.dumps(worker(args)))
        return
    info = {}
    if args.snapshot is None:
        args.snapshot = args.out / f"spark_snapshot_{args.groups}_{args.seed}"
        started = time.time()
        info = make_snapshot(args.groups, args.seed, args.snapshot)
        info["synthesis_s"] = round(time.time() - started, 1)
        print(f"snapshot: {info}", flush=True)
    results = []
    for i in range(args.runs):
        for engine in args.engines.split(","):
            load_before = os.getloadavg()[0]
            result = spawn(engine, args)
            result["run"] = i + 1
            # The machine may be shared: the 1-minute load average around each run says how much.
            result["load_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    load = os.getloadavg()
    report = {"snapshot": str(args.snapshot), "data": info, "cores": args.cores, "load_avg": load, "results": results}
    (args.out / f"spark_{args.groups}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(
        f"\n{'engine':<8}{'run':>4}{'wall s':>9}{'peak MB':>9}{'shuffle w MB':>14}{'shuffle r MB':>14}{'findings':>10}"
    )
    for r in results:
        print(
            f"{r['engine']:<8}{r['run']:>4}{r['wall_s']:>9}{r['peak_mb']:>9}{r.get('shuffle_write_mb', '-'):>14}"
            f"{r.get('shuffle_read_mb', '-'):>14}{r['findings']:>10}"
        )
    print(f"load average at the end: {load}")


if __name__ == "__main__":
    main()
