"""SQL steps, and the small database API that runs them (DuckDB here; other engines fill the same hooks).

As in splink, every algorithm is a function returning named SQL steps. The SQL is written once, in the
DuckDB dialect and kept to what sqlglot translates (plain joins, GROUP BY, window functions, list
functions that have Spark array equivalents: ``list_contains`` → ``array_contains``, ``unnest`` →
``explode``, ``array_slice`` → ``slice``, ``array_length`` → ``size``, ``date_diff('day', a, b)`` →
``datediff``). Spellings are chosen for that: ``array_intersect``, not ``list_intersect`` (which sqlglot
passes through unchanged), ``array_length``, not ``len`` (which would become Spark's string ``length``).
A backend for another engine sets ``dialect`` and fills the ``_`` hooks; the public methods are final.
Before translating, a backend passes the parsed step through ``_adapt``, which rewrites a construct to its
exact equivalent on the engine or raises :class:`UnsupportedStep` for one it cannot run with the same
meaning, rather than run a different query.
"""

from __future__ import annotations

import re
from decimal import Decimal
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pyarrow as pa

PREFIX = "__jf_"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SQLStep:
    """One named step: ``sql`` is a SELECT whose result becomes table (or view) ``name``."""

    name: str
    sql: str
    # False: a view (the engine inlines it, like a CTE); True: computed once and stored.
    materialise: bool = True

    def __post_init__(self) -> None:
        if not self.name.startswith(PREFIX) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.name):
            raise ValueError(f"step names start with {PREFIX} and are plain identifiers: {self.name!r}")


def as_with_query(steps: Iterable[SQLStep], select: str | None = None) -> str:
    """The steps chained into one ``WITH`` query (for engines or callers that prefer a single statement)."""
    steps = list(steps)
    ctes = ",\n".join(f"{s.name} AS (\n{s.sql}\n)" for s in steps)
    return f"WITH {ctes}\n{select or f'SELECT * FROM {steps[-1].name}'}"


class UnsupportedStep(Exception):
    """A step this engine cannot run with the meaning it has on DuckDB; the message names step and construct."""


class AnalysisBackend:
    """A database the analysis runs on. Subclasses fill the hooks; the other methods are final."""

    dialect = "duckdb"

    # --- final API ---------------------------------------------------------------------------------------
    def run_steps(
        self, steps: Iterable[SQLStep], progress: Progress | None = None, done: int = 0, total: int | None = None
    ) -> int:
        """Create every step in order; report each through ``progress``; return the updated ``done`` count."""
        steps = list(steps)
        total = total if total is not None else done + len(steps)
        for step in steps:
            try:
                sql = self.translate(step.sql)
            except UnsupportedStep as exc:
                raise UnsupportedStep(f"step {step.name}: {exc}") from None
            if step.materialise:
                self._create_table(step.name, sql)
            else:
                self._create_view(step.name, sql)
            done += 1
            if progress:
                progress(step.name, done, total)
        return done

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Rows of a SELECT as dicts (DECIMAL values, such as SQL sums of integers, as int or float)."""
        return [{k: _plain(v) for k, v in row.items()} for row in self.query_arrow(sql).to_pylist()]

    def query_arrow(self, sql: str) -> pa.Table:
        return self._fetch_arrow(self.translate(sql))

    def scalar(self, sql: str) -> Any:
        rows = self.query_arrow(sql)
        return rows.column(0)[0].as_py() if rows.num_rows else None

    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as ``name``."""
        self._register_arrow(name, table)

    def columns(self, relation: str) -> list[str] | None:
        """Column names of a table or view, or None when it does not exist."""
        return self._columns(relation)

    def translate(self, sql: str) -> str:
        """SQL written in the DuckDB dialect, translated for this engine (sqlglot, imported only if needed)."""
        if self.dialect == "duckdb":
            return sql
        import sqlglot  # optional: only non-DuckDB engines need it
        from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError

        try:
            trees = [self._adapt(tree) for tree in sqlglot.parse(sql, read="duckdb") if tree is not None]
            return ";\n".join(tree.sql(dialect=self.dialect, unsupported_level=ErrorLevel.RAISE) for tree in trees)
        except (ParseError, UnsupportedError) as exc:
            raise UnsupportedStep(f"{self.dialect} cannot run it as written: {str(exc).splitlines()[0]}") from None

    def drop_steps(self) -> None:
        """Remove every table and view this analysis created (names with the common prefix)."""
        for name, is_view in self._prefixed_relations():
            self._drop(name, is_view)

    # --- hooks ----------------------------------------------------------------------------------------------
    def _adapt(self, tree: Any) -> Any:
        """The parsed (sqlglot) statement with constructs rewritten for this engine; UnsupportedStep if it
        holds one the engine cannot run with the same meaning."""
        return tree

    def _create_table(self, name: str, sql: str) -> None:
        raise NotImplementedError

    def _create_view(self, name: str, sql: str) -> None:
        raise NotImplementedError

    def _fetch_arrow(self, sql: str) -> pa.Table:
        raise NotImplementedError

    def _register_arrow(self, name: str, table: pa.Table) -> None:
        raise NotImplementedError

    def _columns(self, relation: str) -> list[str] | None:
        raise NotImplementedError

    def _prefixed_relations(self) -> list[tuple[str, bool]]:
        raise NotImplementedError

    def _drop(self, name: str, is_view: bool) -> None:
        raise NotImplementedError


