"""依申请公开: request volumes, applicants, outcomes and reasons for withholding — ranked and over time."""

import streamlit as st

from pages import components as ui
from warehouse import metrics

REQUEST_MEASURES = [m.id for m in metrics.MEASURES if m.topic == "requests"]

con, filters = ui.context()
st.title("依申请公开")
ui.synthetic_notice(con, filters)

measure = ui.measure_picker("指标", REQUEST_MEASURES, key="measure")
left, right = st.columns(2, gap="large")
with left:
    st.subheader("排名")
    by = ui.ranking_level(filters)
    ui.ranking_chart(metrics.ranking(con, measure.id, filters, by=by), filters, key="request-ranking")
with right:
    st.subheader("趋势")
    ui.trend_chart(metrics.trend(con, measure.id, filters), measure, filters, key="request-trend")

shares = st.toggle("构成按占比显示", key="shares", bind="query-params")
for composition_id in ("applicants", "outcomes", "withheld"):
    st.subheader(metrics.COMPOSITIONS[composition_id].name_zh)
    frame = metrics.composition(con, composition_id, filters)
    ui.composition_chart(frame, composition_id, filters, key=f"request-{composition_id}", shares=shares)
