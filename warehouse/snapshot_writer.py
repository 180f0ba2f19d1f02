"""Writing one publish: staged rows, the published tables, and one Delta commit per table of only what changed.

The ingest hands in plain rows (tuples in schema order, per table) and the ids it replaces;
this module knows the tables, not reports: it stages rows to Parquet in bounded memory,
exposes the published pointer's table versions as `old_<table>` views, and commits each table
(`write_deltalake(mode="overwrite", predicate=...)`) over just the reports the batch adds,
replaces or removes; a batch of new reports only is appended to the tables keyed by report,
without reading their files. A body's reports are flagged `duplicate` and checked across years
(warehouse.crossyear) only against the same body's other reports, so those are recomputed for
the bodies the batch touches and nowhere else; agencies and quarantine are small and rewritten
whole. Everything is computed from the pinned `old_` views and the staged rows, never from a
table being written, so a killed publish redone (after warehouse.recovery rolled the tables
back to the pointer) writes the same rows. Publishing the pointer stays in warehouse.store.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable, WriterProperties, write_deltalake

from warehouse import crossyear, marts, regions, store
from warehouse.schema import FACT_TABLES, MARTS, PARTITION_COLUMN, STAGED_TABLES, TABLES

#: Staged rows are flushed to Parquet after this many reports, to bound memory.
FLUSH_EVERY = 500
#: DuckDB's budget while computing the rows to commit; beyond it DuckDB spills to disk.
BUILD_MEMORY = "512MB"
#: Rows per Arrow record batch streamed from DuckDB into a Delta commit.
STREAM_ROWS = 100_000
#: The most report or body ids a commit's predicate lists. delta-rs parses a predicate recursively: at
#: some 20,000 listed values it overflows its stack and the process dies (10,000 took 3 s). A larger
#: batch replaces the whole year partitions it touches instead (see `Touched.commit`).
MAX_LISTED = 1000
#: A year partition holding more data files than this is compacted before the pointer is written.
COMPACT_FILES = 16
#: Every table's files: zstd, like the snapshots before.
WRITER = WriterProperties(compression="ZSTD")
#: Old log entries stay: a kept pointer may name a version older than Delta's log retention.
TABLE_CONFIG = {"delta.enableExpiredLogCleanup": "false"}


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


def ensure_tables(root: Path) -> None:
    """Create the Delta tables that do not exist yet, empty (version 0), with their schema and layout."""
    for table, spec in TABLES.items():
        path = store.table_path(root, table)
        if not (path / "_delta_log").is_dir():
            path.mkdir(parents=True, exist_ok=True)
            partition = [PARTITION_COLUMN] if spec.partitioned else None
            DeltaTable.create(path, spec.schema, mode="ignore", partition_by=partition, configuration=TABLE_CONFIG)


def open_build(con: duckdb.DuckDBPyConnection, root: Path) -> dict | None:
    """Prepare a connection to build on the published pointer: typed empty tables, the `old_<table>`
    views at the pointer's versions; returns the pointer (None where nothing is published)."""
    con.execute("SET TimeZone = 'UTC'")
    register_empty(con)
    try:
        pinned = store.status(root)
    except store.WarehouseMissing:
        for table in TABLES:
            con.execute(f"CREATE OR REPLACE VIEW old_{table} AS SELECT * FROM empty_{table}")
        return None
    store.attach_views(con, pinned, prefix="old_")
    return pinned.pointer


def register_empty(con: duckdb.DuckDBPyConnection) -> None:
    """`empty_<table>`: every table with no rows and its exact types, for queries over nothing staged."""
    for table, spec in TABLES.items():
        con.register(f"empty_{table}", spec.schema.empty_table())


def bound_memory(con: duckdb.DuckDBPyConnection, spill: Path) -> None:
    """Computing the rows to commit streams through a fixed memory budget, spilling to the ingest's
    scratch folder, so an ingest's memory does not grow with the warehouse."""
    store.limit_memory(con, BUILD_MEMORY, spill)
    con.execute("SET preserve_insertion_order = false")


def _stream(con: duckdb.DuckDBPyConnection, table: str, query: str) -> pa.RecordBatchReader:
    """The rows of `query` as record batches typed exactly as the table's schema, without the columns' docs:
    delta-rs refuses a write whose field metadata differs from the table's, so a doc reworded in
    `warehouse.schema` would stop every ingest into a warehouse made before. The docs are written
    when a table is created (`ensure_tables`)."""
    schema = pa.schema([field.remove_metadata() for field in TABLES[table].schema])
    columns = ", ".join(f'"{name}"' for name in schema.names)
    reader = con.sql(f"SELECT {columns} FROM ({query})").to_arrow_reader(STREAM_ROWS)
    return pa.RecordBatchReader.from_batches(schema, (batch.cast(schema) for batch in reader))


