"""Consistency rules (勾稽关系) → findings; never corrections.

Every rule of template.md §4c and §5 that one report can be checked against, each
with an outcome: pass, fail, or not assessable where an input is blank or absent.
Cross-year rules (T3-XYEAR, 现行有效件数 continuity) need several reports and live
in the warehouse.
"""

from __future__ import annotations

import re

from pipeline.record import Finding, Record
from pipeline.template import (
    T2_ROWS,
    T3_COLUMNS,
    T3_LAYOUTS,
    T4_KEYS,
    T4_RULES,
    SumRule,
    holds,
    t2_key,
    t3_key,
    t3_rules,
)

#: The three tables as their key prefixes and printed names, for the completeness findings.
TABLES = (("t2.", "表二", "Table 2"), ("t3.", "表三", "Table 3"), ("t4.", "表四", "Table 4"))

#: Narrative sentences restating Table 三 (T3-TEXT): pattern → the total it restates.
TEXT_RESTATEMENTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"(?:共|全年|本年度?)?(?:受理|收到|接收)[^。；，,]{0,16}申请(?:共计?)?(\d+)件"), ("t3.new_requests.total",)),
    (re.compile(r"(?<!公开)(?<!处理)(?:办结|答复)(?:申请)?(?:共计?)?(\d+)件"), ("t3.total_processed.total",)),
)


def validate(record: Record, narrative: str = "") -> list[Finding]:
    """All single-report findings for a record; `narrative` is the normalised text outside tables."""
    values = {key: v.value for key, v in record.values.items()}
    findings = [_apply(rule, values) for rule in _rules(record)]
    findings += _non_negative(record)
    findings += completeness(record)
    findings += text_findings(record, narrative)
    return findings


def _rules(record: Record) -> list[SumRule]:
    """The sum rules for the record's Table 三 layout, plus Table 四's."""
    rules = list(t3_rules(_layout(record))) if any(k.startswith("t3.") for k in record.values) else []
    if any(k.startswith("t4.") for k in record.values):
        rules += list(T4_RULES)
    return rules


def expected_keys(record: Record) -> dict[str, tuple[str, ...]]:
    """Every table key a complete report of the record's version prints, by table prefix."""
    if record.template_version not in T2_ROWS:
        return {"t2.": (), "t3.": (), "t4.": T4_KEYS}
    t2 = tuple(t2_key(row.key, c) for row in T2_ROWS[record.template_version] for c in row.columns)
    t3 = tuple(t3_key(row.key, c) for row in T3_LAYOUTS[_layout(record)] for c in T3_COLUMNS)
    return {"t2.": t2, "t3.": t3, "t4.": T4_KEYS}


def completeness(record: Record) -> list[Finding]:
    """TABLE-MISSING where a table yields no cell at all (a copy cut off before it, or a
    table the engine could not read), TABLE-INCOMPLETE where some of its cells are
    missing (cut mid-table): the record is partial, and says what it lacks."""
    present = set(record.values) | set(record.ambiguous)
    findings = []
    keys = expected_keys(record)
    for prefix, zh, en in TABLES:
        expected = keys[prefix]
        missing = tuple(k for k in expected if k not in present)
        if not any(k.startswith(prefix) for k in present):
            findings.append(Finding("TABLE-MISSING", "warning", "fail", expected,
                                    f"表格缺失：未读到{zh}", f"table missing: no cell of {en} was read"))
        elif missing:
            findings.append(Finding("TABLE-INCOMPLETE", "warning", "fail", missing,
                                    f"表格不完整：{zh}缺少 {len(missing)} 个单元格",
                                    f"table incomplete: {en} lacks {len(missing)} cells"))
    return findings


def _layout(record: Record) -> str:
    """The record's Table 三 row layout, as extraction decided it (by its keys for a record made otherwise)."""
    if record.t3_layout is not None:
        return record.t3_layout
    return "split_other" if "t3.other_misc.total" in record.values else "single_other"


def _apply(rule: SumRule, values: dict) -> Finding:
    """One rule on one report."""
    result = holds(rule, values)
    keys = rule.left + rule.right
    if result is None:
        missing = [k for k in keys if values.get(k) is None]
        return Finding(rule.rule, rule.severity, "not_assessable", keys,
                       f"无法核对：{rule.zh}（缺少 {len(missing)} 个数值）",
                       f"not assessable: {rule.en} ({len(missing)} inputs blank or absent)")
    if result:
        return Finding(rule.rule, rule.severity, "pass", keys, rule.zh, rule.en)
    left = sum(values[k] for k in rule.left)
    right = sum(values[k] for k in rule.right)
    return Finding(rule.rule, rule.severity, "fail", keys,
                   f"{rule.zh}：{_fmt(left)} ≠ {_fmt(right)}", f"{rule.en}: {_fmt(left)} != {_fmt(right)}")


def _non_negative(record: Record) -> list[Finding]:
    """T3-NONNEG: every Table 三 cell a whole number ≥ 0."""
    bad = tuple(k for k, v in record.values.items()
                if k.startswith("t3.") and v.value is not None and (v.value < 0 or v.value != int(v.value)))
    if bad:
        return [Finding("T3-NONNEG", "error", "fail", bad, "表三单元格应为非负整数", "Table 三 cells must be whole numbers >= 0")]
    if any(k.startswith("t3.") for k in record.values):
        return [Finding("T3-NONNEG", "error", "pass", (), "表三单元格均为非负整数", "Table 三 cells are whole numbers >= 0")]
    return []


def text_findings(record: Record, text: str) -> list[Finding]:
    """T3-TEXT: narrative totals that disagree with the table (a warning; narratives are loose)."""
    findings = []
    for pattern, keys in TEXT_RESTATEMENTS:
        match = pattern.search(text)
        if not match:
            continue
        stated = int(match.group(1))
        table = [record.number(k) for k in keys]
        if any(v is None for v in table):
            findings.append(Finding("T3-TEXT", "warning", "not_assessable", keys,
                                    f"正文称{stated}件，表格对应单元格为空", f"text states {stated}; the table cell is blank"))
            continue
        alternatives = {sum(table), sum(table) + (record.number("t3.carried_over.total") or 0)}
        outcome = "pass" if stated in alternatives else "fail"
        findings.append(Finding("T3-TEXT", "warning", outcome, keys,
                                f"正文称{stated}件，表格为{_fmt(sum(table))}件",
                                f"text states {stated}, table says {_fmt(sum(table))}"))
    return findings


def _fmt(number: float) -> str:
    """A sum as printed: whole numbers without decimals."""
    return str(int(number)) if number == int(number) else f"{number:g}"

