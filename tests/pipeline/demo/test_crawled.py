"""The demo's crawled copies (issue 13): each form renders as real copies look, and reading
them back never gives a wrong value — adversarially, every report of several bodies in
every crawled form, blemishes included."""

from __future__ import annotations

import copy

import pytest

from pipeline.demo.city import bodies
from pipeline.demo.numbers import series
from pipeline.demo.plan import CRAWLED_FORMS, plans
from pipeline.demo.render import render
from pipeline.demo.report import Report, compose
from pipeline.evaluate import same
from pipeline.extract import extract_bytes
from pipeline.readers import read_bytes

SEED = 1
BODIES = bodies("small")[:4]


def _reports(form: str, error: str | None = None) -> list[Report]:
    """Every year of the first bodies, composed in one crawled form."""
    out = []
    for body in BODIES:
        figures = series(body, SEED)
        for plan in plans(body, SEED, "small"):
            plan = copy.copy(plan)
            plan.form, plan.error = form, error
            out.append(compose(plan, figures[plan.year], SEED))
    return out


def _wrong(report: Report) -> list[str]:
    record = extract_bytes(render(report), report.source)
    got = record.to_json()["values"]
    wrong = [f"{k}: expected {v!r}, got {got.get(k, 'absent')!r}" for k, v in report.values.items()
             if k not in got or not same(v, got[k])]  # fmt: skip
    wrong += [f"{k}: not printed, got {got[k]!r}" for k in got if k not in report.values]
    if (record.agency, record.year) != (report.agency, report.plan.year):
        wrong.append(f"identity: {record.agency} {record.year}")
    return wrong


@pytest.mark.parametrize("form", CRAWLED_FORMS)
def test_no_wrong_value_in_any_crawled_form(form: str) -> None:
    chosen = _reports(form)
    wrong = {r.source: w for r in chosen if (w := _wrong(r))}
    assert len(chosen) > 20 and wrong == {}


def test_forms_look_like_their_copies() -> None:
    report = _reports("pipes")[0]
    pipes = render(report).decode("utf-8")
    assert pipes.startswith("当前位置：首页 >") and "打印本页" in pipes and "网站标识码" in pipes
    assert "| 规范性文件 |" in pipes and "".join(report.title) not in pipes  # the title is broken over lines
    cells = render(compose(report.plan.__class__(**{**report.plan.__dict__, "form": "cellpipes"}),
                           series(BODIES[0], SEED)[report.plan.year], SEED)).decode("utf-8")
    assert "\n规范性文件 |\n" in cells and "| 规范性文件 |" not in cells
    trad = render(_reports("trad")[0]).decode("utf-8")
    assert "第二十條" in trad and "第二十条" not in trad
    assert read_bytes(pipes.encode(), "copy.txt").format == "markdown"
    assert read_bytes(cells.encode(), "copy.txt").format == "pipes"


def test_a_cut_copy_prints_and_tells_only_what_precedes_the_cut() -> None:
    for report in _reports("cut")[:5]:
        text = render(report).decode("utf-8")
        assert "第二十条" in text and "本年新收" not in text and "行政复议" not in text.split("第二十条", 1)[1]
        assert report.values and not any(k.startswith(("t3.", "t4.")) for k in report.values)
        record = extract_bytes(render(report), report.source)
        missing = {f.message_zh for f in record.findings if f.rule == "TABLE-MISSING"}
        assert missing == {"表格缺失：未读到表三", "表格缺失：未读到表四"}


@pytest.mark.parametrize("form", ["pipes", "cellpipes", "trad"])
def test_planted_slips_are_found_in_crawled_copies(form: str) -> None:
    report = _reports(form, "T3-ROW")[3]
    record = extract_bytes(render(report), report.source)
    assert [p.rule for p in report.planted] == ["T3-ROW"]
    assert {f.rule for f in record.findings if f.outcome == "fail"} == {"T3-ROW"}
