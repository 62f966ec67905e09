"""Excel's number format codes for TEXT(value; format), English (en-US) Excel.

Covers the codes Excel users write: General; digit placeholders 0 # ? with thousands
separators, scaling commas, percent and scientific notation; dates and times (d m y h s,
AM/PM, A/P, elapsed [h] [m] [s], fractions of a second) in the 1900 and 1904 date systems;
sections for positive;negative;zero;text, a single [condition]; quoted and escaped literals.
Anything else (fractions, fill characters, locale and currency tags, several conditions,
unusual literal characters, dates before 1 March 1900 ...) raises ``Unsupported`` naming
the format, so the cell keeps Excel's own value instead of a guess.
Checked against the values Excel cached in tests/engine/test_excel_corpus.py.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from sp_xl.engine.numfmt_dates import ValueErrorText, _datetime, _refuse

_LITERAL = set("$-+/():!^&'~{}<>= |¥£€")
# letters Excel's TEXT shows as they are (084_pycel__text.xlsx: w, x, z); the ones that are
# codes somewhere (a/p b d e g h m n s y, and r for eras) are not among them
_PLAIN_LETTERS = set("cfijkloqtuvwxzCFIJKLOQTUVWXZ")
_LOCALE_TAG = re.compile(r"^\[\$([^\]\-]*)(?:-([0-9A-Fa-f]{1,8}))?\]")
_COND = re.compile(r"^\[\s*(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d+)?)\s*\]")
_COLOR = re.compile(r"^\[(?:black|blue|cyan|green|magenta|red|white|yellow|color\s*\d{1,2})\]", re.IGNORECASE)


def _split_sections(fmt: str) -> list[str]:
    out, cur, i = [], [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == '"':
            j = fmt.find('"', i + 1)
            j = len(fmt) - 1 if j < 0 else j
            cur.append(fmt[i:j + 1])
            i = j + 1
            continue
        if ch == "\\" and i + 1 < len(fmt):
            cur.append(fmt[i:i + 2])
            i += 2
            continue
        if ch == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def _tokens(section: str, fmt: str) -> tuple[list[tuple[str, str]], tuple[str, float] | None]:
    """(kind, text) tokens of one section, and its [condition]."""
    toks: list[tuple[str, str]] = []
    cond = None
    i, low = 0, section.lower()
    while i < len(section):
        ch = section[i]
        rest = low[i:]
        if ch == '"':
            j = section.find('"', i + 1)
            if j < 0:
                _refuse(fmt, "et citat uden slutning", "an unterminated quote")
            toks.append(("lit", section[i + 1:j]))
            i = j + 1
        elif ch == "\\":
            if i + 1 >= len(section):
                _refuse(fmt, "en \\ til sidst", "a trailing \\")
            toks.append(("lit", section[i + 1]))
            i += 2
        elif ch == "[":
            m = _COND.match(section[i:])
            c = _COLOR.match(section[i:])
            e = re.match(r"^\[(h+|m+|s+)\]", rest)
            if m:
                if cond is not None:
                    _refuse(fmt, "flere betingelser", "several conditions")
                cond = (m.group(1), float(m.group(2)))
                i += m.end()
            elif c:
                i += c.end()
            elif e:
                toks.append(("elapsed", e.group(1)))
                i += e.end()
            elif loc := _LOCALE_TAG.match(section[i:]):
                # [$-409] (English) changes nothing here; [$kr.-406] shows its currency text;
                # another language's names for months and days are checked in format_value
                if loc.group(1):
                    toks.append(("lit", loc.group(1)))
                if loc.group(2) and loc.group(2).upper().lstrip("0") not in ("409", ""):
                    toks.append(("locale", loc.group(2)))
                i += loc.end()
            else:
                _refuse(fmt, "en [..]-kode", "a [..] code")
        elif ch == "_":
            if i + 1 >= len(section):
                _refuse(fmt, "et _ til sidst", "a trailing _")
            toks.append(("lit", " "))
            i += 2
        elif ch == "*":
            _refuse(fmt, "et fyldtegn (*)", "a fill character (*)")
        elif rest.startswith("general"):
            toks.append(("general", ""))
            i += 7
        elif rest.startswith("am/pm"):
            toks.append(("ampm", "AM/PM"))
            i += 5
        elif rest.startswith("a/p"):
            toks.append(("ampm", section[i:i + 3]))
            i += 3
        elif ch in "0#?":
            toks.append(("digit", ch))
            i += 1
        elif ch == ".":
            toks.append(("point", "."))
            i += 1
        elif ch == ",":
            toks.append(("comma", ","))
            i += 1
        elif ch == "%":
            toks.append(("percent", "%"))
            i += 1
        elif ch == "@":
            toks.append(("at", "@"))
            i += 1
        elif low[i] == "e" and i + 1 < len(section) and section[i + 1] in "+-":
            toks.append(("exp", section[i:i + 2]))
            i += 2
        elif low[i] in "dmyhs":
            j = i
            while j < len(section) and low[j] == low[i]:
                j += 1
            toks.append((low[i], low[i:j]))
            i = j
        elif ch in _LITERAL or ch in _PLAIN_LETTERS:
            toks.append(("lit", ch))
            i += 1
        else:
            _refuse(fmt, f"tegnet '{ch}'", f"the character '{ch}'")
    return toks, cond


def format_value(value: object, fmt: str, date1904: bool) -> str:
    """TEXT(value; fmt) for a float, str or bool value (blank as 0); raises ValueErrorText
    where Excel gives #VALUE!."""
    sections = _split_sections(fmt)
    if len(sections) > 4:
        _refuse(fmt, "mere end fire afsnit", "more than four sections")
    parsed = [_tokens(s, fmt) for s in sections]
    text_section = None
    has_at = [any(k == "at" for k, _ in toks) for toks, _ in parsed]
    if len(parsed) in (2, 3) and has_at[-1] and not any(has_at[:-1]):
        text_section = parsed.pop()[0]      # 'w;x;z@': the last section, with @, is for text
    elif any(has_at[:3]) and len(parsed) > 1:
        _refuse(fmt, "@ uden for tekstafsnittet", "@ outside the text section")
    if isinstance(value, (bool, str)):
        text = ("TRUE" if value else "FALSE") if isinstance(value, bool) else value
        if len(parsed) == 4 or text_section is not None:
            toks = parsed[3][0] if text_section is None else text_section
        elif any(k == "at" for k, _ in parsed[0][0]) and len(parsed) == 1:
            toks = parsed[0][0]
        else:
            return text
        if any(k not in ("lit", "at") for k, _ in toks):
            _refuse(fmt, "tal- eller datokoder i tekstafsnittet", "number or date codes in the text section")
        return "".join(text if k == "at" else t for k, t in toks)
    x = float(value)
    conds = [c for _, c in parsed if c is not None]
    if conds:
        if len(parsed) != 1:
            _refuse(fmt, "betingelser i flere afsnit", "conditions in several sections")
        op, limit = conds[0]
        hit = {"<": x < limit, ">": x > limit, "=": x == limit, "<=": x <= limit, ">=": x >= limit,
               "<>": x != limit}[op]
        if not hit:
            return _general(abs(x), fmt, "-" if x < 0 else "")
        return _section(parsed[0][0], abs(x), "-" if x < 0 else "", fmt, date1904)
    if x < 0 and len(parsed) >= 2:
        toks = parsed[1][0]
        if not toks:
            return ""
        return _section(toks, -x, "", fmt, date1904)
    if x == 0 and len(parsed) >= 3:
        toks = parsed[2][0]
        return _section(toks, 0.0, "", fmt, date1904) if toks else ""
    toks = parsed[0][0]
    if not toks:
        return "-" if x < 0 and len(parsed) == 1 else ""
    return _section(toks, abs(x), "-" if x < 0 else "", fmt, date1904)


