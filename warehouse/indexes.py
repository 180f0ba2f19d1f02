"""The prepared tables pages read, built once per published pointer (`warehouse.prepared`) and kept in
its prepared file (`warehouse.prepare`); each step is written for the whole build and for the part a
publish touched (`Part`).

The warehouse views (`warehouse.store.connect`) hold one row per printed cell. From them:

- `report_index`: one row per report with its body, place (province / city / county, and
  its `depth`: 1 to 3, how deep the place goes), kind, level, template version, whether it is
  the body's primary report of the year (duplicates are kept but counted once) and its scope
  (body or region);
- `report_cells` / `report_measures` are the marts written at publish (`warehouse.marts`):
  per report, each canonical key the metric layer reads (`"<key>"`, and `"<key>#d"` true
  where derived rather than printed) / each measure's numerator, denominator and derived
  flag; read from the warehouse, not built here;
- `primary_measures` (and `primary_measures_regions`, its region reports): the same for the
  primary reports (measures, and the cells the compositions add) beside their index columns,
  the region reports covering them and, per measure, the level at which one stands for them;
- `body_index`, `body_years`, `report_failures`;
- `open_findings`: the checks that did not pass, a row each with its report's `rid`, body, year and
  place, and `tid`, its keys and message in `finding_texts` (a few hundred distinct texts among
  4 M findings at a million reports: kept once, the findings take 0.7 GB instead of 3.5 GB);
- `report_flags`, stored by `warehouse.prepared`.

Page queries (`warehouse.queries`) then only filter and sum, and stay fast on 100,000 reports.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from warehouse import marts, settings, store
from warehouse.schema import MARTS, TABLES
from warehouse.sql import frame, literals, measure_column, quote

UNPLACED = "未定位"
SYNTHETIC_PROVINCE = "演示数据（虚构地区）"


def connect(directory: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse's views, or the same tables empty where nothing has been published yet.

    An empty warehouse is a normal state (a fresh install before the first import), so
    every page must render on it; empty tables make that the ordinary code path. Marts
    the pointer does not hold under today's definitions (`warehouse.marts.current`) are
    computed here, in memory, until the next ingest writes them.
    """
    return open_views(directory)[0]


def open_views(directory: str | os.PathLike[str] | None = None) -> tuple[duckdb.DuckDBPyConnection, store.Status | None]:
    """`connect`, and the pointer its views read (None where nothing is published)."""
    try:
        pinned = store.status(directory)
    except store.WarehouseMissing:
        con = duckdb.connect(":memory:")
        for name, table in TABLES.items():
            _load(con, f"CREATE TABLE {name} AS SELECT * FROM _incoming", table.schema.empty_table())
        return con, None
    con = store.connect_pinned(pinned)
    if not marts.current(pinned.pointer):
        _compute_marts(con)
    return con, pinned


def _compute_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Every report's marts computed from the facts into in-memory tables that replace their views."""
    for table in MARTS:
        con.execute(f"DROP VIEW {table}")
        _load(con, f"CREATE TABLE {table} AS SELECT * FROM _incoming", TABLES[table].schema.empty_table())
    con.execute(f"INSERT INTO {marts.OPEN_FINDINGS} {marts.open_findings('SELECT * FROM findings')}")
    for chunk in marts.compute_chunks(con, "SELECT * FROM reports", lambda table: f"SELECT * FROM {table}"):
        for table, rows in zip(marts.PER_REPORT, chunk, strict=True):
            _load(con, f"INSERT INTO {table} SELECT * FROM _incoming", rows)


#: A whole build numbers the reports in id order.
NUMBERED = "SELECT report_id, (row_number() OVER (ORDER BY report_id) - 1)::INTEGER AS rid FROM reports"


