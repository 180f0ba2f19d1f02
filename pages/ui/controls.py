"""The filter frame and the pickers: every choice bound to a URL query parameter so a link reproduces the view.

A chart click that asks for another page leaves it under `GOTO`; app.py follows it once
the frame is drawn (`follow_drilldown`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import duckdb
import polars as pl
import streamlit as st

from pages.ui.connection import connection
from pages.ui.formats import escape_markdown, fmt_number
from warehouse import queries, search
from warehouse.measures import BY_ID, Measure
from warehouse.queries import Filters
from warehouse.scope import KIND_NAMES

AGENCY_PAGE = "pages/agency.py"
GOTO = "_goto"  # a page a chart click asked for, followed by app.py before the next page runs
PLACE_KEYS = ("province", "city", "county")


def _keep_valid(key: str, options: list, multiple: bool = False) -> None:
    """Drop a remembered value the current options no longer offer (a narrower place, say)."""
    if key not in st.session_state:
        return
    value = st.session_state[key]
    if multiple:
        st.session_state[key] = [v for v in value or [] if v in options]
    elif value is not None and value not in options:
        st.session_state[key] = None


def _clear_below(level: str) -> Callable[[], None]:
    """A callback that forgets the places under `level` when `level` changes."""

    def clear() -> None:
        for key in PLACE_KEYS[PLACE_KEYS.index(level) + 1 :]:
            st.session_state[key] = None

    return clear


def _place_select(places: pl.DataFrame, level: str, parents: dict[str, str | None]) -> str | None:
    column = places
    for key, value in parents.items():
        column = column.filter(pl.col(key) == value)
    options = sorted(v for v in column[level].unique().to_list() if v)
    _keep_valid(level, options)
    label = {"province": "省", "city": "市", "county": "县（区）"}[level]
    return st.selectbox(label, options, index=None, placeholder="全部", key=level, bind="query-params",
                        on_change=_clear_below(level), disabled=not options)  # fmt: skip


FILTERS = "_filters"


def context() -> tuple[duckdb.DuckDBPyConnection, Filters]:
    """What every page starts from: the warehouse and the filters the frame drew this run."""
    return connection(), st.session_state.get(FILTERS, Filters())


def filter_frame(con: duckdb.DuckDBPyConnection) -> Filters:
    """The sidebar filters, every one bound to a URL query parameter so a link reproduces the view."""
    facts = queries.snapshot_facts(con)
    places = queries.places(con)
    with st.sidebar:
        body_search(con)
        st.subheader("筛选")
        province = _place_select(places, "province", {})
        city = _place_select(places, "city", {"province": province}) if province else None
        county = _place_select(places, "county", {"province": province, "city": city}) if city else None
        kinds = queries.kinds(con)
        _keep_valid("kind", kinds, multiple=True)
        chosen_kinds = st.multiselect("单位类型", kinds, format_func=lambda k: KIND_NAMES.get(k, k), key="kind",
                                      bind="query-params", placeholder="全部类型")  # fmt: skip
        years = _year_range(facts["year_min"], facts["year_max"])
        partial = Filters(province, city, county, tuple(chosen_kinds), years)
        bodies = queries.bodies(con, partial)
        names = dict(zip(bodies["agency_id"].to_list(), bodies["agency_name"].to_list(), strict=True))
        _keep_valid("body", list(names), multiple=True)
        if (own := st.session_state.pop(OWN_BODIES, None)) is not None:
            st.session_state["body"] = own_bodies(bodies, own)
        chosen = st.multiselect("单位", list(names), format_func=lambda a: names.get(a, a), key="body",
                                bind="query-params", placeholder="全部单位")  # fmt: skip
        st.caption(f"仓库共 {fmt_number(facts['reports'])} 份报告")
    st.session_state[FILTERS] = Filters(province, city, county, tuple(chosen_kinds), years, tuple(chosen))
    return st.session_state[FILTERS]


def body_search(con: duckdb.DuckDBPyConnection) -> None:
    """查找单位: any part of a body's name, from every page; each match links straight to its profile."""
    text = st.text_input("查找单位", key="find", placeholder="输入单位名称的一部分", icon=":material/search:")
    if not text.strip():
        return
    found = search.find_bodies(con, text)
    if found.is_empty():
        st.caption("没有名称包含该文字的单位。")
        return
    for row in found.to_dicts():
        st.page_link(AGENCY_PAGE, label=f"{row['agency_name']}（{row['last_year']}年）",
                     query_params={"agency": row["agency_id"]}, icon=":material/apartment:")  # fmt: skip
    if found["matches"][0] > found.height:
        st.caption(f"共 {found['matches'][0]} 个单位，显示前 {found.height} 个；输入更多文字可缩小范围。")


def _year_range(low: int | None, high: int | None) -> tuple[int, int] | None:
    if low is None:
        return None
    if low == high:
        st.caption(f"年度：{low}")
        return (low, high)
    _order_years()
    picked = st.slider("年度", low, high, (low, high), key="years", bind="query-params")
    return (min(picked), max(picked))


