"""SP_ formulas -> native Excel formulas for the e-mailed copy (``sp-xl share``).

A recipient has no add-in, so every SP_ call must become a formula Excel (and LibreOffice)
evaluates by itself, with the same value and, as far as native functions allow, the same
error rules:

* an error in an argument passes through (the first argument's first);
* text or TRUE/FALSE where a number belongs gives #VALUE!; an empty cell (or "") is "empty";
* the function's own rules follow in the order the SP_ function applies them.

Where a call cannot be reproduced (the Danish sentences, top-N, the working-day share,
arguments that are names of formulas or expressions where a range is needed, per-item
functions over multi-cell ranges), ``translate`` returns a ``Frozen`` with the reason and the
caller freezes the cell's cached value.

Known differences left: LibreOffice counts TRUE/FALSE inside a *series* range as numbers
(Excel and the SP_ functions do not); a per-item argument holding TRUE gives #VALUE! in both.

Translation works on the argument *texts* (references, names, expressions), never on values.
Per-item functions (SP_ATTAINMENT ...) take single cells here; with a multi-cell range they
are frozen. Series functions (SP_GROWTH, SP_TREND, SP_WEEKS_TO_CLEAR ...) need a one-row or
one-column range and become single-cell array formulas (``Native.array``), which both Excel
and LibreOffice evaluate element by element. Array-returning functions (SP_BACKLOG ...)
become one plain formula per output cell, with relative references so that the copy can
store them as one shared formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sp_xl.ooxml.cellrefs import col_letters, col_number

HOLIDAY_SHEET = "Helligdage"

# ------------------------------------------------------------------ tokenizing


def _quote_end(text: str, i: int) -> int:
    """Offset after the "string" or 'sheet name' opening at ``i`` (a doubled quote stays inside)."""
    ch, j = text[i], i + 1
    while j < len(text):
        if text[j] == ch:
            if j + 1 < len(text) and text[j + 1] == ch:
                j += 2
                continue
            break
        j += 1
    return j + 1


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at top-level separators, respecting "strings", 'sheet names', (), {} and []."""
    out, depth, cur, i = [], 0, [], 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            j = _quote_end(text, i)
            cur.append(text[i:j])
            i = j
            continue
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


# An SP_ call, with what may stand before its name when the workbook links to an add-in
# file: "[1]!SP_GAP(...)" or "'C:\\...\\sp_xl.xlam'!SP_GAP(...)"; the prefix goes with the call.
_SP_NAME = re.compile(r"(?<![\w.])(?:_xludf\.)?(SP_[A-Z0-9_]+)\s*\(", re.I)
_LINK_PREFIX = re.compile(r"(?:\[\d+\]|'(?:[^']|'')*'|[^\s'(),;=+\-*/&<>^!\[\]{}\"]+)!$")


@dataclass(frozen=True)
class Call:
    name: str           # upper-case SP_ name
    start: int          # offset of the name in the formula text
    end: int            # offset after the closing parenthesis
    args: list[str]     # argument texts, stripped; "" for an omitted argument


def _string_spans(text: str) -> list[tuple[int, int]]:
    spans, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            j = _quote_end(text, i)
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def sp_calls(formula: str) -> list[Call] | None:
    """Outermost SP_ calls of a formula (None when the text is unbalanced)."""
    strings = _string_spans(formula)
    calls: list[Call] = []
    pos = 0
    while True:
        m = _SP_NAME.search(formula, pos)
        if m is None:
            return calls
        if any(a <= m.start() < b for a, b in strings if not (formula[a] == "'" and formula[b:b + 1] == "!")):
            pos = m.end()
            continue
        depth, i = 1, m.end()
        while i < len(formula) and depth:
            ch = formula[i]
            if ch in "\"'":
                span = next((s for s in strings if s[0] == i), None)
                if span is None:
                    return None
                i = span[1]
                continue
            depth += ch == "("
            depth -= ch == ")"
            i += 1
        if depth:
            return None
        inner = formula[m.end():i - 1]
        args = [a.strip() for a in _split_top(inner)] if inner.strip() else []
        start = m.start()
        link = _LINK_PREFIX.search(formula, 0, start) if start and formula[start - 1] == "!" else None
        if link is not None:
            start = link.start()
        calls.append(Call(m.group(1).upper(), start, i, args))
        pos = i


