"""The demo corpus read back through the real pipeline: every value, every planted slip.

The small world of seed 1 is rendered in the forms its plans give (every form meets
both template versions there), extracted with `pipeline.extract.extract_bytes`, and
compared with the generator's truth. A slip of each kind is also planted into one
report per form, and the cross-year slip is checked in a warehouse built by ingest.
"""

from __future__ import annotations

import copy
import multiprocessing
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import pytest

from pipeline.demo import reports
from pipeline.demo.city import bodies
from pipeline.demo.numbers import series
from pipeline.demo.plan import CRAWLED_FORMS, FORMATS, Plan, plans
from pipeline.demo.render import render
from pipeline.demo.report import Report, compose
from pipeline.evaluate import same
from pipeline.extract import extract_bytes
from pipeline.record import Record

pytestmark = pytest.mark.slow  # renders and reads back every form of a demo year (make test)

SEED = 1
REPORT_RULES = ("T3-OFF", "T3-ROW", "T3-SUM-RESULT", "T4-SUM")


def read_back(report: Report) -> Record:
    """The record the pipeline extracts from the report's file."""
    return extract_bytes(render(report), report.source)


@pytest.fixture(scope="module")
def corpus() -> list[tuple[Report, Record]]:
    """Every report of the small world, with the record the pipeline extracts from its file."""
    every = list(reports(SEED, "small"))
    files = [render(report) for report in every]
    # Forkserver: a forked worker would inherit the state of whatever ran before in this process (a Ray, say).
    with ProcessPoolExecutor(mp_context=multiprocessing.get_context("forkserver")) as pool:
        records = pool.map(extract_bytes, files, [report.source for report in every], chunksize=8)
        return list(zip(every, records, strict=True))


def misses(report: Report, record: Record) -> list[str]:
    """Fields whose extracted value differs from the truth, and keys the truth does not know."""
    got = record.to_json()["values"]
    wrong = [f"{key}: expected {v!r}, got {got.get(key, 'absent')!r}" for key, v in report.values.items()
             if key not in got or not same(v, got[key])]  # fmt: skip
    return wrong + [f"{key}: not in the report" for key in got if key not in report.values]


def failed_rules(record: Record) -> set[str]:
    return {f.rule for f in record.findings if f.outcome == "fail"}


def test_every_form_meets_both_template_versions(corpus: list[tuple[Report, Record]]) -> None:
    seen = {(report.plan.form, report.plan.version) for report, _ in corpus}
    assert {(f, v) for f, v in seen if f in FORMATS} == {(form, version) for form in FORMATS for version in ("2019", "2021")}
    assert {f for f, _ in seen if f not in FORMATS} == set(CRAWLED_FORMS)


@pytest.mark.parametrize("version", ["2019", "2021"])
@pytest.mark.parametrize("form", FORMATS)
def test_every_field_is_recovered(corpus: list[tuple[Report, Record]], form: str, version: str) -> None:
    chosen = [(r, rec) for r, rec in corpus if r.plan.form == form and r.plan.version == version]
    fields = sum(len(r.values) for r, _ in chosen)
    wrong = {r.source: m for r, rec in chosen if (m := misses(r, rec))}
    assert fields > 0
    assert wrong == {}, f"{sum(map(len, wrong.values()))} of {fields} fields wrong"


@pytest.mark.parametrize("form", CRAWLED_FORMS)
def test_every_field_of_crawled_copies_is_recovered(corpus: list[tuple[Report, Record]], form: str) -> None:
    # the cut copy's truth holds only what it prints: nothing after the cut may be read
    chosen = [(r, rec) for r, rec in corpus if r.plan.form == form]
    wrong = {r.source: m for r, rec in chosen if (m := misses(r, rec))}
    assert sum(len(r.values) for r, _ in chosen) > 0
    assert wrong == {}


def test_identity_is_recovered(corpus: list[tuple[Report, Record]]) -> None:
    wrong = [
        (r.source, rec.agency, rec.year, rec.template_version)
        for r, rec in corpus
        if (rec.agency, rec.year, rec.template_version) != (r.agency, r.plan.year, r.plan.version)
    ]
    assert wrong == []


def test_findings_are_exactly_the_planted_slips(corpus: list[tuple[Report, Record]]) -> None:
    cut = {"TABLE-MISSING"}  # a copy cut after Table 二 says that Tables 三 and 四 are missing
    planted = {r.source: {p.rule for p in r.planted} - {"T3-XYEAR"} | (cut if r.plan.form == "cut" else set()) for r, _ in corpus}
    found = {r.source: failed_rules(rec) for r, rec in corpus}
    assert found == planted
    assert sum(1 for rules in planted.values() if rules) >= 5


def _plan(year: int, form: str, error: str | None) -> tuple[Plan, dict]:
    """The city government's plan of a year, in a given form, clean, with one slip."""
    body = bodies("small")[0]
    plan = copy.copy(next(p for p in plans(body, SEED, "small") if p.year == year))
    plan.form, plan.blemishes, plan.error = form, set(), error
    return plan, series(body, SEED)[year]


@pytest.mark.parametrize("year", [2020, 2022])
@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("rule", REPORT_RULES)
def test_planted_slip_is_found_in_every_form(rule: str, form: str, year: int) -> None:
    plan, figures = _plan(year, form, rule)
    report = compose(plan, figures, SEED)
    record = read_back(report)
    assert [p.rule for p in report.planted] == [rule]
    assert misses(report, record) == []
    assert failed_rules(record) == {rule}
    failing_keys = {k for f in record.findings if f.outcome == "fail" for k in f.keys}
    assert set(report.planted[0].keys) <= failing_keys


def test_cross_year_slip_is_found_by_the_warehouse(tmp_path: Path) -> None:
    from pipeline.ingest import ingest
    from warehouse import store

    folder = tmp_path / "reports"
    folder.mkdir()
    planted: dict[str, list[str]] = defaultdict(list)
    for year, form, error in ((2021, "pdf", None), (2022, "html", "T3-XYEAR"), (2023, "scraped", None)):
        plan, figures = _plan(year, form, error)
        report = compose(plan, figures, SEED)
        (folder / report.source).write_bytes(render(report))
        planted[report.source] = [p.rule for p in report.planted]
    ingest([folder], tmp_path / "warehouse", workers=1, synthetic=True, progress=False)
    con = duckdb.connect()
    store.attach_views(con, tmp_path / "warehouse")
    outcomes = con.execute(
        "SELECT r.source_file, f.outcome, count(*) FROM findings f JOIN reports r USING (report_id) "
        "WHERE f.rule = 'T3-XYEAR' GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    xyear = next(source for source, rules in planted.items() if rules == ["T3-XYEAR"])
    assert {(s, o) for s, o, _ in outcomes} == {(xyear, "fail"), (xyear, "pass"), (_other(planted, 2023), "pass")}
    assert dict(((s, o), n) for s, o, n in outcomes)[(xyear, "fail")] == 2  # natural persons and the total


def _other(planted: dict[str, list[str]], year: int) -> str:
    return next(source for source in planted if f"{year}年" in source)