def commit(con: duckdb.DuckDBPyConnection, root: Path, table: str, query: str, predicate: str | None) -> None:
    """One Delta commit of `table`: the rows matching `predicate` (every row where None) replaced by `query`'s."""
    write_deltalake(
        store.table_path(root, table), _stream(con, table, query), mode="overwrite", predicate=predicate,
        writer_properties=WRITER,
    )  # fmt: skip


def append(con: duckdb.DuckDBPyConnection, root: Path, table: str, query: str) -> None:
    """One Delta commit of `table` adding `query`'s rows: no existing file is read."""
    write_deltalake(store.table_path(root, table), _stream(con, table, query), mode="append", writer_properties=WRITER)


def _quarantine_rows(failures: list[tuple[Path, str, str]], at: datetime) -> pa.Table:
    rows = [{"source_file": p.name, "source_path": str(p), "content_hash": h, "reason": r, "at": at} for p, h, r in failures]
    return pa.Table.from_pylist(rows, schema=TABLES["quarantine"].schema)


def _sql_list(values: list[object]) -> str:
    """A SQL list literal for a Delta predicate (NULL where empty, which matches nothing)."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" if isinstance(v, str) else str(v) for v in values)
    return f"({quoted})" if quoted else "(NULL)"


#: The sets a predicate may name, and the temp table (and column) holding each.
SETS = {
    "ids": ("batch_ids", "report_id"),
    "published": ("batch_published", "report_id"),
    "bodies": ("batch_bodies", "agency_id"),
    "years": ("batch_years", "year"),
}


class Touched:
    """What the batch touches — its report ids (added, replaced, removed), those of them already published,
    their bodies, and those bodies' years — as temp tables, and the predicates of a commit over them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, staged: Callable[[str], str]) -> None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE batch_staged AS SELECT report_id, agency_id, year FROM ({staged('reports')})")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_ids AS SELECT report_id FROM removed UNION SELECT report_id FROM batch_staged"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_published AS SELECT report_id FROM old_reports "
            "WHERE report_id IN (SELECT report_id FROM batch_ids)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_bodies AS SELECT agency_id FROM old_reports "
            "WHERE report_id IN (SELECT report_id FROM batch_ids) UNION SELECT agency_id FROM batch_staged"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE batch_years AS SELECT year FROM old_reports "
            "WHERE agency_id IN (SELECT agency_id FROM batch_bodies) UNION SELECT year FROM batch_staged"
        )
        self.values = {name: [v for (v,) in con.execute(f"SELECT {column} FROM {table} ORDER BY 1").fetchall()]
                       for name, (table, column) in SETS.items()}  # fmt: skip

    def listed(self, template: str) -> str:
        """`template` with each `{set}` as a literal list, for delta-rs."""
        return template.format(**{name: _sql_list(values) for name, values in self.values.items()})

    def queried(self, template: str) -> str:
        """`template` with each `{set}` as a subquery of its temp table, for DuckDB."""
        return template.format(**{name: f"(SELECT {column} FROM {table})" for name, (table, column) in SETS.items()})

    def commit(self, con: duckdb.DuckDBPyConnection, root: Path, table: str, query: str, template: str) -> None:
        """Replace the rows of `table` matching `template` (a predicate over `{ids}`, `{bodies}`, `{years}`
        that implies `year IN {years}` and that every row of `query` meets: delta-rs checks) by `query`'s.
        Where it would list more than MAX_LISTED values, the touched years are replaced whole: their other
        rows, unchanged, are written again."""
        if all(len(values) <= MAX_LISTED for name, values in self.values.items() if f"{{{name}}}" in template):
            commit(con, root, table, query, self.listed(template))
            return
        touched_years = f"SELECT * FROM ({self.after(table, query, template)}) WHERE year IN {self.queried('{years}')}"
        commit(con, root, table, touched_years, self.listed("year IN {years}"))

    def after(self, table: str, query: str, template: str) -> str:
        """Every row of `table` once `query`'s rows replace those matching `template`: the published rows
        that do not match, then the new ones."""
        return f"SELECT * FROM old_{table} WHERE ({self.queried(template)}) IS NOT TRUE UNION ALL BY NAME {query}"

    def commit_reports_rows(self, con: duckdb.DuckDBPyConnection, root: Path, table: str, query: str) -> None:
        """Commit a table keyed by report: the rows of the batch's reports replaced by `query`'s; where none
        of them is published yet (only new reports), `query`'s rows appended, reading no file."""
        if self.values["published"]:
            self.commit(con, root, table, query, "year IN {years} AND report_id IN {ids}")
        else:
            append(con, root, table, query)


