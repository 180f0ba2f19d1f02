"""The metric layer pins each measure's value and each comparability rule.

On the public corpus the expected numbers come from the hand-checked truth records; on
the demo city from the generator's truth records; small hand-made warehouses isolate
one rule each (scope, version break, small samples, blanks, flags).
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from dashboard_fixtures import (
    Report,
    build_warehouse,
    corpus_warehouse,
    demo_truth,
    demo_warehouse,
    requests,
)
from pipeline.template import T2_ROWS, T3_COLUMNS, T3_GROUPS, T3_LAYOUTS, T4_KEYS
from warehouse import flags, measures, prepare, rankings, settings, trends, values
from warehouse.measures import BY_ID, MEASURES
from warehouse.queries import Filters
from warehouse.thresholds import Settings

ALL = Filters()
SETTINGS = Settings()


def value_of(con, measure_id: str, agency: str, year: int, filters: Filters = ALL) -> dict:
    """The one row of a body's primary report for a measure."""
    frame = values.measure_frame(con, measure_id, filters, SETTINGS)
    rows = frame.filter((pl.col("agency_name") == agency) & (pl.col("year") == year)).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


# ---------------------------------------------------------------- the dictionary itself


def _template_keys() -> set[str]:
    t2 = {f"t2.{row.key}.{col}" for rows in T2_ROWS.values() for row in rows for col in row.columns}
    t3 = {f"t3.{row.key}.{col}" for layout in T3_LAYOUTS.values() for row in layout for col in T3_COLUMNS}
    t3 |= {f"t3.{group}.{col}" for group in ("withheld_total", "unavailable_total", "not_processed_total") for col in T3_COLUMNS}
    return t2 | t3 | set(T4_KEYS)


def test_every_formula_reads_canonical_keys_of_its_version():
    known = _template_keys()
    for measure in MEASURES:
        assert measure.name_zh and measure.name_en and measure.definition and measure.unit
        assert set(measure.versions) <= {"2019", "2021"} and measure.versions
        for version, formula in measure.formulas.items():
            for key in formula.keys:
                assert key.startswith("text.") or key in known, (measure.id, key)
            if measure.id in ("procurement_amount", "procurement_projects", "fee_items"):
                assert version == "2019"
            if measure.id == "fee_amount":
                assert version == "2021"


def test_breaks_are_declared_where_the_template_changed_meaning():
    stock = BY_ID["normative_documents_stock"]
    assert stock.comparability == "break"
    assert stock.formulas["2019"].numerator == ("t2.normative_documents.total_published",)
    assert stock.formulas["2021"].numerator == ("t2.normative_documents.in_force",)
    assert BY_ID["normative_documents_issued"].comparability == "approx"
    # fee items (2019) and fee amounts (2021) are two measures, never one series
    assert BY_ID["fee_items"].versions == ("2019",) and BY_ID["fee_amount"].versions == ("2021",)
    assert BY_ID["fee_items"].unit == "个" and BY_ID["fee_amount"].unit == "万元"


def test_dictionary_frame_has_a_row_per_measure_and_version():
    frame = measures.dictionary_frame()
    assert frame.height == sum(len(m.formulas) for m in MEASURES)
    row = frame.filter((pl.col("指标") == "实质公开率") & (pl.col("模板版本") == "2021")).to_dicts()[0]
    assert row["公式"] == "(t3.disclosed.total + t3.partially_disclosed.total) ÷ (t3.total_processed.total)"
    assert row["单位"] == "%"
    stock = frame.filter(pl.col("指标") == "规范性文件存量")["跨版本可比性"].to_list()
    assert stock == ["口径断裂，分开显示"] * 2


def test_wilson_interval_matches_the_closed_form():
    frame = pl.DataFrame({"k": [8.0, 0.0, 1.0], "n": [23.0, 21.0, 1.0]})
    low, high = values.wilson(pl.col("k"), pl.col("n"))
    got = frame.select(low.alias("low"), high.alias("high")).rows()
    for (k, n), (lo, hi) in zip(frame.rows(), got, strict=True):
        p, z = k / n, 1.959963984540054
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert lo == pytest.approx(100 * max(centre - half, 0)) and hi == pytest.approx(100 * min(centre + half, 1))
    assert got[0] == pytest.approx((18.8113, 55.1097), abs=1e-3)


