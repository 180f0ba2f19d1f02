"""Every public report with a truth record is extracted exactly (evaluate, per file)."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS, TRUTH, truth_files, truth_of
from pipeline.evaluate import evaluate, evaluate_command, same


@pytest.fixture(scope="module")
def scores():
    if not truth_files():
        pytest.skip(f"truth records not found at {TRUTH}")
    return {s.source: s for s in evaluate(CORPUS, TRUTH)}


@pytest.mark.parametrize("name", truth_files())
def test_each_public_report_matches_its_truth(scores, name):
    assert scores[truth_of(name)["source"]].misses == []


def test_every_truth_file_is_scored(scores):
    assert len(scores) == len(truth_files())


def test_evaluate_prints_the_exact_closing_line(capsys):
    if not truth_files():
        pytest.skip(f"truth records not found at {TRUTH}")
    assert evaluate_command(str(CORPUS), str(TRUTH)) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    total = sum(len(json.loads((TRUTH / n).read_text())["values"]) for n in truth_files())
    assert last == f"field accuracy: 100.0% ({total}/{total})"


def test_same_treats_null_as_only_equal_to_null():
    assert same(None, None)
    assert not same(0, None)
    assert same(7539.443252, 75394432.52 / 10000)
    assert not same(89, 898)
