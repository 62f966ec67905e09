"""Refusals, fingerprints, backups and atomic replacement."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from sp_xl.i18n import use_language
from sp_xl.ooxml import safety
from sp_xl.ooxml.package import XlsxPackage
from sp_xl.ooxml.safety import WorkbookRefused
from tests.conftest import CORPUS


def refusal(fn, *args) -> WorkbookRefused:
    with pytest.raises(WorkbookRefused) as info:
        fn(*args)
    return info.value


# ---------------------------------------------------------------- what the file is

def test_an_encrypted_workbook_is_refused_as_password_protected():
    data = (CORPUS / "pass_protected.xlsx").read_bytes()
    err = refusal(safety.check_package_bytes, data, "pass_protected.xlsx")
    assert "beskyttet med adgangskode" in err.reason_da
    with use_language("en"):
        assert "password-protected" in err.message


def test_an_old_binary_file_under_a_new_name_is_told_apart_from_encryption():
    fake_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "Workbook".encode("utf-16-le")
    assert ".xls" in refusal(safety.check_package_bytes, fake_xls, "gammel.xlsx").reason_da


def test_a_text_file_renamed_xlsx_is_refused(tmp_path):
    p = tmp_path / "udtræk.xlsx"
    p.write_text("Hospital;Antal\nHerlev;12\n", encoding="utf-8")
    err = refusal(XlsxPackage.open, p)
    assert "ikke en Excel-projektmappe" in err.reason_da and "omdøbt" in err.reason_da


@pytest.mark.parametrize("members, words", [
    ({"content.xml": b"<office/>", "[Content_Types].xml": b"<Types/>"}, "OpenDocument"),
    ({"hello.txt": b"hej"}, "[Content_Types].xml mangler"),
    ({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}, "ingen workbook.xml"),
])
def test_zips_that_are_not_workbooks_are_refused_specifically(members, words):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert words in refusal(XlsxPackage, buf.getvalue(), "x.xlsx").reason_da


def test_a_truncated_workbook_is_refused_as_damaged():
    data = (CORPUS / "issue446.xlsx").read_bytes()
    assert "beskadiget" in refusal(XlsxPackage, data[: len(data) // 2], "halv.xlsx").reason_da


@pytest.mark.parametrize("name, words", [
    ("rapport.xls", "gamle .xls-format"), ("rapport.xlsb", ".xlsb"), ("rapport.csv", "ikke en Excel-projektmappe"),
])
def test_wrong_file_types_are_refused_by_name(tmp_path, name, words):
    p = tmp_path / name
    p.write_bytes(b"x")
    assert words in refusal(safety.check_path, p).reason_da


def test_missing_files_and_folders_are_refused(tmp_path):
    assert "findes ikke" in refusal(safety.check_path, tmp_path / "nej.xlsx").reason_da
    (tmp_path / "mappe.xlsx").mkdir()
    assert "ikke en fil" in refusal(safety.check_path, tmp_path / "mappe.xlsx").reason_da


def test_an_excel_lock_file_means_the_workbook_is_open(tmp_path):
    book = tmp_path / "sp_status.xlsx"
    book.write_bytes(b"")
    safety.check_not_open(book)                                # no lock: fine
    (tmp_path / "~$sp_status.xlsx").write_bytes(b"owner")
    err = refusal(safety.check_not_open, book)
    assert "åben i Excel" in err.reason_da and "~$sp_status.xlsx" in err.reason_da
    os.rename(tmp_path / "~$sp_status.xlsx", tmp_path / "~$SP_STATUS.XLSX")   # Windows ignores case
    assert "åben i Excel" in refusal(safety.check_not_open, book).reason_da


# ---------------------------------------------------------------- fingerprints

def test_a_fingerprint_describes_exactly_the_bytes_read(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"version 1")
    data, fp = safety.read_with_fingerprint(p)
    assert data == b"version 1" and fp == safety.fingerprint(p)
    safety.check_unchanged(p, fp)
    p.write_bytes(b"version 2")
    assert "ændret på disken" in refusal(safety.check_unchanged, p, fp).reason_da


def test_same_size_and_time_but_other_content_is_still_a_change(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"AAAA")
    _, fp = safety.read_with_fingerprint(p)
    st = p.stat()
    p.write_bytes(b"BBBB")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "ændret" in refusal(safety.check_unchanged, p, fp).reason_da


# ---------------------------------------------------------------- replacing

def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".sp-xl-tmp"))


def test_replace_keeps_a_backup_of_exactly_the_version_read(tmp_path):
    book = tmp_path / "sp_status.xlsx"
    shutil.copy(CORPUS / "issue446.xlsx", book)
    os.chmod(book, 0o640)
    original, fp = safety.read_with_fingerprint(book)
    backup = safety.replace_workbook(book, b"new bytes", expected=fp, original=original)
    assert book.read_bytes() == b"new bytes"
    assert backup.parent == tmp_path / "sp-xl-backup" and backup.read_bytes() == original
    assert backup.name.startswith("sp_status ") and backup.suffix == ".xlsx"
    assert (book.stat().st_mode & 0o777) == 0o640              # permissions survive the replace
    assert leftovers(tmp_path) == []


def test_a_file_changed_during_the_work_is_left_alone(tmp_path):
    book = tmp_path / "sp_status.xlsx"
    book.write_bytes(b"version 1")
    original, fp = safety.read_with_fingerprint(book)

    def someone_saves():
        book.write_bytes(b"version 2 from Excel")
    err = refusal(lambda: safety.replace_workbook(book, b"ours", expected=fp, original=original,
                                                  before_replace=someone_saves))
    assert "ændret på disken" in err.reason_da
    assert book.read_bytes() == b"version 2 from Excel"
    assert leftovers(tmp_path) == [] and not (tmp_path / "sp-xl-backup").exists()


def test_a_workbook_opened_in_excel_during_the_work_is_left_alone(tmp_path):
    book = tmp_path / "sp_status.xlsx"
    book.write_bytes(b"version 1")
    original, fp = safety.read_with_fingerprint(book)
    err = refusal(lambda: safety.replace_workbook(
        book, b"ours", expected=fp, original=original,
        before_replace=lambda: (tmp_path / "~$sp_status.xlsx").write_bytes(b"x")))
    assert "åben i Excel" in err.reason_da and book.read_bytes() == b"version 1"
    assert leftovers(tmp_path) == []


def test_a_read_only_workbook_or_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    book = tmp_path / "sp_status.xlsx"
    book.write_bytes(b"x")
    safety.check_writable(book)
    real_access = os.access
    # root may write anything, so the operating system's answer is simulated per path
    monkeypatch.setattr(safety.os, "access", lambda p, mode: Path(p) != book and real_access(p, mode))
    assert "sp_status.xlsx er skrivebeskyttet" in refusal(safety.check_writable, book).reason_da
    monkeypatch.setattr(safety.os, "access", lambda p, mode: Path(p) != tmp_path and real_access(p, mode))
    assert "Mappen" in refusal(safety.check_writable, book).reason_da


def test_a_replace_that_windows_blocks_is_a_refusal_not_a_crash(tmp_path, monkeypatch):
    book = tmp_path / "sp_status.xlsx"
    book.write_bytes(b"version 1")
    original, fp = safety.read_with_fingerprint(book)

    def held_open(src, dst):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(safety.os, "replace", held_open)
    err = refusal(lambda: safety.replace_workbook(book, b"ours", expected=fp, original=original, backup=False))
    assert "åben i et andet program" in err.reason_da and "ikke ændret" in err.reason_da
    assert book.read_bytes() == b"version 1" and leftovers(tmp_path) == []


def test_a_failing_replace_removes_the_temporary_file(tmp_path, monkeypatch):
    book = tmp_path / "sp_status.xlsx"
    book.write_bytes(b"version 1")
    original, fp = safety.read_with_fingerprint(book)

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(safety.os, "replace", disk_full)
    err = refusal(lambda: safety.replace_workbook(book, b"ours", expected=fp, original=original, backup=False))
    assert "disken er fuld" in err.reason_da and "No space" not in err.reason_da
    assert book.read_bytes() == b"version 1" and leftovers(tmp_path) == []


def test_backups_never_overwrite_each_other_and_the_newest_ten_are_kept(tmp_path):
    book = tmp_path / "sp_status.xlsx"
    for i in range(13):                                        # all within the same second
        made = safety.write_backup(book, f"v{i}".encode())
        assert made.read_bytes() == f"v{i}".encode()
    kept = sorted((tmp_path / "sp-xl-backup").iterdir())
    assert len(kept) == safety.BACKUPS_KEPT
    assert {p.read_bytes() for p in kept} == {f"v{i}".encode() for i in range(3, 13)}
    other = tmp_path / "andet.xlsx"
    safety.write_backup(other, b"other")                       # another workbook's backups are separate
    assert len(list((tmp_path / "sp-xl-backup").iterdir())) == safety.BACKUPS_KEPT + 1


def test_backup_names_sort_by_time():
    a = safety.backup_path_for(Path("/x/sp_status.xlsm"), dt.datetime(2026, 1, 2, 3, 4, 5))
    assert a == Path("/x/sp-xl-backup/sp_status 2026-01-02 030405.xlsm")


# ---------------------------------------------------------------- hostile packages

def _with_member(source: bytes, name: str, data: bytes, *, replace: bool = True) -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename == name and replace:
                continue
            out.writestr(info, src.read(info.filename))
        out.writestr(name, data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def master_bytes() -> bytes:
    from sp_xl.master.build import workbook_bytes
    return workbook_bytes()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "docProps/core.xml"])
def test_a_dtd_with_entities_in_any_part_is_refused_before_anything_reads_it(master_bytes, part):
    import io
    import zipfile
    original = zipfile.ZipFile(io.BytesIO(master_bytes)).read(part)
    body = original.split(b"?>", 1)[1] if b"?>" in original[:200] else original
    hostile = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + body)
    with pytest.raises(WorkbookRefused, match="DTD"):
        XlsxPackage(_with_member(master_bytes, part, hostile), "ond.xlsx")


def test_a_zip_bomb_is_refused_from_its_sizes_without_unpacking_it(master_bytes):
    bomb = b"<x>" + b" " * (80 << 20) + b"</x>"          # 80 MB of spaces deflate to about 80 kB
    with pytest.raises(WorkbookRefused, match="zip-bombe"):
        XlsxPackage(_with_member(master_bytes, "xl/worksheets/sheet99.xml", bomb, replace=False), "bombe.xlsx")


def test_a_part_named_outside_the_package_is_refused(master_bytes):
    with pytest.raises(WorkbookRefused, match="uden for pakken"):
        XlsxPackage(_with_member(master_bytes, "../../etc/evil.xml", b"<x/>", replace=False), "sti.xlsx")