def _order_years() -> None:
    """A link's `?years=2024&years=2019` means 2019–2024: put the pair in order, in the URL and the slider.

    Streamlit takes a reversed pair from the URL as it is; the filters are ordered by
    `_year_range` in any case, and this puts the link and the slider right for the next run.
    """
    remembered = st.session_state.get("years")
    if remembered is not None:
        if remembered[0] > remembered[1]:
            st.session_state["years"] = (remembered[1], remembered[0])
        return
    try:
        first, last = (int(float(v)) for v in st.query_params.get_all("years"))
    except ValueError:
        return  # not a pair of years: the slider falls back to the full range itself
    if first > last:
        st.query_params["years"] = [str(last), str(first)]


def follow_drilldown() -> None:
    """Open the page a chart click asked for (called by app.py once the frame is drawn).

    Only unbound parameters may be passed; the frame's bound ones follow by themselves.
    """
    target = st.session_state.pop(GOTO, None)
    if target:
        page, params = target
        st.switch_page(page, query_params=params)


def body_picker(names: dict[str, str]) -> str | None:
    """The body of the 单位画像, kept in the URL as `agency`.

    Not a bound widget: a link or a chart click names the body in the URL, and a bound
    parameter can be set neither by st.switch_page nor by st.page_link.
    """
    requested = st.query_params.get("agency")
    if requested in names:
        st.session_state["agency_pick"] = requested

    def remember() -> None:
        chosen = st.session_state.get("agency_pick")
        if chosen:
            st.query_params["agency"] = chosen
        else:
            st.query_params.pop("agency", None)

    return st.selectbox("单位", list(names), format_func=lambda a: names.get(a, a), index=None, key="agency_pick",
                        placeholder="选择或搜索单位", on_change=remember)  # fmt: skip


def synthetic_notice(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    """A visible warning whenever generated demo reports are on screen."""
    count = queries.synthetic_reports(con, filters)
    if count:
        st.warning(f"⚠️ 当前视图包含 {fmt_number(count)} 份合成演示报告（虚构单位与数字，仅供演示），不是真实数据。")


def measure_picker(label: str, measure_ids: Iterable[str], key: str) -> Measure:
    """A choice of measure, kept in the URL (pages offer different measures under the same key)."""
    ids = list(measure_ids)
    if st.session_state.get(key) not in ids:  # another page's measure, or none: this page's first, never blank
        st.session_state[key] = ids[0]
    chosen = st.selectbox(label, ids, format_func=lambda m: BY_ID[m].name_zh, key=key, bind="query-params",
                          placeholder="请选择指标")  # fmt: skip
    return BY_ID[chosen or ids[0]]


def view_picker(key: str = "by") -> str:
    """按地区 or 按单位 for ranking charts, kept in the URL."""
    choice = st.segmented_control("排名对象", ["按地区", "按单位"], default="按地区", key=key, bind="query-params")
    return "region" if choice != "按单位" else "body"


def ranking_level(filters: Filters) -> str:
    """Rank bodies once the place filter is at its deepest level; above it, let the user choose."""
    return "body" if filters.depth >= 3 else view_picker()


BASES = {"同口径": "same", "全部报告（不可比）": "all"}


def basis_picker(key: str = "basis") -> str:
    """同口径 (the same bodies every year, the default) or 全部报告 (raw sums, not comparable), kept in the URL."""
    explain = "同口径：趋势与变化只计各年都有数据的单位。全部报告：各年有报告的单位都计入，单位不同，数值不可比。"
    choice = st.segmented_control("口径", list(BASES), default="同口径", key=key, bind="query-params", help=explain)
    return BASES.get(choice or "同口径", "same")


OWN_BODIES = "_own_bodies"  # a <地区>本级 bar was clicked: the place whose own bodies the body filter takes


def own_bodies(bodies: pl.DataFrame, path: str) -> list[str]:
    """The bodies placed directly at `path` (province|city|…), not those of its sub-regions: 本级 lists
    only the region's own bodies."""
    depth = len([p for p in path.split("|") if p])
    if depth >= len(PLACE_KEYS):
        return bodies["agency_id"].to_list()
    return bodies.filter(pl.col(PLACE_KEYS[depth]).is_null())["agency_id"].to_list()


def go_to_place(path: str | None) -> None:
    """Set the place filter to `province|city|county` (a region bar, a breadcrumb step, a level offered)."""
    parts = (path or "").split("|") if path is not None else []
    for i, key in enumerate(PLACE_KEYS):
        st.session_state[key] = (parts[i] or None) if i < len(parts) else None


LEVEL_WORDS = {1: "各省", 2: "各市", 3: "各县（区）"}


def breadcrumb(filters: Filters, entered: tuple[tuple[str, str], ...], level: int | None, key: str) -> None:
    """Where a ranking stands: each step of the place filter is a button going up to it; places entered
    because they were the only member with data follow; then what is compared."""
    steps = [("全部地区", "")] + [(p, "|".join(x or "" for x in (filters.province, filters.city, filters.county)[: i + 1]))
                                   for i, p in enumerate((filters.province, filters.city, filters.county)) if p]  # fmt: skip
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption("位置：")
        for i, (name, path) in enumerate(steps):
            last = i == len(steps) - 1
            st.button(escape_markdown(name), key=f"crumb-{key}-{i}", type="tertiary", disabled=last,
                      on_click=go_to_place, args=(path or None,))
        for _column, name in entered:
            st.caption(f"› {escape_markdown(name)}（唯一有数据的一级）")
        st.caption(f"› 比较{LEVEL_WORDS.get(level or 0, '各单位')}")
