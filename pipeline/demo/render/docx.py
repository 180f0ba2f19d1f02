"""Word (.docx) with real merged table cells, as agencies save their reports.

Tables are built with python-docx's `merge`, which writes `gridSpan` and `vMerge`
exactly as Word does (the form of `blank_template_2021.docx`); some publishers leave
blank cells empty, others type a full-width space into them. The package is
re-zipped with fixed timestamps so the same seed gives the same bytes, and ingest
never re-reads an unchanged demo file.
"""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import datetime
from functools import lru_cache

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Pt
from lxml import etree

from pipeline.demo.report import Report, Text
from pipeline.demo.tables import Grid

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FONT = "仿宋_GB2312"


def render(report: Report) -> bytes:
    """The report as a .docx package."""
    document = docx.Document()
    _set_font(document)
    stamp = datetime(report.published.year, report.published.month, report.published.day, 9, 0)
    props = document.core_properties
    props.author, props.last_modified_by, props.title = report.agency, report.agency, "".join(report.title)
    props.created = props.modified = stamp
    props.revision = 1
    empty = "\u3000" if report.published.day % 2 else ""
    for block in report.blocks:
        if isinstance(block, Grid):
            _table(document, block, empty)
        else:
            _paragraph(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _set_font(document: docx.document.Document) -> None:
    """A Chinese body font, set for East Asian text too."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def _paragraph(document: docx.document.Document, block: Text) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(block.text)
    if block.role == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.bold = True
        run.font.size = Pt(18)
    elif block.role == "heading":
        run.bold = True
    elif block.role == "signature":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        paragraph.paragraph_format.first_line_indent = Pt(24)


def _table(document: docx.document.Document, grid: Grid, empty: str) -> None:
    """A Word table whose merged cells are real merges, from a cached skeleton of its shape."""
    skeleton, origins = _skeleton(tuple((c.row, c.col, c.rowspan, c.colspan) for c in grid.cells), grid.height, grid.width)
    element = copy.deepcopy(skeleton)
    body = document.element.body
    body.insert(len(body) - 1, element)  # before the closing section properties
    rows = [tr.findall(qn("w:tc")) for tr in element.findall(qn("w:tr"))]
    for cell in grid.cells:
        row, index = origins[(cell.row, cell.col)]
        _fill(rows[row][index], cell.text or empty)


def _fill(tc: etree._Element, text: str) -> None:
    """Write a cell's text as one run in its paragraph, a `<w:br/>` where a label wraps."""
    run = etree.SubElement(tc.find(qn("w:p")), qn("w:r"))
    for i, part in enumerate(text.split("\n")):
        if i:
            etree.SubElement(run, qn("w:br"))
        node = etree.SubElement(run, qn("w:t"))
        node.text = part
        node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


@lru_cache(maxsize=64)
def _skeleton(shape: tuple[tuple[int, int, int, int], ...], height: int, width: int) -> tuple[CT_Tbl, dict]:
    """An empty table merged to a shape, and where each origin cell's `<w:tc>` sits.

    python-docx's `merge` rescans the table on every call, so each shape is merged once
    and copied for every report that prints it.
    """
    table = docx.Document().add_table(rows=height, cols=width)
    table.style = "Table Grid"
    positions = [list(row.cells) for row in table.rows]
    for row, col, rowspan, colspan in shape:
        if rowspan > 1 or colspan > 1:
            positions[row][col].merge(positions[row + rowspan - 1][col + colspan - 1])
    origins = {}
    for r, tr in enumerate(table._tbl.tr_lst):
        col = 0
        for index, tc in enumerate(tr.tc_lst):
            if tc.vMerge != "continue":
                origins[(r, col)] = (r, index)
            col += tc.grid_span
    return table._tbl, origins


def _fixed_zip(data: bytes) -> bytes:
    """The same package with every member stamped at one fixed time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, FIXED_ZIP_TIME)
            target.writestr(info, source.read(item.filename), zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()
