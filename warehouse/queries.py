"""Every SQL statement the dashboard runs, parameterised, returning polars frames.

The warehouse views (`warehouse.store.connect`) hold one row per printed cell. At
connection time two in-memory tables are built from them, so that page queries stay
fast on 100,000 reports:

- `report_index`: one row per report with its body, place (province / city / county),
  kind, level, template version, whether it is the body's primary report of the year
  (duplicates are kept but counted once) and its scope (body or region, set by
  `warehouse.metrics`);
- `report_cells`: one row per report, one column per canonical key the metric layer
  reads (`"<key>"` the number, `"<key>#d"` true where it is derived rather than printed).

User input only ever reaches SQL as a bound parameter. Column names are canonical keys
from the metric dictionary, checked against `KEY_PATTERN` before they are quoted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import polars as pl

from warehouse import settings, store
from warehouse.schema import FACT_TABLES, TABLES

KEY_PATTERN = re.compile(r"^(t2|t3|t4|text)\.[a-z0-9_.]+$")
UNPLACED = "未定位"
SYNTHETIC_PROVINCE = "演示数据（虚构地区）"
STATUS_CODES = {"reported": 3, "derived": 2, "blank": 1}


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """The global filter frame: a place, kinds of body, a year range and chosen bodies."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    kinds: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    agencies: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        """How deep the place filter goes: 0 none, 1 province, 2 city, 3 county."""
        return 3 if self.county else 2 if self.city else 1 if self.province else 0

    def without_agencies(self) -> Filters:
        return replace(self, agencies=())

    def params(self) -> dict[str, object]:
        low, high = self.years or (0, 9999)
        return {
            "province": self.province,
            "city": self.city,
            "county": self.county,
            "kinds": list(self.kinds),
            "year_from": low,
            "year_to": high,
            "agencies": list(self.agencies),
        }

    def slug(self) -> str:
        """A short description for file names: 地区_类型_年份."""
        place = "-".join(p for p in (self.province, self.city, self.county) if p) or "全部地区"
        years = f"{self.years[0]}-{self.years[1]}" if self.years else "全部年度"
        parts = [place, years]
        if self.kinds:
            parts.append("+".join(self.kinds))
        if self.agencies:
            parts.append(f"{len(self.agencies)}个单位")
        return "_".join(parts)


WHERE = """
    ($province IS NULL OR i.province = $province)
    AND ($city IS NULL OR i.city = $city)
    AND ($county IS NULL OR i.county = $county)
    AND (len($kinds::VARCHAR[]) = 0 OR list_contains($kinds::VARCHAR[], i.kind))
    AND i.year BETWEEN $year_from AND $year_to
    AND (len($agencies::VARCHAR[]) = 0 OR list_contains($agencies::VARCHAR[], i.agency_id))
"""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """Run one statement on a cursor of its own (the app shares one connection across sessions)."""
    with con.cursor() as cur:
        return cur.sql(sql, params=params or {}).pl()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object] | None = None) -> list[tuple]:
    """Like `_frame`, for the few queries that want plain tuples."""
    with con.cursor() as cur:
        return cur.execute(sql, params or {}).fetchall()


def quote(key: str) -> str:
    """A canonical key as a quoted column name; refuses anything that is not a key."""
    if not KEY_PATTERN.match(key):
        raise ValueError(f"not a canonical key: {key!r}")
    return f'"{key}"'


# ---------------------------------------------------------------- connection set-up


def connect(directory: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse's views, or the same tables empty where nothing has been published yet.

    An empty warehouse is a normal state (a fresh install before the first import), so
    every page must render on it; empty tables make that the ordinary code path.
    """
    try:
        return store.connect(directory)
    except store.WarehouseMissing:
        con = duckdb.connect(":memory:")
        for name, table in TABLES.items():
            con.register(f"_{name}", table.schema.empty_table())
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}")
            con.unregister(f"_{name}")
        return con


