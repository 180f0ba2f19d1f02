"""The plan of an ingest: which files to read, decided from content hashes before any parsing.

Every file is hashed (sha256 of its bytes = the report id) and compared with the published
tables: a known id parsed by the same parser version is unchanged and not read again; a
new id at a path that held another id replaces that report (pipeline.ingest classifies).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

#: Suffixes picked up when walking a folder; files named explicitly are always tried.
REPORT_SUFFIXES = frozenset({".txt", ".text", ".htm", ".html", ".pdf", ".docx", ".md", ".markdown", ".png", ".jpg", ".jpeg"})


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Report files under the given files and folders (sorted, once each) and the paths not found."""
    found: dict[Path, None] = {}
    missing: list[str] = []
    for given in paths:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            found.update(dict.fromkeys(sorted(p for p in path.rglob("*") if _is_report_file(p, path))))
        elif path.is_file():
            found[path] = None
        else:
            missing.append(str(given))
    return list(found), missing


def _is_report_file(path: Path, folder: Path) -> bool:
    """A file of a known form, not hidden (nor inside a hidden folder) below `folder`."""
    hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
    return path.suffix.lower() in REPORT_SUFFIXES and not hidden and path.is_file()


def content_hash(path: Path) -> str:
    """sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Known:
    """What the published tables already hold: reports by id and by path, quarantine."""

    parser_of: dict[str, str] = field(default_factory=dict)
    id_at: dict[str, str] = field(default_factory=dict)
    quarantined: dict[str, tuple[str, str]] = field(default_factory=dict)
    overrides: str | None = None
    regions: str | None = None

    @classmethod
    def load(
        cls, con: duckdb.DuckDBPyConnection, pointer: dict | None, hashes: dict[Path, str], ids: Iterable[str] = ()
    ) -> Known:
        """Read from the old_<table> views of the published pointer (and the fingerprints of the override
        CSV and the regions dataset that placed its bodies): the published reports the batch's files
        (`hashes`, path to report id) or other `ids` name, by id or by path — not a million others."""
        known = cls(overrides=(pointer or {}).get("overrides_sha256"), regions=(pointer or {}).get("regions"))
        named = con.execute(
            "SELECT report_id, source_path, parser_version FROM old_reports "
            "WHERE report_id IN (SELECT unnest(?::VARCHAR[])) OR source_path IN (SELECT unnest(?::VARCHAR[]))",
            [[*hashes.values(), *ids], [str(path) for path in hashes]],
        ).fetchall()
        for report_id, path, version in named:
            known.parser_of[report_id] = version
            known.id_at[path] = report_id
        for path, digest, reason in con.execute("SELECT source_path, content_hash, reason FROM old_quarantine").fetchall():
            known.quarantined[path] = (digest, reason)
        return known


@dataclass
class Plan:
    """Which files to parse; the rest are unchanged and never read twice."""

    hashes: dict[Path, str]
    to_parse: dict[str, Path]
    unchanged: list[Path]
    refreshed: set[str]


def make_plan(hashes: dict[Path, str], known: Known, version: str) -> Plan:
    """Decide per file (path to content hash), before any parsing, from content hashes alone."""
    to_parse: dict[str, Path] = {}
    unchanged: list[Path] = []
    for path, report_id in hashes.items():
        if known.parser_of.get(report_id) == version or report_id in to_parse:
            unchanged.append(path)
        else:
            to_parse[report_id] = path
    refreshed = {report_id for report_id in to_parse if report_id in known.parser_of}
    return Plan(hashes, to_parse, unchanged, refreshed)