# ---------------------------------------------------------------- the public corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    con = prepare.open_warehouse(corpus_warehouse(tmp_path_factory))
    yield con
    con.close()


@pytest.mark.parametrize(
    ("measure_id", "agency", "year", "expected"),
    [
        ("requests_new", "上海市人民政府办公厅", 2019, 859),
        ("requests_received", "上海市人民政府办公厅", 2019, 859 + 18),
        ("requests_handled", "上海市人民政府办公厅", 2019, 805),
        ("requests_carried_forward", "上海市人民政府办公厅", 2019, 72),
        ("requests_new", "平潭综合实验区", 2021, 70),
        ("requests_handled", "平潭综合实验区", 2021, 69),
        ("requests_carried_forward", "平潭综合实验区", 2021, 1),
        ("requests_new", "洪泽区人民政府", 2023, 21),
        ("review_total", "平潭综合实验区", 2021, 3),
        ("litigation_total", "平潭综合实验区", 2021, 12),
        ("litigation_direct_total", "平潭综合实验区", 2021, 12),
        ("litigation_after_review_total", "平潭综合实验区", 2021, 0),
        ("normative_documents_issued", "平潭综合实验区", 2020, 77),
        ("normative_documents_issued", "平潭综合实验区", 2022, 88),
        ("normative_documents_stock", "平潭综合实验区", 2020, 166),
        ("normative_documents_stock", "平潭综合实验区", 2022, 698),
        ("normative_documents_repealed", "平潭综合实验区", 2022, 55),
        ("licensing_decisions", "洪泽区人民政府", 2023, 550),
        ("penalty_decisions", "洪泽区人民政府", 2023, 4119),
        ("coercion_decisions", "洪泽区人民政府", 2023, 195),
        ("procurement_projects", "平潭综合实验区", 2019, 135),
        ("procurement_amount", "平潭综合实验区", 2019, 7539.443252),
        ("procurement_amount", "威海市环翠区孙家疃街道", 2020, 230.64565),
        ("fee_items", "平潭综合实验区", 2020, 35 - 15),
        ("fee_amount", "洪泽区人民政府", 2023, 7730.28),
        ("fee_amount", "平潭综合实验区", 2022, 9116.36),
        ("channel_website", "威海市环翠区孙家疃街道", 2020, 106),
        ("channel_wechat", "威海市环翠区孙家疃街道", 2020, 401),
        ("channel_weibo", "威海市环翠区孙家疃街道", 2020, 207),
        ("proactive_total", "威海市环翠区孙家疃街道", 2020, 714),
        ("channel_gazette", "上海市人民政府办公厅", 2019, 24),
        ("info_fee", "洪泽区人民政府", 2023, 0),
    ],
)
def test_counts_on_the_public_corpus(corpus, measure_id, agency, year, expected):
    row = value_of(corpus, measure_id, agency, year)
    assert row["value"] == pytest.approx(expected)
    assert row["small_sample"] is False


@pytest.mark.parametrize(
    ("measure_id", "agency", "year", "num", "den", "small"),
    [
        ("disclosure_rate", "平潭综合实验区", 2021, 30 + 5, 69, False),
        ("disclosure_rate", "洪泽区人民政府", 2023, 0 + 4, 21, False),
        ("disclosure_rate", "威海市环翠区孙家疃街道", 2020, 1, 1, True),
        ("review_correction_rate", "洪泽区人民政府", 2023, 1, 10 + 1 + 0, False),
        ("review_correction_rate", "平潭综合实验区", 2021, 0, 1 + 0 + 2, True),
        ("litigation_correction_rate", "平潭综合实验区", 2022, 0, 1, True),
        ("org_share", "平潭综合实验区", 2022, 3, 74, False),
        ("withheld_rate", "平潭综合实验区", 2022, 1 + 2 + 1, 75, False),
        ("unavailable_rate", "平潭综合实验区", 2022, 37, 75, False),
        ("not_processed_rate", "平潭综合实验区", 2022, 0, 75, False),
        ("channel_website_share", "威海市环翠区孙家疃街道", 2020, 106, 106 + 401 + 207, False),
        ("channel_wechat_share", "威海市环翠区孙家疃街道", 2020, 401, 714, False),
    ],
)
def test_rates_on_the_public_corpus(corpus, measure_id, agency, year, num, den, small):
    row = value_of(corpus, measure_id, agency, year)
    assert (row["num"], row["den"]) == (num, den)
    assert row["value"] == pytest.approx(100 * num / den)
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
    assert row["small_sample"] is small


