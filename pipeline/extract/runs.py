"""Tables whose cell borders were lost: labels and digit runs in one stream of text.

Each template row's label is found in template order; the first digit run after it
is the row's material, cut off where the next label (with its item number) begins.
The runs are decoded with the table's own arithmetic (`digits`), then whole tables
with their column rules; where several decodings survive, the record says so in
`candidates` instead of guessing. Text figures that restate cells (现行有效…698件)
narrow Table 二's candidates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence

from pipeline.extract import digits
from pipeline.extract.arithmetic import Assignment, best_combinations
from pipeline.extract.lines import Line
from pipeline.extract.settle import settle
from pipeline.record import Record
from pipeline.template import (
    DECIMAL_COLUMNS,
    SIGNED_COLUMNS,
    T2_ROWS,
    T3_COLUMNS,
    T3_LAYOUTS,
    T4_KEYS,
    Row,
    normalise,
    t2_key,
    t3_key,
    t3_rules,
    unify_signs,
)

#: A row's digits: cells with the spaces and signs between them; a comma only between digits (a number
#: grouped by thousands, `10,690`, which `digits.decode` keeps whole).
RUN = re.compile(r"[+\-]?\d(?:[\d .+\-]|,(?=\d))*(?:亿元|万元|元)?")
NUMBERING = re.compile(r"^(\d+\.|\([一二三四五六七八九]\)|[一二三四]、)")
CJK_GAP = re.compile(r"(?<=[\u3400-\u4dbf\u4e00-\u9fff]) (?=[\u3400-\u4dbf\u4e00-\u9fff])")

#: Sentences that restate a Table 二 cell, by key (narrow candidates, never override a cell).
T2_HINTS: dict[str, re.Pattern[str]] = {
    "t2.normative_documents.in_force": re.compile(r"现行有效(?:的)?(?:行政)?规范性文件(\d+)件"),
    "t2.normative_documents.issued": re.compile(r"(?:本年度?)?制发的?(?:行政)?规范性文件(\d+)件"),
    "t2.normative_documents.repealed": re.compile(r"废止(?:行政)?规范性文件(\d+)件"),
}


def flatten(lines: Sequence[Line]) -> str:
    """The lines as one NFKC text with numbering unified (`1、` → `1.`, as `normalise` does for
    labels); single spaces kept between digits, since they are certain cell borders, and dropped
    between two Chinese characters, where they border no number (a letter-spaced copy prints
    `第 二 十 条`, and the tables are found by such words)."""
    text = unify_signs(unicodedata.normalize("NFKC", " ".join(line.text for line in lines)))
    text = CJK_GAP.sub("", re.sub(r"\s+", " ", text))
    return re.sub(r"(\d)[、．]", r"\1.", text)


def drop_last_run(text: str) -> str:
    """The text without the digit run it ends with: where a copy was cut off inside a table,
    the run may have lost digits, and a shortened run can still cut validly into wrong cells."""
    return re.sub(RUN.pattern + r"\s*$", "", text)


def _cue_pattern(cue: str) -> re.Pattern[str]:
    """A cue that tolerates spaces between its characters."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in normalise(cue)))


def _locate(text: str, rows: Sequence[Row], start: int) -> list[tuple[Row, int, int]]:
    """(row, label start, label end) for each row found, in template order."""
    found: list[tuple[Row, int, int]] = []
    position = start
    for row in rows:
        match = min(
            (m for cue in row.cues if (m := _cue_pattern(cue).search(text, position))),
            key=lambda m: m.start(),
            default=None,
        )
        if match is None:
            continue
        begin = _numbering_start(text, row, match.start(), position)
        found.append((row, begin, match.end()))
        position = match.end()
    return found


def _numbering_start(text: str, row: Row, cue_start: int, floor: int) -> int:
    """Move a label's start back over its item number, so it is not read as a digit."""
    prefix = NUMBERING.match(row.normal_label)
    if prefix is None:
        return cue_start
    window_start = max(floor, cue_start - 20)
    index = text.rfind(prefix.group(1), window_start, cue_start)
    return window_start + (index - window_start) if index >= 0 else cue_start


def _materials(text: str, located: list[tuple[Row, int, int]], end: int) -> dict[str, str]:
    """The first digit run between each label and the next one."""
    out: dict[str, str] = {}
    for i, (row, _, label_end) in enumerate(located):
        stop = located[i + 1][1] if i + 1 < len(located) else end
        match = RUN.search(text, label_end, stop)
        if match:
            out[row.key] = match.group(0).strip().rstrip(".+-").strip()
    return out


# ---------------------------------------------------------------- Table 二


