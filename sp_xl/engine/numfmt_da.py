"""TEXT, FIXED and DOLLAR as Danish Excel writes them, through engine.numfmt.

In Danish Excel the format codes of TEXT are Danish: "å" is the year (åååå, åå), "t" the
hour (tt:mm, [t]:mm), "Standard" is General, the decimal separator is "," and the
thousands separator "." (#.##0,00), month and day names are Danish (jan/januar, man/mandag)
unless a [$-409] tag asks for English. A Danish format is
translated into the English codes engine.numfmt knows, with every literal "." and ","
(quoted text, "\\.", dates like dd.mm.åååå, [$kr.-406]) put aside as a placeholder; the
English result then gets the Danish separators and the literals back.

Codes whose meaning in Danish Excel is not certain are refused, naming the format: the
English "y" and "h" (German Excel shows "yyyy" as text, for instance), "General", A/P, fractions
of a second, colours ([Rød] or [Red]: LibreOffice in da-DK rejects the first), other
languages' [$-...] tags.
Checked against LibreOffice in da-DK (which shares all but the year code "å", which it does
not know): tests/engine/test_danish_text.py.
"""

from __future__ import annotations

import re

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.numfmt import _split_sections, format_value
from sp_xl.engine.exceltext import number_and_places, text_with
from sp_xl.engine.numfmt_dates import _DAYS, _MONTHS, NAMES, _refuse
from sp_xl.engine.parse import Unsupported
from sp_xl.engine.textnum import date_system_1904
from sp_xl.engine.values import E_VALUE, to_number
from sp_xl.i18n import DAY_NAMES_DA, MONTH_NAMES_DA

_POINT, _COMMA = "\ue000", "\ue001"        # a literal "." and "," while the English engine runs
_HIDE = str.maketrans({".": _POINT, ",": _COMMA})
_SHOW = str.maketrans({".": ",", ",": ".", _POINT: ".", _COMMA: ","})
_TAG = re.compile(r"^\[\$([^\]\-]*)(?:-([0-9A-Fa-f]{1,8}))?\]")
_ELAPSED = re.compile(r"^\[(t+|m+|s+)\]", re.IGNORECASE)
_CONDITION = re.compile(r"^\[\s*(<=|>=|<>|<|>|=)\s*(-?\d+(?:,\d+)?)\s*\]")
_DATE_LETTERS = set("dmåtsDMÅTS")


def _quoted(text: str) -> str:
    return '"' + text.translate(_HIDE) + '"' if text else ""


def _is_date_section(section: str) -> bool:
    """Whether a section holds date or time codes (outside quotes and [..])."""
    i, low = 0, section.lower()
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            i = len(section) if j < 0 else j + 1
        elif ch == "\\":
            i += 2
        elif ch == "[":
            if _ELAPSED.match(section[i:]):
                return True
            j = section.find("]", i)
            i = len(section) if j < 0 else j + 1
        elif low.startswith("standard", i):
            i += 8
        elif low.startswith("am/pm", i) or low.startswith("a/p", i):
            return True
        elif ch in _DATE_LETTERS:
            return True
        else:
            i += 1
    return False


