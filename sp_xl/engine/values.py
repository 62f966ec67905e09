"""Cell values inside the engine, and Excel's scalar operators on them.

Inside the engine values use the conventions of the ``formulas`` package, so that its
built-in function implementations can be called directly: numbers are Python floats, text
is ``str``, booleans ``bool``, an empty cell is ``schedula.EMPTY`` and an error is one of the
canonical ``XlError`` instances in ``ERRORS`` (they compare by identity and are ``str``
subclasses, so test for errors before testing for text). Ranges are 2-D numpy object arrays.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re

import numpy as np
import schedula as sh
from formulas.functions import Array
from formulas.functions.operators import OPERATORS
from formulas.tokens.operand import Error, XlError

from sp_xl import errors as sp_errors
from sp_xl.engine.textnum import english_text_to_number

EMPTY = sh.EMPTY
ERRORS: dict[str, XlError] = {code: Error.errors[code] for code in sp_errors.CODES}
E_VALUE, E_DIV0, E_NUM, E_NA, E_REF, E_NAME = (ERRORS[c] for c in ("#VALUE!", "#DIV/0!", "#NUM!", "#N/A", "#REF!", "#NAME?"))

_GENERIC_REASON = {
    "#DIV/0!": ("Division med 0 i formlen eller i en celle, den bruger.", "Division by 0 in the formula or a cell it uses."),
    "#VALUE!": ("En værdi har en forkert type (fx tekst, hvor der skal stå et tal).", "A value has the wrong type (e.g. text where a number is needed)."),
    "#N/A": ("En værdi mangler eller blev ikke fundet.", "A value is missing or was not found."),
    "#REF!": ("Formlen henviser til en celle, der ikke findes.", "The formula refers to a cell that does not exist."),
    "#NUM!": ("Resultatet er ikke et gyldigt tal.", "The result is not a valid number."),
    "#NAME?": ("Formlen bruger et ukendt navn.", "The formula uses an unknown name."),
    "#NULL!": ("To områder har ingen fælles celler.", "Two ranges have no cells in common."),
}


def filled(shape: tuple[int, int], value: object) -> np.ndarray:
    """An object array holding ``value`` in every cell. Not ``np.full``: it turns str
    subclasses such as EMPTY and the XlErrors into plain text ('empty', '#N/A')."""
    out = np.empty(shape, dtype=object)
    out.fill(value)
    return out


def is_error(v: object) -> bool:
    return isinstance(v, XlError)


def excel_error(v: XlError) -> sp_errors.ExcelError:
    code = str(v)
    da, en = _GENERIC_REASON.get(code, ("", ""))
    return sp_errors.ExcelError(code, da, en)


def from_outside(v: object) -> object:
    """A value as the package delivers it (constants, cached results) -> engine value."""
    if v is None:
        return EMPTY
    t = type(v)
    if t is float or t is str or t is bool:
        if t is str and v in ERRORS:  # error literal arriving as text
            return ERRORS[v]  # type: ignore[index]
        return v
    if isinstance(v, sp_errors.ExcelError):
        return ERRORS[v.code]
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if hasattr(v, "toordinal"):  # datetime/date: callers should have converted; be strict
        raise TypeError(f"date value {v!r} must arrive as an Excel serial number")
    return v


def scalar(v: object) -> object:
    """Normalise a value coming out of a ``formulas`` function to an engine scalar."""
    t = type(v)
    if t is float:
        return v if math.isfinite(v) else E_NUM
    if t is str or t is bool or v is EMPTY:
        return v
    if isinstance(v, XlError):
        return ERRORS.get(str(v), v) if v not in ERRORS.values() else v
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (int, np.integer, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else E_NUM
    if isinstance(v, np.str_):
        return str(v)
    if v is sh.NONE or v is None:
        return EMPTY
    return v


def normalise(res: object) -> object:
    """A function result -> engine scalar, or a 2-D object array for a real array."""
    if isinstance(res, np.ndarray):
        if res.ndim == 0:
            return scalar(res.item())
        if res.size == 1:
            return scalar(res.flat[0])
        arr = np.asarray(res, dtype=object)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        out = np.empty(arr.shape, dtype=object)
        flat_in, flat_out = arr.ravel(), out.ravel()
        for i in range(flat_in.size):
            flat_out[i] = scalar(flat_in[i])
        return out
    return scalar(res)


# Number <-> text conversions depend on the language of the Excel that recalculates:
# Danish Excel writes 0,5 and SAND and reads "38,4" as a number. ``use_locale`` switches.
_LOCALE: contextvars.ContextVar[str] = contextvars.ContextVar("sp_xl_engine_locale", default="en-US")
LOCALES = ("en-US", "da-DK")
_DANISH_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d*)?(?:[eE][+-]?\d+)?$")


@contextlib.contextmanager
def use_locale(locale: str):
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; choose one of {LOCALES}")
    token = _LOCALE.set(locale)
    try:
        yield
    finally:
        _LOCALE.reset(token)


def danish() -> bool:
    return _LOCALE.get() == "da-DK"


def _danish_text_to_number(text: str) -> object:
    if _DANISH_NUMBER.match(text) and any(ch.isdigit() for ch in text):
        return float(text.replace(".", "").replace(",", "."))
    if any(ch.isdigit() for ch in text) and any(ch in text for ch in "-/:"):
        from sp_xl.engine.parse import Unsupported
        raise Unsupported(f"Teksten '{text}' ligner en dato eller et klokkeslæt; dansk Excel kan læse den som tal, "
                          "men det efterligner formelmotoren ikke.",
                          f"The text '{text}' looks like a date or time; Danish Excel may read it as a number, "
                          "which the engine does not reproduce.")
    return E_VALUE


def _english_text_to_number(text: str) -> object:
    n = english_text_to_number(text)
    return E_VALUE if n is None else n


def to_number(v: object) -> object:
    """Excel's conversion for arithmetic: float, or the XlError to return."""
    t = type(v)
    if t is float:
        return v
    if v is EMPTY:
        return 0.0
    if t is bool:
        return 1.0 if v else 0.0
    if isinstance(v, XlError):
        return v
    if isinstance(v, str):
        text = v.strip()
        if text.endswith("%") and len(text) > 1:  # "50%" * 1 = 0.5
            inner = to_number(text[:-1])
            return inner / 100.0 if type(inner) is float else E_VALUE
        if danish():
            return _danish_text_to_number(text) if text else E_VALUE
        return _english_text_to_number(text) if text else E_VALUE
    try:
        return float(v)  # numpy numbers
    except (TypeError, ValueError):
        return E_VALUE


