"""Hostile and odd inputs, built from nothing but the repository (no corpus needed), and the
outcome each must have. Shared by the hardening tests and `benchmarks/hardening.py`.

Good reports come from the sample the project ships (`pipeline/demo/samples/`, a real
report) and from the demo renderers (`pipeline.demo`), which print a made-up report in
every published form.
"""

from __future__ import annotations

import copy
import io
import random
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline import limits
from pipeline.demo.city import bodies
from pipeline.demo.numbers import series
from pipeline.demo.plan import plans
from pipeline.demo.render import render
from pipeline.demo.report import Report, compose
from pipeline.demo.tables import Grid

SAMPLE = Path(__file__).resolve().parents[2] / "pipeline" / "demo" / "samples" / "seed_sunjiatuan_2020.txt"
SEED = 1
FORMS = ("text", "scraped", "html", "docx", "pdf")


# ---------------------------------------------------------------- good reports


def sample() -> bytes:
    """The real report the project ships (威海市环翠区孙家疃街道 2020, plain text)."""
    return SAMPLE.read_bytes()


def demo_report(form: str, year: int = 2022, body: int = 0, drop: str | None = None) -> Report:
    """A clean demo report of one body and year in one form; `drop` removes one table ('t2', 't3', 't4')."""
    who = bodies("small")[body]
    plan = copy.copy(next(p for p in plans(who, SEED, "small") if p.year == year))
    plan.form, plan.blemishes, plan.error = form, set(), None
    report = compose(plan, series(who, SEED)[year], SEED)
    if drop:
        report.blocks = [b for b in report.blocks if not (isinstance(b, Grid) and b.name == drop)]
        report.values = {k: v for k, v in report.values.items() if not k.startswith(f"{drop}.")}
    return report


@cache
def demo_bytes(form: str, year: int = 2022, body: int = 0, drop: str | None = None) -> bytes:
    return render(demo_report(form, year, body, drop))


# ---------------------------------------------------------------- PDF by hand


