"""One report's file to its warehouse rows: the pure step a parse worker (pool or Ray task) runs.

A worker reads one file, extracts its record and turns it into plain rows, one tuple per row in
the schema's order, per table (warehouse.schema): its report row, every value as reported,
ambiguous or derived (stored apart), and its validation findings. Any failure becomes a
quarantine reason, so one bad file never stops a batch. Kept apart from pipeline.ingest so a
worker imports only what parsing needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pipeline.extract
from pipeline import limits
from pipeline.errors import ReportError
from pipeline.readers import read_bytes
from pipeline.record import Record
from warehouse import regions
from warehouse.derive import derive
from warehouse.schema import FACT_TABLES, STAGED_TABLES


@dataclass(frozen=True)
class Task:
    """One file to read, with what its report row needs besides the record."""

    path: str
    report_id: str
    synthetic: bool
    ingested_at: datetime
    parser_version: str


@dataclass
class Parsed:
    """The rows of one report, per table, each row a tuple in schema order."""

    report_id: str
    agency_id: str
    unsettled: bool
    rows: dict[str, list[tuple]]
    text: str = ""  # the document's text as read, kept by `warehouse.sources` for the 单位画像 page


@dataclass
class Failed:
    """A file that could not be ingested, and why."""

    report_id: str
    reason: str


def split_key(key: str) -> tuple[str, str, str | None]:
    """The fact table, row part and column part of a canonical key."""
    prefix, _, rest = key.partition(".")
    if prefix == "t4":
        proceeding, _, outcome = rest.rpartition("_")
        return FACT_TABLES[prefix], proceeding, outcome
    row, _, column = rest.partition(".")
    return FACT_TABLES[prefix], row, column or None


def record_rows(record: Record, task: Task, size: int) -> Parsed:
    """Every row one record contributes: its report, its values (as reported, ambiguous,
    and derived beside them) and its validation findings."""
    if record.year is None:
        raise ReportError(record.source, "no report year found / 未识别报告年度")
    if not record.agency:
        raise ReportError(record.source, "no issuing body found / 未识别发布机关")
    body = regions.agency_id(record.agency)
    head = (task.report_id, body, record.year)
    rows: dict[str, list[tuple]] = {table: [] for table in STAGED_TABLES}

    def fact(key: str, value: float | None, raw: str | None, status: str, source: str | None) -> None:
        table, row_key, col_key = split_key(key)
        rows[table].append((*head, key, row_key, col_key, value, raw, status, source))

    for key, cell in record.values.items():
        fact(key, cell.value, cell.raw, cell.status, cell.where)
    ambiguous = record.ambiguous
    for key, options in ambiguous.items():
        fact(key, None, "|".join(map(str, options)), "ambiguous", None)
    for key, (value, rule) in derive({key: cell.value for key, cell in record.values.items()}).items():
        fact(key, value, None, "derived", rule.formula)
    for f in record.findings:
        rows["findings"].append((*head, f.rule, f.severity, f.outcome, list(f.keys), f.message_zh, f.message_en, "report", None))
    rows["reports"].append(
        (task.report_id, body, record.agency, record.year, record.template_version, list(record.template_evidence),
         Path(task.path).name, task.path, record.format, size, task.ingested_at, task.parser_version,
         task.synthetic or record.synthetic,
         False, len(record.values), len(ambiguous))
    )
    return Parsed(task.report_id, body, bool(ambiguous), rows)


def read_record(task: Task) -> tuple[Record, int, str]:
    """The extraction record of one file, the file's size and its text as read."""
    data = Path(task.path).read_bytes()
    document = read_bytes(data, Path(task.path).name)
    return pipeline.extract.extract_document(document), len(data), document.text()


def parse(task: Task) -> Parsed | Failed:
    """Worker: one file to rows; any failure becomes a quarantine reason, so the batch goes on."""
    try:
        record, size, text = read_record(task)
        parsed = record_rows(record, task, size)
        parsed.text = text
        return parsed
    except ReportError as exc:
        return Failed(task.report_id, exc.reason)
    except MemoryError:  # the worker's allowance (limits.WORKER_MEMORY_BYTES), not a bug
        return Failed(task.report_id, limits.memory_limit_reason())
    except Exception as exc:  # an extractor bug must not stop the batch: quarantine it with the cause
        return Failed(task.report_id, f"extractor failed: {type(exc).__name__}: {exc}")


def reread(task: Task) -> tuple[Task, Record, int] | None:
    """Worker: the record of a file read before (None if it no longer reads)."""
    try:
        record, size, _text = read_record(task)
        return task, record, size
    except Exception:  # it was read once; a reader failing now only loses the cross-year narrowing
        return None
