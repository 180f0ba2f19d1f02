"""What supervisors want to look at first: jumps, outliers among peers, reports gone missing.

Flags are computed once per snapshot over the whole warehouse (`warehouse.prepared`) and
stored in `report_flags`; pages read the selection's flags through `flags`.
"""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse import queries
from warehouse.measures import BY_ID, Measure
from warehouse.queries import Filters
from warehouse.thresholds import Settings

FLAG_MEASURES = ("requests_new", "disclosure_rate", "review_total", "proactive_total", "licensing_decisions", "penalty_decisions")
MEASURE_ORDER = {measure_id: k for k, measure_id in enumerate(FLAG_MEASURES)}
FLAG_COLUMNS = {"agency_id": pl.String, "agency_name": pl.String, "year": pl.Int32, "flag": pl.String,
                "measure": pl.String, "value": pl.Float64, "reference": pl.Float64, "message": pl.String}  # fmt: skip


PLACE_COLUMNS = {"province": pl.String, "city": pl.String, "county": pl.String, "kind": pl.String}


def flags(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = None) -> pl.DataFrame:
    """The flags of the selection, newest first (computed for the whole warehouse when it was opened): the
    first `limit` (all where None), each with `total`, how many the selection has."""
    return queries.flags(con, filters, limit)


def compute_flags(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> pl.DataFrame:
    """What supervisors want to look at first: jumps, outliers among peers, reports gone missing;
    `position` is the order pages list them in.

    Computed over the whole warehouse, so a body's peers are every body of its kind and
    level that year, whatever the page's filter shows. One query reads every body-year's
    values (`warehouse.queries.flag_values`); the tests run in polars (`candidates`: at a
    million reports 1.3 s where six SQL queries took 2.5); only the hits get names and words.
    """
    settings = settings or Settings.from_env()
    values = queries.flag_values(con, FLAG_MEASURES)
    hits = [candidates(values, BY_ID[measure_id], settings) for measure_id in FLAG_MEASURES]
    names = queries.report_names(con, pl.concat([h["rid"] for h in hits]).unique().sort())
    found = [missing_reports(con)]
    for measure_id, rows in zip(FLAG_MEASURES, hits, strict=True):
        named = rows.join(names, on="rid", how="left")
        found += [jumps(named.filter(pl.col("jump")), BY_ID[measure_id]),
                  outliers(named.filter(pl.col("outlier")), BY_ID[measure_id])]  # fmt: skip
    columns = [pl.col(name).cast(dtype) for name, dtype in (FLAG_COLUMNS | PLACE_COLUMNS).items()]
    order = pl.col("measure").replace_strict(MEASURE_ORDER, default=-1, return_dtype=pl.Int8)
    ordered = pl.concat([f.select(columns) for f in found]).sort(
        "year", "flag", "agency_name", "agency_id", order, descending=[True, False, False, False, False]
    )  # a body's flags of a year in the order of FLAG_MEASURES; a flag of each kind once per body, year and measure
    return ordered.with_columns(position=pl.int_range(pl.len(), dtype=pl.UInt32))


def candidates(values: pl.DataFrame, measure: Measure, settings: Settings) -> pl.DataFrame:
    """The body-years of `values` (`warehouse.queries.flag_values`) whose usable value of `measure` (not
    a small sample) jumps on the year before or lies far from its peers: rid, year, kind, `value`,
    `previous` (the year before, same series), `jump`, and over the peers (same year, kind, level and
    series: one per template version where the definition breaks) `median`, `mad`, `peers`, `z`, `outlier`.
    """
    num, den = pl.col(f"{measure.id}#num"), pl.col(f"{measure.id}#den")
    value = pl.when(den > 0).then(100 * num / den) if measure.is_rate else num
    small = ((den > 0) & (den < settings.min_cases)).fill_null(False) if measure.is_rate else pl.lit(False)
    series = pl.col("version") if measure.comparability == "break" else pl.lit("")
    peers = ["year", "kind", "level", "series"]
    usable = (
        values.lazy()
        .filter(pl.col("version").is_in(list(measure.versions)))
        .select("rid", "prev_rid", "year", "kind", "level", series.alias("series"), value.cast(pl.Float64).alias("value"),
                small.alias("small"))
        .filter(pl.col("value").is_not_null() & ~pl.col("small"))
        .with_columns(median=pl.col("value").median().over(peers), peers=pl.len().over(peers))
        .with_columns(mad=(pl.col("value") - pl.col("median")).abs().median().over(peers))
    )  # fmt: skip
    before = usable.select(pl.col("rid").alias("prev_rid"), pl.col("series").alias("prev_series"),
                           pl.col("value").alias("prev_value"))  # fmt: skip
    value, previous, factor = pl.col("value"), pl.col("previous"), settings.jump_factor
    return (
        usable.join(before, on="prev_rid", how="left")  # on the id alone: a join on the series too took 3x as long
        .with_columns(previous=pl.when(pl.col("prev_series") == pl.col("series")).then(pl.col("prev_value")))
        .drop("prev_series", "prev_value")
        .with_columns(z=0.6745 * (value - pl.col("median")) / pl.when(pl.col("mad") != 0).then(pl.col("mad")))
        .with_columns(
            jump=(previous.is_not_null() & (pl.max_horizontal(value, previous) >= settings.jump_floor)
                  & ((value >= factor * previous) | (previous >= factor * value))).fill_null(False),
            outlier=((pl.col("peers") >= settings.min_peers) & (pl.col("mad") > 0)
                     & (pl.col("z").abs() > settings.outlier_z)).fill_null(False),
        )
        .filter(pl.col("jump") | pl.col("outlier"))
        .collect()
    )  # fmt: skip


def jumps(hits: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """A body's value changing by `jump_factor` or more on its previous year (same definition).

    Small figures jump for no reason (1 → 4), so the larger year must reach `jump_floor`;
    rates are compared only where neither year is a small sample.
    """
    return hits.with_columns(
        reference=pl.col("previous"),
        flag=pl.lit("同比突变"),
        measure=pl.lit(measure.id),
        message=pl.format(
            "{}：{}年{}{}，上年{}{}", pl.lit(measure.name_zh), pl.col("year"), _fmt(pl.col("value")), pl.lit(measure.unit),
            _fmt(pl.col("previous")), pl.lit(measure.unit),
        ),
    )  # fmt: skip


def outliers(hits: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """Bodies far from their peers (same year, kind and level, same definition): robust z-score.

    z = 0.6745·(x − median) / MAD; groups smaller than `min_peers` or without spread are not scored.
    """
    return hits.with_columns(
        reference=pl.col("median"),
        flag=pl.lit("偏离同类"),
        measure=pl.lit(measure.id),
        message=pl.format(
            "{}：{}{}，同类（{}个单位）中位数{}{}", pl.lit(measure.name_zh), _fmt(pl.col("value")), pl.lit(measure.unit),
            pl.col("peers"), _fmt(pl.col("median")), pl.lit(measure.unit),
        ),
    )  # fmt: skip


def missing_reports(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """A body with a report for year Y−1 and none for Y, for Y up to the warehouse's latest year."""
    return queries.missing_years(con).with_columns(
        flag=pl.lit("报告缺失"),
        measure=pl.lit(None, pl.String),
        value=pl.lit(None, pl.Float64),
        reference=pl.lit(None, pl.Float64),
        message=pl.format("{}年有报告，{}年未见报告", pl.col("year") - 1, pl.col("year")),
    )


def _fmt(expr: pl.Expr) -> pl.Expr:
    """A number for a flag's message: whole numbers without decimals, others to one place."""
    return pl.when(expr == expr.round(0)).then(expr.round(0).cast(pl.Int64).cast(pl.String)).otherwise(
        expr.round(1).cast(pl.String)
    )
