"""Scanned pages: page images read by OCR into the same document model as every other form.

A page is straightened, its ruled tables are found from the pixels (`grid`), every cell
is cut out and read on its own, and the text outside the tables is read line by line
(`ocr_engine`). A cell with no ink left after noise removal is blank — verified from
the pixels, never because the recogniser missed a small digit — and a cell with ink is
always read, so a lone `0` is never lost to text detection.

Numbers are read with OCR's usual confusions undone (O/〇/D→0, l/I/|→1, S→5, B→8,
spaces inside a number dropped). Each numeric cell keeps its alternative readings
(from the recogniser's runners-up for each digit) and a confidence in
`OcrDocument.readings`, keyed by the cell's location; `extract.proof` settles them with
the template's arithmetic and stamps the values' provenance (`ocr … conf 0.93`).

Results are cached by the file's content hash (`ocr_cache`), so the same file is never
read twice; each page has a limit of CPU time (`XXGK_OCR_PAGE_SECONDS`: a busy machine does not
stop a page, a pathological one is stopped; the ingest worker's wall-clock limit bounds the file).
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import product

import numpy as np

from pipeline import progress
from pipeline.document import Cell, Document, Paragraph, Table
from pipeline.errors import ReportError
from pipeline.readers import grid, ocr_cache
from pipeline.readers.ocr_engine import EngineMissing, Reading, recogniser

#: Part of the cache key: a new engine or layout logic reads files afresh.
ENGINE_VERSION = "ppocrv4-rec/grid-5"
#: CPU seconds one page may take (about 5 are usual; a page is read on one thread).
PAGE_SECONDS = float(os.environ.get("XXGK_OCR_PAGE_SECONDS", "120"))
DEFAULT_DPI = 200
#: OCR's usual confusions inside a number (the mapping is applied only to cells that read as numbers).
DIGIT_LOOKALIKES = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0", "○": "0", "◯": "0", "零": "0",
    "l": "1", "I": "1", "|": "1", "i": "1", "!": "1", "丨": "1", "J": "1",
    "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9", "q": "9", "G": "6", "b": "6",
}
SIGNS = {"-": "-", "−": "-", "－": "-", "—": "-", "+": "+", "＋": "+"}
NUMBER_CHARS = frozenset("0123456789.,") | frozenset(DIGIT_LOOKALIKES) | frozenset(SIGNS)
#: What a lone `0` in a cell is often read as (not inside a number, where `。` may be a decimal point).
LONE_ZERO = frozenset({"。", "o", "O", "°"})
#: How sure a number is whose edge point was dropped as a speck: below `proof.CERTAIN`, so the sums must confirm it.
SPECK_CONFIDENCE = 0.5
ALTERNATIVE_FLOOR = 0.02  # a runner-up less likely than this is no alternative
MAX_OPTIONS = 8


@dataclass(frozen=True)
class CellReading:
    """How OCR read one table cell: the text chosen, how sure it was, and the readings it weighed."""

    text: str
    confidence: float
    options: tuple[str, ...] = ()


@dataclass
class OcrDocument(Document):
    """A document some of whose pages were read by OCR, with the cell readings for `extract.proof`;
    its format ends in `+ocr` (`pdf+ocr`, `docx+ocr`, `html+ocr`, `image+ocr`), which the
    warehouse keeps as `reports.source_format`."""

    readings: dict[str, CellReading] = field(default_factory=dict)
    ocr_pages: list[int] = field(default_factory=list)


class PageTimeout(ReportError):
    """One page took longer than the per-page limit."""


def page_unit(width_px: int, dpi: float | None) -> int:
    """About one table character's height in pixels (10 pt); without a dpi, an A4-wide page is assumed."""
    dpi = dpi or width_px / 8.27
    return max(12, round(dpi * 10 / 72))


