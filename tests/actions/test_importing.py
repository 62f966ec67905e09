"""`sp-xl import`: extracts land in the master's data tables, safely, idempotently and losslessly."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sp_xl.i18n import use_language
from sp_xl.ooxml.patch import write_cells
from sp_xl.importing.record import read_record
from sp_xl.actions.importing import add_arguments, import_extracts, run_cli
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.actions.refresh import refresh
from sp_xl.ooxml.safety import WorkbookRefused
from tests.conftest import CORPUS, lo_recalc, needs_libreoffice
from tests.share.test_share_fixtures import sheet_part

FIXTURES = Path(__file__).resolve().parents[1] / "extracts" / "fixtures"
NOW = dt.datetime(2018, 5, 31, 9, 30)
HOSPITALS = ("Amager og Hvidovre Hospital", "Bispebjerg og Frederiksberg Hospitaler", "Bornholms hospital",
             "Herlev og Gentofte Hospital", "Hospitalerne i Nordsjælland", "Rigshospitalet",
             "Region Hovedstadens Psykiatri")
# tMinSPBrugere on D_Hospitaler: columns I-K (Måned, Hospital, Antal), header row 7, one row per month
# and hospital from row 8: januar rows 8-14, ..., april rows 29-35 (Rigshospitalet april: K34).
ROW = {h: 29 + i for i, h in enumerate(HOSPITALS)}            # the April rows


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from sp_xl.master.build import build_master
    return build_master(tmp_path_factory.mktemp("built") / "sp_status.xlsx")


@pytest.fixture
def master(built, tmp_path) -> Path:
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(built, book)
    return book


def tabel4(path: Path, extracted: str, months: list[str], values: dict[str, list[float]]) -> Path:
    """A wide Tabel 4 export as the SP reporting module writes it (';', Danish thousands)."""
    lines = ["Tabel 4: Brugere oprettet på Min Sundhedsplatform", f"Trukket: {extracted}",
             ";".join(["Hospital", *months])]
    lines += [";".join([h, *(f"{v:,.0f}".replace(",", ".") for v in vs)]) for h, vs in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SEED_T4 = {  # the report's Tabel 4 (seed 000), januar-april
    "Amager og Hvidovre Hospital": [11963, 13631, 15518, 17613],
    "Bispebjerg og Frederiksberg Hospitaler": [12766, 14614, 16665, 18851],
    "Bornholms hospital": [2208, 2510, 2779, 3115],
    "Herlev og Gentofte Hospital": [39621, 43093, 47240, 51416],
    "Hospitalerne i Nordsjælland": [15119, 17278, 19520, 21784],
    "Rigshospitalet": [42097, 47334, 52559, 58253],
    "Region Hovedstadens Psykiatri": [2672, 3111, 3498, 3943],
}
MONTHS = ["januar 2018", "februar 2018", "marts 2018", "april 2018"]


def with_april(delta: int) -> dict[str, list[float]]:
    return {h: [*v[:3], v[3] + delta] for h, v in SEED_T4.items()}


def sheet(book: Path, name: str):
    return openpyxl.load_workbook(book)[name]


def rows_by_key(book: Path, table: str, keys: int = 2) -> dict[tuple, dict[str, object]]:
    """A long table read with openpyxl: its rows by key (the first ``keys`` columns), each as
    {column heading: value, "ref": the row's cells' addresses by heading}."""
    for ws in openpyxl.load_workbook(book).worksheets:
        if table in ws.tables:
            break
    ref = ws.tables[table].ref
    start, end = ws[ref.split(":")[0]], ws[ref.split(":")[1]]
    heads = [ws.cell(start.row, c).value for c in range(start.column, end.column + 1)]
    out = {}
    for r in range(start.row + 1, end.row + 1):
        values = [ws.cell(r, c).value for c in range(start.column, end.column + 1)]
        key = tuple(v.date() if isinstance(v, dt.datetime) else v for v in values[:keys])
        row = dict(zip(heads, values))
        row["ref"] = {h: ws.cell(r, start.column + i).coordinate for i, h in enumerate(heads)}
        out[key] = row
    return out


def members(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist()}


def type_by_hand(book: Path, sheet_name: str, ref: str, value) -> None:
    """What Excel does when the analyst types into a cell: only that cell's XML changes."""
    pkg = XlsxPackage(book.read_bytes())
    part = next(s.part for s in pkg.sheets if s.name == sheet_name)
    old = members(book.read_bytes())
    old[part] = write_cells(old[part], {ref: value})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for n, data in old.items():
            out.writestr(n, data)
    book.write_bytes(buf.getvalue())


