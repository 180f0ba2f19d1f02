"""Warehouses for the metric, query and page tests: the public corpus, the demo city, hand-made ones.

Building the corpus and demo warehouses takes seconds, so each is built once per test
session in pytest's base temporary folder and reused by every module that asks.
Hand-made warehouses are written through `warehouse.store` exactly as ingest writes
them, so the tests read them through the same views as the dashboard.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import UnknownElement

from conftest import CORPUS
from warehouse import snapshot_writer, store
from warehouse.regions import agency_id
from warehouse.schema import FACT_TABLES, REQUIRED_TABLES, TABLES

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `pages.ui`, as Streamlit puts the app's folder on the path

DEMO_SEED, DEMO_SCALE = 1, "small"


def corpus_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public corpus ingested once per session (skips where ../shared is absent)."""
    if not CORPUS.exists():
        pytest.skip(f"public corpus not found at {CORPUS} (CI places ../shared beside the clone)")
    root = tmp_path_factory.getbasetemp() / "dashboard-corpus-warehouse"
    if store.current_id(root) is None:
        from pipeline.ingest import ingest

        ingest([CORPUS], root, workers=2, progress=False)
    return root


def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo city (`python -m pipeline demo`, small scale) built once per session."""
    root = tmp_path_factory.getbasetemp() / "dashboard-demo-warehouse"
    if store.current_id(root) is None:
        from pipeline.demo import demo_command

        with contextlib.redirect_stdout(io.StringIO()):
            demo_command(str(root), DEMO_SEED, DEMO_SCALE)
    return root


def demo_truth(root: Path) -> list[dict]:
    """The demo's truth records (what each generated report says)."""
    folder = root / "demo-corpus" / "truth"
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


# ---------------------------------------------------------------- hand-made warehouses


@dataclass
class Report:
    """One report of a hand-made warehouse: who, where, when, and its cells."""

    agency: str
    year: int
    values: dict[str, float | None]
    version: str = "2021"
    province: str | None = "甲省"
    city: str | None = "乙市"
    county: str | None = None
    kind: str = "department"
    level: str | None = None
    synthetic: bool = False
    statuses: dict[str, str] = field(default_factory=dict)  # key -> blank | dash | derived (default reported)
    raw: dict[str, str] = field(default_factory=dict)  # key -> printed text (text figures' sentences)
    findings: list[dict] = field(default_factory=list)
    source_format: str = "text"  # e.g. pdf+ocr for a scanned report
    sources: dict[str, str] = field(default_factory=dict)  # key -> provenance (default "fixture")
    ingested_at: datetime | None = None  # when an ingest read it (default: the warehouse's one time)

    @property
    def agency_id(self) -> str:
        return agency_id(self.agency)

    @property
    def report_id(self) -> str:
        return f"{self.agency_id}-{self.year}-{self.version}"


def _fact(report: Report, key: str, value: float | None) -> dict:
    prefix, _, rest = key.partition(".")
    row, _, col = rest.rpartition(".") if prefix == "t3" or prefix == "t2" else (rest, "", None)
    status = report.statuses.get(key, "reported" if value is not None else "blank")
    return {
        "report_id": report.report_id, "agency_id": report.agency_id, "year": report.year, "key": key,
        "row_key": row or rest, "col_key": col or None, "value": value if status in ("reported", "derived") else None,
        "raw": report.raw.get(key, "" if value is None else f"{value:g}"), "status": status,
        "source": "derived:fixture" if status == "derived" else report.sources.get(key, "fixture"),
    }  # fmt: skip


