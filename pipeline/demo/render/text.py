"""Plain text as a word processor exports a .docx: one table cell a line.

The shape of `seed_sunjiatuan_2020.txt`: each cell on its own tab-indented line, a
blank line after each table row, a cell merged down from the row above printed as
an empty cell line, header labels broken over two lines (the second without its
tab), and now and then a `[bookmark: …]` marker the export leaves before a heading.
"""

from __future__ import annotations

from pipeline.demo.report import Report, Text
from pipeline.demo.tables import Grid


def render(report: Report) -> bytes:
    """The report as UTF-8 text."""
    lines: list[str] = []
    for index, block in enumerate(report.blocks):
        if isinstance(block, Text):
            bookmark = "[bookmark: _GoBack]" if block.role == "heading" and index % 7 == 3 else ""
            lines.append(bookmark + block.text)
        else:
            lines += grid_lines(block) + [""]
    return ("\n".join(lines) + "\n").encode("utf-8")


def grid_lines(grid: Grid) -> list[str]:
    """Each row's cells, one a line (a broken header label over two), then a blank line."""
    lines: list[str] = []
    for row in grid_rows(grid):
        for text in row:
            first, *rest = text.split("\n")
            lines += [f"\t{first}", *rest]
        lines.append("")
    return lines


def grid_rows(grid: Grid) -> list[list[str]]:
    """Each row's cell texts left to right; a cell merged down from above is printed empty."""
    origin = {(c.row, c.col): c for c in grid.cells}
    covering = {(r, c.col): c for c in grid.cells for r in range(c.row + 1, c.row + c.rowspan)}
    rows: list[list[str]] = []
    for row in range(grid.height):
        texts: list[str] = []
        col = 0
        while col < grid.width:
            cell = origin.get((row, col)) or covering.get((row, col))
            if cell is None:
                col += 1
                continue
            texts.append(cell.text if cell.row == row else "")
            col += cell.colspan
        rows.append(texts)
    return rows
