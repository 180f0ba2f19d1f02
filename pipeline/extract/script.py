"""Traditional characters (繁體) → simplified before matching, with OpenCC.

Labels, cues and sentence patterns are written in simplified characters; a copy
published or mirrored in traditional characters (`第二十條`, `資訊`) is converted with
OpenCC's maintained `t2s` dictionaries (phrase-aware, so `發佈` → `发布`) into a
matching copy of the document. The reader's document is left as printed. A document
is converted only where traditional forms are common: a simplified report with a few
characters OpenCC would touch (place names such as 乾县) is matched as printed.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import opencc

from pipeline.document import Document, Paragraph, Table

#: Characters sampled to decide the script; a report shows its script within its head.
SAMPLE_CHARS = 200_000
#: Share of CJK characters that must change under t2s for a text to count as traditional.
TRADITIONAL_SHARE = 0.05
MIN_CHANGED = 10


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    """One converter per process: loading the dictionaries is the slow part."""
    return opencc.OpenCC("t2s.json")


def to_simplified(text: str) -> str:
    """The text in simplified characters."""
    return _converter().convert(text)


def is_traditional(text: str) -> bool:
    """Whether traditional forms are common enough in a text to convert it."""
    sample = text[:SAMPLE_CHARS]
    converted = to_simplified(sample)
    if converted == sample:  # most reports: nothing changed, no characters to count
        return False
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    changed = sum(1 for a, b in zip(sample, converted, strict=False) if a != b)
    return changed >= max(MIN_CHANGED, cjk * TRADITIONAL_SHARE)


def simplified(doc: Document) -> Document:
    """The document to match: a converted copy where it is traditional, else the document itself."""
    if not is_traditional(_head(doc)):
        return doc
    blocks = [
        Paragraph(to_simplified(b.text), b.where) if isinstance(b, Paragraph)
        else Table([replace(c, text=to_simplified(c.text)) for c in b.cells], b.where)
        for b in doc.blocks
    ]
    return Document(source=doc.source, format=doc.format, blocks=blocks, script="traditional")


def _head(doc: Document) -> str:
    """The document's first SAMPLE_CHARS characters, read lazily."""
    parts: list[str] = []
    size = 0
    for part in doc.parts():
        parts.append(part)
        size += len(part)
        if size >= SAMPLE_CHARS:
            break
    return "".join(parts)


def as_printed(original: Document, converted: str) -> str | None:
    """The original-script text of a converted string, where a line converts to it char for char."""
    for part in original.parts():
        for line in part.splitlines():
            simple = to_simplified(line)
            index = simple.find(converted)
            if index >= 0 and len(simple) == len(line):
                return line[index : index + len(converted)]
    return None
