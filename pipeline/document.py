"""The document model every reader produces and every extractor reads.

A report, whatever form it was published in, becomes an ordered list of blocks:
paragraphs (free text, one or more lines) and tables (cell grids that keep their
row and column spans). Each block knows where in the source it came from, so every
value extracted later can point back at its origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    """One origin cell of a table grid; a merged cell appears once, with its spans."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    """A table as a grid of origin cells; `where` locates it in the source (e.g. "page 3")."""

    cells: list[Cell]
    where: str = ""

    def rows(self) -> list[list[Cell]]:
        """Origin cells grouped by the row they start in, left to right."""
        by_row: dict[int, list[Cell]] = {}
        for cell in self.cells:
            by_row.setdefault(cell.row, []).append(cell)
        return [sorted(by_row[r], key=lambda c: c.col) for r in sorted(by_row)]


@dataclass
class Paragraph:
    """Free text; may hold several lines (a PDF page's text, a scraped page body)."""

    text: str
    where: str = ""


Block = Paragraph | Table


@dataclass
class Document:
    """A report as read: its blocks in reading order, and the form it came in; `script` is
    "traditional" for a copy converted to simplified characters for matching."""

    source: str
    format: str
    blocks: list[Block] = field(default_factory=list)
    script: str = "simplified"

    def parts(self) -> Iterator[str]:
        """Paragraph texts and table rows (cells joined by tabs) in reading order, lazily:
        a caller that needs only the head of a large document reads only the head."""
        for block in self.blocks:
            if isinstance(block, Paragraph):
                yield block.text
            else:
                yield from ("\t".join(c.text for c in row) for row in block.rows())

    def text(self) -> str:
        """All text in reading order, table cells separated by tabs and rows by newlines."""
        return "\n".join(self.parts())
