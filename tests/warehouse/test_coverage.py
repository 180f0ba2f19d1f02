"""Coverage: expected bodies from earlier years and the register; incomplete, quarantined and missing cells."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard_fixtures import Report, build_warehouse, requests
from warehouse import coverage, search
from warehouse.filters import Filters
from warehouse.prepare import open_warehouse

CUT = {"rule": "TABLE-INCOMPLETE", "severity": "warning", "outcome": "fail", "message_zh": "表格不完整：表三缺少 3 个单元格"}


def _report(name: str, year: int, values: dict, **more) -> Report:
    return Report(name, year, values, city="丙丁市", **more)


def _warehouse(tmp_path):
    reports = [
        _report("丙丁市甲局", 2023, requests(10, 8)),
        _report("丙丁市甲局", 2024, requests(12, 9)),
        _report("丙丁市甲局", 2025, requests(12, 9)),
        _report("丙丁市丙局", 2023, requests(5, 5)),
        _report("丙丁市丙局", 2024, requests(5, 5), findings=[CUT]),
        _report("丙丁市丁局", 2024, requests(7, 7)),
        _report("丙丁市戊局", 2025, requests(3, 3)),
    ]
    quarantined = [{"source_file": "丙丁市丁局2025年报.pdf", "source_path": "/in/a.pdf", "reason": "not a report"},
                   {"source_file": "scan.pdf", "source_path": "/in/b.pdf", "reason": "no year"}]  # fmt: skip
    return open_warehouse(build_warehouse(tmp_path / "wh", reports, quarantined))


def _status(grid: pl.DataFrame, name: str, year: int) -> str | None:
    rows = grid.filter((pl.col("agency_name") == name) & (pl.col("year") == year))
    return rows["status"][0] if rows.height else None


def test_each_cell_says_reported_incomplete_quarantined_or_missing(tmp_path):
    con = _warehouse(tmp_path)
    grid = coverage.coverage_grid(con, Filters(), (2023, 2025))
    assert _status(grid, "丙丁市甲局", 2024) == "reported"
    assert _status(grid, "丙丁市丙局", 2024) == "incomplete"
    assert _status(grid, "丙丁市丙局", 2025) == "missing"
    assert _status(grid, "丙丁市丁局", 2025) == "quarantined"
    assert _status(grid, "丙丁市丁局", 2023) is None, "not expected before its first report"
    assert _status(grid, "丙丁市戊局", 2024) is None
    bodies = coverage.expected_bodies(con, Filters())
    assert coverage.unplaced_quarantine(con, bodies, (2023, 2025)) == 1, "scan.pdf names no body"
    assert coverage.unplaced_quarantine(con, bodies, (2023, 2024)) == 2, "丁局's 2025 file is outside the years"
    missing = grid.filter((pl.col("year") == 2025) & (pl.col("status") == "missing"))["agency_name"].to_list()
    assert missing == ["丙丁市丙局"]


def test_the_register_adds_bodies_that_never_reported(tmp_path):
    con = _warehouse(tmp_path)
    register_file = tmp_path / "register.csv"
    register_file.write_text("name,division_code\n丙丁市己局,\n丙丁市甲局,\n", encoding="utf-8-sig")
    grid = coverage.coverage_grid(con, Filters(), (2024, 2025), coverage.read_register(register_file))
    assert [_status(grid, "丙丁市己局", y) for y in (2024, 2025)] == ["missing", "missing"]
    assert grid.filter(pl.col("agency_name") == "丙丁市甲局").height == 2, "a registered body that reported is not doubled"
    placed = grid.filter(pl.col("agency_name") == "丙丁市己局").row(0, named=True)
    assert (placed["province"], placed["city"]) == ("甲省", "丙丁市"), "placed like the reported bodies of its city"
    in_other = coverage.coverage_grid(con, Filters(province="丙省"), (2024, 2025), coverage.read_register(register_file))
    assert in_other.is_empty()


def test_a_register_without_a_name_column_is_refused(tmp_path):
    bad = tmp_path / "register.csv"
    bad.write_text("单位\n丙丁市己局\n", encoding="utf-8")
    try:
        coverage.read_register(bad)
    except ValueError as exc:
        assert "name" in str(exc)
    else:
        raise AssertionError("a register without a name column must be refused")
    assert coverage.read_register(tmp_path / "absent.csv").is_empty()


def test_the_status_table_names_each_status_in_chinese(tmp_path):
    con = _warehouse(tmp_path)
    table = coverage.status_table(con, coverage.expected_bodies(con, Filters()), (2023, 2025))
    row = table.filter(pl.col("单位") == "丙丁市丙局").row(0, named=True)
    assert (row["2023"], row["2024"], row["2025"]) == ("已报送", "已报送（不完整）", "缺报")
    assert table.filter(pl.col("单位") == "丙丁市戊局")["2023"][0] == "—"
    assert table.filter(pl.col("单位") == "丙丁市丁局")["2025"][0] == "文件未能导入"


@pytest.mark.parametrize(("filters", "years"), [(Filters(), (2023, 2025)), (Filters(), (2024, 2025)),
                                                (Filters(province="丙省"), (2023, 2025)), (Filters(), (2021, 2022))])  # fmt: skip
def test_the_status_table_is_the_grid_one_row_per_body(tmp_path, filters, years):
    """The table the page shows is computed without the grid's row per cell; it must say what the grid says."""
    con = _warehouse(tmp_path)
    register = tmp_path / "register.csv"
    register.write_text("name,division_code\n丙丁市己局,\n", encoding="utf-8")
    bodies = coverage.expected_bodies(con, filters, coverage.read_register(register))
    grid = coverage.body_years(con, bodies, years)
    table = coverage.status_table(con, bodies, years)
    if grid.is_empty():
        assert table.columns == ["agency_id", "单位"] and table.is_empty()
        return
    pivoted = (
        grid.with_columns(pl.col("status").replace_strict(coverage.STATUS_NAMES), pl.col("year").cast(pl.String))
        .pivot("year", index=["agency_id", "agency_name"], values="status", sort_columns=True)
        .rename({"agency_name": "单位"}).with_columns(pl.exclude("agency_id", "单位").fill_null("—"))
    )  # fmt: skip
    assert table.equals(pivoted.sort("单位", "agency_id"))


def test_search_finds_a_body_by_any_part_of_its_name(tmp_path):
    con = _warehouse(tmp_path)
    assert search.find_bodies(con, "市丙")["agency_name"].to_list() == ["丙丁市丙局"]
    assert search.find_bodies(con, " 丙丁 市 ")["matches"][0] == 4
    assert search.find_bodies(con, "'; DROP TABLE body_index; --").is_empty()
    assert search.find_bodies(con, "").is_empty()
