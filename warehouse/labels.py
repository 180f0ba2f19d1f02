"""Canonical keys and rule ids in the words a reader uses: table, row and column labels, rule names.

Pages must not import the pipeline, yet they name cells the way the printed template does.
The warehouse layer already reads `pipeline.template` (derive.py, crossyear.py), so this
module is the one place that lends the template's labels onward: pages ask here for
"表三 · 一、本年新收政府信息公开申请数量 · 自然人" instead of `t3.new_requests.natural_person`.
The rules a finding can name are data here too (RULES), each with a Chinese name, what it
checks and what a supervisor should do about a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.template import T2_COLUMNS, T2_ROWS, T3_COLUMN_LABELS, T3_GROUPS, T3_LAYOUTS, T4_OUTCOMES, T4_PROCEEDINGS

TABLE_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四", "text": "正文"}
TABLE_TITLES = {
    "t2": "表二 主动公开政府信息情况",
    "t3": "表三 收到和处理政府信息公开申请情况",
    "t4": "表四 行政复议、行政诉讼情况",
    "text": "正文中的数字",
}
T2_ROW_LABELS: dict[str, str] = {r.key: r.label for version in T2_ROWS.values() for r in version}
T3_ROW_LABELS: dict[str, str] = {r.key: r.label for layout in T3_LAYOUTS.values() for r in layout} | {
    group: label for group, (label, _) in T3_GROUPS.items()
}
TEXT_LABELS: dict[str, str] = {
    "text.proactive_total": "主动公开政府信息（条）", "text.channel.website": "政府网站（条）",
    "text.channel.wechat": "政务微信（条）", "text.channel.weibo": "政务微博（条）", "text.channel.douyin": "抖音等短视频（条）",
    "text.channel.new_media": "政务新媒体（条）", "text.channel.gazette": "政府公报（期）",
    "text.press_conferences": "新闻发布会（场）", "text.policy_interpretations": "政策解读（篇）",
    "text.info_fee_yuan": "信息处理费（元）", "text.npc_suggestions": "人大代表建议（件）",
    "text.cppcc_proposals": "政协提案（件）",
}  # fmt: skip


def cell_parts(key: str) -> tuple[str, str, str]:
    """(table, row, column) of a canonical key in Chinese; an unknown part stays '—', never the raw key."""
    table, _, rest = key.partition(".")
    if table == "t2":
        row, _, column = rest.rpartition(".")
        return TABLE_NAMES[table], T2_ROW_LABELS.get(row, "—"), T2_COLUMNS.get(column, "—")
    if table == "t3":
        row, _, column = rest.rpartition(".")
        return TABLE_NAMES[table], T3_ROW_LABELS.get(row, "—"), T3_COLUMN_LABELS.get(column, "—")
    if table == "t4":
        for proceeding, label in T4_PROCEEDINGS.items():
            if rest.startswith(proceeding + "_") and rest[len(proceeding) + 1 :] in T4_OUTCOMES:
                return TABLE_NAMES[table], label, T4_OUTCOMES[rest[len(proceeding) + 1 :]]
        if rest == "litigation_total":
            return TABLE_NAMES[table], "行政诉讼", "总计"
        return TABLE_NAMES[table], "—", "—"
    if table == "text":
        return TABLE_NAMES[table], TEXT_LABELS.get(key, "—"), "—"
    return "—", "—", "—"


def cell_label(key: str) -> str:
    """One line naming a cell: 表三 · 一、本年新收… · 自然人 (parts that do not apply are left out)."""
    return " · ".join(part for part in cell_parts(key) if part != "—") or "—"


@dataclass(frozen=True)
class Rule:
    """A check as a supervisor reads it: its name, what it checks, and what to do when it fails."""

    name: str
    checks: str
    action: str


RULES: dict[str, Rule] = {
    "T3-OFF": Rule("表三收支平衡", "本年新收加上年结转，应等于办理总计加结转下年度（每一列）。",
                   "请单位核对表三第一、二、三、四项，更正漏计或多计的申请。"),
    "T3-SUM-RESULT": Rule("表三办理结果合计", "（七）总计应等于予以公开、部分公开、不予公开、无法提供、不予处理、其他处理之和。",
                          "请单位逐项核对办理结果，找出重复计入或漏计的申请。"),
    "T3-ROW": Rule("表三行合计", "每一行的总计应等于自然人与五类法人或其他组织之和。",
                   "请单位核对该行各申请人类型的数字与总计。"),
    "T3-NONNEG": Rule("表三非负整数", "表三每个单元格应为非负整数（申请件数不能为负数或小数）。",
                      "请单位改正填写错误的单元格。"),
    "T3-TEXT": Rule("正文与表三一致", "正文中所述的收到或办结申请件数应与表三对应合计一致。",
                    "请单位核对正文表述与表格，统一口径。"),
    "T4-SUM": Rule("表四合计", "行政复议、行政诉讼每一类的总计应等于维持、纠正、其他结果与尚未审结之和。",
                   "请单位核对表四该行各结果的案件数。"),
    "T3-XYEAR": Rule("跨年度结转衔接", "本年的“上年结转”应等于上一年报告的“结转下年度”（每一列）。",
                     "请单位对照两年报告，更正其中一年的结转数字。"),
    "T2-XYEAR-IN-FORCE": Rule("现行有效件数衔接",
                              "现行有效件数应等于上年现行有效件数加本年制发减本年废止（规章、行政规范性文件）。",
                              "机构改革或清理文件可能造成差异；如无此类原因，请单位核对表二。"),
    "DUPLICATE-REPORT": Rule("同年多份报告", "同一单位同一年度有多份不同的报告文件。",
                             "确认哪一份是正式报告；更正版可在导入页替换旧版。"),
    "TABLE-MISSING": Rule("表格缺失", "报告中未读到应有的统计表（可能被截断，或表格无法识别）。",
                          "请取得完整的报告文件重新导入，或请单位补充公开完整报告。"),
    "TABLE-INCOMPLETE": Rule("表格不完整", "统计表只读到部分单元格（可能在表格中间被截断）。",
                             "请取得完整的报告文件重新导入，或请单位补充公开完整报告。"),
}  # fmt: skip
UNKNOWN_RULE = Rule("其他检查", "该检查暂无说明。", "请查看发现中的说明文字。")


def rule_name(rule_id: str) -> str:
    """The rule's Chinese name followed by its id, e.g. 表三收支平衡（T3-OFF）."""
    return f"{RULES.get(rule_id, UNKNOWN_RULE).name}（{rule_id}）"


