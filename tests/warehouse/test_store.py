"""The warehouse location setting and the snapshot store's publish mechanics."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse import settings, store
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


def _publish_empty(warehouse: Path) -> Path:
    with writer_lock(warehouse), duckdb.connect() as con:
        tmp = store.begin_snapshot(warehouse)
        entries = {}
        for table in TABLES:
            con.register(f"e_{table}", TABLES[table].schema.empty_table())
            entries[table] = store.write_table(con, tmp, table, f"SELECT * FROM e_{table}")
        return store.publish(warehouse, tmp, {"tables": entries})


def test_no_warehouse_yet_is_a_clear_error(tmp_path):
    with pytest.raises(store.WarehouseMissing, match="pipeline ingest"):
        store.connect(tmp_path / "nothing")
    assert store.current_id(tmp_path / "nothing") is None


def test_an_empty_warehouse_reads_with_every_column(tmp_path):
    _publish_empty(tmp_path / "wh")
    with store.connect(tmp_path / "wh") as con:
        for table, spec in TABLES.items():
            assert con.sql(f"SELECT * FROM {table}").columns == spec.schema.names


def test_publish_swaps_the_pointer_and_keeps_one_previous_snapshot(tmp_path):
    warehouse = tmp_path / "wh"
    first = _publish_empty(warehouse)
    second = _publish_empty(warehouse)
    assert store.current_id(warehouse) == second.name
    assert store.read_manifest(second)["previous"] == first.name
    third = _publish_empty(warehouse)
    assert sorted(p.name for p in (warehouse / store.SNAPSHOTS).iterdir()) == sorted([second.name, third.name])


def test_a_half_built_snapshot_is_invisible_and_cleared_by_the_next_writer(tmp_path):
    warehouse = tmp_path / "wh"
    published = _publish_empty(warehouse)
    with writer_lock(warehouse):
        abandoned = store.begin_snapshot(warehouse)
    (abandoned / "reports").mkdir()
    assert store.open_snapshot(warehouse) == published
    with writer_lock(warehouse):
        store.begin_snapshot(warehouse)
    assert not abandoned.exists()
