"""Running SQL on the dashboard's shared connection, and the only names that reach SQL unbound.

User input only ever reaches SQL as a bound parameter. Column names are canonical keys or
measure ids from the metric dictionary and table aliases chosen by the code, each checked
against a pattern before it is written into a statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb
import polars as pl

KEY_PATTERN = re.compile(r"^(t2|t3|t4|text)\.[a-z0-9_.]+$")
MEASURE_ID = re.compile(r"^[a-z0-9_]+$")
ALIAS = re.compile(r"^[a-z][a-z0-9_]*$")


def frame(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, object] | None = None,
    tables: dict[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Run one statement on a cursor of its own (the app shares one connection across sessions), with
    `tables` (frames made in Python) readable by name on that cursor only."""
    with con.cursor() as cur:
        for name, rows in (tables or {}).items():
            cur.register(name, rows)
        return cur.sql(sql, params=params or {}).pl()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> list[tuple]:
    """Like `frame`, for the few queries that want plain tuples."""
    with con.cursor() as cur:
        return cur.execute(sql, params or {}).fetchall()


def quote(key: str) -> str:
    """A canonical key as a quoted column name; refuses anything that is not a key."""
    if not KEY_PATTERN.match(key):
        raise ValueError(f"not a canonical key: {key!r}")
    return f'"{key}"'


def measure_column(measure_id: str, part: str) -> str:
    """The quoted column `<measure id>#<part>` (num, den, derived, cover) of the prepared tables."""
    if not MEASURE_ID.match(measure_id) or not MEASURE_ID.match(part):
        raise ValueError(f"not a measure column: {measure_id!r}#{part!r}")
    return f'"{measure_id}#{part}"'


def alias(name: str) -> str:
    """A table alias written into a statement; refuses anything else."""
    if not ALIAS.match(name):
        raise ValueError(f"not a table alias: {name!r}")
    return name


def literals(values: Sequence[str | int]) -> str:
    """Values written into a statement as an SQL list (`NULL` where there are none), each string quoted.

    Stored ids and years only, never user input: a literal list is what a Parquet scan filters on as it
    reads (a join with the same ids, or a bound list, reads every row first: 12 s where this takes 0.5)."""
    return ", ".join(str(int(v)) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values) or "NULL"
