"""Like-for-like on purpose-built warehouses: changes only over the same bodies, one channel share,
default years, start levels."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard_fixtures import Report, build_warehouse, requests
from warehouse import comparison, prepare, rankings, trends, values
from warehouse.queries import Filters

ALL = Filters()


def _open(tmp_path_factory, name: str, reports: list[Report]):
    return prepare.open_warehouse(build_warehouse(tmp_path_factory.mktemp(name), reports))


# ---------------------------------------------------------------- (a) changes over the same bodies only


@pytest.fixture(scope="module")
def turnover(tmp_path_factory):
    """甲局 reports only 2021, 乙局 only 2022: two different bodies, nothing to compare."""
    con = _open(tmp_path_factory, "turnover", [Report("甲局", 2021, requests(880, 400)), Report("乙局", 2022, requests(22, 11))])
    yield con
    con.close()


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """丙局 and 丁局 report 2021 and 2022 (a real change of +10 new requests, 50% → 60% disclosed);
    戊局 reports only 2022 (a large newcomer); 丁局's 2022 report exists twice."""
    reports = [
        Report("丙局", 2021, requests(10, 5)), Report("丁局", 2021, requests(20, 10)),
        Report("丙局", 2022, requests(15, 9)), Report("丁局", 2022, requests(25, 15)),
        Report("丁局", 2022, requests(25, 15), version="2019"),  # the same report in a second file
        Report("戊局", 2022, requests(1000, 100)),
    ]  # fmt: skip
    con = _open(tmp_path_factory, "panel", reports)
    yield con
    con.close()


def test_different_bodies_in_different_years_show_no_change(turnover):
    same = trends.trend(turnover, "requests_new", ALL)
    assert same["change"].null_count() == same.height  # never 22 − 880
    assert same.height <= 1  # one year stands for itself, the other is not joined to it
    figure = trends.key_figures(turnover, ALL).filter(pl.col("measure") == "requests_new").row(0, named=True)
    assert (figure["year"], figure["value"], figure["change"], figure["bodies"]) == (2022, 22, None, 0)
    raw = trends.trend(turnover, "requests_new", ALL, basis="all")
    assert raw.select("year", "value").rows() == [(2021, 880), (2022, 22)]
    assert raw["change"].null_count() == 2  # raw sums carry no change
    assert raw["segment"].n_unique() == 1  # consecutive years: one line, labelled not comparable on the page


def test_the_same_bodies_show_exactly_their_change(panel):
    same = trends.trend(panel, "requests_new", ALL)
    assert same.select("year", "value", "bodies").rows() == [(2021, 30, 2), (2022, 40, 2)]
    assert same["change"].to_list() == [None, 10]
    assert comparison.set_caption(same) == (
        "同口径 2 个单位（2021–2022 年每年都有数据；另有 1 个单位只在其中部分年份有数据，未计入）"
    )
    rate = trends.trend(panel, "disclosure_rate", ALL)
    assert rate["value"].to_list() == [50, 60]
    assert rate["change"][1] == pytest.approx(10)  # percentage points, not 20%
    figure = trends.key_figures(panel, ALL).filter(pl.col("measure") == "requests_new").row(0, named=True)
    assert (figure["year"], figure["value"], figure["change"], figure["bodies"]) == (2022, 1040, 10, 2)


def test_duplicates_count_once(panel):
    raw = trends.trend(panel, "requests_new", ALL, basis="all")
    assert raw.select("year", "value", "reports").rows() == [(2021, 30, 2), (2022, 1040, 3)]