def has_sp_call(formula: str) -> bool:
    calls = sp_calls(formula)
    return calls is None or bool(calls)


# ------------------------------------------------------------------ references

_AREA = re.compile(
    r"^(?P<sheet>(?:'(?:[^']|'')+'|[A-Za-z_\u00c0-\uffff][\w.\u00c0-\uffff]*)!)?"
    r"(?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?\d+)(?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?\d+))?$")


@dataclass(frozen=True)
class Area:
    prefix: str         # "Sheet!" or "'My sheet'!" or ""
    r1: int
    c1: int
    r2: int
    c2: int

    @property
    def rows(self) -> int:
        return self.r2 - self.r1 + 1

    @property
    def cols(self) -> int:
        return self.c2 - self.c1 + 1

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def cell(self, i: int) -> str:
        """The i-th cell (0-based, along the one row or column), absolute."""
        r, c = (self.r1 + i, self.c1) if self.cols == 1 else (self.r1, self.c1 + i)
        return f"{self.prefix}${col_letters(c)}${r}"

    def rel(self, i: int) -> str:
        """The i-th cell as a relative reference, so that filled-down results share one formula."""
        return self.cell(i).replace("$", "")

    def running(self, i: int) -> str:
        """From the first cell (anchored) to the i-th (relative): a running total's range."""
        return self.cell(0) + ":" + self.rel(i)[len(self.prefix):]

    def span(self, i: int, j: int) -> str:
        a = self.cell(i)
        b = self.cell(j)[len(self.prefix):]
        return f"{a}:{b}"

    @property
    def text(self) -> str:
        return self.span(0, self.size - 1) if self.size > 1 else self.cell(0)


def parse_area(text: str) -> Area | None:
    m = _AREA.match(text.strip())
    if not m:
        return None
    c1 = col_number(m.group("c1").lstrip("$"))
    r1 = int(m.group("r1").lstrip("$"))
    c2 = col_number(m.group("c2").lstrip("$")) if m.group("c2") else c1
    r2 = int(m.group("r2").lstrip("$")) if m.group("r2") else r1
    if c1 > c2 or r1 > r2 or not (1 <= r1 and r2 <= 1048576 and c2 <= 16384):
        return None
    return Area(m.group("sheet") or "", r1, c1, r2, c2)


def _is_multi_cell(text: str, names: dict[str, str]) -> bool:
    """True when an argument is (or may be) more than one cell: then per-item calls freeze."""
    if ":" in text and not text.startswith('"'):
        a = parse_area(text)
        return a is None or a.size > 1
    target = names.get(text.strip())
    if target is not None:
        a = parse_area(target)
        return a is None or a.size > 1
    return False


def _series_area(text: str, names: dict[str, str]) -> Area | None:
    """A one-row or one-column range given directly (names are resolved when they are ranges)."""
    a = parse_area(text)
    if a is None and text.strip() in names:
        a = parse_area(names[text.strip()])
    if a is None or (a.rows > 1 and a.cols > 1):
        return None
    return a


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(E[+-]?\d+)?$", re.I)


def _literal_number(text: str) -> float | None:
    return float(text) if _NUMBER.match(text.strip()) else None


def _flag(text: str) -> bool | None:
    """A literal TRUE/FALSE argument (or omitted); None when it is anything else."""
    t = text.strip().upper()
    if t in ("", "FALSE", "FALSE()", "0"):
        return False
    if t in ("TRUE", "TRUE()", "1"):
        return True
    return None


# ------------------------------------------------------------------ building blocks

def _blank(x: str) -> str:
    return "FALSE" if _literal_number(x) is not None else f'{x}&""=""'


