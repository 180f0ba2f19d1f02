"""Every page renders on the demo city, on the public corpus and on an empty warehouse, without an exception."""

from __future__ import annotations

import pytest

from dashboard_fixtures import PAGES

DATA_PAGES = [p for p in PAGES if p not in ("pages/upload.py", "pages/metrics_help.py", "pages/agency.py")]


def _open(at, page: str):
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_the_demo(dashboard, demo_root, page):
    at = _open(dashboard(demo_root), page)
    assert [t.value for t in at.title] == [PAGES[page]]
    if page in DATA_PAGES:
        assert any("合成演示报告" in w.value for w in at.warning), "synthetic data on screen must be announced"


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_an_empty_warehouse(dashboard, tmp_path, page):
    at = _open(dashboard(tmp_path / "empty"), page)
    assert [t.value for t in at.title] == [PAGES[page]]
    assert not at.warning
    if page in DATA_PAGES:
        assert any("没有数据" in i.value for i in at.info) or at.success, "an empty selection explains itself"


@pytest.mark.parametrize("page", DATA_PAGES)
def test_every_page_renders_on_the_public_corpus(dashboard, corpus_root, page):
    at = _open(dashboard(corpus_root), page)
    assert not any("合成演示报告" in w.value for w in at.warning), "real reports carry no synthetic notice"


@pytest.mark.parametrize("page", DATA_PAGES)
def test_a_selection_with_no_reports_shows_a_message(dashboard, demo_root, page):
    """山东省 holds only the sample report of 2020, so 2019 there is an empty selection."""
    at = _open(dashboard(demo_root, {"province": "山东省", "years": ["2019", "2019"]}), page)
    assert at.sidebar.selectbox(key="province").value == "山东省"
    assert any("没有数据" in i.value for i in at.info) or at.success