def test_blank_zero_cells_and_blank_totals_become_derived_values(corpus):
    """上海 2019 leaves zero cells and most 总计 cells empty (template.md D3)."""
    row = value_of(corpus, "disclosure_rate", "上海市人民政府办公厅", 2019)
    assert row["derived"] is True
    assert (row["num"], row["den"]) == (275, 805)
    assert value_of(corpus, "requests_new", "上海市人民政府办公厅", 2019)["derived"] is False


def test_a_share_needs_two_stated_channels(corpus):
    """洪泽 states only its website; a 100% share of one channel would mean nothing."""
    assert value_of(corpus, "channel_website_share", "洪泽区人民政府", 2023)["value"] is None


def test_duplicate_copies_of_a_report_count_once(corpus):
    """平潭 2019 exists as scraped text, HTML and PDF: one body-year, one value."""
    frame = values.measure_frame(corpus, "requests_new", Filters(years=(2019, 2019)))
    assert sorted(frame["value"].to_list()) == [23, 859]
    totals = trends.trend(corpus, "requests_new", Filters(years=(2019, 2019)))
    assert totals["value"].to_list() == [859 + 23]


def test_region_reports_are_recognised_on_the_corpus(corpus):
    scopes = dict(corpus.sql("SELECT agency_name, any_value(scope) FROM report_index GROUP BY 1").fetchall())
    assert scopes["平潭综合实验区"] == "region"  # issued in the region's name
    assert scopes["上海市人民政府办公厅"] == "body"  # a department
    assert scopes["洪泽区人民政府"] == "body"  # no members to compare with, no region cue read


def test_version_break_on_the_corpus(corpus):
    pingtan = value_of(corpus, "requests_new", "平潭综合实验区", 2021)["agency_id"]
    frame = trends.trend(corpus, "normative_documents_stock", Filters(agencies=(pingtan,)))
    series = dict(zip(frame["year"].to_list(), frame["series"].to_list(), strict=True))
    assert series[2020] == "规范性文件存量（2019版口径）" and series[2021] == "规范性文件存量（2021版口径）"
    assert frame.filter(pl.col("version_break"))["year"].to_list() == [2021]
    first_2021 = frame.filter(pl.col("year") == 2021).row(0, named=True)
    assert first_2021["change"] is None  # never a change across definitions


# ---------------------------------------------------------------- hand-made warehouses


@pytest.fixture(scope="module")
def region_con(tmp_path_factory):
    """Two districts of 乙市: 甲区 publishes a region report over its two departments, 乙区 does not."""
    reports = [
        Report("甲区人民政府", 2021, requests(100, 60), county="甲区", kind="government",
               raw={"text.proactive_total": "全区共主动公开政府信息900条"}),
        Report("甲区教育局", 2021, requests(30, 20), county="甲区"),
        Report("甲区民政局", 2021, requests(40, 10), county="甲区"),
        Report("乙区财政局", 2021, requests(20, 5), county="乙区"),
        Report("乙区人民政府", 2021, requests(5, 5), county="乙区", kind="government"),
        Report("乙区统计局", 2021, requests(12, 6), county="乙区"),
        Report("乙市审计局", 2021, requests(8, 8)),
    ]
    root = build_warehouse(tmp_path_factory.mktemp("regions"), reports)
    con = prepare.open_warehouse(root)
    yield con
    con.close()


