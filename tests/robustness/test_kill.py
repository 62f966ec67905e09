"""kill -9 at any moment: the target is the old file or the new complete one, never a mix.

Each command runs as a real process and is killed (SIGKILL) after a delay spread evenly over
its whole run time (start-up, reading, computing, writing, replacing), 12 times per command.
After each kill: the target's bytes are the old ones, or it is a complete package holding
the command's result; the inputs are unchanged; every backup is a complete copy of the old
file; and no temporary file is left beside the target (O_TMPFILE gives the data a name only
at the rename; where a name was left by the killed process, the next run removes it).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sp_xl.ooxml import names
from sp_xl.ooxml.package import XlsxPackage
from tests.robustness.conftest import FIXTURES, MASTER, temp_files

RUNS = 12
pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Scenario:
    argv: list[str]
    target: Path
    old: bytes
    inputs: list[Path]
    is_new: Callable[[XlsxPackage], bool]


def refreshed(pkg: XlsxPackage) -> bool:
    sheet, ref = names.name_cell(pkg.defined_names, names.LAST_REFRESHED)
    return isinstance(pkg.cells(sheet).get(ref), float)


def imported(pkg: XlsxPackage) -> bool:
    return pkg.cells("D_LPR").get("C20") == 5 and refreshed(pkg)


def shared(pkg: XlsxPackage) -> bool:
    return "Om tallene" in pkg.sheet_names and not any("vbaProject" in n for n in pkg.member_names())


@pytest.fixture(scope="module")
def refreshed_master(tmp_path_factory) -> bytes:
    from sp_xl.actions.refresh import refresh

    path = tmp_path_factory.mktemp("master") / "sp_status.xlsx"
    shutil.copy(MASTER, path)
    refresh(path, backup=False)
    return path.read_bytes()


def scenario(command: str, folder: Path, refreshed_master: bytes) -> Scenario:
    book = folder / "sp_status.xlsx"
    if command == "refresh":
        shutil.copy(MASTER, book)
        return Scenario(["refresh", "--quiet", str(book)], book, MASTER.read_bytes(), [], refreshed)
    if command == "import":
        shutil.copy(MASTER, book)
        extract = folder.parent / f"{folder.name}_lpr_fejl.csv"
        shutil.copy(FIXTURES / "lpr_fejl.csv", extract)
        return Scenario(["import", str(book), str(extract)], book, MASTER.read_bytes(), [extract], imported)
    book.write_bytes(refreshed_master)
    copy = folder / "delt.xlsx"
    shutil.copy(MASTER, copy)                          # an old copy that is replaced
    return Scenario(["share", str(book), "-o", str(copy), "--overwrite"], copy, MASTER.read_bytes(), [book], shared)


def start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sp_xl.cli", *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def assert_old_or_new(s: Scenario, folder: Path, hashes: dict[Path, str]) -> str:
    for p in s.inputs:
        assert sha(p) == hashes[p], f"input {p.name} changed"
    backups = folder / "sp-xl-backup"
    if backups.exists():
        for b in backups.iterdir():
            assert b.read_bytes() == s.old, f"backup {b.name} is not a complete copy of the old file"
    if s.target.read_bytes() == s.old:
        return "old"
    with zipfile.ZipFile(s.target) as z:
        assert z.testzip() is None
    assert s.is_new(XlsxPackage.open(s.target)), "the target is neither the old file nor the command's result"
    return "new"


@pytest.mark.parametrize("command", ["refresh", "import", "share"])
def test_a_kill_at_any_moment_leaves_the_old_or_the_new_file(tmp_path, refreshed_master, command):
    rng = random.Random(command)
    # One run to the end: how long it takes, and that its result is recognised as new.
    folder = tmp_path / "full"
    folder.mkdir()
    s = scenario(command, folder, refreshed_master)
    started = time.monotonic()
    proc = start(s.argv)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    full = time.monotonic() - started
    assert assert_old_or_new(s, folder, {p: sha(p) for p in s.inputs}) == "new"

    outcomes = []
    for i in range(RUNS):
        folder = tmp_path / f"run{i}"
        folder.mkdir()
        s = scenario(command, folder, refreshed_master)
        hashes = {p: sha(p) for p in s.inputs}
        delay = 1.3 * full * (i + rng.random()) / RUNS    # spread over the whole run and a bit beyond
        proc = start(s.argv)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=60)
        outcomes.append(assert_old_or_new(s, folder, hashes))
        left = temp_files(folder)
        if left:                                          # only the instant between link and rename
            assert code == -signal.SIGKILL
            again = start(s.argv)
            assert again.wait(timeout=300) == 0 or command != "refresh"
            assert temp_files(folder) == [], left
    assert "old" in outcomes, outcomes                    # killed before the end at least once
