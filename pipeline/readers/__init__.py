"""Readers: one module per published form, each turning bytes into a `Document`.

`read_file` sniffs the form from the content (not the extension) and dispatches.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.document import Document
from pipeline.errors import ReportError
from pipeline.limits import MAX_FILE_BYTES, MAX_MARKDOWN_CELLS, MAX_TEXT_LINES
from pipeline.readers import docx, embedded, html, image, markdown, pdf, pipes, scraped, text
from pipeline.readers.decode import UTF16_BOMS, decode_text

HTML_OPENINGS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<?xml")


def sniff(data: bytes, name: str) -> str:
    """The form of a file from its first bytes; the extension only breaks text ties."""
    head = data[:4096]
    if head.startswith(UTF16_BOMS):  # a page saved as UTF-16 ("Unicode"): its markers are characters
        head = head.decode("utf-16", errors="ignore").encode()
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if image.is_image(data):  # scans (issue 15): PNG/JPEG read by OCR
        return "image"
    lowered = head.lower()
    if lowered.startswith(HTML_OPENINGS) or b"<p" in lowered[:2048] or b"<table" in lowered:
        return "html"
    if name.lower().endswith(".md"):
        return "markdown"
    return "text"


def read_bytes(data: bytes, source: str) -> Document:
    """Read one report held in memory; `source` names it in errors and provenance."""
    if not data.strip():
        raise ReportError(source, "empty file / 文件为空")
    if len(data) > MAX_FILE_BYTES:
        raise ReportError(source, f"file larger than {MAX_FILE_BYTES // 2**20} MiB / 文件过大")
    form = sniff(data, source)
    if form == "pdf":
        return pdf.read(data, source)
    if form == "docx":  # pictures of tables are OCR'd (issue 15)
        return embedded.with_picture_tables(docx.read(data, source), embedded.docx_pictures(data), data)
    if form == "image":
        return image.read(data, source)
    if form == "html":
        return embedded.with_picture_tables(html.read(data, source), embedded.html_pictures(data), data)
    content = decode_text(data, source)
    if form in ("text", "markdown"):  # pipes read the same whatever the file is called
        form = "pipes" if pipes.looks_like_cell_pipes(content) else "markdown" if markdown.looks_like_pipe_rows(content) else form
    _check_text_size(content, form, source)
    if form == "markdown":
        return markdown.read(content, source)
    if form == "pipes":
        return pipes.read(content, source)
    if text.looks_like_cell_lines(content):
        return text.read(content, source)
    return scraped.read(content, source)


def _check_text_size(content: str, form: str, source: str) -> None:
    """Refuse text with more lines (or markdown cells) than any report: every line becomes a
    block or a cell, and millions of them take minutes and gigabytes to extract."""
    breaks = max(content.count("\n"), content.count("\r"))
    breaks += sum(content.count(c) for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    if breaks > MAX_TEXT_LINES:
        raise ReportError(source, f"more than {MAX_TEXT_LINES} lines / 行数过多")
    if form == "markdown" and content.count("|") > MAX_MARKDOWN_CELLS:
        raise ReportError(source, f"more than {MAX_MARKDOWN_CELLS} table cells / 表格单元格过多")


def read_file(path: str | Path) -> Document:
    """Read one report from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(path.name, f"cannot open file: {exc.strerror}") from None
    return read_bytes(data, path.name)
