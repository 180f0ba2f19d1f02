"""Ingest: files and folders of reports into the warehouse, safely and repeatably.

A batch runs in five steps, all under the warehouse's writer lock (warehouse.lock), after
the warehouse has been made safe to build on (warehouse.recovery: a lost CURRENT recovered
or the batch refused, what killed runs left cleared):

1. plan — every file is hashed and compared with the published tables (pipeline.plan).
2. parse — the files to read go through the parse pool (pipeline.pool), or Ray tasks under
   the same limits (`--engine ray`, pipeline.engines); each worker returns
   the rows of one report (or the reason it failed, which sends the file to quarantine),
   and the rows are staged to Parquet in the warehouse's scratch folder (`.work/`).
3. settle — a body with undecided cells has all its reports (this batch's and the
   warehouse's) read again and narrowed across years (pipeline.extract.series), the
   same way `evaluate` reads a corpus; their rows replace the staged ones.
4. build — each Delta table gets one commit replacing just the rows of the reports the batch
   adds, replaces or removes, and of the bodies it touches (warehouse.snapshot_writer).
5. publish — a pointer naming every table's new version replaces CURRENT atomically
   (warehouse.store); files no kept pointer needs are vacuumed (warehouse.recovery).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

import pipeline.extract
from pipeline import engines, uploads
from pipeline.extract.series import resolve_series
from pipeline.plan import Known, Plan, content_hash, discover, make_plan
from pipeline.pool import run_pool
from pipeline.rows import Failed, Task, parse, record_rows, reread
from warehouse import marts, recovery, regions, settings, snapshot_writer, sources, store
from warehouse.lock import writer_lock
from warehouse.settings import warehouse_dir
from warehouse.snapshot_writer import Staging


def parser_version() -> str:
    """The extractor's version; a change re-parses files already in the warehouse."""
    return str(getattr(pipeline.extract, "PARSER_VERSION", "0"))


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
        staging.add(record_rows(record, task, size).rows)
    restaged = {task.report_id for task, _record, _size in records}
    return restaged, restaged - set(batch)


def _still_there(path: Path, report_id: str) -> bool:
    """The file a warehouse report came from still holds the same bytes."""
    return path.is_file() and content_hash(path) == report_id


# ---------------------------------------------------------------- what a batch did


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
    #: The id of the pointer published (or still current, where nothing changed).
    snapshot: str | None = None
    #: The pointer CURRENT was pointed back at before the batch, where CURRENT had been lost.
    recovered: str | None = None
    #: Reports dropped because the caller named them in `retire` (a corrected version replaces them).
    retired: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "ingested": len(self.ingested),
            "unchanged": len(self.unchanged),
            "replaced": len(self.replaced),
            "quarantined": len(self.quarantined),
        }


# ---------------------------------------------------------------- the batch