def _chk(x: str, then: str) -> str:
    """Errors in x pass through; text or a logical value gives #VALUE!; else ``then``.

    An error in x needs no test of its own: ``x<>""`` turns into that error and the IF
    returns it. ISLOGICAL because LibreOffice counts TRUE/FALSE as numbers, Excel does not;
    "" counts as empty.
    """
    if _literal_number(x) is not None:
        return then
    return f'IF(ISLOGICAL({x})+ISTEXT({x})*({x}<>""),#VALUE!,{then})'


def _pos(a: Area) -> str:
    rng = a.text
    return f"(ROW({rng})-MIN(ROW({rng}))+1)" if a.cols == 1 else f"(COLUMN({rng})-MIN(COLUMN({rng}))+1)"


def _series_guard(a: Area, body: str) -> str:
    """The first bad cell of the series (an error, or text = #VALUE!), as the SP_ series functions raise it.

    ``INDEX(...)+#VALUE!`` is that cell's own error when it holds one (the left error wins),
    else #VALUE!.
    """
    r = a.text
    first_bad = f'MATCH(1,IF(ISERROR({r}),1,({r}&"")<>"")-ISNUMBER({r}),0)'
    return f"IF(COUNT({r})+COUNTBLANK({r})<{a.size},INDEX({r},{first_bad})+#VALUE!,{body})"


def _ends(a: Area) -> tuple[str, str, str, str]:
    """(first number, last number, first position, last position) of a series."""
    r = a.text
    first_at = f"MATCH(TRUE,ISNUMBER({r}),0)"
    last_at = f"MAX(IF(ISNUMBER({r}),{_pos(a)}))"   # MATCH(2,1/...) misses in LibreOffice
    return f"INDEX({r},{first_at})", f"LOOKUP(2,1/ISNUMBER({r}),{r})", first_at, last_at


def _xy(a: Area) -> tuple[str, str]:
    r, pos = a.text, _pos(a)
    return f'IF(ISNUMBER({r}),{r},"")', f'IF(ISNUMBER({r}),{pos},"")'


# ------------------------------------------------------------------ results

@dataclass(frozen=True)
class Native:
    """A translation: one formula for the cell, or one per cell of an array range."""
    formula: str | None = None              # for the cell itself (no leading '=')
    array: bool = False                     # write as a single-cell array formula
    cells: tuple[tuple[int, str], ...] = ()  # (index in the output range, formula) for array results


@dataclass(frozen=True)
class Frozen:
    reason_da: str
    reason_en: str


_NO_NATIVE = {
    "SP_TEXT_GROWTH": ("sætningen har ingen Excel-formel", "the sentence has no Excel formula"),
    "SP_TEXT_ATTAINMENT": ("sætningen har ingen Excel-formel", "the sentence has no Excel formula"),
    "SP_TOPN": ("top-N kræver SORTBY/FILTER, som ældre Excel ikke har", "top-N needs SORTBY/FILTER, which older Excel lacks"),
    "SP_WITHIN_WORKDAYS": ("WORKDAY regnes ikke pr. række i LibreOffice; værdien er fastfrosset",
                           "WORKDAY does not vectorise in LibreOffice; the value is frozen"),
}


def _frozen_args() -> Frozen:
    return Frozen("argumenterne kan ikke oversættes (navn på et område, et udtryk eller et område med flere celler)",
                  "the arguments cannot be translated (a range name, an expression or a multi-cell range)")


