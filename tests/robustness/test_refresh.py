"""`sp-xl refresh` under bad input and faults: a result, or one Danish refusal and nothing touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.robustness.conftest import (
    BAD_WORKBOOKS,
    MASTER,
    assert_one_danish_line,
    assert_refused,
    disk_full,
    make_bad,
    members,
    read_only_folder,
    rezip,
    snapshot,
    temp_files,
    unreadable,
    with_dtd,
    xml_parts,
)


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, path)
    return path


@pytest.mark.parametrize("kind", sorted(BAD_WORKBOOKS))
def test_a_bad_workbook_is_refused_in_place_and_to_a_copy(tmp_path, run, kind):
    bad = make_bad(kind, tmp_path)
    report = tmp_path / "rapport.xlsx"
    shutil.copy(MASTER, report)                       # a good report that must survive
    before = snapshot(tmp_path)
    assert_refused(run("refresh", bad), before, snapshot(tmp_path), *BAD_WORKBOOKS[kind])
    assert_refused(run("refresh", bad, "-o", report, "--overwrite"), before, snapshot(tmp_path), *BAD_WORKBOOKS[kind])
    assert_refused(run("refresh", bad, "-o", tmp_path / "ny.xlsx"), before, snapshot(tmp_path))


def test_a_dtd_in_any_xml_part_is_refused_and_nothing_is_copied(tmp_path, run):
    parts = members(MASTER.read_bytes())
    for part in xml_parts(MASTER.read_bytes()):
        bad = tmp_path / "ond.xlsx"
        bad.write_bytes(rezip({**parts, part: with_dtd(parts[part])}))
        before = snapshot(tmp_path)
        assert_refused(run("refresh", bad, "-o", tmp_path / "kopi.xlsx"), before, snapshot(tmp_path), "DTD", part)
        assert_refused(run("refresh", bad), before, snapshot(tmp_path), "DTD")


def test_a_folder_and_a_missing_path_are_refused(tmp_path, run):
    folder = tmp_path / "mappe.xlsx"
    folder.mkdir()
    before = snapshot(tmp_path)
    assert_refused(run("refresh", folder), before, snapshot(tmp_path), "ikke en fil")
    assert_refused(run("refresh", tmp_path / "mangler.xlsx"), before, snapshot(tmp_path), "findes ikke")
    assert_refused(run("refresh", tmp_path / "mangler.xlsx", "-o", tmp_path / "ud.xlsx"), before, snapshot(tmp_path))


def test_an_unreadable_workbook_is_refused(book, run, monkeypatch):
    before = snapshot(book.parent)
    unreadable(monkeypatch, book)
    assert_refused(run("refresh", book), before, snapshot(book.parent), "kan ikke læses", "adgang")
    assert_refused(run("refresh", book, "-o", book.parent / "kopi.xlsx"), before, snapshot(book.parent), "adgang")


def test_a_read_only_folder_is_refused_before_any_work(book, run, monkeypatch):
    before = snapshot(book.parent)
    read_only_folder(monkeypatch, book.parent)
    assert_refused(run("refresh", book), before, snapshot(book.parent), "skrivebeskyttet")


def test_a_copy_into_a_read_only_folder_is_refused(book, tmp_path, run, monkeypatch):
    out = tmp_path / "låst"
    out.mkdir()
    before = snapshot(tmp_path)
    read_only_folder(monkeypatch, out)
    assert_refused(run("refresh", book, "-o", out / "kopi.xlsx"), before, snapshot(tmp_path), "kopi.xlsx", "adgang")


@pytest.mark.parametrize("copy", [False, True])
def test_a_full_disk_is_refused_and_leaves_no_partial_file(book, tmp_path, run, monkeypatch, copy):
    report = tmp_path / "rapport.xlsx"
    shutil.copy(MASTER, report)
    before = snapshot(tmp_path)
    disk_full(monkeypatch)
    argv = ["refresh", book, "--no-backup"] + (["-o", report, "--overwrite"] if copy else [])
    line = assert_refused(run(*argv), before, snapshot(tmp_path), "disken er fuld", "Intet er ændret")
    assert "Frigør plads" in line and temp_files(tmp_path) == []


def test_a_full_disk_while_writing_the_backup_is_refused_too(book, run, monkeypatch):
    before = snapshot(book.parent)
    disk_full(monkeypatch)
    assert_refused(run("refresh", book), before, snapshot(book.parent), "disken er fuld")


def test_output_equal_to_input_in_any_spelling_is_refused(book, run):
    link = book.parent / "samme.xlsx"
    os.link(book, link)
    before = snapshot(book.parent)
    for out in (book, book.parent / "." / book.name, book.parent / "x" / ".." / book.name, link):
        assert_refused(run("refresh", book, "-o", out, "--overwrite"), before, snapshot(book.parent), "selve filen")


def test_output_a_folder_or_under_a_file_is_refused(book, run):
    folder = book.parent / "mappe.xlsx"
    folder.mkdir()
    before = snapshot(book.parent)
    assert_refused(run("refresh", book, "-o", folder, "--overwrite"), before, snapshot(book.parent), "er en mappe")
    assert_refused(run("refresh", book, "-o", book.parent / "mappe.xlsx" / ".." / "mappe.xlsx"), before,
                   snapshot(book.parent), "er en mappe")
    assert_refused(run("refresh", book, "-o", book / "under" / "ny.xlsx"), before, snapshot(book.parent))


def test_a_good_refresh_to_a_copy_writes_only_the_copy(book, run):
    before = book.read_bytes()
    result = run("refresh", "--quiet", book, "-o", book.parent / "ud" / "ny.xlsx")
    assert result.code == 0 and result.err == ""
    assert book.read_bytes() == before
    assert zipfile.ZipFile(book.parent / "ud" / "ny.xlsx").testzip() is None
    assert temp_files(book.parent) == []


def test_english_on_request(tmp_path, run, monkeypatch):
    monkeypatch.setenv("SP_XL_LANG", "en")
    bad = make_bad("empty", tmp_path)
    result = run("refresh", bad)
    assert result.code == 2 and result.err.startswith("Refused: ") and "is empty" in result.err


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(book, run, monkeypatch):
    from sp_xl.actions import refresh

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(refresh, "recalculate", broken)
    before = snapshot(book.parent)
    result = run("refresh", book)
    assert result.code == 2 and result.err.startswith("Afvist: ") and len(result.err.splitlines()) == 1
    assert "intern fejl" in result.err and "--debug" in result.err and "boom" not in result.err
    assert snapshot(book.parent) == before
    with pytest.raises(RuntimeError, match="boom"):
        run("refresh", book, "--debug")
    assert snapshot(book.parent) == before


@pytest.mark.parametrize("kind", ["empty", "zip_bomb", "dtd_core", "truncated_50"])
def test_no_traceback_at_process_level(tmp_path, kind):
    bad = make_bad(kind, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sp_xl.cli", "refresh", str(bad), "-o", str(tmp_path / "ud.xlsx")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("Afvist: ") and "Traceback" not in proc.stderr
    assert not (tmp_path / "ud.xlsx").exists()


def test_a_folder_as_directory_argument_on_the_command_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sp_xl.cli", "refresh", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert_one_danish_line(type("R", (), {"err": proc.stderr})(), "ikke en fil")
