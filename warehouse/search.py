"""Finding a body by any part of its name, for the sidebar's search box on every page."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.regions import canonical_name
from warehouse.sql import frame


def find_bodies(con: duckdb.DuckDBPyConnection, text: str, limit: int = 8) -> pl.DataFrame:
    """Bodies whose name contains `text` (whitespace ignored), shortest names first, with their
    last report year; `matches` counts them all. The text reaches SQL only as a bound parameter."""
    needle = canonical_name(text or "")
    if not needle:
        return pl.DataFrame(schema={"agency_id": pl.String, "agency_name": pl.String, "last_year": pl.Int32,
                                    "matches": pl.Int64})  # fmt: skip
    sql = """
        WITH hits AS (
            SELECT agency_id, agency_name, last_year FROM body_index
            WHERE contains(regexp_replace(agency_name, '\\s+', '', 'g'), $needle)
        )
        SELECT *, (SELECT count(*) FROM hits) AS matches FROM hits
        ORDER BY length(agency_name), agency_name LIMIT $limit
    """
    return frame(con, sql, {"needle": needle, "limit": limit})
