"""PDF pages without a usable text layer (scans, or text layers of garbage), read by OCR.

`pdf.read` reads the text layer of every page and hands the pages whose text is
missing or unreadable here; only those pages are rasterised (pypdfium2, Apache-2.0 /
BSD) and OCR'd, so a PDF with a text layer costs nothing more than before.
"""

from __future__ import annotations

import re

import numpy as np

from pipeline.document import Paragraph, Table
from pipeline.readers import ocr

DPI = 200
#: Characters a real text layer is made of: CJK, ASCII letters and digits, common punctuation.
READABLE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffefA-Za-z0-9\s.,:;()%\-—/]")
MIN_READABLE_SHARE = 0.6
MIN_CHARS = 8


def has_usable_text(blocks: list[Paragraph | Table]) -> bool:
    """Whether a page's text layer holds real text: enough characters, mostly readable ones
    (a broken font yields private-use characters or `(cid:12)` runs)."""
    text = "".join(b.text if isinstance(b, Paragraph) else "".join(c.text for c in b.cells) for b in blocks)
    text = re.sub(r"\(cid:\d+\)", "\ufffd", text)
    if len(text.strip()) < MIN_CHARS:
        return False
    return len(READABLE.findall(text)) / len(text) >= MIN_READABLE_SHARE


def read(data: bytes, source: str, pages: list[list], wanted: list[int]) -> ocr.OcrDocument:
    """The document with the `wanted` pages (1-based) replaced by their OCR reading."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        results = ocr.read_pages(wanted, lambda number: _render(pdf, number), DPI, data, source)
    finally:
        pdf.close()
    return ocr.document(source, "pdf+ocr", pages, results)


def _render(pdf, number: int) -> np.ndarray:
    """One page as a grey image at DPI."""
    page = pdf[number - 1]
    try:
        return np.array(page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L"))
    finally:
        page.close()
