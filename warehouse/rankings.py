"""Bodies or regions ranked on one measure in one year, like for like.

Rates over too few cases are set aside (listed, not ranked), and a measure whose
definition breaks between template versions is ranked within one version only.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse import comparison, values
from warehouse.measures import BY_ID, Measure
from warehouse.queries import Filters
from warehouse.thresholds import Settings
from warehouse.values import measure_frame


@dataclass(frozen=True)
class Ranking:
    """Ranked rows of one year and one definition, and the rows left out of the ranking.

    `level` is the region level compared (1 province … 3 county; None for bodies) and
    `entered` the places a single member led into on the way down (`start_level`).
    """

    measure: Measure
    year: int | None
    version: str | None
    by: str  # body | region
    ranked: pl.DataFrame
    too_small: pl.DataFrame
    note: str = ""
    level: int | None = None
    entered: tuple[tuple[str, str], ...] = ()
    coverage: str = ""


PLACE_COLUMNS = ("province", "city", "county")


def _region_frame(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, year: int | None, level: int, settings: Settings | None
) -> pl.DataFrame:
    """One year's value of each region at `level` (its reports, or its own region report), from the reports
    the measure's trend adds too (`values.kept_rows`)."""
    frame = values.region_values(con, measure_id, filters, settings, level=level, year=year or 0)
    return frame.filter(pl.col("value").is_not_null())


def start_level(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, year: int | None, settings: Settings | None = None
) -> tuple[int | None, tuple[tuple[str, str], ...], pl.DataFrame]:
    """The first region level below the place filter with at least two regions holding a value in `year`,
    and that level's regions (`_region_frame`).

    A level with a single member is entered on the way down (returned as (column, name)
    pairs), so the first view always compares something. None where the filter is at
    county level already (bodies are compared; the frame is its counties'); the deepest
    level reached where no level has two members. Each level's frame is what the ranking
    shows there, so the usual first level (many provinces) reads nothing beside the ranking.
    """
    if filters.depth >= 3:
        return None, (), _region_frame(con, measure_id, filters, year, 3, settings)
    entered: list[tuple[str, str]] = []
    shown: tuple[int, pl.DataFrame] | None = None
    for depth in range(filters.depth + 1, 4):
        frame = _region_frame(con, measure_id, filters, year, depth, settings)
        members = frame.filter(~pl.col("local"))["region"].unique().to_list()
        if not members and shown is not None:  # nothing below the single member (a municipality's own bodies): show it alone
            entered.pop()
            break
        shown = (depth, frame)
        if len(members) != 1 or depth == 3:
            break
        entered.append((PLACE_COLUMNS[depth - 1], members[0]))
    level, frame = shown
    return level, tuple(entered), frame


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
    level: int | None = None,
) -> Ranking:
    """Bodies (their own reports, not region reports) or regions, for one year (default: the measure's default year).

    Regions are compared at `level`, by default the first level below the place filter
    with two or more members (`start_level`). Rates over too few cases are set aside,
    and a measure whose definition breaks is ranked within one template version only.
    """
    measure = BY_ID[measure_id]
    cover = values.coverage(con, measure_id, filters)
    year = year or comparison.default_year(cover)
    entered: tuple[tuple[str, str], ...] = ()
    if by == "region":
        if level is None:
            level, entered, frame = start_level(con, measure_id, filters, year, settings)
        else:
            frame = _region_frame(con, measure_id, filters, year, level, settings)
        frame = frame.with_columns(
            label=pl.col("region"), target=pl.col("region"),
            target_kind=pl.when(pl.col("local")).then(pl.lit("local")).otherwise(pl.lit("region")),
        )  # fmt: skip
    else:
        level = None
        frame = measure_frame(con, measure_id, filters, settings, year=year or 0).filter(pl.col("scope") == "body")
        frame = frame.with_columns(
            label=pl.col("agency_name"), target=pl.col("agency_id"), target_kind=pl.lit("body"), path=pl.lit(None, pl.String),
            coverage=pl.lit("单位报告"), reports=pl.lit(1, pl.UInt32), main_version=pl.col("version"),
        )  # fmt: skip
        frame = frame.filter((pl.col("year") == (year or 0)) & pl.col("value").is_not_null())
    frame, version = _one_definition(frame, measure, version)
    columns = ["label", "target", "target_kind", "path", "year", "value", "num", "den", "ci_low", "ci_high", "derived",
               "small_sample", "coverage", "reports", "series"]  # fmt: skip
    # equal sums added in another order differ in the last bits: those are ties, ordered by name
    frame = frame.select(columns).sort([pl.col("value").round(6), "label"], descending=[True, False])
    ranked = frame.filter(~pl.col("small_sample")).with_row_index("rank", offset=1)
    note = f"仅比较 {version} 版口径" if measure.comparability == "break" and version else ""
    return Ranking(measure, year, version, by, ranked, frame.filter(pl.col("small_sample")), note, level, entered,
                   comparison.coverage_text(cover, year))  # fmt: skip
