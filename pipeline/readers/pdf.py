"""PDF with a text layer: pages parsed by PDFium, tables found by pdfplumber's table finder.

PDFium (pypdfium2) parses each page into characters with their boxes and painted paths
(`pdf_objects`), in the form pdfminer gave them, so pdfplumber's table finder and text-line
grouping run unchanged without pdfminer's pure-Python content parser, which took nine
tenths of the time (issue 17).

Reports are printed to PDF by WPS, Word or LibreOffice. Their tables are ruled, so
pdfplumber's line-based table finder recovers the cell grid; read as plain text
lines instead, a wrapped label ("（二）部分公开（区分处理的，只计这一情 形，不" …
"计其他情形）") lands on a different line from its numbers. So on each page the
ruled tables become `Table` blocks, and only the text outside them becomes
paragraphs, one per line, in vertical order. A table broken by a page break comes
out as two tables; joining them is the extractors' job.

WPS paints a white, unstroked rectangle behind every text line and every cell. The
ones behind text lines would make the page body look like a one-column table, so an
unstroked rectangle counts as a ruling only when drawn lines run along two of its
sides (a cell background does; a text-line background does not).

Text layers carry Kangxi radicals (U+2F00–U+2FDF) and CJK compatibility characters
in place of ordinary hanzi, so all text is NFKC-normalised here, unlike the other forms.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table as FoundTable
from pdfplumber.table import TableFinder
from pdfplumber.utils import chars_to_textmap

from pipeline.document import Cell, Document, Paragraph, Table
from pipeline.errors import ReportError
from pipeline.limits import MAX_PAGES, MEMORY_LIMIT_REASON
from pipeline.readers import pdf_ocr
from pipeline.readers.pdf_objects import PageObjects, read_page

MAX_GRAPHICS_PER_PAGE = 3000  # beyond this a page is a drawing, not a ruled table: text only
RULING_TOLERANCE = 3.0  # points; the table finder's own snapping distance
BUCKET_REACH = round(RULING_TOLERANCE) + 1
HEADER_WINDOW = 1024  # the header may follow a little junk, as viewers allow
EOF_WINDOW = 2048
PAGE_FOOTER = re.compile(r"^(?:[-—–―~]+\s*\d{1,4}\s*[-—–―~]+|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)$")


@dataclass(frozen=True)
class _Segment:
    """A drawn ruling: `at` is its x (vertical) or y (horizontal); it runs from `start` to `end`."""

    vertical: bool
    at: float
    start: float
    end: float


def read(data: bytes, source: str) -> Document:
    """Tables and text lines of every page, in page order."""
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise ReportError(source, "not a PDF (no %PDF- header) / 不是 PDF 文件")
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise ReportError(source, "truncated PDF (no %%EOF at the end) / PDF 文件不完整")
    doc = Document(source=source, format="pdf")
    pages: list[list[Paragraph | Table]] = []
    scanned: list[int] = []  # OCR (issue 15): pages with images and no usable text layer
    try:
        pdf = pypdfium2.PdfDocument(data)
    except Exception as exc:  # PdfiumError: the file does not parse, or wants a password
        raise ReportError(source, _failure_reason(exc)) from None
    try:
        if len(pdf) > MAX_PAGES:
            raise ReportError(source, f"more than {MAX_PAGES} pages / 页数过多")
        for number in range(1, len(pdf) + 1):
            objects = _page_objects(pdf, number)
            pages.append(_page_blocks(objects, number))
            if objects.images_count and not pdf_ocr.has_usable_text(pages[-1]):
                scanned.append(number)
    except ReportError:
        raise
    except Exception as exc:  # a page PDFium cannot load
        raise ReportError(source, _failure_reason(exc)) from None
    finally:
        pdf.close()
    if scanned:
        return pdf_ocr.read(data, source, pages, scanned)
    doc.blocks = [block for blocks in pages for block in blocks]
    if not doc.blocks:
        raise ReportError(source, "no text layer (scanned PDF?) / 无文本层")
    return doc


def _page_objects(pdf: pypdfium2.PdfDocument, number: int) -> PageObjects:
    """One page's objects; the page itself is closed at once, so memory stays flat over long files."""
    page = pdf[number - 1]
    try:
        return read_page(page)
    finally:
        page.close()


def _failure_reason(exc: Exception) -> str:
    """Name the failure: a password we do not have, or a damaged file."""
    if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
        return "encrypted PDF (password required) / PDF 已加密"
    if isinstance(exc, MemoryError):  # a page of a few KB can hold 400k characters: not damage, a limit
        return MEMORY_LIMIT_REASON
    return f"damaged PDF ({exc}) / PDF 已损坏"


def _page_blocks(page: PageObjects, number: int) -> list[Paragraph | Table]:
    """The page's ruled tables and the text lines outside them, top to bottom."""
    placed: list[tuple[float, Paragraph | Table]] = []
    in_cells: set[int] = set()  # text in a table but in no cell stays a line
    for k, found in enumerate(_ruled_tables(page), start=1):
        bbox = found.bbox
        near = [char for char in page.chars if _inside_any(char, [bbox])]  # cells read only these
        in_cells.update(id(char) for char in near if _inside_any(char, found.cells))
        own = FoundTable(PageObjects({"char": near}, page.bbox, 0), found.cells)
        placed.append((bbox[1], _table(own, where=f"page {number} table {k}")))
    outside = [char for char in page.chars if id(char) not in in_cells]
    for index, line in enumerate(chars_to_textmap(outside).extract_text_lines(return_chars=False) if outside else [], 1):
        text = unicodedata.normalize("NFKC", line["text"]).strip()
        if text and not PAGE_FOOTER.match(text):
            placed.append((line["top"], Paragraph(text=text, where=f"page {number} line {index}")))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed]


