"""Which Excel functions behave how, for the compiler (engine.compile): the tables that decide
implicit intersection, array arguments, top-left results, references across sheets, the 1904
date system and the functions refused outright."""

from __future__ import annotations

import numpy as np
from formulas.tokens.operand import XlError

from sp_xl.engine.parse import Unsupported
from sp_xl.engine.values import EMPTY, E_NUM

# Functions whose result depends on the 1900/1904 date system; formulas implements 1900 only.
DATE_FUNCTIONS = frozenset({
    "DATE", "DATEVALUE", "DAY", "MONTH", "YEAR", "WEEKDAY", "WEEKNUM", "ISOWEEKNUM", "NETWORKDAYS",
    "NETWORKDAYS.INTL", "WORKDAY", "WORKDAY.INTL", "EDATE", "EOMONTH", "TODAY", "NOW", "DAYS360",
    "YEARFRAC", "DATEDIF", "DAYS",
})
# 1904 workbooks: (positions of date arguments, returns a date) for the date functions that
# are computed on serials moved to the 1900 system; the others in DATE_FUNCTIONS are refused.
DAYS_1900_TO_1904 = 1462
DATES_1904 = {
    "DATE": ((), True), "DAY": ((0,), False), "MONTH": ((0,), False), "YEAR": ((0,), False),
    "WEEKDAY": ((0,), False), "WEEKNUM": ((0,), False), "ISOWEEKNUM": ((0,), False),
    "EDATE": ((0,), True), "EOMONTH": ((0,), True), "DAYS360": ((0, 1), False), "YEARFRAC": ((0, 1), False),
    "DATEDIF": ((0, 1), False), "DAYS": ((0, 1), False), "NETWORKDAYS": ((0, 1, 2), False),
    "NETWORKDAYS.INTL": ((0, 1, 3), False), "WORKDAY": ((0, 2), True), "WORKDAY.INTL": ((0, 3), True),
}


def _shift(v: object, delta: int, result: bool = False) -> object:
    """A serial moved between the date systems; blanks in a list of dates stay blank."""
    if type(v) is float:
        v = v + delta
        return E_NUM if result and v < 0 else v
    if isinstance(v, np.ndarray):
        out = np.empty(v.shape, dtype=object)
        for idx, x in np.ndenumerate(v):
            out[idx] = x if x is EMPTY else _shift(x, delta, result)
        return out
    if v is EMPTY and not result:
        return float(delta)
    if isinstance(v, str) and not isinstance(v, XlError):
        raise Unsupported("En dato skrevet som tekst i en projektmappe med 1904-datosystemet understøttes ikke.",
                          "A date written as text in a workbook using the 1904 date system is not supported.")
    return v


# Functions we refuse: results depend on things outside the cell store or on the moment.
REFUSED = {
    "CELL": ("CELL afhænger af Excels visning; det understøttes ikke.", "CELL depends on Excel's display; not supported."),
    "INFO": ("INFO afhænger af Excels miljø; det understøttes ikke.", "INFO depends on Excel's environment; not supported."),
    "RAND": ("RAND giver tilfældige tal; resultatet kan ikke efterprøves.", "RAND gives random numbers; not reproducible."),
    "RANDBETWEEN": ("RANDBETWEEN giver tilfældige tal; resultatet kan ikke efterprøves.",
                    "RANDBETWEEN gives random numbers; not reproducible."),
    "RANDARRAY": ("RANDARRAY giver tilfældige tal.", "RANDARRAY gives random numbers."),
    "GETPIVOTDATA": ("GETPIVOTDATA læser pivottabeller; det understøttes ikke.", "GETPIVOTDATA reads pivot tables; not supported."),
    "ACCRINT": ("ACCRINT afviger fra Excel i formelmotorens bibliotek (rentedatoerne); det understøttes ikke.",
                "ACCRINT differs from Excel in the engine's library (the coupon dates); not supported."),
    **{name: (f"{name} regnes med en anden præcision end Excels; det understøttes ikke.",
              f"{name} is computed with a precision other than Excel's; not supported.")
       for name in ("BESSELI", "BESSELJ", "BESSELK", "BESSELY")},
    **{name: (f"{name} skriver komplekse tal med Excels egen afrunding; det understøttes ikke.",
              f"{name} writes complex numbers with Excel's own rounding; not supported.")
       for name in ("COMPLEX", "IMARGUMENT", "IMCONJUGATE", "IMCOS", "IMCOSH", "IMCOT", "IMCSC", "IMCSCH", "IMDIV",
                    "IMEXP", "IMLN", "IMLOG10", "IMLOG2", "IMPOWER", "IMPRODUCT", "IMSEC", "IMSECH", "IMSIN",
                    "IMSINH", "IMSQRT", "IMSUB", "IMSUM", "IMTAN")},
    "SINGLE": ("Implicit fællesmængde (@) understøttes ikke.", "Implicit intersection (@) is not supported."),
}


