"""The prepared tables rebuilt where a publish touched them equal the same tables built whole."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.dashboard_fixtures import Report, build_warehouse, requests
from warehouse import indexes, ocr, prepare, prepared
from warehouse.filters import Filters
from warehouse.thresholds import Settings

#: Columns holding a report's number, which a rebuild keeps and a whole build gives in id order.
RID_COLUMNS = ("rid", "prev_rid", "cover1", "cover2", "cover3")


def _as_built(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """Every prepared table with report numbers as report ids and finding texts in place of their
    numbers, sorted: what must not depend on whether the tables were built whole or rebuilt."""
    ids = con.sql("SELECT rid, report_id AS report FROM report_index").pl()
    texts = con.sql("SELECT tid, keys, message_zh FROM finding_texts").pl()
    tables = {}
    for table in prepared.TABLES:
        if table == "finding_texts":
            continue
        rows = con.sql(f"SELECT * FROM {table}").pl()
        for column in RID_COLUMNS:
            if column in rows.columns:
                named = ids.rename({"rid": column, "report": f"{column}_report"})
                rows = rows.join(named, on=column, how="left").drop(column)
        if "tid" in rows.columns:
            rows = rows.join(texts, on="tid", how="left").drop("tid")
        tables[table] = rows.select(sorted(rows.columns)).sort(pl.all(), nulls_last=True)
    return tables


def _whole(root) -> dict[str, pl.DataFrame]:
    """The tables of the warehouse's current pointer built whole, in memory."""
    con, _pinned = indexes.open_views(root)
    prepared.build(con, {}, Settings.from_env())
    return _as_built(con)


def _never(*_args, **_kwargs):
    raise AssertionError("built whole where a rebuild was due")


BASE = [
    Report("甲区人民政府", 2021, requests(100, 60), county="甲区", kind="government"),
    Report("甲区教育局", 2020, requests(20, 10), county="甲区"),
    Report("甲区教育局", 2021, requests(30, 20), county="甲区"),
    Report("甲区民政局", 2021, requests(40, 10), county="甲区"),
    Report("乙区人民政府", 2021, requests(5, 5), county="乙区", kind="government"),
    Report("乙区财政局", 2021, requests(20, 5), county="乙区"),
    Report("乙区统计局", 2021, requests(12, 6), county="乙区"),
    Report("乙市审计局", 2021, requests(8, 8)),
    Report("丙省统计局", 2021, requests(3, 3), province="丙省", city=None),
]
LATER = datetime(2026, 6, 1, tzinfo=UTC)  # a report read again (its file changed) is ingested anew
FAILING = {"rule": "T3-OFF", "severity": "error", "outcome": "fail", "message_zh": "勾稽不平", "keys": ["t3.new_requests.total"]}

#: Publishes after the first, each the warehouse's whole content: what changes, and what it tests.
STEPS = {
    # a member whose requests outweigh 甲区人民政府's: the untouched region report becomes a body's
    "a member added": [*BASE, Report("甲区财政局", 2021, requests(50, 5), county="甲区")],
    # 乙区 left with one member: no sum test for 乙区人民政府 (its scope decided again, untouched)
    "a report removed": [r for r in BASE if r.agency != "乙区统计局"],
    "values changed": [dataclasses.replace(r, values=r.values | requests(35, 20), ingested_at=LATER)
                       if r.agency == "甲区教育局" and r.year == 2021 else r for r in BASE],  # fmt: skip
    "a body moved": [dataclasses.replace(r, province="丙省", city=None) if r.agency == "乙市审计局" else r for r in BASE],
    "a next year": [*BASE, Report("甲区教育局", 2022, requests(60, 30), county="甲区")],
    "a second report": [*BASE, Report("乙区财政局", 2021, requests(21, 5), version="2019", county="乙区")],
    "a finding": [dataclasses.replace(r, findings=[FAILING], ingested_at=LATER) if r.agency == "乙区财政局" else r
                  for r in BASE],  # fmt: skip
    "a new place": [*BASE, Report("丁市人民政府", 2021, requests(9, 9), province="丁省", city="丁市", kind="government")],
    "a scan": [*BASE, Report("甲区司法局", 2021, requests(4, 2), county="甲区", source_format="pdf+ocr", sources={
        "t3.new_requests.total": "ocr page 1 table 1 row 3 col 2 conf 0.97",
        "t3.disclosed.total": "ocr page 1 table 1 row 6 col 2 conf 0.91 corrected from 8 (T3-ROW)"})],
}


