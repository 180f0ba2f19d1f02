"""Tables 二, 三 and 四: document lines → keyed cells, by matching labels to the template.

Rows are found by their labels where the cells kept their borders (tables, PDF
lines, markdown). Where a converter shredded Table 三 so that value rows lost their
labels, the rows are assigned in template order when their count fits one layout
exactly. Where the borders are lost altogether, `runs` decodes the digit runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.document import Document
from pipeline.extract import runs
from pipeline.extract.lines import Line, Token, document_lines, parse_number
from pipeline.record import Record, Value
from pipeline.template import (
    FINGERPRINTS,
    T2_ROWS,
    T3_COLUMNS,
    T3_DEFAULT_LAYOUT,
    T3_LAYOUTS,
    T4_KEYS,
    Row,
    normalise,
    t2_key,
    t3_key,
)

T2_STARTS = ("第二十条",)
T2_HEADERS = ("信息内容本年", "本年新制作数量", "本年制发件数")
T3_STARTS = ("本年新收", "勾稽关系", "申请人情况")
T4_HEADER_LINES = 12
T4_END_CUES = ("存在的主要问题", "存在问题", "主要问题", "其他需要报告")
#: The normalised cues of every Table 三 row of either layout: a line naming one is a labelled row.
T3_CUES = frozenset(cue for rows in T3_LAYOUTS.values() for row in rows for cue in row.normal_cues)


@dataclass(frozen=True)
class Regions:
    """Line ranges of the three tables (start inclusive, end exclusive)."""

    t2: range
    t3: range
    t4: range


def extract_tables(doc: Document, record: Record) -> None:
    """Fill the record's template version and Table 二/三/四 values."""
    lines = document_lines(doc)
    texts = [normalise(line.text) for line in lines]
    regions = find_regions(texts)
    table_text = "".join(texts[regions.t2.start : regions.t4.stop])
    record.template_version, record.template_evidence = detect_version(table_text)
    # digit runs are decoded only in running text: a table cell has certain borders, and a
    # blank cell that joined text would lose would shift every cut after it
    text = runs.flatten([line for line in lines[regions.t2.start : regions.t4.stop] if not line.from_table])
    if regions.t4.stop == len(lines) and lines and lines[-1].values():
        text = runs.drop_last_run(text)  # a copy cut off inside a run: its last digits may be missing
    if record.template_version == "unknown":  # Table 四 is the same in both versions
        if regions.t4.start < len(lines) and not extract_t4(lines[regions.t4.start : regions.t4.stop], record):
            runs.extract_t4(text, record)
        return
    found = extract_t2(lines[regions.t2.start : regions.t2.stop], record)
    runs.extract_t2(text, record, skip=found)  # rows a label did not find, from their runs
    value_lines = [line for line in lines[regions.t3.start : regions.t3.stop] if _is_value_row(line, len(T3_COLUMNS))]
    layout = t3_layout(len(value_lines), table_text, record.template_version)
    if not extract_t3(value_lines, layout, record):
        runs.extract_t3(text, layout, record)
    if any(key.startswith("t3.") for key in [*record.values, *record.ambiguous]):
        record.t3_layout = layout
    if not extract_t4(lines[regions.t4.start : regions.t4.stop], record):
        runs.extract_t4(text, record)


def find_regions(lines: list[str]) -> Regions:
    """Where each table sits among the normalised lines, from anchors that every version prints."""
    t2 = _first(lines, T2_STARTS, 0)
    if t2 is None:  # a copy that lost the 第二十条 header rows keeps the column headers
        t2 = _first(lines, T2_HEADERS, 0)
    t3 = _first(lines, T3_STARTS, t2 if t2 is not None else 0)
    # Table 四 follows Table 三, or Table 二 where a report left Table 三 out; printed alone,
    # it is the 行政复议 line with its outcome header close below
    if t3 is not None or t2 is not None:
        t4 = _first(lines, ("行政复议",), (t3 if t3 is not None else t2) + 1)  # type: ignore[operator]
    else:
        t4 = _t4_alone(lines)
    start4 = t4 if t4 is not None else len(lines)
    start2 = next((i for i in (t2, t3) if i is not None), start4)
    start3 = t3 if t3 is not None else start4  # a copy cut after Table 二, or one without Table 三
    end4 = _first(lines, T4_END_CUES, start4 + 1) or len(lines)
    return Regions(range(start2, start3), range(start3, start4), range(start4, end4))


def _t4_alone(lines: list[str]) -> int | None:
    """Table 四 without an earlier table to anchor it: a 行政复议 line whose outcome header
    (维持) follows within a few lines, so a sentence about reviews is not taken for it."""
    for i, line in enumerate(lines):
        if "行政复议" in line and any("维持" in later for later in lines[i : i + T4_HEADER_LINES]):
            return i
    return None


def _first(lines: list[str], cues: tuple[str, ...], start: int) -> int | None:
    """Index of the first normalised line at or after `start` that holds one of the cues."""
    for i in range(start, len(lines)):
        if any(cue in lines[i] for cue in cues):
            return i
    return None


def detect_version(table_text: str) -> tuple[str, list[str]]:
    """The template version whose fingerprints the tables print most (template.md §1)."""
    hits = {v: [fp for fp in prints if normalise(fp) in table_text] for v, prints in FINGERPRINTS.items()}
    best = max(hits, key=lambda v: len(hits[v]))
    if not hits[best]:
        return "unknown", []
    return best, hits[best]


