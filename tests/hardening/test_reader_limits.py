"""Structural limits the hardening suite added to the readers: each refuses, quickly and with a
clear reason, an input of a few megabytes that used to take minutes and gigabytes to read."""

from __future__ import annotations

import io
import zipfile

import pytest

from pipeline import limits
from pipeline.errors import ReportError
from pipeline.extract import extract_bytes


def refused(data: bytes, source: str, reason: str) -> None:
    """extract_bytes refuses the input with `reason`, naming the file (how fast: benchmarks/hardening.py)."""
    with pytest.raises(ReportError, match=reason) as caught:
        extract_bytes(data, source)
    assert caught.value.source == source and str(caught.value).startswith(f"{source}: ")


@pytest.mark.parametrize(
    "data",
    [
        b"\t1\n" * (limits.MAX_TEXT_LINES + 1),
        b"x\r" * (limits.MAX_TEXT_LINES + 1),
        "行\u2028".encode() * (limits.MAX_TEXT_LINES + 1),
    ],
    ids=["cell-lines", "cr-lines", "unicode-line-separators"],
)
def test_text_with_more_lines_than_any_report(data: bytes) -> None:
    refused(data, "lines.txt", "行数过多")  # 5 M cell lines took 49 s and 2.1 GB before


def test_markdown_with_more_cells_than_any_report() -> None:
    refused(b"|1" * (limits.MAX_MARKDOWN_CELLS + 1), "cells.md", "表格单元格过多")


@pytest.mark.slow  # as heavy as the limit lets through
def test_text_just_under_the_line_limit_is_read() -> None:
    with pytest.raises(ReportError, match="not a disclosure report"):
        extract_bytes(b"x\n" * (limits.MAX_TEXT_LINES - 1), "long.txt")


@pytest.mark.parametrize(
    "data",
    [b"<p>x" * 5_000_000, b"<table><tr>" + b"<td>1</td>" * 1_900_000 + b"</table>"],
    ids=["paragraphs", "cells"],
)
def test_html_with_more_tags_than_any_report(data: bytes) -> None:
    # 5 M paragraphs raised lxml's XPathEvalError (not a ReportError) after 3 s and 1.5 GB;
    # 1.9 M cells took 37 s and 1.2 GB
    refused(data, "tags.html", "HTML 标签过多")


@pytest.mark.slow  # as heavy as the limit lets through
def test_html_just_under_the_tag_limit_is_read_in_seconds() -> None:
    data = b"<table><tr>" + b"<td>1</td>" * (limits.MAX_HTML_TAGS // 2 - 10) + b"</table>"
    with pytest.raises(ReportError, match="not a disclosure report"):
        extract_bytes(data, "many.html")


def docx_with_body(body: bytes) -> bytes:
    """A Word package (python-docx's default template) whose document.xml holds `body`."""
    import docx

    saved = io.BytesIO()
    docx.Document().save(saved)
    xml = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, xml % body if item.filename == "word/document.xml" else src.read(item))
    return out.getvalue()


def test_word_part_larger_than_any_report() -> None:
    # a 350 KB package whose document.xml held 2 M cells took 145 s and 2.8 GB to read
    cell = b"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"
    data = docx_with_body(b"<w:tbl>" + cell * (limits.MAX_DOCX_PART_BYTES // len(cell) + 1) + b"</w:tbl>")
    assert len(data) < 2 * 2**20
    refused(data, "cells.docx", "word/document.xml larger than 10 MiB decompressed / 文档部件过大")


def test_a_small_word_package_still_reads() -> None:
    data = docx_with_body(b"<w:p><w:r><w:t>x</w:t></w:r></w:p>")
    with pytest.raises(ReportError, match="not a disclosure report"):
        extract_bytes(data, "small.docx")


def test_running_out_of_memory_is_reported_as_the_limit_not_as_damage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under an ingest worker's memory cap a dense PDF page or a huge Word part ends in MemoryError;
    the readers used to call that a damaged file."""
    from hardening.badinputs import demo_bytes
    from pipeline.readers import docx, pdf

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    files = {form: demo_bytes(form) for form in ("pdf", "docx")}
    monkeypatch.setattr(pdf, "_page_blocks", exhausted)
    monkeypatch.setattr(docx.docx, "Document", exhausted)
    for form, data in files.items():
        with pytest.raises(ReportError) as caught:
            extract_bytes(data, f"report.{form}")
        assert caught.value.reason == limits.MEMORY_LIMIT_REASON
