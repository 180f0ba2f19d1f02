"""Before a writer builds on the warehouse: make CURRENT trustworthy, the tables match it, and clear
what killed runs left; after a publish: drop what no kept pointer needs.

`prepare` is called by every ingest under the writer lock, whether or not its batch changes anything:

- **Leftovers** of a kill: `CURRENT.<x>.tmp`, `pointers/*.tmp`, the scratch folder `.work/`.
- **Old snapshot layout** (CURRENT holding a bare snapshot id): converted — its tables copied into
  Delta tables, a pointer published, `snapshots/` and the `current` link removed (warehouse.legacy).
- **CURRENT lost** (missing, empty, a blank line — a deleted file, a restore stopped half-way, a
  hand edit) while pointers are kept: the newest kept pointer is taken back if it is complete (each
  pointer holds every report of the one before plus its batch, so the newest complete one loses
  nothing); CURRENT is rewritten to it and the caller told. If it is incomplete the state is unclear
  and the writer is refused (`WarehouseDamaged`) with nothing changed. No pointer at all but tables
  on disk holding one batch's commits at most: what a first publish killed before its pointer left;
  nothing was published, they go (with more history they were published once: refused, kept).
- **CURRENT unreadable or naming an incomplete pointer**: refused the same way, naming the newest
  complete pointer one may go back to by hand; the dashboard meanwhile reads that one.
- **Tables ahead of CURRENT** (a publish killed after some tables committed, or after its pointer
  file but before CURRENT): each such table is restored to the pointer's version (a new Delta
  commit equal to it) and the unpublished pointer file removed, so the next batch builds strictly on
  what readers see and the killed batch's rows never leak into a later pointer.

`collect_garbage` (once at the end of every ingest, publishing or not) removes pointer files older
than the previous one and vacuums each table: files neither the current nor the previous pointer's
version lists, once older than XXGK_RETAIN_HOURS (default 168; 0 allowed), including files of
writes that were killed before their commit.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
from deltalake import DeltaTable

from warehouse import legacy, snapshot_writer, store
from warehouse.errors import WarehouseDamaged
from warehouse.schema import REQUIRED_TABLES

RETAIN_ENV = "XXGK_RETAIN_HOURS"
RETAIN_HOURS = 168


def retain_hours() -> int:
    """How long a file no kept pointer needs stays on disk (a reader may hold an older version open);
    ValueError for a setting that is not a whole number of hours, before anything is changed."""
    value = os.environ.get(RETAIN_ENV, "").strip()
    if not value:
        return RETAIN_HOURS
    if not value.isdigit():
        raise ValueError(f"{RETAIN_ENV}={value!r} is not a whole number of hours")
    return int(value)


@dataclass(frozen=True)
class Prepared:
    """What `prepare` had to do: a note for the user (None when nothing), and the pointer CURRENT was
    pointed back at where it had been lost."""

    note: str | None = None
    recovered: str | None = None


def prepare(warehouse: Path) -> Prepared:
    """Make the warehouse safe to build on; says when CURRENT had to be recovered or the layout converted."""
    retain_hours()  # a bad setting stops the ingest here, with nothing changed
    if legacy.is_legacy(warehouse):
        _clear_leftovers(warehouse)
        return Prepared(_convert(warehouse))
    done = Prepared()
    text = store.current_text(warehouse)
    if text is None:
        if not store.pointer_paths(warehouse):
            _drop_unpublished_tables(warehouse)
            return done
        text, note = _recover(warehouse)
        done = Prepared(note, store.parse_pointer(text)["id"])
    try:
        pointer = store.parse_pointer(text)
    except ValueError:
        raise _refusal(warehouse, "CURRENT does not hold a pointer") from None
    if problem := store.pointer_problem(warehouse, pointer)[0]:
        raise _refusal(warehouse, f"CURRENT names a pointer that cannot be read ({problem})")
    _clear_leftovers(warehouse)
    _roll_back(warehouse, pointer)
    shutil.rmtree(warehouse / legacy.SNAPSHOTS, ignore_errors=True)  # a conversion killed after its publish
    (warehouse / legacy.CURRENT_LINK).unlink(missing_ok=True)
    return done


#: The versions of a table a first publish leaves: created empty (0), then its batch's commit (1).
FIRST_PUBLISH_VERSIONS = 1


def _drop_unpublished_tables(warehouse: Path) -> None:
    """No CURRENT and no pointer: tables that hold no more than one batch's commits are what a first
    publish killed before its pointer left, never seen by a reader, and go. Tables with more history
    were published once and have lost their pointers (a restore stopped half-way): refused, kept."""
    folder = warehouse / store.TABLES_DIR
    if folder.is_dir():
        deeper = [path.name for path in sorted(folder.iterdir()) if store.logged_version(path) > FIRST_PUBLISH_VERSIONS]
        if deeper:
            raise _refusal(warehouse, f"CURRENT and every pointer are missing, but tables ({', '.join(deeper)}) hold "
                                      "more than one publish")  # fmt: skip
    _clear_leftovers(warehouse)
    shutil.rmtree(folder, ignore_errors=True)


def _recover(warehouse: Path) -> tuple[str, str]:
    """Point CURRENT at the newest kept pointer, which must be complete."""
    state = "missing" if not (warehouse / store.CURRENT).exists() else "empty"
    newest = store.pointer_paths(warehouse)[0]
    try:
        text = newest.read_text(encoding="utf-8")
        problem = store.pointer_problem(warehouse, store.parse_pointer(text))[0]
    except (ValueError, OSError):
        problem = f"pointer {newest.stem} is unreadable"
    if problem:
        raise _refusal(warehouse, f"CURRENT is {state} and the newest pointer is incomplete ({problem})")
    store.replace_atomically(warehouse / store.CURRENT, text)
    return text, f"CURRENT was {state}: recovered pointer {newest.stem}, the newest complete one"


def _refusal(warehouse: Path, problem: str) -> WarehouseDamaged:
    """The error of a warehouse whose state a writer cannot account for; it changes nothing."""
    complete = store.newest_complete(warehouse)
    way_back = (f"to go back to the newest complete pointer, copy {warehouse / store.POINTERS / complete.id}.json "
                f"to {warehouse / store.CURRENT}" if complete else "restore it from a backup (docs/warehouse.md)")  # fmt: skip
    return WarehouseDamaged(f"warehouse damaged: {problem}; nothing was changed; {way_back}", problem)


def _clear_leftovers(warehouse: Path) -> None:
    """What a writer killed while swapping CURRENT, writing a pointer or staging rows left."""
    for path in (*warehouse.glob(f"{store.CURRENT}.*.tmp"), *(warehouse / store.POINTERS).glob("*.tmp")):
        path.unlink(missing_ok=True)
    shutil.rmtree(warehouse / store.WORK, ignore_errors=True)


def _roll_back(warehouse: Path, pointer: dict) -> None:
    """Tables a killed publish committed ahead of CURRENT go back to its versions; its pointer file goes."""
    for path in store.pointer_paths(warehouse):
        if path.stem > pointer["id"]:
            path.unlink()
    for table in store.named_tables(pointer):
        version = int(pointer["versions"][table])
        if store.logged_version(store.table_path(warehouse, table)) != version:
            DeltaTable(store.table_path(warehouse, table)).restore(version)


def collect_garbage(warehouse: Path, pointer: dict) -> None:
    """Remove pointer files older than the previous one, and vacuum each table of every file that
    neither the current nor the previous pointer's version lists, once older than `retain_hours`.
    A reader holding an older pointer open may lose its files after that, as it did before."""
    previous = _pointer(warehouse, pointer.get("previous"))
    for path in store.pointer_paths(warehouse):
        if path.stem < (previous or pointer)["id"]:
            path.unlink()
    hours = retain_hours()
    for table in store.named_tables(pointer):
        keep = sorted({int(p["versions"][table]) for p in (pointer, previous) if p and table in p["versions"]})
        DeltaTable(store.table_path(warehouse, table)).vacuum(
            retention_hours=hours, dry_run=False, enforce_retention_duration=False, keep_versions=keep, full=True
        )


def _pointer(warehouse: Path, pointer_id: str | None) -> dict | None:
    """A kept pointer by id (None when gone or unreadable: then only the current one is kept)."""
    if not pointer_id:
        return None
    try:
        return store.parse_pointer((warehouse / store.POINTERS / f"{pointer_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _convert(warehouse: Path) -> str:
    """Copy an old-layout warehouse's readable snapshot into Delta tables and publish it; then remove
    the snapshots. Killed half-way, CURRENT still names the snapshot and the next ingest starts over."""
    snapshot_id, manifest, files, fallback = legacy.complete(warehouse)
    for folder in (store.TABLES_DIR, store.POINTERS):  # what a conversion killed before its publish left
        shutil.rmtree(warehouse / folder, ignore_errors=True)
    with duckdb.connect(":memory:") as con:
        con.execute("SET TimeZone = 'UTC'")
        (warehouse / store.WORK).mkdir(exist_ok=True)
        snapshot_writer.bound_memory(con, warehouse / store.WORK / "spill")
        store.attach_views(con, store.Status(snapshot_id, files, None))
        facts = {key: manifest.get(key) for key in ("parser_version", "overrides_sha256")}
        queries = {table: f"SELECT * FROM {table}" for table in REQUIRED_TABLES}  # marts: computed
        pointer = snapshot_writer.replace_tables(con, warehouse, queries, facts | {"batch": {"converted": snapshot_id}})
    shutil.rmtree(warehouse / legacy.SNAPSHOTS)
    (warehouse / legacy.CURRENT_LINK).unlink(missing_ok=True)
    shutil.rmtree(warehouse / store.WORK, ignore_errors=True)
    collect_garbage(warehouse, pointer)
    why = f" ({fallback})" if fallback else ""
    return f"converted snapshot {snapshot_id} to Delta tables, published as pointer {pointer['id']}{why}"
