"""Every bad input has a defined outcome, end to end: through `extract_bytes`, and in an ingest
batch mixed with good reports, where the good ones land exactly as they read alone and each
bad one is quarantined with its reason. Never a crash, a hang, or damage to the batch.

The inputs and their expected outcomes are listed in `badinputs.CASES`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import signal
from pathlib import Path

import pytest

from conftest import CORPUS
from hardening.badinputs import CASES, build_pdf, data_of, good_reports, matches, pdf_flate_bomb, pdf_pages, sample, text_at
from pipeline import limits
from pipeline.errors import ReportError
from pipeline.extract import extract_bytes
from pipeline.ingest import ingest
from pipeline.pool import run_pool
from warehouse import store


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_input_has_its_defined_outcome(case) -> None:
    data = data_of(case.name)
    if case.expects_record:
        record = extract_bytes(data, case.name)
        assert record.source == case.name and record.values and record.agency and record.year
    else:
        with pytest.raises(ReportError) as caught:
            extract_bytes(data, case.name)
        error = caught.value
        assert error.source == case.name and str(error) == f"{case.name}: {error.reason}", "the message names the file"
        assert matches(case, error.reason), f"{case.name}: {error.reason!r} does not match {case.error!r}"
        assert re.search(r"[\u4e00-\u9fff]", error.reason) and re.search(r"[a-z]", error.reason), "English and Chinese"


@pytest.mark.parametrize("variant", ["sample-gbk.txt", "sample-utf16.txt", "sample-utf8-bom.txt", "sample-crlf.txt"])
def test_other_encodings_read_exactly_as_utf8(variant: str) -> None:
    expected = extract_bytes(sample(), "sample.txt").to_json()
    got = extract_bytes(data_of(variant), "sample.txt").to_json()
    assert got == expected


def test_the_same_report_twice_reads_the_same() -> None:
    assert extract_bytes(sample(), "a.txt").to_json() == extract_bytes(sample(), "a.txt").to_json()


# ---------------------------------------------------------------- in an ingest batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One ingest of every case, the good reports, a second copy of one, and the corpus where present."""
    root = tmp_path_factory.mktemp("batch")
    folder = root / "in"
    folder.mkdir()
    for case in CASES:
        (folder / case.name).write_bytes(data_of(case.name))
    good = good_reports()
    for name, data in good.items():
        (folder / name).write_bytes(data)
    (folder / "sample-again.txt").write_bytes(sample())
    usable = (p for p in CORPUS.glob("*") if p.suffix != ".tsv" and "blank_template" not in p.name)
    corpus = sorted(p.name for p in usable) if CORPUS.exists() else []
    for name in corpus:
        shutil.copyfile(CORPUS / name, folder / f"corpus-{name}")
    summary = ingest([folder], root / "wh", workers=2, progress=False)
    return {"folder": folder, "wh": root / "wh", "summary": summary, "good": good, "corpus": corpus}


def _rows(warehouse: Path, sql: str, *params) -> list[tuple]:
    with store.connect(warehouse) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.mark.slow
def test_bad_files_are_quarantined_with_their_reason(batch: dict) -> None:
    quarantined = {path.name: reason for path, reason in batch["summary"].quarantined}
    expected = {case.name for case in CASES if not case.expects_record}
    assert set(quarantined) == expected
    case_of = {case.name: case for case in CASES}
    wrong = {name: reason for name, reason in quarantined.items() if not matches(case_of[name], reason)}
    assert wrong == {}
    assert dict(_rows(batch["wh"], "SELECT source_file, reason FROM quarantine")) == quarantined


@pytest.mark.slow
def test_good_files_land_beside_them(batch: dict) -> None:
    """Every good file lands once per distinct content: the sample's copies (sample-again.txt, and
    the corpus's seed file where present) are the same report, so all but one are unchanged."""
    summary = batch["summary"]
    same_bytes = {"sample.txt", "sample-again.txt"}
    if "seed_sunjiatuan_2020.txt" in batch["corpus"]:
        same_bytes.add("corpus-seed_sunjiatuan_2020.txt")
    good = set(batch["good"]) | {case.name for case in CASES if case.expects_record} | same_bytes
    good |= {f"corpus-{n}" for n in batch["corpus"]}
    landed = {p.name for p in summary.ingested}
    unchanged = {p.name for p in summary.unchanged}
    assert landed | unchanged == good and not landed & unchanged
    assert len(landed & same_bytes) == 1 and unchanged == same_bytes - landed
    assert {name for (name,) in _rows(batch["wh"], "SELECT source_file FROM reports")} == landed


@pytest.mark.slow
def test_good_reports_hold_exactly_what_they_read_alone(batch: dict) -> None:
    """Nothing in the batch disturbs a good report: its facts equal a lone extraction's values."""
    for name, data in batch["good"].items():
        alone = extract_bytes(data, name)
        expected = {key: cell.value for key, cell in alone.values.items()}
        rows = _rows(
            batch["wh"],
            "SELECT key, value FROM (SELECT * FROM t2_facts UNION ALL SELECT * FROM t3_facts UNION ALL SELECT * FROM t4_facts "
            "UNION ALL SELECT * FROM text_facts) WHERE report_id = ? AND status <> 'derived'",
            hashlib.sha256(data).hexdigest(),
        )
        assert dict(rows) == expected, name


