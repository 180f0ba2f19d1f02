"""Digit runs decoded under the template's arithmetic (pingtan runs as published)."""

from __future__ import annotations

from pipeline.extract.digits import decode, group_sums_hold, pieces_of, row_sum_holds
from pipeline.template import DECIMAL_COLUMNS, SIGNED_COLUMNS, T3_COLUMNS


def test_row_sum_decodes_a_glued_table3_row_uniquely():
    assert decode("640020470", T3_COLUMNS, accept=row_sum_holds) == [(64, 0, 0, 2, 0, 4, 70)]


def test_surviving_spaces_are_certain_borders():
    assert decode("230 000023", T3_COLUMNS, accept=row_sum_holds) == [(23, 0, 0, 0, 0, 0, 23)]
    assert decode("0 0 00 00 0", T3_COLUMNS) == [(0, 0, 0, 0, 0, 0, 0)]


def test_ambiguous_row_keeps_every_decoding_that_fits():
    options = decode("270020130", T3_COLUMNS, accept=row_sum_holds)
    assert (27, 0, 0, 2, 0, 1, 30) in options
    assert (2, 7, 0, 0, 20, 1, 30) in options


def test_no_leading_zeros_and_signs_only_where_signed():
    columns = ("prior_year_items", "items_change", "decisions")
    options = decode("2648-18538", columns, SIGNED_COLUMNS)
    assert {o[0] for o in options} == {2648}
    assert sorted(o[1] for o in options) == [-1853, -185, -18, -1]
    assert all(o[2] > 0 for o in options)


def test_amount_with_unit_is_converted_to_wan_yuan():
    options = decode("13575394432.52元", ("procurement_projects", "procurement_amount_wan_yuan"), decimal=DECIMAL_COLUMNS)
    assert (135, 7539.443252) in options
    assert len(options) == 10


def test_table4_seventeen_digits_decode_under_group_totals():
    columns = [f"c{i}" for i in range(15)]
    assert decode("10203120001200000", columns, accept=group_sums_hold) == [
        (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)
    ]


def test_pieces_split_at_spaces_and_signs_and_strip_the_unit():
    assert pieces_of("35-15") == (["35", "-15"], "")
    assert pieces_of("230.64565万元") == (["230.64565"], "万元")


def test_a_number_grouped_by_thousands_is_one_cell():
    assert decode("10,690", ("decisions",)) == [(10690,)]
    assert decode("2,2930", ("a", "b")) == [(2293, 0)]  # the comma says where the first cell ends
    assert decode("1,234000001,234", T3_COLUMNS, accept=row_sum_holds) == [(1234, 0, 0, 0, 0, 0, 1234)]


def test_a_comma_that_groups_no_thousands_decodes_to_nothing():
    assert decode("10,6 90", ("a", "b")) == []
    assert decode("89,89,89", ("a", "b", "c")) == []  # cells joined by commas: absent, never guessed
