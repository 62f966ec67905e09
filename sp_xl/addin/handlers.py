"""What the buttons of the "SP Rapport" ribbon tab do.

Each button's VBA callback (module SpRibbon) runs ONE Python call through xlwings'
RunPython: ``run_from_excel("<action>")``. Import and refresh work on the open workbook
(``sp_xl.actions.in_excel``: nothing is saved, closed or reopened, so a workbook on
OneDrive/SharePoint works too); the cores here take that workbook as ``OpenWorkbook`` and
are tested on Linux with an openpyxl fake. The Excel part (``xw.Book.caller()``, status bar,
message box, writing the Kontrol sheet) is the thin layer at the bottom of this module.

Share still works on the saved file; its engine is found through ``ENGINES``, and where it
does not exist in this version, the action says so in Danish instead of failing.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sp_xl import i18n
from sp_xl.actions.check import (
    KONTROL_SHEET,
    CellInfo,
    Problem,
    check_outcome,
    data_problems,
    find_problems,
    kontrol_rows,
    unrepaired_link_problems,
)
from sp_xl.actions import in_excel
from sp_xl.actions.in_excel import OpenWorkbook
from sp_xl.actions.outcome import ACTIONS, TITLE, Outcome, describe, failure, not_available
from sp_xl.addin.layout import ADDIN_NAME
from sp_xl.addin.xlbook import XlwingsBook
from sp_xl.ooxml import names

FUNCTIONS_SHEET = "SP Funktioner"

# Action -> "module:function" of the file engine it runs. Contract:
#   share_copy(path, *, overwrite=True) -> summary with .describe() or the Path of the copy
ENGINES = {
    "share": "sp_xl.actions.share:share_copy",
}


def engine(action: str) -> Callable[..., Any] | None:
    """The engine function for an action, or None when this version has none."""
    target = ENGINES.get(action)
    if not target:
        return None
    module_name, _, func_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None  # the engine's module itself does not exist
        raise
    return getattr(module, func_name, None)


# ---------------------------------------------------------------------------------------
# Excel-independent cores
# ---------------------------------------------------------------------------------------

# A workbook names its source folder with a text constant (e.g. ="\\server\udtræk\sp");
# "Opdater alle ark" then imports every extract in it first.
SOURCE_FOLDER_NAME = names.SOURCE_FOLDER
EXTRACT_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls"}


def folder_of_name(refers_to: str | None) -> Path | None:
    """The folder a ``sp_Kildemappe`` name holds (a text constant such as ="S:/udtraek"), or None."""
    text = (refers_to or "").strip().lstrip("=")
    if len(text) < 3 or not (text[0] == text[-1] == '"'):
        return None
    return Path(text[1:-1].replace('""', '"'))


def _import_source_folder(book: OpenWorkbook) -> list[str]:
    folder = folder_of_name(book.names().get(SOURCE_FOLDER_NAME))
    if folder is None:
        return []
    if not folder.is_dir():
        return [i18n.pick(f"Kildemappen {folder} findes ikke – ingen udtræk importeret.",
                          f"The source folder {folder} does not exist – no extracts imported.")]
    files = sorted(f for f in folder.iterdir()
                   if f.suffix.lower() in EXTRACT_SUFFIXES and not f.name.startswith("~$"))
    if not files:
        return [i18n.pick(f"Ingen udtræk i kildemappen {folder}.", f"No extracts in the source folder {folder}.")]
    return describe(in_excel.import_into_open(book, files, calculate=False)) + [""]     # the refresh follows at once


def refresh_open_workbook(book: OpenWorkbook) -> Outcome:
    """Import the source folder's extracts when one is configured, then let Excel compute every
    formula of the open workbook (the refresh time stamped first)."""
    try:
        lines = _import_source_folder(book)
        lines += in_excel.refresh_open(book)
    except Exception as exc:  # noqa: BLE001 - the user gets a message, never a traceback
        return failure("refresh", exc)
    return Outcome("refresh", ok=True, lines=lines + [in_excel.not_saved_note(book.name)])


def import_into_workbook(book: OpenWorkbook, files: Sequence[str | Path]) -> Outcome:
    """Import the chosen extract files into the open workbook."""
    if not files:
        return Outcome("import", ok=False, lines=[i18n.pick("Ingen filer valgt – intet importeret.",
                                                          "No files chosen – nothing imported.")])
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        return Outcome("import", ok=False, lines=[i18n.pick("Filen findes ikke: ", "File not found: ") + m
                                                  for m in missing])
    try:
        summary = in_excel.import_into_open(book, [Path(f) for f in files])
    except Exception as exc:  # noqa: BLE001
        return failure("import", exc)
    lines = describe(summary)
    if summary.changed:
        lines += [i18n.pick("Alle formler er beregnet igen i Excel.", "Every formula was recalculated in Excel."),
                  in_excel.not_saved_note(book.name)]
    return Outcome("import", ok=True, lines=lines)


def share_workbook(path: str | Path) -> Outcome:
    run = engine("share")
    if run is None:
        return not_available("share")
    try:
        result = run(Path(path), overwrite=True)        # clicking the button again asks for a fresh copy
    except Exception as exc:  # noqa: BLE001
        return failure("share", exc)
    return Outcome("share", ok=True, lines=describe(result))


def function_reference_rows() -> list[list[str]]:
    """The function reference for the Funktioner button: the same registry as
    ``sp-xl functions``, plus the VBA-only SP_FEJLTEKST."""
    from sp_xl.addin.vba_wrappers import VBA_ONLY_FUNCTIONS
    from sp_xl.udfs import functions

    rows = [[i18n.pick("Funktion", "Function"), i18n.pick("Beskrivelse", "Description"),
             i18n.pick("Argumenter", "Arguments")]]
    for f in functions():
        args = "\n".join(f"{i18n.pick(a.excel_name, a.name)}"
                         f"{i18n.pick(' (valgfri)', ' (optional)') if a.optional else ''}: {a.help}"
                         for a in f.args)
        rows.append([i18n.pick(f.excel_signature, f.signature),
                     f.summary + (f"\n\n{f.details}" if f.details else ""), args])
    for f in VBA_ONLY_FUNCTIONS:
        rows.append([f"{f.name}({'; '.join(n for n, _ in f.args)})", f.summary_da,
                     "\n".join(f"{n}: {h}" for n, h in f.args)])
    return rows


# ---------------------------------------------------------------------------------------
# The thin Excel layer (runs inside RunPython; not testable without Excel)
# ---------------------------------------------------------------------------------------

def run_from_excel(action: str, argument: str = "") -> None:
    """Entry point of the ribbon callbacks: one action on the calling workbook.

    ``argument`` is what VBA knew or asked the user before Python started, hex-encoded (see
    ``decode_hex``), so that Python never calls back into VBA for it: for "import", the path
    of the file that lists the chosen extracts; for "refresh" and "check", the links to other
    copies of the add-in that VBA's repair left behind (one per line).
    """
    import xlwings as xw

    book = xw.Book.caller()
    app = book.app
    try:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if action == "import":
            outcome = _excel_import(book, picked_files(decode_hex(argument)))
        elif action in ("refresh", "check"):
            outcome = _EXCEL_ACTIONS[action](book, decode_hex(argument))
        else:
            outcome = _EXCEL_ACTIONS[action](book)
    except Exception as exc:  # noqa: BLE001 - a message box, never a traceback in a cell
        outcome = failure(action if action in ACTIONS else "check", exc)
    finally:
        try:
            app.status_bar = False
        except Exception:  # noqa: BLE001, S110 - Excel may be busy; the message box follows
            pass
    if outcome is not None:
        app.alert(outcome.text(), title=outcome.title, mode="info" if outcome.ok else "critical")


def decode_hex(text: str) -> str:
    """The text VBA's ``SpHex`` wrote: four hex digits per UTF-16 code unit ("" stays "")."""
    text = text.strip()
    if len(text) % 4:
        raise ValueError(f"not a SpHex text: {text[:40]!r}")
    return bytes.fromhex(text).decode("utf-16-be") if text else ""


