"""One body's 单位画像: its reports, each report's tables as the template prints them, and the source text."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from pages.ui.formats import escape_markdown, exact_number, printed_cell
from warehouse import ocr, sources
from warehouse.labels import (
    FORMAT_NAMES,
    T2_COLUMNS,
    T2_ROW_LABELS,
    T3_COLUMN_LABELS,
    T3_ROW_LABELS,
    T4_OUTCOMES,
    T4_PROCEEDINGS,
    TABLE_TITLES,
    TEXT_LABELS,
)
from warehouse.scope import KIND_NAMES, LEVEL_NAMES

OCR_MARK, CORRECTED_MARK = "（识别）", "（识别·已校正）"
OCR_CAPTION = (
    "本报告为扫描件，表中数字经文字识别（OCR）读取，并以表内勾稽关系核对（行合计、列合计、表四总计）。"
    f"标“{OCR_MARK}”的数字由识别读出；标“{CORRECTED_MARK}”的数字识别结果与勾稽关系不符、"
    "已按唯一满足全部关系的读法校正；无法确定的标“无法确定”并列出各种读法。请以原件核对。"
)


def _ocr_mark(source: str | None) -> str:
    """The mark of a value read from a page image: corrected by the arithmetic, or as read."""
    if ocr.is_corrected(source):
        return CORRECTED_MARK
    return OCR_MARK if ocr.is_ocr_source(source) else ""


def _cell_text(row: dict) -> str:
    """A cell as the report prints it; a derived value says so, an OCR'd one says it was read from a scan."""
    return printed_cell(row["status"], row["value"], row["raw"]) + _ocr_mark(row.get("source"))


def _grid(cells: list[dict], first: str, rows: dict[str, str], columns: dict[str, str]) -> pl.DataFrame:
    """One printed table: rows and columns in template order, each cell as printed."""
    found = {(c["row_key"], c["col_key"]): c["text"] for c in cells}
    present_rows = [r for r in rows if any(key[0] == r for key in found)]
    present_columns = [c for c in columns if any(key[1] == c for key in found)]
    return pl.DataFrame(
        [{first: rows[r]} | {columns[c]: found.get((r, c), "") for c in present_columns} for r in present_rows],
        schema=[first, *(columns[c] for c in present_columns)],
    )


def _text_row(row: dict) -> dict[str, str]:
    """A text figure: its label, the number (marked where read by OCR) and the sentence stating it."""
    number = exact_number(row["value"]) + _ocr_mark(row.get("source"))
    return {"项目": TEXT_LABELS.get(row["key"], row["key"]), "数值": number, "原文": row["raw"] or ""}


def report_tables(cells: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Tables 二, 三, 四 and the text figures of one report, laid out as the template prints them."""
    rows = [r | {"text": _cell_text(r)} for r in cells.to_dicts()]
    by_table = {prefix: [r for r in rows if r["key"].startswith(prefix + ".")] for prefix in ("t2", "t3", "t4", "text")}
    tables = {
        TABLE_TITLES["t2"]: _grid(by_table["t2"], "信息内容", T2_ROW_LABELS, T2_COLUMNS),
        TABLE_TITLES["t3"]: _grid(by_table["t3"], "项目", T3_ROW_LABELS, T3_COLUMN_LABELS),
        TABLE_TITLES["t4"]: _grid(by_table["t4"], "程序", T4_PROCEEDINGS, T4_OUTCOMES),
        TABLE_TITLES["text"]: pl.DataFrame(
            [_text_row(r) for r in by_table["text"]],
            schema=["项目", "数值", "原文"],
        ),
    }
    return {name: frame for name, frame in tables.items() if not frame.is_empty()}


def ocr_caption(report: dict, cells: pl.DataFrame) -> None:
    """Explains the marks on a scanned report's tables (shown only where the report was OCR'd)."""
    read = "source" in cells.columns and any(ocr.is_ocr_source(s) for s in cells["source"].to_list())
    if ocr.is_ocr_format(report["source_format"]) or read:
        st.caption(OCR_CAPTION)


@st.cache_data(max_entries=32, show_spinner="正在读取原文…")
def _text(report_id: str, path: str | None, source_format: str | None, modified: float) -> str | None:
    """The report's text as the ingest decoded it (`warehouse.sources`), cached per file version."""
    return sources.source_text(report_id, path, source_format)


def source_document(report: dict) -> None:
    """The report's own text beside the extracted values, and the original file to download."""
    path = Path(report["source_path"] or "")
    if not path.is_file():
        st.info(f"原文件已不在导入时的位置：{escape_markdown(report['source_file'])}")
        return
    text = _text(report["report_id"], str(path), report["source_format"], path.stat().st_mtime)
    form = FORMAT_NAMES.get(ocr.base_format(report["source_format"]), "其他格式")
    if ocr.is_ocr_format(report["source_format"]):
        form += "，扫描件经文字识别"
    st.caption(f"原文：{escape_markdown(report['source_file'])}（{form}）")
    with st.container(height=640):
        st.text(text or "（无法读取原文）")
    st.download_button("下载原文件", path.read_bytes(), file_name=report["source_file"], key=f"src-{report['report_id']}",
                       icon=":material/description:", on_click="ignore")  # fmt: skip


SCOPE_NAMES = {"body": "本单位", "region": "全地区汇总"}


def body_summary(reports: pl.DataFrame) -> None:
    """Who the body is, where it sits, and what its reports cover."""
    latest = reports.row(-1, named=True)
    place = " / ".join(escape_markdown(p) for p in (latest["province"], latest["city"], latest["county"]) if p)
    kind = escape_markdown(KIND_NAMES.get(latest["kind"], latest["kind"]))
    level = escape_markdown(LEVEL_NAMES.get(latest["level"], latest["level"] or ""))
    st.markdown(f"**{escape_markdown(latest['agency_name'])}** · {place} · {kind} · {level}")
    columns = {"year": "年度", "version": "模板版本", "scope_name": "报告范围", "scope_evidence": "范围依据",
               "source_file": "文件", "primary_report": "计入统计", "duplicate": "有重复"}  # fmt: skip
    shown = reports.with_columns(scope_name=pl.col("scope").replace_strict(SCOPE_NAMES, default=pl.col("scope")))
    st.dataframe(shown.select([pl.col(k).alias(v) for k, v in columns.items()]), hide_index=True, width="stretch")
