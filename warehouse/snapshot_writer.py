"""Writing one new snapshot: staged rows, the previous snapshot's tables, and the merge of both.

The ingest hands in plain rows (tuples in schema order, per table) and the ids it replaces;
this module knows the tables, not reports: it stages rows to Parquet in bounded memory,
exposes the published snapshot as `old_<table>` views, and writes every table of the new
snapshot (warehouse.store.write_table) with agencies and cross-report findings recomputed.
Sealing and publishing stay in warehouse.store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse import crossyear, regions, store
from warehouse.schema import FACT_TABLES, TABLES

#: The tables a batch contributes rows to (agencies and cross-report findings are recomputed).
STAGED_TABLES = ("reports", *FACT_TABLES.values(), "findings")
#: Staged rows are flushed to Parquet after this many reports, to bound memory.
FLUSH_EVERY = 500
#: DuckDB's budget while rewriting the tables; beyond it DuckDB spills to disk.
BUILD_MEMORY = "512MB"


class Staging:
    """Rows of the batch, flushed to Parquet every FLUSH_EVERY reports to bound memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.buffer: dict[str, list[tuple]] = {table: [] for table in STAGED_TABLES}
        self.pending = 0
        self.parts = 0

    def add(self, rows: dict[str, list[tuple]]) -> None:
        """The rows of one report, per table."""
        for table, table_rows in rows.items():
            self.buffer[table].extend(table_rows)
        self.pending += 1
        if self.pending >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.buffer.items():
            if rows:
                schema = TABLES[table].schema
                arrays = [pa.array(column, type=f.type) for column, f in zip(zip(*rows, strict=False), schema, strict=False)]
                (self.folder / table).mkdir(parents=True, exist_ok=True)
                pq.write_table(pa.Table.from_arrays(arrays, schema=schema), self.folder / table / f"part-{self.parts}.parquet")
                rows.clear()
        self.parts += 1
        self.pending = 0

    def scan(self, table: str) -> str:
        """A query over the staged rows of one table (the typed empty table where none)."""
        if not any((self.folder / table).glob("*.parquet")):
            return f"SELECT * FROM empty_{table}"
        return f"SELECT * FROM read_parquet('{(self.folder / table).as_posix()}/*.parquet')"


def open_build(con: duckdb.DuckDBPyConnection, root: Path) -> dict | None:
    """Prepare a connection to build on the published snapshot: typed empty tables, the
    `old_<table>` views; returns the published manifest (None where nothing is published)."""
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES:
        con.register(f"empty_{table}", TABLES[table].schema.empty_table())
    try:
        snapshot = store.open_snapshot(root)
    except store.WarehouseMissing:
        for table in TABLES:
            con.execute(f"CREATE VIEW old_{table} AS SELECT * FROM empty_{table}")
        return None
    store.attach_views(con, snapshot, prefix="old_")
    return store.read_manifest(snapshot)


def bound_memory(con: duckdb.DuckDBPyConnection, spill: Path) -> None:
    """Rewriting the tables streams through a fixed memory budget, spilling to the snapshot's
    scratch folder, so an ingest's memory does not grow with the warehouse."""
    store.limit_memory(con, BUILD_MEMORY, spill)
    con.execute("SET preserve_insertion_order = false")


def _quarantine_rows(failures: list[tuple[Path, str, str]], at: datetime) -> pa.Table:
    rows = [{"source_file": p.name, "source_path": str(p), "content_hash": h, "reason": r, "at": at} for p, h, r in failures]
    return pa.Table.from_pylist(rows, schema=TABLES["quarantine"].schema)


def build(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    staged: Callable[[str], str],
    removed: set[str],
    seen: list[Path],
    failures: list[tuple[Path, str, str]],
    at: datetime,
    overrides: dict[str, dict[str, str]],
) -> dict[str, dict]:
    """Write every table of the new snapshot; returns the manifest's table entries.

    `staged(table)` is a query over the batch's rows, `removed` the report ids dropped from
    the old snapshot, `seen` every path of the batch (their old quarantine entries go),
    `failures` (path, content hash, reason) the batch's new quarantine entries.
    """
    con.register("removed", pa.table({"report_id": pa.array(sorted(removed), pa.string())}))
    con.register("seen", pa.table({"source_path": pa.array([str(p) for p in seen], pa.string())}))
    con.register("new_quarantine", _quarantine_rows(failures, at))
    keep = "report_id NOT IN (SELECT report_id FROM removed)"
    entries: dict[str, dict] = {}

    def merged(table: str, condition: str = keep) -> str:
        return f"SELECT * FROM old_{table} WHERE {condition} UNION ALL BY NAME {staged(table)}"

    entries["reports"] = store.write_table(
        con, tmp, "reports",
        f"SELECT * REPLACE (count(*) OVER (PARTITION BY agency_id, year) > 1 AS duplicate) FROM ({merged('reports')})",
    )
    for table in FACT_TABLES.values():
        entries[table] = store.write_table(con, tmp, table, merged(table))
    entries["quarantine"] = store.write_table(
        con, tmp, "quarantine",
        "SELECT * FROM old_quarantine WHERE source_path NOT IN (SELECT source_path FROM seen) "
        "UNION ALL BY NAME SELECT * FROM new_quarantine",
    )
    store.attach_views(con, tmp, entries)
    bodies = con.execute(
        "SELECT agency_id, arg_max(agency_name, year), max(year), bool_or(synthetic)"
        " FROM reports GROUP BY agency_id ORDER BY agency_id"
    ).fetchall()
    con.register("new_agencies", regions.agencies_table(bodies, overrides))
    entries["agencies"] = store.write_table(con, tmp, "agencies", "SELECT * FROM new_agencies")
    report_findings = merged("findings", f"scope = 'report' AND {keep}")
    entries["findings"] = store.write_table(
        con, tmp, "findings", f"{report_findings} UNION ALL BY NAME {crossyear.findings_sql(con)}"
    )
    return entries


def duplicates(con: duckdb.DuckDBPyConnection, reports: str) -> int:
    """How many reports share their body and year with another."""
    return con.execute(f"SELECT count(*) FROM {reports} WHERE duplicate").fetchall()[0][0]
