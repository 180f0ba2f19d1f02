"""The warehouse on disk: immutable snapshots of Parquet tables and one atomic pointer.

Layout::

    <warehouse>/
      CURRENT                 the id of the published snapshot (replaced atomically)
      current -> snapshots/<id>   convenience symlink for other engines, follows CURRENT
      .lock                   held by the one ingest that may write at a time
      snapshots/<id>/
        manifest.json         tables, row counts and the exact file list of the snapshot
        <table>/year=<Y>/*.parquet   year-partitioned tables (hive layout)
        <table>/*.parquet            the others

A writer builds a complete snapshot in `snapshots/.tmp-<id>/`, flushes it to disk,
renames it into place and only then swaps CURRENT with `os.replace`. A reader resolves
CURRENT once per connection, so it sees either the old snapshot or the new one, never
a mixture; a writer killed at any moment leaves CURRENT on the previous snapshot.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from warehouse.schema import PARTITION_COLUMN, TABLES
from warehouse.settings import warehouse_dir

CURRENT = "CURRENT"
CURRENT_LINK = "current"
SNAPSHOTS = "snapshots"
MANIFEST = "manifest.json"
LOCK = ".lock"
TMP_PREFIX = ".tmp-"


class WarehouseMissing(FileNotFoundError):
    """No snapshot has been published in this folder yet."""


# ---------------------------------------------------------------- readers


def current_id(warehouse: str | os.PathLike[str] | None = None) -> str | None:
    """The published snapshot's id; cheap, so a dashboard can tell when to reconnect."""
    try:
        return (warehouse_dir(warehouse) / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def open_snapshot(warehouse: str | os.PathLike[str] | None = None) -> Path:
    """The folder of the published snapshot, resolved once."""
    root = warehouse_dir(warehouse)
    snapshot_id = current_id(root)
    if snapshot_id is None:
        raise WarehouseMissing(f"no warehouse at {root}: run `python -m pipeline ingest PATH --warehouse {root}`")
    return root / SNAPSHOTS / snapshot_id


def read_manifest(snapshot: Path) -> dict:
    """The manifest of one snapshot."""
    return json.loads((snapshot / MANIFEST).read_text(encoding="utf-8"))


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
    """An in-memory DuckDB connection with a view per table over the published snapshot.

    CURRENT is read once, here: the connection keeps reading that snapshot even while
    an ingest publishes a newer one (the previous snapshot survives one more publish).
    """
    snapshot = open_snapshot(warehouse)
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    attach_views(con, snapshot)
    return con


# ---------------------------------------------------------------- writers


@contextmanager
def writer_lock(warehouse: Path) -> Iterator[None]:
    """One writer at a time; the kernel releases the lock if the writer dies."""
    warehouse.mkdir(parents=True, exist_ok=True)
    with open(warehouse / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def begin_snapshot(warehouse: Path) -> Path:
    """A fresh, private folder for the next snapshot; removes what killed writers left behind."""
    snapshots = warehouse / SNAPSHOTS
    snapshots.mkdir(parents=True, exist_ok=True)
    for stale in snapshots.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    snapshot_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
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
    return {"rows": rows, "files": files}


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


def _replace_atomically(path: Path, text: str) -> None:
    """Write a small file by rename, so readers see the old content or the new, never half."""
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _relink(warehouse: Path, snapshot_id: str) -> None:
    """Point the `current` symlink at the snapshot, by rename."""
    tmp = warehouse / f".{CURRENT_LINK}.{uuid.uuid4().hex[:8]}"
    os.symlink(Path(SNAPSHOTS) / snapshot_id, tmp)
    os.replace(tmp, warehouse / CURRENT_LINK)


def publish(warehouse: Path, tmp: Path, manifest: dict) -> Path:
    """Seal a built snapshot and make it the current one; the swap is the single commit point."""
    snapshot_id = tmp.name.removeprefix(TMP_PREFIX)
    previous = current_id(warehouse)
    manifest = {"id": snapshot_id, "previous": previous, "created_at": datetime.now(timezone.utc).isoformat()} | manifest
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_tree(tmp)
    final = tmp.with_name(snapshot_id)
    os.rename(tmp, final)
    _fsync(final.parent)
    _replace_atomically(warehouse / CURRENT, snapshot_id)
    _fsync(warehouse)
    _relink(warehouse, snapshot_id)
    collect_garbage(warehouse, keep={snapshot_id, previous})
    return final


def collect_garbage(warehouse: Path, keep: set[str | None]) -> None:
    """Remove every snapshot but the current and the previous one (a reader may still use it)."""
    for path in (warehouse / SNAPSHOTS).iterdir():
        if path.name not in keep and not path.name.startswith(TMP_PREFIX):
            shutil.rmtree(path, ignore_errors=True)
