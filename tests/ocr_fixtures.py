"""A hand-made warehouse with scanned reports, as the OCR ingest stores them.

An OCR'd report's format ends in `+ocr`; each value it read carries `ocr page … conf …`
as its source, and a value the template's arithmetic corrected says `corrected from`.
The rows are written through `dashboard_fixtures.build_warehouse`, like every test warehouse.
"""

from __future__ import annotations

from pathlib import Path

from dashboard_fixtures import Report, build_warehouse, requests

SCANNED_BODY, TYPED_BODY, OTHER_CITY_BODY = "丙丁市甲局", "丙丁市乙局", "戊市丙局"
CORRECTED_KEY = "t3.disclosed.total"


def _ocr_sources(values: dict, corrected: str | None) -> dict[str, str]:
    """Each value read from page 1's table at its own row and column; one corrected by the row sum."""
    sources = {key: f"ocr page 1 table 1 row {n // 7 + 3} col {n % 7 + 2} conf 0.97" for n, key in enumerate(values)}
    if corrected:
        sources[corrected] += " corrected from 8 (T3-ROW, T3-COL)"
    return sources


def scanned_reports() -> list[Report]:
    """A scanned body (one value corrected), a typed body, and a scanned body of another city read as printed."""
    scanned = requests(12, 9)
    other = requests(5, 5)
    return [
        Report(SCANNED_BODY, 2024, scanned, source_format="pdf+ocr", sources=_ocr_sources(scanned, CORRECTED_KEY)),
        Report(TYPED_BODY, 2024, requests(3, 3)),
        Report(OTHER_CITY_BODY, 2023, other, city="戊市", source_format="image+ocr", sources=_ocr_sources(other, None)),
    ]


def scanned_warehouse(root: Path) -> Path:
    return build_warehouse(root, scanned_reports())
