"""Scanned reports read by OCR: how their values' provenance is recognised and which reports they are.

The pipeline marks an OCR'd report by a `source_format` ending in `+ocr` (`pdf+ocr`) and
each OCR'd value by a `source` starting `ocr ` (`ocr page 3 table 2 row 7 col 4 conf 0.97`),
with ` corrected from 8 (T3-ROW)` appended where the template's arithmetic replaced a
misread digit. The dashboard reads only these stored strings, never the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from warehouse.filters import Filters, selection
from warehouse.schema import FACT_TABLES
from warehouse.sql import frame, literals

FORMAT_SUFFIX = "+ocr"
SOURCE_PREFIX = "ocr "
CORRECTED = " corrected from "
#: SQL: a report read from page images.
SCANNED = f"source_format LIKE '%{FORMAT_SUFFIX}'"


def is_ocr_format(source_format: str | None) -> bool:
    """Whether a report was read from page images."""
    return bool(source_format) and source_format.endswith(FORMAT_SUFFIX)


def base_format(source_format: str | None) -> str | None:
    """The file's own format (`pdf` of `pdf+ocr`)."""
    return source_format.removesuffix(FORMAT_SUFFIX) if source_format else source_format


def is_ocr_source(source: str | None) -> bool:
    """Whether a value was read by OCR."""
    return bool(source) and source.startswith(SOURCE_PREFIX)


def is_corrected(source: str | None) -> bool:
    """Whether the template's arithmetic replaced the OCR's first reading of a value."""
    return is_ocr_source(source) and CORRECTED in source


def ocr_reports(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """The selection's OCR'd reports with how many of their values were read by OCR and how many corrected
    (counted once per publish: `ocr_counts`)."""
    sql = f"""
        SELECT i.agency_name, i.year, i.source_file, i.source_format, i.report_id,
            coalesce(c.ocr_values, 0) AS ocr_values, coalesce(c.corrected, 0) AS corrected
        FROM report_index i LEFT JOIN ocr_counts c USING (report_id)
        WHERE {SCANNED} AND {selection(filters)}
        ORDER BY i.agency_name, i.year, i.source_file
    """
    return frame(con, sql, filters.params())


def counts(report_ids: Sequence[str]) -> str:
    """SQL: for each of these (stored) reports, how many of its values OCR read and how many of those the
    template's arithmetic corrected. The ids are written into the statement, which the fact tables'
    scans filter on as they read: a join with the same reports read every fact's id and source first
    (12 s at 100,000 reports, 100 s at a million)."""
    ids = literals(report_ids)
    union = " UNION ALL ".join(f"SELECT report_id, source FROM {t} WHERE report_id IN ({ids})" for t in FACT_TABLES.values())
    ocr = f"starts_with(source, '{SOURCE_PREFIX}')"
    return (f"SELECT report_id, count(*) FILTER (WHERE {ocr})::INTEGER AS ocr_values, "
            f"count(*) FILTER (WHERE {ocr} AND contains(source, '{CORRECTED}'))::INTEGER AS corrected "
            f"FROM ({union}) GROUP BY report_id")  # fmt: skip
