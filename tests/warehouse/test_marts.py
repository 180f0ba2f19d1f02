"""Each report's completed cells and measures, written at publish: the same rows as computing them from the facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deltalake import DeltaTable

from hardening.loadkit import write_batch
from pipeline.ingest import ingest
from warehouse import indexes, marts, store
from warehouse.schema import MARTS


def _stored(root: Path) -> dict[str, list[tuple]]:
    with store.connect(root) as con:
        return {table: sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in MARTS}


def _computed(root: Path, size: int = marts.CHUNK) -> dict[str, list[tuple]]:
    """The marts computed from the published reports, facts and findings, as the dashboard does for an
    older pointer."""
    with store.connect(root) as con:
        chunks = list(marts.compute_chunks(con, "SELECT * FROM reports", lambda table: f"SELECT * FROM {table}", size))
        rows = {marts.OPEN_FINDINGS: con.execute(marts.open_findings("SELECT * FROM findings")).fetchall()}
    for table in marts.PER_REPORT:
        rows[table] = []
    for chunk in chunks:
        for table, part in zip(marts.PER_REPORT, chunk, strict=True):
            rows[table] += [tuple(row.values()) for row in part.to_pylist()]
    return {table: sorted(rows[table], key=repr) for table in MARTS}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, list[Path]]:
    """Three reports, then two more, then one of the first three given new content at its path."""
    tmp = tmp_path_factory.mktemp("marts")
    root = tmp / "warehouse"
    first = write_batch(tmp / "a", 0, 3)
    ingest(first, root, workers=1, progress=False)
    ingest(write_batch(tmp / "b", 3, 2), root, workers=1, progress=False)
    replacement = write_batch(tmp / "c", 5, 1)[0]
    first[0].write_bytes(replacement.read_bytes())
    ingest([first[0]], root, workers=1, progress=False)
    return root, first


def test_each_publish_writes_the_marts_of_the_reports_it_adds_or_replaces(published):
    root, _ = published
    stored = _stored(root)
    assert len(stored["report_cells"]) == len(stored["report_measures"]) == 5
    assert stored["findings_open"], "the demo's reports carry findings that do not pass"
    assert stored == _computed(root), "written batch by batch = computed from every fact at once"
    with store.connect(root) as con:
        ids = {r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()}
        value = con.execute(
            'SELECT c."t3.new_requests.total", m."requests_new#num" FROM report_cells c JOIN report_measures m '
            "USING (report_id) ORDER BY report_id LIMIT 1"
        ).fetchall()[0]
        printed = con.execute(
            "SELECT value FROM t3_facts WHERE key = 't3.new_requests.total' AND status = 'reported' ORDER BY report_id LIMIT 1"
        ).fetchall()[0][0]
    assert {r[0] for r in stored["report_cells"]} == ids
    assert value == (printed, printed), "the cell and the measure carry the printed number"


def test_new_reports_are_appended_and_a_replacement_overwrites_by_report(published):
    root, _ = published
    history = [entry["operationParameters"] for entry in reversed(DeltaTable(store.table_path(root, "report_cells")).history())]
    assert [entry["mode"] for entry in history[1:]] == ["Append", "Append", "Overwrite"]
    assert "report_id" in history[3]["predicate"], "the replacement overwrites its reports' rows only"


def test_chunks_give_the_same_rows_as_one_pass(published):
    root, _ = published
    assert _computed(root, size=2) == _computed(root)


def test_marts_of_other_definitions_are_computed_at_open_and_rewritten_by_the_next_ingest(published, tmp_path):
    source, files = published
    root = tmp_path / "warehouse"
    ingest(files, root, workers=1, progress=False)
    expected = _stored(root)
    pointer = json.loads((root / store.CURRENT).read_text(encoding="utf-8"))
    stale = pointer | {"marts": "definitions of an older release"}
    for path in (root / store.CURRENT, root / store.POINTERS / f"{pointer['id']}.json"):
        path.write_text(json.dumps(stale), encoding="utf-8")
    with indexes.connect(root) as con:  # the dashboard's connection: in memory, from the facts
        assert {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in MARTS} == expected

    again = ingest(files, root, workers=1, progress=False)  # no new file: the marts alone are rewritten
    assert again.counts["unchanged"] == len(files) and again.snapshot != pointer["id"]
    assert store.status(root).pointer["marts"] == marts.DIGEST
    assert _stored(root) == expected
