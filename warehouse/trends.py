"""A measure over the years: the selection's trend, each body's and region's series, the headline figures.

Every year-on-year change goes through `with_changes`, so a change is only ever taken
between consecutive years of the same series (same body or region, same definition).
"""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.measures import BY_ID
from warehouse.queries import Filters
from warehouse.thresholds import Settings
from warehouse.values import measure_frame, region_values, selection_values


def with_changes(frame: pl.DataFrame, *units: str) -> pl.DataFrame:
    """`previous`, `change` and `change_pct` on the year before within each unit's series.

    None across a gap year (2019 → 2021 is not a year-on-year change) or a version break
    (a new series), and no percentage over a zero.
    """
    group = [*units, "series"]
    frame = frame.sort(*group, "year")
    previous = pl.col("value").shift(1).over(group)
    consecutive = (pl.col("year") - pl.col("year").shift(1).over(group)) == 1
    return frame.with_columns(
        previous=pl.when(consecutive).then(previous),
        change=pl.when(consecutive).then(pl.col("value") - previous),
        change_pct=pl.when(consecutive & (previous != 0)).then((pl.col("value") / previous - 1) * 100),
    )


def trend(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The selection's value per year, one series per definition, with the year-over-year change.

    `version_break` marks the first year of a series that follows another definition,
    so a chart can draw the break instead of joining the two.
    """
    frame = with_changes(selection_values(con, measure_id, filters, settings))
    first_of_series = pl.col("year") == pl.col("year").min().over("series")
    return frame.with_columns(version_break=first_of_series & (pl.col("year") > pl.col("year").min()))


def body_trends(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """Each body's value per year with its change on the year before (same series only)."""
    frame = measure_frame(con, measure_id, filters, settings)
    return with_changes(frame, "agency_id").select(
        "agency_id", "agency_name", "year", "version", "scope", "series", "value", "num", "den", "ci_low", "ci_high",
        "derived", "small_sample", "change", "change_pct", "synthetic",
    )  # fmt: skip


KEY_FIGURES = ("requests_new", "disclosure_rate", "review_correction_rate", "proactive_total", "procurement_amount")


def key_figures(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The latest year's value of each headline measure with the change on the year before."""
    rows = []
    for measure_id in KEY_FIGURES:
        measure = BY_ID[measure_id]
        frame = trend(con, measure_id, filters, settings).filter(pl.col("value").is_not_null()).sort("year")
        if frame.is_empty():
            rows.append({"measure": measure_id, "name": measure.name_zh, "unit": measure.unit})
            continue
        last = frame.row(-1, named=True)
        rows.append(
            {
                "measure": measure_id, "name": measure.name_zh, "unit": measure.unit, "year": last["year"],
                "value": last["value"], "change": last["change"], "derived": last["derived"],
                "small_sample": last["small_sample"], "coverage": last["coverage"], "reports": last["reports"],
            }
        )  # fmt: skip
    schema = {"measure": pl.String, "name": pl.String, "unit": pl.String, "year": pl.Int32, "value": pl.Float64,
              "change": pl.Float64, "derived": pl.Boolean, "small_sample": pl.Boolean, "coverage": pl.String,
              "reports": pl.UInt32}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def region_trends(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """Each region's value per year (one level below the place filter) with its change on the year before."""
    return with_changes(region_values(con, measure_id, filters, settings), "region")
