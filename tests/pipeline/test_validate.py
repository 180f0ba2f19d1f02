"""Every consistency rule: passing, failing and not assessable (blank is not zero)."""

from __future__ import annotations

import pytest

from conftest import corpus_file
from pipeline.extract import extract_path
from pipeline.record import Record, Value
from pipeline.template import T3_COLUMNS, T3_LAYOUTS, T4_KEYS
from pipeline.validate import validate


def _record(values: dict[str, float | None]) -> Record:
    record = Record(source="made.txt", format="text")
    record.values = {k: Value(v, str(v), "reported" if v is not None else "blank", "test") for k, v in values.items()}
    return record


def _balanced_t3(layout: str = "single_other") -> dict[str, float]:
    """A Table 三 where every rule holds: 3 new, 1 carried, 2 disclosed, 1 duplicate, 1 forward."""
    values = {f"t3.{r.key}.{c}": 0 for r in T3_LAYOUTS[layout] for c in T3_COLUMNS}
    for row, n in (("new_requests", 3), ("carried_over", 1), ("disclosed", 2), ("not_processed_duplicate", 1),
                   ("total_processed", 3), ("carried_forward", 1)):
        values[f"t3.{row}.natural_person"] = n
        values[f"t3.{row}.total"] = n
    return values


def _outcomes(findings, rule):
    return {f.outcome for f in findings if f.rule == rule}


@pytest.mark.parametrize("rule", ["T3-OFF", "T3-SUM-RESULT", "T3-ROW", "T3-NONNEG"])
def test_balanced_table_passes(rule):
    assert _outcomes(validate(_record(_balanced_t3())), rule) == {"pass"}


def test_t3_off_fails_in_the_column_that_does_not_balance():
    values = _balanced_t3() | {"t3.carried_forward.natural_person": 2, "t3.carried_forward.total": 2}
    failed = [f for f in validate(_record(values)) if f.rule == "T3-OFF" and f.outcome == "fail"]
    assert [f.keys[0] for f in failed] == ["t3.new_requests.natural_person", "t3.new_requests.total"]
    assert "4 ≠ 5" in failed[0].message_zh and "4 != 5" in failed[0].message_en


def test_t3_sum_result_counts_split_other_rows_in_2021_layout():
    values = _balanced_t3("split_other") | {"t3.other_misc.natural_person": 1}
    findings = validate(_record(values))
    assert "fail" in _outcomes(findings, "T3-SUM-RESULT")
    assert "fail" in _outcomes(findings, "T3-ROW")


def test_blank_input_makes_a_rule_not_assessable_not_a_pass():
    values = _balanced_t3() | {"t3.disclosed.total": None}
    findings = validate(_record(values))
    row = [f for f in findings if f.rule == "T3-ROW" and "t3.disclosed.total" in f.keys]
    assert [f.outcome for f in row] == ["not_assessable"]


def test_negative_cell_fails_nonneg():
    record = _record(_balanced_t3() | {"t3.org_other": 0, "t3.disclosed.org_other": -1})
    assert _outcomes(validate(record), "T3-NONNEG") == {"fail"}


def test_t4_group_sums_pass_fail_and_not_assessable():
    values = dict.fromkeys(T4_KEYS, 0) | {"t4.review_upheld": 2, "t4.review_total": 2, "t4.litigation_direct_total": 1,
                                            "t4.litigation_after_review_pending": None}
    by_group = {f.keys[0]: f.outcome for f in validate(_record(values)) if f.rule == "T4-SUM"}
    assert by_group == {"t4.review_total": "pass", "t4.litigation_direct_total": "fail",
                        "t4.litigation_after_review_total": "not_assessable"}


def test_real_report_errors_are_reported_as_printed():
    record = extract_path(corpus_file("huaian_hongze_qu_gov_2023.pdf"))
    failed = {f.keys[0] for f in record.findings if f.rule == "T4-SUM" and f.outcome == "fail"}
    assert failed == {"t4.review_total", "t4.litigation_after_review_total"}
    assert record.number("t4.review_total") == 0  # kept as reported, never corrected


def test_narrative_restatement_is_checked():
    shanghai = extract_path(corpus_file("shanghai_shizhengfu_bgt_2019_fragment.html"))
    assert _outcomes(shanghai.findings, "T3-TEXT") == {"pass"}
    pingtan = extract_path(corpus_file("pingtan_syq_2020.txt"))
    assert "fail" in _outcomes(pingtan.findings, "T3-SUM-RESULT")


def test_a_complete_report_has_no_completeness_finding():
    record = extract_path(corpus_file("seed_sunjiatuan_2020.txt"))
    assert not [f for f in record.findings if f.rule.startswith("TABLE-")]


def test_missing_and_incomplete_tables_are_stated_with_their_keys():
    values = _balanced_t3()
    del values["t3.carried_forward.total"]
    record = _record(values)
    record.template_version = "2019"
    findings = {f.rule: f for f in validate(record)
                if f.rule.startswith("TABLE-") and f.outcome == "fail"}  # fmt: skip
    missing = [f for f in validate(record) if f.rule == "TABLE-MISSING"]
    assert {f.message_zh for f in missing} == {"表格缺失：未读到表二", "表格缺失：未读到表四"}
    assert findings["TABLE-INCOMPLETE"].keys == ("t3.carried_forward.total",)
    assert findings["TABLE-INCOMPLETE"].message_zh == "表格不完整：表三缺少 1 个单元格"
    t4 = next(f for f in missing if "表四" in f.message_zh)
    assert t4.keys == T4_KEYS and t4.severity == "warning"


def test_ambiguous_cells_count_as_read():
    record = _record({k: 0 for k in T4_KEYS[1:]})
    record.candidates["t4"] = [{T4_KEYS[0]: 1}, {T4_KEYS[0]: 2}]
    assert not [f for f in validate(record) if f.rule == "TABLE-INCOMPLETE"]


def test_validate_imports_on_its_own():
    import subprocess
    import sys

    # validate sits after extract in the flow; it must not need the extractor package to import
    done = subprocess.run([sys.executable, "-c", "import pipeline.validate"], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
