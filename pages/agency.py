"""单位画像: one body across all its years — trends, findings, every table as reported beside the source."""

import polars as pl
import streamlit as st

from pages.exports.review import review
from pages.ui import body, charts, controls, exports, findings
from warehouse import measures, queries, trends
from warehouse.imports import uploaded_names, with_uploaded_names
from warehouse.labels import message_words, rule_name
from warehouse.queries import Filters

PROFILE_MEASURES = ("requests_new", "disclosure_rate", "review_total", "proactive_total")

con, filters = controls.context()
st.title("单位画像")
bodies = queries.bodies(con, Filters())
names = dict(zip(bodies["agency_id"].to_list(), bodies["agency_name"].to_list(), strict=True))
agency = controls.body_picker(names)
if not agency:
    st.info("请选择一个单位；在其他页面点击单位的柱条或提示也会打开这里。")
    st.stop()

mine = Filters(agencies=(agency,))
controls.synthetic_notice(con, mine)
reports = with_uploaded_names(queries.body_reports(con, agency), "source_file", uploaded_names())
body.body_summary(reports)

st.subheader("主要指标趋势")
for column, measure_id in zip(st.columns(2) * 2, PROFILE_MEASURES, strict=True):
    with column:
        st.markdown(f"**{measures.BY_ID[measure_id].name_zh}**")
        charts.trend_chart(trends.trend(con, measure_id, mine), measures.BY_ID[measure_id], mine, key=f"body-{measure_id}")

st.subheader("校验发现")
found = queries.body_findings(con, agency).with_columns(
    rule_zh=pl.col("rule").map_elements(rule_name, return_dtype=pl.String),
    message_zh=pl.col("message_zh").map_elements(message_words, return_dtype=pl.String),
    severity_zh=pl.col("severity").replace_strict(findings.SEVERITY_NAMES, default="—"),
    outcome_zh=pl.col("outcome").replace_strict(findings.OUTCOME_NAMES, default="—"),
)
charts.table(found, {"year": "年度", "rule_zh": "检查", "severity_zh": "严重程度", "outcome_zh": "结果", "message_zh": "说明"},
             "单位校验发现", mine, key="body-findings", empty="该单位的报告全部通过校验。")  # fmt: skip

st.subheader("报告原表与原文")
primary = reports.filter(pl.col("primary_report"))
year = st.selectbox("年度", primary["year"].to_list()[::-1], key="profile_year", bind="query-params")
report = primary.filter(pl.col("year") == year).row(0, named=True)
with st.expander(f"{year}年报审查意见（逐项列出问题所在的表格、行、列和数值）", icon=":material/assignment:"):
    exports.document_buttons(lambda: review(con, agency, year), f"{report['agency_name']}{year}年报审查意见", key="review")
tables, source = st.columns([3, 2], gap="large")
with tables:
    printed = queries.printed_cells(con, report["report_id"], year)
    body.ocr_caption(report, printed)
    for name, frame in body.report_tables(printed).items():
        st.markdown(f"**{name}**")
        st.dataframe(frame, hide_index=True, width="stretch")
with source:
    body.source_document(report)