def test_scope_by_comparing_with_the_bodies_inside(region_con):
    rows = dict(region_con.sql("SELECT agency_name, scope FROM report_index").fetchall())
    assert rows["甲区人民政府"] == "region"  # 100 ≥ 30 + 40
    assert rows["乙区人民政府"] == "body"  # 5 < 20 + 12
    evidence = region_con.sql("SELECT scope_evidence FROM report_index WHERE agency_name = '甲区人民政府'").fetchall()
    assert evidence == [("本报告新收申请100件，辖区内2个单位报告合计70件",)]


def test_scope_from_the_text_where_the_sum_test_cannot_decide(tmp_path):
    cue, stated = {"text.proactive_total": "全区共主动公开政府信息900条"}, {"text.proactive_total": 900}
    reports = [
        Report("丙区人民政府", 2021, requests(50, 30) | stated, county="丙区", kind="government", raw=cue),
        Report("丙区文旅局", 2021, requests(10, 5), county="丙区"),  # one body inside: no sum test
        Report("丁区人民政府", 2021, requests(5, 5) | stated, county="丁区", kind="government", raw=cue),
        Report("丁区财政局", 2021, requests(20, 5), county="丁区"),
        Report("丁区统计局", 2021, requests(12, 6), county="丁区"),
    ]
    con = prepare.open_warehouse(build_warehouse(tmp_path, reports))
    rows = {name: (scope, evidence) for name, scope, evidence in
            con.sql("SELECT agency_name, scope, scope_evidence FROM report_index WHERE kind = 'government'").fetchall()}
    assert rows == {
        "丙区人民政府": ("region", "正文按全地区表述：…全区共主动公开政府信息900条…"),
        "丁区人民政府": ("body", "本报告新收申请5件，辖区内2个单位报告合计32件"),  # the sums decide before the words
    }


def test_region_report_stands_in_for_its_members(region_con):
    regions = values.region_values(region_con, "requests_new", Filters(province="甲省", city="乙市"))
    got = {r["region"]: (r["value"], r["coverage"]) for r in regions.to_dicts()}
    assert got == {"甲区": (100, "地区报告"), "乙区": (37, "单位合计（部分）"), "乙市本级": (8, "单位合计（部分）")}
    total = trends.trend(region_con, "requests_new", Filters(province="甲省", city="乙市"))
    assert total["value"].to_list() == [100 + 37 + 8]  # never 100 + 30 + 40 + …
    county = trends.trend(region_con, "requests_new", Filters(province="甲省", city="乙市", county="甲区"))
    assert county.select("value", "coverage").rows() == [(100, "地区报告")]


def test_a_filter_that_leaves_the_region_report_out_counts_its_members(region_con):
    place = Filters(province="甲省", city="乙市")
    departments = values.region_values(region_con, "requests_new", Filters(place.province, place.city, kinds=("department",)))
    assert {r["region"]: r["value"] for r in departments.to_dicts()} == {"甲区": 30 + 40, "乙区": 20 + 12, "乙市本级": 8}
    both = Filters(place.province, place.city, kinds=("department", "government"))
    assert sorted(values.region_values(region_con, "requests_new", both)["value"].to_list()) == [8, 37, 100]
    members = [Report("甲区教育局", 0, {}).agency_id, Report("甲区人民政府", 0, {}).agency_id]
    assert trends.trend(region_con, "requests_new", Filters(agencies=(members[0],)))["value"].to_list() == [30]
    assert trends.trend(region_con, "requests_new", Filters(agencies=tuple(members)))["value"].to_list() == [100]


def test_rates_of_a_region_use_the_region_report_too(region_con):
    regions = values.region_values(region_con, "disclosure_rate", Filters(province="甲省", city="乙市"))
    got = {r["region"]: (r["num"], r["den"]) for r in regions.to_dicts()}
    assert got["甲区"] == (60, 100) and got["乙区"] == (5 + 5 + 6, 20 + 5 + 12)


