"""数据质量 and 单位画像 speak a supervisor's words: rule names, cell labels, China time, not-assessable apart."""

from __future__ import annotations

from dashboard_fixtures import Report, build_warehouse, requests

OFF = {"rule": "T3-OFF", "severity": "error", "outcome": "fail", "keys": ["t3.new_requests.natural_person"],
       "message_zh": "第一项加第二项之和应等于第三项加第四项之和（自然人列）：12 ≠ 11"}  # fmt: skip
NA = {"rule": "T4-SUM", "severity": "error", "outcome": "not_assessable", "keys": [], "message_zh": "无法核对：表四"}


def _root(tmp_path):
    reports = [Report("丙丁市甲局", 2024, requests(12, 9), findings=[OFF, NA]), Report("丙丁市乙局", 2024, requests(3, 3))]
    held = [{"source_file": "丙丁市丙局2024年报.pdf", "source_path": "/in/0a1b.pdf", "reason": "不是报告文件"}]
    return build_warehouse(tmp_path / "wh", reports, held)


def _page(dashboard, root, page, query=None):
    at = dashboard(root, query)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_findings_name_the_rule_and_hide_the_unassessable(dashboard, tmp_path):
    at = _page(dashboard, _root(tmp_path), "pages/quality.py")
    findings = next(d.value for d in at.dataframe if "检查" in d.value.columns and "单位" in d.value.columns)
    assert findings["检查"].to_list() == ["表三收支平衡（T3-OFF）"] and findings["结果"].to_list() == ["未通过"]
    assert any("另有 1 条无法判断的检查未显示" in c.value for c in at.caption)
    assert any(t.label.startswith("包括无法判断的检查（1 条") for t in at.toggle)
    rules = next(d.value for d in at.dataframe if "检查内容" in d.value.columns)
    assert "本年新收加上年结转，应等于办理总计加结转下年度（每一列）。" in rules["检查内容"].to_list()
    held = next(d.value for d in at.dataframe if "时间（北京时间）" in d.value.columns)
    assert held["文件"].to_list() == ["丙丁市丙局2024年报.pdf"]
    assert held["时间（北京时间）"].to_list() == ["2026-01-01 08:00"], "fixture time 00:00 UTC is 08:00 in China"


def test_the_unassessable_appear_on_request(dashboard, tmp_path):
    at = _page(dashboard, _root(tmp_path), "pages/quality.py", {"unassessable": "true"})
    findings = next(d.value for d in at.dataframe if "检查" in d.value.columns and "单位" in d.value.columns)
    assert sorted(findings["结果"].to_list()) == ["无法判断", "未通过"]


def test_the_picked_finding_is_kept_in_the_url(dashboard, tmp_path):
    """A picked finding names itself in the URL (`finding`), and a link with it opens the same finding."""
    root = _root(tmp_path)
    at = _page(dashboard, root, "pages/quality.py")
    assert "finding" not in at.query_params
    at.session_state["finding-rows"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    link = at.query_params["finding"]
    link = link[0] if isinstance(link, list) else link
    assert link
    again = _page(dashboard, root, "pages/quality.py", {"finding": link})
    assert any("丙丁市甲局 2024年" in m.value and "表三收支平衡" in m.value for m in again.markdown)
    cells = next(d.value for d in again.dataframe if "表格" in d.value.columns)
    assert len(cells) >= 1
    unknown = _page(dashboard, root, "pages/quality.py", {"finding": "not-a-finding"})
    assert not any("丙丁市甲局 2024年" in m.value for m in unknown.markdown)
