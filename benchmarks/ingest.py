"""Ingest throughput (reports per second, per form) and peak memory, for 1,000 and 10,000 reports.

The public corpus is replicated up to N files, split evenly over its forms (txt, html,
markdown, pdf, docx). Text copies become distinct bodies of a fictional city (a prefix
such as 一七市 before the body's name, the same for every year of a series, so bodies keep
their multi-year series); binary copies get bytes appended, so they stay the same body
(flagged duplicates) with distinct hashes. Each form is ingested as one batch through
the command line into one warehouse, as a user would; memory is the peak total RSS of
the ingest's process tree (main process, forkserver and pool workers). A last run
re-ingests everything unchanged.

    python benchmarks/ingest.py              # 1,000 and 10,000 reports (several minutes)
    python benchmarks/ingest.py --n 200      # a quick look
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

from pipeline.extract import extract_path  # noqa: E402

TEXT_FORMS = {".txt", ".html", ".md"}
DIGITS = "〇一二三四五六七八九"


def corpus_by_form() -> dict[str, list[tuple[Path, str | None]]]:
    """The corpus's reports grouped by suffix, each with the body name it prints."""
    forms: dict[str, list[tuple[Path, str | None]]] = defaultdict(list)
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in TEXT_FORMS | {".pdf", ".docx"}:
            continue
        try:
            agency = extract_path(path).agency
        except Exception:
            continue
        if agency:
            forms[path.suffix.lstrip(".")].append((path, agency))
    return dict(forms)


def replicate(sources: list[tuple[Path, str | None]], n: int, folder: Path) -> None:
    """n distinct files from the sources, round-robin: copy k of every source shares one body."""
    folder.mkdir(parents=True)
    for i in range(n):
        path, agency = sources[i % len(sources)]
        k = i // len(sources)
        target = folder / f"{path.stem}_{k:05d}{path.suffix}"
        if path.suffix in TEXT_FORMS:
            prefix = "".join(DIGITS[int(d)] for d in str(k)) + "市"
            target.write_text(path.read_text(encoding="utf-8").replace(agency, prefix + agency), encoding="utf-8")
        else:
            target.write_bytes(path.read_bytes() + b"\n%" + str(k).encode() + b"\n")


def tree_rss(pgid: int) -> int:
    """Total resident memory (bytes) of the processes in one process group."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_ingest(folder: Path, warehouse: Path, workers: int) -> tuple[float, int, str]:
    """Wall seconds, peak RSS of the process tree, and the command's summary line."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "ingest", str(folder), "--warehouse", str(warehouse), "--workers", str(workers)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    return time.perf_counter() - start, peak, output.splitlines()[0] if output else f"exit {process.returncode}"


def bench(n: int, workers: int, forms: dict[str, list[tuple[Path, str | None]]]) -> None:
    """One warehouse of n reports: a batch per form, then an unchanged re-ingest of all."""
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        root = Path(tmp)
        per_form = n // len(forms)
        for form, sources in forms.items():
            replicate(sources, per_form, root / "in" / form)
        print(f"\n{per_form * len(forms):,} reports ({per_form:,} per form), {workers} workers")
        total_time, peak = 0.0, 0
        for form in forms:
            seconds, rss, line = run_ingest(root / "in" / form, root / "wh", workers)
            total_time, peak = total_time + seconds, max(peak, rss)
            print(f"  {form:5s} {per_form:7,} reports {seconds:8.1f} s {per_form / seconds:8.1f} reports/s"
                  f"   peak {rss / 2**20:7.0f} MiB   {line.split(' -> ')[0]}")
        print(f"  all   {per_form * len(forms):7,} reports {total_time:8.1f} s"
              f" {per_form * len(forms) / total_time:8.1f} reports/s"
              f"   peak {peak / 2**20:7.0f} MiB")
        seconds, rss, line = run_ingest(root / "in", root / "wh", workers)
        size = sum(p.stat().st_size for p in (root / "wh" / "tables").rglob("*") if p.is_file())
        print(f"  re-ingest of all, unchanged: {seconds:.1f} s, peak {rss / 2**20:.0f} MiB ({line.split(' -> ')[0]})")
        print(f"  warehouse tables on disk (every version the kept pointers need): {size / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000], help="report counts to benchmark")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"benchmark skipped: public corpus not found at {CORPUS}")
        return
    forms = corpus_by_form()
    for n in args.n:
        bench(n, args.workers, forms)


if __name__ == "__main__":
    main()
