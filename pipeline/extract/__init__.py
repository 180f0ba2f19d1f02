"""Extraction: a `Document` (any form) becomes the keys.md `Record`.

The public entry points take bytes or a path, so callers (CLI, ingest, demo
round-trip, dashboard uploads) never touch a file format themselves.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document, Paragraph
from pipeline.errors import ReportError
from pipeline.extract.figures import extract_figures
from pipeline.extract.identity import identify
from pipeline.extract.proof import prove
from pipeline.extract.script import as_printed, simplified
from pipeline.extract.tables import extract_tables
from pipeline.readers import ocr_text, read_bytes, read_file
from pipeline.readers.ocr import OcrDocument
from pipeline.record import Record
from pipeline.template import normalise
from pipeline.validate import validate

#: 0.2: crawled copies (issue 13): pipes, OpenCC, site chrome, partial records;
#: 0.2.1: numbers grouped by thousands, typeset minus signs, letter-spaced copies, pages saved as UTF-16,
#: rows read only where their sums or their borders hold, more title wordings, 序号 and 备注 columns.
PARSER_VERSION = "0.2.1"


def extract_document(doc: Document) -> Record:
    """Identity, tables, text figures and findings of one read document."""
    record = Record(source=doc.source, format=doc.format)
    ocr_text.repair(doc)  # zeros and letters that someone else's OCR left in numbers (issue 15)
    printed, doc = doc, simplified(doc)
    record.script = doc.script
    titled = identify(doc, record)
    if doc is not printed and record.agency:
        record.agency_as_printed = as_printed(printed, record.agency)
    extract_tables(doc, record)
    if isinstance(printed, OcrDocument):  # scans (issue 15): OCR'd numbers proven by the arithmetic
        prove(record, printed.readings)
    if not titled and not record.values and not record.candidates and record.template_version == "unknown":
        raise ReportError(
            doc.source, "not a disclosure report: no report title and none of Tables 二/三/四 found / 未找到年报标题与表格"
        )
    extract_figures(doc, record)
    narrative = normalise("".join(b.text for b in doc.blocks if isinstance(b, Paragraph)))
    record.findings = validate(record, narrative)
    return record


def extract_bytes(data: bytes, source: str) -> Record:
    """Read and extract one report held in memory."""
    return extract_document(read_bytes(data, source))


def extract_path(path: str | Path) -> Record:
    """Read and extract one report from disk."""
    return extract_document(read_file(path))
