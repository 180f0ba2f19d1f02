"""Like-for-like in a real browser, on the demo and on the real corpus: every first view compares something,
changes are over the same bodies, the channel mix agrees with the share trends, procurement opens on a year with data.

Runs `python app.py` on a free port against each warehouse and drives Debian's chromium
through Playwright. It waits on page content (a download button, a heading) and reads what a
chart plots from its CSV download, which holds exactly the plotted rows — never pixels.
"""

from __future__ import annotations

import csv
import io
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from e2e.serving import PAGE_TIMEOUT_MS, settle, start_server, stop_server

from dashboard_fixtures import corpus_warehouse, demo_warehouse

pytestmark = pytest.mark.e2e


#: Pages with a ranking: URL path, title, the download button of the ranking first shown.
RANKING_PAGES = [
    ("", "概览", "csv-overview-ranking"),
    ("channel-mix", "公开渠道", "csv-channel-ranking"),
    ("requests-handling", "依申请公开", "csv-request-ranking"),
    ("procurement-fees", "采购与收费", "csv-rank-procurement_amount"),
    ("review-litigation", "复议诉讼", "csv-review-ranking"),
    ("comparison", "对比", "csv-compare-ranking"),
]
LEVEL_WORDS = ("比较各省", "比较各市", "比较各县（区）")


def change_column(row: dict[str, str]) -> str:
    """The 同比变化（unit） column of a CSV row."""
    return next(name for name in row if name.startswith("同比变化") and "%" not in name)


@pytest.fixture(scope="module", params=["demo", "corpus"])
def server(request, tmp_path_factory):
    """`python app.py` on the demo or the corpus warehouse."""
    build = demo_warehouse if request.param == "demo" else corpus_warehouse
    process, base = start_server(build(tmp_path_factory), tmp_path_factory.mktemp("server"))
    yield base
    stop_server(process)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1200}, accept_downloads=True, locale="zh-CN")
    tab = context.new_page()
    yield tab
    context.close()


def open_page(page, base: str, path: str, title: str, params: dict | None = None, ready: str | None = None) -> None:
    """Open a page and wait for its content: `ready` (a download button's key) where given, then the script's end."""
    query = f"?{urllib.parse.urlencode(params, doseq=True)}" if params else ""
    page.goto(f"{base}/{path}{query}")
    if ready:
        page.locator(f".st-key-{ready} button").first.wait_for(timeout=PAGE_TIMEOUT_MS)
    settle(page, title)


def download(page, key: str) -> list[dict[str, str]]:
    """The rows of the CSV behind the download button `key` (exactly the rows its chart or table shows)."""
    with page.expect_download(timeout=60_000) as info:
        page.locator(f".st-key-{key} button").first.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- issue 16: every first view compares something


@pytest.mark.parametrize(("path", "title", "key"), RANKING_PAGES)
def test_the_first_view_ranks_at_least_two(server, page, path, title, key):
    open_page(page, server, path, title, ready=key)
    rows = download(page, key)
    assert len(rows) >= 2, f"{title}: the first view ranks {len(rows)} member(s)"
    crumb = page.locator(f".st-key-crumb-{key.removeprefix('csv-')}-0")
    assert crumb.count() == 1, "a breadcrumb sits above the ranking"


def test_compare_at_the_top_compares_regions_of_one_kind(server, page):
    open_page(page, server, "comparison", "对比", ready="csv-compare-changes")
    names = {row["名称"] for row in download(page, "csv-compare-changes")}
    regions = {name for name in names if not name.endswith("本级")}
    assert len(regions) >= 2, names
    shown = [word for word in LEVEL_WORDS if page.get_by_text(word).count()]
    assert len(shown) == 1, "one level of regions is compared, and the breadcrumb names it"


# ---------------------------------------------------------------- issue 11: like for like


