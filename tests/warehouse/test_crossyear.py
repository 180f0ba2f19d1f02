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


def _in_force_findings(cells: list[tuple[str, str, float | None]]) -> list[tuple]:
    """T2-XYEAR-IN-FORCE findings over two reports of one body (r19 for 2019, r20 for 2020)."""
    import duckdb

    from warehouse import crossyear

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE reports AS SELECT * FROM (VALUES ('r19', 'a', 2019, 'a19.txt'), ('r20', 'a', 2020, 'a20.txt'))"
        " t(report_id, agency_id, year, source_file)"
    )
    con.execute("CREATE TABLE t3_facts (report_id VARCHAR, key VARCHAR, value DOUBLE, status VARCHAR)")
    con.execute("CREATE TABLE t2_facts (report_id VARCHAR, key VARCHAR, value DOUBLE, status VARCHAR)")
    con.executemany("INSERT INTO t2_facts VALUES (?, ?, ?, 'reported')", cells)
    sql = crossyear.findings_sql(con)
    return con.execute(
        f"SELECT report_id, outcome, keys, message_zh FROM ({sql}) WHERE rule = 'T2-XYEAR-IN-FORCE'"
    ).fetchall()


def test_in_force_count_that_does_not_continue_last_year_fails_and_a_blank_is_not_assessable():
    n = "t2.normative_documents."
    cells = [("r19", n + "in_force", 10), ("r20", n + "in_force", 13), ("r20", n + "issued", 4), ("r20", n + "repealed", 2)]
    assert _in_force_findings(cells) == [
        (
            "r20",
            "fail",
            [n + "in_force", n + "issued", n + "repealed"],
            "行政规范性文件现行有效13件，应为2019年10件 + 本年制发4件 − 本年废止2件",
        )
    ]
    cells[-1] = ("r20", n + "repealed", 1)
    assert [f[1] for f in _in_force_findings(cells)] == ["pass"]
    cells[-1] = ("r20", n + "repealed", None)
    assert [f[1] for f in _in_force_findings(cells)] == ["not_assessable"]
    assert _in_force_findings(cells[1:]) == []  # no 2019 in-force cell: nothing to compare
