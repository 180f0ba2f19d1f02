"""复议诉讼: review and litigation outcomes by proceeding, correction rates, by body and year."""

import streamlit as st

from pages.ui import charts, controls
from warehouse import measures, rankings, trends, values

REVIEW_MEASURES = [m.id for m in measures.MEASURES if m.topic == "reviews"]

con, filters = controls.context()
st.title("复议诉讼")
st.caption("纠错率 = 结果纠正 ÷（维持 + 纠正 + 其他结果），不含尚未审结；案件过少时显示“样本过少”，不参与排名。")
controls.synthetic_notice(con, filters)
basis = controls.basis_picker()

measure = controls.measure_picker("指标", REVIEW_MEASURES, key="measure")
left, right = st.columns(2, gap="large")
with left:
    st.subheader("排名")
    by = controls.ranking_level(filters)
    charts.ranking_chart(rankings.ranking(con, measure.id, filters, by=by), filters, key="review-ranking")
with right:
    st.subheader("趋势")
    charts.trend_chart(trends.trend(con, measure.id, filters, basis=basis), measure, filters, key="review-trend")

for composition_id in ("reviews", "litigation"):
    st.subheader(measures.COMPOSITIONS[composition_id].name_zh)
    frame = values.composition(con, composition_id, filters, basis=basis)
    charts.composition_chart(frame, composition_id, filters, key=f"review-{composition_id}", basis=basis)
