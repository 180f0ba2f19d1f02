"""Extraction speed: the seed text and a 5-page PDF, as a user runs them (prints figures)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from pipeline.extract import extract_path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
ROOT = Path(__file__).resolve().parents[1]


def best_of(path: Path, runs: int = 5) -> float:
    """Fastest in-process extraction of one file, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        extract_path(path)
        times.append(time.perf_counter() - start)
    return min(times)


def cli_seconds(path: Path) -> float:
    """Wall time of `python -m pipeline extract FILE`, interpreter start-up included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "extract", str(path)], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    if not CORPUS.exists():
        print(f"benchmark skipped: public corpus not found at {CORPUS}")
        return
    for name in ("seed_sunjiatuan_2020.txt", "pingtan_syq_2021.txt", "shanghai_shizhengfu_bgt_2019.docx",
                 "shanghai_shizhengfu_bgt_2019_fragment.html", "huaian_hongze_qu_gov_2023.pdf"):
        path = CORPUS / name
        print(f"extract {name:45s} in-process {best_of(path) * 1000:8.1f} ms   CLI {cli_seconds(path):6.2f} s")


if __name__ == "__main__":
    main()
