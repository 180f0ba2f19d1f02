"""Renderers: one per published form, each turning a composed `Report` into file bytes."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.demo.render import crawled, docx, html, pdf, scan, scraped, text
from pipeline.demo.report import Report

RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "text": text.render,
    "scraped": scraped.render,
    "html": html.render,
    "docx": docx.render,
    "pdf": pdf.render,
    "pipes": crawled.pipes,
    "cellpipes": crawled.cellpipes,
    "trad": crawled.trad,
    "cut": crawled.cut,
}


def render(report: Report) -> bytes:
    """The bytes of a report in the form its plan names (a scanned PDF as page images)."""
    if report.plan.scanned:
        return scan.render(report)
    return RENDERERS[report.plan.form](report)
