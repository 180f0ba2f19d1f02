"""对比: two or more bodies — or the regions of the first level with two members — side by side: small multiples,
changes, ranking; every line over one set of bodies (同口径)."""

import polars as pl
import streamlit as st

from pages.ui import charts, controls
from warehouse import comparison, measures, rankings, trends

CHANGE_COLUMNS = {"label": "名称", "series": "指标（口径）", "year": "年度", "value": "数值", "change": "同比变化",
                  "change_pct": "同比变化（%）", "bodies": "单位数", "small_sample": "样本过少"}  # fmt: skip

con, filters = controls.context()
st.title("对比")
controls.synthetic_notice(con, filters)
measure = controls.measure_picker("指标", [m.id for m in measures.MEASURES], key="measure")
basis = controls.basis_picker()

if len(filters.agencies) >= 2 or filters.county:  # a county has no regions below it: its bodies are compared
    chosen = "左侧所选的单位" if len(filters.agencies) >= 2 else f"{filters.county}的各单位（县区为最低一级地区）"
    st.caption(f"对比{chosen}；每个单位的折线只连接它连续报告的年份。")
    frame = trends.body_trends(con, measure.id, filters).with_columns(label=pl.col("agency_name"))
    ranking = rankings.ranking(con, measure.id, filters, by="body")
else:
    st.caption("在左侧“单位”中选择两个或以上单位即可对比单位；现在对比当前地区下第一个至少有两个地区有数据的层级"
               "（有地区汇总报告的用其报告，否则为单位合计）。")  # fmt: skip
    ranking = rankings.ranking(con, measure.id, filters, by="region")
    frame = trends.region_trends(con, measure.id, filters, level=ranking.level, basis=basis).with_columns(label=pl.col("region"))

if ranking.by == "region" and ranking.ranked.height <= 1 and frame["label"].n_unique() <= 1:
    controls.breadcrumb(filters, ranking.entered, ranking.level, "compare")
    if ranking.ranked.height == 1:
        charts.single_member(ranking, "compare")
    else:
        st.info(charts.NO_DATA)
else:
    charts.small_multiples(frame, measure, filters, key="compare-multiples", facet="label")
    if ranking.by == "region" and basis == "same":
        lines = frame.filter(pl.col("value").is_not_null()).group_by("label", maintain_order=True)
        st.caption("；".join(f"{label}：{comparison.set_caption(part)}" for (label,), part in lines))
    st.subheader("同比变化")
    columns = CHANGE_COLUMNS | {"change": charts.change_title(measure)}
    charts.table(frame.sort("label", "year"), columns, f"{measure.name_zh}同比变化", filters, key="compare-changes")
    st.subheader("排名")
    charts.ranking_chart(ranking, filters, key="compare-ranking")
