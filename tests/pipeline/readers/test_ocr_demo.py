"""The demo's scanned reports read back through OCR with every value as the generator made it."""

from __future__ import annotations

import pytest

from pipeline.demo import reports
from pipeline.demo.render import render
from pipeline.evaluate import same
from pipeline.extract import extract_bytes
from pipeline.readers.ocr_engine import EngineMissing, recogniser

try:
    recogniser()
except EngineMissing as missing:
    pytest.skip(f"OCR engine not installed ({missing}); pip install rapidocr-onnxruntime", allow_module_level=True)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XXGK_OCR_CACHE", str(tmp_path / "ocr-cache"))


@pytest.mark.slow
@pytest.mark.parametrize("version", ["2019", "2021"])
def test_a_scanned_demo_report_reads_back_exactly(version: str) -> None:
    report = next(r for r in reports(1, "small") if r.plan.scanned and r.plan.version == version)
    data = render(report)
    record = extract_bytes(data, report.source)
    got = record.to_json()["values"]
    wrong = [f"{k}: expected {v!r}, got {got.get(k, 'absent')!r}" for k, v in report.values.items()
             if k not in got or not same(v, got[k])]
    assert wrong == []
    assert (record.agency, record.year, record.format) == (report.agency, report.plan.year, "pdf+ocr")
    assert any(v.where.startswith("ocr page ") for k, v in record.values.items() if k.startswith("t3."))
