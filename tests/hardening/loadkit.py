"""Shared by the concurrency and crash-safety tests and `benchmarks/hardening.py`: batches of
distinct reports, an ingest subprocess, and the consistency a reader must always see."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import duckdb

from pipeline.demo import reports
from pipeline.demo.render import render
from pipeline.demo.report import compose

ROOT = Path(__file__).resolve().parents[2]
FAST_FORMS = ("text", "html")


@lru_cache(maxsize=1)
def _plans() -> list:
    """Every demo report of the small world (297, distinct bodies and years)."""
    return [r.plan for r in reports(1, "small")]


def write_batch(folder: Path, start: int, count: int) -> list[Path]:
    """`count` distinct demo reports (the start-th onwards), in the fast forms; their paths."""
    from pipeline.demo.city import bodies
    from pipeline.demo.numbers import series

    folder.mkdir(parents=True, exist_ok=True)
    by_name = {body.name: body for body in bodies("small")}
    paths = []
    for i, plan in enumerate(_plans()[start : start + count], start=start):
        plan = copy.copy(plan)
        plan.form = FAST_FORMS[i % len(FAST_FORMS)]
        report = compose(plan, series(by_name[plan.body.name], 1)[plan.year], 1)
        path = folder / report.source
        path.write_bytes(render(report))
        paths.append(path)
    return paths


def start_ingest(paths: list[Path], warehouse: Path, workers: int = 2) -> subprocess.Popen:
    """`python -m pipeline ingest` in its own process group (so a kill takes its workers too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "ingest", *map(str, paths), "--warehouse", str(warehouse), "--workers", str(workers)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )  # fmt: skip


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the ingest and its workers (forkserver included)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


#: Each query returns one number that must be 0 in a consistent snapshot.
CONSISTENCY = {
    "facts without their report": """
        SELECT count(*) FROM (SELECT report_id FROM t2_facts UNION ALL SELECT report_id FROM t3_facts
            UNION ALL SELECT report_id FROM t4_facts UNION ALL SELECT report_id FROM text_facts) f
        WHERE report_id NOT IN (SELECT report_id FROM reports)""",
    "findings without their report": "SELECT count(*) FROM findings WHERE report_id NOT IN (SELECT report_id FROM reports)",
    "reports whose facts do not add up to n_values": """
        SELECT count(*) FROM reports r LEFT JOIN (
            SELECT report_id, count(*) AS n FROM (SELECT report_id, status FROM t2_facts
                UNION ALL SELECT report_id, status FROM t3_facts
                UNION ALL SELECT report_id, status FROM t4_facts UNION ALL SELECT report_id, status FROM text_facts)
            WHERE status IN ('reported', 'blank', 'dash') GROUP BY report_id) f USING (report_id)
        WHERE coalesce(f.n, 0) <> r.n_values""",
    "reports without an agency": "SELECT count(*) FROM reports WHERE agency_id NOT IN (SELECT agency_id FROM agencies)",
    "reports listed twice": "SELECT count(*) - count(DISTINCT report_id) FROM reports",
}


def snapshot_view(con: duckdb.DuckDBPyConnection) -> tuple[set[str], dict[str, int]]:
    """The report ids one connection sees, and every consistency problem count (all 0 when sound)."""
    ids = {rid for (rid,) in con.execute("SELECT report_id FROM reports").fetchall()}
    problems = {name: con.execute(sql).fetchall()[0][0] for name, sql in CONSISTENCY.items()}
    return ids, {name: n for name, n in problems.items() if n}
