"""A1 cell references as the file format writes them: 'B5' <-> (row 5, column 2)."""

from __future__ import annotations

import re

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")

_COL_CACHE: dict[str, int] = {}
_LETTERS_CACHE: dict[int, str] = {}


def col_number(letters: str) -> int:
    n = _COL_CACHE.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        _COL_CACHE[letters] = n
    return n


def col_letters(n: int) -> str:
    s = _LETTERS_CACHE.get(n)
    if s is None:
        s, k = "", n
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(65 + r) + s
        _LETTERS_CACHE[n] = s
    return s


def split_ref(ref: str) -> tuple[int, int]:
    """'B5' -> (row 5, column 2)."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def range_cells(area: str) -> list[str]:
    """'B5:C6' -> ['B5', 'C5', 'B6', 'C6'] (row by row)."""
    first, _, last = area.partition(":")
    r1, c1 = split_ref(first)
    r2, c2 = split_ref(last or first)
    return [f"{col_letters(c)}{r}" for r in range(min(r1, r2), max(r1, r2) + 1)
            for c in range(min(c1, c2), max(c1, c2) + 1)]