def _section(section: str, fmt: str, langs: set[str]) -> str:
    """One Danish section in English codes."""
    date = _is_date_section(section)
    out: list[str] = []
    i, low = 0, section.lower()
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            if j < 0:
                _refuse(fmt, "et citat uden slutning", "an unterminated quote")
            out.append(_quoted(section[i + 1:j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            nxt = section[i + 1]
            out.append(_quoted(nxt) if nxt in ".," else "\\" + nxt)
            i += 2
        elif ch == "[":
            rest = section[i:]
            if m := _ELAPSED.match(rest):
                code = m.group(1).lower()
                out.append("[" + ("h" * len(code) if code[0] == "t" else code) + "]")
            elif m := _CONDITION.match(rest):
                out.append(f"[{m.group(1)}{m.group(2).replace(',', '.')}]")
            elif m := _TAG.match(rest):
                lang = (m.group(2) or "").upper().lstrip("0")[-3:]
                if lang and lang not in ("406", "409"):
                    _refuse(fmt, f"sprogkoden [$-{m.group(2)}]", f"the language tag [$-{m.group(2)}]")
                if lang:
                    langs.add(lang)
                out.append(_quoted(m.group(1)))
            else:
                _refuse(fmt, "en [..]-kode, som dansk Excel læser anderledes", "a [..] code Danish Excel reads differently")
            i += m.end()
        elif low.startswith("standard", i):
            out.append("General")
            i += 8
        elif low.startswith("general", i):
            _refuse(fmt, "koden General (dansk Excel kalder den Standard)", "the code General (Danish Excel calls it Standard)")
        elif low.startswith("am/pm", i):
            out.append(section[i:i + 5])
            i += 5
        elif low.startswith("a/p", i):     # LibreOffice in da-DK writes "a" where English Excel writes "A"
            _refuse(fmt, "koden A/P", "the code A/P")
        elif ch in "åÅ":
            out.append("y")
            i += 1
        elif ch in "tT":
            out.append("h")
            i += 1
        elif ch in "yYhH":
            _refuse(fmt, f"den engelske kode '{ch}' (dansk Excel bruger å og t)",
                    f"the English code '{ch}' (Danish Excel uses å and t)")
        elif ch in ".,":
            if not date:
                out.append("," if ch == "." else ".")
            elif ch == "," and section[i + 1:i + 2] == "0":
                _refuse(fmt, "brøkdele af sekunder", "fractions of a second")
            else:
                out.append(_quoted(ch))
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def english_format(fmt: str) -> tuple[str, str]:
    """A Danish format code in English codes, and the language of its names ("406"/"409")."""
    langs: set[str] = set()
    sections = [_section(s, fmt, langs) for s in _split_sections(fmt)]
    if len(langs) > 1:
        _refuse(fmt, "flere sprogkoder", "several language tags")
    return ";".join(sections), (langs.pop() if langs else "406")


def format_danish(value: object, fmt: str) -> str:
    """TEXT(value; fmt) in Danish Excel for a float, str or bool value."""
    english, lang = english_format(fmt)
    if isinstance(value, bool):
        value = "SAND" if value else "FALSK"
    if isinstance(value, str):
        value = value.translate(_HIDE)
    token = NAMES.set((list(MONTH_NAMES_DA), list(DAY_NAMES_DA)) if lang == "406" else (_MONTHS, _DAYS))
    try:
        return format_value(value, english, date_system_1904()).translate(_SHOW)
    except Unsupported as exc:      # the reason names the format as the user wrote it
        shown = f'"{english}"', f'"{fmt}"'
        raise Unsupported(exc.reason_da.replace(*shown), exc.reason_en.replace(*shown)) from None
    finally:
        NAMES.reset(token)


# ---- the functions, as engine.compile's DANISH_OWN calls them: impl(invoke, *args) ----------

def text(invoke, value, fmt):
    """TEXT(value; format) with Danish format codes."""
    return text_with(value, fmt, format_danish)


def fixed(invoke, number, decimals=2.0, no_commas=False):
    """FIXED(number; decimals; no_commas) in Danish Excel: 1.234,50 (no_commas: 1234,50)."""
    got = number_and_places("FIXED", number, decimals)
    if not isinstance(got, tuple):
        return got
    if isinstance(no_commas, np.ndarray):
        return E_VALUE
    plain = to_number(no_commas)
    if isinstance(plain, XlError):
        return plain
    x, d = got
    body = ("0" if plain else "#.##0") + ("," + "0" * d if d else "")
    return format_danish(x, body)


def dollar(invoke, number, decimals=2.0):
    """DOLLAR(number; decimals) in Danish Excel: the currency kr. before the amount and its
    minus (kr. -1.234,50), as Danish regional settings write money."""
    got = number_and_places("DOLLAR", number, decimals)
    if not isinstance(got, tuple):
        return got
    x, d = got
    body = "#.##0" + ("," + "0" * d if d else "")
    return format_danish(x, f'"kr. "{body};"kr. -"{body}')
