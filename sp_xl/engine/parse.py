"""Excel formula text -> a small syntax tree the engine compiles.

Tokenising uses openpyxl's Excel tokenizer (loaded on its own, see sp_xl.ooxml.tokenizer; it knows
quoted sheet names, "" escapes, error literals, array constants). Parsing is ours, with Excel's
operator precedence: negation > % > ^ > * / > + - > & > comparisons (and ^ is left-associative:
2^3^2 = 64).
Anything we do not support raises ``Unsupported`` with a Danish and an English reason, so
the engine reports the cell instead of guessing.
"""

from __future__ import annotations

import functools

import re
from dataclasses import dataclass

from sp_xl.engine.refs import Area, parse_area
from sp_xl.ooxml.tokenizer import Token, Tokenizer, TokenizerError


class Unsupported(Exception):
    """A formula construct the engine will not evaluate (reported, never guessed)."""

    def __init__(self, reason_da: str, reason_en: str):
        super().__init__(reason_en)
        self.reason_da = reason_da
        self.reason_en = reason_en


# Syntax tree nodes: plain tuples keep compiling cheap.
#   ("num", float) ("str", s) ("bool", b) ("err", code) ("ref", Area) ("name", NAME, sheet|None)
#   ("func", NAME, [args], addin_prefixed) ("bin", op, a, b) ("neg", a) ("pos", a) ("pct", a)
#   ("array", [[const, ...], ...]) ("missing",) ("call", callee, [args]) (a LAMBDA called in place)

_BINARY_PREC = {"^": 5, "*": 4, "/": 4, "+": 3, "-": 3, "&": 2,
                "=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1}
_ADDIN_PREFIX = re.compile(r"^(?:\[\d+\]!|'[^']*sp_xl\.xlam'!|[^'!]*sp_xl\.xlam!)", re.IGNORECASE)
_NAME_CHARS = re.compile(r"^[A-Za-z_\\][\w.]*$")


@dataclass
class _Stream:
    items: list[Token]
    pos: int = 0

    def peek(self) -> Token | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self) -> Token:
        if self.pos >= len(self.items):          # e.g. '{-': the formula stops mid-construct
            raise Unsupported("Formlen slutter for tidligt.", "The formula ends too early.")
        tok = self.items[self.pos]
        self.pos += 1
        return tok


def _clean_tokens(formula: str) -> list[Token]:
    try:
        items = Tokenizer("=" + formula).items
    except (TokenizerError, ValueError, IndexError) as exc:
        raise Unsupported(f"Formlen kan ikke læses: {exc}", f"The formula cannot be read: {exc}") from exc
    out: list[Token] = []
    for i, tok in enumerate(items):
        if tok.type == Token.WSPACE:
            prev = items[i - 1] if i else None
            nxt = items[i + 1] if i + 1 < len(items) else None
            ends_operand = prev is not None and (prev.type == Token.OPERAND or prev.subtype == Token.CLOSE)
            starts_operand = nxt is not None and (nxt.type == Token.OPERAND or (
                nxt.type in (Token.FUNC, Token.PAREN) and nxt.subtype == Token.OPEN))
            if ends_operand and starts_operand:
                raise Unsupported("Fællesmængde-operatoren (mellemrum mellem to områder) understøttes ikke.",
                                  "The intersection operator (space between two ranges) is not supported.")
            continue
        out.append(tok)
    return out


@functools.lru_cache(maxsize=8192)
def parse(formula: str):
    """The syntax tree of a formula given without its leading '=' (cached: a defined name's
    text is parsed again in every formula that uses it; the tree is never modified)."""
    formula = formula[1:] if formula.startswith("=") else formula
    stream = _Stream(_clean_tokens(formula))
    if stream.peek() is None:
        raise Unsupported("Formlen er tom.", "The formula is empty.")
    node = _expr(stream, 0)
    if stream.peek() is not None:
        tok = stream.peek()
        raise Unsupported(f"Uventet '{tok.value}' i formlen.", f"Unexpected '{tok.value}' in the formula.")
    return node


