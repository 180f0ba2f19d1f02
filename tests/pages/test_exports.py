"""年报审查意见 and 通报: the files open in openpyxl and python-docx and state the warehouse's values in Chinese."""

from __future__ import annotations

import io

import docx
import openpyxl

from dashboard_fixtures import Report, build_warehouse, requests
from pages.exports import documents
from pages.exports.bulletin import bulletin
from pages.exports.review import review
from warehouse.filters import Filters
from warehouse.prepare import open_warehouse

OFF = {"rule": "T3-OFF", "severity": "error", "outcome": "fail", "keys": ["t3.new_requests.natural_person",
       "t3.carried_over.natural_person", "t3.total_processed.natural_person", "t3.carried_forward.natural_person"],
       "message_zh": "第一项加第二项之和应等于第三项加第四项之和（自然人列）：12 ≠ 11"}  # fmt: skip
NA = {"rule": "T4-SUM", "severity": "error", "outcome": "not_assessable", "keys": [], "message_zh": "无法核对"}


def _warehouse(tmp_path):
    bad = requests(12, 9) | {"t3.total_processed.natural_person": 11}
    reports = [
        Report("=HYPERLINK(\"x\")局", 2024, requests(5, 5), findings=[OFF | {"message_zh": "=1+1"}]),
        Report("丙丁市甲局", 2024, bad, city="丙丁市", findings=[OFF, NA]),
        Report("丙丁市乙局", 2023, requests(30, 20), city="丙丁市"),
        Report("丙丁市乙局", 2024, requests(40, 30), city="丙丁市"),
    ]
    return open_warehouse(build_warehouse(tmp_path / "wh", reports))


def _sheet_rows(data: bytes, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True))


def _docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    word = docx.Document(io.BytesIO(data))
    rows = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    return "\n".join(p.text for p in word.paragraphs), rows


def test_the_review_names_each_cell_by_table_row_and_column_with_its_printed_value(tmp_path):
    con = _warehouse(tmp_path)
    body = Report("丙丁市甲局", 2024, {})
    document = review(con, body.agency_id, 2024)
    rows = _sheet_rows(documents.to_xlsx(document), "问题明细")
    assert rows[0][:8] == ("序号", "检查", "严重程度", "表格", "行", "列", "年度", "报告所列数值")
    cells = {(r[4], r[5]): r[7] for r in rows[1:]}
    assert cells == {("一、本年新收政府信息公开申请数量", "自然人"): "12", ("二、上年结转政府信息公开申请数量", "自然人"): "0",
                     ("（七）总计", "自然人"): "11", ("四、结转下年度继续办理", "自然人"): "0"}  # fmt: skip
    assert {r[1] for r in rows[1:]} == {"表三收支平衡（T3-OFF）"} and {r[3] for r in rows[1:]} == {"表三"}
    assert all("12 ≠ 11" in r[8] and "上年结转" in r[9] for r in rows[1:])
    cover = [r[0] for r in _sheet_rows(documents.to_xlsx(document), "概况")]
    assert cover[0] == "丙丁市甲局2024年度政府信息公开工作年度报告审查意见"
    assert any("共发现 1 处问题（错误 1 处" in (line or "") for line in cover)
    assert any("另有 1 项检查" in (line or "") for line in cover), "not-assessable checks are counted apart"
    text, table = _docx_text(documents.to_docx(document))
    assert "审查意见" in text and "共发现 1 处问题" in text
    assert ["1", "表三收支平衡（T3-OFF）", "错误", "表三", "（七）总计", "自然人", "2024", "11"] == table[3][:8]


def test_spreadsheet_text_from_reports_is_never_a_formula(tmp_path):
    con = _warehouse(tmp_path)
    body = Report("=HYPERLINK(\"x\")局", 2024, {})
    data = documents.to_xlsx(review(con, body.agency_id, 2024))
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    assert "'=1+1" in texts and any(t.startswith("'=HYPERLINK") for t in texts)
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_the_bulletin_lists_coverage_rankings_and_bodies_with_problems(tmp_path):
    con = _warehouse(tmp_path)
    document = bulletin(con, Filters(city="丙丁市"))
    data = documents.to_xlsx(document)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["概况", "报送情况", "排名", "问题单位"]
    cover = [r[0] for r in _sheet_rows(data, "概况")]
    assert cover[0] == "关于丙丁市政府信息公开工作年度报告情况的通报"
    assert any((line or "").startswith("应报单位 2 个：已报送 2 个") for line in cover)
    ranked = [r for r in _sheet_rows(data, "排名")[1:] if r[0] == "本年新收申请"]
    assert [(r[1], r[2], r[4]) for r in ranked] == [(1, "丙丁市乙局", "40件"), (2, "丙丁市甲局", "12件")]
    problems = _sheet_rows(data, "问题单位")
    assert problems[1][:5] == ("丙丁市甲局", 2024, 1, 1, "表三收支平衡（T3-OFF）")
    text, tables = _docx_text(documents.to_docx(document))
    assert "通报" in text and ["丙丁市甲局", "2024", "1", "1", "表三收支平衡（T3-OFF）"] == tables[-1][:5]
