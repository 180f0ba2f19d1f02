"""Text a crawler scraped from a report page: cell borders lost, digits run together.

The shape of `pingtan_syq_*.txt`: a metadata header, then the whole article on one
line, each table row its labels followed by its values. A row whose cells are all
single digits runs together (`0000000`, `1000001`): it cuts one way only, by the count
of cells alone. Any other row keeps a space between its cells, as crawlers of some
sites do. The renderer never asks the extractor whether a run decodes: the truth is
what the report prints, and the spacing is what a scraper leaves.
"""

from __future__ import annotations

import zlib

from pipeline.demo.report import Report, Text
from pipeline.demo.tables import Grid

BODY_MARKER = "==================== 正文 ===================="


def render(report: Report) -> bytes:
    """Crawler header, then the article as one line."""
    title = "".join(report.title)
    day = report.published
    header = [
        f"标题: {title}",
        f"发布时间: {day.isoformat()} 09:30",
        "文号: ",
        f"发布机构: {report.agency}",
        "栏目: 政府信息公开年报",
        f"原文链接: https://demo.invalid/xxgk/{report.plan.year}/{zlib.crc32(title.encode()):010d}.htm",
        f"本地目录: xxgk/{report.plan.year}/{title}",
        "页面链接与图片详见 links.tsv(同目录)",
        BODY_MARKER,
    ]
    parts = [f"当前位置：首页 政务公开 政府信息公开年报 {title} 来源：{report.agency} 时间：{day.isoformat()}"]
    for block in report.blocks:
        parts.append(block.text if isinstance(block, Text) else grid_text(block))
    return ("\n".join(header) + "\n" + "".join(parts) + "\n").encode("utf-8")


def grid_text(grid: Grid) -> str:
    """A table as scraped: header labels run together, then each row's labels and values."""
    out = []
    for row in sorted({c.row for c in grid.cells}):
        cells = sorted((c for c in grid.cells if c.row == row), key=lambda c: c.col)
        labels = "".join(c.text.replace("\n", "") for c in cells if (c.row, c.col) not in grid.keys)
        keyed = [c for c in cells if (c.row, c.col) in grid.keys]
        out.append(labels + (_values(keyed) if keyed else ""))
    return " ".join(out)


def _values(cells: list) -> str:
    """A row's values, run together where every cell is one digit (one cut only), else spaced."""
    texts = [c.text for c in cells]
    run = "".join(texts)
    return run if len(run) == len(texts) else " ".join(texts)
