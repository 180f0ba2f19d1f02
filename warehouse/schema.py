"""Every table of the warehouse and every column, with its Arrow type, in one place.

Writers build their Arrow tables from these schemas and readers (store.connect, the
dashboard, any other engine) can rely on them, so a column is added or renamed here
and nowhere else. `schema_markdown()` renders the same definitions for docs/warehouse.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pyarrow as pa

from warehouse.measures import ALL_KEYS, MEASURES

#: Value statuses in the fact tables: the record's three, plus what the warehouse adds.
STATUSES = ("reported", "blank", "dash", "derived", "ambiguous")
KINDS = ("government", "department", "township", "development_zone", "other")
LEVELS = ("province", "city", "county", "township")

#: The partition column of every year-partitioned table (hive layout: `year=2020/`).
PARTITION_COLUMN = "year"


@dataclass(frozen=True)
class Table:
    """One warehouse table: its columns, the columns that identify a row, its layout."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    partitioned: bool
    doc: str


def _columns(*columns: tuple[str, pa.DataType, str]) -> pa.Schema:
    """A schema whose fields carry their description, so the docs come from the code."""
    return pa.schema([pa.field(name, dtype, metadata={"doc": doc}) for name, dtype, doc in columns])


TIMESTAMP = pa.timestamp("us", tz="UTC")

_FACT_COLUMNS = _columns(
    ("report_id", pa.string(), "reports.report_id of the report the value comes from"),
    ("agency_id", pa.string(), "agencies.agency_id of the reporting body"),
    ("year", pa.int32(), "report year (partition column)"),
    ("key", pa.string(), "canonical key of keys.md, e.g. t3.new_requests.total"),
    ("row_key", pa.string(), "row part of the key (t4: the proceeding; text: the figure's name)"),
    ("col_key", pa.string(), "column part of the key (t3: applicant type; t4: outcome; null where none)"),
    ("value", pa.float64(), "the number; null where blank, dash or ambiguous"),
    ("raw", pa.string(), "the text as printed; candidate values joined by | where ambiguous; null where derived"),
    ("status", pa.string(), "reported | blank | dash | derived | ambiguous"),
    ("source", pa.string(), "where the value was found in the source file, or derived:<formula>"),
)


def _report_columns(*columns: tuple[str, pa.DataType, str, str]) -> pa.Schema:
    """A mart's schema: the report's id and year, then generated columns, each naming its family
    (`<key>`, `<measure>#num`, …) so the docs show one row per family rather than hundreds."""
    head = [pa.field("report_id", pa.string(), metadata={"doc": "reports.report_id"}),
            pa.field("year", pa.int32(), metadata={"doc": "report year (partition column)"})]  # fmt: skip
    return pa.schema(head + [pa.field(n, t, metadata={"doc": d, "family": f}) for n, t, d, f in columns])


_FINDINGS_COLUMNS = _columns(
    ("report_id", pa.string(), "the report the finding is about"),
    ("agency_id", pa.string(), "agencies.agency_id"),
    ("year", pa.int32(), "report year (partition column)"),
    ("rule", pa.string(), "rule id, e.g. T3-OFF, T3-XYEAR"),
    ("severity", pa.string(), "error | warning | info"),
    ("outcome", pa.string(), "pass | fail | not_assessable"),
    ("keys", pa.list_(pa.string()), "the keys the rule looked at"),
    ("message_zh", pa.string(), "the statement in Chinese"),
    ("message_en", pa.string(), "the statement in English"),
    ("scope", pa.string(), "report (validation of one report) | warehouse (cross-year, duplicates)"),
    ("related_report_id", pa.string(), "the other report a warehouse finding compares with"),
)


def _open_findings_columns() -> pa.Schema:
    """`findings`' columns as `findings_open` holds them: no English message, the keys as one string."""
    doc = "the keys the rule looked at, joined by the unit separator (U+001F)"
    keys = pa.field("keys", pa.string(), metadata={"doc": doc})
    return pa.schema([keys if f.name == "keys" else f for f in _FINDINGS_COLUMNS if f.name != "message_en"])


def _fact_table(name: str, doc: str) -> Table:
    return Table(name, _FACT_COLUMNS, ("report_id", "key", "status"), True, doc)


TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "reports",
            _columns(
                ("report_id", pa.string(), "sha256 of the file's bytes: the same file is the same report"),
                ("agency_id", pa.string(), "agencies.agency_id of the reporting body"),
                ("agency_name", pa.string(), "the body's name as this report prints it"),
                ("year", pa.int32(), "report year (partition column)"),
                ("template_version", pa.string(), "2019 | 2021 | unknown, detected from the tables"),
                ("template_evidence", pa.list_(pa.string()), "the fingerprints that decided template_version"),
                ("source_file", pa.string(), "file name as ingested"),
                ("source_path", pa.string(), "absolute path at ingest; a new content at the same path replaces the report"),
                ("source_format", pa.string(), "the form the reader recognised: txt, html, pdf, docx, markdown, …"),
                ("size_bytes", pa.int64(), "file size"),
                ("ingested_at", TIMESTAMP, "when this version of the file entered the warehouse"),
                ("parser_version", pa.string(), "pipeline.extract.PARSER_VERSION that produced the values"),
                ("synthetic", pa.bool_(), "true for generated demo reports"),
                ("duplicate", pa.bool_(), "another report exists for the same agency and year"),
                ("n_values", pa.int32(), "keys the record holds (reported, blank or dash)"),
                ("n_ambiguous", pa.int32(), "keys left undecided by the extractor"),
            ),
            ("report_id",),
            True,
            "One row per ingested report (file content).",
        ),
        Table(
            "agencies",
            _columns(
                ("agency_id", pa.string(), "stable hash of name_canonical"),
                ("name_reported", pa.string(), "the name as the latest report prints it"),
                ("name_canonical", pa.string(), "NFKC, no whitespace, unified brackets"),
                ("province", pa.string(), "province-level division, e.g. 山东省"),
                ("city", pa.string(), "prefecture-level division, e.g. 威海市 (null for a province-level body)"),
                ("county", pa.string(), "county-level division, e.g. 环翠区"),
                ("division_code", pa.string(), "6-digit administrative division code of the deepest division found"),
                ("kind", pa.string(), "government | department | township | development_zone | other"),
                ("level", pa.string(), "province | city | county | township"),
                ("synthetic", pa.bool_(), "true for bodies of the generated demo city"),
            ),
            ("agency_id",),
            False,
            "One row per reporting body, placed in the administrative divisions.",
        ),
        _fact_table("t2_facts", "Table 二 cells: t2.<row>.<column>."),
        _fact_table("t3_facts", "Table 三 cells: t3.<row>.<applicant column>, plus derived totals."),
        _fact_table("t4_facts", "Table 四 cells: t4.<proceeding>_<outcome>, plus derived totals."),
        _fact_table("text_facts", "Figures stated in the text: text.<name>."),
        Table(
            "findings",
            _FINDINGS_COLUMNS,
            ("report_id", "rule", "keys", "related_report_id"),
            True,
            "Every validation finding of every report, plus the warehouse's cross-report checks.",
        ),
        Table(
            "quarantine",
            _columns(
                ("source_file", pa.string(), "file name"),
                ("source_path", pa.string(), "absolute path at ingest"),
                ("content_hash", pa.string(), "sha256 of the bytes that failed"),
                ("reason", pa.string(), "why the file could not be ingested"),
                ("at", TIMESTAMP, "when it failed"),
            ),
            ("source_path",),
            False,
            "Files that could not be ingested, with the reason; a later success removes the entry.",
        ),
        Table(
            "report_cells",
            _report_columns(
                *(
                    (
                        key,
                        pa.float64(),
                        "the number, completed: blank cells of a filled-in table read 0, blank totals "
                        "the sum of their parts (null: unknown)",
                        "<key>",
                    )
                    for key in ALL_KEYS
                ),
                *((f"{key}#d", pa.bool_(), "true where the number is not printed as such", "<key>#d") for key in ALL_KEYS),
            ),
            ("report_id",),
            True,
            f"Each report's completed cells of the {len(ALL_KEYS)} keys the measures read (warehouse.marts).",
        ),
        Table(
            "report_measures",
            _report_columns(
                *(
                    column
                    for m in MEASURES
                    for column in (
                        (f"{m.id}#num", pa.float64(), "the measure's numerator (a count's value)", "<measure>#num"),
                        (f"{m.id}#den", pa.float64(), "its denominator (null for a count)", "<measure>#den"),
                        (
                            f"{m.id}#derived",
                            pa.bool_(),
                            "true where a number it uses is not printed as such",
                            "<measure>#derived",
                        ),
                    )
                ),
            ),
            ("report_id",),
            True,
            f"Each report's numerator and denominator of the {len(MEASURES)} measures of warehouse.measures.",
        ),
        Table(
            "findings_open",
            _open_findings_columns(),
            ("report_id", "rule", "keys", "related_report_id"),
            True,
            "The findings that did not pass (a tenth of them), as the dashboard lists them: written with `findings`.",
        ),
    )
}

#: Tables computed at publish from each report's facts and findings alone (`warehouse.marts`), which the
#: dashboard reads when it opens instead of pivoting every fact. Pointers from before them do not name them.
MARTS = ("report_cells", "report_measures", "findings_open")
#: The tables every pointer names.
REQUIRED_TABLES = tuple(name for name in TABLES if name not in MARTS)

FACT_TABLES: dict[str, str] = {"t2": "t2_facts", "t3": "t3_facts", "t4": "t4_facts", "text": "text_facts"}
#: The tables one report contributes rows to (agencies and cross-report findings are computed at publish).
STAGED_TABLES = ("reports", *FACT_TABLES.values(), "findings")


def schema_markdown() -> str:
    """The schema section of docs/warehouse.md, rendered from TABLES (a family of generated columns as one row)."""
    parts: list[str] = []
    for table in TABLES.values():
        layout = "partitioned by year" if table.partitioned else "one folder, not partitioned"
        parts.append(f"### `{table.name}`\n\n{table.doc} Key: `{', '.join(table.key)}`; {layout}.\n")
        parts.append("| column | type | meaning |\n|---|---|---|")
        sizes = Counter(field.metadata.get(b"family") for field in table.schema)
        shown: set[bytes] = set()
        for field in table.schema:
            family = field.metadata.get(b"family")
            if family in shown:
                continue  # the family's first column stands for all of them
            name = f"`{field.name}`"
            if family is not None:
                shown.add(family)
                name = f"`{family.decode()}` (×{sizes[family]})"
            meaning = field.metadata[b"doc"].decode().replace("|", "\\|")
            parts.append(f"| {name} | `{field.type}` | {meaning} |")
        parts.append("")
    return "\n".join(parts)
