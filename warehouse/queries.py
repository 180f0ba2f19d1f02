"""Every SQL statement the dashboard runs, parameterised, returning polars frames.

The warehouse views (`warehouse.store.connect`) hold one row per printed cell. When a
snapshot is opened (`warehouse.metrics.open_warehouse`), in-memory tables are built from
them once, so that page queries only filter and sum and stay fast on 100,000 reports:

- `report_index`: one row per report with its body, place (province / city / county),
  kind, level, template version, whether it is the body's primary report of the year
  (duplicates are kept but counted once) and its scope (body or region);
- `report_cells` / `report_measures`: per report, each canonical key the metric layer
  reads (`"<key>"`, and `"<key>#d"` true where derived rather than printed) / each
  measure's numerator, denominator and derived flag;
- `primary_cells` / `primary_measures` (and `…_regions`, their region reports): the same
  for primary reports beside their index columns and the region reports covering them;
- `body_index`, `body_years`, `report_failures`, `open_findings`, `report_flags`.

User input only ever reaches SQL as a bound parameter. Column names are canonical keys
or measure ids from the metric dictionary, checked against a pattern before they are quoted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from warehouse import settings, store
from warehouse.schema import FACT_TABLES, TABLES

KEY_PATTERN = re.compile(r"^(t2|t3|t4|text)\.[a-z0-9_.]+$")
UNPLACED = "未定位"
SYNTHETIC_PROVINCE = "演示数据（虚构地区）"


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
SELECT (row_number() OVER (ORDER BY report_id) - 1)::INTEGER AS rid,
    report_id, agency_id, coalesce(name_reported, agency_name) AS agency_name, year,
    template_version AS version, source_file, source_path, source_format, synthetic, duplicate,
    rank_in_year = 1 AS primary_report,
    coalesce(placed_province, CASE WHEN synthetic THEN '{SYNTHETIC_PROVINCE}' ELSE '{UNPLACED}' END) AS province,
    city, county, coalesce(kind, 'other') AS kind,
    coalesce(placed_level, CASE WHEN county IS NOT NULL THEN 'county' WHEN city IS NOT NULL THEN 'city'
        ELSE 'province' END) AS level,
    'body' AS scope, '' AS scope_evidence
FROM placed
"""


BODIES = """
CREATE OR REPLACE TABLE body_index AS
SELECT agency_id, arg_max(agency_name, year) AS agency_name, arg_max(kind, year) AS kind, arg_max(level, year) AS level,
    arg_max(province, year) AS province, arg_max(city, year) AS city, arg_max(county, year) AS county,
    count(*) AS reports, min(year) AS first_year, max(year) AS last_year
FROM report_index GROUP BY agency_id
"""
FAILURES = """
CREATE OR REPLACE TABLE report_failures AS
SELECT report_id, count(*) AS failures FROM findings WHERE outcome = 'fail' AND severity = 'error' GROUP BY report_id;
CREATE OR REPLACE TABLE body_years AS
SELECT i.agency_id, any_value(i.agency_name) AS agency_name, i.year, any_value(i.province) AS province,
    any_value(i.city) AS city, any_value(i.county) AS county, any_value(i.kind) AS kind, count(*) AS reports,
    coalesce(sum(f.failures), 0) AS failures, bool_or(i.synthetic) AS synthetic
FROM report_index i LEFT JOIN report_failures f USING (report_id) GROUP BY i.agency_id, i.year;
"""


def build_index(con: duckdb.DuckDBPyConnection) -> None:
    """One row per report with its place, one per body, and each report's failing checks.

    Bodies the warehouse could not place (the demo's fictional city) get their city and
    district from the name, so the region tree still works.
    """
    con.execute(INDEX)
    con.execute(BODIES)
    con.execute(FAILURES)


