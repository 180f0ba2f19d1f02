"""A measure over the years: the selection's trend, each body's and region's series, the headline figures.

Every year-on-year change goes through `with_changes`, so a change is only ever taken
between consecutive years of the same series (same body or region, same definition), and
— by default (basis 'same') — over one set of bodies present in every year of the line
(`warehouse.comparison`). `with_segments` tells charts where a line must break.
"""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse import comparison, parallel, values
from warehouse.measures import BY_ID
from warehouse.queries import Filters
from warehouse.thresholds import Settings
from warehouse.values import measure_frame, selection_values


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


def with_segments(frame: pl.DataFrame, *units: str) -> pl.DataFrame:
    """`segment`: a number that changes wherever a line must break (a missing year, a new series)."""
    group = [*units, "series"]
    frame = frame.sort(*group, "year")
    gap = (pl.col("year") - pl.col("year").shift(1).over(group)).fill_null(1) != 1
    runs = gap.cum_sum().over(group).cast(pl.String)
    return frame.with_columns(segment=pl.concat_str([*map(pl.col, group), runs], separator="·"))


def _comparable(frame: pl.DataFrame, basis: str) -> pl.DataFrame:
    """Raw sums over every report carry no change: different bodies in different years."""
    if basis == "same":
        return frame
    return frame.with_columns(pl.lit(None, pl.Float64).alias(c) for c in ("previous", "change", "change_pct"))


def trend(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    settings: Settings | None = None,
    basis: str = "same",
) -> pl.DataFrame:
    """The selection's value per year, one series per definition, with the year-over-year change.

    With basis 'same' (同口径) the line adds only the bodies present in every year of its
    span (`bodies` of them); with 'all' it adds every report and carries no change.
    `version_break` marks the first year of a series that follows another definition,
    so a chart can draw the break instead of joining the two.
    """
    frame = _comparable(with_changes(selection_values(con, measure_id, filters, settings, basis)), basis)
    first_of_series = pl.col("year") == pl.col("year").min().over("series")
    frame = frame.with_columns(version_break=first_of_series & (pl.col("year") > pl.col("year").min()))
    return with_segments(frame)


def body_trends(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """Each body's value per year with its change on the year before (same series only; its line joins only
    consecutive years it reported)."""
    frame = measure_frame(con, measure_id, filters, settings).filter(pl.col("value").is_not_null())
    frame = with_changes(frame, "agency_id").select(
        "agency_id", "agency_name", "year", "version", "scope", "series", "value", "num", "den", "ci_low", "ci_high",
        "derived", "small_sample", "change", "change_pct", "synthetic",
    )  # fmt: skip
    return with_segments(frame, "agency_id")


KEY_FIGURES = ("requests_new", "disclosure_rate", "review_correction_rate", "proactive_total", "procurement_amount")
KEY_SCHEMA = {"measure": pl.String, "name": pl.String, "unit": pl.String, "year": pl.Int32, "value": pl.Float64,
              "change": pl.Float64, "derived": pl.Boolean, "small_sample": pl.Boolean, "coverage": pl.String,
              "reports": pl.UInt32, "bodies": pl.UInt32, "stated": pl.String, "basis": pl.String}  # fmt: skip


def headline(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None, basis: str = "same"
) -> dict:
    """One headline: the measure's default year over every report of that year, and (同口径) its change on
    the year before over the bodies with a value in both years — `bodies` of them."""
    measure = BY_ID[measure_id]
    row = {"measure": measure_id, "name": measure.name_zh, "unit": measure.unit, "basis": basis}
    cover = values.coverage(con, measure_id, filters)
    year = comparison.default_year(cover)
    if year is None:
        return row
    level = max(filters.depth, 1)
    rows = values.kept_rows(con, measure, filters.within(year - 1, year), level)
    latest = values.aggregate(rows.filter(pl.col("year") == year), measure, ["series"], settings)
    last = latest.sort("reports", descending=True).row(0, named=True)
    row |= {k: last[k] for k in ("year", "value", "derived", "small_sample", "reports")}
    row |= {"coverage": "地区报告" if last["own"] else "单位合计", "stated": comparison.coverage_text(cover, year)}
    if basis == "same":
        pair = comparison.comparison_set(rows.filter(pl.col("series") == last["series"]), ["series"], window=(year - 1, year))
        both = values.aggregate(pair, measure, ["series"], settings).sort("year")
        row["bodies"] = pair["agency_id"].n_unique()
        if both.height == 2 and not both["small_sample"].any() and both["value"].null_count() == 0:
            row["change"] = both["value"][1] - both["value"][0]
    return row


def key_figures(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings | None = None, basis: str = "same"
) -> pl.DataFrame:
    """The headline measures, each in its own default year, with the like-for-like change on the year before."""
    rows = parallel.each(lambda measure_id: headline(con, measure_id, filters, settings, basis), KEY_FIGURES)
    return pl.DataFrame(rows, schema=KEY_SCHEMA)


def region_trends(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    settings: Settings | None = None,
    level: int | None = None,
    basis: str = "same",
) -> pl.DataFrame:
    """Each region's value per year (at `level`, default one below the place filter) with its change on the
    year before; with basis 'same' each region's line adds only the bodies present in every year of its span."""
    frame = values.region_values(con, measure_id, filters, settings, level=level, basis=basis)
    return with_segments(_comparable(with_changes(frame, "region"), basis), "region")
