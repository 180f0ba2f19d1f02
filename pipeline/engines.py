"""Where the parse step runs: the local pool (`pipeline.pool`, the default) or a Ray cluster.

`runner(engine, address)` is the one place an ingest chooses; both runners have the
signature of `pool.run_pool` and yield the same results, so staging, settling, building
and publishing stay on one path with one writer (the ingest's own process). Only the pure
per-file parse moves: each file becomes one Ray task, under the limits a pool worker has.

- **Memory**: the task sets its worker's RLIMIT_DATA to `limits.WORKER_MEMORY_BYTES`, as a
  pool worker does, so a file that needs more fails inside with MemoryError.
- **Time**: the task arms a SIGALRM timer of `limits.PARSE_SECONDS` (Ray runs a task on its
  worker's main thread), renewed by every progress step (`pipeline.progress`, one per OCR'd
  page) as in the pool. The alarm ends Python code. Native code that holds the interpreter
  (no Python signal handler runs inside it) is ended `HARD_STOP_SECONDS` later by the
  kernel: the task's CPU-time limit (RLIMIT_CPU, SIGXCPU) if it computes, a timer thread
  that exits the worker if it waits; the worker dies then and the file fails as a crash.
- **Crashes**: a worker that dies (those hard stops, the OOM killer, a crash in a C
  library) or a task that raises fails only its own file; tasks are never retried, since a
  file that killed one worker would kill the next.

Every failure becomes `failed(task, reason)` on the driver with the pool's reasons
(`pipeline.limits`), so a Ray batch and a local batch quarantine a file alike.

Ray is imported only when asked for: the product runs without it (`pip install -e '.[ray]'`).
Inputs may also be filesystem URLs (`localise`): `file://` names a local path; any other
scheme pyarrow knows (s3://, gs://, hdfs://, abfs://) is copied into the warehouse first.
"""

from __future__ import annotations

import math
import os
import resource
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from pipeline import limits, progress
from pipeline.pool import run_pool

ENGINES = ("local", "ray")
#: Grace after the time limit before a task stuck in native code has its worker exit.
HARD_STOP_SECONDS = 10.0
#: Tasks in flight per CPU of the cluster: enough to keep every CPU busy, few enough that a
#: million-file batch is not submitted (and held by Ray) at once.
TASKS_PER_CPU = 2
#: Where inputs named by a remote URL are copied, inside the warehouse.
FETCHED_DIR = "fetched"

T = TypeVar("T")
R = TypeVar("R")
Runner = Callable[..., Iterator[Any]]


class EngineUnavailable(RuntimeError):
    """The engine asked for is not installed."""


def runner(engine: str = "local", address: str | None = None) -> Runner:
    """The parse runner of an engine, with `run_pool`'s signature."""
    if engine == "local":
        return run_pool
    if engine == "ray":
        _ray()  # fail before the batch starts, not in the middle of it

        def run(work: Callable[[T], R], tasks: list[T], workers: int, progress: bool, desc: str,
                failed: Callable[[T, str], R] | None = None) -> Iterator[R]:  # fmt: skip
            return run_ray(work, tasks, workers, progress, desc, failed, address)

        return run
    raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")


def _ray() -> Any:
    """The ray module, or a clear error naming the extra to install."""
    try:
        import ray
    except ImportError as exc:
        raise EngineUnavailable("--engine ray needs Ray: install the ray extra (pip install -e '.[ray]')") from exc
    return ray


# ---------------------------------------------------------------- the driver


def run_ray(
    work: Callable[[T], R],
    tasks: list[T],
    workers: int,
    progress: bool,
    desc: str,
    failed: Callable[[T, str], R] | None = None,
    address: str | None = None,
) -> Iterator[R]:
    """Run `work` over the tasks as Ray tasks, yielding results as they finish, like `run_pool`.

    Joins the cluster at `address` (`auto`: the one `ray start` began on this machine), or
    else starts a local Ray with `workers` CPUs; a Ray this process had already started is
    used as it is. `work` must be importable by name on every node (the project installed).
    """
    if not tasks:
        return
    ray = _ray()
    failed = failed or (lambda task, reason: None)
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=address, num_cpus=None if address else max(1, workers), include_dashboard=False,
            log_to_driver=False, configure_logging=False,
        )  # fmt: skip
    try:
        window = TASKS_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", workers)))
        remote = ray.remote(_limited).options(num_cpus=1, max_retries=0, retry_exceptions=False)
        limits_now = (limits.PARSE_SECONDS, limits.WORKER_MEMORY_BYTES, HARD_STOP_SECONDS)  # the driver's, read now
        waiting = list(reversed(tasks))
        pending: dict[Any, T] = {}
        with tqdm(total=len(tasks), unit="report", desc=desc, disable=None if progress else True, file=sys.stderr) as bar:
            while waiting or pending:
                while waiting and len(pending) < window:
                    task = waiting.pop()
                    pending[remote.remote(work, task, *limits_now)] = task
                (ref,), _rest = ray.wait(list(pending), num_returns=1)
                task = pending.pop(ref)
                bar.update()
                yield _outcome(ray, ref, task, failed, limits_now[1])
    finally:
        if started:
            ray.shutdown()


