"""Tables 二, 三 and 四 laid out as the national templates print them.

The layout is built once, format-neutral, as origin cells with row and column spans
(the `pipeline.document.Cell` the readers produce), so every renderer draws the
same merged-cell grid the blank templates show: the 3×3 勾稽关系 corner, the
vertical 三、本年度办理结果, the group labels spanning their sub-rows, the 5 + 10
columns of Table 四. Labels and keys come from `pipeline.template`; a `"\\n"` in a
header label marks where a publisher broke the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import Cell
from pipeline.template import (
    T2_BLOCKS,
    T2_COLUMNS,
    T2_ROWS,
    T3_COLUMN_LABELS,
    T3_COLUMNS,
    T3_GROUPS,
    T3_LAYOUTS,
    T4_KEYS,
    T4_OUTCOMES,
    T4_PROCEEDINGS,
    t2_key,
    t3_key,
)

#: Header texts the templates print that carry no key.
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = "申请人情况"
T3_ORGANISATIONS = "法人或其他组织"
T3_RESULTS = "三、本年度办理结果"
T2_CONTENT = "信息内容"
T4_LITIGATION = "行政诉讼"
#: The 2021 format prefixes 本年 to the decisions column.
T2_2021_DECISIONS = "本年处理决定数量"
#: Which 第二十条 item each Table 二 row sits under.
T2_BLOCK_OF = {
    "regulations": "art20_1",
    "normative_documents": "art20_1",
    "admin_licensing": "art20_5",
    "other_external_services": "art20_5",
    "admin_penalty": "art20_6",
    "admin_coercion": "art20_6",
    "admin_fees": "art20_8",
    "central_procurement": "art20_9",
}
T2_WIDTH = 4
T3_LABEL_WIDTH = 3


@dataclass(frozen=True)
class Style:
    """How one publisher prints the labels (template.md §6 D2, D6)."""

    wrap_headers: bool = False
    halfwidth: bool = False
    enumeration_comma: bool = False
    sum_label: str = "总计"

    def label(self, text: str) -> str:
        """A label as this publisher prints it."""
        return text.replace("（", "(").replace("）", ")") if self.halfwidth else text

    def header(self, text: str) -> str:
        """A column header, broken in the middle where the publisher wraps headers."""
        if not self.wrap_headers or len(text) < 4 or "（" in text:
            return text
        middle = len(text) // 2
        return f"{text[:middle]}\n{text[middle:]}"


@dataclass
class Grid:
    """A table as printed: origin cells, and the key each value cell holds."""

    name: str
    cells: list[Cell] = field(default_factory=list)
    keys: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def height(self) -> int:
        """Rows of the grid."""
        return max(c.row + c.rowspan for c in self.cells)

    @property
    def width(self) -> int:
        """Columns of the grid."""
        return max(c.col + c.colspan for c in self.cells)

    def add(self, text: str, row: int, col: int, rowspan: int = 1, colspan: int = 1, key: str | None = None) -> None:
        """Place an origin cell; `key` where it prints a value."""
        self.cells.append(Cell(text, row, col, rowspan, colspan))
        if key is not None:
            self.keys[(row, col)] = key

    def split(self, at: int) -> tuple[Grid, Grid]:
        """Two tables cut before row `at`, as a page or a publisher cuts them: a cell that
        spans the cut is closed in the first part and printed again in the second."""
        first, second = Grid(self.name), Grid(self.name)
        for cell in self.cells:
            key = self.keys.get((cell.row, cell.col))
            if cell.row < at:
                first.add(cell.text, cell.row, cell.col, min(cell.rowspan, at - cell.row), cell.colspan, key)
            if cell.row + cell.rowspan > at:
                start = max(cell.row, at)
                second.add(cell.text, start - at, cell.col, cell.row + cell.rowspan - start, cell.colspan, key)
        return first, second


def t2_grid(version: str, printed: dict[str, str], style: Style) -> Grid:
    """Table 二: per 第二十条 item a caption row, a header row and the item's rows."""
    grid = Grid("t2")
    row = 0
    for block in dict.fromkeys(T2_BLOCK_OF[r.key] for r in T2_ROWS[version]):
        members = [r for r in T2_ROWS[version] if T2_BLOCK_OF[r.key] == block]
        columns = members[0].columns
        spans = _value_spans(len(columns))
        grid.add(style.label(T2_BLOCKS[block]), row, 0, colspan=T2_WIDTH)
        grid.add(T2_CONTENT, row + 1, 0)
        col = 1
        for column, span in zip(columns, spans, strict=True):
            label = T2_2021_DECISIONS if version == "2021" and column == "decisions" else T2_COLUMNS[column]
            grid.add(style.header(style.label(label)), row + 1, col, colspan=span)
            col += span
        row += 2
        for member in members:
            grid.add(style.label(member.label), row, 0)
            col = 1
            for column, span in zip(member.columns, spans, strict=False):
                key = t2_key(member.key, column)
                grid.add(printed[key], row, col, colspan=span, key=key)
                col += span
            row += 1
    return grid


