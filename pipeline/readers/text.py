"""Plain text exported from a word processor: one table cell a line.

The form of `seed_sunjiatuan_2020.txt`: each cell on its own tab-indented line, a
blank line between table rows, header cells broken over several lines (the
continuation lines lose their tab), and `[bookmark: …]` markers left by the export.
"""

from __future__ import annotations

import re

from pipeline.document import Cell, Document, Paragraph, Table

BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
MIN_CELL_LINES = 20


def looks_like_cell_lines(content: str) -> bool:
    """True when enough lines are tab-indented cells to be this form."""
    return sum(1 for line in content.splitlines() if line.startswith("\t")) >= MIN_CELL_LINES


def read(content: str, source: str) -> Document:
    """Split the text into paragraphs and tables of tab-indented cell lines."""
    doc = Document(source=source, format="text")
    rows: list[list[str]] = []
    table_start = 0
    previous_was_cell = False
    for number, raw in enumerate(content.splitlines(), start=1):
        line = BOOKMARK.sub("", raw.rstrip("\r"))
        if line.startswith("\t"):
            if not rows or not previous_was_cell:
                if not rows:
                    table_start = number
                rows.append([])
            rows[-1].append(line[1:])
            previous_was_cell = True
        elif line.strip() and previous_was_cell:
            rows[-1][-1] += line  # a header cell broken over lines
        elif not line.strip():
            previous_was_cell = False
        else:
            _flush(doc, rows, table_start)
            rows = []
            doc.blocks.append(Paragraph(text=line, where=f"line {number}"))
    _flush(doc, rows, table_start)
    return doc


def _flush(doc: Document, rows: list[list[str]], start_line: int) -> None:
    """Close the table being collected, if any."""
    if rows:
        cells = [Cell(text=t.strip(), row=r, col=c) for r, row in enumerate(rows) for c, t in enumerate(row)]
        doc.blocks.append(Table(cells=cells, where=f"table from line {start_line}"))
