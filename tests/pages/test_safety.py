"""Report text is data: every page renders hostile names inert, and every CSV download neutralises formulas."""

from __future__ import annotations

import io
import tomllib

import polars as pl
import pytest
from hostile_fixtures import (
    EVIL,
    HOSTILE_NAMES,
    LIVE,
    hostile_rendered,
    hostile_warehouse,
    live_formula,
    markdown_texts,
)

from dashboard_fixtures import PAGES, REPO, Report, build_warehouse, requests
from pages.ui import formats
from warehouse.regions import agency_id

# pages and the deep links that put each kind of hostile text on screen
VIEWS = [(page, {}) for page in PAGES] + [
    ("pages/agency.py", {"agency": agency_id(HOSTILE_NAMES[0])}),
    ("pages/overview.py", {"measure": "实质公开率", "by": "按单位"}),  # 样本过少 names the small body
]


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory):
    return hostile_warehouse(tmp_path_factory.mktemp("hostile") / "wh")


def _open(dashboard, root, page: str, query: dict):
    at = dashboard(root, query)
    at.secrets["upload_password"] = "密码-for-tests"
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize(("page", "query"), VIEWS)
def test_hostile_names_render_inert(dashboard, hostile_root, page, query):
    texts = markdown_texts(_open(dashboard, hostile_root, page, query))
    live = [t for t in texts if EVIL in t.replace("\\", "") and LIVE.search(t)]
    assert live == []


def test_the_scan_sees_hostile_names_where_pages_show_them(dashboard, hostile_root):
    """The flags list and the profile heading do show the names: the scan above is not vacuous."""
    at = _open(dashboard, hostile_root, "pages/overview.py", {})
    assert hostile_rendered(markdown_texts(at))[0] >= len(HOSTILE_NAMES)
    at = _open(dashboard, hostile_root, "pages/agency.py", {"agency": agency_id(HOSTILE_NAMES[0])})
    assert any("街道办事处" in t for t in markdown_texts(at))


def test_escaped_markdown_reads_as_written():
    name = HOSTILE_NAMES[0]
    escaped = formats.escape_markdown(name)
    assert not LIVE.search(escaped)
    assert escaped.replace("\\", "") == name
    assert formats.escape_markdown("一\n# 二") == "一 \\# 二"


def test_csv_downloads_neutralise_formulas(dashboard, hostile_root, downloads):
    at = _open(dashboard, hostile_root, "pages/overview.py", {})
    coverage = downloads[at.download_button(key="csv-overview-coverage").proto.url].data
    saved = pl.read_csv(io.BytesIO(coverage[3:]))
    names = set(saved["单位"].to_list())
    assert "'" + HOSTILE_NAMES[2] in names and "'" + HOSTILE_NAMES[3] in names and "'" + HOSTILE_NAMES[4] in names
    assert HOSTILE_NAMES[0] in names  # a name that is no formula is left as written
    for content in (saved_file.data for saved_file in downloads.values()):
        for line in content.decode("utf-8-sig").splitlines():
            assert not any(live_formula(cell.lstrip('"')) for cell in line.split(",")), line


def test_only_text_cells_are_neutralised():
    frame = pl.DataFrame({"名称": ["=1+1", "-5", "@x", "\tx", "\rx", "+1", "正常", None], "数值": [-5, -1, 0, 1, 2, 3, 4, 5]})
    out = pl.read_csv(io.BytesIO(formats.csv_bytes(frame, {"名称": "名称", "数值": "数值"})[3:]))
    assert out["名称"].to_list() == ["'=1+1", "'-5", "'@x", "'\tx", "'\rx", "'+1", "正常", None]
    assert out["数值"].to_list() == [-5, -1, 0, 1, 2, 3, 4, 5] and out["数值"].dtype == pl.Int64
    assert formats.neutralise_cell("=A1") == "'=A1" and formats.neutralise_cell(-3) == -3


def test_error_details_are_hidden_from_viewers():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


@pytest.mark.parametrize(("given", "expected"), [(["2024", "2019"], (2019, 2024)), (["2023", "2020"], (2020, 2023)),
                                                 (["abc", "2020"], (2019, 2024))])  # fmt: skip
def test_a_reversed_year_range_in_a_link_is_put_in_order(dashboard, tmp_path, given, expected):
    reports = [Report("甲局", year, requests(10, 8)) for year in (2019, 2020, 2023, 2024)]
    at = dashboard(build_warehouse(tmp_path / "wh", reports), {"years": given})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["_filters"].years == expected
    at.run()
    assert at.sidebar.slider(key="years").value == expected
    assert at.session_state["_filters"].years == expected


def test_a_picked_finding_renders_its_body_and_message_inert(dashboard, hostile_root):
    at = _open(dashboard, hostile_root, "pages/quality.py", {})
    at.session_state["finding-rows"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    picked = [t for t in markdown_texts(at) if "合计不符" in t]
    assert picked, "the picked finding's heading and message are on screen"
    assert not any(LIVE.search(t) for t in picked)


def test_upload_messages_render_file_names_inert(dashboard, tmp_path):
    at = dashboard(tmp_path / "wh")
    at.secrets["upload_password"] = "密码-for-tests"
    at.run()
    at.switch_page("pages/upload.py").run()
    at.main.text_input[0].input("密码-for-tests")
    at.button[0].click().run()
    name = f"[点此](www.{EVIL})![](x.png)报告.txt"  # no slash: safe_name keeps it whole
    at.file_uploader(key="uploads").upload(name, b"\x00\x01 not a report", "text/plain").run()
    next(b for b in at.button if b.label == "导入").click().run()
    assert not at.exception, [e.message for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert warnings and all("未导入" in w and not LIVE.search(w) for w in warnings), warnings