def build_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A minimal PDF from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def pdf_pages(count: int, content: bytes = b"", compress: bool = False) -> list[bytes]:
    """Catalog, page tree, one shared content stream and `count` pages using Helvetica."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(count))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents 3 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >> >>"
    )
    stream = zlib.compress(content, 9) if compress else content
    flate = b" /Filter /FlateDecode" if compress else b""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), flate, stream),
    ] + [page] * count


def text_at(y: int, text: bytes) -> bytes:
    return b"BT /F1 12 Tf 20 %d Td (%s) Tj ET " % (y, text)


def encrypted_pdf() -> bytes:
    """A PDF under the standard security handler with an unknown user password."""
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (b"ab" * 32, b"cd" * 32)
    file_id = b"<0123456789abcdef0123456789abcdef>"
    objects = pdf_pages(1, text_at(100, b"secret")) + [encrypt]
    return build_pdf(objects, b"/Encrypt %d 0 R /ID [%s %s]" % (len(objects), file_id, file_id))


def scanned_pdf(pages: int = 3) -> bytes:
    """Pages that only paint an image (an inline 8x8 grey bitmap), as a scanner makes them."""
    image = b"q 260 0 0 260 20 20 cm BI /W 8 /H 8 /CS /G /BPC 8 ID " + bytes(range(0, 256, 4)) + b" EI Q"
    return build_pdf(pdf_pages(pages, image))


def pdf_flate_bomb(decompressed: int = 64 * 2**20) -> bytes:
    """One page whose content stream inflates ~1000-fold (a few spaces after one line of text)."""
    return build_pdf(pdf_pages(1, text_at(100, b"hello") + b" " * decompressed, compress=True))


def pdf_dense_page(lines: int = 2000) -> bytes:
    """One page of `lines` x 200 characters in a ~4 KB file: seconds and ~1 GB to lay out."""
    content = b"".join(text_at(280 - (i % 45) * 6, b"x" * 200) for i in range(lines))
    return build_pdf(pdf_pages(1, content, compress=True))


# ---------------------------------------------------------------- Word packages


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The package with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, replace.get(item.filename, src.read(item)))
    return out.getvalue()


def docx_zip_bomb() -> bytes:
    """A real report's package plus an 'image' of zeros that inflates past the package limit (~200 KB file)."""
    out = io.BytesIO(demo_bytes("docx"))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        with package.open("word/media/image9.png", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(limits.MAX_UNCOMPRESSED_BYTES // len(chunk) + 2):
                member.write(chunk)
    return out.getvalue()


def docx_xxe() -> bytes:
    """A report whose document.xml declares an external entity that reads /etc/passwd."""
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
    )
    return rezip(demo_bytes("docx"), {"word/document.xml": xxe})


def docx_cell_bomb() -> bytes:
    """A small package whose document.xml is one huge table (past the per-part limit)."""
    cell = b"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"
    with zipfile.ZipFile(io.BytesIO(demo_bytes("docx"))) as package:
        head = package.read("word/document.xml").split(b"<w:body>")[0]
    body = head + b"<w:body><w:tbl>" + cell * (limits.MAX_DOCX_PART_BYTES // len(cell) + 1) + b"</w:tbl></w:body></w:document>"
    return rezip(demo_bytes("docx"), {"word/document.xml": body})


# ---------------------------------------------------------------- HTML and text


def deep_html(depth: int = 100_000) -> bytes:
    """A report's text buried under `depth` nested divs."""
    return b"<div>" * depth + b"<p>2020\xe5\xb9\xb4</p>" + b"</div>" * depth


def huge_html() -> bytes:
    """~19 MB of table rows: more tags than any report page."""
    return b"<html><body><table>" + b"<tr><td>1</td><td>2</td></tr>" * 600_000 + b"</table></body></html>"


def span_bomb_html() -> bytes:
    """Every cell spans 65534 rows and 100000 columns."""
    return b"<table>" + b'<tr><td rowspan="65534" colspan="100000">x</td></tr>' * 2000 + b"</table>"


NOT_A_REPORT = (
    "关于召开2024年第一季度安全生产工作会议的通知\n"
    "各科室、各单位：\n"
    "为做好一季度安全生产工作，经研究，定于3月5日上午9时在三楼会议室召开会议。\n"
    "请各单位主要负责人准时参加，不得缺席。\n"
    "附件：参会回执\n"
)


def random_bytes(size: int = 256 * 1024, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


# ---------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    """One input and its defined outcome: an error whose reason matches `error`, or a record."""

    name: str
    make: Callable[[], bytes]
    error: str | None = None  # regex over the reason; None: a record is expected
    why: str = ""

    @property
    def expects_record(self) -> bool:
        return self.error is None


NOT_REPORT = "not a disclosure report"
CASES: list[Case] = [
    Case("empty.txt", lambda: b"", "empty file / 文件为空"),
    Case("blank.html", lambda: b" \n\t\r\n  ", "empty file / 文件为空"),
    Case("random.pdf", random_bytes, f"not text in any known encoding|{NOT_REPORT}", "random bytes, a report's extension"),
    Case("random.docx", lambda: random_bytes(seed=8), f"not text in any known encoding|{NOT_REPORT}"),
    Case("zip-random.docx", lambda: b"PK\x03\x04" + random_bytes(4096), "broken zip container"),
    Case("truncated.pdf", lambda: demo_bytes("pdf")[: len(demo_bytes("pdf")) // 2], "truncated PDF"),
    Case("patched-eof.pdf", lambda: demo_bytes("pdf")[: len(demo_bytes("pdf")) // 2] + b"\n%%EOF\n", "damaged PDF"),
    Case("encrypted.pdf", encrypted_pdf, "encrypted PDF"),
    Case("scanned.pdf", scanned_pdf, "no text layer"),
    Case("too-many-pages.pdf", lambda: build_pdf(pdf_pages(limits.MAX_PAGES + 1, text_at(100, b"x"))), "页数过多"),
    Case("flate-bomb.pdf", pdf_flate_bomb, NOT_REPORT, "64 MB content stream in a 65 KB file"),
    Case("zip-bomb.docx", docx_zip_bomb, "解压后过大"),
    Case("cell-bomb.docx", docx_cell_bomb, "文档部件过大"),
    Case("xxe.docx", docx_xxe, "declares a DTD or entities"),
    Case("not-a-word.docx", lambda: rezip(demo_bytes("docx"), {"word/document.xml": b"<w:document"}), "damaged Word document"),
    Case("deep.html", deep_html, f"no text in the HTML page|{NOT_REPORT}"),
    Case("huge.html", huge_html, "HTML 标签过多"),
    Case("span-bomb.html", span_bomb_html, "table grid too large"),
    Case("too-many-lines.txt", lambda: b"\t1\n" * (limits.MAX_TEXT_LINES + 1), "行数过多"),
    Case("not-a-report.txt", lambda: NOT_A_REPORT.encode("utf-8"), NOT_REPORT),
    Case("not-a-report-gbk.txt", lambda: NOT_A_REPORT.encode("gbk"), NOT_REPORT),
    Case("nul-bytes.txt", lambda: b"\x00" * 10_000, f"not text in any known encoding|{NOT_REPORT}"),
    # odd but good: these must come out as records
    Case("sample-gbk.txt", lambda: sample().decode("utf-8").encode("gbk")),
    Case("sample-utf16.txt", lambda: sample().decode("utf-8").encode("utf-16")),
    Case("sample-utf8-bom.txt", lambda: b"\xef\xbb\xbf" + sample()),
    Case("sample-crlf.txt", lambda: sample().replace(b"\n", b"\r\n")),
    Case("no-table-3.html", lambda: demo_bytes("html", drop="t3"), None, "a report with Table 三 missing: partial record"),
    Case("no-table-4.docx", lambda: demo_bytes("docx", drop="t4"), None, "a report with Table 四 missing: partial record"),
]
BY_NAME = {case.name: case for case in CASES}


def reason_of(message: str) -> str:
    """The reason part of a ReportError message '<source>: <reason>'."""
    return message.split(": ", 1)[1] if ": " in message else message


def matches(case: Case, reason: str) -> bool:
    return case.error is not None and re.search(case.error, reason) is not None


@cache
def data_of(name: str) -> bytes:
    """The bytes of one case, built once per process."""
    return BY_NAME[name].make()


def good_reports() -> dict[str, bytes]:
    """Good reports in every form, of different bodies (so none duplicates another), and the sample."""
    files = {"sample.txt": sample()}
    for body, form in enumerate(FORMS, start=1):
        files[f"demo-{form}-{body}.{'txt' if form in ('text', 'scraped') else form}"] = demo_bytes(form, body=body)
    return files
