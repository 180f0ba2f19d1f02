"""Findings that need more than one report: year-to-year continuity and duplicates.

Every check pairs reports of one body (its neighbouring years, its other reports of a year),
so a publish recomputes them only for the bodies its batch touches (a new report can settle or
break a check of its neighbours): the SQL reads whatever relations it is given, which
warehouse.snapshot_writer restricts to those bodies. Each check is a statement, never a
correction, like validation's.

- T3-XYEAR (error): 上年结转 of year Y equals 结转下年度 of year Y−1, per applicant column.
- T2-XYEAR-IN-FORCE (warning): 现行有效件数(Y) = 现行有效件数(Y−1) + 本年制发(Y) − 本年废止(Y);
  real reports often break it (amendments, scope changes), hence only a warning.
- DUPLICATE-REPORT (warning): other reports of the same body and year are kept beside this one
  (one finding per report, naming the first other one).
"""

from __future__ import annotations

import duckdb

from pipeline.template import T3_COLUMN_LABELS

T2_IN_FORCE_ROWS = {"regulations": "规章", "normative_documents": "行政规范性文件"}

_MACROS = """
CREATE OR REPLACE TEMP MACRO xy_num(x) AS
    coalesce(CASE WHEN x = trunc(x) THEN CAST(CAST(x AS BIGINT) AS VARCHAR) ELSE CAST(x AS VARCHAR) END, '—');
"""

#: One cell per report and key the report prints (in any status): its reported number, else the derived one.
_CELLS = """
SELECT report_id, key,
    coalesce(max(value) FILTER (WHERE status = 'reported'), max(value) FILTER (WHERE status = 'derived')) AS value
FROM {facts} WHERE key IN ({keys}) GROUP BY report_id, key
"""

_PAIRS = """
SELECT cur.report_id AS cur_id, prev.report_id AS prev_id, cur.agency_id, cur.year
FROM {reports} cur JOIN {reports} prev ON prev.agency_id = cur.agency_id AND prev.year = cur.year - 1
"""

_CARRY = """
WITH cells AS ({cells}), pairs AS ({pairs}),
columns(col, label) AS (VALUES {columns})
SELECT p.cur_id AS report_id, p.agency_id, p.year, 'T3-XYEAR' AS rule, 'error' AS severity,
    CASE WHEN a.value IS NULL OR b.value IS NULL THEN 'not_assessable'
         WHEN a.value = b.value THEN 'pass' ELSE 'fail' END AS outcome,
    [a.key, b.key] AS keys,
    format('{{}}年上年结转（{{}}）{{}}件，{{}}年报告结转下年度{{}}件',
           p.year, c.label, xy_num(a.value), p.year - 1, xy_num(b.value)) AS message_zh,
    format('carried over into {{}} ({{}}): {{}}; carried forward by the {{}} report: {{}}',
           p.year, c.col, xy_num(a.value), p.year - 1, xy_num(b.value)) AS message_en,
    'warehouse' AS scope, p.prev_id AS related_report_id
FROM pairs p CROSS JOIN columns c
JOIN cells a ON a.report_id = p.cur_id AND a.key = 't3.carried_over.' || c.col
JOIN cells b ON b.report_id = p.prev_id AND b.key = 't3.carried_forward.' || c.col
"""

