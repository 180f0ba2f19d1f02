"""The report as a government site publishes it: a page of chrome around the article.

Modelled on the published page of `pingtan_syq_2019.html`: a header with links to
higher-level sites, a navigation bar, a breadcrumb, the article (title, publication
line, text, tables with inline styles, colspan and rowspan, `&nbsp;` in blank cells,
`<br/>` inside wrapped header labels) and a footer. Every link points at the
reserved `.invalid` domain, so nothing here names a real site.
"""

from __future__ import annotations

from html import escape

from pipeline.demo.report import Report, Text
from pipeline.demo.tables import Grid

CELL_STYLE = "border:1px solid #000;padding:2px 5px;font-family:仿宋_GB2312;font-size:12pt"
P_STYLE = "text-indent:2em;line-height:28pt;font-family:仿宋_GB2312;font-size:16pt"
HEADING_STYLE = "text-indent:2em;line-height:28pt;font-family:黑体;font-size:16pt"


def render(report: Report) -> bytes:
    """The whole page, UTF-8."""
    city = report.plan.body.city
    title = "".join(report.title)
    article = "\n".join(_block(block) for block in report.blocks if not _is_title(block))
    page = PAGE.format(
        title=escape(title),
        site=escape(f"{city}人民政府（演示站点）"),
        agency=escape(report.agency),
        day=report.published.isoformat(),
        article=article,
    )
    return page.encode("utf-8")


def _is_title(block: object) -> bool:
    return isinstance(block, Text) and block.role == "title"


def _block(block: Text | Grid) -> str:
    """One paragraph or table of the article."""
    if isinstance(block, Grid):
        return grid_html(block)
    style = HEADING_STYLE if block.role == "heading" else P_STYLE
    if block.role == "signature":
        style = "text-align:right;" + P_STYLE
    if block.role == "marker":
        return f'<p class="demo-marker" style="color:#b00;{P_STYLE}">{escape(block.text)}</p>'
    return f'<p style="{style}"><span style="font-size:16pt">{escape(block.text)}</span></p>'


def grid_html(grid: Grid) -> str:
    """A table with its merged cells; blank cells as &nbsp; the way office exports leave them."""
    rows = []
    for row in sorted({c.row for c in grid.cells}):
        cells = []
        for cell in sorted((c for c in grid.cells if c.row == row), key=lambda c: c.col):
            spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            text = "<br/>".join(escape(part) for part in cell.text.split("\n")) or "&nbsp;"
            cells.append(f'<td style="{CELL_STYLE}" valign="center"{spans}><p style="margin:0">{text}</p></td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<table style="border-collapse:collapse;width:100%" border="1" cellspacing="0">'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="SiteName" content="{site}"/>
    <meta name="ColumnName" content="政府信息公开年报"/>
    <meta name="ArticleTitle" content="{title}"/>
    <meta name="PubDate" content="{day}"/>
    <title>{title}_政府信息公开年报_{site}</title>
    <link rel="stylesheet" type="text/css" href="/images/site.css">
  </head>
  <body>
    <div class="warp">
      <div class="header">
        <div class="logo"><a href="https://demo.invalid/"><img src="/images/site_logo.png" alt="{site}" /></a></div>
        <div class="header_links">
          <a href="https://demo.invalid/gov">国务院（演示链接）</a>
          <a href="https://demo.invalid/province">省政府（演示链接）</a>
          <a href="javascript:;">无障碍</a>
          <a href="javascript:;">移动版</a>
        </div>
      </div>
      <div class="nav">
        <ul>
          <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
          <li><a href="/hdjl/">互动交流</a></li><li><a href="/zjyx/">走进{site}</a></li>
        </ul>
      </div>
      <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/nb/">政府信息公开年报</a></div>
      <div class="article">
        <h1 class="article_title">{title}</h1>
        <div class="article_info">发布时间：{day} 来源：{agency} 【字体：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】 <a href="javascript:window.print()">打印</a></div>
        <div class="article_content">
{article}
        </div>
        <div class="article_share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a></div>
      </div>
      <div class="related">
        <h3>相关链接</h3>
        <ul><li><a href="/zwgk/nb/">政府信息公开年报</a></li><li><a href="/zwgk/zn/">政府信息公开指南</a></li></ul>
      </div>
      <div class="footer">
        <p>主办单位：{site}办公室　网站标识码：DEMO000000</p>
        <p>本网站为xxgk演示用虚构站点</p>
      </div>
    </div>
    <script type="text/javascript" src="/images/site.js"></script>
  </body>
</html>
"""  # noqa: E501 -- the page template is literal HTML; wrapping it would change the page
