"""Our generated wrappers against xlwings' own ``generate_vba_wrapper``.

xlwings' generator lives in ``xlwings.udfs``, which imports pywin32 at module level. Its
code path that writes VBA needs none of it, so the Windows modules are stubbed here; the
functions of the real registry are declared with xlwings' own decorators (``xlfunc`` and
``xlarg``, exactly as ``declare_to_xlwings`` does on Windows) and the generator writes
their wrappers for an add-in. Ours must be that text with the deliberate differences named
in ``sp_xl.addin.vba_wrappers``: Danish parameter names, results through ``SpFromWire``,
``SpFailed`` on the error path, the Mac branch.
"""

from __future__ import annotations

import io
import re
import sys
import types

import pytest

from sp_xl.addin import vba_wrappers
from sp_xl.udfs import functions


@pytest.fixture(scope="module")
def xlwings_udfs():
    saved = {}
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client", "win32api"):
        saved[name] = sys.modules.get(name)
        stub = types.ModuleType(name)
        stub.Dispatch = stub.DispatchEx = lambda *a, **k: None
        stub.com_error = type("com_error", (Exception,), {})
        stub.CoInitialize = lambda *a, **k: None
        sys.modules[name] = stub
    sys.modules["win32com"].client = sys.modules["win32com.client"]
    try:
        import importlib

        module = importlib.import_module("xlwings.udfs")
        yield module
    finally:
        sys.modules.pop("xlwings.udfs", None)
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


def _xlwings_text(udfs, spec) -> str:
    module = types.ModuleType("sp_xl_udfs_for_xlwings")
    f = spec.func.__wrapped__ if hasattr(spec.func, "__wrapped__") else spec.func
    decorated = udfs.xlfunc(category="SP Rapport")(f)
    for a in spec.args:
        decorated = udfs.xlarg(a.name, ndim=2, err_to_str=True)(decorated)
    setattr(module, spec.name, decorated)
    out = io.StringIO()
    udfs.generate_vba_wrapper("sp_xl.udfs", module, out, types.SimpleNamespace(Name="sp_xl.xlam"))
    return out.getvalue()


def _normalise(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def test_every_wrapper_is_xlwings_own_with_only_the_documented_differences(xlwings_udfs):
    for spec in functions():
        theirs = "\n".join(_normalise(_xlwings_text(xlwings_udfs, spec)))
        # The documented differences, applied to xlwings' text.
        for a in spec.args:
            theirs = re.sub(rf"\b{a.name}\b", vba_wrappers.vba_identifier(a.excel_name), theirs)
        theirs = re.sub(rf"(\b{spec.name} = )(XLPy\.CallUDF\(.*\))$", r"\1SpFromWire(\2)", theirs, flags=re.M)
        theirs = theirs.replace(f"{spec.name} = Err.Description", f"{spec.name} = SpFailed(Err.Description)")
        ours = _normalise("\n".join(vba_wrappers.wrapper_function(spec)))
        ours = [line for line in ours if line not in (
            "#If Mac Then", f"{spec.name} = SpNotOnMac()")]
        ours = "\n".join(ours).replace('#ElseIf App = "Microsoft Excel" Then', '#If App = "Microsoft Excel" Then')
        ours = ours.replace('#If App = "Microsoft Excel" Then', '#If App = "Microsoft Excel" Then', 1)
        # xlwings writes no Exit Function before its #If; ours has one after the Mac branch.
        ours = ours.replace("Exit Function\n#If App", "#If App", 1)
        assert ours == theirs, f"{spec.name}:\n--- ours\n{ours}\n--- xlwings\n{theirs}"