def build(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    staged: Callable[[str], str],
    removed: set[str],
    seen: list[Path],
    failures: list[tuple[Path, str, str]],
    at: datetime,
    overrides: dict[str, dict[str, str]],
    place_all: bool,
    all_marts: bool,
) -> dict[str, int]:
    """Commit every table of the new publish; returns the rows of each table at its new version.

    `staged(table)` is a query over the batch's rows, `removed` the report ids dropped from
    the published tables, `seen` every path of the batch (their old quarantine entries go),
    `failures` (path, content hash, reason) the batch's new quarantine entries. `place_all`
    places every body again (the override CSV or the regions dataset changed), else only the
    bodies the batch touches; `all_marts` computes every report's marts again (the published
    ones follow other definitions, `warehouse.marts.current`), else only the batch's.
    """
    ensure_tables(root)
    con.register("removed", pa.table({"report_id": pa.array(sorted(removed), pa.string())}))
    con.register("seen", pa.table({"source_path": pa.array([str(p) for p in seen], pa.string())}))
    con.register("new_quarantine", _quarantine_rows(failures, at))
    touched = Touched(con, staged)
    keep = "report_id NOT IN (SELECT report_id FROM removed)"
    of_touched = f"year IN (SELECT year FROM batch_years) AND agency_id IN (SELECT agency_id FROM batch_bodies) AND {keep}"

    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched_reports AS SELECT * REPLACE "
        "(count(*) OVER (PARTITION BY agency_id, year) > 1 AS duplicate) FROM ("
        f"SELECT * FROM old_reports WHERE {of_touched} UNION ALL BY NAME {staged('reports')})"
    )
    touched.commit(con, root, "reports", "SELECT * FROM touched_reports", "year IN {years} AND agency_id IN {bodies}")
    for table in FACT_TABLES.values():
        touched.commit_reports_rows(con, root, table, staged(table))
    _commit_marts(con, root, touched, staged, all_marts)
    for name, table in (("touched_t2", "t2_facts"), ("touched_t3", "t3_facts")):
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM old_{table} WHERE {of_touched} "
                    f"UNION ALL BY NAME {staged(table)}")  # fmt: skip
    warehouse_findings = crossyear.findings_sql(con, "touched_reports", "touched_t2", "touched_t3")
    findings, replaced = f"{staged('findings')} UNION ALL BY NAME {warehouse_findings}", FINDINGS_REPLACED
    touched.commit(con, root, "findings", findings, replaced)
    if all_marts:
        commit(con, root, marts.OPEN_FINDINGS, marts.open_findings(touched.after("findings", findings, replaced)), None)
    else:
        touched.commit(con, root, marts.OPEN_FINDINGS, marts.open_findings(findings), replaced)
    _commit_agencies(con, root, overrides, place_all)
    commit(
        con, root, "quarantine",
        "SELECT * FROM old_quarantine WHERE source_path NOT IN (SELECT source_path FROM seen) "
        "UNION ALL BY NAME SELECT * FROM new_quarantine", None,
    )  # fmt: skip
    return compact(root)


#: The findings a publish replaces: the batch's reports' own, and the cross-year checks of its bodies.
FINDINGS_REPLACED = "year IN {years} AND (report_id IN {ids} OR (scope = 'warehouse' AND agency_id IN {bodies}))"


def _commit_marts(
    con: duckdb.DuckDBPyConnection, root: Path, touched: Touched, staged: Callable[[str], str], every: bool
) -> None:
    """The batch's reports' cells and measures, committed like their facts; with `every`, those of
    every report the new publish holds, each mart replaced whole."""
    if not every:
        written = write_marts(con, root, staged("reports"), staged)
        for table in marts.PER_REPORT:
            touched.commit_reports_rows(con, root, table, written[table])
        return
    def all_rows(table: str) -> str:
        return touched.after(table, staged(table), "report_id IN {ids}")

    written = write_marts(con, root, all_rows("reports"), all_rows)
    for table in marts.PER_REPORT:
        commit(con, root, table, written[table], None)


def write_marts(con: duckdb.DuckDBPyConnection, root: Path, reports: str, fact_rows: Callable[[str], str]) -> dict[str, str]:
    """Compute the marts of `reports` (`warehouse.marts.compute_chunks`) into Parquet in the warehouse's
    scratch folder, chunk by chunk, so memory stays bounded; returns a query over each mart's rows."""
    folder = root / store.WORK / "marts"
    shutil.rmtree(folder, ignore_errors=True)
    for table in marts.PER_REPORT:
        (folder / table).mkdir(parents=True)
    for number, chunk in enumerate(marts.compute_chunks(con, reports, fact_rows)):
        for table, rows in zip(marts.PER_REPORT, chunk, strict=True):
            pq.write_table(rows, folder / table / f"{number}.parquet")
    return {table: f"SELECT * FROM read_parquet('{(folder / table).as_posix()}/*.parquet')"
            if any((folder / table).iterdir()) else f"SELECT * FROM empty_{table}" for table in marts.PER_REPORT}  # fmt: skip


