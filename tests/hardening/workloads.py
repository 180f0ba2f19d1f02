"""Work functions for ingest's worker pool in tests: importable by name in a worker process."""

from __future__ import annotations

import os
import time


def echo_or_die(task: str) -> str:
    """'die' kills the worker process outright (as the OOM killer would), 'hang' never returns."""
    if task == "die":
        os._exit(9)
    if task == "hang":
        time.sleep(3600)
    return task.upper()


def steps_then_hang(task: str) -> str:
    """Reports five parts done, a second apart (like an OCR'd page each); 'hang' then never returns."""
    from pipeline import progress

    for done in range(1, 6):
        time.sleep(1.0)
        progress.step("OCR", done, 5)
    if task == "hang":
        time.sleep(3600)
    return task.upper()
