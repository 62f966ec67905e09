"""Package-level edits of the shared copy, on the real-file corpus and on small examples."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from sp_xl.actions.share import build_copy
from sp_xl.share import edits as sp

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "real-xlsx"
ORACLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "tools" / "lo_oracle.py"
FILES = sorted(p for p in CORPUS.glob("*.xls[xm]")) if CORPUS.is_dir() else []


def _copy_of(path: Path) -> bytes | None:
    try:
        pkg = XlsxPackage.open(path)
    except WorkbookRefused:
        return None                      # encrypted or damaged: refused with a message, as everywhere
    return build_copy(pkg)[0]


def _problems(data: bytes) -> list[str]:
    """Structural checks Excel would otherwise repair: XML, relationship targets, content types."""
    out = []
    m = sp.Members(data)
    for name in m.order:
        if name.endswith((".xml", ".rels", ".vml")):
            try:
                etree.fromstring(m.read(name))
            except etree.XMLSyntaxError as exc:
                out.append(f"{name}: {exc}")
    for part in [""] + m.order:
        for rel in sp.relationships(m, part):
            if rel["resolved"] and rel["resolved"] not in m:
                out.append(f"{part or '_rels/.rels'} -> missing {rel['resolved']}")
    ct = m.read("[Content_Types].xml").decode()
    overrides = {p.lstrip("/").lower() for p in re.findall(r'PartName="([^"]+)"', ct)}
    defaults = {e.lower() for e in re.findall(r'Extension="([^"]+)"', ct)}
    for name in m.order:
        norm = name.replace("\\", "/").lower()
        if norm != "[content_types].xml" and norm not in overrides and norm.rsplit(".", 1)[-1] not in defaults:
            out.append(f"{name}: no content type")
    if any("vbaproject" in n.lower() for n in m.order):
        out.append("VBA left in the copy")
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_corpus_file_gives_a_structurally_sound_copy(path):
    data = _copy_of(path)
    if data is None:
        pytest.skip(f"{path.name} is refused when opened (encrypted or damaged)")
    assert _problems(data) == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name", ["vba.xlsm", "table-multiple.xlsx", "strict_iso_paths.xlsx", "date_1904.xlsx"])
def test_libreoffice_loads_corpus_copies_without_structural_problems(name, tmp_path):
    copy = tmp_path / ("copy_" + name.replace(".xlsm", ".xlsx"))
    copy.write_bytes(_copy_of(CORPUS / name))
    proc = subprocess.run([sys.executable, str(ORACLE), "recalc", str(copy), str(tmp_path / "out.json")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_unreachable_parts_go_and_reachable_ones_stay():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", '<Relationships><Relationship Id="r1" Type="t/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="r1" Type="t/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
        z.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
        z.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", "<Relationships/>")
    m = sp.Members(buf.getvalue())
    assert sorted(sp.collect_garbage(m)) == ["xl/externalLinks/_rels/externalLink1.xml.rels", "xl/externalLinks/externalLink1.xml"]
    assert "xl/worksheets/sheet1.xml" in m


def test_dropping_a_sheet_renumbers_local_names_and_the_active_tab():
    wb = (b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          b'<bookViews><workbookView activeTab="2"/></bookViews><sheets>'
          b'<sheet name="A" sheetId="1" r:id="rId1"/><sheet name="Intern" sheetId="2" r:id="rId2"/>'
          b'<sheet name="C" sheetId="3" r:id="rId3"/></sheets><definedNames>'
          b'<definedName name="_xlnm.Print_Area" localSheetId="1">Intern!$A$1:$B$2</definedName>'
          b'<definedName name="_xlnm.Print_Area" localSheetId="2">C!$A$1:$B$2</definedName>'
          b'</definedNames><calcPr calcId="191029"/></workbook>')
    out = sp.edit_workbook(wb, hidden=set(), dropped={"Intern"}, names_to_drop=lambda n, t: False,
                           new_sheets=[("Om tallene", "rIdShare1")], sheet_names=["A", "Intern", "C"])
    text = out.decode()
    assert 'name="Intern"' not in text and "Intern!" not in text
    assert 'localSheetId="1">C!$A$1:$B$2' in text and 'activeTab="1"' in text
    assert 'name="Om tallene" sheetId="4"' in text and 'fullCalcOnLoad="1"' in text
    etree.fromstring(out)


def test_filled_down_formulas_are_written_as_one_shared_formula():
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + b"".join(f'<row r="{r}"><c r="B{r}"><f>SP_GAP(A{r},1)</f><v>0</v></c></row>'.encode() for r in range(1, 5))
             + b"</sheetData></worksheet>")
    e = sp.SheetEdit(sheet)
    for r in range(1, 5):
        e.set_formula(f"B{r}", f"A{r}-1")
    e.set_formula("B4", "A4-2")              # not a copy of the others: keeps its own text
    assert e.share_filled_down() == 2
    out = e.apply()
    assert b'<f t="shared" ref="B1:B3" si="0">A1-1</f>' in out and out.count(b'<f t="shared" si="0"/>') == 2
    assert b"<f>A4-2</f>" in out and b"SP_" not in out


def test_a_hidden_sheet_is_no_longer_selected():
    sheet = (b'<worksheet><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
             b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>tabSelected="1"</t></is></c></row></sheetData></worksheet>')
    out = sp.unselect_tab(sheet)
    assert out == sheet.replace(b'<sheetView tabSelected="1" workbookViewId="0"/>', b'<sheetView workbookViewId="0"/>', 1)
