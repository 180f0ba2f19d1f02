"""The comparison set (同口径): a figure over years adds only the bodies present in every year it spans.

Different bodies report in different years, so a sum over "whoever reported" rises and
falls with who reported. Every change, trend line and comparison line is therefore taken
over one set of bodies — those with a value in every year of the line's span — and the
number of bodies in the set travels with the figure ("同口径 N 个单位"). The span of a line
is the run of consecutive years that keeps the most body-years (years × bodies), a run
of two or more years first; a headline change spans exactly its two years.

The raw sums over every report ("全部报告") stay available, labelled as not comparable,
and never carry a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import polars as pl

BASES = {"same": "同口径", "all": "全部报告"}
BASIS_NOTES = {
    "same": "同口径：只计所列各年都有数据的单位，变化与趋势可比。",
    "all": "全部报告：各年参与汇总的单位不同，数值之间不可比，不显示变化。",
}


def _runs(years: Sequence[int]) -> list[tuple[int, int]]:
    """Every span [first, last] of consecutive years among `years`."""
    spans, ordered = [], sorted(set(years))
    for i, first in enumerate(ordered):
        for last in ordered[i:]:
            if last - first != ordered.index(last) - i:
                break
            spans.append((first, last))
    return spans


def _best_window(masks: np.ndarray, bodies: np.ndarray, years: Sequence[int], base: int) -> tuple[int, int]:
    """The span keeping the most body-years, a multi-year span first, the latest on a tie
    (`bodies[i]` bodies hold the years of `masks[i]`)."""
    best, best_key = (min(years), min(years)), None
    for first, last in _runs(years):
        wanted = sum(1 << (y - base) for y in range(first, last + 1))
        count = int(bodies[(masks & wanted) == wanted].sum())
        if count == 0:
            continue
        key = (last > first, (last - first + 1) * count, last, last - first)
        if best_key is None or key > best_key:
            best, best_key = (first, last), key
    return best


def comparison_set(
    rows: pl.DataFrame,
    groups: Sequence[str],
    window: tuple[int, int] | None = None,
    years: Iterable[int] | None = None,
) -> pl.DataFrame:
    """The rows of the bodies present in every year of their group's span, within that span.

    `rows` hold one row per body (`agency_id`) and year with a usable value, and the
    `groups` columns (a series, a region). `window` forces the span (a headline change);
    otherwise each group takes its best run of consecutive years among `years` (the
    years the measure is defined for most reports). Adds `window_from`, `window_to`,
    `bodies` (the set's size) and `left_out` (bodies of the group with a value inside
    the span that are not in every year of it).
    """
    keys = list(groups)
    extra = {"window_from": pl.Int32, "window_to": pl.Int32, "bodies": pl.UInt32, "left_out": pl.UInt32}
    if years is not None:
        rows = rows.filter(pl.col("year").is_in(list(years)))
    if window is not None:
        rows = rows.filter(pl.col("year").is_between(*window))
    if rows.is_empty():
        return rows.with_columns(pl.lit(None, dtype).alias(name) for name, dtype in extra.items())
    base = int(rows["year"].min()) if window is None else window[0]
    years_held = (pl.lit(2, pl.Int64).pow(pl.col("year") - base)).cast(pl.Int64).bitwise_or()
    rows = rows.with_columns(_mask=years_held.over([*keys, "agency_id"]))  # the years each body has, as bits
    # a body with mask m has one row in each of its popcount(m) years: bodies per mask without grouping on ids
    units = rows.group_by(*keys, "_mask").len().with_columns(bodies=pl.col("len") // pl.col("_mask").bitwise_count_ones())
    spans = []
    for group, part in units.group_by(keys, maintain_order=True):
        masks, bodies = part["_mask"].to_numpy(), part["bodies"].to_numpy()
        present = sorted({base + b for m in masks.tolist() for b in range(m.bit_length()) if m >> b & 1})
        first, last = _best_window(masks, bodies, present, base) if window is None else window
        wanted = sum(1 << (y - base) for y in range(first, last + 1))
        inside = sum(1 << (y - base) for y in present if first <= y <= last)
        member = (masks & wanted) == wanted
        touching = (masks & inside) != 0
        spans.append({**dict(zip(keys, group, strict=True)), "window_from": first, "window_to": last, "_wanted": wanted,
                      "bodies": int(bodies[member].sum()), "left_out": int(bodies[touching & ~member].sum())})  # fmt: skip
    schema = {key: rows.schema[key] for key in keys} | extra | {"_wanted": pl.Int64}
    chosen = pl.DataFrame(spans, schema=schema)
    kept = rows.join(chosen, on=keys, how="inner", nulls_equal=True)
    in_set = (pl.col("_mask") & pl.col("_wanted")) == pl.col("_wanted")
    return kept.filter(in_set & pl.col("year").is_between(pl.col("window_from"), pl.col("window_to"))).drop("_mask", "_wanted")


def defined_years(coverage: pl.DataFrame) -> list[int]:
    """Years in which the measure's template defines it for most of the selection's reports."""
    return coverage.filter(pl.col("defined") * 2 > pl.col("reports"))["year"].to_list()


def default_year(coverage: pl.DataFrame) -> int | None:
    """The latest year the measure is defined for most reports and at least two state it; else the latest stated.

    Procurement exists only in the 2019 form, so its default is the last year most reports
    still used that form (2020), not a later year where a few stragglers carry it.
    """
    stated = coverage.filter(pl.col("stated") > 0)
    if stated.is_empty():
        return None
    good = stated.filter((pl.col("defined") * 2 > pl.col("reports")) & (pl.col("stated") >= 2))
    return int((good if not good.is_empty() else stated)["year"].max())


def coverage_text(coverage: pl.DataFrame, year: int | None) -> str:
    """'2020年：41/44 份报告有此指标' for the chosen year."""
    row = coverage.filter(pl.col("year") == year) if year is not None else coverage.clear()
    if row.is_empty():
        return ""
    return f"{year}年：{row['stated'][0]}/{row['reports'][0]} 份报告有此指标"


def set_caption(frame: pl.DataFrame) -> str:
    """'同口径 N 个单位（2019–2025 年每年都有数据；另有 M 个单位只在部分年份有数据，未计入）' for one line."""
    if frame.is_empty() or "bodies" not in frame.columns or frame["bodies"].null_count() == frame.height:
        return ""
    row = frame.row(0, named=True)
    span = f"{row['window_from']}–{row['window_to']}" if row["window_to"] != row["window_from"] else f"{row['window_from']}"
    left = f"；另有 {row['left_out']} 个单位只在其中部分年份有数据，未计入" if row["left_out"] else ""
    return f"同口径 {row['bodies']} 个单位（{span} 年每年都有数据{left}）"
