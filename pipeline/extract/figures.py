"""Figures stated in the text (`text.*` keys): precision first.

A number is taken only where a clause states it for that channel or measure, with
the unit the measure is counted in; the first such clause in reading order wins.
Patterns are data: one list per key, tried in order of strength. Text inside the
three tables is never read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.document import Document, Paragraph
from pipeline.extract.lines import to_number
from pipeline.record import Record, Value
from pipeline.template import normalise

NO_DIGIT = r"[^，。；;,\d]"


@dataclass(frozen=True)
class Pattern:
    """One way a report states a figure; `zero` patterns state that there was none."""

    regex: re.Pattern[str]
    zero: bool = False


def _p(regex: str, zero: bool = False) -> Pattern:
    return Pattern(re.compile(regex), zero)


#: A website clause where the site is the subject ("网站全年累计发布信息2139条").
WEBSITE_SUBJECT = _p(
    r"网站(?:全年|本年|年内)?(?:累计|共计?)?(?:公开|发布|更新)(?:各类|各项)?(?:政府)?(?:信息(?:数|总数)?)?(?:共计?)?(\d+)条"
)
#: A clause where the website is the means ("在政府网站平台主动公开政府信息1136条").
WEBSITE_MEANS = _p(
    rf"(?:在|通过){NO_DIGIT}{{0,14}}网站{NO_DIGIT}{{0,8}}(?:公开|发布)(?:各类|各项)?(?:政府)?信息(?:共计?)?(\d+)(?:条|件)"
)
#: A portal of a province or city named in a clause ("市政府门户网站"): a lower body's report
#: may state that portal's figure, which is not the body's own.
HIGHER_PORTAL = re.compile(r"(省|市)(?:级)?(?:人民)?政府(?:门户)?网站")
LOWER_LEVELS = {"省": re.compile(r"市|县|区|旗|州|盟|镇|乡|街道"), "市": re.compile(r"县|区|旗|镇|乡|街道")}

FIGURES: dict[str, tuple[Pattern, ...]] = {
    "text.proactive_total": (
        _p(rf"(?<!应)主动公开{NO_DIGIT}{{0,10}}政府信息(?:共计?)?(\d+)条"),
        _p(r"(?<!应主动)(?<!申请)(?:公布|公开)政府信息(?:共计?)?(\d+)条"),
    ),
    "text.channel.wechat": (
        _p(rf"微信(?:公众号|公众平台)?(?:\"[^\"，。]{{1,20}}\")?[，,]?{NO_DIGIT}{{0,4}}(?:公开|发布|推送|编发){NO_DIGIT}{{0,10}}(\d+)(?:条|篇)"),
    ),
    "text.channel.weibo": (
        _p(rf"微博{NO_DIGIT}{{0,4}}(?:公开|发布|推送){NO_DIGIT}{{0,10}}(\d+)(?:条|篇)"),
    ),
    "text.channel.douyin": (
        _p(rf"抖音(?:号|账号)?{NO_DIGIT}{{0,4}}(?:公开|发布){NO_DIGIT}{{0,10}}(\d+)(?:条|个)"),
    ),
    "text.channel.new_media": (
        _p(rf"新媒体(?:平台|账号)?{NO_DIGIT}{{0,4}}(?:公开|发布){NO_DIGIT}{{0,8}}信息(?:共计?)?(\d+)条"),
    ),
    "text.channel.gazette": (
        _p(r"(?:编发|编印|印发|发行|出版|刊发)(?:政府)?公报(?:共计?)?(\d+)期"),
        _p(r"公报》?(?:共计?)?(\d+)期"),
    ),
    "text.press_conferences": (
        _p(r"(?:召开|举办|举行)(?:新闻|政策|例行)?发布会(?:共计?)?(\d+)(?:场|次)"),
        _p(r"(\d+)场(?:次)?(?:新闻|政策)?发布会"),
    ),
    "text.policy_interpretations": (
        _p(r"发布政策解读(?:材料|信息)?(?:共计?)?(\d+)(?:件|篇|条)"),
        _p(r"解读类信息(?:发布)?(?:共计?)?(\d+)(?:件|篇|条)"),
        _p(rf"对(\d+)(?:项|件|个|份){NO_DIGIT}{{0,40}}文件进行(?:了)?(?:政策)?解读"),
        _p(r"政策解读(?:材料|文章)?(?:共计?)?(\d+)(?:件|篇|条)"),
        _p(r"解读(?:政策)?文件(?:共计?)?(\d+)(?:件|篇|个)"),
    ),
    "text.info_fee_yuan": (
        _p(r"收取(?:政府信息公开)?信息处理费(?:用)?(?:共计?)?(\d+(?:\.\d+)?)元"),
        _p(r"信息处理费(?:用)?(?:共计?)?(\d+(?:\.\d+)?)元"),
        _p(r"(?:无|未|没有)(?:发出收费通知[，,]?(?:无|未)?)?(?:收取|发生)[^。；]{0,12}(?:信息处理费|收费|费用)", zero=True),
    ),
    "text.npc_suggestions": (
        _p(r"人大代表建议(?:共计?)?(\d+)件"),
        _p(r"未(?:收到|承办)[^。；，]{0,8}人大代表建议", zero=True),
    ),
    "text.cppcc_proposals": (
        _p(r"(?<!建议和)(?<!建议、)(?<!建议及)政协(?:委员)?提案(?:共计?)?(\d+)件"),
        _p(r"未(?:收到|承办)[^。；，]{0,8}政协(?:委员)?提案", zero=True),
    ),
}


def extract_figures(doc: Document, record: Record) -> None:
    """Add every text figure the report states outright."""
    sentences = list(_sentences(doc))
    for key, patterns in FIGURES.items():
        hit = _first_hit(sentences, patterns)
        if hit is not None:
            record.values[key] = hit
    _website(_own_clauses(sentences, record.agency), record)


def _own_clauses(sentences: list[tuple[str, str]], agency: str | None) -> list[tuple[str, str]]:
    """The clauses of the sentences, without those about a higher body's portal."""
    return [(clause, where) for sentence, where in sentences for clause in re.split(r"(?<=[，,；;。])", sentence)
            if clause and not _higher_portal(clause, agency)]


