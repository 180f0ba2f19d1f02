"""Readers of a damaged warehouse: fall back to the newest complete snapshot, or say it is
damaged (never "empty") when nothing can be read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from warehouse import store
from warehouse.schema import TABLES


def _publish(warehouse: Path, marker: str) -> str:
    """A snapshot whose quarantine table holds one row naming `marker`; returns its id."""
    warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        tmp = store.begin_snapshot(warehouse)
        entries = {}
        for table, spec in TABLES.items():
            quarantined = {"source_file": marker, "source_path": marker, "content_hash": "0" * 64, "reason": "r"}
            rows = [quarantined] if table == "quarantine" else []
            con.register("incoming", pa.Table.from_pylist(rows, schema=spec.schema))
            entries[table] = store.write_table(con, tmp, table, "SELECT * FROM incoming")
            con.unregister("incoming")
        return store.publish(warehouse, tmp, {"tables": entries}).name


def _marker(warehouse: Path) -> str:
    with store.connect(warehouse) as con:
        return con.execute("SELECT source_file FROM quarantine").fetchall()[0][0]


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, str, str]:
    warehouse = tmp_path / "wh"
    older = _publish(warehouse, "older")
    newer = _publish(warehouse, "newer")
    return warehouse, older, newer


def _quarantine_file(warehouse: Path, snapshot_id: str) -> Path:
    return warehouse / store.SNAPSHOTS / snapshot_id / "quarantine" / "data_0.parquet"


DAMAGE = {
    "CURRENT names a missing snapshot": lambda wh, sid: (wh / store.CURRENT).write_text("20990101T000000000000Z-deadbeef\n"),
    "truncated manifest": lambda wh, sid: (wh / store.SNAPSHOTS / sid / store.MANIFEST).write_text('{"id": "', encoding="utf-8"),
    "deleted parquet": lambda wh, sid: _quarantine_file(wh, sid).unlink(),
    "truncated parquet": lambda wh, sid: _quarantine_file(wh, sid).write_bytes(_quarantine_file(wh, sid).read_bytes()[:100]),
    "CURRENT missing": lambda wh, sid: (wh / store.CURRENT).unlink(),
    "CURRENT blank": lambda wh, sid: (wh / store.CURRENT).write_text("\n"),
    "CURRENT holding a path": lambda wh, sid: (wh / store.CURRENT).write_text(f"../{store.SNAPSHOTS}/{sid}\n"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_reader_falls_back_to_the_newest_complete_snapshot(two, damage):
    warehouse, older, newer = two
    DAMAGE[damage](warehouse, newer)
    readable = "newer" if damage.startswith("CURRENT") else "older"  # the damage is to CURRENT or to newer
    assert _marker(warehouse) == readable
    status = store.status(warehouse)
    assert status.snapshot.name == {"older": older, "newer": newer}[readable]
    assert status.fallback and "CURRENT" in status.fallback


def test_a_healthy_warehouse_reports_no_fallback(two):
    warehouse, _older, newer = two
    status = store.status(warehouse)
    assert status.snapshot.name == newer and status.fallback is None


def test_nothing_readable_is_damaged_not_missing(tmp_path):
    warehouse = tmp_path / "wh"
    only = _publish(warehouse, "only")
    _quarantine_file(warehouse, only).unlink()
    with pytest.raises(store.WarehouseDamaged) as caught:
        store.connect(warehouse)
    assert not isinstance(caught.value, store.WarehouseMissing)
    assert "quarantine" in caught.value.problem and "missing" in caught.value.problem
    with pytest.raises(store.WarehouseDamaged):
        store.status(warehouse)


def test_a_current_naming_a_vanished_snapshot_with_nothing_else_is_damaged(tmp_path):
    warehouse = tmp_path / "wh"
    (warehouse / store.SNAPSHOTS).mkdir(parents=True)
    (warehouse / store.CURRENT).write_text("20240101T000000000000Z-00000000\n")
    with pytest.raises(store.WarehouseDamaged):
        store.connect(warehouse)


def test_an_empty_folder_is_missing_not_damaged(tmp_path):
    (tmp_path / "wh").mkdir()
    with pytest.raises(store.WarehouseMissing) as caught:
        store.connect(tmp_path / "wh")
    assert not isinstance(caught.value, store.WarehouseDamaged)


def test_the_manifest_records_each_file_size_and_its_own_id(two):
    warehouse, _older, newer = two
    manifest = json.loads((warehouse / store.SNAPSHOTS / newer / store.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["id"] == newer
    for entry in manifest["tables"].values():
        assert entry["bytes"] == [os.path.getsize(warehouse / store.SNAPSHOTS / newer / name) for name in entry["files"]]
