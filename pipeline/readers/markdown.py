"""Markdown produced by PDF-to-Markdown converters.

The form of `shanghai_kewei_2024_pdf2md.md`: running text one line at a time, `#`
headings, and GitHub pipe tables that the converter often shreds into several small
tables with stray separator lines between them. The reader keeps what it sees: each
run of consecutive pipe lines is one table; reassembling the template's tables from
the pieces is the extractors' job, since it needs the template's row order.
"""

from __future__ import annotations

import re

from pipeline.document import Cell, Document, Paragraph, Table

SEPARATOR_CELL = re.compile(r"^:?-+:?$")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
HEADING = re.compile(r"^#+\s*(.*?)\s*#*\s*$")
#: Fewest pipe rows (`| 规章 | 2 | 0 | 2 |`) for a text to be read as pipe tables.
MIN_PIPE_ROWS = 3


def looks_like_pipe_rows(content: str) -> bool:
    """True when the text holds pipe-delimited table rows (crawled copies save them as .txt)."""
    rows = 0
    for line in content.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            rows += 1
            if rows >= MIN_PIPE_ROWS:
                return True
    return False


def read(content: str, source: str) -> Document:
    """Pipe-line runs become tables; every other non-empty line becomes a paragraph."""
    doc = Document(source=source, format="markdown")
    rows: list[list[str]] = []
    table_start = 0
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("|"):
            table_start = table_start or number
            cells = _split_row(line)
            if not _is_separator(cells):
                rows.append(cells)
            continue
        _flush(doc, rows, table_start)
        rows, table_start = [], 0
        if line:
            doc.blocks.append(Paragraph(text=_heading_text(line), where=f"line {number}"))
    _flush(doc, rows, table_start)
    return doc


def _split_row(line: str) -> list[str]:
    """Cells of one pipe line, stripped; `\\|` is a literal pipe inside a cell."""
    body = line[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip().replace("\\|", "|") for cell in UNESCAPED_PIPE.split(body)]


def _is_separator(cells: list[str]) -> bool:
    """True for the `|---|:---:|` line under a header row."""
    return all(SEPARATOR_CELL.match(cell) for cell in cells)


def _heading_text(line: str) -> str:
    """The line without its `#` markers (also the optional closing ones)."""
    match = HEADING.match(line)
    return match.group(1) if match else line


def _flush(doc: Document, rows: list[list[str]], start_line: int) -> None:
    """Close the table being collected; a run of separator lines alone yields nothing."""
    cells = [Cell(text=text, row=r, col=c) for r, row in enumerate(rows) for c, text in enumerate(row)]
    if cells:
        doc.blocks.append(Table(cells=cells, where=f"table from line {start_line}"))