@pytest.mark.slow
def test_a_report_missing_a_table_is_kept_as_a_partial_record_with_findings(batch: dict) -> None:
    per_table = dict(
        _rows(
            batch["wh"],
            "SELECT 't3', count(*) FROM t3_facts JOIN reports USING (report_id) "
            "WHERE source_file = 'no-table-3.html' AND status <> 'derived' "
            "UNION ALL SELECT 't4', count(*) FROM t4_facts JOIN reports USING (report_id) WHERE source_file = 'no-table-3.html'",
        )
    )
    assert per_table["t3"] == 0 and per_table["t4"] > 0
    findings = _rows(
        batch["wh"],
        "SELECT DISTINCT rule, outcome FROM findings JOIN reports USING (report_id) "
        "WHERE source_file = 'no-table-3.html' AND outcome <> 'pass' AND scope = 'report'",
    )
    assert sorted(findings) == [("T3-TEXT", "not_assessable"), ("TABLE-MISSING", "fail")]  # said, never an arithmetic error


@pytest.mark.slow
def test_the_same_report_twice(batch: dict) -> None:
    """The same bytes under two names are one report; the same report in other encodings is
    another file of the same body and year: kept, and flagged as a duplicate."""
    body = "威海市环翠区孙家疃街道"
    sample_rows = _rows(batch["wh"], "SELECT report_id, source_file, duplicate FROM reports WHERE agency_name = ?", body)
    assert [name for rid, name, _ in sample_rows if rid == hashlib.sha256(sample()).hexdigest()] != []
    assert len(sample_rows) == 5, "the sample once, and its four re-encodings"
    encodings = {"sample-gbk.txt", "sample-utf16.txt", "sample-utf8-bom.txt", "sample-crlf.txt"}
    assert encodings <= {name for _, name, _ in sample_rows}
    assert all(duplicate for _, _, duplicate in sample_rows)
    others = "SELECT count(*) FROM reports WHERE duplicate AND agency_name <> ? AND source_file LIKE 'demo-%'"
    assert _rows(batch["wh"], others, body) == [(0,)]


@pytest.mark.slow
def test_the_same_batch_again_changes_nothing(batch: dict) -> None:
    before = store.current_id(batch["wh"])
    again = ingest([batch["folder"]], batch["wh"], workers=2, progress=False)
    assert store.current_id(batch["wh"]) == before and again.snapshot == before
    assert len(again.quarantined) == len(batch["summary"].quarantined)
    assert again.counts["ingested"] == again.counts["replaced"] == 0


# ---------------------------------------------------------------- the ingest workers' limits


def _limit_batch(folder: Path, name: str, data: bytes) -> Path:
    """A batch of one file that breaks a limit and one good report."""
    folder.mkdir()
    (folder / name).write_bytes(data)
    (folder / "sample.txt").write_bytes(sample())
    return folder


def _quarantined_alone(summary, tmp_path: Path) -> dict[str, str]:
    """The batch went on: the good report landed alone; the reasons of the quarantined files."""
    assert [p.name for p in summary.ingested] == ["sample.txt"]
    assert _rows(tmp_path / "wh", "SELECT source_file FROM reports") == [("sample.txt",)]
    return {p.name: r for p, r in summary.quarantined}


@pytest.mark.slow
def test_the_time_limit_quarantines_the_file_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One limit at a time: a PDF that takes ~6 s to read (little memory) against 1.5 s; memory stays at its default."""
    lines = b"".join(text_at(280 - 6 * i, b"line %d of a long report" % i) for i in range(40))
    folder = _limit_batch(tmp_path / "in", "slow.pdf", build_pdf(pdf_pages(limits.MAX_PAGES, lines)))
    monkeypatch.setattr(limits, "PARSE_SECONDS", 1.5)
    summary = ingest([folder], tmp_path / "wh", workers=2, progress=False)
    assert _quarantined_alone(summary, tmp_path) == {"slow.pdf": "parse time limit exceeded / 解析超时 (1.5 s)"}


@pytest.mark.slow
def test_the_memory_limit_quarantines_the_file_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One limit at a time: 200 KB inflating to 200 MB (~600 MB to read) against 400 MB, with minutes to do it."""
    folder = _limit_batch(tmp_path / "in", "bomb.pdf", pdf_flate_bomb(200 * 2**20))
    monkeypatch.setattr(limits, "WORKER_MEMORY_BYTES", 400 * 2**20)
    monkeypatch.setattr(limits, "PARSE_SECONDS", 600.0)
    summary = ingest([folder], tmp_path / "wh", workers=2, progress=False)
    # PDFium inflates the stream in C and aborts the worker where it cannot allocate: the file is still
    # quarantined alone, under the signal that ended its worker
    assert _quarantined_alone(summary, tmp_path) == {"bomb.pdf": limits.worker_died_reason(-signal.SIGABRT)}


@pytest.mark.slow  # waits out a time limit by design
def test_a_worker_that_dies_or_hangs_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    from hardening.workloads import echo_or_die

    monkeypatch.setattr(limits, "PARSE_SECONDS", 1.0)
    tasks = ["a", "die", "b", "hang", "c", "die", "d"]
    results = list(
        run_pool(echo_or_die, tasks, workers=2, progress=False, desc="test", failed=lambda task, reason: (task, reason))
    )
    assert sorted(r for r in results if isinstance(r, str)) == ["A", "B", "C", "D"]
    failures = sorted(r for r in results if isinstance(r, tuple))
    assert failures == [
        ("die", "parser process died / 解析进程异常退出 (exit 9)"),
        ("die", "parser process died / 解析进程异常退出 (exit 9)"),
        ("hang", "parse time limit exceeded / 解析超时 (1 s)"),
    ]