def _scalar(call: Call, names: dict[str, str]) -> str | Frozen:
    """A single-value SP_ call as a native expression, or why not."""
    n, args = call.name, call.args + [""] * 4
    if n in _NO_NATIVE:
        return Frozen(*_NO_NATIVE[n])
    a, b = args[0], args[1]
    if n in ("SP_ATTAINMENT", "SP_GAP", "SP_STATUS", "SP_SHARE", "SP_REQUIRED", "SP_WORKDAYS", "SP_ROUND_CA"):
        if not a or any(_is_multi_cell(x, names) for x in (a, b) if x):
            return _frozen_args()
    if n == "SP_ATTAINMENT":
        lib = _flag(args[2])
        if lib is None or not b:
            return _frozen_args()
        return _attainment(a, b, lib)
    if n == "SP_GAP":
        return _chk(a, _chk(b, f"IF({_blank(b)},#DIV/0!,IF({_blank(a)},NA(),{a}-{b}))"))
    if n == "SP_STATUS":
        lib = _flag(args[3])
        y = args[2]
        if lib is None or not b or (y and _is_multi_cell(y, names)):
            return _frozen_args()
        att = _attainment(a, b, lib)
        yv = "0.8" if not y else (y if _literal_number(y) is not None else f'IF({_blank(y)},0.8,{y})')
        # An error in the attainment passes through the comparisons by itself.
        return f'IF({att}>=1-1E-12,"Grøn",IF({att}>={yv}-1E-12,"Gul","Rød"))'
    if n == "SP_SHARE":
        return _chk(a, _chk(b, f"IF({_blank(b)},#DIV/0!,IF({b}=0,#DIV/0!,IF({_blank(a)},NA(),{a}/{b})))"))
    if n == "SP_REQUIRED":
        return _chk(a, _chk(b, f"IF({_blank(b)},#DIV/0!,IF({b}=0,#DIV/0!,IF({b}<0,#NUM!,IF({_blank(a)},NA(),"
                               f"IF({a}<0,#NUM!,ROUNDUP(ROUND({a}/{b},9),0))))))"))
    if n == "SP_WORKDAYS":
        if not b:
            return _frozen_args()
        return _chk(a, _chk(b, f"IF(OR({_blank(a)},{_blank(b)}),NA(),"
                               f"NETWORKDAYS(INT({a}),INT({b}),{HOLIDAY_SHEET}!$A$2:$A$HOLIDAY_LAST))"))
    if n == "SP_ROUND_CA":
        s = args[1] or "1"
        digits = _literal_number(s)
        if digits is None or digits != int(digits) or not 1 <= digits <= 15:
            return _frozen_args()
        k = int(digits) - 1
        return _chk(a, f"IF({_blank(a)},NA(),IF({a}=0,0,ROUND({a},{k}-INT(LOG10(ABS({a}))))))")
    if n == "SP_WEEKS_TO_CLEAR":
        return _weeks_to_clear(args, names)
    if n in ("SP_GROWTH", "SP_GROWTH_PCT", "SP_AVG_GROWTH_PCT", "SP_TREND", "SP_FORECAST", "SP_PEAK"):
        area = _series_area(a, names)
        if area is None:
            return _frozen_args()
        return _series(n, area, args, names)
    return Frozen("funktionen kendes ikke af oversættelsen", "the translation does not know the function")


def _weeks_to_clear(args: list[str], names: dict[str, str]) -> str | Frozen:
    """Backlog / average net closing over the last ``window`` complete periods (a 1-cell array formula).

    Checks in the SP_ function's order: opening, window, then the first bad period (created
    before closed; a period with only one of them filled is #N/A).
    """
    c, d = _series_area(args[0], names), _series_area(args[1], names)
    o, w = args[2] or "0", args[3] or "4"
    if c is None or d is None or c.size != d.size or any(_is_multi_cell(x, names) for x in (o, w)):
        return _frozen_args()
    cr, dr, n = c.text, d.text, c.size
    both = f"ISNUMBER({cr})*ISNUMBER({dr})"
    bad = lambda r: f'(IF(ISERROR({r}),1,({r}&"")<>"")-ISNUMBER({r}))'    # noqa: E731
    first_bad = f"MATCH(1,SIGN({bad(cr)}+{bad(dr)}+(ISNUMBER({cr})<>ISNUMBER({dr}))),0)"
    error = _chk(f"INDEX({cr},{first_bad})", _chk(f"INDEX({dr},{first_bad})", "NA()"))
    pos = _pos(c)
    win = f"INT(IF({_blank(w)},4,{w}))" if _literal_number(w) is None else str(int(float(w)))
    current = f"({o}+SUM({cr})-SUM({dr}))"
    recent = f"SUM(IF({both}*({pos}>=LARGE(IF({both},{pos},-1),{win})),{dr}-{cr}))/{win}"
    main = (f"IF(SUM({both})<{win},NA(),IF({current}<=0,0,IF({recent}<=0,NA(),{current}/({recent}))))")
    dirty = (f"OR(COUNT({cr})+COUNTBLANK({cr})<{n},COUNT({dr})+COUNTBLANK({dr})<{n},"
             f"SUM(--(ISNUMBER({cr})<>ISNUMBER({dr})))>0)")
    body = f"IF({dirty},{error},{main})"
    window_ok = f"IF(OR(IF({_blank(w)},4,{w})<1,IF({_blank(w)},4,{w})>=1000001),#NUM!,{body})"
    return _chk(o, _chk(w, window_ok))