def _outcome(ray: Any, ref: Any, task: T, failed: Callable[[T, str], R], memory: int) -> R:
    """The result of one finished Ray task, or `failed(task, reason)` with the pool's reasons."""
    try:
        result = ray.get(ref)
    except ray.exceptions.OutOfMemoryError:  # Ray's own monitor killed the worker: the node ran short
        return failed(task, f"{limits.MEMORY_LIMIT_REASON} (Ray node)")
    except ray.exceptions.RayTaskError as exc:  # `work` raised: a bug, or memory it could not have, but one file's
        cause = exc.cause
        if isinstance(cause, MemoryError):
            return failed(task, limits.memory_limit_reason(memory))
        return failed(task, f"extractor failed: {type(cause).__name__}: {cause}")
    except ray.exceptions.RayError as exc:  # the worker or its node died (WorkerCrashedError, NodeDiedError, …)
        return failed(task, f"{limits.WORKER_DIED_REASON} ({type(exc).__name__})")
    if isinstance(result, _OverTime):
        return failed(task, limits.time_limit_reason(result.seconds))
    return result


# ---------------------------------------------------------------- inside a Ray task


class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so the parse's own `except Exception` lets it through."""


class _OverTime:
    """What a task returns in place of its result when the time limit ended it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


def _limited(work: Callable[[T], R], task: T, seconds: float, memory: int, hard_stop: float) -> R | _OverTime:
    """Ray task: `work(task)` under the memory and time limits of a pool worker."""
    limits.cap_memory(memory)
    clock = _Clock(seconds, hard_stop, task)
    previous = signal.signal(signal.SIGALRM, clock.ring)
    progress.listen(lambda step: clock.arm())  # each page done renews the allowance, as in the pool
    try:
        clock.arm()
        return work(task)
    except _TimeUp:
        return _OverTime(seconds)
    finally:
        clock.stop()
        progress.listen(lambda step: None)
        signal.signal(signal.SIGALRM, previous)


class _Clock:
    """The time allowance of one task: an alarm for Python code, hard stops for native code."""

    def __init__(self, seconds: float, hard_stop: float, task: object) -> None:
        self.seconds, self.hard_stop, self.task = seconds, hard_stop, task
        self.hard: threading.Timer | None = None

    def arm(self) -> None:
        """Start (or renew) the allowance from now."""
        self.stop()
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = math.ceil(usage.ru_utime + usage.ru_stime + self.seconds + self.hard_stop)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))
        self.hard = threading.Timer(self.seconds + self.hard_stop, self.exit)
        self.hard.daemon = True
        self.hard.start()

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
        if self.hard is not None:
            self.hard.cancel()

    def ring(self, signum: int, frame: object) -> None:
        raise _TimeUp

    def exit(self) -> None:
        """The alarm did not end the task (native code waits, the interpreter released): end the worker."""
        print(f"{self.task}: {limits.time_limit_reason(self.seconds)}; stuck in native code, worker exits", file=sys.stderr)
        os._exit(1)


# ---------------------------------------------------------------- inputs named by URL


def localise(given: list[str], warehouse: Path) -> list[str]:
    """The inputs as local paths: a `file://` URL becomes its path, a URL of a remote filesystem
    (any pyarrow knows) is copied under `<warehouse>/fetched/<scheme>/…` (a file or a folder;
    copied again on every run, so a changed file is read as changed); plain paths pass through."""
    out = []
    for item in given:
        if "://" not in item:
            out.append(item)
            continue
        from pyarrow import fs

        filesystem, path = fs.FileSystem.from_uri(item)
        if isinstance(filesystem, fs.LocalFileSystem):
            out.append(path)
        else:
            scheme = item.split("://", 1)[0]
            out.append(str(fetch(filesystem, path, warehouse / FETCHED_DIR / scheme / path.lstrip("/"))))
    return out


def fetch(filesystem: Any, path: str, target: Path) -> Path:
    """Copy a file, or every file below a folder, of a pyarrow filesystem to `target`."""
    from pyarrow import fs

    info = filesystem.get_file_info(path)
    if info.type == fs.FileType.NotFound:
        return target  # reported as not found, like a missing local path
    files = [info] if info.type == fs.FileType.File else filesystem.get_file_info(fs.FileSelector(path, recursive=True))
    for item in files:
        if item.type != fs.FileType.File:
            continue
        local = target if item.path == info.path else target / Path(item.path).relative_to(info.path)
        local.parent.mkdir(parents=True, exist_ok=True)
        part = local.with_name(f".{local.name}.part")  # hidden: an ingest never walks it
        with filesystem.open_input_stream(item.path) as source, open(part, "wb") as sink:
            while block := source.read(1 << 20):
                sink.write(block)
        part.replace(local)
    return target
