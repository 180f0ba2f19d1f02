"""The report's text: the six sections as real reports word them, and the figures they state.

Sentences that state a figure use the wordings seen in real reports (template.md §7b,
the seed report's "政府网站公开信息数106条…"), and only they carry numbers, so the
truth of every `text.*` key is exactly what the prose says. Which figures a body
states varies: a city government states many, a 街道 often only its total, or none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.demo.city import Body
from pipeline.demo.draw import Draw
from pipeline.template import SYNTHETIC_MARKER

MARKER = SYNTHETIC_MARKER + "本报告为xxgk合成的虚构数据，机关名称与全部数字均为虚构，不代表任何真实机关。"


@dataclass
class Prose:
    """Paragraphs per section, and the text figures they state."""

    preface: list[str] = field(default_factory=list)
    overview: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    stated: dict[str, int] = field(default_factory=dict)
    #: Keys stated only in the sections after the tables (a copy cut after Table 二 lacks them).
    late: set[str] = field(default_factory=set)


def write(body: Body, year: int, text: dict[str, int], requests: tuple[int, int, int], draw: Draw) -> Prose:
    """All prose of one report. `text` holds every figure the body could state;
    `requests` is (new, processed, carried forward) as the table prints them."""
    prose = Prose()
    me = body.self_ref
    prose.preface = [
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"本报告电子版可在{body.city}人民政府门户网站（演示站点）政府信息公开专栏查阅。如对本报告有疑问，请与{body.name}联系。",
    ]
    prose.overview = [
        draw.pick(OPENINGS).format(year=year, name=body.name),
        draw.pick(("（一）主动公开情况", "（一）主动公开方面")),
        _proactive(body, year, text, draw, prose.stated) + draw.pick(PROACTIVE_FILLER),
        draw.pick(("（二）依申请公开情况", "（二）依申请公开方面")),
        _requests(me, year, *requests) + draw.pick(REQUEST_FILLER),
        "（三）政府信息管理情况",
        draw.pick(MANAGEMENT),
        "（四）政府信息公开平台建设情况",
        _platforms(body, text, draw, prose.stated) + draw.pick(PLATFORMS),
        "（五）监督保障情况",
        draw.pick(SUPERVISION),
    ]
    prose.problems = [draw.pick(PROBLEMS), draw.pick(IMPROVEMENTS)]
    before = set(prose.stated)
    prose.other = _other_matters(year, text, draw, prose.stated)
    prose.late = set(prose.stated) - before
    return prose


OPENINGS = (
    "{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，围绕中心工作深化政务公开，不断提升政府信息公开质量。",
    "{year}年，{name}按照上级关于政务公开工作的部署要求，坚持“公开为常态、不公开为例外”，持续推进决策、执行、管理、服务、结果公开。",
    "{year}年，{name}以保障人民群众知情权、参与权、表达权和监督权为目标，进一步规范公开内容、拓展公开渠道、强化监督保障。",
)
PROACTIVE_FILLER = (
    "重点围绕财政预决算、重大建设项目、公共资源配置、社会公益事业等领域做好信息公开。",
    "及时公开与群众切身利益密切相关的政策文件、通知公告和办事指南。",
    "",
)
REQUEST_FILLER = (
    "严格按照法定时限和程序答复，答复文书规范完整。",
    "进一步畅通网络、信函、当面等申请渠道，规范登记、审核、答复各环节。",
)
MANAGEMENT = (
    "严格落实政府信息公开属性源头认定和发布前保密审查制度，定期对已公开信息进行清理。",
    "动态更新政府信息公开指南和目录，规范公文公开属性标注，做到应公开尽公开。",
    "健全政府信息发布审核机制，严把政治关、政策关、保密关和文字关。",
)
PLATFORMS = (
    "持续优化政府网站栏目设置，加强政务新媒体日常管理。",
    "依托政府门户网站信息公开专栏，集中发布法定主动公开内容。",
)
SUPERVISION = (
    "将政务公开工作纳入年度绩效考核，组织开展业务培训，本年度未发生因政府信息公开工作受到责任追究的情形。",
    "明确分管领导和专职工作人员，定期开展自查整改，主动接受社会监督。",
)
PROBLEMS = (
    "（一）存在的主要问题。政策解读形式还不够丰富，部分信息更新不够及时，依申请公开答复的规范化水平有待进一步提高。",
    "（一）存在的主要问题。政务公开工作人员业务能力有待提升，重点领域信息公开的深度和广度仍需加强。",
)
IMPROVEMENTS = (
    "（二）改进措施。一是丰富解读形式，提升解读质量；二是加强日常监测，确保信息及时更新；三是加强业务培训，提升答复规范化水平。",
    "（二）改进措施。下一步将进一步健全工作机制，加强人员培训，深化重点领域信息公开，不断提升政务公开工作水平。",
)


def _state(stated: dict[str, int], text: dict[str, int], *keys: str) -> None:
    for key in keys:
        stated[key] = text[key]


def _proactive(body: Body, year: int, text: dict[str, int], draw: Draw, stated: dict[str, int]) -> str:
    """The proactive-disclosure figures, in one of the wordings real reports use."""
    style = draw.weighted(CHANNEL_STYLES[body.kind])
    return STYLE_WRITERS[style](body, year, text, stated)


def _seed_style(body: Body, year: int, text: dict[str, int], stated: dict[str, int]) -> str:
    """The seed report's wording: a total, then website, WeChat and Weibo counts."""
    _state(stated, text, "text.proactive_total", "text.channel.website", "text.channel.wechat", "text.channel.weibo")
    sentence = (
        f"截至{year}年12月31日，{body.self_ref}主动公开政府信息{text['text.proactive_total']}条。其中，"
        f"政府网站公开信息数{text['text.channel.website']}条，政务微信公开政府信息数{text['text.channel.wechat']}条，"
        f"政务微博公开政府信息数{text['text.channel.weibo']}条"
    )
    if text["text.channel.douyin"]:
        _state(stated, text, "text.channel.douyin")
        sentence += f"，政务抖音号发布短视频{text['text.channel.douyin']}条"
    return sentence + "。"


