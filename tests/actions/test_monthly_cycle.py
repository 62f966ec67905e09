"""The monthly cycle, as an analyst lives it: a copy of the master takes three new months of
every monthly extract, four ISO weeks of cases, 30 days of LPR errors across a month end, a
hospital spelled in a new way, a January of the next year and a corrected month - and after
each step the report shows the new period as its latest, with the numbers worked out here by
hand from the extracts, with no formula, chart or name edited.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from sp_xl.actions.check import check_file
from sp_xl.actions.importing import import_extracts
from sp_xl.master import report_data as rd
from sp_xl.master.build import build_master
from sp_xl.ooxml.cellrefs import col_letters, split_ref
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.patch import write_cells
from sp_xl.ooxml.tables import grow, table_infos
from tests.conftest import LO_ORACLE, needs_libreoffice

H = rd.HOSPITALS
RIGS, HERLEV, BORNHOLM = "Rigshospitalet", "Herlev og Gentofte Hospital", "Bornholms hospital"
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")
NOW = dt.datetime(2018, 9, 1, 8, 0)


# ---------------------------------------------------------------- the extracts, as the systems write them

def share_of(hospital: str, month: dt.date) -> float:
    """Tabel 1's share for a hospital and month: whole per cent, different for every month."""
    return (5 + H.index(hospital) * 2 + month.month) / 100


def users_of(hospital: str, month: dt.date) -> int:
    return 10000 + 1000 * H.index(hospital) + 300 * month.month + (month.year - 2018) * 5000


