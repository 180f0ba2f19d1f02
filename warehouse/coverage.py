"""Who reported for which year: a body × year grid of reported, incomplete, quarantined and missing.

A body is expected in a year when it reported in an earlier year of the warehouse, or when it
is listed in the register the user supplies (`<warehouse>/register.csv`, columns
`name[,division_code]`, UTF-8): a body that has never published is only known from there.
A report is incomplete when a finding says a table is missing or cut (`TABLE-…` rules). A
quarantined file counts for a body and year when its file name holds the body's name and the
year; other quarantined files cannot be placed and are counted apart.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import polars as pl

from warehouse.filters import Filters
from warehouse.indexes import UNPLACED
from warehouse.regions import agency_id, canonical_name, kind_of, place
from warehouse.sql import frame

STATUS_NAMES = {"reported": "已报送", "incomplete": "已报送（不完整）", "quarantined": "文件未能导入", "missing": "缺报"}
YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
CITY = re.compile(r"^(.{2,7}?市)")
COUNTY = re.compile(r"^.{2,7}?市(.{1,7}?[区县旗])")

#: The reports of the expected bodies (`_bodies`) in the years asked, `cut` where a check found a table
#: missing or cut (the report is incomplete).
BODY_REPORTS = """
    SELECT i.*, c.rid IS NOT NULL AS cut FROM report_index i LEFT JOIN (
        SELECT DISTINCT rid FROM open_findings WHERE outcome = 'fail' AND starts_with(rule, 'TABLE-')
    ) c USING (rid)
    WHERE i.year BETWEEN $first AND $last AND i.agency_id IN (SELECT agency_id FROM _bodies)
