"""The warehouse handle: one prepared read-only connection per published snapshot, shared by every session."""

from __future__ import annotations

import duckdb
import streamlit as st

from warehouse import settings, store
from warehouse.prepare import open_warehouse
from warehouse.scope import SCOPE_FILE


@st.cache_resource(max_entries=2, show_spinner="正在打开数据仓库…")
def _open(directory: str, snapshot: str | None, scope_file: float) -> duckdb.DuckDBPyConnection:
    """One prepared read-only connection per published snapshot (and scope file), shared by every session."""
    return open_warehouse(directory)


def connection() -> duckdb.DuckDBPyConnection:
    """The connection for the current snapshot; a new import or an edited report_scope.csv is
    picked up on the next run."""
    directory = settings.warehouse_dir()
    scope_file = directory / SCOPE_FILE
    edited = scope_file.stat().st_mtime if scope_file.exists() else 0.0
    return _open(str(directory), store.current_id(directory), edited)
