"""Charts and tables with their CSV: each draws one frame, offers exactly its rows as CSV, and turns
clicks into drill-downs (a region's bar narrows the place filter, a body's bar opens its 单位画像).
"""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

from pages.ui.controls import AGENCY_PAGE, GOTO, OWN_BODIES, PLACE_KEYS, breadcrumb, go_to_place
from pages.ui.formats import csv_bytes, escape_markdown
from warehouse.comparison import BASIS_NOTES, set_caption
from warehouse.measures import COMPOSITIONS, Measure
from warehouse.queries import Filters
from warehouse.rankings import Ranking

NO_DATA = "当前筛选条件下没有数据。可以放宽左侧的地区、类型、年份或单位筛选；仓库为空时请先在「导入」页导入报告。"


def download(frame: pl.DataFrame, columns: dict[str, str], what: str, filters: Filters, key: str) -> None:
    """A download button for exactly these rows; the file name says what and which filter."""
    st.download_button(
        "下载 CSV", csv_bytes(frame, columns), file_name=f"{what}_{filters.slug()}.csv", mime="text/csv",
        key=f"csv-{key}", icon=":material/download:", on_click="ignore",
    )  # fmt: skip


SOURCE = alt.Color(
    "数值来源:N",
    title="数值来源",
    scale=alt.Scale(domain=["报告原值", "推算值"], range=["#2f6db5", "#9bbbe0"]),
    legend=alt.Legend(orient="bottom"),
)
RANKING_COLUMNS = {"rank": "名次", "label": "名称", "year": "年度", "value": "数值", "num": "分子", "den": "分母",
                   "ci_low": "95%区间下限", "ci_high": "95%区间上限", "source": "数值来源", "coverage": "覆盖范围",
                   "reports": "报告数", "series": "指标"}  # fmt: skip


