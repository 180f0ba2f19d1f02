"""Shared UI of the dashboard: the warehouse handle, the filter frame, charts with their CSV, number formats.

Pages stay short because everything they share lives here: a page takes the filters,
calls one function of `warehouse.metrics` or `warehouse.queries`, and hands the frame
to one chart helper, which draws it, offers exactly its rows as CSV, and turns clicks
into drill-downs (a region's bar narrows the place filter, a body's bar opens its
单位画像).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import altair as alt
import duckdb
import polars as pl
import streamlit as st

from warehouse import metrics, queries, settings, store
from warehouse.metrics import KIND_NAMES, Measure, Ranking
from warehouse.queries import Filters

AGENCY_PAGE = "pages/agency.py"
GOTO = "_goto"  # a page a chart click asked for, followed by app.py before the next page runs
PLACE_KEYS = ("province", "city", "county")
NO_DATA = "当前筛选条件下没有数据。可以放宽左侧的地区、类型、年份或单位筛选；仓库为空时请先在「导入」页导入报告。"


# ---------------------------------------------------------------- the warehouse


@st.cache_resource(max_entries=2, show_spinner="正在打开数据仓库…")
def _open(directory: str, snapshot: str | None, scope_file: float) -> duckdb.DuckDBPyConnection:
    """One prepared read-only connection per published snapshot (and scope file), shared by every session."""
    return metrics.open_warehouse(directory)


def connection() -> duckdb.DuckDBPyConnection:
    """The connection for the current snapshot; a new import or an edited report_scope.csv is
    picked up on the next run."""
    directory = settings.warehouse_dir()
    scope_file = directory / metrics.SCOPE_FILE
    edited = scope_file.stat().st_mtime if scope_file.exists() else 0.0
    return _open(str(directory), store.current_id(directory), edited)


# ---------------------------------------------------------------- the filter frame


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
        names = dict(zip(bodies["agency_id"].to_list(), bodies["agency_name"].to_list()))
        _keep_valid("body", list(names), multiple=True)
        chosen = st.multiselect("单位", list(names), format_func=lambda a: names.get(a, a), key="body",
                                bind="query-params", placeholder="全部单位")  # fmt: skip
        st.caption(f"仓库共 {fmt_number(facts['reports'])} 份报告")
    st.session_state[FILTERS] = Filters(province, city, county, tuple(chosen_kinds), years, tuple(chosen))
    return st.session_state[FILTERS]


def _year_range(low: int | None, high: int | None) -> tuple[int, int] | None:
    if low is None:
        return None
    if low == high:
        st.caption(f"年度：{low}")
        return (low, high)
    return st.slider("年度", low, high, (low, high), key="years", bind="query-params")


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
    _keep_valid(key, ids)
    chosen = st.selectbox(label, ids, format_func=lambda m: metrics.BY_ID[m].name_zh, key=key, bind="query-params")
    return metrics.BY_ID[chosen or ids[0]]


def view_picker(key: str = "by") -> str:
    """按地区 or 按单位 for ranking charts, kept in the URL."""
    choice = st.segmented_control("排名对象", ["按地区", "按单位"], default="按地区", key=key, bind="query-params")
    return "region" if choice != "按单位" else "body"


def ranking_level(filters: Filters) -> str:
    """Rank bodies once the place filter is at its deepest level; above it, let the user choose."""
    return "body" if filters.depth >= 3 else view_picker()


def figure_cards(figures: pl.DataFrame) -> None:
    """The headline measures as cards: latest year, change on the year before, how it was obtained."""
    years = sorted({y for y in figures["year"].to_list() if y})
    if years:
        st.caption(f"各指标取有数据的最近一年（{'、'.join(map(str, years))}年），箭头为与上一年相比的变化。")
    for column, row in zip(st.columns(max(figures.height, 1)), figures.to_dicts()):
        small = bool(row.get("small_sample"))
        value = "样本过少" if small else fmt_number(row.get("value"), row["unit"])
        notes = [f"{row['year']}年" if row.get("year") else "暂无数据", row.get("coverage") or ""]
        notes += ["含推算值" if row.get("derived") else "", f"{row['reports']}份报告" if row.get("reports") else ""]
        notes.append("变化为与上一年相比")
        column.metric(row["name"], value, None if small else fmt_change(row.get("change"), row["unit"]),
                      delta_color="off", help="；".join(n for n in notes if n), border=True)  # fmt: skip


def flag_list(found: pl.DataFrame, limit: int = 12) -> None:
    """The first flags, newest first, each linking to the body's 单位画像."""
    if found.is_empty():
        st.success("当前筛选范围内没有需要特别关注的异常。")
        return
    st.caption(f"共 {found.height} 条提示，显示最近 {min(limit, found.height)} 条；点击单位名称打开单位画像。")
    for row in found.head(limit).to_dicts():
        st.page_link(AGENCY_PAGE, label=f"{row['agency_name']}（{row['year']}年）", query_params={"agency": row["agency_id"]},
                     icon=":material/flag:")  # fmt: skip
        st.caption(f"{row['flag']}：{row['message']}")


