"""The fast test tier under load (issue 12): N runs of `make test-fast`'s command in a row while
other processes keep every core busy; prints each run's seconds and pytest's last line.

The goal on the 2-core machine: every run green, each within 4 minutes.

    python benchmarks/tests_under_load.py [--runs 10] [--hogs 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST_TIER = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "worksteal", "-p", "no:cacheprovider"]


def spin() -> None:
    """What `yes > /dev/null` does: one core held until killed."""
    while True:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--hogs", type=int, default=2, help="busy processes beside the tests (default: one per core)")
    args = parser.parse_args()
    hogs = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.hogs)]
    for hog in hogs:
        hog.start()
    try:
        for run in range(1, args.runs + 1):
            start = time.perf_counter()
            done = subprocess.run(FAST_TIER, cwd=ROOT, capture_output=True, text=True)
            last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
            print(f"run {run}: {time.perf_counter() - start:5.0f} s, exit {done.returncode}: {last}", flush=True)
    finally:
        for hog in hogs:
            hog.kill()


if __name__ == "__main__":
    main()
