"""The overview's headline cards and its list of flags."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pages.ui.controls import AGENCY_PAGE
from pages.ui.formats import escape_markdown, fmt_change, fmt_number


def figure_cards(figures: pl.DataFrame) -> None:
    """The headline measures as cards: latest year, change on the year before, how it was obtained."""
    years = sorted({y for y in figures["year"].to_list() if y})
    if years:
        st.caption(f"各指标取有数据的最近一年（{'、'.join(map(str, years))}年），箭头为与上一年相比的变化。")
    for column, row in zip(st.columns(max(figures.height, 1)), figures.to_dicts(), strict=False):
        small = bool(row.get("small_sample"))
        value = "样本过少" if small else fmt_number(row.get("value"), row["unit"])
        notes = [f"{row['year']}年" if row.get("year") else "暂无数据", row.get("coverage") or ""]
        notes += ["含推算值" if row.get("derived") else "", f"{row['reports']}份报告" if row.get("reports") else ""]
        notes.append("变化为与上一年相比")
        column.metric(row["name"], value, None if small else fmt_change(row.get("change"), row["unit"]),
                      delta_color="off", help=escape_markdown("；".join(n for n in notes if n)), border=True)  # fmt: skip


def flag_list(found: pl.DataFrame, limit: int = 12) -> None:
    """The first flags, newest first, each linking to the body's 单位画像."""
    if found.is_empty():
        st.success("当前筛选范围内没有需要特别关注的异常。")
        return
    st.caption(f"共 {found.height} 条提示，显示最近 {min(limit, found.height)} 条；点击单位名称打开单位画像。")
    for row in found.head(limit).to_dicts():
        st.page_link(AGENCY_PAGE, label=f"{escape_markdown(row['agency_name'])}（{row['year']}年）", query_params={"agency": row["agency_id"]},
                     icon=":material/flag:")  # fmt: skip
        st.caption(f"{escape_markdown(row['flag'])}：{escape_markdown(row['message'])}")
