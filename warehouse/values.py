"""A measure's values: per body and year, per region and for the whole selection (each report's
numerator and denominator are the marts', `warehouse.marts.measure_table`).

Rates over fewer than `Settings.min_cases` cases are 样本过少 and stay out of rankings;
every rate carries a Wilson 95% interval. Values the report does not print but that
follow from its parts (a blank total, blank zeros, group totals) are marked derived
wherever they are used. SQL lives in `warehouse.queries`; this module computes on the
polars frames it returns.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from warehouse import comparison, memo, parallel, queries
from warehouse.measures import (
    BY_ID,
    CHANNEL_NAMES,
    COMPOSITIONS,
    MIX_CHANNELS,
    Measure,
)
from warehouse.queries import Filters
from warehouse.scope import REGION_LEVELS
from warehouse.thresholds import Settings

Z95 = 1.959963984540054


def wilson(k: pl.Expr, n: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """Wilson score interval of k successes in n trials, in percent (robust for small n)."""
    p = (k / n).clip(0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / (1 + z * z / n)
    low = pl.when(k <= 0).then(0.0).otherwise((100 * (centre - half)).clip(0.0, 100.0))
    high = pl.when(k >= n).then(100.0).otherwise((100 * (centre + half)).clip(0.0, 100.0))
    return low, high


def finish(frame: pl.DataFrame, measure: Measure, settings: Settings | None = None) -> pl.DataFrame:
    """value, interval and small-sample flag from num and den (of a report or of a sum)."""
    settings = settings or Settings.from_env()
    if not measure.is_rate:
        return frame.with_columns(
            value=pl.col("num"), ci_low=pl.lit(None, pl.Float64), ci_high=pl.lit(None, pl.Float64),
            small_sample=pl.lit(False),
        )  # fmt: skip
    valid = pl.col("den") > 0
    low, high = wilson(pl.col("num"), pl.col("den"))
    return frame.with_columns(
        value=pl.when(valid).then(100 * pl.col("num") / pl.col("den")),
        ci_low=pl.when(valid).then(low),
        ci_high=pl.when(valid).then(high),
        small_sample=valid.fill_null(False) & (pl.col("den") < settings.min_cases),
    )


def _sql_args(measure: Measure) -> dict[str, object]:
    """How the queries name a measure's series: one per measure, or one per version where the definition breaks."""
    return {"versions": measure.versions, "name": measure.name_zh, "split": measure.comparability == "break"}


def measure_frame(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    settings: Settings | None = None,
    year: int | None = None,
) -> pl.DataFrame:
    """One row per body and year (its primary report) with the measure's value, interval and series."""
    measure = BY_ID[measure_id]
    rows = queries.measure_rows(con, measure_id, filters, year=year, **_sql_args(measure))
    return finish(rows, measure, settings)


def coverage(con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters) -> pl.DataFrame:
    """Per year: the selection's reports, those whose template defines the measure, those stating it."""
    defined = pl.col("version").is_in(BY_ID[measure_id].versions)
    return (
        _stating_counts(con, filters)
        .group_by("year")
        .agg(
            pl.col("reports").sum().cast(pl.Int32),
            pl.col("reports").filter(defined).sum().cast(pl.Int32).alias("defined"),
            pl.col(measure_id).filter(defined).sum().cast(pl.Int32).alias("stated"),
        )
        .sort("year")
    )


#: Every measure's coverage counts per filter frame: a page asks for the coverage of several measures, each
#: twice (its ranking and its trend).
_COUNTS = memo.Memo(32)
#: A measure's kept reports per filter frame and level: a ranking reads one year of what its trend reads
#: (a page asks two measures at once, `warehouse.parallel`).
_KEPT = memo.Memo(3)


def _stating_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Every measure's coverage counts for a filter frame (`queries.stating_counts`), asked once per snapshot."""
    return _COUNTS.get(con, filters, lambda: queries.stating_counts(con, filters, list(BY_ID)))


def default_year(con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters) -> int | None:
    """The year a page shows a measure in first (`warehouse.comparison.default_year`)."""
    return comparison.default_year(coverage(con, measure_id, filters))


def kept_rows(con: duckdb.DuckDBPyConnection, measure: Measure, filters: Filters, level: int) -> pl.DataFrame:
    """The reports a sum adds (region reports standing in for their members), with their series and their
    region at `level`; asked once per snapshot for the last few filter frames."""

    def ask() -> pl.DataFrame:
        rows = queries.measure_kept(con, measure.id, filters, measure.versions, measure.is_rate, level)
        split = measure.comparability == "break"
        series = pl.format("{}（{}版口径）", pl.lit(measure.name_zh), pl.col("version")) if split else pl.lit(measure.name_zh)
        return rows.with_columns(series=series)

    return _KEPT.get(con, (measure.id, filters, level), ask)


def aggregate(rows: pl.DataFrame, measure: Measure, groups: Sequence[str], settings: Settings | None = None) -> pl.DataFrame:
    """Sums per group and year: num, den, derived, reports, bodies; `own` where it is the region's own
    report, `local` where the group gathers bodies placed above the level (`measure_kept`); then value
    and interval."""
    keys = [*groups, "year"]
    extra = [pl.first(c) for c in ("window_from", "window_to", "left_out") if c in rows.columns]
    sums = rows.group_by(keys).agg(
        pl.col("num").sum(), pl.col("den").sum() if measure.is_rate else pl.lit(None, pl.Float64).alias("den"),
        pl.col("derived").any(), pl.len().cast(pl.UInt32).alias("reports"),
        pl.col("agency_id").n_unique().cast(pl.UInt32).alias("bodies"), pl.col("version").max().alias("main_version"),
        pl.col("own").any(), pl.col("local").all(), pl.first("path"), *extra,
    ).sort(keys)  # fmt: skip
    return finish(sums.with_columns(pl.col("num").cast(pl.Float64), pl.col("den").cast(pl.Float64)), measure, settings)


