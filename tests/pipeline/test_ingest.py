"""Ingest is safe and repeatable: re-ingest, replacement, duplicates, quarantine, atomic publish."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

import pipeline.extract
from conftest import corpus_file, truth_of
from hardening.badinputs import sample
from hardening.loadkit import write_batch
from pipeline.__main__ import main
from pipeline.extract.identity import SYNTHETIC_MARKER
from pipeline.ingest import ingest, ingest_command
from warehouse import recovery, regions, snapshot_writer, store
from warehouse.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
SEED = "seed_sunjiatuan_2020.txt"


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def _cli(*args: str, warehouse: Path) -> Ran:
    """`python -m pipeline ingest …` through its entry point in this process (a new interpreter costs a
    second of imports; test_a_second_ingest_says_who_it_waits_for… runs the real command line)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["ingest", *args, "--warehouse", str(warehouse), "--workers", "2"])
    return Ran(status, out.getvalue(), err.getvalue())


def _copy(name: str, folder: Path, as_name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (as_name or name)
    shutil.copyfile(corpus_file(name), target)
    return target


def _rows(warehouse: Path, sql: str, *params) -> list[tuple]:
    with store.connect(warehouse) as con:
        return con.execute(sql, list(params)).fetchall()


def _value(warehouse: Path, source_path: Path, key: str) -> float | None:
    rows = _rows(
        warehouse,
        "SELECT value FROM text_facts JOIN reports USING (report_id) "
        "WHERE source_path = ? AND key = ? AND status = 'reported'",
        str(source_path), key,
    )
    return rows[0][0] if rows else None


def test_the_same_file_ingested_twice_adds_nothing(tmp_path):
    seed = _copy(SEED, tmp_path / "in")
    warehouse = tmp_path / "wh"
    first = ingest([seed], warehouse, workers=1, progress=False)
    assert first.counts == {"ingested": 1, "unchanged": 0, "replaced": 0, "quarantined": 0}
    tables = {t: _rows(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in ("reports", "t3_facts", "findings")}

    again = ingest([tmp_path / "in"], warehouse, workers=1, progress=False)
    assert again.counts == {"ingested": 0, "unchanged": 1, "replaced": 0, "quarantined": 0}
    assert again.snapshot == first.snapshot, "nothing changed, so nothing is published"
    assert {t: _rows(warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in tables} == tables


def test_the_text_of_each_report_is_kept_for_the_profile_page(tmp_path):
    """Pages read a report's text through the warehouse (warehouse.sources), even once the file is gone."""
    from warehouse import sources

    html = corpus_file("shanghai_shizhengfu_bgt_2019_fragment.html")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(html, folder / html.name)
    ingest([folder], tmp_path / "wh", workers=1, progress=False)
    ((report_id, source_format),) = _rows(tmp_path / "wh", "SELECT report_id, source_format FROM reports")
    (folder / html.name).unlink()
    text = sources.source_text(report_id, str(folder / html.name), source_format, tmp_path / "wh")
    assert "规章" in text and "<td" not in text  # the document's text as read, not the page's markup


def test_the_same_bytes_under_another_name_are_the_same_report(tmp_path):
    seed = _copy(SEED, tmp_path / "in")
    copy = _copy(SEED, tmp_path / "in", "copy_of_seed.txt")
    summary = ingest([seed, copy], tmp_path / "wh", workers=1, progress=False)
    assert summary.counts == {"ingested": 1, "unchanged": 1, "replaced": 0, "quarantined": 0}
    assert _rows(tmp_path / "wh", "SELECT count(*), bool_or(duplicate) FROM reports") == [(1, False)]


def test_a_changed_file_replaces_its_earlier_version(tmp_path):
    seed = _copy(SEED, tmp_path / "in")
    warehouse = tmp_path / "wh"
    ingest([seed], warehouse, workers=1, progress=False)
    assert _value(warehouse, seed, "text.channel.website") == 106
    old_id = _rows(warehouse, "SELECT report_id FROM reports")[0][0]

    text = seed.read_text(encoding="utf-8")
    assert "政府网站公开信息数106条" in text
    seed.write_text(text.replace("政府网站公开信息数106条", "政府网站公开信息数107条"), encoding="utf-8")
    summary = ingest([seed], warehouse, workers=1, progress=False)

    assert summary.counts == {"ingested": 0, "unchanged": 0, "replaced": 1, "quarantined": 0}
    assert _value(warehouse, seed, "text.channel.website") == 107
    reports = _rows(warehouse, "SELECT report_id FROM reports")
    assert len(reports) == 1 and reports[0][0] != old_id
    assert _rows(warehouse, "SELECT count(*) FROM t3_facts WHERE report_id = ?", old_id) == [(0,)]


def test_two_files_for_the_same_body_and_year_are_both_kept_and_flagged(tmp_path):
    html = _copy("pingtan_syq_2019.html", tmp_path / "in")
    pdf = _copy("pingtan_syq_2019.pdf", tmp_path / "in")
    warehouse = tmp_path / "wh"
    summary = ingest([tmp_path / "in"], warehouse, workers=2, progress=False)

    assert summary.counts["ingested"] == 2 and summary.duplicates == 2
    reports = _rows(warehouse, "SELECT source_file, agency_name, year, duplicate, report_id FROM reports ORDER BY 1")
    expected = [(html.name, "平潭综合实验区", 2019, True), (pdf.name, "平潭综合实验区", 2019, True)]
    assert [r[:4] for r in reports] == sorted(expected)
    ids = {r[0]: r[4] for r in reports}
    flagged = _rows(warehouse, "SELECT report_id, related_report_id FROM findings WHERE rule = 'DUPLICATE-REPORT'")
    assert sorted(flagged) == sorted([(ids[html.name], ids[pdf.name]), (ids[pdf.name], ids[html.name])])
    # never merged: each keeps its own values
    counts = _rows(warehouse, "SELECT report_id, count(*) FROM t3_facts WHERE status = 'reported' GROUP BY 1")
    assert len(counts) == 2


def test_a_corrected_report_retires_the_named_earlier_version_in_the_same_publish(tmp_path):
    warehouse = tmp_path / "wh"
    ingest([_copy("pingtan_syq_2019.html", tmp_path / "a")], warehouse, workers=1, progress=False)
    (old_id,) = _rows(warehouse, "SELECT report_id FROM reports")[0]
    pdf = _copy("pingtan_syq_2019.pdf", tmp_path / "b")
    summary = ingest([pdf], warehouse, workers=1, progress=False, retire=[old_id, "0" * 64])

    assert summary.retired == [old_id] and summary.counts["ingested"] == 1 and summary.duplicates == 0
    assert _rows(warehouse, "SELECT source_file, year FROM reports") == [(pdf.name, 2019)]
    assert _rows(warehouse, "SELECT count(*) FROM t3_facts WHERE report_id = ?", old_id) == [(0,)]
    assert _rows(warehouse, "SELECT count(*) FROM findings WHERE rule = 'DUPLICATE-REPORT'") == [(0,)]
    alone = ingest([], warehouse, workers=1, progress=False, retire=[_rows(warehouse, "SELECT report_id FROM reports")[0][0]])
    assert len(alone.retired) == 1 and _rows(warehouse, "SELECT count(*) FROM reports") == [(0,)]


def test_failures_go_to_quarantine_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    seed = _copy(SEED, folder)
    blank = _copy("blank_template_2021.docx", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.txt").write_text("会议纪要\n今天开会。", encoding="utf-8")
    warehouse = tmp_path / "wh"

    done = _cli(str(folder), warehouse=warehouse)
    assert done.returncode == 0, done.stderr
    assert "ingested 1, unchanged 0, replaced 0, quarantined 3" in done.stdout
    quarantine = dict(_rows(warehouse, "SELECT source_file, reason FROM quarantine"))
    assert set(quarantine) == {blank.name, "empty.txt", "notes.txt"}
    assert all(reason for reason in quarantine.values())
    assert _rows(warehouse, "SELECT source_file FROM reports") == [(seed.name,)]

    # a quarantined file that becomes readable leaves the quarantine
    shutil.copyfile(corpus_file("pingtan_syq_2022.txt"), folder / "notes.txt")
    ingest([folder], warehouse, workers=2, progress=False)
    assert {r[0] for r in _rows(warehouse, "SELECT source_file FROM quarantine")} == {blank.name, "empty.txt"}
    assert ("notes.txt", 2022) in _rows(warehouse, "SELECT source_file, year FROM reports")


def test_exit_status_is_1_when_nothing_could_be_written(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    done = _cli(str(folder), warehouse=tmp_path / "wh")
    assert done.returncode == 1
    assert "quarantined 1" in done.stdout and "empty.txt" in done.stdout
    assert _cli(str(tmp_path / "nothing-here"), warehouse=tmp_path / "wh").returncode == 1


def test_a_new_parser_version_reparses_and_replaces(tmp_path, monkeypatch):
    seed = _copy(SEED, tmp_path / "in")
    warehouse = tmp_path / "wh"
    ingest([seed], warehouse, workers=1, progress=False)
    monkeypatch.setattr(pipeline.extract, "PARSER_VERSION", "test-next", raising=False)
    summary = ingest([seed], warehouse, workers=1, progress=False)
    assert summary.counts["replaced"] == 1
    assert _rows(warehouse, "SELECT parser_version, count(*) FROM reports GROUP BY 1") == [("test-next", 1)]


def test_undecided_cells_are_settled_by_a_later_batch_of_the_same_body(tmp_path):
    """The 2019 scraped text alone leaves Table 二 splits open; the 2020 report decides them,
    whether it arrives in the same batch or a later one."""
    warehouse = tmp_path / "wh"
    first = _copy("pingtan_syq_2019.txt", tmp_path / "in")
    ingest([first], warehouse, workers=1, progress=False)
    key = "t2.admin_licensing.prior_year_items"
    truth = truth_of("pingtan_syq_2019.json")
    before = _rows(warehouse, "SELECT status FROM t2_facts WHERE key = ?", key)
    assert before == [("ambiguous",)]

    summary = ingest([_copy("pingtan_syq_2020.txt", tmp_path / "in")], warehouse, workers=1, progress=False)
    assert summary.resettled == 1
    after = _rows(
        warehouse,
        "SELECT value, status FROM t2_facts WHERE key = ? AND year = 2019",
        key,
    )
    assert after == [(truth["values"][key], "reported")]


def _slow_batch(folder: Path, n: int) -> None:
    """n distinct copies of the seed (an appended comment line makes each hash differ)."""
    folder.mkdir(parents=True)
    data = corpus_file(SEED).read_bytes()
    for i in range(n):
        (folder / f"copy_{i:03d}.txt").write_bytes(data + f"\n<!-- copy {i} -->\n".encode())


def _snapshot_state(warehouse: Path) -> tuple[str | None, list[tuple]]:
    return store.current_id(warehouse), _rows(warehouse, "SELECT report_id, source_file FROM reports ORDER BY 1")


def _log_entries(warehouse: Path, table: str) -> int:
    folder = store.table_path(warehouse, table) / "_delta_log"
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


#: Where a batch can be killed, told by what it has written: staged rows, then one commit per table
#: (reports first, findings after the fact tables, quarantine last), then its pointer file.
MOMENTS = {
    "parsing": lambda wh, logs: (wh / store.WORK / "staging").exists(),
    "between two tables' commits": lambda wh, logs: _log_entries(wh, "reports") > logs["reports"],
    "after the findings' commit": lambda wh, logs: _log_entries(wh, "findings") > logs["findings"],
    "at the pointer": lambda wh, logs: len(list((wh / store.POINTERS).glob("*"))) > logs["pointers"],
}


def _everything(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every table, less the moment of ingest (which differs between two runs)."""
    with store.connect(warehouse) as con:
        return {table: sorted(con.execute(f"SELECT * EXCLUDE (ingested_at) FROM {table}" if table == "reports"
                                          else f"SELECT * FROM {table}").fetchall(), key=repr)
                for table in TABLES}  # fmt: skip


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, list[tuple]], Path]:
    """The seed and the 120-copy batch ingested without a kill: what a killed run redone must reach."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    warehouse = folder / "wh"
    ingest([_copy(SEED, folder / "first")], warehouse, workers=1, progress=False)
    _slow_batch(folder / "batch", 120)
    ingest([folder / "batch"], warehouse, workers=2, progress=False)
    return _everything(warehouse), folder


@pytest.mark.slow
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_an_ingest_killed_midway_leaves_the_previous_warehouse_intact(tmp_path, moment, uninterrupted):
    expected, reference = uninterrupted
    warehouse = tmp_path / "wh"
    ingest([_copy(SEED, reference / "first")], warehouse, workers=1, progress=False)
    before = _snapshot_state(warehouse)
    logs = {table: _log_entries(warehouse, table) for table in ("reports", "findings")}
    logs["pointers"] = len(list((warehouse / store.POINTERS).glob("*")))

    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "ingest", str(reference / "batch"), "--warehouse", str(warehouse), "--workers", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not MOMENTS[moment](warehouse, logs) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    with contextlib.suppress(ProcessLookupError):  # it may have finished first on a fast machine
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    after = _snapshot_state(warehouse)
    if moment == "parsing":
        assert after == before, "a batch killed while parsing must not show"
    else:  # killed while committing: either nothing shows or the whole batch does, never a part
        assert after == before or len(after[1]) == 121
    with store.connect(warehouse) as con:  # every table of the pointer readers use reads
        for table in TABLES:
            con.execute(f"SELECT count(*) FROM {table}").fetchall()

    finished = ingest([reference / "batch"], warehouse, workers=2, progress=False)
    assert finished.counts["ingested"] + finished.counts["unchanged"] == 120
    assert _everything(warehouse) == expected, "the redone batch reaches the uninterrupted one's rows, row for row"
    assert not (warehouse / store.WORK).exists() and not list(warehouse.glob("*.tmp")), "leftovers are cleaned"
    assert len(list((warehouse / store.POINTERS).iterdir())) <= 2


@pytest.mark.slow
def test_readers_see_the_old_snapshot_or_the_new_never_a_mixture(tmp_path):
    warehouse = tmp_path / "wh"
    ingest([_copy(SEED, tmp_path / "first")], warehouse, workers=1, progress=False)
    _slow_batch(tmp_path / "batch", 40)
    seen: set[int] = set()
    torn: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            with store.connect(warehouse) as con:
                reports = con.execute("SELECT count(*) FROM reports").fetchall()[0][0]
                orphans = con.execute(
                    "SELECT count(*) FROM t3_facts WHERE report_id NOT IN (SELECT report_id FROM reports)"
                ).fetchall()[0][0]
            seen.add(reports)
            if orphans:
                torn.append(f"{orphans} facts without their report")

    reader = threading.Thread(target=read)
    reader.start()
    try:
        ingest([tmp_path / "batch"], warehouse, workers=2, progress=False)
        time.sleep(0.2)
    finally:
        stop.set()
        reader.join()
    assert not torn
    assert seen <= {1, 41} and 41 in seen


def test_only_two_pointers_are_kept_and_vacuum_leaves_only_their_files(tmp_path, monkeypatch):
    monkeypatch.setenv(recovery.RETAIN_ENV, "0")
    warehouse = tmp_path / "wh"
    seed = _copy(SEED, tmp_path / "in")
    ids = []
    for i in range(3):
        seed.write_bytes(corpus_file(SEED).read_bytes() + b" " * i)
        ids.append(ingest([seed], warehouse, workers=1, progress=False).snapshot)
    kept = sorted(p.stem for p in (warehouse / store.POINTERS).iterdir())
    assert kept == sorted(ids[1:]), "the current and the previous pointer are kept"
    pointers = [json.loads((warehouse / store.POINTERS / f"{pid}.json").read_text(encoding="utf-8")) for pid in kept]
    needed = {Path(uri) for p in pointers for table in TABLES
              for uri in store.version_files(warehouse, table, p["versions"][table])}  # fmt: skip
    on_disk = set((warehouse / store.TABLES_DIR).rglob("*.parquet"))
    assert on_disk == needed, "every file a kept pointer names is there, and nothing else"
    assert json.loads((warehouse / store.CURRENT).read_text(encoding="utf-8"))["previous"] == ids[1]


def test_editing_the_override_csv_republishes_the_agencies(tmp_path):
    seed = _copy(SEED, tmp_path / "in")
    warehouse = tmp_path / "wh"
    first = ingest([seed], warehouse, workers=1, progress=False)
    overrides = "name,division_code,kind,level\n威海市环翠区孙家疃街道,,other,\n"
    (warehouse / "agency_overrides.csv").write_text(overrides, encoding="utf-8")
    again = ingest([seed], warehouse, workers=1, progress=False)
    assert again.counts["unchanged"] == 1 and again.snapshot != first.snapshot
    assert _rows(warehouse, "SELECT kind, level, division_code FROM agencies") == [("other", "county", "371002")]


def test_demo_marker_flags_a_report_synthetic_even_in_a_plain_ingest(tmp_path):
    seed = corpus_file("seed_sunjiatuan_2020.txt").read_text(encoding="utf-8")
    marked = tmp_path / "reports" / "marked.txt"
    marked.parent.mkdir()
    marked.write_text(seed.replace("一、总体情况", f"{SYNTHETIC_MARKER}示例。\n一、总体情况", 1), encoding="utf-8")
    assert ingest_command([str(marked.parent)], str(tmp_path / "wh"), 1) == 0
    assert store.connect(tmp_path / "wh").execute("SELECT synthetic FROM reports").fetchall() == [(True,)]


# ---------------------------------------------------------------- a damaged or lost CURRENT


def _two_pointers(tmp_path: Path) -> tuple[Path, set[str], list[str]]:
    """A warehouse of two published batches: its report ids and its pointer ids."""
    warehouse = tmp_path / "wh"
    ingest(write_batch(tmp_path / "a", 0, 2), warehouse, workers=1, progress=False)
    ingest(write_batch(tmp_path / "b", 2, 2), warehouse, workers=1, progress=False)
    ids = {r for (r,) in _rows(warehouse, "SELECT report_id FROM reports")}
    return warehouse, ids, _pointer_ids(warehouse)


def _pointer_ids(warehouse: Path) -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in (warehouse / store.POINTERS).iterdir())


LOSE_CURRENT = {
    "missing": lambda current: current.unlink(),
    "empty": lambda current: current.write_bytes(b""),
    "blank": lambda current: current.write_text("\n", encoding="utf-8"),
}


@pytest.mark.parametrize("how", list(LOSE_CURRENT))
def test_a_lost_current_is_recovered_and_no_pointer_or_report_is_lost(tmp_path, how):
    warehouse, ids, pointers = _two_pointers(tmp_path)
    LOSE_CURRENT[how](warehouse / store.CURRENT)

    again = ingest([tmp_path / "a", tmp_path / "b"], warehouse, workers=1, progress=False)  # changes nothing
    assert again.recovered == pointers[-1] and again.snapshot == pointers[-1]
    assert _pointer_ids(warehouse) == pointers
    assert store.current_id(warehouse) == pointers[-1]

    LOSE_CURRENT[how](warehouse / store.CURRENT)
    done = _cli(*map(str, write_batch(tmp_path / "c", 4, 1)), warehouse=warehouse)
    assert done.returncode == 0, done.stderr
    assert f"recovered pointer {pointers[-1]}" in done.stderr
    after = {r for (r,) in _rows(warehouse, "SELECT report_id FROM reports")}
    assert ids < after and len(after) == 5


def _pointer(warehouse: Path, pointer_id: str) -> dict:
    return json.loads((warehouse / store.POINTERS / f"{pointer_id}.json").read_text(encoding="utf-8"))


def _delete_a_file_only_the_newest_lists(warehouse: Path, pointer_ids: list[str]) -> None:
    older, newer = (_pointer(warehouse, pid)["versions"]["reports"] for pid in pointer_ids)
    only = set(store.version_files(warehouse, "reports", newer)) - set(store.version_files(warehouse, "reports", older))
    Path(sorted(only)[0]).unlink()


DAMAGE_NEWEST = {
    "CURRENT missing, newest pointer truncated": lambda wh, pids: (
        (wh / store.CURRENT).unlink(), (wh / store.POINTERS / f"{pids[-1]}.json").write_text("{", encoding="utf-8")),
    "CURRENT names a missing pointer": lambda wh, pids: (wh / store.CURRENT).write_text(
        json.dumps({"id": "20990101T000000000000Z-deadbeef", "versions": dict.fromkeys(TABLES, 99)})),
    "CURRENT's parquet deleted": _delete_a_file_only_the_newest_lists,
}  # fmt: skip


@pytest.mark.parametrize("damage", list(DAMAGE_NEWEST))
def test_an_unclear_warehouse_is_refused_with_one_line_and_exit_3(tmp_path, damage):
    warehouse, _ids, pointers = _two_pointers(tmp_path)
    DAMAGE_NEWEST[damage](warehouse, pointers)
    current = (warehouse / store.CURRENT).read_bytes() if (warehouse / store.CURRENT).exists() else None
    versions = {table: _log_entries(warehouse, table) for table in TABLES}
    with pytest.raises(store.WarehouseDamaged):
        ingest([tmp_path / "a"], warehouse, workers=1, progress=False)
    done = _cli(str(tmp_path / "a"), warehouse=warehouse)
    assert done.returncode == 3
    assert done.stderr.startswith("error: warehouse damaged") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _pointer_ids(warehouse) == pointers, "nothing is deleted"
    assert {table: _log_entries(warehouse, table) for table in TABLES} == versions, "no table is touched"
    assert ((warehouse / store.CURRENT).read_bytes() if (warehouse / store.CURRENT).exists() else None) == current


def test_a_no_change_ingest_clears_what_a_killed_run_left_and_rolls_tables_back(tmp_path):
    warehouse, _ids, pointers = _two_pointers(tmp_path)
    current = pointers[-1]
    (warehouse / f"{store.CURRENT}.0badc0de.tmp").write_text("x")  # killed while swapping CURRENT
    (warehouse / store.POINTERS / f"{current}.json.0badc0de.tmp").write_text("x")  # ... or writing its pointer file
    (warehouse / store.WORK / "staging").mkdir(parents=True)  # ... or while staging rows
    with duckdb.connect() as con:  # ... or after committing a table, and its pointer file, before CURRENT
        row = "SELECT 'x.pdf' AS source_file, '/x.pdf' AS source_path, '0' AS content_hash, 'r' AS reason, now() AS at"
        snapshot_writer.commit(con, warehouse, "quarantine", row, None)
    unpublished = _pointer(warehouse, current) | {"id": "29990101T000000000000Z-0badc0de"}
    (warehouse / store.POINTERS / f"{unpublished['id']}.json").write_text(json.dumps(unpublished), encoding="utf-8")

    summary = ingest([tmp_path / "a", tmp_path / "b"], warehouse, workers=1, progress=False)
    assert summary.counts["unchanged"] == 4 and summary.snapshot == current and summary.recovered is None
    assert sorted(p.name for p in warehouse.iterdir()) == sorted(
        [store.CURRENT, store.LOCK, store.POINTERS, store.TABLES_DIR, "sources"])
    assert _pointer_ids(warehouse) == pointers
    assert snapshot_writer.rows(warehouse, "quarantine") == 0, "the table ahead is back at the pointer's version"


HOLD_LOCK = """
import sys, time
from pathlib import Path
from warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize("given", ["flag", "environment"])
def test_a_second_ingest_says_who_it_waits_for_and_gives_up_after_the_timeout(tmp_path, given):
    warehouse = tmp_path / "wh"
    warehouse.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(warehouse)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "r.txt").write_bytes(sample())
        args = [sys.executable, "-m", "pipeline", "ingest", str(tmp_path / "in"), "--warehouse", str(warehouse)]
        env = {**os.environ, "XXGK_LOCK_TIMEOUT": "600"}
        if given == "flag":
            args += ["--lock-timeout", "0.5"]
        else:
            env["XXGK_LOCK_TIMEOUT"] = "0.5"
        done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert f"waiting for another ingest (pid {holder.pid})" in done.stderr
    assert done.returncode == 4
    assert done.stderr.splitlines()[-1].startswith("error: another ingest (pid ")
    assert "Traceback" not in done.stderr and store.current_id(warehouse) is None


def test_a_retention_that_is_no_number_of_hours_stops_the_ingest_with_one_line(tmp_path, monkeypatch):
    warehouse, _ids, pointers = _two_pointers(tmp_path)
    monkeypatch.setenv(recovery.RETAIN_ENV, "a week")
    assert ingest_command([str(tmp_path / "a")], str(warehouse), 1) == 2
    with pytest.raises(ValueError, match="XXGK_RETAIN_HOURS"):
        ingest([tmp_path / "a"], warehouse, workers=1, progress=False)
    assert _pointer_ids(warehouse) == pointers


def test_a_crowded_year_partition_is_compacted_before_the_pointer_names_it(tmp_path, monkeypatch):
    plain, compacted = tmp_path / "plain", tmp_path / "compacted"
    batches = [write_batch(tmp_path / name, start, 2) for name, start in (("a", 0), ("b", 7), ("c", 14))]
    for batch in batches:
        ingest(batch, plain, workers=1, progress=False)
    monkeypatch.setattr(snapshot_writer, "COMPACT_FILES", 1)
    for batch in batches:
        ingest(batch, compacted, workers=1, progress=False)
    pointer = json.loads((compacted / store.CURRENT).read_text(encoding="utf-8"))
    files = [Path(uri).parent.name for uri in store.version_files(compacted, "t3_facts", pointer["versions"]["t3_facts"])]
    assert len(files) == len(set(files)), "one file per year partition"
    before = [Path(uri).parent.name for uri in store.status(plain).files["t3_facts"]]
    assert len(before) > len(set(before)), "without compaction a year holds a file per publish"
    for table in TABLES:
        assert _rows(compacted, f"SELECT count(*) FROM {table}") == _rows(plain, f"SELECT count(*) FROM {table}")
    assert pointer["versions"] == store.table_versions(compacted), "the pointer names the compacted versions"


def test_only_the_touched_bodies_are_placed_again_unless_the_regions_dataset_changed(tmp_path, monkeypatch):
    warehouse = tmp_path / "wh"
    bodies = [write_batch(tmp_path / "a", start, 1)[0] for start in (0, 7, 14)]  # a body's years are 7 in a row
    ingest(bodies, warehouse, workers=1, progress=False)
    before = _rows(warehouse, "SELECT * FROM agencies ORDER BY agency_id")
    assert len(before) == 3
    placed, place = [], regions.agencies_table

    def placing(bodies, overrides):
        placed.extend(bodies)
        return place(bodies, overrides)

    monkeypatch.setattr(regions, "agencies_table", placing)

    new = write_batch(tmp_path / "b", 1, 1)  # another year of the first body
    ingest(new, warehouse, workers=1, progress=False)
    (body,) = _rows(warehouse, "SELECT DISTINCT agency_id FROM reports WHERE source_path = ?", str(new[0]))
    assert [row[0] for row in placed] == [body[0]]
    after = _rows(warehouse, "SELECT * FROM agencies ORDER BY agency_id")
    assert [row for row in after if row[0] != body[0]] == [row for row in before if row[0] != body[0]]

    placed.clear()
    provenance = regions.provenance()
    monkeypatch.setattr(regions, "provenance", lambda: dataclasses.replace(provenance, version="another"))
    ingest(write_batch(tmp_path / "c", 2, 1), warehouse, workers=1, progress=False)
    assert sorted(row[0] for row in placed) == [row[0] for row in _rows(warehouse, "SELECT agency_id FROM agencies ORDER BY 1")]
    assert json.loads((warehouse / store.CURRENT).read_text(encoding="utf-8"))["regions"] == str(regions.provenance())
