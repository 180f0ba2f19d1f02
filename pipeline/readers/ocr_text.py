"""Text that someone else's OCR produced: zeros written as 〇 and letters inside numbers.

Reports converted by a third party's OCR (a scraped page, a Word file rebuilt from a
scan) print `2〇23年`, `收取信息处理费〇元`, table cells such as `l0` or `〇`. Such text
is repaired in place before extraction, only where the reading is certain: a 〇 next to
a digit or alone before a unit (元, 件, 条 …; the Chinese numeral 二〇二三 is left alone), a cell
that is a lone 〇, and a table cell that is a number but for lookalike letters. Spaces
inside a number in a table cell are already read as one number; in running text a space
may be a lost cell border, so it is never removed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.document import Cell, Document, Paragraph, Table
from pipeline.readers.ocr import DIGIT_LOOKALIKES

ZERO_BY_DIGIT = re.compile(
    r"(?<=\d)[〇○]|[〇○](?=\d)"
    r"|(?<![一二三四五六七八九十百千万〇零])[〇○](?=(?:万元|元|件|条|个|项|次|人))"
)
LONE_ZERO = frozenset({"〇", "○"})
NUMBER = re.compile(r"^[+\-]?\d+(?:\.\d+)?$")


def repair(doc: Document) -> None:
    """Undo OCR's zeros and lookalike letters in a document's paragraphs and cells."""
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            if "〇" in block.text or "○" in block.text:
                doc.blocks[index] = replace(block, text=zeros(block.text))
        else:
            doc.blocks[index] = Table([_repaired(c) for c in block.cells], block.where)


def _repaired(original: Cell) -> Cell:
    """The cell with its text repaired; the same cell where nothing changed (most cells: no copy made)."""
    text = cell(original.text)
    return original if text == original.text else replace(original, text=text)


def zeros(text: str) -> str:
    """Every 〇 in a run of digits, or alone before a unit, as 0 (`2〇〇3` → `2003`, `费〇元` → `费0元`)."""
    if "〇" not in text and "○" not in text:  # most text: nothing the pattern could match
        return text
    while True:
        repaired = ZERO_BY_DIGIT.sub("0", text)
        if repaired == text:
            return text
        text = repaired


def cell(text: str) -> str:
    """A table cell's number with OCR's lookalikes undone; any other cell as it was."""
    stripped = text.strip()
    if stripped in LONE_ZERO:
        return "0"
    if not stripped or stripped.isdigit() or not any(ch.isdigit() for ch in stripped):
        return zeros(text)
    mapped = "".join(DIGIT_LOOKALIKES.get(ch, ch) for ch in stripped.replace(" ", ""))
    return mapped if NUMBER.match(mapped) else zeros(text)
