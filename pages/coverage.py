"""覆盖: which bodies reported for which year — reported, incomplete, quarantined or missing — with CSV.

One click answers "who has not reported for 2025": pick the year and 仅显示缺报.
"""

import polars as pl
import streamlit as st

from pages.exports.bulletin import bulletin, scope_text
from pages.ui import charts, controls, exports
from pages.ui.formats import fmt_number
from warehouse import coverage, parallel, queries, settings
from warehouse.coverage import STATUS_NAMES

con, filters = controls.context()
st.title("报告覆盖")
controls.synthetic_notice(con, filters)
span = filters.years or queries.year_range(con)
if span is None:
    st.info(charts.NO_DATA)
    st.stop()
try:
    register = coverage.read_register(settings.warehouse_dir() / settings.REGISTER_FILE)
except (ValueError, OSError) as exc:  # a malformed register must not hide the grid; say what is wrong
    st.warning(f"单位名录 {settings.REGISTER_FILE} 无法读取：{exc}")
    register = None
expected = coverage.expected_bodies(con, filters, register)
st.caption(
    "应报单位：在之前年度报送过的单位，以及单位名录（仓库目录下的 register.csv，列 name、division_code）中的单位。"
    "「已报送（不完整）」指报告缺少统计表或表格被截断；「文件未能导入」指文件名含该单位名称和年度的文件被隔离。"
)

years = list(range(span[0], span[1] + 1))
left, right = st.columns([1, 2])
year = left.selectbox("年度", years[::-1], key="cover_year", bind="query-params")
only_missing = right.toggle("仅显示缺报", key="missing_only", bind="query-params")
year_rows, table = parallel.together(  # the year's list and the grid of every year, side by side
    lambda: coverage.body_years(con, expected, (year, year)), lambda: coverage.status_table(con, expected, span)
)
counts = {status: year_rows.filter(pl.col("status") == status).height for status in STATUS_NAMES}
for column, (status, name) in zip(st.columns(len(STATUS_NAMES)), STATUS_NAMES.items(), strict=False):
    column.metric(f"{year}年{name}", f"{fmt_number(counts[status])} 个单位", border=True)
unplaced = coverage.unplaced_quarantine(con, expected, span)
if unplaced:
    st.caption(f"另有 {unplaced} 个被隔离的文件无法对应到当前范围内的单位和年度，见「数据质量」页的隔离文件列表。")

LIST_COLUMNS = {"agency_name": "单位", "province": "省", "city": "市", "county": "县（区）", "year": "年度",
                "status_name": "状态", "files": "文件"}  # fmt: skip
listed = year_rows.filter(pl.col("status") == "missing") if only_missing else year_rows
listed = listed.with_columns(status_name=pl.col("status").replace_strict(STATUS_NAMES), files=pl.col("files").fill_null("—"))
st.subheader(f"{year}年{'缺报单位' if only_missing else '各单位报送情况'}（{listed.height} 个）")
if listed.is_empty():
    st.success(f"{year}年当前范围内的应报单位都已报送。" if only_missing else charts.NO_DATA)
else:
    shown = listed.select([pl.col(k).fill_null("—").alias(v) for k, v in LIST_COLUMNS.items()] + [pl.col("agency_id")])
    event = st.dataframe(shown.drop("agency_id"), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="coverage-rows")  # fmt: skip
    charts.download(listed, LIST_COLUMNS, f"{year}年{'缺报单位' if only_missing else '报送情况'}", filters, key="coverage-list")
    st.caption("点击一行打开该单位的单位画像。")
    if event.selection.rows:
        picked = shown.row(event.selection.rows[0], named=True)
        st.switch_page(controls.AGENCY_PAGE, query_params={"agency": picked["agency_id"]})

st.subheader("单位 × 年度")
if table.is_empty():
    st.info(charts.NO_DATA)
else:
    st.dataframe(table.drop("agency_id"), hide_index=True, width="stretch")
    charts.download(table, {c: c for c in table.columns if c != "agency_id"}, "报告覆盖", filters, key="coverage-grid")

st.subheader("通报")
st.caption("当前筛选范围的报送情况、主要指标排名和存在问题的单位，可下载为 Excel 或 Word。")
exports.document_buttons(lambda: bulletin(con, filters, register), f"{scope_text(filters)}年报情况通报_{span[0]}-{span[1]}",
                         key="bulletin")
