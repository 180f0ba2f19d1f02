"""数据质量: failed checks by rule and body, each rule named in Chinese with what it checks and what to do;
click a finding to see its cells by table, row and column; files that could not be ingested."""

import hashlib

import polars as pl
import streamlit as st

from pages.ui import charts, controls, findings
from pages.ui.formats import china_time, escape_markdown
from warehouse import ocr, queries
from warehouse.imports import uploaded_names, with_uploaded_names
from warehouse.labels import RULES, cell_parts, message_words, rule_name

FINDING_COLUMNS = {"agency_name": "单位", "year": "年度", "rule_zh": "检查", "severity_zh": "严重程度", "outcome_zh": "结果",
                   "message_zh": "说明", "source_file": "文件"}  # fmt: skip
CELL_COLUMNS = {"year": "年度", "table": "表格", "row": "行", "column": "列", "value": "数值", "status_zh": "状态",
                "source_file": "文件"}  # fmt: skip
STATUS_NAMES = {"reported": "报告原值", "derived": "推算值", "blank": "空白", "dash": "填“—”或“无”", "ambiguous": "无法确定"}

FINDING = "finding"  # the URL parameter naming the picked finding


def finding_id(row: tuple) -> str:
    """A short, stable name of a finding (its report, rule and cells) that survives re-sorting and reloads."""
    report_id, rule, keys = row
    return hashlib.sha1(f"{report_id}|{rule}|{'|'.join(keys or [])}".encode()).hexdigest()[:12]


con, filters = controls.context()
names = uploaded_names()  # uploads are stored by content hash; show the names they were uploaded under
st.title("数据质量")
controls.synthetic_notice(con, filters)
summary = queries.finding_summary(con, filters)
unassessable = int(summary.filter(pl.col("outcome") == "not_assessable")["findings"].sum())
with_unassessable = st.toggle(f"包括无法判断的检查（{unassessable} 条：所需数值空白或无法确定）", key="unassessable",
                              bind="query-params")  # fmt: skip
outcomes = ["fail", "not_assessable"] if with_unassessable else ["fail"]
shown_summary = summary.filter(pl.col("outcome").is_in(outcomes)).with_columns(
    rule=pl.col("rule").map_elements(rule_name, return_dtype=pl.String))
left, right = st.columns(2, gap="large")
with left:
    st.subheader("按检查")
    findings.findings_chart(shown_summary, filters, key="quality-rules")
with right:
    st.subheader("未通过最多的单位")
    by_body = queries.findings_by_body(con, filters)
    findings.body_counts_chart(by_body, "未通过的检查（条）", "各单位未通过检查数", filters, key="quality-bodies")

with st.expander("各项检查说明：检查什么、未通过怎么办", icon=":material/help:"):
    st.dataframe(pl.DataFrame([{"检查": rule_name(rule_id), "检查内容": rule.checks, "未通过时": rule.action}
                               for rule_id, rule in RULES.items()]), hide_index=True, width="stretch")  # fmt: skip

st.subheader("发现明细")
rules = st.multiselect("检查", summary["rule"].unique().sort().to_list(), format_func=rule_name, key="rule",
                       bind="query-params", placeholder="全部检查")  # fmt: skip
severities = st.multiselect("严重程度", list(findings.SEVERITY_NAMES), format_func=findings.SEVERITY_NAMES.get, key="severity",
                            bind="query-params", placeholder="全部")  # fmt: skip
found = queries.findings(con, filters, rules, severities, outcomes).with_columns(
    rule_zh=pl.col("rule").map_elements(rule_name, return_dtype=pl.String),
    message_zh=pl.col("message_zh").map_elements(message_words, return_dtype=pl.String),
    severity_zh=pl.col("severity").replace_strict(findings.SEVERITY_NAMES, default="—"),
    outcome_zh=pl.col("outcome").replace_strict(findings.OUTCOME_NAMES, default="—"),
)
found = with_uploaded_names(found, "source_file", names)
total = found["total"][0] if found.height else 0
shown_note = f"，显示前 {found.height} 条（缩小筛选范围可看到其余）" if total > found.height else ""
hidden_note = "" if with_unassessable else f"；另有 {unassessable} 条无法判断的检查未显示"
st.caption(f"共 {total} 条{shown_note}{hidden_note}；点击一行查看涉及的单元格。")
shown = found.select([pl.col(k).alias(v) for k, v in FINDING_COLUMNS.items()])
ids = [finding_id(row) for row in found.select("report_id", "rule", "keys").rows()]


def keep_in_url() -> None:
    """The picked finding goes to the URL (`finding`), so a link or a reload shows it again."""
    rows = st.session_state["finding-rows"].selection.rows
    if rows:
        st.query_params[FINDING] = ids[rows[0]]
    else:
        st.query_params.pop(FINDING, None)


event = st.dataframe(shown, hide_index=True, width="stretch", on_select=keep_in_url, selection_mode="single-row",
                     key="finding-rows")  # fmt: skip
charts.download(found.drop("keys"), FINDING_COLUMNS, "校验发现", filters, key="quality-findings")
if event.selection.rows:
    st.query_params[FINDING] = ids[event.selection.rows[0]]
index = ids.index(st.query_params[FINDING]) if st.query_params.get(FINDING) in ids else None
if index is not None:
    picked = found.row(index, named=True)
    rule = RULES.get(picked["rule"])
    heading = f"{escape_markdown(picked['agency_name'])} {picked['year']}年 · {escape_markdown(rule_name(picked['rule']))}"
    st.markdown(f"**{heading}**：{escape_markdown(picked['message_zh'])}")
    if rule:
        st.caption(f"检查内容：{rule.checks} 未通过时：{rule.action}")
    involved = queries.cells(con, [picked["report_id"], picked["related_report_id"]], picked["keys"])
    parts = [cell_parts(k) for k in involved["key"].to_list()]
    involved = involved.with_columns(
        table=pl.Series([p[0] for p in parts], dtype=pl.String), row=pl.Series([p[1] for p in parts], dtype=pl.String),
        column=pl.Series([p[2] for p in parts], dtype=pl.String),
        status_zh=pl.col("status").replace_strict(STATUS_NAMES, default="—"),
    )  # fmt: skip
    charts.table(involved, CELL_COLUMNS, "发现涉及的单元格", filters, key="quality-cells")

st.subheader("扫描件（OCR）")
st.caption("这些报告没有可用的文字层，表中数字经文字识别读取，并以表内勾稽关系核对；“经勾稽校正”是识别结果与合计不符、"
           "按唯一满足全部关系的读法改正的数字个数。单位画像中这些数字带“（识别）”标记。")  # fmt: skip
scanned = with_uploaded_names(ocr.ocr_reports(con, filters), "source_file", names)
charts.table(scanned, {"agency_name": "单位", "year": "年度", "source_file": "文件", "ocr_values": "识别的数值",
                       "corrected": "经勾稽校正"}, "扫描件", filters, key="quality-ocr",
             empty="当前筛选范围内没有经文字识别读取的扫描件。")  # fmt: skip

st.subheader("未能导入的文件")
held = with_uploaded_names(queries.quarantine(con), "source_file", names).with_columns(at_text=china_time(pl.col("at")))
charts.table(held, {"source_file": "文件", "reason": "原因", "at_text": "时间（北京时间）"}, "未能导入的文件", filters,
             key="quality-quarantine", empty="没有未能导入的文件。")  # fmt: skip
