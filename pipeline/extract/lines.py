"""A document as a sequence of lines of cells: the one view the table extractors read.

A table row is a line whose cells are the row's origin cells; a paragraph line is a
line whose cells are its whitespace-separated words. A line then splits into a
label (its text cells, joined) and the value cells that follow the last text cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from pipeline.document import Document, Paragraph, Table
from pipeline.template import normalise, unify_signs

NUMBER = re.compile(r"^([+\-]?\d+(?:,\d{3})*(?:\.\d+)?)\s*(亿元|万元|元|件|个|条|项)?\s*(?:[（(][^）)]*[）)]?)?$")
#: Headers of columns no template table has: row numbers and notes.
EXTRA_HEADERS = frozenset({"序号", "编号", "备注", "说明"})
_EXTRA_FIRST = frozenset(header[0] for header in EXTRA_HEADERS)
#: What a cell prints for "none", after `unify_signs` (a full-width hyphen or minus sign is `-` by then).
DASHES = frozenset({"-", "--", "—", "——", "/", "／", "无", "\\", "―"})
UNIT_FACTORS_TO_WAN = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}


@dataclass(frozen=True)
class Token:
    """One cell: its printed text, and what it holds (`number`, `blank`, `dash` or `text`)."""

    raw: str
    kind: str
    where: str

    @property
    def is_value(self) -> bool:
        """Numbers, blanks and dashes all occupy a value position."""
        return self.kind != "text"


@dataclass(frozen=True)
class Line:
    """One table row or paragraph line, tokenised."""

    tokens: tuple[Token, ...]
    where: str
    from_table: bool

    @cached_property
    def label(self) -> str:
        """Normalised text of the line's text cells, computed once: the extractors ask for it per template row."""
        return normalise("".join(t.raw for t in self.tokens if t.kind == "text"))

    @property
    def text(self) -> str:
        """The line as printed, cells joined by spaces."""
        return " ".join(t.raw for t in self.tokens)

    def values(self) -> list[Token]:
        """Value cells after the last text cell (leading blanks of spanned label columns dropped)."""
        last_text = max((i for i, t in enumerate(self.tokens) if t.kind == "text"), default=-1)
        return [t for t in self.tokens[last_text + 1 :] if t.is_value]


def classify(raw: str, in_table: bool) -> str:
    """What a cell holds; an empty cell is a blank only inside a real table."""
    text = unify_signs(raw.strip().replace("\u3000", "").replace("\xa0", ""))
    if not text:
        return "blank" if in_table else "text"
    if text in DASHES:
        return "dash"
    return "number" if NUMBER.match(text.replace(" ", "")) else "text"


def parse_number(raw: str, unit_key: str = "") -> int | float:
    """The number a cell prints, converted to the unit a key names (`_wan_yuan` → 万元)."""
    if raw.isascii() and raw.isdigit():  # most cells: a plain count, no pattern or Decimal needed
        return int(raw)
    match = NUMBER.match(unify_signs(raw.strip().replace(" ", "").replace("\u3000", "")))
    if match is None:
        raise ValueError(f"not a number: {raw!r}")
    amount = Decimal(match.group(1).replace(",", ""))
    unit = match.group(2) or ""
    if unit_key.endswith("_wan_yuan") and unit in UNIT_FACTORS_TO_WAN:
        amount *= UNIT_FACTORS_TO_WAN[unit]
    return to_number(amount)


def to_number(amount: Decimal) -> int | float:
    """An int where the amount is whole, else a float without binary noise."""
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount.normalize())


def document_lines(doc: Document) -> list[Line]:
    """Every table row and paragraph line of a document, in reading order; runs of
    one-cell lines regrouped into rows (`regroup`)."""
    return regroup(_raw_lines(doc))


def regroup(lines: list[Line]) -> list[Line]:
    """Rows rebuilt from runs of one-cell lines (cells printed one a line, `规章`/`0`/`0`/`0`,
    or a pipe-closed cell stream): each text cell starts a row and the value cells after it
    join that row. Lines of several cells are kept as they are."""
    out: list[Line] = []
    group: list[Token] = []
    source: Line | None = None
    for line in lines:
        single = len(line.tokens) == 1
        token = line.tokens[0] if single else None
        starts_row = token is None or token.kind == "text" or source is None or source.from_table != line.from_table
        if source is not None and starts_row:
            out.append(Line(tuple(group), source.where, source.from_table))
            group, source = [], None
        if token is None:
            out.append(line)
            continue
        group.append(token)
        source = source or line
    if source is not None:
        out.append(Line(tuple(group), source.where, source.from_table))
    return out


def _raw_lines(doc: Document) -> list[Line]:
    """Every table row and paragraph line as printed."""
    lines: list[Line] = []
    for b, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            for n, text in enumerate(block.text.splitlines()):
                where = f"{block.where or f'block {b}'}" + (f" line {n + 1}" if n else "")
                words = text.split()
                lines.append(Line(tuple(Token(w, classify(w, False), where) for w in words), where, False))
        else:
            extra = _extra_columns(block)
            for r, row in enumerate(block.rows()):
                tokens = tuple(
                    Token(c.text, classify(c.text, True), f"{block.where or f'table {b}'} row {c.row + 1} col {c.col + 1}")
                    for c in row
                    if c.col not in extra
                )
                lines.append(Line(tokens, f"{block.where or f'table {b}'} row {r + 1}", True))
    return lines


def _extra_columns(table: Table) -> set[int]:
    """The columns a table adds to the template's (headed 序号, 编号, 备注 or 说明): their row numbers and
    notes are no cells (a row number shifted Table 四's unlabelled row by one cell; a note after the last
    cell left a row with more cells than its columns, so the table went unread). A cell is normalised only
    where it holds a header's first character: normalising every cell took a tenth of reading a table."""
    return {
        cell.col
        for cell in table.cells
        if not _EXTRA_FIRST.isdisjoint(cell.text) and normalise(cell.text) in EXTRA_HEADERS
    }
