"""概览: headline figures with their change, what to look at first, a ranking and who reported when."""

import streamlit as st

from pages import components as ui
from warehouse import metrics, queries

con, filters = ui.context()
st.title("概览")
ui.synthetic_notice(con, filters)
ui.figure_cards(metrics.key_figures(con, filters))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("排名")
    measure = ui.measure_picker("指标", metrics.KEY_FIGURES, key="measure")
    by = ui.ranking_level(filters)
    ui.ranking_chart(metrics.ranking(con, measure.id, filters, by=by), filters, key="overview-ranking")
with right:
    st.subheader("值得关注")
    ui.flag_list(metrics.flags(con, filters))

st.subheader("报告覆盖（单位 × 年度）")
years = filters.years or queries.year_range(con)
grid = queries.coverage(con, filters, years, limit=ui.COVERAGE_ROWS) if years else None
ui.coverage_chart(grid, years, filters, key="overview-coverage")
