"""PNG and JPEG files: a report photographed or scanned to an image, read by OCR.

Each frame of the file is one page. Pillow decodes it with its decompression-bomb
guard set to MAX_PIXELS, so a small file that claims a huge image is refused before
it is decoded.
"""

from __future__ import annotations

import io

import numpy as np

from pipeline.errors import ReportError
from pipeline.readers import ocr

MAX_PIXELS = 60_000_000  # an A4 page at 600 dpi is 35 million
SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def is_image(data: bytes) -> bool:
    """PNG or JPEG, by the first bytes."""
    return data.startswith(SIGNATURES)


def pages(data: bytes, source: str) -> list[tuple[np.ndarray, float | None]]:
    """The file's frames as grey images, with their dpi where the file states one."""
    from PIL import Image, ImageSequence  # Pillow is loaded only when a picture is read
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            dpi = image.info.get("dpi", (None,))[0]
            frames = [np.array(frame.convert("L")) for frame in ImageSequence.Iterator(image)]
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ReportError(source, f"unreadable image ({type(exc).__name__}) / 图片无法读取") from None
    return [(frame, float(dpi) if dpi and dpi > 50 else None) for frame in frames]


def read(data: bytes, source: str) -> ocr.OcrDocument:
    """An image file read by OCR, one page per frame."""
    frames = pages(data, source)
    results = ocr.read_pages(list(range(1, len(frames) + 1)), lambda n: frames[n - 1][0], frames[0][1], data, source)
    return ocr.document(source, "image+ocr", [[] for _ in frames], results)
