"""概览: headline figures with their change, what to look at first, a ranking and who reported when."""

import streamlit as st

from pages.ui import cards, charts, controls
from warehouse import flags, queries, rankings, trends

con, filters = controls.context()
st.title("概览")
controls.synthetic_notice(con, filters)
basis = controls.basis_picker()
cards.figure_cards(trends.key_figures(con, filters, basis=basis))

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("排名")
    measure = controls.measure_picker("指标", trends.KEY_FIGURES, key="measure")
    by = controls.ranking_level(filters)
    charts.ranking_chart(rankings.ranking(con, measure.id, filters, by=by), filters, key="overview-ranking")
with right:
    st.subheader("值得关注")
    cards.flag_list(flags.flags(con, filters, limit=cards.FLAGS_SHOWN))

st.subheader("报告覆盖（单位 × 年度）")
years = filters.years or queries.year_range(con)
grid = queries.coverage(con, filters, years, limit=charts.COVERAGE_ROWS) if years else None
charts.coverage_chart(grid, years, filters, key="overview-coverage")
