"""`sp-xl new` under bad output paths and faults: a new master, or one refusal and nothing written."""

from __future__ import annotations

import zipfile

from tests.robustness.conftest import assert_refused, disk_full, read_only_folder, snapshot, temp_files


def test_bad_targets_are_refused(tmp_path, run):
    existing = tmp_path / "findes.xlsx"
    existing.write_bytes(b"old")
    folder = tmp_path / "mappe.xlsx"
    folder.mkdir()
    before = snapshot(tmp_path)
    assert_refused(run("new", existing), before, snapshot(tmp_path), "findes allerede", "--overwrite")
    assert_refused(run("new", folder, "--overwrite"), before, snapshot(tmp_path), "mappe")
    assert_refused(run("new", tmp_path / "mangler" / "ny.xlsx"), before, snapshot(tmp_path), "Mappen findes ikke")
    assert_refused(run("new", tmp_path / "ny.csv"), before, snapshot(tmp_path), ".xlsx")


def test_a_read_only_folder_and_a_full_disk_are_refused(tmp_path, run, monkeypatch):
    existing = tmp_path / "findes.xlsx"
    existing.write_bytes(b"old")
    before = snapshot(tmp_path)
    with monkeypatch.context() as m:
        read_only_folder(m, tmp_path)
        assert_refused(run("new", tmp_path / "ny.xlsx"), before, snapshot(tmp_path), "adgang")
    with monkeypatch.context() as m:
        disk_full(m)
        assert_refused(run("new", existing, "--overwrite"), before, snapshot(tmp_path), "disken er fuld")
    assert temp_files(tmp_path) == []


def test_a_new_master_is_complete(tmp_path, run):
    result = run("new", tmp_path / "ny.xlsx")
    assert result.code == 0 and result.err == ""
    assert zipfile.ZipFile(tmp_path / "ny.xlsx").testzip() is None
    assert oct((tmp_path / "ny.xlsx").stat().st_mode & 0o777) == "0o644"
