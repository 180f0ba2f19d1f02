"""PDF with a text layer, as an office suite prints a report: ruled tables, page numbers.

Set with reportlab (BSD) in a CJK font: WenQuanYi Micro Hei where installed (Debian
`fonts-wqy-microhei`, which CI installs), else reportlab's built-in STSong-Light CID
font, which needs no font file. Tables are ruled grids with real spans; long label
cells wrap inside their cells; tables that do not fit break across pages by
themselves (D8). `invariant` output makes the same seed give the same bytes.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from pipeline.demo.report import Report
from pipeline.demo.tables import Grid

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
MARGIN = 22 * mm
#: Column widths (points) per table; the text width of A4 less margins is about 470pt.
WIDTHS = {"t2": [170, 100, 100, 100], "t3": [26, 62, 150] + [33] * 7, "t4": [31] * 15}


@lru_cache(maxsize=1)
def font() -> str:
    """Register the CJK font once per process; its name."""
    if WQY.exists():
        pdfmetrics.registerFont(TTFont("WQYMicroHei", str(WQY), subfontIndex=0))
        return "WQYMicroHei"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles by block role, plus `cell` for table labels."""
    name = font()
    body = ParagraphStyle("body", fontName=name, fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=TA_CENTER, firstLineIndent=0),
        "marker": ParagraphStyle("marker", parent=body, textColor=colors.darkred),
        "heading": ParagraphStyle("heading", parent=body, spaceBefore=6),
        "body": body,
        "signature": ParagraphStyle("signature", parent=body, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", fontName=name, fontSize=8, leading=10, wordWrap="CJK", alignment=TA_CENTER),
    }


def render(report: Report) -> bytes:
    """The report as PDF bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title="".join(report.title), author=report.agency, creator="xxgk demo", invariant=1,
    )  # fmt: skip
    flowables: list[Flowable] = []
    for block in report.blocks:
        if isinstance(block, Grid):
            flowables.append(_table(block))
        else:
            flowables.append(Paragraph(_escape(block.text), styles()[block.role]))
    document.build(flowables, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(grid: Grid) -> Table:
    """A ruled table with the grid's spans; label cells wrap, values are plain strings."""
    data: list[list[object]] = [[""] * grid.width for _ in range(grid.height)]
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), font(), 8),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        *_keep_together(grid),
    ]
    for cell in grid.cells:
        keyed = (cell.row, cell.col) in grid.keys
        label = "<br/>".join(_escape(part) for part in cell.text.split("\n"))
        data[cell.row][cell.col] = cell.text if keyed else Paragraph(label, styles()["cell"])
        if cell.rowspan > 1 or cell.colspan > 1:
            commands.append(("SPAN", (cell.col, cell.row), (cell.col + cell.colspan - 1, cell.row + cell.rowspan - 1)))
    return Table(data, colWidths=WIDTHS[grid.name], style=TableStyle(commands), splitByRow=1)


def _keep_together(grid: Grid) -> list[tuple]:
    """Never leave a one-row fragment on a page: a lone row is no ruled grid to a reader,
    so Table 四 stays whole and the others keep their first and last two rows together."""
    if grid.name == "t4":
        return [("NOSPLIT", (0, 0), (-1, -1))]
    return [("NOSPLIT", (0, 0), (-1, 1)), ("NOSPLIT", (0, grid.height - 2), (-1, -1))]


def _page_number(canvas, document) -> None:  # noqa: ANN001 - reportlab's callback signature
    """"- N -" centred at the foot of each page, as office suites print it."""
    canvas.saveState()
    canvas.setFont(font(), 9)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {document.page} -")
    canvas.restoreState()
