"""Progress of one long parse, reported from inside a reader to whoever runs it.

OCR reads a scan page by page, for seconds to minutes a page. The ingest's worker pool
listens (`listen`) so that each finished page shows on the progress bar and renews the
file's time allowance: a scan of many pages is bounded per page, not cut off as a whole.
Elsewhere (an in-process read, the tests) nobody listens and a step costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Step(NamedTuple):
    """`done` of `total` units of `what` (e.g. OCR pages) finished in the current file."""

    what: str
    done: int
    total: int


_listeners: list[Callable[[Step], None]] = []  # at most one: the worker process's pool


def listen(callback: Callable[[Step], None]) -> None:
    """Receive every step reported in this process from now on."""
    _listeners[:] = [callback]


def step(what: str, done: int, total: int) -> None:
    """Report that `done` of `total` units of the current file are finished."""
    for callback in _listeners:
        callback(Step(what, done, total))
