"""Where the warehouse lives: one setting shared by every command and the dashboard."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "XXGK_WAREHOUSE"


def default_dir() -> Path:
    """The per-user default, under the XDG data folder so it survives reinstalls of the code."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "xxgk" / "warehouse"


def warehouse_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse folder: an explicit override, else $XXGK_WAREHOUSE, else the per-user default."""
    chosen = override or os.environ.get(ENV_VAR) or default_dir()
    return Path(chosen).expanduser().resolve()
