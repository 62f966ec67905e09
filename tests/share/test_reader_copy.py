"""The shared copy as a reader meets it: a front page for readers, no defined name, internal
sheet or formula in any text, every link alive, every sheet a printable report page with the
period in its header, the report's sentences word for word, and the PDF LibreOffice makes."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sp_xl.actions import share
from sp_xl.ooxml.package import XlsxPackage
from tests.conftest import needs_libreoffice
from tests.share.test_share_fixtures import refreshed_master

NOW = dt.datetime(2018, 6, 1, 8, 30)
PERIOD = "maj 2018"                 # the latest month in the master's data
ADDED = ("Om tallene", "Helligdage")


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("reader")
    master = refreshed_master(folder)
    result = share.share_copy(master, now=NOW)
    return master, result.path


def strings(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every text a reader can see: constants and formulas' cached text."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)]


def forbidden(master: Path) -> set[str]:
    """What a reader must never read: the master's defined names, tables and internal sheets."""
    pkg = XlsxPackage.open(master)
    internal = pkg.defined_names["sp_InterneArk"].strip('"').split(";")
    return ({n for n in pkg.defined_names if not n.startswith("_xlnm")} | set(pkg.tables()) | set(internal))


def test_no_text_a_reader_sees_holds_a_defined_name_an_internal_sheet_or_a_formula(copy):
    master, path = copy
    words = forbidden(master)
    assert {"Mål_BestOrdSet", "Seneste_LPRDag", "sp_SidstOpdateret", "tLPRFejl", "D_LPR", "Vejledning"} <= words
    pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                         + r")(?![\w])")
    seen = strings(path)
    assert len(seen) > 500
    leaks = [(s, ref, text[:80]) for s, ref, text in seen
             if pattern.search(text) or text.lstrip().startswith("=") or "SP_" in text]
    assert leaks == []
    # The master itself keeps them for the analyst: the names column on Mål, the guide.
    m = openpyxl.load_workbook(master)
    assert m["Mål"]["D6"].value == "Mål_BestOrdSet" and "Vejledning" in m.sheetnames


def test_the_copy_opens_on_the_readers_front_page(copy):
    master, path = copy
    wb = openpyxl.load_workbook(path, data_only=True)
    front = wb.worksheets[0]
    assert front.title == "Forside" and wb.active.title == "Forside"
    assert front["A1"].value == "Statusrapport for Sundhedsplatformen"
    assert front["A4"].value == "Rapportperiode" and front["B4"].value == dt.datetime(2018, 5, 1)
    assert "mmmm yyyy" in front["B4"].number_format           # shown as "maj 2018"
    assert front["A5"].value == "Tallene er beregnet" and isinstance(front["B5"].value, dt.datetime)
    texts = [c.value for row in front.iter_rows() for c in row if isinstance(c.value, str)]
    assert sum(t.startswith("Kilde:") for t in texts) == 1 and sum(t.startswith("Anm.:") for t in texts) >= 2
    assert not any(w in t for t in texts for w in ("Klik", "sp-xl", "Importér", "#NAME?"))
    # Its contents list links every sheet of the report that travels, and nothing else.
    links = {c.hyperlink.location.split("!")[0].strip("'") for row in front.iter_rows() for c in row if c.hyperlink}
    report = {s for s in wb.sheetnames if s not in ("Forside", *ADDED)}
    assert links == report


def test_every_link_in_the_copy_lands_on_a_sheet_of_the_copy(copy):
    _, path = copy
    wb = openpyxl.load_workbook(path)
    links = [(ws.title, c.hyperlink.location) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.hyperlink and c.hyperlink.location]
    assert len(links) >= 8
    for sheet, location in links:
        target, _, cell = location.rpartition("!")
        assert target.strip("'") in wb.sheetnames, (sheet, location)
        assert re.fullmatch(r"\$?[A-Z]{1,3}\$?\d+", cell), (sheet, location)


def _sheet_xml(path: Path) -> dict[str, bytes]:
    pkg = XlsxPackage.open(path)
    with zipfile.ZipFile(path) as z:
        return {i.name: z.read(pkg.zip_name(i.part)) for i in pkg.sheets if i.part}


def test_every_sheet_prints_as_a_report_page_with_the_period_in_its_header(copy):
    _, path = copy
    xml = _sheet_xml(path)
    assert set(xml) >= {"Forside", "Mål", "LPR", "LPR-bilag", *ADDED}
    for sheet, data in xml.items():
        setup = re.search(rb"<pageSetup\b[^>]*>", data).group(0)
        assert b'paperSize="9"' in setup and b'fitToWidth="1"' in setup, sheet      # A4, one page wide
        header = re.search(rb"<oddHeader>(.*?)</oddHeader>", data).group(1).decode()
        assert "Statusrapport for Sundhedsplatformen" in header and f"&amp;C&amp;9{PERIOD}" in header, sheet
        assert "Side &amp;P af &amp;N" in re.search(rb"<oddFooter>(.*?)</oddFooter>", data).group(1).decode()
    assert b'orientation="landscape"' in xml["Anvendelse"] and b'orientation="portrait"' in xml["LPR-bilag"]
    # the daily table is an appendix with its header row repeated on every page
    wb = openpyxl.load_workbook(path)
    assert wb["LPR-bilag"].print_title_rows == "$6:$6"
    assert wb["LPR"].max_row < 40                                   # the LPR page itself: summary and chart


