"""公开渠道: items published through each channel, as counts and as shares, by body or region and by year."""

import streamlit as st

from pages.ui import charts, controls
from warehouse import measures, rankings, trends, values

CHANNEL_MEASURES = [m.id for m in measures.MEASURES if m.topic == "channels"]

con, filters = controls.context()
st.title("公开渠道")
st.caption("数字取自报告正文明确写出的条数；未写明的渠道不计为零。同一条信息可在多个渠道发布，占比以写明的渠道之和为分母。")
controls.synthetic_notice(con, filters)

shares = st.toggle("按占比显示", key="shares", bind="query-params")
st.subheader("各年渠道构成")
charts.composition_chart(values.composition(con, "channels", filters), "channels", filters, key="channel-mix", shares=shares)

measure = controls.measure_picker("排名指标", CHANNEL_MEASURES, key="measure")
by = controls.ranking_level(filters)
charts.ranking_chart(rankings.ranking(con, measure.id, filters, by=by), filters, key="channel-ranking")
st.subheader(f"{measure.name_zh}趋势")
charts.trend_chart(trends.trend(con, measure.id, filters), measure, filters, key="channel-trend")
