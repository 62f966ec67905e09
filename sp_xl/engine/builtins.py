"""Look up a ``formulas`` built-in by Excel name without importing all of them.

``formulas.get_functions()`` imports every function module; two of them (statistics and the
compatibility aliases) import scipy, which costs 1.5-2 s per run. Most workbooks never call
a statistics function, so we import those modules only when the name might be in them: a
module's source text lists each name it defines as a quoted upper-case string, so the set
of such strings is a superset of its names. The precedence is get_functions()'s: a later
module in ``SUBMODULES`` overrides an earlier one, the package's own FUNCTIONS win last.
tests/engine/test_engine.py checks the lookup against get_functions() for every name.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from pathlib import Path

import formulas.functions as _pkg

_HEAVY = ("stat", "comp")
_QUOTED_NAME = re.compile(r"""['"]([A-Z_][A-Z0-9._]*)['"]""")


@lru_cache(maxsize=None)
def _maybe_names(module: str) -> frozenset[str]:
    source = (Path(_pkg.__file__).parent / f"{module}.py").read_text(encoding="utf-8")
    return frozenset(_QUOTED_NAME.findall(source))


@lru_cache(maxsize=None)
def lookup(name: str):
    """The ``formulas`` implementation for an upper-case Excel name, or None."""
    if name in _pkg.FUNCTIONS:
        return _pkg.FUNCTIONS[name]
    for mod in reversed(_pkg.SUBMODULES):
        short = mod.lstrip(".")
        if short in _HEAVY and name not in _maybe_names(short):
            continue
        funcs = importlib.import_module(mod, _pkg.__name__).FUNCTIONS
        if name in funcs:
            return funcs[name]
    return None
