"""AppTest harness: the dashboard run in-process against a chosen warehouse.

`dashboard(root)` gives an AppTest of app.py reading that warehouse; `downloads` captures
every file a download button offers, by the URL the button points at, so tests can read
exactly what a user would save. Helpers that read charts live in dashboard_fixtures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard_fixtures import REPO, corpus_warehouse, demo_warehouse

APP = REPO / "app.py"


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once():
    """Every new AppTest scans the metadata of every installed package for Streamlit components
    (about 0.2 s of CPU and a second of wall time on a loaded machine); the packages do not change
    during a test session, so the first scan serves them all."""
    original = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(original)
    yield
    manifest_scanner.scan_component_manifests = original


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    return demo_warehouse(tmp_path_factory)


@pytest.fixture(scope="session")
def corpus_root(tmp_path_factory) -> Path:
    return corpus_warehouse(tmp_path_factory)


@pytest.fixture
def dashboard(monkeypatch) -> Callable[..., AppTest]:
    """An AppTest of the dashboard on a warehouse, optionally opened at a deep link's parameters."""

    def make(root: Path, query: dict[str, str | list[str]] | None = None) -> AppTest:
        monkeypatch.setenv("XXGK_WAREHOUSE", str(root))
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.query_params.update(query or {})
        return at

    return make


@dataclass(frozen=True)
class Saved:
    """A file as the browser would save it."""

    name: str | None
    data: bytes


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Saved]:
    """Files offered by download buttons, by the media URL a button carries."""
    files: dict[str, Saved] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        data = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        files[self.get_url(file_id)] = Saved(filename, data)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    return files