def test_headline_changes_are_over_the_same_bodies(server, page):
    open_page(page, server, "", "概览", ready="csv-overview-ranking")
    cards = page.locator('[data-testid="stMetric"]')
    cards.nth(4).wait_for(timeout=PAGE_TIMEOUT_MS)  # the cards render in turn: wait for the fifth before counting
    assert cards.count() == 5
    notes = []
    for index in range(5):
        card = cards.nth(index)
        column = card.locator("xpath=ancestor::div[@data-testid='stColumn'][1]")
        note = column.locator('[data-testid="stCaptionContainer"]').inner_text()
        notes.append(note)
        assert note == "暂无数据" or (note[:4].isdigit() and note[4] == "年"), note  # one year per card
        if card.locator('[data-testid="stMetricDelta"]').count():
            assert "同口径" in note, note  # a change is only ever shown over a stated set of bodies
    captions = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    assert not any("、20" in caption for caption in captions), "no caption lists several years"
    assert notes[-1] == "暂无数据" or notes[-1][:4] in {"2019", "2020"}, f"procurement in a 2019-form year: {notes[-1]}"


def test_procurement_opens_on_a_year_with_data(server, page):
    open_page(page, server, "procurement-fees", "采购与收费", ready="csv-rank-procurement_amount")
    rows = download(page, "csv-rank-procurement_amount")
    assert rows and {row["年度"] for row in rows} <= {"2019", "2020"}
    trend = download(page, "csv-trend-procurement_amount")
    assert all(row["年度"] in {"2019", "2020"} for row in trend), "no trend down to the few 2021 stragglers"


def test_trends_keep_one_set_of_bodies(server, page):
    open_page(page, server, "requests-handling", "依申请公开", ready="csv-request-trend")
    rows = download(page, "csv-request-trend")
    years = sorted(int(row["年度"]) for row in rows)
    assert years == list(range(years[0], years[-1] + 1)), "consecutive years only"
    assert len({row["单位数"] for row in rows}) == 1, "every year over the same bodies"
    if len(rows) < 2:
        assert page.get_by_text("无法同口径比较").count() >= 1


def test_region_lines_change_only_between_consecutive_years_of_one_set(server, page):
    open_page(page, server, "comparison", "对比", ready="csv-compare-changes")
    rows = download(page, "csv-compare-changes")
    by_region: dict[str, dict[int, dict]] = {}
    for row in rows:
        by_region.setdefault(row["名称"], {})[int(row["年度"])] = row
    for name, years in by_region.items():
        assert len({row["单位数"] for row in years.values()}) == 1, f"{name}: one member set per line"
        for year, row in years.items():
            if row[change_column(row)]:
                assert year - 1 in years, f"{name} {year}: a change without the year before"


def test_the_channel_mix_agrees_with_the_share_trend(server, page):
    params = {"shares": "true", "measure": "政务微信占比"}  # a labelled choice is kept in the URL by its label
    open_page(page, server, "channel-mix", "公开渠道", params, ready="csv-channel-trend")
    mix = download(page, "csv-channel-mix")
    trend = {row["年度"]: float(row["政务微信占比（%）"]) for row in download(page, "csv-channel-trend")}
    assert "政务新媒体（合计）" not in {row["构成"] for row in mix} and "其他新媒体" not in {row["构成"] for row in mix}
    wechat = {row["分组"]: float(row["占比（%）"]) for row in mix if row["构成"] == "政务微信"}
    assert wechat.keys() == trend.keys()
    for year, share in wechat.items():
        assert share == pytest.approx(trend[year], abs=0.01), year
    for year in wechat:
        shares = [float(row["占比（%）"]) for row in mix if row["分组"] == year]
        assert sum(shares) == pytest.approx(100, abs=0.05 * len(shares))  # each share rounded to 0.1 as shown


def test_all_reports_are_labelled_not_comparable(server, page):
    open_page(page, server, "requests-handling", "依申请公开", {"basis": "全部报告（不可比）"}, ready="csv-request-trend")
    assert page.get_by_text("数值之间不可比").count() >= 1
    rows = download(page, "csv-request-trend")
    assert all(not row[change_column(row)] for row in rows), "raw sums carry no change"
