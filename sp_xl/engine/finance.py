"""The annuity functions (PV, FV, PMT, NPER, IPMT, PPMT), RATE, NPV, IRR and VDB's limits, as
Excel documents them (support.microsoft.com, "PV function" and its siblings).

CUMIPMT and CUMPRINC are sums of IPMT and PPMT.

Why not the ``formulas`` package (numpy-financial) for these: its NPER with rate 0 takes
the sign of pv + fv wrongly, IPMT/PPMT accept a period after the last one, NPV counts
numeric text inside a reference, IRR and RATE return a root even where Excel's iteration
from its guess may find another (cash flows changing sign more than once) or none, and VDB
lets the end period pass the life; its CUMIPMT leaves out
the positive interest payments. Found by benchmarks/fuzz_vs_libreoffice.py.

All of them rest on Excel's annuity equation
    pv*(1+rate)^nper + pmt*(1+rate*type)*((1+rate)^nper-1)/rate + fv = 0
(pmt*nper + pv + fv = 0 for rate 0). A payment type other than 0 or 1, a rate at or below
-1 and a non-whole period are refused: Excel documents only 0/1 and whole periods.
"""

from __future__ import annotations

import math

from formulas.tokens.operand import XlError

from sp_xl.engine.excelstats import DELEGATE, _numbers, _refuse, _scalar
from sp_xl.engine.refs import RefVal
from sp_xl.engine.values import E_NUM, to_number


def _args(name: str, vals: list, defaults: list):
    """The arguments as floats (missing ones from defaults), or the first error."""
    out = []
    for i, d in enumerate(defaults):
        v = vals[i] if i < len(vals) and vals[i] is not None else d
        x = to_number(v)
        if isinstance(x, XlError):
            return x
        if math.isnan(x) or math.isinf(x):
            return E_NUM
        out.append(x)
    return out


def _checked(name: str, rate: float, typ: float) -> int:
    if typ not in (0.0, 1.0):
        _refuse(name, "en betalingstype ud over 0 og 1", "a payment type other than 0 or 1")
    if rate <= -1.0:
        _refuse(name, "en rente på -100 % eller derunder", "a rate of -100 % or less")
    return int(typ)


def _growth(rate: float, nper: float) -> float:
    g = (1.0 + rate) ** nper
    if isinstance(g, complex) or math.isinf(g):
        raise OverflowError
    return g


def _fv(rate, nper, pmt, pv, typ):
    if rate == 0.0:
        return -(pv + pmt * nper)
    g = _growth(rate, nper)
    return -(pv * g + pmt * (1.0 + rate * typ) * (g - 1.0) / rate)


def _pmt(rate, nper, pv, fv, typ):
    if rate == 0.0:
        return -(pv + fv) / nper
    g = _growth(rate, nper)
    return -(fv + pv * g) * rate / ((1.0 + rate * typ) * (g - 1.0))


def _guarded(fn):
    def call(*vals):
        try:
            res = fn(*vals)
        except (OverflowError, ZeroDivisionError, ValueError):
            return E_NUM
        if type(res) is float and (math.isnan(res) or math.isinf(res)):
            return E_NUM
        return res
    return call


@_guarded
def _pv_fn(*vals):
    a = _args("PV", vals, [None, None, None, 0.0, 0.0])
    if isinstance(a, XlError):
        return a
    rate, nper, pmt, fv, typ = a
    typ = _checked("PV", rate, typ)
    if rate == 0.0:
        return -(fv + pmt * nper)
    g = _growth(rate, nper)
    return -(fv + pmt * (1.0 + rate * typ) * (g - 1.0) / rate) / g


@_guarded
def _fv_fn(*vals):
    a = _args("FV", vals, [None, None, None, 0.0, 0.0])
    if isinstance(a, XlError):
        return a
    rate, nper, pmt, pv, typ = a
    return _fv(rate, nper, pmt, pv, _checked("FV", rate, typ))


@_guarded
def _pmt_fn(*vals):
    a = _args("PMT", vals, [None, None, None, 0.0, 0.0])
    if isinstance(a, XlError):
        return a
    rate, nper, pv, fv, typ = a
    typ = _checked("PMT", rate, typ)
    if nper == 0.0:
        _refuse("PMT", "nul perioder", "zero periods")
    return _pmt(rate, nper, pv, fv, typ)


@_guarded
def _nper_fn(*vals):
    a = _args("NPER", vals, [None, None, None, 0.0, 0.0])
    if isinstance(a, XlError):
        return a
    rate, pmt, pv, fv, typ = a
    typ = _checked("NPER", rate, typ)
    if rate == 0.0:
        if pmt == 0.0:
            return E_NUM
        return -(pv + fv) / pmt
    k = pmt * (1.0 + rate * typ)
    num, den = k - fv * rate, k + pv * rate
    if den == 0.0 or num / den <= 0.0:
        return E_NUM
    return math.log(num / den) / math.log(1.0 + rate)


