"""Putting decoded cells into a record: decided keys as values, undecided ones as candidates.

Shared by the table extractors and the cross-year resolver so that "decided" means
the same everywhere: a key is decided when every surviving decoding agrees on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.extract.arithmetic import Assignment
from pipeline.record import Record, Value


def settle(record: Record, group: str, options: Sequence[Assignment], raw: str, where: str) -> None:
    """Record the keys all options agree on; keep the rest as one candidate group."""
    record.candidates.pop(group, None)
    record.candidate_sources.pop(group, None)
    if not options:
        return
    keys = list(options[0])
    agreed = [k for k in keys if len({o[k] for o in options}) == 1]
    for key in agreed:
        record.values[key] = Value(options[0][key], raw, "reported", where)
    open_keys = [k for k in keys if k not in agreed]
    if open_keys:
        distinct = _unique([{k: o[k] for k in open_keys} for o in options])
        record.candidates[group] = distinct
        record.candidate_sources[group] = Value(None, raw, "reported", where)


def _unique(options: Iterable[Assignment]) -> list[Assignment]:
    """Options without repeats, first-seen order kept (by hash: up to 20,000 options come here)."""
    seen: dict[frozenset, Assignment] = {}
    for option in options:
        seen.setdefault(frozenset(option.items()), option)
    return list(seen.values())
