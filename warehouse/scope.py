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


def _depth() -> pl.Expr:
    return pl.when(pl.col("county").is_not_null()).then(3).when(pl.col("city").is_not_null()).then(2).otherwise(1)


def _member_sums(inputs: pl.DataFrame) -> pl.DataFrame:
    """For each candidate, the new requests of the plain bodies inside its region in the same year."""
    members = inputs.filter(~pl.col("candidate") & pl.col("primary_report") & pl.col("new_requests").is_not_null())
    out = inputs.with_columns(member_sum=pl.lit(None, pl.Float64), members=pl.lit(0, pl.UInt32))
    for depth in (1, 2, 3):
        prefix = list(REGION_LEVELS[:depth])
        sums = members.group_by("year", *prefix).agg(
            pl.col("new_requests").sum().alias(f"sum{depth}"), pl.len().alias(f"n{depth}")
        )
        out = out.join(sums, on=["year", *prefix], how="left", nulls_equal=True)
        mine = pl.col("depth") == depth
        out = out.with_columns(
            member_sum=pl.when(mine).then(pl.col(f"sum{depth}")).otherwise(pl.col("member_sum")),
            members=pl.when(mine).then(pl.col(f"n{depth}").fill_null(0)).otherwise(pl.col("members")),
        ).drop(f"sum{depth}", f"n{depth}")
    return out


def classify_scope(inputs: pl.DataFrame, overrides: Mapping[tuple[str, int | None], str]) -> pl.DataFrame:
    """Body or region for every report, with the evidence in words.

    In order: the user's override file; the sum test (a government's report that is at
    least the sum of two or more bodies inside its region covers the region, one below
    it covers only the office); a report issued in a region's name (平潭综合实验区); a
    text figure stated for the whole region (全区…, 各级行政机关…). Only governments,
    zones and bodies of unknown kind above township level can cover a region.
    """
    frame = inputs.with_columns(
        depth=_depth(),
        candidate=pl.col("kind").is_in(list(SCOPE_KINDS)) & pl.col("level").is_in(list(REGION_LEVELS)),
    )
    frame = _member_sums(frame)
    named = pl.col("name_canonical").is_in(list({name for name, _year in overrides}))
    open_question = frame.filter(pl.col("candidate") | named)  # every other report is a body's own
    rows = [_scope_of(row, overrides) for row in open_question.iter_rows(named=True)]
    schema = {"report_id": pl.String, "scope": pl.String, "scope_evidence": pl.String}
    return pl.DataFrame(rows, schema=schema)


def _scope_of(row: dict, overrides: Mapping[tuple[str, int | None], str]) -> dict[str, str]:
    name = row["name_canonical"] or canonical_name(row["agency_name"] or "")
    override = overrides.get((name, row["year"])) or overrides.get((name, None))
    decided = None
    if override:
        decided = (override, "用户指定（report_scope.csv）")
    elif row["candidate"]:
        decided = _sum_test(row) or _cue_test(name, row["text_cues"])
    scope, evidence = decided or ("body", "")
    return {"report_id": row["report_id"], "scope": scope, "scope_evidence": evidence}


def _sum_test(row: dict) -> tuple[str, str] | None:
    own, total, count = row["new_requests"], row["member_sum"], row["members"]
    if own is None or total is None or count < 2 or total <= 0:
        return None
    words = f"本报告新收申请{own:g}件，辖区内{count}个单位报告合计{total:g}件"
    return ("region", words) if own >= total else ("body", words)


def _cue_test(name: str, cues: str | None) -> tuple[str, str] | None:
    if REGION_NAME.search(name):
        return "region", f"报告以地区名义发布：{name}"
    found = REGION_CUE.search(cues or "")
    if found:
        start = max(found.start() - 10, 0)
        return "region", f"正文按全地区表述：…{(cues or '')[start : found.end() + 20]}…"
    return None
