"""The command line: readable summary, JSON record, and one-line errors with status 2."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from conftest import corpus_file
from pipeline import limits

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT)


def test_extract_json_is_the_keys_md_record_plus_findings():
    done = _run("extract", str(corpus_file("seed_sunjiatuan_2020.txt")), "--json")
    record = json.loads(done.stdout)
    assert list(record) == ["source", "agency", "year", "template_version", "values", "findings"]
    assert record["values"]["text.channel.website"] == 106


def test_extract_summary_is_readable():
    done = _run("extract", str(corpus_file("seed_sunjiatuan_2020.txt")))
    assert "威海市环翠区孙家疃街道" in done.stdout and "2019" in done.stdout


def test_unreadable_and_non_report_files_fail_in_one_line(tmp_path):
    for name, data in (("empty.txt", b""), ("notes.txt", "会议纪要\n今天开会。".encode()), ("bad.pdf", b"%PDF-1.4 garbage")):
        path = tmp_path / name
        path.write_bytes(data)
        done = _run("extract", str(path))
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and name in done.stderr
        assert "Traceback" not in done.stderr
    missing = _run("extract", str(tmp_path / "nope.docx"))
    assert missing.returncode == 2 and "nope.docx" in missing.stderr


def _run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env}
    )


def test_extract_stops_a_slow_file_at_the_parse_time_limit(tmp_path):
    from hardening.badinputs import build_pdf, pdf_pages, text_at

    lines = b"".join(text_at(280 - 6 * i, b"line %d of a long report" % i) for i in range(40))
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(build_pdf(pdf_pages(200, lines)))  # seconds to read, little memory
    done = _run_with({"XXGK_PARSE_SECONDS": "1"}, "extract", str(slow))
    assert done.returncode == 2
    assert done.stderr == "error: slow.pdf: parse time limit exceeded / 解析超时 (1 s)\n"


def test_extract_stops_a_memory_hungry_file_at_the_worker_memory_limit(tmp_path):
    from hardening.badinputs import pdf_flate_bomb

    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdf_flate_bomb(200 * 2**20))  # 200 KB inflating to 200 MB: ~600 MB to read
    done = _run_with({"XXGK_WORKER_MEMORY_MB": "400", "XXGK_PARSE_SECONDS": "600"}, "extract", str(bomb))
    assert done.returncode == 2
    # PDFium inflates in C and aborts where it cannot allocate: the worker's end is the reason given
    assert done.stderr == f"error: bomb.pdf: {limits.worker_died_reason(-signal.SIGABRT)}\n"
