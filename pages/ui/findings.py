"""Charts of the checks: failing checks per rule, and the bodies with the most; each with its CSV,
a body's bar opening its 单位画像."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from pages.ui.charts import KIND, PICK_FIELDS, TARGET, TOP, download, drill, labelled, pickable, tooltips
from warehouse.queries import Filters

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
OUTCOME_NAMES = {"fail": "未通过", "not_assessable": "无法判断"}


FINDING_COLUMNS = {"rule": "规则", "kind": "严重程度·结果", "findings": "发现数（条）", "reports": "涉及报告数"}


def findings_chart(summary: pl.DataFrame, filters: Filters, key: str) -> None:
    """Failing and not-assessable checks per rule, stacked by severity and outcome."""
    if summary.is_empty():
        st.success("当前筛选范围内所有规则均通过。")
        return
    frame = summary.with_columns(
        pl.col("severity").replace_strict(SEVERITY_NAMES, default=pl.col("severity")),
        pl.col("outcome").replace_strict(OUTCOME_NAMES, default=pl.col("outcome")),
    ).with_columns(kind=pl.format("{}·{}", "severity", "outcome"))
    rules = frame.group_by("rule").agg(pl.col("findings").sum()).sort("findings", descending=True)["rule"].to_list()
    shown = labelled(frame, FINDING_COLUMNS, 0)
    chart = alt.Chart(shown).mark_bar().encode(
        x=alt.X(field="发现数（条）", type="quantitative", axis=alt.Axis(labelAngle=0, format=",.0f")),
        y=alt.Y(field="规则", type="nominal", sort=rules, title="规则"),
        color=alt.Color(field="严重程度·结果", type="nominal", legend=alt.Legend(orient="bottom")),
        tooltip=tooltips(shown),
    ).properties(height=alt.Step(26))  # fmt: skip
    st.altair_chart(chart, width="stretch")
    download(frame, {"rule": "规则", "severity": "严重程度", "outcome": "结果", "findings": "发现数", "reports": "涉及报告数"},
             "规则发现统计", filters, key)  # fmt: skip


def body_counts_chart(frame: pl.DataFrame, title: str, what: str, filters: Filters, key: str) -> None:
    """Bodies with a count each (agency_id, agency_name, count), most first; a click opens the body."""
    if frame.is_empty():
        return
    frame = frame.head(TOP).with_columns(label=pl.col("agency_name"), target=pl.col("agency_id"), target_kind=pl.lit("body"))
    frame = pickable(frame)
    shown = labelled(frame, {"label": "单位", "count": title} | {k: k for k in PICK_FIELDS}, 0)
    pick = alt.selection_point(fields=[TARGET, KIND], name="pick")
    chart = alt.Chart(shown).mark_bar(color="#e0a030").encode(
        x=alt.X(field=title, type="quantitative", axis=alt.Axis(labelAngle=0, format=",.0f")),
        y=alt.Y(field="单位", type="nominal", sort=shown["单位"].to_list(), title=None,
                axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        tooltip=tooltips(shown),
    ).add_params(pick).properties(height=alt.Step(22))  # fmt: skip
    st.altair_chart(chart, on_select=lambda: drill(key), key=key, selection_mode="pick", width="stretch")
    download(frame, {"label": "单位", "count": title}, what, filters, key)
