"""The HTML reader on the corpus pages and on small, hostile or oddly encoded inputs."""

from __future__ import annotations

import pytest

from conftest import corpus_file, tables
from pipeline.document import Cell, Paragraph, Table
from pipeline.errors import ReportError
from pipeline.readers import html, read_bytes, read_file


def row_starting(table: Table, label: str) -> list[str]:
    """Texts of the first row whose first cell contains `label`."""
    return next([c.text for c in row] for row in table.rows() if label in row[0].text)


def cell_with(table: Table, text: str) -> Cell:
    return next(c for c in table.cells if c.text == text)


def test_shanghai_fragment_blank_cells_and_br_labels() -> None:
    doc = read_file(corpus_file("shanghai_shizhengfu_bgt_2019_fragment.html"))
    assert doc.format == "html"
    assert len(tables(doc)) == 3
    table2, table3, table4 = tables(doc)
    assert row_starting(table3, "一、本年新收") == ["一、本年新收政府信息公开申请数量", "821", "35", "", "", "2", "1", "859"]
    assert row_starting(table3, "（七）总计") == ["（七）总计", "767", "35", "", "", "2", "1", "805"]
    assert cell_with(table2, "本年新制作数量").colspan == 1  # "本年新<br />制作数量", no space added
    assert cell_with(table2, "251000元").colspan == 2
    assert cell_with(table3, "申请人情况").colspan == 7
    top_left = table3.cells[0]
    assert (top_left.rowspan, top_left.colspan) == (3, 3) and top_left.text.startswith("（本列数据的勾稽关系")
    assert cell_with(table3, "三、本年度办理结果").rowspan == 20
    assert [c.text for c in table4.rows()[-1]] == ["5", "", "", "2", "7", "8", "", "", "1", "9", "", "", "", "", ""]
    assert all("\xa0" not in c.text for t in tables(doc) for c in t.cells)
    assert doc.blocks[0] == Paragraph(text="2019年上海市人民政府办公厅政府信息公开工作年度报告", where="paragraph 1")


def test_pingtan_page_loses_chrome_keeps_article() -> None:
    doc = read_file(corpus_file("pingtan_syq_2019.html"))
    text = doc.text()
    assert len(tables(doc)) == 3
    for chrome in ("闽ICP备", "网站标识码", "当前位置", "友情链接", "扫一扫"):
        assert chrome not in text
    assert doc.blocks[0].where == "title" and "平潭综合实验区2019年度政府信息公开工作年度报告" in doc.blocks[0].text
    assert "一、总体情况" in text and "无其他需要报告的事项" in text
    table2, table3, table4 = tables(doc)
    assert row_starting(table2, "政府集中采购") == ["政府集中采购", "135", "75394432.52元"]
    assert row_starting(table3, "一、本年新收") == ["一、本年新收政府信息公开申请数量", "23", "0", "0", "0", "0", "0", "23"]
    assert row_starting(table3, "3.补正后申请内容仍不明确") == ["3.补正后申请内容仍不明确", "5", "0", "0", "0", "0", "0", "5"]
    assert len(table4.rows()[-1]) == 15
    headings = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert headings.index("二、主动公开政府信息情况") < headings.index("三、收到和处理政府信息公开申请情况")


def test_rowspan_colspan_grid() -> None:
    page = b"""<table>
      <tr><td rowspan="2" colspan="2">A</td><td>B</td></tr>
      <tr><td>C</td></tr>
      <tr><td>D</td><td colspan="2">E</td></tr>
      <tr><td rowspan="0">F</td><td>G</td><td>H</td></tr>
      <tr><td>I</td><td>J</td></tr>
    </table>"""
    table = tables(html.read(page, "spans.html"))[0]
    assert table.cells == [
        Cell("A", 0, 0, 2, 2), Cell("B", 0, 2),
        Cell("C", 1, 2),
        Cell("D", 2, 0), Cell("E", 2, 1, 1, 2),
        Cell("F", 3, 0, 2, 1), Cell("G", 3, 1), Cell("H", 3, 2),
        Cell("I", 4, 1), Cell("J", 4, 2),
    ]  # fmt: skip


