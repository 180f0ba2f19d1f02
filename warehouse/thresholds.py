"""Thresholds supervisors may tune for rankings, trends and flags; environment variables override them."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Thresholds supervisors may tune; environment variables override the defaults."""

    min_cases: int = 10  # a rate over fewer cases is 样本过少
    jump_factor: float = 3.0  # a year-over-year change by this factor or more is flagged
    jump_floor: float = 10.0  # ... where the larger of the two years reaches this
    outlier_z: float = 3.5  # robust z-score beyond which a body is far from its peers
    min_peers: int = 5  # peer groups smaller than this are not scored

    @classmethod
    def from_env(cls) -> Settings:
        """XXGK_MIN_CASES, XXGK_JUMP_FACTOR, XXGK_JUMP_FLOOR, XXGK_OUTLIER_Z, XXGK_MIN_PEERS."""
        defaults = cls()
        return cls(
            min_cases=int(os.environ.get("XXGK_MIN_CASES", defaults.min_cases)),
            jump_factor=float(os.environ.get("XXGK_JUMP_FACTOR", defaults.jump_factor)),
            jump_floor=float(os.environ.get("XXGK_JUMP_FLOOR", defaults.jump_floor)),
            outlier_z=float(os.environ.get("XXGK_OUTLIER_Z", defaults.outlier_z)),
            min_peers=int(os.environ.get("XXGK_MIN_PEERS", defaults.min_peers)),
        )
