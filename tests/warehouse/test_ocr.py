"""Scanned reports in the warehouse: which reports were OCR'd and how many of their values were read and corrected."""

from __future__ import annotations

import pytest

from ocr_fixtures import OTHER_CITY_BODY, SCANNED_BODY, scanned_reports, scanned_warehouse
from warehouse import ocr, prepare
from warehouse.queries import Filters


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = prepare.open_warehouse(scanned_warehouse(tmp_path_factory.mktemp("scanned")))
    yield connection
    connection.close()


def test_ocr_reports_count_read_and_corrected_values(con):
    found = ocr.ocr_reports(con, Filters())
    reports = {r.agency: r for r in scanned_reports()}
    assert found.select("agency_name", "year", "source_format").rows() == [
        (SCANNED_BODY, 2024, "pdf+ocr"),
        (OTHER_CITY_BODY, 2023, "image+ocr"),
    ]  # by body name; the typed report is not listed
    scanned = found.row(0, named=True)
    assert scanned["ocr_values"] == len(reports[SCANNED_BODY].values) == 42
    assert scanned["corrected"] == 1
    assert found.row(1, named=True)["corrected"] == 0
    assert scanned["source_file"] == f"{SCANNED_BODY}2024.txt"


def test_ocr_reports_follow_the_filter_frame(con):
    assert ocr.ocr_reports(con, Filters(city="戊市"))["agency_name"].to_list() == [OTHER_CITY_BODY]
    assert ocr.ocr_reports(con, Filters(years=(2024, 2024)))["agency_name"].to_list() == [SCANNED_BODY]
    assert ocr.ocr_reports(con, Filters(city="没有的市")).is_empty()


def test_sources_are_recognised():
    assert ocr.is_ocr_format("pdf+ocr") and ocr.is_ocr_format("image+ocr")
    assert not ocr.is_ocr_format("pdf") and not ocr.is_ocr_format(None)
    assert ocr.base_format("docx+ocr") == "docx" and ocr.base_format("pdf") == "pdf"
    read = "ocr page 3 table 2 row 7 col 4 conf 0.97"
    assert ocr.is_ocr_source(read) and not ocr.is_corrected(read)
    assert ocr.is_corrected(f"{read} corrected from 8 (T3-ROW)")
    assert not ocr.is_ocr_source("page 3 table 2 row 7 col 4") and not ocr.is_ocr_source(None)
    assert not ocr.is_corrected("table 三 corrected from 8")  # only an OCR'd value is corrected by OCR proof