def rule_of(rule_id: str) -> Rule:
    return RULES.get(rule_id, UNKNOWN_RULE)


def incomplete(rule_id: str) -> bool:
    """A finding that says the report is partial (TABLE-MISSING, TABLE-INCOMPLETE, any later TABLE- rule)."""
    return rule_id.startswith("TABLE-")


KEY_IN_TEXT = re.compile(r"\b(?:t2|t3|t4|text)\.[a-z0-9_.]*[a-z0-9_]")


def formula_words(formula: str) -> str:
    """A formula over canonical keys with each key replaced by its cell's name in 「」."""
    return KEY_IN_TEXT.sub(lambda m: f"「{cell_label(m.group(0))}」", formula)


ROW_KEY_IN_TEXT = re.compile(r"(?<![A-Za-z_.])[a-z]+(?:_[a-z]+)*(?![A-Za-z_.])")
FORMAT_NAMES = {"pdf": "PDF", "docx": "Word", "html": "网页", "text": "文本", "txt": "文本", "markdown": "Markdown",
                "image": "图片"}


def message_words(message: str | None) -> str:
    """A finding's message with any table row key it names (e.g. withheld_admin_query) in the template's words."""
    if not message:
        return "—"
    rows = T3_ROW_LABELS | T2_ROW_LABELS
    return ROW_KEY_IN_TEXT.sub(lambda m: rows.get(m.group(0), m.group(0)), message)
