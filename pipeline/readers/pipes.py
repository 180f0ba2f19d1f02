"""Crawled text with a pipe after every cell: one cell a line (`行政许可 |` / `339 |` / `+123 |`).

Some crawlers flatten a table to a stream of cells, each on its own line and closed by
a pipe; the row breaks are lost, but every pipe is a certain cell border. The reader
keeps each cell as a cell (never as running text, where `339`, `+123`, `462` would
melt into one digit run) in a table of one cell per row; regrouping the stream into
template rows is the extractors' job (`extract.lines`), since it needs to tell labels
from values. Lines without the closing pipe are paragraphs.
"""

from __future__ import annotations

from pipeline.document import Cell, Document, Paragraph, Table

#: Fewest pipe-closed cell lines for a text to be this form (a report has hundreds of cells).
MIN_CELL_LINES = 20


def is_cell_line(line: str) -> bool:
    """A line holding one cell closed by a pipe (`339 |`, or ` |` for an empty cell)."""
    stripped = line.strip()
    return stripped.endswith("|") and stripped.count("|") == 1


def looks_like_cell_pipes(content: str) -> bool:
    """True when enough lines are single pipe-closed cells, and more of them than pipe rows."""
    lines = content.splitlines()
    cells = sum(1 for line in lines if is_cell_line(line))
    rows = sum(1 for line in lines if line.strip().startswith("|") and line.count("|") >= 2)
    return cells >= MIN_CELL_LINES and cells > rows


def read(content: str, source: str) -> Document:
    """Runs of cell lines become tables of one cell per row; other non-empty lines, paragraphs."""
    doc = Document(source=source, format="pipes")
    cells: list[Cell] = []
    start = 0
    for number, line in enumerate(content.splitlines(), start=1):
        if is_cell_line(line):
            start = start or number
            cells.append(Cell(text=line.strip()[:-1].strip(), row=len(cells), col=0))
            continue
        _flush(doc, cells, start)
        cells, start = [], 0
        if line.strip():
            doc.blocks.append(Paragraph(text=line.strip(), where=f"line {number}"))
    _flush(doc, cells, start)
    return doc


def _flush(doc: Document, cells: list[Cell], start_line: int) -> None:
    """Close the cell stream being collected, if any."""
    if cells:
        doc.blocks.append(Table(cells=cells, where=f"table from line {start_line}"))