# Functions whose every parameter is a single value: in a normal (not array) formula a range
# given to them is implicitly intersected with the formula's row or column, as for an operator.
SCALAR_PARAMETERS = frozenset({
    "ABS", "ACOS", "ACOSH", "ASIN", "ASINH", "ATAN", "ATAN2", "ATANH", "CEILING", "COS", "COSH", "DEGREES",
    "EVEN", "EXP", "FACT", "FLOOR", "INT", "LN", "LOG", "LOG10", "MOD", "ODD", "POWER", "RADIANS", "ROUND",
    "ROUNDDOWN", "ROUNDUP", "SIGN", "SIN", "SINH", "SQRT", "TAN", "TANH", "TRUNC", "COMBIN", "QUOTIENT",
    "MROUND", "EXACT", "LEFT", "RIGHT", "MID", "LEN", "LOWER", "UPPER", "PROPER", "CHAR", "CODE", "CLEAN",
    "REPT", "FIND", "SEARCH", "SUBSTITUTE", "REPLACE", "TEXT", "VALUE", "FIXED", "DOLLAR", "CONCATENATE",
    "DATE", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "WEEKDAY", "TIME", "DATEVALUE", "TIMEVALUE",
    "ISNUMBER", "ISTEXT", "ISBLANK", "ISERROR", "ISERR", "ISNA", "ISLOGICAL", "ISNONTEXT", "ISEVEN", "ISODD",
    "NOT", "TRIM",
})
# Aggregates that accept a reference across sheets (Sheet1:Sheet3!A1)
THREE_D_FUNCTIONS = frozenset({
    "SUM", "AVERAGE", "AVERAGEA", "COUNT", "COUNTA", "MAX", "MAXA", "MIN", "MINA", "PRODUCT", "STDEV", "STDEV.S",
    "STDEV.P", "STDEVA", "STDEVP", "STDEVPA", "VAR", "VAR.S", "VAR.P", "VARA", "VARP", "VARPA",
})
# Functions that return an array of values (not a reference): in a normal formula the cell
# shows the array's top-left value.
TOP_LEFT_RESULTS = frozenset({
    "COLUMN", "ROW", "TRANSPOSE", "MINVERSE", "MMULT", "LINEST", "LOGEST", "TREND", "GROWTH", "FREQUENCY",
    "MUNIT",
})

# Functions whose arguments Excel evaluates as arrays even in a normal (not Ctrl+Shift+Enter)
# formula: their parameters are of type array, so no implicit intersection inside them.
ARRAY_ARGUMENTS = frozenset({
    "SUMPRODUCT", "MMULT", "TRANSPOSE", "FREQUENCY", "LOOKUP", "INDEX", "MATCH", "TREND", "GROWTH",
    "LINEST", "LOGEST", "CORREL", "PEARSON", "SLOPE", "INTERCEPT", "RSQ", "STEYX", "FORECAST",
    "FORECAST.LINEAR", "COVAR", "COVARIANCE.P", "COVARIANCE.S", "PERCENTILE", "PERCENTILE.INC",
    "PERCENTILE.EXC", "QUARTILE", "QUARTILE.INC", "QUARTILE.EXC", "LARGE", "SMALL", "PERCENTRANK",
    "SUMX2MY2", "SUMX2PY2", "SUMXMY2", "MDETERM", "MINVERSE",
})
