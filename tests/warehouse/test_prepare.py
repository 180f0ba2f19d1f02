"""The dashboard's prepared snapshot: bounded memory, spilling to a private folder."""

from __future__ import annotations

import pytest

from warehouse import prepare, settings


def test_the_prepared_snapshot_has_a_memory_limit(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.MEMORY_ENV, "512MB")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    con = prepare.open_warehouse(tmp_path / "empty")
    limit, spill = con.sql("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
    assert limit == "488.2 MiB"  # DuckDB reports 512 MB in MiB
    assert spill.startswith(str(tmp_path)) and (tmp_path / spill.rsplit("/", 1)[-1]).is_dir()


@pytest.mark.parametrize("given", ["4 GB; DROP TABLE reports", "lots", "-1GB"])
def test_a_memory_limit_that_is_no_size_is_refused(monkeypatch: pytest.MonkeyPatch, given: str) -> None:
    monkeypatch.setenv(settings.MEMORY_ENV, given)
    with pytest.raises(ValueError, match=settings.MEMORY_ENV):
        settings.duckdb_memory()
