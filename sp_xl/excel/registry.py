"""The function registry: one source of truth for every SP_ worksheet function.

Each SP_ function in ``sp_xl.udfs`` is declared with ``@udf``. Its docstring *is* its help:
the Danish part (summary, details, ``Argumenter:``) and, after a line ``English:``, the same
in English (``Arguments:``). The registry parses that once; Excel's Insert Function dialog,
the VBA wrappers in the add-in, ``sp-xl functions``, the README reference and the share
export all read it from here.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sp_xl import i18n
from sp_xl.errors import NUM, VALUE, ExcelError, SpError
from sp_xl.excel import wire

CATEGORY = "SP Rapport"
# Excel's Insert Function dialog truncates descriptions at 255 characters.
EXCEL_HELP_MAX = 255

_SECTION = re.compile(r"^(Argumenter|Arguments):\s*$")
_ENGLISH = re.compile(r"\n[ \t]*English:[ \t]*\n")
_ARG_LINE = re.compile(r"^\s{4}(\w+):\s*(.*)$")

# The Danish name Excel shows for each argument (Insert Function, the function tooltip, the
# VBA wrapper's parameters). ASCII only: a VBA identifier in the add-in's project. The Python
# keyword names stay what they are (a public surface of sp_xl.udfs); one Python name has one
# Danish name across all functions. A new argument name must be added here.
DANISH_ARG_NAMES = {
    "actual": "faktisk",
    "answered": "besvaret",
    "as_pct": "som_pct",
    "ascending": "stigende",
    "base": "grundlag",
    "closed": "lukkede",
    "created": "oprettede",
    "end": "slut",
    "labels": "etiketter",
    "lower_is_better": "lavere_er_bedre",
    "n": "antal",
    "opening": "primo",
    "part": "del",
    "per": "per",
    "periods_ahead": "perioder_frem",
    "sent": "sendt",
    "series": "serie",
    "significant": "cifre",
    "start": "start",
    "target": "maal",
    "values": "vaerdier",
    "what": "hvad",
    "whole": "helhed",
    "window": "vindue",
    "x": "tal",
    "yellow_from": "gul_fra",
}
_DANISH_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ArgSpec:
    name: str
    help_da: str
    help_en: str
    optional: bool
    default: Any = None
    name_da: str = ""  # the name Excel shows (DANISH_ARG_NAMES); "" only for specs made by hand

    @property
    def help(self) -> str:
        return i18n.pick(self.help_da, self.help_en)

    @property
    def excel_name(self) -> str:
        """The argument's name in Excel: Danish, ASCII (the Python name if none is set)."""
        return self.name_da or self.name


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    summary_da: str
    summary_en: str
    details_da: str
    details_en: str
    args: tuple[ArgSpec, ...]
    func: Callable[..., Any] = field(repr=False, compare=False)
    category: str = CATEGORY

    @property
    def summary(self) -> str:
        return i18n.pick(self.summary_da, self.summary_en)

    @property
    def details(self) -> str:
        return i18n.pick(self.details_da, self.details_en)

    @property
    def signature(self) -> str:
        """The call as Excel shows it (Danish Excel separates arguments with ';')."""
        parts = [f"[{a.name}]" if a.optional else a.name for a in self.args]
        return f"{self.name}({'; '.join(parts)})"

    @property
    def excel_signature(self) -> str:
        """The call with the Danish argument names Excel's Insert Function shows."""
        parts = [f"[{a.excel_name}]" if a.optional else a.excel_name for a in self.args]
        return f"{self.name}({'; '.join(parts)})"

    def __call__(self, *args: Any) -> Any:
        return self.func(*args)


REGISTRY: dict[str, FunctionSpec] = {}


def _parse_half(text: str, who: str) -> tuple[str, str, dict[str, str]]:
    """Summary, details and per-argument help from one language's part of a docstring."""
    lines = inspect.cleandoc(text).splitlines()
    body: list[str] = []
    args: dict[str, str] = {}
    current: str | None = None
    in_args = False
    for line in lines:
        if _SECTION.match(line):
            in_args = True
            continue
        if in_args:
            m = _ARG_LINE.match(line)
            if m:
                current = m.group(1)
                args[current] = m.group(2).strip()
            elif line.strip() and current:
                args[current] += " " + line.strip()
            elif line.strip():
                raise ValueError(f"{who}: text in the argument section outside an argument: {line!r}")
        else:
            body.append(line)
    paragraphs = [p.replace("\n", " ").strip() for p in "\n".join(body).split("\n\n") if p.strip()]
    if not paragraphs:
        raise ValueError(f"{who}: docstring has no summary")
    return paragraphs[0], "\n\n".join(paragraphs[1:]), args


