"""Totals a report leaves blank (or never prints) computed from their parts, as data.

Each rule says "this total is the sum of these parts". A rule fires only where the
total has no reported number and every part has one (reported or derived), so a
derived value never replaces what a report printed; the warehouse stores it beside
the reported cell with status `derived`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.template import T3_COLUMNS, T3_GROUPS, T3_LAYOUTS, T4_OUTCOMES, T4_PROCEEDINGS

Number = int | float

T3_APPLICANTS = tuple(column for column in T3_COLUMNS if column != "total")


@dataclass(frozen=True)
class Rule:
    """`total` = sum of `parts`."""

    total: str
    parts: tuple[str, ...]

    @property
    def formula(self) -> str:
        """How the value was made, for the fact's `source` column."""
        return "derived:" + "+".join(self.parts)


def _t3_rows() -> tuple[str, ...]:
    """Every Table 三 row of both layouts, then the group rows, in template order."""
    rows = dict.fromkeys(row.key for layout in T3_LAYOUTS.values() for row in layout)
    return tuple(rows) + tuple(group for group in T3_GROUPS if group not in rows)


def _rules() -> tuple[Rule, ...]:
    """T3 row totals, T3 group totals per column, T4 group totals and the litigation total."""
    t3_row_totals = [Rule(f"t3.{row}.total", tuple(f"t3.{row}.{a}" for a in T3_APPLICANTS)) for row in _t3_rows()]
    t3_groups = [
        Rule(f"t3.{group}.{column}", tuple(f"t3.{member}.{column}" for member in members))
        for group, (_label, members) in T3_GROUPS.items()
        for column in T3_COLUMNS
    ]
    outcomes = tuple(outcome for outcome in T4_OUTCOMES if outcome != "total")
    t4_groups = [Rule(f"t4.{p}_total", tuple(f"t4.{p}_{o}" for o in outcomes)) for p in T4_PROCEEDINGS]
    litigation = [Rule("t4.litigation_total", ("t4.litigation_direct_total", "t4.litigation_after_review_total"))]
    return tuple(t3_row_totals + t3_groups + t4_groups + litigation)


RULES: tuple[Rule, ...] = _rules()


def derive(values: Mapping[str, Number | None]) -> dict[str, tuple[Number, Rule]]:
    """The totals that can be computed, each with the rule that made it.

    Rules are applied until nothing changes, so a group row's total may come from the
    group's parts whose own totals were derived first.
    """
    known = {key: value for key, value in values.items() if value is not None}
    derived: dict[str, tuple[Number, Rule]] = {}
    changed = True
    while changed:
        changed = False
        for rule in RULES:
            if rule.total in known or any(part not in known for part in rule.parts):
                continue
            known[rule.total] = sum(known[part] for part in rule.parts)
            derived[rule.total] = (known[rule.total], rule)
            changed = True
    return derived
