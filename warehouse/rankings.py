"""Bodies or regions ranked on one measure in one year, like for like.

Rates over too few cases are set aside (listed, not ranked), and a measure whose
definition breaks between template versions is ranked within one version only.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse import queries
from warehouse.measures import BY_ID, Measure
from warehouse.queries import Filters
from warehouse.thresholds import Settings
from warehouse.values import measure_frame, region_values


@dataclass(frozen=True)
class Ranking:
    """Ranked rows of one year and one definition, and the rows left out of the ranking."""

    measure: Measure
    year: int | None
    version: str | None
    by: str  # body | region
    ranked: pl.DataFrame
    too_small: pl.DataFrame
    note: str = ""


def _latest_year(frame: pl.DataFrame) -> int | None:
    years = frame.filter(pl.col("value").is_not_null())["year"]
    return None if years.is_empty() else int(years.max())


def _one_definition(frame: pl.DataFrame, measure: Measure, version: str | None) -> tuple[pl.DataFrame, str | None]:
    """Rows of one definition only where the measure breaks between versions (the commonest by default)."""
    if measure.comparability != "break" or frame.is_empty():
        return frame, version
    chosen = version or frame.group_by("main_version").len().sort(["len", "main_version"], descending=True)["main_version"][0]
    return frame.filter(pl.col("main_version") == chosen), chosen


def ranking(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    by: str = "body",
    year: int | None = None,
    version: str | None = None,
    settings: Settings | None = None,
) -> Ranking:
    """Bodies (their own reports, not region reports) or the regions one level down, for one year.

    Rates over too few cases are set aside, and a measure whose definition breaks is
    ranked within one template version only.
    """
    measure = BY_ID[measure_id]
    if by == "region":
        frame = region_values(con, measure_id, filters, settings).with_columns(
            label=pl.col("region"), target=pl.col("region"),
            target_kind=pl.when(pl.col("local")).then(pl.lit("local")).otherwise(pl.lit("region")),
        )  # fmt: skip
        year = year or _latest_year(frame)
    else:
        year = year or queries.latest_year(con, measure_id, filters, measure.versions)
        frame = measure_frame(con, measure_id, filters, settings, year=year or 0).filter(pl.col("scope") == "body")
        frame = frame.with_columns(
            label=pl.col("agency_name"), target=pl.col("agency_id"), target_kind=pl.lit("body"),
            coverage=pl.lit("单位报告"), reports=pl.lit(1, pl.UInt32), main_version=pl.col("version"),
        )  # fmt: skip
    frame = frame.filter((pl.col("year") == (year or 0)) & pl.col("value").is_not_null())
    frame, version = _one_definition(frame, measure, version)
    columns = ["label", "target", "target_kind", "year", "value", "num", "den", "ci_low", "ci_high", "derived",
               "small_sample", "coverage", "reports", "series"]  # fmt: skip
    frame = frame.select(columns).sort(["value", "label"], descending=[True, False])
    ranked = frame.filter(~pl.col("small_sample")).with_row_index("rank", offset=1)
    note = f"仅比较 {version} 版口径" if measure.comparability == "break" and version else ""
    return Ranking(measure, year, version, by, ranked, frame.filter(pl.col("small_sample")), note)
