"""The writer lock: one ingest at a time, and a second one that says whom it waits for.

`.lock` holds the pid of the ingest holding it, so a waiting one can name it. The lock is
an `flock`: the kernel releases it when its holder dies, so a killed ingest never leaves
the warehouse locked (a stale pid in the file is only ever shown, never trusted).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from warehouse.errors import LockTimeout
from warehouse.settings import lock_timeout
from warehouse.store import LOCK

#: How often a waiting writer tries the lock again.
POLL_SECONDS = 0.2


@contextmanager
def writer_lock(
    warehouse: Path, timeout: float | None = None, waiting: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's writer lock; wait at most `timeout` seconds (default: the
    `lock_timeout` setting), telling `waiting` once whom it waits for, then raise LockTimeout."""
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / LOCK
    with open(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8") as handle:
        _acquire(handle, path, lock_timeout(timeout), waiting or (lambda message: None))
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle: IO[str], path: Path, timeout: float, waiting: Callable[[str], None]) -> None:
    """Take the lock at once, or poll for it until the deadline."""
    if _try(handle):
        return
    holder = _holder(path)
    waiting(f"waiting for another ingest (pid {holder}) to finish, at most {timeout:g} s (--lock-timeout)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        if _try(handle):
            return
    raise LockTimeout(
        f"another ingest (pid {_holder(path) or holder}) still holds {path} after {timeout:g} s; "
        "try again when it has finished, or wait longer with --lock-timeout SECONDS"
    )


def _try(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    """The pid the lock's holder wrote ('unknown' while it has not yet written it)."""
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"
