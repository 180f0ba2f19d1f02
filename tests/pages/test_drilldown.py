"""Clicks drill down: a region's bar narrows the place filter, a body's bar or a flag opens its 单位画像."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard_fixtures import DEMO_PROVINCE
from pages.ui import charts as charts_module
from warehouse import prepare, queries
from warehouse.queries import Filters


def _clicked(target: str, kind: str, state: dict, path: str | None = None) -> AppTest:
    """Run the chart-click callback on a fake selection of one bar."""

    def script() -> None:
        from types import SimpleNamespace

        import streamlit as st

        from pages.ui import charts

        picked = {charts.TARGET: st.session_state["target"], charts.KIND: charts.KIND_NAMES[st.session_state["kind"]],
                  charts.PATH: st.session_state["path"]}
        st.session_state["chart"] = SimpleNamespace(selection={"pick": [picked]})
        charts.drill("chart")

    at = AppTest.from_function(script)
    for key, value in state.items():
        at.session_state[key] = value
    at.session_state["target"], at.session_state["kind"], at.session_state["path"] = target, kind, path
    return at.run()


def test_a_region_bar_narrows_the_place_one_level():
    at = _clicked("云岫市", "region", {"province": DEMO_PROVINCE})
    assert at.session_state["city"] == "云岫市"
    at = _clicked("青石区", "region", {"province": DEMO_PROVINCE, "city": "云岫市"})
    assert at.session_state["county"] == "青石区"


def test_a_local_bar_switches_to_bodies():
    at = _clicked("云岫市本级", "local", {"province": DEMO_PROVINCE})
    assert at.session_state["by"] == "按单位"


def test_a_local_bar_asks_for_the_places_own_bodies():
    at = _clicked("云岫市本级", "local", {"province": DEMO_PROVINCE, "county": "青石区"}, path=f"{DEMO_PROVINCE}|云岫市|")
    assert at.session_state["by"] == "按单位"
    assert (at.session_state["province"], at.session_state["city"], at.session_state["county"]) == (DEMO_PROVINCE, "云岫市", None)
    assert at.session_state[charts_module.OWN_BODIES] == f"{DEMO_PROVINCE}|云岫市|"


@pytest.mark.slow
def test_local_lists_only_the_regions_own_bodies(dashboard, demo_root):
    """本级 is the bodies placed directly in the city, not those of its districts."""
    con = prepare.open_warehouse(demo_root)
    try:
        everyone = queries.bodies(con, Filters(DEMO_PROVINCE, "云岫市"))
    finally:
        con.close()
    own = set(everyone.filter(pl.col("county").is_null())["agency_id"].to_list())
    assert own and len(own) < everyone.height, "the demo city has bodies of its own and of its districts"
    at = dashboard(demo_root, {"province": DEMO_PROVINCE, "city": "云岫市"})
    at.session_state[charts_module.OWN_BODIES] = f"{DEMO_PROVINCE}|云岫市|"
    at.run()
    assert set(at.session_state["_filters"].agencies) == own


def test_a_body_bar_asks_for_its_profile():
    at = _clicked("abc123", "body", {})
    assert at.session_state["_goto"] == ("pages/agency.py", {"agency": "abc123"})


@pytest.fixture(scope="module")
def demo_body(demo_root) -> tuple[str, str]:
    con = prepare.open_warehouse(demo_root)
    bodies = queries.bodies(con, Filters(kinds=("department",)))
    con.close()
    row = bodies.filter(pl.col("agency_name") == "云岫市公安局").row(0, named=True)
    return row["agency_id"], row["agency_name"]


def test_the_followed_click_opens_the_profile_with_the_body_in_the_url(dashboard, demo_root, demo_body):
    agency, name = demo_body
    at = dashboard(demo_root, {"province": DEMO_PROVINCE})
    at.run()
    at.session_state["_goto"] = ("pages/agency.py", {"agency": agency})
    at.run()
    assert [t.value for t in at.title] == ["单位画像"]
    assert at.selectbox(key="agency_pick").value == agency
    assert at.query_params["agency"] == agency
    assert at.sidebar.selectbox(key="province").value == DEMO_PROVINCE  # the frame's filters stay


def test_a_profile_link_shows_every_table_beside_the_source(dashboard, demo_root, demo_body):
    agency, name = demo_body
    at = dashboard(demo_root)
    at.run()
    at.query_params["agency"] = agency
    at.switch_page("pages/agency.py").run()
    assert not at.exception
    assert any(name in m.value for m in at.markdown)
    tables = [m.value for m in at.markdown if m.value.startswith("**表")]
    assert tables[:3] == [
        "**表二 主动公开政府信息情况**", "**表三 收到和处理政府信息公开申请情况**", "**表四 行政复议、行政诉讼情况**"
    ]
    assert any(name in t.value for t in at.text), "the source document is shown next to the values"
    years = at.selectbox(key="profile_year")
    assert years.value == max(int(option) for option in years.options), "the latest report opens first"


def test_flags_link_to_the_body(dashboard, demo_root):
    at = dashboard(demo_root)
    at.run()
    links = [p for p in at.main.get("page_link")]
    assert links, "the demo city has flags"
    assert all(link.proto.page.endswith("agency.py") or "body-profile" in link.proto.page for link in links)
    assert all(link.proto.query_string.startswith("agency=") for link in links)