def extract_t2(text: str, record: Record, skip: Collection[str] = ()) -> None:
    """Decode Table 二's rows one by one (but those in `skip`, already read by their labels);
    narrow them with the text's restated figures."""
    start = text.find("第二十条")
    end = _t3_start(text)
    if start < 0:
        return
    rows = T2_ROWS[record.template_version]
    hints = {key: int(m.group(1)) for key, p in T2_HINTS.items() if (m := p.search(normalise(text[:start] + text[end:])))}
    located = [(row, begin, label_end) for row, begin, label_end in _locate(text, rows, start) if begin < end]
    materials = _materials(text, located, end)
    for row in rows:
        material = materials.get(row.key)
        if not material or row.key in skip:
            continue
        key_of = [t2_key(row.key, c) for c in row.columns]
        options = [dict(zip(key_of, cells, strict=True)) for cells in _decode_t2(material, row)]
        settle(record, f"t2.{row.key}", _narrow(options, hints), material, f"text run '{material}'")


def _decode_t2(material: str, row: Row) -> list[digits.Cells]:
    """Every valid cut of a Table 二 row, with 新公开 never above 对外公开总数; none where the run lost cells."""
    columns = row.columns

    def plausible(cells: digits.Cells) -> bool:
        values = dict(zip(columns, cells, strict=True))
        return not ("newly_published" in values and values["newly_published"] > values["total_published"])

    if _lost_cells(material, columns):
        return []
    return digits.decode(material, columns, SIGNED_COLUMNS, DECIMAL_COLUMNS, plausible)


def _narrow(options: list[Assignment], hints: dict[str, int]) -> list[Assignment]:
    """Options that agree with every restated figure, where any do."""
    agreeing = [o for o in options if all(o.get(k, v) == v for k, v in hints.items())]
    return agreeing or options


def _t3_start(text: str) -> int:
    """Where Table 三 begins in the flattened text."""
    positions = [p for cue in ("勾稽关系", "本年新收") if (p := text.find(cue)) >= 0]
    return min(positions) if positions else len(text)


# ---------------------------------------------------------------- Table 三


def extract_t3(text: str, layout: str, record: Record) -> None:
    """Decode every row of the given layout by its row sum, then the table by its column rules."""
    start = _t3_start(text)
    end = _t4_start(text, start)
    rows = T3_LAYOUTS[layout]
    materials = _materials(text, _locate(text, rows, start), end)
    options: dict[str, list[Assignment]] = {}
    for row in rows:
        if row.key in materials:
            options[row.key] = _t3_options(materials[row.key], row.key)
    fixed = {k: v for opts in options.values() if len(opts) == 1 for k, v in opts[0].items()}
    open_keys = [k for k, opts in options.items() if len(opts) > 1]
    best = best_combinations(fixed, [options[k] for k in open_keys], t3_rules(layout))
    for row_key in options:
        if row_key in open_keys:
            i = open_keys.index(row_key)
            row_options = [combo[i] for combo in best] if best else options[row_key]
        else:
            row_options = options[row_key]
        material = materials[row_key]
        settle(record, f"t3.{row_key}", row_options, material, f"text run '{material}'")


def _t3_options(material: str, row_key: str) -> list[Assignment]:
    """Decodings of one Table 三 row: those whose cells add up, else every valid cut of a run that lost
    no cells (`_unsummed`)."""
    keys = [t3_key(row_key, c) for c in T3_COLUMNS]
    cells = digits.decode(material, T3_COLUMNS, accept=digits.row_sum_holds) or _unsummed(material, T3_COLUMNS)
    return [dict(zip(keys, c, strict=True)) for c in cells]


def _unsummed(material: str, columns: Sequence[str]) -> list[digits.Cells]:
    """The cuts of a run whose sums fail (a misprinted total, which validation reports), left to the
    table's rules and to ambiguity, unless the run lost cells on the way (`_lost_cells`)."""
    return [] if _lost_cells(material, columns) else digits.decode(material, columns)


def _lost_cells(material: str, columns: Sequence[str]) -> bool:
    """Whether a run has some spaces but fewer pieces than cells: its borders were neither all lost (no
    space: glued cells, as scraped text glues them) nor all kept, so cells went missing on the way (blank
    cells dropped, a line wrapped inside a number), and `258 12 1 1` cut into 2, 5, 8 … for seven columns,
    or `10 5` into 1, 0, 5 for three, would be a guess."""
    pieces, _unit = digits.pieces_of(material)
    return " " in material.strip() and len(pieces) < len(columns)


def _t4_start(text: str, t3_start: int) -> int:
    """Where Table 四 begins: its 行政复议 header after Table 三's last row."""
    anchor = text.find("结转下年度", t3_start)
    position = text.find("行政复议", anchor if anchor >= 0 else t3_start)
    return position if position >= 0 else len(text)


# ---------------------------------------------------------------- Table 四


def extract_t4(text: str, record: Record) -> None:
    """Decode Table 四's data run under its three group totals."""
    t3 = _t3_start(text)
    if t3 == len(text):  # no Table 三 printed: Table 四 follows Table 二
        t3 = max(text.find("第二十条"), 0)
    start = _t4_start(text, t3)
    match = RUN.search(text, start)
    if match is None:
        return
    material = match.group(0).strip()
    columns = [k.removeprefix("t4.") for k in T4_KEYS]
    cells = digits.decode(material, columns, accept=digits.group_sums_hold) or _unsummed(material, columns)
    settle(record, "t4", [dict(zip(T4_KEYS, c, strict=True)) for c in cells], material, f"text run '{material}'")