def test_the_names_column_of_the_targets_stays_in_the_master(copy):
    master, path = copy
    wb = openpyxl.load_workbook(path)
    assert [wb["Mål"].cell(r, 4).value for r in range(5, 13)] == [None] * 8
    assert [wb["Mål"].cell(r, 1).value for r in (5, 6)] == ["Beskrivelse", (
        "Andel bestillinger/ordinationer fra best./ord.-set (indlagte patienter)")]
    assert "sp_KunArbejdsbog" in XlsxPackage.open(master).defined_names
    assert "sp_KunArbejdsbog" not in XlsxPackage.open(path).defined_names


# The report's sentences as the copy shows them, with the seeds' numbers written the Danish way
# (seed 000: "ca. 50.000 … ca. 40 pct.", "ca. 1700 borgere", "mere end 220 … 41 %", "ca. 600 sager";
# seed 003: "1.807 … 2200 … ca. 82 %", "24 %").
GOLDEN = {
    ("MinSP", "B22"): ("Der har i 2018 været en samlet stigning i oprettede brugere på ca. 50.000, hvilket svarer til "
                       "en vækst på ca. 40 pct."),
    ("MinSP", "B67"): "Der er aktuelt ca. 1.700 borgere, der har downloadet app'en.",
    ("Uddannelse", "B45"): "1.807 SP-nøglepersoner af målet på 2.200 svarer til en målopfyldelse på ca. 82 pct.",
    ("Uddannelse", "B63"): ("Andelen af nyansatte, der har modtaget undervisning: 24 pct. mod målet på 85 pct. svarer "
                            "til en målopfyldelse på ca. 28 pct."),
    ("Uddannelse", "B138"): ("Der er i dag mere end 220 best./ord.-set og SmartSet bygget af kliniske byggere, der er i "
                            "produktion. Heraf anvendes 41 pct. på tværs af hospitaler og regioner inden for et givent "
                            "speciale. Derudover er der bygget ca. 500 forskellige øvrige elementer, der også er i "
                            "produktion."),
    ("Uddannelse", "A61"): "4. kvartal 2017 (modtaget undervisning; nye brugere = 171 / 24 pct.)",
    ("Support", "B16"): ("Der bliver i gennemsnit oprettet ca. 600 og lukket ca. 600 sager ugentligt på første og "
                         "andet niveau i Region Hovedstaden."),
    ("LPR", "A3"): ("Hospitalerne kunne rette fejl på sidste års kontakter frem til fristen d. 10. april 2018; "
                    "derefter forventes kurven at knække."),
}


def test_the_reports_sentences_word_for_word(copy):
    master, path = copy
    for book in (master, path):
        wb = openpyxl.load_workbook(book, data_only=True)
        assert {k: wb[k[0]][k[1]].value for k in GOLDEN} == GOLDEN, book.name
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb["Uddannelse"]["D61"].value == 713              # 171 / 24 %: the new users, computed
    assert wb["Support"]["B86"].value.startswith("Fra uge 10 er der i ")


def test_a_change_in_percentage_points_is_a_number_of_points_not_a_percent(copy):
    _, path = copy
    wb = openpyxl.load_workbook(path, data_only=True)
    usage = wb["Anvendelse"]
    assert usage["Q5"].value == "Afstand til mål (procentpoint)"
    assert usage["Q11"].value == pytest.approx(100 * (usage["O11"].value - usage["B11"].value))
    assert "%" not in usage["Q11"].number_format and "%" not in usage["S11"].number_format


# -------------------------------------------------------------------- the PDF a reader prints

def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.fixture(scope="module")
def pdf(copy, tmp_path_factory) -> Path:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler (pdftotext) is not installed")
    master, _ = copy
    folder = tmp_path_factory.mktemp("pdf")
    shutil.copy(master, folder / "m.xlsx")
    return share.share_copy(folder / "m.xlsx", now=NOW, pdf=True).pdf


@needs_libreoffice
def test_the_pdf_reads_like_the_report(pdf):
    pages = _pages(pdf)
    assert 8 <= len(pages) <= 30
    first = pages[0]
    for words in ("Statusrapport for Sundhedsplatformen", "Rapportperiode", PERIOD, "Indhold", "Kilde:", "Anm.:"):
        assert words in first
    text = "\n".join(pages)
    for error in ("#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#NUM!", "Err:"):
        assert error not in text
    assert "2.200" in text and "2,200" not in text            # Danish thousands point
    assert "10. april 2018" in text and "procentpoint" in text
    # every page carries the header (title, period, sheet) and the page number
    per_sheet: dict[str, int] = {}
    for n, page in enumerate(pages, start=1):
        head = page.strip().splitlines()[0]
        assert head.startswith("Statusrapport for Sundhedsplatformen") and PERIOD in head, n
        assert f"Side {n} af {len(pages)}" in page or re.search(r"Side \d+ af \d+", page), n
        sheet = head.split(PERIOD)[-1].strip()
        per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
    assert per_sheet["Forside"] == 1 and per_sheet["Mål"] == 1 and per_sheet["LPR"] <= 2
    assert per_sheet["Om tallene"] <= 2 and per_sheet["LPR-bilag"] >= 2


@needs_libreoffice
def test_no_word_of_the_pdf_falls_outside_its_page(pdf):
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S)
    assert pages
    for width, height, body in pages:
        for x0, y0, x1, y1 in re.findall(r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', body):
            assert 0 <= float(x0) and float(x1) <= float(width) and 0 <= float(y0) and float(y1) <= float(height)
