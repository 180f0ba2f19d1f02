"""The dashboard's SQL: filters, parameters, the prepared tables, and every query on real and empty data."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard_fixtures import Report, build_warehouse, corpus_warehouse, requests
from warehouse import coverage, indexes, prepare, queries, sql, values
from warehouse.filters import selection
from warehouse.measures import MEASURES
from warehouse.queries import Filters


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    con = prepare.open_warehouse(corpus_warehouse(tmp_path_factory))
    yield con
    con.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    reports = [
        Report("甲区教育局", 2020, requests(4, 2), county="甲区"),
        Report("甲区教育局", 2021, requests(6, 3), county="甲区", findings=[
            {"rule": "T3-OFF", "severity": "error", "outcome": "fail", "message_zh": "勾稽不平",
             "keys": ["t3.new_requests.total"]},
            {"rule": "T3-ROW", "severity": "error", "outcome": "pass", "message_zh": "通过"},
            {"rule": "T3-XYEAR", "severity": "error", "outcome": "fail", "message_zh": "跨年不衔接", "scope": "warehouse",
             "keys": ["t3.carried_over.total", "t3.carried_forward.total"],
             "related_report_id": Report("甲区教育局", 2020, {}).report_id},
        ]),
        Report("甲区人民政府", 2021, requests(50, 10), county="甲区", kind="government"),
        Report("乙市审计局", 2021, requests(8, 8)),
        Report("丙省统计局", 2021, requests(3, 3), province="丙省", city=None, synthetic=True),
    ]  # fmt: skip
    root = build_warehouse(tmp_path_factory.mktemp("small"), reports, [
        {"source_file": "坏文件.pdf", "source_path": "/in/坏文件.pdf", "reason": "no report year found / 未识别报告年度"}
    ])  # fmt: skip
    con = prepare.open_warehouse(root)
    yield con
    con.close()


def _names(frame: pl.DataFrame) -> list[str]:
    return sorted(frame["agency_name"].unique().to_list())


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ["丙省统计局", "乙市审计局", "甲区人民政府", "甲区教育局"]),
        (Filters(province="甲省"), ["乙市审计局", "甲区人民政府", "甲区教育局"]),
        (Filters(province="甲省", city="乙市", county="甲区"), ["甲区人民政府", "甲区教育局"]),
        (Filters(kinds=("government",)), ["甲区人民政府"]),
        (Filters(years=(2020, 2020)), ["甲区教育局"]),
        (Filters(agencies=(Report("乙市审计局", 0, {}).agency_id,)), ["乙市审计局"]),
    ],
)
def test_filters_select_reports(small, filters, expected):
    frame = queries.measure_rows(small, "requests_new", filters, ("2019", "2021"), "本年新收申请", False)
    assert _names(frame) == expected
    assert frame.filter(pl.col("agency_name") == expected[0])["num"].to_list()[0] > 0


def test_a_selection_tests_only_the_filters_that_are_set():
    assert selection(Filters()) == "TRUE" and Filters().params() == {}
    chosen = Filters(city="乙市", years=(2020, 2021))
    assert selection(chosen, "r1") == "r1.city = $city AND r1.year BETWEEN $year_from AND $year_to"
    assert chosen.params() == {"city": "乙市", "year_from": 2020, "year_to": 2021}


@pytest.mark.parametrize("filters", [Filters(), Filters(province="甲省"), Filters(years=(2021, 2021), kinds=("department",))])
def test_every_measures_coverage_is_its_own_count(small, filters):
    """One query counts every measure's coverage (`values.coverage`); each must equal the count asked for that
    measure alone: reports of the selection, of a template defining it, stating it."""
    for measure in MEASURES:
        alone = small.execute(
            f"""SELECT year, count(*)::INTEGER, count(*) FILTER (WHERE list_contains($v, version))::INTEGER,
                    count(*) FILTER (WHERE list_contains($v, version) AND "{measure.id}#num" IS NOT NULL)::INTEGER
                FROM primary_measures i WHERE {selection(filters)} GROUP BY year ORDER BY year""",
            filters.params() | {"v": list(measure.versions)},
        ).fetchall()
        assert values.coverage(small, measure.id, filters).rows() == alone, measure.id
    assert values.coverage(small, "requests_new", Filters()).rows() == [(2020, 1, 1, 1), (2021, 4, 4, 4)]


def test_the_findings_list_counts_all_and_shows_the_first(small):
    every = queries.findings(small, Filters())
    first = queries.findings(small, Filters(), limit=1)
    assert every["total"].to_list() == [2, 2] and first["total"].to_list() == [2]
    assert first.rows() == every.head(1).rows(), "the first of the same order"
    assert queries.findings(small, Filters(), outcomes=[]).is_empty(), "no outcome asked: none shown"


def test_user_input_is_only_ever_a_parameter(small):
    hostile = Filters(province="甲省' OR '1'='1", kinds=("x') OR TRUE --",))
    assert queries.measure_rows(small, "requests_new", hostile, ("2021",), "x'; --", False).is_empty()
    with pytest.raises(ValueError):
        sql.quote('t3.x"; DROP TABLE report_index; --')
    with pytest.raises(ValueError):
        queries.measure_rows(small, 'requests_new#num" FROM report_index; --', Filters(), ("2021",), "", False)
    assert small.sql("SELECT count(*) FROM report_index").fetchall() == [(5,)]


def test_filter_slug_names_the_selection():
    assert Filters().slug() == "全部地区_全部年度"
    chosen = Filters(province="甲省", city="乙市", years=(2020, 2021), kinds=("government",))
    assert chosen.slug() == "甲省-乙市_2020-2021_government"


def test_a_selection_within_years_keeps_only_the_years_it_shares():
    assert Filters(province="甲省").within(2020, 2021) == Filters(province="甲省", years=(2020, 2021))
    assert Filters(years=(2021, 2023)).within(2020, 2021) == Filters(years=(2021, 2021))
    low, high = Filters(years=(2022, 2023)).within(2020, 2021).years
    assert low > high, "no year shared: an empty range, never the wider one"


def test_one_years_rows_are_the_same_read_alone(small):
    """What `within` relies on: a year's kept rows (region reports standing in for members) do not
    depend on the other years read with them."""
    every = queries.measure_kept(small, "requests_new", Filters(), ("2019", "2021"), False, 1)
    alone = queries.measure_kept(small, "requests_new", Filters().within(2021, 2021), ("2019", "2021"), False, 1)
    order = ["agency_id", "year"]
    assert not alone.is_empty() and alone.sort(order).equals(every.filter(pl.col("year") == 2021).sort(order))


def test_part_totals_sum_printed_cells_and_flag_derived_ones(small):
    parts = ["t3.disclosed.total", "t3.withheld_total.total"]
    frame = queries.part_totals(small, parts, Filters(years=(2021, 2021), province="甲省"), level=1, by_body=False)
    assert frame.rows() == [(2021, 3 + 10 + 8, False, 3, None, False, 0)]  # the fixture prints no withholding rows
    by_body = queries.part_totals(small, parts, Filters(province="甲省"), level=1, by_body=True)
    assert sorted(by_body.select("group", "s0").rows()) == [("乙市审计局", 8), ("甲区人民政府", 10), ("甲区教育局", 3)]


def test_region_tree_and_bodies(small):
    assert queries.places(small).rows() == [("丙省", None, None), ("甲省", "乙市", None), ("甲省", "乙市", "甲区")]
    bodies = queries.bodies(small, Filters(province="甲省"))
    assert bodies.select("agency_name", "reports").rows() == [("乙市审计局", 1), ("甲区人民政府", 1), ("甲区教育局", 2)]
    assert queries.kinds(small) == ["department", "government"]
    assert queries.year_range(small) == (2020, 2021)


def test_synthetic_reports_are_counted(small):
    assert queries.synthetic_reports(small, Filters()) == 1
    assert queries.synthetic_reports(small, Filters(province="甲省")) == 0
    assert queries.snapshot_facts(small) == {"year_min": 2020, "year_max": 2021, "reports": 5, "synthetic": 1}


def test_coverage_and_findings(small):
    grid = queries.coverage(small, Filters(province="甲省"), (2020, 2021))
    assert grid.select("agency_name", "year", "reports", "failures", "problems").rows() == [
        ("乙市审计局", 2021, 1, 0, 1), ("甲区人民政府", 2021, 1, 0, 1),
        ("甲区教育局", 2020, 1, 0, 1), ("甲区教育局", 2021, 1, 2, 1),
    ]  # fmt: skip
    assert set(grid["bodies"].to_list()) == {3}
    first = queries.coverage(small, Filters(province="甲省"), (2020, 2021), limit=1)
    assert first["agency_name"].unique().to_list() == ["乙市审计局"]
    summary = queries.finding_summary(small, Filters())
    assert summary.select("rule", "severity", "outcome", "findings").rows() == [
        ("T3-OFF", "error", "fail", 1), ("T3-XYEAR", "error", "fail", 1)
    ]
    found = queries.findings(small, Filters(), rules=["T3-OFF"])
    assert found.select("agency_name", "year", "message_zh", "total").rows() == [("甲区教育局", 2021, "勾稽不平", 1)]
    assert queries.findings(small, Filters(), severities=["warning"]).is_empty()
    assert queries.findings(small, Filters(), outcomes=["not_assessable"]).is_empty()
    assert queries.findings_by_body(small, Filters()).select("agency_name", "count").rows() == [("甲区教育局", 2)]
    cells = queries.cells(small, [found["report_id"][0], None], found["keys"][0].to_list())
    assert cells.select("year", "key", "value", "status").rows() == [(2021, "t3.new_requests.total", 6.0, "reported")]


def test_quarantine_lists_reasons(small):
    assert queries.quarantine(small).select("source_file", "reason").rows() == [
        ("坏文件.pdf", "no report year found / 未识别报告年度")
    ]


def test_one_body_on_the_corpus(corpus):
    bodies = queries.bodies(corpus, Filters())
    pingtan = bodies.filter(pl.col("agency_name") == "平潭综合实验区")["agency_id"][0]
    reports = queries.body_reports(corpus, pingtan)
    assert reports["year"].to_list() == [2019, 2019, 2019, 2020, 2021, 2022]
    assert reports.filter(pl.col("primary_report"))["year"].to_list() == [2019, 2020, 2021, 2022]
    latest = reports.filter(pl.col("year") == 2022).row(0, named=True)
    cells = queries.printed_cells(corpus, latest["report_id"], 2022)
    assert cells.filter(pl.col("key") == "t3.new_requests.total")["value"].to_list() == [74]
    assert set(cells["status"].unique().to_list()) <= {"reported", "blank", "dash", "derived", "ambiguous"}
    findings = queries.body_findings(corpus, pingtan)
    assert set(findings["outcome"].unique().to_list()) <= {"fail", "not_assessable"}
    assert queries.quarantine(corpus)["source_file"].to_list() == ["blank_template_2021.docx"]


def test_a_bodys_primary_report_is_the_best_of_its_year(corpus):
    """Duplicates are kept and counted once. The primary report of a body's year has the fewest ambiguous
    values, then the most values, then the newest ingest, then the first id: ranked here by a window, as
    the rule reads, where the index takes the least of one tuple per body and year."""
    ranked = corpus.execute(
        """SELECT report_id FROM (SELECT report_id, row_number() OVER (PARTITION BY agency_id, year
               ORDER BY n_ambiguous, n_values DESC, ingested_at DESC, report_id) AS rank FROM reports)
           WHERE rank = 1 ORDER BY report_id"""
    ).fetchall()
    assert corpus.execute("SELECT report_id FROM report_index WHERE primary_report ORDER BY report_id").fetchall() == ranked
    assert corpus.execute("SELECT count(*) FROM report_index WHERE NOT primary_report").fetchall()[0][0] >= 2


def test_the_report_stating_more_is_primary_whatever_its_id(tmp_path):
    more, fewer = requests(9, 4) | {"t2.rules.new": 1.0}, requests(9, 4)
    reports = [Report("丁局", 2021, fewer, version="2019"), Report("丁局", 2021, more, version="2021"),
               Report("戊局", 2021, more, version="2019"), Report("戊局", 2021, fewer, version="2021")]  # fmt: skip
    con = prepare.open_warehouse(build_warehouse(tmp_path, reports))
    primary = con.execute("SELECT report_id FROM report_index WHERE primary_report ORDER BY report_id").fetchall()
    assert primary == [(reports[1].report_id,), (reports[2].report_id,)]


def test_stale_duplicate_flags_still_give_one_primary_report_per_body_year(tmp_path):
    """The index chooses among the reports a publish flagged `duplicate`; were the flags stale (here: all
    cleared), a body's year would count twice, so every body-year is chosen again."""
    more, fewer = requests(9, 4) | {"t2.rules.new": 1.0}, requests(9, 4)
    reports = [Report("丁局", 2021, fewer, version="2019"), Report("丁局", 2021, more, version="2021"),
               Report("戊局", 2021, fewer)]  # fmt: skip
    con = indexes.connect(build_warehouse(tmp_path, reports))
    flagged = con.execute("SELECT count(*) FROM reports WHERE duplicate").fetchall()[0][0]
    con.execute("CREATE TABLE stale AS SELECT * REPLACE (false AS duplicate) FROM reports")
    con.execute("CREATE OR REPLACE VIEW reports AS SELECT * FROM stale")
    indexes.build_index(con)
    primary = con.execute("SELECT report_id FROM report_index WHERE primary_report ORDER BY report_id").fetchall()
    assert flagged == 2
    assert primary == sorted([(reports[1].report_id,), (reports[2].report_id,)])


