"""Readers of a damaged warehouse: fall back to the newest complete pointer, or say it is
damaged (never "empty") when nothing can be read."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import quarantine_only
from warehouse import snapshot_writer, store
from warehouse.schema import TABLES


def _publish(warehouse: Path, marker: str) -> str:
    """A pointer whose quarantine table holds one row naming `marker`; returns its id."""
    warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        return snapshot_writer.replace_tables(con, warehouse, quarantine_only(con, marker), {})["id"]


def _marker(warehouse: Path) -> str:
    with store.connect(warehouse) as con:
        return con.execute("SELECT source_file FROM quarantine").fetchall()[0][0]


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, str, str]:
    warehouse = tmp_path / "wh"
    older = _publish(warehouse, "older")
    newer = _publish(warehouse, "newer")
    return warehouse, older, newer


def _quarantine_file(warehouse: Path, pointer_id: str) -> Path:
    """The one data file of the quarantine table at the version the pointer names."""
    pointer = json.loads((warehouse / store.POINTERS / f"{pointer_id}.json").read_text(encoding="utf-8"))
    return Path(*store.version_files(warehouse, "quarantine", pointer["versions"]["quarantine"]))


def _last_log_entry(warehouse: Path) -> Path:
    return sorted((store.table_path(warehouse, "quarantine") / "_delta_log").glob("*.json"))[-1]


DAMAGE = {
    "CURRENT names a missing pointer": lambda wh, pid: (wh / store.CURRENT).write_text(
        json.dumps({"id": "20990101T000000000000Z-deadbeef", "versions": dict.fromkeys(TABLES, 99)})),
    "truncated CURRENT": lambda wh, pid: (wh / store.CURRENT).write_text('{"id": "', encoding="utf-8"),
    "deleted parquet": lambda wh, pid: _quarantine_file(wh, pid).unlink(),
    "truncated parquet": lambda wh, pid: _quarantine_file(wh, pid).write_bytes(_quarantine_file(wh, pid).read_bytes()[:100]),
    "deleted log entry": lambda wh, pid: _last_log_entry(wh).unlink(),
    "CURRENT missing": lambda wh, pid: (wh / store.CURRENT).unlink(),
    "CURRENT blank": lambda wh, pid: (wh / store.CURRENT).write_text("\n"),
    "CURRENT holding a path": lambda wh, pid: (wh / store.CURRENT).write_text(f"../{store.POINTERS}/{pid}.json\n"),
}  # fmt: skip


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_reader_falls_back_to_the_newest_complete_pointer(two, damage):
    warehouse, older, newer = two
    DAMAGE[damage](warehouse, newer)
    readable = "newer" if "CURRENT" in damage else "older"  # the damage is to CURRENT or to newer's files
    assert _marker(warehouse) == readable
    status = store.status(warehouse)
    assert status.id == {"older": older, "newer": newer}[readable]
    assert status.fallback and "CURRENT" in status.fallback


def test_a_healthy_warehouse_reports_no_fallback(two):
    warehouse, _older, newer = two
    status = store.status(warehouse)
    assert status.id == newer and status.fallback is None


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


def test_what_both_kept_versions_share_lost_leaves_nothing_to_fall_back_to(two):
    """Versions share their table's log (and the files a publish did not touch): lost, it is lost to
    every pointer, so there is no complete pointer left to read — restore from a backup."""
    warehouse, _older, _newer = two
    (store.table_path(warehouse, "quarantine") / "_delta_log" / f"{0:020d}.json").unlink()
    with pytest.raises(store.WarehouseDamaged):
        store.status(warehouse)


def test_a_current_naming_a_vanished_pointer_with_nothing_else_is_damaged(tmp_path):
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    (warehouse / store.CURRENT).write_text(json.dumps({"id": "20240101T000000000000Z-00000000",
                                                       "versions": dict.fromkeys(TABLES, 3)}))  # fmt: skip
    with pytest.raises(store.WarehouseDamaged):
        store.connect(warehouse)


def test_an_empty_folder_is_missing_not_damaged(tmp_path):
    (tmp_path / "wh").mkdir()
    with pytest.raises(store.WarehouseMissing) as caught:
        store.connect(tmp_path / "wh")
    assert not isinstance(caught.value, store.WarehouseDamaged)


def test_the_pointer_names_every_table_version_and_its_rows(two):
    warehouse, older, newer = two
    pointer = json.loads((warehouse / store.POINTERS / f"{newer}.json").read_text(encoding="utf-8"))
    assert pointer["id"] == newer and pointer["previous"] == older
    assert set(pointer["versions"]) == set(TABLES) and pointer["rows"] == {t: int(t == "quarantine") for t in TABLES}