@dataclass(frozen=True)
class Part:
    """Which rows a step builds: all (`WHOLE`), or what a publish touched (`touched`), which the incremental
    rebuild (`warehouse.prepared`) adds to tables it has cleared of them. Each field is an SQL condition."""

    bodies: str = "true"  # on agency_id: the bodies whose reports changed
    places: str = "true"  # on (year, province): where those bodies report, whose sums and covers they enter
    years: str = "true"  # on year: the marts' partitions those places need
    ids: str = NUMBERED  # report_id, rid: each report's number
    reports: str = "true"  # on report_id: the bodies' reports, listed (a list the marts' scans filter by)

    @property
    def whole(self) -> bool:
        return self == WHOLE

    def marts(self, table: str) -> str:
        """The rows of a per-report mart a step reads: every report's; or in a rebuild, the touched
        bodies' reports' from the mart and the other primary reports' of the places from `_kept`, their
        `primary_measures` rows from before (reading a million rows of the marts took 8 s)."""
        if self.whole:
            return f"SELECT * FROM {table}"
        return f"SELECT * FROM {table} WHERE {self.years} AND {self.reports} UNION ALL BY NAME SELECT * FROM _kept"

    @classmethod
    def touched(cls, years: Sequence[int], reports: Sequence[str]) -> Part:
        """The part the tables `_bodies` (agency_id), `_places` (year, province) and `_ids` (report_id,
        rid) name: their `reports`, in the marts' partitions of `years`."""
        return cls("agency_id IN (SELECT agency_id FROM _bodies)",
                   "(year, province) IN (SELECT year, province FROM _places)", f"year IN ({literals(years)})",
                   "SELECT report_id, rid FROM _ids", f"report_id IN ({literals(reports)})")  # fmt: skip


WHOLE = Part()


#: One row per report (of the bodies `{bodies}`). A body's primary report of a year has the fewest ambiguous
#: values, then the most values, then the newest ingest, then the first id; only the reports a publish flagged
#: `duplicate` need choosing (`{among}`, `{primary}`: `CHOICE`), unless those flags are found stale
#: (`build_index`). `rid`, the number every prepared table joins on, comes from `{ids}`.
INDEX = f"""
WITH chosen AS (
    SELECT arg_min(report_id, (n_ambiguous, -n_values, -epoch_us(ingested_at), report_id)) AS report_id
    FROM reports WHERE {{bodies}} AND {{among}} GROUP BY agency_id, year
), places AS (  -- a body the warehouse could not place gets its city and district from its name
    SELECT agency_id, name_reported, name_canonical, kind, level AS placed_level, province AS placed_province,
        coalesce(city, CASE WHEN province IS NULL
            THEN nullif(regexp_extract(name_canonical, '^(.{{{{2,7}}}}?市)', 1), '') END) AS city,
        coalesce(county, CASE WHEN province IS NULL
            THEN nullif(regexp_extract(name_canonical, '^.{{{{2,7}}}}?市(.{{{{1,7}}}}?[区县旗])', 1), '') END) AS county
    FROM agencies WHERE {{bodies}}
), placed AS (
    SELECT r.*, {{primary}} AS primary_report, p.* EXCLUDE (agency_id)
    FROM reports r LEFT JOIN chosen c USING (report_id) LEFT JOIN places p USING (agency_id) WHERE {{bodies}}
)
SELECT rid, report_id, agency_id, coalesce(name_reported, agency_name) AS agency_name, year,
    template_version AS version, source_file, source_path, source_format, synthetic, duplicate, primary_report,
    coalesce(placed_province, CASE WHEN synthetic THEN '{SYNTHETIC_PROVINCE}' ELSE '{UNPLACED}' END) AS province,
    city, county, coalesce(kind, 'other') AS kind,
    coalesce(placed_level, CASE WHEN county IS NOT NULL THEN 'county' WHEN city IS NOT NULL THEN 'city'
        ELSE 'province' END) AS level,
    'body' AS scope, '' AS scope_evidence,
    CASE WHEN county IS NOT NULL THEN 3 WHEN city IS NOT NULL THEN 2 ELSE 1 END AS depth
FROM placed JOIN ({{ids}}) ids USING (report_id)
"""
#: Choosing among the reports flagged `duplicate` (the rest are their year's only report), or among all.
CHOICE = {
    "flagged": {"among": "duplicate IS NOT FALSE", "primary": "(r.duplicate IS FALSE OR c.report_id IS NOT NULL)"},
    "all": {"among": "true", "primary": "c.report_id IS NOT NULL"},
}

