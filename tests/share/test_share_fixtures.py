"""Fixtures for the share tests (no tests here): a refreshed master with its refresh stamp, an .xlsm-like master, an edge-case master."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from sp_xl.master.build import build_master
from sp_xl.actions.refresh import refresh

STAMP = dt.datetime(2018, 5, 30, 9, 15)


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member of a sheet, by its name (part numbers follow the sheet order)."""
    from sp_xl.ooxml.package import XlsxPackage
    pkg = XlsxPackage(Path(path).read_bytes())
    return pkg.zip_name(next(i.part for i in pkg.sheets if i.name == sheet))


def write_stamp(path: Path, when: dt.datetime = STAMP, sheet_part: str = "xl/worksheets/sheet1.xml", ref: str = "B5") -> None:
    """Put the refresh timestamp into Forside!B5 (what `sp-xl refresh` writes there, named sp_SidstOpdateret)."""
    serial = (when - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)

    def stamped(m: re.Match) -> bytes:
        attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(1))
        return b'<c r="' + ref.encode() + b'"' + attrs + b"><v>" + repr(serial).encode() + b"</v></c>"
    edit_member(path, sheet_part, rb'<c r="' + ref.encode() + rb'"([^>]*)>.*?</c>', stamped, count=1)


def refreshed_master(folder: Path, name: str = "m.xlsx") -> Path:
    path = folder / name
    build_master(path)
    refresh(path, backup=False)
    write_stamp(path)
    return path


CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "real-xlsx"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def rewrite(path: Path, out: Path, edit) -> None:
    """Write ``out`` as ``path`` with its members (name -> bytes) changed in place by ``edit``."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    edit(members)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    out.write_bytes(buf.getvalue())


def edit_member(path: Path, part: str, pattern: bytes, repl, *, count: int = 0, at_least: int = 1) -> None:
    """Substitute ``pattern`` in one member of the workbook at ``path``, in place (at least ``at_least`` times)."""
    def edit(members: dict[str, bytes]) -> None:
        members[part], n = re.subn(pattern, repl, members[part], count=count, flags=re.S)
        assert n >= at_least, (part, pattern)
    rewrite(path, path, edit)


def add_macros_links_and_people(path: Path, out: Path) -> None:
    """What a real .xlsm master carries and a recipient must not get: a VBA project (the one
    the add-in build writes: xlwings runtime and the SP_ wrapper functions, as "Import
    Functions" puts them into a workbook), an external link with a formula using it, a data
    connection, a ribbon part, and personal names in the document properties."""
    from sp_xl.addin.build import addin_bytes
    with zipfile.ZipFile(io.BytesIO(addin_bytes())) as z:
        vba = z.read("xl/vbaProject.bin")

    def edit(m: dict) -> None:
        m["xl/vbaProject.bin"] = vba
        m["xl/externalLinks/externalLink1.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="' + _R.encode() + b'"><externalBook r:id="rId1"><sheetNames><sheetName val="Ark1"/>'
            b'</sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>42</v></cell></row>'
            b"</sheetData></sheetDataSet></externalBook></externalLink>")
        m["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="' + _R.encode() + b'/externalLinkPath" Target="file:///C:/Users/jha/Budget%202018.xlsx" TargetMode="External"/>'
            b"</Relationships>")
        m["xl/externalLinks/externalLink2.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="' + _R.encode() + b'"><externalBook r:id="rId1"/></externalLink>')
        m["xl/externalLinks/_rels/externalLink2.xml.rels"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="' + _R.encode() + b'/externalLinkPath" '
            b'Target="file:///C:/Users/jha/AppData/Roaming/Microsoft/AddIns/sp_xl.xlam" TargetMode="External"/></Relationships>')
        m["xl/connections.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<connection id="1" name="SP-udtraek" type="5" refreshedVersion="6"><dbPr connection="Provider=MSOLEDBSQL;Server=sp-dw;" command="SELECT 1"/></connection></connections>')
        m["customUI/customUI14.xml"] = (b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon/></customUI>')
        rels = m["xl/_rels/workbook.xml.rels"]
        at = rels.rfind(b"</")
        m["xl/_rels/workbook.xml.rels"] = rels[:at] + (
            b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
            b'<Relationship Id="rIdExt1" Type="' + _R.encode() + b'/externalLink" Target="externalLinks/externalLink1.xml"/>'
            b'<Relationship Id="rIdExt2" Type="' + _R.encode() + b'/externalLink" Target="externalLinks/externalLink2.xml"/>'
            b'<Relationship Id="rIdConn" Type="' + _R.encode() + b'/connections" Target="connections.xml"/>') + rels[at:]
        root = m["_rels/.rels"]
        at = root.rfind(b"</")
        m["_rels/.rels"] = root[:at] + (b'<Relationship Id="rIdUi" Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
                                         b'Target="customUI/customUI14.xml"/>') + root[at:]
        wb = m["xl/workbook.xml"]
        wb = wb.replace(b"</sheets>", b'</sheets><externalReferences><externalReference xmlns:r="' + _R.encode()
                        + b'" r:id="rIdExt1"/><externalReference xmlns:r="' + _R.encode()
                        + b'" r:id="rIdExt2"/></externalReferences>', 1)
        m["xl/workbook.xml"] = wb
        ct = m["[Content_Types].xml"]
        ct = ct.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        at = ct.rfind(b"</")
        m["[Content_Types].xml"] = ct[:at] + (
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
            b'<Override PartName="/xl/externalLinks/externalLink2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
            b'<Override PartName="/xl/connections.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml"/>'
            ) + ct[at:]
        # A formula using the external link, in an empty cell of the Udvikling sheet.
        udvikling, uddannelse = sheet_part(path, "Udvikling"), sheet_part(path, "Uddannelse")
        for name, data in m.items():
            if name == udvikling:
                m[name] = data.replace(b"</sheetData>", b'<row r="80"><c r="A80"><f>[1]Ark1!$A$1*2</f><v>84</v></c></row></sheetData>', 1)
            if name == uddannelse:     # Uddannelse's attainment calls the add-in through its link
                new, n = re.subn(rb"<f>SP_ATTAINMENT\((B\d+),M", rb"<f>[2]!SP_ATTAINMENT(\1,M", m[name],
                                 count=1)
                assert n == 1
                m[name] = new
        core = m["docProps/core.xml"]
        m["docProps/core.xml"] = re.sub(rb"<dc:creator>.*?</dc:creator>", "<dc:creator>Jens Hånsen</dc:creator>".encode(), core)
        app = m["docProps/app.xml"]
        m["docProps/app.xml"] = app.replace(b"</Properties>", "<Company>Region Hovedstaden</Company><Manager>Mette Ærø</Manager></Properties>".encode())

    rewrite(path, out, edit)


LONG_SHEET = "Særlige tilfælde æøå ÆØÅ 2018"   # 30 characters, Danish letters and spaces


def edge_master(folder: Path) -> Path:
    """A master full of edge cases: a zero target, an empty month, an error and text in the
    data, a long sheet name with æ ø å, blank weeks in a backlog, internal sheets read through a
    name, a cell and a validation list, internal and public comments. Made with openpyxl (a test fixture only), then refreshed."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.formula import ArrayFormula

    path = folder / "kant.xlsx"
    build_master(path)
    wb = load_workbook(path)
    wb["Mål"]["C6"].value = 0                      # Mål_BestOrdSet: a zero target
    d = wb["D_Hospitaler"]                         # tBestOrdSet: januar in rows 8-14, the share in column C
    d["C10"].value = None                          # an empty month (Bornholm, januar)
    d["C11"].value = "#N/A"                        # an error value in the data (Herlev, januar)
    d["C12"].value = "mangler"                     # text where a number belongs (Nordsjælland, januar)
    ws = wb.create_sheet(LONG_SHEET)
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = "Uge", "Oprettede", "Lukkede", "Dato"
    created = [600, 580, None, 640, 610, None, 590, 620]
    closed = [590, 600, None, 600, 650, None, 640, 630]
    dates = [dt.datetime(2018, 3, 26), dt.datetime(2018, 3, 29), None, dt.datetime(2018, 4, 3),
             dt.datetime(2018, 4, 10), None, dt.datetime(2018, 5, 10), dt.datetime(2018, 5, 22)]
    for i, (a, b, day) in enumerate(zip(created, closed, dates), start=2):
        ws.cell(i, 1).value = i + 8
        ws.cell(i, 2).value = a
        ws.cell(i, 3).value = b
        ws.cell(i, 4).value = day
    ws["E2"] = ArrayFormula("E2:E9", "=SP_BACKLOG($B$2:$B$9,$C$2:$C$9,250)")
    ws["F2"] = ArrayFormula("F2:F9", "=SP_CUMULATIVE($B$2:$B$9)")
    ws["G2"] = ArrayFormula("G2:G9", "=SP_CHANGES($C$2:$C$9,TRUE)")
    ws["H2"] = ArrayFormula("H2:H9", "=SP_NETFLOW($B$2:$B$9,$C$2:$C$9)")
    ws["J2"] = "=SP_TREND($B$2:$B$9)"
    ws["J3"] = "=SP_FORECAST($C$2:$C$9,3)"
    ws["J4"] = "=SP_PEAK($C$2:$C$9,$A$2:$A$9)"
    ws["J5"] = "=SP_AVG_GROWTH_PCT($B$2:$B$9)"
    ws["J6"] = "=SP_WORKDAYS(D2,D9)"
    ws["J7"] = "=SP_WORKDAYS(D3,D5)"
    ws["J8"] = "=SP_ROUND_CA(J2*1000,2)"
    ws["J9"] = "=SP_GROWTH_PCT(B2:B9)"
    ws["K2"] = "=SP_ATTAINMENT(B3,0)"
    ws["K3"] = "=SP_SHARE(B4,C2)"
    ws["K4"] = "=SP_GAP(B2,B4)"
    wb["Udvikling"]["A85"] = f"=SP_GROWTH('{LONG_SHEET}'!$C$2:$C$9)"
    wb["Udvikling"]["A86"] = f"=SP_STATUS('{LONG_SHEET}'!B2,'{LONG_SHEET}'!C2,0.9)"
    notes = wb.create_sheet("D_Noter")               # internal: formulas get its values written in
    notes["A1"] = "Arbejdsnoter, ikke til modtagere"
    notes["A2"] = -2.5
    wb.defined_names["Noter_Tekst"] = DefinedName("Noter_Tekst", attr_text="D_Noter!$A$1")
    wb["Udvikling"]["A87"] = "=LEN(Noter_Tekst)"                 # through a name: becomes LEN("...")
    wb["Udvikling"]["A88"] = "=D_Noter!A2^2+Mål!B7"              # (-2.5)^2 + a target that travels
    wb["Udvikling"]["A89"] = "=ROW(D_Noter!A2)"                  # needs the reference itself: frozen
    lists = wb.create_sheet("D_Lister")              # internal, but a validation list reads it
    for i, status in enumerate(("Grøn", "Gul", "Rød"), start=1):
        lists.cell(i, 1).value = status
    from openpyxl.worksheet.datavalidation import DataValidation
    choice = DataValidation(type="list", formula1="D_Lister!$A$1:$A$3")
    wb["Mål"].add_data_validation(choice)
    choice.add("E6")
    wb.defined_names["sp_InterneArk"] = DefinedName(
        "sp_InterneArk",
        attr_text='"D_Hospitaler;D_Afdelinger;D_LPR;D_Support;D_Henvendelser;D_Personer;D_Enheder;D_Noter;D_Lister"')
    wb["Forside"]["A1"].comment = Comment("Intern: tallene for Bornholm er foreløbige", "Analytiker")
    wb["Mål"]["A1"].comment = Comment("Målene er vedtaget af styregruppen", "Analytiker")
    wb.properties.creator = "Jens Hånsen"
    wb.properties.lastModifiedBy = "Mette Ærø"
    wb.save(path)
    refresh(path, backup=False)
    write_stamp(path)
    return path