# ---------------------------------------------------------------- numbers for Chinese readers


def fmt_number(value: float | None, unit: str = "") -> str:
    """1,234 · 12.3万 · 1.23亿 · 45.6% · 340.1万元 — with the unit; '—' where there is no value."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    size = abs(value)
    if size >= 1e8:
        text = f"{value / 1e8:,.2f}亿"
    elif size >= 1e5 and unit != "万元":
        text = f"{value / 1e4:,.1f}万"
    elif value == int(value):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{1 if size >= 100 else 2}f}".rstrip("0").rstrip(".")
    return text + unit


def fmt_change(value: float | None, unit: str) -> str | None:
    """A year-over-year change with its sign; rates change in 百分点."""
    if value is None:
        return None
    sign = "+" if value > 0 else ""
    if unit == "%":
        return f"{sign}{value:.1f}个百分点"
    return sign + fmt_number(value, unit)


# ---------------------------------------------------------------- CSV downloads


def csv_bytes(frame: pl.DataFrame, columns: dict[str, str]) -> bytes:
    """The rows with Chinese headers as UTF-8 CSV with a BOM, so Excel opens it correctly."""
    table = frame.select([pl.col(src).alias(dst) for src, dst in columns.items() if src in frame.columns])
    return "\ufeff".encode() + table.write_csv().encode("utf-8")


def download(frame: pl.DataFrame, columns: dict[str, str], what: str, filters: Filters, key: str) -> None:
    """A download button for exactly these rows; the file name says what and which filter."""
    st.download_button(
        "下载 CSV", csv_bytes(frame, columns), file_name=f"{what}_{filters.slug()}.csv", mime="text/csv",
        key=f"csv-{key}", icon=":material/download:", on_click="ignore",
    )  # fmt: skip


# ---------------------------------------------------------------- charts

SOURCE = alt.Color(
    "source:N",
    title="数值来源",
    scale=alt.Scale(domain=["报告原值", "推算值"], range=["#2f6db5", "#9bbbe0"]),
    legend=alt.Legend(orient="bottom"),
)
RANKING_COLUMNS = {"rank": "名次", "label": "名称", "year": "年度", "value": "数值", "num": "分子", "den": "分母",
                   "ci_low": "95%区间下限", "ci_high": "95%区间上限", "source": "数值来源", "coverage": "覆盖范围",
                   "reports": "报告数", "series": "指标"}  # fmt: skip


def _with_source(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(source=pl.when(pl.col("derived")).then(pl.lit("推算值")).otherwise(pl.lit("报告原值")))


def _drill(key: str) -> None:
    """A bar was clicked: a body opens its profile, a region narrows the place filter."""
    picked = st.session_state[key].selection.get("pick") or []
    if not picked:
        return
    target, kind = picked[0].get("target"), picked[0].get("target_kind")
    if kind == "body":
        st.session_state[GOTO] = (AGENCY_PAGE, {"agency": target})
    elif kind == "region":
        level = next((k for k in PLACE_KEYS if not st.session_state.get(k)), None)
        if level:
            st.session_state[level] = target
    elif kind == "local":
        st.session_state["by"] = "按单位"


TOP = 30


def ranking_chart(ranking: Ranking, filters: Filters, key: str) -> None:
    """Horizontal bars, largest first (the first 30 unless all are asked for), Wilson error bars for
    rates; clicking a bar drills down."""
    measure = ranking.measure
    if ranking.ranked.is_empty():
        st.info(NO_DATA if ranking.too_small.is_empty() else "所有对象的样本都过少（不足最少案件数），不参与排名。")
    else:
        every = ranking.ranked.height > TOP and st.toggle(f"显示全部 {ranking.ranked.height} 个", key=f"all-{key}")
        frame = _with_source(ranking.ranked if every else ranking.ranked.head(TOP))
        order = frame["label"].to_list()
        pick = alt.selection_point(fields=["target", "target_kind"], name="pick")
        y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False))
        bars = alt.Chart(frame).mark_bar().encode(
            x=alt.X("value:Q", title=f"{measure.label}（{ranking.year}年）", axis=alt.Axis(labelAngle=0)),
            y=y, color=SOURCE, tooltip=_tooltip(measure),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.6)),
        ).add_params(pick)  # fmt: skip
        layers = [bars]
        if measure.is_rate:
            layers.append(alt.Chart(frame).mark_rule(color="#333").encode(x="ci_low:Q", x2="ci_high:Q", y=y))
        chart = alt.layer(*layers).properties(height=alt.Step(22))
        st.altair_chart(chart, on_select=lambda: _drill(key), key=key, selection_mode="pick", width="stretch")
        hint = "点击地区的柱条查看其下级，点击单位的柱条打开单位画像。" if ranking.by == "region" else "点击柱条打开单位画像。"
        st.caption(" ".join(filter(None, [hint, ranking.note, _small_note(ranking)])))
        download(frame, RANKING_COLUMNS, f"{measure.name_zh}排名", filters, key)


def _small_note(ranking: Ranking) -> str:
    if ranking.too_small.is_empty():
        return ""
    names = "、".join(ranking.too_small["label"].head(8).to_list())
    more = "等" if ranking.too_small.height > 8 else ""
    return f"样本过少、未参与排名：{names}{more}。"


def _tooltip(measure: Measure) -> list[alt.Tooltip]:
    fmt = ".1f" if measure.is_rate else ",.2f" if measure.unit == "万元" else ",.0f"
    tips = [alt.Tooltip("label:N", title="名称"), alt.Tooltip("value:Q", title=measure.label, format=fmt)]
    if measure.is_rate:
        tips += [alt.Tooltip("num:Q", title="分子", format=",.0f"), alt.Tooltip("den:Q", title="分母", format=",.0f"),
                 alt.Tooltip("ci_low:Q", title="95%区间下限", format=".1f"),
                 alt.Tooltip("ci_high:Q", title="95%区间上限", format=".1f")]  # fmt: skip
    return tips + [alt.Tooltip("source:N", title="数值来源"), alt.Tooltip("coverage:N", title="覆盖范围"),
                   alt.Tooltip("reports:Q", title="报告数")]  # fmt: skip


TREND_COLUMNS = {"year": "年度", "series": "指标（口径）", "value": "数值", "change": "同比变化", "num": "分子",
                 "den": "分母", "ci_low": "95%区间下限", "ci_high": "95%区间上限", "source": "数值来源",
                 "coverage": "覆盖范围", "reports": "报告数"}  # fmt: skip


def trend_chart(frame: pl.DataFrame, measure: Measure, filters: Filters, key: str) -> None:
    """One line per definition; where the template's definition changes, a marked break, never a join."""
    frame = frame.filter(pl.col("value").is_not_null())
    if frame.is_empty():
        st.info(NO_DATA)
        return
    frame = _with_source(frame).with_columns(label=pl.col("series"), year_text=pl.col("year").cast(pl.String))
    x = alt.X("year_text:O", title="年度", axis=alt.Axis(labelAngle=0), sort="ascending")
    y = alt.Y("value:Q", title=measure.label)
    tips = _tooltip(measure) + [alt.Tooltip("year_text:O", title="年度"), alt.Tooltip("series:N", title="口径")]
    several = frame["series"].n_unique() > 1
    series = alt.Color("series:N", title="指标（口径）", legend=alt.Legend(orient="bottom") if several else None)
    base = alt.Chart(frame)
    layers = [base.mark_line(point=True).encode(x=x, y=y, color=series, tooltip=tips)]
    if measure.is_rate:
        layers.append(base.mark_rule().encode(x=x, y="ci_low:Q", y2="ci_high:Q", color=series))
    breaks = frame.filter(pl.col("version_break")) if "version_break" in frame.columns else frame.clear()
    if not breaks.is_empty():
        marks = alt.Chart(breaks).encode(x=x)
        layers += [marks.mark_rule(strokeDash=[4, 4], color="#c0392b"),
                   marks.mark_text(text="模板口径变化", dy=-8, color="#c0392b", align="left").encode(y=alt.value(0))]  # fmt: skip
    st.altair_chart(alt.layer(*layers).properties(height=300), width="stretch")
    download(frame, TREND_COLUMNS, f"{measure.name_zh}趋势", filters, key)