def _higher_portal(clause: str, agency: str | None) -> bool:
    """Whether a clause is about the portal of a province or city above the reporting body
    (with the body unknown, the level cannot be compared and the clause is kept)."""
    match = HIGHER_PORTAL.search(clause)
    if match is None or agency is None:
        return False
    level = match.group(1)
    below = agency.rsplit(level, 1)[-1] if level in agency else agency
    return bool(LOWER_LEVELS[level].search(below))


def _website(sentences: list[tuple[str, str]], record: Record) -> None:
    """The website figure; a "through the website" clause is the proactive total when the site states its own."""
    subject = _first_hit(sentences, (WEBSITE_SUBJECT,))
    means = _first_hit(sentences, (WEBSITE_MEANS,))
    if subject is not None:
        record.values["text.channel.website"] = subject
        if means is not None and "text.proactive_total" not in record.values:
            record.values["text.proactive_total"] = means
    elif means is not None:
        record.values["text.channel.website"] = means
        total = record.values.get("text.proactive_total")
        if total is not None and total.where == means.where and total.value == means.value:
            del record.values["text.proactive_total"]


def _sentences(doc: Document) -> list[tuple[str, str]]:
    """(normalised sentence, where it starts) for the text outside tables.

    Consecutive paragraphs are joined first: PDF lines and wrapped paragraphs cut
    sentences in the middle ("我区在政" / "府网站平台…1136条").
    """
    out: list[tuple[str, str]] = []
    for run in _paragraph_runs(doc):
        texts = [normalise(p.text) for p in run]
        text = "".join(texts)
        starts = _offsets(run, texts)
        position = 0
        for sentence in re.split(r"(?<=[。；;！!？?])", text):
            if sentence:
                out.append((sentence, _where_at(starts, position)))
            position += len(sentence)
    return out


def _paragraph_runs(doc: Document) -> list[list[Paragraph]]:
    """Maximal runs of consecutive paragraphs, tables breaking the runs."""
    runs: list[list[Paragraph]] = [[]]
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            runs[-1].append(block)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _offsets(run: list[Paragraph], texts: list[str]) -> list[tuple[int, str]]:
    """Where each paragraph starts in the joined text of its run (`texts`: the paragraphs normalised)."""
    starts, position = [], 0
    for paragraph, text in zip(run, texts, strict=True):
        starts.append((position, paragraph.where))
        position += len(text)
    return starts


def _where_at(starts: list[tuple[int, str]], position: int) -> str:
    """The paragraph holding a position of the joined text."""
    return [where for start, where in starts if start <= position][-1]


def _first_hit(sentences: list[tuple[str, str]], patterns: tuple[Pattern, ...]) -> Value | None:
    """The first statement of a figure in reading order, stronger patterns first."""
    for pattern in patterns:
        for sentence, where in sentences:
            match = pattern.regex.search(sentence)
            if match:
                number = 0 if pattern.zero else to_number(Decimal(match.group(1)))
                return Value(number, match.group(0), "reported", where)
    return None
