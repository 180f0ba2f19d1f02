"""PDF text-layer reading: seconds per 5-page report, PDFium against the pdfminer layer it replaced.

For each public-corpus PDF and one demo PDF, prints the best of five in-process runs of
`readers.pdf.read` (CPU seconds, steady on a busy machine, and wall seconds), scaled to
5 pages, and for comparison the CPU seconds pdfminer alone (through pdfplumber, as the
reader used it before issue 17) takes to parse the same pages' characters and graphics.
Run: `python benchmarks/pdf.py`.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2

from pipeline.readers import pdf

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
RUNS = 5


def best(run: Callable[[], object], clock: Callable[[], float]) -> float:
    """Fastest of RUNS calls, in seconds of `clock`."""
    times = []
    for _ in range(RUNS):
        start = clock()
        run()
        times.append(clock() - start)
    return min(times)


def pdfminer_layer(data: bytes) -> None:
    """What the old reader paid before any table finding: pdfminer's characters and rectangles."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        for page in document.pages:
            _ = page.chars, page.rects, page.lines


def demo_pdf() -> tuple[str, bytes]:
    """A clean demo report printed by the demo's PDF renderer."""
    from pipeline.demo.city import bodies
    from pipeline.demo.numbers import series
    from pipeline.demo.plan import plans
    from pipeline.demo.render import render
    from pipeline.demo.report import compose

    body = bodies("small")[0]
    plan = next(p for p in plans(body, 1, "small") if p.year == 2022)
    plan.form, plan.blemishes, plan.error, plan.scanned = "pdf", set(), None, False
    return "demo 2022 (reportlab)", render(compose(plan, series(body, 1)[2022], 1))


def main() -> None:
    files = [(path.name, path.read_bytes()) for path in sorted(CORPUS.glob("*.pdf"))] if CORPUS.exists() else []
    if not files:
        print(f"public corpus not found at {CORPUS}: demo PDF only")
    for name, data in [*files, demo_pdf()]:
        pages = len(pypdfium2.PdfDocument(data))
        per5 = 5 / pages
        cpu = best(lambda data=data, name=name: pdf.read(data, name), time.process_time) * per5
        wall = best(lambda data=data, name=name: pdf.read(data, name), time.perf_counter) * per5
        old = best(lambda data=data: pdfminer_layer(data), time.process_time) * per5
        print(
            f"{name:32s} {pages:2d} pages  per 5-page report: PDFium reader {cpu:.3f} s CPU, {wall:.3f} s wall"
            f"   (pdfminer layer alone {old:.3f} s CPU)"
        )


if __name__ == "__main__":
    main()
