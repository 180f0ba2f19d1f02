"""Keys and rules in a reader's words, from the template's own labels."""

from __future__ import annotations

from warehouse.labels import RULES, cell_label, cell_parts, formula_words, incomplete, message_words, rule_name


def test_cells_are_named_by_table_row_and_column():
    assert cell_parts("t3.withheld_admin_query.natural_person") == ("表三", "8.属于行政查询事项", "自然人")
    assert cell_parts("t3.withheld_total.total") == ("表三", "（三）不予公开", "总计")
    assert cell_parts("t2.central_procurement.procurement_amount_wan_yuan") == ("表二", "政府集中采购", "采购总金额")
    assert cell_parts("t4.litigation_after_review_corrected") == ("表四", "复议后起诉", "结果纠正")
    assert cell_label("text.channel.wechat") == "正文 · 政务微信（条）"
    assert cell_parts("t3.no_such_row.total") == ("表三", "—", "总计"), "an unknown part is '—', never the key"


def test_formulas_and_messages_lose_their_raw_keys():
    assert formula_words("t4.review_total") == "「表四 · 行政复议 · 总计」"
    text = message_words("无法核对：总计应等于自然人与各类法人或其他组织之和（withheld_admin_query）")
    assert text.endswith("（8.属于行政查询事项）")
    assert message_words(None) == "—"


def test_every_rule_the_engine_emits_has_a_name_a_check_and_an_action():
    for rule in ("T3-OFF", "T3-SUM-RESULT", "T3-ROW", "T3-NONNEG", "T3-TEXT", "T4-SUM", "T3-XYEAR", "T2-XYEAR-IN-FORCE",
                 "DUPLICATE-REPORT", "TABLE-MISSING", "TABLE-INCOMPLETE"):  # fmt: skip
        assert RULES[rule].name and RULES[rule].checks.endswith("。") and RULES[rule].action.endswith("。")
    assert rule_name("T3-OFF") == "表三收支平衡（T3-OFF）" and rule_name("NEW-RULE") == "其他检查（NEW-RULE）"
    assert incomplete("TABLE-CUT") and not incomplete("T3-OFF")
