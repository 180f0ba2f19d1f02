"""An ingest killed at random moments (SIGKILL to it and its workers) always leaves a readable,
consistent warehouse that still holds every report ingested before; a batch shows wholly or
not at all; the next ingest finishes the job and clears what the killed one left behind.

The delays are drawn from a seeded generator over the span of a whole ingest (measured
first), so the kills land in start-up, parsing, building and publishing alike, and CI
sees the same moments on every run.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from hardening.loadkit import kill_group, snapshot_view, start_ingest, write_batch
from pipeline.ingest import ingest
from warehouse import recovery, store
from warehouse.schema import TABLES

pytestmark = pytest.mark.slow  # whole ingests killed or raced by design (make test)

KILLS = 6


def _view(warehouse: Path) -> set[str]:
    """The published report ids, after checking every table reads and the pointer's versions are consistent."""
    with store.connect(warehouse) as con:
        for table in TABLES:
            con.execute(f"SELECT count(*) FROM {table}").fetchall()
        ids, problems = snapshot_view(con)
    assert problems == {}
    return ids


def _rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every table, less the moments of ingest (which differ between two runs)."""
    moments = {"reports": "ingested_at", "quarantine": '"at"'}
    with store.connect(warehouse) as con:
        return {table: sorted(con.execute(f"SELECT * EXCLUDE ({moments[table]}) FROM {table}" if table in moments
                                          else f"SELECT * FROM {table}").fetchall(), key=repr)
                for table in TABLES}  # fmt: skip


def test_an_ingest_killed_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    ingest(write_batch(tmp_path / "base", 0, 5), warehouse, workers=1, progress=False)
    published = _view(warehouse)

    # how long one whole batch takes here, so the kills can spread over all of it
    started = time.monotonic()
    process = start_ingest(write_batch(tmp_path / "timing", 5, 12), warehouse)
    assert process.wait(timeout=180) == 0
    span = time.monotonic() - started
    published = _view(warehouse)
    assert len(published) == 17

    draw = random.Random(20240601)
    outcomes = []
    for run in range(KILLS):
        batch = write_batch(tmp_path / f"run{run}", 17 + 12 * run, 12)
        delay = draw.uniform(0.05, span * 1.1)
        process = start_ingest(batch, warehouse)
        time.sleep(delay)
        finished = process.poll() is not None
        kill_group(process)
        after = _view(warehouse)
        assert published <= after, f"run {run}: a kill after {delay:.2f}s lost earlier reports"
        assert len(after) in (len(published), len(published) + 12), f"run {run}: part of a batch shows"
        outcomes.append("finished" if finished else "published" if len(after) > len(published) else "rolled back")
        published = after

    assert "rolled back" in outcomes, outcomes  # kills did land mid-batch
    everything = sorted((tmp_path).glob("run*/*"))
    summary = ingest(everything, warehouse, workers=2, progress=False)
    assert summary.quarantined == []
    assert len(_view(warehouse)) == 17 + 12 * KILLS
    reference = tmp_path / "uninterrupted"
    for folder in ("base", "timing"):
        ingest([tmp_path / folder], reference, workers=2, progress=False)
    ingest(everything, reference, workers=2, progress=False)
    assert _rows(warehouse) == _rows(reference), "the same rows, row for row, as ingests never killed"
    assert not (warehouse / store.WORK).exists() and not list(warehouse.glob("*.tmp")), "what killed ingests left is cleared"
    assert len(list((warehouse / store.POINTERS).iterdir())) <= 2


def test_a_half_written_file_and_a_vacuum_killed_half_way_leave_readers_whole(tmp_path: Path, monkeypatch) -> None:
    """A kill while a data file is written leaves a file no version lists; a kill during vacuum leaves part
    of the files it meant to delete. Neither is seen by a reader, and the next ingest clears both."""
    monkeypatch.setenv(recovery.RETAIN_ENV, "0")
    warehouse = tmp_path / "wh"
    ingest(write_batch(tmp_path / "a", 0, 3), warehouse, workers=1, progress=False)
    ingest(write_batch(tmp_path / "b", 3, 3), warehouse, workers=1, progress=False)
    before = _rows(warehouse)
    listed = {Path(uri) for uri in store.status(warehouse).files["t3_facts"]}
    half = next(iter(listed)).with_name("part-00000-killed-mid-write-c000.zstd.parquet")
    half.write_bytes(next(iter(listed)).read_bytes()[:200])
    monkeypatch.setenv(recovery.RETAIN_ENV, "100")
    ingest(write_batch(tmp_path / "c", 6, 2), warehouse, workers=1, progress=False)  # leaves the previous files
    pointer = json.loads((warehouse / store.CURRENT).read_text(encoding="utf-8"))
    previous = json.loads((warehouse / store.POINTERS / f"{pointer['previous']}.json").read_text(encoding="utf-8"))
    kept = {uri for p in (pointer, previous) for table in TABLES
            for uri in store.version_files(warehouse, table, p["versions"][table])}  # fmt: skip
    doomed = sorted(f for f in (warehouse / store.TABLES_DIR).rglob("*.parquet") if str(f) not in kept)
    assert half in doomed and len(doomed) >= 2, "agencies and quarantine are rewritten whole: the oldest go"
    next(f for f in doomed if f != half).unlink()  # a vacuum killed after its first deletion
    after = _rows(warehouse)
    assert len(after["reports"]) == len(before["reports"]) + 2
    monkeypatch.setenv(recovery.RETAIN_ENV, "0")
    ingest(write_batch(tmp_path / "c", 6, 2), warehouse, workers=1, progress=False)  # nothing new: prepare vacuums
    assert _rows(warehouse) == after
    assert not half.exists() and not any(f.exists() for f in doomed)
