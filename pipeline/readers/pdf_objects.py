"""A PDF page's characters and painted paths, parsed by PDFium, in pdfplumber's object form.

pdfplumber's own page objects come from pdfminer, whose pure-Python content parser took
nine tenths of the time spent reading a PDF. PDFium (pypdfium2, C++) parses the page
instead, and this module hands pdfplumber the objects pdfminer would have made, so that
pdfplumber's table finder and text-line grouping run on them unchanged:

- characters: pdfminer's box spans the advance width across and the font size up from
  the descent. PDFium's loose box has the same left, right and bottom but reaches up to
  the font's ascent, so an upright character's top is recomputed as bottom + size.
  Spaces and line breaks PDFium generates are dropped: pdfplumber infers its own.
- paths: each subpath is classified as pdfminer does: a move and one line is a line; a
  closed four-sided axis-aligned path a rect; anything else a curve through its end points.
- coordinates: pdfplumber's, top-down from the page's top edge in the page's displayed
  orientation (pdfminer's rotation of /Rotate pages).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator

import pypdfium2
import pypdfium2.raw as pdfium_c
from pdfplumber.container import Container

Point = tuple[float, float]
Matrix = tuple[float, float, float, float, float, float]
Obj = dict[str, object]
#: pdfminer's page matrix for each /Rotate, from the media box (x0, y0, x1, y1).
ROTATIONS = {
    0: lambda x0, y0, x1, y1: (1, 0, 0, 1, -x0, -y0),
    90: lambda x0, y0, x1, y1: (0, -1, 1, 0, -y0, x1),
    180: lambda x0, y0, x1, y1: (-1, 0, 0, -1, x1, y1),
    270: lambda x0, y0, x1, y1: (0, 1, -1, 0, y1, -x0),
}


class PageObjects(Container):
    """One page's chars, lines, rects and curves as pdfplumber's `Container` sees them (its
    `edges`, `rects`, `chars` … properties work), and the page's image count. pdfplumber's
    `TableFinder` and `Table.extract` take it in place of a pdfplumber page."""

    def __init__(self, objects: dict[str, list[Obj]], bbox: tuple[float, float, float, float], images: int) -> None:
        self._objects = objects
        self.bbox = bbox
        self.images_count = images

    @property
    def objects(self) -> dict[str, list[Obj]]:
        return self._objects

    def filter(self, keep: Callable[[Obj], bool]) -> PageObjects:
        """The same page with only the objects `keep` accepts."""
        kept = {kind: [obj for obj in objs if keep(obj)] for kind, objs in self._objects.items()}
        return PageObjects(kept, self.bbox, self.images_count)


def read_page(page: pypdfium2.PdfPage) -> PageObjects:
    """The page's text characters and painted paths in pdfplumber's coordinates."""
    x0, y0, x1, y1 = page.get_mediabox()
    rotation = page.get_rotation() % 360
    width, height = (y1 - y0, x1 - x0) if rotation in (90, 270) else (x1 - x0, y1 - y0)
    view = ROTATIONS.get(rotation, ROTATIONS[0])(x0, y0, x1, y1)
    to_top = _then(view, (1, 0, 0, -1, 0, height))  # user space -> (x, top)
    objects: dict[str, list[Obj]] = {"char": _chars(page, view, to_top), "line": [], "rect": [], "curve": []}
    images = 0
    for kind, handle, matrix in _walk(page.raw, None, to_top):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        for shape, obj in _shapes(handle, matrix, height) if kind == pdfium_c.FPDF_PAGEOBJ_PATH else ():
            objects[shape].append(obj)
    return PageObjects(objects, (0, 0, width, height), images)


def _walk(page: object, form: object | None, outer: Matrix) -> Iterator[tuple[int, object, Matrix]]:
    """Every page object, inside form XObjects too, with its type and its matrix to (x, top)."""
    count, get = (pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject) if form else (
        pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject)  # fmt: skip
    matrix = pdfium_c.FS_MATRIX()
    for index in range(count(form or page)):
        handle = get(form or page, index)
        kind = pdfium_c.FPDFPageObj_GetType(handle)
        if kind in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM):
            pdfium_c.FPDFPageObj_GetMatrix(handle, matrix)
            inner = _then((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            yield kind, handle, inner
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                yield from _walk(page, handle, inner)


def _chars(page: pypdfium2.PdfPage, view: Matrix, to_top: Matrix) -> list[Obj]:
    """Every character drawn on the page, with pdfminer's box and upright flag."""
    text = page.get_textpage()
    try:
        handle, box, matrix, chars = text.raw, pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX(), []
        origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
        for i in range(text.count_chars()):
            if pdfium_c.FPDFText_IsGenerated(handle, i):
                continue
            pdfium_c.FPDFText_GetLooseCharBox(handle, i, box)
            pdfium_c.FPDFText_GetMatrix(handle, i, matrix)
            left, bottom, right, top = box.left, box.bottom, box.right, box.top
            if matrix.b == matrix.c == 0 and matrix.d > 0:  # unrotated: pdfminer's height is the font size
                size = pdfium_c.FPDFText_GetFontSize(handle, i) * matrix.d
                if top - bottom > 2 * size:  # vertical writing: PDFium's loose box misses the text matrix
                    pdfium_c.FPDFText_GetCharOrigin(handle, i, origin_x, origin_y)
                    left, bottom, right = origin_x.value, origin_y.value, origin_x.value + size
                top = bottom + size
            a, b, c, d, _, _ = _then((matrix.a, matrix.b, matrix.c, matrix.d, 0, 0), view)
            (x0, top0), (x1, top1) = _point(to_top, left, bottom), _point(to_top, right, top)
            left, right = (x0, x1) if x0 <= x1 else (x1, x0)
            top_edge, bottom_edge = (top0, top1) if top0 <= top1 else (top1, top0)
            mapped = pdfium_c.FPDFText_HasUnicodeMapError(handle, i) != 1
            chars.append(
                {
                    "object_type": "char",
                    "text": chr(pdfium_c.FPDFText_GetUnicode(handle, i)) if mapped else "\ufffd",
                    "x0": left,
                    "x1": right,
                    "top": top_edge,
                    "bottom": bottom_edge,
                    "doctop": top_edge,
                    "width": right - left,
                    "height": bottom_edge - top_edge,
                    "upright": a * d > 0 and b * c <= 0,
                }
            )
        return chars
    finally:
        text.close()


