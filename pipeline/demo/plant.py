"""Arithmetic slips an agency makes, planted so each breaks exactly the rule it names.

Each slip changes the printed numbers of one report in a way real reports show, and
in a way that leaves every other rule intact: a miscounted 本年新收 shifts a row and
its total together (only T3-OFF breaks), a request booked under the wrong outcome
moves between two rows of one column (only T3-ROW), an outcome counted twice raises
a row and its total (only T3-SUM-RESULT), a review total off by one (only T4-SUM), a
request counted as carried over instead of new (only the cross-year T3-XYEAR).
T3-SUM-GROUP cannot be planted: the templates print no group subtotal to contradict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from pipeline.demo.draw import Draw
from pipeline.template import T3_LAYOUTS, T4_PROCEEDINGS, t3_key

Numbers = dict[str, int | Decimal]


@dataclass(frozen=True)
class Planted:
    """A slip in a report: the rule that should catch it and the cells it touched."""

    rule: str
    keys: tuple[str, ...]
    note: str


def plant(rule: str, numbers: Numbers, layout: str, draw: Draw) -> Planted | None:
    """Apply one slip to the printed numbers in place; None where this report cannot show it."""
    return PLANTERS[rule](numbers, layout, draw)


def _shift(numbers: Numbers, row: str, delta: int) -> tuple[str, ...]:
    """Add delta to a row's natural-person cell and its total, keeping the row's own sum."""
    keys = (t3_key(row, "natural_person"), t3_key(row, "total"))
    for key in keys:
        numbers[key] += delta
    return keys


def _miscounted_new(numbers: Numbers, layout: str, draw: Draw) -> Planted:
    delta = draw.between(1, 3)
    if numbers[t3_key("new_requests", "natural_person")] >= delta and draw.chance(0.5):
        delta = -delta
    keys = _shift(numbers, "new_requests", delta)
    return Planted("T3-OFF", keys, f"本年新收申请多计{delta}件" if delta > 0 else f"本年新收申请少计{-delta}件")


def _printed_outcomes(layout: str) -> list[str]:
    keys = [row.key for row in T3_LAYOUTS[layout]]
    return keys[keys.index("disclosed") : keys.index("total_processed")]


def _wrong_row(numbers: Numbers, layout: str, draw: Draw) -> Planted | None:
    outcomes = _printed_outcomes(layout)
    sources = [r for r in outcomes if numbers[t3_key(r, "natural_person")] > 0]
    if not sources:
        return None
    source = draw.pick(sources)
    target = draw.pick([r for r in outcomes if r != source])
    numbers[t3_key(source, "natural_person")] -= 1
    numbers[t3_key(target, "natural_person")] += 1
    keys = (t3_key(source, "natural_person"), t3_key(target, "natural_person"))
    return Planted("T3-ROW", keys, "一件申请的自然人数计入了另一办理结果行，而总计列未改")


def _double_count(numbers: Numbers, layout: str, draw: Draw) -> Planted:
    row = draw.pick(_printed_outcomes(layout))
    keys = _shift(numbers, row, 1)
    return Planted("T3-SUM-RESULT", keys, "一件申请在两个办理结果中重复计数")


def _review_total(numbers: Numbers, layout: str, draw: Draw) -> Planted:
    proceeding = draw.pick(list(T4_PROCEEDINGS))
    key = f"t4.{proceeding}_total"
    numbers[key] += 1
    return Planted("T4-SUM", (key,), "总计比各结果之和多1件")


def _carried_as_new(numbers: Numbers, layout: str, draw: Draw) -> Planted | None:
    delta = draw.between(1, 2)
    if numbers[t3_key("new_requests", "natural_person")] < delta:
        return None
    _shift(numbers, "new_requests", -delta)
    keys = _shift(numbers, "carried_over", delta)
    return Planted("T3-XYEAR", keys, f"{delta}件本年新收申请计为上年结转，与上年报告的结转下年度不符")


PLANTERS: dict[str, Callable[[Numbers, str, Draw], Planted | None]] = {
    "T3-OFF": _miscounted_new,
    "T3-ROW": _wrong_row,
    "T3-SUM-RESULT": _double_count,
    "T4-SUM": _review_total,
    "T3-XYEAR": _carried_as_new,
}
