"""Numbers in OCR'd cells: confusions undone, alternatives kept (no OCR engine needed)."""

from __future__ import annotations

from pipeline.readers.ocr import CellReading, _cell_reading, _number_reading
from pipeline.readers.ocr_engine import Glyph, Reading


def glyphs(*chars: str | tuple[str, float, tuple[tuple[str, float], ...]]) -> list[Glyph]:
    """Glyphs from plain characters (sure) or (char, prob, alternatives)."""
    return [Glyph(c, 0.99, ()) if isinstance(c, str) else Glyph(*c) for c in chars]


def test_lookalike_letters_and_zeros_read_as_digits() -> None:
    assert _number_reading(glyphs("l", "O")).text == "10"
    assert _number_reading(glyphs("S", "B")).text == "58"
    assert _number_reading(glyphs("2", "〇", "2", "3")).text == "2023"
    assert _number_reading(glyphs("I", "2", "0")).text == "120"


def test_stray_spaces_and_full_width_digits_inside_a_number() -> None:
    assert _number_reading(glyphs("1", " ", "1", "3", "6")).text == "1136"
    assert _number_reading(glyphs("７", "7", "3", "0", ".", "2", "8")).text == "7730.28"


def test_a_sign_is_kept_for_increase_and_decrease_columns() -> None:
    assert _number_reading(glyphs("-", "1", "3")).text == "-13"
    assert _number_reading(glyphs("+", "5")).text == "+5"


def test_runner_up_digits_become_alternatives_best_first() -> None:
    reading = _number_reading(glyphs(("8", 0.6, (("3", 0.35), ("B", 0.03))), "5"))
    assert reading.text == "85" and reading.options[:2] == ("85", "35")
    assert abs(reading.confidence - 0.63) < 1e-9  # B counts for 8
    assert "05" not in reading.options  # never a leading zero


def test_a_point_at_the_edge_of_a_number_is_a_speck_the_sums_must_confirm() -> None:
    reading = _number_reading(glyphs("7", "."))
    assert (reading.text, reading.options) == ("7", ("7",)) and reading.confidence == 0.5
    assert _number_reading(glyphs(".", "1", "2")).text == "12"
    assert _number_reading(glyphs("7", ".", "5")).confidence == 0.99  # an inner point is a decimal point


def test_a_cell_of_words_is_text_and_a_lone_circle_is_zero() -> None:
    words = _cell_reading([Reading(tuple(glyphs("规", "章")))], [(0, 0, 40, 20)])
    assert words == CellReading("规章", 0.99)
    assert _cell_reading([Reading(tuple(glyphs("。")))], [(0, 0, 10, 20)]).text == "0"


def test_ink_that_reads_as_nothing_is_unknown_not_blank() -> None:
    lone = _cell_reading([Reading(())], [(0, 0, 10, 20)])
    assert lone.text == "" and lone.confidence == 0.0 and lone.options == tuple("0123456789")
    wide = _cell_reading([Reading(())], [(0, 0, 60, 20)])
    assert wide.options == ("?",)
    assert _cell_reading([], []) == CellReading("", 1.0)  # no ink at all: a verified blank


def test_text_from_someone_elses_ocr_has_its_zeros_and_lookalikes_undone() -> None:
    from pipeline.document import Cell, Document, Paragraph, Table
    from pipeline.readers import ocr_text

    doc = Document("x.txt", "text", [
        Paragraph("2〇23年全年收取信息处理费〇元，二〇二三年"),
        Table([Cell("〇", 0, 0), Cell("l0", 0, 1), Cell("1 136", 0, 2), Cell("规章", 0, 3), Cell("S", 0, 4)]),
    ])
    ocr_text.repair(doc)
    assert doc.blocks[0].text == "2023年全年收取信息处理费0元，二〇二三年"  # the Chinese numeral stays
    assert [c.text for c in doc.blocks[1].cells] == ["0", "10", "1136", "规章", "S"]
