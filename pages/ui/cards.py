"""The overview's headline cards and its list of flags."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pages.ui.controls import AGENCY_PAGE
from pages.ui.formats import escape_markdown, fmt_change, fmt_number


def figure_cards(figures: pl.DataFrame) -> None:
    """The headline measures as cards, each in its own year (shown under it), with the change on the year
    before over the bodies reporting both years (同口径 N 个单位) — or none where no body reported both."""
    basis = figures["basis"][0] if figures.height and figures["basis"][0] else "same"
    if basis == "same":
        st.caption("每个指标取其多数报告适用的最近一年；箭头为与上一年相比的变化，只计两年都有数据的单位（同口径）。")
    else:
        st.caption("⚠️ 全部报告：各年报告的单位不同，不显示变化。")
    for column, row in zip(st.columns(max(figures.height, 1)), figures.to_dicts(), strict=False):
        small = bool(row.get("small_sample"))
        value = "样本过少" if small else fmt_number(row.get("value"), row["unit"])
        notes = [row.get("stated") or "", row.get("coverage") or "", "含推算值" if row.get("derived") else ""]
        column.metric(row["name"], value, None if small else fmt_change(row.get("change"), row["unit"]),
                      delta_color="off", help=escape_markdown("；".join(n for n in notes if n)) or None, border=True)  # fmt: skip
        column.caption(_card_note(row, basis))


def _card_note(row: dict, basis: str) -> str:
    """'2025年 · 同口径 38 个单位' under a card; says so where nothing comparable exists."""
    if not row.get("year"):
        return "暂无数据"
    if basis != "same":
        return f"{row['year']}年 · 全部报告"
    if row.get("change") is None:
        if not row.get("bodies"):
            return f"{row['year']}年 · 上一年无同口径单位，不比较"
        return f"{row['year']}年 · 同口径 {row['bodies']} 个单位（样本过少，不比较）"
    return f"{row['year']}年 · 同口径 {row['bodies']} 个单位"


FLAGS_SHOWN = 12


def flag_list(found: pl.DataFrame) -> None:
    """The first flags (`flags.flags(…, limit=FLAGS_SHOWN)`), newest first, each linking to the body's 单位画像."""
    if found.is_empty():
        st.success("当前筛选范围内没有需要特别关注的异常。")
        return
    st.caption(f"共 {found['total'][0]} 条提示，显示最近 {found.height} 条；点击单位名称打开单位画像。")
    for row in found.to_dicts():
        label = f"{escape_markdown(row['agency_name'])}（{row['year']}年）"
        st.page_link(AGENCY_PAGE, label=label, query_params={"agency": row["agency_id"]}, icon=":material/flag:")
        st.caption(f"{escape_markdown(row['flag'])}：{escape_markdown(row['message'])}")
