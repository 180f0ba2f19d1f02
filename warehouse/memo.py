"""Answers remembered per prepared snapshot: a snapshot never changes, so a question asked twice is read once.

A page asks the same thing more than once — every measure's coverage (its ranking and its
trend), a measure's kept reports (the ranking of one year and the trend over all). Each
`Memo` keeps its last few answers per connection, dropped with the connection (the
dashboard holds one prepared snapshot at a time), and is safe across the sessions that
share that connection.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable

import duckdb
import polars as pl

_EVERY: list[Memo] = []


class Memo:
    """The last `size` answers of one question per connection, by key; a key asked by two threads at once
    is asked of the database once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[Hashable, pl.DataFrame]] = (
            weakref.WeakKeyDictionary()
        )
        self._asking: dict[tuple[int, Hashable], threading.Lock] = {}
        self._lock = threading.Lock()
        _EVERY.append(self)

    def get(self, con: duckdb.DuckDBPyConnection, key: Hashable, ask: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """The remembered answer for `key`, or `ask()`'s, remembered in place of the oldest."""
        with self._lock:
            known = self._answers.setdefault(con, {}).get(key)
            if known is not None:
                return known
            asking = self._asking.setdefault((id(con), key), threading.Lock())
        with asking:  # a second thread asking the same waits here, then finds the answer
            with self._lock:
                known = self._answers.setdefault(con, {}).get(key)
            if known is None:
                try:
                    known = ask()
                    with self._lock:
                        kept = self._answers.setdefault(con, {})
                        while len(kept) >= self.size:
                            kept.pop(next(iter(kept)))
                        kept[key] = known
                finally:
                    with self._lock:
                        self._asking.pop((id(con), key), None)
        return known

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


def forget() -> None:
    """Drop every remembered answer (a benchmark times the queries of a page, not the memo)."""
    for memo in _EVERY:
        memo.clear()