def _section(toks, x: float, sign: str, fmt: str, date1904: bool) -> str:
    kinds = {k for k, _ in toks}
    if "locale" in kinds:
        if kinds & {"d", "m", "y", "h", "s", "ampm", "elapsed", "general"}:
            _refuse(fmt, "en anden sprogkode end engelsk ([$-...]) med datoer", "a language tag other than English with dates")
        toks = [t for t in toks if t[0] != "locale"]
        kinds.discard("locale")
    if "at" in kinds:
        _refuse(fmt, "@ i et talafsnit", "@ in a number section")
    if "general" in kinds:
        if len(toks) != 1:
            _refuse(fmt, "General sammen med andre koder", "General with other codes")
        return _general(x, fmt, sign)
    if kinds & {"d", "m", "y", "h", "s", "ampm", "elapsed"}:
        if kinds & {"percent", "exp"}:
            _refuse(fmt, "dato- og talkoder blandet", "date and number codes mixed")
        # in a date a comma is text, and so is a point that does not start fractions of a second
        toks = [("lit", ",") if k == "comma" else ("lit", ".") if k == "point" and not (
                    i and toks[i - 1][0] in ("s", "elapsed") and i + 1 < len(toks) and toks[i + 1] == ("digit", "0"))
                else (k, t) for i, (k, t) in enumerate(toks)]
        kinds = {k for k, _ in toks}
        # a negative duration in one elapsed unit ([h]) shows with a minus; with more units
        # Excel 365 gives #VALUE! where Excel 2008 wrote -2:03:04: refused; a negative date or
        # time of day without elapsed units is #VALUE! (Excel 16 in 084_pycel__text.xlsx)
        if sign and "elapsed" not in kinds and not date1904:
            raise ValueErrorText
        if sign and not (kinds <= {"elapsed", "lit"} and sum(k == "elapsed" for k, _ in toks) == 1):
            _refuse(fmt, "en negativ dato eller tid", "a negative date or time")
        return sign + _datetime(toks, x, fmt, date1904)
    return sign + _number(toks, x, fmt)


