"""Independent questions of one page asked side by side, one per core.

A query reads an in-memory table on one core, and a page asks several that do not depend on
each other (five headline figures; a ranking and a trend for each of five measures). Asked
side by side they take the time of the longest share instead of the sum. Workers only
compute (no Streamlit calls); each query runs on a cursor of its own (`warehouse.sql`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Worker threads are named so a timer of the page's queries can tell their calls from the page's own.
THREAD_PREFIX = "xxgk-query"
_POOL = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)), thread_name_prefix=THREAD_PREFIX)


def each(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`function` of every item, in the items' order, asked side by side; the first error is raised.

    Asked from a worker (a question that asks side by side in turn) the items run one after
    another there: a worker waiting on the pool it occupies could wait for ever.
    """
    if threading.current_thread().name.startswith(THREAD_PREFIX):
        return [function(item) for item in items]
    return list(_POOL.map(function, items))


def together(*calls: Callable[[], R]) -> list[R]:
    """The answers of different questions (functions of nothing), in their order, asked side by side."""
    return each(lambda call: call(), calls)
