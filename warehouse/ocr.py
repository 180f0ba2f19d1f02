"""Scanned reports read by OCR: how their values' provenance is recognised and which reports they are.

The pipeline marks an OCR'd report by a `source_format` ending in `+ocr` (`pdf+ocr`) and
each OCR'd value by a `source` starting `ocr ` (`ocr page 3 table 2 row 7 col 4 conf 0.97`),
with ` corrected from 8 (T3-ROW)` appended where the template's arithmetic replaced a
misread digit. The dashboard reads only these stored strings, never the pipeline.
"""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.filters import Filters, selection
from warehouse.schema import FACT_TABLES
from warehouse.sql import frame

FORMAT_SUFFIX = "+ocr"
SOURCE_PREFIX = "ocr "
CORRECTED = " corrected from "


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
    """The selection's OCR'd reports with how many of their values were read by OCR and how many corrected."""
    union = " UNION ALL ".join(f"SELECT report_id, source FROM {table}" for table in FACT_TABLES.values())
    sql = f"""
        WITH scanned AS (
            SELECT i.report_id, i.agency_name, i.year, i.source_file, i.source_format FROM report_index i
            WHERE i.source_format LIKE '%' || $suffix AND {selection(filters)}
        ), counted AS (
            SELECT f.report_id, count(*) FILTER (WHERE starts_with(f.source, $prefix))::INTEGER AS ocr_values,
                count(*) FILTER (WHERE starts_with(f.source, $prefix) AND contains(f.source, $corrected))::INTEGER
                    AS corrected
            FROM ({union}) f SEMI JOIN scanned s USING (report_id) GROUP BY f.report_id
        )
        SELECT s.agency_name, s.year, s.source_file, s.source_format, s.report_id,
            coalesce(c.ocr_values, 0) AS ocr_values, coalesce(c.corrected, 0) AS corrected
        FROM scanned s LEFT JOIN counted c USING (report_id) ORDER BY s.agency_name, s.year, s.source_file
    """
    params = filters.params() | {"suffix": FORMAT_SUFFIX, "prefix": SOURCE_PREFIX, "corrected": CORRECTED}
    return frame(con, sql, params)
