"""Text scraped from a web page, with the table cell borders lost.

Crawler output such as `pingtan_syq_*.txt`: a metadata header, then the article as
running text in which a table row arrives as a run of digits (`640020470`). The
reader keeps the text as it is; decoding the runs is the extractors' job, since it
needs the template's arithmetic.
"""

from __future__ import annotations

from pipeline.document import Document, Paragraph

BODY_MARKER = "==================== 正文 ===================="


def read(content: str, source: str) -> Document:
    """One paragraph per non-empty line; a crawler header becomes its own paragraphs."""
    doc = Document(source=source, format="scraped")
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip() and line.strip() != BODY_MARKER:
            doc.blocks.append(Paragraph(text=line.strip(), where=f"line {number}"))
    return doc
