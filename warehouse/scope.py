"""Whether a report covers one body or a whole region, decided from evidence and the user's overrides.

Reports covering a whole region (`scope == "region"`) are never added to the reports of
the region's bodies: region figures use the region's own report where there is one,
else the sum of its bodies, marked partial (`warehouse.queries`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from warehouse.regions import canonical_name

LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）"}
KIND_NAMES = {
    "government": "人民政府",
    "department": "政府部门",
    "township": "乡镇（街道）",
    "development_zone": "开发区",
    "other": "其他",
}
REGION_LEVELS = ("province", "city", "county")

SCOPE_KINDS = frozenset({"government", "development_zone", "other"})
REGION_NAME = re.compile(r"(省|市|区|县|旗|盟|州)$")
REGION_CUE = re.compile(r"(全(省|市|区|县|旗|州|盟)|[我本](省|市|区|县)各级|各级(行政机关|单位|政府))")


def read_scope_overrides(path: Path) -> dict[tuple[str, int | None], str]:
    """User decisions from `report_scope.csv` (columns name, year, scope; empty year = every year)."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        (canonical_name(row["name"]), int(row["year"]) if (row.get("year") or "").strip() else None): row["scope"].strip()
        for row in rows
        if row.get("name") and (row.get("scope") or "").strip() in ("body", "region")
    }


def classify_scope(inputs: pl.DataFrame, overrides: Mapping[tuple[str, int | None], str]) -> pl.DataFrame:
    """Body or region, with the evidence in words, for the reports of `inputs`
    (`warehouse.indexes.scope_inputs`: those that may cover a region and those the overrides
    name; every other report is a body's own).

    In order: the user's override file; the sum test (a government's report that is at
    least the sum of two or more bodies inside its region covers the region, one below
    it covers only the office); a report issued in a region's name (平潭综合实验区); a
    text figure stated for the whole region (全区…, 各级行政机关…). Only governments,
    zones and bodies of unknown kind above township level can cover a region
    (`candidate`). Decided column by column.
    """
    frame = _with_override(_with_names(inputs), overrides)
    words, by_sum = _sum_words(frame)
    cue = pl.col("text_cues").str.extract(r"(?s)(.{0,10}(?:" + REGION_CUE.pattern + r").{0,20})", 1)
    candidate, in_name = pl.col("candidate"), pl.col("name").str.contains(REGION_NAME.pattern)
    scope = (
        pl.when(pl.col("override").is_not_null()).then(pl.col("override"))
        .when(candidate & by_sum.is_not_null()).then(by_sum)
        .when(candidate & (in_name | cue.is_not_null())).then(pl.lit("region"))
        .otherwise(pl.lit("body"))
    )  # fmt: skip
    evidence = (
        pl.when(pl.col("override").is_not_null()).then(pl.lit("用户指定（report_scope.csv）"))
        .when(candidate & by_sum.is_not_null()).then(words)
        .when(candidate & in_name).then(pl.format("报告以地区名义发布：{}", pl.col("name")))
        .when(candidate & cue.is_not_null()).then(pl.format("正文按全地区表述：…{}…", cue))
        .otherwise(pl.lit(""))
    )  # fmt: skip
    return frame.select("report_id", scope.alias("scope"), evidence.alias("scope_evidence"))


def _with_names(frame: pl.DataFrame) -> pl.DataFrame:
    """`name`: the body's canonical name, made from the printed name where the body is not placed."""
    printed = frame.filter(pl.col("name_canonical").is_null())["agency_name"].unique().to_list()
    made = pl.DataFrame(
        {"agency_name": printed, "made": [canonical_name(n or "") for n in printed]},
        schema={"agency_name": pl.String, "made": pl.String},
    )
    joined = frame.join(made, on="agency_name", how="left", nulls_equal=True)
    return joined.with_columns(name=pl.coalesce("name_canonical", "made")).drop("made")


def _with_override(frame: pl.DataFrame, overrides: Mapping[tuple[str, int | None], str]) -> pl.DataFrame:
    """`override`: the user's scope for the body that year, else for every year, else null."""
    schema = {"name": pl.String, "year": pl.Int64, "override": pl.String}
    table = pl.DataFrame(
        [{"name": name, "year": year, "override": scope} for (name, year), scope in overrides.items()], schema=schema
    )
    frame = frame.with_columns(pl.col("year").cast(pl.Int64))
    by_year = table.filter(pl.col("year").is_not_null())
    every_year = table.filter(pl.col("year").is_null()).drop("year").rename({"override": "always"})
    joined = frame.join(by_year, on=["name", "year"], how="left").join(every_year, on="name", how="left")
    return joined.with_columns(override=pl.coalesce("override", "always")).drop("always")


def _sum_words(frame: pl.DataFrame) -> tuple[pl.Expr, pl.Expr]:
    """The sum test's evidence and verdict (null where it does not apply, `sum_test`): own new requests
    against the sum of two or more bodies' inside the region."""
    own, total, count = pl.col("new_requests"), pl.col("member_sum"), pl.col("members")
    numbers, sums = ([f"{v:g}" if v is not None else None for v in frame[c].to_list()] for c in ("new_requests", "member_sum"))
    words = pl.format("本报告新收申请{}件，辖区内{}个单位报告合计{}件", pl.Series(numbers, dtype=pl.String), count,
                      pl.Series(sums, dtype=pl.String))  # fmt: skip
    verdict = pl.when(pl.col("sum_test")).then(pl.when(own >= total).then(pl.lit("region")).otherwise(pl.lit("body")))
    return words, verdict
