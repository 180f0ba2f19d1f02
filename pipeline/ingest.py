"""Ingest: files and folders of reports into the warehouse, safely and repeatably.

A batch runs in five steps, all under the warehouse's writer lock:

1. plan — every file is hashed (sha256 of its bytes = the report id) and compared with
   the published snapshot: a known id parsed by the same parser version is unchanged
   and not read again; a new id at a path that held another id replaces that report.
2. parse — the files to read go through a process pool; each worker returns the rows
   of one report (or the reason it failed, which sends the file to quarantine), and the
   rows are flushed to a staging folder inside the snapshot being built.
3. settle — a body with undecided cells has all its reports (this batch's and the
   warehouse's) read again and narrowed across years (pipeline.extract.series), the
   same way `evaluate` reads a corpus; their rows replace the staged ones.
4. build — every table of the new snapshot is written from the previous snapshot
   (less what was replaced) plus the staged rows; agencies and the cross-report
   findings are recomputed over the result.
5. publish — the snapshot is sealed and CURRENT swapped atomically (warehouse.store).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

import pipeline.extract
from pipeline import limits
from pipeline.errors import ReportError
from pipeline.extract.series import resolve_series
from pipeline.record import Record
from warehouse import crossyear, regions, store
from warehouse.derive import derive
from warehouse.schema import FACT_TABLES, TABLES
from warehouse.settings import warehouse_dir

#: Suffixes picked up when walking a folder; files named explicitly are always tried.
REPORT_SUFFIXES = frozenset({".txt", ".text", ".htm", ".html", ".pdf", ".docx", ".md", ".markdown"})
#: Staged rows are flushed to Parquet after this many reports, to bound memory.
FLUSH_EVERY = 500
#: How long a new worker process may take to start (imports included) before the batch gives up.
WORKER_START_SECONDS = 120
STAGED_TABLES = ("reports", *FACT_TABLES.values(), "findings")
#: DuckDB's budget while rewriting the tables; beyond it DuckDB spills to disk.
BUILD_MEMORY = "512MB"

T = TypeVar("T")
R = TypeVar("R")


def parser_version() -> str:
    """The extractor's version; a change re-parses files already in the warehouse."""
    return str(getattr(pipeline.extract, "PARSER_VERSION", "0"))