def test_body_rankings_leave_region_reports_out(region_con):
    ranking = rankings.ranking(region_con, "requests_new", Filters(), by="body")
    assert "甲区人民政府" not in ranking.ranked["label"].to_list()
    assert ranking.ranked["label"].to_list()[:2] == ["甲区民政局", "甲区教育局"]
    assert ranking.ranked["rank"].to_list() == list(range(1, 7))


def test_small_samples_stay_out_of_rankings(region_con):
    ranking = rankings.ranking(region_con, "disclosure_rate", Filters(), by="body")
    assert sorted(ranking.too_small["label"].to_list()) == ["乙区人民政府", "乙市审计局"]  # 5 and 8 cases
    assert set(ranking.ranked["label"].to_list()) == {"甲区教育局", "甲区民政局", "乙区财政局", "乙区统计局"}
    larger = rankings.ranking(region_con, "disclosure_rate", Filters(), by="body", settings=Settings(min_cases=4))
    assert larger.too_small.is_empty()


def test_scope_override_file_wins(tmp_path):
    reports = [
        Report("丙县人民政府", 2021, requests(3, 1), county="丙县", kind="government"),
        Report("丙县水利局", 2021, requests(9, 1), county="丙县"),
        Report("丙县林业局", 2021, requests(9, 1), county="丙县"),
    ]
    root = build_warehouse(tmp_path / "wh", reports)
    (root / settings.SCOPE_FILE).write_text("name,year,scope\n丙县人民政府,,region\n", encoding="utf-8")
    con = prepare.open_warehouse(root)
    assert con.sql("SELECT scope, scope_evidence FROM report_index WHERE agency_name='丙县人民政府'").fetchall() == [
        ("region", "用户指定（report_scope.csv）")
    ]


def test_text_cue_marks_a_region_report(tmp_path):
    reports = [
        Report("丁县人民政府", 2021, requests(30, 1) | {"text.proactive_total": 900}, county="丁县", kind="government",
               raw={"text.proactive_total": "全县共主动公开政府信息900条"}),
    ]  # fmt: skip
    con = prepare.open_warehouse(build_warehouse(tmp_path / "wh", reports))
    scope, evidence = con.sql("SELECT scope, scope_evidence FROM report_index").fetchall()[0]
    assert scope == "region" and "全县共主动公开" in evidence


def test_blank_cells_read_as_zero_only_in_a_filled_table(tmp_path):
    filled = requests(10, 4) | {"t3.partially_disclosed.total": None, "t3.partially_disclosed.natural_person": None}
    empty = {k: None for k in requests(1, 1)}
    dash = {"t3.partially_disclosed.total": "dash", "t3.partially_disclosed.natural_person": "dash"}
    dashed = requests(10, 4) | {key: None for key in dash}
    reports = [
        Report(
            "戊局", 2021, filled,
            statuses={"t3.partially_disclosed.total": "blank", "t3.partially_disclosed.natural_person": "blank"},
        ),
        Report("己局", 2021, empty),
        Report("庚局", 2021, dashed, statuses=dash),
    ]
    con = prepare.open_warehouse(build_warehouse(tmp_path / "wh", reports))
    filled_row = value_of(con, "disclosure_rate", "戊局", 2021)
    assert (filled_row["num"], filled_row["den"], filled_row["derived"]) == (4, 10, True)
    assert value_of(con, "disclosure_rate", "己局", 2021)["value"] is None
    assert value_of(con, "requests_new", "己局", 2021)["value"] is None
    assert value_of(con, "disclosure_rate", "庚局", 2021)["value"] is None  # a dash is unknown, not zero


def test_missing_total_is_the_sum_of_its_parts_and_marked_derived(tmp_path):
    cells = requests(12, 5) | {"t3.new_requests.total": None, "t3.new_requests.natural_person": 7,
                               "t3.new_requests.org_commercial": 5, "t3.new_requests.org_research": 0,
                               "t3.new_requests.org_public_welfare": 0, "t3.new_requests.org_legal_service": 0,
                               "t3.new_requests.org_other": 0}  # fmt: skip
    con = prepare.open_warehouse(build_warehouse(tmp_path / "wh", [Report("辛局", 2021, cells)]))
    row = value_of(con, "requests_new", "辛局", 2021)
    assert (row["value"], row["derived"]) == (12, True)
    share = value_of(con, "org_share", "辛局", 2021)
    assert (share["num"], share["den"]) == (5, 12)


