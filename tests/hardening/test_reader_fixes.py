"""Reader and extractor bugs the hardening suite found, one test each."""

from __future__ import annotations

import re

import pytest

from hardening.badinputs import demo_bytes, demo_report, sample
from pipeline.errors import ReportError
from pipeline.extract import extract_bytes


@pytest.mark.parametrize(
    "data", [b"\xff\xfe\n%%EOF\n", b"\xff\xfe" + b"\x00\xd8" * 3, b"\xfe\xff\x00"], ids=["odd-length", "lone-surrogates", "cut"]
)
def test_damaged_utf16_is_a_report_error(data: bytes) -> None:
    # used to raise UnicodeDecodeError out of the reader
    with pytest.raises(ReportError, match="not a disclosure report|empty file"):
        extract_bytes(data, "damaged-utf16.txt")


def test_utf16_report_cut_by_one_byte_still_reads() -> None:
    data = sample().decode("utf-8").encode("utf-16")
    record = extract_bytes(data[:-1], "cut-utf16.txt")
    assert (record.agency, record.year) == ("威海市环翠区孙家疃街道", 2020)


def _scraped_with_row(digits: str) -> bytes:
    """The demo's scraped report with Table 三's first row replaced by one digit run."""
    text, n = re.subn(
        r"(一、本年新收政府信息公开申请数量)[\d ]+", lambda m: m.group(1) + digits + " ", demo_bytes("scraped").decode()
    )
    assert n == 1
    return text.encode()


@pytest.mark.parametrize("length", [44, 400])
def test_an_overlong_digit_run_is_left_undecoded_quickly(length: int) -> None:
    # a 44-digit row took 104 s (every cut into 7 cells was tried), a 60-digit one hours
    record = extract_bytes(_scraped_with_row("7" * length), "long-run.txt")
    assert not [k for k in [*record.values, *record.ambiguous] if k.startswith("t3.new_requests.")], "never guessed"
    truth = demo_report("scraped").values
    assert record.values["t3.carried_over.total"].value == truth["t3.carried_over.total"], "the other rows still read"



def test_distinct_candidates_are_kept_in_linear_time() -> None:
    # up to MAX_CANDIDATES (20,000) decodings reach settle(); keeping the distinct ones was
    # quadratic (5 s of an 11 s extraction of a 784-byte file)
    from pipeline.extract.settle import settle
    from pipeline.record import Record

    options = [{"t3.x.a": i, "t3.x.b": 1} for i in range(20_000)] * 2
    record = Record(source="s", format="scraped")
    settle(record, "t3.x", options, "run", "here")
    assert record.candidates["t3.x"] == [{"t3.x.a": i} for i in range(20_000)]
    assert record.values["t3.x.b"].value == 1


@pytest.mark.parametrize("data", [b"x" * 2_000_000, ("2020年" + "某" * 300_000).encode()], ids=["no-year", "year-no-title"])
def test_a_long_line_without_a_title_is_searched_in_linear_time(data: bytes) -> None:
    # the title pattern is quadratic where it does not match: a 45 MB one-line file never ended
    # (fixed in identity.py by cutting head lines at TITLE_LINE_CHARS; carried by commit 92362e8)
    with pytest.raises(ReportError, match="not a disclosure report"):
        extract_bytes(data, "one-line.txt")
