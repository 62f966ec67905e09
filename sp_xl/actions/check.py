"""`sp-xl check` and the ribbon's "Tjek data": what is wrong in a workbook, cell by cell.

Error values (with the kept reason of an SP_ cell where known), formulas that still point
at another PC's copy of the add-in, and the data check of the tables and targets
(``sp_xl.checks.data``). ``check_file`` reads a saved file through the package layer (the
same rules as refresh) and ``write_kontrol`` puts ``kontrol_rows`` into it as the Kontrol
sheet (``sp-xl check --write``); the ribbon feeds live cells from Excel into the same
functions and writes the same ``kontrol_rows`` into the open workbook.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sp_xl import ADDIN_NAME, i18n
from sp_xl.actions.outcome import EXIT_DONE, EXIT_PROBLEMS, EXIT_REFUSED, Outcome, refusal_line, refusal_text
from sp_xl.checks.links import LinkReport, cell_address, scan_formulas, scan_package
from sp_xl.errors import CODES
from sp_xl.ooxml import safety

KONTROL_SHEET = "Kontrol"


@dataclass(frozen=True)
class Problem:
    """One finding of the data check, tied to a cell where there is one."""

    sheet: str
    cell: str
    kind: str           # short Danish/English label
    detail: str
    note: bool = False  # worth knowing, not a problem

    @property
    def address(self) -> str:
        return cell_address(self.sheet, self.cell) if self.cell else self.sheet


def _link_kind() -> str:
    """The Kontrol sheet's label for a link to another copy of the add-in."""
    return i18n.pick("Henvisning til anden kopi", "Link to another copy")


def links_in_file(path) -> LinkReport:
    try:
        return scan_package(path)
    except Exception:  # noqa: BLE001 - a file we cannot read has no links to report
        return LinkReport()


@dataclass(frozen=True)
class CellInfo:
    """A cell as the check sees it: its value (errors as "#DIV/0!" etc.) and formula."""

    sheet: str
    cell: str
    value: Any
    formula: str | None = None


def find_problems(cells: Iterable[CellInfo], reasons: Callable[[CellInfo], str] | None = None,
                  current_addin: str | None = None) -> list[Problem]:
    """The data check: error values (with their reason where known) and formulas that still
    point at another PC's copy of the add-in. ``reasons`` gives the kept reason of an SP_
    cell (from the add-in's SP_FEJLTEKST dictionary)."""
    cells = list(cells)
    problems: list[Problem] = []
    linked = scan_formulas(((c.sheet, c.cell, c.formula or "") for c in cells), current_addin)
    linked_cells = {(f.sheet, f.cell) for f in linked.formulas}
    for f in linked.formulas:
        problems.append(Problem(f.sheet, f.cell, _link_kind(),
                                i18n.pick(f"Formlen bruger {ADDIN_NAME} fra {f.target}. Kør Tjek data igen; "
                                          "hvis den bliver stående: vælg Data > Rediger links > Skift kilde "
                                          f"og peg på dit eget {ADDIN_NAME}.",
                                          f"The formula uses {ADDIN_NAME} from {f.target}. Run Check data again; "
                                          "if it stays: Data > Edit Links > Change Source to your own "
                                          f"{ADDIN_NAME}.")))
    for c in cells:
        if isinstance(c.value, str) and c.value in CODES and (c.sheet, c.cell) not in linked_cells:
            why = (reasons(c) if reasons else "") or ""
            detail = f"{c.value}" + (f": {why}" if why else "")
            if c.formula:
                detail += f" (={c.formula.lstrip('=')})"
            problems.append(Problem(c.sheet, c.cell, i18n.pick("Fejlværdi", "Error value"), detail))
    return problems


def data_problems(findings: Iterable[Any]) -> list[Problem]:
    """Findings of the data check (sp_xl.checks.data) as rows of the Kontrol sheet."""
    return [Problem(f.sheet, f.cell, f.kind, f.detail, getattr(f, "note", False)) for f in findings]


def unrepaired_link_problems(text: str) -> list[Problem]:
    """Links the add-in's repair (VBA SpRepairAddinLinks) left behind, one path per line."""
    return [Problem(i18n.pick("(projektmappen)", "(workbook)"), "",
                    _link_kind(),
                    i18n.pick(f"Linket til {path} kunne ikke rettes automatisk. Vælg Data > Rediger links > "
                              f"Skift kilde, og peg på dit eget {ADDIN_NAME}.",
                              f"The link to {path} could not be repaired automatically. Choose Data > Edit Links > "
                              f"Change Source and point it at your own {ADDIN_NAME}."))
            for path in (line.strip() for line in (text or "").splitlines()) if path]


