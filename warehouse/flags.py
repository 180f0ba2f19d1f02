"""What supervisors want to look at first: jumps, outliers among peers, reports gone missing.

Flags are computed once per snapshot over the whole warehouse (`warehouse.prepare`) and
stored in `report_flags`; pages read the selection's flags through `flags`.
"""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl

from warehouse import queries
from warehouse.measures import BY_ID, Measure
from warehouse.queries import Filters
from warehouse.thresholds import Settings

FLAG_MEASURES = ("requests_new", "disclosure_rate", "review_total", "proactive_total", "licensing_decisions", "penalty_decisions")
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
    level that year, whatever the page's filter shows. The tests run in SQL over every
    body-year (`warehouse.queries.flag_candidates`); only the hits are worded here.
    """
    settings = settings or Settings.from_env()
    thresholds = dataclasses.asdict(settings)
    found = [missing_reports(con)]
    for measure_id in FLAG_MEASURES:
        measure = BY_ID[measure_id]
        split = measure.comparability == "break"
        hits = queries.flag_candidates(con, measure_id, measure.versions, split, measure.is_rate, thresholds)
        found += [jumps(hits.filter(pl.col("jump")), measure), outliers(hits.filter(pl.col("outlier")), measure)]
    columns = [pl.col(name).cast(dtype) for name, dtype in (FLAG_COLUMNS | PLACE_COLUMNS).items()]
    ordered = pl.concat([f.select(columns) for f in found]).sort(
        "year", "flag", "agency_name", descending=[True, False, False], maintain_order=True
    )  # within a body's year and flag, in the order of FLAG_MEASURES
    return ordered.with_columns(position=pl.int_range(pl.len(), dtype=pl.UInt32))


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
