"""The arithmetic as an error-correcting code for OCR'd cells (no OCR engine needed).

A Table 三 row and Table 四 are built as the OCR reader would hand them over: values
located at table cells, and for each cell the readings the recogniser weighed.
"""

from __future__ import annotations

from pipeline.extract.proof import CERTAIN, prove
from pipeline.readers.ocr import CellReading
from pipeline.record import Record, Value
from pipeline.template import T3_COLUMNS, t3_key

ROW = "withheld_state_secret"


def _record(cells: dict[str, tuple[str, float, tuple[str, ...]]]) -> tuple[Record, dict[str, CellReading]]:
    """A record whose values sit at OCR'd cells: key → (text as read, confidence, options)."""
    record = Record(source="scan.pdf", format="pdf", template_version="2021")
    readings: dict[str, CellReading] = {}
    for n, (key, (text, confidence, options)) in enumerate(cells.items(), start=1):
        where = f"ocr page 3 table 2 row 9 col {n}"
        status = "reported" if text else "blank"
        record.values[key] = Value(int(text) if text else None, text, status, where)
        readings[where] = CellReading(text, confidence, options)
    return record, readings


def _row(natural: tuple[str, float, tuple[str, ...]], total: tuple[str, float, tuple[str, ...]]):
    """One Table 三 row: the natural-person cell and the total as given, the other columns sure zeros."""
    cells = {t3_key(ROW, "natural_person"): natural}
    cells |= {t3_key(ROW, c): ("0", 0.99, ("0",)) for c in T3_COLUMNS[1:6]}
    cells[t3_key(ROW, "total")] = total
    return _record(cells)


def test_an_unsure_digit_that_only_one_alternative_fits_is_corrected_and_marked() -> None:
    record, readings = _row(("8", 0.55, ("8", "3")), ("3", 0.99, ("3",)))
    prove(record, readings)
    value = record.values[t3_key(ROW, "natural_person")]
    assert value.value == 3 and value.status == "reported"
    assert "corrected from 8 (T3-ROW)" in value.where and value.where.startswith("ocr page 3")


def test_a_sure_digit_that_breaks_a_sum_is_caught_by_it() -> None:
    record, readings = _row(("8", 0.97, ("8", "3")), ("3", 0.99, ("3",)))
    prove(record, readings)
    assert record.values[t3_key(ROW, "natural_person")].value == 3
    assert "corrected from 8" in record.values[t3_key(ROW, "natural_person")].where


def test_two_readings_that_both_fit_make_the_keys_ambiguous_not_a_guess() -> None:
    # 8 = 8 and 3 = 3 both satisfy the row sum: nothing tells them apart
    record, readings = _row(("8", 0.5, ("8", "3")), ("8", 0.5, ("8", "3")))
    prove(record, readings)
    assert t3_key(ROW, "natural_person") not in record.values
    assert t3_key(ROW, "total") not in record.values
    assert record.ambiguous[t3_key(ROW, "natural_person")] == [8, 3]
    assert record.ambiguous[t3_key(ROW, "total")] == [8, 3]


def test_a_sure_reading_that_no_alternative_repairs_stands_as_the_reports_slip() -> None:
    record, readings = _row(("5", 0.99, ("5", "6")), ("0", 0.98, ("0", "8")))
    prove(record, readings)
    assert record.values[t3_key(ROW, "natural_person")].value == 5
    assert record.values[t3_key(ROW, "total")].value == 0
    assert "corrected" not in record.values[t3_key(ROW, "total")].where
    assert not record.ambiguous


def test_an_unsure_cell_no_rule_can_check_goes_to_ambiguous() -> None:
    record, readings = _record({"t2.admin_licensing.decisions": ("550", CERTAIN - 0.2, ("550", "560"))})
    prove(record, readings)
    assert "t2.admin_licensing.decisions" not in record.values
    assert record.ambiguous["t2.admin_licensing.decisions"] == [550, 560]


def test_ink_read_as_nothing_is_never_blank() -> None:
    # a lone digit the recogniser dropped: any digit, and the row sum says which
    record, readings = _row(("", 0.0, tuple("0123456789")), ("1", 0.99, ("1",)))
    prove(record, readings)
    value = record.values[t3_key(ROW, "natural_person")]
    assert value.value == 1 and value.status == "reported" and "corrected from unread" in value.where
    # wider ink that read as nothing is unknown: absent, not blank
    record, readings = _row(("", 0.0, ("?",)), ("1", 0.99, ("1",)))
    prove(record, readings)
    assert t3_key(ROW, "natural_person") not in record.values


def test_every_ocr_value_carries_its_confidence() -> None:
    record, readings = _row(("1", 0.99, ("1",)), ("1", 0.95, ("1",)))
    prove(record, readings)
    assert record.values[t3_key(ROW, "total")].where.endswith("conf 0.95")
    assert all(" conf " in v.where for v in record.values.values())


def test_a_sure_reading_that_breaks_a_sum_without_alternatives_stands_as_printed() -> None:
    # the report's own slip (or a digit dropped without hesitation): nothing among the OCR
    # alternatives repairs it, so the cells stand as read and the failed rule reports it
    record, readings = _row(("2", 0.99, ("2",)), ("21", 0.99, ("21",)))
    prove(record, readings)
    assert record.values[t3_key(ROW, "natural_person")].value == 2
    assert record.values[t3_key(ROW, "total")].value == 21
    assert not any("corrected" in v.where for v in record.values.values())


def _new_requests(natural: str, total: str) -> tuple[Record, dict[str, CellReading]]:
    """Table 三's first row as OCR read it, sure of every digit, beside printed column totals
    (carried over 0, processed 21 by natural persons, carried forward 0)."""
    cells = {t3_key("new_requests", "natural_person"): (natural, 0.99, (natural,))}
    cells |= {t3_key("new_requests", c): ("0", 0.99, ("0",)) for c in T3_COLUMNS[1:6]}
    cells[t3_key("new_requests", "total")] = (total, 0.99, (total,))
    record, readings = _record(cells)
    for column in T3_COLUMNS:
        processed = 21 if column in ("natural_person", "total") else 0
        for row, number in (("carried_over", 0), ("total_processed", processed), ("carried_forward", 0)):
            record.values[t3_key(row, column)] = Value(number, str(number), "reported", "table 1")
    return record, readings


def test_a_confident_misreading_is_repaired_where_exactly_one_digit_edit_fits_every_rule() -> None:
    for printed, read in (("21", "2"), ("21", "27"), ("21", "1")):  # a digit dropped or mistaken
        record, readings = _new_requests(read, printed)
        prove(record, readings)
        value = record.values[t3_key("new_requests", "natural_person")]
        assert value.value == 21 and f"corrected from {read} (T3-OFF, T3-ROW)" in value.where
        assert record.values[t3_key("new_requests", "total")].value == 21


def test_one_cell_that_breaks_its_row_and_its_column_takes_the_value_both_agree_on_marked() -> None:
    # arithmetic cannot tell a misread 21 from a report's typo here: the value both sums agree on
    # is taken, and the source says what was read, so a supervisor sees either case
    record, readings = _new_requests("21", "22")
    prove(record, readings)
    total = record.values[t3_key("new_requests", "total")]
    assert total.value == 21 and "corrected from 22" in total.where
