"""Scanned reports on the dashboard: 单位画像 marks OCR'd and corrected cells and says why; 数据质量 lists the scans."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard_fixtures import Report
from ocr_fixtures import OTHER_CITY_BODY, SCANNED_BODY, TYPED_BODY, scanned_warehouse
from pages.ui.body import CORRECTED_MARK, OCR_MARK
from warehouse.labels import T3_COLUMN_LABELS, T3_ROW_LABELS, TABLE_TITLES

CAPTION_START = "本报告为扫描件，表中数字经文字识别（OCR）读取，并以表内勾稽关系核对"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return scanned_warehouse(tmp_path_factory.mktemp("scanned-pages"))


def _page(dashboard, root, page, query=None):
    at = dashboard(root)
    at.run()
    at.query_params.update(query or {})
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _table_three(at) -> pl.DataFrame:
    return next(d.value for d in at.dataframe if "项目" in d.value.columns and T3_COLUMN_LABELS["total"] in d.value.columns)


def _cell(table, row: str, column: str) -> str:
    return table.filter(pl.col("项目") == T3_ROW_LABELS[row])[T3_COLUMN_LABELS[column]].item()


def test_profile_marks_ocr_and_corrected_cells(dashboard, root):
    at = _page(dashboard, root, "pages/agency.py", {"agency": Report(SCANNED_BODY, 2024, {}).agency_id})
    assert any(c.value.startswith(CAPTION_START) for c in at.caption)
    assert f"**{TABLE_TITLES['t3']}**" in [m.value for m in at.markdown]
    table = pl.from_pandas(_table_three(at))
    assert _cell(table, "new_requests", "total") == f"12{OCR_MARK}"
    assert _cell(table, "disclosed", "total") == f"9{CORRECTED_MARK}", "the value the row sum corrected says so"
    assert _cell(table, "disclosed", "natural_person") == f"9{OCR_MARK}"


def test_a_typed_report_has_no_marks_and_no_caption(dashboard, root):
    at = _page(dashboard, root, "pages/agency.py", {"agency": Report(TYPED_BODY, 2024, {}).agency_id})
    assert not any(c.value.startswith(CAPTION_START) for c in at.caption)
    table = pl.from_pandas(_table_three(at))
    assert _cell(table, "new_requests", "total") == "3"
    assert not any("识别" in str(v) for v in table.drop("项目").rows())


def test_quality_lists_scanned_reports_with_counts(dashboard, root, downloads):
    at = _page(dashboard, root, "pages/quality.py")
    assert "扫描件（OCR）" in [h.value for h in at.subheader]
    listed = pl.from_pandas(next(d.value for d in at.dataframe if "识别的数值" in d.value.columns))
    assert listed.rows() == [
        (SCANNED_BODY, 2024, f"{SCANNED_BODY}2024.txt", 42, 1),
        (OTHER_CITY_BODY, 2023, f"{OTHER_CITY_BODY}2023.txt", 42, 0),
    ]
    assert listed.columns == ["单位", "年度", "文件", "识别的数值", "经勾稽校正"]
    saved = downloads[at.download_button(key="csv-quality-ocr").proto.url]
    assert saved.data.startswith(b"\xef\xbb\xbf") and saved.name.startswith("扫描件_")
    assert pl.read_csv(saved.data[3:])["单位"].to_list() == [SCANNED_BODY, OTHER_CITY_BODY]


def test_quality_scans_follow_the_filter(dashboard, root):
    at = _page(dashboard, root, "pages/quality.py")
    at.sidebar.selectbox(key="province").set_value("甲省").run()
    at.sidebar.selectbox(key="city").set_value("戊市").run()
    listed = next(d.value for d in at.dataframe if "识别的数值" in d.value.columns)
    assert list(listed["单位"]) == [OTHER_CITY_BODY]
