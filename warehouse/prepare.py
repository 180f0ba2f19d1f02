"""Opening a snapshot for the dashboard: everything pages ask for, prepared once and kept on disk.

Raw cells mislead when compared naively: a region's own report often already sums its
bodies, the two template versions define some cells differently, a rate over three
requests says little, and a blank total is not a zero. Every ranking and trend of the
dashboard reads the tables prepared here (`warehouse.prepared`), so those rules are applied in
one place: each report's completed cells and measures (`warehouse.marts`, written at publish),
its scope (`warehouse.scope`) and the flags (`warehouse.flags`).

They change only with a publish, so they are kept in a DuckDB file per published pointer,
`prepared/<pointer id>-<fingerprint>.duckdb`, which an open attaches read-only: a fraction of
a second where building them takes 10–12 s at a million reports. The first open of a new
pointer copies the file of an older one and rebuilds what the publish touched; only a
warehouse without such a file (or whose definitions changed: the fingerprint) is built whole,
once. A file is written under a lock by one process, to a temporary name renamed when done, and
never changed after: readers of it are never disturbed. Where no file can be kept (nothing
published, marts the pointer does not hold, a read-only folder) the tables are built in memory.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from warehouse import flags, indexes, marts, measures, ocr, prepared, queries, scope, store
from warehouse import settings as places
from warehouse.scope import read_scope_overrides
from warehouse.settings import SCOPE_FILE
from warehouse.thresholds import Settings

LOG = logging.getLogger(__name__)
FOLDER = "prepared"
#: The modules whose code decides the prepared tables: a change to any of them builds the files anew.
DEFINITIONS = (indexes, prepared, scope, flags, queries, measures, ocr)
#: What a prepared file records about itself.
META = "prepared_meta"
#: Up to this many reports the prepared tables are copied into memory (1 s at 100,000), where pages read
#: them a quarter faster than from the file; beyond it they are read where they are (at a million the
#: copy would take 10 s and 3 GB, and pages read the file as fast as they read memory).
COPY_UP_TO = 300_000
#: Prepared files kept besides the newest: the pointer before's, for a reader still on it.
KEEP = 2


def open_warehouse(
    directory: str | os.PathLike[str] | None = None, settings: Settings | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse with everything pages ask for prepared.

    The warehouse's views live in the connection's in-memory database, beside the prepared tables
    (`_attach`: copied from the pointer's prepared file, or views of it attached as `prep` — views,
    not a search path: the app's cursors share the catalog, not a connection's settings).
    """
    settings = settings or Settings.from_env()
    con, pinned = indexes.open_views(directory)
    limit_memory(con)
    root = indexes.warehouse_path(directory)
    overrides = read_scope_overrides(root / SCOPE_FILE)
    for attempt in range(2):
        path = _prepared_file(root, pinned, overrides, settings)
        if path is None:
            break
        try:
            _attach(con, path, settings)
            return con
        except duckdb.Error as error:  # a file cut short or overwritten: made again, once
            if attempt:
                raise
            LOG.warning("prepared file %s unreadable (%s); making it again", path, error)
            path.unlink(missing_ok=True)
    prepared.build(con, overrides, settings)
    return con


def _attach(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings) -> None:
    """Read the prepared tables of `path` in `con`: copied into memory up to `COPY_UP_TO` reports, else
    through views of the attached file; the flags computed again where `settings` are not the
    thresholds the file's were computed under."""
    con.execute(f"ATTACH '{_quoted(path)}' AS prep (READ_ONLY)")
    try:
        stored, reports = con.execute(
            f"SELECT thresholds, (SELECT count(*) FROM prep.report_index) FROM prep.{META}"
        ).fetchall()[0]
    except duckdb.Error:
        con.execute("DETACH prep")
        raise
    flags_kept, copied = stored == _thresholds(settings), reports <= COPY_UP_TO
    for table in prepared.TABLES:
        if table != "report_flags" or flags_kept:
            con.execute(f"CREATE {'TABLE' if copied else 'VIEW'} {table} AS SELECT * FROM prep.{table}")
    if copied:
        con.execute("DETACH prep")
    if not flags_kept:
        indexes.store_table(con, "report_flags", flags.compute_flags(con, settings))