def check_outcome(problems: Sequence[Problem], workbook_name: str, periods: Sequence[str] = (),
                  kontrol_written: bool = True) -> Outcome:
    """The check's answer: ok when nothing but notes was found. ``periods`` are lines on the
    latest period of each table; ``kontrol_written``: the Kontrol sheet holds the list too."""
    real = [p for p in problems if not p.note]
    if not real:
        lines = [i18n.pick(f"Ingen problemer fundet i {workbook_name}.", f"No problems found in {workbook_name}.")]
    elif kontrol_written:
        lines = [i18n.pick(f"{len(real)} problemer fundet i {workbook_name} – se arket »{KONTROL_SHEET}«:",
                           f"{len(real)} problems found in {workbook_name} – see the sheet \"{KONTROL_SHEET}\":")]
    else:
        lines = [i18n.pick(f"{len(real)} problemer fundet i {workbook_name} (med --write skrives de også på arket "
                           f"»{KONTROL_SHEET}«):",
                           f"{len(real)} problems found in {workbook_name} (with --write they are also written on "
                           f"the sheet \"{KONTROL_SHEET}\"):")]
    lines += [f"{p.address}: {p.kind} – {p.detail}" for p in real]
    lines += [f"{p.kind}: {p.detail}" for p in problems if p.note]
    lines += list(periods)
    return Outcome("check", ok=not real, lines=lines)


def kontrol_rows(problems: Sequence[Problem], checked_at: dt.datetime) -> list[list[Any]]:
    """The Kontrol sheet: a title, when it was checked, and one row per problem whose
    first cell links to the cell in question."""
    rows: list[list[Any]] = [
        [i18n.pick("Kontrol – SP Rapport", "Check – SP Rapport"), None, None],
        [i18n.pick("Tjekket", "Checked"), checked_at.strftime("%d-%m-%Y %H:%M"), None],
        [None, None, None],
        [i18n.pick("Celle", "Cell"), i18n.pick("Problem", "Problem"), i18n.pick("Detaljer", "Details")],
    ]
    if not problems:
        rows.append([None, i18n.pick("Ingen problemer fundet.", "No problems found."), None])
    for p in problems:
        label = p.address.replace('"', '""')
        link = f'=HYPERLINK("#{label}","{label}")' if p.cell else p.sheet
        rows.append([link, p.kind, p.detail])
    return rows


def check_file(path: str | Path, kontrol_written: bool = False) -> Outcome:
    """The data check on a saved workbook (command line and tests): cached values and
    formulas as the file stores them, and add-in links in the package."""
    return check_saved(path, kontrol_written=kontrol_written)[0]


def check_saved(path: str | Path, pkg=None, kontrol_written: bool = False) -> tuple[Outcome, list[Problem]]:
    """The check's answer and its problems (for the Kontrol sheet) for a saved workbook; the
    file is read through the same package rules as refresh (refused in Danish otherwise)."""
    from sp_xl.checks.data import check_package, latest_periods, package_tables
    from sp_xl.ooxml.package import XlsxPackage

    path = Path(path)
    if pkg is None:
        safety.check_path(path)                   # a missing file, a folder, an .xls: refused in Danish
        pkg = XlsxPackage.open(path)
    pkg.validate()                                # read through the same rules as refresh
    problems = find_problems(package_cells(pkg))
    tables = package_tables(pkg)
    findings = check_package(pkg, tables)
    problems += data_problems(findings)
    if not any(f.kind_da == "Ikke beregnet" for f in findings):
        problems += _stale_sp_cells(pkg)
    seen = {(p.sheet, p.cell) for p in problems}
    for f in links_in_file(io.BytesIO(pkg.data)).formulas:       # the bytes checked, not the file again
        if (f.sheet, f.cell) not in seen:
            problems.insert(0, Problem(f.sheet, f.cell, _link_kind(),
                                       i18n.pick(f"Formlen bruger {ADDIN_NAME} fra {f.target}.",
                                                 f"The formula uses {ADDIN_NAME} from {f.target}.")))
    return check_outcome(problems, path.name, latest_periods(pkg, tables), kontrol_written), problems


def _stale_sp_cells(pkg) -> list[Problem]:
    """SP_ cells whose stored values differ from what their inputs give now (the engine
    recomputes them, as ``sp-xl share`` does before it copies)."""
    from sp_xl.share.check import refuse_if_stale
    from sp_xl.share.translate import has_sp_call

    if not any(has_sp_call(f.formula) for f in pkg.formulas()):
        return []
    try:
        refuse_if_stale(pkg)          # in either language: the sentences speak the refresh's
        return []
    except safety.WorkbookRefused as exc:
        found = exc
    return [Problem(i18n.pick("(projektmappen)", "(workbook)"), "", i18n.pick("Ikke beregnet", "Not computed"),
                    found.message)]


def package_cells(pkg) -> Iterable[CellInfo]:
    """The cells of a saved workbook the check looks at, in sheet order, from the package layer:
    every formula (with its cached value; an error as its code, "#DIV/0!") and every stored
    error value. Plain numbers and texts cannot be an error value or a link, so they are
    skipped (a workbook of millions of cells is checked in seconds). The Kontrol sheet itself
    is left out."""
    from sp_xl.errors import ExcelError

    by_sheet: dict[str, dict[str, str]] = {}
    for f in pkg.formulas():
        by_sheet.setdefault(f.sheet, {})[f.ref] = "=" + f.formula
    for sheet in pkg.sheet_names:
        if sheet == KONTROL_SHEET:
            continue
        formulas = by_sheet.get(sheet, {})
        values = pkg.cells(sheet)
        for ref, value in values.items():
            if ref not in formulas and type(value) is not ExcelError:
                continue                          # the most of a big sheet: a plain number or text
            yield CellInfo(sheet, ref, value.code if isinstance(value, ExcelError) else value, formulas.get(ref))
        for ref, formula in formulas.items():
            if ref not in values:
                yield CellInfo(sheet, ref, None, formula)