def to_text(v: object) -> object:
    if isinstance(v, XlError):
        return v
    if v is EMPTY:
        return ""
    if type(v) is bool:
        if danish():
            return "SAND" if v else "FALSK"
        return "TRUE" if v else "FALSE"
    if isinstance(v, str):
        return v
    f = float(v)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    text = format(f, ".15g")
    if "e-" in text:
        # Excel writes 0.00001 in full but 1E-20 in scientific notation; where it switches is
        # not reproduced here, so such a number is refused rather than spelled differently
        from sp_xl.engine.parse import Unsupported
        raise Unsupported(f"Tallet {text} skal gøres til tekst; Excels skrivemåde for så små tal efterlignes ikke.",
                          f"The number {text} must become text; Excel's spelling of such small numbers "
                          "is not reproduced.")
    text = text.replace("e", "E").replace("E+0", "E+")
    return text.replace(".", ",") if danish() else text


def _type_rank(v: object) -> int:
    if type(v) is bool:
        return 2
    if isinstance(v, str):
        return 1
    return 0


_EPS = 2.0 ** -48  # LibreOffice's rtl::math::approxEqual tolerance; Excel behaves alike


def _approx_equal(x: float, y: float) -> bool:
    return abs(x - y) < max(abs(x), abs(y)) * _EPS