def _value(token: Token, key: str) -> Value:
    """A cell as a record value: blank and dash are kept as such, never as zero."""
    if token.kind == "number":
        return Value(parse_number(token.raw, key), token.raw, "reported", token.where)
    return Value(None, token.raw, "blank" if token.kind == "blank" else "dash", token.where)


def _values(line: Line, width: int) -> list[Token] | None:
    """Exactly `width` value cells of a line; surplus blanks at either end (split label or
    border columns) dropped."""
    values = line.values()
    while len(values) > width and values[-1].kind == "blank":
        values.pop()
    while len(values) > width and values[0].kind == "blank":
        values.pop(0)
    return values if len(values) == width else None


def _matches(row: Row, label: str) -> bool:
    """Whether a normalised label names this template row."""
    return any(cue in label for cue in row.normal_cues)


# ---------------------------------------------------------------- Table 二


def extract_t2(lines: list[Line], record: Record) -> set[str]:
    """Table 二 by row labels; the keys of the rows read this way."""
    found: set[str] = set()
    for row in T2_ROWS[record.template_version]:
        cells = _t2_cells(lines, row)
        if cells is None:
            continue
        found.add(row.key)
        for column, token in zip(row.columns, cells, strict=True):
            key = t2_key(row.key, column)
            record.values[key] = _value(token, key)
    return found


def _t2_cells(lines: list[Line], row: Row) -> list[Token] | None:
    """The value cells of a Table 二 row: on its label's line, or on the line after it."""
    width = len(row.columns)
    for i, line in enumerate(lines):
        if not _matches(row, line.label) or len(line.label) > len(row.label) + 6:
            continue
        cells = _values(line, width)
        if cells is None and not line.values() and i + 1 < len(lines) and not lines[i + 1].label:
            cells = _values(lines[i + 1], width)
        if cells is not None:
            return cells
    return None


# ---------------------------------------------------------------- Table 三


def extract_t3(value_lines: list[Line], layout: str, record: Record) -> bool:
    """Table 三's value rows by labels, else by template order; False where neither fits."""
    if not value_lines:
        return False
    rows = T3_LAYOUTS[layout]
    assigned = _by_label(value_lines, rows) or _by_order(value_lines, rows) or _by_label(value_lines, rows, partial=True)
    if assigned is None:
        return False
    for row, line in assigned:
        for column, token in zip(T3_COLUMNS, _values(line, len(T3_COLUMNS)) or [], strict=False):
            key = t3_key(row.key, column)
            record.values[key] = _value(token, key)
    return True


def _is_value_row(line: Line, width: int) -> bool:
    """A row of `width` value cells: printed values, or blanks beside a row label (not a wrapped label's empty cells)."""
    cells = _values(line, width)
    if cells is None:
        return False
    labelled = any(cue in line.label for cue in T3_CUES)
    return labelled or any(t.kind != "blank" for t in cells)


def t3_layout(value_rows: int, table_text: str, version: str) -> str:
    """Single or split （六）, decided here once for every reader of Table 三 (labels, runs,
    validation through `Record.t3_layout`): by the count of value rows, else by the sub-row labels."""
    for layout, rows in T3_LAYOUTS.items():
        if len(rows) == value_rows:
            return layout
    if "逾期不补正" in table_text:
        return "split_other"
    return T3_DEFAULT_LAYOUT[version] if "其他处理" not in table_text else "single_other"


def _label_of(line: Line, rows: tuple[Row, ...]) -> Row | None:
    """The one template row a line's label names, if exactly one."""
    named = [row for row in rows if _matches(row, line.label)]
    return named[0] if len(named) == 1 else None


def _by_label(lines: list[Line], rows: tuple[Row, ...], partial: bool = False) -> list[tuple[Row, Line]] | None:
    """Every row found once by its label; with `partial`, every value line labelled with a distinct row."""
    pairs = [(_label_of(line, rows), line) for line in lines]
    keys = [row.key for row, _ in pairs if row is not None]
    complete = len(keys) == len(rows) if not partial else len(keys) == len(lines)
    if not complete or len(set(keys)) != len(keys):
        return None
    return [(row, line) for row, line in pairs if row is not None]


def _by_order(lines: list[Line], rows: tuple[Row, ...]) -> list[tuple[Row, Line]] | None:
    """Rows in template order, where the count fits and no label contradicts its place."""
    if len(lines) != len(rows):
        return None
    for row, line in zip(rows, lines, strict=True):
        named = _label_of(line, rows)
        if named is not None and named.key != row.key:
            return None
    return list(zip(rows, lines, strict=True))


# ---------------------------------------------------------------- Table 四


def extract_t4(lines: list[Line], record: Record) -> bool:
    """Table 四's data row of fifteen cells, on one line or wrapped over unlabelled lines."""
    width = len(T4_KEYS)
    for i, line in enumerate(lines):
        cells = _values(line, width) or _wrapped(lines[i:], width)
        if cells is not None:
            for key, token in zip(T4_KEYS, cells, strict=True):
                record.values[key] = _value(token, key)
            return True
    return False


def _wrapped(lines: list[Line], width: int) -> list[Token] | None:
    """Value cells of consecutive label-free lines that together make exactly `width`."""
    cells: list[Token] = []
    for line in lines:
        if line.label or not line.values() or len(cells) >= width:
            break
        cells += line.values()
    return cells if len(cells) == width and all(t.kind != "blank" for t in cells) else None
