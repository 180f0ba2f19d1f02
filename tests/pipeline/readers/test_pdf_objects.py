"""PDFium's page objects in pdfplumber's form: the same characters and graphics pdfminer makes."""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2
import pytest

from conftest import corpus_file
from hardening.badinputs import build_pdf, demo_bytes, pdf_pages
from pipeline.readers.pdf_objects import read_page

KEYS = ("x0", "x1", "top", "bottom")


def both(data: bytes):
    """(pdfminer's page, PDFium's objects) for every page of a PDF."""
    with pdfplumber.open(io.BytesIO(data)) as reference:
        document = pypdfium2.PdfDocument(data)
        for number, page in enumerate(reference.pages):
            yield page, read_page(document[number])


def boxes(objects: list[dict], *extra: str) -> list[tuple]:
    """The objects' `extra` attributes and (x0, x1, top, bottom), in reading order."""
    rows = [(*(o[k] for k in extra), *(o[k] for k in KEYS)) for o in objects]
    return sorted(rows, key=lambda row: (round(row[-2]), round(row[-4]), row[: len(extra)]))


def assert_same(mine: list[dict], reference: list[dict], *extra: str) -> None:
    """The same objects at the same places, to within 0.15 pt: PDFium keeps points in single
    precision and may take a glyph's advance from the font program where pdfminer reads /W."""
    ours, theirs = boxes(mine, *extra), boxes(reference, *extra)
    assert [row[: len(extra)] for row in ours] == [row[: len(extra)] for row in theirs]
    assert [row[len(extra) :] for row in ours] == [pytest.approx(row[len(extra) :], abs=0.15) for row in theirs]


@pytest.mark.parametrize("source", ["corpus WPS", "demo reportlab"])
def test_chars_rects_and_lines_are_pdfminers(source: str) -> None:
    """WPS's report (vertical-writing cells included) and the demo renderer's: every character with
    pdfminer's box, every rect and line where pdfminer puts it."""
    if source == "corpus WPS":
        data = corpus_file("huaian_hongze_qu_gov_2023.pdf").read_bytes()
    else:
        data = demo_bytes("pdf")
    for reference, objects in both(data):
        assert_same(objects.chars, reference.chars, "text", "upright")
        assert_same(objects.rects, reference.rects, "stroke", "fill")
        assert_same(objects.lines, reference.lines)
        assert_same(objects.curves, reference.curves)
        assert objects.images_count == len(reference.images)


def test_paths_classified_as_pdfminer_does() -> None:
    """A stroked move-line is a line, a filled `re` a rect, a closed triangle a curve, and a rect
    drawn inside a form XObject is placed through the form's matrix."""
    form = (
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 300 300] /Matrix [1 0 0 1 0 -100] /Length 17 >>\n"
        b"stream\n10 10 40 20 re S\nendstream"
    )
    content = b"20 250 m 120 250 l S 20 200 80 30 re f 150 150 m 200 150 l 175 190 l h S /Fm1 Do"
    objects = pdf_pages(1, content)
    objects[3] = objects[3].replace(b"/Resources <<", b"/Resources << /XObject << /Fm1 5 0 R >>")
    data = build_pdf([*objects, form])
    for reference, mine in both(data):
        assert [len(mine.lines), len(mine.rects), len(mine.curves)] == [1, 2, 1]
        assert boxes(mine.lines) == [(20, 120, 50, 50)]
        assert boxes(mine.rects, "fill") == [(True, 20, 100, 70, 100), (False, 10, 50, 370, 390)]
        assert_same(mine.lines + mine.curves, reference.lines + reference.curves)
