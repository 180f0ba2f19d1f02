"""Where the warehouse lives and how long a writer waits for it: settings shared by every
command and the dashboard."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

ENV_VAR = "XXGK_WAREHOUSE"
LOCK_TIMEOUT_ENV = "XXGK_LOCK_TIMEOUT"
#: Seconds an ingest waits for another one to finish before giving up: longer than a large
#: batch usually takes, short enough that a stuck job is noticed.
DEFAULT_LOCK_TIMEOUT = 600.0


MEMORY_ENV = "XXGK_DUCKDB_MEMORY"
#: What the dashboard's prepared snapshot may hold in memory before DuckDB spills to disk: the
#: dashboard's budget at national scale (issue 17: the process within 4 GB at 1,000,000 reports,
#: where it peaks at 3.9 GB with its pages within 0.7 s; docs/scale.md).
DEFAULT_MEMORY = "3GB"
MEMORY_SIZE = re.compile(r"^\d+(?:\.\d+)?\s*(?:[KMGT]i?B)$", re.IGNORECASE)


def default_dir() -> Path:
    """The per-user default, under the XDG data folder so it survives reinstalls of the code."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "xxgk" / "warehouse"


def warehouse_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse folder: an explicit override, else $XXGK_WAREHOUSE, else the per-user default."""
    chosen = override or os.environ.get(ENV_VAR) or default_dir()
    return Path(chosen).expanduser().resolve()


def lock_timeout(override: float | None = None) -> float:
    """Seconds to wait for the writer lock: an explicit override, else $XXGK_LOCK_TIMEOUT, else 600."""
    if override is not None:
        return max(0.0, float(override))
    given = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    try:
        return max(0.0, float(given)) if given else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        raise ValueError(f"{LOCK_TIMEOUT_ENV}={given!r} is not a number of seconds") from None


def duckdb_memory() -> str:
    """DuckDB's memory_limit for the dashboard: $XXGK_DUCKDB_MEMORY (e.g. 8GB), else 3GB."""
    given = os.environ.get(MEMORY_ENV, "").strip() or DEFAULT_MEMORY
    if not MEMORY_SIZE.match(given):
        raise ValueError(f"{MEMORY_ENV}={given!r} is not a size such as 4GB or 512MB")
    return given


def spill_dir() -> Path:
    """Where DuckDB writes what does not fit in its memory limit: a private folder in the system's temp."""
    return Path(tempfile.gettempdir()) / f"xxgk-duckdb-{os.getuid()}"


#: Files a user may keep in the warehouse folder beside the snapshots (the demo writes its own):
#: the bodies expected to report (coverage) and decisions on what a report covers (scope).
REGISTER_FILE = "register.csv"
SCOPE_FILE = "report_scope.csv"
