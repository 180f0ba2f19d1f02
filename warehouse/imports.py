"""What an import did, in the user's words: the file names they uploaded, the bodies and years imported,
and the earlier reports of the same body and year a corrected upload may replace.

Uploads are stored under their content hash (pipeline.uploads), so the name the user gave is
kept beside them, one small file per upload in `<inbox>/.names/` (hidden: ingest never reads
it), and every message and list shows that name instead of the hash.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from warehouse.settings import warehouse_dir
from warehouse.sql import frame

NAMES = ".names"


def _names_dir(warehouse: str | os.PathLike[str] | None = None) -> Path:
    return warehouse_dir(warehouse) / "inbox" / NAMES


def remember_name(stored: Path, name: str, warehouse: str | os.PathLike[str] | None = None) -> None:
    """Keep the name the user uploaded `stored` under (the latest name wins for the same bytes)."""
    folder = _names_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stored.name}.txt").write_text(name, encoding="utf-8")


def uploaded_names(warehouse: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Stored file name → the name the user uploaded it under."""
    folder = _names_dir(warehouse)
    if not folder.is_dir():
        return {}
    return {p.name[: -len(".txt")]: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}


def with_uploaded_names(table: pl.DataFrame, column: str, names: dict[str, str]) -> pl.DataFrame:
    """`column` (a file name) replaced by the user's name where the file was uploaded."""
    if table.is_empty() or not names:
        return table
    return table.with_columns(pl.col(column).replace(names))


def imported(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> pl.DataFrame:
    """The bodies and years of these reports, with each one's earlier reports of the same body and
    year (`others`: list of report_id, `other_files`: their file names)."""
    sql = """
        SELECT n.report_id, n.agency_id, n.agency_name, n.year, n.source_file,
            list(o.report_id ORDER BY o.source_file) FILTER (WHERE o.report_id IS NOT NULL) AS others,
            list(o.source_file ORDER BY o.source_file) FILTER (WHERE o.report_id IS NOT NULL) AS other_files
        FROM report_index n LEFT JOIN report_index o
            ON o.agency_id = n.agency_id AND o.year = n.year AND o.report_id <> n.report_id
                AND NOT list_contains($ids::VARCHAR[], o.report_id)
        WHERE list_contains($ids::VARCHAR[], n.report_id)
        GROUP BY ALL ORDER BY n.agency_name, n.year
    """
    return frame(con, sql, {"ids": report_ids})