BODIES = """
SELECT agency_id, arg_max(agency_name, year) AS agency_name, arg_max(kind, year) AS kind, arg_max(level, year) AS level,
    arg_max(province, year) AS province, arg_max(city, year) AS city, arg_max(county, year) AS county,
    count(*) AS reports, min(year) AS first_year, max(year) AS last_year
FROM report_index WHERE {bodies} GROUP BY agency_id
"""
FAILURES = """
SELECT report_id, count(*) AS failures FROM findings_open
WHERE outcome = 'fail' AND severity = 'error' AND {reports}
GROUP BY report_id
"""
BODY_YEARS = """
SELECT i.agency_id, arg_min(i.agency_name, i.report_id) AS agency_name, i.year, any_value(i.province) AS province,
    any_value(i.city) AS city, any_value(i.county) AS county, any_value(i.kind) AS kind, count(*) AS reports,
    coalesce(sum(f.failures), 0) AS failures, bool_or(i.synthetic) AS synthetic
FROM report_index i LEFT JOIN report_failures f USING (report_id) WHERE {bodies} GROUP BY i.agency_id, i.year
"""


def build_index(con: duckdb.DuckDBPyConnection) -> None:
    """One row per report with its place, one per body, and each report's failing checks.

    The primary reports are chosen among the duplicates a publish flagged, a few per cent of the
    reports (choosing among a million took 0.6 s). Were those flags stale (a body's year with two
    reports, neither flagged), a body-year would count twice: then, and only then, every body-year
    is chosen again.
    """
    write(con, "report_index", index_rows(WHOLE))
    build_bodies(con, WHOLE)
    if not primaries_consistent(con):
        write(con, "report_index", index_rows(WHOLE, "all"))


def index_rows(part: Part, choice: str = "flagged") -> str:
    """The `report_index` rows of the reports of `part`'s bodies."""
    return INDEX.format(bodies=part.bodies, ids=part.ids, **CHOICE[choice])


def build_bodies(con: duckdb.DuckDBPyConnection, part: Part) -> None:
    """`body_index`, `report_failures` and `body_years` of `part`'s bodies."""
    for table, select in (("body_index", BODIES), ("report_failures", FAILURES), ("body_years", BODY_YEARS)):
        write(con, table, select.format(bodies=part.bodies, reports=part.reports), part)


