"""Opening a snapshot: Parquet files become DuckDB views; every input is read through a typed view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jianfu.analysis.backend import PREFIX, AnalysisBackend, SQLStep, sql_str
from jianfu.analysis.schema import SCHEMAS, TABLES, duckdb_type


def load_snapshot(source: Any, con: Any = None) -> Any:
    """A DuckDB connection on which every table of the snapshot is queryable by its contract name.

    ``source`` is a directory holding ``<table>.parquet`` files (or ``<table>/`` folders of Parquet
    files), or an open DuckDB connection, which is returned as it is. Tables that are absent stay absent:
    the analysis reads them as empty.
    """
    import duckdb

    if isinstance(source, duckdb.DuckDBPyConnection):
        return source
    path = Path(source)
    if not path.is_dir():
        raise FileNotFoundError(f"snapshot directory not found: {path}")
    con = con or duckdb.connect()
    for table in TABLES:
        file, folder = path / f"{table}.parquet", path / table
        if file.is_file():
            pattern = str(file)
        elif folder.is_dir() and any(folder.glob("*.parquet")):
            pattern = str(folder / "*.parquet")
        else:
            continue
        con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet({sql_str(pattern)})")
    return con


def write_snapshot(tables: dict[str, Any], directory: Any) -> Path:
    """Write Arrow tables (or lists of row dicts) as a snapshot directory, cast to the contract schemas."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in tables.items():
        schema = SCHEMAS[name]
        if isinstance(data, list):
            data = pa.Table.from_pylist([{c: row.get(c) for c in schema.names} for row in data], schema=schema)
        pq.write_table(data.select(schema.names).cast(schema), directory / f"{name}.parquet")
    return directory


def input_name(table: str) -> str:
    """The typed view the detectors read for one contract table."""
    return f"{PREFIX}in_{table}"


def input_steps(backend: AnalysisBackend) -> list[SQLStep]:
    """One view per contract table: its columns cast to the contract types; absent ones as typed NULLs."""
    steps = []
    for table, schema in SCHEMAS.items():
        present = backend.columns(table)
        cols = []
        for f in schema:
            typ = duckdb_type(f.type)
            if present is not None and f.name in present:
                cols.append(f"CAST({f.name} AS {typ}) AS {f.name}")
            else:
                cols.append(f"CAST(NULL AS {typ}) AS {f.name}")
        source = f" FROM {table}" if present is not None else ""
        where = "" if present is not None else " WHERE 1 = 0"
        if table == "members" and present is not None:
            where = " WHERE group_code IS NOT NULL AND person_code IS NOT NULL"
        steps.append(SQLStep(input_name(table), "SELECT " + ", ".join(cols) + source + where, materialise=False))
    return steps
