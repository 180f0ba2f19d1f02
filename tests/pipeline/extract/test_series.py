"""Neighbouring years settle decodings one report leaves open (pingtan 2019–2022)."""

from __future__ import annotations

from conftest import corpus_file
from pipeline.extract import extract_path
from pipeline.extract.series import resolve_series


def test_adjacent_year_fixes_prior_items_and_keeps_true_ambiguity():
    y2019 = extract_path(corpus_file("pingtan_syq_2019.txt"))
    y2020 = extract_path(corpus_file("pingtan_syq_2020.txt"))
    assert "t2.admin_licensing.prior_year_items" not in y2019.values
    resolve_series([y2019, y2020])
    assert [y2019.number(f"t2.admin_licensing.{c}") for c in ("prior_year_items", "items_change", "decisions")] == [396, 0, 181]
    assert y2019.number("t2.normative_documents.total_published") == 89
    assert sorted(y2019.ambiguous["t2.admin_coercion.prior_year_items"]) == [126, 1260]
    columns = ("newly_made", "newly_published", "total_published")
    assert [y2020.number(f"t2.normative_documents.{c}") for c in columns] == [77, 77, 166]


def test_in_force_continuity_across_2021_format_years():
    y2021 = extract_path(corpus_file("pingtan_syq_2021.txt"))
    y2022 = extract_path(corpus_file("pingtan_syq_2022.txt"))
    resolve_series([y2022, y2021])
    assert y2021.number("t2.normative_documents.in_force") == 665
    assert sorted(y2021.ambiguous["t2.normative_documents.repealed"]) == [3, 93]


def test_different_versions_are_never_linked():
    y2020 = extract_path(corpus_file("pingtan_syq_2020.txt"))
    y2021 = extract_path(corpus_file("pingtan_syq_2021.txt"))
    before = dict(y2021.candidates)
    resolve_series([y2020, y2021])
    assert y2021.candidates == before