def read_page(grey: np.ndarray, number: int, dpi: float | None, deadline: float | None = None,
              label: str = "page") -> tuple[list, dict]:
    """One page image → its blocks (tables and text lines, top to bottom) and its cell readings;
    their places read `ocr <label> <number> …`."""
    page = grid.deskew(grey)
    ink = _denoise(grid.binarise(page))
    unit = page_unit(page.shape[1], dpi)
    tables, rulings = grid.find_tables(ink, unit)
    cell_ink = ink & ~rulings
    crops: list[np.ndarray] = []
    jobs: list[tuple] = []  # (kind, payload) in the order their crops were added
    prose = ink.copy()
    cell_boxes: list[tuple[grid.Box, grid.Box]] = []  # the cells' crops come first, in this order
    for t, table in enumerate(tables, start=1):
        x0, y0, x1, y1 = table.box
        prose[max(0, y0 - 3) : y1 + 4, max(0, x0 - 3) : x1 + 4] = False
        for cell in table.cells:
            lines = _cell_lines(cell_ink, cell.box, unit)
            jobs.append(("cell", (t, cell, lines)))
            crops.extend(_crop(page, box, clip=_inset(cell.box, unit)) for box in lines)
            cell_boxes.extend((box, _inset(cell.box, unit)) for box in lines)
    lines = [line for line in grid.text_lines(prose, (0, 0, page.shape[1], page.shape[0]), max_gap=unit // 6)
             if _is_text(ink, line, unit) and not _is_folio(line, page.shape[0], unit)]
    for line in lines:
        segments = _segments(prose, line, unit)
        jobs.append(("line", (line, len(segments))))
        crops.extend(_crop(page, box) for box in segments)
    readings = _read_all(crops, deadline, number)
    _reread(page, readings, cell_boxes, deadline, number)
    return _assemble(jobs, readings, tables, f"{label} {number}")


def _reread(page: np.ndarray, readings: list[Reading], boxes: list[tuple[grid.Box, grid.Box]],
            deadline: float | None, number: int) -> None:
    """Cells with ink that read as nothing (a lone `1` is easily dropped) are read again from
    crops with other margins; the first reading that finds characters is kept."""
    for margin in (0.5, 2.0):
        missed = [i for i, (box, clip) in enumerate(boxes) if not readings[i].glyphs]
        if not missed:
            return
        again = _read_all([_crop(page, boxes[i][0], boxes[i][1], margin) for i in missed], deadline, number)
        for i, reading in zip(missed, again, strict=False):
            if reading.glyphs:
                readings[i] = reading


def _read_all(crops: list[np.ndarray], deadline: float | None, number: int) -> list[Reading]:
    """All crops of a page in batches, checking the page's time limit between batches."""
    engine = recogniser()
    out: list[Reading] = []
    for start in range(0, len(crops), 32):
        if deadline is not None and time.process_time() > deadline:
            raise PageTimeout(f"page {number}", f"OCR time limit exceeded on page {number} / 第{number}页识别超时")
        out.extend(engine.read(crops[start : start + 32]))
    return out


def _assemble(jobs: list[tuple], readings: list[Reading], tables: list[grid.Grid], place: str) -> tuple[list, dict]:
    """Blocks in vertical order from the jobs and their readings, plus the numeric cells' readings."""
    placed: list[tuple[int, Paragraph | Table]] = []
    cells: dict[int, list[Cell]] = {t: [] for t in range(1, len(tables) + 1)}
    cell_readings: dict[str, CellReading] = {}
    position = 0
    line_count = 0
    for kind, payload in jobs:
        if kind == "cell":
            t, cell, lines = payload
            parts = readings[position : position + len(lines)]
            position += len(lines)
            reading = _cell_reading(parts, lines)
            where = f"ocr {place} table {t} row {cell.row + 1} col {cell.col + 1}"
            cells[t].append(Cell(reading.text, cell.row, cell.col, cell.rowspan, cell.colspan))
            if reading.options:
                cell_readings[where] = reading
        else:
            line, count = payload
            parts = readings[position : position + count]
            position += count
            text = " ".join(_text(p) for p in parts if p.glyphs).strip()
            if text:
                line_count += 1
                placed.append((line[1], Paragraph(text, f"ocr {place} line {line_count}")))
    for t, table in enumerate(tables, start=1):
        placed.append((table.box[1], Table(cells[t], where=f"ocr {place} table {t}")))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed], cell_readings


def _text(reading: Reading) -> str:
    """A line's text, NFKC-normalised as the PDF reader normalises its text layer."""
    return unicodedata.normalize("NFKC", reading.text).strip()


