"""Rows of running text decoded under the template's sums: never a guess where the sums fail."""

from __future__ import annotations

from pipeline.extract.runs import _decode_t2, _t3_options
from pipeline.template import T2_ROWS

T2_ROW = next(row for row in T2_ROWS["2019"] if row.key == "admin_licensing")


def test_a_row_whose_cells_add_up_is_decoded_from_a_glued_run():
    assert [o["t3.disclosed.total"] for o in _t3_options("270020130", "disclosed")] == [30, 30]


def test_a_row_whose_blank_cells_were_lost_is_not_cut_into_digits():
    # 258, 12, 1 and 1 with three blank cells dropped: no cut adds up, and cutting 258 into 2, 5, 8 is a guess
    assert _t3_options("258 12 1 1", "disclosed") == []


def test_a_misprinted_total_is_read_as_printed_where_every_border_survived():
    (row,) = _t3_options("258 12 1 1 0 0 270", "disclosed")
    assert list(row.values()) == [258, 12, 1, 1, 0, 0, 270]  # 272 ≠ 270: validation reports it


def test_a_misprinted_total_in_a_glued_run_keeps_its_cuts_for_the_table_rules():
    (row,) = _t3_options("1000002", "disclosed")  # seven digits, seven cells: 1 ≠ 2, reported by validation
    assert list(row.values()) == [1, 0, 0, 0, 0, 0, 2]


def test_a_table_2_row_that_lost_a_cell_is_not_cut_into_digits():
    # 上一年项目数量 10, a blank 本年增/减 dropped, 处理决定数量 5: not read as 1, 0, 5
    assert _decode_t2("10 5", T2_ROW) == []
    assert _decode_t2("1 0 5", T2_ROW) == [(1, 0, 5)]  # every border kept
    assert _decode_t2("105", T2_ROW) == [(1, 0, 5)]  # every border lost: glued cells, the only cut