def _with_source(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(source=pl.when(pl.col("derived")).then(pl.lit("推算值")).otherwise(pl.lit("报告原值")))


# A clickable chart's data carries what a click opens under Chinese names, since "Show data" shows them.
TARGET, KIND, PATH = "对象", "对象类别", "地区路径"
KIND_NAMES = {"body": "单位", "region": "地区", "local": "本级"}
PICK_FIELDS = [TARGET, KIND, PATH]


def pickable(frame: pl.DataFrame) -> pl.DataFrame:
    """target/target_kind/path under their Chinese names, the kind in words."""
    frame = frame.with_columns(pl.col("target_kind").replace_strict(KIND_NAMES, default=pl.col("target_kind")))
    return frame.rename({k: v for k, v in {"target": TARGET, "target_kind": KIND, "path": PATH}.items() if k in frame.columns})


def digits(measure: Measure) -> int:
    """Decimals a measure is shown with: rates 1, 万元 2, counts 0 — charts, tables and CSV alike."""
    return 1 if measure.is_rate else 2 if measure.unit == "万元" else 0


def axis_format(measure: Measure) -> str:
    """A d3 format for a measure's axis, so ticks never read 0.000000."""
    return ".1f" if measure.is_rate else f",.{digits(measure)}f"


def labelled(frame: pl.DataFrame, columns: dict[str, str], places: int) -> pl.DataFrame:
    """Exactly the named columns under their Chinese headers, decimals rounded as shown."""
    frame = frame.with_columns(pl.selectors.float().round(places))
    return frame.select([pl.col(src).alias(dst) for src, dst in columns.items() if src in frame.columns])


def tooltips(shown: pl.DataFrame, names: list[str] | tuple[str, ...] | None = None) -> list[alt.Tooltip]:
    """One tooltip per shown column (Chinese header), numbers with thousands separators and the decimals shown."""
    tips = []
    for name in names or shown.columns:
        if name not in shown.columns or name in PICK_FIELDS:
            continue
        dtype = shown[name].dtype
        places = 0 if dtype.is_integer() else max((len(str(v).partition(".")[2]) for v in shown[name].drop_nulls()), default=0)
        tips.append(alt.Tooltip(field=name, type="quantitative", format=f",.{min(places, 2)}f") if dtype.is_numeric()
                    else alt.Tooltip(field=name, type="nominal"))  # fmt: skip
    return tips


def drill(key: str) -> None:
    """A bar was clicked: a body opens its profile, a region narrows the place filter."""
    picked = st.session_state[key].selection.get("pick") or []
    if not picked:
        return
    target, kind, path = picked[0].get(TARGET), picked[0].get(KIND), picked[0].get(PATH)
    kind = next((k for k, v in KIND_NAMES.items() if v == kind), kind)
    if kind == "body":
        st.session_state[GOTO] = (AGENCY_PAGE, {"agency": target})
    elif kind == "region" and path:
        go_to_place(path)
    elif kind == "region":
        level = next((k for k in PLACE_KEYS if not st.session_state.get(k)), None)
        if level:
            st.session_state[level] = target
    elif kind == "local":
        show_own(path)


def show_own(path: str | None) -> None:
    """<地区>本级 was chosen: that place, only the bodies placed directly in it, compared body by body."""
    if path is not None:
        go_to_place(path)
        st.session_state[OWN_BODIES] = path
    st.session_state["by"] = "按单位"


TOP = 30


LEVEL_KINDS = {1: "省", 2: "市", 3: "县（区）"}


def single_member(ranking: Ranking, key: str) -> None:
    """One member cannot be ranked: say so in one sentence and offer the level below."""
    row = ranking.ranked.row(0, named=True)
    kind = LEVEL_KINDS.get(ranking.level or 0, "地区") if ranking.by == "region" and row["target_kind"] == "region" else "单位"
    label = escape_markdown(row["label"])
    st.info(f"{ranking.year}年只有“{label}”这一个{kind}有{ranking.measure.name_zh}的数据，无从比较；请查看下一级。")
    if row["target_kind"] == "region":
        st.button(f"查看{label}的下一级", key=f"below-{key}", icon=":material/subdirectory_arrow_right:",
                  on_click=go_to_place, args=(row["path"],))  # fmt: skip
    elif row["target_kind"] == "local":
        st.button("按单位比较", key=f"below-{key}", on_click=show_own, args=(row["path"],))


def ranking_chart(ranking: Ranking, filters: Filters, key: str) -> None:
    """Horizontal bars, largest first (the first 30 unless all are asked for), Wilson error bars for
    rates; clicking a bar drills down. A single member is not drawn as a ranking of one."""
    measure = ranking.measure
    if ranking.by == "region":
        breadcrumb(filters, ranking.entered, ranking.level, key)
    if ranking.ranked.is_empty():
        st.info(NO_DATA if ranking.too_small.is_empty() else "所有对象的样本都过少（不足最少案件数），不参与排名。")
    elif ranking.ranked.height == 1:
        single_member(ranking, key)
        if not ranking.too_small.is_empty():
            st.caption(_small_note(ranking))
    else:
        every = ranking.ranked.height > TOP and st.toggle(f"显示全部 {ranking.ranked.height} 个", key=f"all-{key}")
        frame = _with_source(ranking.ranked if every else ranking.ranked.head(TOP))
        columns = ranking_columns(measure)
        shown = labelled(pickable(frame), columns | {TARGET: TARGET, KIND: KIND, PATH: PATH}, digits(measure))
        name, value = columns["label"], columns["value"]
        pick = alt.selection_point(fields=PICK_FIELDS, name="pick")
        y = alt.Y(f"{name}:N", sort=shown[name].to_list(), title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False))
        bars = alt.Chart(shown).mark_bar().encode(
            x=alt.X(f"{value}:Q", title=f"{measure.label}（{ranking.year}年）",
                    axis=alt.Axis(labelAngle=0, format=axis_format(measure))),
            y=y, color=SOURCE, tooltip=tooltips(shown, list(columns.values())),
            # a picked bar is outlined; fading the others would make 报告原值 look like the 推算值 colour
            stroke=alt.value("#1a1a1a"), strokeWidth=alt.condition(pick, alt.value(2), alt.value(0), empty=False),
        ).add_params(pick)  # fmt: skip
        layers = [bars]
        if measure.is_rate:
            low, high = columns["ci_low"], columns["ci_high"]
            layers.append(alt.Chart(shown).mark_rule(color="#333").encode(x=f"{low}:Q", x2=f"{high}:Q", y=y))
        chart = alt.layer(*layers).properties(height=alt.Step(22))
        st.altair_chart(chart, on_select=lambda: drill(key), key=key, selection_mode="pick", width="stretch")
        hint = "点击地区的柱条查看其下级，点击单位的柱条打开单位画像。" if ranking.by == "region" else "点击柱条打开单位画像。"
        coverage = f"{ranking.coverage}。" if ranking.coverage else ""
        st.caption(" ".join(filter(None, [coverage, hint, ranking.note, _small_note(ranking)])))
        download(_rounded(frame, measure), columns, f"{measure.name_zh}排名", filters, key)