# ---------------------------------------------------------------- values land in the right cells

def test_a_monthly_indicator_extract_fills_its_hospital_rows_and_month_columns(master, tmp_path):
    src = tabel4(tmp_path / "minsp_brugere.csv", "31-05-2018", MONTHS, with_april(100))
    summary = import_extracts(master, [src], now=NOW)
    rows = rows_by_key(master, "tMinSPBrugere")
    for h, values in with_april(100).items():
        assert [rows[(dt.date(2018, m, 1), h)]["Antal"] for m in range(1, 5)] == values, h
    ws = sheet(master, "D_Hospitaler")
    assert ws["K34"].style == "SP Input" and ws["K34"].number_format == "#,##0"
    # for the report's readers: the origin the table named, the months, the extraction date
    assert ws["I6"].value == "Kilde: Sundhedsplatformen (Min Sundhedsplatform), januar–april 2018, trukket d. 31. maj 2018"
    f = summary.files[0]
    assert (f.kind, f.count("written"), f.extraction_date) == ("indicators", 4, dt.date(2018, 5, 31))
    # januar-marts equal the master's report numbers: recorded, but no cell changed.
    assert [p.changed_cells for p in f.periods] == [0, 0, 0, 7]
    assert summary.complete and summary.backup is not None and summary.backup.exists()


def test_lpr_days_and_support_weeks_land_in_their_rows(master):
    import_extracts(master, [FIXTURES / "lpr_fejl.csv", FIXTURES / "sager_niveau.csv"], now=NOW)
    lpr = rows_by_key(master, "tLPRFejl")
    built = rows_by_key(master.parent / "sp-xl-backup" / next((master.parent / "sp-xl-backup").iterdir()).name,
                        "tLPRFejl")

    def errors(rows, day, hospital):
        return rows[(day, hospital)]["Fejl"]
    rigs, herlev, amager = "Rigshospitalet", "Herlev og Gentofte Hospital", "Amager og Hvidovre Hospital"
    assert errors(lpr, dt.date(2018, 1, 2), rigs) == 5 and errors(lpr, dt.date(2018, 1, 2), herlev) == 3
    assert errors(lpr, dt.date(2018, 1, 4), rigs) == 0          # no row that day: none added
    assert errors(lpr, dt.date(2018, 4, 11), rigs) == -6 and errors(lpr, dt.date(2018, 3, 20), herlev) == 2
    # Outside the extract's days and hospitals nothing changed, and no row was added.
    assert len(lpr) == len(built) == 138 * 7
    for day, hospital in ((dt.date(2018, 1, 1), rigs), (dt.date(2018, 1, 2), amager), (dt.date(2018, 4, 12), rigs)):
        assert errors(lpr, day, hospital) == errors(built, day, hospital)
    sup = rows_by_key(master, "tSupport", keys=1)
    # Hand count of sager_niveau.csv: week 1 levels 1-2: INC0001, 0002, 0003 created, 0001 closed;
    # week 2 level 3: INC0004, 0005 created, 0004 closed.
    week = {w: list(sup[(dt.date.fromisocalendar(2018, w, 1),)].values())[1:5] for w in (1, 2, 5)}
    assert week[1] == [3, 1, 0, 0] and week[2] == [0, 1, 2, 1]
    assert week[5][0] == 596                   # week 5 is not in the extract: kept
    assert sheet(master, "D_Support")["A11"].value == (
        "Kilde: ServiceNow, CIMT's sagshåndteringssystem, uge 1–4 2018, trukket d. 19. maj 2018; "
        "øvrige tal trukket medio maj 2018")


