"""采购与收费: procurement (2019-format tables) and fee amounts (2021 format) — never on one axis.

The 2019 template reports central procurement and counts fee *items*; the 2021 template
drops procurement and reports fee *amounts*. Each gets its own chart and axis.
"""

import polars as pl
import streamlit as st

from pages.ui import charts, controls
from warehouse import measures, parallel, rankings, trends

SECTIONS = {
    "政府集中采购（仅 2019 版模板）": ("procurement_amount", "procurement_projects"),
    "行政事业性收费（2021 版模板：收费金额）": ("fee_amount",),
    "行政事业性收费项目数（2019 版模板，不是金额）": ("fee_items",),
    "依申请公开信息处理费（正文，单位：元）": ("info_fee",),
}

con, filters = controls.context()
st.title("采购与收费")
st.caption(
    "两版模板的收费口径不同（项目个数 ≠ 收费金额），采购只见于 2019 版，因此各自单独作图，不放在同一坐标轴上。"
    "各指标默认显示多数报告适用其模板的最近一年（采购为 2020 年）；2021 年起仍沿用 2019 版表格的少数报告不进入同口径趋势。"
)
controls.synthetic_notice(con, filters)
basis = controls.basis_picker()
by = controls.ranking_level(filters)


def ranking_and_trend(measure_id: str) -> tuple[rankings.Ranking, pl.DataFrame]:
    return rankings.ranking(con, measure_id, filters, by=by), trends.trend(con, measure_id, filters, basis=basis)


shown = [measure_id for measure_ids in SECTIONS.values() for measure_id in measure_ids]
views = dict(zip(shown, parallel.each(ranking_and_trend, shown), strict=True))  # the ten queries side by side

for title, measure_ids in SECTIONS.items():
    st.subheader(title)
    for measure_id in measure_ids:
        ranking, trend = views[measure_id]
        left, right = st.columns(2, gap="large")
        with left:
            charts.ranking_chart(ranking, filters, key=f"rank-{measure_id}")
        with right:
            charts.trend_chart(trend, measures.BY_ID[measure_id], filters, key=f"trend-{measure_id}")
