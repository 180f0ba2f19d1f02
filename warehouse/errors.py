"""What can be wrong with a warehouse folder, as exception types a caller can tell apart.

Kept free of heavy imports so the command line can catch them without loading DuckDB.
"""

from __future__ import annotations


class WarehouseError(Exception):
    """A warehouse that cannot be read or written as asked; the message says why and what to do."""


class WarehouseMissing(WarehouseError, FileNotFoundError):
    """No snapshot has been published in this folder yet: a normal state before the first ingest."""


class WarehouseDamaged(WarehouseError):
    """Snapshots are there but the state is unclear or unreadable: not empty, damaged.

    `problem` is the short cause without server paths (fit to show a viewer); the message
    adds the folder and what to do.
    """

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


class LockTimeout(WarehouseError):
    """Another ingest held the writer lock for longer than the caller would wait."""