def write_kontrol(path: str | Path, problems: Sequence[Problem], *, backup: bool = True,
                  checked_at: dt.datetime | None = None, read: tuple[bytes, safety.Fingerprint] | None = None
                  ) -> Path | None:
    """Write the Kontrol sheet (the rows ``kontrol_rows`` gives the ribbon too) into the saved
    workbook: the sheet is replaced or added, the file replaced atomically after a backup,
    only if it is still the file that was checked (``read``: its bytes and fingerprint, as
    the check read them). Returns the backup's path."""
    from sp_xl.ooxml.addsheet import put_sheet, worksheet_xml
    from sp_xl.ooxml.package import XlsxPackage

    path = Path(path)
    safety.check_not_open(path)
    safety.check_writable(path)
    data, fp = read or safety.read_with_fingerprint(path)
    pkg = XlsxPackage(data, path.name)
    rows, links = _plain_links(kontrol_rows(problems, checked_at or dt.datetime.now()))
    new = put_sheet(pkg, KONTROL_SHEET, worksheet_xml(rows, widths=[28, 26, 110], links=links))
    XlsxPackage(new, path.name).cells(KONTROL_SHEET)          # reads back, or refuses
    return safety.replace_workbook(path, new, expected=fp, original=data, backup=backup)


_LINK = re.compile(r'^=HYPERLINK\("#((?:[^"]|"")*)","(?:[^"]|"")*"\)$')


def _plain_links(rows: list[list[Any]]) -> tuple[list[list[Any]], dict[str, str]]:
    """The Kontrol rows with each =HYPERLINK("#place","label") as the text ``place`` and a
    link on the cell (a file sp_xl writes holds no formula its engine cannot compute)."""
    links: dict[str, str] = {}
    out = []
    for r, row in enumerate(rows, start=1):
        new = list(row)
        for c, v in enumerate(row):
            m = _LINK.match(v) if isinstance(v, str) else None
            if m:
                place = m.group(1).replace('""', '"')
                new[c] = place
                links[f"{chr(ord('A') + c)}{r}"] = place
        out.append(new)
    return out, links


# ---------------------------------------------------------------- command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `sp-xl check` (for the CLI's subparser)."""
    pick = i18n.pick
    parser.add_argument("path", metavar=pick("PROJEKTMAPPE", "WORKBOOK"),
                        help=pick("projektmappen (.xlsx/.xlsm)", "the workbook (.xlsx/.xlsm)"))
    parser.add_argument("--write", action="store_true",
                        help=pick(f"skriv også resultatet på arket »{KONTROL_SHEET}« i projektmappen",
                                  f"also write the result on the sheet \"{KONTROL_SHEET}\" in the workbook"))
    parser.add_argument("--no-backup", action="store_true",
                        help=pick("gem ikke den forrige version i sp-xl-backup/ (med --write)",
                                  "do not keep the previous version in sp-xl-backup/ (with --write)"))


def run_cli(args: argparse.Namespace, *, stdout=None, stderr=None) -> int:
    """Run `sp-xl check`. Exit 0: no problems; 1: problems found (listed on stdout); 2: the file
    was refused (one line on stderr, nothing written)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        path = Path(args.path)
        write = getattr(args, "write", False)
        pkg = read = backup = None
        if write:                                # refuse what cannot be written before the work
            from sp_xl.ooxml.package import XlsxPackage

            safety.check_path(path)
            safety.check_not_open(path)
            safety.check_writable(path)
            read = safety.read_with_fingerprint(path)
            pkg = XlsxPackage(read[0], path.name)
        outcome, problems = check_saved(path, pkg, kontrol_written=write)
        if write:                                # into exactly the file that was checked
            backup = write_kontrol(path, problems, backup=not getattr(args, "no_backup", False), read=read)
    except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback (except with --debug)
        if getattr(args, "debug", False) and not isinstance(exc, safety.WorkbookRefused):
            raise
        print(refusal_line(refusal_text("check", exc, Path(args.path).name)), file=stderr)
        return EXIT_REFUSED
    try:
        print(outcome.text(max_lines=10_000), file=stdout)
        if getattr(args, "write", False):
            print(i18n.pick(f"Arket »{KONTROL_SHEET}« er skrevet i {path.name}.",
                            f"The sheet \"{KONTROL_SHEET}\" was written in {path.name}."), file=stdout)
            if backup:
                print(i18n.pick(f"Forrige version gemt som {backup}", f"Previous version saved as {backup}"),
                      file=stdout)
        stdout.flush()
    except BrokenPipeError:
        pass                             # the reader went away (e.g. `| head`); the check is done
    return EXIT_DONE if outcome.ok else EXIT_PROBLEMS