#: One row per report and Table 二 row: the three numbers the in-force identity needs. Joining the
#: pairs on these rows' report keys keeps the check linear; joined on the cell key alone, DuckDB
#: paired every report's cells with every other report's before filtering (quadratic).
_IN_FORCE = """
WITH cells AS ({cells}), pairs AS ({pairs}),
rows_(row_key, label) AS (VALUES {rows}),
wide AS (
    SELECT report_id, split_part(key, '.', 2) AS row_key,
        bool_or(split_part(key, '.', 3) = 'in_force') AS printed,
        max(value) FILTER (WHERE split_part(key, '.', 3) = 'in_force') AS in_force,
        max(value) FILTER (WHERE split_part(key, '.', 3) = 'issued') AS issued,
        max(value) FILTER (WHERE split_part(key, '.', 3) = 'repealed') AS repealed
    FROM cells GROUP BY ALL
)
SELECT p.cur_id AS report_id, p.agency_id, p.year, 'T2-XYEAR-IN-FORCE' AS rule, 'warning' AS severity,
    CASE WHEN now.in_force IS NULL OR before.in_force IS NULL OR now.issued IS NULL OR now.repealed IS NULL
         THEN 'not_assessable'
         WHEN now.in_force = before.in_force + now.issued - now.repealed THEN 'pass' ELSE 'fail' END AS outcome,
    ['t2.' || r.row_key || '.in_force', 't2.' || r.row_key || '.issued', 't2.' || r.row_key || '.repealed'] AS keys,
    format('{{}}现行有效{{}}件，应为{{}}年{{}}件 + 本年制发{{}}件 − 本年废止{{}}件',
           r.label, xy_num(now.in_force), p.year - 1, xy_num(before.in_force), xy_num(now.issued),
           xy_num(now.repealed)) AS message_zh,
    format('{{}} in force: {{}}; expected {{}} in force in {{}} + {{}} issued − {{}} repealed',
           r.row_key, xy_num(now.in_force), xy_num(before.in_force), p.year - 1, xy_num(now.issued),
           xy_num(now.repealed)) AS message_en,
    'warehouse' AS scope, p.prev_id AS related_report_id
FROM pairs p
JOIN wide now ON now.report_id = p.cur_id
JOIN wide before ON before.report_id = p.prev_id AND before.row_key = now.row_key
JOIN rows_ r ON r.row_key = now.row_key
WHERE now.printed AND before.printed
"""

#: One finding per duplicate report (not per pair), naming the first other report and how many there are.
_DUPLICATES = """
WITH others AS (
    SELECT a.report_id, a.agency_id, a.year, count(*) AS n, min(b.report_id) AS other
    FROM {reports} a JOIN {reports} b ON a.agency_id = b.agency_id AND a.year = b.year AND a.report_id <> b.report_id
    GROUP BY ALL
)
SELECT o.report_id, o.agency_id, o.year, 'DUPLICATE-REPORT' AS rule, 'warning' AS severity, 'fail' AS outcome,
    CAST([] AS VARCHAR[]) AS keys,
    format('同一机关同一年度另有{{}}份报告（如 {{}}），均予保留', o.n, r.source_file) AS message_zh,
    format('{{}} other report(s) of this body for the same year are kept beside this one (e.g. {{}})',
           o.n, r.source_file) AS message_en,
    'warehouse' AS scope, o.other AS related_report_id
FROM others o JOIN {reports} r ON r.report_id = o.other
"""


def _values(pairs: dict[str, str]) -> str:
    return ", ".join(f"('{key}', '{label}')" for key, label in pairs.items())


def _keys(keys: list[str]) -> str:
    return ", ".join(f"'{key}'" for key in keys)


def findings_sql(
    con: duckdb.DuckDBPyConnection, reports: str = "reports", t2_facts: str = "t2_facts", t3_facts: str = "t3_facts"
) -> str:
    """A query yielding the warehouse findings of every body in the given relations (by default the
    whole warehouse's views); pass relations restricted to some bodies to recompute only theirs."""
    con.execute(_MACROS)
    carry_keys = [f"t3.{row}.{col}" for row in ("carried_over", "carried_forward") for col in T3_COLUMN_LABELS]
    t2_keys = [f"t2.{row}.{col}" for row in T2_IN_FORCE_ROWS for col in ("in_force", "issued", "repealed")]
    pairs = _PAIRS.format(reports=reports)
    carry = _CARRY.format(
        cells=_CELLS.format(facts=t3_facts, keys=_keys(carry_keys)), pairs=pairs, columns=_values(T3_COLUMN_LABELS)
    )
    in_force = _IN_FORCE.format(
        cells=_CELLS.format(facts=t2_facts, keys=_keys(t2_keys)), pairs=pairs, rows=_values(T2_IN_FORCE_ROWS)
    )
    return f"({carry}) UNION ALL BY NAME ({in_force}) UNION ALL BY NAME ({_DUPLICATES.format(reports=reports)})"
