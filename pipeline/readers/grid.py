"""Page layout from pixels: straighten the page, find ruled tables and their cells, cut text lines.

Government reports are one column of text and ruled tables, so a scan's layout can be
read off the binarised page with numpy alone: ruling lines are long runs of dark
pixels, a table is a set of rulings that cross each other, a cell is a box of the
grid whose sides are drawn (a missing side means a merged cell, i.e. a span), and a
text line is a band of rows with ink between blank rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, end exclusive
MAX_SKEW_DEGREES = 3.0


@dataclass(frozen=True)
class GridCell:
    """One origin cell of a ruled table: its grid position, spans and pixel box."""

    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box


@dataclass(frozen=True)
class Grid:
    """A ruled table: its outer box and its origin cells."""

    box: Box
    cells: tuple[GridCell, ...]


def binarise(grey: np.ndarray) -> np.ndarray:
    """Dark pixels (ink) by Otsu's threshold; grey cell shading falls on the paper side."""
    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    weights = np.arange(256)
    total, mean_all = hist.sum(), (hist * weights).sum()
    below = np.cumsum(hist)
    mean_below = np.cumsum(hist * weights)
    above = total - below
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * below - total * mean_below) ** 2 / (below * above)
    threshold = int(np.nanargmax(between[:255]))
    return grey <= min(threshold, 200)


def deskew(grey: np.ndarray) -> np.ndarray:
    """The page rotated so its text lines and rulings run level (angle of the sharpest row profile)."""
    from PIL import Image  # Pillow is loaded only when a picture is read
    ink = binarise(grey)
    angle = _skew(ink[::4, ::4], np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 0.5))
    angle = _skew(ink[::2, ::2], np.arange(angle - 0.4, angle + 0.41, 0.1))
    angle = _skew(ink[::2, ::2], np.arange(angle - 0.075, angle + 0.076, 0.025))
    if abs(angle) < 0.05:
        return grey
    rotated = Image.fromarray(grey).rotate(angle, resample=Image.BILINEAR, fillcolor=255)
    return np.asarray(rotated)


def _skew(ink: np.ndarray, angles: np.ndarray) -> float:
    """The angle (degrees) at which the ink's row histogram is sharpest."""
    ys, xs = np.nonzero(ink)
    if len(ys) == 0:
        return 0.0
    scores = []
    for angle in angles:
        shifted = np.round(ys - xs * np.tan(np.radians(angle))).astype(np.int64)
        profile = np.bincount(shifted - shifted.min())
        scores.append(float((profile.astype(np.float64) ** 2).sum()))
    return float(angles[int(np.argmax(scores))])


def _runs(mask: np.ndarray, min_length: int, bridge: int) -> np.ndarray:
    """Pixels in horizontal runs of at least `min_length`, gaps up to `bridge` (noise, JPEG) bridged."""
    edges = np.diff(np.pad(mask, ((0, 0), (1, 1))).view(np.int8), axis=1)
    width = edges.shape[1]
    rows, begins = np.divmod(np.flatnonzero(edges == 1), width)
    ends = np.flatnonzero(edges == -1) % width
    if len(rows) == 0:
        return np.zeros_like(mask)
    joined = (rows[1:] == rows[:-1]) & (begins[1:] - ends[:-1] <= bridge)
    first = np.concatenate(([True], ~joined))  # a run that starts a bridged run
    last = np.concatenate((~joined, [True]))
    rows, begins, ends = rows[first], begins[first], ends[last]
    long = ends - begins >= min_length
    out = np.zeros_like(mask)
    for row, begin, end in zip(rows[long].tolist(), begins[long].tolist(), ends[long].tolist(), strict=False):
        out[row, begin:end] = True
    return out


@dataclass(frozen=True)
class _Line:
    """A ruling: its position across (`at`), and where it starts and ends along."""

    at: int
    start: int
    end: int


