"""`python -m pipeline evaluate`: extraction compared with hand-checked truth, field by field.

A field is correct when the key is present with the same value (null included); keys
a truth file lists as ambiguous are not scored. Reports of the same body are read as
a batch, so cross-year identities can settle what one report leaves open.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ReportError
from pipeline.extract import extract_path
from pipeline.extract.series import resolve_series
from pipeline.record import Record


@dataclass
class Score:
    """Correct and total fields of one truth file, with the keys that missed."""

    source: str
    correct: int
    total: int
    misses: list[str]


def same(expected: object, got: object) -> bool:
    """Equal values; amounts compared to a relative 1e-9, null only equal to null."""
    if expected is None or got is None:
        return expected is got
    return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-12)


def score(truth: dict, record: Record | None) -> Score:
    """Compare one record with its truth."""
    values = {} if record is None else record.to_json()["values"]
    misses = [
        f"{key}: expected {expected!r}, got {values.get(key, 'absent')!r}"
        for key, expected in truth["values"].items()
        if key not in values or not same(expected, values[key])
    ]
    total = len(truth["values"])
    return Score(truth["source"], total - len(misses), total, misses)


def evaluate(corpus_dir: Path, truth_dir: Path) -> list[Score]:
    """Extract every corpus file that has a truth record and score it."""
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(truth_dir.glob("*.json"))]
    records: list[Record | None] = []
    for truth in truths:
        try:
            records.append(extract_path(corpus_dir / truth["source"]))
        except ReportError:
            records.append(None)
    resolve_series(r for r in records if r is not None)
    return [score(t, r) for t, r in zip(truths, records, strict=True)]


def evaluate_command(corpus_dir: str, truth_dir: str) -> int:
    """Print a line per file, then exactly `field accuracy: <pct>% (<correct>/<total>)`."""
    scores = evaluate(Path(corpus_dir), Path(truth_dir))
    for s in scores:
        print(f"{s.source}: {s.correct}/{s.total}")
        for miss in s.misses[:20]:
            print(f"    {miss}")
    correct = sum(s.correct for s in scores)
    total = sum(s.total for s in scores)
    pct = 100 * correct / total if total else 100.0
    print(f"field accuracy: {pct:.1f}% ({correct}/{total})")
    return 0
