"""The generated figures behave like real ones and chain from year to year."""

from __future__ import annotations

from statistics import mean

from pipeline.demo.city import YEARS, bodies
from pipeline.demo.numbers import Figures, series
from pipeline.template import (
    CONTINUITY,
    T2_ROWS,
    T3_COLUMNS,
    T3_LAYOUTS,
    T4_RULES,
    holds,
    t3_rules,
)

WORLD = bodies("small")
SERIES = {body.name: series(body, 1) for body in WORLD}


def _t3_values(figures: Figures, layout: str) -> dict[str, int]:
    rows = {row.key for row in T3_LAYOUTS[layout]}
    return {f"t3.{row}.{col}": n for row, cells in figures.t3.items() if row in rows for col, n in cells.items()}


def test_every_table_rule_holds_before_slips_are_planted() -> None:
    for years in SERIES.values():
        for figures in years.values():
            for layout in T3_LAYOUTS:
                values = _t3_values(figures, layout)
                assert all(holds(rule, values) for rule in t3_rules(layout))
            assert all(holds(rule, figures.t4) for rule in T4_RULES)


def test_carried_over_is_last_years_carried_forward() -> None:
    for years in SERIES.values():
        for year in YEARS[1:]:
            assert years[year].t3["carried_over"] == years[year - 1].t3["carried_forward"]


def test_table_two_continuity_holds_every_year() -> None:
    for years in SERIES.values():
        for year in YEARS[1:]:
            for rule in CONTINUITY:
                for row in T2_ROWS[rule.version]:
                    if set(rule.columns) <= set(row.columns):
                        before = {c: years[year - 1].t2[f"t2.{row.key}.{c}"] for c in row.columns}
                        after = {c: years[year].t2[f"t2.{row.key}.{c}"] for c in row.columns}
                        assert rule.holds(before, after), (row.key, year)


def _requests(name: str) -> float:
    return mean(f.t3["new_requests"]["total"] for f in SERIES[name].values())


def test_volumes_differ_by_orders_of_magnitude() -> None:
    bureau = _requests("云岫市自然资源和规划局")
    townships = [_requests(b.name) for b in WORLD if b.kind == "township"]
    assert bureau > 150
    assert bureau > 20 * mean(townships)


def test_natural_persons_file_most_requests() -> None:
    rows = [f.t3["new_requests"] for years in SERIES.values() for f in years.values()]
    natural = sum(r["natural_person"] for r in rows)
    assert natural > 0.75 * sum(r["total"] for r in rows)
    assert all(sum(r[c] for c in T3_COLUMNS[:6]) == r["total"] for r in rows)


def test_publication_moves_from_the_website_to_new_media() -> None:
    def website_share(year: int) -> float:
        texts = [years[year].text for years in SERIES.values()]
        return sum(t["text.channel.website"] for t in texts) / sum(t["text.proactive_total"] for t in texts)

    assert website_share(2019) > 0.5 > website_share(2025)
    assert all(years[2020].text["text.channel.douyin"] == 0 for years in SERIES.values())


def test_reviews_and_lawsuits_are_rare() -> None:
    requests = sum(f.t3["new_requests"]["total"] for years in SERIES.values() for f in years.values())
    reviews = sum(f.t4["t4.review_total"] for years in SERIES.values() for f in years.values())
    assert 0 < reviews < 0.1 * requests


def test_same_seed_same_figures_other_seed_other_figures() -> None:
    body = WORLD[0]
    assert series(body, 1) == SERIES[body.name]
    assert series(body, 2)[2021].t3 != SERIES[body.name][2021].t3
