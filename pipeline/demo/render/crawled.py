"""Crawled copies of a report (issue 13): the forms real reports take when a crawler or
a mirror copies their page.

- `pipes`: the page's text with site chrome around it (breadcrumb, 字体大中小, 打印本页,
  分享到, 返回顶部, 网站标识码/ICP lines), the title broken over lines, and each table
  row as a pipe-delimited line (`| 规章 | 2 | 0 | 2 |`);
- `cellpipes`: each cell on its own line closed by a pipe (`行政许可 |` / `339 |`), the
  row breaks lost;
- `trad`: the plain-text form in traditional characters (OpenCC s2t);
- `cut`: the plain-text form of a copy cut off after Table 二 (the report composes
  only the blocks it keeps, so its truth lacks what the cut removed).
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

import opencc

from pipeline.demo.render import text
from pipeline.demo.report import Report, Text

CHROME_HEAD = ("当前位置：首页 > 政务公开 > 政府信息公开年报", "【字体：大 中 小】 打印本页 分享到：")
CHROME_TAIL = ("返回顶部", "关闭窗口", "主办单位：{city}人民政府办公室（演示站点）", "网站标识码：{code}", "演示ICP备{code}号")


def pipes(report: Report) -> bytes:
    """Site chrome, the title over lines, paragraphs as lines, table rows as pipe lines."""
    lines = list(CHROME_HEAD) + broken_title("".join(report.title))
    for block in report.blocks:
        if isinstance(block, Text):
            if block.role != "title":
                lines.append(block.text)
        else:
            lines += ["| " + " | ".join(cell.replace("\n", "") for cell in row) + " |" for row in text.grid_rows(block)]
    return _page(lines, report)


def cellpipes(report: Report) -> bytes:
    """Paragraphs as lines, every table cell on its own line closed by a pipe."""
    lines: list[str] = []
    for block in report.blocks:
        if isinstance(block, Text):
            lines.append(block.text)
        else:
            lines += [f"{cell.replace(chr(10), '')} |" for row in text.grid_rows(block) for cell in row]
    return ("\n".join(lines) + "\n").encode("utf-8")


def trad(report: Report) -> bytes:
    """The plain-text form in traditional characters."""
    return _s2t().convert(text.render(report).decode("utf-8")).encode("utf-8")


def cut(report: Report) -> bytes:
    """The plain-text form of the blocks a cut copy keeps."""
    return text.render(report)


def broken_title(title: str) -> list[str]:
    """A title over two or three lines as page copies break it: before the year, after it, in the title words."""
    match = re.match(r"(.*?)(20\d{2})(年度?)(.*)", title)
    if match is None:
        return [title]
    before, year, suffix, rest = match.groups()
    if before:
        return [before, year, suffix + rest]
    head, _, tail = rest.partition("政府信息公开")
    return [year + suffix + head, "政府信息公开" + tail]


def _page(lines: list[str], report: Report) -> bytes:
    """The lines with the page furniture a crawler keeps after the article."""
    code = f"{zlib.crc32(report.source.encode()) % 10**8:08d}"
    tail = [line.format(city=report.plan.body.city, code=code) for line in CHROME_TAIL]
    return ("\n".join(lines + tail) + "\n").encode("utf-8")


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    """One converter per process."""
    return opencc.OpenCC("s2t.json")
