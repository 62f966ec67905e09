"""Formula text per cell: plain, array and data-table formulas, and shared formulas translated."""

from __future__ import annotations

import re
from functools import partial
from itertools import chain, repeat
from operator import itemgetter

from sp_xl.ooxml.cellrefs import col_letters, col_number, split_ref
from sp_xl.ooxml.model import FormulaCell
from sp_xl.ooxml.sheetscan import F_ELEMENT, SheetScan
from sp_xl.ooxml.xmltext import xml_attrs, xml_text

_DIGITS = "0123456789"
_PLAIN_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)([1-9][0-9]{0,6})")


class SharedFormula:
    """A shared formula's text for any cell of its range: openpyxl's Translator, made fast.

    Excel stores a filled-down column as one master formula plus 10^5 cells that say "same,
    shifted"; openpyxl's Translator runs its regexes over every reference per cell (3x our
    time, and importing openpyxl costs 0.2 s). We tokenise once and, when every reference
    is a plain cell or cell:cell area, only shift numbers per cell, with openpyxl's exact
    rules (a relative column is rewritten in capitals; a shift off the sheet is openpyxl's
    TranslatorError). Anything else (whole rows/columns, names, literals) goes to openpyxl
    itself. Tests compare both on generated formulas.
    """

    def __init__(self, text: str, origin: str):
        from sp_xl.ooxml.tokenizer import Token, Tokenizer
        self.text, self.origin = text, origin
        self.row, self.col = split_ref(origin)
        self._openpyxl = None
        self.pieces: list[object] | None = []      # str, or (sheet part, [cell parts]) to shift
        try:
            tokens = Tokenizer("=" + text).items
        except Exception:                           # noqa: BLE001 - openpyxl decides what happens
            tokens = None
        self._letters, self._template, self._rows, self._lowest = None, None, [], 1
        if not tokens or tokens[0].type == Token.LITERAL:
            self.pieces = None
            return
        for tok in tokens:
            if tok.type == Token.OPERAND and tok.subtype == Token.RANGE:
                sheet, bang, area = tok.value.rpartition("!")
                cells = [_PLAIN_CELL.fullmatch(part) for part in area.split(":")]
                if len(cells) > 2 or not all(cells):
                    self.pieces = None              # names, whole rows/columns, 3-part ranges
                    return
                parts = [(cabs + letters if cabs else None, col_number(letters),
                          rabs + digits if rabs else None, int(digits))
                         for cabs, letters, rabs, digits in (m.groups() for m in cells)]
                self.pieces.append((sheet + bang, parts))
            else:
                self.pieces.append(tok.value)
        self._letters = self.origin.rstrip(_DIGITS).upper()
        self._template, self._rows, self._lowest = self._column_template()

    def _column_template(self) -> tuple[str | None, list[int], int]:
        """The formula for cells of the origin's column: a format string with a field per
        relative row number, those numbers, and the smallest (a shift must keep it >= 1)."""
        out, rows = [], []
        for piece in self.pieces:
            if type(piece) is str:
                out.append(piece.replace("{", "{{").replace("}", "}}"))
                continue
            sheet, cells = piece
            parts = []
            for fixed_col, col_no, fixed_row, row_no in cells:
                col = fixed_col if fixed_col is not None else col_letters(col_no)
                if fixed_row is not None:
                    parts.append((col + fixed_row).replace("{", "{{"))
                else:
                    parts.append(col + "{" + str(len(rows)) + "}")
                    rows.append(row_no)
            out.append(sheet.replace("{", "{{").replace("}", "}}") + ":".join(parts))
        return "".join(out), rows, min(rows, default=1)

    def translate_many(self, refs: list[str]) -> list[str]:
        """``translate`` of each, the cells of the origin's column in one comprehension."""
        letters, template, rows, lowest = self._letters, self._template, self._rows, self._lowest
        if template is None:
            return [self.translate(r) for r in refs]
        fmt, k = template.format, len(letters)
        out = []
        for ref in refs:
            digits = ref[k:]
            if ref[:k] == letters and digits.isdigit() and (dr := int(digits) - self.row) + lowest > 0:
                out.append(fmt(*[n + dr for n in rows]))
            else:
                out.append(self.translate(ref))
        return out

    def translate(self, ref: str) -> str:
        letters = ref.rstrip(_DIGITS)
        if letters == self._letters and ref[len(letters):].isdigit():
            # The filled-down case: same column, so only relative row numbers move; one
            # str.format of a template made once (what the loop below would build).
            dr = int(ref[len(letters):]) - self.row
            if self._template is not None and dr + self._lowest > 0:
                return self._template.format(*[n + dr for n in self._rows])
        row, col = split_ref(ref)
        dr, dc = row - self.row, col - self.col
        if self.pieces is None:
            return self._slow(ref)
        out = []
        for piece in self.pieces:
            if type(piece) is str:
                out.append(piece)
                continue
            sheet, cells = piece
            parts = []
            for fixed_col, col_no, fixed_row, row_no in cells:
                if fixed_col is None:
                    n = col_no + dc
                    if not 1 <= n <= 18278:
                        return self._slow(ref)      # openpyxl raises TranslatorError here
                    fixed_col = col_letters(n)
                if fixed_row is None:
                    n = row_no + dr
                    if n <= 0:
                        return self._slow(ref)
                    fixed_row = str(n)
                parts.append(fixed_col + fixed_row)
            out.append(sheet + ":".join(parts))
        return "".join(out)

    def _slow(self, ref: str) -> str:
        if self._openpyxl is None:
            from openpyxl.formula.translate import Translator
            self._openpyxl = Translator("=" + self.text, self.origin)
        return self._openpyxl.translate_formula(ref)[1:]


