"""Writing VBA source text from Python: identifiers, string literals, line limits.

The VBA project stores module source in its code page (1252 for our add-in, Western
European), so every character outside cp1252 is written as ``ChrW(n)`` instead of being
turned into '?' by the encoder. VBA lines are limited to 1023 characters and a statement to
24 line continuations; long texts are therefore built up in several assignments.
"""

from __future__ import annotations

import re

CODEPAGE = "cp1252"
MAX_LINE = 1023
# A literal chunk this long, plus the assignment around it, stays well inside MAX_LINE.
_CHUNK = 700

# Words a VBA parameter may not be called (reserved words, and contextual keywords that
# break compilation or shadow what the wrapper body uses).
VBA_RESERVED = frozenset(w.casefold() for w in ["AddressOf", "And", "Any", "Array", "As", "Attribute", "Base", "Binary", "Boolean", "ByRef", "Byte", "ByVal", "Call", "Case", "CBool", "CByte", "CCur", "CDate", "CDbl", "CDec", "CInt", "CLng", "CLngLng", "CLngPtr", "Close", "Compare", "Const", "CSng", "CStr", "Currency", "CVar", "CVErr", "Date", "Debug", "Decimal", "Declare", "DefBool", "DefByte", "DefCur", "DefDate", "DefDbl", "DefDec", "DefInt", "DefLng", "DefObj", "DefSng", "DefStr", "DefVar", "Dim", "Do", "Double", "Each", "Else", "ElseIf", "Empty", "End", "EndIf", "Enum", "Eqv", "Erase", "Error", "Event", "Exit", "Explicit", "False", "Fix", "For", "Friend", "Function", "Get", "Global", "GoSub", "GoTo", "If", "Imp", "Implements", "In", "Input", "Int", "Integer", "Is", "LBound", "Len", "LenB", "Let", "Lib", "Like", "Line", "Local", "Lock", "Long", "LongLong", "LongPtr", "Loop", "LSet", "Me", "Mid", "Mod", "Module", "Name", "New", "Next", "Not", "Nothing", "Null", "Object", "On", "Open", "Option", "Optional", "Or", "Output", "ParamArray", "Preserve", "Print", "Private", "Property", "PtrSafe", "Public", "Put", "RaiseEvent", "Random", "Read", "ReDim", "Rem", "Reset", "Resume", "Return", "RSet", "Seek", "Select", "Set", "Shared", "Single", "Spc", "Static", "Step", "Stop", "String", "Sub", "Tab", "Text", "Then", "To", "True", "Type", "TypeOf", "UBound", "Until", "Variant", "Wend", "While", "Width", "With", "WithEvents", "Write", "Xor", "Application", "ActiveWorkbook", "ThisWorkbook", "XLPy", "Err", "result", "caller"])

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def vba_identifier(name: str) -> str:
    """A Python argument name as a legal VBA parameter name (``end`` -> ``end_``)."""
    if not _IDENT.match(name):
        raise ValueError(f"{name!r} cannot be written as a VBA identifier")
    return f"{name}_" if name.casefold() in VBA_RESERVED else name


def vba_string(text: str) -> str:
    """A VBA string expression for ``text``: quoted, with ChrW() for non-cp1252 characters.

    Line breaks become spaces: Excel's dialogs show one line anyway.
    """
    text = " ".join(text.split())
    parts: list[str] = []
    plain: list[str] = []
    for ch in text:
        try:
            ch.encode(CODEPAGE)
        except UnicodeEncodeError:
            if plain:
                parts.append('"' + "".join(plain).replace('"', '""') + '"')
                plain = []
            parts.append(f"ChrW({ord(ch)})")
        else:
            plain.append(ch)
    if plain or not parts:
        parts.append('"' + "".join(plain).replace('"', '""') + '"')
    return " & ".join(parts)


def assign_string(variable: str, text: str, indent: str = "    ") -> list[str]:
    """Statements that set ``variable`` to ``text``, each line safely below VBA's limit."""
    flat = " ".join(text.split())
    chunks = [flat[i:i + _CHUNK] for i in range(0, len(flat), _CHUNK)] or [""]
    lines = [f"{indent}{variable} = {vba_string(chunks[0])}"]
    lines += [f"{indent}{variable} = {variable} & {vba_string(c)}" for c in chunks[1:]]
    for line in lines:
        if len(line) > MAX_LINE:
            raise ValueError(f"generated VBA line too long ({len(line)} characters)")
    return lines


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (Excel's 255 limits)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def crlf(text: str) -> str:
    """VBA modules use CRLF line ends; sources in the repository may use LF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
