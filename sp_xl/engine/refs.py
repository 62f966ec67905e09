"""A1 references for the formula engine: parsing, and the relative "shape" of a formula.

Shared and filled-down formulas differ only in their relative references (``B2*C2``,
``B3*C3``, ...). ``shape_key`` rewrites those references relative to the formula's own cell,
so that the engine parses and compiles each shape once instead of once per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MAX_ROW = 1_048_576
MAX_COL = 16_384

_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)$")
_COL = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROW = re.compile(r"^(\$?)(\d+)$")


@lru_cache(maxsize=4096)
def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


@lru_cache(maxsize=4096)
def col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


_REF_FAST = re.compile(r"([A-Z]{1,3})(\d+)")


def parse_cell(ref: str) -> tuple[int, int]:
    """'B5' -> (5, 2); raises ValueError for anything else."""
    m = _REF_FAST.fullmatch(ref)
    if m is None:
        m2 = _CELL.match(ref)
        if m2 is None:
            raise ValueError(f"not a cell reference: {ref!r}")
        return int(m2.group(4)), col_number(m2.group(2))
    return int(m.group(2)), col_number(m.group(1))


@dataclass(frozen=True, slots=True)
class RefVal:
    """A reference handed to a reference-aware function (the area, not yet its values)."""

    si: int
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass(frozen=True, slots=True)
class Area:
    """A rectangular reference; rows/cols 1-based, inclusive. Absolute flags per corner part."""

    sheet: str | None
    r1: int
    c1: int
    r2: int
    c2: int
    abs_r1: bool = True
    abs_c1: bool = True
    abs_r2: bool = True
    abs_c2: bool = True

    @property
    def is_cell(self) -> bool:
        return self.r1 == self.r2 and self.c1 == self.c2

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1


def _part(text: str) -> tuple[int | None, int | None, bool, bool] | None:
    """One side of a range: (row, col, abs_row, abs_col); None row/col for whole columns/rows."""
    m = _CELL.match(text)
    if m:
        return int(m.group(4)), col_number(m.group(2)), bool(m.group(3)), bool(m.group(1))
    m = _COL.match(text)
    if m:
        return None, col_number(m.group(2)), True, bool(m.group(1))
    m = _ROW.match(text)
    if m:
        return int(m.group(2)), None, bool(m.group(1)), True
    return None


def split_sheet(text: str) -> tuple[str | None, str]:
    """"'Mål'!B2" -> ("Mål", "B2"); "B2" -> (None, "B2")."""
    if text.startswith("'"):
        end = text.rfind("'!")
        if end <= 0:
            raise ValueError(text)
        return text[1:end].replace("''", "'"), text[end + 2:]
    if "!" in text:
        sheet, rest = text.rsplit("!", 1)
        return sheet, rest
    return None, text


def parse_area(text: str) -> Area | None:
    """A reference operand ('Data!$B$2:E2', 'A:A', '3:3', 'B5') as an Area, or None if it is not one."""
    try:
        sheet, rest = split_sheet(text)
    except ValueError:
        return None
    if ":" in rest:
        left, right = rest.split(":", 1)
    else:
        left = right = rest
    a, b = _part(left), _part(right)
    if a is None or b is None:
        return None
    if ":" not in rest and (a[0] is None or a[1] is None):
        return None  # 'na' alone is a name, not column NA: a whole column needs NA:NA
    (ra, ca, ara, aca), (rb, cb, arb, acb) = a, b
    if (ra is None) != (rb is None) or (ca is None) != (cb is None):
        return None  # mixed forms like A1:B are not references
    # Whole rows/columns count as absolute: shape_key leaves them as literal text.
    if ca is None:  # whole rows 3:5
        ca, cb = 1, MAX_COL
        aca = acb = ara = arb = True
    if ra is None:  # whole columns A:C
        ra, rb = 1, MAX_ROW
        aca = acb = ara = arb = True
    if rb < ra:
        ra, rb, ara, arb = rb, ra, arb, ara
    if cb < ca:
        ca, cb, aca, acb = cb, ca, acb, aca
    if not (1 <= ra <= MAX_ROW and 1 <= rb <= MAX_ROW and 1 <= ca <= MAX_COL and 1 <= cb <= MAX_COL):
        return None
    return Area(sheet, ra, ca, rb, cb, ara, aca, arb, acb)


# Relative-shape key. Quoted text ("..." strings and '...' sheet names) is left alone; a cell
# reference is letters+digits not glued to a name character or a following "(" (LOG10( is
# a function, not column LOG row 10).
_QUOTED = re.compile(r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')")
_KEY_REF = re.compile(r"(?<![\w.\]\[])(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})(?![\w(.\[])")


def shape_key(formula: str, row: int, col: int) -> str:
    """The formula with every relative A1 reference replaced by its offset from (row, col)."""

    def repl(m: re.Match) -> str:
        cabs, letters, rabs, digits = m.groups()
        c = col_number(letters)
        r = int(digits)
        cpart = f"C{c}" if cabs else f"C[{c - col}]"
        rpart = f"R{r}" if rabs else f"R[{r - row}]"
        return f"\x00{rpart}{cpart}\x00"

    parts = _QUOTED.split(formula)
    for i in range(0, len(parts), 2):
        parts[i] = _KEY_REF.sub(repl, parts[i])
    return "".join(parts)


# Digits become the byte 0xFF, which UTF-8 text never holds: a '#' (or any character) in a
# string literal cannot be mistaken for a masked digit (TEXT(1;"0") and TEXT(1;"#") once had
# one skeleton and different digit runs).
_DIGIT_BYTES = bytes.maketrans(b"0123456789", b"\xff" * 10)
_CHUNK = 1 << 16
_NUMBER = re.compile(r"\d+")


def shape_groups(formulas: list[str], rows: list[int], cols: list[int]) -> list[int]:
    """A group number per formula: formulas in one group have the same relative shape (the
    same ``shape_key``), so one compiled closure serves them all.

    Done in bulk, for the 100,000s of formulas of filled-down columns: the digits of all
    formulas are masked in one pass ("C12-D12" -> "C\xff\xff-D\xff\xff", the skeleton); for each
    skeleton we learn once which digit runs are relative row numbers; all numbers are read
    in one pass and made relative to their formula's row with numpy. A group is a skeleton,
    a column and those numbers. (Equal groups imply equal shape keys; the engine still
    shares compiled shapes across groups by ``shape_key``.)
    """
    n = len(formulas)
    by_skeleton: dict[str, int] = {}
    flags: list[tuple[bool, ...]] = []
    kinds = np.empty(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    for start in range(0, n, _CHUNK):          # in chunks: the joined texts stay small
        chunk = formulas[start:start + _CHUNK]
        text = "\x00".join(chunk)
        # bytes.translate: one table lookup per byte; str.translate is slow on non-ASCII text (æøå)
        skeletons = text.encode().translate(_DIGIT_BYTES).decode("latin-1").split("\x00")
        known = len(by_skeleton)
        kinds[start:start + len(chunk)] = np.fromiter(
            (by_skeleton.setdefault(sk, len(by_skeleton)) for sk in skeletons), dtype=np.int64, count=len(chunk))
        if len(by_skeleton) > known:           # new skeletons: which digit runs are relative rows
            new, first = np.unique(kinds[start:start + len(chunk)], return_index=True)
            firsts = dict(zip(new.tolist(), first.tolist()))
            flags.extend(_relative_row_numbers(chunk[firsts[k]]) for k in range(known, len(by_skeleton)))
        try:
            parts.append(np.array(_NUMBER.findall(text), dtype=np.int64))
        except OverflowError:      # a digit run beyond 64 bits (a long constant): one by one
            keys: dict[str, int] = {}
            return [keys.setdefault(shape_key(f, r, c), len(keys)) for f, r, c in zip(formulas, rows, cols)]
    numbers = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    widths = np.array([len(f) for f in flags], dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(widths[kinds])[:-1])) if n else np.zeros(0, dtype=np.int64)
    rows_a = np.asarray(rows, dtype=np.int64)
    cols_a = np.asarray(cols, dtype=np.int64)
    groups = np.empty(n, dtype=np.int64)
    by_kind = np.argsort(kinds, kind="stable")
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(kinds[by_kind])) + 1, [n])).tolist() if n else [0]
    next_id = 0
    for a, b in zip(bounds, bounds[1:]):
        members = by_kind[a:b]
        f = flags[int(kinds[members[0]])]
        width = len(f)
        table = np.empty((members.size, width + 1), dtype=np.int64)
        table[:, 0] = cols_a[members]
        if width:
            take = starts[members][:, None] + np.arange(width)[None, :]
            table[:, 1:] = numbers[take] - rows_a[members][:, None] * np.array(f, dtype=np.int64)[None, :]
        if (table == table[0]).all():              # one filled-down shape (the common case)
            inverse = np.zeros(members.size, dtype=np.int64)
        else:
            inverse = np.unique(table, axis=0, return_inverse=True)[1].ravel()
        groups[members] = inverse + next_id
        next_id += int(inverse.max()) + 1
    return groups.tolist()


def _relative_row_numbers(formula: str) -> tuple[bool, ...]:
    """For each digit run of the formula: is it the row of a relative cell reference?"""
    quoted = [m.span() for m in _QUOTED.finditer(formula)]
    rel_starts = set()
    for m in _KEY_REF.finditer(formula):
        if any(a <= m.start() < b for a, b in quoted):
            continue
        if not m.group(3):
            rel_starts.add(m.start(4))
    return tuple(m.start() in rel_starts for m in _NUMBER.finditer(formula))
