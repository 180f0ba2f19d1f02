"""The warehouse on disk: one Delta Lake table per table, and one atomic pointer naming their versions.

Layout::

    <warehouse>/
      CURRENT                  JSON pointer: {"id", "previous", "created_at", "versions": {table: v}, ...}
      pointers/<id>.json       every published pointer (the current one and the previous one kept)
      tables/<table>/          a Delta table (_delta_log/ + Parquet, zstd; `year=<Y>/` where partitioned)
      .lock                    held by the one ingest that may write at a time (warehouse.lock)
      .work/                   an ingest's scratch space (staged rows, DuckDB spill), cleared by the next

Delta commits one table at a time, so the commit point across tables stays ours: a writer
commits every table it changes, writes `pointers/<id>.json` and flushes it, then replaces
CURRENT by rename. A reader resolves CURRENT once per connection and reads each table at the
version it pins, so it sees the old publish or the new one, never a mixture; a writer killed
at any moment leaves CURRENT on the previous pointer (tables it committed ahead of it are
rolled back by the next writer, warehouse.recovery).

A pointer is *complete* when every table version it names opens and every file that version
lists is on disk. Pointer ids start with their UTC creation time, so sorting them sorts by age.
A warehouse still in the snapshot layout of before (CURRENT holding a bare snapshot id) is
read through warehouse.legacy until the next ingest converts it.
"""

from __future__ import annotations

import functools
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from deltalake import DeltaTable

from warehouse import legacy
from warehouse.errors import WarehouseDamaged, WarehouseMissing  # defined light, for the CLI; raised here
from warehouse.schema import PARTITION_COLUMN, REQUIRED_TABLES, TABLES
from warehouse.settings import warehouse_dir

CURRENT = "CURRENT"
POINTERS = "pointers"
TABLES_DIR = "tables"
WORK = ".work"
LOCK = ".lock"

__all__ = ["WarehouseDamaged", "WarehouseMissing"]


# ---------------------------------------------------------------- what is on disk


def table_path(warehouse: Path, table: str) -> Path:
    """The folder of one Delta table."""
    return warehouse / TABLES_DIR / table


def new_id() -> str:
    """A pointer id: UTC time first, so ids sort by age, then a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


def current_text(warehouse: Path) -> str | None:
    """CURRENT's content, stripped (None when missing or blank)."""
    try:
        return (warehouse / CURRENT).read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def current_id(warehouse: str | os.PathLike[str] | None = None) -> str | None:
    """The id of the pointer CURRENT holds (None when missing or blank); cheap, so a dashboard can tell
    when to reconnect. A CURRENT that is not a pointer is returned as it is (an old-layout snapshot id)."""
    text = current_text(warehouse_dir(warehouse))
    if text is None or not text.startswith("{"):
        return text
    try:
        return str(json.loads(text)["id"])
    except (ValueError, KeyError, TypeError):
        return text


def parse_pointer(text: str) -> dict:
    """A pointer from its JSON; ValueError when it is not a whole pointer."""
    pointer = json.loads(text)
    if not isinstance(pointer, dict) or not isinstance(pointer.get("id"), str):
        raise ValueError("not a pointer")
    versions = pointer.get("versions")
    if not isinstance(versions, dict) or not set(REQUIRED_TABLES) <= set(versions):
        raise ValueError("a pointer naming no version of some table")
    return pointer


def pointer_paths(warehouse: Path) -> list[Path]:
    """Every kept pointer file, newest first."""
    folder = warehouse / POINTERS
    return sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []


def version_files(warehouse: Path, table: str, version: int) -> dict[str, int]:
    """Every data file of one table version, with the size its log records; raises when the version does
    not open (deltalake's own errors, OSError).

    A committed version never changes, so its listing is kept (keyed by the identity of the version's
    log entry, which a table deleted and built again at the same path does not share): an ingest and
    every dashboard connection check the same pointer's files several times."""
    path = table_path(warehouse, table)
    try:
        entry = os.stat(path / "_delta_log" / f"{version:020d}.json")
    except OSError:
        return _version_files(str(path), version)
    return dict(_kept_version_files(str(path), version, (entry.st_ino, entry.st_mtime_ns, entry.st_size)))


@functools.lru_cache(maxsize=256)
def _kept_version_files(path: str, version: int, _entry: tuple[int, int, int]) -> dict[str, int]:
    return _version_files(path, version)