def limit_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Bound what the prepared snapshot holds in memory; beyond the limit DuckDB spills to a private folder."""
    spill = places.spill_dir()
    spill.mkdir(mode=0o700, exist_ok=True)
    store.limit_memory(con, places.duckdb_memory(), spill)


def _prepared_file(root: Path, pinned: store.Status | None, overrides: prepared.Overrides, settings: Settings) -> Path | None:
    """The prepared file of the pinned pointer of the warehouse at `root`, made where missing; None where
    none can be kept."""
    if pinned is None or not marts.current(pinned.pointer):
        return None
    folder = root / FOLDER
    suffix = f"-{fingerprint(pinned.pointer, root / SCOPE_FILE)}.duckdb"
    path = folder / f"{pinned.id}{suffix}"
    if path.exists():
        return path
    try:
        folder.mkdir(exist_ok=True)
        with _locked(folder):
            if not path.exists():
                older = sorted(p for p in folder.glob(f"*{suffix}") if p.name < path.name)
                _make(path, older[-1] if older else None, pinned, overrides, settings)
                _tidy(folder, path)
    except PermissionError as error:  # a folder the dashboard may only read: prepared in memory
        LOG.warning("cannot keep prepared files in %s (%s); preparing in memory", folder, error)
        return None
    return path


def fingerprint(pointer: dict, scope_file: Path) -> str:
    """What the prepared tables depend on besides the rows of `reports` and `agencies` (which a rebuild
    compares): the code that builds them, the definitions the marts were computed under (new ones
    recompute every report's marts, its row unchanged) and the scope overrides."""
    digest = hashlib.sha256()
    for module in DEFINITIONS:
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(json.dumps(pointer.get("marts")).encode())
    digest.update(scope_file.read_bytes() if scope_file.exists() else b"")
    return digest.hexdigest()[:16]


def _make(
    path: Path, base: Path | None, pinned: store.Status, overrides: prepared.Overrides, settings: Settings
) -> None:
    """Write `path`: a copy of `base` (an older pointer's file) with what changed since rebuilt, else whole."""
    work = path.with_name(f".{uuid.uuid4().hex}.tmp")
    start = time.perf_counter()
    try:
        if base is not None and _rebuilt(base, work, pinned, overrides, settings):
            how = f"rebuilt from {base.name}"
        else:
            work.unlink(missing_ok=True)
            _write(work, pinned, settings, lambda con: prepared.build(con, overrides, settings) or True)
            how = "built whole"
        os.replace(work, path)
        store.fsync(path.parent)
        LOG.info("prepared %s: %s in %.1f s", path.name, how, time.perf_counter() - start)
    finally:
        work.unlink(missing_ok=True)


def _rebuilt(base: Path, work: Path, pinned: store.Status, overrides: prepared.Overrides, settings: Settings) -> bool:
    """Whether a copy of `base` at `work` could be brought up to the pointer (an unreadable one cannot)."""
    shutil.copyfile(base, work)
    try:
        return _write(work, pinned, settings, lambda con: prepared.rebuild(con, overrides, settings))
    except duckdb.Error as error:
        LOG.warning("prepared file %s could not be rebuilt (%s); building whole", base, error)
        return False


def _write(work: Path, pinned: store.Status, settings: Settings, step: Callable[[duckdb.DuckDBPyConnection], bool]) -> bool:
    """Run `step` on the file `work`, opened with the pointer's views in it; where it succeeds, leave
    only the prepared tables and a record of the pointer and of the thresholds the flags took."""
    con = duckdb.connect(str(work))
    try:
        con.execute("SET TimeZone = 'UTC'")
        limit_memory(con)
        store.attach_views(con, pinned)
        done = step(con)
        if done:
            con.execute(f"CREATE OR REPLACE TABLE {META} AS SELECT $pointer AS pointer, $thresholds AS thresholds",
                        {"pointer": pinned.id, "thresholds": _thresholds(settings)})  # fmt: skip
            _keep_only(con, {*prepared.TABLES, *prepared.RECORDS, META})
        return done
    finally:
        con.close()


def _keep_only(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """Drop the warehouse's views and any scratch table from the file: it holds prepared tables only."""
    for name, kind in con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                  "WHERE table_catalog = current_database()").fetchall():  # fmt: skip
        if name not in tables:
            con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} \"{name}\"")
    con.execute("CHECKPOINT")


def _thresholds(settings: Settings) -> str:
    return json.dumps(dataclasses.asdict(settings), sort_keys=True)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process writes prepared files at a time; the others wait for its file rather than make it too."""
    with open(folder / ".lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tidy(folder: Path, newest: Path) -> None:
    """Remove what a killed writer left and every prepared file but the newest `KEEP` (readers attached
    to one keep reading it: the file goes when they let it go)."""
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    kept = sorted(folder.glob("*.duckdb"), key=lambda file: file.stat().st_mtime)[-KEEP:]
    for old in folder.glob("*.duckdb"):
        if old not in kept and old != newest:
            old.unlink(missing_ok=True)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def main(argv: list[str] | None = None) -> int:
    """`python -m warehouse.prepare [--warehouse DIR]`: prepare the published pointer now (after an ingest,
    say), so the dashboard's first visitor does not wait for it."""
    parser = argparse.ArgumentParser(prog="python -m warehouse.prepare", description=main.__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=None, help="warehouse folder (default: $XXGK_WAREHOUSE or per-user)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with open_warehouse(args.warehouse) as con:
        (reports,) = con.execute("SELECT count(*) FROM report_index").fetchall()[0]
    print(f"prepared {reports:,} reports in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