def test_a_region_line_uses_one_member_set_and_breaks_at_gaps(tmp_path_factory):
    """甲区: 子局 every year, 丑局 only 2019 and 2021 — its line is 子局 alone; 乙区 skips 2020 entirely."""
    reports = [Report("子局", y, requests(10 + y - 2019, 1), county="甲区") for y in (2019, 2020, 2021)]
    reports += [Report("丑局", y, requests(500, 1), county="甲区") for y in (2019, 2021)]
    reports += [Report("寅局", y, requests(7, 1), county="乙区") for y in (2019, 2021)]
    con = _open(tmp_path_factory, "lines", reports)
    lines = trends.region_trends(con, "requests_new", Filters(province="甲省", city="乙市"))
    jia = lines.filter(pl.col("region") == "甲区")
    assert jia.select("year", "value").rows() == [(2019, 10), (2020, 11), (2021, 12)]
    assert jia["change"].to_list() == [None, 1, 1] and jia["segment"].n_unique() == 1
    yi = lines.filter(pl.col("region") == "乙区")
    assert yi["change"].null_count() == yi.height  # 2019 → 2021 is not a year-on-year change
    assert yi.height == 1 or yi["segment"].n_unique() == yi.height  # never joined across 2020
    own = trends.body_trends(con, "requests_new", Filters(agencies=(Report("丑局", 0, {}).agency_id,)))
    assert own["segment"].n_unique() == 2 and own["change"].null_count() == 2
    con.close()


# ---------------------------------------------------------------- (b), (c) channels


def _channels(**stated: float) -> dict[str, float]:
    return {f"text.channel.{k}": v for k, v in stated.items()}


@pytest.fixture(scope="module")
def channels(tmp_path_factory):
    """Bodies stating different channels; one states a 政务新媒体 total beside WeChat and Weibo."""
    reports = [
        Report("网站局", 2024, _channels(website=100, wechat=50, weibo=30, new_media=200), county="甲区"),
        Report("网站局", 2025, _channels(website=80, wechat=90, weibo=30, new_media=220), county="甲区"),
        Report("微信局", 2024, _channels(website=10, wechat=40), county="甲区"),
        Report("微信局", 2025, _channels(website=10, wechat=60, douyin=30), county="甲区"),
        Report("一渠道镇", 2025, _channels(website=500), county="乙区", kind="township"),
        Report("乙区审计局", 2025, _channels(website=20, weibo=20), county="乙区"),
    ]
    con = _open(tmp_path_factory, "channels", reports)
    yield con
    con.close()


FILTERS = [ALL, Filters(county="甲区", province="甲省", city="乙市"), Filters(kinds=("department",)),
           Filters(years=(2025, 2025)), Filters(agencies=(Report("微信局", 0, {}).agency_id,))]  # fmt: skip


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("basis", ["same", "all"])
def test_the_composition_and_the_share_trend_agree(channels, filters, basis):
    mix = values.channel_mix(channels, filters, basis)
    for channel in ("website", "wechat", "weibo", "douyin"):
        trend = trends.trend(channels, f"channel_{channel}_share", filters, basis=basis)
        name = values.CHANNEL_NAMES[channel]
        shares = dict(mix.filter(pl.col("part") == name).select(pl.col("group").cast(pl.Int32), "share").rows())
        assert shares == pytest.approx(dict(trend.select("year", "value").rows()))
    assert all(abs(total - 100) < 1e-9 for total in mix.group_by("group").agg(pl.col("share").sum())["share"])


def test_a_new_media_total_is_never_added_to_its_platforms(channels):
    mix = values.channel_mix(channels, Filters(agencies=(Report("网站局", 0, {}).agency_id,)), "all")
    assert "政务新媒体（合计）" not in mix["part"].to_list()
    y2024 = dict(mix.filter(pl.col("group") == "2024").select("part", "value").rows())
    assert y2024 == {"政府网站": 100, "政务微信": 50, "政务微博": 30, "抖音等短视频": 0}  # 180 items, not 380
    assert mix.filter(pl.col("group") == "2024")["share"].sum() == pytest.approx(100)
    total = trends.trend(channels, "channel_new_media", Filters(agencies=(Report("网站局", 0, {}).agency_id,)))
    assert total["value"].to_list() == [200, 220]


def test_a_single_channel_has_no_share(channels):
    rows = values.measure_frame(channels, "channel_website_share", Filters(kinds=("township",)))
    assert rows["value"].to_list() == [None]


# ---------------------------------------------------------------- (d) default years


@pytest.fixture(scope="module")
def procurement(tmp_path_factory):
    """Four bodies on the 2019 form in 2019–2020; in 2021 one keeps it, three move to the 2021 form."""
    def bought(amount):
        return {"t2.central_procurement.procurement_amount_wan_yuan": amount}
    reports = []
    for i, name in enumerate(("一局", "二局", "三局", "四局")):
        reports += [Report(name, y, bought(100 * (i + 1) + y - 2019), version="2019") for y in (2019, 2020)]
        reports.append(Report(name, 2021, bought(5) if i == 0 else {"t2.normative_documents.issued": 1},
                              version="2019" if i == 0 else "2021"))  # fmt: skip
    con = _open(tmp_path_factory, "procurement", reports)
    yield con
    con.close()