def test_the_answer_share_uses_the_workbooks_own_working_day_target(master):
    summary = import_extracts(master, [FIXTURES / "minsp_beskeder_2018-05-25.csv"], now=NOW)
    rows = rows_by_key(master, "tMinSPBesvaret")
    rigs = "Rigshospitalet"
    assert rows[(dt.date(2018, 3, 1), rigs)]["Andel"] == pytest.approx(2 / 3)
    assert rows[(dt.date(2018, 4, 1), rigs)]["Andel"] == 0.5
    # May is new: its rows are added under the table, in the extract's hospital order.
    may = {k[1]: v["Andel"] for k, v in rows.items() if k[0] == dt.date(2018, 5, 1)}
    assert set(may) <= set(HOSPITALS) and may
    assert "1 nye rækker" in summary.describe() or "nye rækker" in summary.describe()
    assert summary.complete


def test_a_different_working_day_target_on_the_target_sheet_changes_the_share(master):
    # Hand count: sent Wed 28 March, Easter 29 March-2 April; the 3rd working day after is 5 April,
    # the 4th is 6 April. So of Rigshospitalet's three March messages 2 are in time with 3 days, 3 with 4.
    type_by_hand(master, "Mål", "B11", 4)                    # Mål_SvarHverdage
    import_extracts(master, [FIXTURES / "minsp_beskeder_2018-05-25.csv"], now=NOW)
    assert rows_by_key(master, "tMinSPBesvaret")[(dt.date(2018, 3, 1), "Rigshospitalet")]["Andel"] == 1.0


# ---------------------------------------------------------------- idempotent, newer replaces, older kept

def test_importing_the_same_file_twice_changes_nothing(master, tmp_path):
    src = tabel4(tmp_path / "minsp_brugere.csv", "31-05-2018", MONTHS, with_april(100))
    import_extracts(master, [src], now=NOW)
    once, stamp = master.read_bytes(), master.stat().st_mtime_ns
    backups = sorted((master.parent / "sp-xl-backup").iterdir())
    again = import_extracts(master, [src], now=NOW + dt.timedelta(hours=1))
    assert not again.changed and again.files[0].count("unchanged") == 4
    assert master.read_bytes() == once and master.stat().st_mtime_ns == stamp
    assert sorted((master.parent / "sp-xl-backup").iterdir()) == backups
    assert again.describe().startswith("Uændret: sp_status.xlsx – intet nyt at importere")


def test_a_newer_extract_replaces_its_periods_says_so_and_keeps_the_others(master, tmp_path):
    first = tabel4(tmp_path / "brugere_maj.csv", "19-05-2018", MONTHS, with_april(0))
    import_extracts(master, [first], now=NOW)
    newer = tabel4(tmp_path / "brugere_juni.csv", "2018-06-02", MONTHS[3:], {h: [v[3] + 7] for h, v in SEED_T4.items()})
    summary = import_extracts(master, [newer], now=NOW + dt.timedelta(days=2))
    period = summary.files[0].periods[0]
    assert (period.period, period.status, period.changed_cells) == ("2018-04", "replaced", 7)
    assert "tMinSPBrugere april 2018: erstattet (7 af 7 celler ændret); før fra brugere_maj.csv, trukket d. 19. maj 2018" \
        in summary.describe()
    ws = sheet(master, "D_Hospitaler")
    assert ws["K34"].value == 58253 + 7 and ws["K27"].value == 52559      # Rigshospitalet April, March
    assert ws["I6"].value == ("Kilde: Sundhedsplatformen (Min Sundhedsplatform), januar–marts 2018 trukket d. "
                              "19. maj 2018, april 2018 trukket d. 2. juni 2018")
    rec = read_record(XlsxPackage(master.read_bytes())).tables["tMinSPBrugere"]
    assert {k: p.file for k, p in rec.periods.items()} == {
        "2018-01": "brugere_maj.csv", "2018-02": "brugere_maj.csv", "2018-03": "brugere_maj.csv",
        "2018-04": "brugere_juni.csv"}
    # The older extract again: its April is not put back over the newer one.
    again = import_extracts(master, [first], now=NOW + dt.timedelta(days=3))
    assert [p.status for p in again.files[0].periods] == ["unchanged"] * 3 + ["older"]
    assert not again.complete and sheet(master, "D_Hospitaler")["K34"].value == 58253 + 7
    assert "brugere_juni.csv, trukket d. 2. juni 2018, er nyere og beholdes" in again.describe()


