"""Building the readers' copy of a master in memory: see ``sp_xl.actions.share`` for the rules.

``build_copy`` takes the opened master and returns the copy's bytes and what was done:
SP_ formulas translated (``translate``), internal sheets left home with their cells' values
written in (``inline``), the package edits (``edits``) and the "Om tallene" sheet (``about``).
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from sp_xl.errors import ExcelError
from sp_xl.i18n import pick
from sp_xl.share import about as share_about
from sp_xl.share import edits as sp
from sp_xl.share import pagination, reader
from sp_xl.ooxml.names import WORKBOOK_ONLY
from sp_xl.ooxml.cellrefs import range_cells, split_ref
from sp_xl.ooxml.model import FormulaNote
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.share.check import (
    NAME_INTERNAL_SHEETS,
    NAME_LAST_REFRESHED,
    Finding,
    internal_sheets,
    quote_sheet,
    refresh_stamp,
    serial_to_datetime,
)
from sp_xl.share.inline import Blocked, Inliner
from sp_xl.share.translate import (
    HOLIDAY_SHEET,
    Frozen,
    Native,
    has_sp_call,
    holiday_placeholder,
    translate,
)

ABOUT_SHEET = "Om tallene"
_EXTERNAL_REF = re.compile(r"\[\d+\]")


FrozenCell = FormulaNote  # a formula cell written as its value, and why


@dataclass(frozen=True)
class Inlined:
    """A plain formula with the values it read on internal sheets written in."""
    formula: str


@dataclass
class ShareResult:
    path: Path
    source: Path
    translated: int = 0
    frozen: list[FrozenCell] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    dropped_sheets: list[str] = field(default_factory=list)
    removed_parts: list[str] = field(default_factory=list)
    internal_comments: int = 0
    inlined: int = 0
    findings: list[Finding] = field(default_factory=list)
    pdf: Path | None = None
    replaced: bool = False        # an earlier copy of the same name was replaced
    dead_links: int = 0           # hyperlinks to sheets that stay home, removed
    error_cells: list[str] = field(default_factory=list)   # 'MinSP!G18 (#DIV/0!)': what readers see

    def describe(self) -> str:
        lines = [pick(f"Delt kopi skrevet: {self.path}", f"Shared copy written: {self.path}")
                 + (pick(" (den tidligere kopi er erstattet)", " (the earlier copy was replaced)") if self.replaced else ""),
                 pick(f"SP_-formler oversat til almindelige Excel-formler: {self.translated}",
                      f"SP_ formulas translated to native Excel formulas: {self.translated}"),
                 pick(f"Celler fastfrosset som værdier: {len(self.frozen)} (se arket '{ABOUT_SHEET}')",
                      f"Cells frozen as values: {len(self.frozen)} (see the sheet '{ABOUT_SHEET}')")]
        if self.hidden_sheets:
            lines.append(pick("Interne ark med som skjulte ark (diagrammer eller formater bruger dem): ",
                              "Internal sheets kept hidden (charts or formats use them): ") + ", ".join(self.hidden_sheets))
        if self.dropped_sheets:
            lines.append(pick("Interne ark udeladt: ", "Internal sheets left out: ") + ", ".join(self.dropped_sheets))
        if self.inlined:
            lines.append(pick(f"Formler, der fik tal fra de interne ark skrevet ind: {self.inlined}",
                              f"Formulas that got numbers from the internal sheets written in: {self.inlined}"))
        if self.pdf:
            lines.append(pick(f"PDF skrevet: {self.pdf}", f"PDF written: {self.pdf}"))
        if self.error_cells:
            shown = ", ".join(self.error_cells[:5]) + (pick(f" og {len(self.error_cells) - 5} til", f" and "
                                                            f"{len(self.error_cells) - 5} more")
                                                       if len(self.error_cells) > 5 else "")
            lines.append(pick(f"Advarsel: {len(self.error_cells)} celler i kopien viser en fejlværdi ({shown}). "
                              "Kør sp-xl check, ret data, og del igen, før kopien sendes.",
                              f"Warning: {len(self.error_cells)} cells of the copy show an error value ({shown}). "
                              "Run sp-xl check, fix the data and share again before the copy is sent."))
        if self.findings:
            lines.append(pick("Derfor en kopi – sendt som den er, ville modtageren opleve:",
                              "Why a copy - sent as it is, the reader would meet:"))
            lines.extend("- " + f.text for f in self.findings)
        return "\n".join(lines)


def error_cells(data: bytes) -> list[str]:
    """The cells of the copy's visible sheets that show an error value ('MinSP!G18 (#DIV/0!)'),
    in sheet order: a reader meets them in the report."""
    copy = XlsxPackage(data, "kopi")
    out = []
    for info in copy.sheets:
        if info.state != "visible" or info.part is None:
            continue
        for ref, v in sorted(copy.cells(info.name).items(), key=lambda kv: split_ref(kv[0])):
            if isinstance(v, ExcelError):
                out.append(f"{info.name}!{ref} ({v.code})")
    return out


def _refers_to(text: str, sheet: str) -> bool:
    return (quote_sheet(sheet) + "!") in text or ("'" + sheet.replace("'", "''") + "'!") in text or (sheet + "!") in text


def _uses_name(text: str, name: str) -> bool:
    """True when a formula text mentions the defined name (not as part of a longer name or a function)."""
    return re.search(r"(?<![\w.])" + re.escape(name) + r"(?![\w.(])", text) is not None


def _internal_sheets_needed(pkg: XlsxPackage, internal: set[str], names: dict[str, str]) -> set[str]:
    """Internal sheets the copy cannot do without: what charts, pivot caches, conditional formats
    or data validations of travelling sheets read (formulas get the values written in instead)."""
    texts = [html.unescape(pkg.read(n).decode("utf-8", "replace")) for n in pkg.member_names()
             if n.lower().startswith(("xl/charts/", "xl/pivotcache/")) and n.endswith(".xml")]
    texts = [("", re.sub(r'\bsheet="([^"]*)"', lambda mm: quote_sheet(mm.group(1)) + "!", t)) for t in texts]
    for info in pkg.sheets:
        if info.part:
            xml = pkg.read(info.part).decode("utf-8", "replace")
            texts.extend((info.name, html.unescape(t)) for t in
                         re.findall(r"<(?:\w+:)?formula[12]?>(.*?)</(?:\w+:)?formula[12]?>", xml, re.S))
    # A defined name such a text uses counts as what it points at.
    texts += [(sheet, target) for sheet, t in list(texts) for n, target in names.items()
              if n not in (NAME_INTERNAL_SHEETS, NAME_LAST_REFRESHED) and _uses_name(t, n)]
    needed: set[str] = set()
    changed = True
    while changed:       # an internal sheet that travels may itself need another one
        changed = False
        for s in internal - needed:
            if any(_refers_to(t, s) for sheet, t in texts if sheet not in internal or sheet in needed):
                needed.add(s)
                changed = True
    return needed


def _plan(pkg: XlsxPackage, dropped: set[str], names: dict[str, str]) -> tuple[dict, int]:
    """What becomes of each formula cell of the sheets that travel, and how many formulas got
    values from the internal sheets written in."""
    inliner = Inliner(dropped, pkg.cells, names, {t: v[0] for t, v in pkg.tables().items()})
    plan: dict[tuple[str, str], tuple[object, object]] = {}
    inlined = 0
    for f in pkg.formulas():
        if f.sheet in dropped:
            continue
        key = (f.sheet, f.ref)
        text = inliner.inline(f.formula)
        if isinstance(text, Blocked):
            # an SP_ call with no native formula at all says so rather than why it reads nothing
            native = translate(f.formula, f.array_ref, names) if has_sp_call(f.formula) else None
            plan[key] = (f, native if isinstance(native, Frozen) else Frozen(text.reason_da, text.reason_en))
            continue
        text, replaced = text
        inlined += replaced > 0
        if has_sp_call(text):       # a call through a link to the add-in file loses the link here
            plan[key] = (f, translate(text, f.array_ref, names))
        elif _EXTERNAL_REF.search(text):
            plan[key] = (f, Frozen("formlen henviser til en anden fil", "the formula refers to another file"))
        elif replaced:
            plan[key] = (f, Inlined(text))
    return plan, inlined


def _live_text(pkg: XlsxPackage, plan: dict, dropped: set[str]) -> str:
    """All formula text that stays live in the copy (to tell which defined names are still used)."""
    texts = []
    for f in pkg.formulas():
        entry = plan.get((f.sheet, f.ref))
        if f.sheet in dropped or entry is not None and isinstance(entry[1], Frozen):
            continue
        if entry is None:
            texts.append(f.formula)
        elif isinstance(entry[1], Inlined):
            texts.append(entry[1].formula)
        else:
            texts.append(entry[1].formula or " ".join(t for _, t in entry[1].cells))
    return " ".join(texts)


def build_copy(pkg: XlsxPackage, *, now: dt.datetime | None = None, source_name: str | None = None) -> tuple[bytes, ShareResult]:
    """The shared copy's bytes for a refreshed master package (no freshness check here)."""
    now = now or dt.datetime.now().replace(microsecond=0)
    source_name = source_name or pkg.name
    result = ShareResult(Path(), Path(source_name))
    names = {k: v for k, v in pkg.defined_names.items()}
    internal = set(internal_sheets(pkg))

    # 1. Which internal sheets charts, pivots or formats need; the others stay home.
    needed = _internal_sheets_needed(pkg, internal, names)
    dropped = internal - needed
    # 2. What becomes of each formula cell.
    plan, result.inlined = _plan(pkg, dropped, names)
    result.hidden_sheets = [s for s in pkg.sheet_names if s in needed]
    result.dropped_sheets = [s for s in pkg.sheet_names if s in dropped]

    m = sp.Members(pkg.data)
    wb_part = pkg.workbook_part
    # 3. Sheet cells: native formulas, frozen values, the front-sheet note.
    edits: dict[str, sp.SheetEdit] = {}

    worksheets = [i for i in pkg.sheets if i.part and i.kind == "worksheet"]

    def sheet_part(sheet: str) -> str:
        return pkg.zip_name(next(i.part for i in pkg.sheets if i.name == sheet))

    def edit(sheet: str) -> sp.SheetEdit:
        part = sheet_part(sheet)
        if sheet not in edits:
            edits[sheet] = sp.SheetEdit(m.read(part))
        return edits[sheet]

    stamp_year = now.year
    where, stamp = refresh_stamp(pkg)
    if isinstance(stamp, (int, float)):
        stamp_year = serial_to_datetime(stamp, pkg.date1904).year
    first, last = share_about.holiday_years(pkg, plan, stamp_year)
    from sp_xl.calc.workdays import holidays_between
    holidays = holidays_between(dt.date(first, 1, 1), dt.date(last, 12, 31))
    holiday_last_row = len(holidays) + 1
    taken = {n.lower() for n in pkg.sheet_names}
    about_sheet, holiday_sheet = (_free_name(ABOUT_SHEET, taken), _free_name(HOLIDAY_SHEET, taken))

    for (sheet, ref), (f, native) in plan.items():
        e = edit(sheet)
        if isinstance(native, Native) and native.cells:
            out_cells = range_cells(f.array_ref)
            existing = e.existing_refs()
            if all(c in existing for c in out_cells):
                for i, text in native.cells:
                    e.set_formula(out_cells[i], text)
                result.translated += 1
                continue
            native = Frozen("områdets celler mangler i filen", "the range's cells are missing in the file")
        if isinstance(native, Inlined):
            e.set_formula(ref, native.formula, f.array_ref)
        elif isinstance(native, Native):
            e.set_formula(ref, holiday_placeholder(native.formula, holiday_last_row, holiday_sheet),
                          ref if native.array else None)
            result.translated += 1
        else:
            e.freeze(ref)
            result.frozen.append(FrozenCell(sheet, ref, f.formula, native.reason_da, native.reason_en))
    front = where[0] if where else next((i for i in worksheets if i.state == "visible"), worksheets[0]).name
    note = pick(f"Delt kopi, oprettet {now:%d-%m-%Y %H:%M} fra {source_name}",
                f"Shared copy, created {now:%d-%m-%Y %H:%M} from {source_name}")
    e = edit(front)
    values = pkg.cells(front)
    row = split_ref(where[1])[0] + 1 if where else 1
    while f"A{row}" in values:
        row += 1
    e.put_text(f"A{row}", note, e.cell_style(where[1]) if where else None)
    for sheet, refs in reader.workbook_only_cells(pkg).items():
        if sheet in pkg.sheet_names and sheet not in dropped:
            e = edit(sheet)
            existing = e.existing_refs()
            for ref in refs:
                if ref in existing and (sheet, ref) not in plan:
                    e.clear(ref)
    for sheet, e in edits.items():
        part = sheet_part(sheet)
        e.share_filled_down()
        m.put(part, e.apply())
    # Every travelling sheet: the period in its page header, no link to a sheet left home.
    period = reader.report_period(pkg)
    kept = {s.lower() for s in pkg.sheet_names if s not in dropped} | {ABOUT_SHEET.lower(), HOLIDAY_SHEET.lower()}
    for info in worksheets:
        if info.name in dropped:
            continue
        part = sheet_part(info.name)
        xml = reader.with_period(m.read(part), period)
        xml, dead = reader.drop_dead_links(xml, kept)
        result.dead_links += dead
        if xml != m.read(part):
            m.put(part, xml)
    for sheet in needed:            # a hidden sheet must not stay selected in the tab bar
        part = sheet_part(sheet)
        m.put(part, sp.unselect_tab(m.read(part)))

    # 4. Parts that must not travel, and what points at them.
    sp.drop_relationships(m, "", lambda r: not sp.is_dropped_type(r))
    dropped_parts = {i.part for i in pkg.sheets if i.name in dropped}
    sp.drop_relationships(m, wb_part, lambda r: not sp.is_dropped_type(r) and r["resolved"] not in dropped_parts)
    for part in list(m.order):
        if part.startswith("xl/worksheets/") and part.endswith(".xml"):
            # a query table belongs to a connection that no longer exists
            sp.drop_relationships(m, part, lambda r: not r.get("Type", "").endswith("/queryTable"))
    result.internal_comments = sp.drop_internal_comments(m)
    sp.scrub_properties(m)

    # 5. New sheets: Helligdage and Om tallene.
    styles_part = next((r["resolved"] for r in sp.relationships(m, wb_part) if r.get("Type", "").endswith("/styles")), None)
    date_style = None
    if styles_part and styles_part in m:
        new_styles, date_style = sp.add_date_style(m.read(styles_part))
        m.put(styles_part, new_styles)
    holiday_rows = share_about.holiday_rows(holidays, first, last)
    about = share_about.about_rows(pkg, result, stamp, now, source_name)
    folder = posixpath.dirname(wb_part)
    new_parts = []
    report_title = reader.report_title(pkg)
    for title, rows, widths in ((about_sheet, about, [28, 40, 10, 80]), (holiday_sheet, holiday_rows, [14, 60])):
        n = 1
        while posixpath.join(folder, "worksheets", f"sheet_share{n}.xml") in m:
            n += 1
        part = posixpath.join(folder, "worksheets", f"sheet_share{n}.xml")
        m.put(part, sp.worksheet_xml(rows, widths=widths, date_style=date_style,
                                     head=reader.SHEET_PR_FIT, tail=reader.page_setup_xml(report_title, period)))
        rid = sp.add_relationship(m, wb_part, sp.RT_WORKSHEET, f"worksheets/sheet_share{n}.xml")
        new_parts.append((title, rid, part))

    all_live = _live_text(pkg, plan, dropped)

    def drop_name(name: str, text: str) -> bool:
        if _EXTERNAL_REF.search(text):
            return True
        if name == WORKBOOK_ONLY:
            return True
        if name == NAME_INTERNAL_SHEETS:          # the marker goes, unless a live formula reads it
            return not _uses_name(all_live, name)
        return any(_refers_to(text, s) for s in dropped)
    m.put(wb_part, sp.edit_workbook(m.read(wb_part), hidden=needed, dropped=dropped, names_to_drop=drop_name,
                                    new_sheets=[(t, rid) for t, rid, _ in new_parts], sheet_names=pkg.sheet_names))
    result.removed_parts = sp.collect_garbage(m)
    sp.fix_content_types(m, wb_part, [p for _, _, p in new_parts])
    pagination.repaginate(m, {i.name: sheet_part(i.name) for i in worksheets if i.name not in dropped})
    return m.to_bytes(), result


def _free_name(name: str, taken: set[str]) -> str:
    """The new sheet's name, numbered when the master already has a sheet of that name."""
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate = f"{name} ({n})"
        n += 1
    taken.add(candidate.lower())
    return candidate