def picked_files(handover: str | Path) -> list[str]:
    """The files listed in VBA's hand-over file (one SpHex line each); the file is deleted.
    An empty ``handover`` (no file) gives no files."""
    if not str(handover):
        return []
    path = Path(handover)
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    finally:
        path.unlink(missing_ok=True)
    return [name for name in (decode_hex(line) for line in lines if line.strip()) if name.strip()]


def _saved_path(book, action: str) -> Path | Outcome:
    path = Path(book.fullname)
    if not path.is_file():
        return Outcome(action, ok=False, lines=[i18n.pick(
            "Gem projektmappen på disken først (Filer > Gem som); handlingen arbejder på den gemte fil.",
            "Save the workbook to disk first (File > Save As); the action works on the saved file.")])
    return path


def _status(app, text: str) -> None:
    try:
        app.status_bar = f"{TITLE}: {text}"
    except Exception:  # noqa: BLE001, S110 - the status bar is a courtesy
        pass


def _excel_refresh(book, unrepaired_links: str = "") -> Outcome:
    """Refresh the open workbook where it is, then run the data check on its live cells."""
    _status(book.app, i18n.pick("opdaterer i Excel …", "refreshing in Excel …"))
    outcome = refresh_open_workbook(XlwingsBook(book))
    if outcome.ok:
        outcome.lines += [""] + _excel_check(book, unrepaired_links).lines
    return outcome


def _excel_import(book, files: Sequence[str]) -> Outcome | None:
    """Import the files VBA's picker chose (SpRibbon.SpImporterUdtraek) before Python ran."""
    if not files:
        return None  # nothing chosen: no message
    _status(book.app, i18n.pick("importerer …", "importing …"))
    return import_into_workbook(XlwingsBook(book), files)