def _expr(s: _Stream, min_prec: int):
    left = _unary(s)
    while True:
        tok = s.peek()
        if tok is None or tok.type != Token.OP_IN:
            return left
        op = tok.value
        if op == ",":          # the union operator; here only the separator of a LAMBDA call's arguments
            return left
        if op == ":":
            raise Unsupported("Områdeoperatoren ':' mellem beregnede referencer understøttes ikke.",
                              "The range operator ':' between computed references is not supported.")
        prec = _BINARY_PREC.get(op)
        if prec is None:
            raise Unsupported(f"Operatoren '{op}' understøttes ikke.", f"The operator '{op}' is not supported.")
        if prec < min_prec:
            return left
        s.take()
        right = _expr(s, prec + 1)
        left = ("bin", op, left, right)


def _unary(s: _Stream):
    tok = s.peek()
    if tok is not None and tok.type == Token.OP_PRE:
        s.take()
        inner = _unary(s)
        return ("neg", inner) if tok.value == "-" else ("pos", inner)
    node = _primary(s)
    # "INDEX(..):INDEX(..)" and "INDEX(..):A9": the tokenizer glues ':' to the next token
    while (tok := s.peek()) is not None and tok.value.startswith(":") and (
            tok.type == Token.OPERAND or (tok.type == Token.FUNC and tok.subtype == Token.OPEN)):
        s.take()
        if tok.type == Token.FUNC:
            right = _function(tok.value[1:-1], s)
        else:
            right = _operand(Token(tok.value[1:], Token.OPERAND, Token.RANGE))
        node = ("range", node, right)
    while node[0] in ("call", "func") and (node[0] == "call" or node[1] == "LAMBDA") and \
            (tok := s.peek()) is not None and tok.type == Token.PAREN and tok.subtype == Token.OPEN:
        s.take()                               # LAMBDA(x; x*2)(A1): the LAMBDA called in place
        node = ("call", node, _call_args(s))
    while (tok := s.peek()) is not None and tok.type == Token.OP_POST and tok.value == "%":
        s.take()
        node = ("pct", node)
    return node


def _primary(s: _Stream):
    tok = s.take()
    if tok.type == Token.OPERAND:
        return _operand(tok)
    if tok.type == Token.PAREN and tok.subtype == Token.OPEN:
        node = _expr(s, 0)
        close = s.peek()
        if close is None or close.type != Token.PAREN:
            raise Unsupported("Manglende ')' i formlen.", "Missing ')' in the formula.")
        s.take()
        return node
    if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
        if tok.value == "{":
            return _array(s)
        raw = tok.value[:-1]
        left, _, fname = raw.rpartition(":")
        if left and "'" not in fname and "!" not in fname:  # "A1:INDEX(" = A1 : INDEX(...)
            return ("range", _operand(Token(left, Token.OPERAND, Token.RANGE)), _function(fname, s))
        if raw.startswith(":"):
            raise Unsupported("Områdeoperatoren ':' mangler sin venstre side.", "The range operator ':' lacks its left side.")
        return _function(raw, s)
    if tok.type == "ARRAY" and tok.subtype == Token.OPEN:
        return _array(s)
    raise Unsupported(f"Uventet '{tok.value}' i formlen.", f"Unexpected '{tok.value}' in the formula.")


def _operand(tok: Token):
    v = tok.value
    if tok.subtype == Token.NUMBER:
        return ("num", float(v))
    if tok.subtype == Token.TEXT:
        return ("str", v[1:-1].replace('""', '"'))
    if tok.subtype == Token.LOGICAL:
        return ("bool", v.upper() == "TRUE")
    if tok.subtype == Token.ERROR:
        return ("err", v.upper())
    area = parse_area(v)
    if area is not None:
        return ("ref", area)
    if "[" in v:
        if v.startswith("[") and "]" in v and v.index("]") + 1 < len(v) and "!" in v:
            raise Unsupported(f"Referencen {v} peger på en anden projektmappe; den kan ikke genberegnes.",
                              f"The reference {v} points to another workbook; it cannot be recalculated.")
        return ("table", v)
    sheet = None
    name = v
    if "!" in v:
        sheet_part, name = v.rsplit("!", 1)
        sheet = sheet_part[1:-1].replace("''", "'") if sheet_part.startswith("'") else sheet_part
    if not _NAME_CHARS.match(name):
        raise Unsupported(f"'{v}' er hverken en reference eller et navn.", f"'{v}' is neither a reference nor a name.")
    return ("name", name.upper(), sheet)


