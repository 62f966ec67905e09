"""Structured table references (``Tabel1[Kolonne]``, ``Tabel1[@Mål]``, ``[[#Headers],[A]:[C]]``)
resolved to plain areas using the package's table definitions.

A table is given as (sheet, "A1:D20", column names[, header rows, totals rows]); without the
last two we take Excel's defaults for a new table: one header row, no totals row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sp_xl.engine.parse import Unsupported
from sp_xl.engine.refs import parse_area

_SPECIALS = {"#ALL", "#DATA", "#HEADERS", "#TOTALS", "#THIS ROW"}


@dataclass(frozen=True)
class Table:
    name: str
    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int
    columns: tuple[str, ...]
    header_rows: int = 1
    totals_rows: int = 0

    def contains(self, sheet: str, row: int, col: int) -> bool:
        return sheet.upper() == self.sheet.upper() and self.r1 <= row <= self.r2 and self.c1 <= col <= self.c2


def load_tables(pkg) -> dict[str, Table]:
    getter = getattr(pkg, "tables", None)
    if getter is None:
        return {}
    out = {}
    counts = {}
    if hasattr(pkg, "sheets") and hasattr(pkg, "_rels"):   # a real package: header and totals rows
        from sp_xl.ooxml.tables import table_infos
        counts = {name: (t.header_rows, t.totals_rows) for name, t in table_infos(pkg).items()}
    for name, spec in (getter() or {}).items():
        sheet, ref, cols = spec[0], spec[1], spec[2]
        header = int(spec[3]) if len(spec) > 3 and spec[3] is not None else counts.get(name, (1, 0))[0]
        totals = int(spec[4]) if len(spec) > 4 and spec[4] is not None else counts.get(name, (1, 0))[1]
        area = parse_area(ref)
        if area is None:
            continue
        out[name.upper()] = Table(name, sheet, area.r1, area.c1, area.r2, area.c2, tuple(cols), header, totals)
    return out


def _unescape(name: str) -> str:
    out, i = [], 0
    while i < len(name):
        if name[i] == "'" and i + 1 < len(name):
            out.append(name[i + 1])
            i += 2
            continue
        out.append(name[i])
        i += 1
    return "".join(out)     # spaces count: Excel's column may be named "Field 4 "


def _groups(inner: str) -> list[str]:
    """'[#Headers],[A]:[C]' -> ['#Headers', ',', 'A', ':', 'C']"""
    parts, i = [], 0
    while i < len(inner):
        ch = inner[i]
        if ch == "[":
            j, depth = i + 1, 1
            while j < len(inner):
                if inner[j] == "'" and j + 1 < len(inner):
                    j += 2
                    continue
                if inner[j] == "[":
                    depth += 1
                elif inner[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            parts.append(inner[i + 1:j])
            i = j + 1
        elif ch in ",:":
            parts.append(ch)
            i += 1
        elif ch == " ":
            i += 1
        else:
            raise ValueError(inner)
    return parts


def split_reference(text: str) -> tuple[str | None, set[str], list[str], bool]:
    """'Tabel1[[#Headers],[A]:[C]]' -> ('Tabel1', {'#HEADERS'}, ['A', 'C'], True(range))."""
    start = text.index("[")
    table = text[:start] or None
    if not text.endswith("]"):
        raise ValueError(text)
    inner = text[start + 1:-1]
    specials: set[str] = set()
    cols: list[str] = []
    is_range = False
    if inner.startswith("@"):
        specials.add("#THIS ROW")
        rest = inner[1:].strip()
        if rest.startswith("["):
            rest = rest[1:-1]
        if rest:
            cols.append(_unescape(rest))
        return table, specials, cols, False
    if not inner.startswith("["):
        if inner.upper() in _SPECIALS:
            specials.add(inner.upper())
        elif inner:
            cols.append(_unescape(inner))
        return table, specials, cols, False
    parts = _groups(inner)
    for part in parts:
        if part == ":":
            is_range = True
        elif part == ",":
            continue
        elif part.upper() in _SPECIALS:
            specials.add(part.upper())
        else:
            cols.append(_unescape(part))
    return table, specials, cols, is_range


def _not_supported(text: str) -> Unsupported:
    return Unsupported(f"Tabelreferencen {text} understøttes ikke.", f"The table reference {text} is not supported.")


def resolve(text: str, tables: dict[str, Table], sheet: str, row: int, col: int):
    """(Table, r1, c1, r2, c2, this_row) for a structured reference written in (sheet, row, col)."""
    try:
        name, specials, cols, is_range = split_reference(text)
    except (ValueError, IndexError):
        raise Unsupported(f"Tabelreferencen {text} kan ikke læses.", f"The table reference {text} cannot be read.") from None
    if name is None:
        table = next((t for t in tables.values() if t.contains(sheet, row, col)), None)
        if table is None:
            raise Unsupported(f"Tabelreferencen {text} står uden for en tabel.",
                              f"The table reference {text} is outside any table.")
    else:
        table = tables.get(name.upper())
        if table is None:
            raise Unsupported(f"Tabellen '{name}' findes ikke i projektmappen.",
                              f"The table '{name}' does not exist in the workbook.")
    if cols:
        upper = [c.upper() for c in table.columns]
        bare = [c.strip() for c in upper]
        idx = []
        for c in cols:
            if c.upper() in upper:
                idx.append(upper.index(c.upper()))
            elif bare.count(c.strip().upper()) == 1:       # [ Col ]: the name without its spaces
                idx.append(bare.index(c.strip().upper()))
            else:
                raise Unsupported(f"Tabellen '{table.name}' har ingen kolonne '{c}'.",
                                  f"The table '{table.name}' has no column '{c}'.")
        if len(idx) > 2 or (len(idx) == 2 and not is_range):
            raise _not_supported(text)
        c1, c2 = table.c1 + min(idx), table.c1 + max(idx)
    else:
        c1, c2 = table.c1, table.c2
    data_r1, data_r2 = table.r1 + table.header_rows, table.r2 - table.totals_rows
    if "#THIS ROW" in specials:
        if len(specials) > 1:
            raise _not_supported(text)
        return table, None, c1, None, c2, True
    if not specials or specials == {"#DATA"}:
        r1, r2 = data_r1, data_r2
    elif "#ALL" in specials:
        r1, r2 = table.r1, table.r2
    elif specials == {"#HEADERS"}:
        r1, r2 = table.r1, data_r1 - 1
    elif specials == {"#TOTALS"}:
        r1, r2 = data_r2 + 1, table.r2
    elif specials == {"#HEADERS", "#DATA"}:
        r1, r2 = table.r1, data_r2
    elif specials == {"#DATA", "#TOTALS"}:
        r1, r2 = data_r1, table.r2
    else:
        raise _not_supported(text)
    if r2 < r1:
        raise Unsupported(f"Tabelreferencen {text} peger på en tom del af tabellen '{table.name}'.",
                          f"The table reference {text} points to an empty part of the table '{table.name}'.")
    return table, r1, c1, r2, c2, False
