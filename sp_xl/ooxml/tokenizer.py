"""openpyxl's Excel formula tokenizer, without importing the whole of openpyxl.

``import openpyxl.formula.tokenizer`` first runs ``openpyxl/__init__``, which loads the
workbook, styles, charts and writer modules: 0.12-0.23 s of every `sp-xl refresh`, for a
tokenizer that needs nothing but ``re``. So we load that one file from the installed
openpyxl under a private module name. If openpyxl is already imported (tests, the master
builder), its own module is used, so there is only ever one Token class in play.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PRIVATE_NAME = "sp_xl._openpyxl_formula_tokenizer"


def _load():
    loaded = sys.modules.get("openpyxl.formula.tokenizer") or sys.modules.get(_PRIVATE_NAME)
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec("openpyxl")      # finds the package without running it
    folders = list(spec.submodule_search_locations or ()) if spec else []
    source = next((Path(f) / "formula" / "tokenizer.py" for f in folders
                   if (Path(f) / "formula" / "tokenizer.py").is_file()), None)
    if source is None:                                # unusual install (zip, frozen): the normal way
        import openpyxl.formula.tokenizer as module
        return module
    file_spec = importlib.util.spec_from_file_location(_PRIVATE_NAME, source)
    module = importlib.util.module_from_spec(file_spec)
    sys.modules[_PRIVATE_NAME] = module
    try:
        file_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_PRIVATE_NAME]
        raise
    return module


_module = _load()
Token = _module.Token
Tokenizer = _module.Tokenizer
TokenizerError = _module.TokenizerError

__all__ = ["Token", "Tokenizer", "TokenizerError"]
