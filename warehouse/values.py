"""A measure's values: per report, per body and year, per region and for the whole selection.

Rates over fewer than `Settings.min_cases` cases are 样本过少 and stay out of rankings;
every rate carries a Wilson 95% interval. Values the report does not print but that
follow from its parts (a blank total, blank zeros, group totals) are marked derived
wherever they are used. SQL lives in `warehouse.queries`; this module computes on the
polars frames it returns.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from warehouse import queries
from warehouse.derive import strict_sum
from warehouse.measures import BY_ID, COMPOSITIONS, MEASURES, Formula, Measure
from warehouse.queries import Filters
from warehouse.scope import REGION_LEVELS
from warehouse.thresholds import Settings

Z95 = 1.959963984540054


def _by_version(measure: Measure, build) -> pl.Expr:
    """One expression per template version, chosen by each report's version."""
    expr = None
    for version, formula in measure.formulas.items():
        branch = build(formula)
        if branch is None:
            continue
        condition = pl.col("version") == version
        expr = pl.when(condition).then(branch) if expr is None else expr.when(condition).then(branch)
    return pl.lit(None, pl.Float64) if expr is None else expr.otherwise(None)


def _derived(formula: Formula) -> pl.Expr:
    return pl.any_horizontal(pl.col(k).is_not_null() & pl.col(f"{k}#d").fill_null(False) for k in formula.keys)


def wilson(k: pl.Expr, n: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """Wilson score interval of k successes in n trials, in percent (robust for small n)."""
    p = (k / n).clip(0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / (1 + z * z / n)
    low = pl.when(k <= 0).then(0.0).otherwise((100 * (centre - half)).clip(0.0, 100.0))
    high = pl.when(k >= n).then(100.0).otherwise((100 * (centre + half)).clip(0.0, 100.0))
    return low, high


def _partial_sum(keys: Iterable[str], at_least: int = 2) -> pl.Expr:
    """The sum of the keys that have a number, where at least `at_least` have one.

    A share among the channels a body states means nothing when it states only one.
    """
    columns = [pl.col(k) for k in keys]
    stated = pl.sum_horizontal(c.is_not_null().cast(pl.Int32) for c in columns)
    return pl.when(stated >= at_least).then(pl.sum_horizontal(columns))


def _denominator(formula: Formula) -> pl.Expr | None:
    """A rate's denominator (a share among stated channels adds what is stated); None for a count."""
    if not formula.denominator:
        return None
    return _partial_sum(formula.denominator) if formula.partial_denominator else strict_sum(formula.denominator)


def _parts(measure: Measure) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Numerator, denominator and derived flag of a measure, by each report's template version."""
    num = _by_version(measure, lambda f: strict_sum(f.numerator))
    den = _by_version(measure, _denominator)
    derived = _by_version(measure, _derived).cast(pl.Boolean).fill_null(False)
    return num.cast(pl.Float64), den.cast(pl.Float64), derived


def measure_table(cells: pl.DataFrame, versions: pl.Series) -> pl.DataFrame:
    """Every measure of every report: `<id>#num`, `<id>#den`, `<id>#derived` (cells and versions by rid)."""
    frame = cells.with_columns(version=versions)
    columns = [pl.col("rid")]
    for measure in MEASURES:
        num, den, derived = _parts(measure)
        columns += [num.alias(f"{measure.id}#num"), den.alias(f"{measure.id}#den"), derived.alias(f"{measure.id}#derived")]
    return frame.select(columns)


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


def _totals(
    con: duckdb.DuckDBPyConnection, measure: Measure, filters: Filters, level: int, by_region: bool, settings: Settings | None
) -> pl.DataFrame:
    split = measure.comparability == "break"
    totals = queries.measure_totals(
        con, measure.id, filters, measure.versions, split, rate=measure.is_rate, level=level, by_region=by_region
    )
    series = pl.format("{}（{}版口径）", pl.lit(measure.name_zh), pl.col("split_version")) if split else pl.lit(measure.name_zh)
    return finish(totals.with_columns(series=series).drop("split_version"), measure, settings)


def region_values(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The measure per year for each region one level below the place filter.

    A region's figure is its own region report where one exists (coverage 地区报告),
    else the sum of the reports inside it (coverage 单位合计（部分）); bodies placed
    above that level form a '<parent>本级' group.
    """
    level = min(filters.depth + 1, 3)
    frame = _totals(con, BY_ID[measure_id], filters, level, True, settings)
    return frame.with_columns(
        coverage=pl.when(pl.col("own")).then(pl.lit("地区报告")).otherwise(pl.lit("单位合计（部分）")),
        level=pl.lit(REGION_LEVELS[level - 1]),
    )


def selection_values(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The measure per year for the whole selection, region reports standing in for their members."""
    frame = _totals(con, BY_ID[measure_id], filters, max(filters.depth, 1), False, settings)
    return frame.drop("region").with_columns(
        coverage=pl.when(pl.col("own")).then(pl.lit("地区报告")).otherwise(pl.lit("单位合计"))
    )


def composition(
    con: duckdb.DuckDBPyConnection, composition_id: str, filters: Filters, by: str = "year"
) -> pl.DataFrame:
    """Each part's total per year (or per body in the latest year), with its share of the whole."""
    comp = COMPOSITIONS[composition_id]
    wide = queries.part_totals(con, list(comp.parts.values()), filters, max(filters.depth, 1), by_body=by == "body")
    parts = [
        wide.select(
            "group", part=pl.lit(label), order=pl.lit(i), value=pl.col(f"s{i}"), derived=pl.col(f"d{i}"), reports=pl.col(f"n{i}")
        )
        for i, label in enumerate(comp.parts)
    ]
    frame = pl.concat(parts).filter(pl.col("reports") > 0).sort("group", "order")
    return frame.with_columns(share=100 * pl.col("value") / pl.col("value").sum().over("group"))
