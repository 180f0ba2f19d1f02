"""Crawled copies read end to end: pipes, cells one a line, traditional characters, cut copies,
Table 四 alone. Never a wrong value: what cannot be read is absent, with a finding."""

from __future__ import annotations

import json
import re

import pytest

from conftest import CORPUS
from pipeline.document import Document, Paragraph
from pipeline.errors import ReportError
from pipeline.evaluate import same
from pipeline.extract import extract_bytes, extract_document, extract_path
from pipeline.extract.lines import document_lines

#: A copy with a pipe after every cell, cut off inside Table 二 (after 其他对外管理服务事项).
CELL_STREAM = "\n".join(
    ["云岫市测试局", "2019年政府信息公开工作年度报告", "二、主动公开政府信息情况"]
    + [f"{cell} |" for cell in (
        "第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
        "规章", "0", "0", "0", "规范性文件", "2", "2", "15",
        "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
        "行政许可", "339", "+123", "462", "", "其他对外管理服务事项", "-", "", "7",
    )]
)

HEAD = ["云岫市测试局", "2019年政府信息公开工作年度报告"]
T2_ONE_CELL_A_LINE = [
    "二、主动公开政府信息情况", "第二十条第（一）项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
    "规章", "0", "0", "0", "规范性文件", "3", "2", "17",
]
T4_ALONE = [
    "四、政府信息公开行政复议、行政诉讼情况",
    "行政复议 行政诉讼",
    "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
    "1 0 0 0 1 0 0 0 0 0 2 0 0 1 3",
    "五、存在的主要问题及改进情况",
]


def _record(lines: list[str]):
    return extract_document(Document("x.txt", "scraped", [Paragraph(line) for line in lines]))


def _failed(record) -> dict[str, tuple[str, ...]]:
    return {f.message_zh: f.keys for f in record.findings if f.rule.startswith("TABLE-")}


def test_cells_one_a_line_are_regrouped_into_rows() -> None:
    lines = document_lines(Document("x", "scraped", [Paragraph(line) for line in T2_ONE_CELL_A_LINE]))
    assert [line.text for line in lines][-2:] == ["规章 0 0 0", "规范性文件 3 2 17"]


def test_table_2_rows_one_cell_a_line() -> None:
    record = _record(HEAD + T2_ONE_CELL_A_LINE)
    values = record.to_json()["values"]
    assert values["t2.regulations.newly_made"] == 0
    assert [values[f"t2.normative_documents.{c}"] for c in ("newly_made", "newly_published", "total_published")] == [3, 2, 17]


def test_a_pipe_after_every_cell_never_melts_into_a_digit_run() -> None:
    record = extract_bytes(CELL_STREAM.encode(), "copy.txt")
    values = record.to_json()["values"]
    assert [values[f"t2.admin_licensing.{c}"] for c in ("prior_year_items", "items_change", "decisions")] == [339, 123, 462]
    columns = ("prior_year_items", "items_change", "decisions")
    assert [values[f"t2.other_external_services.{c}"] for c in columns] == [None, None, 7]
    assert record.values["t2.other_external_services.prior_year_items"].status == "dash"
    assert record.values["t2.other_external_services.items_change"].status == "blank"


def test_a_copy_cut_mid_table_is_a_partial_record_that_says_what_is_missing() -> None:
    record = extract_bytes(CELL_STREAM.encode(), "copy.txt")
    assert (record.agency, record.year, record.template_version) == ("云岫市测试局", 2019, "2019")
    missing = _failed(record)
    t2 = next(keys for message, keys in missing.items() if message.startswith("表格不完整：表二"))
    assert "t2.admin_penalty.decisions" in t2 and "t2.admin_licensing.decisions" not in t2
    assert {m for m in missing if m.startswith("表格缺失")} == {"表格缺失：未读到表三", "表格缺失：未读到表四"}
    assert not any(k.startswith(("t3.", "t4.")) for k in record.values)


def test_a_copy_cut_before_any_table_is_a_partial_record() -> None:
    record = _record([*HEAD, "一、总体情况", "本年度我局主动公开政府信息120条。"])
    assert record.values["text.proactive_total"].value == 120
    assert set(_failed(record)) == {"表格缺失：未读到表二", "表格缺失：未读到表三", "表格缺失：未读到表四"}


def test_neither_identity_nor_table_is_not_a_report() -> None:
    with pytest.raises(ReportError, match="not a disclosure report"):
        _record(["关于开展工作的通知", "各单位：请于月底前报送材料。"])


def test_table_4_without_an_anchor_before_it() -> None:
    record = _record(HEAD + ["一、总体情况", "本年度未发生行政复议案件2件以外的情况。"] + T4_ALONE)
    values = record.to_json()["values"]
    assert [values[k] for k in ("t4.review_upheld", "t4.review_total", "t4.litigation_after_review_total")] == [1, 1, 3]
    assert values["t4.litigation_after_review_pending"] == 1


def test_traditional_characters_are_matched_and_kept_as_printed() -> None:
    import opencc

    text = opencc.OpenCC("s2t.json").convert(
        "\n".join([*HEAD, "一、总体情况", "本年度我局认真执行条例，主动公开政府信息。", *T2_ONE_CELL_A_LINE])
    )
    assert "第二十條" in text and "測試局" in text
    record = extract_bytes(text.encode(), "copy.txt")
    assert (record.agency, record.agency_as_printed, record.script) == ("云岫市测试局", "雲岫市測試局", "traditional")
    assert record.to_json()["values"]["t2.normative_documents.total_published"] == 17