# ---- General --------------------------------------------------------------------------------

def _d15(x: float) -> Decimal:
    return Decimal(format(x, ".15g"))


def _general(a: float, fmt: str, sign: str) -> str:
    """Excel's General in TEXT: 11 characters for the digits, then scientific notation."""
    if a == 0:
        return "0"
    d = _d15(a)
    if a >= 1:
        n_int = len(str(int(d)))
        if n_int <= 11:
            places = max(0, 10 - n_int)
            q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            if len(str(int(q))) <= 11:
                return sign + _plain(q)
        return sign + _scientific(d)
    if a < 1e-9:
        return sign + _scientific(d)
    q = d.quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    if a >= 1e-4 or q == d:
        if q != 0:
            return sign + _plain(q)
    _refuse(fmt, "General for et meget lille tal", "General for a very small number")
    return ""


def _plain(q: Decimal) -> str:
    s = format(q, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _scientific(d: Decimal) -> str:
    exp = d.adjusted()
    mant = (d.scaleb(-exp)).quantize(Decimal("1e-5"), rounding=ROUND_HALF_UP)
    if mant >= 10:
        exp += 1
        mant = (d.scaleb(-exp)).quantize(Decimal("1e-5"), rounding=ROUND_HALF_UP)
    return f"{_plain(mant)}E{'+' if exp >= 0 else '-'}{abs(exp):02d}"


# ---- numbers --------------------------------------------------------------------------------

def _number(toks, x: float, fmt: str) -> str:
    if any(k in ("d", "m", "y", "h", "s") for k, _ in toks):
        _refuse(fmt, "dato- og talkoder blandet", "date and number codes mixed")
    if all(k == "lit" for k, _ in toks):
        return "".join(t for _, t in toks)      # no digit placeholders: only the text ('w;x;z')
    if any(k == "lit" and "/" in t for k, t in toks):
        return _fraction(toks, x, fmt)
    exp_at = next((i for i, (k, _) in enumerate(toks) if k == "exp"), None)
    if exp_at is not None:
        # in scientific notation % is printed but does not scale; a comma after the
        # exponent does nothing
        toks = [("lit", "%") if k == "percent" else (k, t) for k, t in toks]
        toks = toks[:exp_at + 1] + [(k, t) for k, t in toks[exp_at + 1:] if k != "comma"]
    main = toks if exp_at is None else toks[:exp_at]
    point = next((i for i, (k, _) in enumerate(main) if k == "point"), None)
    int_toks = main if point is None else main[:point]
    frac_toks = [] if point is None else main[point + 1:]
    frac_scale = 0
    while frac_toks and frac_toks[-1][0] == "comma" and exp_at is None:   # 0.0, : thousands too
        frac_toks = frac_toks[:-1]
        frac_scale += 1
    if exp_at is None:      # '#.###.#.#': later points are text between decimals; a comma there
        # vanishes after a digit and is text after text ('#.###,x,##' -> .456x,79)
        frac_toks = [("lit", t if k == "point" else ",") if k in ("point", "comma") else (k, t)
                     for i, (k, t) in enumerate(frac_toks)
                     if not (k == "comma" and (i == 0 or frac_toks[i - 1][0] == "digit"))]
    if any(k == "point" for k, _ in frac_toks) or any(k == "comma" for k, _ in frac_toks):
        _refuse(fmt, "flere decimaltegn eller komma i decimalerne", "several points or a comma in the decimals")
    digit_pos = [i for i, (k, _) in enumerate(int_toks) if k == "digit"]
    # commas: between integer digits = thousands; right after the last digit = / 1000 each
    grouping, scale = False, 0
    int_toks = [("lit", ",") if k == "comma" and (not digit_pos or i < digit_pos[0]) else (k, t)
                for i, (k, t) in enumerate(int_toks)]      # a comma before the digits is printed
    for i, (k, _) in enumerate(int_toks):
        if k != "comma":
            continue
        if digit_pos and digit_pos[0] < i < digit_pos[-1]:
            grouping = True
        elif digit_pos and i > digit_pos[-1] and all(kk == "comma" for kk, _ in int_toks[digit_pos[-1] + 1:i]):
            scale += 1
        else:
            _refuse(fmt, "et komma uden for cifrene", "a comma outside the digits")
    scale += frac_scale
    if exp_at is not None:
        scale = 0
    if scale and point is not None and any(k != "comma" for k, _ in int_toks[digit_pos[-1] + 1:]):
        _refuse(fmt, "skaleringskomma før tekst", "a scaling comma before text")
    pct = sum(1 for k, _ in toks if k == "percent")
    v = _d15(x) * (Decimal(100) ** pct) / (Decimal(1000) ** scale)
    frac_digits = [t for k, t in frac_toks if k == "digit"]
    int_digits = [t for k, t in int_toks if k == "digit"]
    exp_text = ""
    if exp_at is not None:
        k = len(int_digits)
        exp_toks = toks[exp_at + 1:]
        kinds = "".join("d" if kk == "digit" else "l" if kk == "lit" else "x" for kk, _ in exp_toks)
        exp_digits = [t for kk, t in exp_toks if kk == "digit"]
        if not re.fullmatch(r"l*d+l*", kinds) or k == 0 or len(set(exp_digits)) != 1:
            _refuse(fmt, "en usædvanlig eksponent", "an unusual exponent")
        if v == 0:
            e = 0
            int_toks = [(kk, "0" if kk == "digit" else t) for kk, t in int_toks]   # zero: every place shows 0
        else:
            # the exponent is a multiple of the integer places (engineering notation for ##0.0E+0)
            e = (v.adjusted() // k) * k
            places = Decimal(1).scaleb(-len(frac_digits))
            mant = v.scaleb(-e).quantize(places, rounding=ROUND_HALF_UP)
            if mant >= Decimal(10) ** k:
                e += k
                mant = v.scaleb(-e).quantize(places, rounding=ROUND_HALF_UP)
            v = mant
        sign = "-" if e < 0 else ("+" if toks[exp_at][1][1] == "+" else "")
        lead = "".join(t for k, t in exp_toks[:kinds.index("d")])
        tail = "".join(t for k, t in exp_toks[kinds.index("d") + len(exp_digits):])
        width = len(exp_digits) if exp_digits[0] in "0?" else 1
        digits = str(abs(e)).rjust(width, "0" if exp_digits[0] == "0" else " ")
        exp_text = toks[exp_at][1][0] + lead + sign + digits + tail
    q = v.quantize(Decimal(1).scaleb(-len(frac_digits)), rounding=ROUND_HALF_UP)
    s = format(q, "f")
    int_str, _, frac_str = s.partition(".")
    int_str = int_str.lstrip("-")
    if int_str == "0":
        int_str = ""
    out_int = _fill_int(int_toks, int_str, grouping, fmt)
    out_frac = _fill_frac(frac_toks, frac_str)
    text = out_int + ("." if point is not None else "") + out_frac + exp_text
    return text


def _fill_int(toks, digits: str, grouping: bool, fmt: str) -> str:
    places = [t for k, t in toks if k == "digit"]
    # placeholders take digits from the right; the leftmost takes any extra digits
    need = len(places)
    padded = digits.rjust(need, "\0") if len(digits) < need else digits
    extra = len(padded) - need
    chars: list[str] = []
    for n, p in enumerate(places):
        chunk = padded[: extra + 1] if n == 0 else padded[extra + n]
        out = []
        for ch in chunk:
            if ch != "\0":
                out.append(ch)
            elif p == "0":
                out.append("0")
            elif p == "?":
                out.append(" ")
        chars.append("".join(out))
    if grouping:
        kinds = [k for k, _ in toks]
        first, last = kinds.index("digit"), len(kinds) - 1 - kinds[::-1].index("digit")
        if any(k == "lit" for k in kinds[first:last]):
            _refuse(fmt, "tusindtalsskilletegn sammen med tekst i tallet", "a thousands separator with text in the number")
        before = "".join(t for k, t in toks[:first] if k == "lit")
        after = "".join(t if k == "lit" else "%" if k == "percent" else "" for k, t in toks[last + 1:])
        cells = [ch for ch in padded[:extra]] + [chars[n][-1:] if n == 0 else chars[n] for n in range(need)] \
            if need else list(digits)
        cells = [("" if ch == "\0" else ch) for ch in cells]
        out_g: list[str] = []
        for pos, ch in enumerate(reversed(cells)):
            if pos and pos % 3 == 0:
                out_g.append("," if ch.isdigit() else " " if ch == " " else "")
            out_g.append(ch)
        return before + "".join(reversed(out_g)) + after
    if need == 0 and digits:
        chars = [digits]
        toks = list(toks) + [("digit", "#")]
    return _place(toks, chars)


def _place(toks, chars) -> str:
    """The format's tokens with ``chars`` put in its digit places, in order."""
    out, n = [], 0
    for k, t in toks:
        if k == "digit":
            out.append(chars[n])
            n += 1
        elif k == "lit":
            out.append(t)
        elif k == "percent":
            out.append("%")
    return "".join(out)


def _fill_frac(toks, digits: str) -> str:
    places = [t for k, t in toks if k == "digit"]
    shown = list(digits)
    last = max((i for i, ch in enumerate(shown) if ch != "0"), default=-1)
    for i in range(last + 1, len(places)):      # beyond the last significant digit: '#' drops
        shown[i] = "0" if places[i] == "0" else " " if places[i] == "?" else ""   # '?' blanks
    return _place(toks, shown)


# ---- fractions ------------------------------------------------------------------------------

def _fraction(toks, x: float, fmt: str) -> str:
    """# ?/? style formats: [integer part][separator]numerator/denominator; without an
    integer part the fraction is improper (15/4)."""
    from fractions import Fraction
    if any(k not in ("digit", "lit") for k, _ in toks):
        _refuse(fmt, "en brøk med andre koder", "a fraction with other codes")
    slash = next(i for i, (k, t) in enumerate(toks) if k == "lit" and "/" in t)
    n_end = max((i for i in range(slash) if toks[i][0] == "digit"), default=None)
    d_start = next((i for i in range(slash + 1, len(toks)) if toks[i][0] == "digit"), None)
    if n_end is None or d_start is None:
        _refuse(fmt, "en brøk uden tæller eller nævner", "a fraction without numerator or denominator")
    n_start = n_end
    while n_start > 0 and toks[n_start - 1][0] == "digit":
        n_start -= 1
    d_end = d_start
    while d_end + 1 < len(toks) and toks[d_end + 1][0] == "digit":
        d_end += 1
    if any(k == "digit" or "/" in t for k, t in toks[d_end + 1:]) or any("/" in t for _, t in toks[:slash]):
        _refuse(fmt, "en usædvanlig brøk", "an unusual fraction")
    head, num_p = toks[:n_start], [t for _, t in toks[n_start:n_end + 1]]
    lits, den_p = "".join(t for _, t in toks[n_end + 1:d_start]), [t for _, t in toks[d_start:d_end + 1]]
    tail = "".join(t for _, t in toks[d_end + 1:])
    if "?" in den_p and len(den_p) > 1:
        _refuse(fmt, "en nævner med flere ?", "a denominator with several ?")
    last_int = max((i for i, (k, _) in enumerate(head) if k == "digit"), default=None)
    int_toks = head if last_int is None else head[:last_int + 1]
    sep = "" if last_int is None else "".join(t for _, t in head[last_int + 1:])
    int_p = [t for k, t in int_toks if k == "digit"]
    limit = 10 ** len(den_p) - 1
    v = Fraction(_d15(x))
    whole = int(v) if int_p else 0
    f = (v - whole).limit_denominator(limit)
    if f == 1 and int_p:
        whole, f = whole + 1, Fraction(0)
    num, den = f.numerator, f.denominator

    def fill(places, digits: str, right: bool = True) -> str:
        pad = len(places) - len(digits)
        if pad <= 0:
            return digits
        blanks = "".join("0" if p == "0" else " " if p == "?" else "" for p in places[:pad])
        return blanks + digits if right else digits + blanks[::-1]

    def frac_text() -> str:
        d = str(den) if "0" not in den_p else str(den).rjust(len(den_p), "0")
        return fill(num_p, str(num)) + lits + (d if "0" in den_p else fill(den_p, d, right=False))

    width = len(sep) + len(num_p) + len(lits) + len(den_p)
    question = "?" in int_p or "?" in num_p
    if last_int is None:                                      # improper: always the fraction
        return "".join(t for _, t in int_toks) + frac_text() + tail
    if num == 0:
        if "0" in num_p:                                      # 0 in the numerator: 1 0/1
            if whole == 0 and "0" not in int_p and "?" not in int_p:
                return _fill_int([t for t in int_toks if t[0] == "lit"], "", False, fmt) + frac_text() + tail
            return _fill_int(int_toks, str(whole), False, fmt) + sep + frac_text() + tail
        pad = " " * width if (question or "?" in den_p) else ""
        return _fill_int(int_toks, str(whole) if whole else "0", False, fmt) + pad + tail
    if whole == 0:
        if "0" in int_p:
            return _fill_int(int_toks, "0", False, fmt) + sep + frac_text() + tail
        return _fill_int(int_toks, "", False, fmt) + (" " * len(sep) if question else "") + frac_text() + tail
    return _fill_int(int_toks, str(whole), False, fmt) + sep + frac_text() + tail
