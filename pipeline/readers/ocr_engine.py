"""The OCR engine: PP-OCRv4's Chinese text-line recogniser, run locally on one CPU thread.

The model ships inside the `rapidocr-onnxruntime` wheel (Apache-2.0), so nothing is
downloaded at run time; onnxruntime runs it. Only the recogniser is used: the page
layout (ruling lines, cells, text lines) is found by `grid` from the pixels, which is
faster than the detection network and keeps every table cell apart.

Beyond the text, a reading keeps each character's probability distribution over the
alphabet (the CTC frame where it peaked), so a digit the model hesitated over carries
its alternatives: the template's arithmetic chooses among them later (`extract.proof`).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

LINE_HEIGHT = 48  # the recogniser's input height
BATCH = 8
MIN_WIDTH = 64  # a lone digit still gets enough CTC frames
TOP_K = 3  # alternatives kept per character
SQUEEZE = 0.7  # horizontal scale of text lines (0.5 starts to misread hanzi)
SQUEEZE_FROM = 3.0  # aspect ratio from which a crop is a line of text rather than a number


class EngineMissing(RuntimeError):
    """The OCR model or its runtime is not installed."""


@dataclass(frozen=True)
class Glyph:
    """One recognised character: the best reading and the runners-up with their probabilities."""

    char: str
    prob: float
    alternatives: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Reading:
    """A text line as read: its characters, each with its own probability."""

    glyphs: tuple[Glyph, ...]

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)

    @property
    def confidence(self) -> float:
        """The least sure character decides how sure the line is (1.0 for an empty line)."""
        return min((g.prob for g in self.glyphs), default=1.0)


def model_dir() -> Path:
    """Where the wheel keeps its ONNX models; EngineMissing when it is not installed."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")  # located, not imported: it would load OpenCV
    if spec is None or not spec.submodule_search_locations:
        raise EngineMissing("rapidocr-onnxruntime is not installed / 未安装 OCR 模型")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class Recogniser:
    """PP-OCRv4 text-line recognition with per-character alternatives."""

    def __init__(self) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise EngineMissing("onnxruntime is not installed / 未安装 onnxruntime") from exc
        options = ort.SessionOptions()
        threads = int(os.environ.get("XXGK_OCR_THREADS", "1"))
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3
        path = model_dir() / "ch_PP-OCRv4_rec_infer.onnx"
        if not path.exists():
            raise EngineMissing(f"OCR model missing: {path.name} / OCR 模型缺失")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        alphabet = self.session.get_modelmeta().custom_metadata_map["character"].splitlines()
        self.alphabet = np.array(["", *alphabet, " "], dtype=object)  # CTC blank first, space last
        self.input_name = self.session.get_inputs()[0].name

    def read(self, crops: list[np.ndarray]) -> list[Reading]:
        """Read grey text-line crops (dark text on light paper); batches similar widths together."""
        if not crops:
            return []
        widths = [self._width(c) for c in crops]
        order = sorted(range(len(crops)), key=lambda i: widths[i])
        out: list[Reading | None] = [None] * len(crops)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            width = max(widths[i] for i in chunk)
            batch = np.stack([self._normalise(crops[i], widths[i], width) for i in chunk])
            probs = self.session.run(None, {self.input_name: batch})[0]
            for i, frame_probs in zip(chunk, probs, strict=False):
                out[i] = self._decode(frame_probs)
        return [r for r in out if r is not None]

    @staticmethod
    def _width(crop: np.ndarray) -> int:
        """The crop's width once scaled to the model's line height (at least MIN_WIDTH, padded white)."""
        return max(MIN_WIDTH, Recogniser._natural(crop))

    @staticmethod
    def _natural(crop: np.ndarray) -> int:
        """Width at the model's line height; a line of text is narrowed to SQUEEZE, which reads the
        same (checked on the scanned variant) at two thirds of the cost — numbers are not narrowed."""
        h, w = crop.shape[:2]
        ratio = w / max(h, 1)
        return max(1, int(np.ceil(LINE_HEIGHT * ratio * (SQUEEZE if ratio > SQUEEZE_FROM else 1.0))))

    @staticmethod
    def _normalise(crop: np.ndarray, width: int, padded: int) -> np.ndarray:
        """Scale to the line height keeping the aspect, map to [-1, 1] in three channels; a narrow
        crop is widened with paper (white), then the batch is padded right as the model was trained."""
        from PIL import Image  # Pillow is loaded only when a picture is read
        natural = Recogniser._natural(crop)
        image = Image.fromarray(crop).resize((natural, LINE_HEIGHT), Image.BILINEAR)
        grey = (np.asarray(image, dtype=np.float32) / 255.0 - 0.5) / 0.5
        canvas = np.zeros((3, LINE_HEIGHT, padded), dtype=np.float32)
        canvas[:, :, :width] = 1.0
        left = (width - natural) // 2
        canvas[:, :, left : left + natural] = grey
        return canvas

    def _decode(self, probs: np.ndarray) -> Reading:
        """Greedy CTC decoding that keeps, for each character, its peak frame's top alternatives."""
        best = probs.argmax(axis=1)
        glyphs: list[Glyph] = []
        previous = 0
        peak: np.ndarray | None = None
        for frame, index in enumerate(best):
            if index != previous and peak is not None:
                glyphs.append(self._glyph(peak))
                peak = None
            if index != 0 and (peak is None or probs[frame, index] > peak[index]):
                peak = probs[frame]
            previous = index
        if peak is not None:
            glyphs.append(self._glyph(peak))
        return Reading(tuple(glyphs))

    def _glyph(self, frame: np.ndarray) -> Glyph:
        """The character a frame peaks at, with the runners-up (blank excluded)."""
        top = np.argsort(frame)[::-1][: TOP_K + 1]
        ranked = [(str(self.alphabet[i]), float(frame[i])) for i in top if i != 0][:TOP_K]
        return Glyph(ranked[0][0], ranked[0][1], tuple(ranked[1:]))


@lru_cache(maxsize=1)
def recogniser() -> Recogniser:
    """One recogniser per process: loading the model takes a fraction of a second, once."""
    return Recogniser()