def _value_spans(count: int) -> list[int]:
    """How a block's value columns share the three value positions (the last one widens)."""
    return [1] * (count - 1) + [T2_WIDTH - count]


def t3_grid(layout: str, printed: dict[str, str], style: Style) -> Grid:
    """Table 三 with the template's merged header and label columns."""
    grid = Grid("t3")
    first = T3_LABEL_WIDTH
    grid.add(T3_NOTE, 0, 0, rowspan=3, colspan=T3_LABEL_WIDTH)
    grid.add(T3_APPLICANTS, 0, first, colspan=len(T3_COLUMNS))
    grid.add(style.header(T3_COLUMN_LABELS["natural_person"]), 1, first, rowspan=2)
    grid.add(T3_ORGANISATIONS, 1, first + 1, colspan=5)
    grid.add(style.header(T3_COLUMN_LABELS["total"]), 1, first + 6, rowspan=2)
    for i, column in enumerate(T3_COLUMNS[1:6]):
        grid.add(style.header(T3_COLUMN_LABELS[column]), 2, first + 1 + i)
    rows = T3_LAYOUTS[layout]
    results = [r.key for r in rows].index("disclosed")
    group_of = {member: group for group, (_, members) in T3_GROUPS.items() for member in members}
    for i, row in enumerate(rows):
        r = 3 + i
        if row.key == "disclosed":
            grid.add(style.label(T3_RESULTS), r, 0, rowspan=len(rows) - 3)
        group = group_of.get(row.key)
        if group is None:
            label = style.label(row.label)
            if row.key == "total_processed":
                label = label.replace("总计", style.sum_label)
            start = 0 if i < results or row.key == "carried_forward" else 1
            grid.add(label, r, start, colspan=T3_LABEL_WIDTH - start)
        else:
            members = T3_GROUPS[group][1]
            if row.key == members[0]:
                grid.add(style.label(T3_GROUPS[group][0]), r, 1, rowspan=len(members))
            label = row.label.replace(".", "、", 1) if style.enumeration_comma and group == "other_handling_total" else row.label
            grid.add(style.label(label), r, 2)
        for j, column in enumerate(T3_COLUMNS):
            key = t3_key(row.key, column)
            grid.add(printed[key], r, first + j, key=key)
    return grid


def t3_split_row(layout: str) -> int:
    """The grid row where a split Table 三 continues: the start of （四）无法提供."""
    return 3 + [r.key for r in T3_LAYOUTS[layout]].index(T3_GROUPS["unavailable_total"][1][0])


def t4_grid(printed: dict[str, str], style: Style) -> Grid:
    """Table 四: 行政复议 (5 columns) and 行政诉讼 (2 × 5), one data row."""
    grid = Grid("t4")
    outcomes = list(T4_OUTCOMES.values())
    width = len(outcomes)
    grid.add(T4_PROCEEDINGS["review"], 0, 0, colspan=width)
    grid.add(T4_LITIGATION, 0, width, colspan=2 * width)
    for i, label in enumerate(outcomes):
        grid.add(style.header(label), 1, i, rowspan=2)
    grid.add(T4_PROCEEDINGS["litigation_direct"], 1, width, colspan=width)
    grid.add(T4_PROCEEDINGS["litigation_after_review"], 1, 2 * width, colspan=width)
    for i, label in enumerate(outcomes * 2):
        grid.add(style.header(label), 2, width + i)
    for i, key in enumerate(T4_KEYS):
        grid.add(printed[key], 3, i, key=key)
    return grid
