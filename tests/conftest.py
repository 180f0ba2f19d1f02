"""Shared test fixtures: where the public corpus lives, skipping cleanly where it is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
TRUTH = SHARED / "truth"


#: Fixtures that build a large warehouse: a test using one belongs to the slow tier (`make test`).
SLOW_FIXTURES = frozenset({"demo_root"})


#: Under `pytest -n 2 --dist loadgroup` these tests share one worker: the demo warehouse is built
#: once per worker, and the browser tests serve it.
DEMO_GROUP = pytest.mark.xdist_group("demo")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the demo warehouse (about two minutes to build) as slow, and keep
    those and the browser tests on one worker so the demo is built once."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
            item.add_marker(DEMO_GROUP)
        elif item.get_closest_marker("e2e"):
            item.add_marker(DEMO_GROUP)


def corpus_file(name: str) -> Path:
    """A public corpus file, or a skip saying why it is missing."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"public corpus not found at {CORPUS} (CI places ../shared beside the clone)")
    return path


def truth_of(name: str) -> dict:
    """The hand-checked record of a truth file name (e.g. 'seed_sunjiatuan_2020.json')."""
    path = TRUTH / name
    if not path.exists():
        pytest.skip(f"truth records not found at {TRUTH}")
    return json.loads(path.read_text(encoding="utf-8"))


def truth_files() -> list[str]:
    """Names of every truth record present (empty where ../shared is absent)."""
    return sorted(p.name for p in TRUTH.glob("*.json")) if TRUTH.exists() else []


def tables(doc) -> list:
    """The table blocks of a document, in order."""
    from pipeline.document import Table

    return [b for b in doc.blocks if isinstance(b, Table)]


def quarantine_only(con, marker: str) -> dict[str, str]:
    """Queries of `con` giving every table empty but quarantine, which holds one row naming `marker`:
    the smallest publish, for tests of the store and its recovery."""
    import pyarrow as pa

    from warehouse.schema import TABLES

    row = {"source_file": marker, "source_path": marker, "content_hash": "0" * 64, "reason": "r"}
    for table, spec in TABLES.items():
        con.register(f"in_{table}_{marker}", pa.Table.from_pylist([row] if table == "quarantine" else [], schema=spec.schema))
    return {table: f"SELECT * FROM in_{table}_{marker}" for table in TABLES}
