"""The PDF reader on the two corpus PDFs (WPS and LibreOffice) and on hand-built PDFs."""

from __future__ import annotations

import re

import pytest

from conftest import corpus_file, tables
from hardening.badinputs import build_pdf, text_at
from hardening.badinputs import pdf_pages as pages
from pipeline.document import Paragraph, Table
from pipeline.errors import ReportError
from pipeline.readers import pdf, read_file

NUMBERS = re.compile(r"^\d+$")


def all_rows(doc) -> list[list[str]]:
    return [[cell.text for cell in row] for table in tables(doc) for row in table.rows()]


def row_ending(rows: list[list[str]], label: str) -> list[str]:
    """The row with `label` in a cell before its last seven (the numbers)."""
    return next(row for row in rows if any(label in text for text in row[:-7]))


def test_huaian_wps_tables_rows_are_label_plus_seven_numbers() -> None:
    doc = read_file(corpus_file("huaian_hongze_qu_gov_2023.pdf"))
    assert doc.format == "pdf"
    assert len(tables(doc)) == 5  # 二 (pp.2-3), 三 (pp.3-4), 四
    rows = all_rows(doc)
    assert row_ending(rows, "一、本年新收")[-8:] == ["一、本年新收政府信息公开申请数量", "21", "0", "0", "0", "0", "0", "21"]
    assert row_ending(rows, "1.本机关不掌握")[-7:] == ["10", "0", "0", "0", "0", "0", "10"]
    assert row_ending(rows, "3.补正后申请")[-7:] == ["0"] * 7  # first row after the page break
    assert row_ending(rows, "(七)总计")[-7:] == ["21", "0", "0", "0", "0", "0", "21"]  # NFKC: （七） -> (七)
    assert ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"] in rows
    table3 = tables(doc)[2]
    assert any(c.text == "申请人情况" and c.colspan == 7 for c in table3.cells)
    assert any(c.text == "三、本年度办理结果" and c.rowspan > 1 for c in table3.cells)


def test_huaian_text_lines_without_footers_or_table_text() -> None:
    doc = read_file(corpus_file("huaian_hongze_qu_gov_2023.pdf"))
    lines = [b for b in doc.blocks if isinstance(b, Paragraph)]
    assert lines[0] == Paragraph(text="洪泽区人民政府", where="page 1 line 1")
    assert not any(re.fullmatch(r"-\s*\d+\s*-", p.text) for p in lines)
    texts = [p.text for p in lines]
    assert not any("0 0 0" in t or t.startswith("行政处罚") for t in texts)  # table text only in tables
    assert texts.index("三、收到和处理政府信息公开申请情况") < texts.index("五、存在的主要问题及改进情况")
    assert "2023 年全区受理政府信息公开申请 21 件," in "".join(texts).replace("，", ",")


def test_pingtan_libreoffice_tables_split_across_pages() -> None:
    doc = read_file(corpus_file("pingtan_syq_2019.pdf"))
    assert [t.where for t in tables(doc)] == [
        "page 7 table 1", "page 8 table 1", "page 8 table 2", "page 9 table 1", "page 10 table 1", "page 10 table 2",
    ]  # fmt: skip
    rows = all_rows(doc)
    assert ["政府集中采购", "135", "75394432.52元"] in rows
    assert row_ending(rows, "一、本年新收")[-7:] == ["23", "0", "0", "0", "0", "0", "23"]
    assert row_ending(rows, "2. 重复申请")[-7:] == ["3", "0", "0", "0", "0", "0", "3"]
    assert row_ending(rows, "(七)总计")[-7:] == ["23", "0", "0", "0", "0", "0", "23"]
    data_rows = [r for r in rows if len(r) >= 8 and all(NUMBERS.match(t) for t in r[-7:])]
    assert len(data_rows) >= 20
    assert not any(b.where.startswith("page 1 ") for b in doc.blocks)  # the blank first page


def test_page_footers_are_dropped() -> None:
    content = text_at(250, b"Report body") + text_at(20, b"- 4 -") + text_at(40, b"\\227 5 \\227")
    doc = pdf.read(build_pdf(pages(1, content)), "footer.pdf")
    assert [b.text for b in doc.blocks] == ["Report body"]


def test_page_without_text_is_a_scanned_pdf() -> None:
    with pytest.raises(ReportError, match="无文本层"):
        pdf.read(build_pdf(pages(2)), "scan.pdf")


def test_password_protected_pdf() -> None:
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>" % (b"ab" * 32, b"cd" * 32)
    file_id = b"<0123456789abcdef0123456789abcdef>"
    data = build_pdf(pages(1, text_at(100, b"secret")) + [encrypt], b"/Encrypt 5 0 R /ID [%s %s]" % (file_id, file_id))
    with pytest.raises(ReportError, match="encrypted"):
        pdf.read(data, "locked.pdf")


def test_too_many_pages() -> None:
    with pytest.raises(ReportError, match="页数过多"):
        pdf.read(build_pdf(pages(pdf.MAX_PAGES + 1, text_at(100, b"x"))), "long.pdf")


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_truncated_corpus_pdf(keep: float) -> None:
    data = corpus_file("huaian_hongze_qu_gov_2023.pdf").read_bytes()
    with pytest.raises(ReportError, match="truncated"):
        pdf.read(data[: int(len(data) * keep)], "cut.pdf")


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", b"not a pdf at all %%EOF", b"%PDF-1.4\n%%EOF"],
    ids=["empty", "garbage", "no-header", "header-only"],
)
def test_bad_bytes_raise_report_error_only(data: bytes) -> None:
    with pytest.raises(ReportError):
        pdf.read(data, "bad.pdf")


def test_damaged_body_with_eof_marker() -> None:
    data = corpus_file("huaian_hongze_qu_gov_2023.pdf").read_bytes()
    with pytest.raises(ReportError, match="damaged PDF"):
        pdf.read(data[: len(data) // 2] + b"\n%%EOF\n", "patched.pdf")


def test_single_row_left_by_a_page_break_stays_a_table(tmp_path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "split.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.drawString(72, 760, "page one")
    sheet.showPage()
    sheet.grid([72, 272, 472], [700, 730])
    sheet.drawString(80, 710, "fees")
    sheet.drawString(280, 710, "12.5")
    sheet.save()
    tables = [b for b in pdf.read(path.read_bytes(), "split.pdf").blocks if isinstance(b, Table)]
    assert [[c.text for c in row] for t in tables for row in t.rows()] == [["fees", "12.5"]]
