"""Each report's completed cells and measures, computed from its own facts when it is published.

Every ranking and trend of the dashboard reads, per report, the 60 keys the measures use
with their blanks and totals completed (`warehouse.derive.complete_cells`) and each
measure's numerator and denominator. Both depend on one report's facts and template
version alone, so a publish computes them for the reports it adds or replaces and
commits them like the facts (`report_cells`, `report_measures`); the dashboard reads
them when it opens instead of pivoting every fact of the warehouse (at a million
reports, 224 M facts: most of a 96 s, 12.6 GB open).

`DIGEST` fingerprints the definitions they follow (keys, sum rules, measures, columns).
A pointer records the digest its marts were written under; where it differs (a pointer
from before marts, or new definitions), the next ingest rewrites them for every report
and the dashboard computes them in memory until then.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from warehouse.derive import RULES, complete_cells, rule_keys, strict_sum
from warehouse.measures import ALL_KEYS, MEASURES, Formula, Measure
from warehouse.schema import FACT_TABLES, MARTS, TABLES
from warehouse.sql import KEY_PATTERN

CELLS, MEASURE_TABLE, OPEN_FINDINGS = MARTS
#: The marts computed from the facts, report by report (`compute`).
PER_REPORT = (CELLS, MEASURE_TABLE)
#: Reports computed at once: a chunk's facts and matrix take ~300 MB.
CHUNK = 50_000


def _digest() -> str:
    definitions = {
        "keys": ALL_KEYS,
        "rules": [(rule.total, rule.parts) for rule in RULES],
        "measures": [(m.id, {v: (f.numerator, f.denominator, f.partial_denominator) for v, f in m.formulas.items()})
                     for m in MEASURES],
        "columns": [TABLES[name].schema.names for name in MARTS],
    }  # fmt: skip
    return hashlib.sha256(json.dumps(definitions, sort_keys=True).encode()).hexdigest()[:16]


DIGEST = _digest()


def current(pointer: dict | None) -> bool:
    """Whether a pointer's marts were written under today's definitions."""
    return bool(pointer) and pointer.get("marts") == DIGEST


# ---------------------------------------------------------------- completed cells


def cell_matrix(con: duckdb.DuckDBPyConnection, keys: tuple[str, ...], facts: str, count: int) -> pl.DataFrame:
    """One row per report numbered 0..count-1 (`facts` gives each fact's `row`): each key's number
    (printed or warehouse-derived) and status code.

    Status codes (`<key>#s`): 3 reported, 2 derived, 1 blank, 0 dash or ambiguous, -1
    absent. `has#<table>` says whether the report prints any number in that table, which
    decides whether its blank cells read as zeros (template.md D3) or as a table left empty.
    The facts come out long and are scattered into arrays (a SQL PIVOT over hundreds of
    keys is far slower). Where a key has rows of several statuses, the higher status wins
    (a derived total over its blank cell).
    """
    keys = tuple(k for k in dict.fromkeys(keys) if KEY_PATTERN.match(k))
    tables = list(FACT_TABLES)
    con.register("_key_ids", pa.table({"key": pa.array(keys), "kid": pa.array(range(len(keys)), pa.int16())}))
    long = con.sql(
        f"""
        SELECT f.row, m.kid, CASE WHEN f.status IN ('reported', 'derived') THEN f.value END AS v,
            CAST(CASE f.status WHEN 'reported' THEN 3 WHEN 'derived' THEN 2 WHEN 'blank' THEN 1 ELSE 0 END AS TINYINT) AS s
        FROM ({facts}) f JOIN _key_ids m USING (key)
        """
    ).pl()  # on `con` itself, not a cursor: the batch's temp tables and registered frames are its own
    con.unregister("_key_ids")
    row, kid, status = long["row"].to_numpy(), long["kid"].to_numpy(), long["s"].to_numpy()
    value = long["v"].fill_null(np.nan).to_numpy()
    values = np.full((count, len(keys)), np.nan)
    statuses = np.full((count, len(keys)), -1, dtype=np.int8)
    for code in (0, 1, 2, 3):  # in rising order, so the highest status of a key is written last
        rows = status == code
        values[row[rows], kid[rows]] = value[rows]
        statuses[row[rows], kid[rows]] = code
    table_of_key = np.array([tables.index(k.split(".")[0]) for k in keys], dtype=np.int8)
    has = np.zeros((count, len(tables)), dtype=bool)
    reported = status == 3
    has[row[reported], table_of_key[kid[reported]]] = True
    columns = {"rid": pl.Series("rid", np.arange(count, dtype=np.int32))}
    for i, key in enumerate(keys):
        columns[key] = pl.Series(key, values[:, i], nan_to_null=True)
        columns[f"{key}#s"] = pl.Series(f"{key}#s", statuses[:, i])
    columns |= {f"has#{t}": pl.Series(f"has#{t}", has[:, j]) for j, t in enumerate(tables)}
    return pl.DataFrame(columns)


# ---------------------------------------------------------------- measures


def _by_version(measure: Measure, build: Callable[[Formula], pl.Expr | None]) -> pl.Expr:
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


def _partial_sum(keys: tuple[str, ...], at_least: int = 2) -> pl.Expr:
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


def _numerator(formula: Formula) -> pl.Expr:
    """The numerator; in a share among stated channels, a channel the report does not name counts 0."""
    num = strict_sum(formula.numerator)
    if formula.partial_denominator:
        return pl.when(_partial_sum(formula.denominator).is_not_null()).then(num.fill_null(0))
    return num


def measure_table(cells: pl.DataFrame, versions: pl.Series) -> pl.DataFrame:
    """Every measure of every report: `<id>#num`, `<id>#den`, `<id>#derived` (cells and versions in the same order)."""
    columns = []
    for measure in MEASURES:
        columns += [
            _by_version(measure, _numerator).cast(pl.Float64).alias(f"{measure.id}#num"),
            _by_version(measure, _denominator).cast(pl.Float64).alias(f"{measure.id}#den"),
            _by_version(measure, _derived).cast(pl.Boolean).fill_null(False).alias(f"{measure.id}#derived"),
        ]
    return cells.with_columns(version=versions).select(columns)


# ---------------------------------------------------------------- computing the marts


def open_findings(findings: str) -> str:
    """The `findings_open` rows of a query of findings: those that did not pass. Their keys are joined
    into one string: reading 4 M lists from Parquet took seconds of a dashboard's open at 1M reports."""
    return (
        "SELECT report_id, agency_id, year, rule, severity, outcome, array_to_string(keys, chr(31)) AS keys, "
        f"message_zh, scope, related_report_id FROM ({findings}) WHERE outcome <> 'pass'"
    )


def compute(con: duckdb.DuckDBPyConnection, reports: str, fact_rows: Callable[[str], str]) -> tuple[pa.Table, pa.Table]:
    """`report_cells` and `report_measures` rows of the reports of `reports` (a query giving report_id,
    year, template_version); `fact_rows(table)` is a query of a fact table holding at least their facts."""
    listed = con.sql(f"SELECT report_id, year, template_version FROM ({reports}) ORDER BY report_id").pl()
    con.register("_mart_rows", listed.select("report_id", row=pl.int_range(pl.len(), dtype=pl.Int32)))
    years = ", ".join(str(int(y)) for y in listed["year"].unique()) or "NULL"
    facts = " UNION ALL ".join(
        f"SELECT r.row, f.key, f.value, f.status FROM ({fact_rows(t)}) f JOIN _mart_rows r USING (report_id) "
        f"WHERE f.year IN ({years})"
        for t in FACT_TABLES.values()
    )
    cells = complete_cells(cell_matrix(con, rule_keys(ALL_KEYS), facts, listed.height), ALL_KEYS)
    con.unregister("_mart_rows")
    measures = measure_table(cells, listed["template_version"])
    head = listed.select("report_id", pl.col("year").cast(pl.Int32))
    return (
        _typed(CELLS, pl.concat([head, cells.drop("rid")], how="horizontal")),
        _typed(MEASURE_TABLE, pl.concat([head, measures], how="horizontal")),
    )


def _typed(table: str, rows: pl.DataFrame) -> pa.Table:
    """Rows as the mart's Arrow schema: its column order and types (polars' Int32 row numbers never leak)."""
    return rows.to_arrow().select(TABLES[table].schema.names).cast(TABLES[table].schema)


def compute_chunks(
    con: duckdb.DuckDBPyConnection, reports: str, fact_rows: Callable[[str], str], size: int = CHUNK
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """`compute` over `reports` at most `size` reports at a time (by year), so memory stays bounded
    whatever the warehouse's size."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _mart_all AS SELECT report_id, year, template_version, "
        f"(row_number() OVER (ORDER BY year, report_id) - 1) // {int(size)} AS chunk FROM ({reports})"
    )
    chunks = [chunk for (chunk,) in con.execute("SELECT DISTINCT chunk FROM _mart_all ORDER BY 1").fetchall()]
    for chunk in chunks:
        yield compute(con, f"SELECT report_id, year, template_version FROM _mart_all WHERE chunk = {int(chunk)}", fact_rows)
