"""Cross-year narrowing: a body's neighbouring reports decide cells a lost border left open.

`上一年项目数量` of Y must be Y−1's `上一年项目数量 + 本年增/减`, and likewise for
published totals and documents in force (template.CONTINUITY). Where a report's digit
run admits several decodings, only those that fit some decoding of the neighbouring
year survive. A constraint that would leave nothing is ignored: the reports themselves
may be inconsistent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pipeline.extract.arithmetic import Assignment
from pipeline.extract.settle import settle
from pipeline.record import Record
from pipeline.template import CONTINUITY, T2_ROWS, Continuity

MAX_PASSES = 4


def resolve_series(records: Iterable[Record]) -> None:
    """Narrow the Table 二 candidates of every body's consecutive-year reports, in place."""
    by_agency: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.agency and record.year:
            by_agency[record.agency].append(record)
    for series in by_agency.values():
        for _ in range(MAX_PASSES):
            if not any(_narrow_pair(a, b) for a in series for b in series if b.year == a.year + 1):
                break


def _narrow_pair(before: Record, after: Record) -> bool:
    """Apply every identity of the shared version to one pair of years; True if anything narrowed."""
    if before.template_version != after.template_version:
        return False
    changed = False
    for rule in CONTINUITY:
        if rule.version != before.template_version:
            continue
        for row in T2_ROWS[rule.version]:
            if set(rule.columns) <= set(row.columns):
                changed |= _narrow_row(before, after, row.key, rule)
    return changed


def _options(record: Record, row: str) -> list[Assignment] | None:
    """All decodings of one Table 二 row, decided cells included; None where a cell is missing."""
    prefix = f"t2.{row}."
    fixed = {k: v.value for k, v in record.values.items() if k.startswith(prefix)}
    if any(v is None for v in fixed.values()):
        return None
    open_options = record.candidates.get(f"t2.{row}", [{}])
    return [{k.removeprefix(prefix): v for k, v in (fixed | o).items()} for o in open_options]


def _narrow_row(before: Record, after: Record, row: str, rule: Continuity) -> bool:
    """Keep the decodings of each year that fit some decoding of the other."""
    first, second = _options(before, row), _options(after, row)
    if not first or not second or not all(set(rule.columns) <= set(o) for o in first + second):
        return False
    kept_first = [a for a in first if any(rule.holds(a, b) for b in second)]
    kept_second = [b for b in second if any(rule.holds(a, b) for a in kept_first)]
    if not kept_first or not kept_second or (len(kept_first), len(kept_second)) == (len(first), len(second)):
        return False
    _store(before, row, kept_first)
    _store(after, row, kept_second)
    return True


def _store(record: Record, row: str, options: list[Assignment]) -> None:
    """Write narrowed options back through the one settling rule."""
    group = f"t2.{row}"
    source = record.candidate_sources.get(group)
    if source is None:
        return
    keyed = [{f"t2.{row}.{k}": v for k, v in o.items()} for o in options]
    settle(record, group, keyed, source.raw, source.where)
