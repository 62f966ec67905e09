"""read_extract as a whole: provenance, refusals with file/row/column, languages, real files."""

import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import pytest

from sp_xl import i18n
from sp_xl.extracts import ExtractError, read_extract

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "real-xlsx"
CASES = "Sagsnummer;Oprettet;Lukket;Niveau\nINC1;2018-01-02;2018-01-03;1\n"
CASES_ROWS = [row.split(";") for row in CASES.strip().split("\n")]


def test_extraction_date_from_a_header_line_beats_the_file_name(extract_of):
    e = extract_of("sager_2018-01-31.csv", "Udtrukket d. 19. maj 2018\n" + CASES)
    assert e.extraction_date == dt.date(2018, 5, 19)
    assert e.source_file == "sager_2018-01-31.csv"
    assert "linjen over tabellen" in str(e.extraction_date_rule)


def test_extraction_date_from_a_compact_file_name(extract_of):
    assert extract_of("sager20180519.csv", CASES).extraction_date == dt.date(2018, 5, 19)


def test_extraction_date_from_workbook_properties(tmp_path, xlsx):
    # openpyxl stamps 'modified' with the time of saving; set the export's time
    saved = xlsx(tmp_path / "saved.xlsx", CASES_ROWS)
    p = tmp_path / "sager.xlsx"
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(p, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2018-05-19T12:00:00Z", data)
            dst.writestr(item, data)
    e = read_extract(p)
    assert e.extraction_date == dt.date(2018, 5, 19)
    assert "egenskaber" in str(e.extraction_date_rule)


def test_extraction_date_from_file_time_comes_with_a_warning(written):
    p = written("sager.csv", CASES)
    stamp = dt.datetime(2018, 5, 19, 12).timestamp()
    os.utime(p, (stamp, stamp))
    e = read_extract(p)
    assert e.extraction_date == dt.date(2018, 5, 19)
    assert "ændringstidspunkt" in str(e.warnings[0])


def test_ambiguous_extraction_date_is_refused(refusal):
    refusal("sager.csv", "Trukket: 05-04-2018\n" + CASES, match="tvetydig")


def test_wrong_number_of_fields_names_the_line(fixture_path):
    with pytest.raises(ExtractError) as info:
        read_extract(fixture_path("forkert_antal_felter.csv"))
    assert (info.value.file, info.value.row) == ("forkert_antal_felter.csv", 3)


def test_unknown_file_is_refused_in_danish_and_english(fixture_path):
    with pytest.raises(ExtractError) as info:
        read_extract(fixture_path("ukendt.csv"))
    assert str(info.value).startswith("Filen 'ukendt.csv', række 1, kolonne 'Patient': ")
    with i18n.use_language("en"):
        assert str(info.value).startswith("File 'ukendt.csv', row 1, column 'Patient': ")
        assert "not a known extract" in str(info.value)


def test_row_numbers_skip_preamble_and_blank_lines(refusal):
    error = refusal("sager_2018-05-19.csv",
                    "Kilde: ServiceNow\n\nSagsnummer;Oprettet;Lukket;Niveau\nINC1;2018-01-02;;1\n\nINC2;2018-01-32;;1\n")
    assert (error.row, error.column) == (6, "Oprettet")


def test_empty_missing_and_broken_files(tmp_path, written):
    written("tom.csv", b"")
    written("itu.xlsx", b"PK\x03\x04 not really a workbook")
    for name, words in [("tom.csv", "tom"), ("findes_ikke.csv", "findes ikke"), ("itu.xlsx", "regneark")]:
        with pytest.raises(ExtractError, match=words):
            read_extract(tmp_path / name)


def test_header_without_data_is_refused(refusal):
    assert refusal("lpr_2018-05-19.csv", "Dato;Hospital;Antal fejl\n\n", match="ingen datarækker").row == 1


def test_a_workbook_named_csv_is_read_as_a_workbook_and_binary_junk_is_refused(tmp_path, xlsx, refusal):
    xlsx(tmp_path / "sager_2018-05-19.csv", CASES_ROWS)
    assert read_extract(tmp_path / "sager_2018-05-19.csv").tables["cases"]["number"].tolist() == ["INC1"]
    refusal("junk.csv", bytes(range(256)) * 10, match="hverken en tekstfil")


def test_tab_separated_utf16_file(extract_of):
    e = extract_of("beskeder_2018-05-25.txt",
                   "Hospital\tSendt\tBesvaret\nRigshospitalet\t2018-05-01 10:00\t2018-05-02 10:00\n".encode("utf-16"))
    assert e.tables["by_month"].answered_within.tolist() == [1]


def test_windows_1252_text_after_a_long_ascii_start(extract_of):
    rows = "".join(f"INC{i};2018-01-02;;1\n" for i in range(5000))
    e = extract_of("sager_2018-05-19.csv",
                   ("Sagsnummer;Oprettet;Lukket;Niveau\n" + rows + "Sag æøå;2018-01-02;;1\n").encode("cp1252"))
    assert e.tables["cases"]["number"].iloc[-1] == "Sag æøå"


def test_bytes_that_are_no_windows_1252_are_refused_with_the_line(refusal):
    error = refusal("sager_2018-05-19.csv",
                    b"Sagsnummer;Oprettet;Lukket;Niveau\nINC1;2018-01-02;;1\nINC\x81\xe6;2018-01-02;;1\n")
    assert error.row == 3


def test_xlsx_error_rows_are_excel_rows(tmp_path, xlsx):
    p = xlsx(tmp_path / "incidents_2018-05-19.xlsx", [
        ["Rapport fra ServiceNow"],
        [],
        ["Number", "Opened", "Closed", "Level"],
        ["INC1", dt.datetime(2018, 1, 2), None, 1],
        ["INC2", "not a date", None, 2],
    ])
    with pytest.raises(ExtractError) as info:
        read_extract(p)
    assert (info.value.row, info.value.column) == (5, "Opened")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus of real workbooks is not beside the repository")
def test_real_workbooks_that_are_no_extract_are_refused_cleanly():
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xlsm"))
    assert len(files) > 50
    for p in files:
        with pytest.raises(ExtractError):
            read_extract(p)


def test_a_vertical_tab_or_form_feed_is_not_a_line_break(tmp_path, fixture_path):
    """Found by the property test: str.splitlines broke lines where the CSV reader does not,
    so the header was looked for in the wrong row (an internal error)."""
    from sp_xl.extracts import read_extract
    data = fixture_path("lpr_fejl.csv").read_bytes()
    for junk in (b"\x0b", b"\x0c", b"\x1c"):
        path = tmp_path / "lpr_fejl.csv"
        path.write_bytes(junk + data)
        assert read_extract(path).tables["daily"].errors.sum() == read_extract(fixture_path("lpr_fejl.csv")).tables[
            "daily"].errors.sum()
