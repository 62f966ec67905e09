"""`sp-xl share`: the e-mail copy, proved with LibreOffice's own recalculation.

The proof (issue 5): LibreOffice recalculates the copy with zero error cells (on the edge-case
master: exactly the master's own errors), and every formula cell equals the refreshed
master's value to 1e-9; the copy carries no VBA, external links, SP_ text or personal names;
what does not travel is gone and what should survive is byte-identical.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.share.test_share_fixtures import (
    sheet_part,
    LONG_SHEET,
    STAMP,
    add_macros_links_and_people,
    edge_master,
    edit_member,
    refreshed_master,
)
from sp_xl.errors import ExcelError
from sp_xl.i18n import use_language
from sp_xl.actions import share
from sp_xl.share import pdf as share_pdf
from sp_xl.master.build import build_master
from sp_xl.ooxml.cellrefs import range_cells
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused

ORACLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "tools" / "lo_oracle.py"
HAS_LO = shutil.which("soffice") is not None
needs_lo = pytest.mark.skipif(not HAS_LO, reason="LibreOffice (soffice) is not installed")
NOW = dt.datetime(2018, 6, 1, 8, 30)


def _recalc(path: Path) -> dict:
    out = path.with_suffix(".json")
    proc = subprocess.run([sys.executable, str(ORACLE), "recalc", str(path), str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr       # 3 would mean structural problems Excel would repair
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def normal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("normal")
    master = refreshed_master(folder)
    before = master.read_bytes()
    result = share.share_copy(master, now=NOW)
    return master, before, result


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edges")
    master = edge_master(folder)
    return master, share.share_copy(master, folder / "kopi æøå.xlsx", now=NOW)


@pytest.fixture(scope="module")
def macro_master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xlsm")
    plain = refreshed_master(folder)
    xlsm = folder / "status.xlsm"
    add_macros_links_and_people(plain, xlsm)
    return xlsm, share.share_copy(xlsm, now=NOW)


def _compare(master: Path, copy_json: dict) -> tuple[int, list[str], int]:
    """(formula cells compared, mismatches, error cells in the copy)."""
    pkg = XlsxPackage.open(master)
    wrong, n = [], 0
    for f in pkg.formulas():
        if f.sheet not in copy_json:            # an internal sheet that stayed home
            continue
        values = pkg.cells(f.sheet)
        for ref in (range_cells(f.array_ref) if f.array_ref else [f.ref]):
            want, got = values.get(ref), copy_json[f.sheet].get(ref, {})
            n += 1
            value, error = got.get("value"), got.get("error")
            if isinstance(want, ExcelError):
                ok = error == str(want)
            elif isinstance(want, bool):
                ok = value is want
            elif isinstance(want, float):
                # the refresh stores an SP_ result of "nothing" as 0; the native formula gives ""
                ok = error is None and (isinstance(value, (int, float)) and math.isclose(value, want, rel_tol=1e-9, abs_tol=1e-9)
                                        or want == 0 and value == "")
            elif want in ("", None):                # an empty period slot or period: blank in both
                ok = error is None and value in ("", None)
            else:
                ok = error is None and value == want
            if not ok:
                wrong.append(f"{f.sheet}!{ref}: master {want!r}, copy {got}")
    errors = sum(1 for cells in copy_json.values() for c in cells.values() if c.get("error") is not None)
    return n, wrong, errors


@needs_lo
def test_libreoffice_recalculates_the_copy_to_the_masters_numbers_without_errors(normal):
    master, _, result = normal
    n, wrong, errors = _compare(master, _recalc(result.path))
    assert n > 1500 and not wrong, "\n".join(wrong[:20])
    assert errors == 0


@needs_lo
def test_on_the_edge_case_master_the_copy_has_exactly_the_masters_values_and_errors(edges):
    master, result = edges
    data = _recalc(result.path)
    n, wrong, errors = _compare(master, data)
    assert not wrong, "\n".join(wrong[:20])
    master_errors = sum(isinstance(v, ExcelError) for s in XlsxPackage.open(master).sheet_names
                        for v in XlsxPackage.open(master).cells(s).values())
    assert 0 < errors <= master_errors          # only the master's own errors (zero target, #N/A, text)
    assert data[LONG_SHEET]["E9"]["value"] == pytest.approx(250 + 3640 - 3710)


def test_the_summary_warns_of_every_error_value_a_reader_would_see(normal, edges):
    assert normal[2].error_cells == [] and "Advarsel" not in normal[2].describe()
    master, result = edges
    copy = XlsxPackage.open(result.path)
    shown = [f"{s}!{r} ({v.code})" for s in copy.sheet_names if copy.sheets[copy.sheet_names.index(s)].state == "visible"
             for r, v in copy.cells(s).items() if isinstance(v, ExcelError)]
    assert result.error_cells and sorted(result.error_cells) == sorted(shown)
    with use_language("da"):
        assert f"Advarsel: {len(shown)} celler i kopien viser en fejlværdi ({result.error_cells[0]}" in result.describe()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _assert_clean(path: Path) -> None:
    m = _members(path)
    names = [n.lower() for n in m]
    assert not any("vbaproject" in n for n in names)
    assert not any("externallink" in n for n in names)
    assert "xl/connections.xml" not in names and not any(n.startswith("customui/") for n in names)
    ct = m["[Content_Types].xml"]
    assert b"macroEnabled" not in ct and b"spreadsheetml.sheet.main+xml" in ct
    for name, data in m.items():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            formulas = re.findall(rb"<f\b[^>]*>(.*?)</f>", data, re.S)
            assert not [f for f in formulas if b"SP_" in f.upper()], name
            assert not [f for f in formulas if re.search(rb"\[\d+\]", f)], name
    assert b"externalReferences" not in m["xl/workbook.xml"]
    for part in ("docProps/core.xml", "docProps/app.xml"):
        text = m.get(part, b"").decode()
        assert not re.search(r"<(\w+:)?(creator|lastModifiedBy|Company|Manager)\b", text), text
        assert "Hånsen" not in text and "Ærø" not in text


def test_the_copy_has_no_vba_links_sp_formulas_or_personal_names(normal, edges, macro_master):
    for result in (normal[2], edges[1], macro_master[1]):
        _assert_clean(result.path)
    removed = set(macro_master[1].removed_parts)
    assert {"xl/vbaProject.bin", "xl/externalLinks/externalLink1.xml", "xl/connections.xml"} <= removed
    assert macro_master[1].path.suffix == ".xlsx"


@needs_lo
def test_the_macro_master_copy_loads_cleanly_and_freezes_the_linked_formula(macro_master):
    _, result = macro_master
    data = _recalc(result.path)               # exit 0: no structural problems
    assert data["Udvikling"]["A80"]["value"] == 84 and data["Udvikling"]["A80"].get("formula") is None
    # the SP_ call through the link to the add-in file became a live native formula
    assert data["Uddannelse"]["B42"]["formula"].startswith("=IF(ISLOGICAL(B41)")
    assert data["Uddannelse"]["B42"]["value"] == pytest.approx(1807 / 2200)
    assert any(c.ref == "A80" and "anden fil" in c.reason_da for c in result.frozen)


def test_formats_charts_widths_panes_and_tables_survive_byte_for_byte(normal):
    master, _, result = normal
    before, after = _members(master), _members(result.path)
    for name, data in before.items():
        if name.startswith(("xl/charts/", "xl/drawings/", "xl/theme/")):
            assert after[name] == data, name
    # the data tables live on the internal sheets, which stay home; any other table travels as it is
    internal_tables = {t for t, (sheet, _, _) in XlsxPackage.open(master).tables().items() if sheet in result.dropped_sheets}
    tables = [n for n in before if n.startswith("xl/tables/")]
    assert len([n for n in tables if n not in after]) == len(internal_tables) > 0
    assert all(after[n] == before[n] for n in tables if n in after)
    assert len([n for n in before if n.startswith("xl/worksheets/sheet") and n not in after]) == len(result.dropped_sheets)
    for name, data in before.items():
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml") and name in after:
            head = lambda x: x.split(b"<sheetData")[0]              # noqa: E731 - cols, panes, views
            # conditional formats, merges, page setup (the copy only adds the period to the page header
            # and places the page breaks for the rows it shows)
            tail = lambda x: re.sub(rb"&amp;C&amp;9[^&<]*|<rowBreaks\b.*?</rowBreaks>", b"",  # noqa: E731
                                    x.split(b"</sheetData>")[-1])
            assert tail(after[name]) == tail(data), name
            assert head(after[name]) == head(data), name
    assert b"conditionalFormatting" in b"".join(after[n] for n in after if n.startswith("xl/worksheets/"))


def test_the_master_is_not_touched(normal):
    master, before, result = normal
    assert master.read_bytes() == before
    assert result.path != master and result.path.name == "m (delt kopi).xlsx"


def test_the_copy_is_not_larger_than_the_master(normal, edges, macro_master):
    for master, copy in ((normal[0], normal[2].path), (edges[0], edges[1].path), (macro_master[0], macro_master[1].path)):
        print(f"\n{master.name}: master {master.stat().st_size} B -> copy {copy.stat().st_size} B")
        assert copy.stat().st_size <= master.stat().st_size


def test_internal_sheets_stay_home_and_formulas_get_their_values_written_in(edges):
    master, result = edges
    pkg = XlsxPackage.open(result.path)
    states = {s.name: s.state for s in pkg.sheets}
    assert result.dropped_sheets == ["D_Hospitaler", "D_Afdelinger", "D_LPR", "D_Support", "D_Henvendelser",
                                     "D_Personer", "D_Enheder", "D_Noter"]
    assert not set(result.dropped_sheets) & set(states)
    assert states["D_Lister"] == "hidden" and result.hidden_sheets == ["D_Lister"]   # the validation list reads it
    assert states[LONG_SHEET] == "visible"
    assert "Noter_Tekst" not in pkg.defined_names and "sp_InterneArk" not in pkg.defined_names
    formulas = {(f.sheet, f.ref): f.formula for f in pkg.formulas()}
    assert formulas[("Udvikling", "A87")] == 'LEN("Arbejdsnoter, ikke til modtagere")'
    assert formulas[("Udvikling", "A88")] == "(-2.5)^2+Mål!B7"
    assert ("Udvikling", "A89") not in formulas and pkg.cells("Udvikling")["A89"] == 2
    # A report table's source line read one cell of a data sheet: its text is written in.
    assert formulas[("LPR", "A15")] == f'"{XlsxPackage.open(master).cells("D_LPR")["A6"]}"'
    frozen = {(c.sheet, c.ref): c.reason_da for c in result.frozen}
    assert "som reference" in frozen[("Udvikling", "A89")]
    # The views look their figures up in the data tables: frozen as values; the emptied month stays empty.
    assert "område på et internt ark" in frozen[("Anvendelse", "C8")] and ("Anvendelse", "C8") not in formulas
    assert pkg.cells("Anvendelse").get("C8") is None and pkg.cells("Anvendelse")["C6"] == 0.05
    assert result.inlined >= 10 and states["Om tallene"] == "visible" and states["Helligdage"] == "visible"


def test_internal_comments_stay_home_and_others_travel(edges):
    _, result = edges
    m = _members(result.path)
    notes = b"".join(d for n, d in m.items() if "comment" in n.lower() and n.endswith(".xml"))
    vml = b"".join(d for n, d in m.items() if n.endswith(".vml"))
    assert "Intern: tallene".encode() not in notes and "Målene er vedtaget".encode() in notes
    assert vml.count(b"ObjectType=\"Note\"") == 1
    assert result.internal_comments == 1


def test_front_sheet_says_shared_copy_and_about_sheet_records_provenance(normal):
    _, _, result = normal
    pkg = XlsxPackage.open(result.path)
    front = pkg.cells("Forside")
    assert front["A6"] == "Delt kopi, oprettet 01-06-2018 08:30 fra m.xlsx"     # under the refresh stamp
    about = [v for v in pkg.cells("Om tallene").values() if isinstance(v, str)]
    text = "\n".join(about)
    from sp_xl import __version__
    assert f"sp_xl {__version__}" in text and STAMP.strftime("%d-%m-%Y %H:%M") in text
    assert "Kilde: Center for Økonomi (LPR's fejlregister), trukket d. 19. maj 2018" in text
    assert "MinSP" in text and "SP_TEXT_GROWTH" not in text      # readers get reasons, not formulas
    # only the sentences, top-N, the working-day share and a share of two lookups have no native formula ...
    frozen = {(c.sheet, c.ref): c for c in result.frozen}
    sp_cells = {k for k, c in frozen.items() if "SP_" in c.formula}
    assert sp_cells == {("Anvendelse", "A28"), ("MinSP", "B22"), ("MinSP", "B40"), ("MinSP", "B41"), ("MinSP", "B60"),
                        ("Uddannelse", "B45"), ("Uddannelse", "B63")}
    assert "ingen Excel-formel" in frozen[("MinSP", "B22")].reason_da and "SORTBY" in frozen[("Anvendelse", "A28")].reason_da
    # ... and the plain formulas that look up in the internal data tables keep their value: the period
    # views, listed on "Om tallene" as ranges, not cell by cell.
    assert all("område på et internt ark" in frozen[k].reason_da for k in frozen if k not in sp_cells)
    assert {("LPR-bilag", "B7"), ("LPR-bilag", "H372"), ("Anvendelse", "C6"), ("MinSP", "M11")} <= set(frozen)
    assert "B7:H372" in text and len(about) < 200
    assert f"{result.inlined} formler har tallene derfra skrevet ind" in text
    assert result.translated > 150


def test_helligdage_lists_the_danish_holidays_networkdays_uses(normal):
    _, _, result = normal
    pkg = XlsxPackage.open(result.path)
    days = {v for v in pkg.cells("Helligdage").values() if isinstance(v, float)}
    serial = lambda d: (dt.datetime.combine(d, dt.time()) - dt.datetime(1899, 12, 30)).days  # noqa: E731
    for d in (dt.date(2018, 3, 29), dt.date(2018, 3, 30), dt.date(2018, 4, 27), dt.date(2018, 5, 10), dt.date(2018, 12, 25)):
        assert serial(d) in days
    formulas = [f.formula for f in pkg.formulas() if "NETWORKDAYS" in f.formula]
    assert formulas and all(f"Helligdage!$A$2:$A${len(days) + 1}" in f for f in formulas)


def test_a_never_refreshed_master_is_refused(tmp_path):
    path = tmp_path / "ny.xlsx"
    build_master(path)
    with pytest.raises(WorkbookRefused, match="endnu ikke opdateret"):
        share.share_copy(path)
    assert not (tmp_path / "ny (delt kopi).xlsx").exists()


def test_a_master_refreshed_in_danish_is_shared_in_english_and_its_sentences_stay_danish(tmp_path):
    path = refreshed_master(tmp_path)                  # refreshed with the Danish sentences
    with use_language("en"):
        result = share.share_copy(path, now=NOW)
    sentence = XlsxPackage.open(result.path).cells("MinSP")["B22"]
    assert sentence.startswith("Der har i 2018 været en samlet stigning")


def test_a_master_changed_after_its_refresh_is_refused(tmp_path):
    path = refreshed_master(tmp_path)
    # D_Support!B13 (week 1, levels 1-2 created): a new number after the refresh
    edit_member(path, sheet_part(path, "D_Support"), rb'(<c r="B13"[^>]*><v>)[^<]*(</v>)', rb"\g<1>9999\g<2>")
    with pytest.raises(WorkbookRefused, match="ikke opdateret efter de seneste ændringer"):
        share.share_copy(path)
    with use_language("en"):
        with pytest.raises(WorkbookRefused) as exc:
            share.share_copy(path)
        assert "not refreshed after the latest changes" in exc.value.message


def test_an_open_master_and_a_copy_onto_itself_are_refused(tmp_path):
    path = refreshed_master(tmp_path)
    with pytest.raises(WorkbookRefused, match="samme|erstatte"):
        share.share_copy(path, path)
    with pytest.raises(WorkbookRefused, match=".xlsx"):
        share.share_copy(path, tmp_path / "kopi.xlsm")
    lock = tmp_path / "~$m.xlsx"
    lock.write_text("x")
    os.utime(path, (lock.stat().st_mtime - 60, lock.stat().st_mtime - 60))      # opened after the last save
    with pytest.raises(WorkbookRefused, match="åben i Excel og er ikke gemt"):
        share.share_copy(path)
    first = share.share_copy(path, allow_open=True)
    assert first.path.exists() and not first.replaced
    os.utime(path, (lock.stat().st_mtime + 1, lock.stat().st_mtime + 1))        # the ribbon saved it first
    with pytest.raises(WorkbookRefused, match="findes allerede og overskrives ikke"):
        share.share_copy(path)                                                  # never over a copy silently
    again = share.share_copy(path, overwrite=True)
    assert again.path.exists() and again.replaced and "den tidligere kopi er erstattet" in again.describe()


def test_the_pre_send_check_names_what_a_reader_would_see_go_wrong(macro_master):
    xlsm, _ = macro_master
    kinds = {f.kind: f for f in share.check_for_sharing(xlsm)}
    assert {"sp_cells", "addin_links", "vba", "external_links", "connections", "internal_sheets",
            "personal_metadata"} <= set(kinds)
    assert "Uddannelse!B42" in kinds["addin_links"].cells
    assert "#NAME?" in kinds["sp_cells"].text and len(kinds["sp_cells"].cells) == 186
    assert not any(f.kind == "sp_cells" for f in share.check_for_sharing(_copy_of(macro_master)))


def _copy_of(fixture) -> Path:
    return fixture[1].path


def test_the_command_line_checks_and_shares(tmp_path, capsys):
    path = refreshed_master(tmp_path)
    parser = argparse.ArgumentParser()
    share.add_arguments(parser)
    assert share.run_cli(parser.parse_args([str(path), "--check"])) == 0
    assert "#NAME?" in capsys.readouterr().out
    out = tmp_path / "til ledelsen.xlsx"
    assert share.run_cli(parser.parse_args([str(path), "-o", str(out)])) == 0
    assert "Delt kopi skrevet" in capsys.readouterr().out and out.exists()
    assert share.run_cli(parser.parse_args([str(path), "-o", str(out)])) == 2       # not over a file named by hand
    assert "findes allerede" in capsys.readouterr().err
    assert share.run_cli(parser.parse_args([str(path), "-o", str(out), "--overwrite"])) == 0
    assert share.run_cli(parser.parse_args([str(tmp_path / "findes ikke.xlsx")])) == 2
    assert "findes ikke" in capsys.readouterr().err


def test_the_ribbon_handler_shares_through_the_same_engine(tmp_path):
    from sp_xl.addin.handlers import share_workbook
    path = refreshed_master(tmp_path)
    outcome = share_workbook(path)
    assert outcome.ok, outcome.lines
    text = "\n".join(outcome.lines)
    assert "Delt kopi skrevet" in text and "#NAME?" in text       # the pre-send findings explain why
    assert (tmp_path / "m (delt kopi).xlsx").exists()


@needs_lo
def test_pdf_of_the_copy(tmp_path):
    path = refreshed_master(tmp_path)
    result = share.share_copy(path, pdf=True)
    assert result.pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(result.pdf)], capture_output=True, text=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 8


def test_pdf_without_libreoffice_gives_a_clear_message(tmp_path, monkeypatch):
    path = refreshed_master(tmp_path)
    monkeypatch.setattr(share_pdf.shutil, "which", lambda name: None)
    with pytest.raises(WorkbookRefused, match="LibreOffice"):
        share.share_copy(path, pdf=True)
    assert not (tmp_path / "m (delt kopi).xlsx").exists()  # refused before anything is written


@needs_lo
def test_sp_formulas_saved_as_excel_shared_formulas_are_translated_cell_by_cell(tmp_path):
    """Excel saves filled-down formulas as one shared formula; each member must get its own native text."""
    path = refreshed_master(tmp_path)

    def shared(m: re.Match) -> bytes:            # Anvendelse P6:P12, as Excel writes them
        row = int(m.group(2))
        if not 6 <= row <= 12:
            return m.group(0)
        f = (b'<f t="shared" ref="P6:P12" si="0">SP_ATTAINMENT(O6,M&#229;l_BestOrdSet)</f>' if row == 6
             else b'<f t="shared" si="0"/>')
        return m.group(1) + f
    edit_member(path, sheet_part(path, "Anvendelse"), rb'(<c r="P(\d+)"[^>]*>)<f>SP_ATTAINMENT\(O\d+,M&#229;l_BestOrdSet\)</f>',
                shared, at_least=7)
    assert [f.formula for f in XlsxPackage.open(path).formulas() if f.sheet == "Anvendelse" and f.ref == "P9"] == \
        ["SP_ATTAINMENT(O9,Mål_BestOrdSet)"]
    result = share.share_copy(path, now=NOW)
    n, wrong, errors = _compare(path, _recalc(result.path))
    assert not wrong and errors == 0, wrong[:5]
    assert b"SP_" not in b"".join(re.findall(rb"<f\b[^>]*>.*?</f>", _members(result.path)[sheet_part(result.path, "Anvendelse")]))