@pytest.fixture(scope="module")
def break_con(tmp_path_factory):
    """Normative documents of three bodies over 2020–2022; one township keeps the 2019 tables in 2021."""
    def docs(version: str, made: int, stock: int) -> dict[str, float]:
        if version == "2019":
            return {"t2.normative_documents.newly_made": made, "t2.normative_documents.total_published": stock}
        return {"t2.normative_documents.issued": made, "t2.normative_documents.in_force": stock}

    reports = [
        Report("壬局", 2020, docs("2019", 5, 100), version="2019"),
        Report("壬局", 2021, docs("2021", 6, 40)),
        Report("壬局", 2022, docs("2021", 7, 45)),
        Report("癸局", 2020, docs("2019", 2, 50), version="2019"),
        Report("癸局", 2021, docs("2021", 3, 20)),
        Report("子镇", 2021, docs("2019", 1, 300), version="2019", kind="township"),
    ]
    con = prepare.open_warehouse(build_warehouse(tmp_path_factory.mktemp("break"), reports))
    yield con
    con.close()


def test_a_broken_measure_is_two_series(break_con):
    same = trends.trend(break_con, "normative_documents_stock", ALL)
    assert {(r["year"], r["series"]): r["value"] for r in same.to_dicts()} == {
        (2020, "规范性文件存量（2019版口径）"): 150,  # 子镇's 2021 report stands alone: nothing to compare it with
        (2021, "规范性文件存量（2021版口径）"): 40,  # 壬局 reported 2021 and 2022, 癸局 only 2021
        (2022, "规范性文件存量（2021版口径）"): 45,
    }
    frame = trends.trend(break_con, "normative_documents_stock", ALL, basis="all")
    got = {(r["year"], r["series"]): r["value"] for r in frame.to_dicts()}
    assert got == {
        (2020, "规范性文件存量（2019版口径）"): 150,
        (2021, "规范性文件存量（2019版口径）"): 300,
        (2021, "规范性文件存量（2021版口径）"): 60,
        (2022, "规范性文件存量（2021版口径）"): 45,
    }
    assert frame.filter(pl.col("version_break")).select("year", "series").rows() == [(2021, "规范性文件存量（2021版口径）")]


def test_an_approximately_equal_measure_stays_one_series(break_con):
    frame = trends.trend(break_con, "normative_documents_issued", ALL, basis="all")
    assert frame.select("year", "value").rows() == [(2020, 7), (2021, 10), (2022, 7)]
    assert frame["series"].unique().to_list() == ["本年制发规范性文件"]


def test_rankings_never_mix_definitions(break_con):
    ranking = rankings.ranking(break_con, "normative_documents_stock", ALL, year=2021)
    assert ranking.version == "2021" and ranking.note == "仅比较 2021 版口径"
    assert ranking.ranked["label"].to_list() == ["壬局", "癸局"]  # 子镇's 300 is a 2019-format stock
    old = rankings.ranking(break_con, "normative_documents_stock", ALL, year=2021, version="2019")
    assert old.ranked["label"].to_list() == ["子镇"]


@pytest.fixture(scope="module")
def flag_con(tmp_path_factory):
    """Seven township bodies: one jumps, one is far from its peers, one stops reporting."""
    towns = {"甲镇": (10, 40), "乙镇": (10, 11), "丙镇": (9, 10), "丁镇": (11, 12), "戊镇": (10, 9), "己镇": (12, 13),
             "庚镇": (8, None)}  # fmt: skip
    reports = []
    for name, (before, after) in towns.items():
        reports.append(Report(name, 2020, requests(before, 1), kind="township", county="甲区"))
        if after is not None:
            reports.append(Report(name, 2021, requests(after, 1), kind="township", county="甲区"))
    con = prepare.open_warehouse(build_warehouse(tmp_path_factory.mktemp("flags"), reports))
    yield con
    con.close()