def _interest(name: str, vals) -> object:
    a = _args(name, vals, [None, None, None, None, 0.0, 0.0])
    if isinstance(a, XlError):
        return a
    rate, per, nper, pv, fv, typ = a
    typ = _checked(name, rate, typ)
    if per != int(per) or nper != int(nper):
        _refuse(name, "en periode eller et antal perioder, der ikke er et helt tal",
                "a period or number of periods that is not whole")
    if per < 1 or per > nper:
        return E_NUM
    pmt = _pmt(rate, nper, pv, fv, typ)
    if per == 1:
        ipmt = 0.0 if typ else -pv * rate
    elif typ:
        ipmt = (_fv(rate, per - 2, pmt, pv, 1) - pmt) * rate
    else:
        ipmt = _fv(rate, per - 1, pmt, pv, 0) * rate
    return ipmt if name == "IPMT" else pmt - ipmt


@_guarded
def _ipmt_fn(*vals):
    return _interest("IPMT", vals)


@_guarded
def _ppmt_fn(*vals):
    return _interest("PPMT", vals)


def _cumulative(name: str):
    """CUMIPMT / CUMPRINC(rate; nper; pv; start; end; type): the sum of IPMT (PPMT) over the
    periods; nper, start, end and type truncated; #NUM! for the documented bad arguments."""
    part = "IPMT" if name == "CUMIPMT" else "PPMT"

    @_guarded
    def fn(*vals):
        a = _args(name, vals, [None] * 6)
        if isinstance(a, XlError):
            return a
        rate, nper, pv, start, end, typ = a
        nper, start, end, typ = (math.trunc(v) for v in (nper, start, end, typ))
        if rate <= 0 or nper <= 0 or pv <= 0 or start < 1 or end < 1 or start > end or end > nper \
                or typ not in (0, 1):
            return E_NUM
        return math.fsum(_interest(part, [rate, float(p), float(nper), pv, 0.0, float(typ)])
                         for p in range(start, end + 1))
    return fn


def _sign_changes(flows: list[float]) -> int:
    signs = [f > 0 for f in flows if f != 0.0]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def _settle(f, df, guess: float) -> float | None:
    """Newton's method from Excel's guess: the root, polished to full precision, if the steps
    fall below 0.0000001 within Excel's 20 iterations (support.microsoft.com: RATE, IRR)."""
    x = guess
    settled = False
    for i in range(40):
        d = df(x)
        if d == 0.0 or not math.isfinite(d):
            return None
        step = f(x) / d
        x -= step
        if not math.isfinite(x):
            return None
        if i < 20 and abs(step) < 1e-7:
            settled = True
        if settled and abs(step) < 1e-12 * max(1.0, abs(x)):
            return x
        if i >= 20 and not settled:
            return None
    return None


def _root(name: str, guess: float, *forms) -> float:
    """The rate where Newton's method on each form of the equation settles on the same root
    above -1; refused otherwise (Excel's own iteration may then end elsewhere or in #NUM!)."""
    roots = []
    for f, df in forms:
        try:
            roots.append(_settle(f, df, guess))
        except (OverflowError, ZeroDivisionError):
            roots.append(None)
    x = roots[0]
    if x is None or x <= -1.0 or any(y is None or not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
                                     for y in roots[1:]):
        _refuse(name, "en beregning, der ikke entydigt finder én rente inden for Excels 20 skridt",
                "a calculation that does not clearly find one rate within Excel's 20 steps")
    return x


def _numeric_slope(f):
    def df(x):
        h = 1e-7 * max(1.0, abs(x))
        return (f(x + h) - f(x - h)) / (2.0 * h)
    return df


@_guarded
def _rate_fn(*vals):
    a = _args("RATE", vals, [None, None, None, 0.0, 0.0, 0.1])
    if isinstance(a, XlError):
        return a
    nper, pmt, pv, fv, typ, guess = a
    typ = _checked("RATE", guess, typ)   # a guess at or below -1 is refused like such a rate
    if nper <= 0 or nper != int(nper) or nper > 1200:
        _refuse("RATE", "et antal perioder, der ikke er et helt tal fra 1 til 1200",
                "a number of periods that is not a whole number from 1 to 1200")
    n = int(nper)
    flows = [pv + (pmt if typ else 0.0)] + [pmt] * (n - 1) + [fv + (0.0 if typ else pmt)]
    if _sign_changes(flows) != 1:
        # no sign change: no rate (Excel's #NUM! after its iterations is likely, not certain);
        # more than one: Excel's iteration from the guess may find another root than ours
        _refuse("RATE", "betalinger, der ikke skifter fortegn præcis én gang", "cash flows that do not change sign exactly once")
    f = lambda r: math.fsum(v / (1.0 + r) ** t for t, v in enumerate(flows))  # noqa: E731
    df = lambda r: math.fsum(-t * v / (1.0 + r) ** (t + 1) for t, v in enumerate(flows))  # noqa: E731

    def future(r):   # the equation as Excel documents it, in future values
        if r == 0.0:
            return pv + pmt * nper + fv
        g = (1.0 + r) ** nper
        return pv * g + pmt * (1.0 + r * typ) * (g - 1.0) / r + fv
    return _root("RATE", guess, (f, df), (future, _numeric_slope(future)))


