"""A warehouse in the snapshot layout of before the Delta tables: read as it is, converted by the next ingest."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hardening.loadkit import write_batch
from pipeline.ingest import ingest
from warehouse import legacy, store
from warehouse.schema import PARTITION_COLUMN, REQUIRED_TABLES, TABLES

OLD_ID = "20250101T000000000000Z-01d01d00"


def _everything(warehouse: Path, tables=TABLES) -> dict[str, list[tuple]]:
    with store.connect(warehouse) as con:
        return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in tables}


def _write_old_layout(rows_from: Path, warehouse: Path) -> None:
    """The tables of a warehouse written as the old layout wrote them: one snapshot folder, hive
    partitions, a placeholder file for an empty table, a manifest with sizes, CURRENT, the link (no marts)."""
    snapshot = warehouse / legacy.SNAPSHOTS / OLD_ID
    tables = {}
    with store.connect(rows_from) as con:
        for table in REQUIRED_TABLES:
            spec = TABLES[table]
            folder = snapshot / table
            folder.mkdir(parents=True)
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if rows and spec.partitioned:
                con.execute(f"COPY {table} TO '{folder}' (FORMAT parquet, PARTITION_BY ({PARTITION_COLUMN}))")
            else:
                con.execute(f"COPY {table} TO '{folder / 'data_0.parquet'}' (FORMAT parquet)")
            files = sorted(p.relative_to(snapshot).as_posix() for p in folder.rglob("*.parquet"))
            tables[table] = {"rows": rows, "files": files, "bytes": [(snapshot / f).stat().st_size for f in files]}
    manifest = {"id": OLD_ID, "previous": None, "parser_version": "0", "overrides_sha256": None, "tables": tables}
    (snapshot / legacy.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (warehouse / store.CURRENT).write_text(OLD_ID + "\n", encoding="utf-8")
    os.symlink(Path(legacy.SNAPSHOTS) / OLD_ID, warehouse / legacy.CURRENT_LINK)


def test_an_old_warehouse_is_read_then_converted_by_the_next_ingest_losing_nothing(tmp_path):
    source = tmp_path / "source"
    ingest(write_batch(tmp_path / "a", 0, 3), source, workers=1, progress=False)
    old = tmp_path / "old"
    _write_old_layout(source, old)
    rows = _everything(source)
    assert _everything(old, REQUIRED_TABLES) == _everything(source, REQUIRED_TABLES), "read as it is until converted"
    assert store.status(old).id == OLD_ID and store.current_id(old) == OLD_ID

    again = ingest(write_batch(tmp_path / "a", 0, 3), old, workers=1, progress=False)  # nothing new
    assert again.counts["unchanged"] == 3
    assert sorted(p.name for p in old.iterdir()) == [store.LOCK, store.CURRENT, store.POINTERS, store.TABLES_DIR]
    assert _everything(old) == rows, "the conversion copies every row and computes the marts as an ingest does"
    assert json.loads((old / store.CURRENT).read_text(encoding="utf-8"))["batch"] == {"converted": OLD_ID}

    ingest(write_batch(tmp_path / "b", 3, 2), old, workers=1, progress=False)
    assert len(_everything(old)["reports"]) == 5


def test_a_conversion_killed_before_its_pointer_starts_over(tmp_path):
    source = tmp_path / "source"
    ingest(write_batch(tmp_path / "a", 0, 2), source, workers=1, progress=False)
    old = tmp_path / "old"
    _write_old_layout(source, old)
    (old / store.TABLES_DIR / "reports").mkdir(parents=True)  # a conversion killed while copying its tables
    (old / store.TABLES_DIR / "reports" / "part-0.parquet").write_bytes(b"PAR1")
    assert _everything(old, REQUIRED_TABLES) == _everything(source, REQUIRED_TABLES)
    ingest(write_batch(tmp_path / "a", 0, 2), old, workers=1, progress=False)
    assert _everything(old) == _everything(source)
    assert not (old / legacy.SNAPSHOTS).exists()


def test_an_old_warehouse_that_lost_its_current_is_read_and_converted_from_its_newest_complete_snapshot(tmp_path):
    source = tmp_path / "source"
    ingest(write_batch(tmp_path / "a", 0, 2), source, workers=1, progress=False)
    old = tmp_path / "old"
    _write_old_layout(source, old)
    (old / store.CURRENT).unlink()
    status = store.status(old)
    assert status.id == OLD_ID and "CURRENT is missing" in status.fallback
    summary = ingest(write_batch(tmp_path / "a", 0, 2), old, workers=1, progress=False)
    assert summary.counts["unchanged"] == 2 and _everything(old) == _everything(source)
