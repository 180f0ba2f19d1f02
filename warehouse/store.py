"""The warehouse on disk: immutable snapshots of Parquet tables and one atomic pointer.

Layout::

    <warehouse>/
      CURRENT                 the id of the published snapshot (replaced atomically)
      current -> snapshots/<id>   convenience symlink for other engines, follows CURRENT
      .lock                   held by the one ingest that may write at a time (warehouse.lock)
      snapshots/<id>/
        manifest.json         its own id, tables, row counts, the exact file list with sizes
        <table>/year=<Y>/*.parquet   year-partitioned tables (hive layout)
        <table>/*.parquet            the others

A writer builds a complete snapshot in `snapshots/.tmp-<id>/`, writes its manifest last,
flushes it to disk, renames it into place and only then swaps CURRENT with `os.replace`.
A reader resolves CURRENT once per connection, so it sees either the old snapshot or the
new one, never a mixture; a writer killed at any moment leaves CURRENT on the previous
snapshot.

A snapshot is *complete* when its manifest parses, names the folder it is in, lists every
table, and every file it lists is on disk with the size it records. Snapshot ids start
with their UTC creation time, so sorting ids sorts snapshots by age.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from warehouse.errors import WarehouseDamaged, WarehouseMissing  # defined light, for the CLI; raised here
from warehouse.schema import PARTITION_COLUMN, TABLES
from warehouse.settings import warehouse_dir

CURRENT = "CURRENT"
CURRENT_LINK = "current"
SNAPSHOTS = "snapshots"
MANIFEST = "manifest.json"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"


# ---------------------------------------------------------------- what is on disk


def current_id(warehouse: str | os.PathLike[str] | None = None) -> str | None:
    """The id CURRENT names (None when missing or blank); cheap, so a dashboard can tell when to reconnect."""
    try:
        return (warehouse_dir(warehouse) / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def read_manifest(snapshot: Path) -> dict:
    """The manifest of one snapshot."""
    return json.loads((snapshot / MANIFEST).read_text(encoding="utf-8"))


def snapshot_folders(warehouse: Path) -> list[Path]:
    """Every renamed-into-place snapshot folder, newest first (half-built `.tmp-` ones excluded)."""
    folder = warehouse / SNAPSHOTS
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(TMP_PREFIX)), reverse=True)


def snapshot_problem(snapshot: Path) -> str | None:
    """Why a snapshot cannot be read whole (no server path in it), or None when it is complete."""
    if not snapshot.is_dir():
        return f"snapshot {snapshot.name} is missing"
    try:
        manifest = read_manifest(snapshot)
    except FileNotFoundError:
        return f"snapshot {snapshot.name} has no manifest"
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        return f"the manifest of snapshot {snapshot.name} is truncated or unreadable"
    try:
        tables = manifest["tables"]
        if manifest["id"] != snapshot.name or not set(TABLES) <= set(tables):
            return f"the manifest of snapshot {snapshot.name} is not a complete manifest of it"
        listed = [(table, name, size) for table, entry in tables.items()
                  for name, size in zip(entry["files"], entry.get("bytes") or [None] * len(entry["files"]), strict=False)]
    except (KeyError, TypeError, AttributeError):
        return f"the manifest of snapshot {snapshot.name} is not a complete manifest of it"
    for table, name, size in listed:
        try:
            actual = (snapshot / name).stat().st_size
        except FileNotFoundError:
            return f"snapshot {snapshot.name}: file {name} of table {table} is missing"
        if size is not None and actual != size:
            return f"snapshot {snapshot.name}: file {name} of table {table} has {actual} bytes, not {size}"
    return None


def current_problem(warehouse: Path, named: str | None) -> str | None:
    """What is wrong with CURRENT (naming `named`), or None when it names a complete snapshot."""
    if named is None:
        return "CURRENT is missing or empty"
    if Path(named).name != named or named.startswith("."):
        return "CURRENT does not hold a snapshot id"
    problem = snapshot_problem(warehouse / SNAPSHOTS / named)
    return f"CURRENT names a snapshot that cannot be read ({problem})" if problem else None


@dataclass(frozen=True)
class Status:
    """Which snapshot readers use, and why it is not the one CURRENT names (None when it is)."""

    snapshot: Path
    fallback: str | None


def status(warehouse: str | os.PathLike[str] | None = None) -> Status:
    """The snapshot a reader should use: CURRENT's when complete, else the newest complete one.

    For the dashboard: call it (or `connect`) and tell three states apart —
    `WarehouseMissing`: nothing published yet (an empty warehouse, a normal state);
    `WarehouseDamaged`: snapshots or CURRENT are there but none can be read (show it as
    damaged, not empty; `.problem` is a short cause without paths);
    a `Status` whose `fallback` is set: CURRENT is lost or names a damaged snapshot and the
    newest complete one is shown instead (worth a warning: it may be older).
    """
    root = warehouse_dir(warehouse)
    named = current_id(root)
    problem = current_problem(root, named)
    if problem is None:
        return Status(root / SNAPSHOTS / named, None)
    folders = snapshot_folders(root)
    if named is None and not folders:
        raise WarehouseMissing(f"no warehouse at {root}: run `python -m pipeline ingest PATH --warehouse {root}`")
    for folder in folders:
        if snapshot_problem(folder) is None:
            return Status(folder, f"{problem}; reading the newest complete snapshot {folder.name}")
    raise WarehouseDamaged(f"warehouse damaged at {root}: {problem}, and no complete snapshot to fall back to; "
                           "restore it from a backup (see README, Backup and restore)", f"{problem}, and no complete snapshot")


def open_snapshot(warehouse: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the snapshot readers use (see `status`), resolved once."""
    return status(warehouse).snapshot


