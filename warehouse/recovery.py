"""Before a writer builds on the warehouse: make CURRENT trustworthy and clear what killed runs left.

Called by every ingest under the writer lock, whether or not its batch changes anything:

- **CURRENT lost** (missing, empty, a blank line — a deleted file, a restore stopped half-way,
  a hand edit) while snapshots exist: the newest snapshot is taken back if it is complete
  (every snapshot holds all the reports of the one before it, plus its batch, so the newest
  complete one loses nothing); CURRENT is rewritten to it and the caller is told. If the
  newest snapshot is incomplete the state is unclear and the writer is refused
  (`WarehouseDamaged`) with nothing changed.
- **CURRENT naming a missing or damaged snapshot**: refused the same way, naming the newest
  complete snapshot one may roll back to by hand; the dashboard meanwhile reads that one.
- **Leftovers** of a kill: `CURRENT.<x>.tmp` and `.current.<x>` from the swap, half-built
  `snapshots/.tmp-<id>/`, a sealed snapshot renamed into place but never published, a
  `current` link lagging CURRENT: removed, and the link re-pointed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from warehouse import store
from warehouse.errors import WarehouseDamaged


def prepare(warehouse: Path) -> str | None:
    """Make the warehouse safe to build on; returns a note when CURRENT had to be recovered."""
    named = store.current_id(warehouse)
    folders = store.snapshot_folders(warehouse)
    note = None
    if named is None and folders:
        named, note = _recover(warehouse, folders)
    elif named is not None and (problem := store.current_problem(warehouse, named)):
        raise _refusal(warehouse, problem, folders)
    _clear_leftovers(warehouse)
    if named is not None:
        previous = store.read_manifest(warehouse / store.SNAPSHOTS / named).get("previous")
        store.collect_garbage(warehouse, keep={named, previous})
        if not _links_to(warehouse, named):
            store.relink(warehouse, named)
    return note


def _recover(warehouse: Path, folders: list[Path]) -> tuple[str, str]:
    """Point CURRENT at the newest snapshot, which must be complete."""
    state = "missing" if not (warehouse / store.CURRENT).exists() else "empty"
    newest = folders[0]
    if problem := store.snapshot_problem(newest):
        raise _refusal(warehouse, f"CURRENT is {state} and the newest snapshot is incomplete ({problem})", folders)
    store.replace_atomically(warehouse / store.CURRENT, newest.name)
    return newest.name, f"CURRENT was {state}: recovered snapshot {newest.name}, the newest complete one"


def _refusal(warehouse: Path, problem: str, folders: list[Path]) -> WarehouseDamaged:
    """The error of a warehouse whose state a writer cannot account for; it changes nothing."""
    complete = next((f.name for f in folders if store.snapshot_problem(f) is None), None)
    way_back = (f"to go back to the newest complete snapshot, write {complete} into {warehouse / store.CURRENT}"
                if complete else "restore it from a backup (README: Backup and restore)")
    return WarehouseDamaged(f"warehouse damaged: {problem}; nothing was changed; {way_back}", problem)


def _clear_leftovers(warehouse: Path) -> None:
    """What a writer killed at the swap or while building left beside the snapshots."""
    for path in warehouse.glob(f"{store.CURRENT}.*.tmp"):
        path.unlink(missing_ok=True)
    for path in warehouse.glob(f".{store.CURRENT_LINK}.*"):
        path.unlink(missing_ok=True)
    for path in (warehouse / store.SNAPSHOTS).glob(f"{store.TMP_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)


def _links_to(warehouse: Path, snapshot_id: str) -> bool:
    try:
        return os.readlink(warehouse / store.CURRENT_LINK) == str(Path(store.SNAPSHOTS) / snapshot_id)
    except OSError:
        return False
