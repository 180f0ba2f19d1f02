"""年报审查意见: every problem found in one body's report of one year, cell by cell, in words a clerk can act on.

Each failing check becomes one row per cell it involves, named by the printed template's
table, row and column (`warehouse.labels`), with the value as printed and the relation the
values should satisfy. A missing or cut table (`TABLE-…`) is one row naming the table.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pages.exports.documents import Document, Section, generated_at
from pages.ui.formats import printed_cell
from warehouse import queries
from warehouse.labels import TABLE_NAMES, cell_parts, incomplete, message_words, rule_name, rule_of

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
COLUMNS = ["序号", "检查", "严重程度", "表格", "行", "列", "年度", "报告所列数值", "问题", "应满足", "处理建议"]
def _rows(con: duckdb.DuckDBPyConnection, number: int, finding: dict) -> list[list]:
    """One finding as rows: one per involved cell, or one naming the tables of a missing/cut table."""
    rule = rule_of(finding["rule"])
    head = [number, rule_name(finding["rule"]), SEVERITY.get(finding["severity"], "—")]
    tail = [message_words(finding["message_zh"]), rule.checks, rule.action]
    keys = list(finding["keys"] or [])
    if incomplete(finding["rule"]) or not keys:
        tables = "、".join(dict.fromkeys(TABLE_NAMES.get(k.split(".")[0], "—") for k in keys)) or "—"
        return [head + [tables, "—", "—", finding["year"], "—"] + tail]
    cells = queries.cells(con, [finding["report_id"], finding["related_report_id"]], keys)
    printed = {(c["key"], c["year"]): c for c in cells.to_dicts() if c["status"] != "derived"}
    derived = {(c["key"], c["year"]): c for c in cells.to_dicts() if c["status"] == "derived"}
    years = sorted({c["year"] for c in cells.to_dicts()}) or [finding["year"]]
    rows = []
    for key in keys:
        for year in years:
            cell = printed.get((key, year)) or derived.get((key, year))
            table, row, column = cell_parts(key)
            shown = printed_cell(cell["status"], cell["value"], cell["raw"]) if cell else "（未读到）"
            rows.append(head + [table, row, column, year, shown] + tail)
    return rows


def review(con: duckdb.DuckDBPyConnection, agency_id: str, year: int) -> Document:
    """The 审查意见 of one body's report of `year`: who, which file, how many problems, then each one."""
    reports = queries.body_reports(con, agency_id).filter(pl.col("year") == year)
    if reports.is_empty():
        raise ValueError(f"no report of {agency_id} for {year}")
    report = reports.row(0, named=True)
    found = queries.body_findings(con, agency_id).filter(pl.col("year") == year)
    failing = found.filter(pl.col("outcome") == "fail").sort(
        pl.col("severity").replace_strict({"error": 0, "warning": 1}, default=2), "rule")
    unassessable = found.filter(pl.col("outcome") == "not_assessable").height
    errors = failing.filter(pl.col("severity") == "error").height
    rows = [row for number, f in enumerate(failing.to_dicts(), start=1) for row in _rows(con, number, f)]
    summary = (f"经对 {report['agency_name']} {year} 年度政府信息公开工作年度报告的统计表逐项核对，"
               f"共发现 {failing.height} 处问题（错误 {errors} 处，警告 {failing.height - errors} 处）。"
               if failing.height else
               f"经对 {report['agency_name']} {year} 年度政府信息公开工作年度报告的统计表逐项核对，未发现问题。")  # fmt: skip
    notes = [summary]
    if unassessable:
        notes.append(f"另有 {unassessable} 项检查因所需单元格空白或无法确定而无法判断，未列入。")
    notes.append("错误须由单位更正并重新公开；警告请单位核实说明。下表逐项列出问题所在的表格、行、列和报告所列数值。")
    files = "、".join(reports["source_file"].to_list())
    facts = [("单位", report["agency_name"]), ("年度", f"{year}年"), ("报告文件", files),
             ("模板版本", f"{report['version']}版" if report["version"] in ("2019", "2021") else "未识别"),
             ("生成时间", generated_at())]  # fmt: skip
    sections = [Section("审查结论", notes), Section("问题明细", [], COLUMNS, rows, sheet="问题明细")]
    return Document(f"{report['agency_name']}{year}年度政府信息公开工作年度报告审查意见", facts, sections)
