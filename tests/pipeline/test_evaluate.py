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


VARIANTS = CORPUS.parent / "variants"
#: Text variants; the scanned PDF there belongs to the OCR work.
TEXT_VARIANTS = ("pingtan_syq_2022_trad", "seed_sunjiatuan_2020_cellpipes", "seed_sunjiatuan_2020_cut",
                 "seed_sunjiatuan_2020_pipes", "seed_sunjiatuan_2020_trad")


@pytest.fixture(scope="module")
def variant_records():
    from pipeline.extract import extract_path

    if not (VARIANTS / "truth").exists():
        pytest.skip(f"crawled variants not found at {VARIANTS}")
    out = {}
    for name in TEXT_VARIANTS:
        truth = json.loads((VARIANTS / "truth" / f"{name}.json").read_text(encoding="utf-8"))
        out[name] = (truth, extract_path(VARIANTS / truth["source"]))
    return out


@pytest.mark.parametrize("name", TEXT_VARIANTS)
def test_crawled_variants_never_give_a_wrong_value(variant_records, name):
    truth, record = variant_records[name]
    got = record.to_json()["values"]
    assert (record.agency, record.year, record.template_version) == (truth["agency"], truth["year"], truth["template_version"])
    assert [k for k, v in got.items() if k in truth["values"] and not same(truth["values"][k], v)] == []
    assert [k for k in got if k not in truth["values"]] == []
    absent = [k for k in truth["values"] if k not in got]
    source = (VARIANTS / truth["source"]).read_text(encoding="utf-8")
    if name.endswith("_cut"):
        # the truth lists the figures of the whole report; those stated after the cut are not in the copy
        assert absent and all(k.startswith("text.") for k in absent)
        assert "人大代表建议" not in source and not any(k.startswith(("t3.", "t4.")) for k in got)
        assert {f.rule for f in record.findings if f.outcome == "fail"} == {"TABLE-MISSING"}
    else:
        assert absent == []
