"""The Ray engine parses like the local pool: the same tables, the same quarantine, the same limits.

Ray runs here as a local cluster of two CPUs, started once for the module; the command-line
test starts its own, as a user's ingest does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import engines, limits
from pipeline.demo import SAMPLE, reports
from pipeline.demo.render import render
from pipeline.ingest import ingest, ingest_command
from warehouse import store
from warehouse.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
#: Columns that differ between any two runs by nature: when the batch ran.
RUN_SPECIFIC = {"reports": ["ingested_at"], "quarantine": ["at"]}


@pytest.fixture(scope="module")
def ray():
    """Ray, imported only by the tests that start it: loaded at collection, its native threads would be
    in every process the fast tier forks."""
    return pytest.importorskip("ray", reason="the ray extra is not installed")


@pytest.fixture(scope="module")
def cluster(ray):
    """A local Ray of two CPUs; this module's own work functions travel by value (tests/ is no package on the nodes)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.shutdown()


def _demo_batch(folder: Path, n: int) -> None:
    """The first n reports of the demo world, each in the form the demo plans for it (all forms)."""
    folder.mkdir(parents=True)
    for report, _ in zip(reports(1, "small"), range(n), strict=False):
        (folder / report.source).write_bytes(render(report))


def _table(warehouse: Path, table: str) -> list[tuple]:
    skip = ", ".join(f'"{column}"' for column in RUN_SPECIFIC.get(table, []))
    with store.connect(warehouse) as con:
        return con.execute(f"SELECT * {f'EXCLUDE ({skip})' if skip else ''} FROM {table} ORDER BY ALL").fetchall()


@pytest.mark.slow  # two ingests of 300 reports in every form
def test_300_demo_reports_give_the_same_tables_with_ray_as_with_the_local_pool(tmp_path, cluster):
    _demo_batch(tmp_path / "in", 300)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    local = ingest([tmp_path / "in"], tmp_path / "local", workers=2, synthetic=True, progress=False)
    on_ray = ingest([tmp_path / "in"], tmp_path / "ray", workers=2, synthetic=True, progress=False, engine="ray")
    assert on_ray.counts == local.counts == {"ingested": 300, "unchanged": 0, "replaced": 0, "quarantined": 1}
    for table in TABLES:
        rows = _table(tmp_path / "local", table)
        assert rows, f"{table} is empty: the comparison would prove nothing"
        assert _table(tmp_path / "ray", table) == rows, table


@pytest.mark.slow  # starts a Ray of its own (about a minute on a loaded 2-core machine)
def test_bad_files_in_a_ray_batch_are_quarantined_with_the_pools_reasons(tmp_path, ray):
    """Through the command line, with the input named by a file:// URL: a local Ray of one CPU is started."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.txt").write_text("会议纪要\n今天开会。", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest", folder.as_uri(), "--warehouse", str(tmp_path / "ray"),
         "--workers", "1", "--engine", "ray"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "TQDM_DISABLE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ingested 1, unchanged 0, replaced 0, quarantined 2" in done.stdout
    ingest([folder], tmp_path / "local", workers=1, progress=False)
    reasons = _table(tmp_path / "local", "quarantine")
    assert {row[0] for row in reasons} == {"empty.txt", "notes.txt"} and all(row[3] for row in reasons)
    assert _table(tmp_path / "ray", "quarantine") == reasons


# ---------------------------------------------------------------- the limits inside a task


def echo_or_die(task: str) -> str:
    """'die' kills its worker (as the OOM killer would), 'hang' sleeps on, 'stuck' computes in
    native code that holds the interpreter (no Python signal handler runs), 'hog' wants 1 GiB."""
    if task == "die":
        os._exit(9)
    if task == "hang":
        time.sleep(3600)
    if task == "stuck":
        sum(range(10**15))
    if task == "hog":
        return str(len(bytearray(2**30)))
    return task.upper()


def _run(tasks: list[str]) -> list:
    run = engines.runner("ray")
    return sorted(run(echo_or_die, tasks, 2, False, "test", lambda task, reason: (task, reason)), key=str)


@pytest.mark.slow  # starts the module's local Ray
def test_a_task_over_the_memory_limit_fails_alone_and_its_worker_serves_the_next(cluster, monkeypatch):
    monkeypatch.setattr(limits, "WORKER_MEMORY_BYTES", 768 * limits.MiB)
    assert _run(["a", "hog", "b", "c"]) == [("hog", "memory limit exceeded / 内存超限 (768 MiB)"), "A", "B", "C"]
    monkeypatch.setattr(limits, "WORKER_MEMORY_BYTES", 2048 * limits.MiB)
    assert _run(["hog"]) == [str(2**30)], "each task sets the limit afresh"


@pytest.mark.slow  # waits out a time limit by design
def test_a_worker_that_dies_or_overruns_fails_its_own_file_only(cluster, monkeypatch):
    monkeypatch.setattr(limits, "PARSE_SECONDS", 1.0)
    monkeypatch.setattr(engines, "HARD_STOP_SECONDS", 2.0)
    assert _run(["a", "die", "b", "hang", "stuck", "c"]) == [
        ("die", "parser process died / 解析进程异常退出 (WorkerCrashedError)"),
        ("hang", "parse time limit exceeded / 解析超时 (1 s)"),
        ("stuck", "parser process died / 解析进程异常退出 (WorkerCrashedError)"),
        "A", "B", "C",
    ]  # fmt: skip


# ---------------------------------------------------------------- choosing the engine, naming inputs


def test_asking_for_ray_without_it_names_the_extra_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets where it is not installed
    (tmp_path / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    assert ingest_command([str(tmp_path)], str(tmp_path / "wh"), 1, engine="ray") == 2
    assert "install the ray extra" in capsys.readouterr().err
    assert not (tmp_path / "wh" / "CURRENT").exists()


def test_a_folder_on_another_filesystem_is_fetched_into_the_warehouse(tmp_path):
    from pyarrow import fs

    (tmp_path / "bucket" / "2020").mkdir(parents=True)
    (tmp_path / "bucket" / "2020" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    remote = fs.SubTreeFileSystem(str(tmp_path / "bucket"), fs.LocalFileSystem())  # stands in for s3://bucket
    fetched = engines.fetch(remote, "/", tmp_path / "wh" / "fetched" / "s3" / "bucket")
    assert (fetched / "2020" / SAMPLE.name).read_bytes() == SAMPLE.read_bytes()
    assert engines.localise([f"file://{tmp_path}/bucket", "plain/path"], tmp_path / "wh") == [f"{tmp_path}/bucket", "plain/path"]
