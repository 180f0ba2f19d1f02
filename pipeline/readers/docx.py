"""Word (.docx): the report as the body saved it, with real table cells.

The tables use merged cells heavily. python-docx's `row.cells` repeats a merged cell
at every grid position it covers (the blank template shows '第二十条第（一）项' four
times), so the reader works from the row XML instead: a `<w:tc>` with `gridSpan` is
one cell spanning columns, and a run of `<w:vMerge/>` continuations below a cell
extends that cell's rowspan. Each merged cell thus appears once, at its origin.
Blank cells often hold a full-width space (U+3000); cell text is stripped to ''.

A .docx is a zip of XML parts, so the reader refuses zip bombs and DTDs before
python-docx opens it.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn
from lxml import etree

from pipeline.document import Cell, Document, Paragraph, Table
from pipeline.errors import ReportError
from pipeline.limits import MAX_DOCX_PART_BYTES, MAX_UNCOMPRESSED_BYTES, MEMORY_LIMIT_REASON

MAIN_PART = re.compile(r"^word/document\d*\.xml$")
XML_PART = re.compile(r"\.(xml|rels)$")
FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")
P, TBL, SDT, SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")


def read(data: bytes, source: str) -> Document:
    """Paragraphs and tables in body order."""
    _check_package(data, source)
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except MemoryError:
        raise ReportError(source, MEMORY_LIMIT_REASON) from None
    except Exception as exc:  # python-docx raises KeyError, ValueError, XMLSyntaxError… on damaged parts
        raise ReportError(source, f"damaged Word document ({type(exc).__name__}) / Word 文档已损坏") from None
    doc = Document(source=source, format="docx")
    paragraphs = tables = 0
    for element in _body_items(body):
        if element.tag == TBL:
            tables += 1
            table = _table(element, where=f"table {tables}")
            if table.cells:
                doc.blocks.append(table)
        else:
            paragraphs += 1
            text = element.text.strip()
            if text:
                doc.blocks.append(Paragraph(text=text, where=f"paragraph {paragraphs}"))
    return doc


def _check_package(data: bytes, source: str) -> None:
    """Reject what is not a docx, a zip bomb, or XML carrying a DTD (OOXML never needs one)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            if not any(MAIN_PART.match(m.filename) for m in members):
                raise ReportError(source, "zip without word/document.xml: not a Word document / 不是 Word 文档")
            if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
                raise ReportError(source, "decompressed size too large / 解压后过大")
            for member in members:
                if XML_PART.search(member.filename) and member.file_size > MAX_DOCX_PART_BYTES:
                    limit = MAX_DOCX_PART_BYTES // 2**20
                    raise ReportError(source, f"{member.filename} larger than {limit} MiB decompressed / 文档部件过大")
            for member in members:
                if XML_PART.search(member.filename) and _has_dtd(package.read(member)):
                    raise ReportError(source, f"{member.filename} declares a DTD or entities / 含有 DTD 或实体声明")
    except (
        zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError
    ) as exc:
        raise ReportError(source, f"broken zip container ({exc}) / 压缩包已损坏") from None


def _has_dtd(content: bytes) -> bool:
    """True when an XML part has a DOCTYPE or ENTITY declaration."""
    return any(marker in content for marker in FORBIDDEN_MARKUP)


def _body_items(body: etree._Element) -> Iterator[etree._Element]:
    """Body-level paragraphs and tables in order, looking inside content controls (w:sdt)."""
    pending = list(body)
    while pending:
        element = pending.pop(0)
        if element.tag in (P, TBL):
            yield element
        elif element.tag == SDT:
            content = element.find(SDT_CONTENT)
            if content is not None:
                pending[:0] = list(content)


def _table(tbl: etree._Element, where: str) -> Table:
    """Origin cells with spans: gridSpan gives colspan, vMerge continuations add rowspan."""
    cells: list[Cell] = []
    origin_at_col: dict[int, int] = {}  # grid column -> index in `cells` of the cell open there
    for r, tr in enumerate(tbl.tr_lst):
        col = tr.grid_before
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            above = origin_at_col.get(col)
            if tc.vMerge == "continue" and above is not None and _reaches(cells[above], r - 1, span):
                cells[above] = dataclasses.replace(cells[above], rowspan=cells[above].rowspan + 1)
            else:
                origin_at_col[col] = len(cells)
                cells.append(Cell(text=_cell_text(tc), row=r, col=col, colspan=span))
            col += span
    return Table(cells=cells, where=where)


def _reaches(cell: Cell, row: int, colspan: int) -> bool:
    """True when `cell` covers `row` with the same width, so a continuation below may join it."""
    return cell.row + cell.rowspan - 1 == row and cell.colspan == colspan


def _cell_text(tc: etree._Element) -> str:
    """The cell's paragraphs and line breaks joined without a separator: labels wrap, they don't split."""
    return "".join(p.text for p in tc.iter(P)).replace("\n", "").strip()
