"""Extraction speed (prints figures): demo reports per CPU-second in the text forms, then the
seed text and a 5-page PDF of the public corpus, as a user runs them.

    python benchmarks/extract.py                 # both
    python benchmarks/extract.py --reports 20    # a quick look at the demo forms

The demo reports are the first of the demo city's (seed 1, small scale), each re-rendered in
every text form by the demo's own renderers, read and extracted in this one process; the
figure is reports per CPU-second, so per core, best of a few passes (a busy machine only
slows a pass down).
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))  # measure this checkout, not an installed copy

from pipeline.demo import reports  # noqa: E402
from pipeline.demo.numbers import series  # noqa: E402
from pipeline.demo.render import render  # noqa: E402
from pipeline.demo.report import compose  # noqa: E402
from pipeline.extract import extract_bytes, extract_path  # noqa: E402

SEED = 1
TEXT_FORMS = ("text", "html", "scraped")


def demo_inputs(form: str, count: int) -> list[tuple[bytes, str]]:
    """The first `count` demo reports rendered in one form: (file bytes, file name)."""
    out: list[tuple[bytes, str]] = []
    for report in reports(SEED, "small"):
        plan = copy.copy(report.plan)
        plan.form, plan.scanned = form, False
        if form == "scraped":
            plan.blemishes = set()  # a scraped page shows no layout flaws (demo.plan)
        again = compose(plan, series(plan.body, SEED)[plan.year], SEED)
        out.append((render(again), again.source))
        if len(out) == count:
            break
    return out


def reports_per_core(inputs: list[tuple[bytes, str]], passes: int) -> float:
    """Reports extracted per CPU-second of this process, best of `passes` passes."""
    extract_bytes(*inputs[0])  # warm: imports and compiled patterns
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        for data, name in inputs:
            extract_bytes(data, name)
        best = min(best, time.process_time() - start)
    return len(inputs) / best


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=60, help="demo reports per form")
    parser.add_argument("--passes", type=int, default=5, help="passes over them; the fastest counts")
    args = parser.parse_args()
    for form in TEXT_FORMS:
        inputs = demo_inputs(form, args.reports)
        rate = reports_per_core(inputs, args.passes)
        print(f"demo {form:8s} {len(inputs):4d} reports {rate:7.1f} reports/s/core")
    if not CORPUS.exists():
        print(f"corpus benchmark skipped: public corpus not found at {CORPUS}")
        return
    for name in (
        "seed_sunjiatuan_2020.txt",
        "pingtan_syq_2021.txt",
        "shanghai_shizhengfu_bgt_2019.docx",
        "shanghai_shizhengfu_bgt_2019_fragment.html",
        "huaian_hongze_qu_gov_2023.pdf",
    ):
        path = CORPUS / name
        print(f"extract {name:45s} in-process {best_of(path) * 1000:8.1f} ms   CLI {cli_seconds(path):6.2f} s")


if __name__ == "__main__":
    main()
