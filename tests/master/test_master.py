"""The master workbook: structure, the seed's numbers, LibreOffice's recalculation, charts,
and proof that the committed workbooks/sp_status.xlsx is exactly what the builder makes."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from sp_xl import i18n
from sp_xl.udfs import functions
from sp_xl.master import build as master
from sp_xl.master import data as master_data
from sp_xl.master import report_data as rd
from sp_xl.master.style import SOURCE_STYLE, TITLE_STYLE
from sp_xl.ooxml.safety import WorkbookRefused

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / ".." / "shared"
LO_ORACLE = SHARED / "tools" / "lo_oracle.py"
SEEDS = SHARED / "seeds"
COMMITTED = REPO / "workbooks" / "sp_status.xlsx"

needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None or not LO_ORACLE.exists(),
                                       reason="LibreOffice (soffice) is not installed")

REPORT_SHEETS = ("LPR", "Anvendelse", "MinSP", "Udvikling", "Support", "Uddannelse")
SP_CALL = re.compile(r"\b(SP_[A-Z_]+)\(")


# ----------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("master") / "sp_status.xlsx"
    master.build_master(path)
    return path


@pytest.fixture(scope="module")
def wb(built):
    return load_workbook(built)


def formula_text(value) -> str | None:
    if isinstance(value, ArrayFormula):
        return value.text
    if isinstance(value, str) and value.startswith("="):
        return value
    return None


def all_formulas(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                f = formula_text(c.value)
                if f:
                    yield ws.title, c.coordinate, f


def call_args(formula: str, start: int) -> list[str]:
    """The top-level arguments of the call whose '(' is at ``start``."""
    depth, args, current, in_string = 0, [], "", False
    for ch in formula[start:]:
        if ch == '"':
            in_string = not in_string
        if not in_string:
            if ch == "(":
                depth += 1
                if depth == 1:
                    continue
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    args.append(current)
                    return [a for a in args if a != ""] if args != [""] else []
            elif ch == "," and depth == 1:
                args.append(current)
                current = ""
                continue
        current += ch
    raise AssertionError(f"unbalanced formula {formula!r}")


def numbers_in(formula: str) -> list[float]:
    """Numeric literals outside strings and outside cell references."""
    bare = re.sub(r'"[^"]*"', '""', formula)
    bare = re.sub(r"\bE?DATE\((?:[^()]|\([^()]*\))*\)", "DATE", bare)   # a period slot's key, not a figure
    bare = re.sub(r"\$?[A-Z]{1,3}\$?\d+", "REF", bare)
    bare = re.sub(r"[A-Za-zÆØÅæøå_][\wÆØÅæøå.]*", "NAME", bare)
    return [float(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", bare)]


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def seed_section(text: str, start: str, end: str = "Kilde") -> str:
    i = text.index(start)
    return text[i + len(start): text.index(end, i)]


def column_values(ws, col: int, first: int, last: int) -> list:
    return [ws.cell(r, col).value for r in range(first, last + 1)]


# ----------------------------------------------------------------- the file in git

def zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_committed_workbook_is_exactly_what_the_builder_makes():
    committed = zip_parts(COMMITTED.read_bytes())
    fresh = zip_parts(master.workbook_bytes())
    assert sorted(committed) == sorted(fresh)
    changed = [name for name in fresh if committed[name] != fresh[name]]
    assert not changed, f"rebuild with `sp-xl new workbooks/sp_status.xlsx --overwrite`: {changed}"


def test_two_builds_are_byte_identical_with_fixed_stamps():
    a, b = master.workbook_bytes(), master.workbook_bytes()
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        assert {info.date_time for info in z.infolist()} == {(2018, 5, 30, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2018-05-30T00:00:00Z" in core


# ---------------------------------------------------------------- refusing to overwrite

def test_refuses_to_overwrite_an_existing_file_with_a_danish_message(tmp_path):
    path = tmp_path / "sp_status.xlsx"
    path.write_bytes(b"staff's own work")
    with pytest.raises(WorkbookRefused) as caught:
        master.build_master(path)
    assert "findes allerede" in caught.value.message and str(path) in caught.value.message
    with i18n.use_language("en"):
        assert "already exists" in caught.value.message
    assert path.read_bytes() == b"staff's own work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sp_status.xlsx"]  # no temp file left


def test_overwrite_true_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "sp_status.xlsx"
    path.write_bytes(b"old")
    master.build_master(path, overwrite=True)
    assert zipfile.is_zipfile(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sp_status.xlsx"]


@pytest.mark.parametrize("name, words", [("rapport.xlsm", ".xlsx"), ("mangler/rapport.xlsx", "Mappen findes ikke")])
def test_refuses_a_wrong_extension_or_a_missing_folder(tmp_path, name, words):
    with pytest.raises(WorkbookRefused, match=re.escape(words)):
        master.build_master(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------- structure

def test_sheets_in_order_front_targets_reports_then_data(wb):
    assert wb.sheetnames == ["Forside", "Vejledning", "Mål", *REPORT_SHEETS, "LPR-bilag", *master_data.DATA_SHEETS]
    assert wb.active.title == "Forside"


def test_targets_live_once_on_the_targets_sheet(wb):
    expected = {"Mål_BestOrdSet": 0.25, "Mål_SmartSet": 0.30, "Mål_Nøglepersoner": 2200,
                "Mål_BrugerePrNøgleperson": 15, "Mål_UndervisningNyansatte": 0.85, "Mål_SvarHverdage": 3}
    for name, value in expected.items():
        (sheet, ref), = wb.defined_names[name].destinations
        assert sheet == "Mål"
        assert wb[sheet][ref.replace("$", "")].value == value


def test_report_formulas_use_target_names_never_the_numbers(wb):
    target_numbers = {0.25, 0.3, 0.85, 2200.0, 15.0, 0.75}
    used = set()
    for sheet, coord, f in all_formulas(wb):
        assert not target_numbers & set(numbers_in(f)), f"{sheet}!{coord}: a target typed into {f}"
        used |= set(re.findall(r"\b(?:Mål|Par)_\w+", f))
    defined = {n for n in wb.defined_names if n.startswith(("Mål_", "Par_"))}
    assert used == defined  # every target is used, and only defined ones are


def test_every_order_set_row_measures_attainment_against_the_named_target(wb):
    ws = wb["Anvendelse"]
    att = [formula_text(ws.cell(r, 16).value) for r in range(1, ws.max_row + 1)]
    assert att.count(None) < len(att)
    assert sum(1 for f in att if f and "Mål_BestOrdSet" in f) == 7
    assert sum(1 for f in att if f and "Mål_SmartSet" in f) == 7
    # Against the latest month of the year so far, whichever it is (column O).
    assert "=SP_ATTAINMENT(O6,Mål_BestOrdSet)" in att
    assert ws["O6"].value == "=INDEX(C6:N6,MONTH(Seneste_BestOrdSet))"


def test_every_sp_call_is_a_registered_function_with_a_valid_argument_count(wb):
    registry = {spec.name: spec for spec in functions()}
    seen = set()
    for sheet, coord, f in all_formulas(wb):
        for m in SP_CALL.finditer(f):
            name = m.group(1)
            assert name in registry, f"{sheet}!{coord}: {name} is not an SP_ function"
            n = len(call_args(f, m.end() - 1))
            spec = registry[name]
            required = sum(1 for a in spec.args if not a.optional)
            assert required <= n <= len(spec.args), f"{sheet}!{coord}: {name} with {n} arguments: {f}"
            seen.add(name)
    assert seen == set(registry) - {"SP_CUMULATIVE"}  # running totals are plain additions (Figur 1)


def test_multi_cell_results_are_array_formulas_over_exactly_their_shape(wb):
    arrays = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                f = formula_text(c.value)
                if not f or not re.search(r"SP_(CHANGES|BACKLOG|NETFLOW|TOPN|CUMULATIVE)\(", f):
                    continue
                assert isinstance(c.value, ArrayFormula), f"{ws.title}!{c.coordinate} is not an array formula"
                arrays += 1
                (c1, r1), (c2, r2) = [(ref.column, ref.row) for ref in (ws[p] for p in c.value.ref.split(":"))]
                rows, cols = r2 - r1 + 1, c2 - c1 + 1
                first_arg = call_args(f, f.index("(") if f.startswith("=SP_") else f.index("SP_"))[0]
                if "SP_TOPN" in f:
                    assert (rows, cols) == (5, 2) and f.endswith(",5)")
                else:
                    a, b = first_arg.replace("$", "").split(":")
                    shape = (ws[b].row - ws[a].row + 1, ws[b].column - ws[a].column + 1)
                    assert (rows, cols) == shape, f"{ws.title}!{c.value.ref} vs {first_arg}"
    assert arrays == 7  # Tabel 3 top 5, two SP_CHANGES rows, netflow and backlog for two levels


def test_a_source_line_under_every_table(wb):
    checked = linked = 0
    for ws in wb.worksheets:
        titles = [c for row in ws.iter_rows() for c in row if c.style == TITLE_STYLE]
        for t in titles:
            nxt = min((u.row for u in titles if u.column == t.column and u.row > t.row), default=ws.max_row + 1)
            below = [ws.cell(r, t.column) for r in range(t.row + 1, nxt)]
            sources = [c.value for c in below if c.style == SOURCE_STYLE
                       and not c.value.lstrip('="').startswith("Anm.:")]      # notes under a table are not sources
            assert 1 <= len(sources) <= 2, f"{ws.title}: table '{t.value}' has sources {sources}"
            for line in sources:
                if line.startswith("="):
                    # A report table shows its data table's source line, so that imports reach it.
                    sheet, ref = line[1:].split("!")
                    assert sheet.startswith("D_"), line
                    line = wb[sheet][ref.replace("$", "")].value
                    linked += 1
                assert line.startswith("Kilde: ") and "trukket" in line, line
            checked += 1
    assert checked >= 30 and linked >= 11


def test_synthetic_data_says_so_on_the_sheet(wb):
    def labelled(ws):
        return any(isinstance(c.value, str) and c.value.startswith(rd.SYNTHETIC_LABEL)
                   for row in ws.iter_rows(max_row=200) for c in row)

    for sheet in ("D_LPR", "D_Support", "D_Afdelinger", "D_Henvendelser", "LPR", "Support", "Uddannelse", "MinSP"):
        assert labelled(wb[sheet]), sheet
    assert rd.SYNTHETIC_LABEL == "Eksempeldata (syntetiske) – ikke fra rapporten"
    # The report's own numbers are not called synthetic.
    for sheet in ("D_Hospitaler", "Anvendelse", "Udvikling", "Mål"):
        assert not labelled(wb[sheet]), sheet
    # Departments: exactly the report's five rows are marked as the report's.
    ws = wb["D_Afdelinger"]
    marks = [ws.cell(r, 4).value for r in range(1, ws.max_row + 1)]
    assert marks.count("Rapporten (Tabel 3)") == 5 and marks.count("Eksempeldata (syntetisk)") == 10


def test_refresh_stamp_and_internal_sheets_are_named(wb):
    (sheet, ref), = wb.defined_names["sp_SidstOpdateret"].destinations
    assert sheet == "Forside" and wb[sheet][ref.replace("$", "")].value == "Endnu ikke opdateret"
    assert wb[sheet][ref.replace("$", "")].offset(column=-1).value == "Tallene er beregnet"
    internal = wb.defined_names["sp_InterneArk"].value.strip('"').split(";")
    assert internal == ["Vejledning", *master_data.DATA_SHEETS]     # the analysts' guide stays home too
    assert all(name in wb.sheetnames for name in internal)


def test_danish_number_formats_and_status_colours(wb):
    assert wb["D_Hospitaler"]["C8"].number_format == "0%"
    assert wb["D_Hospitaler"]["A8"].number_format == "[$-406]mmmm yyyy"   # "januar 2018" in any Excel
    assert wb["MinSP"]["B5"].number_format == "#,##0"
    ws = wb["Anvendelse"]
    ranges = {str(cf.sqref): {r.formula[0] for r in cf.rules} for cf in ws.conditional_formatting}
    assert ranges["R6:R12"] == {'"Grøn"', '"Gul"', '"Rød"'}
    assert any(v == {'"Grøn"', '"Gul"', '"Rød"'} for k, v in
               {str(cf.sqref): {r.formula[0] for r in cf.rules} for cf in wb["Udvikling"].conditional_formatting}.items())


# ----------------------------------------------------------- the seed's own numbers

def seed_rows(section: str, n_cols: int, pct: bool) -> list[list[float]]:
    pattern = r"(\d+)%" if pct else r"(?<![\d.])(\d{3,6})(?![\d%])"
    nums = [int(x) / (100 if pct else 1) for x in re.findall(pattern, section)]
    assert len(nums) % n_cols == 0, nums
    return [nums[i:i + n_cols] for i in range(0, len(nums), n_cols)]


@pytest.mark.parametrize("title, table, months, pct", [
    ("Tabel 1.", "tBestOrdSet", 5, True),
    ("Tabel 2.", "tSmartSet", 5, True),
    ("Tabel 4:", "tMinSPBrugere", 4, False),
    ("Tabel 5:", "tMinSPBesvaret", 4, True),
    ("Tabel 6:", "tMinSPAktive", 4, False),
])
def test_hospital_tables_are_the_seed_numbers_exactly(wb, title, table, months, pct):
    section = seed_section(seed_text("000"), title)
    section = section[section.index("Hospital"):]
    rows = seed_rows(section, 6 if months == 5 else months, pct)
    ws = wb["D_Hospitaler"]
    start, end = ws.tables[table].ref.split(":")
    first, col = ws[start].row + 1, ws[start].column
    assert ws[end].row == first + 7 * months - 1            # one row per month and hospital
    got = {(ws.cell(r, col).value, ws.cell(r, col + 1).value): ws.cell(r, col + 2).value
           for r in range(first, ws[end].row + 1)}
    for i, seed_row in enumerate(rows[:7]):
        hospital = rd.HOSPITALS[i]
        values = [got[(dt.datetime(2018, m + 1, 1), hospital)] for m in range(months)]
        assert values == pytest.approx(seed_row[:months]), (table, i)
        if months == 5:
            assert seed_row[5] == (0.25 if table == "tBestOrdSet" else 0.30)  # the target column


def test_top5_departments_are_the_seed_rows(wb):
    section = seed_section(seed_text("000"), "Tabel 3.")
    seed = [(int(a), int(b) / 100) for a, b in re.findall(r"(\d+) (\d+)%", section)]
    ws = wb["D_Afdelinger"]
    report_rows = [(ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(1, ws.max_row + 1)
                   if ws.cell(r, 4).value == "Rapporten (Tabel 3)"]
    assert sorted(report_rows) == sorted(seed) and len(seed) == 5
    synthetic_rates = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1)
                       if ws.cell(r, 4).value == "Eksempeldata (syntetisk)"]
    assert max(synthetic_rates) < min(rate for _, rate in seed)  # the top 5 stays the report's


def test_point_figures_match_the_seed_text(wb):
    s000, s003 = seed_text("000"), seed_text("003")
    for phrase in ("1807 indmeldte", "ca. 2200", "1 nøgleperson pr. 15", "udpeget 53", "49 certificerede",
                   "4 er", "43 specialer", "202 Best./ord.", "85 % af nyansatte", "24 %, svarende til 171"):
        assert phrase in " ".join(s003.split()), phrase
    for phrase in ("59,8 mio. kr.", "46,4 mio.kr.", "13,4 mio.kr.", "45 mio.kr", "18,2 mio.kr.", "(15 mio.kr.)",
                   "97,6 mio.kr.", "56 mio.kr.", "41,6", "75 %/25 %", "ca. 31 mio.kr.", "2.281 nye brugere",
                   "370 af disse", "16%", "51 %"):
        assert phrase in " ".join(s000.split()), phrase
    inputs = {ws.title: {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float))}
              for ws in wb.worksheets}
    assert {43, 202, 0.24, 171, 0.51, 370, 2281} <= inputs["Uddannelse"]
    assert {53, 49, 4, 33000} <= inputs["D_Personer"]
    people = wb["D_Personer"]
    february = [people.cell(r, 3).value for r in range(8, people.max_row + 1)
                if people.cell(r, 1).value == dt.datetime(2018, 2, 1)]
    assert sum(february) == 1807 and len(february) == 7    # the report's count, over the hospitals
    assert {46.4, 18.2, 15, 13.4, 45, 10, 97.6, 56} <= inputs["Udvikling"]
    assert {0.25, 0.3, 2200, 15, 0.85, 3, 0.75} <= inputs["Mål"]


def test_project_and_theme_statuses_are_the_seeds(wb):
    ws = wb["Udvikling"]
    cells = {ws.cell(r, 1).value: (ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(1, ws.max_row + 1)}
    assert cells["ADB (afregningsdatabanken)"][0] == "Gul"
    assert cells["LPR3 implementering i RegSJ og RegH / SP 2018 opgradering"][0] == "Gul"
    assert "mindre forsinkelse i byg" in cells["LPR3 implementering i RegSJ og RegH / SP 2018 opgradering"][1]
    assert cells["Min SP optimering 2018"][0] == "Afventer godkendelse af PID"
    greens = [k for k, (status, _) in cells.items() if status == "Grøn" and k not in ("Grøn",)]
    assert len(greens) == 2 + 10  # projects: 2 of 4 green; themes: all but ADB


# ----------------------------------------------------------------------- charts

def charts_by_sheet(path: Path) -> dict[str, list[dict]]:
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
          "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    with zipfile.ZipFile(path) as z:
        book = ET.fromstring(z.read("xl/workbook.xml"))
        book_rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out: dict[str, list[dict]] = {}
        for sheet in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
            rid = sheet.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            part = "xl/" + book_rels[rid].lstrip("/").removeprefix("xl/")
            rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels_name not in z.namelist():
                continue
            for rel in ET.fromstring(z.read(rels_name)):
                if not rel.get("Type").endswith("/drawing"):
                    continue
                drawing = "xl/drawings/" + rel.get("Target").rsplit("/", 1)[1]
                drels = ET.fromstring(z.read(drawing.replace("drawings/", "drawings/_rels/") + ".rels"))
                for d in drels:
                    chart = ET.fromstring(z.read("xl/charts/" + d.get("Target").rsplit("/", 1)[1]))
                    title = "".join(t.text for t in chart.find("c:chart/c:title", ns).iter(f"{{{ns['a']}}}t"))
                    kind = next(el.tag.split("}")[1] for el in chart.find("c:chart/c:plotArea", ns)
                                if el.tag.endswith("Chart"))
                    refs = [f.text for f in chart.iterfind(".//c:ser/c:val//c:f", ns)]
                    axis_titles = len(chart.findall(".//c:plotArea/*/c:title", ns))
                    out.setdefault(sheet.get("name"), []).append(
                        {"title": title, "kind": kind, "series": len(refs), "refs": refs, "axis_titles": axis_titles})
    return out


def array_cells(ws) -> set[str]:
    """Cells covered by a legacy array formula (only the first one holds the formula)."""
    covered = set()
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, ArrayFormula):
                covered |= {x.coordinate for r in ws[c.value.ref] for x in r}
    return covered


def test_charts_for_every_figure_with_the_right_series(built, wb):
    charts = charts_by_sheet(built)
    summary = {sheet: [(c["kind"], c["series"]) for c in cs] for sheet, cs in charts.items()}
    assert summary == {
        "LPR": [("lineChart", 8)],  # one accumulated curve per hospital, and the deadline's vertical line
        "MinSP": [("barChart", 7)],  # users per hospital per month
        "Support": [("lineChart", 3), ("lineChart", 3)],  # created, closed, open; levels 1-2 and 3
        # Graf 1 (key persons and the number required) and 2 (builders), shares vs target, Figur 5, 6
        "Uddannelse": [("lineChart", 2), ("lineChart", 3), ("barChart", 2), ("barChart", 1), ("barChart", 1)],
    }
    for cs in charts.values():
        for c in cs:
            assert c["title"] and c["axis_titles"] >= 2, c  # x and y (and a secondary y)
            for ref in c["refs"]:  # every series is a real range on the sheet holding numbers
                target_sheet, rng = ref.replace("'", "").split("!")
                a, b = rng.replace("$", "").split(":")
                cells = [cell for row in wb[target_sheet][a:b] for cell in row]
                filled = [c.value is not None or c.coordinate in array_cells(wb[target_sheet]) for c in cells]
                assert len(cells) >= 2 and all(filled), ref
    titles = [c["title"] for cs in charts.values() for c in cs]
    assert "Figur 1: LPR-fejlregistreringer akkumuleret i registreringsåret, Region Hovedstaden" in titles
    assert any(t.startswith("Graf 1.") for t in titles) and any(t.startswith("Graf 2.") for t in titles)
    assert any(t.startswith("Figur 3.") for t in titles) and any(t.startswith("Figur 4.") for t in titles)


# ------------------------------------------------------------ LibreOffice as a referee

@pytest.fixture(scope="module")
def lo(built, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("lo") / "recalc.json"
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "180", "recalc", str(built), str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def sp_cells_of(wb) -> set[tuple[str, str]]:
    """Cells holding an SP_ result (array formulas: every cell of the range)."""
    out = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                f = formula_text(c.value)
                if f and SP_CALL.search(f):
                    cells = ws[c.value.ref] if isinstance(c.value, ArrayFormula) else ((c,),)
                    out |= {(ws.title, x.coordinate) for r in cells for x in r}
    return out


@needs_libreoffice
def test_libreoffice_computes_every_builtin_formula_without_error(lo, wb):
    # A built-in shows an error only where it reads an SP_ result (#NAME? without the add-in).
    sp = sp_cells_of(wb)
    for sheet, cells in lo.items():
        for addr, c in cells.items():
            if c["error"] is None or not c["formula"] or re.search(r"\bsp_", c["formula"], re.IGNORECASE):
                continue
            refs = {(sheet, m.replace("$", "")) for m in re.findall(r"(?<![A-Za-z_!])\$?[A-Z]{1,2}\$?\d+", c["formula"])}
            assert c["error"] == "#NAME?" and refs & sp, (sheet, addr, c)
    sp_cells = [(s, a) for s, cells in lo.items() for a, c in cells.items() if c["formula"] and "sp_" in c["formula"]]
    assert all(lo[s][a]["error"] == "#NAME?" or "if(" in lo[s][a]["formula"].lower() for s, a in sp_cells)
    assert len(sp_cells) > 200


@needs_libreoffice
def test_libreoffice_sums_reproduce_the_report_totals(lo):
    ms = lo["MinSP"]
    totals = {tuple(ms[f"{c}{r}"]["value"] for c in "BCDE") for r in range(1, 120)
              if ms.get(f"A{r}", {}).get("value") == "I alt"}
    assert totals == {rd.TABEL4_TOTALS, rd.TABEL6_TOTALS}
    assert rd.TABEL4_TOTALS == (126446, 141571, 157779, 174975) and rd.TABEL6_TOTALS == (31774, 30581, 33101, 34916)
    dev = {c["value"]: lo["Udvikling"].get(f"B{a[1:]}", {}).get("value")
           for a, c in lo["Udvikling"].items() if a.startswith("A")}
    assert dev["Udviklingsmidler i alt"] == pytest.approx(59.8)
    assert dev["   heraf øvrige projekter"] == pytest.approx(46.4 - 18.2 - 15)
    assert dev["Dækket af regionerne"] == pytest.approx(41.6)
    assert dev["Region Hovedstadens forventede egenfinansiering"] == pytest.approx(31.2)  # "ca. 31"


@needs_libreoffice
def test_libreoffice_training_and_builder_figures(lo):
    ud = {c["value"]: lo["Uddannelse"].get(f"B{a[1:]}", {}).get("value")
          for a, c in lo["Uddannelse"].items() if a.startswith("A") and isinstance(c["value"], str)}
    assert ud["Kontrol: udpegede − certificerede − under uddannelse"] == 0
    assert ud["Udpegede kliniske byggere"] == 53 and ud["Indmeldte SP-nøglepersoner"] == 1807
    assert ud["Tilmeldt undervisning"] == 189  # 51 % of 370
    assert ud["Ikke tilmeldt undervisning"] == 181
    assert ud["I alt (skal svare til tilmeldte)"] == 189
    q4 = next(a for a, c in lo["Uddannelse"].items() if c["value"] == "4. kvartal 2017 (modtaget undervisning; nye brugere = 171 / 24 pct.)")
    assert lo["Uddannelse"][f"D{q4[1:]}"]["value"] == 713  # 171 / 24 %


@needs_libreoffice
def test_libreoffice_sees_the_lpr_curve_break_after_10_april(lo):
    rows = {c["value"]: r for a, c in lo["LPR"].items() if a.startswith("A") and (r := a[1:])}
    verdict = {h: lo["LPR"][f"H{rows[h]}"]["value"] for h in rd.HOSPITALS}
    # Seed: the total is brought down for these three, and the curve breaks for most.
    assert {h for h, v in verdict.items() if v == "Nedbragt"} == {
        "Bispebjerg og Frederiksberg Hospitaler", "Herlev og Gentofte Hospital", "Hospitalerne i Nordsjælland"}
    assert sum(v in ("Nedbragt", "Knækket") for v in verdict.values()) >= 5


@needs_libreoffice
def test_libreoffice_support_figures_follow_the_report(lo):
    sp = lo["Support"]
    figures = {}
    for a, c in sp.items():
        if a.startswith("A") and isinstance(c["value"], str):
            figures.setdefault(c["value"], []).append(sp.get("B" + a[1:], {}).get("value"))
    avg_created_12, avg_created_3 = figures["Gns. oprettede pr. uge"]
    assert 575 <= avg_created_12 <= 625  # "ca. 600 sager ugentligt"
    assert avg_created_3 < avg_created_12
    _, more_closed_3 = figures["Uger fra uge 10 med flere lukkede end oprettede"]
    assert more_closed_3 >= 8 and figures["Uger fra uge 10 i alt"] == [10, 10]  # "fra uge 10 i de fleste uger"
    l12 = rd.support_levels_1_2()
    assert figures["Aktive sager før de viste uger"][0] == l12.opening
    assert min(l12.created) == l12.created[rd.EASTER_WEEK - 1]  # Easter is the low week


@needs_libreoffice
def test_libreoffice_renders_every_chart(built, tmp_path):
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "180", "pdf", str(built), str(tmp_path),
                           "--dpi", "30", "--max-pages", "1"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    pdf = next(tmp_path.glob("*.pdf"))
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False).stdout.split())
    for sheet_charts in charts_by_sheet(built).values():
        for c in sheet_charts:
            assert c["title"][:30] in text, c["title"]


# -------------------------------- the SP_ cells, computed by a refresh

@pytest.fixture(scope="module")
def refreshed(built, tmp_path_factory) -> dict[str, dict[str, object]]:
    """Every cell of the master after `sp-xl refresh` (built-ins checked against LibreOffice
    above, SP_ functions against the seed here)."""
    from sp_xl.actions.refresh import refresh
    from sp_xl.ooxml.package import XlsxPackage
    path = tmp_path_factory.mktemp("refreshed") / "sp_status.xlsx"
    shutil.copy(built, path)
    summary = refresh(path, backup=False)
    assert not summary.problems and not summary.errors
    pkg = XlsxPackage.open(path)
    return {sheet: pkg.cells(sheet) for sheet in pkg.sheet_names}


def _beside(cells: dict, label: str, col: str = "B") -> object:
    """The value in ``col`` next to a label in column A."""
    row = next(a[1:] for a, v in cells.items() if a[:1] == "A" and a[1:].isdigit() and v == label)
    return cells.get(f"{col}{row}")


def test_sp_cells_reproduce_the_seed_figures(refreshed):
    ud = refreshed["Uddannelse"]
    assert _beside(ud, "Målopfyldelse") == pytest.approx(1807 / 2200)  # 82 %
    assert _beside(ud, "Brugere i alt (senest oplyst)") == 33000
    assert _beside(ud, "Afstand til måltal") == -393
    assert _beside(ud, "Nøglepersoner der kræves (1 pr. 15 brugere)") == 2200
    assert _beside(ud, "Sætning til rapporten").endswith("ca. 82 pct.")
    assert _beside(ud, "Andel uden for Region Hovedstaden (rapporten: 16 %)") == pytest.approx(370 / 2281)
    assert _beside(ud, "Andel certificerede") == pytest.approx(49 / 53)
    assert _beside(ud, "4. kvartal 2017 (modtaget undervisning; nye brugere = 171 / 24 pct.)", "F") == pytest.approx(0.24 / 0.85)
    assert _beside(ud, "4. kvartal 2017 (modtaget undervisning; nye brugere = 171 / 24 pct.)", "H") == "Rød"
    # Graf 1: the months of key persons, the last one the report's February.
    assert _beside(ud, dt.datetime(2018, 2, 1).toordinal() - dt.datetime(1899, 12, 30).toordinal(), "B") == 1807

    ms = refreshed["MinSP"]
    text = _beside(ms, "Sætning til rapporten")
    assert "ca. 50.000" in text and "ca. 40 pct." in text  # the report's own sentence
    assert _beside(ms, "Samlet stigning, ca.") == 50000
    assert _beside(ms, "Samme, afrundet (rapporten: ca. 20 pct.)") == pytest.approx(0.2)
    assert _beside(ms, "I alt", "N") == 174975 - 126446 and _beside(ms, "I alt", "O") == pytest.approx(48529 / 126446)

    dev = refreshed["Udvikling"]
    assert _beside(dev, "Afrundet som i rapporten (ca.)") == 31

    an = refreshed["Anvendelse"]
    top = int(next(a[1:] for a, v in an.items() if str(v).startswith("Tabel 3."))) + 2
    picked = [(an[f"A{i}"], an[f"B{i}"]) for i in range(top, top + 5)]
    assert picked == [(name, rate) for name, _, rate in rd.TABEL3_TOP5]  # the seed's order
    assert [an[f"R{i}"] for i in range(6, 13)] == ["Rød"] * 7  # 1-11 % against 25 %
    assert an["P11"] == pytest.approx(0.11 / 0.25)  # Rigshospitalet, May
    assert an["P5"] == "Målopfyldelse (maj)" and an["G5"] == "maj" and an["H5"] == ""
    assert an["O5"] == "Indeværende måned (maj)" and an["O11"] == 0.11

    lpr = refreshed["LPR"]
    for hospital in ("Bispebjerg og Frederiksberg Hospitaler", "Herlev og Gentofte Hospital",
                     "Hospitalerne i Nordsjælland"):
        peak = _beside(lpr, hospital, "E")
        assert dt.date(1899, 12, 30) + dt.timedelta(days=peak) == rd.LPR_DEADLINE  # the curve's peak

    sup = refreshed["Support"]
    l12, l3 = rd.support_levels_1_2(), rd.support_level_3()
    assert _beside(sup, "Aktive sager nu (seneste uge)") == l12.opening + sum(l12.created) - sum(l12.closed)
    labels = [a for a, v in sup.items() if a[:1] == "B" and v == "uge 1"]
    first3 = max(int(a[1:]) for a in labels)                 # level 3's window: week 1 is its 34th slot
    backlog = [sup[f"F{i}"] for i in range(first3, first3 + 19)]
    running = l3.opening
    for i, (c, k) in enumerate(zip(l3.created, l3.closed)):
        running += c - k
        assert backlog[i] == running
    assert backlog[-1] < max(backlog)  # falling since week 10
