"""A scanned PDF: the printed report as a body's scanner returns it — pages as images.

The PDF form of the report is rasterised (pypdfium2) at 200 dpi in grey, each page
slightly rotated, blurred and speckled with noise, JPEG-compressed, and placed on
an A4 page of an image-only PDF (reportlab). Those pages have no text layer, so the
reader has to OCR them. The cover page (title and Table 二) stays as printed, as in
reports whose body was scanned behind a typed cover — and because the fictional
city's rare 岫 is misread by OCR in a scanned title, while the tables are what the
round trip must prove. The draws come from the report's own stream.
"""

from __future__ import annotations

import hashlib
import io
import re

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from pipeline.demo.draw import Draw
from pipeline.demo.render import pdf
from pipeline.demo.report import Report

DPI = 200
MAX_SKEW_DEGREES = 0.6
NOISE_SIGMA = 10.0
JPEG_QUALITY = 70


def render(report: Report) -> bytes:
    """The report printed to PDF, its pages after the cover then scanned."""
    printed = pdf.render(report)
    draw = Draw("scan", report.source)
    return cover_and_scans(printed, image_pdf([scan(page, draw) for page in pages(printed)[1:]]))


def cover_and_scans(printed: bytes, scanned: bytes) -> bytes:
    """The printed first page followed by the scanned pages, as one PDF."""
    out = pypdfium2.PdfDocument.new()
    cover, rest = pypdfium2.PdfDocument(printed), pypdfium2.PdfDocument(scanned)
    try:
        out.import_pages(cover, [0])
        out.import_pages(rest)
        buffer = io.BytesIO()
        out.save(buffer)
        return _invariant(buffer.getvalue())
    finally:
        for document in (out, cover, rest):
            document.close()


def pages(data: bytes, dpi: int = DPI) -> list[np.ndarray]:
    """Each page of a PDF as a grey image."""
    document = pypdfium2.PdfDocument(data)
    try:
        out = []
        for page in document:
            out.append(np.array(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")))
            page.close()
        return out
    finally:
        document.close()


def scan(page: np.ndarray, draw: Draw) -> Image.Image:
    """A clean page as it comes off a scanner: a little skew, blur and noise."""
    image = Image.fromarray(page).rotate(draw.rng.uniform(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES),
                                         resample=Image.BILINEAR, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    noise = np.random.default_rng(draw.rng.randrange(2**32)).normal(0, NOISE_SIGMA, page.shape)
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.float32) - 12 + noise, 0, 255).astype(np.uint8))


def _invariant(data: bytes) -> bytes:
    """The same bytes for the same report: PDFium's save stamps the time and a random file id,
    both replaced in place (same length, so the cross-reference offsets stay valid)."""
    data = re.sub(rb"\(D:\d{14}", b"(D:20000101000000", data)
    digest = hashlib.md5(re.sub(rb"/ID\s*\[[^\]]*\]", b"", data)).hexdigest().upper().encode()  # an id, not security
    return re.sub(rb"/ID\s*\[<[0-9A-Fa-f]{32}><[0-9A-Fa-f]{32}>\]", b"/ID[<" + digest + b"><" + digest + b">]", data)


def image_pdf(images: list[Image.Image]) -> bytes:
    """An image-only A4 PDF, one JPEG per page."""
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=A4, invariant=1)
    for image in images:
        jpeg = io.BytesIO()
        image.save(jpeg, "JPEG", quality=JPEG_QUALITY)
        jpeg.seek(0)
        sheet.drawImage(ImageReader(jpeg), 0, 0, width=A4[0], height=A4[1])
        sheet.showPage()
    sheet.save()
    return out.getvalue()
