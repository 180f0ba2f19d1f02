"""Bodies or regions ranked on one measure in one year, like for like.

Rates over too few cases are set aside (listed, not ranked), and a measure whose
definition breaks between template versions is ranked within one version only.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse import comparison, queries, values
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


def start_level(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, year: int | None
) -> tuple[int | None, tuple[tuple[str, str], ...]]:
    """The first region level below the place filter with at least two members stating the measure in `year`.

    A level with a single member is entered on the way down (returned as (column, name)
    pairs), so the first view always compares something. None where the filter is at
    county level already (bodies are compared); the deepest level reached where no level
    has two members.
    """
    if filters.depth >= 3:
        return None, ()
    places = queries.places_stating(con, measure_id, filters, BY_ID[measure_id].versions, year or 0)
    entered: list[tuple[str, str]] = []
    level = filters.depth + 1
    for depth in range(filters.depth + 1, 4):
        column = PLACE_COLUMNS[depth - 1]
        members = places.filter(pl.col(column).is_not_null() & (pl.col("depth") >= depth))[column].unique().to_list()
        if not members and entered:  # nothing below the single member (a municipality's own bodies): show it alone
            entered.pop()
            break
        level = depth
        if len(members) != 1 or depth == 3:
            break
        entered.append((column, members[0]))
        places = places.filter((pl.col(column) == members[0]) | (pl.col("depth") < depth))
    return level, tuple(entered)


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
            level, entered = start_level(con, measure_id, filters, year)
        chosen = filters.within(year, year) if year else filters  # one year's sums need only its reports
        frame = values.region_values(con, measure_id, chosen, settings, level=level or 3).with_columns(
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
    frame = frame.select(columns).sort(["value", "label"], descending=[True, False])
    ranked = frame.filter(~pl.col("small_sample")).with_row_index("rank", offset=1)
    note = f"仅比较 {version} 版口径" if measure.comparability == "break" and version else ""
    return Ranking(measure, year, version, by, ranked, frame.filter(pl.col("small_sample")), note, level, entered,
                   comparison.coverage_text(cover, year))  # fmt: skip