def _attainment(a: str, b: str, lower_is_better: bool) -> str:
    tail = f"{b}/{a}" if lower_is_better else f"{a}/{b}"     # dividing by 0 gives #DIV/0! by itself
    return _chk(a, _chk(b, f"IF({_blank(b)},#DIV/0!,IF({_blank(a)},NA(),{tail}))"))


def _series(n: str, area: Area, args: list[str], names: dict[str, str]) -> str | Frozen:
    r = area.text
    first, last, first_at, last_at = _ends(area)
    need2 = f"IF(COUNT({r})<2,NA(),"
    if n == "SP_GROWTH":
        body = f"{need2}{last}-{first})"
    elif n == "SP_GROWTH_PCT":
        body = f"{need2}{last}/{first}-1)"
    elif n == "SP_AVG_GROWTH_PCT":
        # a first number of 0 makes the ratio #DIV/0!, which the comparison passes on
        body = (f"{need2}IF({last}/{first}<0,#NUM!,"
                f"IF({last}=0,-1,_xlfn.RRI({last_at}-{first_at},{first},{last}))))")
    elif n == "SP_TREND":
        y, x = _xy(area)
        body = f"{need2}SLOPE({y},{x}))"
    elif n == "SP_FORECAST":
        k = args[1]
        if not k or _is_multi_cell(k, names):
            return _frozen_args()
        y, x = _xy(area)
        body = f"{need2}{_chk(k, f'IF({_blank(k)},NA(),_xlfn.FORECAST.LINEAR({last_at}+{k},{y},{x}))')})"
    else:  # SP_PEAK
        at = f'MATCH(MAX({r}),IF(ISNUMBER({r}),{r},""),0)'
        labels = args[1]
        if not labels:
            result = at
        else:
            lab = _series_area(labels, names)
            if lab is None or lab.size != area.size:
                return _frozen_args()
            label = f"INDEX({lab.text},{at})"
            result = f'IF({label}&""="",{at},{label})'
        body = f"IF(COUNT({r})<1,NA(),{result})"
    return _series_guard(area, body)


def _array_cells(call: Call, out: Area, names: dict[str, str]) -> Native | Frozen:
    """Per-cell formulas for the SP_ functions that return a whole series."""
    n, args = call.name, call.args + [""] * 3
    if n == "SP_CUMULATIVE" or n == "SP_CHANGES":
        s = _series_area(args[0], names)
        if s is None or s.size != out.size or (s.rows > 1) != (out.rows > 1):
            return _frozen_args()
        pct = _flag(args[1]) if n == "SP_CHANGES" else False
        if pct is None:
            return _frozen_args()
        cells = []
        for i in range(out.size):
            x = s.rel(i)
            if n == "SP_CUMULATIVE":
                body = _chk(x, f'IF({_blank(x)},"",SUM({s.running(i)}))')
                cells.append((i, _after_previous(out, i, body)))
            elif i == 0:
                cells.append((i, _chk(x, '""')))
            else:
                p = s.rel(i - 1)
                change = f"IF({p}=0,#DIV/0!,{x}/{p}-1)" if pct else f"{x}-{p}"
                cells.append((i, _chk(x, _chk(p, f'IF(OR({_blank(x)},{_blank(p)}),"",{change})'))))
        return Native(cells=tuple(cells))
    if n in ("SP_BACKLOG", "SP_NETFLOW"):
        c, d = _series_area(args[0], names), _series_area(args[1], names)
        if c is None or d is None or c.size != d.size or c.size != out.size or (c.rows > 1) != (out.rows > 1):
            return _frozen_args()
        opening = args[2] if n == "SP_BACKLOG" else ""
        if opening and _is_multi_cell(opening, names):
            return _frozen_args()
        o = opening or "0"
        cells = []
        for i in range(out.size):
            x, y = c.rel(i), d.rel(i)
            if n == "SP_NETFLOW":
                value = f"{y}-{x}"
            else:
                value = f"{o}+SUM({c.running(i)})-SUM({d.running(i)})"
            body = _chk(x, _chk(y, f'IF(AND({_blank(x)},{_blank(y)}),"",IF(OR({_blank(x)},{_blank(y)}),NA(),{value}))'))
            cells.append((i, _after_previous(out, i, body) if n == "SP_BACKLOG" else body))
        return Native(cells=tuple(cells))
    return Frozen("funktionen giver et område, som ikke kan oversættes", "the function returns a range that cannot be translated")


