"""Formula cells of the usual form read many at a time: their texts and cached values.

A filled-down column gives 10^5-10^6 cells like ``<c r="F2" t="str"><f>A2&amp;B2</f><v>x</v></c>``.
Reading each through ``CellDecoder`` and the formula parser costs microseconds per cell;
here the texts of a whole sheet are unescaped in one call (joined by NUL, which XML text
cannot hold) and the cached numbers converted by one ``map(float, ...)``. Anything out of
the ordinary (an entity giving NUL, a number that does not parse, another cell type) falls
back to the per-cell reader, so the values are those ``CellDecoder`` gives.
"""

from __future__ import annotations

from collections.abc import Callable

from sp_xl.ooxml.xmltext import xml_text, xstring_decode


def texts(raw: list[bytes], decode: Callable[[bytes], str] = xml_text) -> list[str]:
    """``decode`` of each, in one call when no text holds or makes a NUL."""
    if not raw:
        return []
    parts = decode(b"\0".join(raw)).split("\0")
    return parts if len(parts) == len(raw) else [decode(r) for r in raw]


def plain_formulas(cells: list[tuple[bytes, ...]], p: bytes,
                   decode: Callable[[bytes, bytes], object]) -> tuple[list[str], list[str], list[object]]:
    """(references, formula texts, cached values) of formula cells found as (r, t, formula
    text, <v> element) tuples; references of the usual form 'B5', checked by the pattern."""
    refs = b"\0".join([x[0] for x in cells]).decode("ascii").split("\0")
    return refs, texts([x[2] for x in cells]), cached_values([x[1] for x in cells], [x[3] for x in cells], p, decode)


def plain_refs(raw: list[bytes]) -> list[str] | None:
    """References decoded in one call when all are plain ASCII 'B5' (None: some need normalising)."""
    joined = b"\0".join(raw)
    if b"$" in joined or not joined.isascii() or joined.upper() != joined or b"" in raw:
        return None
    return joined.decode("ascii").split("\0") if raw else []


def string_cells(cells: list[tuple[bytes, ...]], p: bytes, shared: list[str]) -> tuple[list, dict[str, object]]:
    """Text constants read in bulk: inline strings (``<is><t>text</t></is>``) and shared strings
    (``t="s"``) of cells with no other attributes. Returns the cells left, and the values."""
    is_open, is_close = b"<" + p + b"is><" + p + b"t>", b"</" + p + b"t></" + p + b"is>"
    k, n = len(is_open), -len(is_close)
    # cells as sheetscan.cell_tuples gives them, read from the end: (r, t, attrs, v, inner)
    inline = [x for x in cells if x[-4] == b"inlineStr" and not x[-3] and x[-1][:k] == is_open
              and x[-1][n:] == is_close and b"<" not in x[-1][k:n]]
    from_sst = [x for x in cells if x[-4] == b"s" and x[-2] and not x[-3]]
    values: dict[str, object] = {}
    done: list[tuple[bytes, ...]] = []
    refs = plain_refs([x[-5] for x in inline])
    if refs is not None:
        values.update(zip(refs, texts([x[-1][k:n] for x in inline], _string)))
        done += inline
    refs = plain_refs([x[-5] for x in from_sst])
    if refs is not None:
        try:
            values.update(zip(refs, map(shared.__getitem__, map(int, [x[-2] for x in from_sst]))))
            done += from_sst
        except (ValueError, IndexError):              # left to the cell-by-cell reader
            pass
    if not done:
        return cells, {}
    ids = set(map(id, done))
    return [x for x in cells if id(x) not in ids], values


def _string(raw: bytes) -> str:
    return xstring_decode(xml_text(raw))


def cached_values(types: list[bytes], v_elements: list[bytes], p: bytes,
                  decode: Callable[[bytes, bytes], object]) -> list[object]:
    """The cached value of each cell from its ``t`` and its ``<v>`` element (b"" when it has
    none), as ``decode`` (the ``CellDecoder``) reads them; None where there is no value."""
    v_open, v_close = b"<" + p + b"v>", b"</" + p + b"v>"
    skip, cut = len(v_open), -len(v_close)
    out: list[object] = [None] * len(types)
    number_type = [i for i, t in enumerate(types) if not t or t == b"n"]
    numbers = [i for i in number_type if len(v_elements[i]) > skip - cut]     # the others have no value
    strings = [i for i, t in enumerate(types) if t == b"str"]
    if len(number_type) + len(strings) < len(types):          # other types: one by one
        common = set(number_type).union(strings)
        for i, (t, v) in enumerate(zip(types, v_elements)):
            if i not in common and v:
                out[i] = decode(t or b"n", v)
    raw = [v_elements[i][skip:cut] for i in numbers]
    try:
        got = list(map(float, raw))
    except ValueError:
        got = [decode(b"n", v_elements[i]) for i in numbers]
    list(map(out.__setitem__, numbers, got))
    # A text result: '<v/>' and '<v></v>' are the empty text, no <v> at all is no value.
    with_v = [i for i in strings if v_elements[i]]
    got = texts([v_elements[i][skip:cut] if v_elements[i].startswith(v_open) else b"" for i in with_v], _string)
    list(map(out.__setitem__, with_v, got))
    return out
