"""Tables published as pictures inside Word and HTML files, read by OCR.

Some bodies paste Tables 二–四 into their Word file or web page as images. Only the
pictures the document itself carries are looked at — a Word package's `word/media`
parts, an HTML page's `data:` images (linked images are never fetched) — and only those
that hold a ruled table are OCR'd: a logo or a photo costs one look at its pixels. The
tables found are appended after the document's own blocks, in the order of the
pictures, with `ocr image N …` as their place.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile

import numpy as np

from pipeline.document import Document
from pipeline.errors import ReportError
from pipeline.readers import grid, image, ocr

MEDIA = re.compile(r"^word/media/[^/]+\.(png|jpe?g)$", re.IGNORECASE)
DATA_URI = re.compile(rb"src\s*=\s*[\"']data:image/(?:png|jpe?g);base64,([A-Za-z0-9+/=\s]+)[\"']", re.IGNORECASE)
MAX_PICTURES = 40
MAX_PICTURE_BYTES = 10 * 2**20
MIN_SIDE = 300  # pixels; smaller pictures are icons, not tables
TABLE_WIDTH_INCHES = 6.3  # a picture without a dpi is taken to span a page's text width


def docx_pictures(data: bytes) -> list[bytes]:
    """The PNG/JPEG parts of a Word package, in name order (the order Word numbers them)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = sorted(i.filename for i in package.infolist()
                           if MEDIA.match(i.filename) and i.file_size <= MAX_PICTURE_BYTES)
            return [package.read(n) for n in names[:MAX_PICTURES]]
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def html_pictures(data: bytes) -> list[bytes]:
    """The images an HTML page carries inline as `data:` URIs, in page order."""
    if b"data:image/" not in data.lower():  # most pages: one quick look instead of the pattern's slow scan
        return []
    out = []
    for match in DATA_URI.finditer(data):
        try:
            picture = base64.b64decode(re.sub(rb"\s+", b"", match.group(1)), validate=True)
        except ValueError:
            continue
        if len(picture) <= MAX_PICTURE_BYTES:
            out.append(picture)
        if len(out) >= MAX_PICTURES:
            break
    return out


def with_picture_tables(doc: Document, pictures: list[bytes], data: bytes) -> Document:
    """The document, plus the tables its pictures hold (an `OcrDocument` when there are any)."""
    frames: dict[int, tuple[np.ndarray, float | None]] = {}
    for number, picture in enumerate(pictures, start=1):
        if not image.is_image(picture):
            continue
        try:
            grey, dpi = image.pages(picture, doc.source)[0]
        except ReportError:  # a damaged picture is skipped, never fatal to the document
            continue
        dpi = dpi or grey.shape[1] / TABLE_WIDTH_INCHES
        if min(grey.shape) >= MIN_SIDE and _holds_table(grey, dpi):
            frames[number] = (grey, dpi)
    if not frames:
        return doc
    results = {}
    for number, (_grey, dpi) in frames.items():  # each picture at its own scale, through the cache
        results |= ocr.read_pages([number], lambda n: frames[n][0], dpi, data, doc.source, label="image")
    out = ocr.OcrDocument(source=doc.source, format=f"{doc.format}+ocr", blocks=list(doc.blocks))
    for number in sorted(results):
        blocks, readings = results[number]
        out.blocks.extend(blocks)
        out.readings.update(readings)
        out.ocr_pages.append(number)
    return out


def _holds_table(grey: np.ndarray, dpi: float | None) -> bool:
    """A ruled table of at least three rows and three columns is drawn in the picture."""
    tables, _ = grid.find_tables(grid.binarise(grey), ocr.page_unit(grey.shape[1], dpi))
    return any(len({c.row for c in t.cells}) >= 3 and len({c.col for c in t.cells}) >= 3 for t in tables)
