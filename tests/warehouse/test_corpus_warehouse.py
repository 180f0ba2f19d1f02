"""The warehouse built from the public corpus, queried as the dashboard would query it."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import CORPUS, truth_files, truth_of
from pipeline.ingest import ingest
from warehouse import store
from warehouse.schema import KINDS, LEVELS, STATUSES, TABLES, schema_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "warehouse.md"
ALL_FACTS = " UNION ALL ".join(f"SELECT * FROM {t}" for t in ("t2_facts", "t3_facts", "t4_facts", "text_facts"))


def _types(schema: pa.Schema | list[pa.Field]) -> list[tuple[str, pa.DataType]]:
    """Names and types, a list compared by its item type (engines name the item field differently)."""
    return [(f.name, pa.list_(f.type.value_type) if pa.types.is_list(f.type) else f.type) for f in schema]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"public corpus not found at {CORPUS} (CI places ../shared beside the clone)")
    root = tmp_path_factory.mktemp("corpus-warehouse")
    summary = ingest([CORPUS], root, workers=2, progress=False)
    assert summary.counts["ingested"] == len(truth_files())
    return root


@pytest.fixture(scope="module")
def con(warehouse):
    with store.connect(warehouse) as connection:
        yield connection


def _same(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("truth_name", truth_files())
def test_warehouse_values_match_the_truth(con, truth_name):
    truth = truth_of(truth_name)
    report = con.execute(
        "SELECT report_id, agency_name, year, template_version FROM reports WHERE source_file = ?", [truth["source"]]
    ).fetchall()
    assert [r[1:] for r in report] == [(truth["agency"], truth["year"], truth["template_version"])]
    printed = dict(
        con.execute(
            f"SELECT key, value FROM ({ALL_FACTS}) WHERE report_id = ? AND status IN ('reported', 'blank', 'dash')",
            [report[0][0]],
        ).fetchall()
    )
    undecided = set(truth.get("ambiguous", {}))
    misses = [
        f"{key}: expected {expected}, warehouse {printed.get(key, 'absent')}"
        for key, expected in truth["values"].items()
        if key not in undecided and (key not in printed or not _same(expected, printed[key]))
    ]
    assert not misses
    assert set(printed) - set(truth["values"]) <= undecided, "the warehouse invents no printed cell"


def test_derived_totals_sit_beside_reported_cells_and_add_up(con):
    facts = con.execute(f"SELECT report_id, key, value, status, source FROM ({ALL_FACTS})").fetchall()
    numbers, printed = defaultdict(set), defaultdict(list)  # (report, key) -> its numbers; its printed values
    for report_id, key, value, status, _source in facts:
        if value is not None:
            numbers[report_id, key].add(value)
        if status == "reported":
            printed[report_id, key].append(value)
    derived = [(report_id, key, value, source) for report_id, key, value, status, source in facts if status == "derived"]
    assert derived, "the corpus has group totals no report prints"
    for report_id, key, value, source in derived:
        parts = source.removeprefix("derived:").split("+")
        assert all(len(numbers[report_id, part]) == 1 for part in parts), (key, parts)
        assert value == sum(next(iter(numbers[report_id, part])) for part in parts)
        assert printed[report_id, key] in ([], [None]), f"{key} was printed, so it is never derived"


def test_group_totals_of_a_2021_format_report(con):
    rows = dict(
        con.execute(
            "SELECT key, value FROM t3_facts JOIN reports USING (report_id) "
            "WHERE source_file = 'pingtan_syq_2022.txt' AND status = 'derived' AND col_key = 'total'"
        ).fetchall()
    )
    truth = truth_of("pingtan_syq_2022.json")["values"]
    for group, members in {
        "other_handling_total": ("other_no_correction", "other_fee_unpaid", "other_misc"),
        "unavailable_total": ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear_after_correction"),
    }.items():
        assert rows[f"t3.{group}.total"] == sum(truth[f"t3.{m}.total"] for m in members)


def test_the_seed_body_is_placed_in_its_divisions(con):
    seed = truth_of("seed_sunjiatuan_2020.json")
    rows = con.execute(
        "SELECT name_reported, province, city, county, division_code, kind, level, agencies.synthetic FROM agencies "
        "JOIN reports USING (agency_id) WHERE source_file = ?",
        [seed["source"]],
    ).fetchall()
    assert rows == [("威海市环翠区孙家疃街道", "山东省", "威海市", "环翠区", "371002", "township", "township", False)]


def test_every_body_of_the_corpus_is_placed(con):
    placed = dict(con.execute("SELECT name_reported, division_code FROM agencies").fetchall())
    assert placed == {
        "威海市环翠区孙家疃街道": "371002",
        "洪泽区人民政府": "320813",
        "平潭综合实验区": "350128",
        "上海市人民政府办公厅": "310000",
        "上海市科委": "310000",
    }


def test_cross_year_findings_of_the_pingtan_series(con):
    findings = con.execute(
        "SELECT f.year, f.rule, f.outcome, f.keys, f.severity, prev.year FROM findings f "
        "JOIN reports prev ON prev.report_id = f.related_report_id "
        "WHERE f.rule IN ('T3-XYEAR', 'T2-XYEAR-IN-FORCE') AND f.agency_id IN "
        "(SELECT agency_id FROM agencies WHERE name_reported = '平潭综合实验区')"
    ).fetchall()
    carry = [f for f in findings if f[1] == "T3-XYEAR"]
    # 2020 against each of the three 2019 files, then 2021 and 2022: seven applicant columns each
    assert sorted({(f[0], f[5]) for f in carry}) == [(2020, 2019), (2021, 2020), (2022, 2021)]
    assert len(carry) == (3 + 1 + 1) * 7
    assert {f[2] for f in carry} == {"pass"} and {f[4] for f in carry} == {"error"}
    truth = {y: truth_of(f"pingtan_syq_{y}.json")["values"] for y in (2021, 2022)}
    assert truth[2022]["t3.carried_over.total"] == truth[2021]["t3.carried_forward.total"] == 1

    in_force = {(f[0], f[3][0]): f[2] for f in findings if f[1] == "T2-XYEAR-IN-FORCE"}
    assert in_force == {(2022, "t2.regulations.in_force"): "pass", (2022, "t2.normative_documents.in_force"): "pass"}
    n = "t2.normative_documents."
    assert truth[2022][n + "in_force"] == truth[2021][n + "in_force"] + truth[2022][n + "issued"] - truth[2022][n + "repealed"]
    assert {f[4] for f in findings if f[1] == "T2-XYEAR-IN-FORCE"} == {"warning"}


def test_validation_findings_of_every_report_are_kept(con):
    per_report = dict(con.execute("SELECT report_id, count(*) FROM findings WHERE scope = 'report' GROUP BY 1").fetchall())
    reports = [r for (r,) in con.execute("SELECT report_id FROM reports").fetchall()]
    assert all(per_report.get(r, 0) > 0 for r in reports)


def test_statuses_kinds_and_levels_keep_to_the_schema(con):
    statuses = {s for (s,) in con.execute(f"SELECT DISTINCT status FROM ({ALL_FACTS})").fetchall()}
    assert {"reported", "blank", "derived", "ambiguous"} <= statuses <= set(STATUSES)
    assert {k for (k,) in con.execute("SELECT DISTINCT kind FROM agencies").fetchall()} <= set(KINDS)
    assert {v for (v,) in con.execute("SELECT DISTINCT level FROM agencies").fetchall()} <= set(LEVELS)


def test_the_blank_template_is_quarantined_with_its_reason(con):
    assert con.execute("SELECT source_file, reason <> '' FROM quarantine").fetchall() == [("blank_template_2021.docx", True)]


def test_every_file_has_the_schema_of_schema_py(warehouse):
    for table, files in store.status(warehouse).files.items():
        expected = TABLES[table].schema
        for name in files:
            written = pq.read_schema(name)
            hive = TABLES[table].partitioned and "year=" in name
            columns = [f for f in expected if not (hive and f.name == "year")]
            assert _types(written) == _types(columns), name


def test_views_have_the_schema_of_schema_py(con):
    for table, spec in TABLES.items():
        assert _types(con.sql(f"SELECT * FROM {table} LIMIT 0").arrow().schema) == _types(spec.schema), table


def test_docs_describe_the_schema_as_it_is():
    assert schema_markdown() in DOCS.read_text(encoding="utf-8"), "regenerate the schema section of docs/warehouse.md"


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_other_engines_read_the_current_pointer_without_xxgk(warehouse, con, engine):
    """Plain DuckDB (the pinned version's file list, from the Delta log) or polars (`scan_delta` at the version
    CURRENT names), as docs/warehouse.md shows, gets the rows the dashboard's queries get."""
    import json

    import duckdb
    import polars as pl
    from deltalake import DeltaTable

    from warehouse import prepare, queries

    versions = json.loads((warehouse / "CURRENT").read_text(encoding="utf-8"))["versions"]
    if engine == "duckdb":
        def read(table: str) -> pl.DataFrame:
            files = DeltaTable(warehouse / "tables" / table, version=versions[table]).file_uris()
            return duckdb.sql(f"SELECT * FROM read_parquet({files}, hive_partitioning = true)").pl()
    else:
        def read(table: str) -> pl.DataFrame:
            return pl.scan_delta(str(warehouse / "tables" / table), version=versions[table]).collect()

    prepared = prepare.open_warehouse(warehouse)
    report = prepared.sql("SELECT report_id, year FROM report_index ORDER BY report_id LIMIT 1").fetchall()[0]
    expected = queries.printed_cells(prepared, *report).sort("key", "status")
    facts = pl.concat([read(t).filter((pl.col("report_id") == report[0]) & (pl.col("year") == report[1]))
                       .select(expected.columns) for t in ("t2_facts", "t3_facts", "t4_facts", "text_facts")],
                      how="vertical_relaxed")  # fmt: skip
    assert facts.sort("key", "status").to_dicts() == expected.to_dicts()
    quarantined = read("quarantine").select("source_file", "reason").sort("source_file")
    assert quarantined.rows() == queries.quarantine(prepared).select("source_file", "reason").sort("source_file").rows()
    assert quarantined.height >= 1  # the blank template
