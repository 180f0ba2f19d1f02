"""A report with one of its tables left out is a partial record: every value it does print is
read exactly, nothing is invented for the missing table, and rules that needed it say so."""

from __future__ import annotations

import pytest

from hardening.badinputs import FORMS, demo_bytes, demo_report
from pipeline.evaluate import same
from pipeline.extract import extract_bytes


@pytest.mark.parametrize("drop", ["t2", "t3", "t4"])
@pytest.mark.parametrize("form", FORMS)
def test_a_missing_table_leaves_the_rest_of_the_report_exact(form: str, drop: str) -> None:
    report = demo_report(form, drop=drop)
    record = extract_bytes(demo_bytes(form, drop=drop), report.source)
    got = record.to_json()["values"]
    assert (record.agency, record.year) == (report.agency, report.plan.year)
    assert not [key for key in got if key.startswith(f"{drop}.")], "nothing is invented for the missing table"
    wrong = {
        key: (value, got.get(key, "absent"))
        for key, value in report.values.items()
        if key not in got or not same(value, got[key])
    }
    assert wrong == {}
    failing = [f for f in record.findings if f.outcome == "fail"]
    assert [f.rule for f in failing] == ["TABLE-MISSING"], "a missing table is said once, never as an arithmetic error"
    assert failing[0].severity == "warning" and all(key.startswith(f"{drop}.") for key in failing[0].keys)
    if drop == "t3":  # the narrative's request totals cannot be checked against an absent table
        assert {(f.rule, f.outcome) for f in record.findings if f.outcome != "pass"} == {
            ("T3-TEXT", "not_assessable"), ("TABLE-MISSING", "fail")}
