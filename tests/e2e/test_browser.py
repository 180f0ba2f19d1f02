"""The dashboard in a real headless Chromium: deep links, drill-down clicks, a CSV download, a screenshot of every page.

Runs `python app.py` on a free port against the demo warehouse and drives
Debian's chromium through Playwright (never `playwright install`). Screenshots go to
screenshots/ at the repository root (gitignored).

Every step waits on what the page shows (a heading, a URL, a chart's labels, a grid cell),
never on a fixed delay, and nothing is clicked by its position on screen.
"""

from __future__ import annotations

import csv
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from e2e.serving import settle, start_server, stop_server

from dashboard_fixtures import DEMO_PROVINCE, REPO, demo_warehouse

SCREENSHOTS = REPO / "screenshots"
URL_PATHS = {
    "": "概览", "channel-mix": "公开渠道", "requests-handling": "依申请公开", "procurement-fees": "采购与收费",
    "review-litigation": "复议诉讼", "body-profile": "单位画像", "comparison": "对比", "data-quality": "数据质量",
    "import": "导入报告", "metric-guide": "指标说明",
}  # fmt: skip

pytestmark = pytest.mark.e2e

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package (test extra) is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python app.py` on the demo warehouse."""
    process, base = start_server(demo_warehouse(tmp_path_factory), tmp_path_factory.mktemp("server"))
    yield base
    stop_server(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def query(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


CHART_LABELS = """([wanted, unwanted]) => {
    const chart = document.querySelector('[data-testid="stVegaLiteChart"]');
    if (!chart || !chart.querySelector('g.mark-rect path')) return false;
    const texts = [...chart.querySelectorAll('text')].map(n => n.textContent);
    return texts.some(t => new RegExp(wanted).test(t)) && !(unwanted && texts.some(t => new RegExp(unwanted).test(t)));
}"""


def chart_texts(page, wanted: str, unwanted: str = "") -> list[str]:
    """Texts drawn in the first chart (axis labels, titles, legend; SVG text has no innerText),
    once its bars are drawn and a label matches `wanted` and none `unwanted` (regular expressions):
    the chart of the current run, not the one it replaces."""
    page.wait_for_function(CHART_LABELS, arg=[wanted, unwanted], timeout=60_000)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    return chart.locator("text").evaluate_all("nodes => nodes.map(n => n.textContent)")


def first_bar(page):
    """The top bar of the first chart on the page (bars are sorted largest first)."""
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.wait_for()
    return chart.locator("g.mark-rect path").first


def top_label(page, tmp_path: Path) -> str:
    """The name of the first chart's top bar, from its CSV (rows in the order the bars are drawn)."""
    with page.expect_download() as download:
        page.locator(".st-key-csv-overview-ranking button").click()  # the ranking's own button, by its key
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    header, first, *_ = saved.read_bytes().decode("utf-8-sig").splitlines()
    return next(csv.DictReader([header, first]))["名称"]


def test_a_deep_link_reproduces_the_view(server, page):
    link = {"province": DEMO_PROVINCE, "city": "云岫市", "years": ["2020", "2023"], "by": "按单位", "kind": "政府部门"}
    page.goto(f"{server}/?{urllib.parse.urlencode(link, doseq=True)}")
    settle(page, "概览")
    sidebar = page.locator('[data-testid="stSidebar"]')
    playwright.expect(sidebar.get_by_role("combobox", name="省")).to_have_value(DEMO_PROVINCE)
    playwright.expect(sidebar.get_by_role("combobox", name="市")).to_have_value("云岫市")
    playwright.expect(sidebar.get_by_text("政府部门", exact=True)).to_have_count(1)
    labels = chart_texts(page, "局$")  # a body ranking of departments
    assert not any(label.endswith("街道办事处") for label in labels), "townships are filtered out"
    kept = query(page)
    assert kept["province"] == [DEMO_PROVINCE] and kept["years"] == ["2020", "2023"]


def test_clicking_bars_drills_from_region_to_body(server, page, tmp_path):
    page.goto(f"{server}/?{urllib.parse.urlencode({'province': DEMO_PROVINCE})}")
    settle(page, "概览")
    cities = chart_texts(page, "市$", "局$")  # the cities of the province, not yet its bodies
    city = top_label(page, tmp_path)
    assert city in cities and city.endswith("市"), f"the top bar should be a city: {city}"
    first_bar(page).click()
    page.wait_for_function("() => location.search.includes('city=')", timeout=30_000)
    settle(page, "概览")
    assert query(page)["city"] == [city]
    page.get_by_text("按单位", exact=True).click()
    page.wait_for_function("() => location.search.includes('by=')", timeout=30_000)
    settle(page, "概览")
    names = chart_texts(page, "局$", "本级$")  # bodies now, no longer the districts
    first_bar(page).click()
    page.wait_for_url("**/body-profile?*", timeout=30_000)
    settle(page, "单位画像")
    assert "agency" in query(page)
    playwright.expect(page.get_by_text("表三 收到和处理政府信息公开申请情况")).to_have_count(1)
    assert page.get_by_test_id("stMainBlockContainer").get_by_role("combobox", name="单位").input_value() in names


def test_a_link_to_a_body_opens_its_profile(server, page):
    page.goto(server)
    settle(page, "概览")
    flag = page.locator('[data-testid="stPageLink"] a').first
    flag.click()
    page.wait_for_url("**/body-profile?*", timeout=30_000)
    settle(page, "单位画像")
    reopened = page.url
    page.goto(reopened)  # the same link, pasted into a new visit, shows the same body
    settle(page, "单位画像")
    playwright.expect(page.get_by_text("主要指标趋势")).to_have_count(1)


def test_downloading_a_chart_as_csv(server, page, tmp_path):
    page.goto(f"{server}/?{urllib.parse.urlencode({'by': '按单位', 'years': ['2021', '2022']}, doseq=True)}")
    settle(page, "概览")
    with page.expect_download() as download:
        page.locator(".st-key-csv-overview-ranking button").click()  # the ranking's own button, by its key
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "本年新收申请排名_全部地区_2021-2022.csv"
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header, *rows = data.decode("utf-8-sig").splitlines()
    assert header.startswith("名次,名称,年度,本年新收申请（件）,数值来源")  # the figure's header carries its unit
    assert rows and all(row.split(",")[2] == "2022" for row in rows)


def test_clicking_a_finding_shows_its_cells(server, page):
    page.goto(f"{server}/data-quality")
    settle(page, "数据质量")
    findings = page.locator(".st-key-finding-rows").get_by_test_id("stDataFrame")
    first_row = findings.get_by_test_id("glide-cell-1-0")
    first_row.wait_for(state="attached", timeout=60_000)  # the grid's accessible copy of its first row
    first_row.focus()
    page.keyboard.press("Shift+Space")  # selects the focused row, as a click on its marker does
    page.locator(".st-key-csv-quality-cells button").first.wait_for(timeout=60_000)  # the finding's cells, below it
    settle(page, "数据质量")
    playwright.expect(page.locator("strong", has_text="年 · ")).not_to_have_count(0)  # its body, year and check


def test_a_screenshot_of_every_page(server, browser):
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 2400}, locale="zh-CN")
    tab = context.new_page()
    tab.goto(server)
    settle(tab, "概览")
    profile = tab.locator('[data-testid="stPageLink"] a').first.get_attribute("href")
    paths = URL_PATHS | {f"body-profile?{urllib.parse.urlparse(profile).query}": "单位画像"}
    try:
        for path, title in paths.items():
            tab.goto(f"{server}/{path}")
            settle(tab, title)
            target = SCREENSHOTS / f"{(path or 'overview').split('?')[0]}{'-body' if '?' in path else ''}.png"
            tab.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
    finally:
        context.close()