def compare(op: str, a: object, b: object) -> object:
    if isinstance(a, XlError):
        return a
    if isinstance(b, XlError):
        return b
    if a is EMPTY:
        a = "" if isinstance(b, str) else (False if type(b) is bool else 0.0)
    if b is EMPTY:
        b = "" if isinstance(a, str) else (False if type(a) is bool else 0.0)
    ra, rb = _type_rank(a), _type_rank(b)
    if ra != rb:
        x, y = ra, rb
    elif ra == 1:
        x, y = a.casefold(), b.casefold()  # type: ignore[union-attr]
    else:
        x, y = float(a), float(b)  # type: ignore[arg-type]
        if x != y and _approx_equal(x, y):  # 0.1+0.2=0.3 is TRUE in Excel and LibreOffice
            y = x
    if op == "=":
        return x == y
    if op == "<>":
        return x != y
    if op == "<":
        return x < y
    if op == ">":
        return x > y
    if op == "<=":
        return x <= y
    return x >= y


def arith(op: str, a: object, b: object) -> object:
    x = to_number(a)
    if isinstance(x, XlError):
        return x
    y = to_number(b)
    if isinstance(y, XlError):
        return y
    if op == "+" or op == "-":
        r = x + y if op == "+" else x - y
        # Like Excel and LibreOffice: a sum that cancels to within rounding noise is 0
        # (0.1+0.2-0.3 gives 0, not 5.55E-17).
        if r != 0.0 and abs(r) < max(abs(x), abs(y)) * _EPS:
            r = 0.0
    elif op == "*":
        r = x * y
    elif op == "/":
        if y == 0.0:
            return E_DIV0
        r = x / y
    else:  # ^
        if x == 0.0 and y == 0.0:
            return E_NUM
        if x == 0.0 and y < 0:
            return E_DIV0
        try:
            r = math.pow(x, y)
        except (ValueError, OverflowError):
            return E_NUM
    return r if math.isfinite(r) else E_NUM


_FORMULAS_OP = {"&": "&"}