class DuckDBBackend(AnalysisBackend):
    """DuckDB: steps become temporary tables and views of one connection."""

    dialect = "duckdb"

    def __init__(
        self,
        con: Any,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: str | None = None,
    ) -> None:
        self.con = con
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            con.execute(f"SET memory_limit = '{_quote(memory_limit)}'")
        if temp_directory:
            con.execute(f"SET temp_directory = '{_quote(temp_directory)}'")
        # Row order of intermediate tables never matters here, and not keeping it saves memory.
        con.execute("SET preserve_insertion_order = false")
        self._registered: list[str] = []

    def _create_table(self, name: str, sql: str) -> None:
        self.con.execute(f"DROP VIEW IF EXISTS {name}")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS\n{sql}")

    def _create_view(self, name: str, sql: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS\n{sql}")

    def _fetch_arrow(self, sql: str) -> pa.Table:
        relation = self.con.sql(sql)
        # duckdb ≥ 1.4 names it to_arrow_table; older releases arrow.
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        return fetch()

    def _register_arrow(self, name: str, table: pa.Table) -> None:
        self.con.register(f"{name}__arrow", table)
        self.con.execute(f"DROP VIEW IF EXISTS {name}")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}__arrow")
        self.con.unregister(f"{name}__arrow")

    def _columns(self, relation: str) -> list[str] | None:
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [relation],
        ).fetchall()
        return [r[0] for r in rows] or None

    def _prefixed_relations(self) -> list[tuple[str, bool]]:
        rows = self.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE starts_with(table_name, ?)",
            [PREFIX],
        ).fetchall()
        return [(name, kind == "VIEW") for name, kind in rows]

    def _drop(self, name: str, is_view: bool) -> None:
        self.con.execute(f"DROP {'VIEW' if is_view else 'TABLE'} IF EXISTS {name}")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _quote(text: str) -> str:
    return str(text).replace("'", "''")


def sql_str(value: str) -> str:
    """A SQL string literal."""
    return "'" + _quote(value) + "'"


def has_any(column: str, terms_sql: str) -> str:
    """SQL: the list column shares an element with the list literal (Spark: size(array_intersect(…)) > 0)."""
    return f"array_length(array_intersect({column}, {terms_sql})) > 0"


def sql_list(values: Iterable[str]) -> str:
    """A SQL list literal of strings (DuckDB ``[...]``; sqlglot writes ``ARRAY(...)`` for Spark)."""
    return "[" + ", ".join(sql_str(v) for v in values) + "]"