def _values(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    level: int,
    by_region: bool,
    basis: str,
    settings: Settings | None,
    year: int | None = None,
) -> pl.DataFrame:
    measure = BY_ID[measure_id]
    rows = kept_rows(con, measure, filters, level)
    if year is not None:
        rows = rows.filter(pl.col("year") == year)
    groups = ["region", "series"] if by_region else ["series"]
    if basis == "same":
        rows = comparison.comparison_set(rows, groups, years=comparison.defined_years(coverage(con, measure_id, filters)))
    return aggregate(rows, measure, groups, settings).with_columns(basis=pl.lit(basis))


def region_values(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    settings: Settings | None = None,
    level: int | None = None,
    basis: str = "all",
    year: int | None = None,
) -> pl.DataFrame:
    """The measure per year (or in `year` only) for each region at `level` (default: one level below the
    place filter).

    A region's figure is its own region report where one exists (coverage 地区报告),
    else the sum of the reports inside it (coverage 单位合计（部分）); bodies placed
    above that level form a '<parent>本级' group. With basis 'same', each region's line
    adds only the bodies present in every year of its span (`warehouse.comparison`).
    """
    level = level or min(filters.depth + 1, 3)
    frame = _values(con, measure_id, filters, level, True, basis, settings, year)
    return frame.with_columns(
        coverage=pl.when(pl.col("own")).then(pl.lit("地区报告")).otherwise(pl.lit("单位合计（部分）")),
        level=pl.lit(REGION_LEVELS[level - 1]),
    )


def selection_values(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None, basis: str = "all"
) -> pl.DataFrame:
    """The measure per year for the whole selection, region reports standing in for their members."""
    frame = _values(con, measure_id, filters, max(filters.depth, 1), False, basis, settings)
    return frame.drop("region", "path", strict=False).with_columns(
        coverage=pl.when(pl.col("own")).then(pl.lit("地区报告")).otherwise(pl.lit("单位合计"))
    )


def channel_mix(
    con: duckdb.DuckDBPyConnection, filters: Filters, basis: str = "all", settings: Settings | None = None
) -> pl.DataFrame:
    """The channel composition per year, built from the share measures themselves.

    Each channel's count is its share's numerator and its share is the share measure's
    value, over the same reports (those stating two or more channels; in basis 'same',
    the same comparison set), so the composition chart and the share trend agree by
    construction and the shares of a year add up to 100%.
    """
    shares = parallel.each(lambda c: selection_values(con, f"channel_{c}_share", filters, settings, basis), MIX_CHANNELS)
    parts = [
        frame.select(
            group=pl.col("year").cast(pl.String), part=pl.lit(CHANNEL_NAMES[channel]), order=pl.lit(order),
            value=pl.col("num"), derived=pl.col("derived"), reports=pl.col("reports"), share=pl.col("value"),
        )
        for order, (channel, frame) in enumerate(zip(MIX_CHANNELS, shares, strict=True))
    ]  # fmt: skip
    schema = {"group": pl.String, "part": pl.String, "order": pl.Int32, "value": pl.Float64, "derived": pl.Boolean,
              "reports": pl.UInt32, "share": pl.Float64}  # fmt: skip
    return pl.concat([p.cast(schema) for p in parts]).sort("group", "order") if parts else pl.DataFrame(schema=schema)


def composition(
    con: duckdb.DuckDBPyConnection, composition_id: str, filters: Filters, by: str = "year", basis: str = "same"
) -> pl.DataFrame:
    """Each part's total per year (or per body in the latest year), with its share of the whole.

    The channel mix per year is `channel_mix` (over `basis`), so it agrees with the share trends.
    """
    if composition_id == "channels" and by == "year":
        return channel_mix(con, filters, basis)
    comp = COMPOSITIONS[composition_id]
    keys, level = list(comp.parts.values()), max(filters.depth, 1)
    if by == "body":
        wide = queries.part_totals(con, keys, filters, level, by_body=True)
    else:
        wide = _part_sums(queries.part_rows(con, keys, filters, level), len(keys), basis)
    parts = [
        wide.select(
            "group", part=pl.lit(label), order=pl.lit(i), value=pl.col(f"s{i}"), derived=pl.col(f"d{i}"), reports=pl.col(f"n{i}")
        )
        for i, label in enumerate(comp.parts)
    ]
    frame = pl.concat(parts).filter(pl.col("reports") > 0).sort("group", "order")
    return frame.with_columns(share=100 * pl.col("value") / pl.col("value").sum().over("group"))


def _part_sums(rows: pl.DataFrame, count: int, basis: str) -> pl.DataFrame:
    """Per year: `s<i>` the sum of part i, `d<i>` whether any of it is derived, `n<i>` how many reports state it;
    with basis 'same' over the bodies stating the composition in every year of its span (`rows`: those
    stating any part, `warehouse.queries.part_rows`)."""
    if basis == "same":
        rows = comparison.comparison_set(rows.with_columns(series=pl.lit("")), ["series"])
    sums = [
        agg
        for i in range(count)
        for agg in (pl.col(f"p{i}").sum().alias(f"s{i}"), (pl.col(f"d{i}") & pl.col(f"p{i}").is_not_null()).any().alias(f"d{i}"),
                    pl.col(f"p{i}").count().cast(pl.UInt32).alias(f"n{i}"))
    ]  # fmt: skip
    return rows.group_by("year").agg(sums).sort("year").rename({"year": "group"})