def _overrides_digest(path: Path) -> str | None:
    """A fingerprint of the override CSV, so editing it republishes the agencies."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _classify(plan: Plan, known: Known, parsed: set[str], failed: dict[str, str], summary: Summary) -> set[str]:
    """Put each file in its summary bucket; returns the report ids the new publish drops."""
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


@dataclass
class Parsing:
    """What the pool made of the batch: reports by id with their body, bodies left unsettled, failures."""

    batch: dict[str, tuple[Task, str]] = field(default_factory=dict)
    unsettled: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)


def parse_batch(
    tasks: list[Task], staging: Staging, root: Path, workers: int, progress: bool, run: engines.Runner = run_pool,
) -> Parsing:
    """Parse every task with the engine's runner (the local pool by default), staging the rows of each report as it arrives and
    keeping its text beside the tables (content-addressed, so any version may use it)."""
    done = Parsing()
    by_id = {task.report_id: task for task in tasks}
    quarantine = lambda task, reason: Failed(task.report_id, reason)  # noqa: E731
    for result in run(parse, tasks, workers, progress, "parsing", failed=quarantine):
        if isinstance(result, Failed):
            done.failed[result.report_id] = result.reason
            continue
        staging.add(result.rows)
        sources.save_text(result.report_id, result.text, root)
        done.batch[result.report_id] = (by_id[result.report_id], result.agency_id)
        if result.unsettled:
            done.unsettled.add(result.agency_id)
    staging.flush()
    return done


def _changes_anything(
    plan: Plan, known: Known, parsing: Parsing, removed: set[str], failures: list, digest: str | None, all_marts: bool
) -> bool:
    """Whether the batch alters the warehouse at all (rewriting marts of older definitions does); if not,
    nothing is published."""
    return bool(
        parsing.batch or removed or all_marts or digest != known.overrides
        or any(known.quarantined.get(str(path)) != (h, reason) for path, h, reason in failures)
        or any(str(path) in known.quarantined for path, h in plan.hashes.items() if h not in parsing.failed)
    )


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    warehouse: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    synthetic: bool = False,
    progress: bool = True,
    lock_timeout: float | None = None,
    retire: Iterable[str] = (),
    engine: str = "local",
    address: str | None = None,
) -> Summary:
    """Ingest files and folders into the warehouse and publish the result atomically.

    `synthetic` marks the reports (and so their bodies) as generated demo data. `retire` names
    report ids to drop in the same publish (a corrected report replacing an earlier version
    of the same body and year, confirmed by the user); unknown ids are ignored. Another
    ingest holding the warehouse is waited for at most `lock_timeout` seconds (default:
    warehouse.settings.lock_timeout), saying so on stderr. `engine` runs the parse step in the
    local pool or on Ray (joining the cluster at `address`, else starting one of `workers` CPUs).
    Raises `WarehouseDamaged` when the warehouse's state is unclear (nothing is changed then),
    `LockTimeout`, and `EngineUnavailable` for an engine that is not installed.
    """
    root = warehouse_dir(warehouse)
    run = engines.runner(engine, address)
    files, missing = discover(paths)
    summary = Summary(missing=missing)
    with writer_lock(root, lock_timeout, _say), duckdb.connect(":memory:") as con:
        prepared = recovery.prepare(root)
        if prepared.note:
            _say(f"warning: {prepared.note}")
        summary.recovered = prepared.recovered
        _batch(con, root, files, summary, synthetic, workers or os.cpu_count() or 1, progress, set(retire), run)
    uploads.discard_refused([path for path, _reason in summary.quarantined], uploads.default_inbox(root))
    return summary


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _batch(
    con: duckdb.DuckDBPyConnection, root: Path, files: list[Path], summary: Summary, synthetic: bool, workers: int,
    progress: bool,
    retire: set[str] = frozenset(),
    run: engines.Runner = run_pool,
) -> None:
    """Plan, parse, settle, build and publish one batch (under the lock), filling in the summary."""
    at = datetime.now(UTC)
    version = parser_version()
    published = snapshot_writer.open_build(con, root)
    overrides_file = root / regions.OVERRIDES_FILE
    overrides = regions.load_overrides(overrides_file)  # a bad file stops here, before any parsing
    hashes = {path: content_hash(path) for path in files}
    known = Known.load(con, published, hashes, retire)
    plan = make_plan(hashes, known, version)
    work = root / store.WORK  # scratch space; recovery.prepare clears what a killed ingest left
    work.mkdir()
    snapshot_writer.bound_memory(con, work / "spill")
    main, series = Staging(work / "staging"), Staging(work / "series")
    tasks = [Task(str(path), rid, synthetic, at, version) for rid, path in plan.to_parse.items()]
    parsing = parse_batch(tasks, main, root, workers, progress, run)
    removed = _classify(plan, known, set(parsing.batch), parsing.failed, summary)
    summary.retired = sorted(retire & set(known.parser_of))
    removed |= set(summary.retired)
    restaged, resettled = settle_series(con, parsing.batch, parsing.unsettled, removed, series, version, workers, progress)
    series.flush()
    removed |= resettled
    summary.resettled = len(resettled)
    failures = [(path, plan.hashes[path], reason) for path, reason in summary.quarantined]
    digest = _overrides_digest(overrides_file)
    all_marts = published is not None and not marts.current(published)
    if not _changes_anything(plan, known, parsing, removed, failures, digest, all_marts):
        shutil.rmtree(work)
        summary.snapshot = store.current_id(root)
        summary.duplicates = snapshot_writer.duplicates(con, built=False)
        if published:
            recovery.collect_garbage(root, published)
        return
    con.register("restaged", pa.table({"report_id": pa.array(sorted(restaged), pa.string())}))

    def staged(table: str) -> str:
        fresh = f"SELECT * FROM ({main.scan(table)}) WHERE report_id NOT IN (SELECT report_id FROM restaged)"
        return f"{fresh} UNION ALL BY NAME {series.scan(table)}"

    placing = str(regions.provenance())
    place_all = digest != known.overrides or placing != known.regions
    rows = snapshot_writer.build(con, root, staged, removed, files, failures, at, overrides, place_all, all_marts)
    summary.duplicates = snapshot_writer.duplicates(con, built=True)
    facts = {"parser_version": version, "overrides_sha256": digest, "regions": placing, "marts": marts.DIGEST,
             "batch": summary.counts, "rows": rows}  # fmt: skip
    pointer = store.publish(root, store.new_id(), facts)
    summary.snapshot = pointer["id"]
    shutil.rmtree(work)
    recovery.collect_garbage(root, pointer)


def print_summary(summary: Summary, root: Path) -> None:
    """The closing lines of the command: counts, then each quarantined file with its reason."""
    counts = ", ".join(f"{name} {count}" for name, count in summary.counts.items())
    print(f"{counts} -> {root} (pointer {summary.snapshot})")
    if summary.resettled:
        print(f"{summary.resettled} earlier reports re-read to settle undecided cells across years")
    if summary.duplicates:
        print(f"{summary.duplicates} reports share body and year with another report (kept, flagged duplicate)")
    for path, reason in summary.quarantined:
        print(f"quarantined: {path.name}: {reason}")
    for given in summary.missing:
        print(f"not found: {given}", file=sys.stderr)


def ingest_command(
    paths: list[str], warehouse: str | None, workers: int | None, lock_timeout: float | None = None,
    engine: str = "local", address: str | None = None,
) -> int:
    """`python -m pipeline ingest`: status 0 unless no file could be ingested or kept (1), or
    XXGK_LOCK_TIMEOUT or XXGK_RETAIN_HOURS is not a number or the engine is not installed (2). Paths may be
    filesystem URLs (pipeline.engines.localise).

    A damaged warehouse (`WarehouseDamaged`) and a lock wait that timed out (`LockTimeout`)
    propagate to `pipeline.__main__`, which gives each one line and its own status.
    """
    root = warehouse_dir(warehouse)
    try:
        timeout = settings.lock_timeout(lock_timeout)
        recovery.retain_hours()
    except ValueError as exc:  # a bad XXGK_LOCK_TIMEOUT or XXGK_RETAIN_HOURS: one line, status 2 like any bad input
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        summary = ingest(engines.localise(paths, root), root, workers, lock_timeout=timeout, engine=engine, address=address)
    except engines.EngineUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_summary(summary, root)
    return 0 if summary.ingested or summary.unchanged or summary.replaced else 1