COMPOSITION_COLUMNS = {"group": "分组", "part": "构成", "value": "数值", "share": "占比（%）", "source": "数值来源",
                       "reports": "报告数"}  # fmt: skip


def composition_chart(frame: pl.DataFrame, composition_id: str, filters: Filters, key: str, shares: bool = False) -> None:
    """Stacked horizontal bars of a whole's parts, in template order, counts or shares."""
    if frame.is_empty() or frame["value"].sum() == 0:
        st.info(NO_DATA)
        return
    comp = metrics.COMPOSITIONS[composition_id]
    frame = _with_source(frame).with_columns(group=pl.col("group").cast(pl.String))
    field, title = ("share:Q", "占比（%）") if shares else ("value:Q", f"{comp.name_zh}（{comp.unit}）")
    groups = frame["group"].unique(maintain_order=True).to_list()
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X(field, title=title, stack="zero", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.Color("part:N", title=comp.name_zh, sort=list(comp.parts), legend=alt.Legend(orient="bottom", columns=4)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("group:N", title="分组"), alt.Tooltip("part:N", title="构成"),
                 alt.Tooltip("value:Q", title=f"数值（{comp.unit}）", format=",.0f"),
                 alt.Tooltip("share:Q", title="占比（%）", format=".1f"), alt.Tooltip("source:N", title="数值来源")],
    ).properties(height=alt.Step(26))  # fmt: skip
    st.altair_chart(chart, width="stretch")
    download(frame, COMPOSITION_COLUMNS, comp.name_zh, filters, key)