def cell_matrix(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> pl.DataFrame:
    """One row per report: each key's number (printed or warehouse-derived) and status code.

    Status codes (`<key>#s`): 3 reported, 2 derived, 1 blank, 0 dash or ambiguous, -1
    absent. `has#<table>` says whether the report prints any number in that table, which
    decides whether its blank cells read as zeros (template.md D3) or as a table left empty.

    The facts come out long (report number, key number, value, status) and are scattered
    into arrays: at 100,000 reports a SQL PIVOT over hundreds of keys takes minutes.
    Where a key has rows of several statuses, the higher status wins (a derived total
    over its blank cell).
    """
    keys = [k for k in dict.fromkeys(keys) if KEY_PATTERN.match(k)]
    tables = list(FACT_TABLES)
    store_table(con, "key_ids", pl.DataFrame({"key": keys, "kid": range(len(keys))}, schema={"key": pl.String, "kid": pl.Int16}))
    union = " UNION ALL ".join(f"SELECT report_id, key, value, status FROM {t}" for t in FACT_TABLES.values())
    long = _frame(
        con,
        f"""
        SELECT i.rid, m.kid, CASE WHEN f.status IN ('reported', 'derived') THEN f.value END AS v,
            CAST(CASE f.status WHEN 'reported' THEN 3 WHEN 'derived' THEN 2 WHEN 'blank' THEN 1 ELSE 0 END AS TINYINT) AS s
        FROM ({union}) f JOIN key_ids m USING (key) JOIN report_index i USING (report_id)
        """,
    )
    ids = _frame(con, "SELECT report_id FROM report_index ORDER BY rid")["report_id"]
    rid, kid, status = long["rid"].to_numpy(), long["kid"].to_numpy(), long["s"].to_numpy()
    value = long["v"].fill_null(np.nan).to_numpy()
    values = np.full((len(ids), len(keys)), np.nan)  # row-major while scattering: a report's cells sit together
    statuses = np.full((len(ids), len(keys)), -1, dtype=np.int8)
    for code in (0, 1, 2, 3):  # in rising order, so the highest status of a key is written last
        rows = status == code
        values[rid[rows], kid[rows]] = value[rows]
        statuses[rid[rows], kid[rows]] = code
    values, statuses = np.asfortranarray(values), np.asfortranarray(statuses)  # each key's column contiguous
    table_of_key = np.array([tables.index(k.split(".")[0]) for k in keys], dtype=np.int8)
    has = np.zeros((len(ids), len(tables)), dtype=bool)
    reported = status == 3
    has[rid[reported], table_of_key[kid[reported]]] = True
    columns = {"rid": pl.Series("rid", np.arange(len(ids), dtype=np.int32)), "report_id": ids}
    for i, key in enumerate(keys):
        columns[key] = pl.Series(key, values[:, i], nan_to_null=True)
        columns[f"{key}#s"] = pl.Series(f"{key}#s", statuses[:, i])
    columns |= {f"has#{t}": pl.Series(f"has#{t}", has[:, j]) for j, t in enumerate(tables)}
    return pl.DataFrame(columns)


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
        SELECT i.report_id, i.agency_id, i.agency_name, a.name_canonical, i.year, i.kind, i.level, i.province, i.city,
            i.county, i.primary_report, c."t3.new_requests.total" AS new_requests,
            (SELECT string_agg(raw, ' ') FROM text_facts t WHERE t.report_id = i.report_id) AS text_cues
        FROM report_index i LEFT JOIN report_cells c USING (rid) LEFT JOIN agencies a USING (agency_id)
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


PRIMARY = """
CREATE OR REPLACE TABLE primary_index AS
SELECT i.* EXCLUDE (source_file, source_path, source_format, duplicate, primary_report, scope_evidence),
    CASE WHEN i.county IS NOT NULL THEN 3 WHEN i.city IS NOT NULL THEN 2 ELSE 1 END AS depth
FROM report_index i WHERE i.primary_report;
CREATE OR REPLACE TABLE primary_covers AS
WITH regions AS (
    SELECT year, depth, province, coalesce(city, '') AS city, coalesce(county, '') AS county, min(rid) AS rid
    FROM primary_index WHERE scope = 'region' GROUP BY ALL
)
SELECT i.rid, r1.rid AS cover1, r2.rid AS cover2, r3.rid AS cover3 FROM primary_index i
LEFT JOIN regions r1 ON r1.depth = 1 AND r1.year = i.year AND r1.province = i.province
LEFT JOIN regions r2 ON r2.depth = 2 AND r2.year = i.year AND r2.province = i.province AND r2.city = coalesce(i.city, '')
LEFT JOIN regions r3 ON r3.depth = 3 AND r3.year = i.year AND r3.province = i.province AND r3.city = coalesce(i.city, '')
    AND r3.county = coalesce(i.county, '');
CREATE OR REPLACE TABLE primary_measures AS
SELECT i.*, c.* EXCLUDE (rid), m.* EXCLUDE (rid)
FROM primary_index i JOIN primary_covers c USING (rid) JOIN report_measures m USING (rid);
CREATE OR REPLACE TABLE primary_cells AS
SELECT i.*, c.* EXCLUDE (rid), m.* EXCLUDE (rid)
FROM primary_index i JOIN primary_covers c USING (rid) JOIN report_cells m USING (rid);
CREATE OR REPLACE TABLE primary_measures_regions AS SELECT * FROM primary_measures WHERE scope = 'region';
CREATE OR REPLACE TABLE primary_cells_regions AS SELECT * FROM primary_cells WHERE scope = 'region';
CREATE OR REPLACE TABLE open_findings AS
SELECT f.*, i.agency_name, i.province, i.city, i.county, i.kind, i.source_file
FROM findings f JOIN report_index i USING (report_id) WHERE f.outcome <> 'pass';
"""


def build_primary(con: duckdb.DuckDBPyConnection, measures: Sequence[tuple[str, Sequence[str], bool]]) -> None:
    """Denormalised tables of the primary reports (index columns beside measures or cells), their
    region reports apart (few, and looked up by every sum), and the checks that did not pass
    beside their body: page queries then filter and sum one table.

    `measures` are (id, template versions, is a rate). For each, `<id>#cover` is the deepest
    level at which a region report with a usable value stands for the report (0: none), so
    a sum at level L simply leaves out `#cover >= L`; `cover#any` does the same for any
    region report, for sums of cells. Valid whenever the filter keeps every kind of body
    and every body (a filter on them may leave a region report out; then `_kept` joins).
    """
    con.execute(PRIMARY)
    levels = []
    for measure_id, versions, rate in [*measures, ("", ("2019", "2021"), False)]:
        parts = ("num", "den") if rate else ("num",)
        cases = []
        for depth in (3, 2, 1):
            alias = f"r{depth}"
            usable = " AND ".join(f'{alias}."{measure_id}#{part}" IS NOT NULL' for part in parts) if measure_id else "TRUE"
            allowed = ", ".join(f"'{v}'" for v in versions if re.fullmatch(r"\d{4}", v))
            cases.append(
                f"WHEN i.depth >= {depth} AND {alias}.rid <> i.rid AND {alias}.version IN ({allowed}) AND {usable} THEN {depth}"
            )
        name = f"{measure_id}#cover" if measure_id else "cover#any"
        if measure_id and not MEASURE_ID.match(measure_id):
            raise ValueError(f"not a measure id: {measure_id!r}")
        levels.append(f'CAST(CASE {" ".join(cases)} ELSE 0 END AS TINYINT) AS "{name}"')
    joins = " ".join(f"LEFT JOIN primary_measures_regions r{d} ON r{d}.rid = i.cover{d}" for d in (1, 2, 3))
    con.execute(f"CREATE OR REPLACE TABLE cover_levels AS SELECT i.rid, {', '.join(levels)} FROM primary_measures i {joins}")
    for table in ("primary_measures", "primary_cells"):
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT t.*, c.* EXCLUDE (rid) FROM {table} t JOIN cover_levels c USING (rid)")


# ---------------------------------------------------------------- filter options


def snapshot_facts(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Year range and counts of the whole warehouse, for the filter frame's defaults."""
    row = _rows(con, "SELECT min(year), max(year), count(*), coalesce(sum(synthetic::INT), 0) FROM report_index")[0]
    return {"year_min": row[0], "year_max": row[1], "reports": row[2], "synthetic": row[3]}


def places(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every province / city / county that has a report: the region tree."""
    return _frame(
        con, "SELECT DISTINCT province, city, county FROM body_index ORDER BY province, city NULLS FIRST, county NULLS FIRST"
    )


def kinds(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Kinds of body present."""
    return [row[0] for row in _rows(con, "SELECT DISTINCT kind FROM body_index ORDER BY kind")]


def bodies(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Bodies within the place and kind filters that reported within the year range (the body filter's options)."""
    sql = """
        SELECT agency_id, agency_name, kind, level, province, city, county, reports FROM body_index
        WHERE ($province IS NULL OR province = $province) AND ($city IS NULL OR city = $city)
            AND ($county IS NULL OR county = $county)
            AND (len($kinds::VARCHAR[]) = 0 OR list_contains($kinds::VARCHAR[], kind))
            AND first_year <= $year_to AND last_year >= $year_from
        ORDER BY agency_name
    """
    params = filters.params()
    del params["agencies"]
    return _frame(con, sql, params)


def synthetic_reports(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many synthetic (demo) reports the selection contains."""
    sql = f"SELECT count(*) FROM report_index i WHERE synthetic AND {WHERE}"
    return _rows(con, sql, filters.params())[0][0]


# ---------------------------------------------------------------- values for the metric layer

def report_versions(con: duckdb.DuckDBPyConnection) -> pl.Series:
    """Each report's template version, in report-number order (the order of the cell matrix)."""
    return _frame(con, "SELECT version FROM report_index ORDER BY rid")["version"]


def reporting_history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Which body reported in which year, with its name and place, over the whole warehouse."""
    sql = """
        SELECT DISTINCT agency_id, agency_name, year, province, city, county, kind FROM report_index WHERE primary_report
    """
    return _frame(con, sql)


def year_range(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """First and last report year of the warehouse."""
    low, high = _rows(con, "SELECT min(year), max(year) FROM report_index")[0]
    return None if low is None else (low, high)


# ---------------------------------------------------------------- measures and their sums

MEASURE_ID = re.compile(r"^[a-z0-9_]+$")
ROW_COLUMNS = ("i.rid, i.report_id, i.agency_id, i.agency_name, i.year, i.version, i.scope, i.province, i.city, "
               "i.county, i.kind, i.level, i.synthetic, i.depth")  # fmt: skip
KEPT_COLUMNS = "i.rid, i.agency_name, i.year, i.version, i.scope, i.province, i.city, i.county, i.synthetic, i.depth"
SERIES = "CASE WHEN $split THEN $name || '（' || i.version || '版口径）' ELSE $name END"


def _measure_columns(measure_id: str) -> str:
    if not MEASURE_ID.match(measure_id):
        raise ValueError(f"not a measure id: {measure_id!r}")
    return f'i."{measure_id}#num" AS num, i."{measure_id}#den" AS den, i."{measure_id}#derived" AS derived'


def _kept(
    con: duckdb.DuckDBPyConnection, filters: Filters, select: str, source: str, usable: str = "TRUE", cover: str = "cover#any"
) -> str:
    """A subquery of the selection's usable reports, less those a region report in the selection stands for.

    A report is dropped when the region report of a region containing it (`cover1..3`,
    the first by number at each depth) is in the selection for the same year with a
    usable value, at level `$level` or deeper; region reports of areas larger than
    `$level` are dropped too, as they cannot stand for one group. So a region's own
    report replaces its members, never adds to them.

    Without a filter on kinds or bodies every region report of the place and years is in
    the selection, and the precomputed column `cover` answers; with one, three joins on
    the few region reports (`<source>_regions`) check which are.
    """
    chosen = f"list_contains($versions::VARCHAR[], {{a}}.version) AND {usable.replace('@', '{a}.')}"
    rows = f"SELECT {KEPT_COLUMNS}, {select} FROM {source} i"
    where = f"WHERE {WHERE} AND {chosen.format(a='i')} AND NOT (i.scope = 'region' AND i.depth < $level)"
    if not (filters.kinds or filters.agencies):
        return f'({rows} {where} AND i."{cover}" < $level) kept'
    joins, tests = [], []
    for depth in (1, 2, 3):
        alias = f"r{depth}"
        joins.append(f"LEFT JOIN {source}_regions {alias} ON {alias}.rid = i.cover{depth}")
        stands = f"{WHERE.replace('i.', alias + '.')} AND {chosen.format(a=alias)}"
        tests.append(f"AND NOT ({depth} >= $level AND i.depth >= {depth} AND {alias}.rid <> i.rid AND coalesce({stands}, false))")
    return f"({rows} {' '.join(joins)} {where} {' '.join(tests)}) kept"


def _measure_params(filters: Filters, versions: Sequence[str], split: bool, level: int) -> dict[str, object]:
    return filters.params() | {"versions": list(versions), "split": split, "level": level}


def measure_rows(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    versions: Sequence[str],
    name: str,
    split: bool,
    year: int | None = None,
) -> pl.DataFrame:
    """Each body's primary report in the selection with the measure's numerator, denominator and flag."""
    params = filters.params() | {"versions": list(versions), "name": name, "split": split, "year": year}
    sql = f"""
        SELECT {ROW_COLUMNS}, {SERIES} AS series, {_measure_columns(measure_id)}
        FROM primary_measures i
        WHERE {WHERE} AND list_contains($versions::VARCHAR[], i.version) AND ($year IS NULL OR i.year = $year)
        ORDER BY i.agency_id, series, i.year
    """
    return _frame(con, sql, params)


def latest_year(con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, versions: Sequence[str]) -> int | None:
    """The last year in which some report of the selection has a value of the measure."""
    if not MEASURE_ID.match(measure_id):
        raise ValueError(f"not a measure id: {measure_id!r}")
    sql = f"""
        SELECT max(i.year) FROM primary_measures i
        WHERE {WHERE} AND list_contains($versions::VARCHAR[], i.version) AND i."{measure_id}#num" IS NOT NULL
    """
    return _rows(con, sql, filters.params() | {"versions": list(versions)})[0][0]


def region_label(level: int) -> str:
    """The group of a row at `level` (1 province … 3 county); rows above it form '<parent>本级'."""
    column = ("province", "city", "county")[level - 1]
    parent = {1: "''", 2: "province", 3: "coalesce(city, province)"}[level]
    return f"CASE WHEN depth >= {level} THEN {column} ELSE {parent} || '本级' END"


def measure_totals(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    versions: Sequence[str],
    split: bool,
    rate: bool,
    level: int,
    by_region: bool,
) -> pl.DataFrame:
    """Numerators and denominators summed per year (per version where `split`, per region at `level`).

    Rates add only reports that have both parts. `own` says the group's figure is its
    region's own report; `local` that the group gathers bodies placed above `level`.
    """
    group = f"{region_label(level)}" if by_region else "NULL"
    parts = ("num", "den") if rate else ("num",)
    usable = " AND ".join(f'@"{measure_id}#{part}" IS NOT NULL' for part in parts)
    kept = _kept(con, filters, _measure_columns(measure_id), "primary_measures", usable, f"{measure_id}#cover")
    sql = f"""
        SELECT year, CASE WHEN $split THEN version END AS split_version, {group} AS region, sum(num) AS num,
            {"sum(den)" if rate else "NULL::DOUBLE"} AS den, bool_or(derived) AS derived, count(*)::UINTEGER AS reports,
            max(version) AS main_version, bool_or(scope = 'region' AND depth = $level) AS own,
            bool_and(depth < $level) AS local
        FROM {kept} GROUP BY ALL ORDER BY year, split_version, region
    """
    return _frame(con, sql, _measure_params(filters, versions, split, level))


def part_totals(
    con: duckdb.DuckDBPyConnection, keys: Sequence[str], filters: Filters, level: int, by_body: bool
) -> pl.DataFrame:
    """Per year (or per body in the selection's latest year): `s<i>` the sum of key i, `d<i>` whether
    any of it is derived, `n<i>` how many reports state it."""
    chosen = ", ".join(f'i.{quote(key)} AS "p{i}", i."{key}#d" AS "d{i}"' for i, key in enumerate(keys))
    sums = ", ".join(
        f'sum("p{i}") AS "s{i}", coalesce(bool_or("d{i}" AND "p{i}" IS NOT NULL), false) AS "d{i}", '
        f'count("p{i}")::UINTEGER AS "n{i}"'
        for i in range(len(keys))
    )
    group = "agency_name" if by_body else "year"
    kept = _kept(con, filters, chosen, "primary_cells")
    latest = f"WHERE scope = 'body' AND year = (SELECT max(year) FROM {kept.removesuffix(' kept')})" if by_body else ""
    sql = f'SELECT {group} AS "group", {sums} FROM {kept} {latest} GROUP BY 1 ORDER BY 1'
    return _frame(con, sql, filters.params() | {"versions": ["2019", "2021"], "level": level})


def flags(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """The flags computed for the whole warehouse at opening, for the selection, newest first."""
    sql = f"""
        SELECT agency_id, agency_name, year, flag, measure, value, reference, message FROM report_flags i
        WHERE {WHERE} ORDER BY year DESC, flag, agency_name
    """
    return _frame(con, sql, filters.params())


# ---------------------------------------------------------------- coverage and quality


def coverage(con: duckdb.DuckDBPyConnection, filters: Filters, years: tuple[int, int], limit: int = 60) -> pl.DataFrame:
    """Body × year for the `limit` bodies with most missing years and failing reports (`bodies`: how many in all)."""
    sql = f"""
        WITH per AS (
            SELECT agency_id, agency_name, year, reports, failures, synthetic FROM body_years i WHERE {WHERE}
        ),
        ranked AS (
            SELECT agency_id, ($span - count(*)) + count(*) FILTER (WHERE failures > 0) AS problems,
                any_value(agency_name) AS name, count(*) OVER () AS bodies
            FROM per GROUP BY agency_id ORDER BY problems DESC, name LIMIT $limit
        )
        SELECT p.*, r.problems, r.bodies FROM per p JOIN ranked r USING (agency_id)
        ORDER BY r.problems DESC, p.agency_name, p.year
    """
    params = filters.params() | {"span": years[1] - years[0] + 1, "limit": limit}
    return _frame(con, sql, params)


def finding_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Failing and not-assessable checks by rule and severity."""
    sql = f"""
        SELECT i.rule, i.severity, i.outcome, count(*) AS findings FROM open_findings i WHERE {WHERE}
        GROUP BY ALL ORDER BY findings DESC, i.rule
    """
    return _frame(con, sql, filters.params())


def findings(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: Sequence[str] = (),
    severities: Sequence[str] = (),
    outcomes: Sequence[str] = ("fail", "not_assessable"),
    limit: int = 1000,
) -> pl.DataFrame:
    """Failing (and, if asked, not-assessable) findings with their body, year and message; `total` counts all."""
    params = filters.params() | {"rules": list(rules), "severities": list(severities), "outcomes": list(outcomes),
                                 "limit": limit}  # fmt: skip
    sql = f"""
        WITH chosen AS (
            SELECT i.agency_name, i.year, i.rule, i.severity, i.outcome, i.message_zh, i.keys, i.report_id,
                i.related_report_id, i.agency_id, i.source_file
            FROM open_findings i
            WHERE list_contains($outcomes::VARCHAR[], i.outcome) AND {WHERE}
                AND (len($rules::VARCHAR[]) = 0 OR list_contains($rules::VARCHAR[], i.rule))
                AND (len($severities::VARCHAR[]) = 0 OR list_contains($severities::VARCHAR[], i.severity))
        )
        SELECT *, (SELECT count(*) FROM chosen) AS total FROM chosen ORDER BY agency_name, year, rule LIMIT $limit
    """
    return _frame(con, sql, params)


def findings_by_body(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Bodies by their number of failing checks, most first."""
    sql = f"""
        SELECT i.agency_id, any_value(i.agency_name) AS agency_name, count(*) AS count
        FROM open_findings i
        WHERE i.outcome = 'fail' AND {WHERE}
        GROUP BY i.agency_id ORDER BY count DESC, agency_name
    """
    return _frame(con, sql, filters.params())


def cells(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str], keys: Sequence[str]) -> pl.DataFrame:
    """The printed (and derived) cells of the reports a finding compares (a cross-year check
    names two), for the given keys, as stored, with each report's year and file."""
    union = " UNION ALL ".join(
        f"SELECT report_id, key, value, raw, status, source FROM {table} "
        "WHERE list_contains($reports::VARCHAR[], report_id) AND list_contains($keys::VARCHAR[], key)"
        for table in FACT_TABLES.values()
    )
    sql = f"""
        SELECT i.year, i.source_file, f.key, f.value, f.raw, f.status, f.source
        FROM ({union}) f JOIN report_index i USING (report_id) ORDER BY i.year, f.key, f.status
    """
    return _frame(con, sql, {"reports": [r for r in report_ids if r], "keys": list(keys)})


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


def printed_cells(con: duckdb.DuckDBPyConnection, report_id: str, year: int) -> pl.DataFrame:
    """Every cell of one report as printed (status, raw text, source); the year prunes the Parquet partitions."""
    union = " UNION ALL ".join(
        f"SELECT key, row_key, col_key, value, raw, status, source FROM {table} "
        "WHERE year = $year AND report_id = $report_id"
        for table in FACT_TABLES.values()
    )
    return _frame(con, f"SELECT * FROM ({union}) ORDER BY key", {"report_id": report_id, "year": year})


def body_findings(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """Failing and not-assessable findings of one body's reports."""
    sql = """
        SELECT year, rule, severity, outcome, message_zh, keys, report_id FROM open_findings
        WHERE agency_id = $agency_id ORDER BY year, severity, rule
    """
    return _frame(con, sql, {"agency_id": agency_id})


def warehouse_path(directory: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse folder (for side files such as the scope overrides)."""
    return settings.warehouse_dir(directory)