def primaries_consistent(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every body-year has exactly one primary report (a stale `duplicate` flag breaks it)."""
    primaries, body_years = con.execute(
        "SELECT (SELECT count(*) FROM report_index WHERE primary_report), (SELECT count(*) FROM body_years)"
    ).fetchall()[0]
    return primaries == body_years


def write(con: duckdb.DuckDBPyConnection, table: str, select: str, part: Part = WHOLE) -> None:
    """Create `table` from `select`, or add its rows by column name where `part` is not the whole."""
    if part.whole:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {select}")
    else:
        con.execute(f"INSERT INTO {table} BY NAME {select}")


def store_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Materialise a frame computed in Python as a table of this connection's database."""
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"bad table name {name!r}")
    _load(con, f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _incoming", frame.to_arrow())


def _load(con: duckdb.DuckDBPyConnection, statement: str, rows: pa.Table) -> None:
    """Run `statement` with Arrow `rows` readable as `_incoming` (registered for that statement only)."""
    con.register("_incoming", rows)
    try:
        con.execute(statement)
    finally:
        con.unregister("_incoming")


def scope_inputs(
    con: duckdb.DuckDBPyConnection, kinds: Sequence[str], levels: Sequence[str], names: Sequence[str], part: Part = WHOLE
) -> pl.DataFrame:
    """What decides a report's scope, for the reports that may cover a region (`candidate`: of the kinds
    and levels that can) and those the user's overrides name (`names`, canonical): name, kind, place,
    `depth`, new requests, `member_sum` / `members`, the new requests of the plain bodies' primary
    reports inside its region that year and how many state them, `sum_test` whether those decide, and
    the text figures' wording (in key order; only where the sum test cannot decide, as nothing else
    reads it). Every other report is a body's own; the sums are taken here so that a million rows need
    not reach polars. A region's sums stay inside its year and province, so `part`'s places decide alone."""
    return frame(
        con,
        f"""
        WITH inputs AS (
            SELECT i.report_id, i.agency_id, i.agency_name, a.name_canonical, i.year, i.kind, i.level, i.province,
                i.city, i.county, i.primary_report, c."t3.new_requests.total" AS new_requests,
                list_contains($kinds::VARCHAR[], i.kind) AND list_contains($levels::VARCHAR[], i.level) AS candidate,
                i.depth
            FROM (SELECT * FROM report_index WHERE {part.places}) i
            LEFT JOIN (SELECT * FROM report_cells WHERE {part.years}) c USING (report_id) LEFT JOIN agencies a USING (agency_id)
        ), members AS (
            SELECT * FROM inputs WHERE NOT candidate AND primary_report AND new_requests IS NOT NULL
        ), s1 AS (
            SELECT year, province, sum(new_requests) AS total, count(*) AS n FROM members GROUP BY ALL
        ), s2 AS (
            SELECT year, province, city, sum(new_requests) AS total, count(*) AS n FROM members GROUP BY ALL
        ), s3 AS (
            SELECT year, province, city, county, sum(new_requests) AS total, count(*) AS n FROM members GROUP BY ALL
        ), chosen AS (
            SELECT ch.*, CASE ch.depth WHEN 1 THEN s1.total WHEN 2 THEN s2.total ELSE s3.total END AS member_sum,
                coalesce(CASE ch.depth WHEN 1 THEN s1.n WHEN 2 THEN s2.n ELSE s3.n END, 0)::UINTEGER AS members
            FROM inputs ch
            LEFT JOIN s1 ON s1.year = ch.year AND s1.province IS NOT DISTINCT FROM ch.province
            LEFT JOIN s2 ON s2.year = ch.year AND s2.province IS NOT DISTINCT FROM ch.province
                AND s2.city IS NOT DISTINCT FROM ch.city
            LEFT JOIN s3 ON s3.year = ch.year AND s3.province IS NOT DISTINCT FROM ch.province
                AND s3.city IS NOT DISTINCT FROM ch.city AND s3.county IS NOT DISTINCT FROM ch.county
            WHERE ch.candidate OR ch.name_canonical IN (SELECT unnest($names::VARCHAR[]))
        ), tested AS (  -- the sum test applies: own new requests beside two or more bodies' positive sum
            SELECT *, new_requests IS NOT NULL AND member_sum IS NOT NULL AND members >= 2 AND member_sum > 0 AS sum_test
            FROM chosen
        ), cues AS (  -- read only where the sum test cannot decide
            SELECT report_id, string_agg(raw, ' ' ORDER BY key, raw) AS text_cues FROM text_facts
            WHERE {part.years} AND report_id IN (SELECT report_id FROM tested WHERE candidate AND NOT sum_test) GROUP BY report_id
        )
        SELECT ch.*, t.text_cues FROM tested ch LEFT JOIN cues t USING (report_id)
        """,
        {"kinds": list(kinds), "levels": list(levels), "names": list(names)},
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
    con.execute("DROP TABLE report_scope")


PRIMARY = """
CREATE OR REPLACE TEMP TABLE primary_index AS  -- prev_rid: the body's primary report of the year before
SELECT i.* EXCLUDE (source_file, source_path, source_format, duplicate, primary_report, scope_evidence), p.rid AS prev_rid
FROM (SELECT * FROM report_index WHERE primary_report AND {places}) i
LEFT JOIN report_index p ON p.primary_report AND p.agency_id = i.agency_id AND p.year = i.year - 1;
CREATE OR REPLACE TEMP TABLE primary_covers AS
WITH regions AS (
    SELECT year, depth, province, coalesce(city, '') AS city, coalesce(county, '') AS county, arg_min(rid, report_id) AS rid
    FROM primary_index WHERE scope = 'region' GROUP BY ALL
)
SELECT i.rid, r1.rid AS cover1, r2.rid AS cover2, r3.rid AS cover3 FROM primary_index i
LEFT JOIN regions r1 ON r1.depth = 1 AND r1.year = i.year AND r1.province = i.province
LEFT JOIN regions r2 ON r2.depth = 2 AND r2.year = i.year AND r2.province = i.province AND r2.city = coalesce(i.city, '')
LEFT JOIN regions r3 ON r3.depth = 3 AND r3.year = i.year AND r3.province = i.province AND r3.city = coalesce(i.city, '')
    AND r3.county = coalesce(i.county, '');
CREATE OR REPLACE TEMP VIEW part_measures AS {measures};
CREATE OR REPLACE TEMP VIEW part_cells AS {cells};
"""
#: A composition's sums test only a region report's place and version.
REGIONS = """
SELECT i.*, c.* EXCLUDE (rid), {mart_columns}
FROM primary_index i JOIN primary_covers c USING (rid) JOIN part_measures m USING (report_id) WHERE i.scope = 'region'
"""
#: Finding texts new to `finding_texts` (empty in a whole build), numbered after those it holds.
NEW_TEXTS = """
INSERT INTO finding_texts
SELECT ((SELECT coalesce(max(tid) + 1, 0) FROM finding_texts) + row_number() OVER (ORDER BY keys, message_zh) - 1)::INTEGER,
    keys, message_zh
FROM (SELECT DISTINCT keys, message_zh FROM findings_open WHERE {years} AND {reports}) n
WHERE NOT EXISTS (SELECT 1 FROM finding_texts t
                  WHERE t.keys IS NOT DISTINCT FROM n.keys AND t.message_zh IS NOT DISTINCT FROM n.message_zh)
"""
FINDINGS = """
SELECT i.rid, i.agency_id, i.year, f.rule, f.severity, f.outcome, f.scope, f.related_report_id, t.tid,
    i.province, i.city, i.county, i.kind
FROM (SELECT * FROM findings_open WHERE {years} AND {reports}) f JOIN report_index i USING (report_id)
JOIN finding_texts t ON t.keys IS NOT DISTINCT FROM f.keys AND t.message_zh IS NOT DISTINCT FROM f.message_zh
"""


def build_primary(
    con: duckdb.DuckDBPyConnection,
    measures: Sequence[tuple[str, Sequence[str], bool]],
    cell_keys: Sequence[str],
    part: Part = WHOLE,
) -> None:
    """A denormalised table of the primary reports (index columns beside the marts' measures and the
    cells of `cell_keys`: those the compositions add), their region reports apart (few, and looked up
    by every sum): page queries then filter and sum one table. The wide table is written once (a second
    one for cells took 1.7 s at 1M). A report's covers are region reports of its year and province, so
    `part`'s places are rebuilt whole.

    `measures` are (id, template versions, is a rate). For each, `<id>#cover` is the deepest
    level at which a region report with a usable value stands for the report (0: none), so
    a sum at level L simply leaves out `#cover >= L`; `cover#any` does the same for any
    region report, for sums of cells. Valid whenever the filter keeps every kind of body
    and every body (a filter on them may leave a region report out; then `_kept` joins).
    """
    mart_columns = ", ".join(
        f"m.{measure_column(measure_id, column)}"
        for measure_id, _versions, rate in measures
        for column in (("num", "den", "derived") if rate else ("num", "derived"))
    )  # a count has no denominator: a column of nulls is a million doubles all the same
    cell_columns = ", ".join(f'k.{quote(key)}, k."{key}#d"' for key in dict.fromkeys(cell_keys))
    con.execute(PRIMARY.format(places=part.places, measures=part.marts("report_measures"), cells=part.marts("report_cells")))
    write(con, "primary_measures_regions", REGIONS.format(mart_columns=mart_columns), part)
    covering = [*measures, ("", ("2019", "2021"), False)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE region_masks AS SELECT rid, {_usable_mask(covering)} AS mask "
                "FROM primary_measures_regions")  # fmt: skip
    regions = " ".join(f"LEFT JOIN region_masks r{d} ON r{d}.rid = c.cover{d}" for d in (1, 2, 3))
    con.execute(f"CREATE OR REPLACE TEMP TABLE primary_levels AS SELECT c.*, {', '.join(_cover_levels(covering))} "
                f"FROM primary_covers c JOIN primary_index i USING (rid) {regions}")  # fmt: skip
    # narrow, before the wide table: joined to a million wide rows, the region reports made DuckDB hash the
    # wide side three times (21 s and 6.7 GiB at a million reports where a province has its region reports)
    write(con, "primary_measures",
          f"SELECT i.*, l.* EXCLUDE (rid), {mart_columns}, {cell_columns} FROM primary_index i "
          f"JOIN primary_levels l USING (rid) JOIN part_measures m USING (report_id) JOIN part_cells k USING (report_id)",
          part)  # fmt: skip
    for step in ("primary_index", "primary_covers", "region_masks", "primary_levels", "part_measures", "part_cells"):
        con.execute(f"DROP {'VIEW' if step.startswith('part_') else 'TABLE'} {step}")


def build_findings(con: duckdb.DuckDBPyConnection, part: Part = WHOLE) -> None:
    """The checks that did not pass beside their report's place (`open_findings`), their keys and message
    kept once in `finding_texts`."""
    if part.whole:
        write(con, "finding_texts", "SELECT 0::INTEGER AS tid, keys, message_zh FROM findings_open LIMIT 0")
    con.execute(NEW_TEXTS.format(years=part.years, reports=part.reports))
    write(con, "open_findings", FINDINGS.format(years=part.years, reports=part.reports), part)


def _usable_mask(measures: Sequence[tuple[str, Sequence[str], bool]]) -> str:
    """Bit k set where a region report could stand for its members in measure k: its template version
    defines the measure and it states every part (a share's numerator and denominator)."""
    bits = []
    for k, (measure_id, versions, rate) in enumerate(measures):
        parts = ("num", "den") if rate else ("num",) if measure_id else ()
        allowed = ", ".join(f"'{v}'" for v in versions if re.fullmatch(r"\d{4}", v))
        usable = "".join(f" AND {measure_column(measure_id, part)} IS NOT NULL" for part in parts)
        bits.append(f"CASE WHEN version IN ({allowed}){usable} THEN {1 << k} ELSE 0 END")
    return f"({' + '.join(bits)})::BIGINT"


def _cover_levels(measures: Sequence[tuple[str, Sequence[str], bool]]) -> list[str]:
    """Each measure's `#cover` column (`"cover#any"` for the id ""): the deepest of the region reports
    `c.cover1..3` covering report `i` whose `r1..r3.mask` (`_usable_mask`) says it stands for it."""
    levels = []
    for k, (measure_id, _versions, _rate) in enumerate(measures):
        cases = [f"WHEN i.depth >= {d} AND c.cover{d} <> i.rid AND r{d}.mask & {1 << k} <> 0 THEN {d}" for d in (3, 2, 1)]
        name = measure_column(measure_id, "cover") if measure_id else '"cover#any"'
        levels.append(f"CAST(CASE {' '.join(cases)} ELSE 0 END AS TINYINT) AS {name}")
    return levels


def warehouse_path(directory: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse folder (for side files such as the scope overrides)."""
    return settings.warehouse_dir(directory)