def sheet_formulas(sheet: str, scan: SheetScan) -> list[FormulaCell]:
    """Every formula cell of a scanned sheet, shared formulas translated to their cell."""
    found: list[tuple[int, str, dict[str, str], str | None]] = []
    masters: dict[str, tuple[str, str]] = {}
    plain_open, close = b"<" + scan.prefix + b"f>", b"</" + scan.prefix + b"f>"
    skip, no_attrs = len(plain_open), {}
    parsed_attrs: dict[bytes, dict[str, str]] = {}     # read only below, so shared safely
    follower = b"<" + scan.prefix + b'f t="shared" si="'
    for j, (ref, inner) in enumerate(scan.formulas):
        if inner[:len(follower)] == follower:   # '<f t="shared" si="3"/>': a filled-down cell
            end = inner.find(b'"/>', len(follower))
            if end > 0 and inner.find(b'"', len(follower), end) < 0:
                si = inner[len(follower):end]
                fattrs = parsed_attrs.get(si)
                if fattrs is None:
                    fattrs = parsed_attrs[si] = {"t": "shared", "si": si.decode("ascii", "replace")}
                found.append((j, ref, fattrs, None))
                continue
        if inner[:skip] == plain_open:          # a plain '<f>A1*2</f>...', without a regex
            end = inner.find(close, skip)
            if end >= 0 and inner.find(b"<", skip, end) < 0:
                found.append((j, ref, no_attrs, xml_text(inner[skip:end])))
                continue
        m = F_ELEMENT.search(inner)
        if m is None:
            continue
        raw_attrs = m.group(1)
        fattrs = parsed_attrs.get(raw_attrs)
        if fattrs is None:                    # 10^5 cells of one shared formula: parse once
            fattrs = parsed_attrs[raw_attrs] = xml_attrs(raw_attrs) if raw_attrs.strip() else {}
        text = xml_text(m.group(2)) if m.group(2) is not None else None
        if fattrs.get("t") == "shared" and text and "si" in fattrs:
            masters[fattrs["si"]] = (text, ref)
        found.append((j, ref, fattrs, text))
    translators: dict[str, object] = {}
    new_cell = partial(tuple.__new__, FormulaCell)
    out = []
    kept: list[int] = []                    # which of scan.formulas are formulas (for the sheet order)
    values = scan.values
    for j, ref, fattrs, text in found:
        kind = fattrs.get("t", "normal")
        array_ref = None
        if kind == "shared" and not text:
            master = masters.get(fattrs.get("si", ""))
            if master is None:
                continue            # dangling shared formula: Excel treats the cell as a value
            text = _translate(translators, fattrs["si"], master, ref)
        elif kind == "array":
            array_ref = (fattrs.get("ref") or ref).replace("$", "").upper()
        elif kind == "dataTable":
            args = [fattrs.get("r1", ""), fattrs.get("r2", "")]
            text = f"TABLE({','.join(a for a in args if a)})"
        if not text:
            continue
        out.append(new_cell((sheet, ref, text, array_ref, values.get(ref))))   # tuple.__new__: in C
        kept.append(j)
    refs, texts, cached, sis = scan.plain
    if any(sis):             # filled-down cells of shared formulas, read in bulk: their texts
        texts = list(texts)
        groups: dict[str, list[int]] = {}
        for k, si in enumerate(sis):
            if si:
                groups.setdefault(si, []).append(k)
        for si, ks in groups.items():
            master = masters.get(si)         # none: a dangling shared formula, a value to Excel
            if master is None:
                new = [""] * len(ks)
            else:
                tr = translators.get(si) or translators.setdefault(si, SharedFormula(*master))
                new = tr.translate_many([refs[k] for k in ks])
            for k, text in zip(ks, new):
                texts[k] = text
    # The usual cells built in bulk: tuple.__new__ over map runs in C (FormulaCell is a tuple).
    plain = list(map(tuple.__new__, repeat(FormulaCell), zip(repeat(sheet), refs, texts, repeat(None), cached)))
    empty = "" in texts                     # '<f></f>' is no formula
    if scan.order is None:
        return [f for f in plain if f.formula] + out if empty else plain + out
    at, generic = scan.order                # both kinds: merged by where the cells stand
    merged = sorted(chain(zip(at, plain), zip(map(generic.__getitem__, kept), out)), key=itemgetter(0))
    return [f for _, f in merged if f.formula]


def _translate(cache: dict, si: str, master: tuple[str, str], ref: str) -> str:
    tr = cache.get(si)
    if tr is None:
        tr = cache[si] = SharedFormula(*master)
    return tr.translate(ref)
