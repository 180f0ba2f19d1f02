"""Traditional characters: converted with OpenCC for matching, only where they are common."""

from __future__ import annotations

from pipeline.document import Document, Paragraph
from pipeline.extract.script import as_printed, is_traditional, simplified


def test_a_traditional_document_is_matched_in_a_simplified_copy():
    printed = Document(
        "x", "text", [Paragraph("雲岫市測試局"), Paragraph("2021年政府資訊公開工作年度報告，第二十條第（一）項，發佈機構")]
    )
    copy = simplified(printed)
    assert copy.script == "traditional" and printed.script == "simplified"
    assert [b.text for b in copy.blocks] == ["云岫市测试局", "2021年政府资讯公开工作年度报告，第二十条第（一）项，发布机构"]
    assert printed.blocks[0].text == "雲岫市測試局"  # the reader's document stays as printed
    assert as_printed(printed, "云岫市测试局") == "雲岫市測試局"


def test_a_simplified_report_with_a_few_convertible_characters_is_left_alone():
    text = "乾县" + "政府信息公开工作年度报告，主动公开政府信息。" * 20
    assert not is_traditional(text)
    doc = Document("x", "text", [Paragraph(text)])
    assert simplified(doc) is doc