COVERAGE_COLUMNS = {"agency_name": "单位", "year": "年度", "status": "状态", "reports": "报告数", "failures": "错误数"}


COVERAGE_ROWS = 60


def coverage_chart(grid: pl.DataFrame | None, years: tuple[int, int] | None, filters: Filters, key: str) -> None:
    """Body × year: reported, reported with errors, or missing; clicking a cell opens the body.

    `grid` holds the bodies with the most gaps and errors first (queries.coverage); where
    there are more than it shows, a caption says so.
    """
    if grid is None or grid.is_empty() or years is None:
        st.info(NO_DATA)
        return
    if grid["bodies"][0] > grid["agency_id"].n_unique():
        st.caption(f"共 {grid['bodies'][0]} 个单位，先显示缺报或有错误最多的 {grid['agency_id'].n_unique()} 个；缩小筛选范围可看到全部。")
    all_years = pl.DataFrame({"year": list(range(years[0], years[1] + 1))}, schema={"year": pl.Int32})
    bodies = grid.select("agency_id", "agency_name").unique(maintain_order=True).with_row_index("order")
    frame = bodies.join(all_years, how="cross").join(grid.drop("agency_name"), on=["agency_id", "year"], how="left").with_columns(
        status=pl.when(pl.col("reports").is_null()).then(pl.lit("缺失"))
        .when(pl.col("failures") > 0).then(pl.lit("有错误")).otherwise(pl.lit("已报送")),
        target=pl.col("agency_id"), target_kind=pl.lit("body"), year_text=pl.col("year").cast(pl.String),
    ).sort("order", "year")  # fmt: skip
    pick = alt.selection_point(fields=["target", "target_kind"], name="pick")
    chart = alt.Chart(frame).mark_rect(stroke="white").encode(
        x=alt.X("year_text:O", title="年度", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("agency_name:N", title=None, sort=bodies["agency_name"].to_list(),
                axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.Color("status:N", title="报告状态", scale=alt.Scale(domain=["已报送", "有错误", "缺失"],
                        range=["#4c9f70", "#e0a030", "#d0d0d0"]), legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("agency_name:N", title="单位"), alt.Tooltip("year_text:O", title="年度"),
                 alt.Tooltip("status:N", title="状态"), alt.Tooltip("failures:Q", title="错误数")],
    ).add_params(pick).properties(height=alt.Step(18))  # fmt: skip
    st.altair_chart(chart, on_select=lambda: _drill(key), key=key, selection_mode="pick", width="stretch")
    download(frame, COVERAGE_COLUMNS, "报告覆盖", filters, key)


MULTIPLE_COLUMNS = {"label": "名称", "year": "年度", "series": "指标（口径）", "value": "数值", "change": "同比变化",
                    "change_pct": "同比变化（%）", "num": "分子", "den": "分母", "source": "数值来源"}  # fmt: skip


def small_multiples(frame: pl.DataFrame, measure: Measure, filters: Filters, key: str, facet: str) -> None:
    """One small panel per body or region, the same axes, so shapes compare at a glance."""
    frame = frame.filter(pl.col("value").is_not_null())
    if frame.is_empty():
        st.info(NO_DATA)
        return
    frame = _with_source(frame).with_columns(year_text=pl.col("year").cast(pl.String), label=pl.col(facet))
    fmt = ".1f" if measure.is_rate else ",.0f"
    legend = alt.Legend(orient="bottom") if frame["series"].n_unique() > 1 else None
    chart = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("year_text:O", title="年度", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=measure.label),
        color=alt.Color("series:N", title="口径", legend=legend),
        tooltip=[alt.Tooltip("label:N", title="名称"), alt.Tooltip("year_text:O", title="年度"),
                 alt.Tooltip("value:Q", title=measure.label, format=fmt),
                 alt.Tooltip("change:Q", title="同比变化", format=fmt), alt.Tooltip("source:N", title="数值来源")],
    ).properties(width=220, height=140).facet(
        facet=alt.Facet("label:N", title=None, header=alt.Header(labelLimit=220)), columns=3
    )  # fmt: skip
    st.altair_chart(chart)
    download(frame, MULTIPLE_COLUMNS, f"{measure.name_zh}分组对比", filters, key)


def table(frame: pl.DataFrame, columns: dict[str, str], what: str, filters: Filters, key: str, empty: str = NO_DATA) -> None:
    """A plain table with Chinese headers and its CSV."""
    if frame.is_empty():
        st.info(empty)
        return
    frame = frame.with_columns(pl.selectors.float().round(2))  # the table and its CSV show the same figures
    shown = frame.select([pl.col(src).alias(dst) for src, dst in columns.items() if src in frame.columns])
    st.dataframe(shown, hide_index=True, width="stretch")
    download(frame, columns, what, filters, key)


# ---------------------------------------------------------------- one body

STATUS_MARK = {"blank": "（空白）", "dash": "（—）"}


def _cell_text(row: dict) -> str:
    """A cell as the report prints it; a derived value says so."""
    if row["status"] == "derived":
        return f"{fmt_number(row['value'])}（推算）"
    if row["status"] == "ambiguous":
        return f"（待定：{row['raw']}）"
    if row["status"] in STATUS_MARK:
        return STATUS_MARK[row["status"]]
    return row["raw"] or fmt_number(row["value"])


TEXT_LABELS = {
    "text.proactive_total": "主动公开政府信息（条）", "text.channel.website": "政府网站（条）",
    "text.channel.wechat": "政务微信（条）", "text.channel.weibo": "政务微博（条）", "text.channel.douyin": "抖音等短视频（条）",
    "text.channel.new_media": "政务新媒体（条）", "text.channel.gazette": "政府公报（期）",
    "text.press_conferences": "新闻发布会（场）", "text.policy_interpretations": "政策解读（篇）",
    "text.info_fee_yuan": "信息处理费（元）", "text.npc_suggestions": "人大代表建议（件）", "text.cppcc_proposals": "政协提案（件）",
}  # fmt: skip


def _grid(cells: list[dict], first: str, rows: dict[str, str], columns: dict[str, str]) -> pl.DataFrame:
    """One printed table: rows and columns in template order, each cell as printed."""
    found = {(c["row_key"], c["col_key"]): c["text"] for c in cells}
    present_rows = [r for r in rows if any(key[0] == r for key in found)]
    present_columns = [c for c in columns if any(key[1] == c for key in found)]
    return pl.DataFrame(
        [{first: rows[r]} | {columns[c]: found.get((r, c), "") for c in present_columns} for r in present_rows],
        schema=[first, *(columns[c] for c in present_columns)],
    )


def report_tables(cells: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Tables 二, 三, 四 and the text figures of one report, laid out as the template prints them."""
    from pipeline.template import T2_COLUMNS, T2_ROWS, T3_COLUMN_LABELS, T3_GROUPS, T3_LAYOUTS, T4_OUTCOMES, T4_PROCEEDINGS

    rows = [r | {"text": _cell_text(r)} for r in cells.to_dicts()]
    by_table = {prefix: [r for r in rows if r["key"].startswith(prefix + ".")] for prefix in ("t2", "t3", "t4", "text")}
    t2_rows = {r.key: r.label for version in T2_ROWS.values() for r in version}
    t3_rows = {r.key: r.label for layout in T3_LAYOUTS.values() for r in layout} | {g: label for g, (label, _) in T3_GROUPS.items()}
    tables = {
        "表二 主动公开政府信息情况": _grid(by_table["t2"], "信息内容", t2_rows, T2_COLUMNS),
        "表三 收到和处理政府信息公开申请情况": _grid(by_table["t3"], "项目", t3_rows, T3_COLUMN_LABELS),
        "表四 行政复议、行政诉讼情况": _grid(by_table["t4"], "程序", T4_PROCEEDINGS, T4_OUTCOMES),
        "正文中的数字": pl.DataFrame(
            [{"项目": TEXT_LABELS.get(r["key"], r["key"]), "数值": fmt_number(r["value"]), "原文": r["raw"] or ""}
             for r in by_table["text"]],
            schema=["项目", "数值", "原文"],
        ),
    }
    return {name: frame for name, frame in tables.items() if not frame.is_empty()}


@st.cache_data(max_entries=32, show_spinner="正在读取原文…")
def source_text(path: str, modified: float) -> str | None:
    """The text of a report's source file as the pipeline reads it (None where it is gone)."""
    from pipeline.errors import ReportError
    from pipeline.readers import read_file

    try:
        return read_file(path).text()
    except (ReportError, OSError):
        return None


def source_document(report: dict) -> None:
    """The report's own text beside the extracted values, and the original file to download."""
    from pathlib import Path

    path = Path(report["source_path"] or "")
    if not path.is_file():
        st.info(f"原文件已不在导入时的位置：{report['source_path']}")
        return
    text = source_text(str(path), path.stat().st_mtime)
    st.caption(f"原文：{report['source_file']}（{report['source_format']}）")
    with st.container(height=640):
        st.text(text or "（无法读取原文）")
    st.download_button("下载原文件", path.read_bytes(), file_name=report["source_file"], key=f"src-{report['report_id']}",
                       icon=":material/description:", on_click="ignore")  # fmt: skip


SCOPE_NAMES = {"body": "本单位", "region": "全地区汇总"}


def body_summary(reports: pl.DataFrame) -> None:
    """Who the body is, where it sits, and what its reports cover."""
    latest = reports.row(-1, named=True)
    place = " / ".join(p for p in (latest["province"], latest["city"], latest["county"]) if p)
    st.markdown(f"**{latest['agency_name']}** · {place} · {KIND_NAMES.get(latest['kind'], latest['kind'])}"
                f" · {metrics.LEVEL_NAMES.get(latest['level'], latest['level'] or '')}")  # fmt: skip
    columns = {"year": "年度", "version": "模板版本", "scope_name": "报告范围", "scope_evidence": "范围依据",
               "source_file": "文件", "primary_report": "计入统计", "duplicate": "有重复"}  # fmt: skip
    shown = reports.with_columns(scope_name=pl.col("scope").replace_strict(SCOPE_NAMES, default=pl.col("scope")))
    st.dataframe(shown.select([pl.col(k).alias(v) for k, v in columns.items()]), hide_index=True, width="stretch")


# ---------------------------------------------------------------- data quality

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
OUTCOME_NAMES = {"fail": "未通过", "not_assessable": "无法判断"}


def findings_chart(summary: pl.DataFrame, filters: Filters, key: str) -> None:
    """Failing and not-assessable checks per rule, stacked by severity and outcome."""
    if summary.is_empty():
        st.success("当前筛选范围内所有规则均通过。")
        return
    frame = summary.with_columns(
        kind=pl.format("{}·{}", pl.col("severity").replace_strict(SEVERITY_NAMES, default=pl.col("severity")),
                       pl.col("outcome").replace_strict(OUTCOME_NAMES, default=pl.col("outcome")))
    )  # fmt: skip
    rules = frame.group_by("rule").agg(pl.col("findings").sum()).sort("findings", descending=True)["rule"].to_list()
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("findings:Q", title="发现数（条）", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rule:N", sort=rules, title="规则"),
        color=alt.Color("kind:N", title="严重程度·结果", legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("rule:N", title="规则"), alt.Tooltip("kind:N", title="严重程度·结果"),
                 alt.Tooltip("findings:Q", title="发现数"), alt.Tooltip("reports:Q", title="涉及报告数")],
    ).properties(height=alt.Step(26))  # fmt: skip
    st.altair_chart(chart, width="stretch")
    download(frame, {"rule": "规则", "severity": "严重程度", "outcome": "结果", "findings": "发现数", "reports": "涉及报告数"},
             "规则发现统计", filters, key)  # fmt: skip


def body_counts_chart(frame: pl.DataFrame, title: str, what: str, filters: Filters, key: str) -> None:
    """Bodies with a count each (agency_id, agency_name, count), most first; a click opens the body."""
    if frame.is_empty():
        return
    frame = frame.head(TOP).with_columns(label=pl.col("agency_name"), target=pl.col("agency_id"), target_kind=pl.lit("body"))
    pick = alt.selection_point(fields=["target", "target_kind"], name="pick")
    chart = alt.Chart(frame).mark_bar(color="#e0a030").encode(
        x=alt.X("count:Q", title=title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("label:N", sort=frame["label"].to_list(), title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        tooltip=[alt.Tooltip("label:N", title="单位"), alt.Tooltip("count:Q", title=title)],
    ).add_params(pick).properties(height=alt.Step(22))  # fmt: skip
    st.altair_chart(chart, on_select=lambda: _drill(key), key=key, selection_mode="pick", width="stretch")
    download(frame, {"label": "单位", "count": title}, what, filters, key)


# ---------------------------------------------------------------- import

UPLOAD_TYPES = ["pdf", "docx", "html", "htm", "txt", "md"]


def upload_password() -> str | None:
    """The password that unlocks importing, from st.secrets; None where none is configured."""
    try:
        return st.secrets.get("upload_password") or None
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def signed_in() -> bool:
    """Password sign-in for importing; viewing never asks."""
    import hmac

    if st.session_state.get("_signed_in"):
        return True
    with st.form("sign-in"):
        given = st.text_input("导入密码", type="password")
        if st.form_submit_button("登录"):
            if hmac.compare_digest(given.encode(), (upload_password() or "").encode()):
                st.session_state["_signed_in"] = True
                st.rerun()
            st.error("密码不正确。")
    return False


@contextmanager
def plain_main() -> Iterator[None]:
    """Hide the page script from multiprocessing while ingest runs its worker pool.

    Streamlit runs a page as `__main__`; a forkserver started now would re-run that
    script in the server process. A bare `__main__` keeps the workers to the pipeline.
    """
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def ingest_uploads(files: list) -> tuple[object, list[tuple[str, str]]]:
    """Check, store (content-addressed) and ingest uploaded files; returns the ingest summary
    and the files refused before ingest, with their reasons.

    The type is checked from the content, the size is limited and the stored name is the
    content hash (pipeline.uploads); the new snapshot is picked up on the next run of every page.
    """
    from pipeline.errors import ReportError
    from pipeline.ingest import ingest
    from pipeline.uploads import default_inbox, safe_name, store_upload

    inbox = default_inbox(settings.warehouse_dir())
    paths, refused = [], []
    for uploaded in files:
        try:
            paths.append(store_upload(uploaded.getvalue(), uploaded.name, inbox))
        except ReportError as exc:
            refused.append((safe_name(uploaded.name), exc.reason))
    if not paths:
        return None, refused
    with plain_main():
        return ingest(paths, settings.warehouse_dir(), workers=1, progress=False), refused
