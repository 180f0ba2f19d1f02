"""Truth records: what each generated report says, in the keys.md JSON, plus its flaws.

`python -m pipeline evaluate <corpus>/reports <corpus>/truth` scores the pipeline
against them like against the hand-checked records; the extra fields say which form
and flaws the report was given and which slips were planted, with the rule each
slip must trigger, so tests can check findings as well as values.
"""

from __future__ import annotations

from dataclasses import asdict

from pipeline.demo.report import Report


def truth_record(report: Report) -> dict:
    """The keys.md record of one report, with the demo's own fields after it."""
    plan = report.plan
    return {
        "source": report.source,
        "agency": report.agency,
        "year": plan.year,
        "template_version": plan.version,
        "values": report.values,
        "synthetic": True,
        "format": plan.form,
        "layout": plan.layout,
        "blemishes": sorted(plan.blemishes),
        "planted": [asdict(p) | {"keys": list(p.keys)} for p in report.planted],
    }
