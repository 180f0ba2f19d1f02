"""Uploaded files checked, stored content-addressed and ingested into a new snapshot."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.errors import ReportError
from pipeline.ingest import ingest
from pipeline.uploads import default_inbox, safe_name, store_upload
from warehouse import settings
from warehouse.imports import remember_name

UPLOAD_TYPES = ["pdf", "docx", "html", "htm", "txt", "md"]


@contextmanager
def plain_main() -> Iterator[None]:
    """Hide the page script from multiprocessing while ingest runs its worker pool.

    Streamlit runs a page as `__main__`; a forkserver started now would re-run that
    script in the server process. A bare `__main__` keeps the workers to the pipeline.
    """
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


def ingest_uploads(files: list) -> tuple[object, list[tuple[str, str]]]:
    """Check, store (content-addressed) and ingest uploaded files; returns the ingest summary
    and the files refused before ingest, with their reasons.

    The type is checked from the content, the size is limited and the stored name is the
    content hash (pipeline.uploads); the new snapshot is picked up on the next run of every page.
    """
    inbox = default_inbox(settings.warehouse_dir())
    paths, refused = [], []
    for uploaded in files:
        try:
            paths.append(store_upload(uploaded.getvalue(), uploaded.name, inbox))
            remember_name(paths[-1], safe_name(uploaded.name))  # messages and lists show the user's name
        except ReportError as exc:
            refused.append((safe_name(uploaded.name), exc.reason))
    if not paths:
        return None, refused
    with plain_main():
        return ingest(paths, settings.warehouse_dir(), workers=1, progress=False), refused


def retire(report_ids: list[str]) -> object:
    """Drop earlier reports the user chose to replace by a corrected upload (one new snapshot)."""
    with plain_main():
        return ingest([], settings.warehouse_dir(), workers=1, progress=False, retire=report_ids)