# ---------------------------------------------------------------- discovery and plan


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Report files under the given files and folders (sorted, once each) and the paths not found."""
    found: dict[Path, None] = {}
    missing: list[str] = []
    for given in paths:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            found.update(dict.fromkeys(sorted(p for p in path.rglob("*") if _is_report_file(p, path))))
        elif path.is_file():
            found[path] = None
        else:
            missing.append(str(given))
    return list(found), missing


def _is_report_file(path: Path, folder: Path) -> bool:
    """A file of a known form, not hidden (nor inside a hidden folder) below `folder`."""
    hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
    return path.suffix.lower() in REPORT_SUFFIXES and not hidden and path.is_file()


def content_hash(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Known:
    """What the published snapshot already holds: reports by id and by path, quarantine."""

    parser_of: dict[str, str] = field(default_factory=dict)
    id_at: dict[str, str] = field(default_factory=dict)
    quarantined: dict[str, tuple[str, str]] = field(default_factory=dict)
    overrides: str | None = None

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, manifest: dict | None) -> Known:
        """Read from the old_<table> views of the published snapshot."""
        known = cls(overrides=(manifest or {}).get("overrides_sha256"))
        for report_id, path, version in con.execute("SELECT report_id, source_path, parser_version FROM old_reports").fetchall():
            known.parser_of[report_id] = version
            known.id_at[path] = report_id
        for path, digest, reason in con.execute("SELECT source_path, content_hash, reason FROM old_quarantine").fetchall():
            known.quarantined[path] = (digest, reason)
        return known


@dataclass
class Plan:
    """Which files to parse; the rest are unchanged and never read twice."""

    hashes: dict[Path, str]
    to_parse: dict[str, Path]
    unchanged: list[Path]
    refreshed: set[str]


def make_plan(files: list[Path], known: Known, version: str) -> Plan:
    """Decide per file, before any parsing, from content hashes alone."""
    hashes = {path: content_hash(path) for path in files}
    to_parse: dict[str, Path] = {}
    unchanged: list[Path] = []
    for path, report_id in hashes.items():
        if known.parser_of.get(report_id) == version or report_id in to_parse:
            unchanged.append(path)
        else:
            to_parse[report_id] = path
    refreshed = {report_id for report_id in to_parse if report_id in known.parser_of}
    return Plan(hashes, to_parse, unchanged, refreshed)


# ---------------------------------------------------------------- one report -> rows


@dataclass(frozen=True)
class Task:
    """One file to read, with what its report row needs besides the record."""

    path: str
    report_id: str
    synthetic: bool
    ingested_at: datetime
    parser_version: str


@dataclass
class Parsed:
    """The rows of one report, per table, each row a tuple in schema order."""

    report_id: str
    agency_id: str
    unsettled: bool
    rows: dict[str, list[tuple]]


@dataclass
class Failed:
    """A file that could not be ingested, and why."""

    report_id: str
    reason: str


def split_key(key: str) -> tuple[str, str, str | None]:
    """The fact table, row part and column part of a canonical key."""
    prefix, _, rest = key.partition(".")
    if prefix == "t4":
        proceeding, _, outcome = rest.rpartition("_")
        return FACT_TABLES[prefix], proceeding, outcome
    row, _, column = rest.partition(".")
    return FACT_TABLES[prefix], row, column or None


def record_rows(record: Record, task: Task, size: int) -> Parsed:
    """Every row one record contributes: its report, its values (as reported, ambiguous,
    and derived beside them) and its validation findings."""
    if record.year is None:
        raise ReportError(record.source, "no report year found / 未识别报告年度")
    if not record.agency:
        raise ReportError(record.source, "no issuing body found / 未识别发布机关")
    body = regions.agency_id(record.agency)
    head = (task.report_id, body, record.year)
    rows: dict[str, list[tuple]] = {table: [] for table in STAGED_TABLES}

    def fact(key: str, value: float | None, raw: str | None, status: str, source: str | None) -> None:
        table, row_key, col_key = split_key(key)
        rows[table].append((*head, key, row_key, col_key, value, raw, status, source))

    for key, cell in record.values.items():
        fact(key, cell.value, cell.raw, cell.status, cell.where)
    ambiguous = record.ambiguous
    for key, options in ambiguous.items():
        fact(key, None, "|".join(map(str, options)), "ambiguous", None)
    for key, (value, rule) in derive({key: cell.value for key, cell in record.values.items()}).items():
        fact(key, value, None, "derived", rule.formula)
    for f in record.findings:
        rows["findings"].append((*head, f.rule, f.severity, f.outcome, list(f.keys), f.message_zh, f.message_en, "report", None))
    rows["reports"].append(
        (task.report_id, body, record.agency, record.year, record.template_version, list(record.template_evidence),
         Path(task.path).name, task.path, record.format, size, task.ingested_at, task.parser_version,
         task.synthetic or record.synthetic,
         False, len(record.values), len(ambiguous))
    )
    return Parsed(task.report_id, body, bool(ambiguous), rows)


def read_record(task: Task) -> tuple[Record, int]:
    """The extraction record of one file and the file's size."""
    data = Path(task.path).read_bytes()
    return pipeline.extract.extract_bytes(data, Path(task.path).name), len(data)


def parse(task: Task) -> Parsed | Failed:
    """Worker: one file to rows; any failure becomes a quarantine reason, so the batch goes on."""
    try:
        record, size = read_record(task)
        return record_rows(record, task, size)
    except ReportError as exc:
        return Failed(task.report_id, exc.reason)
    except MemoryError:  # the worker's allowance (limits.WORKER_MEMORY_BYTES), not a bug
        return Failed(task.report_id, limits.memory_limit_reason())
    except Exception as exc:  # an extractor bug must not stop the batch: quarantine it with the cause
        return Failed(task.report_id, f"extractor failed: {type(exc).__name__}: {exc}")


def reread(task: Task) -> tuple[Task, Record, int] | None:
    """Worker: the record of a file read before (None if it no longer reads)."""
    try:
        return (task, *read_record(task))
    except Exception:  # it was read once; a reader failing now only loses the cross-year narrowing
        return None