def ranking_columns(measure: Measure) -> dict[str, str]:
    """The ranking's headers, the value and its interval with the measure's unit; a count has no parts or interval."""
    columns = RANKING_COLUMNS | measure_columns(measure)
    return columns if measure.is_rate else {k: v for k, v in columns.items() if k not in ("num", "den", "ci_low", "ci_high")}


def _small_note(ranking: Ranking) -> str:
    if ranking.too_small.is_empty():
        return ""
    names = "、".join(escape_markdown(label) for label in ranking.too_small["label"].head(8).to_list())
    more = "等" if ranking.too_small.height > 8 else ""
    return f"样本过少、未参与排名：{names}{more}。"


TREND_COLUMNS = {"year": "年度", "series": "指标（口径）", "value": "数值", "change": "同比变化", "num": "分子",
                 "den": "分母", "ci_low": "95%区间下限", "ci_high": "95%区间上限", "source": "数值来源",
                 "coverage": "覆盖范围", "reports": "报告数", "bodies": "单位数", "basis": "口径"}  # fmt: skip
NOTHING_COMPARABLE = (
    "没有在连续两年以上都有数据的单位，无法同口径比较。可放宽筛选，或切换到“全部报告”查看各年原始合计（不可比）。"
)


def change_title(measure: Measure) -> str:
    """同比变化 with its unit: a rate changes in 百分点."""
    return f"同比变化（{'百分点' if measure.is_rate else measure.unit}）"


def basis_caption(frame: pl.DataFrame) -> None:
    """Beside a line: how many bodies it adds (同口径), or that its years are not comparable (全部报告)."""
    basis = frame["basis"][0] if "basis" in frame.columns and frame.height else "same"
    if basis == "all":
        st.caption(f"⚠️ {BASIS_NOTES['all']}")
        return
    words = " ".join(set_caption(part) for _, part in frame.group_by("series", maintain_order=True))
    st.caption(words or BASIS_NOTES["same"])


#: Columns a trend's chart needs besides those of its CSV: where a line breaks, and the template change it marks.
TREND_CHART_ONLY = {"segment": "线段", "version_break": "模板口径变化"}


def trend_chart(frame: pl.DataFrame, measure: Measure, filters: Filters, key: str) -> None:
    """One line per definition and comparison set; a line never joins across a missing year or a change
    of the template's definition (a marked break)."""
    frame = frame.filter(pl.col("value").is_not_null())
    if frame.is_empty():
        st.info(NO_DATA)
        return
    if "basis" in frame.columns and frame["basis"][0] == "same" and frame["year"].n_unique() < 2:
        st.info(NOTHING_COMPARABLE)
    frame = _with_source(frame)
    basis_caption(frame)
    columns = TREND_COLUMNS | measure_columns(measure)
    shown = labelled(frame.with_columns(pl.col("year").cast(pl.String)), columns | TREND_CHART_ONLY, digits(measure))
    year, value, series = columns["year"], columns["value"], columns["series"]
    x = alt.X(field=year, type="ordinal", title=year, axis=alt.Axis(labelAngle=0), sort="ascending")
    y = alt.Y(field=value, type="quantitative", title=measure.label, axis=alt.Axis(format=axis_format(measure)))
    several = shown[series].n_unique() > 1
    color = alt.Color(field=series, type="nominal", title=series, legend=alt.Legend(orient="bottom") if several else None)
    detail = alt.Detail(field="线段" if "线段" in shown.columns else series, type="nominal")
    base = alt.Chart(shown)
    tips = tooltips(shown, [c for c in columns.values() if c not in TREND_CHART_ONLY.values()])
    layers = [base.mark_line(point=True).encode(x=x, y=y, color=color, detail=detail, tooltip=tips)]
    if measure.is_rate:
        layers.append(base.mark_rule().encode(x=x, y=alt.Y(field=columns["ci_low"], type="quantitative"),
                                              y2=alt.Y2(field=columns["ci_high"]), color=color))  # fmt: skip
    breaks = shown.filter(pl.col("模板口径变化")) if "模板口径变化" in shown.columns else shown.clear()
    if not breaks.is_empty():
        marks = alt.Chart(breaks).encode(x=x)
        layers += [marks.mark_rule(strokeDash=[4, 4], color="#c0392b"),
                   marks.mark_text(text="模板口径变化", dy=-8, color="#c0392b", align="left").encode(y=alt.value(0))]  # fmt: skip
    st.altair_chart(alt.layer(*layers).properties(height=300), width="stretch")
    download(_rounded(frame, measure), columns, f"{measure.name_zh}趋势", filters, key)