def _after_previous(out: Area, i: int, body: str) -> str:
    """Running results: an error spoils every later period, as in the SP_ function."""
    if i == 0:
        return body
    prev = out.cell(i - 1)[len(out.prefix):].replace("$", "")
    return f"IF(ISERROR({prev}),{prev},{body})"


_ARRAY_FUNCTIONS = {"SP_CUMULATIVE", "SP_CHANGES", "SP_BACKLOG", "SP_NETFLOW", "SP_TOPN"}


def translate(formula: str, array_ref: str | None, names: dict[str, str] | None = None) -> Native | Frozen:
    """The native replacement of one SP_ formula cell (``formula`` without '=')."""
    names = names or {}
    calls = sp_calls(formula)
    if calls is None:
        return Frozen("formlen kunne ikke læses", "the formula could not be parsed")
    if array_ref and ":" in array_ref:
        if len(calls) == 1 and calls[0].name in _NO_NATIVE:
            return Frozen(*_NO_NATIVE[calls[0].name])
        out = parse_area(array_ref)
        if out is None or out.rows > 1 and out.cols > 1:
            return Frozen("formlen giver et todimensionalt område", "the formula returns a two-dimensional range")
        if len(calls) != 1 or formula.strip() != formula[calls[0].start:calls[0].end].strip():
            return Frozen("en områdeformel med mere end ét SP_-kald", "an array formula with more than one SP_ call")
        if calls[0].name in _NO_NATIVE:
            return Frozen(*_NO_NATIVE[calls[0].name])
        if calls[0].name in _ARRAY_FUNCTIONS:
            return _array_cells(calls[0], out, names)
        return Frozen("en SP_-funktion over et område af celler", "an SP_ function over a range of cells")
    pieces, pos, array = [], 0, False
    for call in calls:
        if call.name in _ARRAY_FUNCTIONS:
            if call.name in _NO_NATIVE:
                return Frozen(*_NO_NATIVE[call.name])
            return Frozen("funktionen giver et område, men står i én celle",
                          "the function returns a range but sits in one cell")
        native = _scalar(call, names)
        if isinstance(native, Frozen):
            return native
        array |= call.name in ("SP_GROWTH", "SP_GROWTH_PCT", "SP_AVG_GROWTH_PCT", "SP_TREND", "SP_FORECAST", "SP_PEAK",
                               "SP_WEEKS_TO_CLEAR")
        pieces.append(formula[pos:call.start])
        whole = len(calls) == 1 and not formula[:call.start].strip() and not formula[call.end:].strip()
        pieces.append(native if whole else f"({native})")
        pos = call.end
    pieces.append(formula[pos:])
    return Native(formula="".join(pieces), array=array)


def holiday_placeholder(formula: str, last_row: int, sheet: str = HOLIDAY_SHEET) -> str:
    """Point NETWORKDAYS at the holiday list as written: its last row and its sheet's final name."""
    quoted = sheet if re.fullmatch(r"[A-Za-z_][\w.]*", sheet) else "'" + sheet.replace("'", "''") + "'"
    return formula.replace(f"{HOLIDAY_SHEET}!$A$2:$A$HOLIDAY_LAST", f"{quoted}!$A$2:$A${last_row}")