def test_flags_of_each_kind(flag_con):
    found = flags.flags(flag_con, ALL)
    requests_flags = found.filter(pl.col("measure").is_in(["requests_new"]) | pl.col("measure").is_null())
    got = sorted((r["flag"], r["agency_name"], r["year"]) for r in requests_flags.to_dicts())
    assert got == [("偏离同类", "甲镇", 2021), ("同比突变", "甲镇", 2021), ("报告缺失", "庚镇", 2021)]
    jump = found.filter(pl.col("flag") == "同比突变").to_dicts()[0]
    assert (jump["value"], jump["reference"]) == (40, 10)
    assert jump["message"] == "本年新收申请：2021年40件，上年10件"
    outlier = found.filter(pl.col("flag") == "偏离同类").to_dicts()[0]
    assert outlier["reference"] == 11.5 and "同类（6个单位）中位数11.5件" in outlier["message"]


def test_flag_thresholds_are_settings(flag_con):
    relaxed = flags.compute_flags(flag_con, Settings(jump_factor=5, outlier_z=50))
    assert relaxed["flag"].to_list() == ["报告缺失"]


def test_flags_follow_the_selection(flag_con):
    assert flags.flags(flag_con, Filters(years=(2020, 2020))).is_empty()
    assert flags.flags(flag_con, Filters(kinds=("department",))).is_empty()
    everywhere = flags.flags(flag_con, ALL)
    assert flags.flags(flag_con, Filters(province="甲省", city="乙市", county="甲区")).equals(everywhere)


def test_the_first_flags_count_them_all(flag_con):
    every = flags.flags(flag_con, ALL)
    first = flags.flags(flag_con, ALL, limit=2)
    assert every.height > 2 and set(every["total"].to_list()) == {every.height}
    assert first.drop("total").equals(every.head(2).drop("total")) and first["total"].to_list() == [every.height] * 2


def test_empty_warehouse_gives_empty_frames(tmp_path):
    con = prepare.open_warehouse(tmp_path / "nothing")
    assert trends.trend(con, "requests_new", ALL).is_empty()
    assert rankings.ranking(con, "disclosure_rate", ALL).ranked.is_empty()
    assert flags.flags(con, ALL).is_empty()
    assert trends.key_figures(con, ALL)["value"].null_count() == len(trends.KEY_FIGURES)
    assert values.composition(con, "outcomes", ALL).is_empty()


# ---------------------------------------------------------------- the demo city


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = demo_warehouse(tmp_path_factory)
    con = prepare.open_warehouse(root)
    yield con, demo_truth(root)
    con.close()


@pytest.mark.parametrize("measure_id", flags.FLAG_MEASURES)
def test_jump_flags_take_the_previous_year_as_trends_do(demo, measure_id):
    """The jump flags test every body-year in SQL; each must be what `trends.with_changes` (consecutive
    years of one series, usable values only) gives over the measure's body rows, and nothing else."""
    con, _ = demo
    settings_ = Settings()
    frame = values.measure_frame(con, measure_id, ALL, settings_).filter(pl.col("scope") == "body")
    usable = frame.filter(pl.col("value").is_not_null() & ~pl.col("small_sample"))
    changes = trends.with_changes(usable, "agency_id").filter(pl.col("previous").is_not_null())
    big = pl.max_horizontal("value", "previous") >= settings_.jump_floor
    factor = settings_.jump_factor
    jump = (pl.col("value") >= factor * pl.col("previous")) | (pl.col("previous") >= factor * pl.col("value"))
    expected = sorted(changes.filter(big & jump).select("agency_id", "year", "value", "previous").rows())
    found = flags.flags(con, ALL).filter((pl.col("flag") == "同比突变") & (pl.col("measure") == measure_id))
    assert sorted(found.select("agency_id", "year", "value", "reference").rows()) == expected
    assert not changes.is_empty(), "the demo has consecutive years to compare"