def indicators(path: Path, extracted: dt.date, months: list[dt.date], names: dict[str, str] | None = None,
               t1: dict | None = None) -> Path:
    """A long indicator export: Tabel 1 and 2 (shares) and Tabel 4 and 6 (counts) per hospital and month.
    ``names`` respells hospitals as the source system does; ``t1`` overrides Tabel 1's shares."""
    rows = ["Trukket: " + extracted.isoformat(), "Hospital;Indikator;Måned;Værdi"]
    for month in months:
        label = f"{MONTHS[month.month - 1]} {month.year}"
        for h in H:
            shown = (names or {}).get(h, h)
            share = (t1 or {}).get((h, month), share_of(h, month))
            rows.append(f"{shown};Best./Ord.-set indlagte;{label};{round(share * 100)} %")
            rows.append(f"{shown};SmartSet ambulante;{label};{round(share * 100) + 3} %")
            rows.append(f"{shown};Brugere oprettet på Min SP;{label};{users_of(h, month)}")
            rows.append(f"{shown};Patienter aktive på Min SP;{label};{users_of(h, month) // 5}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def messages(path: Path, extracted: dt.date, month: dt.date) -> Path:
    """Min SP messages: Rigshospitalet's four in the month, three answered the next working day."""
    rows = ["Trukket: " + extracted.isoformat(), "Hospital;Sendt;Besvaret"]
    day = month.replace(day=4)
    while day.weekday() != 1:                     # a Tuesday: the next day is a working day
        day += dt.timedelta(days=1)
    for i in range(4):
        sent = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(weeks=i)
        answered = sent + dt.timedelta(days=1) if i < 3 else sent + dt.timedelta(days=14)
        rows.append(f"{RIGS};{sent:%Y-%m-%d %H:%M};{answered:%Y-%m-%d %H:%M}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def key_persons(folder: Path, day: dt.date, per_hospital: dict[str, int]) -> Path:
    path = folder / f"noeglepersoner_{day.isoformat()}.csv"
    rows = ["Navn;E-mail;Hospital"]
    for h, n in per_hospital.items():
        rows += [f"Person {H.index(h)}-{i};p{H.index(h)}.{i}@regionh.dk;{h}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def lpr(path: Path, extracted: dt.date, days: list[dt.date]) -> Path:
    """Rigshospitalet 3 new errors a day, Herlev 2 corrected a day."""
    rows = [f"Udtræksdato: {extracted.isoformat()}", "Dato;Hospital;Antal fejl"]
    for d in days:
        rows.append(f"{d:%Y-%m-%d};{RIGS};3")
        rows.append(f"{d:%Y-%m-%d};{HERLEV};-2")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


CASES_PER_WEEK = {"12": (5, 3), "3": (2, 4)}      # (created, closed) a week, levels 1-2 and 3


def cases(path: Path, extracted: dt.date, weeks: list[tuple[int, int]]) -> Path:
    """Per ISO week, level 1-2: 5 created, 3 of them closed that week; level 3: 2 created and
    closed, plus 2 closed that were opened in the week before (the first week: in it)."""
    rows = ["Trukket: " + extracted.isoformat(), "Sagsnummer;Oprettet;Lukket;Tildelingsgruppe"]
    n = 0
    for year, week in weeks:
        monday = dt.date.fromisocalendar(year, week, 1)
        for level, group in (("12", "SP Niveau 1 Herlev"), ("3", "CIMT Niveau 3 Epic")):
            created, closed = CASES_PER_WEEK[level]
            for i in range(created):
                n += 1
                opened = dt.datetime.combine(monday, dt.time(9 + i))
                shut = opened + dt.timedelta(days=2) if i < min(created, closed) else None
                rows.append(f"INC{n:05d};{opened:%Y-%m-%d %H:%M};{shut:%Y-%m-%d %H:%M}" if shut else
                            f"INC{n:05d};{opened:%Y-%m-%d %H:%M};")
                rows[-1] += f";{group}"
            for i in range(closed - created):     # level 3 closes more than it opens
                n += 1
                opened = dt.datetime.combine(monday, dt.time(8))
                shut = opened + dt.timedelta(days=3)
                rows.append(f"INC{n:05d};{opened:%Y-%m-%d %H:%M};{shut:%Y-%m-%d %H:%M};{group}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- reading the workbook back

def cells(book: Path, sheet: str) -> dict[str, object]:
    return XlsxPackage.open(book).cells(sheet)


def sheet_xml(book: Path, sheet: str) -> bytes:
    pkg = XlsxPackage.open(book)
    return pkg.read(next(s.part for s in pkg.sheets if s.name == sheet))


def hidden_columns(book: Path, sheet: str) -> set[int]:
    out = set()
    for m in re.finditer(rb'<col min="(\d+)" max="(\d+)"([^>]*)/>', sheet_xml(book, sheet)):
        if b'hidden="1"' in m.group(3):
            out |= set(range(int(m.group(1)), int(m.group(2)) + 1))
    return out


def hidden_rows(book: Path, sheet: str) -> set[int]:
    return {int(r) for r in re.findall(rb'<row r="(\d+)"[^>]*hidden="1"', sheet_xml(book, sheet))}


def chart_refs(book: Path) -> list[str]:
    with zipfile.ZipFile(book) as z:
        return [f.decode() for n in z.namelist() if n.startswith("xl/charts/chart")
                for f in re.findall(rb"<(?:c:)?f>([^<]*)</(?:c:)?f>", z.read(n))]


def covers(refs: list[str], sheet: str, col: int, row: int) -> bool:
    """Some chart range on ``sheet`` contains the cell (row, col)."""
    for ref in refs:
        s, _, rng = ref.rpartition("!")
        if s.strip("'") != sheet or ":" not in rng:
            continue
        (r1, c1), (r2, c2) = (split_ref(p.replace("$", "")) for p in rng.split(":"))
        if r1 <= row <= r2 and c1 <= col <= c2:
            return True
    return False


def type_row_under_table(book: Path, table: str, values: list[object]) -> None:
    """What Excel does when the analyst types a row right under a table: the row joins it."""
    pkg = XlsxPackage(book.read_bytes())
    info = table_infos(pkg)[table]
    row = info.r2 + 1
    replaced = {info.sheet_part: write_cells(pkg.read(info.sheet_part),
                                             {f"{col_letters(info.c1 + i)}{row}": v for i, v in enumerate(values)})}
    grow(pkg, replaced, {table: row})
    with zipfile.ZipFile(io.BytesIO(book.read_bytes())) as src:
        members = {n: src.read(n) for n in src.namelist()}
    members.update(replaced)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for n, data in members.items():
            out.writestr(n, data)
    book.write_bytes(buf.getvalue())


def serial(d: dt.date) -> float:
    return float((d - dt.date(1899, 12, 30)).days)


# ---------------------------------------------------------------- the journey

@pytest.fixture(scope="module")
def journey(tmp_path_factory):
    """The workbook after each step (a copy per step), and what each import said."""
    folder = tmp_path_factory.mktemp("cycle")
    book = build_master(folder / "sp_status.xlsx")
    steps: dict[str, tuple[Path, object]] = {}

    def step(name: str, files: list[Path], when: dt.datetime) -> None:
        summary = import_extracts(book, files, backup=False, now=when)
        snapshot = folder / f"{name}.xlsx"
        shutil.copy(book, snapshot)
        steps[name] = (snapshot, summary)

    months = [dt.date(2018, m, 1) for m in (6, 7, 8)]
    # Three months of every monthly extract: Tabel 1/2 had January-May, Tabel 4-6 January-April,
    # so the first extract also brings Tabel 4 and 6's May; key person lists at each month's end.
    for i, month in enumerate(months):
        extracted = month.replace(day=20)
        span = [dt.date(2018, 5, 1), month] if i == 0 else [month]
        files = [indicators(folder / f"sp_{month:%Y_%m}.csv", extracted, span),
                 messages(folder / f"minsp_beskeder_{month:%Y_%m}.csv", extracted, month - dt.timedelta(days=31)
                          if i == 0 else month),
                 key_persons(folder, dt.date(2018, 3 + i, 28), {RIGS: 10 + i, HERLEV: 5, BORNHOLM: 2})]
        if i == 0:
            files.append(messages(folder / "minsp_beskeder_2018_06b.csv", extracted, month))
        step(f"month{i + 1}", files, dt.datetime.combine(extracted, dt.time(9)))
    step("weeks", [cases(folder / "sager.csv", dt.date(2018, 6, 10), [(2018, w) for w in (20, 21, 22, 23)])],
         dt.datetime(2018, 6, 10, 9))
    lpr_days = [dt.date(2018, 5, 19) + dt.timedelta(days=i) for i in range(30)]
    step("days", [lpr(folder / "lpr.csv", dt.date(2018, 6, 18), lpr_days)], dt.datetime(2018, 6, 18, 9))
    # September: Bornholm arrives under a new spelling, Rigshospitalet under one the master maps.
    respelled = {BORNHOLM: "Hospital Bornholm", RIGS: "Rigshospitalet - Glostrup"}
    september = indicators(folder / "sp_2018_09.csv", dt.date(2018, 9, 20), [dt.date(2018, 9, 1)], respelled)
    step("new_name", [september], dt.datetime(2018, 9, 20, 9))
    type_row_under_table(book, "tEnheder", ["Hospital Bornholm", BORNHOLM])      # the analyst maps it once
    step("mapped", [september], dt.datetime(2018, 9, 21, 9))
    # January of the next year, for every kind of data.
    january = dt.date(2019, 1, 1)
    step("january", [indicators(folder / "sp_2019_01.csv", dt.date(2019, 1, 25), [january]),
                     lpr(folder / "lpr_2019.csv", dt.date(2019, 1, 11), [january + dt.timedelta(days=i) for i in range(10)]),
                     cases(folder / "sager_2019.csv", dt.date(2019, 1, 14), [(2019, 1), (2019, 2)])],
         dt.datetime(2019, 1, 25, 9))
    # A corrected July: Rigshospitalet's Tabel 1 share was 20 %, not 17 %.
    corrected = indicators(folder / "sp_2018_07_rettet.csv", dt.date(2019, 1, 28), [dt.date(2018, 7, 1)],
                           t1={(RIGS, dt.date(2018, 7, 1)): 0.20})
    step("corrected", [corrected], dt.datetime(2019, 1, 28, 9))
    before = book.read_bytes()
    step("again", [corrected], dt.datetime(2019, 1, 29, 9))
    return steps, before


def test_every_import_is_complete_and_computes_the_report(journey):
    steps, _ = journey
    for name, (_, summary) in steps.items():
        if name in ("new_name", "again"):
            continue
        assert summary.complete, (name, summary.describe())
        assert summary.refreshed and not summary.refresh_problems, name


def test_three_new_months_grow_the_tables_and_become_the_reports_latest(journey):
    steps, _ = journey
    for i, month in enumerate(dt.date(2018, m, 1) for m in (6, 7, 8)):
        book, summary = steps[f"month{i + 1}"]
        name = f"{MONTHS[month.month - 1]} {month.year}"
        # tBestOrdSet: 5 months of 7 hospitals at first, from row 8; 7 rows more per month.
        assert XlsxPackage.open(book).tables()["tBestOrdSet"][1] == f"A7:C{7 + 7 * (5 + i + 1)}"
        assert f"tBestOrdSet {name}: skrevet (21 af 21 celler ændret, 7 nye rækker)" in summary.describe()
        usage = cells(book, "Anvendelse")
        col = 2 + month.month                               # column C is januar
        letter, after = col_letters(col), col_letters(col + 1)
        assert usage[f"{letter}5"] == MONTHS[month.month - 1] and usage[f"{after}5"] == ""
        for r, h in enumerate(H, start=6):
            assert usage[f"{letter}{r}"] == pytest.approx(share_of(h, month)), (month, h)
            assert usage[f"O{r}"] == pytest.approx(share_of(h, month))             # the latest month
            assert usage[f"P{r}"] == pytest.approx(share_of(h, month) / 0.25)       # its attainment
        assert usage["P5"] == f"Målopfyldelse ({MONTHS[month.month - 1]})"
        assert hidden_columns(book, "Anvendelse") == set(range(col + 1, 15))        # the months after it
        # Tabel 4 on MinSP (January in column B): the month, its total and the growth from January,
        # worked out from the extract and the report's January; the chart's categories include it.
        minsp = cells(book, "MinSP")
        m_letter = col_letters(col - 1)
        total = sum(users_of(h, month) for h in H)
        assert minsp[f"{m_letter}4"] == MONTHS[month.month - 1] and minsp[f"{m_letter}12"] == total
        assert minsp["N12"] == total - rd.TABEL4_TOTALS[0]
        assert minsp["N4"] == f"Vækst jan.–{('jun.', 'jul.', 'aug.')[i]} (antal)"
        assert covers(chart_refs(book), "MinSP", col - 1, 4) and col - 1 not in hidden_columns(book, "MinSP")


def test_key_persons_become_a_monthly_table_with_its_charts(journey):
    steps, _ = journey
    book, _ = steps["month3"]
    people = cells(book, "Uddannelse")
    # The window's latest month is May 2018 (the third list), its count the list's 12 + 5 + 2.
    assert people["A16"] == serial(dt.date(2018, 5, 1)) and people["B16"] == 12 + 5 + 2
    assert people["B15"] == 11 + 5 + 2 and people["B14"] == 10 + 5 + 2
    assert people["E16"] == pytest.approx((12 + 5 + 2) / 2200)
    graf1 = [r for r in chart_refs(book) if "Uddannelse" in r and "$B$" in r]
    assert any("$B$5:$B$16" in r for r in graf1)
    assert 16 not in hidden_rows(book, "Uddannelse") and 8 in hidden_rows(book, "Uddannelse")


def test_four_weeks_of_cases_extend_the_backlog(journey):
    steps, _ = journey
    book, summary = steps["weeks"]
    support = cells(book, "Support")
    last = 71                                            # the window's last slot (level 1-2)
    assert support[f"A{last}"] == serial(dt.date.fromisocalendar(2018, 23, 1)) and support[f"B{last}"] == "uge 23"
    assert (support[f"C{last}"], support[f"D{last}"]) == CASES_PER_WEEK["12"]
    l12 = rd.support_levels_1_2()
    backlog19 = l12.opening + sum(l12.created) - sum(l12.closed)
    assert support[f"F{last}"] == backlog19 + 4 * (5 - 3)
    assert support["B12"] == support[f"F{last}"]        # "Aktive sager nu"
    refs = chart_refs(book)
    assert covers(refs, "Support", 3, last) and last not in hidden_rows(book, "Support")
    assert "tSupport uge 20 2018 … uge 23 2018 (4 perioder): skrevet" in summary.describe()


def test_thirty_days_of_lpr_errors_across_a_month_end(journey):
    steps, _ = journey
    book, _ = steps["days"]
    lpr_sheet = cells(book, "LPR-bilag")
    first = 7                                            # 1 January
    last = first + (dt.date(2018, 6, 17) - dt.date(2018, 1, 1)).days
    assert lpr_sheet[f"A{last}"] == serial(dt.date(2018, 6, 17)) and lpr_sheet[f"A{last + 1}"] == ""
    col = 2 + H.index(RIGS)
    daily = rd.lpr_daily_net_errors()
    assert lpr_sheet[f"{col_letters(col)}{last}"] == sum(daily[RIGS]) + 30 * 3
    assert lpr_sheet[f"{col_letters(2 + H.index(HERLEV))}{last}"] == sum(daily[HERLEV]) - 30 * 2
    hidden = hidden_rows(book, "LPR-bilag")
    assert last not in hidden and last + 1 in hidden and first + 365 in hidden
    assert covers(chart_refs(book), "LPR-bilag", col, last)


def test_a_new_spelling_is_refused_until_mapped_once_then_lands(journey):
    steps, _ = journey
    book, summary = steps["new_name"]
    text = summary.describe()
    assert "'Hospital Bornholm' kendes ikke som hospital i arbejdsbogen" in text and "D_Enheder" in text
    assert not summary.complete
    usage = cells(book, "Anvendelse")
    assert usage["K11"] == pytest.approx(share_of(RIGS, dt.date(2018, 9, 1)))   # Rigshospitalet - Glostrup: mapped
    assert usage["K8"] == ""                                                       # Bornholm: not yet
    book, summary = steps["mapped"]
    assert summary.complete
    assert cells(book, "Anvendelse")["K8"] == pytest.approx(share_of(BORNHOLM, dt.date(2018, 9, 1)))


def test_january_starts_the_year_to_date_tables_again_and_the_trends_carry_on(journey):
    steps, _ = journey
    book, _ = steps["january"]
    usage = cells(book, "Anvendelse")
    january = dt.date(2019, 1, 1)
    assert usage["C5"] == "januar" and usage["D5"] == ""
    assert usage["C11"] == pytest.approx(share_of(RIGS, january)) and usage["O11"] == usage["C11"]
    assert hidden_columns(book, "Anvendelse") == set(range(4, 15))
    assert cells(book, "Mål")["B27"] == serial(january)               # Seneste_BestOrdSet
    # The LPR year is 2019 now: the running total starts again on 1 January.
    days = cells(book, "LPR-bilag")
    assert days["A5"] == "Akkumulerede LPR-fejl pr. dag, 2019"
    assert days["A7"] == serial(january) and days["G7"] == 3 and days["G16"] == 30
    assert cells(book, "LPR")["H7"] == "Fristen er fra et andet år"     # last year's deadline
    # The support window runs across New Year: week 2 of 2019 is its latest, the backlog goes on.
    support = cells(book, "Support")
    assert support["B71"] == "uge 2" and support["B70"] == "uge 1" and support["B69"] == "uge 52"
    weeks_shown = [support[f"B{r}"] for r in range(20, 72) if support[f"B{r}"]]
    assert weeks_shown[0] == "uge 3" and len(weeks_shown) == 52      # the latest 52 weeks, back into 2018
    l12 = rd.support_levels_1_2()
    backlog = l12.opening + sum(l12.created) - sum(l12.closed) + 6 * (5 - 3)
    assert support["F71"] == backlog


def test_a_corrected_month_replaces_its_numbers_and_says_so(journey):
    steps, _ = journey
    book, summary = steps["corrected"]
    text = summary.describe()
    assert "tBestOrdSet juli 2018: erstattet" in text and "før fra sp_2018_07.csv" in text
    rows = {}
    pkg = XlsxPackage.open(book)
    from sp_xl.importing.record import read_record
    assert read_record(pkg).tables["tBestOrdSet"].periods["2018-07"].file == "sp_2018_07_rettet.csv"
    data = pkg.cells("D_Hospitaler")
    for r in range(8, 200):
        if data.get(f"A{r}") == serial(dt.date(2018, 7, 1)):
            rows[data[f"B{r}"]] = data[f"C{r}"]
    assert rows[RIGS] == pytest.approx(0.20) and rows[HERLEV] == pytest.approx(share_of(HERLEV, dt.date(2018, 7, 1)))


def test_the_same_extract_twice_changes_nothing(journey):
    steps, before = journey
    book, summary = steps["again"]
    assert not summary.changed and book.read_bytes() == before


def test_the_check_knows_the_calendar_after_the_year(journey):
    steps, _ = journey
    book, _ = steps["corrected"]
    outcome = check_file(book)
    text = "\n".join(outcome.lines)
    # September 2018 came, then January 2019: October to December are missing in the middle.
    assert "tBestOrdSet mangler oktober 2018, november 2018, december 2018." in text
    assert "tBestOrdSet januar 2019" in outcome.lines[-1] and "tLPRFejl 10-01-2019" in outcome.lines[-1]
    assert "Bemærk: Fristen for rettelser i LPR (Par_LPRFrist, 10-04-2018) ligger ikke i LPR-året 2019" in text
    assert not outcome.ok


@needs_libreoffice
def test_the_readers_copy_after_the_year_renders_the_new_periods_without_errors(journey, tmp_path):
    from sp_xl.actions.share import share_copy
    steps, _ = journey
    book, _ = steps["month3"]
    master = tmp_path / "sp_status.xlsx"
    shutil.copy(book, master)
    copy = share_copy(master, now=dt.datetime(2018, 9, 1, 9)).path
    proc = subprocess.run(["python3", str(LO_ORACLE), "--timeout", "240", "pdf", str(copy), str(tmp_path),
                           "--dpi", "30"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    pdf = next(tmp_path.glob("*.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    errors = [line.strip() for line in text.splitlines() if re.search(r"#(REF!|NAME\?|VALUE!|DIV/0!|N/A)", line)]
    # The front sheet's prose names #NAME? when it explains the add-in; no cell shows an error.
    assert all("uden det viser cellerne #NAME?" in line for line in errors), errors
    usage = text[text.find("2. Anvendelse"):text.find("Tabel 2.")]
    assert "august" in usage and "(august)" in usage and "september" not in usage   # August is the latest
