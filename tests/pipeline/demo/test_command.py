"""`python -m pipeline demo` end to end: generate, ingest through the real pipeline, reuse."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipeline.demo import CORPUS_DIR, demo_command


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "warehouse"
    assert demo_command(str(root), seed=3, scale="tiny") == 0
    return root


def test_corpus_and_truth_are_written_beside_the_warehouse_tables(warehouse: Path) -> None:
    corpus = warehouse / CORPUS_DIR
    files = sorted((corpus / "reports").iterdir())
    truths = sorted((corpus / "truth").glob("*.json"))
    assert len(files) == len(truths) >= 30
    record = json.loads(truths[0].read_text(encoding="utf-8"))
    assert {"source", "agency", "year", "template_version", "values", "planted"} <= set(record)
    assert record["synthetic"] is True


def test_every_report_is_ingested_and_flagged_synthetic_except_the_real_sample(warehouse: Path) -> None:
    from warehouse import store

    con = duckdb.connect()
    store.attach_views(con, warehouse)
    counts = dict(con.execute("SELECT synthetic, count(*) FROM reports GROUP BY synthetic").fetchall())
    files = len(list((warehouse / CORPUS_DIR / "reports").iterdir()))
    assert counts == {True: files, False: 1}
    real = con.execute("SELECT agency_name, year FROM reports WHERE NOT synthetic").fetchall()
    assert real == [("威海市环翠区孙家疃街道", 2020)]
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)


def test_a_second_run_reuses_the_corpus(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stamp = (warehouse / CORPUS_DIR / "manifest.json").stat().st_mtime_ns
    assert demo_command(str(warehouse), seed=3, scale="tiny") == 0
    assert (warehouse / CORPUS_DIR / "manifest.json").stat().st_mtime_ns == stamp
    assert "ingested 0, unchanged" in capsys.readouterr().out


def test_the_demo_writes_a_register_of_every_body(warehouse: Path) -> None:
    """register.csv lists every demo body, so the coverage grid expects each from the first year on."""
    from pipeline.demo.city import bodies
    from warehouse import store
    from warehouse.coverage import read_register
    from warehouse.regions import agency_id
    from warehouse.settings import REGISTER_FILE

    register = read_register(warehouse / REGISTER_FILE)
    assert register["name"].to_list() == [body.name for body in bodies("tiny")]
    con = duckdb.connect()
    store.attach_views(con, warehouse)
    reported = {row[0] for row in con.execute("SELECT DISTINCT agency_id FROM reports WHERE synthetic").fetchall()}
    assert reported <= {agency_id(name) for name in register["name"].to_list()}


def test_a_register_already_there_is_kept(tmp_path: Path) -> None:
    from pipeline.demo import write_register

    (tmp_path / "register.csv").write_text("name\n某市某局\n", encoding="utf-8")
    assert write_register(tmp_path, "tiny") is None
    assert (tmp_path / "register.csv").read_text(encoding="utf-8") == "name\n某市某局\n"


def test_the_demo_declares_its_governments_reports_their_own_office(warehouse: Path) -> None:
    """report_scope.csv names every demo government as `body`: the demo knows its reports cover one office."""
    from pipeline.demo.city import bodies
    from warehouse.settings import SCOPE_FILE

    rows = (warehouse / SCOPE_FILE).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "name,year,scope"
    assert rows[1:] == [f"{body.name},,body" for body in bodies("tiny") if body.kind == "government"]
