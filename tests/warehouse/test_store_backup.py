"""Backup and restore exactly as docs/warehouse.md describes them: CURRENT read first, then tables/
and pointers/ copied, CURRENT written last; a restore copies in the same order into a new folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from hardening.loadkit import write_batch
from pipeline.ingest import ingest
from warehouse import store
from warehouse.schema import TABLES


def _everything(warehouse: Path) -> dict[str, list[tuple]]:
    with store.connect(warehouse) as con:
        return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in TABLES}


def backup(warehouse: Path, target: Path) -> None:
    """docs/warehouse.md, "Backup and restore": read CURRENT, copy tables/ and pointers/, then write CURRENT."""
    pointer = (warehouse / store.CURRENT).read_text(encoding="utf-8")
    for folder in (store.TABLES_DIR, store.POINTERS):
        shutil.copytree(warehouse / folder, target / folder)
    (target / store.CURRENT).write_text(pointer, encoding="utf-8")


def restore(backup_dir: Path, target: Path, interrupted: bool = False) -> None:
    """tables/ and pointers/ first, CURRENT last (an interrupted restore stops before CURRENT)."""
    for folder in (store.TABLES_DIR, store.POINTERS):
        shutil.copytree(backup_dir / folder, target / folder)
    if not interrupted:
        shutil.copyfile(backup_dir / store.CURRENT, target / store.CURRENT)


def test_a_backup_restored_into_a_new_folder_reads_the_same_rows(tmp_path):
    warehouse = tmp_path / "wh"
    ingest(write_batch(tmp_path / "a", 0, 2), warehouse, workers=1, progress=False)
    ingest(write_batch(tmp_path / "b", 2, 2), warehouse, workers=1, progress=False)
    rows = _everything(warehouse)
    assert len(rows["reports"]) == 4

    backup(warehouse, tmp_path / "backup")
    restore(tmp_path / "backup", tmp_path / "restored")
    assert _everything(tmp_path / "restored") == rows

    # a restore stopped before CURRENT still reads, and the next ingest makes it whole again
    restore(tmp_path / "backup", tmp_path / "half", interrupted=True)
    assert _everything(tmp_path / "half") == rows
    summary = ingest(write_batch(tmp_path / "c", 4, 1), tmp_path / "half", workers=1, progress=False)
    assert summary.recovered is not None and len(_everything(tmp_path / "half")["reports"]) == 5