def test_gbk_page_with_and_without_declared_charset() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>年报</title>'
        "</head><body><p>一、总体情况</p><table><tr><td>本年新<br/>制作数量</td><td>&nbsp;</td></tr></table></body></html>"
    )
    for data in (page.encode("gbk"), page.replace("charset=gb2312", "").encode("gbk")):
        doc = html.read(data, "gbk.html")
        assert doc.blocks[1] == Paragraph(text="一、总体情况", where="paragraph 1")
        assert [c.text for c in tables(doc)[0].cells] == ["本年新制作数量", ""]


def test_utf8_bom_page_is_sniffed_and_decoded() -> None:
    doc = read_bytes("\ufeff<!DOCTYPE html><html><body><p>正文</p></body></html>".encode(), "bom.html")
    assert doc.format == "html" and doc.blocks[0].text == "正文"


def test_utf16_page_is_sniffed_as_html_whatever_charset_it_declares() -> None:
    page = (
        '<html><head><meta charset="utf-8"></head>'
        "<body><p>正文</p><table><tr><td>规章</td><td>0</td></tr></table></body></html>"
    )
    for encoding in ("utf-16", "utf-16-be"):  # saved as "Unicode": a byte-order mark, then two bytes a character
        data = ("\ufeff" + page).encode(encoding) if encoding.endswith("be") else page.encode(encoding)
        doc = read_bytes(data, "unicode.html")
        assert doc.format == "html" and doc.blocks[0].text == "正文"
        assert [c.text for c in tables(doc)[0].cells] == ["规章", "0"]


def test_chrome_elements_and_link_lists_are_dropped() -> None:
    article = "".join(f"<p>第{i}段，报告正文内容。</p>" for i in range(10))
    page = f"""<html><head><title>T</title><style>p {{}}</style></head><body>
      <header>站点头部</header><nav><a href="/">首页</a></nav><script>var x = "脚本";</script>
      <div class="side"><a>相关链接一</a><a>相关链接二</a></div>
      <div class="main"><h1>标题</h1>{article}<table><tr><td>规章</td><td>3</td></tr></table></div>
      <footer>版权所有</footer></body></html>""".encode()
    doc = html.read(page, "chrome.html")
    text = doc.text()
    for chrome in ("站点头部", "首页", "脚本", "相关链接", "版权所有", "p {}"):
        assert chrome not in text
    assert [b.text for b in doc.blocks[:3]] == ["T", "标题", "第0段，报告正文内容。"]
    assert [c.text for c in tables(doc)[0].cells] == ["规章", "3"]


def test_table_outside_the_main_text_is_kept() -> None:
    article = "".join(f"<p>第{i}段，报告正文内容。</p>" for i in range(10))
    page = f"<body><div>{article}</div><div><div><table><tr><td>行政许可</td><td>7</td></tr></table></div></div></body>"
    doc = html.read(page.encode(), "split.html")
    assert [c.text for c in tables(doc)[0].cells] == ["行政许可", "7"]


def test_layout_table_cells_are_read_as_blocks() -> None:
    page = "<table><tr><td><p>第一段</p><table><tr><td>规章</td><td>1</td></tr></table></td></tr></table>"
    doc = html.read(page.encode(), "layout.html")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table"]
    assert len(tables(doc)[0].cells) == 2


def test_external_entities_are_not_resolved() -> None:
    page = b'<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><html><body><p>a&x;b</p></body></html>'
    assert "root:" not in html.read(page, "xxe.html").text()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"\x00\x01\x02\xff\xfe garbage \x80\x81",
        b"<html><body><script>only()</script></body></html>",
        b"<div>" * 100_000 + b"<p>deep</p>" + b"</div>" * 100_000,
        b"<table>" + b'<tr><td rowspan="65534" colspan="100000">x</td></tr>' * 2000 + b"</table>",
    ],
    ids=["empty", "blank", "garbage", "no-text", "deep", "span-bomb"],
)
def test_bad_input_raises_report_error_only(data: bytes) -> None:
    with pytest.raises(ReportError):
        html.read(data, "bad.html")


def test_oversized_page_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "MAX_HTML_BYTES", 100)
    with pytest.raises(ReportError, match="HTML 文件过大"):
        html.read(b"<p>" + b"x" * 200 + b"</p>", "big.html")