def _cell_reading(parts: list[Reading], lines: list[grid.Box]) -> CellReading:
    """A cell's text; a number's confusions undone and its alternatives listed; blank when no ink."""
    if not parts:
        return CellReading("", 1.0)
    glyphs = [g for p in parts for g in p.glyphs]
    raw = "".join(_text(p) for p in parts)
    squeezed = raw.replace(" ", "")
    if not glyphs:  # ink read as nothing, twice: unknown, never blank; one glyph's worth may be any digit
        x0, y0, x1, y1 = lines[0]
        single = len(lines) == 1 and (x1 - x0) <= 1.2 * (y1 - y0)
        return CellReading("", 0.0, tuple("0123456789") if single else ("?",))
    if squeezed in LONE_ZERO:
        squeezed = "0"
        glyphs = [replace(glyphs[0], char="0")]
    if squeezed and set(squeezed) <= NUMBER_CHARS and any(c.isdigit() or c in DIGIT_LOOKALIKES for c in squeezed):
        return _number_reading(glyphs)
    return CellReading(raw, min(g.prob for g in glyphs))


def _number_reading(glyphs: list) -> CellReading:
    """The digits of a numeric cell and the likeliest alternative readings, best first."""
    choices: list[list[tuple[str, float]]] = []
    for glyph in glyphs:
        if glyph.char.strip() in ("", ","):
            continue  # a stray space or thousands separator inside a number
        if not choices and glyph.char in SIGNS:
            choices.append([(SIGNS[glyph.char], glyph.prob)])  # 本年增/减 prints a sign
            continue
        scores: dict[str, float] = {}
        for char, prob in ((glyph.char, glyph.prob), *glyph.alternatives):
            char = unicodedata.normalize("NFKC", char)
            digit = DIGIT_LOOKALIKES.get(char, char)
            if digit.isdigit() or digit == ".":
                scores[digit] = scores.get(digit, 0.0) + prob
        if not scores:
            continue
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        choices.append([ranked[0], *[(d, p) for d, p in ranked[1:] if p >= ALTERNATIVE_FLOOR]])
    if not choices:
        return CellReading("", 0.0, ("?",))
    combos = sorted(product(*choices), key=lambda combo: -float(np.prod([p for _, p in combo])))
    printed = ["".join(d for d, _ in combo) for combo in combos[: MAX_OPTIONS * 4]]
    options = [s for s in printed if _well_formed(s)]
    confidence = min(c[0][1] for c in choices)
    if not options:  # a speck beside the digits read as a point ("7."): the digits, unsure until the sums agree
        options = [s for s in dict.fromkeys(s.strip(".") for s in printed) if _well_formed(s)]
        confidence = min(confidence, SPECK_CONFIDENCE)
    best = options[0] if options else "".join(c[0][0] for c in choices)
    unique = list(dict.fromkeys([best, *options]))[:MAX_OPTIONS]
    return CellReading(best, min(1.0, confidence), tuple(unique))


def _well_formed(number: str) -> bool:
    """A printable cell value: digits with at most one inner decimal point, no leading zero."""
    whole, _, fraction = number.lstrip("+-").partition(".")
    if not whole or "." in fraction or number.endswith("."):
        return False
    return len(whole) == 1 or whole[0] != "0"


def _denoise(ink: np.ndarray) -> np.ndarray:
    """Drop isolated dark pixels (scanner noise): keep a pixel with at least two dark neighbours."""
    padded = np.pad(ink.astype(np.uint8), 1)
    neighbours = sum(
        padded[1 + dy : padded.shape[0] - 1 + dy, 1 + dx : padded.shape[1] - 1 + dx]
        for dy in (-1, 0, 1) for dx in (-1, 0, 1)
    )
    return ink & (neighbours >= 3)


def _inset(box: grid.Box, unit: int) -> grid.Box:
    """A cell's box without its rulings."""
    pad = unit // 6 + 3
    x0, y0, x1, y1 = box
    return (x0 + pad, y0 + pad, max(x0 + pad + 1, x1 - pad), max(y0 + pad + 1, y1 - pad))