def _version_files(path: str, version: int) -> dict[str, int]:
    dt = DeltaTable(path, version=version)
    actions = dt.get_add_actions(flatten=True)
    sizes = dict(zip(actions["path"].to_pylist(), actions["size_bytes"].to_pylist(), strict=True))
    by_name = {Path(name).name: size for name, size in sizes.items()}
    return {uri: by_name[Path(uri).name] for uri in dt.file_uris()}


def named_tables(pointer: dict) -> list[str]:
    """The tables a pointer names: all of them, or all but the marts for a pointer written before marts."""
    return [table for table in TABLES if table in pointer["versions"]]


def pointer_problem(warehouse: Path, pointer: dict) -> tuple[str | None, dict[str, list[str]]]:
    """Why a pointer cannot be read whole (no server path in it), or None; and the files of each table."""
    name, files = pointer["id"], {}
    for table in named_tables(pointer):
        try:
            listed = version_files(warehouse, table, int(pointer["versions"][table]))
        except Exception as exc:  # deltalake raises its own TableNotFoundError, DeltaError, OSError...
            return f"pointer {name}: table {table} does not open at its version ({type(exc).__name__})", {}
        for uri, size in listed.items():
            try:
                actual = os.stat(uri).st_size
            except FileNotFoundError:
                return f"pointer {name}: a file of table {table} is missing", {}
            if actual != size:
                return f"pointer {name}: a file of table {table} has {actual} bytes, not {size}", {}
        files[table] = list(listed)
    return None, files


@dataclass(frozen=True)
class Status:
    """Which pointer readers use (its id, the files of each table), and why it is not the one CURRENT
    holds (None when it is)."""

    id: str
    files: dict[str, list[str]]
    fallback: str | None
    pointer: dict = field(default_factory=dict)


def _current_problem(warehouse: Path) -> tuple[str, Status | None]:
    """What is wrong with CURRENT, or the readers' Status when it holds a complete pointer."""
    text = current_text(warehouse)
    if text is None:
        return "CURRENT is missing or empty", None
    try:
        pointer = parse_pointer(text)
    except ValueError:
        return "CURRENT does not hold a pointer", None
    problem, files = pointer_problem(warehouse, pointer)
    if problem:
        return f"CURRENT names a pointer that cannot be read ({problem})", None
    return "", Status(pointer["id"], files, None, pointer)


def newest_complete(warehouse: Path, older_than: str | None = None) -> Status | None:
    """The newest kept pointer that is complete (optionally: older than a given id)."""
    for path in pointer_paths(warehouse):
        if older_than is not None and path.stem >= older_than:
            continue
        try:
            pointer = parse_pointer(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, OSError):
            continue
        problem, files = pointer_problem(warehouse, pointer)
        if problem is None:
            return Status(pointer["id"], files, None, pointer)
    return None


def status(warehouse: str | os.PathLike[str] | None = None) -> Status:
    """The pointer a reader should use: CURRENT's when complete, else the newest complete kept one.

    For the dashboard: call it (or `connect`) and tell three states apart —
    `WarehouseMissing`: nothing published yet (an empty warehouse, a normal state);
    `WarehouseDamaged`: CURRENT or pointers are there but none can be read (show it as
    damaged, not empty; `.problem` is a short cause without paths);
    a `Status` whose `fallback` is set: CURRENT is lost or names a damaged pointer and the
    newest complete one is shown instead (worth a warning: it may be older).
    """
    root = warehouse_dir(warehouse)
    if legacy.is_legacy(root):
        snapshot_id, files, fallback = legacy.status(root)
        return Status(snapshot_id, files, fallback)
    problem, found = _current_problem(root)
    if found is not None:
        return found
    if current_text(root) is None and not pointer_paths(root):
        raise WarehouseMissing(f"no warehouse at {root}: run `python -m pipeline ingest PATH --warehouse {root}`")
    if (newest := newest_complete(root)) is not None:
        return Status(newest.id, newest.files, f"{problem}; reading the newest complete pointer {newest.id}", newest.pointer)
    raise WarehouseDamaged(f"warehouse damaged at {root}: {problem}, and no complete pointer to fall back to; "
                           "restore it from a backup (see docs/warehouse.md, Backup and restore)",
                           f"{problem}, and no complete pointer")  # fmt: skip


