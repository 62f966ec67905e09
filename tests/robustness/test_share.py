"""`sp-xl share` under bad input and faults: a complete copy, or one Danish refusal and no copy."""

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


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory) -> bytes:
    """The master after a refresh: what may be shared."""
    from sp_xl.actions.refresh import refresh

    path = tmp_path_factory.mktemp("refreshed") / "sp_status.xlsx"
    shutil.copy(MASTER, path)
    refresh(path, backup=False)
    return path.read_bytes()


@pytest.fixture
def book(tmp_path, refreshed):
    path = tmp_path / "sp_status.xlsx"
    path.write_bytes(refreshed)
    return path


@pytest.mark.parametrize("kind", sorted(BAD_WORKBOOKS))
def test_a_bad_workbook_is_refused_and_no_copy_is_written(tmp_path, run, kind):
    bad = make_bad(kind, tmp_path)
    existing = tmp_path / "gammel kopi.xlsx"
    shutil.copy(MASTER, existing)
    before = snapshot(tmp_path)
    words = BAD_WORKBOOKS[kind]
    assert_refused(run("share", bad), before, snapshot(tmp_path), *words)
    assert_refused(run("share", bad, "-o", existing, "--overwrite"), before, snapshot(tmp_path), *words)
    assert_refused(run("share", bad, "--check"), before, snapshot(tmp_path), *words)


def test_a_dtd_in_any_xml_part_is_refused(tmp_path, run, refreshed):
    parts = members(refreshed)
    for part in xml_parts(refreshed):
        bad = tmp_path / "ond.xlsx"
        bad.write_bytes(rezip({**parts, part: with_dtd(parts[part])}))
        before = snapshot(tmp_path)
        assert_refused(run("share", bad, "-o", tmp_path / "kopi.xlsx"), before, snapshot(tmp_path), "DTD", part)


def test_a_folder_a_missing_path_and_an_unreadable_file_are_refused(tmp_path, run, book, monkeypatch):
    folder = tmp_path / "mappe.xlsx"
    folder.mkdir()
    before = snapshot(tmp_path)
    assert_refused(run("share", folder), before, snapshot(tmp_path), "ikke en fil")
    assert_refused(run("share", tmp_path / "mangler.xlsx"), before, snapshot(tmp_path), "findes ikke")
    unreadable(monkeypatch, book)
    assert_refused(run("share", book), before, snapshot(tmp_path), "adgang")


def test_a_read_only_folder_is_refused(tmp_path, run, book, monkeypatch):
    out = tmp_path / "låst"
    out.mkdir()
    before = snapshot(tmp_path)
    read_only_folder(monkeypatch, out)
    assert_refused(run("share", book, "-o", out / "kopi.xlsx"), before, snapshot(tmp_path), "kopi.xlsx", "adgang")


@pytest.mark.parametrize("replace", [False, True])
def test_a_full_disk_is_refused_and_an_old_copy_survives(tmp_path, run, book, monkeypatch, replace):
    copy = tmp_path / "kopi.xlsx"
    if replace:
        shutil.copy(MASTER, copy)
    before = snapshot(tmp_path)
    disk_full(monkeypatch)
    argv = ["share", book, "-o", copy] + (["--overwrite"] if replace else [])
    assert_refused(run(*argv), before, snapshot(tmp_path), "disken er fuld", "Frigør plads")
    assert temp_files(tmp_path) == []


def test_output_equal_to_input_a_folder_or_an_existing_file_is_refused(tmp_path, run, book):
    link = tmp_path / "link.xlsx"
    os.link(book, link)
    folder = tmp_path / "mappe.xlsx"
    folder.mkdir()
    existing = tmp_path / "findes.xlsx"
    existing.write_bytes(b"old")
    before = snapshot(tmp_path)
    for out in (book, tmp_path / "x" / ".." / book.name, link):
        assert_refused(run("share", book, "-o", out, "--overwrite"), before, snapshot(tmp_path), "arbejdsbogen selv")
    assert_refused(run("share", book, "-o", folder, "--overwrite"), before, snapshot(tmp_path), "er en mappe")
    assert_refused(run("share", book, "-o", existing), before, snapshot(tmp_path), "findes allerede")
    assert_refused(run("share", book, "-o", tmp_path / "ny" / "kopi.xlsx"), before, snapshot(tmp_path), "findes ikke")
    assert_refused(run("share", book, "-o", tmp_path / "kopi.csv"), before, snapshot(tmp_path), ".xlsx")


def test_a_stale_master_is_refused(tmp_path, run):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)                        # never refreshed
    before = snapshot(tmp_path)
    assert_refused(run("share", book), before, snapshot(tmp_path), "ikke opdateret")


def test_a_good_share_writes_only_the_copy(tmp_path, run, book):
    before = book.read_bytes()
    result = run("share", book)
    copy = tmp_path / "sp_status (delt kopi).xlsx"
    assert result.code == 0 and result.err == "", result.err
    assert book.read_bytes() == before and zipfile.ZipFile(copy).testzip() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([book.name, copy.name])


def test_no_traceback_at_process_level(tmp_path):
    for kind in ("random_bytes", "zip_bomb"):
        bad = make_bad(kind, tmp_path)
        proc = subprocess.run([sys.executable, "-m", "sp_xl.cli", "share", str(bad)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
        assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("Afvist: ")
