"""Crawled text with pipes: the layout is sniffed from the content, never the file name."""

from __future__ import annotations

from conftest import tables
from pipeline.document import Paragraph
from pipeline.readers import read_bytes

CELL_STREAM = "\n".join(
    ["云岫市测试局", "2019年政府信息公开工作年度报告", "二、主动公开政府信息情况"]
    + [f"{cell} |" for cell in (
        "第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
        "规章", "0", "0", "0", "规范性文件", "2", "2", "15",
        "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
        "行政许可", "339", "+123", "462", "", "其他对外管理服务事项", "-", "", "7",
    )]
    + ["三、收到和处理政府信息公开申请情况"]
)
PIPE_ROWS = (
    "云岫市测试局2019年政府信息公开工作年度报告\n| 信息内容 | 本年新制作数量 |\n| --- | --- |\n"
    "| 规章 | 2 | 0 | 2 |\n| 规范性文件 | 1 | 1 | 9 |\n正文继续"
)


def test_pipe_rows_in_a_txt_file_read_as_tables() -> None:
    for name in ("copy.txt", "copy", "copy.md"):
        doc = read_bytes(PIPE_ROWS.encode(), name)
        assert doc.format == "markdown"
        rows = [[c.text for c in row] for row in tables(doc)[0].rows()]
        assert rows == [["信息内容", "本年新制作数量"], ["规章", "2", "0", "2"], ["规范性文件", "1", "1", "9"]]


def test_a_pipe_after_every_cell_keeps_every_cell() -> None:
    doc = read_bytes(CELL_STREAM.encode("gb18030"), "copy.txt")
    assert doc.format == "pipes"
    cells = [c.text for c in tables(doc)[0].cells]
    # each pipe is a certain border: 339, +123 and 462 stay three cells, never one digit run
    assert cells[18:22] == ["行政许可", "339", "+123", "462"]
    assert cells[22] == "" and cells[24:26] == ["-", ""]
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)][-1] == "三、收到和处理政府信息公开申请情况"


def test_plain_text_without_pipes_is_not_taken_for_pipes() -> None:
    doc = read_bytes("云岫市测试局\n2019年政府信息公开工作年度报告\n规章 0 0 0 | 备注\n".encode(), "copy.txt")
    assert doc.format == "scraped"


def test_a_cell_stream_named_md_is_still_a_cell_stream() -> None:
    assert read_bytes(CELL_STREAM.encode(), "copy.md").format == "pipes"
