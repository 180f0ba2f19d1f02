"""The Word reader on the corpus documents and on damaged or hostile packages."""

from __future__ import annotations

import io
import zipfile

import pytest

from conftest import corpus_file, tables
from pipeline.document import Cell, Paragraph, Table
from pipeline.errors import ReportError
from pipeline.readers import docx, html, read_file


def texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows()]


def cell_with(table: Table, text: str) -> Cell:
    return next(c for c in table.cells if c.text == text)


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The package with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename, replace.get(item.filename, src.read(item)))
    return out.getvalue()


def test_shanghai_tables_have_origin_cells_with_spans() -> None:
    doc = read_file(corpus_file("shanghai_shizhengfu_bgt_2019.docx"))
    assert doc.format == "docx"
    assert len(tables(doc)) == 3
    table2, table3, table4 = tables(doc)
    rows = texts(table3)
    assert ["一、本年新收政府信息公开申请数量", "821", "35", "", "", "2", "1", "859"] in rows
    assert ["四、结转下年度继续办理", "72", "", "", "", "", "", "72"] in rows
    top_left = table3.cells[0]
    assert (top_left.row, top_left.col, top_left.rowspan, top_left.colspan) == (0, 0, 3, 3)
    assert cell_with(table3, "申请人情况").colspan == 7
    assert cell_with(table3, "自然人").rowspan == 2
    assert cell_with(table3, "三、本年度办理结果").rowspan == 20
    assert cell_with(table3, "（三）不予公开").rowspan == 8
    assert cell_with(table2, "本年新制作数量").colspan == 1  # line break inside the label joined
    assert len(texts(table4)[-1]) == 15
    assert sum(c.text == "申请人情况" for c in table3.cells) == 1  # each merged cell once


def test_docx_tables_match_the_html_fragment_they_were_made_from() -> None:
    from_docx = tables(read_file(corpus_file("shanghai_shizhengfu_bgt_2019.docx")))
    from_html = tables(read_file(corpus_file("shanghai_shizhengfu_bgt_2019_fragment.html")))
    assert [t.cells for t in from_docx] == [t.cells for t in from_html]


def test_paragraphs_interleave_with_tables_in_body_order() -> None:
    doc = read_file(corpus_file("shanghai_shizhengfu_bgt_2019.docx"))
    kinds = "".join("T" if isinstance(b, Table) else "P" for b in doc.blocks)
    assert kinds.count("T") == 3 and kinds.startswith("PPP") and kinds.endswith("P")
    assert doc.blocks[0] == Paragraph(text="2019年上海市人民政府办公厅政府信息公开工作年度报告", where="paragraph 1")
    before_table3 = doc.blocks[doc.blocks.index(tables(doc)[1]) - 1]
    assert "收到和处理政府信息公开申请情况" in before_table3.text


def test_blank_template_merged_cells_once_and_blank_cells_empty() -> None:
    doc = read_file(corpus_file("blank_template_2021.docx"))
    table2, table3, _ = tables(doc)
    assert sum(c.text == "第二十条第（一）项" for c in table2.cells) == 1
    assert cell_with(table2, "第二十条第（一）项").colspan == 4
    assert cell_with(table3, "三、本年度办理结果").rowspan == 22
    assert cell_with(table3, "（六）其他处理").rowspan == 3
    assert texts(table3)[3] == ["一、本年新收政府信息公开申请数量"] + [""] * 7
    assert not any("\u3000" in c.text for t in tables(doc) for c in t.cells)


def test_not_a_docx_zip() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReportError, match="not a Word document"):
        docx.read(out.getvalue(), "book.xlsx")


def test_doctype_in_a_part_is_refused() -> None:
    data = corpus_file("shanghai_shizhengfu_bgt_2019.docx").read_bytes()
    xxe = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document/>'
    with pytest.raises(ReportError, match="DTD"):
        docx.read(rezip(data, {"word/document.xml": xxe}), "xxe.docx")


def test_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = corpus_file("shanghai_shizhengfu_bgt_2019.docx").read_bytes()
    monkeypatch.setattr(docx, "MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(ReportError, match="解压后过大"):
        docx.read(data, "bomb.docx")


def test_damaged_main_part_is_a_report_error() -> None:
    data = corpus_file("shanghai_shizhengfu_bgt_2019.docx").read_bytes()
    with pytest.raises(ReportError, match="damaged Word document"):
        docx.read(rezip(data, {"word/document.xml": b"<w:document"}), "broken.docx")


@pytest.mark.parametrize("cut", [0, 10, 1000, -100])
def test_truncated_or_garbage_bytes(cut: int) -> None:
    data = corpus_file("shanghai_shizhengfu_bgt_2019.docx").read_bytes()
    with pytest.raises(ReportError):
        docx.read(data[:cut], "cut.docx")


def test_html_module_is_not_shadowed() -> None:
    """`pipeline.readers.docx` is our module, not python-docx; both readers import cleanly."""
    assert docx.read.__module__ == "pipeline.readers.docx" and html.read.__module__ == "pipeline.readers.html"
