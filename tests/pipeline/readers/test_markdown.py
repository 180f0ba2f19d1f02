"""The Markdown reader on the converter output in the corpus and on small inputs."""

from __future__ import annotations

from conftest import corpus_file
from pipeline.document import Paragraph, Table
from pipeline.readers import markdown, read_file


def texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows()]


def test_kewei_tables_and_paragraphs() -> None:
    doc = read_file(corpus_file("shanghai_kewei_2024_pdf2md.md"))
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    paragraphs = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert doc.format == "markdown"
    assert len(tables) == 8
    assert texts(tables[0]) == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "0"],
        ["规范性文件", "13", "0", "55"],
    ]
    assert ["一、本年新收政府信息公开申请数量", "32", "2", "0", "0", "0", "0", "34", ""] in texts(tables[1])
    assert ["（七）总计", "33", "2", "0", "0", "0", "0", "35"] in [r for t in tables for r in texts(t)]
    assert "表二：主动公开政府信息情况" in paragraphs  # "## " heading marker removed
    assert not any(p.startswith("#") or p.startswith("|") for p in paragraphs)
    assert not any(set(cell.text) <= set("-:") and cell.text for t in tables for cell in t.cells)


def test_pipe_runs_make_one_table_each_and_separators_are_dropped() -> None:
    content = "# 标题 #\n\n文字一行\n| a | | b |\n|---|:---:|---|\n| 1 | 2 | 3 |\n\n| x |\n|---|\n末行\n"
    doc = markdown.read(content, "tiny.md")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Paragraph", "Table", "Table", "Paragraph"]
    assert doc.blocks[0].text == "标题"
    assert texts(doc.blocks[2]) == [["a", "", "b"], ["1", "2", "3"]]
    assert doc.blocks[2].where == "table from line 4"
    assert texts(doc.blocks[3]) == [["x"]]
    assert doc.blocks[4] == Paragraph(text="末行", where="line 10")


def test_escaped_pipe_stays_in_the_cell() -> None:
    doc = markdown.read(r"| a \| b | c |", "pipe.md")
    assert texts(doc.blocks[0]) == [["a | b", "c"]]


def test_separator_only_run_yields_no_table() -> None:
    assert markdown.read("|---|---|\n", "sep.md").blocks == []
