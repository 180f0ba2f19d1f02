"""A damaged warehouse or a failing disk: viewers read a Chinese message, never a traceback or a server path."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from conftest import corpus_file
from dashboard_fixtures import Report, build_warehouse, requests
from pages.ui import connection
from warehouse import store

PASSWORD = "长密码-for-tests"


def _warehouse(root: Path, agencies: tuple[str, ...] = ("甲局", "乙局")) -> Path:
    refused = {"source_file": "坏.pdf", "source_path": "/inbox/坏.pdf", "reason": "无法读取"}
    return build_warehouse(root, [Report(a, 2023, requests(10, 8)) for a in agencies], quarantined=[refused])


def _table_file(root: Path, table: str) -> Path:
    """A data file of the table at the version CURRENT names."""
    return Path(store.status(root).files[table][0])


def _last_commit(root: Path, table: str) -> Path:
    """The log entry of the table's newest version (each version is rebuilt from its log)."""
    return sorted((store.table_path(root, table) / "_delta_log").glob("*.json"))[-1]


def _shown(at) -> str:
    """Every string the page put on screen (element protos, walked whole)."""
    texts: list[str] = []

    def collect(value) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif hasattr(value, "ListFields"):
            for _, inner in value.ListFields():
                collect(inner)
        elif not isinstance(value, (bytes, int, float)):
            for item in value:  # a repeated field
                collect(item)

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            collect(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(texts)


def _assert_damaged_shown_safely(at, root: Path) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert any("数据仓库已损坏" in e.value for e in at.error), [e.value for e in at.error]
    shown = _shown(at)
    assert str(root) not in shown and "Traceback" not in shown and "_delta_log" not in shown and "tables/" not in shown


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


FAULTS = {
    "deleted parquet": lambda root: _table_file(root, "reports").unlink(),
    "truncated parquet": lambda root: _truncate(_table_file(root, "reports")),
    "lost log entry": lambda root: _last_commit(root, "reports").unlink(),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_damaged_warehouse_is_reported_as_damaged(dashboard, tmp_path, fault):
    root = _warehouse(tmp_path / "wh")
    FAULTS[fault](root)
    at = dashboard(root)
    at.run()
    _assert_damaged_shown_safely(at, root)


def test_current_naming_a_missing_pointer_is_never_a_traceback(dashboard, tmp_path):
    """The kept pointer file is read instead, with a notice."""
    root = _warehouse(tmp_path / "wh")
    (root / store.CURRENT).write_text('{"id": "20990101T000000-gone", "versions": {}}')
    at = dashboard(root)
    at.run()
    assert not at.exception and not at.error
    assert any(connection.FELL_BACK in w.value for w in at.warning)
    assert any(c.value == "仓库共 2 份报告" for c in at.sidebar.caption)
    assert str(root) not in _shown(at)


def test_a_file_lost_while_the_dashboard_runs_is_reported_on_the_next_page(dashboard, tmp_path):
    root = _warehouse(tmp_path / "wh")
    at = dashboard(root)
    at.run()
    assert not at.error
    _table_file(root, "quarantine").unlink()  # read lazily, by the quality page
    at.switch_page("pages/quality.py").run()
    _assert_damaged_shown_safely(at, root)


def test_a_damaged_current_pointer_falls_back_to_the_newest_readable_one(dashboard, tmp_path):
    """Here each publish rewrote the reports table whole, so the previous pointer's file is its own; where
    versions share a file (the rows a publish did not touch), losing it leaves nothing to fall back to."""
    root = _warehouse(tmp_path / "wh", ("甲局",))
    _warehouse(root, ("甲局", "乙局"))  # a second pointer, now current
    FAULTS["truncated parquet"](root)
    at = dashboard(root)
    at.run()
    assert not at.exception and not at.error
    assert any(connection.FELL_BACK in w.value for w in at.warning)
    assert any(c.value == "仓库共 1 份报告" for c in at.sidebar.caption)


def _signed_in_upload(dashboard, root: Path):
    at = dashboard(root)
    at.secrets["upload_password"] = PASSWORD
    at.run()
    at.switch_page("pages/upload.py").run()
    at.main.text_input[0].input(PASSWORD)
    at.button[0].click().run()
    return at


def _raise(error: OSError):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize(
    ("where", "error", "message"),
    [
        ("store_upload", PermissionError(errno.EACCES, "Permission denied", "/srv/xxgk/inbox/.upload-1.part"), "没有写入权限"),
        ("store_upload", OSError(errno.EROFS, "Read-only file system", "/srv/xxgk/inbox/.upload-1.part"), "没有写入权限"),
        ("ingest", OSError(errno.ENOSPC, "No space left on device", "/srv/xxgk/tables/t3_facts/part-1.parquet"), "磁盘空间不足"),
    ],
)
def test_an_upload_that_cannot_be_written_says_why_without_a_path(dashboard, tmp_path, monkeypatch, where, error, message):
    from pages.ui import upload

    seed = corpus_file("seed_sunjiatuan_2020.txt")
    monkeypatch.setattr(upload, where, _raise(error))
    at = _signed_in_upload(dashboard, tmp_path / "wh")
    at.file_uploader(key="uploads").upload(seed.name, seed.read_bytes(), "text/plain").run()
    next(b for b in at.button if b.label == "导入").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    shown = _shown(at)
    assert "/srv/xxgk" not in shown and "Traceback" not in shown and "Errno" not in shown
