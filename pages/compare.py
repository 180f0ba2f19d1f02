"""对比: two or more bodies — or the regions one level down — side by side: small multiples, changes, ranking."""

import polars as pl
import streamlit as st

from pages.ui import charts, controls
from warehouse import measures, rankings, trends

CHANGE_COLUMNS = {"label": "名称", "series": "指标（口径）", "year": "年度", "value": "数值", "change": "同比变化",
                  "change_pct": "同比变化（%）", "small_sample": "样本过少"}  # fmt: skip

con, filters = controls.context()
st.title("对比")
controls.synthetic_notice(con, filters)
measure = controls.measure_picker("指标", [m.id for m in measures.MEASURES], key="measure")

if len(filters.agencies) >= 2:
    st.caption("对比左侧所选的单位。")
    frame = trends.body_trends(con, measure.id, filters).with_columns(label=pl.col("agency_name"))
    by = "body"
else:
    st.caption("在左侧“单位”中选择两个或以上单位即可对比单位；现在对比当前地区的下一级地区（有地区汇总报告的用其报告，否则为单位合计）。")
    frame = trends.region_trends(con, measure.id, filters).with_columns(label=pl.col("region"))
    by = "region"

charts.small_multiples(frame, measure, filters, key="compare-multiples", facet="label")
st.subheader("同比变化")
charts.table(frame.sort("label", "year"), CHANGE_COLUMNS, f"{measure.name_zh}同比变化", filters, key="compare-changes")
st.subheader("排名")
charts.ranking_chart(rankings.ranking(con, measure.id, filters, by=by), filters, key="compare-ranking")
