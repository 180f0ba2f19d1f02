"""Both national template versions as data: labels, keys, units and layout.

Everything the extractors, validation, the demo renderers and the dashboard know
about the 2019 format (国办公开办函〔2019〕60号) and the 2021 format
(国办公开办函〔2021〕30号) lives here, so a label change is a one-line edit.
Labels are given as printed; `cues` are the stable substrings matched after
`normalise` (NFKC, no whitespace, unified numbering), per template.md §6 D6.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property

VERSIONS = ("2019", "2021")
#: The notice every generated demo report carries; a report holding it is never taken for a real one.
SYNTHETIC_MARKER = "【演示数据】"


_WHITESPACE = re.compile(r"\s+")
_NUMBERING = re.compile(r"(\d)[、．]")
#: The whole part of a number grouped by thousands (`14,571`, `1,234,567`): one to three digits, then
#: groups of three. `THOUSANDS` finds such numbers in running text; runs keep a comma only in this form.
GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")
THOUSANDS = re.compile(rf"(?<![\d.,]){GROUPED.pattern}(?![\d,])")
#: Minus and plus signs as typesetting prints them (a minus sign, an en dash, a full-width sign): one
#: ASCII sign, so `本年增/减 −15` is -15 and never the digits of its neighbours.
SIGNS = str.maketrans(dict.fromkeys("\u2212\u2013\u2010\u2011\ufe63\uff0d", "-") | {"\uff0b": "+"})


def unify_signs(text: str) -> str:
    """`text` with every minus-like and plus-like character as `-` or `+` (`SIGNS`)."""
    return text.translate(SIGNS)


def normalise(text: str) -> str:
    """NFKC, no whitespace, unified numbering and quotes, numbers without thousands separators: the form
    labels are matched in (`14,571条` read as 571 is a wrong figure, worse than none)."""
    text = unicodedata.normalize("NFKC", text)
    text = _WHITESPACE.sub("", text)
    text = THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    text = _NUMBERING.sub(r"\1.", text)
    return text.replace("“", '"').replace("”", '"').replace("〔", "[").replace("〕", "]")


@dataclass(frozen=True)
class Row:
    """One template row: its key, printed label, the cues that find it, and its columns."""

    key: str
    label: str
    cues: tuple[str, ...]
    columns: tuple[str, ...] = ()

    @cached_property
    def normal_label(self) -> str:
        """The label as lines are normalised: computed once per row, not once per line read."""
        return normalise(self.label)

    @cached_property
    def normal_cues(self) -> tuple[str, ...]:
        """The cues as labels are matched: normalised once per row, not once per line matched."""
        return tuple(normalise(cue) for cue in self.cues)


# ---------------------------------------------------------------- Table 二
T2_COLUMNS: dict[str, str] = {
    "newly_made": "本年新制作数量",
    "newly_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "prior_year_items": "上一年项目数量",
    "items_change": "本年增/减",
    "decisions": "处理决定数量",
    "fee_amount_wan_yuan": "本年收费金额（单位：万元）",
    "procurement_projects": "采购项目数量",
    "procurement_amount_wan_yuan": "采购总金额",
}

T2_BLOCKS: dict[str, str] = {
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
}

_T2_2019_DOCS = ("newly_made", "newly_published", "total_published")
_T2_2019_ITEMS = ("prior_year_items", "items_change", "decisions")
_T2_2021_DOCS = ("issued", "repealed", "in_force")

T2_ROWS: dict[str, tuple[Row, ...]] = {
    "2019": (
        Row("regulations", "规章", ("规章",), _T2_2019_DOCS),
        Row("normative_documents", "规范性文件", ("规范性文件",), _T2_2019_DOCS),
        Row("admin_licensing", "行政许可", ("行政许可",), _T2_2019_ITEMS),
        Row("other_external_services", "其他对外管理服务事项", ("其他对外管理服务",), _T2_2019_ITEMS),
        Row("admin_penalty", "行政处罚", ("行政处罚",), _T2_2019_ITEMS),
        Row("admin_coercion", "行政强制", ("行政强制",), _T2_2019_ITEMS),
        Row("admin_fees", "行政事业性收费", ("行政事业性收费",), ("prior_year_items", "items_change")),
        Row("central_procurement", "政府集中采购", ("政府集中采购",), ("procurement_projects", "procurement_amount_wan_yuan")),
    ),
    "2021": (
        Row("regulations", "规章", ("规章",), _T2_2021_DOCS),
        Row("normative_documents", "行政规范性文件", ("规范性文件",), _T2_2021_DOCS),
        Row("admin_licensing", "行政许可", ("行政许可",), ("decisions",)),
        Row("admin_penalty", "行政处罚", ("行政处罚",), ("decisions",)),
        Row("admin_coercion", "行政强制", ("行政强制",), ("decisions",)),
        Row("admin_fees", "行政事业性收费", ("行政事业性收费",), ("fee_amount_wan_yuan",)),
    ),
}

#: Columns whose values may carry a sign (template.md D12) or decimals (D5).
SIGNED_COLUMNS = frozenset({"items_change"})
DECIMAL_COLUMNS = frozenset({"fee_amount_wan_yuan", "procurement_amount_wan_yuan"})

# ---------------------------------------------------------------- Table 三
T3_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "org_commercial",
    "org_research",
    "org_public_welfare",
    "org_legal_service",
    "org_other",
    "total",
)
T3_COLUMN_LABELS: dict[str, str] = {
    "natural_person": "自然人",
    "org_commercial": "商业企业",
    "org_research": "科研机构",
    "org_public_welfare": "社会公益组织",
    "org_legal_service": "法律服务机构",
    "org_other": "其他",
    "total": "总计",
}

_T3_HEAD = (
    Row("new_requests", "一、本年新收政府信息公开申请数量", ("本年新收",)),
    Row("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    Row("disclosed", "（一）予以公开", ("予以公开",)),
    Row("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",)),
    Row("withheld_state_secret", "1.属于国家秘密", ("国家秘密",)),
    Row("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", ("禁止公开", "其他法律行政")),
    Row("withheld_security_stability", "3.危及“三安全一稳定”", ("三安全一稳定",)),
    Row("withheld_third_party_rights", "4.保护第三方合法权益", ("第三方合法权益",)),
    Row("withheld_internal_affairs", "5.属于三类内部事务信息", ("内部事务",)),
    Row("withheld_process_info", "6.属于四类过程性信息", ("过程性信息",)),
    Row("withheld_enforcement_file", "7.属于行政执法案卷", ("行政执法案卷",)),
    Row("withheld_admin_query", "8.属于行政查询事项", ("行政查询事项",)),
    Row("unavailable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",)),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成")),
    Row("unavailable_unclear_after_correction", "3.补正后申请内容仍不明确", ("仍不明确", "补正后申请")),
    Row("not_processed_petition_complaint", "1.信访举报投诉类申请", ("信访举报",)),
    Row("not_processed_duplicate", "2.重复申请", ("重复申请",)),
    Row("not_processed_publication", "3.要求提供公开出版物", ("公开出版物",)),
    Row("not_processed_excessive", "4.无正当理由大量反复申请", ("大量反复",)),
    Row("not_processed_confirm_reissue", "5.要求行政机关确认或重新出具已获取信息", ("重新出具", "确认或")),
)
_T3_OTHER_SINGLE = (Row("other_handling_total", "（六）其他处理", ("其他处理",)),)
_T3_OTHER_SPLIT = (
    Row("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ("逾期不补正",)),
    Row("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ("收费通知", "缴纳费用")),
    Row("other_misc", "3.其他", ("3.其他",)),
)
_T3_TAIL = (
    Row("total_processed", "（七）总计", ("(七)总计", "七、总计", "(七)合计")),
    Row("carried_forward", "四、结转下年度继续办理", ("结转下年度",)),
)

#: The two layouts of Table 三's rows: （六） as one row, or as three sub-rows.
T3_LAYOUTS: dict[str, tuple[Row, ...]] = {
    "single_other": _T3_HEAD + _T3_OTHER_SINGLE + _T3_TAIL,
    "split_other": _T3_HEAD + _T3_OTHER_SPLIT + _T3_TAIL,
}
#: The layout each version prints; real 2021-format reports sometimes keep the single row.
T3_DEFAULT_LAYOUT = {"2019": "single_other", "2021": "split_other"}

#: Group headings of Table 三 and the rows they gather (their totals are derived).
T3_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "withheld_total": ("（三）不予公开", tuple(r.key for r in _T3_HEAD[4:12])),
    "unavailable_total": ("（四）无法提供", tuple(r.key for r in _T3_HEAD[12:15])),
    "not_processed_total": ("（五）不予处理", tuple(r.key for r in _T3_HEAD[15:20])),
    "other_handling_total": ("（六）其他处理", tuple(r.key for r in _T3_OTHER_SPLIT)),
}

# ---------------------------------------------------------------- Table 四
T4_PROCEEDINGS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
T4_OUTCOMES: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
T4_KEYS: tuple[str, ...] = tuple(f"t4.{p}_{o}" for p in T4_PROCEEDINGS for o in T4_OUTCOMES)

# ---------------------------------------------------------------- version fingerprints (§1)
FINGERPRINTS: dict[str, tuple[str, ...]] = {
    "2019": (
        "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减", "政府集中采购",
        "其他对外管理服务事项", "第二十条第(九)项",
    ),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额", "逾期不补正", "行政规范性文件"),
}


def t3_key(row: str, column: str) -> str:
    """Canonical key of a Table 三 cell."""
    return f"t3.{row}.{column}"


def t2_key(row: str, column: str) -> str:
    """Canonical key of a Table 二 cell."""
    return f"t2.{row}.{column}"


# ---------------------------------------------------------------- consistency rules (§4c, §5)


@dataclass(frozen=True)
class SumRule:
    """A rule `Σ left = Σ right` over canonical keys: one instance per column where it applies."""

    rule: str
    severity: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    zh: str
    en: str


@cache
def t3_rules(layout: str) -> tuple[SumRule, ...]:
    """Table 三's arithmetic for one row layout, expanded over every column (T3-OFF, T3-SUM-RESULT, T3-ROW)
    once per layout, not once per report checked."""
    rows = [r.key for r in T3_LAYOUTS[layout]]
    outcomes = rows[rows.index("disclosed") : rows.index("total_processed")]
    rules = [
        SumRule("T3-OFF", "error", (t3_key("new_requests", c), t3_key("carried_over", c)),
                (t3_key("total_processed", c), t3_key("carried_forward", c)),
                f"第一项加第二项之和应等于第三项加第四项之和（{T3_COLUMN_LABELS[c]}列）",
                f"new + carried over must equal processed + carried forward ({c})")
        for c in T3_COLUMNS
    ]
    rules += [
        SumRule("T3-SUM-RESULT", "error", (t3_key("total_processed", c),), tuple(t3_key(r, c) for r in outcomes),
                f"（七）总计应等于各办理结果之和（{T3_COLUMN_LABELS[c]}列）",
                f"(七) total must equal the sum of all outcomes ({c})")
        for c in T3_COLUMNS
    ]
    rules += [
        SumRule("T3-ROW", "error", (t3_key(r, "total"),), tuple(t3_key(r, c) for c in T3_COLUMNS[:6]),
                f"总计应等于自然人与各类法人或其他组织之和（{r}）",
                f"row total must equal the sum of the six applicant columns ({r})")
        for r in rows
    ]
    return tuple(rules)


def holds(rule: SumRule, values: Mapping[str, int | float | None]) -> bool | None:
    """True/False where every input is a number, None where the rule is not assessable."""
    inputs = [values.get(k) for k in rule.left + rule.right]
    if any(v is None for v in inputs):
        return None
    left = sum(values[k] for k in rule.left)  # type: ignore[misc]
    right = sum(values[k] for k in rule.right)  # type: ignore[misc]
    return abs(left - right) < 1e-9


T4_RULES: tuple[SumRule, ...] = tuple(
    SumRule("T4-SUM", "error", (f"t4.{p}_total",), tuple(f"t4.{p}_{o}" for o in ("upheld", "corrected", "other", "pending")),
            f"{label}：总计应等于维持、纠正、其他结果与尚未审结之和",
            f"{p}: total must equal upheld + corrected + other + pending")
    for p, label in T4_PROCEEDINGS.items()
)


@dataclass(frozen=True)
class Continuity:
    """A cross-year identity between one Table 二 row's cells in year Y−1 (`before`) and Y (`after`).

    Not official rules (amendments and restructuring break them), so they are used only
    to narrow decodings of lost cell borders and as cross-year warnings, never to correct.
    """

    version: str
    columns: tuple[str, ...]
    description: str

    def holds(self, before: dict[str, float], after: dict[str, float]) -> bool:
        """Whether the identity holds between the two years' cells of one row."""
        if self.columns == ("prior_year_items", "items_change"):
            return after["prior_year_items"] == before["prior_year_items"] + before["items_change"]
        if self.columns == ("newly_published", "total_published"):
            return after["total_published"] == before["total_published"] + after["newly_published"]
        return after["in_force"] == before["in_force"] + after["issued"] - after["repealed"]


CONTINUITY: tuple[Continuity, ...] = (
    Continuity("2019", ("prior_year_items", "items_change"), "上一年项目数量(Y) = 上一年项目数量(Y−1) + 本年增/减(Y−1)"),
    Continuity("2019", ("newly_published", "total_published"), "对外公开总数量(Y) = 对外公开总数量(Y−1) + 本年新公开数量(Y)"),
    Continuity(
        "2021", ("issued", "repealed", "in_force"), "现行有效件数(Y) = 现行有效件数(Y−1) + 本年制发件数(Y) − 本年废止件数(Y)"
    ),
)