def test_of_two_extracts_in_one_import_the_newer_wins_whatever_their_order(master, tmp_path):
    old = tabel4(tmp_path / "a.csv", "19-05-2018", MONTHS[3:], {"Rigshospitalet": [1000]})
    new = tabel4(tmp_path / "b.csv", "20-05-2018", MONTHS[3:], {"Rigshospitalet": [2000]})
    import_extracts(master, [new, old], now=NOW)
    assert sheet(master, "D_Hospitaler")["K34"].value == 2000


def test_cells_a_newer_extract_lacks_keep_their_value_and_the_summary_says_so(master, tmp_path):
    import_extracts(master, [tabel4(tmp_path / "a.csv", "19-05-2018", MONTHS[3:],
                                    {"Rigshospitalet": [1000], "Bornholms hospital": [10]})], now=NOW)
    summary = import_extracts(master, [tabel4(tmp_path / "b.csv", "20-05-2018", MONTHS[3:],
                                              {"Rigshospitalet": [2000]})], now=NOW)
    ws = sheet(master, "D_Hospitaler")
    assert (ws["K34"].value, ws["K31"].value) == (2000, 10)
    assert "1 celler er ikke med i det nye udtræk og beholder værdien derfra" in summary.describe()


# ---------------------------------------------------------------- hand entries

def test_a_hand_edit_is_a_conflict_and_only_force_replaces_it(master, tmp_path):
    src = tabel4(tmp_path / "brugere.csv", "19-05-2018", MONTHS, with_april(0))
    import_extracts(master, [src], now=NOW)
    type_by_hand(master, "D_Hospitaler", "K34", 60000)         # the analyst corrects Rigshospitalet, April
    newer = tabel4(tmp_path / "brugere2.csv", "25-05-2018", MONTHS, with_april(5))
    before = master.read_bytes()
    summary = import_extracts(master, [newer], now=NOW)
    statuses = [p.status for p in summary.files[0].periods]
    assert statuses == ["replaced", "replaced", "replaced", "conflict"]
    conflict = summary.conflicts
    assert [(c.address, c.current, c.new, c.recorded) for c in conflict] == [
        ("D_Hospitaler!K34", 60000.0, 58258.0, 58253.0)]
    text = summary.describe()
    assert "D_Hospitaler!K34: står 60000 (sidst importeret 58253), udtrækket har 58258" in text
    assert "--force" in text
    ws = sheet(master, "D_Hospitaler")
    assert ws["K34"].value == 60000 and ws["K33"].value == 21784      # the whole period was left alone
    assert master.read_bytes() != before                               # januar-marts: new source recorded
    forced = import_extracts(master, [newer], force=True, now=NOW)
    assert [p.status for p in forced.files[0].periods] == ["unchanged"] * 3 + ["replaced"]
    assert sheet(master, "D_Hospitaler")["K34"].value == 58258


def test_a_value_no_import_wrote_is_a_hand_entry_unless_it_is_the_masters_own(master, tmp_path):
    type_by_hand(master, "D_Hospitaler", "K8", 1)              # never imported, not the master's number
    before = master.read_bytes()
    src = tabel4(tmp_path / "brugere.csv", "19-05-2018", MONTHS[:1], {"Amager og Hvidovre Hospital": [11970],
                                                                      "Rigshospitalet": [42100]})
    summary = import_extracts(master, [src], now=NOW)
    assert [(c.address, c.imported) for c in summary.conflicts] == [("D_Hospitaler!K8", False)]
    assert "aldrig importeret" in summary.describe()
    assert master.read_bytes() == before                               # the only period had a conflict


# ---------------------------------------------------------------- hostile text, departments

