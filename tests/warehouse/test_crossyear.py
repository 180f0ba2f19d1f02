"""Cross-year findings fail where a body's consecutive reports disagree, and say so in both languages."""

from __future__ import annotations

from pathlib import Path

from conftest import corpus_file
from pipeline.ingest import ingest
from warehouse import store


def _next_year_with_carry_over(seed: Path, target: Path, carried_over: int) -> None:
    """The seed report moved to 2021 with Table 三 row 二 (上年结转) set to `carried_over`
    natural persons: cells are one per line below the label, the seventh being 总计."""
    lines = seed.read_text(encoding="utf-8").replace("2020年", "2021年").split("\n")
    label = next(i for i, line in enumerate(lines) if "二、上年结转政府信息公开申请数量" in line)
    lines[label + 1] = lines[label + 7] = f"\t{carried_over}"
    target.write_text("\n".join(lines), encoding="utf-8")


def test_a_carry_over_that_does_not_match_last_years_carry_forward_fails(tmp_path):
    seed = corpus_file("seed_sunjiatuan_2020.txt")
    folder = tmp_path / "in"
    folder.mkdir()
    _next_year_with_carry_over(seed, folder / "sunjiatuan_2021.txt", 2)
    (folder / seed.name).write_bytes(seed.read_bytes())
    ingest([folder], tmp_path / "wh", workers=2, progress=False)

    with store.connect(tmp_path / "wh") as con:
        assert con.execute("SELECT year, duplicate FROM reports ORDER BY year").fetchall() == [(2020, False), (2021, False)]
        findings = con.execute(
            "SELECT keys[1], outcome, message_zh, message_en FROM findings WHERE rule = 'T3-XYEAR' ORDER BY 1"
        ).fetchall()
    outcomes = {key: outcome for key, outcome, _zh, _en in findings}
    assert outcomes["t3.carried_over.natural_person"] == "fail"
    assert outcomes["t3.carried_over.total"] == "fail"
    assert outcomes["t3.carried_over.org_commercial"] == "pass"
    zh, en = next((zh, en) for key, _o, zh, en in findings if key == "t3.carried_over.total")
    assert zh == "2021年上年结转（总计）2件，2020年报告结转下年度0件"
    assert en == "carried over into 2021 (total): 2; carried forward by the 2020 report: 0"