def _args_until_close(s: _Stream, what: str) -> list:
    args: list = []
    if (tok := s.peek()) is not None and tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
        s.take()
        return args
    while True:
        tok = s.peek()
        if tok is None:
            raise Unsupported(f"Manglende ')' efter {what}.", f"Missing ')' after {what}.")
        if tok.type == Token.SEP and tok.subtype == Token.ARG or (tok.type == Token.FUNC and tok.subtype == Token.CLOSE):
            args.append(("missing",))
        else:
            args.append(_expr(s, 0))
        tok = s.peek()
        if tok is None:
            raise Unsupported(f"Manglende ')' efter {what}.", f"Missing ')' after {what}.")
        s.take()
        if tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
            return args
        if not (tok.type == Token.SEP and tok.subtype == Token.ARG):
            raise Unsupported(f"Uventet '{tok.value}' i argumenterne til {what}.",
                              f"Unexpected '{tok.value}' in the arguments of {what}.")


def _call_args(s: _Stream) -> list:
    """The arguments of a LAMBDA called in place, up to the closing ')': the tokenizer reads
    that list as a parenthesis with ',' (union) between the values."""
    args: list = []
    if (tok := s.peek()) is not None and tok.type == Token.PAREN and tok.subtype == Token.CLOSE:
        s.take()
        return args
    while True:
        args.append(_expr(s, 0))
        tok = s.take()
        if tok.type == Token.PAREN and tok.subtype == Token.CLOSE:
            return args
        if not (tok.type == Token.OP_IN and tok.value == ","):
            raise Unsupported(f"Uventet '{tok.value}' i argumenterne til LAMBDA.",
                              f"Unexpected '{tok.value}' in the arguments of LAMBDA.")


def _function(raw_name: str, s: _Stream):
    prefixed = False
    m = _ADDIN_PREFIX.match(raw_name)
    if m:
        raw_name = raw_name[m.end():]
        prefixed = True
    elif "!" in raw_name:
        raise Unsupported(f"Funktionen {raw_name} kommer fra en anden projektmappe eller et ukendt tilføjelsesprogram.",
                          f"The function {raw_name} comes from another workbook or an unknown add-in.")
    if ":" in raw_name:
        raise Unsupported("Områdeoperatoren ':' foran et funktionskald understøttes ikke.",
                          "The range operator ':' before a function call is not supported.")
    name = raw_name.upper()
    for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    args = _args_until_close(s, name)
    return ("func", name, args, prefixed)


def _array(s: _Stream):
    rows: list[list] = [[]]
    while True:
        tok = s.peek()
        if tok is None:
            raise Unsupported("Manglende '}' i en matrixkonstant.", "Missing '}' in an array constant.")
        s.take()
        if tok.type in ("ARRAY", Token.FUNC) and tok.subtype == Token.CLOSE:
            break
        if tok.type == Token.SEP:
            if tok.subtype == Token.ROW:
                rows.append([])
            continue
        neg = False
        if tok.type == Token.OP_PRE:
            neg = tok.value == "-"
            tok = s.take()
        if tok.type != Token.OPERAND or tok.subtype == Token.RANGE:
            raise Unsupported("En matrixkonstant må kun indeholde konstanter.",
                              "An array constant may only contain constants.")
        kind, value = _operand(tok)
        if neg:
            value = -value
        rows[-1].append(value)
    if len({len(r) for r in rows}) != 1 or not rows[0]:
        raise Unsupported("Matrixkonstantens rækker har forskellig længde.",
                          "The rows of the array constant differ in length.")
    return ("array", rows)


__all__ = ["Area", "Unsupported", "parse"]
