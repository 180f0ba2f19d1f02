"""The OCR cache: a file's OCR results stored by its content hash, so a re-ingest never reads
the same scan twice.

`$XXGK_OCR_CACHE`, else `$XDG_CACHE_HOME/xxgk/ocr` (`~/.cache/xxgk/ocr`), holds one JSON
file per file content and engine version: `<sha256>-<engine hash>.json`, with each
OCR'd page's blocks and cell readings. Writes are atomic (a temporary file renamed into
place), so concurrent ingest workers never see half a file; an unreadable entry is
ignored and rewritten. Set `XXGK_OCR_CACHE=off` to disable the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from pipeline.document import Cell, Paragraph, Table

PageResult = tuple[list, dict]


def cache_dir() -> Path | None:
    """Where OCR results are kept; None when the cache is switched off."""
    setting = os.environ.get("XXGK_OCR_CACHE")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xxgk" / "ocr"


def _path(data: bytes, engine: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    engine_tag = hashlib.sha256(engine.encode()).hexdigest()[:12]
    return folder / f"{hashlib.sha256(data).hexdigest()}-{engine_tag}.json"


def load(data: bytes, engine: str) -> dict[int, PageResult] | None:
    """The cached pages of this file, or None when there are none (or the entry is damaged)."""
    path = _path(data, engine)
    if path is None or not path.exists():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {int(n): (_blocks(page["blocks"]), _readings(page["readings"])) for n, page in stored["pages"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(data: bytes, engine: str, pages: dict[int, PageResult]) -> None:
    """Keep this file's OCR'd pages; a cache that cannot be written only costs a re-read later."""
    path = _path(data, engine)
    if path is None:
        return
    payload = {"engine": engine, "pages": {
        str(n): {"blocks": [_dump(b) for b in blocks],
                 "readings": {where: [r.text, r.confidence, list(r.options)] for where, r in readings.items()}}
        for n, (blocks, readings) in pages.items()
    }}  # fmt: skip
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            json.dump(payload, tmp, ensure_ascii=False)
        os.replace(tmp.name, path)
    except OSError:
        return


def _dump(block: Paragraph | Table) -> dict:
    if isinstance(block, Paragraph):
        return {"p": block.text, "where": block.where}
    return {"t": [[c.text, c.row, c.col, c.rowspan, c.colspan] for c in block.cells], "where": block.where}


def _blocks(items: list[dict]) -> list[Paragraph | Table]:
    return [Paragraph(i["p"], i["where"]) if "p" in i else Table([Cell(*c) for c in i["t"]], i["where"]) for i in items]


def _readings(items: dict) -> dict:
    from pipeline.readers.ocr import CellReading

    return {where: CellReading(text, conf, tuple(options)) for where, (text, conf, options) in items.items()}