def write_orders(path: Path) -> Path:
    rows = ["Afdeling;Hospital;Måned;Fra ordinationssæt;Igangsat af;Godkendt af"]
    hostile = '"=HYPERLINK(""http://x"";""klik"")"'
    rows += [f"{hostile};Rigshospitalet;2018-01;ja;u1;u1"] * 3 + [f"{hostile};Rigshospitalet;2018-01;nej;u1;u1"]
    rows += ["Kardiologi;Herlev og Gentofte Hospital;2018-02;ja;u2;u2", "Kardiologi;Herlev og Gentofte Hospital;2018-02;nej;u2;u2"]
    rows += ["+45 Akut;Bornholms hospital;2018-02;nej;u3;u3"]
    path.write_text("Trukket: 30-05-2018\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


HOSTILE_LABEL = '=HYPERLINK("http://x";"klik"), Rigshospitalet'


def test_hostile_text_from_an_extract_is_stored_as_text_never_as_a_formula(master, tmp_path):
    summary = import_extracts(master, [write_orders(tmp_path / "ordinationer.csv")], now=NOW)
    ws = sheet(master, "D_Afdelinger")        # tAfdelinger: rows 8-22, sorted by name
    assert [ws.cell(r, 1).value for r in (8, 9, 10)] == [
        "+45 Akut, Bornholms hospital", HOSTILE_LABEL, "Kardiologi, Herlev og Gentofte Hospital"]
    assert all(ws.cell(r, 1).data_type == "s" for r in (8, 9, 10))
    assert [ws.cell(9, c).value for c in (2, 3, 4)] == [3, 0.75, "Udtræk (ordinationer.csv)"]
    assert all(ws.cell(r, c).value is None for r in range(11, 23) for c in range(1, 5))   # rows left over: emptied
    assert ws["B11"].style == "SP Input"
    xml = members(master.read_bytes())[sheet_part(master, "D_Afdelinger")]
    cell = re.search(rb'<c r="A9"[^>]*>.*?</c>', xml).group(0)
    assert cell == b'<c r="A9" t="inlineStr"><is><t>=HYPERLINK("http://x";"klik"), Rigshospitalet</t></is></c>'
    rates = rows_by_key(master, "tBestOrdSet")                                            # Tabel 1 rates
    assert rates[(dt.date(2018, 1, 1), "Rigshospitalet")]["Andel"] == 0.75
    assert rates[(dt.date(2018, 2, 1), "Herlev og Gentofte Hospital")]["Andel"] == 0.5
    assert rates[(dt.date(2018, 2, 1), "Bornholms hospital")]["Andel"] == 0
    assert summary.files[0].kind == "orders"


# ---------------------------------------------------------------- what has no slot

def test_a_new_month_grows_the_table_and_an_unknown_hospital_is_refused_with_how_to_map_it(master, tmp_path):
    src = tabel4(tmp_path / "brugere.csv", "19-07-2018", ["april 2018", "juni 2018"],
                 {"Rigshospitalet": [58253, 60000], "Sankt Hans": [10, 11]})
    summary = import_extracts(master, [src], now=NOW)
    text = summary.describe()
    assert "tMinSPBrugere: 'Sankt Hans' kendes ikke som hospital i arbejdsbogen" in text
    assert "D_Enheder" in text and not summary.complete
    assert XlsxPackage(master.read_bytes()).tables()["tMinSPBrugere"][1] == "I7:K36"     # June: one new row
    june = rows_by_key(master, "tMinSPBrugere")[(dt.date(2018, 6, 1), "Rigshospitalet")]
    assert june["Antal"] == 60000 and june["ref"]["Antal"] == "K36"
    with use_language("en"):
        assert "'Sankt Hans' is not known as a hospital" in summary.describe()


def test_a_key_person_list_lands_in_its_month(master):
    summary = import_extracts(master, [FIXTURES / "noeglepersoner_2018-02-28.csv"], now=NOW)
    rows = rows_by_key(master, "tNøglepersoner")
    # Hand count of the fixture: Rigshospitalet Anne Hansen, Bo Jensen, Dorte Ørum is counted at Herlev
    # (her first row); Herlev Carl Nielsen and Dorte Ørum; Bornholm one (the formula-like name).
    february = {k[1]: v["Nøglepersoner"] for k, v in rows.items() if k[0] == dt.date(2018, 2, 1)}
    assert (february["Rigshospitalet"], february["Herlev og Gentofte Hospital"], february["Bornholms hospital"]) == (2, 2, 1)
    assert summary.files[0].periods[0].period == "2018-02"


def test_a_workbook_without_the_masters_tables_is_refused_and_not_rewritten(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Hospital"
    book = tmp_path / "andet.xlsx"
    wb.save(book)
    before = book.read_bytes()
    with pytest.raises(WorkbookRefused, match="ikke en master-projektmappe"):
        import_extracts(book, [FIXTURES / "lpr_fejl.csv"], now=NOW)
    assert book.read_bytes() == before


# ---------------------------------------------------------------- lossless, safe

def test_everything_outside_the_written_cells_stays_byte_identical(master, tmp_path):
    before = members(master.read_bytes())
    src = tabel4(tmp_path / "minsp_brugere.csv", "31-05-2018", MONTHS, with_april(100))
    import_extracts(master, [src, FIXTURES / "lpr_fejl.csv"], refresh=False, now=NOW)
    after = members(master.read_bytes())
    lpr_rows = {r for day in range(1, 101) for r in (8 + 7 * day + 3, 8 + 7 * day + 5)}   # Herlev, Rigshospitalet
    sheets = {sheet_part(master, "D_Hospitaler"): {f"K{r}" for r in range(29, 36)} | {"I6"},
              sheet_part(master, "D_LPR"): {f"C{r}" for r in lpr_rows} | {"A6"}}
    cell = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
    for name, data in before.items():
        if name in sheets:
            def strip(xml, refs=sheets[name]):
                return cell.sub(lambda m: b"" if m.group(1).decode() in refs else m.group(0), xml)
            assert strip(after[name]) == strip(data), name
        elif name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
            added = re.sub(rb'<(?:Override|Relationship) [^>]*customXml[^>]*/>', b"", after[name])
            assert added == data, name
        else:
            assert after[name] == data, name
    assert sorted(set(after) - set(before)) == ["customXml/_rels/item1.xml.rels", "customXml/item1.xml",
                                                 "customXml/itemProps1.xml"]


def test_a_refresh_after_the_import_computes_the_report_from_the_new_numbers(master, tmp_path):
    src = tabel4(tmp_path / "minsp_brugere.csv", "31-05-2018", MONTHS, with_april(100))
    import_extracts(master, [src, write_orders(tmp_path / "ordinationer.csv"),
                             FIXTURES / "lpr_fejl.csv", FIXTURES / "sager_niveau.csv"], now=NOW)
    before = XlsxPackage(master.read_bytes())
    summary = refresh(master, backup=False)
    assert not summary.problems
    after = XlsxPackage(master.read_bytes())           # the import already computed everything
    assert all(after.cells(f.sheet).get(f.ref) == before.cells(f.sheet).get(f.ref)
               for f in before.formulas() if f.sheet != "Forside")
    pkg = XlsxPackage(master.read_bytes())
    assert pkg.cells("MinSP")["A10"] == "Rigshospitalet" and pkg.cells("MinSP")["E10"] == 58253 + 100
    # the record survives the (lossless) refresh: importing again changes nothing
    assert not import_extracts(master, [src], now=NOW).changed


def test_a_workbook_open_in_excel_is_refused_and_left_alone(master, tmp_path):
    (master.parent / ("~$" + master.name)).write_bytes(b"owner")
    before = master.read_bytes()
    with pytest.raises(WorkbookRefused, match="åben i Excel"):
        import_extracts(master, [FIXTURES / "lpr_fejl.csv"])
    assert master.read_bytes() == before


@pytest.mark.parametrize("prepare, words", [
    (lambda p: p.write_bytes((CORPUS / "pass_protected.xlsx").read_bytes()), "adgangskode"),
    (lambda p: p.write_text("dato;antal\n2018-01-01;3\n"), "ikke en Excel-projektmappe"),
    (lambda p: p.write_bytes(p.read_bytes()[:3000]), "beskadiget"),
])
def test_refused_workbooks_are_left_exactly_as_they_were(master, prepare, words):
    prepare(master)
    before = master.read_bytes()
    with pytest.raises(WorkbookRefused, match=words):
        import_extracts(master, [FIXTURES / "lpr_fejl.csv"])
    assert master.read_bytes() == before and sorted(p.name for p in master.parent.iterdir()) == ["sp_status.xlsx"]


def test_a_workbook_saved_meanwhile_is_left_untouched(master):
    def analyst_saves():
        master.write_bytes(master.read_bytes() + b"\0")
    with pytest.raises(WorkbookRefused, match="ændret på disken"):
        import_extracts(master, [FIXTURES / "lpr_fejl.csv"], before_replace=analyst_saves)
    assert not read_record(XlsxPackage(master.read_bytes()[:-1])).tables
    assert sorted(p.name for p in master.parent.iterdir()) == ["sp_status.xlsx"]


def test_an_unreadable_extract_is_listed_and_the_others_are_imported(master):
    summary = import_extracts(master, [FIXTURES / "ukendt.csv", FIXTURES / "lpr_fejl.csv"], now=NOW)
    bad, good = summary.files
    assert str(bad.error).startswith("Filen 'ukendt.csv', række 1") and good.count("written") == 100
    with use_language("en"):
        assert "ukendt.csv: NOT imported – File 'ukendt.csv', row 1" in summary.describe()
    assert "ukendt.csv: IKKE importeret – Filen 'ukendt.csv'" in summary.describe()
    assert not summary.complete and summary.changed


def test_a_dry_run_reports_but_does_not_touch_the_file(master, tmp_path):
    before = master.read_bytes()
    src = tabel4(tmp_path / "minsp_brugere.csv", "31-05-2018", MONTHS, with_april(100))
    summary = import_extracts(master, [src], dry_run=True, now=NOW)
    assert summary.changed and master.read_bytes() == before and summary.backup is None
    assert summary.describe().startswith("Prøvekørsel – sp_status.xlsx er ikke ændret.")
    assert not (master.parent / "sp-xl-backup").exists()


# ---------------------------------------------------------------- command line

def cli(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(parser.parse_args(list(argv)), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_exit_codes_and_json(master, tmp_path):
    src = tabel4(tmp_path / "brugere.csv", "19-05-2018", MONTHS, with_april(0))
    code, out, _ = cli(str(master), str(src), "--json", "--no-backup")
    report = json.loads(out)
    assert code == 0 and report["changed"] and report["files"][0]["written"] == 4
    assert not (master.parent / "sp-xl-backup").exists()
    type_by_hand(master, "D_Hospitaler", "K34", 1)
    newer = tabel4(tmp_path / "brugere2.csv", "20-05-2018", MONTHS[3:], {"Rigshospitalet": [2]})
    code, out, _ = cli(str(master), str(newer))
    assert code == 1 and "D_Hospitaler!K34: står 1" in out
    code, out, _ = cli(str(master), str(newer), "--force")
    assert code == 0 and "erstattet" in out
    code, out, err = cli(str(tmp_path / "mangler.xlsx"), str(src))
    assert code == 2 and err.startswith("Afvist: Filen findes ikke") and "Traceback" not in err


def test_the_ribbon_handler_runs_this_engine_on_the_open_workbook(master, tmp_path):
    from sp_xl.addin.handlers import import_into_workbook
    from tests.importing.fake_open_book import FakeOpenBook
    outcome = import_into_workbook(FakeOpenBook(master), [FIXTURES / "sager_niveau.csv"])
    assert outcome.ok and outcome.lines[0].startswith("Importeret i sp_status.xlsx")


# ---------------------------------------------------------------- LibreOffice as an independent reader

@needs_libreoffice
def test_libreoffice_reads_the_imported_numbers_and_the_hostile_text_as_text(master, tmp_path):
    src = tabel4(tmp_path / "minsp_brugere.csv", "31-05-2018", MONTHS, with_april(100))
    import_extracts(master, [src, write_orders(tmp_path / "ordinationer.csv"), FIXTURES / "lpr_fejl.csv"], now=NOW)
    lo = lo_recalc(master, tmp_path / "lo.json")
    for h, values in with_april(100).items():
        assert lo["D_Hospitaler"][f"K{ROW[h]}"]["value"] == values[3]
        assert lo["MinSP"][f"E{5 + HOSPITALS.index(h)}"]["value"] == values[3]     # the report's April
    hostile = lo["D_Afdelinger"]["A9"]
    assert (hostile["value"], hostile["type"], hostile["formula"]) == (HOSTILE_LABEL, "string", None)
    assert lo["D_Afdelinger"]["C9"]["value"] == 0.75
    assert lo["D_Hospitaler"]["I6"]["value"].startswith("Kilde: Sundhedsplatformen (Min Sundhedsplatform), januar–april")
    assert lo["D_LPR"]["C20"]["value"] == 5 and lo["D_LPR"]["C34"]["value"] == 0    # 2 and 4 Jan, Rigshospitalet


@needs_libreoffice
@pytest.mark.filterwarnings("ignore:Unable to read chart")
def test_a_master_saved_by_another_program_takes_the_import_too(master, tmp_path):
    """LibreOffice re-saves with shared strings, its own row and cell attributes and part names."""
    import subprocess

    from tests.conftest import LO_ORACLE
    saved = tmp_path / "gemt_i_libreoffice.xlsx"
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "180", "roundtrip", str(master), str(saved)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    summary = import_extracts(saved, [FIXTURES / "lpr_fejl.csv", FIXTURES / "sager_niveau.csv"], now=NOW)
    assert summary.complete and summary.changed
    lpr, sup = sheet(saved, "D_LPR"), sheet(saved, "D_Support")
    assert [lpr[f"C{r}"].value for r in (18, 20, 34)] == [3, 5, 0]      # 2 Jan Herlev, Rigshospitalet; 4 Jan
    assert [sup.cell(14, c).value for c in range(2, 6)] == [0, 1, 2, 1]
    assert not import_extracts(saved, [FIXTURES / "lpr_fejl.csv"], now=NOW).changed


def test_hospitals_are_found_under_the_names_the_source_systems_use(master, tmp_path):
    src = tabel4(tmp_path / "brugere.csv", "19-05-2018", MONTHS[3:],
                 {"Nordsjællands Hospital": [21790], "BISPEBJERG OG FREDERIKSBERG HOSPITAL": [18860],
                  "Psykiatrien Region Hovedstaden": [3950]})
    summary = import_extracts(master, [src], now=NOW)
    ws = sheet(master, "D_Hospitaler")
    assert [ws[f"K{ROW[h]}"].value for h in ("Hospitalerne i Nordsjælland", "Bispebjerg og Frederiksberg Hospitaler",
                                            "Region Hovedstadens Psykiatri")] == [21790, 18860, 3950]
    assert summary.complete


def test_an_import_never_writes_into_a_tables_totals_row(master, tmp_path):
    type_by_hand(master, "D_Afdelinger", "A23", "I alt")
    parts = members(master.read_bytes())
    name = next(n for n, d in parts.items() if n.startswith("xl/tables/") and b'displayName="tAfdelinger"' in d)
    parts[name] = parts[name].replace(b'ref="A7:D22"', b'ref="A7:D23" totalsRowCount="1"', 1)
    assert b'totalsRowCount="1"' in parts[name]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for n, data in parts.items():
            out.writestr(n, data)
    master.write_bytes(buf.getvalue())
    summary = import_extracts(master, [write_orders(tmp_path / "ordinationer.csv")], now=NOW)
    ws = sheet(master, "D_Afdelinger")
    assert ws["A9"].value == HOSTILE_LABEL and ws["A22"].value is None
    assert ws["A23"].value == "I alt"                                     # the totals row
    assert summary.files[0].periods[-1].cells == 15 * 4


def test_more_departments_than_rows_grow_their_table_and_the_top_5_reads_them_all(master, tmp_path):
    rows = ["Trukket: 2018-06-30", "Afdeling;Hospital;Måned;Fra ordinationssæt;Igangsat af;Godkendt af"]
    for d in range(20):                      # 20 departments; department d uses order sets (d % 5 + 1) of 5 times
        rows += [f"Afdeling {d:02d};Rigshospitalet;2018-06;{'ja' if k <= d % 5 else 'nej'};u{d};u{d}" for k in range(5)]
    src = tmp_path / "ordinationer.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = import_extracts(master, [src], now=NOW)
    assert "tAfdelinger hele tabellen: skrevet (80 af 80 celler ændret, 5 nye rækker)" in summary.describe()
    pkg = XlsxPackage(master.read_bytes())
    assert pkg.tables()["tAfdelinger"][1] == "A7:D27"
    usage = pkg.cells("Anvendelse")
    top = [usage[f"A{r}"] for r in range(28, 33)]
    # Rate 100 % for departments 4, 9, 14, 19 (first in ranking), then 80 % from 3, 8, ...: a hand count.
    assert top == [f"Afdeling {d:02d}, Rigshospitalet" for d in (4, 9, 14, 19, 3)]