def _scan_sql(snapshot: Path, table: str, entry: dict) -> str:
    """A read_parquet over exactly the files the manifest lists, with columns in schema order."""
    files = ", ".join(f"'{(snapshot / name).as_posix()}'" for name in entry["files"])
    hive = TABLES[table].partitioned and entry["rows"] > 0
    options = f", hive_partitioning=true, hive_types={{'{PARTITION_COLUMN}': 'INTEGER'}}" if hive else ""
    columns = ", ".join(f'"{name}"' for name in TABLES[table].schema.names)
    return f"SELECT {columns} FROM read_parquet([{files}]{options})"


def attach_views(
    con: duckdb.DuckDBPyConnection, snapshot: Path, entries: dict[str, dict] | None = None, prefix: str = ""
) -> None:
    """Create one view per table of a snapshot (its manifest's tables unless `entries` are given)."""
    for table, entry in (entries or read_manifest(snapshot)["tables"]).items():
        con.execute(f"CREATE OR REPLACE VIEW {prefix}{table} AS {_scan_sql(snapshot, table, entry)}")


def connect(warehouse: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table over the readers' snapshot (`status`).

    CURRENT is read once, here: the connection keeps reading that snapshot even while
    an ingest publishes a newer one (the previous snapshot survives one more publish).
    Raises `WarehouseMissing` for an empty folder, `WarehouseDamaged` when nothing is readable.
    """
    snapshot = open_snapshot(warehouse)
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    attach_views(con, snapshot)
    return con


def limit_memory(con: duckdb.DuckDBPyConnection, limit: str, spill: Path) -> None:
    """Bound what `con` holds in memory (a DuckDB size such as 512MB); beyond it DuckDB spills to `spill`.
    Ingest's table rewrites and the dashboard's prepared snapshot each set their own budget."""
    con.execute(f"SET memory_limit = '{limit}'")  # callers pass a constant or a validated size
    con.execute(f"SET temp_directory = '{spill.as_posix().replace(chr(39), chr(39) * 2)}'")


# ---------------------------------------------------------------- writers


def begin_snapshot(warehouse: Path) -> Path:
    """A fresh, private folder for the next snapshot; removes what killed writers left behind."""
    snapshots = warehouse / SNAPSHOTS
    snapshots.mkdir(parents=True, exist_ok=True)
    for stale in snapshots.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    snapshot_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    path = snapshots / f"{TMP_PREFIX}{snapshot_id}"
    path.mkdir()
    return path


def write_table(con: duckdb.DuckDBPyConnection, snapshot: Path, table: str, query: str) -> dict:
    """Write the rows of `query` as one table of the snapshot; returns its manifest entry.

    The query must yield the table's columns; year-partitioned tables are written in the
    hive layout. An empty table still gets one file, so every engine can read its schema.
    """
    spec = TABLES[table]
    folder = snapshot / table
    folder.mkdir()
    columns = ", ".join(f'"{name}"' for name in spec.schema.names)
    if spec.partitioned:
        target, options = folder, f"PARTITION_BY ({PARTITION_COLUMN}), "
    else:
        target, options = folder / "data_0.parquet", ""
    copy = f"COPY (SELECT {columns} FROM ({query})) TO '{target.as_posix()}' (FORMAT parquet, {options}COMPRESSION zstd)"
    rows = con.execute(copy).fetchall()[0][0]
    if rows == 0:
        for written in folder.rglob("*.parquet"):
            written.unlink()
        pq.write_table(spec.schema.empty_table(), folder / "empty.parquet")
    files = sorted(path.relative_to(snapshot).as_posix() for path in folder.rglob("*.parquet"))
    return {"rows": rows, "files": files, "bytes": [(snapshot / name).stat().st_size for name in files]}


def _fsync(path: Path) -> None:
    """Flush one file or folder entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Flush every file and folder of a snapshot, so a crash after the swap finds it whole."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        _fsync(path)
    _fsync(folder)


def replace_atomically(path: Path, text: str) -> None:
    """Write a small file by rename, so readers see the old content or the new, never half.
    The temporary name `<name>.<hex>.tmp` is what `warehouse.recovery` clears after a kill."""
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def relink(warehouse: Path, snapshot_id: str) -> None:
    """Point the `current` symlink at the snapshot, by rename."""
    tmp = warehouse / f".{CURRENT_LINK}.{uuid.uuid4().hex[:8]}"
    os.symlink(Path(SNAPSHOTS) / snapshot_id, tmp)
    os.replace(tmp, warehouse / CURRENT_LINK)


def publish(warehouse: Path, tmp: Path, manifest: dict) -> Path:
    """Seal a built snapshot and make it the current one; the swap is the single commit point."""
    snapshot_id = tmp.name.removeprefix(TMP_PREFIX)
    previous = current_id(warehouse)
    manifest = {"id": snapshot_id, "previous": previous, "created_at": datetime.now(UTC).isoformat()} | manifest
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_tree(tmp)
    final = tmp.with_name(snapshot_id)
    os.rename(tmp, final)
    _fsync(final.parent)
    replace_atomically(warehouse / CURRENT, snapshot_id)
    _fsync(warehouse)
    relink(warehouse, snapshot_id)
    collect_garbage(warehouse, keep={snapshot_id, previous})
    return final


def collect_garbage(warehouse: Path, keep: set[str | None]) -> None:
    """Remove the snapshots a reader can no longer need: every complete one but those kept (the
    current and the previous one, which a reader may still use), and incomplete ones older than
    the newest kept (left by a kill while removing them). An incomplete snapshot newer than that
    is not ours to judge and stays (restored by hand, perhaps): never delete what cannot be
    accounted for."""
    newest = max(k for k in keep if k)
    for path in snapshot_folders(warehouse):
        if path.name not in keep and (path.name < newest or snapshot_problem(path) is None):
            shutil.rmtree(path, ignore_errors=True)