def _commit_agencies(con: duckdb.DuckDBPyConnection, root: Path, overrides: dict[str, dict[str, str]], place_all: bool) -> None:
    """Rewrite `agencies` (small, one file), placing the touched bodies again — or every body, since a
    changed override CSV or regions dataset may move any of them (placing takes ~50 µs a body).
    A body's row comes from its reports: its name as last reported, its latest year, synthetic or not."""
    untouched = "WHERE agency_id NOT IN (SELECT agency_id FROM batch_bodies)"
    reports = "SELECT agency_id, agency_name, year, synthetic FROM touched_reports"
    if place_all:
        reports += f" UNION ALL SELECT agency_id, agency_name, year, synthetic FROM old_reports {untouched}"
    bodies = con.execute(
        f"SELECT agency_id, arg_max(agency_name, year), max(year), bool_or(synthetic) FROM ({reports}) GROUP BY agency_id"
    ).fetchall()
    con.register("new_agencies", regions.agencies_table(bodies, overrides))
    kept = "" if place_all else f"SELECT * FROM old_agencies {untouched} UNION ALL BY NAME "
    commit(con, root, "agencies", f"SELECT * FROM ({kept}SELECT * FROM new_agencies) ORDER BY agency_id", None)


def replace_tables(con: duckdb.DuckDBPyConnection, root: Path, queries: dict[str, str], facts: dict) -> dict:
    """Publish every table whole from a query of `con` (an old-layout warehouse converted, or a warehouse
    built for a test or benchmark); returns the pointer. Each table is still one commit, then the pointer.
    The marts are computed from the reports and facts unless `queries` gives them (with `facts["marts"]`)."""
    ensure_tables(root)
    register_empty(con)
    if not set(MARTS) <= set(queries):
        queries = queries | write_marts(con, root, queries["reports"], lambda table: queries[table])
        queries[marts.OPEN_FINDINGS] = marts.open_findings(queries["findings"])
    for table in TABLES:
        commit(con, root, table, queries[table], None)
    shutil.rmtree(root / store.WORK / "marts", ignore_errors=True)
    counts = {table: rows(root, table) for table in TABLES}
    return store.publish(root, store.new_id(), {"marts": marts.DIGEST} | facts | {"rows": counts})


def _files(dt: DeltaTable) -> pa.Table:
    """The data files of a table's version as Arrow (path, num_records, partition.<column>, ...)."""
    return pa.table(dt.get_add_actions(flatten=True))


def _count(files: pa.Table) -> int:
    return int(pc.sum(files["num_records"]).as_py() or 0) if files.num_rows else 0


def rows(root: Path, table: str) -> int:
    """The rows of a table's latest version, from its log (no data file read)."""
    return _count(_files(DeltaTable(store.table_path(root, table))))


def compact(root: Path) -> dict[str, int]:
    """Merge the files of any year partition that has accumulated more than COMPACT_FILES small ones (a
    commit of its own, before the pointer is written, so the pointer names the compacted version),
    and checkpoint the log so opening a version stays quick. Returns each table's rows (which merging
    keeps), read from the same look at its log."""
    counts = {}
    for table, spec in TABLES.items():
        dt = DeltaTable(store.table_path(root, table))
        files = _files(dt)
        counts[table] = _count(files)
        if not spec.partitioned:
            continue
        per_year = Counter(files[f"partition.{PARTITION_COLUMN}"].to_pylist()) if files.num_rows else Counter()
        crowded = [year for year, files in per_year.items() if files > COMPACT_FILES]
        for year in crowded:
            dt.optimize.compact(partition_filters=[(PARTITION_COLUMN, "=", str(year))], writer_properties=WRITER)
        if crowded:
            dt.create_checkpoint()
    return counts


def duplicates(con: duckdb.DuckDBPyConnection, built: bool) -> int:
    """How many reports share their body and year with another: in the published tables, or (`built`)
    after this build (its touched bodies' reports recomputed, the others' flags unchanged)."""
    if not built:
        return con.execute("SELECT count(*) FROM old_reports WHERE duplicate").fetchall()[0][0]
    return con.execute(
        "SELECT (SELECT count(*) FROM old_reports WHERE duplicate AND agency_id NOT IN (SELECT agency_id FROM batch_bodies))"
        " + (SELECT count(*) FROM touched_reports WHERE duplicate)"
    ).fetchall()[0][0]
