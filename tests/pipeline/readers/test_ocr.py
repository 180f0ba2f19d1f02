"""OCR of scanned reports: real page images read into the document model and proven by arithmetic.

Needs the PP-OCRv4 model of `rapidocr-onnxruntime` and onnxruntime; skips with that reason
where they are missing. Reading a whole scanned report takes tens of seconds on a shared
core, so those tests are marked slow.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import SHARED, corpus_file
from pipeline.demo.render.scan import image_pdf, pages
from pipeline.document import Table
from pipeline.evaluate import same
from pipeline.extract import extract_bytes
from pipeline.readers import grid, ocr, read_bytes
from pipeline.readers.ocr_engine import EngineMissing, recogniser

try:
    recogniser()
except EngineMissing as missing:
    pytest.skip(f"OCR engine not installed ({missing}); pip install rapidocr-onnxruntime", allow_module_level=True)

SCAN = SHARED / "variants" / "huaian_hongze_qu_gov_2023_scan.pdf"
SCAN_TRUTH = SHARED / "variants" / "truth" / "huaian_hongze_qu_gov_2023_scan.json"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> None:
    """Every test reads through its own, empty OCR cache."""
    monkeypatch.setenv("XXGK_OCR_CACHE", str(tmp_path / "ocr-cache"))


def ruled_table(rows: list[list[str]], cell=(150, 70)) -> bytes:
    """A PNG of a ruled table with the given digits (an empty string leaves the cell blank)."""
    width, height = cell[0] * len(rows[0]) + 100, cell[1] * len(rows) + 100
    image = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=34)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x, y = 50 + c * cell[0], 50 + r * cell[1]
            draw.rectangle((x, y, x + cell[0], y + cell[1]), outline=20, width=3)
            if text:
                draw.text((x + cell[0] // 2, y + cell[1] // 2), text, fill=25, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(200, 200))
    return out.getvalue()


def scan_truth() -> dict:
    if not SCAN.exists() or not SCAN_TRUTH.exists():
        pytest.skip(f"scanned variant not found at {SCAN} (CI places ../shared beside the clone)")
    return json.loads(SCAN_TRUTH.read_text(encoding="utf-8"))


def test_a_ruled_table_image_becomes_cells_and_blank_cells_are_verified_blank() -> None:
    doc = read_bytes(ruled_table([["0", "7", ""], ["15", "", "306"], ["1", "2", "3"]]), "table.png")
    assert doc.format == "image+ocr"
    [table] = [b for b in doc.blocks if isinstance(b, Table)]
    grid_text = [[c.text for c in row] for row in table.rows()]
    assert grid_text == [["0", "7", ""], ["15", "", "306"], ["1", "2", "3"]]
    assert all(len(row) == 3 for row in table.rows())
    blanks = [f"{table.where} row {c.row + 1} col {c.col + 1}" for c in table.cells if not c.text]
    assert blanks and not any(where in doc.readings for where in blanks)  # no ink: nothing to prove
    assert doc.readings[f"{table.where} row 1 col 1"].text == "0"  # a lone zero is read, not lost


def test_a_second_read_of_the_same_file_comes_from_the_cache(monkeypatch, tmp_path) -> None:
    data = ruled_table([["4", "5"], ["6", ""]])
    first = read_bytes(data, "table.png")
    assert list((tmp_path / "ocr-cache").glob("*.json"))

    def no_engine():
        raise AssertionError("the recogniser ran again for a cached file")

    monkeypatch.setattr(ocr, "recogniser", no_engine)
    again = read_bytes(data, "copy-of-table.png")
    assert [b.cells for b in again.blocks if isinstance(b, Table)] == [b.cells for b in first.blocks if isinstance(b, Table)]
    assert again.readings == first.readings


def test_a_table_pasted_into_word_or_html_as_a_picture_is_read() -> None:
    import base64

    import docx

    picture = ruled_table([["12", "0", "3"], ["", "5", "17"], ["4", "4", "8"]])
    word = docx.Document()
    word.add_paragraph("二、主动公开政府信息情况")
    word.add_picture(io.BytesIO(picture))
    saved = io.BytesIO()
    word.save(saved)
    page = b"<html><body><p>\xe4\xb8\x89</p><img src='data:image/png;base64," + base64.b64encode(picture) + b"'></body></html>"
    for data, name in ((saved.getvalue(), "report.docx"), (page, "report.html")):
        doc = read_bytes(data, name)
        [table] = [b for b in doc.blocks if isinstance(b, Table)]
        assert [[c.text for c in row] for row in table.rows()] == [["12", "0", "3"], ["", "5", "17"], ["4", "4", "8"]]
        assert table.where == "ocr image 1 table 1" and doc.format == name.split(".")[1] + "+ocr"


def test_a_text_layer_pdf_is_not_ocrd() -> None:
    doc = read_bytes(corpus_file("huaian_hongze_qu_gov_2023.pdf").read_bytes(), "huaian.pdf")
    assert not isinstance(doc, ocr.OcrDocument)


@pytest.mark.slow
def test_the_scanned_report_reads_to_its_truth() -> None:
    truth = scan_truth()
    record = extract_bytes(SCAN.read_bytes(), SCAN.name)
    got = record.to_json()["values"]
    wrong = [k for k, v in truth["values"].items() if k not in got or not same(v, got[k])]
    assert wrong == []
    assert (record.agency, record.year, record.template_version) == (truth["agency"], truth["year"], "2021")
    sources = [v.where for k, v in record.values.items() if k.startswith("t3.") and v.status == "reported"]
    assert sources and all(s.startswith("ocr page ") and " conf " in s for s in sources)


def _damage_digit(page: np.ndarray, table_index: int, row: int, col: int) -> np.ndarray:
    """Paint out the left half of the digit in one cell (row, col 0-based) of a page's table:
    a 4 loses its slanted stroke and looks like a 1."""
    straight = grid.deskew(page)
    unit = ocr.page_unit(straight.shape[1], 200)
    ink = grid.binarise(straight)
    tables, rulings = grid.find_tables(ink, unit)
    cell = next(c for c in tables[table_index].cells if (c.row, c.col) == (row, col))
    x0, y0, x1, y1 = ocr._inset(cell.box, unit)
    ys, xs = np.nonzero((ink & ~rulings)[y0:y1, x0:x1])
    left, right = x0 + xs.min(), x0 + xs.max()
    damaged = straight.copy()
    damaged[y0 + ys.min() - 1 : y0 + ys.max() + 2, left - 1 : (left + right) // 2] = int(np.median(straight[y0:y1, x0:x1]))
    return damaged


@pytest.mark.slow
def test_a_damaged_digit_is_corrected_by_the_arithmetic_or_left_ambiguous_never_wrong() -> None:
    truth = scan_truth()
    images = pages(SCAN.read_bytes())[2:4]  # Table 二's end, Table 三, Table 四
    key = "t3.partially_disclosed.natural_person"  # the 4 of （二）部分公开, row 7 of Table 三 on page 3
    images[0] = _damage_digit(images[0], table_index=1, row=6, col=3)
    record = extract_bytes(image_pdf([Image.fromarray(p) for p in images]), "damaged.pdf")
    got = record.to_json()["values"]
    if key in got:
        assert got[key] == truth["values"][key] and "corrected from" in record.values[key].where
    else:
        assert truth["values"][key] in record.ambiguous[key]
    t3_wrong = [k for k, v in truth["values"].items() if k.startswith("t3.") and k in got and not same(v, got[k])]
    assert t3_wrong == []