@pytest.mark.parametrize("step", STEPS)
def test_a_rebuild_gives_the_tables_a_whole_build_gives(tmp_path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    prepare.open_warehouse(root).close()  # built whole: the first file
    build_warehouse(root, STEPS[step])
    with monkeypatch.context() as patched:
        patched.setattr(prepared, "build", _never)
        con = prepare.open_warehouse(root)
    rebuilt = _as_built(con)
    assert sorted(p.name.split("-")[-1] for p in (root / prepare.FOLDER).glob("*.duckdb")) == 2 * [
        next((root / prepare.FOLDER).glob("*.duckdb")).name.split("-")[-1]
    ]  # the first pointer's file kept beside the new one, under one fingerprint
    whole = _whole(root)
    for table, rows in whole.items():
        assert rebuilt[table].equals(rows), table
    assert whole["report_index"].height == len(STEPS[step])


def test_the_scopes_a_rebuild_decides_again_are_those_of_the_place_it_touched(tmp_path) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    before = dict(prepare.open_warehouse(root).sql("SELECT agency_name, scope FROM report_index").fetchall())
    build_warehouse(root, STEPS["a member added"])
    after = dict(prepare.open_warehouse(root).sql("SELECT agency_name, scope FROM report_index").fetchall())
    assert (before["甲区人民政府"], after["甲区人民政府"]) == ("region", "body")  # 100 < 30 + 40 + 50
    assert before["乙区人民政府"] == after["乙区人民政府"] == "body"


@pytest.mark.parametrize(("copy_up_to", "databases", "kind"), [(100, ["memory"], "BASE TABLE"), (5, ["memory", "prep"], "VIEW")])
def test_an_open_of_a_prepared_pointer_builds_nothing(
    tmp_path, monkeypatch: pytest.MonkeyPatch, copy_up_to: int, databases: list[str], kind: str
) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    first = prepare.open_warehouse(root).sql("SELECT * FROM primary_measures ORDER BY rid").pl()
    monkeypatch.setattr(prepared, "build", _never)
    monkeypatch.setattr(prepared, "rebuild", _never)
    monkeypatch.setattr(prepare, "COPY_UP_TO", copy_up_to)  # a small warehouse copied into memory, a large one read in place
    con = prepare.open_warehouse(root)
    assert con.cursor().sql("SELECT * FROM primary_measures ORDER BY rid").pl().equals(first)
    attached = con.sql("SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY 1").fetchall()
    assert [name for (name,) in attached] == databases
    kinds = con.sql("SELECT DISTINCT table_type FROM information_schema.tables WHERE table_catalog = 'memory' "
                    f"AND table_name IN ({', '.join(repr(t) for t in prepared.TABLES)})").fetchall()  # fmt: skip
    assert kinds == [(kind,)]


@pytest.mark.parametrize("copy_up_to", [100, 0])
def test_flags_under_other_thresholds_are_computed_again(tmp_path, monkeypatch: pytest.MonkeyPatch, copy_up_to: int) -> None:
    monkeypatch.setattr(prepare, "COPY_UP_TO", copy_up_to)
    reports = [Report("甲区教育局", year, requests(new, new), county="甲区") for year, new in ((2020, 10), (2021, 100))]
    root = build_warehouse(tmp_path / "warehouse", reports)
    jumps = "SELECT count(*) FROM report_flags WHERE flag = '同比突变'"
    assert prepare.open_warehouse(root).sql(jumps).fetchall() == [(1,)]  # 10 → 100: a tenfold jump
    assert prepare.open_warehouse(root, Settings(jump_factor=20.0)).sql(jumps).fetchall() == [(0,)]
    assert prepare.open_warehouse(root).sql(jumps).fetchall() == [(1,)]


def test_only_the_newest_files_are_kept_and_leftovers_go(tmp_path) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    prepare.open_warehouse(root).close()
    (root / prepare.FOLDER / ".killed-writer.tmp").write_bytes(b"half a file")
    for step in ("a member added", "a report removed", "a body moved"):
        build_warehouse(root, STEPS[step])
        prepare.open_warehouse(root).close()
    files = sorted(p.name for p in (root / prepare.FOLDER).iterdir() if p.name != ".lock")
    assert len(files) == prepare.KEEP and all(name.endswith(".duckdb") for name in files)


def test_a_changed_scope_file_builds_a_file_of_its_own(tmp_path) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    assert prepare.open_warehouse(root).sql("SELECT scope FROM report_index WHERE agency_name = '乙区人民政府'").fetchall() == [
        ("body",)
    ]
    (root / "report_scope.csv").write_text("name,year,scope\n乙区人民政府,2021,region\n", encoding="utf-8")
    con = prepare.open_warehouse(root)
    assert con.sql("SELECT scope FROM report_index WHERE agency_name = '乙区人民政府'").fetchall() == [("region",)]
    assert len(list((root / prepare.FOLDER).glob("*.duckdb"))) == 2


def _cut_short(file) -> None:
    file.write_bytes(file.read_bytes()[:4096])


def test_a_damaged_prepared_file_is_made_again(tmp_path) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    scopes = "SELECT agency_name, scope FROM report_index ORDER BY agency_name"
    expected = prepare.open_warehouse(root).sql(scopes).fetchall()
    _cut_short(next((root / prepare.FOLDER).glob("*.duckdb")))
    assert prepare.open_warehouse(root).sql(scopes).fetchall() == expected


def test_a_damaged_older_file_is_not_rebuilt_but_the_tables_built_whole(tmp_path) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    prepare.open_warehouse(root).close()
    _cut_short(next((root / prepare.FOLDER).glob("*.duckdb")))
    build_warehouse(root, STEPS["a member added"])
    rebuilt = _as_built(prepare.open_warehouse(root))
    assert all(rows.equals(rebuilt[table]) for table, rows in _whole(root).items())


def test_the_command_prepares_the_published_pointer(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    assert prepare.main(["--warehouse", str(root)]) == 0
    assert capsys.readouterr().out.startswith(f"prepared {len(BASE)} reports in ")
    assert len(list((root / prepare.FOLDER).glob("*.duckdb"))) == 1


def test_a_folder_that_cannot_be_written_is_prepared_in_memory(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)

    def refused(folder):
        raise PermissionError(f"[Errno 13] Permission denied: '{folder / '.lock'}'")

    monkeypatch.setattr(prepare, "_locked", refused)
    con = prepare.open_warehouse(root)
    assert con.sql("SELECT count(*) FROM report_index").fetchall() == [(len(BASE),)]
    assert con.sql("SELECT count(*) FROM duckdb_databases() WHERE database_name = 'prep'").fetchall() == [(0,)]
    assert not list((root / prepare.FOLDER).glob("*.duckdb"))


def test_a_scan_published_later_has_its_ocr_values_counted(tmp_path) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    prepare.open_warehouse(root).close()
    build_warehouse(root, STEPS["a scan"])
    found = ocr.ocr_reports(prepare.open_warehouse(root), Filters())
    assert found.select("agency_name", "ocr_values", "corrected").rows() == [("甲区司法局", 2, 1)]


OPEN_IN_A_PROCESS = """
import logging, sys
sys.path.insert(0, sys.argv[1])
logging.basicConfig(level=logging.INFO, format="%(message)s")  # to stderr: what this process prepared
from warehouse import prepare
with prepare.open_warehouse(sys.argv[2]) as con:
    print(con.sql("SELECT count(*) FROM report_index").fetchall()[0][0])
"""


def test_two_processes_opening_at_once_make_one_file_and_both_read_it(tmp_path) -> None:
    root = build_warehouse(tmp_path / "warehouse", BASE)
    repo = str(Path(__file__).resolve().parents[2])
    opening = [subprocess.Popen([sys.executable, "-c", OPEN_IN_A_PROCESS, repo, str(root)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    said = [process.communicate(timeout=300) for process in opening]
    assert [out.strip() for out, _err in said] == [str(len(BASE))] * 2
    assert sum(err.count(": built whole in ") for _out, err in said) == 1  # the other waited for its file
    assert len(list((root / prepare.FOLDER).glob("*.duckdb"))) == 1
    assert not list((root / prepare.FOLDER).glob(".*.tmp"))