def _lines(runs: np.ndarray, max_thickness: int) -> list[_Line]:
    """Rulings from a horizontal-runs mask: runs on neighbouring rows that overlap are one ruling;
    one thicker than `max_thickness` is a filled block (a shaded bar), not a ruling."""
    edges = np.diff(np.pad(runs, ((0, 0), (1, 1))).view(np.int8), axis=1)
    starts, ends = np.argwhere(edges == 1), np.argwhere(edges == -1)
    open_lines: list[list[int]] = []  # [first row, last row, start, end]
    done: list[list[int]] = []
    for (row, start), (_, end) in zip(starts.tolist(), ends.tolist(), strict=False):
        still_open = []
        for line in open_lines:
            (done if line[1] < row - 1 else still_open).append(line)
        open_lines = still_open
        for line in open_lines:
            if line[1] >= row - 1 and min(end, line[3]) - max(start, line[2]) > 0:
                line[1], line[2], line[3] = row, min(start, line[2]), max(end, line[3])
                break
        else:
            open_lines.append([row, row, start, end])
    done += open_lines
    return [_Line((a + b) // 2, s0, e0) for a, b, s0, e0 in done if b - a + 1 <= max_thickness]


def find_tables(ink: np.ndarray, unit: int) -> tuple[list[Grid], np.ndarray]:
    """Ruled tables of a straightened page, and the mask of their rulings (to take out of the
    cells before reading them); `unit` is about one character's height in pixels."""
    h_runs, v_runs = _runs(ink, 2 * unit, 3), _runs(np.ascontiguousarray(ink.T), unit + unit // 4, 3)
    horizontal, vertical = _lines(h_runs, unit // 3 + 2), _lines(v_runs, unit // 3 + 2)
    tables = []
    for h_group, v_group in _crossing_groups(horizontal, vertical, tolerance=unit // 4 + 2):
        grid = _grid(h_group, v_group, (h_runs, v_runs.T), unit)
        if grid is not None:
            tables.append(grid)
    return sorted(tables, key=lambda g: g.box[1]), h_runs | v_runs.T


def _crossing_groups(horizontal: list[_Line], vertical: list[_Line], tolerance: int) -> list[tuple[list[_Line], list[_Line]]]:
    """Sets of horizontal and vertical rulings connected by crossings (union-find)."""
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.start - tolerance <= v.at <= h.end + tolerance and v.start - tolerance <= h.at <= v.end + tolerance:
                parent[find(i)] = find(len(horizontal) + j)
    groups: dict[int, tuple[list[_Line], list[_Line]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _positions(lines: list[_Line], tolerance: int) -> list[int]:
    """Distinct ruling positions, near ones merged."""
    merged: list[list[int]] = []
    for at in sorted(line.at for line in lines):
        if merged and at - merged[-1][-1] <= tolerance:
            merged[-1].append(at)
        else:
            merged.append([at])
    return [int(np.mean(m)) for m in merged]


def _grid(horizontal: list[_Line], vertical: list[_Line], runs: tuple[np.ndarray, np.ndarray], unit: int) -> Grid | None:
    """Origin cells with spans: elementary boxes joined wherever the ruling between them is not drawn
    (judged on the ruling masks, so text crossing a merged cell's inner border does not count)."""
    h_runs, v_runs = runs
    ys, xs = _positions(horizontal, unit // 3), _positions(vertical, unit // 3)
    ys = _open_ends(ys, vertical, unit)
    if len(ys) < 2 or len(xs) < 3 or ys[-1] - ys[0] < unit or xs[-1] - xs[0] < 4 * unit:
        return None  # too small for a table of figures: strokes of large characters
    rows, cols = len(ys) - 1, len(xs) - 1
    owner = np.arange(rows * cols).reshape(rows, cols)
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reach = unit // 4 + 1
    for r in range(rows):
        for c in range(cols):
            right = v_runs[ys[r] + reach : ys[r + 1] - reach, xs[c + 1] - reach : xs[c + 1] + reach + 1] if c + 1 < cols else None
            if right is not None and not _drawn(right, axis=0):
                parent[find(owner[r, c + 1])] = find(owner[r, c])
            below = h_runs[ys[r + 1] - reach : ys[r + 1] + reach + 1, xs[c] + reach : xs[c + 1] - reach] if r + 1 < rows else None
            if below is not None and not _drawn(below, axis=1):
                parent[find(owner[r + 1, c])] = find(owner[r, c])
    members: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            members.setdefault(find(owner[r, c]), []).append((r, c))
    cells = []
    for group in members.values():
        r0, c0 = min(r for r, _ in group), min(c for _, c in group)
        r1, c1 = max(r for r, _ in group), max(c for _, c in group)
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Grid((xs[0], ys[0], xs[-1], ys[-1]), tuple(cells))


def _open_ends(ys: list[int], vertical: list[_Line], unit: int) -> list[int]:
    """A table cut by a page break has no ruling on its open side: where the columns' rulings run
    on past the last (or first) horizontal one, their common end closes the row."""
    below = [v.end for v in vertical if v.end > ys[-1] + unit]
    above = [v.start for v in vertical if v.start < ys[0] - unit]
    if len(below) >= 3:
        ys = [*ys, int(np.median(below))]
    if len(above) >= 3:
        ys = [int(np.median(above)), *ys]
    return ys


def _drawn(strip: np.ndarray, axis: int) -> bool:
    """Whether a ruling crosses this strip: most positions along it have ink somewhere across it."""
    if strip.size == 0:
        return True
    covered = strip.any(axis=1 - axis) if axis == 0 else strip.any(axis=0)
    return bool(covered.mean() >= 0.6)


def text_lines(ink: np.ndarray, box: Box, max_gap: int = 1, min_ink: int = 2) -> list[Box]:
    """Text lines inside a box: bands of rows holding ink (gaps up to `max_gap` rows bridged, so
    a digit whose thin stroke broke stays whole), each trimmed to its ink's width."""
    x0, y0, x1, y1 = box
    region = ink[y0:y1, x0:x1]
    rows = np.flatnonzero(region.sum(axis=1) >= min_ink)
    lines: list[Box] = []
    for band in np.split(rows, np.flatnonzero(np.diff(rows) > max_gap + 1) + 1) if len(rows) else []:
        top, bottom = int(band[0]), int(band[-1]) + 1
        cols = np.flatnonzero(region[top:bottom].any(axis=0))
        if len(cols):
            lines.append((x0 + int(cols[0]), y0 + top, x0 + int(cols[-1]) + 1, y0 + bottom))
    return lines