def run_pool(
    work: Callable[[T], R], tasks: list[T], workers: int, progress: bool, desc: str,
    failed: Callable[[T, str], R] | None = None,
) -> Iterator[R]:
    """Run `work` over the tasks in worker processes, yielding results as they finish, with a progress bar.

    A task gets limits.PARSE_SECONDS: a worker still busy after that is killed (abandoned) and
    `failed(task, reason)` stands in for its result, as it does for a worker that dies; a fresh
    worker takes the next task, so one hostile file never stops the batch.
    """
    if not tasks:
        return
    failed = failed or (lambda task, reason: None)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.ingest"])
    seconds = limits.PARSE_SECONDS
    waiting = list(reversed(tasks))
    idle: list[_Worker] = []
    busy: dict[Connection, tuple[_Worker, T, float]] = {}
    with tqdm(total=len(tasks), unit="report", desc=desc, disable=None if progress else True, file=sys.stderr) as bar:
        try:
            while waiting or busy:
                while waiting and len(busy) < max(1, workers):
                    worker = idle.pop() if idle else _Worker(context, work)
                    task = waiting.pop()
                    worker.conn.send(task)
                    busy[worker.conn] = (worker, task, time.monotonic() + seconds)
                soonest = min(deadline for _worker, _task, deadline in busy.values())
                for conn in wait(list(busy), timeout=max(0.0, soonest - time.monotonic())):
                    worker, task, _deadline = busy.pop(conn)
                    try:
                        result = conn.recv()
                    except (EOFError, OSError):  # killed from outside (e.g. the kernel's OOM killer) or crashed
                        worker.kill()
                        result = failed(task, f"{limits.WORKER_DIED_REASON} (exit {worker.process.exitcode})")
                    else:
                        idle.append(worker)
                    bar.update()
                    yield result
                now = time.monotonic()
                for conn, (worker, task, deadline) in list(busy.items()):
                    if deadline <= now:
                        del busy[conn]
                        worker.kill()
                        bar.update()
                        yield failed(task, limits.time_limit_reason(seconds))
        finally:
            for worker in idle:
                worker.stop()
            for worker, _task, _deadline in busy.values():
                worker.kill()


class _Worker:
    """One worker process serving tasks over a pipe, one at a time, so it can be killed alone."""

    def __init__(self, context: multiprocessing.context.BaseContext, work: Callable) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work, limits.WORKER_MEMORY_BYTES), daemon=True)
        self.process.start()
        child.close()  # only the worker holds its end now: its death reads as EOF here
        # The clock of a task starts once the worker is up: the first start waits for the forkserver's imports.
        try:
            ready = self.conn.poll(WORKER_START_SECONDS) and self.conn.recv() == "ready"
        except (EOFError, OSError):  # it died starting, e.g. a __main__ that cannot be re-imported
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError(f"an ingest worker did not start within {WORKER_START_SECONDS} s (exit {self.process.exitcode})")

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _serve(conn: Connection, work: Callable, memory: int) -> None:
    """Worker loop: run tasks until told to stop, within the memory allowance."""
    if memory:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        resource.setrlimit(resource.RLIMIT_DATA, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))
    conn.send("ready")
    while (task := conn.recv()) is not None:
        conn.send(work(task))


# ---------------------------------------------------------------- staging


class Staging:
    """Rows of the batch, flushed to Parquet every FLUSH_EVERY reports to bound memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.buffer: dict[str, list[tuple]] = {table: [] for table in STAGED_TABLES}
        self.pending = 0
        self.parts = 0

    def add(self, parsed: Parsed) -> None:
        for table, rows in parsed.rows.items():
            self.buffer[table].extend(rows)
        self.pending += 1
        if self.pending >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.buffer.items():
            if rows:
                schema = TABLES[table].schema
                arrays = [pa.array(column, type=f.type) for column, f in zip(zip(*rows), schema)]
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


# ---------------------------------------------------------------- settling bodies across years


def settle_series(
    con: duckdb.DuckDBPyConnection, batch: dict[str, tuple[Task, str]], unsettled: set[str], removed: set[str],
    staging: Staging, version: str, workers: int, progress: bool,
) -> tuple[set[str], set[str]]:
    """Read again every report of the bodies with undecided cells (in this batch or already in
    the warehouse), narrow them across years, and stage their rows; returns the ids restaged
    and those of them that were already in the warehouse."""
    con.register("touched", pa.table({"agency_id": pa.array(sorted({body for _task, body in batch.values()}), pa.string())}))
    unsettled = unsettled | {
        body for (body,) in con.execute(
            "SELECT DISTINCT agency_id FROM old_reports WHERE n_ambiguous > 0 AND agency_id IN (SELECT agency_id FROM touched)"
        ).fetchall()
    }
    if not unsettled:
        return set(), set()
    members = [task for task, body in batch.values() if body in unsettled]
    con.register("unsettled", pa.table({"agency_id": pa.array(sorted(unsettled), pa.string())}))
    for report_id, path, synthetic, at in con.execute(
        "SELECT report_id, source_path, synthetic, ingested_at FROM old_reports "
        "WHERE agency_id IN (SELECT agency_id FROM unsettled)"
    ).fetchall():
        if report_id not in batch and report_id not in removed and _still_there(Path(path), report_id):
            members.append(Task(path, report_id, synthetic, at, version))
    records = [r for r in run_pool(reread, members, workers, progress, "settling") if r is not None]
    resolve_series(record for _task, record, _size in records)
    for task, record, size in records:
        staging.add(record_rows(record, task, size))
    restaged = {task.report_id for task, _record, _size in records}
    return restaged, restaged - set(batch)


def _still_there(path: Path, report_id: str) -> bool:
    """The file a warehouse report came from still holds the same bytes."""
    return path.is_file() and content_hash(path) == report_id


# ---------------------------------------------------------------- building the snapshot


@dataclass
class Summary:
    """What one batch did, file by file."""

    ingested: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)
    quarantined: list[tuple[Path, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    resettled: int = 0
    duplicates: int = 0
    snapshot: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {
            "ingested": len(self.ingested),
            "unchanged": len(self.unchanged),
            "replaced": len(self.replaced),
            "quarantined": len(self.quarantined),
        }


def _bound_memory(con: duckdb.DuckDBPyConnection, spill: Path) -> None:
    """Rewriting the tables streams through a fixed memory budget, spilling to the snapshot's
    scratch folder, so an ingest's memory does not grow with the warehouse."""
    con.execute(f"SET memory_limit = '{BUILD_MEMORY}'")
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    con.execute("SET preserve_insertion_order = false")


