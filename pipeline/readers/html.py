"""HTML: a published report page, or the article fragment a site's script injects.

Government pages wrap the report in site chrome (navigation, breadcrumbs, footers,
scripts), are encoded in UTF-8 or GBK/GB2312, and lay tables out with colspan and
rowspan, `&nbsp;` for blank cells and `<br>` inside header labels ("本年新<br>制作数量").
The reader keeps the article only, in reading order: a line of text becomes a
paragraph, a table (one holding no other table) becomes a grid of origin cells.
Older sites lay whole pages out with tables; a table that holds tables is such a
layout table, and its cells are read as ordinary blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from pipeline.document import Cell, Document, Paragraph, Table
from pipeline.errors import ReportError
from pipeline.limits import MAX_HTML_BYTES, MAX_HTML_TAGS
from pipeline.readers.decode import UTF16_BOMS, decode_text

MAX_COLSPAN = 50  # report tables have at most 15 columns
MAX_GRID_POSITIONS = 2_000_000
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
BOMS = (b"\xef\xbb\xbf", *UTF16_BOMS)
GB_CHARSETS = {"gb2312", "gbk", "x-gbk", "gb18030", "cp936", "euc-cn"}
WHITESPACE = re.compile(r"\s+")
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CHROME_TAGS = (
    "head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
    "iframe", "object", "embed", "svg", "canvas", "select", "button", "input", "textarea",
)  # fmt: skip
BLOCK_TAGS = frozenset(
    "address article blockquote body center dd details dialog dir div dl dt fieldset figcaption figure "
    "form h1 h2 h3 h4 h5 h6 hgroup hr html li main menu ol p pre section summary table tbody thead tfoot "
    "tr td th caption ul".split()
)
CELL_TAGS = ("td", "th")
#: A cell's text pieces in document order, as `itertext()` gives them, in half its time.
CELL_TEXTS = etree.XPath("descendant::text()", smart_strings=False)
LONG_BLOCK_CHARS = 200  # a block this long is article text wherever it sits


def read(data: bytes, source: str) -> Document:
    """The article's paragraphs and tables, in reading order."""
    if len(data) > MAX_HTML_BYTES:
        raise ReportError(source, f"HTML larger than {MAX_HTML_BYTES // 2**20} MiB / HTML 文件过大")
    if data.count(b"<") > MAX_HTML_TAGS:  # counted before parsing: the tree of millions of tags is the cost
        raise ReportError(source, f"more than {MAX_HTML_TAGS} tags / HTML 标签过多")
    root = _parse(_decode(data, source), source)
    doc = Document(source=source, format="html")
    title = root.findtext(".//title")
    for element in list(root.iter(*CHROME_TAGS)):
        _drop_tree(element)
    body = root.find("body")
    if body is None:
        body = root
    data_tables = _data_tables(body)
    try:
        container = _main_container(body, data_tables)
    except etree.XPathEvalError as exc:  # libxml2 caps a node set at 10 M nodes
        raise ReportError(source, f"page too large to analyse ({exc}) / 页面结构过大") from None
    blocks = _blocks(container, data_tables, source)
    if not blocks:
        raise ReportError(source, "no text in the HTML page / HTML 中没有正文")
    if title and title.strip():
        # The page title names the body and year even when the article's own heading sits in the chrome.
        doc.blocks.append(Paragraph(text=_clean(title).strip(), where="title"))
    doc.blocks.extend(blocks)
    return doc


def _decode(data: bytes, source: str) -> str:
    """Trust a byte-order mark, then a declared charset the bytes agree with; GB2312/GBK read as GB18030."""
    match = META_CHARSET.search(data[:8192])
    if match and not data.startswith(BOMS):
        name = match.group(1).decode("ascii").lower()
        try:
            return data.decode("gb18030" if name in GB_CHARSETS else name)
        except (LookupError, UnicodeDecodeError):
            pass  # unknown or wrong declaration: guess from the bytes instead
    return decode_text(data, source)


def _parse(text: str, source: str) -> etree._Element:
    """An HTML tree; libxml2 caps nesting depth and never fetches anything.

    Control characters are removed first: lxml keeps them in text it parses but
    refuses them in text it is given, so they would break dropping the chrome. The
    elements are lxml's plain ones: lxml.html's element classes cost a Python call for
    every element the reader touches, a third of the time it took to read a page.
    """
    text = CONTROL_CHARS.sub("", text)
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReportError(source, f"not parseable as HTML ({exc}) / 无法解析 HTML") from None
    if root is None:  # as lxml.html.document_fromstring says it
        raise ReportError(source, "not parseable as HTML (Document is empty) / 无法解析 HTML")
    return root


def _drop_tree(element: etree._Element) -> None:
    """Remove an element with everything in it, keeping the text after it (lxml.html's drop_tree)."""
    parent = element.getparent()
    assert parent is not None  # the parser always roots the page in <html>, never a chrome tag
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


def _data_tables(body: etree._Element) -> set[etree._Element]:
    """Tables holding no other table: the ones that carry data, not page layout."""
    return {t for t in body.iter("table") if not _has_inner_table(t)}


def _has_inner_table(table: etree._Element) -> bool:
    """True when a table nests another one, i.e. it lays the page out."""
    return any(inner is not table for inner in table.iter("table"))


