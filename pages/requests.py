"""依申请公开: request volumes, applicants, outcomes and reasons for withholding — ranked and over time."""

import streamlit as st

from pages.ui import charts, controls
from warehouse import measures, rankings, trends, values

REQUEST_MEASURES = [m.id for m in measures.MEASURES if m.topic == "requests"]

con, filters = controls.context()
st.title("依申请公开")
controls.synthetic_notice(con, filters)
basis = controls.basis_picker()

measure = controls.measure_picker("指标", REQUEST_MEASURES, key="measure")
left, right = st.columns(2, gap="large")
with left:
    st.subheader("排名")
    by = controls.ranking_level(filters)
    charts.ranking_chart(rankings.ranking(con, measure.id, filters, by=by), filters, key="request-ranking")
with right:
    st.subheader("趋势")
    charts.trend_chart(trends.trend(con, measure.id, filters, basis=basis), measure, filters, key="request-trend")

shares = st.toggle("构成按占比显示", key="shares", bind="query-params")
for composition_id in ("applicants", "outcomes", "withheld"):
    st.subheader(measures.COMPOSITIONS[composition_id].name_zh)
    frame = values.composition(con, composition_id, filters, basis=basis)
    charts.composition_chart(frame, composition_id, filters, key=f"request-{composition_id}", shares=shares, basis=basis)
