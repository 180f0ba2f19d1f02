"""指标说明: every measure's definition, formula and version notes, and the rules that make comparisons fair."""

import polars as pl
import streamlit as st

from pages.ui import charts
from warehouse import measures, thresholds
from warehouse.labels import formula_words
from warehouse.queries import Filters

settings = thresholds.Settings.from_env()
st.title("指标说明")
st.markdown(
    f"""
- **同口径（比较集合）**：不同年份报告的单位往往不同，把“当年有报告的单位”直接相加再比较，涨跌反映的是谁报告了，而不是工作变化。
  因此每一个同比变化、概览卡片的变化、趋势线和对比图中的折线，都只计算在其所跨各年**每年都有数据**的单位：趋势线取连续年份中
  保留“年数 × 单位数”最多的一段，卡片的变化只比较当年和上一年都有数据的单位；图表和卡片旁注明“同口径 N 个单位”及未计入的单位数。
  地区折线按每个地区各自的同口径单位计算；单个单位的折线只连接它连续报告的年份，缺报的年份断开，不跨年连接。
  同一单位同一年有多份报告（如 HTML 与 PDF）只计一次。切换到“全部报告”可看到各年所有报告的原始合计，但各年单位不同、不可比，
  不显示变化。比率的变化以“百分点”表示。各指标默认显示多数报告的模板定义了该指标、且至少两份报告有数据的最近一年
  （如政府集中采购只见于 2019 版模板，默认 2020 年），并注明该年有数据的报告数。
- **渠道占比**：{measures.SHARE_RULE}
- **报告范围**：县、市政府的报告常常汇总全地区（如“全区共收到…”）。系统根据报告名称、正文表述和与辖区内单位合计的比较，
  判断每份报告是“本单位”还是“全地区汇总”（可用仓库目录下的 `report_scope.csv` 指定，列为 name, year, scope）。
  地区数值优先用该地区自己的汇总报告；没有时用辖区内单位合计，并标注“单位合计（部分）”。汇总报告从不与其成员单位相加。
- **模板口径**：2019 版与 2021 版定义不同的指标（如对外公开总数量与现行有效件数、收费项目数与收费金额）分成不同序列，
  趋势图标出口径变化，排名只在同一口径内进行。
- **小样本**：比率的分母不足 {settings.min_cases} 件时显示“样本过少”，不参与排名；比率附 Wilson 95% 置信区间。
- **推算值**：报告留空的合计由其分项相加，填写了数字的表格中的空白格按 0 计，均标注为“推算值”；“—”“/”“无”视为未知。
- **提示**：同比变化达 {settings.jump_factor:g} 倍（且数值不小于 {settings.jump_floor:g}）、在同年同类型同层级单位中稳健 z 值超过
  {settings.outlier_z:g}（同类不少于 {settings.min_peers} 个），或上一年有报告而本年缺失。
"""
)
frame = measures.dictionary_frame().drop("英文名").with_columns(  # formulas in the template's own words
    pl.col("公式").map_elements(formula_words, return_dtype=pl.String))
charts.table(frame, {c: c for c in frame.columns}, "指标说明", Filters(), key="dictionary")