def _portal_style(body: Body, year: int, text: dict[str, int], stated: dict[str, int]) -> str:
    """Website counted as the means, new media undivided."""
    if text["text.channel.new_media"] == 0:
        return _total_style(body, year, text, stated)
    _state(stated, text, "text.proactive_total", "text.channel.website", "text.channel.new_media")
    return (
        f"{year}年，{body.self_ref}共主动公开政府信息{text['text.proactive_total']}条，其中通过政府网站发布政府信息"
        f"{text['text.channel.website']}条，通过政务新媒体发布信息{text['text.channel.new_media']}条。"
    )


def _media_style(body: Body, year: int, text: dict[str, int], stated: dict[str, int]) -> str:
    """The site as subject, then the WeChat account and the Weibo account."""
    _state(stated, text, "text.proactive_total", "text.channel.website", "text.channel.wechat", "text.channel.weibo")
    return (
        f"全年主动公开政府信息{text['text.proactive_total']}条。门户网站全年累计发布信息{text['text.channel.website']}条；"
        f"“{body.city[:-1]}发布”微信公众号推送信息{text['text.channel.wechat']}条，官方微博发布信息{text['text.channel.weibo']}条。"
    )


def _total_style(body: Body, year: int, text: dict[str, int], stated: dict[str, int]) -> str:
    """Only the total."""
    _state(stated, text, "text.proactive_total")
    return (f"{year}年，{body.self_ref}主动公开政府信息{text['text.proactive_total']}条，"
            "主要包括机构职能、政策文件、工作动态等内容。")


def _no_figures(body: Body, year: int, text: dict[str, int], stated: dict[str, int]) -> str:
    """No number at all, as many small bodies write."""
    return f"{body.self_ref}通过政府网站和政务新媒体及时公开各类政府信息。"


STYLE_WRITERS: dict[str, Callable[[Body, int, dict[str, int], dict[str, int]], str]] = {
    "seed": _seed_style,
    "portal": _portal_style,
    "media": _media_style,
    "total": _total_style,
    "none": _no_figures,
}
CHANNEL_STYLES = {
    "government": {"seed": 0.3, "portal": 0.25, "media": 0.3, "total": 0.15, "none": 0.0},
    "department": {"seed": 0.25, "portal": 0.25, "media": 0.15, "total": 0.25, "none": 0.1},
    "township": {"seed": 0.2, "portal": 0.1, "media": 0.0, "total": 0.4, "none": 0.3},
}


def _requests(me: str, year: int, new: int, processed: int, forward: int) -> str:
    """The sentence restating Table 三's totals (T3-TEXT checks it)."""
    if new == 0 and processed == 0:
        return f"{year}年，{me}未收到政府信息公开申请。"
    return f"{year}年，{me}共收到政府信息公开申请{new}件，办结{processed}件，结转下年度继续办理{forward}件。"


def _platforms(body: Body, text: dict[str, int], draw: Draw, stated: dict[str, int]) -> str:
    """Press conferences, interpretations and the gazette, where the body has them."""
    parts = []
    if body.kind == "government" and text["text.press_conferences"] and draw.chance(0.8):
        _state(stated, text, "text.press_conferences")
        parts.append(f"全年召开新闻发布会{text['text.press_conferences']}场")
    if draw.chance(0.6):
        _state(stated, text, "text.policy_interpretations")
        parts.append(f"发布政策解读材料{text['text.policy_interpretations']}篇")
    if "text.channel.gazette" in text:
        _state(stated, text, "text.channel.gazette")
        parts.append(f"编发政府公报{text['text.channel.gazette']}期")
    return "，".join(parts) + "。" if parts else ""


def _other_matters(year: int, text: dict[str, int], draw: Draw, stated: dict[str, int]) -> list[str]:
    """Section 六: the information-processing fee (from 2021), proposals, or nothing."""
    out = []
    if year >= 2021:
        _state(stated, text, "text.info_fee_yuan")
        fee = text["text.info_fee_yuan"]
        out.append(f"本年度共收取信息处理费{fee}元。" if fee else "本年度未收取信息处理费。")
    if draw.chance(0.5):
        npc, cppcc = text["text.npc_suggestions"], text["text.cppcc_proposals"]
        _state(stated, text, "text.npc_suggestions", "text.cppcc_proposals")
        if npc or cppcc:
            out.append(f"本年度共承办人大代表建议{npc}件、政协委员提案{cppcc}件，均已按期办结并公开办理结果。")
        else:
            out.append("本年度未承办人大代表建议和政协委员提案。")
    return out or ["本机关无其他需要报告的事项。"]