def test_a_body_year_with_several_files_lists_them_all(corpus):
    grid = coverage.coverage_grid(corpus, Filters(), (2019, 2019))
    pingtan = grid.filter(pl.col("agency_name") == "平潭综合实验区").row(0, named=True)
    assert (pingtan["reports"], pingtan["files"]) == (3, "pingtan_syq_2019.html、pingtan_syq_2019.pdf、pingtan_syq_2019.txt")


def test_every_query_answers_on_an_empty_warehouse(tmp_path):
    con = prepare.open_warehouse(tmp_path / "none")
    assert queries.snapshot_facts(con) == {"year_min": None, "year_max": None, "reports": 0, "synthetic": 0}
    assert queries.year_range(con) is None
    for frame in (
        queries.places(con), queries.bodies(con, Filters()), queries.coverage(con, Filters(), (2019, 2025)),
        queries.finding_summary(con, Filters()), queries.findings(con, Filters()), queries.quarantine(con),
        queries.measure_rows(con, "requests_new", Filters(), ("2021",), "", False), queries.body_reports(con, "x"),
        queries.printed_cells(con, "x", 2021), queries.body_findings(con, "x"), queries.missing_years(con),
        queries.flags(con, Filters()), queries.findings_by_body(con, Filters()),
        queries.part_totals(con, ["t3.disclosed.total"], Filters(), 1, False),
    ):  # fmt: skip
        assert frame.is_empty()


def test_a_cross_year_finding_shows_both_years_cells(small):
    found = queries.findings(small, Filters(), rules=["T3-XYEAR"])
    row = found.row(0, named=True)
    cells = queries.cells(small, [row["report_id"], row["related_report_id"]], row["keys"])
    assert cells.select("year", "key", "value").rows() == [
        (2020, "t3.carried_forward.total", 0.0), (2020, "t3.carried_over.total", 0.0),
        (2021, "t3.carried_forward.total", 0.0), (2021, "t3.carried_over.total", 0.0),
    ]  # fmt: skip
