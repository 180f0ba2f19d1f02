"""Recovery before a writer builds: what a killed first publish left goes; published tables whose
pointers are lost are refused and kept, never taken for leftovers."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import quarantine_only
from warehouse import recovery, snapshot_writer, store
from warehouse.errors import WarehouseDamaged


def test_tables_of_a_first_publish_killed_before_its_pointer_are_removed(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    snapshot_writer.ensure_tables(warehouse)
    with duckdb.connect() as con:
        for table, query in quarantine_only(con, "unpublished").items():
            snapshot_writer.commit(con, warehouse, table, query, None)  # killed before store.publish
    assert recovery.prepare(warehouse) == recovery.Prepared()
    assert not (warehouse / store.TABLES_DIR).exists()


def test_published_tables_whose_pointers_are_lost_are_refused_and_kept(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    with duckdb.connect() as con:
        for marker in ("first", "second"):
            snapshot_writer.replace_tables(con, warehouse, quarantine_only(con, marker), {})
    (warehouse / store.CURRENT).unlink()
    shutil.rmtree(warehouse / store.POINTERS)
    logs = sorted((warehouse / store.TABLES_DIR).rglob("*.json"))
    with pytest.raises(WarehouseDamaged, match="CURRENT and every pointer are missing"):
        recovery.prepare(warehouse)
    assert sorted((warehouse / store.TABLES_DIR).rglob("*.json")) == logs
