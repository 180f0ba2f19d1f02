"""Opening a snapshot for the dashboard: everything pages ask for, prepared once in memory.

Raw cells mislead when compared naively: a region's own report often already sums its
bodies, the two template versions define some cells differently, a rate over three
requests says little, and a blank total is not a zero. Every ranking and trend of the
dashboard reads the tables built here, so those rules are applied in one place: each
report's completed cells and measures (`warehouse.marts`, written at publish), its scope
(`warehouse.scope`) and the flags (`warehouse.flags`).
"""

from __future__ import annotations

import os

import duckdb

from warehouse import indexes, store
from warehouse import settings as places
from warehouse.flags import compute_flags
from warehouse.measures import COMPOSITIONS, MEASURES
from warehouse.scope import REGION_LEVELS, SCOPE_KINDS, classify_scope, read_scope_overrides
from warehouse.settings import SCOPE_FILE
from warehouse.thresholds import Settings


def open_warehouse(
    directory: str | os.PathLike[str] | None = None, settings: Settings | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse with everything pages ask for prepared in memory.

    Once per published snapshot: the report and body index, each report's scope, the
    primary reports beside their marts (completed cells, measures: read, not computed)
    and the flags. Pages then only filter and sum, which keeps them fast on 100,000 reports.
    """
    settings = settings or Settings.from_env()
    con = indexes.connect(directory)
    limit_memory(con)
    indexes.build_index(con)
    overrides = read_scope_overrides(indexes.warehouse_path(directory) / SCOPE_FILE)
    named = sorted({name for name, _year in overrides})
    inputs = indexes.scope_inputs(con, sorted(SCOPE_KINDS), REGION_LEVELS, named)
    indexes.set_scope(con, classify_scope(inputs, overrides))
    cell_keys = [key for composition in COMPOSITIONS.values() for key in composition.parts.values()]
    indexes.build_primary(con, [(m.id, m.versions, m.is_rate) for m in MEASURES], cell_keys)
    indexes.store_table(con, "report_flags", compute_flags(con, settings))
    return con


def limit_memory(con: duckdb.DuckDBPyConnection) -> None:
    """Bound what the prepared snapshot holds in memory; beyond the limit DuckDB spills to a private folder."""
    spill = places.spill_dir()
    spill.mkdir(mode=0o700, exist_ok=True)
    store.limit_memory(con, places.duckdb_memory(), spill)
