"""Temporary files beside a target: no name until complete, and none left by a dead writer."""

from __future__ import annotations

import os
import subprocess
import sys

from sp_xl.ooxml import tempfiles


def test_the_data_has_no_name_until_it_is_put_in_place(tmp_path):
    target = tmp_path / "sp_status.xlsx"
    target.write_bytes(b"old")
    pending = tempfiles.Pending(tmp_path, target.name, b"new")
    if not pending.named:                                  # Linux: an unnamed O_TMPFILE
        assert sorted(p.name for p in tmp_path.iterdir()) == ["sp_status.xlsx"]
    pending.commit(target, 0o640)
    assert target.read_bytes() == b"new" and oct(target.stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sp_status.xlsx"]


def test_discard_leaves_nothing(tmp_path):
    pending = tempfiles.Pending(tmp_path, "a.xlsx", b"data")
    pending.discard()
    pending.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_dead_writers_temporary_file_is_removed_by_the_next_write(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)                                  # that process has ended
    left = tmp_path / f".a.xlsx.{pid}.0123abcd{tempfiles.TEMP_SUFFIX}"
    alive = tmp_path / f".a.xlsx.{os.getppid()}.0123abcd{tempfiles.TEMP_SUFFIX}"
    other = tmp_path / f".b.xlsx.{pid}.0123abcd{tempfiles.TEMP_SUFFIX}"
    for p in (left, alive, other):
        p.write_bytes(b"half")
    tempfiles.Pending(tmp_path, "a.xlsx", b"x").commit(tmp_path / "a.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.xlsx", alive.name, other.name])


def test_the_named_way_works_where_there_is_no_unnamed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfiles, "_unnamed", lambda folder: None)
    pending = tempfiles.Pending(tmp_path, "a.xlsx", b"data")
    assert pending.named and pending.tmp.exists()
    pending.commit(tmp_path / "a.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]
