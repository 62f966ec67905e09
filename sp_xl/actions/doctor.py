"""``sp-xl doctor`` and the ribbon's "Diagnose": is this PC set up for the Excel add-in?

The checks themselves live in ``sp_xl.checks.environment``; this module gives them the
real PC: the environment, the file system, the registry (``winreg``, read-only, with the
user's own rights), ``ctypes`` to try loading xlwings' DLL, and a test call in the
installed Python. On Linux and macOS only the test call applies; the report says that
the Windows checks were skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sp_xl import i18n
from sp_xl.checks.environment import Finding, Registry, System, all_ok, diagnose, report_lines  # noqa: F401

# The test call: the function module imports (with xlwings and, on Windows, pywin32, which
# the function server needs) and one SP_ function computes the known answer.
PROBE = ("import sys, xlwings, sp_xl.udfs as u\n"
         "if sys.platform == 'win32':\n"
         "    import pythoncom\n"
         "print(float(u.SP_GAP(5, 3)))\n")
PROBE_TIMEOUT = 60


class WinRegistry:
    """``Registry`` on Windows' own registry, read-only."""

    def __init__(self) -> None:
        import winreg

        self._winreg = winreg
        self._hives = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}

    def _open(self, path: str):
        hive, _, sub = path.partition("\\")
        try:
            return self._winreg.OpenKey(self._hives[hive], sub, 0, self._winreg.KEY_READ)
        except PermissionError:
            raise
        except OSError as exc:
            if getattr(exc, "winerror", None) == 5:
                raise PermissionError(path) from exc
            raise FileNotFoundError(path) from exc

    def values(self, path: str) -> dict[str, object]:
        out = {}
        with self._open(path) as key:
            i = 0
            while True:
                try:
                    name, value, _ = self._winreg.EnumValue(key, i)
                except OSError:
                    return out
                out[name] = value
                i += 1

    def subkeys(self, path: str) -> list[str]:
        out = []
        with self._open(path) as key:
            i = 0
            while True:
                try:
                    out.append(self._winreg.EnumKey(key, i))
                except OSError:
                    return out
                i += 1


def _load_dll(path: str) -> str | None:
    import ctypes

    try:
        ctypes.WinDLL(path)
    except OSError as exc:
        return str(exc)
    return None


def console_python(python: str) -> str:
    """python.exe beside a configured pythonw.exe (pythonw has no output to read)."""
    tail = "pythonw.exe"
    if python.lower().endswith(tail) and python[-len(tail) - 1:-len(tail)] in ("\\", "/"):
        return python[: -len(tail)] + "python.exe"
    return python


def probe(python: str, timeout: int = PROBE_TIMEOUT) -> tuple[bool, str]:
    """Run the test call in ``python`` ("" means this Python): (answered 2.0, what it said)."""
    exe = console_python(python) if python else sys.executable
    try:
        done = subprocess.run([exe, "-c", PROBE], capture_output=True, text=True, timeout=timeout,  # noqa: S603
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{exe}: {type(exc).__name__}: {exc}"
    answer = done.stdout.strip().splitlines()[-1:] or [""]
    if done.returncode == 0 and answer[0] == "2.0":
        return True, "2"
    last = (done.stderr.strip().splitlines() or [answer[0] or f"exit {done.returncode}"])[-1]
    return False, f"{exe}: {last}"


def real_system(addin_path: str | None = None) -> System:
    """This PC, as the checks see it."""
    import xlwings

    windows = sys.platform == "win32"

    def read_text(path: str) -> str | None:
        try:
            return Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    return System(
        windows=windows, env=dict(os.environ), exists=os.path.exists, listdir=os.listdir, read_text=read_text,
        registry=WinRegistry() if windows else None, load_dll=_load_dll if windows else (lambda path: None),
        probe=probe, addin_path=addin_path, xlwings_version=xlwings.__version__,
    )


def versions_line(system: System) -> str:
    """What runs the diagnosis: sp_xl, Python and xlwings versions and this Python's path."""
    from sp_xl import __version__

    py = ".".join(map(str, sys.version_info[:3]))
    return f"sp_xl {__version__}, Python {py} ({sys.executable}), xlwings {system.xlwings_version}"


def run(stdout=None) -> int:
    """The command: print the report; 0 when nothing failed."""
    stdout = stdout or sys.stdout
    system = real_system()
    findings = diagnose(system)
    print(i18n.pick("sp_xl doctor: hvad Excel-tilføjelsesprogrammet kræver på denne pc",
                    "sp_xl doctor: what the Excel add-in needs on this PC"), file=stdout)
    print(versions_line(system), file=stdout)
    for line in report_lines(findings, windows=system.windows):
        print(line, file=stdout)
    return 0 if all_ok(findings) else 1
