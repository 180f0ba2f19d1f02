"""Tables 二/三/四 from the document model: label matching, order fallback, versions."""

from __future__ import annotations

from conftest import corpus_file
from pipeline.document import Cell, Document, Paragraph, Table
from pipeline.extract import extract_bytes, extract_document, extract_path
from pipeline.extract.tables import detect_version
from pipeline.template import normalise


def _table(rows: list[list[str]]) -> Table:
    return Table(cells=[Cell(t, r, c) for r, row in enumerate(rows) for c, t in enumerate(row)])


T3_2021_ROWS = [
    ["一、本年新收政府信息公开申请数量", "5", "1", "0", "0", "0", "0", "6"],
    ["二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0"],
    ["（一）予以公开", "3", "1", "0", "0", "0", "0", "4"],
    ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "", "", "", "", "", "", ""],
]


def _minimal_2021() -> Document:
    t2 = _table([["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                 ["规章", "0", "0", "0"], ["行政规范性文件", "2", "—", "9"],
                 ["第二十条第（八）项"], ["信息内容", "本年收费金额（单位：万元）"], ["行政事业性收费", "96171.6"]])
    return Document("mini.html", "html", [Paragraph("某某区人民政府2022年政府信息公开工作年度报告"), t2, _table(T3_2021_ROWS)])


def test_2021_table2_values_blank_and_dash_are_kept_apart():
    record = extract_document(_minimal_2021())
    assert record.template_version == "2021"
    assert record.values["t2.normative_documents.issued"].value == 2
    dash = record.values["t2.normative_documents.repealed"]
    assert (dash.value, dash.status) == (None, "dash")
    assert record.values["t2.admin_fees.fee_amount_wan_yuan"].value == 96171.6
    blank = record.values["t3.partially_disclosed.total"]
    assert (blank.value, blank.status) == (None, "blank")


def test_a_record_never_invents_cells():
    record = extract_document(_minimal_2021())
    assert not any(k.startswith("t2.central_procurement") for k in record.values)
    assert "t3.withheld_state_secret.total" not in record.values


def test_every_value_keeps_its_source_location():
    record = extract_document(_minimal_2021())
    assert record.values["t3.new_requests.total"].where.endswith("row 1 col 8")


def test_version_detected_from_fingerprints_not_year():
    assert detect_version(normalise("信息内容本年新制作数量本年新公开数量对外公开总数量"))[0] == "2019"
    assert detect_version(normalise("本年制发件数本年废止件数现行有效件数"))[0] == "2021"
    assert detect_version("无关文本") == ("unknown", [])


def test_seed_2019_format_with_procurement_in_wan_yuan():
    record = extract_path(corpus_file("seed_sunjiatuan_2020.txt"))
    assert record.template_version == "2019"
    assert record.values["t2.central_procurement.procurement_amount_wan_yuan"].value == 230.64565
    assert record.values["t2.central_procurement.procurement_amount_wan_yuan"].raw == "230.64565万元"
    assert record.number("t3.new_requests.natural_person") == 1


def test_shredded_pdf_table3_rows_assigned_in_template_order():
    record = extract_path(corpus_file("huaian_hongze_qu_gov_2023.pdf"))
    assert record.template_version == "2021"
    assert record.number("t3.partially_disclosed.total") == 4
    assert record.number("t3.withheld_state_secret.total") == 1
    assert record.number("t3.other_handling_total.total") == 0
    assert "t3.other_misc.total" not in record.values


def test_blank_totals_stay_blank_in_the_shanghai_html():
    record = extract_path(corpus_file("shanghai_shizhengfu_bgt_2019_fragment.html"))
    assert record.number("t3.disclosed.natural_person") == 258
    assert record.values["t3.disclosed.total"].status == "blank"
    assert record.number("t2.central_procurement.procurement_amount_wan_yuan") == 25.1


def test_scraped_run_left_ambiguous_is_listed_not_guessed():
    record = extract_path(corpus_file("pingtan_syq_2021.txt"))
    assert "t2.normative_documents.issued" not in record.values
    assert set(record.ambiguous["t2.normative_documents.issued"]) >= {69, 6}
    assert record.number("t3.disclosed.org_commercial") == 0


def test_restated_text_figures_settle_a_run():
    record = extract_path(corpus_file("pingtan_syq_2022.txt"))
    assert [record.number(f"t2.normative_documents.{c}") for c in ("issued", "repealed", "in_force")] == [88, 55, 698]


def test_table4_row_wrapped_over_two_pdf_lines():
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼", "结果维持 结果纠正 其他结果 尚未审结 总计",
             "3 1 0 0 4 2 0 0 1", "3 0 0 0 0 0", "五、存在的主要问题及改进情况"]
    doc = Document("wrapped.pdf", "pdf", [Paragraph(line) for line in lines])
    t3 = _table([["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"], *T3_2021_ROWS])
    doc.blocks[:0] = [Paragraph("第二十条第（一）项"), Paragraph("信息内容 本年制发件数 本年废止件数 现行有效件数"), t3]
    record = extract_document(doc)
    totals = ("t4.review_total", "t4.litigation_direct_total", "t4.litigation_after_review_total")
    assert [record.number(k) for k in totals] == [4, 3, 0]


def test_scraped_sub_rows_numbered_with_dun_comma():
    text = corpus_file("pingtan_syq_2021.txt").read_text(encoding="utf-8")
    for n in "123":
        text = text.replace(f"{n}.申请人", f"{n}、申请人").replace("3.其他1", "3、其他1")
    record = extract_bytes(text.encode(), "pingtan_dun_comma.txt")
    assert [record.number(f"t3.{r}.total") for r in ("other_no_correction", "other_fee_unpaid", "other_misc")] == [0, 0, 1]


def test_a_column_of_notes_after_the_cells_is_no_cell():
    head = ["申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "备注"]
    doc = _minimal_2021()
    doc.blocks[-1] = _table([head, *([*row, "已办结"] for row in T3_2021_ROWS)])
    values = {k: v.value for k, v in extract_document(doc).values.items()}
    assert (values["t3.new_requests.total"], values["t3.disclosed.total"]) == (6, 4)


def test_a_column_numbering_the_rows_is_no_cell():
    # a 序号 column is no part of the template: Table 四's unlabelled row read one cell to the right before
    t4 = _table([
        ["序号", "行政复议", "", "", "", "", "行政诉讼"],
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"],
        ["1", "2", "1", "0", "0", "3", "1", "0", "0", "0", "1", "0", "0", "0", "0", ""],
    ])  # fmt: skip
    t2 = _table([["序号", "第二十条第（一）项"], ["", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                 ["1", "规章", "0", "0", "0"], ["2", "行政规范性文件", "2", "—", "9"]])  # fmt: skip
    doc = Document("seq.html", "html", [Paragraph("某某区人民政府2022年政府信息公开工作年度报告"), t2,
                                        Paragraph("四、政府信息公开行政复议、行政诉讼情况"), t4])  # fmt: skip
    values = {k: v.value for k, v in extract_document(doc).values.items()}
    assert [values[f"t4.review_{c}"] for c in ("upheld", "corrected", "other", "pending", "total")] == [2, 1, 0, 0, 3]
    assert values["t4.litigation_after_review_total"] is None  # the blank last cell stays blank
    assert values["t2.normative_documents.in_force"] == 9
