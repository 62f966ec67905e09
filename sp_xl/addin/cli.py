"""`sp-xl addin build` and `sp-xl addin check`: argparse wiring for the lead's CLI.

Kept apart from build.py so that building the parser does not import xlwings or pyOpenVBA.
"""

from __future__ import annotations

import argparse
import sys

from sp_xl import i18n
from sp_xl.addin.layout import ADDIN_NAME


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", default=None, metavar=i18n.pick("STI", "PATH"),
                        help=i18n.pick(f"hvor {ADDIN_NAME} skrives (standard: install/{ADDIN_NAME})",
                                       f"where to write {ADDIN_NAME} (default: install/{ADDIN_NAME})"))


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=None, metavar=i18n.pick("STI", "PATH"),
                        help=i18n.pick(f"tilføjelsesprogrammet, der tjekkes (standard: install/{ADDIN_NAME})",
                                       f"the add-in to check (default: install/{ADDIN_NAME})"))


def _print_report(report, stdout, stderr) -> int:
    if not report.ok:
        print(i18n.pick(f"{report.path} har fejl:", f"{report.path} has problems:"), file=stderr)
        for p in report.problems:
            print("  " + p, file=stderr)
        return 1
    print(i18n.pick(f"OK: {report.path} ({len(report.functions)} SP_-funktioner, {len(report.modules)} VBA-moduler, "
                    f"{len(report.actions)} knapper)",
                    f"OK: {report.path} ({len(report.functions)} SP_ functions, {len(report.modules)} VBA modules, "
                    f"{len(report.actions)} buttons)"), file=stdout)
    return 0


def run_build(args: argparse.Namespace, *, stdout=None, stderr=None) -> int:
    """Build the add-in, then check what was written; 0 when all is well."""
    from sp_xl.addin.build import AddinBuildError, build_addin, check_addin

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        out = build_addin(args.output)
    except AddinBuildError as exc:
        print(str(exc), file=stderr)
        return 1
    print(i18n.pick(f"Bygget: {out}", f"Built: {out}"), file=stdout)
    return _print_report(check_addin(out), stdout, stderr)


def run_check(args: argparse.Namespace, *, stdout=None, stderr=None) -> int:
    """Check a built add-in against the registry and the ribbon; 0 when all is well."""
    from pathlib import Path

    from sp_xl.addin.build import check_addin, default_output

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    path = Path(args.path) if args.path else default_output()
    if not path.is_file():
        print(i18n.pick(f"Filen findes ikke: {path}", f"The file does not exist: {path}"), file=stderr)
        return 1
    return _print_report(check_addin(path), stdout, stderr)
