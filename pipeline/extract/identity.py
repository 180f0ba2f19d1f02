"""Agency and report year, from the report's title.

Titles come as "威海市环翠区孙家疃街道 / 2020年政府信息公开工作年度报告" (agency on the
line before), "平潭综合实验区2019年度政府信息公开工作年度报告" (agency before the
year) or "2019年上海市人民政府办公厅政府信息公开工作年度报告" (agency after it),
and are often broken over two or three lines; some end in 年报, put the year after
the title words or print it in Chinese numerals (二〇二二年). Crawled copies wrap the
title in site chrome (breadcrumbs, 返回顶部, 打印本页, 字体大中小, 分享到, 网站标识码/ICP lines):
chrome lines are dropped, chrome phrases cut out, and a name that still looks like
chrome, a title fragment or a sentence is never taken for the agency.
"""

from __future__ import annotations

import re

from pipeline.document import Document, Paragraph
from pipeline.record import Record
from pipeline.template import SYNTHETIC_MARKER, normalise

#: Title shapes: the year before the title words, then the year in brackets after them
#: ("…政府信息公开工作年度报告（2021年度）"). The name parts are bounded (a longer one is
#: no name anyway), which keeps a search linear in the line length.
#: What a title reports on, and how it ends (工作年度报告, 年度工作报告, 工作情况报告, 工作的报告, 年报).
SUBJECT = r"(?:政府信息(?:主动)?公开|政务信息公开|政务公开)"
ENDING = r"(?:工作)?(?:情况)?的?(?:年度)?(?:工作)?(?:报告|年报)"
TITLES = (
    re.compile(rf"(?P<pre>.{{0,60}}?)(?P<year>20\d{{2}})年度?(?P<mid>.{{0,60}}?)(?:{SUBJECT}|信息公开){ENDING}"),
    re.compile(rf"(?P<pre>.{{0,60}}?)(?P<mid>){SUBJECT}{ENDING}[(\[]?(?P<year>20\d{{2}})年?度?[)\]]?"),
    re.compile(rf"(?P<pre>.{{0,60}}?)(?P<mid>){SUBJECT}(?:工作)?(?P<year>20\d{{2}})年度?(?:报告|年报)"),
)
#: A year printed in Chinese numerals ("二〇二二年"), read as digits before titles and body are searched.
CHINESE_YEAR = re.compile(r"([一二][〇○零一二三四五六七八九]{3})(?=年)")
CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
#: A notice that issues or publishes a report ("XX办公室关于印发XX局2022年…的通知"): the body is the one after it.
ISSUING = re.compile(r"^.*关于(?:印发|公布|发布|转发)?")
EDGES = "：:，,。 【】[]"
#: The statistics period, then a body sentence about the year's disclosure work ("我镇2023年政府信息公开工作").
BODY_YEARS = (
    re.compile(r"(?:统计期限|统计时限|统计周期|统计时间|统计区间)[^。]{0,12}?(20\d{2})年"),
    re.compile(r"(20\d{2})年度?(?:的)?(?:政府信息公开|政务公开)工作"),
)
METADATA_KEY = re.compile(r"^(?:标题|题目|title)[:：]", re.IGNORECASE)
#: Crawler metadata and page furniture that fill a whole line (normalised text).
CHROME_LINE = re.compile(
    r"^(?:发布时间|发布日期|发布机构|发文机关|文号|栏目|原文链接|本地目录|页面链接|来源|信息来源|索引号|主题分类|成文日期"
    r"|浏览次数|点击数|访问量|作者|责任编辑)[:：]"
    r"|当前位置|您的位置|您现在的位置|首页[>»›/]|[>»›].*[>»›]|网站标识码|ICP备|ICP证|公网安备|版权所有|主办单位|承办单位|技术支持"
    r"|https?:|www\.|链接与图片",
    re.IGNORECASE,
)
#: A breadcrumb up to its last step ("当前位置:首页>政府信息公开>…").
BREADCRUMB = re.compile(r"^(?:当前位置|您的位置|您现在的位置|首页).*[>»›]|^.*[>»›].*[>»›]")
#: Page furniture glued to other text: cut out before matching.
CHROME_PHRASE = re.compile(
    r"[【\[]?字体[:：]?[【\[]?大[】\]]?中[】\]]?小[】\]]?|返回顶部|返回首页|打印本页|打印此页|[【\[]打印[】\]]|关闭窗口|关闭本页|[【\[]关闭[】\]]"
    r"|分享到[:：]?|收藏本页|加入收藏|设为首页|无障碍|繁体版?|简体版?|视力保护色|【\s*[】\]]"
)
#: What never appears in an agency's name: title words, site and page words, sentence openers.
NOT_AGENCY = re.compile(
    r"公开|年报|报告|首页|位置|栏目|专栏|专题|网站|门户|返回|打印|分享|字体|浏览|通知公告|动态|要闻|目录|指南|列表|详情|正文"
    r"|^(?:根据|按照|依据|为|本|我|现(?:将|依据|就|按|根据)|今年|全年)"
)
AGENCY_PUNCTUATION = re.compile(r"[<>»›|/\\:：，,。；;！!？?、“”\"'《》【】\[\]=_#@&%*~]")
#: A name with one of these already says where the body sits; one without may have its
#: place on the title line before ("XX县" / "卫生健康局2023年…").
PLACE = re.compile(r"省|市|县|区|旗|州|盟|镇|乡|街道|国家|国务院|中央|中共|中国|全国")
#: Crawler metadata naming the publisher, and a signature above the closing date.
PUBLISHER = re.compile(r"^(?:发布机构|发文机关|发布单位)[:：](.+)$")
SIGNATURE = re.compile(r"([^。；;！!？?:：，,\d]{2,40})20\d{2}年\d{1,2}月\d{1,2}日$")
HEAD_LINES = 15
MAX_AGENCY_CHARS = 40
#: A title sits at the start of its line; longer lines are cut here, as the title pattern
#: is quadratic in the line length where it does not match (a 45 MB one-line file never ended).
TITLE_LINE_CHARS = 1000
#: Lines of a title broken over lines that are joined to find it.
TITLE_SPAN = 3


