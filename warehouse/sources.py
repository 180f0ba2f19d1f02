"""The text of a report's source file, for the 单位画像 page, read through the warehouse.

Layers run one way (pipeline → warehouse → pages), so neither the warehouse nor a page
may call the pipeline's readers. The ingest decodes every file anyway; it hands the
text to `save_text`, which keeps it beside the snapshots as `sources/<report_id>.txt`.
A report id is the hash of the file's bytes, so a saved text never changes and every
snapshot shares it.

Where no text was saved (a warehouse ingested before texts were kept), the application
(app.py, which wires the layers together) may lend a decoder with `use_decoder`;
without one, plain-text sources are read directly and other formats have no text.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from warehouse.settings import warehouse_dir

TEXT_DIR = "sources"
PLAIN_FORMATS = frozenset({"text", "scraped", "markdown"})
ENCODINGS = ("utf-8-sig", "gb18030")
REPORT_ID = re.compile(r"^[0-9a-f]{16,64}$")

Decoder = Callable[[Path], "str | None"]
_decoder: list[Decoder] = []  # at most one, lent by the application


def use_decoder(decoder: Decoder) -> None:
    """Let `source_text` decode files whose text was not saved at ingest (PDF, DOCX, HTML…)."""
    _decoder[:] = [decoder]


def text_path(report_id: str, directory: str | os.PathLike[str] | None = None) -> Path:
    """Where the decoded text of a report is kept; refuses anything that is not a report id."""
    if not REPORT_ID.match(report_id):
        raise ValueError(f"not a report id: {report_id!r}")
    return warehouse_dir(directory) / TEXT_DIR / f"{report_id}.txt"


def save_text(report_id: str, text: str, directory: str | os.PathLike[str] | None = None) -> None:
    """Keep a report's decoded text (called by the ingest); written whole or not at all."""
    target = text_path(report_id, directory)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, target)


def source_text(
    report_id: str, source_path: str | None, source_format: str | None, directory: str | os.PathLike[str] | None = None
) -> str | None:
    """The saved text of the report, else its file decoded (by the lent decoder, or as plain text); None otherwise."""
    saved = text_path(report_id, directory)
    if saved.is_file():
        return saved.read_text(encoding="utf-8")
    if not source_path:
        return None
    if _decoder:
        return _decoder[0](Path(source_path))
    if source_format not in PLAIN_FORMATS:
        return None
    try:
        data = Path(source_path).read_bytes()
    except OSError:
        return None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
