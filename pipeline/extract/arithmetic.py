"""Evaluating the template's sum rules over (possibly partial) sets of values.

Used twice: validation states which rules pass or fail; the digit-run decoder keeps
the decodings that satisfy the most rules. Blank is not zero: a rule with a missing
input is not assessable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import product

from pipeline.template import SumRule, holds

Assignment = dict[str, int | float]
MAX_COMBINATIONS = 50000


def best_combinations(
    fixed: Mapping[str, int | float | None],
    open_rows: Sequence[list[Assignment]],
    rules: Sequence[SumRule],
    score: Callable[[Mapping[str, int | float | None], Sequence[SumRule]], int] | None = None,
) -> list[tuple[Assignment, ...]]:
    """The combinations of open rows' options that satisfy the most rules."""
    score = score or satisfied
    best: list[tuple[Assignment, ...]] = []
    best_score = -1
    for count, combo in enumerate(product(*open_rows)):
        if count >= MAX_COMBINATIONS:
            break
        values = dict(fixed)
        for option in combo:
            values.update(option)
        points = score(values, rules)
        if points > best_score:
            best, best_score = [combo], points
        elif points == best_score:
            best.append(combo)
    return best


def satisfied(values: Mapping[str, int | float | None], rules: Sequence[SumRule]) -> int:
    """How many rules hold outright."""
    return sum(1 for rule in rules if holds(rule, values) is True)
