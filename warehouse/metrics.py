"""Comparable measures: the metric dictionary, and the rules that make bodies and years fair to compare.

Raw cells mislead when compared naively: a region's own report often already sums its
bodies, the two template versions define some cells differently, a rate over three
requests says little, and a blank total is not a zero. Every ranking and trend of the
dashboard goes through this module, so those rules live in one place:

- `MEASURES` holds each measure as data (names, definition, formula over canonical keys per
  template version, unit, cross-version comparability); the 指标说明 page renders it.
- A measure whose definition changes between versions (`comparability == "break"`) is
  split into one series per version and ranked within one version only.
- Rates over fewer than `Settings.min_cases` cases are 样本过少 and stay out of rankings;
  every rate carries a Wilson 95% interval.
- Reports covering a whole region (`scope == "region"`) are never added to the reports
  of the region's bodies: region figures use the region's own report where there is one,
  else the sum of its bodies, marked partial.
- Values the report does not print but that follow from its parts (a blank total, blank
  zeros, group totals) are marked derived wherever they are used.

SQL lives in `warehouse.queries`; this module computes on the polars frames it returns.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from warehouse import queries
from warehouse.derive import RULES
from warehouse.queries import Filters
from warehouse.regions import canonical_name

VERSIONS = ("2019", "2021")
SCOPE_FILE = "report_scope.csv"
LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）"}
KIND_NAMES = {
    "government": "人民政府",
    "department": "政府部门",
    "township": "乡镇（街道）",
    "development_zone": "开发区",
    "other": "其他",
}
REGION_LEVELS = ("province", "city", "county")


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """Thresholds supervisors may tune; environment variables override the defaults."""

    min_cases: int = 10  # a rate over fewer cases is 样本过少
    jump_factor: float = 3.0  # a year-over-year change by this factor or more is flagged
    jump_floor: float = 10.0  # ... where the larger of the two years reaches this
    outlier_z: float = 3.5  # robust z-score beyond which a body is far from its peers
    min_peers: int = 5  # peer groups smaller than this are not scored

    @classmethod
    def from_env(cls) -> Settings:
        """XXGK_MIN_CASES, XXGK_JUMP_FACTOR, XXGK_JUMP_FLOOR, XXGK_OUTLIER_Z, XXGK_MIN_PEERS."""
        defaults = cls()
        return cls(
            min_cases=int(os.environ.get("XXGK_MIN_CASES", defaults.min_cases)),
            jump_factor=float(os.environ.get("XXGK_JUMP_FACTOR", defaults.jump_factor)),
            jump_floor=float(os.environ.get("XXGK_JUMP_FLOOR", defaults.jump_floor)),
            outlier_z=float(os.environ.get("XXGK_OUTLIER_Z", defaults.outlier_z)),
            min_peers=int(os.environ.get("XXGK_MIN_PEERS", defaults.min_peers)),
        )


# ---------------------------------------------------------------- the dictionary


@dataclass(frozen=True)
class Formula:
    """numerator ÷ denominator, each the sum of canonical keys (no denominator: a count).

    A sum is unknown where any of its keys is unknown, except where `partial_denominator`
    says the denominator adds whatever keys the report states, if two or more (channel
    shares: a body names only the channels it uses).
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
        return f"({top}) ÷ ({bottom})" + ("（分母按报告写明的渠道求和，至少两个渠道）" if self.partial_denominator else "")


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
ITEM_CHANNELS = ("website", "wechat", "weibo", "douyin", "new_media")
CHANNEL_NAMES = {"website": "政府网站", "wechat": "政务微信", "weibo": "政务微博", "douyin": "抖音等短视频", "new_media": "其他新媒体"}
CHANNEL_KEYS = tuple(f"text.channel.{c}" for c in ITEM_CHANNELS)
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