INDEX = f"""
CREATE OR REPLACE TABLE report_index AS
WITH ranked AS (
    SELECT r.*, row_number() OVER (
        PARTITION BY r.agency_id, r.year ORDER BY r.n_ambiguous, r.n_values DESC, r.ingested_at DESC, r.report_id
    ) AS rank_in_year
    FROM reports r
), placed AS (
    SELECT r.*, a.name_reported, a.name_canonical, a.kind, a.level AS placed_level, a.province AS placed_province,
        coalesce(a.city, CASE WHEN a.province IS NULL
            THEN nullif(regexp_extract(a.name_canonical, '^(.{{2,7}}?市)', 1), '') END) AS city,
        coalesce(a.county, CASE WHEN a.province IS NULL
            THEN nullif(regexp_extract(a.name_canonical, '^.{{2,7}}?市(.{{1,7}}?[区县旗])', 1), '') END) AS county
    FROM ranked r LEFT JOIN agencies a USING (agency_id)
)
SELECT report_id, agency_id, coalesce(name_reported, agency_name) AS agency_name, year,
    template_version AS version, source_file, source_path, source_format, synthetic, duplicate,
    rank_in_year = 1 AS primary_report,
    coalesce(placed_province, CASE WHEN synthetic THEN '{SYNTHETIC_PROVINCE}' ELSE '{UNPLACED}' END) AS province,
    city, county, coalesce(kind, 'other') AS kind,
    coalesce(placed_level, CASE WHEN county IS NOT NULL THEN 'county' WHEN city IS NOT NULL THEN 'city'
        ELSE 'province' END) AS level,
    'body' AS scope, '' AS scope_evidence
FROM placed
"""


def build_index(con: duckdb.DuckDBPyConnection) -> None:
    """One row per report with its place; bodies the warehouse could not place (the demo's
    fictional city) get their city and district from the name, so the region tree still works."""
    con.execute(INDEX)


def _fact_union(keys: Sequence[str]) -> str:
    wanted = ", ".join(f"'{k}'" for k in keys if KEY_PATTERN.match(k))
    return " UNION ALL ".join(
        f"SELECT report_id, key, value, status FROM {table} WHERE key IN ({wanted})" for table in FACT_TABLES.values()
    )


