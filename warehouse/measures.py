"""The metric dictionary as data: every comparable measure and composition, with its formula per template version.

- `MEASURES` holds each measure (names, definition, formula over canonical keys per
  template version, unit, cross-version comparability); the 指标说明 page renders it.
- A measure whose definition changes between versions (`comparability == "break"`) is
  split into one series per version and ranked within one version only
  (`warehouse.rankings`).
- `COMPOSITIONS` are the parts of one whole drawn as stacked bars.

How a measure is evaluated lives in `warehouse.values`; this module is only the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

VERSIONS = ("2019", "2021")


@dataclass(frozen=True)
class Formula:
    """numerator ÷ denominator, each the sum of canonical keys (no denominator: a count).

    A sum is unknown where any of its keys is unknown, except where `partial_denominator`
    says the denominator adds whatever keys the report states, if two or more (channel
    shares: a body names only the channels it uses). Then the report's mix is the channels
    it states: a channel it does not name has no share of it (numerator 0), so every
    channel's share is taken over the same reports and the shares add up to 100%.
    """

    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()
    partial_denominator: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.numerator + self.denominator))

    def text(self) -> str:
        """The formula as people read it."""
        top = " + ".join(self.numerator)
        if not self.denominator:
            return top
        bottom = " + ".join(self.denominator)
        note = "（分母按报告写明的渠道求和，至少两个渠道；未写明的渠道在该报告中计 0）" if self.partial_denominator else ""
        return f"({top}) ÷ ({bottom})" + note


@dataclass(frozen=True)
class Measure:
    """One comparable measure, as the 指标说明 page shows it."""

    id: str
    name_zh: str
    name_en: str
    topic: str
    definition: str
    unit: str
    formulas: Mapping[str, Formula]
    comparability: str  # same | approx | break
    note: str = ""

    @property
    def is_rate(self) -> bool:
        return any(f.denominator for f in self.formulas.values())

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(v for v in VERSIONS if v in self.formulas)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for f in self.formulas.values() for k in f.keys))

    @property
    def label(self) -> str:
        """Name with unit, for axis titles."""
        return f"{self.name_zh}（{self.unit}）"


def _both(*numerator: str, denominator: tuple[str, ...] = (), partial: bool = False) -> dict[str, Formula]:
    formula = Formula(tuple(numerator), denominator, partial)
    return {version: formula for version in VERSIONS}


T3 = "t3.{}.total"
PROCESSED = ("t3.total_processed.total",)
ORG_COLUMNS = ("org_commercial", "org_research", "org_public_welfare", "org_legal_service", "org_other")


@dataclass(frozen=True)
class Channel:
    """A publishing channel as the text states it; `parts` names the channels a total already includes."""

    id: str
    name_zh: str
    parts: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"text.channel.{self.id}"

    @property
    def is_total(self) -> bool:
        return bool(self.parts)


#: The channels, as data. 政务新媒体 is a total that already holds WeChat, Weibo and short
#: video: it is never added to them, never split into an "other" remainder, and never part of a mix.
CHANNELS: tuple[Channel, ...] = (
    Channel("website", "政府网站"),
    Channel("wechat", "政务微信"),
    Channel("weibo", "政务微博"),
    Channel("douyin", "抖音等短视频"),
    Channel("new_media", "政务新媒体（合计）", parts=("wechat", "weibo", "douyin")),
)
CHANNEL_BY_ID = {c.id: c for c in CHANNELS}
#: The channels a mix (composition and shares) is made of: every channel that is not a total of others.
MIX_CHANNELS = tuple(c.id for c in CHANNELS if not c.is_total)
ITEM_CHANNELS = tuple(c.id for c in CHANNELS)
CHANNEL_NAMES = {c.id: c.name_zh for c in CHANNELS}
CHANNEL_KEYS = tuple(CHANNEL_BY_ID[c].key for c in MIX_CHANNELS)
REVIEW_DECIDED = ("t4.review_upheld", "t4.review_corrected", "t4.review_other")
LITIGATION_DECIDED = tuple(
    f"t4.litigation_{p}_{o}" for p in ("direct", "after_review") for o in ("upheld", "corrected", "other")
)


def _outcome_rate(mid: str, zh: str, en: str, row: str, what: str) -> Measure:
    return Measure(
        mid, zh, en, "requests", f"{what}占（七）总计的比例。", "%",
        _both(T3.format(row), denominator=PROCESSED), "same",
        "（三）至（五）的合计由各小项相加得出（模板不印合计行），标记为推算值。",
    )  # fmt: skip


def _channel(channel: Channel) -> Measure:
    name = channel.name_zh
    total = f"是合计，已包含{'、'.join(CHANNEL_NAMES[p] for p in channel.parts)}，从不与它们相加。" if channel.is_total else ""
    return Measure(
        f"channel_{channel.id}", f"{name}公开信息数", f"items published via {channel.id}", "channels",
        f"报告正文写明的通过{name}公开的政府信息条数。", "条", _both(channel.key), "same",
        f"取自正文，只计报告明确写出的数字；未写明不等于零。{total}",
    )  # fmt: skip


SHARE_RULE = (
    "占比只在写明至少两个渠道（政府网站、政务微信、政务微博、短视频）的报告中计算：每份报告的分母是它写明的这些渠道条数之和，"
    "未写明的渠道在该报告中计 0；再把各报告的分子、分母分别相加后相除（按条数加权）。各渠道占比用同一批报告，合计 100%；"
    "构成图与占比趋势用同一算法。政务新媒体合计已含微信、微博等，不计入；政府公报按期计，不计入。"
)


def _channel_share(channel: str) -> Measure:
    name = CHANNEL_NAMES[channel]
    return Measure(
        f"channel_{channel}_share", f"{name}占比", f"share of {channel} among stated channels", "channels",
        f"{name}公开条数占该单位正文写明的各渠道条数之和的比例（同一条信息可在多个渠道发布）。", "%",
        _both(CHANNEL_BY_ID[channel].key, denominator=CHANNEL_KEYS, partial=True), "same", SHARE_RULE,
    )  # fmt: skip


MEASURES: tuple[Measure, ...] = (
    # -- requests (Table 三)
    Measure("requests_new", "本年新收申请", "new requests received", "requests",
            "表三第一项：本年新收政府信息公开申请数量。", "件", _both(T3.format("new_requests")), "same"),
    Measure("requests_received", "收到申请（含上年结转）", "requests received incl. carried over", "requests",
            "表三第一项加第二项：本年新收加上年结转。", "件",
            _both(T3.format("new_requests"), T3.format("carried_over")), "same"),
    Measure("requests_handled", "办结申请", "requests handled", "requests",
            "表三（七）总计：本年度办理结果合计。", "件", _both(*PROCESSED), "same"),
    Measure("requests_carried_forward", "结转下年度", "carried forward", "requests",
            "表三第四项：结转下年度继续办理的申请。", "件", _both(T3.format("carried_forward")), "same"),
    Measure("disclosure_rate", "实质公开率", "substantive disclosure rate", "requests",
            "予以公开与部分公开之和占（七）总计的比例。", "%",
            _both(T3.format("disclosed"), T3.format("partially_disclosed"), denominator=PROCESSED), "same"),
    _outcome_rate("withheld_rate", "不予公开率", "withholding rate", "withheld_total", "（三）不予公开"),
    _outcome_rate("unavailable_rate", "无法提供率", "unavailable rate", "unavailable_total", "（四）无法提供"),
    _outcome_rate("not_processed_rate", "不予处理率", "not-processed rate", "not_processed_total", "（五）不予处理"),
    Measure("org_share", "法人或其他组织申请占比", "share of organisations among applicants", "requests",
            "本年新收申请中法人或其他组织（五类之和）所占比例。", "%",
            _both(*(f"t3.new_requests.{c}" for c in ORG_COLUMNS), denominator=(T3.format("new_requests"),)), "same"),
    # -- review and litigation (Table 四)
    Measure("review_total", "行政复议案件", "administrative reviews", "reviews",
            "表四行政复议总计。", "件", _both("t4.review_total"), "same"),
    Measure("review_correction_rate", "复议纠错率", "review correction rate", "reviews",
            "行政复议结果纠正占已审结（维持+纠正+其他结果）的比例，不含尚未审结。", "%",
            _both("t4.review_corrected", denominator=REVIEW_DECIDED), "same"),
    Measure("litigation_total", "行政诉讼案件", "lawsuits", "reviews",
            "未经复议直接起诉与复议后起诉的总计之和。", "件",
            _both("t4.litigation_direct_total", "t4.litigation_after_review_total"), "same"),
    Measure("litigation_direct_total", "直接起诉案件", "lawsuits filed directly", "reviews",
            "表四未经复议直接起诉总计。", "件", _both("t4.litigation_direct_total"), "same"),
    Measure("litigation_after_review_total", "复议后起诉案件", "lawsuits after review", "reviews",
            "表四复议后起诉总计。", "件", _both("t4.litigation_after_review_total"), "same"),
    Measure("litigation_correction_rate", "诉讼纠错率", "litigation correction rate", "reviews",
            "两类行政诉讼结果纠正之和占已审结（维持+纠正+其他结果）的比例。", "%",
            _both("t4.litigation_direct_corrected", "t4.litigation_after_review_corrected",
                  denominator=LITIGATION_DECIDED), "same"),
    # -- proactive disclosure and channels (text)
    Measure("proactive_total", "主动公开信息数", "items proactively published", "channels",
            "报告正文写明的本年主动公开政府信息条数。", "条", _both("text.proactive_total"), "same",
            "取自正文，只计报告明确写出的数字。"),
    *(_channel(c) for c in CHANNELS),
    Measure("channel_gazette", "政府公报期数", "gazette issues", "channels",
            "报告正文写明的政府公报期数。", "期", _both("text.channel.gazette"), "same", "按期计，不是信息条数。"),
    *(_channel_share(c) for c in MIX_CHANNELS),
    # -- Table 二
    Measure("normative_documents_issued", "本年制发规范性文件", "normative documents issued", "documents",
            "2019 版“本年新制作数量”，2021 版“本年制发件数”。", "件",
            {"2019": Formula(("t2.normative_documents.newly_made",)),
             "2021": Formula(("t2.normative_documents.issued",))}, "approx",
            "两版口径近似（均为本年制作/制发），可连续比较，图中标出版本变化。"),
    Measure("normative_documents_stock", "规范性文件存量", "normative documents on record", "documents",
            "2019 版“对外公开总数量”（累计公开），2021 版“现行有效件数”（现行有效）。", "件",
            {"2019": Formula(("t2.normative_documents.total_published",)),
             "2021": Formula(("t2.normative_documents.in_force",))}, "break",
            "口径不同：累计公开数不等于现行有效数。两版分成两条序列，排名只在同一版本内进行。"),
    Measure("normative_documents_repealed", "本年废止规范性文件", "normative documents repealed", "documents",
            "2021 版“本年废止件数”。", "件", {"2021": Formula(("t2.normative_documents.repealed",))}, "same",
            "2019 版无此栏。"),
    Measure("licensing_decisions", "行政许可决定", "licensing decisions", "decisions",
            "第二十条第（五）项行政许可的（本年）处理决定数量。", "件", _both("t2.admin_licensing.decisions"), "same"),
    Measure("penalty_decisions", "行政处罚决定", "penalty decisions", "decisions",
            "第二十条第（六）项行政处罚的（本年）处理决定数量。", "件", _both("t2.admin_penalty.decisions"), "same"),
    Measure("coercion_decisions", "行政强制决定", "coercion decisions", "decisions",
            "第二十条第（六）项行政强制的（本年）处理决定数量。", "件", _both("t2.admin_coercion.decisions"), "same"),
    Measure("procurement_projects", "政府集中采购项目", "central procurement projects", "procurement",
            "第二十条第（九）项采购项目数量。", "个",
            {"2019": Formula(("t2.central_procurement.procurement_projects",))}, "same", "仅 2019 版模板有此栏。"),
    Measure("procurement_amount", "政府集中采购金额", "central procurement amount", "procurement",
            "第二十条第（九）项采购总金额，统一换算为万元。", "万元",
            {"2019": Formula(("t2.central_procurement.procurement_amount_wan_yuan",))}, "same",
            "仅 2019 版模板有此栏。"),
    Measure("fee_items", "行政事业性收费项目数", "fee items", "fees",
            "2019 版第二十条第（八）项：上一年项目数量加本年增/减，即本年收费项目数。", "个",
            {"2019": Formula(("t2.admin_fees.prior_year_items", "t2.admin_fees.items_change"))}, "same",
            "是项目个数，不是金额；不能与 2021 版收费金额比较。"),
    Measure("fee_amount", "行政事业性收费金额", "administrative fee amount", "fees",
            "2021 版第二十条第（八）项本年收费金额。", "万元",
            {"2021": Formula(("t2.admin_fees.fee_amount_wan_yuan",))}, "same",
            "仅 2021 版模板有此栏；与 2019 版收费项目数不是同一指标。"),
    Measure("info_fee", "信息处理费", "information processing fee", "fees",
            "报告正文写明的依申请公开信息处理费收取金额。", "元", _both("text.info_fee_yuan"), "same",
            "以元计，与表二行政事业性收费（万元）不是同一事项。"),
)  # fmt: skip

BY_ID: dict[str, Measure] = {m.id: m for m in MEASURES}
TOPIC_NAMES = {
    "requests": "依申请公开",
    "reviews": "复议诉讼",
    "channels": "公开渠道",
    "documents": "规范性文件",
    "decisions": "行政决定",
    "procurement": "政府采购",
    "fees": "收费",
}


@dataclass(frozen=True)
class Composition:
    """Parts of one whole drawn as a stacked bar: applicant mix, outcome mix, …"""

    id: str
    name_zh: str
    unit: str
    parts: Mapping[str, str]  # label -> canonical key


T3_WITHHELD = {
    "国家秘密": "withheld_state_secret",
    "法律行政法规禁止": "withheld_prohibited_by_law",
    "三安全一稳定": "withheld_security_stability",
    "第三方合法权益": "withheld_third_party_rights",
    "三类内部事务": "withheld_internal_affairs",
    "四类过程性信息": "withheld_process_info",
    "行政执法案卷": "withheld_enforcement_file",
    "行政查询事项": "withheld_admin_query",
}
COMPOSITIONS: dict[str, Composition] = {
    c.id: c
    for c in (
        Composition(
            "applicants", "申请人构成", "件",
            {"自然人": "t3.new_requests.natural_person", "商业企业": "t3.new_requests.org_commercial",
             "科研机构": "t3.new_requests.org_research", "社会公益组织": "t3.new_requests.org_public_welfare",
             "法律服务机构": "t3.new_requests.org_legal_service", "其他组织": "t3.new_requests.org_other"},
        ),
        Composition(
            "outcomes", "办理结果构成", "件",
            {"予以公开": T3.format("disclosed"), "部分公开": T3.format("partially_disclosed"),
             "不予公开": T3.format("withheld_total"), "无法提供": T3.format("unavailable_total"),
             "不予处理": T3.format("not_processed_total"), "其他处理": T3.format("other_handling_total")},
        ),
        Composition("withheld", "不予公开理由", "件", {label: T3.format(row) for label, row in T3_WITHHELD.items()}),
        Composition("channels", "公开渠道构成", "条", {CHANNEL_NAMES[c]: CHANNEL_BY_ID[c].key for c in MIX_CHANNELS}),
        Composition(
            "reviews", "行政复议结果", "件",
            {"维持": "t4.review_upheld", "纠正": "t4.review_corrected", "其他结果": "t4.review_other",
             "尚未审结": "t4.review_pending"},
        ),
        Composition(
            "litigation", "行政诉讼结果", "件",
            {f"{p_zh}·{o_zh}": f"t4.litigation_{p}_{o}"
             for p, p_zh in (("direct", "直接起诉"), ("after_review", "复议后起诉"))
             for o, o_zh in (("upheld", "维持"), ("corrected", "纠正"), ("other", "其他结果"), ("pending", "尚未审结"))},
        ),
    )
}  # fmt: skip

#: Every key a measure or composition reads: the columns of the prepared cell matrix.
ALL_KEYS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [k for m in MEASURES for k in m.keys] + [k for c in COMPOSITIONS.values() for k in c.parts.values()]
    )
)


def dictionary_frame() -> pl.DataFrame:
    """The dictionary as a table, one row per measure and version, for the 指标说明 page."""
    comparability = {"same": "两版一致", "approx": "两版近似，可连续比较", "break": "口径断裂，分开显示"}
    rows = [
        {
            "指标": m.name_zh,
            "英文名": m.name_en,
            "类别": TOPIC_NAMES[m.topic],
            "定义": m.definition,
            "模板版本": version,
            "公式": formula.text(),
            "单位": m.unit,
            "跨版本可比性": comparability[m.comparability] if len(m.versions) > 1 else f"仅 {version} 版",
            "说明": m.note,
        }
        for m in MEASURES
        for version, formula in m.formulas.items()
    ]
    return pl.DataFrame(rows)