def _then(first: Matrix, second: Matrix) -> Matrix:
    """The transformation `first` followed by `second`."""
    a, b, c, d, e, f = first
    p, q, r, s, t, u = second
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _point(matrix: Matrix, x: float, y: float) -> Point:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _shapes(path: object, matrix: Matrix, height: float) -> Iterator[tuple[str, Obj]]:
    """pdfminer's line, rect or curve for each subpath of a painted path object."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(path, fill, stroke)
    if not fill.value and not stroke.value:
        return
    for shape, pts in _subpaths(path, matrix):
        kind = _classify(shape, pts)
        if kind is not None:
            yield kind, _shape(kind, pts, height, stroke=bool(stroke.value), fill=bool(fill.value))


def _subpaths(path: object, matrix: Matrix) -> Iterator[tuple[str, list[Point]]]:
    """Each subpath as pdfminer spells it ('m', 'l', 'c', 'h') with its end points; a Bézier
    segment counts once, at its end point, as pdfminer's 'c' does."""
    shape, pts, pending_curve = "", [], 0
    x, y = ctypes.c_float(), ctypes.c_float()
    for index in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, index)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if shape:
                yield shape, pts
            shape, pts = "", []
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            pending_curve = (pending_curve + 1) % 3
            if pending_curve:
                continue
        shape += {pdfium_c.FPDF_SEGMENT_MOVETO: "m", pdfium_c.FPDF_SEGMENT_BEZIERTO: "c"}.get(kind, "l")
        pts.append(_point(matrix, x.value, y.value))
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            shape += "h"
            pts.append(pts[0])
    if shape:
        yield shape, pts


def _classify(shape: str, pts: list[Point]) -> str | None:
    """pdfminer's `paint_path` decision for one subpath (pdfminer.converter)."""
    if not shape.startswith("m"):
        return None
    if len(shape) > 3 and shape.endswith("lh") and pts[-2] == pts[0]:  # a redundant line back to the start
        shape, pts[:] = shape[:-2] + "h", pts[:-2] + pts[-1:]
    if shape in ("mlh", "ml"):
        return "line"
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        return "rect" if pts[0] == last and square else "curve"
    return "curve"


def _shape(kind: str, pts: list[Point], height: float, stroke: bool, fill: bool) -> Obj:
    """pdfplumber's dict for a line, rect or curve through `pts` (already top-down; y0 and y1
    count up from the page's foot, as pdfminer's do)."""
    if kind == "line":
        pts = pts[:2]
    elif kind == "rect":
        pts = [pts[0], pts[2]]
    xs, tops = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(tops), max(tops)
    return {
        "object_type": kind,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "y0": height - bottom,
        "y1": height - top,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "pts": pts,
        "stroke": stroke,
        "fill": fill,
    }