def _main_container(body: etree._Element, data_tables: set[etree._Element]) -> etree._Element:
    """The element that holds the article, so that chrome around it can be left out.

    Non-link text is credited to the element holding its block, and half of it to
    that element's parent (readability-style). The winner is then widened until it
    also holds every data table with non-link text and every long block, so that no
    report table and no long passage of report text is lost; link-only tables are
    sidebar widgets.
    """
    scores: dict[etree._Element, float] = {}
    must_hold: set[etree._Element] = set()
    for node in body.xpath(".//text()[not(ancestor::a)]"):
        size = len(node.strip())
        if not size:
            continue
        owner = node.getparent().getparent() if node.is_tail else node.getparent()
        block = _enclosing_block(owner, data_tables) if owner is not None else body
        holder = block.getparent() if block is not body and block.getparent() is not None else body
        scores[holder] = scores.get(holder, 0) + size
        wrapper = holder.getparent()
        if wrapper is not None:  # for articles that wrap each paragraph in its own div
            scores[wrapper] = scores.get(wrapper, 0) + size / 2
        if block in data_tables or size >= LONG_BLOCK_CHARS:
            must_hold.add(block)
    if not scores:
        return body
    container = max(scores, key=scores.__getitem__)
    for element in must_hold:
        container = _common_ancestor(container, element)
    return container


def _enclosing_block(element: etree._Element, data_tables: set[etree._Element]) -> etree._Element:
    """The nearest block-level element; inside a data table, the table itself."""
    block = None
    for candidate in _self_and_ancestors(element):
        if candidate in data_tables:
            return candidate
        if block is None and candidate.tag in BLOCK_TAGS:
            block = candidate
    return block if block is not None else element


def _self_and_ancestors(element: etree._Element) -> Iterable[etree._Element]:
    """The element, then its parent, up to the root."""
    yield element
    yield from element.iterancestors()


def _common_ancestor(a: etree._Element, b: etree._Element) -> etree._Element:
    """The deepest element holding both."""
    lineage = set(_self_and_ancestors(a))
    return next(e for e in _self_and_ancestors(b) if e in lineage)


def _blocks(container: etree._Element, data_tables: set[etree._Element], source: str) -> list[Paragraph | Table]:
    """Walk the container in document order: block boundaries and <br> end a line."""
    blocks: list[Paragraph | Table] = []
    line: list[str] = []
    counts = {Paragraph: 0, Table: 0}

    def emit(block: Paragraph | Table) -> None:
        counts[type(block)] += 1
        blocks.append(block)

    def flush() -> None:
        text = "".join(line).strip()
        line.clear()
        if text:
            emit(Paragraph(text=text, where=f"paragraph {counts[Paragraph] + 1}"))

    walker = etree.iterwalk(container, events=("start", "end"))
    for event, element in walker:
        is_block = element.tag in BLOCK_TAGS
        if event == "start":
            if element in data_tables:
                flush()
                table = _table(element, f"table {counts[Table] + 1}", source)
                if table.cells:
                    emit(table)
                walker.skip_subtree()
                continue
            if is_block or element.tag == "br":
                flush()
            line.append(_clean(element.text))
        else:
            if is_block:
                flush()
            if element is not container:
                line.append(_clean(element.tail))
    flush()
    return blocks


def _table(table: etree._Element, where: str, source: str) -> Table:
    """The grid of a data table: each cell placed once, at its origin, with its spans.

    Placing a row costs its width in grid positions, so a table whose spans blow the
    grid up (rowspan=65534 colspan=1000 on every row) is refused instead of hanging.
    """
    rows = list(table.iter("tr"))
    busy_until: dict[int, int] = {}  # column -> first row not covered by a rowspan from above
    cells: list[Cell] = []
    positions = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.iterchildren(*CELL_TAGS):
            while busy_until.get(c, 0) > r:
                c += 1
            rowspan = _span(td.get("rowspan"), limit=len(rows) - r)
            colspan = _span(td.get("colspan"), limit=MAX_COLSPAN)
            for covered in range(c, c + colspan):
                busy_until[covered] = max(busy_until.get(covered, 0), r + rowspan)
            cells.append(Cell(text=_cell_text(td), row=r, col=c, rowspan=rowspan, colspan=colspan))
            c += colspan
        positions += c
        if positions > MAX_GRID_POSITIONS:
            raise ReportError(source, f"{where}: table grid too large / 表格过大")
    return Table(cells=cells, where=where)


def _span(value: str | None, limit: int) -> int:
    """A span attribute as a count; missing, bad or 0 ("to the end") handled, never past `limit`."""
    if value is None:  # most cells: no pattern to match
        return 1
    digits = re.match(r"\s*(\d+)", value or "")
    span = int(digits.group(1)) if digits else 1
    return max(1, min(span if span else limit, limit))


def _cell_text(cell: etree._Element) -> str:
    """Cell text with <br> and inner blocks joined without a space: labels wrap, they don't split."""
    return "".join(_clean(piece) for piece in CELL_TEXTS(cell)).strip()


def _clean(text: str | None) -> str:
    """Collapse whitespace (incl. &nbsp;) as a browser would; drop pure source-formatting runs."""
    if not text or (not text.strip() and "\n" in text):
        return ""
    return WHITESPACE.sub(" ", text)
