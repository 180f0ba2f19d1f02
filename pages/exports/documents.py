"""A titled document of sections (paragraphs and tables) written as .xlsx (openpyxl) or .docx (python-docx).

The review and the bulletin build one `Document` each; this module alone knows the file
formats. Text from reports is data: every text cell of a spreadsheet is neutralised so
Excel never reads it as a formula (`formats.neutralise_cell`); numbers stay numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from pages.ui.formats import neutralise_cell as neutralise

CHINA = ZoneInfo("Asia/Shanghai")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Cell = str | int | float | None


@dataclass
class Section:
    """A heading, its paragraphs, and optionally one table (column names, rows)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    sheet: str = ""  # the worksheet name in the .xlsx (≤ 31 characters); the heading where empty


@dataclass
class Document:
    title: str
    facts: list[tuple[str, str]]  # (label, value) lines under the title
    sections: list[Section]


def generated_at() -> str:
    """Now in China time, as a document states when it was made."""
    return datetime.now(CHINA).strftime("%Y年%m月%d日 %H:%M")


def _text(value: Cell) -> str:
    """A cell as words: blank is '—', whole floats lose their '.0'."""
    if value is None:
        return "—"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def to_xlsx(document: Document) -> bytes:
    """A workbook: 概况 (title, facts, paragraphs of every section), then one sheet per section table."""
    book = Workbook()
    cover = book.active
    cover.title = "概况"
    cover.append([neutralise(document.title)])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in document.facts:
        cover.append([neutralise(label), neutralise(value)])
    for section in document.sections:
        cover.append([])
        cover.append([neutralise(section.heading)])
        cover.cell(cover.max_row, 1).font = Font(bold=True)
        for paragraph in section.paragraphs:
            cover.append([neutralise(paragraph)])
    cover.column_dimensions["A"].width = 24
    cover.column_dimensions["B"].width = 60
    used: set[str] = {"概况"}
    for section in document.sections:
        if not section.columns:
            continue
        name = _sheet_name(section.sheet or section.heading, used)
        sheet = book.create_sheet(name)
        sheet.append([neutralise(c) for c in section.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([neutralise(v) if isinstance(v, str) else ("—" if v is None else v) for v in row])
        for index, column in enumerate(section.columns, start=1):
            width = max([len(str(column))] + [len(_text(r[index - 1])) for r in section.rows[:200]])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(max(8, width * 1.8), 60)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A unique worksheet name: no []:*?/\\ characters, at most 31 characters."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in wanted)[:28] or "表"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def to_docx(document: Document) -> bytes:
    """A Word document: the title, the facts, then each section's paragraphs and table."""
    word = docx.Document()
    style = word.styles["Normal"]
    style.font.size = Pt(10.5)
    word.add_heading(document.title, level=0)
    for label, value in document.facts:
        word.add_paragraph(f"{label}：{value}")
    for section in document.sections:
        word.add_heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            word.add_paragraph(paragraph)
        if section.columns:
            table = word.add_table(rows=1, cols=len(section.columns))
            table.style = "Table Grid"
            for cell, name in zip(table.rows[0].cells, section.columns, strict=False):
                cell.text = name
                for run in cell.paragraphs[0].runs:
                    run.font.bold = True
            for row in section.rows:
                for cell, value in zip(table.add_row().cells, row, strict=False):
                    cell.text = _text(value)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
