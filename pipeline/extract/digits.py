"""Decoding digit runs: table rows whose cell borders were lost (`640020470`).

A run is cut into the row's cells in every way that prints validly (no leading
zeros, a sign only where a column is signed, a decimal point only where a column
has decimals); the template's arithmetic then keeps the cuts that fit. Spaces that
survived scraping are certain cell borders; a `-` always starts a new cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from math import comb, prod

from pipeline.extract.lines import UNIT_FACTORS_TO_WAN, to_number
from pipeline.template import GROUPED

Cells = tuple[int | float, ...]
MAX_CANDIDATES = 20000
#: Most cuts of one run tried. The count grows as C(digits-1, cells-1): a 7-cell row of 25
#: digits (more than any real row) has 134,596; one of 44 digits took 100 s, of 60 hours.
MAX_CUTS = 400_000
RUN_UNIT = re.compile(r"(亿元|万元|元)$")


def pieces_of(run: str) -> tuple[list[str], str]:
    """Split a run at its certain borders (spaces, signs); return the pieces and a trailing unit."""
    run = run.strip()
    unit_match = RUN_UNIT.search(run)
    unit = unit_match.group(1) if unit_match else ""
    if unit:
        run = run[: unit_match.start()]
    pieces: list[str] = []
    for chunk in run.split():
        pieces.extend(p for p in re.split(r"(?=[+\-])", chunk) if p)
    return pieces, unit


def _valid(cell: str, signed: bool, decimal: bool) -> bool:
    """Whether a cut prints as a real cell value: a comma only as a thousands separator (`10,690`), so a
    cut through a grouped number (`10,6` `90`) never prints validly."""
    body = cell[1:] if cell[:1] in "+-" else cell
    if cell[:1] in "+-" and not signed:
        return False
    if not body or not body[0].isdigit() or not body[-1].isdigit():
        return False
    if "." in body and (not decimal or body.count(".") > 1):
        return False
    whole = body.split(".")[0]
    if "," in whole and not GROUPED.fullmatch(whole):
        return False
    return not (len(whole) > 1 and whole[0] == "0")  # also refuses a grouped number led by 0 (0,123)


def _cuts(piece: str, parts: int) -> Iterator[list[str]]:
    """Every way to cut one piece into `parts` non-empty strings."""
    if parts == 1:
        yield [piece]
        return
    for i in range(1, len(piece) - parts + 2):
        for rest in _cuts(piece[i:], parts - 1):
            yield [piece[:i], *rest]


def _allocations(lengths: Sequence[int], cells: int) -> Iterator[list[int]]:
    """Ways to share `cells` among pieces, each piece taking 1..len(piece) cells."""
    if not lengths:
        if cells == 0:
            yield []
        return
    remaining_max = sum(lengths[1:])
    for take in range(1, lengths[0] + 1):
        rest = cells - take
        if len(lengths) - 1 <= rest <= remaining_max:
            for tail in _allocations(lengths[1:], rest):
                yield [take, *tail]


def decode(
    run: str,
    columns: Sequence[str],
    signed: frozenset[str] = frozenset(),
    decimal: frozenset[str] = frozenset(),
    accept: Callable[[Cells], bool] = lambda cells: True,
) -> list[Cells]:
    """All decodings of a run into the given columns that print validly and pass `accept`."""
    pieces, unit = pieces_of(run)
    found: list[Cells] = []
    if cut_count([len(p) for p in pieces], len(columns)) > MAX_CUTS:
        return found  # too long to be a row of this table: undecodable, never guessed
    for allocation in _allocations([len(p) for p in pieces], len(columns)):
        for cut in _product([list(_cuts(p, n)) for p, n in zip(pieces, allocation, strict=True)]):
            if not all(_valid(c, col in signed, col in decimal) for c, col in zip(cut, columns, strict=True)):
                continue
            cells = tuple(_to_value(c, col, unit) for c, col in zip(cut, columns, strict=True))
            if accept(cells):
                found.append(cells)
            if len(found) >= MAX_CANDIDATES:
                return found
    return found


def cut_count(lengths: Sequence[int], cells: int) -> int:
    """How many cuts `decode` would try, counted without making them."""
    return sum(prod(comb(n - 1, k - 1) for n, k in zip(lengths, take, strict=True)) for take in _allocations(lengths, cells))


def _product(options: list[list[list[str]]]) -> Iterator[list[str]]:
    """Concatenated cuts of every piece, one option per piece."""
    if not options:
        yield []
        return
    for head in options[0]:
        for tail in _product(options[1:]):
            yield head + tail


def _to_value(cell: str, column: str, unit: str) -> int | float:
    """A cut cell as a number; amounts printed with a unit go to the column's 万元."""
    amount = Decimal(cell.replace(",", ""))
    if column.endswith("_wan_yuan") and unit:
        amount *= UNIT_FACTORS_TO_WAN[unit]
    return to_number(amount)


def row_sum_holds(cells: Cells) -> bool:
    """Table 三: the six applicant columns add up to 总计."""
    return sum(cells[:6]) == cells[6]


def group_sums_hold(cells: Cells) -> bool:
    """Table 四: in each proceeding, 维持+纠正+其他+未审结 = 总计."""
    return all(sum(cells[i : i + 4]) == cells[i + 4] for i in (0, 5, 10))
