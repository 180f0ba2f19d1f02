"""通报: for the current filters, who reported (and who did not), how bodies rank, and which bodies have problems.

Built from the same warehouse functions the pages show (coverage grid, rankings, findings),
so the document and the screen agree.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pages.exports.documents import Document, Section, generated_at
from pages.ui.formats import fmt_number
from warehouse import coverage, queries, rankings
from warehouse.coverage import STATUS_NAMES
from warehouse.filters import Filters
from warehouse.labels import message_words, rule_name
from warehouse.measures import BY_ID
from warehouse.scope import KIND_NAMES
from warehouse.trends import KEY_FIGURES

TOP = 10


def scope_text(filters: Filters) -> str:
    """The filters in words: place, kinds, chosen bodies."""
    place = "".join(p for p in (filters.province, filters.city, filters.county) if p) or "全部地区"
    kinds = "、".join(KIND_NAMES.get(k, k) for k in filters.kinds)
    bodies = f"，所选 {len(filters.agencies)} 个单位" if filters.agencies else ""
    return place + (f"（{kinds}）" if kinds else "") + bodies


def _coverage(grid: pl.DataFrame, year: int) -> Section:
    rows = grid.filter(pl.col("year") == year)
    counts = {s: rows.filter(pl.col("status") == s).height for s in STATUS_NAMES}
    text = "，".join(f"{name} {counts[s]} 个" for s, name in STATUS_NAMES.items())
    lacking = rows.filter(pl.col("status") != "reported").sort(
        pl.col("status").replace_strict({"missing": 0, "quarantined": 1, "incomplete": 2}), "agency_name")
    return Section(f"一、{year}年度报告报送情况", [f"应报单位 {rows.height} 个：{text}。"],
                   ["单位", "状态", "文件"],
                   [[r["agency_name"], STATUS_NAMES[r["status"]], r["files"] or "—"] for r in lacking.to_dicts()],
                   sheet="报送情况")  # fmt: skip


def _rankings(con: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    rows = []
    for measure_id in KEY_FIGURES:
        measure = BY_ID[measure_id]
        ranked = rankings.ranking(con, measure_id, filters, by="body")
        for row in ranked.ranked.head(TOP).to_dicts():
            rows.append([measure.name_zh, row["rank"], row["label"], row["year"], fmt_number(row["value"], measure.unit),
                         "推算值" if row["derived"] else "报告原值"])  # fmt: skip
    note = f"各指标取有数据的最近一年，按单位本级报告排名，列前 {TOP} 名；比率的样本过少（案件数不足）者不参与排名。"
    return Section("二、主要指标排名", [note], ["指标", "名次", "单位", "年度", "数值", "数值来源"], rows, sheet="排名")


def _problems(con: duckdb.DuckDBPyConnection, filters: Filters) -> Section:
    found = queries.findings(con, filters, outcomes=["fail"], limit=100_000)
    if found.is_empty():
        return Section("三、存在问题的单位", ["当前范围内的报告均通过校验。"])
    grouped = (
        found.with_columns(rule_zh=pl.col("rule").map_elements(rule_name, return_dtype=pl.String),
                           message_zh=pl.col("message_zh").map_elements(message_words, return_dtype=pl.String))
        .group_by("agency_name", "year")
        .agg(pl.len().alias("n"), (pl.col("severity") == "error").sum().alias("errors"),
             pl.col("rule_zh").unique().sort().str.join("、").alias("rules"),
             pl.col("message_zh").head(3).str.join("；").alias("examples"))
        .sort(["errors", "n", "agency_name"], descending=[True, True, False])
    )  # fmt: skip
    total = grouped.select("agency_name").n_unique()
    rows = [[r["agency_name"], r["year"], r["n"], r["errors"], r["rules"], r["examples"]] for r in grouped.to_dicts()]
    note = f"共 {total} 个单位的 {grouped.height} 份报告存在未通过的检查，按错误数排列；详见各单位的年报审查意见。"
    return Section("三、存在问题的单位", [note], ["单位", "年度", "问题数", "其中错误", "检查", "问题举例"], rows,
                   sheet="问题单位")  # fmt: skip


def bulletin(con: duckdb.DuckDBPyConnection, filters: Filters, register: pl.DataFrame | None = None) -> Document:
    """The 通报 of the filters' years (the whole warehouse's where none are chosen); `register` as for coverage."""
    span = filters.years or queries.year_range(con)
    if span is None:
        raise ValueError("the warehouse holds no report")
    grid = coverage.coverage_grid(con, filters, (span[1], span[1]), register)  # its coverage section is of the last year
    scope = scope_text(filters)
    years = f"{span[0]}—{span[1]}年" if span[0] != span[1] else f"{span[0]}年"
    facts = [("范围", scope), ("年度", years), ("生成时间", generated_at())]
    sections = [_coverage(grid, span[1]), _rankings(con, filters), _problems(con, filters)]
    return Document(f"关于{scope}政府信息公开工作年度报告情况的通报", facts, sections)