def _cell_lines(ink: np.ndarray, box: grid.Box, unit: int) -> list[grid.Box]:
    """Text lines inside a cell; leftovers of a ruling along the edge and specks are not text."""
    inner = _inset(box, unit)
    return [line for line in grid.text_lines(ink, inner, max_gap=unit // 4) if _is_text(ink, line, unit)]


def _is_text(ink: np.ndarray, line: grid.Box, unit: int) -> bool:
    """Enough ink to be a character, and not a hairline (a ruling's leftover or a shadow edge)."""
    x0, y0, x1, y1 = line
    height, width = y1 - y0, x1 - x0
    if (height <= 3 and width > 2 * unit) or height > 4 * unit:
        return False  # a ruling's leftover or a shadow edge; a picture or a seal, not a line of text
    return int(ink[y0:y1, x0:x1].sum()) >= max(12, unit // 2) and (height >= unit // 5 or width >= unit // 3)


def _is_folio(line: grid.Box, height: int, unit: int) -> bool:
    """A page number: a short line in the bottom tenth of the page (`- 2 -`)."""
    return line[1] > 0.9 * height and line[2] - line[0] < 5 * unit


def _segments(ink: np.ndarray, line: grid.Box, unit: int) -> list[grid.Box]:
    """A text line cut where a wide gap separates its parts (a date at the right margin)."""
    x0, y0, x1, y1 = line
    cols = np.flatnonzero(ink[y0:y1, x0:x1].any(axis=0))
    if not len(cols):
        return []
    pieces = np.split(cols, np.flatnonzero(np.diff(cols) > 3 * unit) + 1)
    return [(x0 + int(p[0]), y0, x0 + int(p[-1]) + 1, y1) for p in pieces]


def _crop(page: np.ndarray, box: grid.Box, clip: grid.Box | None = None, margin: float = 1.0) -> np.ndarray:
    """A text line with a thin margin of its own paper: the recogniser expects the text to fill
    the line's height (with wide margins a lone `0` reads as `。`). `clip` keeps cell borders out."""
    x0, y0, x1, y1 = box
    height = max(1, y1 - y0)
    my, mx = max(2, round(margin * height / 10)), max(4, round(margin * height / 5))
    left, top, right, bottom = x0 - mx, y0 - my, x1 + mx, y1 + my
    inner = clip or (0, 0, page.shape[1], page.shape[0])
    cx0, cy0 = max(left, inner[0], 0), max(top, inner[1], 0)
    cx1, cy1 = min(right, inner[2], page.shape[1]), min(bottom, inner[3], page.shape[0])
    region = page[cy0:cy1, cx0:cx1]
    paper = int(np.percentile(region, 90)) if region.size else 255
    canvas = np.full((bottom - top, right - left), paper, dtype=np.uint8)
    canvas[cy0 - top : cy1 - top, cx0 - left : cx1 - left] = region
    return canvas


# ---------------------------------------------------------------- documents


def read_pages(numbers: list[int], render: Callable[[int], np.ndarray], dpi: float | None, data: bytes,
               source: str, label: str = "page") -> dict[int, tuple[list, dict]]:
    """OCR the given pages of one file through the content-hash cache; `render` draws a page
    (1-based) as a grey image, one page at a time so memory stays flat over long files."""
    cached = ocr_cache.load(data, ENGINE_VERSION) or {}
    if all(n in cached for n in numbers):
        return {n: cached[n] for n in numbers}
    try:
        recogniser()
    except EngineMissing as exc:
        raise ReportError(source, f"no text layer (scanned) and no OCR engine: {exc} / 无文本层，无法识别") from None
    results = dict(cached)
    for done, number in enumerate(numbers, start=1):
        if number not in results:
            try:
                results[number] = read_page(render(number), number, dpi, time.process_time() + PAGE_SECONDS, label)
            except PageTimeout as exc:
                raise ReportError(source, exc.reason) from None
            ocr_cache.store(data, ENGINE_VERSION, results)  # a file stopped midway resumes at its next page
        progress.step("OCR", done, len(numbers))  # the ingest shows it and renews the file's time allowance
    return {n: results[n] for n in numbers}


def document(source: str, form: str, pages: list[list], ocr_results: dict[int, tuple[list, dict]]) -> OcrDocument:
    """A document from per-page blocks, OCR'd pages taking their blocks from the OCR results."""
    doc = OcrDocument(source=source, format=form)
    for number, blocks in enumerate(pages, start=1):
        if number in ocr_results:
            page_blocks, readings = ocr_results[number]
            doc.blocks.extend(page_blocks)
            doc.readings.update(readings)
            doc.ocr_pages.append(number)
        else:
            doc.blocks.extend(blocks)
    if not doc.blocks:
        raise ReportError(source, "no text layer, and OCR found no text / 无文本层，未识别到文字")
    return doc