def _scan_sql(table: str, files: list[str]) -> str:
    """A read_parquet over exactly the pinned version's files, with columns in schema order."""
    columns = ", ".join(f'"{name}"' for name in TABLES[table].schema.names)
    if not files:
        return f"SELECT {columns} FROM _empty_{table}"
    listed = ", ".join("'" + uri.replace("'", "''") + "'" for uri in files)
    hive = f", hive_partitioning=true, hive_types={{'{PARTITION_COLUMN}': 'INTEGER'}}" if TABLES[table].partitioned else ""
    return f"SELECT {columns} FROM read_parquet([{listed}]{hive})"


def attach_views(con: duckdb.DuckDBPyConnection, where: Status | str | os.PathLike[str] | None, prefix: str = "") -> None:
    """Create one view per table over the files of a Status (or of the readers' pointer of a warehouse)."""
    pinned = where if isinstance(where, Status) else status(where)
    for table, spec in TABLES.items():
        if not pinned.files.get(table):  # a table, not a registered view: cursors of `con` see it too
            con.register("_typed", spec.schema.empty_table())
            con.execute(f"CREATE TABLE IF NOT EXISTS _empty_{table} AS SELECT * FROM _typed")
            con.unregister("_typed")
        con.execute(f"CREATE OR REPLACE VIEW {prefix}{table} AS {_scan_sql(table, pinned.files.get(table, []))}")


def connect(warehouse: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table over the readers' pointer (`status`).

    CURRENT is read once, here: the connection keeps reading those table versions even while an
    ingest publishes newer ones (the previous pointer's files survive one more publish).
    Raises `WarehouseMissing` for an empty folder, `WarehouseDamaged` when nothing is readable.
    """
    return connect_pinned(status(warehouse))


def connect_pinned(pinned: Status) -> duckdb.DuckDBPyConnection:
    """`connect` to a pointer already read (a reader that also needs the pointer's facts)."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    attach_views(con, pinned)
    return con


def limit_memory(con: duckdb.DuckDBPyConnection, limit: str, spill: Path) -> None:
    """Bound what `con` holds in memory (a DuckDB size such as 512MB); beyond it DuckDB spills to `spill`.
    Ingest's table rewrites and the dashboard's prepared snapshot each set their own budget."""
    con.execute(f"SET memory_limit = '{limit}'")  # callers pass a constant or a validated size
    con.execute(f"SET temp_directory = '{spill.as_posix().replace(chr(39), chr(39) * 2)}'")


# ---------------------------------------------------------------- writers


def fsync(path: Path) -> None:
    """Flush one file or folder entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(path: Path, text: str) -> None:
    """Write a small file by rename, so readers see the old content or the new, never half.
    The temporary name `<name>.<hex>.tmp` is what `warehouse.recovery` clears after a kill."""
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync(path.parent)


def logged_version(folder: Path) -> int:
    """The newest version a table's log holds (-1 where it has none), from the log's file names: a
    commit is the atomic creation of `<version>.json`, so no table needs opening and a damaged one is
    judged too."""
    names = (entry.stem for entry in (folder / "_delta_log").glob("*.json"))
    return max((int(name) for name in names if name.isdigit()), default=-1)


def table_versions(warehouse: Path) -> dict[str, int]:
    """The latest version of every table."""
    return {table: logged_version(table_path(warehouse, table)) for table in TABLES}


def publish(warehouse: Path, pointer_id: str, facts: dict) -> dict:
    """Make the tables' latest versions the published ones: the pointer goes to `pointers/` first
    (flushed, so a lost CURRENT can be recovered from it), then replaces CURRENT: the commit point."""
    text = current_text(warehouse)
    previous = current_id(warehouse) if text and text.startswith("{") else None  # none after an old layout
    pointer = {"id": pointer_id, "previous": previous, "created_at": datetime.now(UTC).isoformat(),
               "versions": table_versions(warehouse)} | facts  # fmt: skip
    text = json.dumps(pointer, ensure_ascii=False, indent=1)
    (warehouse / POINTERS).mkdir(exist_ok=True)
    replace_atomically(warehouse / POINTERS / f"{pointer_id}.json", text)
    replace_atomically(warehouse / CURRENT, text)
    return pointer
