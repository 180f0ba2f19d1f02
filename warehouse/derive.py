"""Totals a report leaves blank (or never prints) computed from their parts, as data.

Each rule says "this total is the sum of these parts". A rule fires only where the
total has no reported number and every part has one (reported or derived), so a
derived value never replaces what a report printed; the warehouse stores it beside
the reported cell with status `derived`.

`derive` applies the rules to one report's values at ingest; `complete_cells` applies
the same rules to the cell matrix of the reports a publish writes marts for
(`warehouse.marts`), where blank cells of a filled-in table also read as zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from pipeline.template import (
    T3_COLUMNS,
    T3_GROUPS,
    T3_LAYOUTS,
    T4_OUTCOMES,
    T4_PROCEEDINGS,
)

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


TOTALS = frozenset(rule.total for rule in RULES)


def rule_keys(keys: Iterable[str]) -> tuple[str, ...]:
    """The keys plus every total and part of a sum rule: what `complete_cells` needs to read."""
    return tuple(dict.fromkeys([*keys, *(k for rule in RULES for k in (rule.total, *rule.parts))]))


def complete_cells(wide: pl.DataFrame, keep: Iterable[str]) -> pl.DataFrame:
    """`derive` over a cell matrix (`warehouse.marts.cell_matrix`), for the keys in `keep`.

    Numbers for every kept key, with `<key>#d` true where the number is not printed as
    such. Blank cells of a table the report fills in read as zeros (template.md D3: 上海
    2019 leaves zero cells empty); a blank or absent total is the sum of its parts (the
    same `RULES`, applied until nothing changes). A table left wholly blank stays
    unknown, and a dash stays unknown (D4).
    """
    needed = rule_keys(keep)
    missing = [k for k in needed if k not in wide.columns]
    wide = wide.with_columns(
        *(pl.lit(None, pl.Float64).alias(k) for k in missing),
        *(pl.lit(-1, pl.Int8).alias(f"{k}#s") for k in missing),
    )
    values, flags = [], []
    for key in needed:
        value = pl.col(key)
        if key not in TOTALS:
            blank_zero = value.is_null() & (pl.col(f"{key}#s") == 1) & pl.col(f"has#{key.split('.')[0]}")
            value = pl.when(blank_zero).then(pl.lit(0.0)).otherwise(value)
        values.append(value.alias(key))
        flags.append((pl.col(f"{key}#s") != 3).alias(f"{key}#d"))
    frame = wide.select("rid", *values, *flags)
    by_total: dict[str, list[tuple[str, ...]]] = {}
    for rule in RULES:
        by_total.setdefault(rule.total, []).append(rule.parts)
    for _ in range(len(by_total)):
        before = frame.null_count().sum_horizontal().item()
        frame = frame.with_columns(
            pl.coalesce(pl.col(total), *(strict_sum(parts) for parts in alternatives)).alias(total)
            for total, alternatives in by_total.items()
        )
        if frame.null_count().sum_horizontal().item() == before:
            break
    kept = list(dict.fromkeys(keep))
    return frame.select("rid", *kept, *(f"{k}#d" for k in kept))


def strict_sum(keys: Iterable[str]) -> pl.Expr:
    """The sum where every key has a number, else null (the frame form of a rule firing)."""
    columns = [pl.col(k) for k in keys]
    return pl.when(pl.all_horizontal(c.is_not_null() for c in columns)).then(pl.sum_horizontal(columns))
