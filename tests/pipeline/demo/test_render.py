"""Renders: deterministic bytes, the synthetic marker, and scraped runs that read one way."""

from __future__ import annotations

import copy
import re

import pytest

from pipeline.demo import reports
from pipeline.demo.city import bodies
from pipeline.demo.numbers import series
from pipeline.demo.plan import FORMATS, plans
from pipeline.demo.prose import MARKER
from pipeline.demo.render import render
from pipeline.demo.report import Report, compose
from pipeline.readers import read_bytes

BODY = bodies("small")[0]


def _report(form: str, year: int = 2022, seed: int = 1) -> Report:
    plan = copy.copy(next(p for p in plans(BODY, seed, "small") if p.year == year))
    plan.form = form
    return compose(plan, series(BODY, seed)[year], seed)


@pytest.mark.parametrize("form", FORMATS)
def test_same_seed_gives_the_same_bytes(form: str) -> None:
    assert render(_report(form)) == render(_report(form))


@pytest.mark.parametrize("form", FORMATS)
def test_every_form_carries_the_synthetic_marker(form: str) -> None:
    report = _report(form)
    text = read_bytes(render(report), report.source).text().replace("\n", "")
    assert "【演示数据】本报告为xxgk合成的虚构数据" in text
    assert MARKER.startswith("【演示数据】本报告为xxgk合成的虚构数据")


def test_scraped_rows_run_together_only_where_every_cell_is_one_digit() -> None:
    texts = [render(r).decode("utf-8") for r in reports(1, "small") if r.plan.form == "scraped"]
    together = sum(len(re.findall(r"属于国家秘密\d{7}(?= ?\d\.)", t)) for t in texts)
    spaced = sum(len(re.findall(r"(?:\d+ ){6}\d+", t)) for t in texts)
    assert texts and together > 0 and spaced > 0
    # a Table 三 row run together is exactly seven digits: no cell of two digits hides in it
    assert not any(re.search(r"属于国家秘密\d{8}", t) for t in texts)


def test_truth_marks_blank_and_dashed_cells_as_null() -> None:
    blanks = [r for r in reports(1, "small") if "blank_zeros" in r.plan.blemishes]
    assert blanks
    report = blanks[0]
    assert any(value is None for key, value in report.values.items() if key.startswith("t3."))