def test_numbers_grouped_by_thousands_in_a_scraped_table() -> None:
    # cells lost their borders; the counts print as 10,690 and 2,113 (read as 10 and 2 before)
    record = _record([
        "云岫市测试局2022年政府信息公开工作年度报告 二、主动公开政府信息情况 第二十条第（一）项 信息内容 "
        "本年制发件数 本年废止件数 现行有效件数 规章000行政规范性文件8855698第二十条第（五）项信息内容"
        "本年处理决定数量行政许可10,690第二十条第（六）项信息内容本年处理决定数量行政处罚2,113行政强制0"
        "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费9,116.36 三、收到和处理政府信息公开申请情况"
    ])  # fmt: skip
    values = record.to_json()["values"]
    assert (values["t2.admin_licensing.decisions"], values["t2.admin_penalty.decisions"]) == (10690, 2113)
    assert values["t2.admin_fees.fee_amount_wan_yuan"] == 9116.36
    assert "t2.normative_documents.in_force" in record.ambiguous  # 8855698 cuts many ways: not guessed


def test_a_letter_spaced_copy_reads_as_the_copy_without_spaces() -> None:
    # text copied from a PDF set with letter spacing: a space between every two Chinese characters
    line = (
        "云岫市测试局2019年政府信息公开工作年度报告 二、主动公开政府信息情况 第二十条第（一）项 信息内容 "
        "本年新制作数量 本年新公开数量 对外公开总数量 规章 000 规范性文件 3 2 17 第二十条第（五）项 信息内容 "
        "上一年项目数量 本年增/减 处理决定数量 行政许可 339 +123 462 其他对外管理服务事项 0 0 7"
    )
    spaced = re.sub(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", " ", line)
    assert "第 二 十 条" in spaced
    plain, copy = _record([line]).to_json()["values"], _record([spaced]).to_json()["values"]
    assert copy == plain
    assert copy["t2.admin_licensing.decisions"] == 462 and copy["t2.normative_documents.total_published"] == 17


@pytest.mark.parametrize("minus", ["\u2212", "\u2013", "\uff0d"])  # minus sign, en dash, full-width hyphen
def test_a_typeset_minus_is_a_minus_in_runs_and_in_cells(minus: str) -> None:
    head = (
        "云岫市测试局2019年政府信息公开工作年度报告 二、主动公开政府信息情况 "
        "第二十条第（五）项 信息内容 上一年项目数量 本年增/减 处理决定数量 "
    )
    plain, typeset = (_record([f"{head}行政许可 35{sign}15 20 其他对外管理服务事项 0 0 7"]) for sign in ("-", minus))
    assert typeset.to_json()["values"] == plain.to_json()["values"]
    assert typeset.to_json()["values"]["t2.admin_licensing.items_change"] == -15  # not the 3 and 5 of "35"
    cells = _record([*HEAD, *T2_ONE_CELL_A_LINE, "第二十条第（五）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
                     "行政许可", "339", f"{minus}18", "321"])  # fmt: skip
    assert cells.to_json()["values"]["t2.admin_licensing.items_change"] == -18


def test_a_run_cut_off_at_the_end_of_a_copy_is_not_decoded() -> None:
    # scraped text cut inside Table 二: 规范性文件's run "12517" lost its last digits ("125")
    head = (
        "云岫市测试局2019年政府信息公开工作年度报告 二、主动公开政府信息情况 第二十条第(一)项 信息内容 "
        "本年新制作数量 本年新公开数量 对外公开总数量 规章 000 规范性文件 "
    )
    whole = _record([head + "12517 第二十条第(五)项 信息内容 上一年项目数量 本年增/减 处理决定数量 行政许可 000"])
    cut = _record([head + "125"])
    assert whole.to_json()["values"]["t2.regulations.newly_made"] == 0
    assert "t2.normative_documents.newly_made" not in cut.to_json()["values"]
    assert "t2.normative_documents.newly_made" not in cut.ambiguous
    assert cut.to_json()["values"]["t2.regulations.total_published"] == 0


VARIANTS = CORPUS.parent / "variants"
#: Text variants; the scanned PDF there belongs to the OCR work.
TEXT_VARIANTS = ("pingtan_syq_2022_trad", "seed_sunjiatuan_2020_cellpipes", "seed_sunjiatuan_2020_cut",
                 "seed_sunjiatuan_2020_pipes", "seed_sunjiatuan_2020_trad")


@pytest.fixture(scope="module")
def variant_records():
    if not (VARIANTS / "truth").exists():
        pytest.skip(f"crawled variants not found at {VARIANTS}")
    out = {}
    for name in TEXT_VARIANTS:
        truth = json.loads((VARIANTS / "truth" / f"{name}.json").read_text(encoding="utf-8"))
        out[name] = (truth, extract_path(VARIANTS / truth["source"]))
    return out


@pytest.mark.parametrize("name", TEXT_VARIANTS)
def test_crawled_variants_never_give_a_wrong_value(variant_records, name):
    truth, record = variant_records[name]
    got = record.to_json()["values"]
    assert (record.agency, record.year, record.template_version) == (truth["agency"], truth["year"], truth["template_version"])
    assert [k for k, v in got.items() if k in truth["values"] and not same(truth["values"][k], v)] == []
    assert [k for k in got if k not in truth["values"]] == []
    absent = [k for k in truth["values"] if k not in got]
    source = (VARIANTS / truth["source"]).read_text(encoding="utf-8")
    if name.endswith("_cut"):
        # the truth lists the figures of the whole report; those stated after the cut are not in the copy
        assert absent and all(k.startswith("text.") for k in absent)
        assert "人大代表建议" not in source and not any(k.startswith(("t3.", "t4.")) for k in got)
        assert {f.rule for f in record.findings if f.outcome == "fail"} == {"TABLE-MISSING"}
    else:
        assert absent == []
