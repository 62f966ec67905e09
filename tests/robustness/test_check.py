"""`sp-xl check` under bad input: a report (exit 0/1), or one Danish refusal (exit 2), never a crash."""

from __future__ import annotations

import shutil
import subprocess
import sys

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
    unreadable,
    with_dtd,
    xml_parts,
)


@pytest.mark.parametrize("kind", sorted(BAD_WORKBOOKS))
def test_a_bad_workbook_is_refused(tmp_path, run, kind):
    bad = make_bad(kind, tmp_path)
    before = snapshot(tmp_path)
    assert_refused(run("check", bad), before, snapshot(tmp_path), *BAD_WORKBOOKS[kind])
    assert_refused(run("check", bad, "--write"), before, snapshot(tmp_path), *BAD_WORKBOOKS[kind])


def test_a_dtd_in_any_xml_part_is_refused(tmp_path, run):
    parts = members(MASTER.read_bytes())
    for part in xml_parts(MASTER.read_bytes()):
        bad = tmp_path / "ond.xlsx"
        bad.write_bytes(rezip({**parts, part: with_dtd(parts[part])}))
        before = snapshot(tmp_path)
        assert_refused(run("check", bad), before, snapshot(tmp_path), "DTD", part)


def test_a_folder_a_missing_path_and_an_unreadable_file_are_refused(tmp_path, run, monkeypatch):
    folder = tmp_path / "mappe.xlsx"
    folder.mkdir()
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)
    before = snapshot(tmp_path)
    assert_refused(run("check", folder), before, snapshot(tmp_path), "ikke en fil")
    assert_refused(run("check", tmp_path / "mangler.xlsx"), before, snapshot(tmp_path), "findes ikke")
    assert_refused(run("check", tmp_path / "tekst.txt"), before, snapshot(tmp_path), "findes ikke")
    unreadable(monkeypatch, book)
    assert_refused(run("check", book), before, snapshot(tmp_path), "adgang")


def test_write_into_a_read_only_folder_or_a_full_disk_is_refused(tmp_path, run, monkeypatch):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)
    before = snapshot(tmp_path)
    with monkeypatch.context() as m:
        read_only_folder(m, tmp_path)
        assert_refused(run("check", book, "--write"), before, snapshot(tmp_path), "skrivebeskyttet")
    with monkeypatch.context() as m:
        disk_full(m)
        assert_refused(run("check", book, "--write", "--no-backup"), before, snapshot(tmp_path), "disken er fuld")


def test_a_check_without_write_reads_only(tmp_path, run):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)
    before = snapshot(tmp_path)
    result = run("check", book)
    assert result.code in (0, 1) and result.err == ""
    assert snapshot(tmp_path) == before


def test_no_traceback_at_process_level(tmp_path):
    for kind in ("empty", "truncated_90", "renamed_ods"):
        bad = make_bad(kind, tmp_path)
        proc = subprocess.run([sys.executable, "-m", "sp_xl.cli", "check", str(bad)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
        assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("Afvist: ")


def test_write_to_a_workbook_open_in_excel_is_refused(tmp_path, run):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(MASTER, book)
    (tmp_path / "~$sp_status.xlsx").write_bytes(b"owner")
    before = snapshot(tmp_path)
    assert_refused(run("check", book, "--write"), before, snapshot(tmp_path), "åben i Excel")
    assert run("check", book).code == 1                      # reading an open workbook is fine