def identify(doc: Document, record: Record) -> bool:
    """Set the record's agency and year from the title (the year also from the body), mark
    demo reports as synthetic; True where a report title was found."""
    record.synthetic = any(SYNTHETIC_MARKER in block.text for block in doc.blocks if isinstance(block, Paragraph))
    lines = _head_lines(doc)
    found = _title(lines)
    if found is not None:
        record.year, record.agency = found
        record.agency = record.agency or _published_by(doc) or _signature(doc)
        return True
    body = arabic_years(normalise(doc.text()[:20000]))
    for pattern in BODY_YEARS:
        match = pattern.search(body)
        if match:
            record.year = int(match.group(1))
            break
    return False


def _published_by(doc: Document) -> str | None:
    """The body a crawler's metadata names as publisher ("发布机构: XX镇人民政府"), where the title names none."""
    for number, line in enumerate(line for part in doc.parts() for line in part.splitlines()):
        match = PUBLISHER.match(normalise(line[:200]))
        if match:
            return _placed(match.group(1))
        if number >= HEAD_LINES * 2:
            break
    return None


def _signature(doc: Document) -> str | None:
    """The body that signs the report at its end, above the date ("XX镇人民政府 / 2024年1月20日")."""
    match = SIGNATURE.search(normalise(doc.text()[-2000:]))
    return _placed(match.group(1)) if match else None


def _placed(candidate: str) -> str | None:
    """A fallback name, kept only where it is a clean name that says where the body sits."""
    name = _clean(candidate)
    return name if name is not None and PLACE.search(name) else None


def _title(lines: list[str]) -> tuple[int, str | None] | None:
    """(year, agency) of the first title in the head lines; a title whose agency cannot be
    told gives its year with no agency, unless a later title line names it."""
    first: tuple[int, str | None] | None = None
    for end in range(len(lines)):
        for start in range(end, max(end - TITLE_SPAN, -1), -1):
            window = "".join(lines[start : end + 1])
            for shape in TITLES:
                match = shape.search(window)
                if match is None or match.end() <= len(window) - len(lines[end]):
                    continue  # a title that does not reach the window's last line is found with a shorter window
                year = int(match.group("year"))
                if first is not None and year != first[0]:
                    continue  # a later line naming another year is about another report
                agency = _agency(match, lines[start - 1] if start else "")
                if agency is not None:
                    return year, agency
                first = first or (year, None)
    return first


def _head_lines(doc: Document) -> list[str]:
    """The first non-empty lines, normalised, without site chrome and crawler metadata keys."""
    lines: list[str] = []
    for line in (line for part in doc.parts() for line in part.splitlines()):
        text = arabic_years(METADATA_KEY.sub("", normalise(line[: 4 * TITLE_LINE_CHARS]))[:TITLE_LINE_CHARS])
        text = BREADCRUMB.sub("", text)  # a title glued to its breadcrumb keeps only the last step
        if CHROME_LINE.search(text):
            continue
        text = CHROME_PHRASE.sub("", text)
        if text:
            lines.append(text)
        if len(lines) >= HEAD_LINES:
            break
    return lines


def _agency(match: re.Match[str], line_before: str) -> str | None:
    """The issuing body: between year and title words, else before the year; the line
    before completes a name that lacks its place."""
    for candidate in (match.group("mid"), match.group("pre")):
        name = _clean(candidate)
        if name is None:
            continue
        before = _clean(line_before)
        if not PLACE.search(name) and before is not None and len(before + name) <= MAX_AGENCY_CHARS:
            return before + name
        return name
    return None


def arabic_years(text: str) -> str:
    """`text` with years printed in Chinese numerals as digits (`二〇二二年` → `2022年`)."""
    return CHINESE_YEAR.sub(lambda m: m.group(1).translate(CHINESE_DIGITS), text)


def _clean(candidate: str) -> str | None:
    """A candidate name without edge punctuation or brackets and without what a notice issuing the report
    puts before it (关于, XX办公室关于印发), or None where it cannot be a name."""
    issued = ISSUING.sub("", candidate).strip(EDGES)
    name = (issued or candidate.strip(EDGES)).removesuffix("关于")
    if not 2 <= len(name) <= MAX_AGENCY_CHARS or re.search(r"\d", name):
        return None
    if AGENCY_PUNCTUATION.search(name) or NOT_AGENCY.search(name):
        return None
    return name
