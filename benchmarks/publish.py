"""What one publish costs on a large warehouse (issue #17): ingesting one new file, and replacing one.

Warehouses of 10,000 and 100,000 reports are made as benchmarks/dashboard.py makes them (the demo
warehouse's rows copied under new report and body ids, published as Delta tables). Then, through
the real command (`python -m pipeline ingest FILE --warehouse WH --workers 1`), as a user would:

1. one new file: a text report of the demo city with a line appended (a new report of a body
   that already has its seven years, so its duplicate flags and cross-year checks are recomputed);
2. the same path with other bytes: the report replaced;
3. the same file again: nothing changes, nothing is published;
4. steps 1 and 2 again through `pipeline.ingest.ingest` in this process, whose imports are
   warm: what a publish costs without starting an interpreter and the parse pool.

For each it prints the wall time, the peak RSS of the ingest's process tree (steps 1-3) and the
bytes the publish wrote under tables/ (new or changed files: data files and log entries).

    python benchmarks/publish.py [--sizes 10000 100000] [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "benchmarks"))

import dashboard  # noqa: E402
from ingest import run_ingest  # noqa: E402

from pipeline.ingest import ingest  # noqa: E402
from warehouse import store  # noqa: E402


def files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under a folder with its size and modification time."""
    return {str(p): (s.st_size, s.st_mtime_ns) for p in folder.rglob("*") if p.is_file() and (s := p.stat())}


def step(name: str, path: Path, warehouse: Path) -> None:
    """Ingest one file through the command line; print wall time, peak RSS, bytes written under tables/."""
    before = files(warehouse / store.TABLES_DIR)
    seconds, rss, line = run_ingest(path, warehouse, 1)
    after = files(warehouse / store.TABLES_DIR)
    written = sum(size for p, (size, mtime) in after.items() if before.get(p) != (size, mtime))
    print(f"  {name:24s} {seconds:7.2f} s   peak {rss / 2**20:6.0f} MiB   {written / 2**20:8.2f} MiB written   "
          f"{line.split(' -> ')[0]}")  # fmt: skip


def bench(source: Path, work: Path, reports: int) -> None:
    warehouse = dashboard.replicate(source, work / f"wh-{reports}", reports)
    with store.connect(warehouse) as con:
        have = con.execute("SELECT count(*) FROM reports").fetchone()[0]
        t3 = con.execute("SELECT count(*) FROM t3_facts").fetchone()[0]
    size = sum(s for s, _ in files(warehouse / store.TABLES_DIR).values())
    print(f"\n{have:,} reports ({t3:,} t3_facts rows), {size / 2**20:,.0f} MiB of tables")
    original = dashboard.text_source(source).read_bytes()
    new = work / "in" / "new-report.txt"
    new.parent.mkdir(exist_ok=True)
    new.write_bytes(original + f"\n<!-- publish benchmark {reports} -->\n".encode())
    step("1. ingest one new file", new, warehouse)
    new.write_bytes(original + f"\n<!-- publish benchmark {reports}, corrected -->\n".encode())
    step("2. replace it", new, warehouse)
    step("3. the same file again", new, warehouse)
    other = new.with_name("another-report.txt")  # a new path: a new report, then its replacement
    for name, note in (("4. in-process: a new one", "in-process"), ("   in-process: replace it", "in-process, corrected")):
        other.write_bytes(original + f"\n<!-- publish benchmark {reports}, {note} -->\n".encode())
        start = time.perf_counter()
        summary = ingest([other], warehouse, workers=1, progress=False)
        print(f"  {name:24s} {time.perf_counter() - start:7.2f} s   {summary.counts}")
    shutil.rmtree(warehouse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-publish-", dir=args.work) as scratch:
        work = Path(scratch)
        source = dashboard.demo_source(work)
        for reports in args.sizes:
            bench(source, work, reports)


if __name__ == "__main__":
    main()