@pytest.mark.parametrize("measure_id", flags.FLAG_MEASURES)
def test_outlier_flags_are_robust_z_scores_among_peers(demo, measure_id):
    """z = 0.6745·(x − median) / MAD within year, kind, level and series, recomputed here in polars."""
    con, _ = demo
    settings_ = Settings()
    frame = values.measure_frame(con, measure_id, ALL, settings_).filter(pl.col("scope") == "body")
    usable = frame.filter(pl.col("value").is_not_null() & ~pl.col("small_sample"))
    peers = ["year", "kind", "level", "series"]
    median = pl.col("value").median().over(peers)
    scored = usable.with_columns(median=median, mad=(pl.col("value") - median).abs().median().over(peers),
                                 peers=pl.len().over(peers))  # fmt: skip
    z = 0.6745 * (pl.col("value") - pl.col("median")) / pl.col("mad")
    hits = scored.filter((pl.col("peers") >= settings_.min_peers) & (pl.col("mad") > 0) & (z.abs() > settings_.outlier_z))
    found = flags.flags(con, ALL).filter((pl.col("flag") == "偏离同类") & (pl.col("measure") == measure_id))
    assert sorted(found.select("agency_id", "year", "value", "reference").rows()) == sorted(
        hits.select("agency_id", "year", "value", "median").rows()
    )


def _with_group_totals(values: dict) -> dict:
    """Truth records hold printed cells; the template prints no （三）–（六） group totals."""
    out = dict(values)
    for group, (_label, members) in T3_GROUPS.items():
        parts = [values.get(f"t3.{m}.total") for m in members]
        if f"t3.{group}.total" not in out and all(p is not None for p in parts):
            out[f"t3.{group}.total"] = sum(parts)
    return out


def _expected(measure, values: dict, version: str):
    values = _with_group_totals(values)
    formula = measure.formulas.get(version)
    if formula is None or any(values.get(k) is None for k in formula.numerator):
        return None
    num = sum(values[k] for k in formula.numerator)
    if not formula.denominator:
        return num
    stated = [values[k] for k in formula.denominator if values.get(k) is not None]
    needed = 2 if formula.partial_denominator else len(formula.denominator)
    if len(stated) < needed:
        return None
    return None if sum(stated) == 0 else 100 * num / sum(stated)


@pytest.mark.slow
def test_every_measure_matches_the_demo_truth(demo):
    """Each measure's value, report by report, equals the formula applied to the generator's truth."""
    con, truths = demo
    checked, expected_somewhere = {}, set()
    for measure in MEASURES:
        frame = values.measure_frame(con, measure.id, ALL, SETTINGS)
        got = {(r["agency_name"], r["year"]): r["value"] for r in frame.to_dicts()}
        for truth in truths:
            if truth["planted"]:
                continue  # a planted slip may make the pipeline read another value
            expected = _expected(measure, truth["values"], truth["template_version"])
            key = (truth["agency"], truth["year"])
            if expected is None:
                continue  # the truth states no value (the warehouse may still derive one from blanks)
            expected_somewhere.add(measure.id)
            # counts are exact; a rate is one division of exact sums, compared to the last bits
            assert got.get(key) == (pytest.approx(expected, rel=1e-12) if measure.is_rate else expected), (measure.id, key)
            checked[measure.id] = checked.get(measure.id, 0) + 1
    assert expected_somewhere <= set(checked), "every measure the demo states is checked at least once"
    table_measures = {m.id for m in MEASURES if not any(k.startswith("text.") for k in m.keys)}
    assert table_measures <= expected_somewhere, "the demo exercises every table measure"


@pytest.mark.slow
def test_demo_selection_total_is_the_sum_of_bodies(demo):
    """The demo's governments report only their own office, so the city total adds every body."""
    con, truths = demo
    year = 2022
    expected = sum(
        t["values"]["t3.new_requests.total"] for t in truths
        if t["year"] == year and t["values"].get("t3.new_requests.total") is not None
    )  # fmt: skip
    total = trends.trend(con, "requests_new", Filters(years=(year, year), province="演示数据（虚构地区）"))
    assert total["value"].to_list() == [expected]
    scopes = con.sql("SELECT DISTINCT scope FROM report_index WHERE synthetic").fetchall()
    assert scopes == [("body",)]