def test_procurement_defaults_to_the_last_year_of_its_form(procurement):
    assert values.default_year(procurement, "procurement_amount", ALL) == 2020
    ranking = rankings.ranking(procurement, "procurement_amount", ALL, by="body")
    assert ranking.year == 2020 and ranking.ranked.height == 4
    assert ranking.coverage == "2020年：4/4 份报告有此指标"
    figure = trends.key_figures(procurement, ALL).filter(pl.col("measure") == "procurement_amount").row(0, named=True)
    assert (figure["year"], figure["value"], figure["change"], figure["bodies"]) == (2020, 1004, 4, 4)
    line = trends.trend(procurement, "procurement_amount", ALL)
    assert line["year"].to_list() == [2019, 2020]  # the 2021 straggler is not a trend


# ---------------------------------------------------------------- where a ranking starts


def test_a_single_member_level_is_entered(tmp_path_factory):
    """One province, two cities: the first view ranks the cities, never the one province."""
    reports = [Report("甲市局", 2024, requests(9, 1), city="甲市"), Report("乙市局", 2024, requests(5, 1), city="乙市"),
               Report("丙市局", 2024, requests(3, 1), city="丙市", province="丙省", kind="department")]  # fmt: skip
    con = _open(tmp_path_factory, "levels", reports[:2])
    assert rankings.start_level(con, "requests_new", ALL, 2024)[:2] == (2, (("province", "甲省"),))
    ranking = rankings.ranking(con, "requests_new", ALL, by="region")
    assert ranking.level == 2 and ranking.ranked["label"].to_list() == ["甲市", "乙市"]
    assert ranking.ranked["path"].to_list() == ["甲省|甲市", "甲省|乙市"]
    con.close()
    two = _open(tmp_path_factory, "provinces", reports)
    assert rankings.start_level(two, "requests_new", ALL, 2024)[:2] == (1, ())
    two.close()


def test_a_single_member_with_nothing_below_is_shown_alone(tmp_path_factory):
    """A municipality's own bureau: one province, no city below — the ranking stays at the province, one member."""
    con = _open(tmp_path_factory, "alone", [Report("丁市科委", 2024, requests(34, 1), province="丁市", city=None)])
    assert rankings.start_level(con, "requests_new", ALL, 2024)[:2] == (1, ())
    ranking = rankings.ranking(con, "requests_new", ALL, by="region")
    assert ranking.ranked.select("label", "path").rows() == [("丁市", "丁市")]
    con.close()


def test_equal_sums_added_in_another_order_are_a_tie_ordered_by_name(tmp_path_factory):
    """0.1 + 0.2 is 0.30000000000000004 in floating point: 甲市's two bodies tie 乙市's one, and a tie goes by
    name, never by the last bits of a sum."""
    def bought(amount):
        return {"t2.central_procurement.procurement_amount_wan_yuan": amount}
    reports = [Report("甲一局", 2020, bought(0.1), version="2019", city="甲市"),
               Report("甲二局", 2020, bought(0.2), version="2019", city="甲市"),
               Report("乙局", 2020, bought(0.3), version="2019", city="乙市")]  # fmt: skip
    con = _open(tmp_path_factory, "ties", reports)
    ranking = rankings.ranking(con, "procurement_amount", ALL, by="region")
    assert ranking.ranked.select("rank", "label").rows() == [(1, "乙市"), (2, "甲市")]
    con.close()


def test_compositions_over_years_use_the_same_bodies(panel):
    same = values.composition(panel, "outcomes", ALL, basis="same").filter(pl.col("part") == "予以公开")
    assert same.select("group", "value", "reports").rows() == [(2021, 15, 2), (2022, 24, 2)]  # 戊局 only reported 2022
    raw = values.composition(panel, "outcomes", ALL, basis="all").filter(pl.col("part") == "予以公开")
    assert raw.select("group", "value").rows() == [(2021, 15), (2022, 124)]
