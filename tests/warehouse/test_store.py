"""The warehouse location setting and the Delta store's publish mechanics."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from warehouse import recovery, settings, snapshot_writer, store
from warehouse.lock import writer_lock
from warehouse.schema import TABLES


def test_the_warehouse_location_is_override_then_environment_then_per_user(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.ENV_VAR, str(tmp_path / "from-env"))
    assert settings.warehouse_dir(tmp_path / "given") == tmp_path / "given"
    assert settings.warehouse_dir() == tmp_path / "from-env"
    monkeypatch.delenv(settings.ENV_VAR)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert settings.warehouse_dir() == tmp_path / "home" / ".local" / "share" / "xxgk" / "warehouse"


def test_store_readers_follow_the_environment_variable(monkeypatch, tmp_path):
    _publish_empty(tmp_path / "wh")
    monkeypatch.setenv(settings.ENV_VAR, str(tmp_path / "wh"))
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM reports").fetchall() == [(0,)]


def _publish_empty(warehouse: Path) -> dict:
    """A pointer over every table empty; returns it."""
    with writer_lock(warehouse), duckdb.connect() as con:
        for table in TABLES:
            con.register(f"e_{table}", TABLES[table].schema.empty_table())
        pointer = snapshot_writer.replace_tables(con, warehouse, {t: f"SELECT * FROM e_{t}" for t in TABLES}, {})
        recovery.collect_garbage(warehouse, pointer)
        return pointer


def test_no_warehouse_yet_is_a_clear_error(tmp_path):
    with pytest.raises(store.WarehouseMissing, match="pipeline ingest"):
        store.connect(tmp_path / "nothing")
    assert store.current_id(tmp_path / "nothing") is None


def test_an_empty_warehouse_reads_with_every_column(tmp_path):
    _publish_empty(tmp_path / "wh")
    with store.connect(tmp_path / "wh") as con:
        for table, spec in TABLES.items():
            assert con.sql(f"SELECT * FROM {table}").columns == spec.schema.names


def test_publish_swaps_the_pointer_and_keeps_one_previous_pointer(tmp_path):
    warehouse = tmp_path / "wh"
    first = _publish_empty(warehouse)
    second = _publish_empty(warehouse)
    assert store.current_id(warehouse) == second["id"]
    assert second["previous"] == first["id"]
    assert json.loads((warehouse / store.CURRENT).read_text(encoding="utf-8")) == second
    third = _publish_empty(warehouse)
    kept = sorted(p.stem for p in (warehouse / store.POINTERS).iterdir())
    assert kept == sorted([second["id"], third["id"]])
    assert third["versions"]["reports"] == second["versions"]["reports"] + 1, "one commit per table and publish"


def test_a_table_committed_ahead_of_the_pointer_is_invisible_and_rolled_back(tmp_path):
    warehouse = tmp_path / "wh"
    published = _publish_empty(warehouse)
    with duckdb.connect() as con:  # a publish killed after its first table's commit
        row = "SELECT 'x.pdf' AS source_file, '/x.pdf' AS source_path, '0' AS content_hash, 'r' AS reason, now() AS at"
        snapshot_writer.commit(con, warehouse, "quarantine", row, None)
    assert snapshot_writer.rows(warehouse, "quarantine") == 1
    with store.connect(warehouse) as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchall() == [(0,)]
    with writer_lock(warehouse):
        recovery.prepare(warehouse)
    assert snapshot_writer.rows(warehouse, "quarantine") == 0, "the next writer builds on the pointer's version"
    assert store.current_id(warehouse) == published["id"]
