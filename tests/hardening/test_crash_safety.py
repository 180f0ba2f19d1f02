"""An ingest killed at random moments (SIGKILL to it and its workers) always leaves a readable,
consistent warehouse that still holds every report ingested before; a batch shows wholly or
not at all; the next ingest finishes the job and clears what the killed one left behind.

The delays are drawn from a seeded generator over the span of a whole ingest (measured
first), so the kills land in start-up, parsing, building and publishing alike, and CI
sees the same moments on every run.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from hardening.loadkit import kill_group, snapshot_view, start_ingest, write_batch
from pipeline.ingest import ingest
from warehouse import store

pytestmark = pytest.mark.slow  # whole ingests killed or raced by design (make test)

KILLS = 6


def _view(warehouse: Path) -> set[str]:
    """The published report ids, after checking every table reads and the snapshot is consistent."""
    with store.connect(warehouse) as con:
        for table in store.read_manifest(store.open_snapshot(warehouse))["tables"]:
            con.execute(f"SELECT count(*) FROM {table}").fetchall()
        ids, problems = snapshot_view(con)
    assert problems == {}
    return ids


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
    assert not list((warehouse / store.SNAPSHOTS).glob(f"{store.TMP_PREFIX}*")), "what killed ingests left is cleared"
    assert len(list((warehouse / store.SNAPSHOTS).iterdir())) <= 2
