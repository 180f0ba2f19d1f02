"""The one error type the pipeline raises for bad input."""

from __future__ import annotations


class ReportError(Exception):
    """A file that cannot be read as a report; the message names the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
