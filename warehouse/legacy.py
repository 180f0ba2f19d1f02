"""The snapshot layout of before the Delta tables, read until the next ingest converts it.

Old layout: CURRENT holds a bare snapshot id; `snapshots/<id>/manifest.json` lists every file of
every table (`tables: {table: {"rows", "files", "bytes"}}`); a `current` symlink follows CURRENT.
Readers (`warehouse.store.status`) keep reading it as before — CURRENT's snapshot when complete,
else the newest complete one — and `warehouse.recovery.prepare` copies it into Delta tables,
publishes a pointer and removes `snapshots/` at the next ingest.
"""

from __future__ import annotations

import json
from pathlib import Path

from warehouse.errors import WarehouseDamaged
from warehouse.schema import REQUIRED_TABLES

SNAPSHOTS = "snapshots"
MANIFEST = "manifest.json"
CURRENT_LINK = "current"


def is_legacy(warehouse: Path) -> bool:
    """Whether the warehouse is still in the snapshot layout (CURRENT not a JSON pointer, snapshots there)."""
    try:
        text = (warehouse / "CURRENT").read_text(encoding="utf-8").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        text = ""
    folder = warehouse / SNAPSHOTS
    return not text.startswith("{") and folder.is_dir() and any(folder.iterdir())


def _folders(warehouse: Path) -> list[Path]:
    """Every renamed-into-place snapshot folder, newest first (half-built `.tmp-` ones excluded)."""
    return sorted((p for p in (warehouse / SNAPSHOTS).iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)


def files(snapshot: Path) -> tuple[dict, dict[str, list[str]]] | None:
    """A complete snapshot's manifest and the absolute files of each table (none for an empty one,
    whose placeholder file has no hive folder); None when incomplete."""
    try:
        manifest = json.loads((snapshot / MANIFEST).read_text(encoding="utf-8"))
        tables = manifest["tables"]
        if manifest["id"] != snapshot.name or not set(REQUIRED_TABLES) <= set(tables):
            return None
        listed = {table: [str(snapshot / name) for name in tables[table]["files"]] if tables[table]["rows"] else []
                  for table in REQUIRED_TABLES}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not all(Path(name).is_file() for names in listed.values() for name in names):
        return None
    return manifest, listed


def complete(warehouse: Path) -> tuple[str, dict, dict[str, list[str]], str | None]:
    """The snapshot to read or convert: (id, manifest, files, why not CURRENT's — None when it is)."""
    named = None
    try:
        named = (warehouse / "CURRENT").read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    if named and Path(named).name == named and (found := files(warehouse / SNAPSHOTS / named)):
        return named, *found, None
    problem = "CURRENT is missing or empty" if named is None else "CURRENT names a snapshot that cannot be read"
    for folder in _folders(warehouse):
        if found := files(folder):
            return folder.name, *found, f"{problem}; reading the newest complete snapshot {folder.name}"
    raise WarehouseDamaged(f"warehouse damaged at {warehouse}: {problem}, and no complete snapshot to fall back to",
                           f"{problem}, and no complete snapshot")  # fmt: skip


def status(warehouse: Path) -> tuple[str, dict[str, list[str]], str | None]:
    """What readers of an old-layout warehouse read: snapshot id, files per table, fallback note."""
    snapshot_id, _manifest, listed, fallback = complete(warehouse)
    return snapshot_id, listed, fallback
