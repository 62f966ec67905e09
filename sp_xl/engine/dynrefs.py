"""OFFSET and INDIRECT: references computed while the formula runs.

The dependency graph is built before anything is evaluated, from the references a formula
names in its text, so a reference computed at run time may point at formula cells that are
not computed yet (their grid still holds the old cached value). We therefore accept a
computed area only when every formula cell inside it lies within an area the formula names
itself (so the graph already orders it first) and is not the cell itself; otherwise the cell
is refused. An area of constants is always safe. INDIRECT reads A1-style text (with an
optional sheet); R1C1 text, names and other workbooks are refused.
"""

from __future__ import annotations

import math

from formulas.tokens.operand import XlError

from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import MAX_COL, MAX_ROW, RefVal, parse_area
from sp_xl.engine.values import EMPTY, E_REF, E_VALUE, to_number


def _whole(v) -> object:
    """An OFFSET count: number or numeric text, truncated toward zero; errors pass."""
    if isinstance(v, XlError):
        return v
    n = to_number(v)
    if isinstance(n, XlError):
        return n
    return int(math.trunc(n))


def offset(book, base, rows, cols, height=None, width=None) -> object:
    if isinstance(base, XlError):
        return base
    if not isinstance(base, RefVal):
        return E_VALUE
    dr, dc = _whole(rows), _whole(cols)
    for v in (dr, dc):
        if isinstance(v, XlError):
            return v
    h = base.r2 - base.r1 + 1 if height is None or height is EMPTY else _whole(height)
    w = base.c2 - base.c1 + 1 if width is None or width is EMPTY else _whole(width)
    for v in (h, w):
        if isinstance(v, XlError):
            return v
    if h == 0 or w == 0:
        return E_REF
    if h < 0 or w < 0:
        raise Unsupported("OFFSET med negativ højde eller bredde understøttes ikke.",
                          "OFFSET with a negative height or width is not supported.")
    r1, c1 = base.r1 + dr, base.c1 + dc
    r2, c2 = r1 + h - 1, c1 + w - 1
    if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
        return E_REF
    return RefVal(base.si, r1, c1, r2, c2)


def indirect(book, si: int, text, a1=True) -> object:
    if isinstance(text, XlError):
        return text
    if a1 is not True and not (type(a1) is float and a1 != 0) and a1 is not EMPTY:
        raise Unsupported("INDIRECT med R1C1-referencer understøttes ikke.",
                          "INDIRECT with R1C1 references is not supported.")
    if not isinstance(text, str) or text is EMPTY:
        return E_REF
    area = parse_area(text.strip())
    if area is None:
        raise Unsupported(f"INDIRECT(\"{text}\"): teksten er ikke en almindelig reference (fx et navn); "
                          "det understøttes ikke.",
                          f"INDIRECT(\"{text}\"): the text is not a plain reference (e.g. a name); not supported.")
    target = si
    if area.sheet is not None:
        if area.sheet.startswith("["):
            raise Unsupported("INDIRECT til en anden projektmappe understøttes ikke.",
                              "INDIRECT to another workbook is not supported.")
        target = book.sheet_index.get(area.sheet.upper())
        if target is None:
            return E_REF
    return RefVal(target, area.r1, area.c1, area.r2, area.c2)


def check_safe(book, ref: RefVal, templates, r: int, c: int, own_si: int, name: str) -> None:
    """Refuse when ``ref`` holds a formula cell the formula does not name itself."""
    cells = book.formula_cells.get(ref.si)
    if not cells:
        return
    r2, c2 = book.clipped(ref)
    area = (r2 - ref.r1 + 1) * (c2 - ref.c1 + 1)
    if area <= len(cells):
        inside = [(rr, cc) for rr in range(ref.r1, r2 + 1) for cc in range(ref.c1, c2 + 1) if (rr, cc) in cells]
    else:
        inside = [(rr, cc) for rr, cc in cells if ref.r1 <= rr <= r2 and ref.c1 <= cc <= c2]
    if not inside:
        return
    boxes = [p for t in templates if t.si == ref.si and (p := t.at(r, c)) is not None]
    for rr, cc in inside:
        if (ref.si == own_si and (rr, cc) == (r, c)) or not any(
                p[0] <= rr <= p[2] and p[1] <= cc <= p[3] for p in boxes):
            raise Unsupported(f"{name} peger på formelceller, som formlen ikke selv nævner; rækkefølgen af "
                              "beregningen kan ikke sikres, så det understøttes ikke.",
                              f"{name} points at formula cells the formula does not name itself; the order of "
                              "calculation cannot be ensured, so it is not supported.")