def _register_empties(con: duckdb.DuckDBPyConnection) -> None:
    """A typed, empty stand-in for every table, for staging or a first snapshot."""
    for table in TABLES:
        con.register(f"empty_{table}", TABLES[table].schema.empty_table())


def _attach_old(con: duckdb.DuckDBPyConnection, root: Path) -> dict | None:
    """Views old_<table> over the published snapshot, and its manifest; None where there is none yet."""
    try:
        snapshot = store.open_snapshot(root)
    except store.WarehouseMissing:
        for table in TABLES:
            con.execute(f"CREATE VIEW old_{table} AS SELECT * FROM empty_{table}")
        return None
    store.attach_views(con, snapshot, prefix="old_")
    return store.read_manifest(snapshot)


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
    """Write every table of the new snapshot; returns the manifest's table entries."""
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
        "SELECT agency_id, arg_max(agency_name, year), max(year), bool_or(synthetic) FROM reports GROUP BY agency_id ORDER BY agency_id"
    ).fetchall()
    con.register("new_agencies", regions.agencies_table(bodies, overrides))
    entries["agencies"] = store.write_table(con, tmp, "agencies", "SELECT * FROM new_agencies")
    report_findings = merged("findings", f"scope = 'report' AND {keep}")
    entries["findings"] = store.write_table(
        con, tmp, "findings", f"{report_findings} UNION ALL BY NAME {crossyear.findings_sql(con)}"
    )
    return entries


# ---------------------------------------------------------------- the batch


