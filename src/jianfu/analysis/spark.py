"""The Spark backend: the same named SQL steps, translated by sqlglot (DuckDB → Spark SQL), on Spark.

pyspark is an optional extra (``pip install jianfu[spark]``) imported only here; Spark needs Java 17+.
Nothing is downloaded at run time: no ``--packages``, no Ivy; reading ``s3a://`` needs the hadoop-aws jar
on the cluster's own classpath (docs/scale-out.md).

    spark = spark_session("local[2]")            # or "spark://host:7077", "yarn"
    backend = SparkBackend(spark, "/path/to/snapshot")   # or hdfs://…, s3a://…
    result = jianfu.analysis.run(backend, as_of)
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pyarrow as pa

from jianfu.analysis.backend import PREFIX, AnalysisBackend, UnsupportedStep
from jianfu.analysis.schema import TABLES

#: DuckDB functions sqlglot would pass through unchanged (it does not know them): Spark either lacks them or
#: has a function of that name with another meaning. Any unknown function is refused; these get a hint.
_HINTS = {
    "list_intersect": "write array_intersect (sqlglot translates it)",
    "list_has_any": "write array_length(array_intersect(a, b)) > 0",
    "len": "write array_length (len would become Spark's string length)",
    "list_slice": "write array_slice",
}
# Characters that make a split pattern a different pattern on Spark, whose split() takes a regular expression.
_REGEX_SPECIAL = set(".^$*+?()[]{}|\\")


def java_available() -> bool:
    """Whether a Java runtime is on PATH (or JAVA_HOME); Spark needs one."""
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))))


#: for test-sized data, where Spark's time goes to planning and JIT-compiling each step, not to data
SMALL_DATA_CONF = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


def spark_session(
    master: str = "local[2]",
    *,
    shuffle_partitions: int | None = None,
    ui: bool = False,
    app_name: str = "jianfu-analyze",
    conf: dict[str, str] | None = None,
    small_data: bool = False,
) -> Any:
    """A SparkSession on ``master`` (``local[N]``, ``spark://…``, ``yarn``), or the one already running.

    Shuffle partitions default to 2 per local core (4 on ``local[2]``) and to Spark's own default on a
    cluster; dates are read in UTC; the UI (and its REST API) is off unless asked for. ``small_data``
    tunes a local session for a few thousand rows (the tests): one shuffle partition, no code generation.
    """
    from pyspark.sql import SparkSession

    if small_data:
        conf = {**SMALL_DATA_CONF, **(conf or {})}
        shuffle_partitions = shuffle_partitions or 1

    if shuffle_partitions is None and master.startswith("local"):
        cores = master[master.find("[") + 1 : -1] if "[" in master else "1"
        shuffle_partitions = 2 * (os.cpu_count() or 2 if cores == "*" else int(cores))
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "true" if ui else "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.skewJoin.enabled", "true")
    )
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class SparkBackend(AnalysisBackend):
    """Spark SQL: each step becomes a temporary view, materialised steps persisted (memory, then disk)."""

    dialect = "spark"

    def __init__(self, spark: Any, snapshot: str | os.PathLike | None = None) -> None:
        self.spark = spark
        # The steps' views and their DataFrames (persisted ones are unpersisted when dropped).
        self._views: dict[str, tuple[str, Any]] = {}
        if snapshot is not None:
            self.load_snapshot(snapshot)

    def load_snapshot(self, snapshot: str | os.PathLike) -> list[str]:
        """Every ``<table>.parquet`` (file or folder of part files) or ``<table>/`` folder of the snapshot
        becomes a view named after the table; absent tables stay absent (read as empty). Returns the tables."""
        base = str(snapshot).rstrip("/")
        found = []
        for table in TABLES:
            for candidate in (f"{base}/{table}.parquet", f"{base}/{table}"):
                if self._path_exists(candidate):
                    self.spark.read.parquet(candidate).createOrReplaceTempView(table)
                    found.append(table)
                    break
            else:
                # A view of that name from an earlier snapshot in the same session would read its files.
                self.spark.catalog.dropTempView(table)
        if not found and not self._path_exists(base):
            raise FileNotFoundError(f"snapshot directory not found: {base}")
        return found

    def _path_exists(self, path: str) -> bool:
        # Through Hadoop's FileSystem, so that hdfs:// and s3a:// paths are checked where they live.
        jvm = self.spark.sparkContext._jvm
        hpath = jvm.org.apache.hadoop.fs.Path(path)
        return bool(hpath.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()).exists(hpath))

    # --- refusal ------------------------------------------------------------------------------------------
    def _adapt(self, tree: Any) -> Any:
        from sqlglot import exp

        for node in tree.find_all(exp.Anonymous):
            name = node.name.lower()
            hint = _HINTS.get(name, "sqlglot does not know it, so it would reach Spark untranslated")
            raise UnsupportedStep(f"function {name}() has no Spark translation ({hint})")
        for node in tree.find_all(exp.Length):
            if not (isinstance(node.this, exp.Cast) and node.this.to.is_type(*exp.DataType.TEXT_TYPES)):
                # DuckDB's len()/length() also counts a list's elements; Spark's length() is for strings only.
                raise UnsupportedStep(
                    f"{node.sql('duckdb')}: write array_length(x) for a list, or "
                    "length(CAST(x AS VARCHAR)) for a string"
                )
        for node in tree.find_all(exp.WithinGroup, exp.PercentileDisc, exp.Median, exp.ApproxQuantile):
            # sqlglot writes percentile_cont(q) WITHIN GROUP as Spark's percentile_approx: a different answer.
            raise UnsupportedStep(
                f"{node.sql('duckdb')}: Spark would compute it approximately or differently; write quantile_cont(x, q)"
            )
        for node in tree.find_all(exp.Split):
            pattern = node.expression
            if not (isinstance(pattern, exp.Literal) and pattern.is_string) or set(pattern.this) & _REGEX_SPECIAL:
                raise UnsupportedStep(
                    f"string_split with separator {pattern.sql('duckdb')}: Spark's split takes "
                    "a regular expression, so it would split differently"
                )
        for node in tree.find_all(exp.ArrayAgg):
            if not _not_null(node.this):
                # DuckDB's list() keeps NULLs, Spark's collect_list drops them.
                raise UnsupportedStep(
                    f"list({node.this.sql('duckdb')}) may hold NULLs, which Spark's "
                    "collect_list drops; add WHERE x IS NOT NULL to the step"
                )
        for node in list(tree.find_all(exp.PercentileCont)):
            # DuckDB's quantile_cont(x, q) interpolates linearly, as Spark's exact percentile(x, q) does;
            # sqlglot would write percentile_cont(x, q), which Spark does not accept.
            node.replace(exp.Anonymous(this="percentile", expressions=[node.this, node.expression]))
        return tree

    # --- hooks --------------------------------------------------------------------------------------------
    def _create_table(self, name: str, sql: str) -> None:
        from pyspark import StorageLevel

        self._forget(name)
        frame = self.spark.sql(sql).persist(StorageLevel.MEMORY_AND_DISK)
        frame.count()  # materialise now, as DuckDB's CREATE TABLE does, so later steps read it once
        frame.createOrReplaceTempView(name)
        self._views[name] = ("table", frame)

    def _create_view(self, name: str, sql: str) -> None:
        self._forget(name)
        frame = self.spark.sql(sql)
        frame.createOrReplaceTempView(name)
        self._views[name] = ("view", frame)

    def _fetch_arrow(self, sql: str) -> pa.Table:
        return self.spark.sql(sql).toArrow()

    def _register_arrow(self, name: str, table: pa.Table) -> None:
        self._forget(name)
        frame = (
            self.spark.createDataFrame(table)
            if table.num_rows
            else self.spark.createDataFrame([], _spark_schema(table.schema))
        )
        frame.createOrReplaceTempView(name)
        self._views[name] = ("view", frame)

    def _columns(self, relation: str) -> list[str] | None:
        if not self.spark.catalog.tableExists(relation):
            return None
        return list(self.spark.table(relation).columns)

    def _prefixed_relations(self) -> list[tuple[str, bool]]:
        return [(name, kind == "view") for name, (kind, _) in self._views.items() if name.startswith(PREFIX)]

    def _drop(self, name: str, is_view: bool) -> None:
        self._forget(name)

    def _forget(self, name: str) -> None:
        kind, frame = self._views.pop(name, ("", None))
        if kind == "table" and frame is not None:
            frame.unpersist()
        self.spark.catalog.dropTempView(name)


def _not_null(expression: Any) -> bool:
    """The aggregated expression is filtered ``IS NOT NULL`` in the WHERE of its own SELECT."""
    from sqlglot import exp

    select = expression.find_ancestor(exp.Select)
    where = select.args.get("where") if select is not None else None
    if where is None:
        return False
    target = expression.sql("duckdb")
    return any(
        isinstance(test.this, exp.Is) and test.this.this.sql("duckdb") == target for test in where.find_all(exp.Not)
    )


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql import types as T

    def convert(t: pa.DataType) -> Any:
        if pa.types.is_list(t):
            return T.ArrayType(convert(t.value_type))
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return T.StringType()
        if pa.types.is_int32(t):
            return T.IntegerType()
        if pa.types.is_integer(t):
            return T.LongType()
        if pa.types.is_floating(t):
            return T.DoubleType()
        if pa.types.is_date(t):
            return T.DateType()
        if pa.types.is_boolean(t):
            return T.BooleanType()
        raise TypeError(f"no Spark type for {t}")

    return T.StructType([T.StructField(f.name, convert(f.type)) for f in schema])
