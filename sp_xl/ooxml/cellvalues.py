"""Cell values in and out of SpreadsheetML: decoding ``<c>`` content, writing ``<v>`` text."""

from __future__ import annotations

import datetime as dt
import math
from sp_xl.errors import CODES, VALUE, ExcelError
from sp_xl.ooxml.xmltext import IS_ELEMENT, RPH_ELEMENT, T_ELEMENT, V_ELEMENT, escape_text, xml_text, xstring_decode




_ERROR_ALIASES = {"#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!",
                  "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!"}


def error_value(code: str) -> ExcelError:
    """An error literal from a file; newer Excel errors have no own code here and read as #VALUE!."""
    code = code.strip()
    if code in CODES:
        return ExcelError(code, "Cellen indeholder fejlen " + code + ".", "The cell holds the error " + code + ".")
    return ExcelError(VALUE, f"Excel viste fejlen {code} i cellen.", f"Excel showed the error {code} in the cell.")


def number_or_error(text: str) -> float | ExcelError:
    try:
        return float(text)
    except ValueError:
        return ExcelError(VALUE, f"Cellen har et ugyldigt tal '{text}'.", f"The cell has an invalid number '{text}'.")


def inline_text(raw: bytes) -> str:
    raw = RPH_ELEMENT.sub(b"", raw)
    return xstring_decode("".join(xml_text(m.group(1) or b"") for m in T_ELEMENT.finditer(raw)))


class CellDecoder:
    """Turns a cell's type and content into its value, with the workbook's shared strings and date system."""

    def __init__(self, shared_strings: list[str], date1904: bool):
        self.shared_strings = shared_strings
        self.date1904 = date1904

    def __call__(self, t: bytes, inner: bytes) -> object:
        """The constant or cached value of a cell from its type and content; None if none."""
        if inner[:3] == b"<v>" and inner[-4:] == b"</v>" and b"<" not in inner[3:-4]:
            raw = inner[3:-4]                      # the common case, without regexes
        elif (t != b"inlineStr" and inner[-4:] == b"</v>" and (k := inner.find(b"<v>")) >= 0
              and inner.find(b"<", k + 3, len(inner) - 4) < 0 and inner.find(b"<v", 0, k) < 0
              and b":v" not in inner[:k]):
            raw = inner[k + 3:-4]                  # a formula's '<f>..</f><v>x</v>': what V_ELEMENT finds
        elif t == b"inlineStr" and (ism := IS_ELEMENT.search(inner)):
            body = ism.group(1) or b""
            if body[:3] == b"<t>" and body[-4:] == b"</t>" and b"<" not in body[3:-4]:
                return xstring_decode(xml_text(body[3:-4]))
            return inline_text(body)
        else:
            vm = V_ELEMENT.search(inner)
            if vm is None:
                return None
            raw = vm.group(1)
            if raw is None:
                return "" if t in (b"str", b"s", b"inlineStr") else None
        if not raw and t in (b"n", b"b", b"e", b"d"):
            return None
        if t == b"n":
            try:
                return float(raw)
            except ValueError:
                text = xml_text(raw)
                return number_or_error(text) if text.strip() else None
        if t == b"s":
            try:
                return self.shared_strings[int(raw)]
            except (ValueError, IndexError):
                return ExcelError(VALUE, f"Cellen henviser til en delt tekst ({xml_text(raw)}), der ikke findes.",
                                  f"The cell refers to a shared string ({xml_text(raw)}) that does not exist.")
        text = xml_text(raw)
        if t == b"b":
            return text.strip() in ("1", "true")
        if t == b"e":
            return error_value(text)
        if t == b"d":
            return self.iso_to_serial(text)
        return xstring_decode(text)           # "str", "inlineStr" with <v>

    def iso_to_serial(self, text: str) -> float | ExcelError:
        text = text.strip().replace("Z", "")
        try:
            if "-" not in text and ":" in text:      # a time of day alone: a fraction of a day
                t = dt.time.fromisoformat(text)
                return (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return ExcelError(VALUE, f"Cellen har en ugyldig dato '{text}'.", f"The cell has an invalid date '{text}'.")
        epoch = dt.datetime(1904, 1, 1) if self.date1904 else dt.datetime(1899, 12, 30)
        return (when - epoch) / dt.timedelta(days=1)


def _format_number(x: float) -> bytes:
    if x == 0:
        return b"0"
    if float(x).is_integer() and abs(x) < 1e16:
        return str(int(x)).encode()
    return repr(float(x)).encode()


def serialise_value(value: object, date1904: bool = False) -> tuple[str | None, bytes]:
    """(t attribute or None, <v> text) for a result value."""
    if type(value) is float and math.isfinite(value):
        return None, _format_number(value)
    if isinstance(value, ExcelError):
        return "e", value.code.encode()
    if isinstance(value, bool):
        return "b", b"1" if value else b"0"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
        if not math.isfinite(x):
            return "e", b"#NUM!"
        return None, _format_number(x)
    if isinstance(value, (dt.datetime, dt.date)):
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        return None, _format_number((value - epoch) / dt.timedelta(days=1))
    if value is None:
        return None, b"0"          # Excel shows a formula that yields "nothing" (=A1 on an empty A1) as 0
    return "str", escape_text(str(value))


_TAGS: dict[bytes, tuple[bytes, ...]] = {}
