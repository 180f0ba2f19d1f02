"""Text a crawler scraped from a report page: cell borders lost, digits run together.

The shape of `pingtan_syq_*.txt`: a metadata header, then the whole article on one
line, each table row its labels followed by its values. Values of a row run
together (`640020470`) where the template's arithmetic decodes the run one way only,
which `pipeline.extract.digits` — the extractor's own decoder — confirms here; any
other row keeps a space between its cells, as crawlers of some sites do. So every
render is decodable, and the decoding is exactly the truth.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from pipeline.demo.report import Report, Text
from pipeline.demo.tables import Grid
from pipeline.extract import digits
from pipeline.template import DECIMAL_COLUMNS, SIGNED_COLUMNS

BODY_MARKER = "==================== 正文 ===================="
#: Runs longer than this are spaced without trying: decoding them is slow and rarely unique.
MAX_RUN = 16
ACCEPT: dict[str, Callable[[digits.Cells], bool]] = {
    "t2": lambda cells: True,
    "t3": digits.row_sum_holds,
    "t4": digits.group_sums_hold,
}


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
        parts.append(block.text if isinstance(block, Text) else grid_text(block, report.values))
    return ("\n".join(header) + "\n" + "".join(parts) + "\n").encode("utf-8")


def grid_text(grid: Grid, values: dict[str, int | float | None]) -> str:
    """A table as scraped: header labels run together, then each row's labels and values."""
    out = []
    for row in sorted({c.row for c in grid.cells}):
        cells = sorted((c for c in grid.cells if c.row == row), key=lambda c: c.col)
        labels = "".join(c.text.replace("\n", "") for c in cells if (c.row, c.col) not in grid.keys)
        keyed = [c for c in cells if (c.row, c.col) in grid.keys]
        out.append(labels + (_values(grid, keyed, values) if keyed else ""))
    return " ".join(out)


def _values(grid: Grid, cells: list, values: dict[str, int | float | None]) -> str:
    """A row's values, run together where that decodes uniquely to the truth."""
    keys = [grid.keys[(c.row, c.col)] for c in cells]
    texts = [c.text for c in cells]
    run = "".join(texts)
    columns = [key.split(".")[-1] for key in keys]
    expected = tuple(values[key] for key in keys)
    if len(run) == len(texts) or len(run) <= MAX_RUN and _decodes_to(run, columns, grid.name, expected):
        return run  # one digit a cell cuts one way only
    return " ".join(texts)


def _decodes_to(run: str, columns: list[str], table: str, expected: tuple) -> bool:
    """True when the extractor's decoder reads the run one way only, and that way is the truth."""
    options = digits.decode(run, columns, SIGNED_COLUMNS, DECIMAL_COLUMNS, ACCEPT[table])
    options = options or digits.decode(run, columns, SIGNED_COLUMNS, DECIMAL_COLUMNS)
    return options == [expected]
