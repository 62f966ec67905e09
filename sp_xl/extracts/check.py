"""A summary of source extracts for the command line: what each file is, or why it is refused.

Meant for ``sp-xl import --check SOURCE...`` (or a separate subcommand): it reads every
file, prints one block per file in the current language, and returns the exit code
(0: all files readable, 1: at least one refused). It writes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from sp_xl import i18n
from sp_xl.extracts.problems import ExtractError
from sp_xl.extracts.reader import read_extract


def check_sources(paths: Iterable[str], out: TextIO | None = None) -> int:
    out = out or sys.stdout
    failed = 0
    for path in paths:
        try:
            e = read_extract(path)
        except ExtractError as exc:
            failed += 1
            print(i18n.pick("AFVIST: ", "REFUSED: ") + str(exc), file=out)
            continue
        except OSError as exc:             # said in plain words, not the system's English text
            failed += 1
            denied = isinstance(exc, PermissionError)
            print(i18n.pick("AFVIST: ", "REFUSED: ") + i18n.pick(
                f"Filen '{Path(path).name}' kan ikke læses: " + ("du har ikke adgang til den." if denied else
                                                                  "styresystemet meldte en fejl."),
                f"File '{Path(path).name}' cannot be read: " + ("you do not have access to it." if denied else
                                                                "the operating system reported an error.")),
                  file=out)
            continue
        print(i18n.pick(
            f"OK: '{e.source_file}' er {e.kind_phrase} med {e.rows_read} rækker, trukket "
            f"{e.extraction_date:%d-%m-%Y} ({e.extraction_date_rule}).",
            f"OK: '{e.source_file}' is {e.kind_phrase} with {e.rows_read} rows, extracted "
            f"{e.extraction_date:%Y-%m-%d} ({e.extraction_date_rule})."), file=out)
        for name, table in e.tables.items():
            print(f"  {name}: {len(table)} " + i18n.pick("rækker", "rows"), file=out)
        for w in e.warnings:
            print("  " + i18n.pick("Bemærk: ", "Note: ") + str(w), file=out)
    return 1 if failed else 0