def _excel_share(book) -> Outcome:
    if engine("share") is None:
        return not_available("share")
    path = _saved_path(book, "share")
    if isinstance(path, Outcome):
        return path
    book.save()
    return share_workbook(path)


def _live_cells(book) -> Iterable[CellInfo]:
    from openpyxl.utils import get_column_letter

    for sheet in book.sheets:
        if sheet.name == KONTROL_SHEET:
            continue
        used = sheet.used_range
        values = used.options(ndim=2, err_to_str=True).value
        formulas = used.formula
        if not isinstance(formulas, (list, tuple)):
            formulas = ((formulas,),)
        r0, c0 = used.row, used.column
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                f = formulas[i][j] if i < len(formulas) and j < len(formulas[i]) else None
                f = f if isinstance(f, str) and f.startswith("=") else None
                if value is None and f is None:
                    continue
                yield CellInfo(sheet.name, f"{get_column_letter(c0 + j)}{r0 + i}", value, f)


def _excel_check(book, unrepaired_links: str = "") -> Outcome:
    app = book.app
    _status(app, i18n.pick("tjekker data …", "checking data …"))
    try:
        reason_of = app.macro(f"'{ADDIN_NAME}'!SpErrors.SpErrorReason")
        addin_path = app.books[ADDIN_NAME].fullname
    except Exception:  # noqa: BLE001 - without the add-in, no kept reasons
        reason_of, addin_path = None, None

    def reasons(c: CellInfo) -> str:
        if reason_of is None:
            return ""
        address = book.sheets[c.sheet].range(c.cell).get_address(True, True, external=True)
        try:
            return str(reason_of(address) or "")
        except Exception:  # noqa: BLE001 - a reason the add-in cannot give leaves the general one
            return ""

    problems = find_problems(_live_cells(book), reasons, addin_path)
    problems += data_problems(_live_data_findings(book))
    problems[:0] = unrepaired_link_problems(unrepaired_links)
    _write_kontrol(book, problems)
    return check_outcome(problems, book.name)


def _live_data_findings(book) -> list[Any]:
    """The data check on the open workbook's tables and Mål_ names (thin xlwings layer)."""
    from sp_xl.checks import data as datacheck

    tables = []
    for sheet in book.sheets:
        for tbl in sheet.tables:
            body = tbl.data_body_range
            if body is None:
                continue
            headings = tbl.header_row_range.options(ndim=1).value if tbl.header_row_range else []
            tables.append(datacheck.Table(sheet.name, tbl.name, body.row, body.column, list(headings),
                                          body.options(ndim=2).value))
    targets = {}
    for name in book.names:
        if name.name.startswith("Mål_"):
            try:
                cell = name.refers_to_range
            except Exception:  # noqa: BLE001 - a broken name is itself a missing target
                targets[name.name] = ("Mål", "", None)
                continue
            targets[name.name] = (cell.sheet.name, cell.get_address(False, False), cell.value)
    return datacheck.check_tables(tables) + datacheck.check_targets(targets)


def _write_kontrol(book, problems: Sequence[Problem]) -> None:
    rows = kontrol_rows(problems, dt.datetime.now())
    if KONTROL_SHEET in [s.name for s in book.sheets]:
        sheet = book.sheets[KONTROL_SHEET]
        sheet.clear()
    else:
        sheet = book.sheets.add(KONTROL_SHEET, after=book.sheets[-1])
    sheet["A1"].value = rows
    sheet["A1"].font.bold = True
    sheet["A4:C4"].font.bold = True
    sheet["A:C"].autofit()


def _excel_functions(book) -> Outcome | None:
    """Write the reference into ``book``: the new workbook SpRibbon.SpFunktioner opened for
    it (the user's own file is never the caller), so no second workbook appears."""
    rows = function_reference_rows()
    sheet = book.sheets[0]
    sheet.name = FUNCTIONS_SHEET
    sheet["A1"].value = rows
    try:  # layout only; the content is already there
        sheet["A1:C1"].font.bold = True
        sheet["A:C"].column_width = 60
        sheet["A:C"].api.WrapText = True
    except Exception:  # noqa: BLE001, S110 - layout only
        pass
    return None  # the new workbook is the answer; no message box


def _excel_doctor(book) -> Outcome:
    """The Diagnose button: the same checks and text as `sp-xl doctor`."""
    from sp_xl.actions import doctor

    findings = doctor.diagnose(doctor.real_system(addin_path=_addin_path(book.app)))
    return Outcome("doctor", ok=doctor.all_ok(findings), lines=doctor.report_lines(findings))


def _addin_path(app) -> str | None:
    try:
        return app.books[ADDIN_NAME].fullname
    except Exception:  # noqa: BLE001 - the add-in's path is then looked for where install.ps1 puts it
        return None


_EXCEL_ACTIONS: dict[str, Callable[[Any], Outcome | None]] = {
    "refresh": _excel_refresh,
    "doctor": _excel_doctor,
    "check": _excel_check,
    "share": _excel_share,
    "functions": _excel_functions,
}
