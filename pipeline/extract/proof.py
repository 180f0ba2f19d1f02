"""Proving OCR'd numbers with the template's arithmetic, used as an error-correcting code.

A scanned table's cells come from `readers.ocr` with a confidence and the alternative
readings the recogniser weighed (`8` or `3`, `15` or `5`). The row sums of Table 三,
its column rules (一+二 = （七）+四, the group sums) and Table 四's totals are checks on
those digits:

1. a cell the recogniser was unsure of (confidence below CERTAIN) is open: its
   alternatives are candidates;
2. a rule that fails with only sure cells in it opens those of its OCR'd cells that have
   alternatives — a digit misread with confidence is caught by the sum it breaks;
3. each group of open cells linked by rules is decided by `arithmetic.best_combinations`
   (the combinations that satisfy the most rules). Exactly one → its values are taken,
   and those that differ from the first reading are marked corrected. More than one →
   the cells they agree on are taken, the rest go to `ambiguous` with their candidates.
   Where no alternative does better than the cells as read, a sure reading stands and an
   unsure one goes to `ambiguous`;
4. a rule still failing among sure readings is repaired only where exactly one one-digit
   edit of one of its cells makes every rule on that cell hold (a damaged 4 read as 1: the
   row sum and the column sum both point at it). A total that is simply off has several
   such edits or none: the report's own slip stays as printed, visible as a failed rule.
   Never a silent guess.

Every OCR'd value's source says so: `ocr page 3 table 2 row 5 col 4 conf 0.97`, plus
`corrected from 8 (T3-ROW)` where the arithmetic changed it. The warehouse keeps this
text in the facts' `source` column; status stays `reported`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from pipeline.extract.arithmetic import (
    MAX_COMBINATIONS,
    Assignment,
    best_combinations,
    holds,
    satisfied,
)
from pipeline.extract.lines import parse_number
from pipeline.record import Number, Record
from pipeline.template import T4_RULES, SumRule, t3_rules

#: A reading at least this sure stands unless a rule it takes part in fails.
CERTAIN = 0.9
GROUP_PREFIX = "ocr:"


@dataclass(frozen=True)
class Read:
    """One OCR'd value: its candidate numbers (first = as read) and the reading's confidence."""

    key: str
    options: tuple[Number, ...]
    confidence: float
    as_read: Number | None  # None: ink the recogniser could not read; the options are then every digit


def prove(record: Record, readings: Mapping[str, object]) -> None:
    """Check, correct or withdraw the record's OCR'd table values; stamp their provenance."""
    reads = _reads(record, readings)
    if not reads:
        return
    rules = _rules(record)
    values = {k: v.value for k, v in record.values.items()}
    open_keys = {k for k, r in reads.items() if r.confidence < CERTAIN and len(r.options) > 1}
    unread = {k for k, r in reads.items() if not r.options}
    for rule in rules:
        keys = set(rule.left + rule.right)
        if holds(rule, values) is False and not keys & open_keys:
            open_keys |= {k for k in keys if k in reads and len(reads[k].options) > 1}
    corrected: dict[str, tuple[Number, list[str]]] = {}
    for n, component in enumerate(_components(sorted(open_keys), rules)):
        _decide(record, component, reads, rules, values, corrected, group=f"{GROUP_PREFIX}{n}")
    _withdraw(record, unread)
    _repair_by_one_edit(record, reads, rules, values, corrected)
    _stamp(record, reads, readings, corrected)


def _reads(record: Record, readings: Mapping[str, object]) -> dict[str, Read]:
    """The record's table values that OCR read as numbers, with their candidate numbers."""
    out: dict[str, Read] = {}
    for key, value in record.values.items():
        reading = readings.get(value.where)
        if reading is None or (value.status != "reported" and not reading.options):
            continue  # not OCR'd, or a verified blank
        options: list[Number] = []
        for text in reading.options:
            try:
                number = parse_number(text, key)
            except ValueError:
                continue
            if number not in options:
                options.append(number)
        if value.value is not None and value.value in options:
            options.remove(value.value)
            options.insert(0, value.value)
        out[key] = Read(key, tuple(options), reading.confidence, value.value)
    return out


def _rules(record: Record) -> list[SumRule]:
    """The sum rules of the record's Table 三 layout and Table 四 (as `validate` applies them)."""
    layout = "split_other" if "t3.other_misc.total" in record.values else "single_other"
    return [*t3_rules(layout), *T4_RULES]


