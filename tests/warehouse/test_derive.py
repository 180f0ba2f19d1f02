"""Derived totals: computed only where the report prints no number, from parts that all have one."""

from __future__ import annotations

from pipeline.template import T3_GROUPS
from warehouse.derive import RULES, T3_APPLICANTS, derive


def _row(row: str, numbers: list[int | None], total: int | None = None) -> dict[str, int | None]:
    cells = {f"t3.{row}.{column}": n for column, n in zip(T3_APPLICANTS, numbers, strict=True)}
    return cells | {f"t3.{row}.total": total}


def test_a_blank_row_total_is_the_sum_of_its_six_applicant_columns():
    derived = derive(_row("disclosed", [258, 12, 0, 0, 1, 1]))
    value, rule = derived["t3.disclosed.total"]
    assert value == 272
    assert rule.formula.startswith("derived:t3.disclosed.natural_person+")


def test_a_reported_total_is_never_replaced_even_when_it_disagrees():
    assert "t3.disclosed.total" not in derive(_row("disclosed", [1, 1, 1, 1, 1, 1], total=9))


def test_no_total_where_a_part_is_blank():
    assert "t3.disclosed.total" not in derive(_row("disclosed", [258, 12, None, None, 1, 1]))


def test_group_totals_per_column_chain_into_the_group_row_total():
    values: dict[str, int | None] = {}
    for i, member in enumerate(T3_GROUPS["unavailable_total"][1]):
        values |= _row(member, [i + 1, 0, 0, 0, 0, 1], total=i + 2)
    derived = derive(values)
    assert derived["t3.unavailable_total.natural_person"][0] == 1 + 2 + 3
    assert derived["t3.unavailable_total.org_other"][0] == 3
    assert derived["t3.unavailable_total.total"][0] == 2 + 3 + 4


def test_a_2019_single_other_handling_row_is_kept_as_printed():
    values = _row("other_handling_total", [2, 0, 0, 0, 0, 0], total=2)
    assert not any(key.startswith("t3.other_handling_total") for key in derive(values))


def test_table_4_group_totals_and_the_litigation_total():
    values = {f"t4.{p}_{o}": n for p in ("review", "litigation_direct", "litigation_after_review")
              for o, n in zip(("upheld", "corrected", "other", "pending"), (1, 2, 3, 4), strict=True)}
    derived = derive(values)
    assert [derived[f"t4.{p}_total"][0] for p in ("review", "litigation_direct", "litigation_after_review")] == [10, 10, 10]
    assert derived["t4.litigation_total"][0] == 20


def test_every_rule_is_a_sum_of_other_keys():
    assert all(rule.parts and rule.total not in rule.parts and len(set(rule.parts)) == len(rule.parts) for rule in RULES)