def _inside_any(char: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    """True when the character's centre lies in one of the boxes."""
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _ruled_tables(page: PageObjects) -> list[FoundTable]:
    """Tables drawn with rulings that form a real grid of at least two columns; a single row is
    kept, since a page break can leave one row of a table on its own page."""
    if len(page.rects) + len(page.lines) > MAX_GRAPHICS_PER_PAGE:
        return []
    rulings = _index(_rulings(page))
    ruled = page.filter(lambda obj: obj.get("object_type") != "rect" or _is_ruling_rect(obj, rulings))
    return [t for t in TableFinder(ruled).tables if len({c[0] for c in t.cells}) >= 2]


def _rulings(page: PageObjects) -> list[_Segment]:
    """Drawn lines, thin filled rectangles (lines drawn as fills) and stroked rectangle sides."""
    segments = [_segment(line["x0"], line["top"], line["x1"], line["bottom"]) for line in page.lines]
    for rect in page.rects:
        if min(rect["width"], rect["height"]) <= RULING_TOLERANCE:
            segments.append(_segment(rect["x0"], rect["top"], rect["x1"], rect["bottom"]))
        elif rect.get("stroke"):
            segments.extend(_sides(rect))
    return [s for s in segments if s is not None]


def _segment(x0: float, top: float, x1: float, bottom: float) -> _Segment | None:
    """A thin box as a ruling along its long side; None for a diagonal or a dot."""
    if x1 - x0 <= RULING_TOLERANCE < bottom - top:
        return _Segment(vertical=True, at=(x0 + x1) / 2, start=top, end=bottom)
    if bottom - top <= RULING_TOLERANCE < x1 - x0:
        return _Segment(vertical=False, at=(top + bottom) / 2, start=x0, end=x1)
    return None


def _index(segments: list[_Segment]) -> dict[tuple[bool, int], list[_Segment]]:
    """Rulings bucketed by orientation and rounded position, so a side finds its rulings fast."""
    index: dict[tuple[bool, int], list[_Segment]] = {}
    for segment in segments:
        index.setdefault((segment.vertical, round(segment.at)), []).append(segment)
    return index


def _sides(rect: dict) -> list[_Segment]:
    """The four sides of a rectangle."""
    x0, top, x1, bottom = rect["x0"], rect["top"], rect["x1"], rect["bottom"]
    return [
        _Segment(vertical=True, at=x0, start=top, end=bottom),
        _Segment(vertical=True, at=x1, start=top, end=bottom),
        _Segment(vertical=False, at=top, start=x0, end=x1),
        _Segment(vertical=False, at=bottom, start=x0, end=x1),
    ]


def _is_ruling_rect(rect: dict, rulings: dict[tuple[bool, int], list[_Segment]]) -> bool:
    """Keep stroked or thin rectangles, and filled ones with rulings along two sides (cell backgrounds)."""
    if rect.get("stroke") or min(rect["width"], rect["height"]) <= RULING_TOLERANCE:
        return True
    return sum(_supported(side, rulings) for side in _sides(rect)) >= 2


def _supported(side: _Segment, rulings: dict[tuple[bool, int], list[_Segment]]) -> bool:
    """True when some ruling runs along this side."""
    near = range(round(side.at) - BUCKET_REACH, round(side.at) + BUCKET_REACH + 1)
    return any(_runs_along(side, r) for k in near for r in rulings.get((side.vertical, k), ()))


def _runs_along(side: _Segment, ruling: _Segment) -> bool:
    """True when a ruling lies on the side and covers at least half of it."""
    if side.vertical != ruling.vertical or abs(side.at - ruling.at) > RULING_TOLERANCE:
        return False
    overlap = min(side.end, ruling.end) - max(side.start, ruling.start)
    return overlap >= (side.end - side.start) / 2


def _table(found: FoundTable, where: str) -> Table:
    """Origin cells with spans, from the cell boxes: pdfplumber leaves None where a merge covers."""
    xs = sorted({box[0] for box in found.cells})
    ys = sorted({box[1] for box in found.cells})
    cells: list[Cell] = []
    for row, texts in zip(found.rows, found.extract(), strict=False):
        for box, text in zip(row.cells, texts, strict=False):
            if box is None:
                continue
            r, c = ys.index(box[1]), xs.index(box[0])
            cells.append(
                Cell(
                    text=unicodedata.normalize("NFKC", (text or "").replace("\n", "")).strip(),
                    row=r,
                    col=c,
                    rowspan=max(1, bisect_left(ys, box[3] - RULING_TOLERANCE / 2) - r),
                    colspan=max(1, bisect_left(xs, box[2] - RULING_TOLERANCE / 2) - c),
                )
            )
    return Table(cells=cells, where=where)
