"""Finding formulas that point at another PC's copy of sp_xl.xlam."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from sp_xl import i18n
from sp_xl.checks.links import is_addin_path, scan_formulas, scan_package
from tests.conftest import CORPUS

OTHER_PC = r"C:\Users\anna\AppData\Roaming\Microsoft\Excel\XLSTART\sp_xl.xlam"


def _with_external_links(path: Path, targets: list[str]) -> Path:
    """Add external workbook references the way Excel stores them for add-in functions:
    externalReferences in workbook.xml, one externalLink part per target, each with an
    externalLinkPath relationship to the file."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    wb = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    types = parts["[Content_Types].xml"].decode()
    refs = ""
    for i, target in enumerate(targets, start=1):
        rid = f"rIdExt{i}"
        rels = rels.replace("</Relationships>", f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/'
                            f'officeDocument/2006/relationships/externalLink" Target="externalLinks/externalLink{i}.xml"/>'
                            "</Relationships>")
        parts[f"xl/externalLinks/externalLink{i}.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
            b'<definedNames><definedName name="SP_GROWTH"/></definedNames></externalBook></externalLink>')
        parts[f"xl/externalLinks/_rels/externalLink{i}.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'externalLinkPath" Target="{target}" TargetMode="External"/></Relationships>').encode()
        types = types.replace("</Types>", f'<Override PartName="/xl/externalLinks/externalLink{i}.xml" ContentType='
                              '"application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
        refs += (f'<externalReference xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
                 f'r:id="{rid}"/>')
    wb = wb.replace("</sheets>", f"</sheets><externalReferences>{refs}</externalReferences>")
    parts.update({"xl/workbook.xml": wb.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
                  "[Content_Types].xml": types.encode()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def seed_workbook(title: str) -> tuple[openpyxl.Workbook, Worksheet]:
    """A workbook whose sheet ``title`` holds the seed's citizens on Min Sundhedsplatform,
    January to April, in A1:B5 (heading row first)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["Måned", "Borgere"])
    for month, n in [("januar", 126446), ("februar", 140000), ("marts", 160000), ("april", 174975)]:
        ws.append([month, n])
    return wb, ws


@pytest.fixture
def linked_workbook(tmp_path):
    """Rapport!C2 and C3 call SP_ functions through the other PC's add-in ([1]), C4 goes
    through an ordinary external workbook ([2]), C5 is a plain SP_ call."""
    wb, ws = seed_workbook("Rapport")
    ws["C2"] = "=[1]!SP_GROWTH(B2:B5)"
    ws["C3"] = "=ROUND([1]!SP_GROWTH_PCT(B2:B5),3)"
    ws["C4"] = "=[2]Data!A1"
    ws["C5"] = "=SP_GROWTH(B2:B5)"
    path = tmp_path / "rapport.xlsx"
    wb.save(path)
    return _with_external_links(path, ["file:///" + OTHER_PC, "file:///C:/Data/budget.xlsx"])


def test_links_to_another_copy_and_the_formulas_using_them_are_found(linked_workbook):
    report = scan_package(linked_workbook)
    assert [(l.index, l.target) for l in report.links] == [(1, "file:///" + OTHER_PC)]
    assert [(f.sheet, f.cell, f.formula) for f in report.formulas] == [
        ("Rapport", "C2", "[1]!SP_GROWTH(B2:B5)"),
        ("Rapport", "C3", "ROUND([1]!SP_GROWTH_PCT(B2:B5),3)"),
    ]


def test_the_report_reads_in_danish_and_english(linked_workbook):
    report = scan_package(linked_workbook)
    assert report.describe()[1] == (f"Rapport!C2 bruger sp_xl.xlam fra file:///{OTHER_PC}: =[1]!SP_GROWTH(B2:B5)")
    with i18n.use_language("en"):
        assert report.describe()[0] == f"Link to another copy of sp_xl.xlam: file:///{OTHER_PC}"


def test_a_workbook_without_such_links_reports_nothing(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=SP_GROWTH(B1:B4)"
    wb.save(tmp_path / "plain.xlsx")
    assert not scan_package(tmp_path / "plain.xlsx")


def test_an_ordinary_external_link_in_a_file_excel_made_is_not_mistaken_for_the_addin():
    # errors.xlsx (from the calamine test suite) links to another workbook's sheet.
    assert not scan_package(CORPUS / "errors.xlsx")


def test_no_file_of_the_real_corpus_is_reported():
    checked = 0
    for path in sorted(CORPUS.glob("*.xls[xm]")):
        try:
            found = scan_package(path)
        except zipfile.BadZipFile:
            continue  # the corpus holds an encrypted and a damaged package on purpose
        assert not found, path.name
        checked += 1
    assert checked > 60


@pytest.mark.parametrize("target", [
    OTHER_PC, "file:///" + OTHER_PC, "file:///C:/Users/S%C3%B8ren/AppData/XLSTART/SP_XL.XLAM",
    "/Users/anna/Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel/sp_xl.xlam",
])
def test_the_addin_is_recognised_in_any_folder_and_spelling(target):
    assert is_addin_path(target)


@pytest.mark.parametrize("target", ["C:/addins/sp_xl.xlam.bak", "C:/addins/old_sp_xl.xlam", "Feuil8"])
def test_other_files_are_not_the_addin(target):
    assert not is_addin_path(target)


def test_live_formulas_with_a_path_prefix_are_found_and_the_current_copy_is_not():
    mine = r"C:\Users\bo\AppData\Roaming\Microsoft\Excel\XLSTART\sp_xl.xlam"
    cells = [
        ("Rapport", "C2", f"=SUM(A1)+'{OTHER_PC}'!SP_GROWTH(B2:B5)"),
        ("Rapport", "C3", r"=C:\addins\sp_xl.xlam!SP_GAP(A1,B1)"),
        ("Rapport", "C4", f"='{mine}'!SP_GAP(A1,B1)"),
        ("Rapport", "C5", "=SP_GROWTH(B2:B5)"),
        ("Rapport", "C6", '="Hent sp_xl.xlam på intranettet"'),
        ("Rapport", "C7", None),
    ]
    report = scan_formulas(cells, current_addin=mine)
    assert [(f.cell, f.target) for f in report.formulas] == [("C2", OTHER_PC), ("C3", r"C:\addins\sp_xl.xlam")]


def test_cells_without_a_reference_are_placed_by_their_position(linked_workbook):
    # OOXML lets a writer leave out r="C2"; the cell then follows the one before it.
    import re

    with zipfile.ZipFile(linked_workbook) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(r'<c r="[A-Z]+[0-9]+"', "<c", sheet).encode()
    with zipfile.ZipFile(linked_workbook, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert [(f.cell, f.formula) for f in scan_package(linked_workbook).formulas] == [
        ("C2", "[1]!SP_GROWTH(B2:B5)"), ("C3", "ROUND([1]!SP_GROWTH_PCT(B2:B5),3)")]
