"""公开渠道: items published through each channel, as counts and as shares, by body or region and by year."""

import streamlit as st

from pages.ui import charts, controls
from warehouse import measures, rankings, trends, values

CHANNEL_MEASURES = [m.id for m in measures.MEASURES if m.topic == "channels"]

con, filters = controls.context()
st.title("公开渠道")
st.caption("数字取自报告正文明确写出的条数；未写明的渠道不计为零。" + measures.SHARE_RULE)
controls.synthetic_notice(con, filters)
basis = controls.basis_picker()

shares = st.toggle("按占比显示", key="shares", bind="query-params")
st.subheader("各年渠道构成")
mix = values.composition(con, "channels", filters, basis=basis)
st.caption("构成与占比趋势用同一批报告（写明至少两个渠道的报告）。")
charts.composition_chart(mix, "channels", filters, key="channel-mix", shares=shares, basis=basis)

measure = controls.measure_picker("排名指标", CHANNEL_MEASURES, key="measure")
by = controls.ranking_level(filters)
charts.ranking_chart(rankings.ranking(con, measure.id, filters, by=by), filters, key="channel-ranking")
st.subheader(f"{measure.name_zh}趋势")
charts.trend_chart(trends.trend(con, measure.id, filters, basis=basis), measure, filters, key="channel-trend")