def _overrides_digest(path: Path) -> str | None:
    """A fingerprint of the override CSV, so editing it republishes the agencies."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _classify(plan: Plan, known: Known, parsed: set[str], failed: dict[str, str], summary: Summary) -> set[str]:
    """Put each file in its summary bucket; returns the report ids the new snapshot drops."""
    present = parsed | {plan.hashes[path] for path in plan.unchanged if plan.hashes[path] not in failed}
    removed = plan.refreshed & parsed
    for path, report_id in plan.hashes.items():
        before = known.id_at.get(str(path))
        if report_id in failed:
            summary.quarantined.append((path, failed[report_id]))
        elif before is not None and before != report_id and before not in present:
            removed.add(before)
            summary.replaced.append(path)
        elif plan.to_parse.get(report_id) == path:
            (summary.replaced if report_id in plan.refreshed else summary.ingested).append(path)
        else:
            summary.unchanged.append(path)
    return removed


def _duplicates(con: duckdb.DuckDBPyConnection, reports: str) -> int:
    """How many reports share their body and year with another."""
    return con.execute(f"SELECT count(*) FROM {reports} WHERE duplicate").fetchall()[0][0]


@dataclass
class Parsing:
    """What the pool made of the batch: reports by id with their body, bodies left unsettled, failures."""

    batch: dict[str, tuple[Task, str]] = field(default_factory=dict)
    unsettled: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)


def parse_batch(tasks: list[Task], staging: Staging, workers: int, progress: bool) -> Parsing:
    """Parse every task in the pool, staging the rows of each report as it arrives."""
    done = Parsing()
    by_id = {task.report_id: task for task in tasks}
    quarantine = lambda task, reason: Failed(task.report_id, reason)  # noqa: E731
    for result in run_pool(parse, tasks, workers, progress, "parsing", failed=quarantine):
        if isinstance(result, Failed):
            done.failed[result.report_id] = result.reason
            continue
        staging.add(result)
        done.batch[result.report_id] = (by_id[result.report_id], result.agency_id)
        if result.unsettled:
            done.unsettled.add(result.agency_id)
    staging.flush()
    return done


def _changes_anything(plan: Plan, known: Known, parsing: Parsing, removed: set[str], failures: list, digest: str | None) -> bool:
    """Whether the batch alters the warehouse at all; if not, nothing is published."""
    return bool(
        parsing.batch or removed or digest != known.overrides
        or any(known.quarantined.get(str(path)) != (h, reason) for path, h, reason in failures)
        or any(str(path) in known.quarantined for path, h in plan.hashes.items() if h not in parsing.failed)
    )


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    warehouse: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    synthetic: bool = False,
    progress: bool = True,
) -> Summary:
    """Ingest files and folders into the warehouse and publish the result atomically.

    `synthetic` marks the reports (and so their bodies) as generated demo data.
    """
    root = warehouse_dir(warehouse)
    files, missing = discover(paths)
    summary = Summary(missing=missing)
    at = datetime.now(timezone.utc)
    version = parser_version()
    workers = workers or os.cpu_count() or 1
    with store.writer_lock(root), duckdb.connect(":memory:") as con:
        con.execute("SET TimeZone = 'UTC'")
        _register_empties(con)
        known = Known.load(con, _attach_old(con, root))
        overrides_file = root / regions.OVERRIDES_FILE
        overrides = regions.load_overrides(overrides_file)  # a bad file stops here, before any parsing
        plan = make_plan(files, known, version)
        tmp = store.begin_snapshot(root)
        work = tmp / "_work"  # scratch inside the private snapshot folder, removed before publishing
        work.mkdir()
        _bound_memory(con, work / "spill")
        main, series = Staging(work / "staging"), Staging(work / "series")
        tasks = [Task(str(path), rid, synthetic, at, version) for rid, path in plan.to_parse.items()]
        parsing = parse_batch(tasks, main, workers, progress)
        removed = _classify(plan, known, set(parsing.batch), parsing.failed, summary)
        restaged, resettled = settle_series(con, parsing.batch, parsing.unsettled, removed, series, version, workers, progress)
        series.flush()
        removed |= resettled
        summary.resettled = len(resettled)
        failures = [(path, plan.hashes[path], reason) for path, reason in summary.quarantined]
        digest = _overrides_digest(overrides_file)
        if not _changes_anything(plan, known, parsing, removed, failures, digest):
            shutil.rmtree(tmp)
            summary.snapshot = store.current_id(root)
            summary.duplicates = _duplicates(con, "old_reports")
            return summary
        con.register("restaged", pa.table({"report_id": pa.array(sorted(restaged), pa.string())}))

        def staged(table: str) -> str:
            fresh = f"SELECT * FROM ({main.scan(table)}) WHERE report_id NOT IN (SELECT report_id FROM restaged)"
            return f"{fresh} UNION ALL BY NAME {series.scan(table)}"

        entries = build(con, tmp, staged, removed, files, failures, at, overrides)
        summary.duplicates = _duplicates(con, "reports")
        shutil.rmtree(work)
        manifest = {"parser_version": version, "overrides_sha256": digest, "batch": summary.counts, "tables": entries}
        summary.snapshot = store.publish(root, tmp, manifest).name
    return summary


def print_summary(summary: Summary, root: Path) -> None:
    """The closing lines of the command: counts, then each quarantined file with its reason."""
    counts = ", ".join(f"{name} {count}" for name, count in summary.counts.items())
    print(f"{counts} -> {root} (snapshot {summary.snapshot})")
    if summary.resettled:
        print(f"{summary.resettled} earlier reports re-read to settle undecided cells across years")
    if summary.duplicates:
        print(f"{summary.duplicates} reports share body and year with another report (kept, flagged duplicate)")
    for path, reason in summary.quarantined:
        print(f"quarantined: {path.name}: {reason}")
    for given in summary.missing:
        print(f"not found: {given}", file=sys.stderr)


def ingest_command(paths: list[str], warehouse: str | None, workers: int | None) -> int:
    """`python -m pipeline ingest`: status 0 unless no file could be ingested or kept."""
    root = warehouse_dir(warehouse)
    summary = ingest(paths, root, workers)
    print_summary(summary, root)
    return 0 if summary.ingested or summary.unchanged or summary.replaced else 1
