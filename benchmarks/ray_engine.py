"""Ingest throughput with the parse step on Ray (1 and 2 CPUs) beside the local pool (1 and 2 workers).

The batch is the first N reports of the demo world, each in the form the demo plans for it
(text, HTML, scraped, Word, PDF, …). Every run ingests the whole batch into a fresh
warehouse in this process (`pipeline.ingest.ingest`), so the figures cover the whole batch:
plan, parse, settle, build, publish. Starting Ray is timed apart (a cluster is started once
and serves many batches); Ray's figure is the ingest alone, on a Ray already up.

    python benchmarks/ray_engine.py            # 300 reports
    python benchmarks/ray_engine.py --n 50     # a quick look
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.demo import reports  # noqa: E402
from pipeline.demo.render import render  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402


def write_batch(folder: Path, n: int) -> None:
    """The first n demo reports, in their planned forms."""
    folder.mkdir(parents=True)
    for report, _ in zip(reports(1, "small"), range(n), strict=False):
        (folder / report.source).write_bytes(render(report))


def timed_ingest(folder: Path, warehouse: Path, workers: int, engine: str) -> tuple[float, str]:
    """Wall seconds of one ingest of the folder into a fresh warehouse, and its counts."""
    start = time.perf_counter()
    summary = ingest([folder], warehouse, workers=workers, synthetic=True, progress=False, engine=engine)
    return time.perf_counter() - start, ", ".join(f"{k} {v}" for k, v in summary.counts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="reports in the batch")
    n = parser.parse_args().n
    import ray

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-ray-") as tmp:
        root = Path(tmp)
        write_batch(root / "in", n)
        print(f"{n} demo reports, every form; whole ingest into a fresh warehouse")
        for cpus in (1, 2):
            seconds, counts = timed_ingest(root / "in", root / f"local{cpus}", cpus, "local")
            print(f"  {f'local pool, {cpus} worker(s)':24s} {seconds:7.1f} s {n / seconds:7.1f} reports/s   {counts}")
        for cpus in (1, 2):
            start = time.perf_counter()
            ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, configure_logging=False)
            started = time.perf_counter() - start
            try:
                seconds, counts = timed_ingest(root / "in", root / f"ray{cpus}", cpus, "ray")
            finally:
                ray.shutdown()
            print(
                f"  {f'Ray, {cpus} CPU(s)':24s} {seconds:7.1f} s {n / seconds:7.1f} reports/s   {counts}  (start {started:.1f} s)"
            )


if __name__ == "__main__":
    main()
