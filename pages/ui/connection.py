"""The warehouse handle: one prepared read-only connection per published pointer, shared by every session.

This is the data boundary of the dashboard: a warehouse that cannot be read (a deleted or
truncated Parquet file, a lost Delta log entry, CURRENT naming a missing pointer) is told to
viewers in one Chinese sentence — damaged, not empty — and the details, with their server
paths, go to the server log only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import duckdb
import streamlit as st

from warehouse import settings, store
from warehouse.prepare import open_warehouse
from warehouse.settings import SCOPE_FILE

LOG = logging.getLogger(__name__)

DAMAGED = ("数据仓库已损坏，暂时无法显示数据（不是没有数据）。请管理员按 README「备份与恢复」从备份恢复，"
           "或重新导入报告；详细原因已记入服务器日志。")  # fmt: skip
FELL_BACK = "数据仓库的当前版本无法读取，现显示最近一个完整的版本，可能不是最新数据。请管理员检查数据仓库。"

# what reading a damaged warehouse raises: I/O, DuckDB's own errors, and the store's typed damage where it has one
READ_ERRORS: tuple[type[Exception], ...] = (duckdb.Error, OSError) + tuple(
    error for error in (getattr(store, "WarehouseDamaged", None),) if error is not None
)
# opening also parses the manifest: truncated JSON or a missing key is damage there too
OPEN_ERRORS = READ_ERRORS + (ValueError, KeyError, TypeError)


@st.cache_resource(max_entries=1, show_spinner="正在打开数据仓库…")
def _open(directory: str, snapshot: str | None, scope_file: float) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """The prepared read-only connection of the published snapshot (and scope file), shared by every
    session; and whether it reads an older snapshot because CURRENT's cannot be read. One is held at a
    time: a new snapshot replaces the old one, which goes once the sessions still reading it finish."""
    return open_warehouse(directory), _fell_back(directory)


def _fell_back(directory: str) -> bool:
    """Whether the store reads an older complete snapshot than CURRENT names (where the store can tell)."""
    status = getattr(store, "status", None)
    try:
        return bool(status and status(directory).fallback)
    except (FileNotFoundError, *OPEN_ERRORS):
        return False


def _stop_damaged(error: BaseException) -> NoReturn:
    """Say the warehouse is damaged, keep the details for the server log, and reopen on the next run."""
    LOG.error("warehouse unreadable: %s", error, exc_info=error)
    _open.clear()
    st.error(DAMAGED, icon=":material/report:")
    st.stop()


def connection(announce: bool = False) -> duckdb.DuckDBPyConnection:
    """The connection for the current snapshot; a new import or an edited report_scope.csv is
    picked up on the next run. A damaged warehouse stops the page with `DAMAGED`; with
    `announce` (once per run, by app.py) a fallback to an older snapshot is said on screen."""
    directory = settings.warehouse_dir()
    scope_file = directory / SCOPE_FILE
    try:
        edited = scope_file.stat().st_mtime if scope_file.exists() else 0.0
        con, fell_back = _open(str(directory), store.current_id(directory), edited)
    except OPEN_ERRORS as error:
        _stop_damaged(error)
    if fell_back and announce:
        st.warning(FELL_BACK, icon=":material/history:")
    return con


@contextmanager
def guarded() -> Iterator[None]:
    """Run a page; a file of the snapshot lost or damaged after it was opened shows `DAMAGED`, not a traceback."""
    try:
        yield
    except READ_ERRORS as error:
        _stop_damaged(error)