def binary(op: str, a: object, b: object) -> object:
    """Excel's binary operator on two values (scalars or arrays)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return _binary_array(op, a, b)
    if op in ("+", "-", "*", "/", "^"):
        return arith(op, a, b)
    if op == "&":
        ta = to_text(a)
        if isinstance(ta, XlError):
            return ta
        tb = to_text(b)
        if isinstance(tb, XlError):
            return tb
        return ta + tb
    return compare(op, a, b)


class _NotPlain(Exception):
    pass


def _plain_number(x: object) -> float:
    t = type(x)
    if t is float:
        return x
    if t is bool:
        return 1.0 if x else 0.0
    if x is EMPTY:
        return 0.0
    raise _NotPlain


def _plain_numbers(X: np.ndarray, convert=_plain_number) -> np.ndarray:
    """X as a float array through ``convert``, which raises _NotPlain for other cells."""
    return np.fromiter(map(convert, X.ravel().tolist()), dtype=float, count=X.size).reshape(X.shape)


def _numpy_arith(op: str, A: np.ndarray, B: np.ndarray) -> np.ndarray | None:
    """+ - * / over numbers, logicals and empty cells with numpy; None when a cell holds text
    or an error (the cell-by-cell path handles those)."""
    try:
        x, y = _plain_numbers(A), _plain_numbers(B)
    except _NotPlain:
        return None
    with np.errstate(all="ignore"):
        if op == "+":
            r = x + y
        elif op == "-":
            r = x - y
        elif op == "*":
            r = x * y
        else:
            r = x / y
        if op in "+-":
            r = np.where(np.abs(r) < np.maximum(np.abs(x), np.abs(y)) * _EPS, 0.0, r)
    out = r.astype(object)
    bad = ~np.isfinite(r)
    if op == "/":
        zero = np.broadcast_to(y == 0.0, r.shape)
        out[zero] = E_DIV0
        bad &= ~zero
    out[bad] = E_NUM
    return out


def _strict_number(x: object) -> float:
    if type(x) is float:
        return x
    if x is EMPTY:
        return 0.0
    raise _NotPlain  # logicals and text order differently from numbers in comparisons


def _numpy_compare(op: str, A: np.ndarray, B: np.ndarray) -> np.ndarray | None:
    try:
        x, y = _plain_numbers(A, _strict_number), _plain_numbers(B, _strict_number)
    except _NotPlain:
        return None
    with np.errstate(all="ignore"):
        same = (x == y) | (np.abs(x - y) < np.maximum(np.abs(x), np.abs(y)) * _EPS)
        r = {"=": same, "<>": ~same, "<": (x < y) & ~same, ">": (x > y) & ~same,
             "<=": (x < y) | same, ">=": (x > y) | same}[op]
    return r.astype(object)


def _text_equality(op: str, X: np.ndarray, text: str) -> np.ndarray | None:
    """array = "text" / array <> "text", case-insensitively, cell by cell without dispatch."""
    folded = text.casefold()
    flat = X.ravel().tolist()
    out = np.empty(len(flat), dtype=object)
    for i, v in enumerate(flat):
        if isinstance(v, XlError):
            out[i] = v
            continue
        if v is EMPTY:
            eq = folded == ""
        elif isinstance(v, str) and type(v) is not bool:
            eq = v.casefold() == folded
        else:
            eq = False
        out[i] = eq if op == "=" else not eq
    return out.reshape(X.shape)


def _binary_array(op: str, a: object, b: object) -> object:
    """Element-wise with Excel's broadcasting: a 1-row/1-column side repeats, a size mismatch
    gives #N/A in the cells beyond the smaller side."""
    A = a if isinstance(a, np.ndarray) else np.array([[a]], dtype=object)
    B = b if isinstance(b, np.ndarray) else np.array([[b]], dtype=object)
    if all(p == q or p == 1 or q == 1 for p, q in zip(A.shape, B.shape)):
        # the common large cases (SUMPRODUCT((A2:A9="x")*B2:B9)) without a call per cell
        if op in ("+", "-", "*", "/"):
            fast = _numpy_arith(op, A, B)
            if fast is not None:
                return fast
        elif op in ("=", "<>", "<", ">", "<=", ">="):
            if op in ("=", "<>"):
                if B.size == 1 and isinstance(B.flat[0], str) and not isinstance(B.flat[0], XlError):
                    return _text_equality(op, A, B.flat[0])
                if A.size == 1 and isinstance(A.flat[0], str) and not isinstance(A.flat[0], XlError):
                    return _text_equality(op, B, A.flat[0])
            fast = _numpy_compare(op, A, B)
            if fast is not None:
                return fast
    rows = max(A.shape[0], B.shape[0])
    cols = max(A.shape[1], B.shape[1])
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            ai = 0 if A.shape[0] == 1 else i
            aj = 0 if A.shape[1] == 1 else j
            bi = 0 if B.shape[0] == 1 else i
            bj = 0 if B.shape[1] == 1 else j
            if ai >= A.shape[0] or aj >= A.shape[1] or bi >= B.shape[0] or bj >= B.shape[1]:
                out[i, j] = E_NA
            else:
                out[i, j] = binary(op, A[ai, aj], B[bi, bj])
    return out


def unary(op: str, a: object) -> object:
    if isinstance(a, np.ndarray):
        out = np.empty(a.shape, dtype=object)
        for idx, v in np.ndenumerate(a):
            out[idx] = unary(op, v)
        return out
    if op == "pos":
        return a  # unary plus changes nothing: +"abc" is "abc"
    x = to_number(a)
    if isinstance(x, XlError):
        return x
    if op == "neg":
        return -x
    if op == "pct":
        return x / 100.0
    return a if not isinstance(a, float) else x  # unary plus keeps text as text


def as_array(v: object) -> Array:
    """Hand a value to a ``formulas`` function: arrays as its Array type."""
    if isinstance(v, np.ndarray):
        return v.view(Array)
    return v


__all__ = ["filled", "EMPTY", "ERRORS", "OPERATORS", "Array", "binary", "unary", "normalise", "scalar",
           "to_number", "to_text", "compare", "from_outside", "excel_error", "is_error", "as_array"]


def wildcard_regex(pattern: str, flags: int = 0) -> re.Pattern:
    """Excel's wildcards as a regular expression: * any run, ? one character, ~ escapes the
    next * ? or ~ (criteria of COUNTIF and friends, SEARCH)."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), flags | re.DOTALL)