def _rounded(frame: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    return frame.with_columns(pl.selectors.float().round(digits(measure)))


def measure_columns(measure: Measure) -> dict[str, str]:
    """Headers of a measure's figures with its unit, e.g. 本年新收申请（件）, 同比变化（百分点）."""
    unit = f"（{measure.unit}）"
    return {"value": measure.label, "change": change_title(measure), "ci_low": f"95%区间下限{unit}",
            "ci_high": f"95%区间上限{unit}"}  # fmt: skip


COMPOSITION_COLUMNS = {"group": "分组", "part": "构成", "value": "数值", "share": "占比（%）", "source": "数值来源",
                       "reports": "报告数"}  # fmt: skip


def composition_chart(
    frame: pl.DataFrame, composition_id: str, filters: Filters, key: str, shares: bool = False, basis: str | None = None
) -> None:
    """Stacked horizontal bars of a whole's parts, in template order, counts or shares; `basis` says over which bodies."""
    if frame.is_empty() or frame["value"].sum() == 0:
        st.info(NO_DATA)
        return
    if basis:
        st.caption(("⚠️ " if basis == "all" else "") + BASIS_NOTES[basis])
    comp = COMPOSITIONS[composition_id]
    frame = _with_source(frame).with_columns(pl.col("group").cast(pl.String), pl.col("value").round(2), pl.col("share").round(1))
    columns = COMPOSITION_COLUMNS | {"value": f"数值（{comp.unit}）"}
    shown = labelled(frame, columns | {"order": "构成顺序"}, 2)
    group, part = columns["group"], columns["part"]
    field = columns["share"] if shares else columns["value"]
    chart = alt.Chart(shown).mark_bar().encode(
        x=alt.X(field=field, type="quantitative", title=field if shares else f"{comp.name_zh}（{comp.unit}）", stack="zero",
                axis=alt.Axis(labelAngle=0, format=".1f" if shares else ",.0f")),
        y=alt.Y(field=group, type="nominal", sort=shown[group].unique(maintain_order=True).to_list(), title=None,
                axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.Color(field=part, type="nominal", title=comp.name_zh, sort=list(comp.parts),
                        legend=alt.Legend(orient="bottom", columns=4)),
        order=alt.Order(field="构成顺序", type="quantitative"),
        tooltip=tooltips(shown, list(columns.values())),
    ).properties(height=alt.Step(26))  # fmt: skip
    st.altair_chart(chart, width="stretch")
    download(frame, columns, comp.name_zh, filters, key)


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
        shown = grid["agency_id"].n_unique()
        st.caption(f"共 {grid['bodies'][0]} 个单位，先显示缺报或有错误最多的 {shown} 个；缩小筛选范围可看到全部。")
    all_years = pl.DataFrame({"year": list(range(years[0], years[1] + 1))}, schema={"year": pl.Int32})
    bodies = grid.select("agency_id", "agency_name").unique(maintain_order=True).with_row_index("order")
    frame = bodies.join(all_years, how="cross").join(grid.drop("agency_name"), on=["agency_id", "year"], how="left").with_columns(
        status=pl.when(pl.col("reports").is_null()).then(pl.lit("缺失"))
        .when(pl.col("failures") > 0).then(pl.lit("有错误")).otherwise(pl.lit("已报送")),
        target=pl.col("agency_id"), target_kind=pl.lit("body"),
    ).sort("order", "year").pipe(pickable)  # fmt: skip
    shown = labelled(frame.with_columns(pl.col("year").cast(pl.String)), COVERAGE_COLUMNS | {k: k for k in PICK_FIELDS}, 0)
    pick = alt.selection_point(fields=[TARGET, KIND], name="pick")
    chart = alt.Chart(shown).mark_rect(stroke="white").encode(
        x=alt.X(field="年度", type="ordinal", title="年度", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y(field="单位", type="nominal", title=None, sort=bodies["agency_name"].to_list(),
                axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        color=alt.Color(field="状态", type="nominal", title="报告状态", scale=alt.Scale(domain=["已报送", "有错误", "缺失"],
                        range=["#4c9f70", "#e0a030", "#d0d0d0"]), legend=alt.Legend(orient="bottom")),
        tooltip=tooltips(shown, ["单位", "年度", "状态", "错误数"]),
    ).add_params(pick).properties(height=alt.Step(18))  # fmt: skip
    st.altair_chart(chart, on_select=lambda: drill(key), key=key, selection_mode="pick", width="stretch")
    download(frame, COVERAGE_COLUMNS, "报告覆盖", filters, key)


MULTIPLE_COLUMNS = {"label": "名称", "year": "年度", "series": "指标（口径）", "value": "数值", "change": "同比变化",
                    "change_pct": "同比变化（%）", "num": "分子", "den": "分母", "source": "数值来源"}  # fmt: skip


def small_multiples(frame: pl.DataFrame, measure: Measure, filters: Filters, key: str, facet: str) -> None:
    """One small panel per body or region, the same axes, so shapes compare at a glance."""
    frame = frame.filter(pl.col("value").is_not_null())
    if frame.is_empty():
        st.info(NO_DATA)
        return
    frame = _with_source(frame).with_columns(label=pl.col(facet))
    if "basis" in frame.columns and frame["basis"][0] == "all":
        st.caption(f"⚠️ {BASIS_NOTES['all']}")
    columns = MULTIPLE_COLUMNS | measure_columns(measure)
    shown = labelled(frame.with_columns(pl.col("year").cast(pl.String)), columns | {"segment": "线段"}, digits(measure))
    name, series = columns["label"], columns["series"]
    legend = alt.Legend(orient="bottom") if shown[series].n_unique() > 1 else None
    chart = alt.Chart(shown).mark_line(point=True).encode(
        x=alt.X(field=columns["year"], type="ordinal", title="年度", axis=alt.Axis(labelAngle=0)),
        y=alt.Y(field=columns["value"], type="quantitative", title=measure.label, axis=alt.Axis(format=axis_format(measure))),
        color=alt.Color(field=series, type="nominal", title="口径", legend=legend),
        detail=alt.Detail(field="线段" if "线段" in shown.columns else series, type="nominal"),
        tooltip=tooltips(shown, [name, columns["year"], columns["value"], columns["change"], columns["source"]]),
    ).properties(width=220, height=140).facet(
        facet=alt.Facet(field=name, type="nominal", title=None, header=alt.Header(labelLimit=220)), columns=3
    )  # fmt: skip
    st.altair_chart(chart)
    download(_rounded(frame, measure), columns, f"{measure.name_zh}分组对比", filters, key)


def table(frame: pl.DataFrame, columns: dict[str, str], what: str, filters: Filters, key: str, empty: str = NO_DATA) -> None:
    """A plain table with Chinese headers and its CSV."""
    if frame.is_empty():
        st.info(empty)
        return
    frame = frame.with_columns(pl.selectors.float().round(2))  # the table and its CSV show the same figures
    shown = frame.select([pl.col(src).alias(dst) for src, dst in columns.items() if src in frame.columns])
    st.dataframe(shown, hide_index=True, width="stretch")
    download(frame, columns, what, filters, key)