def spec_from_function(func: Callable[..., Any]) -> FunctionSpec:
    """Parse a UDF's docstring into its FunctionSpec, checking it against the signature."""
    name = func.__name__
    doc = func.__doc__ or ""
    halves = _ENGLISH.split(doc, maxsplit=1)
    if len(halves) != 2:
        raise ValueError(f"{name}: docstring needs a Danish part and an 'English:' part")
    da_text, en_text = halves
    sum_da, det_da, args_da = _parse_half(da_text, name)
    sum_en, det_en, args_en = _parse_half(en_text, name)
    params = list(inspect.signature(func).parameters.values())
    names = [p.name for p in params]
    for lang, documented in (("Danish", args_da), ("English", args_en)):
        if list(documented) != names:
            raise ValueError(f"{name}: {lang} argument help {list(documented)} != signature {names}")
    for summary in (sum_da, sum_en):
        if len(summary) > EXCEL_HELP_MAX:
            raise ValueError(f"{name}: summary longer than Excel's {EXCEL_HELP_MAX} characters")
    for p in params:
        da = DANISH_ARG_NAMES.get(p.name)
        if da is None or not _DANISH_NAME.match(da):
            raise ValueError(f"{name}: argument {p.name!r} has no Danish ASCII name in "
                             "sp_xl.excel.registry.DANISH_ARG_NAMES (Excel shows that name)")
    args = tuple(
        ArgSpec(
            name=p.name,
            name_da=DANISH_ARG_NAMES[p.name],
            help_da=args_da[p.name],
            help_en=args_en[p.name],
            optional=p.default is not inspect.Parameter.empty,
            default=None if p.default is inspect.Parameter.empty else p.default,
        )
        for p in params
    )
    return FunctionSpec(name, sum_da, sum_en, det_da, det_en, args, func)


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """No exception ever leaves a worksheet function: it becomes an Excel error value."""

    @functools.wraps(func)
    def call(*args: Any) -> Any:
        try:
            with np.errstate(all="ignore"):  # overflow becomes #NUM! below, not a warning
                result = func(*args)
        except SpError as exc:
            return exc.error
        except Exception as exc:  # noqa: BLE001 - the cell must show an error, not a traceback
            return ExcelError(
                VALUE,
                f"Uventet fejl i {func.__name__}: {type(exc).__name__}. Kontakt sp_xl-teamet.",
                f"Unexpected error in {func.__name__}: {type(exc).__name__}. Contact the sp_xl team.",
            )
        if isinstance(result, float) and not math.isfinite(result):
            return ExcelError(NUM, "Resultatet er for stort til at blive vist som et tal.",
                              "The result is too large to show as a number.")
        return result

    return call


def declare_to_xlwings(func: Callable[..., Any], spec: FunctionSpec) -> Callable[..., Any]:
    """Put xlwings' UDF declarations on a function (real on Windows, no-ops elsewhere).

    Every argument is taken as a 2-D range (``ndim=2``) so that a column stays a column and
    the result can spill in the same shape, and with ``err_to_str`` so that an error in an
    input cell arrives as its code instead of as a blank. Results go through the wire
    converter, which encodes error values for the VBA wrapper to turn into CVErr.
    """
    import xlwings as xw

    decorated = xw.func(category=CATEGORY)(func)
    for a in spec.args:
        decorated = xw.arg(a.name, ndim=2, err_to_str=True, doc=a.help_da)(decorated)
    return xw.ret(wire.converter())(decorated)


def udf(func: Callable[..., Any]) -> Callable[..., Any]:
    """Declare an SP_ worksheet function: register its help, guard it, expose it to xlwings.

    xlwings' decorators only do something on Windows, where Excel calls the functions; on
    other systems importing xlwings (and through it pandas) would only slow every command
    down, so it is skipped there.
    """
    spec = spec_from_function(func)
    if spec.name in REGISTRY:
        raise ValueError(f"{spec.name} is declared twice")
    decorated = _guarded(func)
    if sys.platform == "win32":
        decorated = declare_to_xlwings(decorated, spec)
    REGISTRY[spec.name] = FunctionSpec(
        spec.name, spec.summary_da, spec.summary_en, spec.details_da, spec.details_en,
        spec.args, decorated,
    )
    return decorated