"""
GRID_COLUMNS = ["agency_id", "agency_name", "province", "city", "county", "kind", "first_year"]


def read_register(path: Path) -> pl.DataFrame:
    """The register's bodies (name, division_code); empty where there is no file.

    A file without a `name` column, or not UTF-8, raises ValueError (the page says so)."""
    schema = {"name": pl.String, "division_code": pl.String}
    if not path.is_file():
        return pl.DataFrame(schema=schema)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if "name" not in (reader.fieldnames or []):
            raise ValueError("缺少 name 列（第一行应为列名 name,division_code）")
        rows = [{"name": (r.get("name") or "").strip(), "division_code": (r.get("division_code") or "").strip() or None}
                for r in reader]  # fmt: skip
    return pl.DataFrame([r for r in rows if r["name"]], schema=schema)


def _register_bodies(register: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """Register bodies never seen in a report, placed like the ingest places bodies.

    A name no division matches (the demo's fictional city) takes its city and district
    from the name, and its province from reported bodies of that city.
    """
    provinces = dict(zip(known["city"].to_list(), known["province"].to_list(), strict=False))
    rows = []
    for name, code in register.iter_rows():
        found = place(name, None, False, {"division_code": code} if code else None)
        canonical = canonical_name(name)
        city = found.city or (m.group(1) if (m := CITY.search(canonical)) else None)
        county = found.county or (m.group(1) if (m := COUNTY.search(canonical)) else None)
        province = found.province or provinces.get(city) or UNPLACED
        rows.append({"agency_id": agency_id(name), "agency_name": name, "province": province, "city": city,
                     "county": county, "kind": found.kind or kind_of(name), "first_year": None})  # fmt: skip
    frame_ = pl.DataFrame(rows, schema=dict(zip(GRID_COLUMNS, [pl.String] * 6 + [pl.Int64], strict=False)))
    return frame_.filter(~pl.col("agency_id").is_in(known["agency_id"].to_list()))


def _in_filters(bodies: pl.DataFrame, filters: Filters) -> pl.DataFrame:
    """The bodies within the place, kind and body filters (the years are the grid's columns)."""
    tests = [pl.col(level) == value for level, value in
             (("province", filters.province), ("city", filters.city), ("county", filters.county)) if value]  # fmt: skip
    if filters.kinds:
        tests.append(pl.col("kind").is_in(list(filters.kinds)))
    if filters.agencies:
        tests.append(pl.col("agency_id").is_in(list(filters.agencies)))
    return bodies.filter(*tests) if tests else bodies


@dataclass(frozen=True)
class Expected:
    """The bodies reports are expected from (`bodies`: agency_id, name, place, `first_year`), the
    quarantined files named after them (`held`: agency_id, year, file names) and every quarantined
    file's name (`quarantined`), found once for a page."""

    bodies: pl.DataFrame
    held: pl.DataFrame
    quarantined: tuple[str, ...]


def expected_bodies(
    con: duckdb.DuckDBPyConnection, filters: Filters, register: pl.DataFrame | None = None
) -> Expected:
    """The bodies reports are expected from, within the place, kind and body filters: every body that
    reported (from its first year on, `first_year`) and the register's others (every year)."""
    known = frame(con, "SELECT agency_id, agency_name, province, city, county, kind, first_year FROM body_index")
    extra = _register_bodies(register if register is not None else pl.DataFrame(schema={"name": pl.String,
                             "division_code": pl.String}), known)  # fmt: skip
    bodies = _in_filters(pl.concat([known.cast({"first_year": pl.Int64}), extra]), filters)
    files = tuple(frame(con, "SELECT DISTINCT source_file FROM quarantine")["source_file"].to_list())
    return Expected(bodies, quarantined_by_body(bodies, files), files)


def coverage_grid(
    con: duckdb.DuckDBPyConnection, filters: Filters, years: tuple[int, int], register: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`body_years` of the bodies the filters expect reports from."""
    return body_years(con, expected_bodies(con, filters, register), years)


def body_years(con: duckdb.DuckDBPyConnection, expected: Expected, years: tuple[int, int]) -> pl.DataFrame:
    """One row per expected body and year of the range it is expected in: agency_id, agency_name, place,
    year, status (reported | incomplete | quarantined | missing), reports, and the files of the year;
    sorted by name and year."""
    grid = _reported(con, expected.bodies, years).join(expected.held, on=["agency_id", "year"], how="left")
    status = (
        pl.when(pl.col("reports").is_not_null() & pl.col("incomplete")).then(pl.lit("incomplete"))
        .when(pl.col("reports").is_not_null()).then(pl.lit("reported"))
        .when(pl.col("quarantined_files").is_not_null()).then(pl.lit("quarantined"))
        .otherwise(pl.lit("missing"))
    )  # fmt: skip
    return grid.with_columns(
        status=status,
        reports=pl.col("reports").fill_null(0),
        files=pl.coalesce("files", "quarantined_files"),
    ).drop("incomplete", "quarantined_files", "first_year").sort("agency_name", "year", "agency_id")


def _reported(con: duckdb.DuckDBPyConnection, bodies: pl.DataFrame, years: tuple[int, int]) -> pl.DataFrame:
    """`bodies` × the years they are expected in (from their first year on), with what they reported:
    reports, incomplete (a table missing or cut), files. Joined in DuckDB: at national scale that is a
    million body-years."""
    sql = f"""
        WITH expected AS (
            SELECT b.*, y.range AS year FROM _bodies b, range($first, $last + 1) y
            WHERE b.first_year IS NULL OR y.range >= b.first_year
        ), body_reports AS ({BODY_REPORTS}), reported AS (
            SELECT agency_id, year::BIGINT AS year, count(*) AS reports, bool_or(cut) AS incomplete,
                min(source_file) AS first_file, max(source_file) AS last_file
            FROM body_reports GROUP BY agency_id, year
        ), several AS (  -- the few body-years with more than one file name: their names in order
            SELECT agency_id, year::BIGINT AS year, string_agg(DISTINCT source_file, '、' ORDER BY source_file) AS files
            FROM body_reports WHERE (agency_id, year) IN (SELECT (agency_id, year) FROM reported WHERE first_file <> last_file)
            GROUP BY ALL
        )
        SELECT e.*, r.reports, r.incomplete, CASE WHEN r.first_file = r.last_file THEN r.first_file ELSE s.files END AS files
        FROM expected e LEFT JOIN reported r USING (agency_id, year) LEFT JOIN several s USING (agency_id, year)
    """
    return frame(con, sql, {"first": years[0], "last": years[1]}, {"_bodies": bodies})


def quarantined_by_body(bodies: pl.DataFrame, files: Sequence[str]) -> pl.DataFrame:
    """The quarantined `files` whose name holds a body's name and a year: agency_id, year, file names."""
    schema = {"agency_id": pl.String, "year": pl.Int64, "quarantined_files": pl.String}
    if not files:
        return pl.DataFrame(schema=schema)
    longest_first = sorted(bodies.select("agency_name", "agency_id").rows(), key=lambda n: -len(n[0]))
    names = [(canonical_name(name), body_id) for name, body_id in longest_first]  # once, not once per file
    rows = []
    for file in files:
        text = canonical_name(file or "")
        body = next((body_id for name, body_id in names if name in text), None)
        year = YEAR_IN_NAME.search(text)
        if body and year:
            rows.append({"agency_id": body, "year": int(year.group(1)), "quarantined_files": file})
    held = pl.DataFrame(rows, schema=schema)
    return held.group_by("agency_id", "year").agg(pl.col("quarantined_files").str.join("、"))


def unplaced_quarantine(con: duckdb.DuckDBPyConnection, expected: Expected, years: tuple[int, int]) -> int:
    """How many quarantined files no cell of the grid of `expected` over `years` shows (no body and year in
    the name, a year outside the range, or a year the body reported in)."""
    holding = pl.col("agency_id").is_in(expected.held["agency_id"].implode())
    cells = body_years(con, replace(expected, bodies=expected.bodies.filter(holding)), years)
    placed = set()
    for files in cells.filter(pl.col("status") == "quarantined")["files"].to_list():
        placed.update(files.split("、"))
    return sum(1 for f in expected.quarantined if f not in placed)


def status_table(con: duckdb.DuckDBPyConnection, expected: Expected, years: tuple[int, int]) -> pl.DataFrame:
    """The grid of `body_years` as one row per body (by name), one column per year holding the status's
    Chinese name ("—" before the body is expected), computed without a row per cell: at national
    scale the grid is a million rows and this table 150,000. A body's years are the bits of one number."""
    first, last = years
    held = expected.held.filter(pl.col("year").is_between(first, last))
    names = {f"s_{status}": name for status, name in STATUS_NAMES.items()}
    columns = ", ".join(
        f"CASE WHEN {_bit('r.cut_years', year - first)} THEN $s_incomplete WHEN {_bit('r.years', year - first)} "
        f"THEN $s_reported WHEN {_bit('h.years', year - first)} THEN $s_quarantined "
        f"WHEN b.first_year IS NULL OR b.first_year <= {year} THEN $s_missing ELSE '—' END AS \"{year}\""
        for year in range(int(first), int(last) + 1)
    )
    bit = "(1::BIGINT << (year - $first))"
    sql = f"""
        WITH reported AS (
            SELECT agency_id, bit_or({bit}) AS years, bit_or(CASE WHEN cut THEN {bit} END) AS cut_years
            FROM ({BODY_REPORTS}) GROUP BY agency_id
        ), held AS (
            SELECT agency_id, bit_or({bit}) AS years FROM _held GROUP BY agency_id
        )
        SELECT b.agency_id, b.agency_name AS "单位", {columns}
        FROM _bodies b LEFT JOIN reported r USING (agency_id) LEFT JOIN held h USING (agency_id)
        WHERE b.first_year IS NULL OR b.first_year <= $last
    """
    table = frame(con, sql, {"first": first, "last": last} | names, {"_bodies": expected.bodies, "_held": held})
    table = table.sort("单位", "agency_id")
    return table.select("agency_id", "单位", *(c for c in table.columns[2:] if (table[c] != "—").any()))


def _bit(years: str, offset: int) -> str:
    """Whether a body's `years` (one bit a year from the first) holds the year `offset` years after it."""
    return f"({years} >> {int(offset)}) & 1 = 1"