def _components(keys: list[str], rules: list[SumRule]) -> list[list[str]]:
    """Open keys grouped by the rules that link them, so each group is decided on its own."""
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for rule in rules:
        linked = [k for k in rule.left + rule.right if k in parent]
        for other in linked[1:]:
            parent[find(other)] = find(linked[0])
    groups: dict[str, list[str]] = {}
    for k in keys:
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def _decide(record: Record, keys: list[str], reads: dict[str, Read], rules: list[SumRule],
            values: dict[str, Number | None], corrected: dict[str, tuple[Number, list[str]]], group: str) -> None:
    """Settle one group of open keys by the combinations of their candidates that satisfy the most rules."""
    touching = [r for r in rules if set(r.left + r.right) & set(keys)]
    fixed = {k: v for k, v in values.items() if k not in keys}
    rows = [[{k: o} for o in reads[k].options] for k in keys]
    size = 1
    for row in rows:
        size *= len(row)
    best = best_combinations(fixed, rows, touching) if size <= MAX_COMBINATIONS else []
    as_read = {k: reads[k].as_read for k in keys}
    options = [{k: v for part in combo for k, v in part.items()} for combo in best]
    if len(options) != 1 and _as_read_stands(as_read, options, fixed, touching, reads):
        return
    decided = [k for k in keys if options and len({o[k] for o in options}) == 1]
    for key in decided:
        new = options[0][key]
        values[key] = new
        if new != as_read[key]:
            after = {**fixed, **options[0]}
            broken = [r.rule for r in touching if key in r.left + r.right and holds(r, after) is True]
            corrected[key] = (as_read[key], sorted(set(broken)))
            record.values[key] = replace(record.values[key], value=new, raw=_printed(new), status="reported")
    undecided = [k for k in keys if k not in decided]
    if undecided:
        distinct = {tuple(o[k] for k in undecided): {k: o[k] for k in undecided} for o in options}
        candidates = list(distinct.values()) or [{k: reads[k].options[0] for k in undecided}]
        record.candidates[group] = candidates
        record.candidate_sources[group] = record.values[undecided[0]]
        for key in undecided:
            del record.values[key]
            values[key] = None


def _as_read_stands(as_read: dict[str, Number | None], options: list[Assignment], fixed: Mapping[str, Number | None],
                    rules: list[SumRule], reads: dict[str, Read]) -> bool:
    """No alternative beats the cells as read, and every cell was read with confidence: the
    reading stands (a failed rule is then the report's own slip, reported as a finding)."""
    if not all(reads[k].confidence >= CERTAIN and reads[k].as_read is not None for k in as_read):
        return False
    score_as_read = satisfied({**fixed, **as_read}, rules)
    return all(satisfied({**fixed, **o}, rules) <= score_as_read for o in options)


def _repair_by_one_edit(record: Record, reads: dict[str, Read], rules: list[SumRule],
                           values: dict[str, Number | None], corrected: dict[str, tuple[Number, list[str]]]) -> None:
    """A rule still failing among sure readings: a digit the recogniser mistook, dropped or added
    without hesitation (a damaged or smudged print), or the report's own slip. Where exactly one
    one-digit edit of one of its OCR'd cells makes every rule on that cell hold — the row and the
    column agree on it — it was a misreading: taken and marked corrected. Otherwise (no edit, or
    several, as for a total that is simply off) the cells stand as read and the failure is reported."""
    for rule in rules:
        if holds(rule, values) is not False:
            continue
        fixes = [(key, new) for key in rule.left + rule.right if key in reads and key in record.values
                 and isinstance(values.get(key), int) for new in _one_digit_edits(values[key])
                 if _all_hold(key, new, rules, values)]
        if len(fixes) == 1:
            key, new = fixes[0]
            corrected[key] = (values[key], sorted({r.rule for r in rules if key in r.left + r.right
                                                   and holds(r, {**values, key: new}) is True}))
            values[key] = new
            record.values[key] = replace(record.values[key], value=new, raw=_printed(new))


def _one_digit_edits(number: int) -> set[int]:
    """Whole numbers one digit away as printed: a digit changed, dropped or added."""
    text = str(number)
    edits = {text[:i] + d + text[i + 1 :] for i in range(len(text)) for d in "0123456789"}
    edits |= {text[:i] + text[i + 1 :] for i in range(len(text))}
    edits |= {text[:i] + d + text[i:] for i in range(len(text) + 1) for d in "0123456789"}
    return {int(e) for e in edits if e and (len(e) == 1 or e[0] != "0")} - {number}


def _all_hold(key: str, new: Number, rules: list[SumRule], values: Mapping[str, Number | None]) -> bool:
    """Every assessable rule on the key holds with the new value (and at least one is assessable)."""
    trial = {**values, key: new}
    outcomes = [holds(r, trial) for r in rules if key in r.left + r.right]
    return True in outcomes and False not in outcomes


def _withdraw(record: Record, keys: set[str]) -> None:
    """Cells with ink the recogniser could not read at all: unknown, so absent — never blank."""
    for key in keys:
        record.values.pop(key, None)


def _stamp(record: Record, reads: dict[str, Read], readings: Mapping[str, object],
           corrected: dict[str, tuple[Number, list[str]]]) -> None:
    """Each OCR'd value's source names OCR and its confidence, and a correction where made."""
    for key, value in list(record.values.items()):
        reading = readings.get(value.where)
        if reading is None:
            continue
        where = f"{value.where} conf {reading.confidence:.2f}"
        if key in corrected:
            before, broken = corrected[key]
            where += f" corrected from {_printed(before) if before is not None else 'unread'} ({', '.join(broken)})"
        record.values[key] = replace(value, where=where)


def _printed(number: Number) -> str:
    """A number as a cell would print it."""
    return str(int(number)) if float(number).is_integer() else str(number)
