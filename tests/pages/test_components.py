"""Number formats for Chinese readers and CSV files Excel opens correctly."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard_fixtures import REPO  # noqa: F401  (puts the app's folder on the path)
from pages.ui import body, formats


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (None, "件", "—"),
        (0, "件", "0件"),
        (1234, "件", "1,234件"),
        (99999, "条", "99,999条"),
        (123456, "条", "12.3万条"),
        (2.5e8, "", "2.50亿"),
        (7539.443252, "万元", "7,539.4万元"),
        (123456.7, "万元", "123,456.7万元"),
        (34.16149, "%", "34.2%"),
        (230.64565, "万元", "230.6万元"),
        (12.345, "件", "12.35件"),
    ],
)
def test_numbers_read_naturally(value, unit, text):
    assert formats.fmt_number(value, unit) == text


@pytest.mark.parametrize(
    ("status", "value", "raw", "text"),
    [("reported", 123456, "123456", "123,456"), ("reported", 7730.28, "7730.28", "7,730.28"),
     ("derived", 9084, None, "9,084（推算）"), ("blank", None, "", "（空白）"), ("dash", None, "—", "（—）"),
     ("ambiguous", None, "13 或 18", "（无法确定：13 或 18）")],
)  # fmt: skip
def test_a_cell_is_printed_with_every_digit(status, value, raw, text):
    """Tables and the 审查意见 show a cell as printed: never 12.3万, an undecided one with its readings."""
    assert formats.printed_cell(status, value, raw) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(None, "件", None), (13, "件", "+13件"), (-220, "件", "-220件"), (1.35, "%", "+1.4个百分点"), (-2.04, "%", "-2.0个百分点")],
)
def test_changes_say_their_sign_and_percentage_points(value, unit, text):
    assert formats.fmt_change(value, unit) == text


def test_csv_has_a_bom_and_chinese_headers_in_the_given_order():
    frame = pl.DataFrame({"label": ["甲局", "乙局"], "value": [1.5, 2.0], "unused": [0, 0]})
    data = formats.csv_bytes(frame, {"label": "名称", "value": "数值", "missing": "不存在的列"})
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["名称,数值", "甲局,1.5", "乙局,2.0"]


def test_report_tables_follow_the_template_order():
    cells = pl.DataFrame(
        {
            "key": ["t3.new_requests.total", "t3.new_requests.natural_person", "t3.disclosed.total", "t4.review_total",
                    "t4.review_upheld", "text.channel.website"],
            "row_key": ["new_requests", "new_requests", "disclosed", "review", "review", "channel"],
            "col_key": ["total", "natural_person", "total", "total", "upheld", "website"],
            "value": [5.0, 5.0, None, 1.0, 1.0, 106.0],
            "raw": ["5", "5", None, "1", "1", "网站公开信息数106条"],
            "status": ["reported", "reported", "blank", "reported", "reported", "reported"],
        }
    )  # fmt: skip
    tables = body.report_tables(cells)
    t3 = tables["表三 收到和处理政府信息公开申请情况"]
    assert t3.columns == ["项目", "自然人", "总计"]
    assert t3.rows() == [("一、本年新收政府信息公开申请数量", "5", "5"), ("（一）予以公开", "", "（空白）")]
    assert tables["表四 行政复议、行政诉讼情况"].rows() == [("行政复议", "1", "1")]
    assert tables["正文中的数字"].rows() == [("政府网站（条）", "106", "网站公开信息数106条")]