def cell_matrix(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> pl.DataFrame:
    """One row per report: each key's number (printed or warehouse-derived) and status code.

    Status codes (`<key>#s`): 3 reported, 2 derived, 1 blank, 0 dash or ambiguous, null
    absent. `has#<table>` says whether the report prints any number in that table, which
    decides whether its blank cells read as zeros (template.md D3) or as a table left empty.
    A PIVOT, because hundreds of FILTER aggregates make DuckDB's planner crawl.
    """
    wanted = ", ".join(f"'{k}'" for k in keys if KEY_PATTERN.match(k))
    pivot = f"""
        PIVOT (
            SELECT report_id, key, CASE WHEN status IN ('reported', 'derived') THEN value END AS v,
                CAST(CASE status WHEN 'reported' THEN 3 WHEN 'derived' THEN 2 WHEN 'blank' THEN 1 ELSE 0 END AS TINYINT) AS s
            FROM ({_fact_union(keys)})
        ) ON key IN ({wanted}) USING max(v) AS v, max(s) AS s GROUP BY report_id
    """
    has = ", ".join(
        f"bool_or(status = 'reported') FILTER (WHERE starts_with(key, '{prefix}.')) AS \"has#{prefix}\""
        for prefix in FACT_TABLES
    )
    tables = _frame(con, f"SELECT report_id, {has} FROM ({_fact_union(keys)}) GROUP BY report_id")
    wide = _frame(con, pivot)
    names = {f"{k}_v": k for k in keys} | {f"{k}_s": f"{k}#s" for k in keys}
    wide = wide.rename({old: new for old, new in names.items() if old in wide.columns})
    return wide.join(tables, on="report_id", how="left").with_columns(
        pl.col(f"has#{prefix}").fill_null(False) for prefix in FACT_TABLES
    )


def store_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Materialise a frame computed in Python as an in-memory table of this connection."""
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"bad table name {name!r}")
    con.register("_incoming", frame.to_arrow())
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _incoming")
    con.unregister("_incoming")


def scope_inputs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """What decides a report's scope: its name, kind, place, new requests and text cues."""
    return _frame(
        con,
        """
        SELECT i.report_id, i.agency_id, i.agency_name, i.year, i.kind, i.level, i.province, i.city, i.county,
            i.primary_report, c."t3.new_requests.total" AS new_requests,
            (SELECT string_agg(raw, ' ') FROM text_facts t WHERE t.report_id = i.report_id) AS text_cues
        FROM report_index i LEFT JOIN report_cells c USING (report_id)
        """,
    )


def set_scope(con: duckdb.DuckDBPyConnection, scopes: pl.DataFrame) -> None:
    """Write the metric layer's scope decisions (report_id, scope, scope_evidence) into the index."""
    store_table(con, "report_scope", scopes.select("report_id", "scope", "scope_evidence"))
    con.execute(
        """
        UPDATE report_index i SET scope = s.scope, scope_evidence = s.scope_evidence
        FROM report_scope s WHERE s.report_id = i.report_id
        """
    )


# ---------------------------------------------------------------- filter options


def snapshot_facts(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Year range and counts of the whole warehouse, for the filter frame's defaults."""
    row = _rows(con, "SELECT min(year), max(year), count(*), coalesce(sum(synthetic::INT), 0) FROM report_index")[0]
    return {"year_min": row[0], "year_max": row[1], "reports": row[2], "synthetic": row[3]}


def places(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every province / city / county that has a report: the region tree."""
    return _frame(
        con, "SELECT DISTINCT province, city, county FROM report_index ORDER BY province, city NULLS FIRST, county NULLS FIRST"
    )


def kinds(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Kinds of body present."""
    return [row[0] for row in _rows(con, "SELECT DISTINCT kind FROM report_index ORDER BY kind")]


def bodies(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Bodies within the place, kind and year filters (not narrowed by the body filter itself)."""
    params = filters.without_agencies().params()
    return _frame(
        con,
        f"""
        SELECT agency_id, any_value(agency_name ORDER BY year DESC) AS agency_name, any_value(kind) AS kind,
            any_value(level) AS level, any_value(province) AS province, any_value(city) AS city,
            any_value(county) AS county, count(*) AS reports
        FROM report_index i WHERE {WHERE} GROUP BY agency_id ORDER BY agency_name
        """,
        params,
    )


def synthetic_reports(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many synthetic (demo) reports the selection contains."""
    sql = f"SELECT count(*) FROM report_index i WHERE synthetic AND {WHERE}"
    return _rows(con, sql, filters.params())[0][0]


# ---------------------------------------------------------------- values for the metric layer

INDEX_COLUMNS = (
    "report_id, agency_id, agency_name, year, version, scope, province, city, county, kind, level, synthetic"
)


def report_values(con: duckdb.DuckDBPyConnection, filters: Filters, keys: Iterable[str]) -> pl.DataFrame:
    """The primary report of each body and year in the selection, with the given keys' cells."""
    cells = ", ".join(f'c.{quote(k)}, c."{k}#d"' for k in dict.fromkeys(keys))
    sql = f"""
        SELECT {', '.join('i.' + c.strip() for c in INDEX_COLUMNS.split(','))}, {cells}
        FROM report_index i LEFT JOIN report_cells c USING (report_id)
        WHERE i.primary_report AND {WHERE}
        ORDER BY i.year, i.agency_name
    """
    return _frame(con, sql, filters.params())


def reporting_history(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Which body reported in which year, over every year (missing-report flags look back)."""
    params = filters.params() | {"year_from": 0, "year_to": 9999}
    sql = f"""
        SELECT DISTINCT agency_id, agency_name, year, kind, level FROM report_index i
        WHERE i.primary_report AND {WHERE}
    """
    return _frame(con, sql, params)


def year_range(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """First and last report year of the warehouse."""
    low, high = _rows(con, "SELECT min(year), max(year) FROM report_index")[0]
    return None if low is None else (low, high)


# ---------------------------------------------------------------- coverage and quality


def coverage(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Body × year: reports present, failing checks, duplicates; missing years come out as absent rows."""
    sql = f"""
        WITH sel AS (SELECT * FROM report_index i WHERE {WHERE}),
        failing AS (
            SELECT report_id, count(*) AS failures FROM findings
            WHERE outcome = 'fail' AND severity = 'error' AND report_id IN (SELECT report_id FROM sel)
            GROUP BY report_id
        )
        SELECT s.agency_id, any_value(s.agency_name) AS agency_name, s.year, count(*) AS reports,
            coalesce(sum(f.failures), 0) AS failures, bool_or(s.synthetic) AS synthetic
        FROM sel s LEFT JOIN failing f USING (report_id)
        GROUP BY s.agency_id, s.year ORDER BY agency_name, s.year
    """
    return _frame(con, sql, filters.params())


def finding_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Failing and not-assessable checks by rule and severity."""
    sql = f"""
        SELECT f.rule, f.severity, f.outcome, count(*) AS findings, count(DISTINCT f.report_id) AS reports
        FROM findings f JOIN report_index i USING (report_id)
        WHERE f.outcome <> 'pass' AND {WHERE}
        GROUP BY ALL ORDER BY findings DESC, f.rule
    """
    return _frame(con, sql, filters.params())


def findings(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: Sequence[str] = (),
    severities: Sequence[str] = (),
    outcomes: Sequence[str] = ("fail", "not_assessable"),
) -> pl.DataFrame:
    """Failing (and, if asked, not-assessable) findings with their body, year and message."""
    params = filters.params() | {"rules": list(rules), "severities": list(severities), "outcomes": list(outcomes)}
    sql = f"""
        SELECT i.agency_name, i.year, f.rule, f.severity, f.outcome, f.message_zh, f.keys, f.report_id,
            i.agency_id, i.source_file
        FROM findings f JOIN report_index i USING (report_id)
        WHERE list_contains($outcomes::VARCHAR[], f.outcome) AND {WHERE}
            AND (len($rules::VARCHAR[]) = 0 OR list_contains($rules::VARCHAR[], f.rule))
            AND (len($severities::VARCHAR[]) = 0 OR list_contains($severities::VARCHAR[], f.severity))
        ORDER BY i.agency_name, i.year, f.rule
    """
    return _frame(con, sql, params)


def findings_by_body(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Bodies by their number of failing checks, most first."""
    sql = f"""
        SELECT i.agency_id, any_value(i.agency_name) AS agency_name, count(*) AS count
        FROM findings f JOIN report_index i USING (report_id)
        WHERE f.outcome = 'fail' AND {WHERE}
        GROUP BY i.agency_id ORDER BY count DESC, agency_name
    """
    return _frame(con, sql, filters.params())


def cells(con: duckdb.DuckDBPyConnection, report_id: str, keys: Sequence[str]) -> pl.DataFrame:
    """The printed (and derived) cells of one report for the given keys, as stored."""
    union = " UNION ALL ".join(
        f"SELECT key, value, raw, status, source FROM {table} WHERE report_id = $report_id" for table in FACT_TABLES.values()
    )
    sql = f"SELECT * FROM ({union}) WHERE list_contains($keys::VARCHAR[], key) ORDER BY key, status"
    return _frame(con, sql, {"report_id": report_id, "keys": list(keys)})


def quarantine(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Files that could not be ingested, newest first."""
    return _frame(con, 'SELECT source_file, reason, "at", source_path FROM quarantine ORDER BY "at" DESC')


# ---------------------------------------------------------------- one body


def body_reports(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """Every report of one body, primary first within a year."""
    sql = """
        SELECT report_id, agency_name, year, version, source_file, source_path, source_format, primary_report,
            duplicate, synthetic, scope, scope_evidence, province, city, county, kind, level
        FROM report_index WHERE agency_id = $agency_id ORDER BY year, primary_report DESC, source_file
    """
    return _frame(con, sql, {"agency_id": agency_id})


def body_cells(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """Every cell of every primary report of one body, as printed (status, raw text, source)."""
    union = " UNION ALL ".join(
        f"SELECT report_id, year, key, row_key, col_key, value, raw, status, source FROM {table} "
        "WHERE agency_id = $agency_id"
        for table in FACT_TABLES.values()
    )
    sql = f"""
        SELECT f.* FROM ({union}) f JOIN report_index i USING (report_id)
        WHERE i.primary_report ORDER BY f.year, f.key
    """
    return _frame(con, sql, {"agency_id": agency_id})


def body_findings(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """Failing and not-assessable findings of one body's reports."""
    sql = """
        SELECT year, rule, severity, outcome, message_zh, keys, report_id FROM findings
        WHERE agency_id = $agency_id AND outcome <> 'pass' ORDER BY year, severity, rule
    """
    return _frame(con, sql, {"agency_id": agency_id})


def warehouse_path(directory: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse folder (for side files such as the scope overrides)."""
    return settings.warehouse_dir(directory)
