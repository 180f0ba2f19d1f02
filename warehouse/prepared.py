"""The dashboard's prepared tables (`warehouse.indexes`): built whole, or rebuilt where a publish touched them.

A whole build reads every report: 10–12 s at a million. A publish changes the reports of a few
bodies, and every prepared row depends on its body's reports alone (index, bodies, findings) or
on the reports of its year and province (a region's scope is tested on its members' sums, and a
report's covers are the region reports of its place) — the flags excepted, whose peers are
national, and which are computed again whole (about 2 s at a million). So `rebuild` deletes the
rows of the touched bodies and of the places they report in, and builds those again.

What the tables were built from is recorded beside them (`built_reports`, `built_agencies`: one
digest per row), so the bodies to rebuild are found by comparing those with the warehouse, not
by trusting what a batch says it did.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from warehouse import indexes, ocr
from warehouse.flags import compute_flags
from warehouse.indexes import WHOLE, Part
from warehouse.measures import COMPOSITIONS, MEASURES
from warehouse.scope import REGION_LEVELS, SCOPE_KINDS, classify_scope
from warehouse.thresholds import Settings

#: The tables pages read.
TABLES = ("report_index", "body_index", "report_failures", "body_years", "primary_measures", "primary_measures_regions",
          "finding_texts", "open_findings", "report_flags", "ocr_counts")  # fmt: skip
MEASURE_SPECS = [(m.id, m.versions, m.is_rate) for m in MEASURES]
CELL_KEYS = [key for composition in COMPOSITIONS.values() for key in composition.parts.values()]
#: The columns of `reports` and `agencies` the prepared tables read: a digest of them per row tells
#: which bodies changed since the tables were built.
REPORT_COLUMNS = ("report_id, agency_id, agency_name, year, template_version, source_file, source_path, "
                  "source_format, synthetic, duplicate, n_ambiguous, n_values, ingested_at")  # fmt: skip
RECORDS = {
    "built_reports": f"SELECT report_id, agency_id, hash({REPORT_COLUMNS}) AS digest FROM reports",
    "built_agencies": "SELECT agency_id, hash(agencies) AS digest FROM agencies",
}
#: Rebuilding more than this share of the bodies is no faster than building whole.
MOST = 0.2

Overrides = Mapping[tuple[str, int | None], str]


def build(con: duckdb.DuckDBPyConnection, overrides: Overrides, settings: Settings) -> None:
    """Every prepared table, from the warehouse views of `con`, in its default database."""
    indexes.build_index(con)
    _set_scope(con, overrides, WHOLE)
    indexes.build_primary(con, MEASURE_SPECS, CELL_KEYS)
    indexes.build_findings(con)
    _count_ocr(con, WHOLE)
    indexes.store_table(con, "report_flags", compute_flags(con, settings))
    for table, select in RECORDS.items():
        indexes.write(con, table, select)


def rebuild(con: duckdb.DuckDBPyConnection, overrides: Overrides, settings: Settings) -> bool:
    """Bring tables `build` made from older views up to `con`'s views by rebuilding what changed.

    False, leaving the tables half done, where a whole build is due instead: too much changed,
    or a body-year would count two primary reports (`duplicate` flags gone stale)."""
    con.execute(CHANGED)
    touched, bodies = con.execute("SELECT (SELECT count(*) FROM _bodies), (SELECT count(*) FROM body_index)").fetchall()[0]
    if touched > MOST * max(bodies, 1):
        return False
    theirs = con.execute(THEIRS).fetchall()
    years = {year for _report, year in theirs} | {year for (year,) in con.execute(YEARS_BEFORE).fetchall()}
    part = Part.touched(sorted(years), [report for report, _year in theirs])
    con.execute(CLEAR)
    indexes.write(con, "report_index", indexes.index_rows(part), part)
    con.execute("INSERT INTO _places SELECT DISTINCT year, province FROM report_index WHERE agency_id IN "
                "(SELECT agency_id FROM _bodies) EXCEPT SELECT year, province FROM _places")  # fmt: skip
    indexes.build_bodies(con, part)
    if not indexes.primaries_consistent(con):
        return False
    con.execute(f"UPDATE report_index SET scope = 'body', scope_evidence = '' WHERE {part.places}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kept AS SELECT * FROM primary_measures WHERE {part.places} "
                f"AND NOT {part.bodies}")  # fmt: skip
    for table in ("primary_measures", "primary_measures_regions"):
        con.execute(f"DELETE FROM {table} WHERE {part.places}")
    _set_scope(con, overrides, part)
    indexes.build_primary(con, MEASURE_SPECS, CELL_KEYS, part)
    indexes.build_findings(con, part)
    _count_ocr(con, part)
    indexes.store_table(con, "report_flags", compute_flags(con, settings))
    for table, select in RECORDS.items():
        con.execute(f"DELETE FROM {table} WHERE {part.bodies}")
        con.execute(f"INSERT INTO {table} SELECT * FROM ({select}) WHERE {part.bodies}")
    return True


#: `_bodies`: the bodies with a report or an agency row added, removed or changed since the build.
CHANGED = f"""
CREATE OR REPLACE TABLE _bodies AS
WITH reports_now AS ({RECORDS["built_reports"]}), agencies_now AS ({RECORDS["built_agencies"]})
SELECT agency_id FROM (SELECT * FROM reports_now EXCEPT SELECT * FROM built_reports)
UNION SELECT agency_id FROM (SELECT * FROM built_reports EXCEPT SELECT * FROM reports_now)
UNION SELECT agency_id FROM (SELECT * FROM agencies_now EXCEPT SELECT * FROM built_agencies)
UNION SELECT agency_id FROM (SELECT * FROM built_agencies EXCEPT SELECT * FROM agencies_now)
"""
#: The touched bodies' reports now, with their years; and the years they reported in before.
THEIRS = "SELECT report_id, year FROM reports WHERE agency_id IN (SELECT agency_id FROM _bodies) ORDER BY report_id"
YEARS_BEFORE = "SELECT DISTINCT year FROM report_index WHERE agency_id IN (SELECT agency_id FROM _bodies)"
#: `_places` where the touched bodies reported, `_ids` their reports' numbers (kept; a new report is
#: numbered after the last), and their rows gone from every table keyed by body or report.
CLEAR = """
CREATE OR REPLACE TABLE _touched AS SELECT report_id, rid FROM report_index WHERE agency_id IN (SELECT agency_id FROM _bodies);
CREATE OR REPLACE TABLE _places AS
SELECT DISTINCT year, province FROM report_index WHERE agency_id IN (SELECT agency_id FROM _bodies);
CREATE OR REPLACE TABLE _ids AS
WITH theirs AS (SELECT report_id FROM reports WHERE agency_id IN (SELECT agency_id FROM _bodies)),
new AS (SELECT report_id FROM theirs WHERE report_id NOT IN (SELECT report_id FROM report_index))
SELECT i.report_id, i.rid FROM report_index i WHERE i.report_id IN (SELECT report_id FROM theirs)
UNION ALL
SELECT report_id, ((SELECT coalesce(max(rid) + 1, 0) FROM report_index) + row_number() OVER (ORDER BY report_id) - 1)::INTEGER
FROM new;
DELETE FROM open_findings WHERE rid IN (SELECT rid FROM _touched);
DELETE FROM report_failures WHERE report_id IN (SELECT report_id FROM _touched);
DELETE FROM ocr_counts WHERE report_id IN (SELECT report_id FROM _touched);
DELETE FROM body_years WHERE agency_id IN (SELECT agency_id FROM _bodies);
DELETE FROM body_index WHERE agency_id IN (SELECT agency_id FROM _bodies);
DELETE FROM report_index WHERE agency_id IN (SELECT agency_id FROM _bodies);
"""


def _set_scope(con: duckdb.DuckDBPyConnection, overrides: Overrides, part: Part) -> None:
    """Decide the scope of `part`'s reports that may cover a region or that the overrides name."""
    named = sorted({name for name, _year in overrides})
    inputs = indexes.scope_inputs(con, sorted(SCOPE_KINDS), REGION_LEVELS, named, part)
    indexes.set_scope(con, classify_scope(inputs, overrides))


def _count_ocr(con: duckdb.DuckDBPyConnection, part: Part) -> None:
    """`ocr_counts`: how many values OCR read in each scanned report of `part`, and how many were corrected."""
    scanned = con.execute(f"SELECT report_id FROM report_index WHERE {ocr.SCANNED} AND {part.bodies} ORDER BY 1").fetchall()
    indexes.write(con, "ocr_counts", ocr.counts([report for (report,) in scanned]), part)
