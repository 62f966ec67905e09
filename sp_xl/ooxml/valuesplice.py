"""Formula results spliced into worksheet XML in one pass: split, substitute, join.

A refresh writes 10^5-10^6 cached values. Finding each cell's offsets and building each new
element in Python costs microseconds per cell; instead one regular expression splits the
formula cells of the usual form (``<c r="F2" s="1" t="str"><f>..</f><v>..</v></c>``, as
Excel, LibreOffice and openpyxl write them) into their parts, and the new sheet is the same
parts joined again with the ``t`` attribute and the ``<v>`` element of the written cells
replaced. The bytes between those cells are the very pieces of the split, so they stay as
they were; the split is checked to join back into the original bytes. The result is byte
for byte what ``patch.patch_sheet`` makes of those cells; cells of another form (``$`` in
the reference, other attributes, cells without ``<f>``) are left to it.

The splice records what it wrote - each value beside the exact ``<v>`` text - so that
``check_written`` can read the texts back with the reader's own conversions instead of
re-reading the whole sheet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, repeat

from sp_xl.ooxml.cellvalues import serialise_value
from sp_xl.ooxml.xmltext import escape_text, xml_text, xstring_decode

CHUNK = 1 << 18                 # bytes split at a time: small, so the pieces stay in the CPU cache
_KEEP = object()                # a formula cell of the form, but not written (keeps its value)
_T_STR = b' t="str"'
# What makes escape_text change a text; NUL is left out: it separates the texts here.
_NEEDS_ESCAPE = re.compile(r"[\x01-\x08\x0b-\x1f&<>\ufffe\uffff]")     # and '_x' (looked for first)
_PATTERNS: dict[bytes, re.Pattern] = {}


def cell_pattern(p: bytes) -> re.Pattern:
    """A formula cell of the usual form, every byte in a group or a literal of the pattern:
    (reference, ' s=".."', ' t=".."', the <f> element, the <v> element or nothing)."""
    if p not in _PATTERNS:
        f_end = rb"(?:/>|>[^<]*</" + p + rb"f>)"
        _PATTERNS[p] = re.compile(
            rb'<' + p + rb'c r="([A-Z]{1,3}[1-9][0-9]{0,6})"((?: s="[0-9]+")?)((?: t="[A-Za-z]+")?)>'
            rb"(<" + p + rb"f(?: [^<>]*)?" + f_end + rb")"
            rb"((?:<" + p + rb"v>[^<]*</" + p + rb"v>|<" + p + rb"v/>)?)</" + p + rb"c>")
    return _PATTERNS[p]


@dataclass
class Written:
    """What the splices of one sheet wrote, by kind, each value beside its exact <v> text."""
    numbers: list[float] = field(default_factory=list)     # t absent: float(text) must give it back
    number_texts: list[bytes] = field(default_factory=list)  # per chunk: the texts joined by b"\n"
    strings: list[str] = field(default_factory=list)        # t="str": the escaped text must give it back
    string_texts: list[bytes] = field(default_factory=list)  # per chunk: joined by b"\0"
    others: list[tuple[str | None, bytes, object]] = field(default_factory=list)   # (t, text, value)
    reread: dict[str, object] = field(default_factory=dict)  # written by the general patcher

    @property
    def count(self) -> int:
        return len(self.numbers) + len(self.strings) + len(self.others) + len(self.reread)


def splice_values(data: bytes, p: bytes, span: tuple[int, int], sheet: str, values: dict, pending: dict,
                  allowed: set[str], date1904: bool, written: Written) -> bytes:
    """``data`` with the cells of the usual form given their new values: each taken (popped)
    from ``pending`` ((sheet, ref) -> value), so what is left there is for the general patcher.

    Raises ValueError for a value of a cell that is not in ``allowed``, or that appears twice
    in the sheet (Excel would repair the sheet; which of the two it keeps is not ours to guess)."""
    pattern = cell_pattern(re.escape(p))
    close_row = b"</" + p + b"row>"
    start, end = span
    out = [data[:start]]
    kept: list[tuple[str, str]] = []
    pos = start
    while pos < end:
        # Cut after a </row>: no cell (and no match, whose groups exclude '<') spans one.
        cut = data.find(close_row, min(pos + CHUNK, end), end)
        cut = end if cut < 0 else cut + len(close_row)
        chunk = data[pos:cut]
        pieces = pattern.split(chunk)
        if len(pieces) > 1:
            out.append(_splice_chunk(chunk, pieces, p, sheet, pending, allowed, date1904, written, kept))
        else:
            out.append(chunk)
        pos = cut
    out.append(data[end:])
    twice = [ref for _, ref in (key for key in kept if key in values and key not in pending)]
    if twice:
        raise ValueError(f"cells that appear twice: {', '.join(sorted(twice)[:5])}")
    return b"".join(out)


def _splice_chunk(chunk: bytes, pieces: list[bytes], p: bytes, sheet: str, pending: dict, allowed: set[str],
                  date1904: bool, written: Written, kept: list[tuple[str, str]]) -> bytes:
    gaps, refs_b, s_attrs, t_attrs, f_elems, v_elems = (pieces[i::6] for i in range(6))
    literals = len(b"<" + p + b'c r="' + b'">' + b"</" + p + b"c>")
    if sum(map(len, pieces)) + literals * len(refs_b) != len(chunk):   # every byte in a piece
        raise AssertionError("the cell split does not account for the sheet")
    refs = b"\0".join(refs_b).decode("ascii").split("\0")
    got = list(map(pending.pop, zip(repeat(sheet), refs), repeat(_KEEP)))
    if not allowed.issuperset(refs):
        bad = [r for r, v in zip(refs, got) if v is not _KEEP and r not in allowed]
        if bad:
            raise ValueError(f"not formula cells in {sheet!r}: {', '.join(sorted(bad)[:5])}")
    v_open, v_close = b"<" + p + b"v>", b"</" + p + b"v>"
    numbers, number_at, strings, string_at = [], [], [], []
    others = written.others
    for i, value in enumerate(got):
        if type(value) is float and value - value == 0.0:      # finite
            numbers.append(value)
            number_at.append(i)
            t_attrs[i] = b""
        elif type(value) is str:
            strings.append(value)
            string_at.append(i)
            t_attrs[i] = _T_STR
        elif value is _KEEP:
            kept.append((sheet, refs[i]))
        else:
            t, text = serialise_value(value, date1904)
            t_attrs[i] = b' t="' + t.encode() + b'"' if t else b""
            v_elems[i] = v_open + text + v_close
            others.append((t, text, value))
    if numbers:
        texts = number_texts(numbers)
        for i, text in zip(number_at, texts.split(b"\n")):
            v_elems[i] = v_open + text + v_close
        written.numbers.extend(numbers)
        written.number_texts.append(texts)
    if strings:
        texts = string_texts(strings)
        for i, text in zip(string_at, texts):
            v_elems[i] = v_open + text + v_close
        written.strings.extend(strings)
        written.string_texts.append(b"\0".join(texts))
    return b"".join(_cells(gaps, p, refs_b, s_attrs, t_attrs, f_elems, v_elems))


def _cells(gaps, p, refs, s_attrs, t_attrs, f_elems, v_elems):
    """The pieces of a split chunk in order, with the literals the pattern matched between them."""
    c_open, c_close = b"<" + p + b'c r="', b"</" + p + b"c>"
    cells = zip(gaps, repeat(c_open), refs, repeat(b'"'), s_attrs, t_attrs, repeat(b">"),
                f_elems, v_elems, repeat(c_close))
    return chain(chain.from_iterable(cells), gaps[-1:])


def number_texts(numbers: list[float]) -> bytes:
    """``serialise_value``'s text of finite floats, for many at once, joined by newlines:
    the shortest repr that reads back as the same float, without a trailing '.0'."""
    text = "\n".join(map(repr, numbers))
    text = re.sub(r"\.0$", "", text, flags=re.M)
    return re.sub(r"^-0$", "0", text, flags=re.M).encode("ascii")


def string_texts(strings: list[str]) -> list[bytes]:
    """``escape_text`` of many strings: one pass for the lot when none needs escaping."""
    joined = "\0".join(strings)
    if joined.count("\0") == len(strings) - 1 and "_x" not in joined and _NEEDS_ESCAPE.search(joined) is None:
        return joined.encode("utf-8").split(b"\0")
    return [escape_text(s) for s in strings]


# Bytes that cannot stand in XML character data as written: '<', a '&' that starts no entity,
# control characters and CR (NUL separates the texts here), U+FFFE and U+FFFF.
_NOT_CHAR_DATA = re.compile(rb"[<\x01-\x08\x0b-\x1f]|\xef\xbf[\xbe\xbf]"
                            rb"|&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
_NUMBER_TEXTS = re.compile(rb"[-+.0-9eE\n]*")


def check_written(written: Written, decode: Callable[[bytes, bytes], object],
                  same: Callable[[object, object, str | None, bytes], bool]) -> str | None:
    """The first written value whose text is not well-formed XML text or does not read back
    as the value (None: all do).

    Texts are read with the cell reader's own conversions: ``float`` for a number, entities
    and _xHHHH_ escapes for a text; other kinds through the reader itself (``decode``)."""
    texts = b"\n".join(written.number_texts)
    if not _NUMBER_TEXTS.fullmatch(texts):
        return "a number's text"
    got = list(map(float, texts.split(b"\n"))) if texts else []
    if got != written.numbers:
        return next((f"the number {b!r}" for a, b in zip(got, written.numbers) if a != b), "the numbers")
    joined = b"\0".join(written.string_texts)
    if _NOT_CHAR_DATA.search(joined):
        return "a text that is not XML text"
    try:
        parts = xml_text(joined).split("\0") if written.strings else []
    except UnicodeDecodeError:
        return "a text that is not UTF-8"
    if len(parts) != len(written.strings):
        return "the texts"
    if [xstring_decode(text) for text in parts] != written.strings:
        return next(f"the text {b[:20]!r}" for a, b in zip(parts, written.strings) if xstring_decode(a) != b)
    for t, text, value in written.others:
        if _NOT_CHAR_DATA.search(text) or b"\0" in text:
            return f"the value {value!r}"
        if not same(decode((t or "n").encode(), b"<v>" + text + b"</v>"), value, t, text):
            return f"the value {value!r}"
    return None
