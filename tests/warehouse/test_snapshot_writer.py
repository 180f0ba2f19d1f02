"""A publish commits only what the batch touches (new reports appended, replaced ones overwritten by
predicate); a batch too large to list in a predicate replaces the years it touches whole — and both
give the same tables, row for row."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from pipeline.demo import reports
from pipeline.demo.render import render
from pipeline.ingest import ingest
from warehouse import snapshot_writer, store
from warehouse.schema import FACT_TABLES, TABLES

#: Columns that differ between the two runs by nature: when the batch ran, and the folder its files sat in.
RUN_SPECIFIC = {"reports": ["ingested_at", "source_path"], "quarantine": ["at", "source_path"]}


def _tables(warehouse: Path) -> dict[str, list[tuple]]:
    out = {}
    with store.connect(warehouse) as con:
        for table in TABLES:
            skip = ", ".join(f'"{column}"' for column in RUN_SPECIFIC.get(table, []))
            out[table] = con.execute(f"SELECT * {f'EXCLUDE ({skip})' if skip else ''} FROM {table} ORDER BY ALL").fetchall()
    return out


def _two_batches(folder: Path, warehouse: Path) -> None:
    """Twelve demo reports, then a batch that rewrites one of them, retires another and adds two."""
    made = [(report.source, render(report)) for report, _ in zip(reports(1, "tiny"), range(14), strict=False)]
    folder.mkdir()
    for name, data in made[:12]:
        (folder / name).write_bytes(data)
    ingest([folder], warehouse, workers=1, synthetic=True, progress=False)
    (folder / made[0][0]).write_bytes(made[0][1].replace("。".encode(), "；".encode(), 1))
    (folder / made[1][0]).unlink()
    for name, data in made[12:]:
        (folder / name).write_bytes(data)
    retired = hashlib.sha256(made[1][1]).hexdigest()
    ingest([folder], warehouse, workers=1, synthetic=True, progress=False, retire=[retired])


def test_a_batch_too_large_to_list_replaces_its_years_with_the_same_rows(tmp_path: Path, monkeypatch) -> None:
    _two_batches(tmp_path / "listed", tmp_path / "wh-listed")
    monkeypatch.setattr(snapshot_writer, "MAX_LISTED", 0)  # every commit replaces the touched years whole
    _two_batches(tmp_path / "whole-years", tmp_path / "wh-years")
    listed, years = _tables(tmp_path / "wh-listed"), _tables(tmp_path / "wh-years")
    assert len(listed["reports"]) == 13
    for table in TABLES:
        assert years[table] == listed[table], table


@pytest.mark.parametrize("value", ["plain", "o'brien"])
def test_a_listed_value_is_quoted_for_the_predicate(value: str) -> None:
    assert snapshot_writer._sql_list([value, 2020]) == "('" + value.replace("'", "''") + "', 2020)"


def _last_write(warehouse: Path, table: str) -> dict:
    return DeltaTable(store.table_path(warehouse, table)).history(1)[0]["operationParameters"]


def test_new_reports_are_appended_and_a_replacement_overwrites_only_its_reports(tmp_path: Path) -> None:
    made = [(report.source, render(report)) for report, _ in zip(reports(1, "tiny"), range(4), strict=False)]
    folder, warehouse = tmp_path / "in", tmp_path / "wh"
    folder.mkdir()
    for name, data in made[:3]:
        (folder / name).write_bytes(data)
    ingest([folder], warehouse, workers=1, synthetic=True, progress=False)
    (folder / made[3][0]).write_bytes(made[3][1])
    ingest([folder], warehouse, workers=1, synthetic=True, progress=False)
    for table in FACT_TABLES.values():
        assert _last_write(warehouse, table) == {"mode": "Append", "partitionBy": '["year"]'}, table

    (folder / made[0][0]).write_bytes(made[0][1].replace("。".encode(), "；".encode(), 1))
    ingest([folder], warehouse, workers=1, synthetic=True, progress=False)
    replaced, published = hashlib.sha256(made[0][1]).hexdigest(), store.connect(warehouse)
    for table in FACT_TABLES.values():
        written = _last_write(warehouse, table)
        assert written["mode"] == "Overwrite" and f"report_id = '{replaced}'" in written["predicate"], table
        ids = published.execute(f"SELECT DISTINCT report_id FROM {table} ORDER BY 1").fetchall()
        assert ids == published.execute("SELECT report_id FROM reports ORDER BY 1").fetchall(), table


def test_a_reworded_column_doc_does_not_stop_ingest_into_an_older_warehouse(tmp_path: Path, monkeypatch) -> None:
    """Column docs live in `warehouse.schema` and reach the Delta schema when a table is created; a later
    rewording must not make delta-rs refuse the next write ("Cannot merge metadata")."""
    made = [(report.source, render(report)) for report, _ in zip(reports(1, "tiny"), range(3), strict=False)]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / made[0][0]).write_bytes(made[0][1])
    ingest([folder], tmp_path / "wh", workers=1, synthetic=True, progress=False)
    spec = TABLES["reports"]
    reworded = pa.schema([f.with_metadata({"doc": "reworded"}) if f.name == "agency_name" else f for f in spec.schema])
    monkeypatch.setitem(TABLES, "reports", dataclasses.replace(spec, schema=reworded))
    for name, data in made[1:]:
        (folder / name).write_bytes(data)
    ingest([folder], tmp_path / "wh", workers=1, synthetic=True, progress=False)
    with store.connect(tmp_path / "wh") as con:
        assert con.execute("SELECT count(*) FROM reports").fetchall() == [(3,)]
    field = DeltaTable(store.table_path(tmp_path / "wh", "reports")).schema().to_arrow().field("agency_name")
    assert field.metadata[b"doc"] == spec.schema.field("agency_name").metadata[b"doc"], "the doc it was created with"
