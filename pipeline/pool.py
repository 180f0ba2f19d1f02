"""The parse pool: one file per worker process at a time, so a hostile file can be stopped alone.

Each task gets `limits.PARSE_SECONDS` of wall-clock time, counted from the moment its worker
is up and renewed whenever the file reports progress (`pipeline.progress`: each OCR'd page,
shown on the progress bar); a worker still busy after that is killed and the task fails with
the time-limit reason. A worker's data segment is capped at `limits.WORKER_MEMORY_BYTES` (RLIMIT_DATA), so
a file that needs more fails with MemoryError inside it. A worker that dies (the kernel's
OOM killer, a crash in a C library) fails only its own task. A fresh worker takes the next
task in every case, so one file never stops a batch.

Hand-written rather than a library pool. pebble's ProcessPool was considered: it times a
task from its start in a worker, can set RLIMIT_DATA in an initializer and reports a dead
worker as ProcessExpired; but a worker that dies with no task running (one that cannot start
under a low memory limit, say) ends its pool with BrokenProcessPool, stopping the batch
instead of failing one file, and it adds three manager threads and a dependency for what is
about a hundred lines here, each path of which tests/hardening exercises.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import TypeVar

from tqdm import tqdm

from pipeline import limits
from pipeline.progress import Step, listen

#: How long a new worker process may take to start (imports included) before the batch gives up.
WORKER_START_SECONDS = 120

T = TypeVar("T")
R = TypeVar("R")


def run_pool(
    work: Callable[[T], R], tasks: list[T], workers: int, progress: bool, desc: str,
    failed: Callable[[T, str], R] | None = None,
) -> Iterator[R]:
    """Run `work` over the tasks in worker processes, yielding results as they finish, with a progress bar.

    `work` must be a module-level function (workers import its module). A task over the
    time limit, or whose worker dies, yields `failed(task, reason)` instead of a result.
    """
    if not tasks:
        return
    failed = failed or (lambda task, reason: None)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([work.__module__])  # takes effect where no forkserver runs yet
    seconds = limits.PARSE_SECONDS
    waiting = list(reversed(tasks))
    idle: list[_Worker] = []
    busy: dict[Connection, tuple[_Worker, T, float]] = {}
    with tqdm(total=len(tasks), unit="report", desc=desc, disable=None if progress else True, file=sys.stderr) as bar:
        try:
            while waiting or busy:
                while waiting and len(busy) < max(1, workers):
                    worker = idle.pop() if idle else _Worker(context, work)
                    task = waiting.pop()
                    worker.conn.send(task)
                    busy[worker.conn] = (worker, task, time.monotonic() + seconds)
                soonest = min(deadline for _worker, _task, deadline in busy.values())
                for conn in wait(list(busy), timeout=max(0.0, soonest - time.monotonic())):
                    worker, task, _deadline = busy.pop(conn)
                    try:
                        result = conn.recv()
                    except (EOFError, OSError):  # killed from outside (e.g. the kernel's OOM killer) or crashed
                        worker.kill()
                        result = failed(task, limits.worker_died_reason(worker.process.exitcode))
                    else:
                        if isinstance(result, Step):  # still working: a fresh allowance for the next part
                            busy[conn] = (worker, task, time.monotonic() + seconds)
                            bar.set_postfix_str(f"{result.what} {result.done}/{result.total}", refresh=True)
                            continue
                        idle.append(worker)
                    bar.update()
                    yield result
                now = time.monotonic()
                for conn, (worker, task, deadline) in list(busy.items()):
                    if deadline <= now:
                        del busy[conn]
                        worker.kill()
                        bar.update()
                        yield failed(task, limits.time_limit_reason(seconds))
        finally:
            for worker in idle:
                worker.stop()
            for worker, _task, _deadline in busy.values():
                worker.kill()


class _Worker:
    """One worker process serving tasks over a pipe, one at a time, so it can be killed alone."""

    def __init__(self, context: multiprocessing.context.BaseContext, work: Callable) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work, limits.WORKER_MEMORY_BYTES), daemon=True)
        with _bare_main():
            self.process.start()
        child.close()  # only the worker holds its end now: its death reads as EOF here
        # The clock of a task starts once the worker is up: the first start waits for the forkserver's imports.
        try:
            ready = self.conn.poll(WORKER_START_SECONDS) and self.conn.recv() == "ready"
        except (EOFError, OSError):  # it died starting, e.g. a __main__ that cannot be re-imported
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError(f"a parse worker did not start within {WORKER_START_SECONDS} s (exit {self.process.exitcode})")

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


@contextmanager
def _bare_main() -> Iterator[None]:
    """Start a worker that imports only the pipeline.

    multiprocessing makes a new process re-import the starting program's `__main__` file: under
    the dashboard that is the running page script (which would draw a page inside the worker),
    under Streamlit's AppTest the app. A bare `__main__` stands in while the worker starts.
    """
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def _serve(conn: Connection, work: Callable, memory: int) -> None:
    """Worker loop: run tasks until told to stop, within the memory allowance."""
    limits.cap_memory(memory)
    conn.send("ready")
    listen(conn.send)
    while (task := conn.recv()) is not None:
        conn.send(work(task))
