"""Text figures: precision first, a number only where a clause states it for that measure."""

from __future__ import annotations

import pytest

from pipeline.document import Document, Paragraph
from pipeline.extract.figures import extract_figures
from pipeline.record import Record


def _figures(*paragraphs: str) -> dict[str, float]:
    record = Record(source="x", format="text")
    extract_figures(Document("x", "text", [Paragraph(p) for p in paragraphs]), record)
    return {k: v.value for k, v in record.values.items()}


def test_channels_from_the_seed_sentence():
    text = (
        "截至2020年12月31日，街道主动公开政府信息714条。"
        "其中，政府网站公开信息数106条，政务微信公开政府信息数401条，政务微博公开政府信息数207条。"
    )
    assert _figures(text) == {"text.proactive_total": 714, "text.channel.website": 106,
                              "text.channel.wechat": 401, "text.channel.weibo": 207}


def test_sentence_broken_over_pdf_lines():
    assert _figures("2023 年，我区在政", "府网站平台主动公开政府信息 1136 条。") == {"text.channel.website": 1136}


def test_category_counts_are_not_the_total():
    text = "其中机构职能类信息25条，其他应主动公开政府信息856条。今年共公布政府信息2599条。"
    assert _figures(text) == {"text.proactive_total": 2599}


def test_figures_grouped_by_thousands_are_read_whole():
    text = "2022年全区共主动公开政府信息14,571条。“上海科技”网站全年累计发布信息 2,139 条，政务信息发布 393 件。"
    assert _figures(text) == {"text.proactive_total": 14571, "text.channel.website": 2139}


def test_other_units_are_not_items():
    assert _figures("通过微信公众号发布20680批次农产品抽检情况。") == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全年收取政府信息公开信息处理费 0 元。", {"text.info_fee_yuan": 0}),
        ("2021年，无收取信息处理费情况。", {"text.info_fee_yuan": 0}),
        ("共收到人大代表建议1件。本年度未收到政协委员提案。", {"text.npc_suggestions": 1, "text.cppcc_proposals": 0}),
        ("全年共编发公报24期。", {"text.channel.gazette": 24}),
        ("召开新闻发布会12场，发布政策解读21篇。", {"text.press_conferences": 12, "text.policy_interpretations": 21}),
    ],
)
def test_stated_figures(text, expected):
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "市政府门户网站全年发布信息46106条，举办新闻发布会191场。",
            {"text.channel.website": 46106, "text.press_conferences": 191},
        ),
        ("通过微信公众号、今日头条等新媒体发布信息1039条。", {"text.channel.new_media": 1039}),
        ("编印《云岫市人民政府公报》12期。", {"text.channel.gazette": 12}),
        ("本年度无发出收费通知，无收取信息处理费用。", {"text.info_fee_yuan": 0}),
        ("收到人大代表建议和政协委员提案共35件。", {}),
        ("办理人大代表建议15件、政协提案20件。", {"text.npc_suggestions": 15, "text.cppcc_proposals": 20}),
        ("全市政府网站主动公开信息5500余条。", {}),
    ],
)
def test_more_phrasings_and_combined_counts(text, expected):
    assert _figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # requests received are not the proactive total
        ("全年受理依申请公开政府信息19条，均按时答复。", {}),
        ("本年度共受理依申请公开政府信息申请19条。主动公开政府信息300条。", {"text.proactive_total": 300}),
        # a sub-category is not the website total
        ("通过政府网站公开财政资金信息2条。", {}),
        ("在政府网站公开财政资金 2 条，重大项目信息 5 条。", {}),
    ],
)
def test_clauses_about_something_else_are_not_taken(text, expected):
    assert _figures(text) == expected


def test_a_higher_portal_figure_is_not_a_county_body_own():
    record = Record(source="x", format="text", agency="云岫市鹤汀区卫生健康局")
    text = "通过市政府门户网站发布信息120条，在本单位网站公开政府信息35条。"
    extract_figures(Document("x", "text", [Paragraph(text)]), record)
    assert record.number("text.channel.website") == 35


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("政府网站公开2073条。", {"text.channel.website": 2073}),
        ("网站共发布各类信息46106条。", {"text.channel.website": 46106}),
        ("微信公众号“健康云岫”发布440条。", {"text.channel.wechat": 440}),
        ("微信公众号，发布信息977条。", {"text.channel.wechat": 977}),
        ("发布政策解读12篇。", {"text.policy_interpretations": 12}),
        ("召开新闻发布会3场。", {"text.press_conferences": 3}),
    ],
)
def test_phrasings_of_crawled_reports(text, expected):
    assert _figures(text) == expected
