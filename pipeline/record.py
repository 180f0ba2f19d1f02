"""The extraction record of keys.md: what one report says, keyed canonically.

Every value keeps how it was printed (`raw`), what it means (`status`) and where it
came from (`where`), so nothing extracted loses its source.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Number = int | float
Status = Literal["reported", "blank", "dash"]
Severity = Literal["error", "warning", "info"]
Outcome = Literal["pass", "fail", "not_assessable"]


@dataclass(frozen=True)
class Value:
    """One cell or text figure as the report prints it."""

    value: Number | None
    raw: str
    status: Status
    where: str


@dataclass(frozen=True)
class Finding:
    """One consistency rule applied to one report: never a correction, only a statement."""

    rule: str
    severity: Severity
    outcome: Outcome
    keys: tuple[str, ...]
    message_zh: str
    message_en: str


@dataclass
class Record:
    """The extraction record of one report."""

    source: str
    format: str
    agency: str | None = None
    year: int | None = None
    template_version: str = "unknown"
    synthetic: bool = False
    #: "traditional" where the report was printed in traditional characters and matched
    #: in a simplified copy; `agency_as_printed` then keeps the name in its printed script.
    script: str = "simplified"
    agency_as_printed: str | None = None
    template_evidence: list[str] = field(default_factory=list)
    #: Table 三's row layout ("single_other" or "split_other"), where Table 三 was read.
    t3_layout: str | None = None
    values: dict[str, Value] = field(default_factory=dict)
    candidates: dict[str, list[dict[str, Number]]] = field(default_factory=dict)
    candidate_sources: dict[str, Value] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ambiguous(self) -> dict[str, list[Number]]:
        """Each undecided key with its candidate values, index-aligned within a group of keys."""
        out: dict[str, list[Number]] = {}
        for options in self.candidates.values():
            for key in options[0]:
                out[key] = [option[key] for option in options]
        return out

    def number(self, key: str) -> Number | None:
        """The reported number of a key, None where blank or absent."""
        value = self.values.get(key)
        return None if value is None else value.value

    def to_json(self) -> dict:
        """Exactly the JSON of keys.md, plus the findings that did not pass."""
        out: dict = {
            "source": self.source,
            "agency": self.agency,
            "year": self.year,
            "template_version": self.template_version,
            "values": {key: v.value for key, v in self.values.items()},
        }
        if self.ambiguous:
            out["ambiguous"] = self.ambiguous
        out["findings"] = [asdict(f) | {"keys": list(f.keys)} for f in self.findings if f.outcome != "pass"]
        return out