def _channel(channel: str) -> Measure:
    name = CHANNEL_NAMES[channel]
    return Measure(
        f"channel_{channel}", f"{name}公开信息数", f"items published via {channel}", "channels",
        f"报告正文写明的通过{name}公开的政府信息条数。", "条", _both(f"text.channel.{channel}"), "same",
        "取自正文，只计报告明确写出的数字；未写明不等于零。",
    )  # fmt: skip


def _channel_share(channel: str) -> Measure:
    name = CHANNEL_NAMES[channel]
    return Measure(
        f"channel_{channel}_share", f"{name}占比", f"share of {channel} among stated channels", "channels",
        f"{name}公开条数占该单位正文写明的各渠道条数之和的比例（同一条信息可在多个渠道发布）。", "%",
        _both(f"text.channel.{channel}", denominator=CHANNEL_KEYS, partial=True), "same",
        "分母只加报告写明的渠道；政府公报按期计，不计入。",
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
    *(_channel(c) for c in ITEM_CHANNELS),
    Measure("channel_gazette", "政府公报期数", "gazette issues", "channels",
            "报告正文写明的政府公报期数。", "期", _both("text.channel.gazette"), "same", "按期计，不是信息条数。"),
    *(_channel_share(c) for c in ITEM_CHANNELS),
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
        Composition("channels", "公开渠道构成", "条", {CHANNEL_NAMES[c]: f"text.channel.{c}" for c in ITEM_CHANNELS}),
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


# ---------------------------------------------------------------- preparing a warehouse

TOTALS = frozenset(rule.total for rule in RULES)


def matrix_keys() -> tuple[str, ...]:
    """The keys to read from the facts: what the dictionary uses, plus every part of a sum rule."""
    return tuple(dict.fromkeys(list(ALL_KEYS) + [k for rule in RULES for k in (rule.total, *rule.parts)]))


def open_warehouse(
    directory: str | os.PathLike[str] | None = None, settings: Settings | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse with everything pages ask for prepared in memory.

    Once per published snapshot: the report and body index, the completed cells, every
    measure of every report, each report's scope and the flags. Pages then only filter
    and sum, which keeps them fast on 100,000 reports.
    """
    settings = settings or Settings.from_env()
    con = queries.connect(directory)
    queries.build_index(con)
    cells = complete_cells(queries.cell_matrix(con, matrix_keys()))
    queries.store_table(con, "report_cells", cells)
    queries.store_table(con, "report_measures", measure_table(cells, queries.report_versions(con)))
    overrides = read_scope_overrides(queries.warehouse_path(directory) / SCOPE_FILE)
    queries.set_scope(con, classify_scope(queries.scope_inputs(con), overrides))
    queries.build_primary(con, [(m.id, m.versions, m.is_rate) for m in MEASURES])
    queries.store_table(con, "report_flags", compute_flags(con, settings))
    return con


def complete_cells(wide: pl.DataFrame, keep: Iterable[str] = ALL_KEYS) -> pl.DataFrame:
    """Numbers for every kept key, with `<key>#d` true where the number is not printed as such.

    Blank cells of a table the report fills in read as zeros (template.md D3: 上海 2019
    leaves zero cells empty); a blank or absent total is the sum of its parts
    (`warehouse.derive.RULES`, applied until nothing changes). A table left wholly
    blank stays unknown, and a dash stays unknown (D4).
    """
    needed = matrix_keys()
    missing = [k for k in needed if k not in wide.columns]
    wide = wide.with_columns(
        *(pl.lit(None, pl.Float64).alias(k) for k in missing),
        *(pl.lit(-1, pl.Int8).alias(f"{k}#s") for k in missing),
    )
    values, flags = [], []
    for key in needed:
        value = pl.col(key)
        if key not in TOTALS:
            blank_zero = value.is_null() & (pl.col(f"{key}#s") == 1) & pl.col(f"has#{key.split('.')[0]}")
            value = pl.when(blank_zero).then(pl.lit(0.0)).otherwise(value)
        values.append(value.alias(key))
        flags.append((pl.col(f"{key}#s") != 3).alias(f"{key}#d"))
    frame = wide.select("rid", *values, *flags)
    by_total: dict[str, list[tuple[str, ...]]] = {}
    for rule in RULES:
        by_total.setdefault(rule.total, []).append(rule.parts)
    for _ in range(len(by_total)):
        before = frame.null_count().sum_horizontal().item()
        frame = frame.with_columns(
            pl.coalesce(pl.col(total), *(_strict_sum(parts) for parts in alternatives)).alias(total)
            for total, alternatives in by_total.items()
        )
        if frame.null_count().sum_horizontal().item() == before:
            break
    kept = list(dict.fromkeys(keep))
    return frame.select("rid", *kept, *(f"{k}#d" for k in kept))


def _strict_sum(keys: Iterable[str]) -> pl.Expr:
    """The sum where every key has a number, else null."""
    columns = [pl.col(k) for k in keys]
    return pl.when(pl.all_horizontal(c.is_not_null() for c in columns)).then(pl.sum_horizontal(columns))


def _partial_sum(keys: Iterable[str], at_least: int = 2) -> pl.Expr:
    """The sum of the keys that have a number, where at least `at_least` have one.

    A share among the channels a body states means nothing when it states only one.
    """
    columns = [pl.col(k) for k in keys]
    stated = pl.sum_horizontal(c.is_not_null().cast(pl.Int32) for c in columns)
    return pl.when(stated >= at_least).then(pl.sum_horizontal(columns))


# ---------------------------------------------------------------- report scope

SCOPE_KINDS = frozenset({"government", "development_zone", "other"})
REGION_NAME = re.compile(r"(省|市|区|县|旗|盟|州)$")
REGION_CUE = re.compile(r"(全(省|市|区|县|旗|州|盟)|[我本](省|市|区|县)各级|各级(行政机关|单位|政府))")


def read_scope_overrides(path: Path) -> dict[tuple[str, int | None], str]:
    """User decisions from `report_scope.csv` (columns name, year, scope; empty year = every year)."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        (canonical_name(row["name"]), int(row["year"]) if (row.get("year") or "").strip() else None): row["scope"].strip()
        for row in rows
        if row.get("name") and (row.get("scope") or "").strip() in ("body", "region")
    }


def _depth() -> pl.Expr:
    return pl.when(pl.col("county").is_not_null()).then(3).when(pl.col("city").is_not_null()).then(2).otherwise(1)


def _member_sums(inputs: pl.DataFrame) -> pl.DataFrame:
    """For each candidate, the new requests of the plain bodies inside its region in the same year."""
    members = inputs.filter(~pl.col("candidate") & pl.col("primary_report") & pl.col("new_requests").is_not_null())
    out = inputs.with_columns(member_sum=pl.lit(None, pl.Float64), members=pl.lit(0, pl.UInt32))
    for depth in (1, 2, 3):
        prefix = list(REGION_LEVELS[:depth])
        sums = members.group_by("year", *prefix).agg(
            pl.col("new_requests").sum().alias(f"sum{depth}"), pl.len().alias(f"n{depth}")
        )
        out = out.join(sums, on=["year", *prefix], how="left", nulls_equal=True)
        mine = pl.col("depth") == depth
        out = out.with_columns(
            member_sum=pl.when(mine).then(pl.col(f"sum{depth}")).otherwise(pl.col("member_sum")),
            members=pl.when(mine).then(pl.col(f"n{depth}").fill_null(0)).otherwise(pl.col("members")),
        ).drop(f"sum{depth}", f"n{depth}")
    return out


def classify_scope(inputs: pl.DataFrame, overrides: Mapping[tuple[str, int | None], str]) -> pl.DataFrame:
    """Body or region for every report, with the evidence in words.

    In order: the user's override file; the sum test (a government's report that is at
    least the sum of two or more bodies inside its region covers the region, one below
    it covers only the office); a report issued in a region's name (平潭综合实验区); a
    text figure stated for the whole region (全区…, 各级行政机关…). Only governments,
    zones and bodies of unknown kind above township level can cover a region.
    """
    frame = inputs.with_columns(
        depth=_depth(),
        candidate=pl.col("kind").is_in(list(SCOPE_KINDS)) & pl.col("level").is_in(list(REGION_LEVELS)),
    )
    frame = _member_sums(frame)
    named = pl.col("name_canonical").is_in(list({name for name, _year in overrides}))
    open_question = frame.filter(pl.col("candidate") | named)  # every other report is a body's own
    rows = [_scope_of(row, overrides) for row in open_question.iter_rows(named=True)]
    schema = {"report_id": pl.String, "scope": pl.String, "scope_evidence": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _scope_of(row: dict, overrides: Mapping[tuple[str, int | None], str]) -> dict[str, str]:
    name = row["name_canonical"] or canonical_name(row["agency_name"] or "")
    override = overrides.get((name, row["year"])) or overrides.get((name, None))
    decided = None
    if override:
        decided = (override, "用户指定（report_scope.csv）")
    elif row["candidate"]:
        decided = _sum_test(row) or _cue_test(name, row["text_cues"])
    scope, evidence = decided or ("body", "")
    return {"report_id": row["report_id"], "scope": scope, "scope_evidence": evidence}


def _sum_test(row: dict) -> tuple[str, str] | None:
    own, total, count = row["new_requests"], row["member_sum"], row["members"]
    if own is None or total is None or count < 2 or total <= 0:
        return None
    words = f"本报告新收申请{own:g}件，辖区内{count}个单位报告合计{total:g}件"
    return ("region", words) if own >= total else ("body", words)


def _cue_test(name: str, cues: str | None) -> tuple[str, str] | None:
    if REGION_NAME.search(name):
        return "region", f"报告以地区名义发布：{name}"
    found = REGION_CUE.search(cues or "")
    if found:
        start = max(found.start() - 10, 0)
        return "region", f"正文按全地区表述：…{(cues or '')[start : found.end() + 20]}…"
    return None


# ---------------------------------------------------------------- evaluating a measure

Z95 = 1.959963984540054


def _by_version(measure: Measure, build) -> pl.Expr:
    """One expression per template version, chosen by each report's version."""
    expr = None
    for version, formula in measure.formulas.items():
        branch = build(formula)
        if branch is None:
            continue
        condition = pl.col("version") == version
        expr = pl.when(condition).then(branch) if expr is None else expr.when(condition).then(branch)
    return pl.lit(None, pl.Float64) if expr is None else expr.otherwise(None)


def _derived(formula: Formula) -> pl.Expr:
    return pl.any_horizontal(pl.col(k).is_not_null() & pl.col(f"{k}#d").fill_null(False) for k in formula.keys)


def wilson(k: pl.Expr, n: pl.Expr, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """Wilson score interval of k successes in n trials, in percent (robust for small n)."""
    p = (k / n).clip(0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt() / (1 + z * z / n)
    low = pl.when(k <= 0).then(0.0).otherwise((100 * (centre - half)).clip(0.0, 100.0))
    high = pl.when(k >= n).then(100.0).otherwise((100 * (centre + half)).clip(0.0, 100.0))
    return low, high


def _parts(measure: Measure) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Numerator, denominator and derived flag of a measure, by each report's template version."""
    num = _by_version(measure, lambda f: _strict_sum(f.numerator))
    den = _by_version(
        measure,
        lambda f: (_partial_sum(f.denominator) if f.partial_denominator else _strict_sum(f.denominator)) if f.denominator else None,
    )
    derived = _by_version(measure, _derived).cast(pl.Boolean).fill_null(False)
    return num.cast(pl.Float64), den.cast(pl.Float64), derived


def measure_table(cells: pl.DataFrame, versions: pl.Series) -> pl.DataFrame:
    """Every measure of every report: `<id>#num`, `<id>#den`, `<id>#derived` (cells and versions by rid)."""
    frame = cells.with_columns(version=versions)
    columns = [pl.col("rid")]
    for measure in MEASURES:
        num, den, derived = _parts(measure)
        columns += [num.alias(f"{measure.id}#num"), den.alias(f"{measure.id}#den"), derived.alias(f"{measure.id}#derived")]
    return frame.select(columns)


def finish(frame: pl.DataFrame, measure: Measure, settings: Settings | None = None) -> pl.DataFrame:
    """value, interval and small-sample flag from num and den (of a report or of a sum)."""
    settings = settings or Settings.from_env()
    if not measure.is_rate:
        return frame.with_columns(
            value=pl.col("num"), ci_low=pl.lit(None, pl.Float64), ci_high=pl.lit(None, pl.Float64),
            small_sample=pl.lit(False),
        )  # fmt: skip
    valid = pl.col("den") > 0
    low, high = wilson(pl.col("num"), pl.col("den"))
    return frame.with_columns(
        value=pl.when(valid).then(100 * pl.col("num") / pl.col("den")),
        ci_low=pl.when(valid).then(low),
        ci_high=pl.when(valid).then(high),
        small_sample=valid.fill_null(False) & (pl.col("den") < settings.min_cases),
    )


def _sql_args(measure: Measure) -> dict[str, object]:
    """How the queries name a measure's series: one per measure, or one per version where the definition breaks."""
    return {"versions": measure.versions, "name": measure.name_zh, "split": measure.comparability == "break"}


def measure_frame(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    settings: Settings | None = None,
    year: int | None = None,
) -> pl.DataFrame:
    """One row per body and year (its primary report) with the measure's value, interval and series."""
    measure = BY_ID[measure_id]
    rows = queries.measure_rows(con, measure_id, filters, year=year, **_sql_args(measure))
    return finish(rows, measure, settings)


def _totals(
    con: duckdb.DuckDBPyConnection, measure: Measure, filters: Filters, level: int, by_region: bool, settings: Settings | None
) -> pl.DataFrame:
    split = measure.comparability == "break"
    totals = queries.measure_totals(
        con, measure.id, filters, measure.versions, split, rate=measure.is_rate, level=level, by_region=by_region
    )
    series = pl.format("{}（{}版口径）", pl.lit(measure.name_zh), pl.col("split_version")) if split else pl.lit(measure.name_zh)
    return finish(totals.with_columns(series=series).drop("split_version"), measure, settings)


def region_values(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The measure per year for each region one level below the place filter.

    A region's figure is its own region report where one exists (coverage 地区报告),
    else the sum of the reports inside it (coverage 单位合计（部分）); bodies placed
    above that level form a '<parent>本级' group.
    """
    level = min(filters.depth + 1, 3)
    frame = _totals(con, BY_ID[measure_id], filters, level, True, settings)
    return frame.with_columns(
        coverage=pl.when(pl.col("own")).then(pl.lit("地区报告")).otherwise(pl.lit("单位合计（部分）")),
        level=pl.lit(REGION_LEVELS[level - 1]),
    )


def selection_values(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The measure per year for the whole selection, region reports standing in for their members."""
    frame = _totals(con, BY_ID[measure_id], filters, max(filters.depth, 1), False, settings)
    return frame.drop("region").with_columns(
        coverage=pl.when(pl.col("own")).then(pl.lit("地区报告")).otherwise(pl.lit("单位合计"))
    )


# ---------------------------------------------------------------- rankings and trends


@dataclass(frozen=True)
class Ranking:
    """Ranked rows of one year and one definition, and the rows left out of the ranking."""

    measure: Measure
    year: int | None
    version: str | None
    by: str  # body | region
    ranked: pl.DataFrame
    too_small: pl.DataFrame
    note: str = ""


def _latest_year(frame: pl.DataFrame) -> int | None:
    years = frame.filter(pl.col("value").is_not_null())["year"]
    return None if years.is_empty() else int(years.max())


def _one_definition(frame: pl.DataFrame, measure: Measure, version: str | None) -> tuple[pl.DataFrame, str | None]:
    """Rows of one definition only where the measure breaks between versions (the commonest by default)."""
    if measure.comparability != "break" or frame.is_empty():
        return frame, version
    chosen = version or frame.group_by("main_version").len().sort(["len", "main_version"], descending=True)["main_version"][0]
    return frame.filter(pl.col("main_version") == chosen), chosen


def ranking(
    con: duckdb.DuckDBPyConnection,
    measure_id: str,
    filters: Filters,
    by: str = "body",
    year: int | None = None,
    version: str | None = None,
    settings: Settings | None = None,
) -> Ranking:
    """Bodies (their own reports, not region reports) or the regions one level down, for one year.

    Rates over too few cases are set aside, and a measure whose definition breaks is
    ranked within one template version only.
    """
    measure = BY_ID[measure_id]
    if by == "region":
        frame = region_values(con, measure_id, filters, settings).with_columns(
            label=pl.col("region"), target=pl.col("region"),
            target_kind=pl.when(pl.col("local")).then(pl.lit("local")).otherwise(pl.lit("region")),
        )  # fmt: skip
        year = year or _latest_year(frame)
    else:
        year = year or queries.latest_year(con, measure_id, filters, measure.versions)
        frame = measure_frame(con, measure_id, filters, settings, year=year or 0).filter(pl.col("scope") == "body")
        frame = frame.with_columns(
            label=pl.col("agency_name"), target=pl.col("agency_id"), target_kind=pl.lit("body"),
            coverage=pl.lit("单位报告"), reports=pl.lit(1, pl.UInt32), main_version=pl.col("version"),
        )  # fmt: skip
    frame = frame.filter((pl.col("year") == (year or 0)) & pl.col("value").is_not_null())
    frame, version = _one_definition(frame, measure, version)
    columns = ["label", "target", "target_kind", "year", "value", "num", "den", "ci_low", "ci_high", "derived",
               "small_sample", "coverage", "reports", "series"]  # fmt: skip
    frame = frame.select(columns).sort(["value", "label"], descending=[True, False])
    ranked = frame.filter(~pl.col("small_sample")).with_row_index("rank", offset=1)
    note = f"仅比较 {version} 版口径" if measure.comparability == "break" and version else ""
    return Ranking(measure, year, version, by, ranked, frame.filter(pl.col("small_sample")), note)


def trend(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The selection's value per year, one series per definition, with the year-over-year change.

    `version_break` marks the first year of a series that follows another definition,
    so a chart can draw the break instead of joining the two.
    """
    frame = selection_values(con, measure_id, filters, settings).sort("series", "year")
    frame = frame.with_columns(
        change=pl.col("value") - pl.col("value").shift(1).over("series"),
        change_pct=(pl.col("value") / pl.col("value").shift(1).over("series") - 1) * 100,
    )
    first_of_series = pl.col("year") == pl.col("year").min().over("series")
    return frame.with_columns(version_break=first_of_series & (pl.col("year") > pl.col("year").min()))


def body_trends(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """Each body's value per year with its change on the year before (same series only)."""
    frame = measure_frame(con, measure_id, filters, settings)
    return _with_changes(frame, "agency_id").select(
        "agency_id", "agency_name", "year", "version", "scope", "series", "value", "num", "den", "ci_low", "ci_high",
        "derived", "small_sample", "change", "change_pct", "synthetic",
    )  # fmt: skip


KEY_FIGURES = ("requests_new", "disclosure_rate", "review_correction_rate", "proactive_total", "procurement_amount")


def key_figures(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """The latest year's value of each headline measure with the change on the year before."""
    rows = []
    for measure_id in KEY_FIGURES:
        measure = BY_ID[measure_id]
        frame = trend(con, measure_id, filters, settings).filter(pl.col("value").is_not_null()).sort("year")
        if frame.is_empty():
            rows.append({"measure": measure_id, "name": measure.name_zh, "unit": measure.unit})
            continue
        last = frame.row(-1, named=True)
        rows.append(
            {
                "measure": measure_id, "name": measure.name_zh, "unit": measure.unit, "year": last["year"],
                "value": last["value"], "change": last["change"], "derived": last["derived"],
                "small_sample": last["small_sample"], "coverage": last["coverage"], "reports": last["reports"],
            }
        )  # fmt: skip
    schema = {"measure": pl.String, "name": pl.String, "unit": pl.String, "year": pl.Int32, "value": pl.Float64,
              "change": pl.Float64, "derived": pl.Boolean, "small_sample": pl.Boolean, "coverage": pl.String,
              "reports": pl.UInt32}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def composition(
    con: duckdb.DuckDBPyConnection, composition_id: str, filters: Filters, by: str = "year"
) -> pl.DataFrame:
    """Each part's total per year (or per body in the latest year), with its share of the whole."""
    comp = COMPOSITIONS[composition_id]
    wide = queries.part_totals(con, list(comp.parts.values()), filters, max(filters.depth, 1), by_body=by == "body")
    parts = [
        wide.select(
            "group", part=pl.lit(label), order=pl.lit(i), value=pl.col(f"s{i}"), derived=pl.col(f"d{i}"), reports=pl.col(f"n{i}")
        )
        for i, label in enumerate(comp.parts)
    ]
    frame = pl.concat(parts).filter(pl.col("reports") > 0).sort("group", "order")
    return frame.with_columns(share=100 * pl.col("value") / pl.col("value").sum().over("group"))


# ---------------------------------------------------------------- flags

FLAG_MEASURES = ("requests_new", "disclosure_rate", "review_total", "proactive_total", "licensing_decisions", "penalty_decisions")
FLAG_COLUMNS = {"agency_id": pl.String, "agency_name": pl.String, "year": pl.Int32, "flag": pl.String,
                "measure": pl.String, "value": pl.Float64, "reference": pl.Float64, "message": pl.String}  # fmt: skip


PLACE_COLUMNS = {"province": pl.String, "city": pl.String, "county": pl.String, "kind": pl.String}


def flags(con: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """The flags of the selection, newest first (computed for the whole warehouse when it was opened)."""
    return queries.flags(con, filters)


def compute_flags(con: duckdb.DuckDBPyConnection, settings: Settings | None = None) -> pl.DataFrame:
    """What supervisors want to look at first: jumps, outliers among peers, reports gone missing.

    Computed over the whole warehouse, so a body's peers are every body of its kind and
    level that year, whatever the page's filter shows.
    """
    settings = settings or Settings.from_env()
    found = [missing_reports(con)]
    for measure_id in FLAG_MEASURES:
        frame = measure_frame(con, measure_id, Filters(), settings).filter(pl.col("scope") == "body")
        found += [jumps(frame, BY_ID[measure_id], settings), outliers(frame, BY_ID[measure_id], settings)]
    columns = [pl.col(name).cast(dtype) for name, dtype in (FLAG_COLUMNS | PLACE_COLUMNS).items()]
    return pl.concat([f.select(columns) for f in found]).sort(
        "year", "flag", "agency_name", descending=[True, False, False]
    )


def jumps(frame: pl.DataFrame, measure: Measure, settings: Settings) -> pl.DataFrame:
    """A body's value changing by `jump_factor` or more on its previous year (same definition).

    Small figures jump for no reason (1 → 4), so the larger year must reach `jump_floor`;
    rates are compared only where neither year is a small sample.
    """
    usable = frame.filter(pl.col("value").is_not_null() & ~pl.col("small_sample")).sort("agency_id", "series", "year")
    previous = pl.col("value").shift(1).over("agency_id", "series")
    consecutive = (pl.col("year") - pl.col("year").shift(1).over("agency_id", "series")) == 1
    factor = settings.jump_factor
    big = pl.max_horizontal(pl.col("value"), previous) >= settings.jump_floor
    jump = (pl.col("value") >= factor * previous) | (previous >= factor * pl.col("value"))
    hits = usable.with_columns(reference=previous).filter(consecutive & big & jump)
    return hits.with_columns(
        flag=pl.lit("同比突变"),
        measure=pl.lit(measure.id),
        message=pl.format(
            "{}：{}年{}{}，上年{}{}", pl.lit(measure.name_zh), pl.col("year"), _fmt(pl.col("value")), pl.lit(measure.unit),
            _fmt(pl.col("reference")), pl.lit(measure.unit),
        ),
    )  # fmt: skip


def outliers(frame: pl.DataFrame, measure: Measure, settings: Settings) -> pl.DataFrame:
    """Bodies far from their peers (same year, kind and level, same definition): robust z-score.

    z = 0.6745·(x − median) / MAD; groups smaller than `min_peers` or without spread are not scored.
    """
    usable = frame.filter(pl.col("value").is_not_null() & ~pl.col("small_sample"))
    peers = ["year", "kind", "level", "series"]
    median = pl.col("value").median().over(peers)
    mad = (pl.col("value") - median).abs().median().over(peers)
    scored = usable.with_columns(
        reference=median, mad=mad, peers=pl.len().over(peers)
    ).with_columns(z=0.6745 * (pl.col("value") - pl.col("reference")) / pl.col("mad"))
    hits = scored.filter(
        (pl.col("peers") >= settings.min_peers) & (pl.col("mad") > 0) & (pl.col("z").abs() > settings.outlier_z)
    )
    return hits.with_columns(
        flag=pl.lit("偏离同类"),
        measure=pl.lit(measure.id),
        message=pl.format(
            "{}：{}{}，同类（{}个单位）中位数{}{}", pl.lit(measure.name_zh), _fmt(pl.col("value")), pl.lit(measure.unit),
            pl.col("peers"), _fmt(pl.col("reference")), pl.lit(measure.unit),
        ),
    )  # fmt: skip


def missing_reports(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """A body with a report for year Y−1 and none for Y, for Y up to the warehouse's latest year."""
    history = queries.reporting_history(con)
    bounds = queries.year_range(con)
    if history.is_empty() or bounds is None:
        return pl.DataFrame(schema=FLAG_COLUMNS | PLACE_COLUMNS)
    present = history.select("agency_id", "year").unique()
    expected = present.with_columns(year=pl.col("year") + 1).filter(pl.col("year") <= bounds[1])
    gone = expected.join(present, on=["agency_id", "year"], how="anti")
    bodies = history.sort("year").group_by("agency_id").agg(pl.all().exclude("year").last())
    return gone.join(bodies, on="agency_id").with_columns(
        flag=pl.lit("报告缺失"),
        measure=pl.lit(None, pl.String),
        value=pl.lit(None, pl.Float64),
        reference=pl.lit(None, pl.Float64),
        message=pl.format("{}年有报告，{}年未见报告", pl.col("year") - 1, pl.col("year")),
    )


def _with_changes(frame: pl.DataFrame, unit: str) -> pl.DataFrame:
    """Change on the year before within each unit's series; none across a gap year or a version break."""
    frame = frame.sort(unit, "series", "year")
    previous = pl.col("value").shift(1).over(unit, "series")
    consecutive = (pl.col("year") - pl.col("year").shift(1).over(unit, "series")) == 1
    return frame.with_columns(
        change=pl.when(consecutive).then(pl.col("value") - previous),
        change_pct=pl.when(consecutive & (previous != 0)).then((pl.col("value") / previous - 1) * 100),
    )


def _fmt(expr: pl.Expr) -> pl.Expr:
    """A number for a flag's message: whole numbers without decimals, others to one place."""
    return pl.when(expr == expr.round(0)).then(expr.round(0).cast(pl.Int64).cast(pl.String)).otherwise(
        expr.round(1).cast(pl.String)
    )


def region_trends(
    con: duckdb.DuckDBPyConnection, measure_id: str, filters: Filters, settings: Settings | None = None
) -> pl.DataFrame:
    """Each region's value per year (one level below the place filter) with its change on the year before."""
    return _with_changes(region_values(con, measure_id, filters, settings), "region")