def build_warehouse(root: Path, reports: list[Report], quarantined: list[dict] | None = None) -> Path:
    """Publish a warehouse holding exactly these reports (one pointer, via warehouse.snapshot_writer)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    per_year = Counter((r.agency_id, r.year) for r in reports)  # a publish flags a body-year's second report
    for r in reports:
        rows["reports"].append(
            {
                "report_id": r.report_id, "agency_id": r.agency_id, "agency_name": r.agency, "year": r.year,
                "template_version": r.version, "template_evidence": [], "source_file": f"{r.agency}{r.year}.txt",
                "source_path": f"/fixtures/{r.agency}{r.year}.txt", "source_format": r.source_format, "size_bytes": 1,
                "ingested_at": r.ingested_at or now, "parser_version": "fixture", "synthetic": r.synthetic,
                "duplicate": per_year[r.agency_id, r.year] > 1,
                "n_values": len(r.values), "n_ambiguous": 0,
            }
        )  # fmt: skip
        for key, value in r.values.items():
            rows[FACT_TABLES[key.split(".")[0]]].append(_fact(r, key, value))
        for finding in r.findings:
            rows["findings"].append(
                {"report_id": r.report_id, "agency_id": r.agency_id, "year": r.year, "keys": [], "message_en": "",
                 "scope": "report", "related_report_id": None} | finding
            )  # fmt: skip
    latest = {r.agency_id: r for r in sorted(reports, key=lambda r: r.year)}
    for r in latest.values():
        level = r.level or ("township" if r.kind == "township" else "county" if r.county else "city" if r.city else "province")
        rows["agencies"].append(
            {
                "agency_id": r.agency_id, "name_reported": r.agency, "name_canonical": r.agency,
                "province": r.province, "city": r.city, "county": r.county, "division_code": None,
                "kind": r.kind, "level": level, "synthetic": r.synthetic,
            }
        )  # fmt: skip
    rows["quarantine"] = [{"content_hash": "0" * 64, "at": now} | q for q in quarantined or []]
    return _publish(root, rows)


def _publish(root: Path, rows: dict[str, list[dict]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for name, table in TABLES.items():
        con.register(f"incoming_{name}", pa.Table.from_pylist(rows[name], schema=table.schema))
    queries = {name: f"SELECT * FROM incoming_{name}" for name in REQUIRED_TABLES}  # the marts are computed from them
    snapshot_writer.replace_tables(con, root, queries, {})
    return root


ORG_COLUMNS = ("org_commercial", "org_research", "org_public_welfare", "org_legal_service", "org_other")


def t3_row(row: str, total: float | None, natural: float | None = None, **orgs: float | None) -> dict[str, float | None]:
    """All seven cells of one Table 三 row: natural persons default to the total, organisations to 0."""
    cells = {f"t3.{row}.total": total, f"t3.{row}.natural_person": total if natural is None else natural}
    return cells | {f"t3.{row}.{column}": orgs.get(column, 0) for column in ORG_COLUMNS}


def requests(new: float, disclosed: float, partial: float = 0, processed: float | None = None) -> dict[str, float | None]:
    """A minimal Table 三: new requests, two outcomes, the total handled and nothing carried."""
    processed = new if processed is None else processed
    return (
        t3_row("new_requests", new)
        | t3_row("carried_over", 0)
        | t3_row("disclosed", disclosed)
        | t3_row("partially_disclosed", partial)
        | t3_row("total_processed", processed)
        | t3_row("carried_forward", new - processed)
    )


# ---------------------------------------------------------------- reading the dashboard under AppTest

PAGES = {
    "pages/overview.py": "概览",
    "pages/channels.py": "公开渠道",
    "pages/requests.py": "依申请公开",
    "pages/procurement.py": "采购与收费",
    "pages/reviews.py": "复议诉讼",
    "pages/agency.py": "单位画像",
    "pages/compare.py": "对比",
    "pages/coverage.py": "报告覆盖",
    "pages/quality.py": "数据质量",
    "pages/upload.py": "导入报告",
    "pages/metrics_help.py": "指标说明",
}
DEMO_PROVINCE = "演示数据（虚构地区）"


def charts(at: AppTest) -> list[UnknownElement]:
    """Every altair chart on the page, in order."""
    found: list[UnknownElement] = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            if isinstance(child, UnknownElement) and child.type == "vega_lite_chart":
                found.append(child)
            walk(child)

    walk(at.main)
    return found


def chart_data(chart: UnknownElement) -> pl.DataFrame:
    """The rows a chart plots (its first dataset)."""
    return pl.from_arrow(pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_all())
