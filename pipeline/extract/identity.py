"""Agency and report year, from the report's title.

Titles come as "威海市环翠区孙家疃街道 / 2020年政府信息公开工作年度报告" (agency on the
line before), "平潭综合实验区2019年度政府信息公开工作年度报告" (agency before the
year) or "2019年上海市人民政府办公厅政府信息公开工作年度报告" (agency after it),
and are often wrapped over two lines.
"""

from __future__ import annotations

import re

from pipeline.document import Document, Paragraph
from pipeline.record import Record
from pipeline.template import normalise

#: Title shapes, tried in order over the head lines: the year before the title words, then
#: the year in brackets after them ("…政府信息公开工作年度报告（2021年度）").
TITLES = (
    re.compile(r"(?P<pre>.*?)(?P<year>20\d{2})年度?(?P<mid>.*?)(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?报告"),
    re.compile(r"(?P<pre>.*?)(?P<mid>)(?:政府信息公开|政务公开)(?:工作)?(?:年度)?报告[(\[]?(?P<year>20\d{2})年?度?[)\]]?"),
)
PERIOD = re.compile(r"(?:统计期限|统计时限|统计周期)[^。]*?(20\d{2})年1月1日")
METADATA_KEY = re.compile(r"^(?:标题|题目|title)[:：]", re.IGNORECASE)
HEAD_LINES = 15
#: The notice every generated demo report carries; a report holding it is never taken for a real one.
SYNTHETIC_MARKER = "【演示数据】"
#: A title sits at the start of its line; longer lines are cut here, as the title pattern
#: is quadratic in the line length where it does not match (a 45 MB one-line file never ended).
TITLE_LINE_CHARS = 1000


def identify(doc: Document, record: Record) -> None:
    """Set the record's agency and year from the title (the year also from the statistics
    period), and mark demo reports as synthetic."""
    record.synthetic = any(SYNTHETIC_MARKER in block.text for block in doc.blocks if isinstance(block, Paragraph))
    lines = _head_lines(doc)
    for title in TITLES:
        for i in range(len(lines)):
            joined = lines[i] + (lines[i + 1] if i + 1 < len(lines) else "")
            match = title.search(joined)
            if match:
                record.year = int(match.group("year"))
                record.agency = _agency(match, lines[i - 1] if i else "")
                return
    period = PERIOD.search(normalise(doc.text()[:20000]))
    if period:
        record.year = int(period.group(1))


def _head_lines(doc: Document) -> list[str]:
    """The first non-empty lines, normalised, crawler metadata keys stripped."""
    lines: list[str] = []
    for line in (line for part in doc.parts() for line in part.splitlines()):
        text = METADATA_KEY.sub("", normalise(line[: 4 * TITLE_LINE_CHARS]))[:TITLE_LINE_CHARS]
        if text:
            lines.append(text)
        if len(lines) >= HEAD_LINES:
            break
    return lines


def _agency(match: re.Match[str], line_before: str) -> str | None:
    """The issuing body: between year and title words, else before the year, else the line before."""
    for candidate in (match.group("mid"), match.group("pre")):
        name = candidate.strip("：:，,。 ").removeprefix("关于").removesuffix("关于")
        if name and len(name) <= 40 and not re.search(r"\d", name):
            return name
    if line_before and len(line_before) <= 40 and not re.search(r"\d", line_before):
        return line_before
    return None
