"""Filters in the URL, figures on screen equal to the metric layer's, and downloads holding exactly the plotted rows."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

from dashboard_fixtures import DEMO_PROVINCE, chart_data, charts
from pages.ui import charts as ui_charts
from pages.ui import formats
from warehouse import flags, prepare, rankings, trends, values
from warehouse.measures import COMPOSITIONS
from warehouse.queries import Filters

#: Bound multiselects keep their labels in the URL, so a link reads 单位类型=政府部门, not an internal code.
DEEP_LINK = {"province": DEMO_PROVINCE, "city": "云岫市", "years": ["2020", "2023"], "kind": ["政府部门", "乡镇（街道）"]}
DEEP_FILTERS = Filters(DEMO_PROVINCE, "云岫市", None, ("department", "township"), (2020, 2023))


@pytest.fixture(scope="module")
def con(demo_root):
    connection = prepare.open_warehouse(demo_root)
    yield connection
    connection.close()


def test_a_deep_link_reproduces_the_filters(dashboard, demo_root):
    at = dashboard(demo_root, DEEP_LINK)
    at.run()
    sidebar = at.sidebar
    assert sidebar.selectbox(key="province").value == DEMO_PROVINCE
    assert sidebar.selectbox(key="city").value == "云岫市"
    assert sidebar.slider(key="years").value == (2020, 2023)
    assert sidebar.multiselect(key="kind").value == ["department", "township"]
    assert at.session_state["_filters"] == DEEP_FILTERS


def test_key_figures_are_the_metric_layers(dashboard, demo_root, con):
    at = dashboard(demo_root, DEEP_LINK)
    at.run()
    expected = trends.key_figures(con, DEEP_FILTERS).to_dicts()
    shown = {m.label: (m.value, m.delta) for m in at.metric}
    for row in expected:
        value, delta = shown[row["name"]]
        assert value == ("样本过少" if row["small_sample"] else formats.fmt_number(row["value"], row["unit"]))
        if not row["small_sample"] and row["change"] is not None:
            assert delta == formats.fmt_change(row["change"], row["unit"])
    assert shown["本年新收申请"][0].endswith("件")


def test_changing_filters_updates_the_url_and_the_figures(dashboard, demo_root, con):
    at = dashboard(demo_root)
    at.run()
    at.sidebar.selectbox(key="province").select(DEMO_PROVINCE).run()
    at.sidebar.selectbox(key="city").select("云岫市").run()
    assert at.session_state["_filters"] == Filters(DEMO_PROVINCE, "云岫市", years=(2019, 2025))
    data = chart_data(charts(at)[0])
    ranking = rankings.ranking(con, "requests_new", Filters(DEMO_PROVINCE, "云岫市"), by="region")
    expected = ranking.ranked.head(ui_charts.TOP).select("label", pl.col("value").round(0)).rows()
    assert data.select("名称", "本年新收申请（件）").rows() == expected
    # a new province forgets the city chosen under the old one
    at.sidebar.selectbox(key="province").select("山东省").run()
    assert at.sidebar.selectbox(key="city").value is None
    assert at.session_state["_filters"].city is None


def test_body_ranking_download_holds_the_plotted_rows(dashboard, demo_root, con, downloads):
    at = dashboard(demo_root, DEEP_LINK | {"by": "按单位", "measure": "实质公开率"})
    at.run()
    plotted = chart_data(charts(at)[0])
    ranking = rankings.ranking(con, "disclosure_rate", DEEP_FILTERS, by="body")
    assert plotted["名称"].to_list() == ranking.ranked.head(ui_charts.TOP)["label"].to_list()
    # "Show data" shows labelled columns rounded as shown, never internal names
    assert "实质公开率（%）" in plotted.columns and not {"label", "value", "target", "ci_low"} & set(plotted.columns)
    expected = ranking.ranked.head(ui_charts.TOP)["value"].round(1).to_list()
    assert plotted["实质公开率（%）"].to_list() == pytest.approx(expected)
    saved_file = downloads[at.download_button(key="csv-overview-ranking").proto.url]
    assert saved_file.name == f"实质公开率排名_{DEEP_FILTERS.slug()}.csv"
    content = saved_file.data
    assert content.startswith("\ufeff".encode())
    saved = pl.read_csv(content[3:])
    assert saved.columns[:3] == ["名次", "名称", "年度"]
    assert saved["名称"].to_list() == plotted["名称"].to_list()
    assert saved["实质公开率（%）"].to_list() == pytest.approx(plotted["实质公开率（%）"].to_list())
    assert saved["95%区间下限（%）"].to_list() == pytest.approx(plotted["95%区间下限（%）"].to_list())
    assert all(len(str(v).partition(".")[2]) <= 1 for v in saved["实质公开率（%）"].to_list())


def test_trend_download_and_version_break(dashboard, demo_root, con, downloads):
    at = dashboard(demo_root)
    at.run()
    at.switch_page("pages/compare.py").run()
    at.selectbox(key="measure").select("normative_documents_stock").run()
    level = rankings.ranking(con, "normative_documents_stock", Filters(), by="region").level  # the first level with two members
    frame = trends.region_trends(con, "normative_documents_stock", Filters(), level=level)
    plotted = chart_data(charts(at)[0])
    assert set(plotted["指标（口径）"].unique().to_list()) == {"规范性文件存量（2019版口径）", "规范性文件存量（2021版口径）"}
    assert plotted.height == frame.filter(pl.col("value").is_not_null()).height
    content = downloads[at.download_button(key="csv-compare-changes").proto.url].data
    saved = pl.read_csv(content[3:])
    assert set(saved["指标（口径）"].unique().to_list()) == set(plotted["指标（口径）"].unique().to_list())


@pytest.mark.parametrize(
    ("page", "composition_id", "chart_index"),
    [("pages/requests.py", "applicants", 2), ("pages/requests.py", "outcomes", 3), ("pages/channels.py", "channels", 0),
     ("pages/reviews.py", "reviews", 2)],
)  # fmt: skip
def test_compositions_are_the_metric_layers(dashboard, demo_root, con, downloads, page, composition_id, chart_index):
    at = dashboard(demo_root, {"years": ["2021", "2024"]})
    at.run()
    at.switch_page(page).run()
    plotted = chart_data(charts(at)[chart_index])
    expected = values.composition(con, composition_id, Filters(years=(2021, 2024)))
    unit = COMPOSITIONS[composition_id].unit
    assert plotted.select("分组", "构成", f"数值（{unit}）").rows() == expected.with_columns(
        pl.col("group").cast(pl.String), pl.col("value").round(2)
    ).select("group", "part", "value").rows()
    prefix = {"pages/requests.py": "request", "pages/channels.py": "channel", "pages/reviews.py": "review"}[page]
    key = f"csv-{prefix}-{composition_id}" if page != "pages/channels.py" else "csv-channel-mix"
    saved = pl.read_csv(downloads[at.download_button(key=key).proto.url].data[3:])
    assert saved[f"数值（{unit}）"].sum() == pytest.approx(expected["value"].round(2).sum())


def test_procurement_and_fees_never_share_an_axis(dashboard, demo_root):
    at = dashboard(demo_root)
    at.run()
    at.switch_page("pages/procurement.py").run()
    for chart in charts(at):
        spec = chart.proto.spec
        assert not ("政府集中采购" in spec and "行政事业性收费金额" in spec)


def test_coverage_grid_marks_missing_reports(dashboard, demo_root, con, downloads):
    at = dashboard(demo_root, {"province": DEMO_PROVINCE, "city": "云岫市", "county": "青石区"})
    at.run()
    saved = pl.read_csv(downloads[at.download_button(key="csv-overview-coverage").proto.url].data[3:])
    missing = flags.flags(con, Filters(DEMO_PROVINCE, "云岫市", "青石区")).filter(pl.col("flag") == "报告缺失")
    gaps = set(saved.filter(pl.col("状态") == "缺失").select("单位", "年度").rows())
    assert {(r["agency_name"], r["year"]) for r in missing.to_dicts()} <= gaps
    assert set(saved["状态"].unique().to_list()) <= {"已报送", "有错误", "缺失"}


def test_value_axes_carry_a_number_format(dashboard, demo_root):
    """Axes never read 0.000000: every quantitative axis of every chart has a d3 format."""
    import json

    at = dashboard(demo_root)
    at.run()
    checked = 0
    for page in ("pages/overview.py", "pages/compare.py", "pages/requests.py", "pages/procurement.py"):
        at.switch_page(page).run()
        for chart in charts(at):
            spec = json.loads(chart.proto.spec)
            axes = [enc for layer in [spec, *spec.get("layer", []), spec.get("spec", {})]
                    for enc in layer.get("encoding", {}).values()
                    if isinstance(enc, dict) and enc.get("type") == "quantitative" and "axis" in enc]  # fmt: skip
            assert all(enc["axis"].get("format") for enc in axes), page
            checked += len(axes)
    assert checked >= 4, "the rankings, trends and compositions have value axes"


def test_ranking_axis_formats_follow_the_unit():
    from warehouse.measures import BY_ID

    kinds = {m.unit: ui_charts.axis_format(m) for m in BY_ID.values()}
    assert kinds.get("%") == ".1f" and kinds.get("件") == ",.0f"
    assert all(fmt in (".1f", ",.2f", ",.0f") for fmt in kinds.values())


def test_compare_at_a_county_compares_its_bodies(dashboard, demo_root, con):
    """The lowest region level has no regions below it: 对比 sets its bodies side by side."""
    place = Filters(DEMO_PROVINCE, "云岫市", "青石区")
    at = dashboard(demo_root, {"province": DEMO_PROVINCE, "city": "云岫市", "county": "青石区"})
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    panels = set(chart_data(charts(at)[0])["名称"].unique().to_list())
    expected = trends.body_trends(con, "requests_new", place).filter(pl.col("value").is_not_null())
    assert len(panels) >= 2
    assert panels == set(expected["agency_name"].unique().to_list())


INTERNAL_NAMES = {"label", "value", "series", "group", "part", "share", "year", "year_text", "source", "target", "target_kind",
                  "path", "ci_low", "ci_high", "segment", "version_break", "order", "agency_id", "agency_name", "rule",
                  "severity", "outcome", "kind", "findings", "reports", "count", "change", "num", "den", "status"}  # fmt: skip


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/channels.py", "pages/requests.py", "pages/reviews.py",
                                  "pages/procurement.py", "pages/compare.py", "pages/quality.py"])  # fmt: skip
def test_show_data_shows_only_chinese_headers(dashboard, demo_root, page):
    """A chart's "Show data" is its dataset: every column under a Chinese header, none of the code's names."""
    at = dashboard(demo_root, {"years": ["2021", "2024"]})
    at.run()
    at.switch_page(page).run()
    drawn = charts(at)
    assert drawn, page
    for chart in drawn:
        for dataset in chart.proto.datasets:
            columns = pl.from_arrow(pa.ipc.open_stream(dataset.data.data).read_all()).columns
            assert not INTERNAL_NAMES & set(columns), (page, columns)
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in columns), (page, columns)