def _npv(book, r, c, rate, *values):
    """NPV(rate; value1; ...): in references only numbers count; typed-in numbers, logicals
    and numeric text count; other typed-in text is refused (Excel's documentation says it
    is ignored, which is not confirmed)."""
    rate = _scalar(book, "NPV", rate)
    if isinstance(rate, XlError):
        return rate
    for v in values:
        if isinstance(v, str) and not isinstance(v, (XlError, RefVal)) and isinstance(to_number(v), XlError):
            _refuse("NPV", "tekst som værdi", "text as a value")
    nums, err = _numbers(book, "NPV", values)
    if err is not None:
        return err
    if rate == -1.0:
        return E_NUM
    return math.fsum(v / (1.0 + rate) ** (i + 1) for i, v in enumerate(nums))


def _irr(book, r, c, values, guess=None):
    """IRR(values; [guess]): only the numbers in the values; refused where the cash flows
    change sign more than once (Excel's iteration may then find another root than ours)."""
    nums, err = _numbers(book, "IRR", [values])
    if err is not None:
        return err
    g = 0.1 if guess is None else _scalar(book, "IRR", guess)
    if isinstance(g, XlError):
        return g
    changes = _sign_changes(nums)
    if changes == 0:
        return E_NUM
    if changes > 1:
        _refuse("IRR", "betalinger, der skifter fortegn mere end én gang", "cash flows that change sign more than once")
    f = lambda x: math.fsum(v / (1.0 + x) ** t for t, v in enumerate(nums))  # noqa: E731
    df = lambda x: math.fsum(-t * v / (1.0 + x) ** (t + 1) for t, v in enumerate(nums))  # noqa: E731
    return _root("IRR", g, (f, df))


def _vdb(*vals):
    """VDB's limits: the clear errors of its documentation are #NUM!; an end period after
    the life, a salvage above the cost or a factor <= 0 are refused (not documented); the
    rest is the ``formulas`` implementation."""
    a = _args("VDB", vals, [None, None, None, None, None, 2.0, 0.0])
    if isinstance(a, XlError):
        return a
    cost, salvage, life, start, end = a[:5]
    if cost < 0 or salvage < 0 or life <= 0 or start < 0 or end < start:
        return E_NUM
    if end > life or salvage > cost or a[5] <= 0:
        _refuse("VDB", "en slutperiode efter levetiden, en restværdi over prisen eller en faktor <= 0",
                "an end period after the life, a salvage above the cost or a factor <= 0")
    return DELEGATE


def _db(*vals):
    """DB's undocumented corners refused (a salvage above the cost makes the rate negative; a
    period or life that is not whole); the rest is the ``formulas`` implementation."""
    a = _args("DB", vals, [None, None, None, None, 12.0])
    if isinstance(a, XlError):
        return a
    cost, salvage, life, period, month = a
    if cost < 0 or salvage < 0 or life <= 0 or period <= 0 or not 1 <= math.trunc(month) <= 12:
        return E_NUM
    if salvage > cost or period != int(period) or life != int(life) or month != int(month) or period > life + 1:
        _refuse("DB", "en restværdi over prisen eller en periode/levetid/måned, der ikke er et helt tal",
                "a salvage above the cost or a period/life/month that is not whole")
    return DELEGATE


def _errors_first(*vals):
    """EFFECT / NOMINAL: an error argument is returned as it is (the ``formulas`` forms turn
    it into #VALUE!); the rest is the ``formulas`` implementation."""
    for v in vals:
        if isinstance(v, XlError):
            return v
    return DELEGATE


def _growth_rate(name: str):
    """RRI / PDURATION(rate-or-periods; pv; fv): a present or future value at or below 0 is
    refused (Excel only says "not valid: #NUM!"; RRI(1;-2;-4) is a real rate); the rest is
    the ``formulas`` implementation."""
    def fn(*vals):
        a = _args(name, vals, [None, None, None])
        if isinstance(a, XlError):
            return a
        if a[1] <= 0 or a[2] <= 0:
            _refuse(name, "en nutids- eller fremtidsværdi på 0 eller derunder", "a present or future value of 0 or less")
        return DELEGATE
    return fn


STRICT = {
    "DB": (_db, 4, 5), "RRI": (_growth_rate("RRI"), 3, 3), "PDURATION": (_growth_rate("PDURATION"), 3, 3), "EFFECT": (_errors_first, 2, 2), "NOMINAL": (_errors_first, 2, 2),
    "PV": (_pv_fn, 3, 5), "FV": (_fv_fn, 3, 5), "PMT": (_pmt_fn, 3, 5), "NPER": (_nper_fn, 3, 5),
    "IPMT": (_ipmt_fn, 4, 6), "PPMT": (_ppmt_fn, 4, 6), "RATE": (_rate_fn, 3, 6), "VDB": (_vdb, 5, 7),
    "CUMIPMT": (_cumulative("CUMIPMT"), 6, 6), "CUMPRINC": (_cumulative("CUMPRINC"), 6, 6),
}
OWN_REF = {"NPV": _npv, "IRR": _irr}
