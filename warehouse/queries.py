"""Every SQL statement a page runs, parameterised, returning polars frames.

They read the in-memory tables of `warehouse.indexes`, filtered by the global filter
frame (`warehouse.filters`). User input only ever reaches SQL as a bound parameter;
column names come from the metric dictionary through `warehouse.sql`'s checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import duckdb
import polars as pl

from warehouse.filters import Filters, selection
from warehouse.measures import BY_ID
from warehouse.schema import FACT_TABLES
from warehouse.sql import frame, measure_column, quote, rows

__all__ = ["Filters"]  # page code has always taken the filter frame from here

def snapshot_facts(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Year range and counts of the whole warehouse, for the filter frame's defaults."""
    row = rows(con, "SELECT min(year), max(year), count(*), coalesce(sum(synthetic::INT), 0) FROM report_index")[0]
    return {"year_min": row[0], "year_max": row[1], "reports": row[2], "synthetic": row[3]}


def places(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every province / city / county that has a report: the region tree."""
    return frame(
        con, "SELECT DISTINCT province, city, county FROM body_index ORDER BY province, city NULLS FIRST, county NULLS FIRST"
    )


def kinds(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Kinds of body present."""
    return [row[0] for row in rows(con, "SELECT DISTINCT kind FROM body_index ORDER BY kind")]


def bodies(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Bodies within the place and kind filters that reported within the year range (the body filter's options),
    by name: sorted by polars, which sorts 150,000 names in a third of DuckDB's time."""
    place = replace(filters, years=None, agencies=())
    sql = f"""
        SELECT agency_id, agency_name, kind, level, province, city, county, reports FROM body_index i
        WHERE {selection(place)} AND i.first_year <= $year_to AND i.last_year >= $year_from
    """
    low, high = filters.years or (0, 9999)
    return frame(con, sql, place.params() | {"year_from": low, "year_to": high}).sort("agency_name", "agency_id")


def synthetic_reports(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    """How many synthetic (demo) reports the selection contains."""
    sql = f"SELECT count(*) FROM report_index i WHERE synthetic AND {selection(filters)}"
    return rows(con, sql, filters.params())[0][0]


def missing_years(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The bodies with a primary report for year Y−1 and none for Y, for Y up to the warehouse's latest
    year: agency_id, year (Y), and the body's name and place as its latest report gives them. A primary
    report is missing its next year where no primary report has it as `prev_rid`."""
    sql = """
        WITH gaps AS (
            SELECT p.agency_id, p.year + 1 AS year FROM primary_measures p
            WHERE p.year + 1 <= (SELECT max(year) FROM report_index)
                AND NOT EXISTS (SELECT 1 FROM primary_measures q WHERE q.prev_rid = p.rid)
        ), latest AS (
            SELECT agency_id, arg_max({'agency_name': agency_name, 'province': province, 'city': city,
                'county': county, 'kind': kind}, year) AS body
            FROM primary_measures WHERE agency_id IN (SELECT agency_id FROM gaps) GROUP BY agency_id
        )
        SELECT g.agency_id, g.year, unnest(l.body) FROM gaps g JOIN latest l USING (agency_id)
    """
    return frame(con, sql)


def year_range(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """First and last report year of the warehouse."""
    low, high = rows(con, "SELECT min(year), max(year) FROM report_index")[0]
    return None if low is None else (low, high)


ROW_COLUMNS = ("i.rid, i.report_id, i.agency_id, i.agency_name, i.year, i.version, i.scope, i.province, i.city, "
               "i.county, i.kind, i.level, i.synthetic, i.depth")  # fmt: skip
KEPT_COLUMNS = "i.rid, i.agency_id, i.agency_name, i.year, i.version, i.scope, i.province, i.city, i.county, i.synthetic, i.depth"
SERIES = "CASE WHEN $split THEN $name || '（' || i.version || '版口径）' ELSE $name END"


def _measure_columns(measure_id: str) -> str:
    """A measure's numerator, denominator (null for a count: the prepared tables hold none) and derived flag
    as num, den, derived."""
    num, derived = measure_column(measure_id, "num"), measure_column(measure_id, "derived")  # refuses a non-id
    den = f"i.{measure_column(measure_id, 'den')}" if BY_ID[measure_id].is_rate else "NULL::DOUBLE"
    return f"i.{num} AS num, {den} AS den, i.{derived} AS derived"


def _usable(alias: str, columns: Sequence[str]) -> str:
    """A report of table `alias` counts: its template version is asked for and every column has a value."""
    tests = [f"list_contains($versions::VARCHAR[], {alias}.version)"]
    tests += [f"{alias}.{column} IS NOT NULL" for column in columns]
    return " AND ".join(tests)


def _kept(filters: Filters, select: str, source: str, usable: Sequence[str] = (), cover: str = '"cover#any"') -> str:
    """A query of the selection's usable reports, less those a region report in the selection stands for.

    A report is dropped when the region report of a region containing it (`cover1..3`,
    the first by number at each depth) is in the selection for the same year with a
    usable value, at level `$level` or deeper; region reports of areas larger than
    `$level` are dropped too, as they cannot stand for one group. So a region's own
    report replaces its members, never adds to them.

    `usable` are the quoted columns that must have a value. Without a filter on kinds or
    bodies every region report of the place and years is in the selection, and the
    precomputed column `cover` answers; with one, three joins on the few region reports
    (`<source>_regions`) check which are, testing them with the same filter predicate.
    """
    head = f"SELECT {KEPT_COLUMNS}, {select} FROM {source} i"
    where = f"WHERE {selection(filters)} AND {_usable('i', usable)} AND NOT (i.scope = 'region' AND i.depth < $level)"
    if not (filters.kinds or filters.agencies):
        return f"{head} {where} AND i.{cover} < $level"
    joins, tests = [], []
    for depth in (1, 2, 3):
        alias = f"r{depth}"
        joins.append(f"LEFT JOIN {source}_regions {alias} ON {alias}.rid = i.cover{depth}")
        stands = f"{selection(filters, alias)} AND {_usable(alias, usable)}"
        tests.append(f"AND NOT ({depth} >= $level AND i.depth >= {depth} AND {alias}.rid <> i.rid AND coalesce({stands}, false))")
    return f"{head} {' '.join(joins)} {where} {' '.join(tests)}"


def measure_rows(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    versions: Sequence[str],
    name: str,
    split: bool,
    year: int | None = None,
) -> pl.DataFrame:
    """Each body's primary report in the selection with the measure's numerator, denominator and flag
    (in no order: rankings and trends sort what they show)."""
    params = filters.params() | {"versions": list(versions), "name": name, "split": split, "year": year}
    sql = f"""
        SELECT {ROW_COLUMNS}, {SERIES} AS series, {_measure_columns(measure_id)}
        FROM primary_measures i
        WHERE {selection(filters)} AND list_contains($versions::VARCHAR[], i.version) AND ($year IS NULL OR i.year = $year)
    """
    return frame(con, sql, params)


def region_label(level: int) -> str:
    """The group of a row at `level` (1 province … 3 county); rows above it form '<parent>本级'."""
    column = ("province", "city", "county")[level - 1]
    parent = {1: "''", 2: "province", 3: "coalesce(city, province)"}[level]
    return f"CASE WHEN depth >= {level} THEN {column} ELSE {parent} || '本级' END"


def measure_kept(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    versions: Sequence[str],
    rate: bool,
    level: int,
) -> pl.DataFrame:
    """The reports a sum adds, one row each: body, year, version, its region at `level`, num, den, derived;
    `own` where it is a region report of `level`, `local` where it is placed above `level`.

    Region reports stand in for their members (`_kept`); rates keep only reports with both
    parts. `path` is the group's place (province|city|county down to `level`), for drill-down.
    The comparison set and the sums are taken on these rows (`warehouse.values`), in no order:
    sorting them took half the query at 1M reports.
    """
    path = " || '|' || ".join(f"coalesce({c}, '')" for c in ("province", "city", "county")[:level])
    parts = ("num", "den") if rate else ("num",)
    usable = [measure_column(measure_id, part) for part in parts]
    kept = _kept(filters, _measure_columns(measure_id), "primary_measures", usable, measure_column(measure_id, "cover"))
    sql = f"""
        SELECT agency_id, year, version, scope = 'region' AND depth = $level AS own, depth < $level AS local,
            {region_label(level)} AS region, {path} AS path,
            num, {"den" if rate else "NULL::DOUBLE"} AS den, coalesce(derived, false) AS derived
        FROM ({kept}) kept
    """
    return frame(con, sql, filters.params() | {"versions": list(versions), "level": level})


def stating_counts(con: duckdb.DuckDBPyConnection, filters: Filters, measure_ids: Sequence[str]) -> pl.DataFrame:
    """Per year and template version: the selection's primary reports (`reports`) and how many state each
    measure (a column named after it). One scan answers every measure's coverage (`warehouse.values.coverage`)."""
    counts = "".join(f", count(i.{measure_column(m, 'num')})::INTEGER AS {m}" for m in measure_ids)
    sql = f"""
        SELECT i.year, i.version, count(*)::INTEGER AS reports{counts}
        FROM primary_measures i WHERE {selection(filters)} GROUP BY ALL ORDER BY ALL
    """
    return frame(con, sql, filters.params())


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
    kept = _kept(filters, chosen, "primary_measures")
    latest = f"WHERE scope = 'body' AND year = (SELECT max(year) FROM ({kept}))" if by_body else ""
    sql = f'SELECT {group} AS "group", {sums} FROM ({kept}) kept {latest} GROUP BY 1 ORDER BY 1'
    return frame(con, sql, filters.params() | {"versions": ["2019", "2021"], "level": level})


def part_rows(con: duckdb.DuckDBPyConnection, keys: Sequence[str], filters: Filters, level: int) -> pl.DataFrame:
    """The reports a composition adds that state any of its parts, one row each (region reports standing in
    for their members): agency_id, year, `p<i>` key i's number and `d<i>` whether it is derived. Only what
    the sums and the comparison set read: names and places of a million rows took half the page at 1M."""
    chosen = ", ".join(f'i.{quote(key)} AS "p{i}", i."{key}#d" AS "d{i}"' for i, key in enumerate(keys))
    parts = ", ".join(f'"p{i}", "d{i}"' for i in range(len(keys)))
    stating = " OR ".join(f'"p{i}" IS NOT NULL' for i in range(len(keys)))
    kept = _kept(filters, chosen, "primary_measures")
    params = filters.params() | {"versions": ["2019", "2021"], "level": level}
    return frame(con, f"SELECT agency_id, year, {parts} FROM ({kept}) kept WHERE {stating}", params)


def flag_values(con: duckdb.DuckDBPyConnection, measure_ids: Sequence[str]) -> pl.DataFrame:
    """What the flag tests read (`warehouse.flags.candidates`), one row per body's own primary report: rid,
    prev_rid (the body's primary report of the year before), year, kind, level, version and each measure's
    numerator (and a share's denominator). Names join the few that are flagged (`report_names`)."""
    parts = "".join(
        f", i.{measure_column(m, part)}" for m in measure_ids for part in (("num", "den") if BY_ID[m].is_rate else ("num",))
    )
    sql = f"SELECT i.rid, i.prev_rid, i.year, i.kind, i.level, i.version{parts} FROM primary_measures i WHERE i.scope = 'body'"
    return frame(con, sql)


def report_names(con: duckdb.DuckDBPyConnection, rids: pl.Series) -> pl.DataFrame:
    """The body and place (agency_id, agency_name, province, city, county) of the primary reports `rids`
    (joined as a frame: hundreds of thousands of ids as a list parameter took most of a second)."""
    sql = """
        SELECT i.rid, i.agency_id, i.agency_name, i.province, i.city, i.county
        FROM primary_measures i JOIN _rids USING (rid)
    """
    return frame(con, sql, tables={"_rids": pl.DataFrame({"rid": rids.cast(pl.Int32)})})


def flags(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int | None = None) -> pl.DataFrame:
    """The flags computed for the whole warehouse at opening, for the selection, newest first (in their
    `position`): the first `limit` (every one where None), each with `total`, how many the selection has."""
    sql = f"""
        SELECT agency_id, agency_name, year, flag, measure, value, reference, message, count(*) OVER () AS total
        FROM report_flags i WHERE {selection(filters)}
        ORDER BY position LIMIT $limit
    """
    return frame(con, sql, filters.params() | {"limit": limit})


# ---------------------------------------------------------------- coverage and quality


def coverage(con: duckdb.DuckDBPyConnection, filters: Filters, years: tuple[int, int], limit: int = 60) -> pl.DataFrame:
    """Body × year for the `limit` bodies with most missing years and failing reports (`bodies`: how many in all)."""
    sql = f"""
        WITH per AS (
            SELECT agency_id, agency_name, year, reports, failures, synthetic FROM body_years i WHERE {selection(filters)}
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
    return frame(con, sql, params)


def finding_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Failing and not-assessable checks by rule and severity."""
    sql = f"""
        SELECT i.rule, i.severity, i.outcome, count(*) AS findings FROM open_findings i WHERE {selection(filters)}
        GROUP BY ALL ORDER BY findings DESC, i.rule
    """
    return frame(con, sql, filters.params())


#: A finding's keys as a list again (`findings_open` keeps them joined: `warehouse.marts.open_findings`),
#: from its text row `t` (`finding_texts`).
KEY_LIST = "CASE WHEN t.keys = '' THEN []::VARCHAR[] ELSE string_split(t.keys, chr(31)) END"
#: A finding of `open_findings` (`f`) with its report (`r`) and its keys and message (`t`).
FINDING_FROM = "JOIN report_index r USING (rid) JOIN finding_texts t USING (tid)"


def findings(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    rules: Sequence[str] = (),
    severities: Sequence[str] = (),
    outcomes: Sequence[str] = ("fail", "not_assessable"),
    limit: int = 1000,
) -> pl.DataFrame:
    """Failing (and, if asked, not-assessable) findings with their body, year and message; `total` counts all."""
    chosen = {"rules": list(rules), "severities": list(severities)}  # none chosen: all
    asked = {"outcomes": list(outcomes)} | {name: values for name, values in chosen.items() if values}
    column = {"outcomes": "outcome", "rules": "rule", "severities": "severity"}
    tests = "".join(f" AND list_contains(${name}::VARCHAR[], i.{column[name]})" for name in asked)
    sql = f"""
        SELECT r.agency_name, f.year, f.rule, f.severity, f.outcome, t.message_zh, {KEY_LIST} AS keys, r.report_id,
            f.related_report_id, f.agency_id, r.source_file, f.total
        FROM (
            SELECT *, count(*) OVER () AS total FROM open_findings i WHERE {selection(filters)}{tests}
        ) f {FINDING_FROM}
        ORDER BY r.agency_name, f.year, f.rule, r.report_id, t.keys LIMIT $limit
    """
    return frame(con, sql, filters.params() | asked | {"limit": limit})


def findings_by_body(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Bodies by their number of failing checks, most first."""
    sql = f"""
        SELECT f.agency_id, any_value(r.agency_name) AS agency_name, count(*) AS count
        FROM open_findings f JOIN report_index r USING (rid)
        WHERE f.outcome = 'fail' AND {selection(filters, "f")}
        GROUP BY f.agency_id ORDER BY count DESC, agency_name
    """
    return frame(con, sql, filters.params())


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
    return frame(con, sql, {"reports": [r for r in report_ids if r], "keys": list(keys)})


def quarantine(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Files that could not be ingested, newest first."""
    return frame(con, 'SELECT source_file, reason, "at", source_path FROM quarantine ORDER BY "at" DESC')


# ---------------------------------------------------------------- one body


def body_reports(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """Every report of one body, primary first within a year."""
    sql = """
        SELECT report_id, agency_name, year, version, source_file, source_path, source_format, primary_report,
            duplicate, synthetic, scope, scope_evidence, province, city, county, kind, level
        FROM report_index WHERE agency_id = $agency_id ORDER BY year, primary_report DESC, source_file
    """
    return frame(con, sql, {"agency_id": agency_id})


def printed_cells(con: duckdb.DuckDBPyConnection, report_id: str, year: int) -> pl.DataFrame:
    """Every cell of one report as printed (status, raw text, source); the year prunes the Parquet partitions."""
    union = " UNION ALL ".join(
        f"SELECT key, row_key, col_key, value, raw, status, source FROM {table} "
        "WHERE year = $year AND report_id = $report_id"
        for table in FACT_TABLES.values()
    )
    return frame(con, f"SELECT * FROM ({union}) ORDER BY key", {"report_id": report_id, "year": year})


def body_findings(con: duckdb.DuckDBPyConnection, agency_id: str) -> pl.DataFrame:
    """Failing and not-assessable findings of one body's reports."""
    sql = f"""
        SELECT f.year, f.rule, f.severity, f.outcome, t.message_zh, {KEY_LIST} AS keys, r.report_id, f.related_report_id
        FROM open_findings f {FINDING_FROM} WHERE f.agency_id = $agency_id ORDER BY f.year, f.severity, f.rule
    """
    return frame(con, sql, {"agency_id": agency_id})
