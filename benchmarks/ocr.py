"""OCR engines on the scanned variant: field accuracy against its truth and seconds per page.

Both engines read the same crops — the cells and text lines that `readers.grid` finds on
the page rendered at 200 dpi — so the comparison is of the recognisers alone:

- PP-OCRv4 (the model inside the `rapidocr-onnxruntime` wheel, run by onnxruntime on
  one thread): what xxgk uses;
- Debian's tesseract 5 with `chi_sim` (`OMP_THREAD_LIMIT=1`), all of a page's crops
  stacked into one image and read in one call (`--psm 6`), each text line mapped back
  to its crop.

Prints, per engine, the field accuracy of the whole record (evaluate's rule: the key
present with the same value), the CPU seconds per page (steady on a busy machine), the
ratio to the text-layer path (the same report's PDF with a text layer, from the public
corpus), and the wall seconds per page.
Run: `python benchmarks/ocr.py [--engines ppocr tesseract]`. CPU is shared: it reads the
5 pages once per engine, with the OCR cache off.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

os.environ["XXGK_OCR_CACHE"] = "off"
os.environ.setdefault("XXGK_OCR_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from PIL import Image

from pipeline.evaluate import same
from pipeline.extract import extract_bytes, extract_path
from pipeline.readers import ocr
from pipeline.readers.ocr_engine import Glyph, Reading, recogniser

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCAN = SHARED / "variants" / "huaian_hongze_qu_gov_2023_scan.pdf"
TRUTH = SHARED / "variants" / "truth" / "huaian_hongze_qu_gov_2023_scan.json"
TEXT_LAYER = SHARED / "corpus" / "huaian_hongze_qu_gov_2023.pdf"
GAP = 24  # white rows between stacked crops


class Tesseract:
    """Tesseract as a drop-in recogniser: one process per batch of crops."""

    def read(self, crops: list[np.ndarray]) -> list[Reading]:
        if not crops:
            return []
        width = max(c.shape[1] for c in crops) + 2 * GAP
        spans, y = [], GAP
        for crop in crops:
            spans.append((y, y + crop.shape[0]))
            y += crop.shape[0] + GAP
        sheet = np.full((y, width), 255, dtype=np.uint8)
        for crop, (top, bottom) in zip(crops, spans, strict=False):
            sheet[top:bottom, GAP : GAP + crop.shape[1]] = crop
        with tempfile.NamedTemporaryFile(suffix=".png") as image:
            Image.fromarray(sheet).save(image.name)
            tsv = subprocess.run(["tesseract", image.name, "stdout", "-l", "chi_sim", "--psm", "6", "tsv"],
                                 capture_output=True, text=True, check=False,
                                 env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
        words: list[list[Glyph]] = [[] for _ in crops]
        for row in tsv.splitlines()[1:]:
            parts = row.split("\t")
            if len(parts) < 12 or not parts[11].strip():
                continue
            centre = int(parts[7]) + int(parts[9]) / 2
            index = next((i for i, (top, bottom) in enumerate(spans) if top - GAP / 2 <= centre <= bottom + GAP / 2), None)
            if index is not None:
                words[index] += [Glyph(ch, max(float(parts[10]), 0) / 100, ()) for ch in parts[11]]
        return [Reading(tuple(w)) for w in words]


def accuracy(record_values: dict, truth: dict) -> tuple[int, int]:
    """Correct fields and total, as `python -m pipeline evaluate` counts them."""
    correct = sum(1 for k, v in truth["values"].items() if k in record_values and same(v, record_values[k]))
    return correct, len(truth["values"])


def run(engine: str, data: bytes, truth: dict) -> tuple[float, float, int, int]:
    """Wall and CPU seconds for the whole file, and the record's accuracy with this engine's recogniser."""
    if engine == "tesseract":
        ocr.recogniser = lambda: Tesseract()  # the same layout, another recogniser
    else:
        ocr.recogniser = recogniser
        recogniser()  # model load (a fraction of a second, once per process) is not page time
    start, cpu = time.perf_counter(), _cpu()
    record = extract_bytes(data, SCAN.name)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return (seconds, cpu, *accuracy(record.to_json()["values"], truth))


def _cpu() -> float:
    """CPU seconds of this process and its finished children (tesseract runs as a child)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="+", default=["ppocr", "tesseract"])
    args = parser.parse_args()
    if not SCAN.exists() or not TRUTH.exists():
        print(f"benchmark skipped: scanned variant not found at {SCAN}")
        return
    data, truth = SCAN.read_bytes(), json.loads(TRUTH.read_text(encoding="utf-8"))
    pages = 5
    cpu = _cpu()
    extract_path(TEXT_LAYER)
    text_layer = (_cpu() - cpu) / pages
    print(f"text layer    {TEXT_LAYER.name}: {text_layer:.2f} s CPU per page")
    for engine in args.engines:
        if engine == "tesseract" and not shutil.which("tesseract"):
            print("tesseract     not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
            continue
        seconds, cpu, correct, total = run(engine, data, truth)
        print(f"{engine:13s} field accuracy {100 * correct / total:5.1f}% ({correct}/{total}); per page at 200 dpi "
              f"on one thread: {cpu / pages:.1f} s CPU ({cpu / pages / text_layer:.0f}x the text layer), "
              f"{seconds / pages:.1f} s wall")


if __name__ == "__main__":
    main()
