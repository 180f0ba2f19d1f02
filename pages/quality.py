"""数据质量: findings by rule, severity and body; click a finding to see its cells; quarantined files."""

import polars as pl
import streamlit as st

from pages.ui import charts, controls
from pages.ui.formats import escape_markdown
from warehouse import queries

FINDING_COLUMNS = {"agency_name": "单位", "year": "年度", "rule": "规则", "severity_zh": "严重程度", "outcome_zh": "结果",
                   "message_zh": "说明", "source_file": "文件"}  # fmt: skip
CELL_COLUMNS = {"year": "年度", "key": "字段", "value": "数值", "raw": "原文", "status": "状态", "source": "位置",
                "source_file": "文件"}  # fmt: skip

con, filters = controls.context()
st.title("数据质量")
controls.synthetic_notice(con, filters)
summary = queries.finding_summary(con, filters)
left, right = st.columns(2, gap="large")
with left:
    st.subheader("按规则")
    charts.findings_chart(summary, filters, key="quality-rules")
with right:
    st.subheader("未通过最多的单位")
    by_body = queries.findings_by_body(con, filters)
    charts.body_counts_chart(by_body, "未通过的检查（条）", "各单位未通过检查数", filters, key="quality-bodies")

st.subheader("发现明细")
rules = st.multiselect("规则", summary["rule"].unique().sort().to_list(), key="rule", bind="query-params", placeholder="全部规则")
severities = st.multiselect("严重程度", list(charts.SEVERITY_NAMES), format_func=charts.SEVERITY_NAMES.get, key="severity",
                            bind="query-params", placeholder="全部")  # fmt: skip
outcomes = ["fail", "not_assessable"] if st.toggle("包括无法判断的检查", key="unassessable", bind="query-params") else ["fail"]
found = queries.findings(con, filters, rules, severities, outcomes).with_columns(
    severity_zh=pl.col("severity").replace_strict(charts.SEVERITY_NAMES, default=pl.col("severity")),
    outcome_zh=pl.col("outcome").replace_strict(charts.OUTCOME_NAMES, default=pl.col("outcome")),
)
total = found["total"][0] if found.height else 0
shown_note = f"，显示前 {found.height} 条（缩小筛选范围可看到其余）" if total > found.height else ""
st.caption(f"共 {total} 条{shown_note}；点击一行查看涉及的单元格。")
shown = found.select([pl.col(k).alias(v) for k, v in FINDING_COLUMNS.items()])
event = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="finding-rows")
charts.download(found.drop("keys"), FINDING_COLUMNS, "校验发现", filters, key="quality-findings")
if event.selection.rows:
    picked = found.row(event.selection.rows[0], named=True)
    heading = f"{escape_markdown(picked['agency_name'])} {picked['year']}年 · {escape_markdown(picked['rule'])}"
    st.markdown(f"**{heading}**：{escape_markdown(picked['message_zh'])}")
    involved = queries.cells(con, [picked["report_id"], picked["related_report_id"]], picked["keys"])
    charts.table(involved, CELL_COLUMNS, "发现涉及的单元格", filters, key="quality-cells")

st.subheader("隔离的文件")
charts.table(queries.quarantine(con), {"source_file": "文件", "reason": "原因", "at": "时间", "source_path": "路径"},
         "隔离文件", filters, key="quality-quarantine", empty="没有被隔离的文件。")  # fmt: skip
