"""A supervisor's tasks walked in a real headless Chromium on the demo city (Debian's /usr/bin/chromium).

Find the body with the highest WeChat share in 2025 and its channel mix; find the bodies
missing a 2025 report; export a body's 审查意见 and a district's 通报 and read them back;
re-upload a corrected report and see it replace the old one; open a deep link on a cold
server. Every step waits on content (a heading, a link, a download), never on a timer.
The server runs on a copy of the demo warehouse, so the upload leaves the shared one alone.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import polars as pl
import pytest
from e2e.serving import settle, start_server, stop_server

from dashboard_fixtures import DEMO_PROVINCE, demo_warehouse

pytestmark = pytest.mark.e2e
PASSWORD = "e2e-长密码"


def _start(root: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    """`python app.py` on `root` with an upload password; the process and its address."""
    secrets = folder / "secrets.toml"
    secrets.write_text(f'upload_password = "{PASSWORD}"\n', encoding="utf-8")
    return start_server(root, folder, "--secrets.files", str(secrets))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A private copy of the demo warehouse (the upload test changes it)."""
    copy = tmp_path_factory.mktemp("supervisor") / "warehouse"
    shutil.copytree(demo_warehouse(tmp_path_factory), copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def server(warehouse, tmp_path_factory, browser):
    """The shared server, warmed by one visit to its home page: a deep link as the very first visit
    shows Streamlit's "Page not found" dialog (see the cold-server test), which would block the walks."""
    process, base = _start(warehouse, tmp_path_factory.mktemp("server"))
    context = browser.new_context(locale="zh-CN")
    warm = context.new_page()
    warm.goto(base)
    settle(warm, "概览")
    context.close()
    yield base
    stop_server(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def _open(server: str, page, path: str, params: dict, title: str) -> None:
    page.goto(f"{server}/{path}?{urllib.parse.urlencode(params, doseq=True)}")
    settle(page, title)


def _download(page, key: str, tmp_path: Path) -> Path:
    """The file behind the download button `key`: found by its key, never by its place among the page's buttons."""
    with page.expect_download(timeout=90_000) as download:
        page.locator(f".st-key-{key} button").first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def _csv(path: Path) -> list[dict]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _warehouse_con(root: Path):
    from warehouse.prepare import open_warehouse

    return open_warehouse(root)


def test_the_body_with_the_highest_wechat_share_and_its_channel_mix(server, page, warehouse, tmp_path):
    from warehouse import rankings
    from warehouse.filters import Filters

    con = _warehouse_con(warehouse)
    top = rankings.ranking(con, "channel_wechat_share", Filters(years=(2025, 2025)), by="body").ranked.row(0, named=True)
    _open(server, page, "channel-mix", {"years": ["2025", "2025"], "by": "按单位", "measure": "政务微信占比"}, "公开渠道")
    ranking = _csv(_download(page, "csv-channel-ranking", tmp_path))
    assert ranking[0]["名称"] == top["label"] and ranking[0]["名次"] == "1"
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="查找单位").fill(top["label"][-8:])
    sidebar.get_by_role("textbox", name="查找单位").press("Enter")
    sidebar.get_by_role("link", name=f"{top['label']}（2025年）").click()
    page.wait_for_url("**/body-profile?*", timeout=60_000)
    settle(page, "单位画像")
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["agency"] == [top["target"]]
    mix = con.sql(f"SELECT key, value FROM text_facts WHERE agency_id = '{top['target']}' AND year = 2025 "
                  "AND key LIKE 'text.channel.%' AND status = 'reported'").fetchall()  # fmt: skip
    _open(server, page, "channel-mix", {"years": ["2025", "2025"], "body": top["label"]}, "公开渠道")
    shown = {row["构成"]: float(row["数值（条）"]) for row in _csv(_download(page, "csv-channel-mix", tmp_path))}
    names = {"text.channel.website": "政府网站", "text.channel.wechat": "政务微信", "text.channel.weibo": "政务微博",
             "text.channel.douyin": "抖音等短视频", "text.channel.new_media": "其他新媒体"}  # fmt: skip
    assert {names[k]: v for k, v in mix if k in names} == {k: v for k, v in shown.items() if v}


def test_bodies_missing_a_2025_report(server, page, warehouse, tmp_path):
    from warehouse import coverage
    from warehouse.filters import Filters

    grid = coverage.coverage_grid(_warehouse_con(warehouse), Filters(), (2019, 2025))
    expected = sorted(grid.filter((pl.col("year") == 2025) & (pl.col("status") == "missing"))["agency_name"].to_list())
    assert expected, "the demo leaves some body-years without a report"
    _open(server, page, "report-coverage", {"cover_year": "2025", "missing_only": "true"}, "报告覆盖")
    page.get_by_role("heading", name=f"2025年缺报单位（{len(expected)} 个）").wait_for(timeout=60_000)
    rows = _csv(_download(page, "csv-coverage-list", tmp_path))
    assert sorted(r["单位"] for r in rows) == expected and {r["状态"] for r in rows} == {"缺报"}


def test_a_bodys_review_and_a_districts_bulletin(server, page, warehouse, tmp_path):
    import docx
    import openpyxl

    con = _warehouse_con(warehouse)
    agency, year, name = con.sql("SELECT f.agency_id, f.year, r.agency_name FROM open_findings f JOIN report_index r USING (rid) "
                                 "WHERE f.rule = 'T3-OFF' AND f.outcome = 'fail' ORDER BY f.year DESC, f.agency_id LIMIT 1"
                                 ).fetchall()[0]  # fmt: skip
    _open(server, page, "body-profile", {"agency": agency, "profile_year": str(year)}, "单位画像")
    page.get_by_text(f"{year}年报审查意见", exact=False).first.click()
    saved = _download(page, "xlsx-review", tmp_path)
    book = openpyxl.load_workbook(saved)
    assert book["概况"]["A1"].value == f"{name}{year}年度政府信息公开工作年度报告审查意见"
    details = list(book["问题明细"].iter_rows(values_only=True))
    assert any(r[1] == "表三收支平衡（T3-OFF）" and r[3] == "表三" and r[5] for r in details[1:])

    district = {"province": DEMO_PROVINCE, "city": "云岫市", "county": "鹤汀区"}
    _open(server, page, "report-coverage", district, "报告覆盖")
    word = docx.Document(_download(page, "docx-bulletin", tmp_path))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "关于演示数据（虚构地区）云岫市鹤汀区政府信息公开工作年度报告情况的通报" in text
    ranking = next(t for t in word.tables if [c.text for c in t.rows[0].cells][:3] == ["指标", "名次", "单位"])
    bodies = {row.cells[2].text for row in ranking.rows[1:]}
    assert bodies and all("鹤汀区" in b for b in bodies), "the rankings list the district's bodies only"


def test_a_corrected_report_replaces_the_old_one(server, page, warehouse, tmp_path):
    con = _warehouse_con(warehouse)
    report_id, name, year, path = con.sql(
        "SELECT report_id, agency_name, year, source_path FROM report_index WHERE source_format = 'text' "
        "AND NOT duplicate ORDER BY year DESC, agency_name LIMIT 1").fetchall()[0]  # fmt: skip
    corrected = tmp_path / "更正版.txt"
    corrected.write_bytes(Path(path).read_bytes() + "\n（更正）\n".encode())
    _open(server, page, "import", {}, "导入报告")
    page.get_by_label("导入密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    button = page.locator('[data-testid="stFileUploaderDropzone"] button').first
    button.wait_for(timeout=60_000)
    assert button.evaluate("b => getComputedStyle(b, '::after').content") == '"选择文件"', "the uploader reads in Chinese"
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(corrected))
    page.get_by_role("button", name="导入").click()
    page.get_by_text(f"已导入「更正版.txt」：{name} {year}年度报告。").wait_for(timeout=120_000)
    page.get_by_text(f"「更正版.txt」与已有的「{Path(path).name}」都是{name} {year}年度报告").wait_for(timeout=60_000)
    page.get_by_role("button", name=f"用「更正版.txt」替换「{Path(path).name}」").click()
    page.get_by_text(f"已用「更正版.txt」替换「{Path(path).name}」").wait_for(timeout=120_000)
    after = _warehouse_con(warehouse)
    kept = after.sql(f"SELECT report_id FROM report_index WHERE agency_name = '{name}' AND year = {year}").fetchall()
    assert len(kept) == 1 and kept[0][0] != report_id


def test_a_deep_link_on_a_cold_server_opens_without_a_dialog(warehouse, browser, tmp_path):
    process, base = _start(warehouse, tmp_path)
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        tab = context.new_page()
        tab.goto(f"{base}/data-quality?unassessable=true")
        settle(tab, "数据质量")
        assert tab.get_by_role("dialog").count() == 0, tab.get_by_role("dialog").all_inner_texts()
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
