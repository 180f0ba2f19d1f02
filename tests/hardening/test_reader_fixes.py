"""Reader bugs the hardening suite's property tests found, one test each."""

from __future__ import annotations

import pytest

from hardening.badinputs import sample
from pipeline.errors import ReportError
from pipeline.extract import extract_bytes


@pytest.mark.parametrize("data", [b"\xff\xfe\n%%EOF\n", b"\xff\xfe" + b"\x00\xd8" * 3, b"\xfe\xff\x00"], ids=["odd-length", "lone-surrogates", "cut"])
def test_damaged_utf16_is_a_report_error(data: bytes) -> None:
    # used to raise UnicodeDecodeError out of the reader
    with pytest.raises(ReportError, match="not a disclosure report|empty file"):
        extract_bytes(data, "damaged-utf16.txt")


def test_utf16_report_cut_by_one_byte_still_reads() -> None:
    data = sample().decode("utf-8").encode("utf-16")
    record = extract_bytes(data[:-1], "cut-utf16.txt")
    assert (record.agency, record.year) == ("威海市环翠区孙家疃街道", 2020)
