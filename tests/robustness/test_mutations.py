"""Property test: a real master with one XML part damaged (bytes deleted or replaced, the part
cut short, a DTD inserted, two tags swapped), or its zip container damaged, gets from refresh,
check and import either their result or one Danish refusal: never a traceback, an internal
error or a half-written file."""

from __future__ import annotations

import contextlib
import io
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sp_xl import cli
from tests.robustness.conftest import FORBIDDEN, MASTER, members, rezip, with_dtd, xml_parts

PARTS = members(MASTER.read_bytes())
XML_PARTS = sorted(xml_parts(MASTER.read_bytes()))
_TAG = b"<[A-Za-z][^<>]*>"


@st.composite
def damaged_master(draw) -> tuple[str, str, bytes]:
    part = draw(st.sampled_from(XML_PARTS))
    xml = PARTS[part]
    how = draw(st.sampled_from(["delete", "replace", "truncate", "dtd", "swap"]))
    at = draw(st.integers(0, max(len(xml) - 1, 0)))
    if how == "delete":
        new = xml[:at] + xml[at + draw(st.integers(1, 64)):]
    elif how == "replace":
        new = xml[:at] + draw(st.binary(min_size=1, max_size=16)) + xml[at + draw(st.integers(0, 16)):]
    elif how == "truncate":
        new = xml[:at]
    elif how == "dtd":
        new = with_dtd(xml)
    else:
        import re
        tags = list(re.finditer(_TAG, xml))
        if len(tags) < 2:
            new = xml[:at]
        else:
            i, j = sorted(draw(st.lists(st.integers(0, len(tags) - 1), min_size=2, max_size=2, unique=True)))
            a, b = tags[i], tags[j]
            new = xml[:a.start()] + b.group() + xml[a.end():b.start()] + a.group() + xml[b.end():]
    return part, how, rezip({**PARTS, part: new})


@st.composite
def damaged_zip(draw) -> tuple[str, str, bytes]:
    """The master's zip container itself damaged: bytes flipped, deleted or cut anywhere."""
    data = MASTER.read_bytes()
    at = draw(st.integers(0, len(data) - 1))
    how = draw(st.sampled_from(["flip", "delete", "truncate"]))
    if how == "flip":
        new = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    elif how == "delete":
        new = data[:at] + data[at + draw(st.integers(1, 64)):]
    else:
        new = data[:at]
    return "(zip)", how, new


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_contract(code: int, out: str, err: str, allowed: set[int], folder: Path, book: Path, before: bytes):
    assert code in allowed, (code, err)
    assert "Traceback" not in err and "Traceback" not in out
    leftovers = sorted(p.name for p in folder.iterdir() if p.name != book.name and p.name != "sp-xl-backup")
    assert leftovers == [], leftovers
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Afvist: "), err
        for bad in FORBIDDEN:
            assert bad not in lines[0], (bad, lines[0])
        assert book.read_bytes() == before                          # refused: untouched
        assert not (folder / "sp-xl-backup").exists()
    else:
        with zipfile.ZipFile(book) as z:                             # done: a complete package
            assert z.testzip() is None


SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(st.one_of(damaged_master(), damaged_zip()))
def test_refresh_of_a_damaged_master_is_done_or_refused(case):
    part, how, data = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "sp_status.xlsx"
        book.write_bytes(data)
        code, out, err = run(["refresh", "--quiet", str(book)])
        assert_contract(code, out, err, {0, 2}, folder, book, data)


@SETTINGS
@given(st.one_of(damaged_master(), damaged_zip()))
def test_check_of_a_damaged_master_reports_or_refuses(case):
    part, how, data = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "sp_status.xlsx"
        book.write_bytes(data)
        code, out, err = run(["check", str(book)])
        assert_contract(code, out, err, {0, 1, 2}, folder, book, data)
        assert book.read_bytes() == data                            # check without --write only reads


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(damaged_master(), damaged_zip()))
def test_import_into_a_damaged_master_is_done_or_refused(case):
    from tests.robustness.conftest import FIXTURES

    part, how, data = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "sp_status.xlsx"
        book.write_bytes(data)
        code, out, err = run(["import", str(book), str(FIXTURES / "lpr_fejl.csv"), "--no-backup"])
        assert_contract(code, out, err, {0, 1, 2}, folder, book, data)


@st.composite
def damaged_extract(draw) -> bytes:
    from tests.robustness.conftest import FIXTURES

    name = draw(st.sampled_from(["lpr_fejl.csv", "sager_niveau.csv", "minsp_brugere_cp1252.csv"]))
    data = (FIXTURES / name).read_bytes()
    at = draw(st.integers(0, len(data) - 1))
    how = draw(st.sampled_from(["delete", "replace", "truncate", "repeat"]))
    if how == "delete":
        return name, data[:at] + data[at + draw(st.integers(1, 40)):]
    if how == "replace":
        return name, data[:at] + draw(st.binary(min_size=1, max_size=12)) + data[at + draw(st.integers(0, 12)):]
    if how == "truncate":
        return name, data[:at]
    return name, data + data[data.index(b"\n", at) + 1:] if b"\n" in data[at:] else data


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged_extract())
def test_a_damaged_extract_is_imported_listed_or_refused(case):
    name, extract = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = folder / "sp_status.xlsx"
        book.write_bytes(MASTER.read_bytes())
        source = Path(tmp).parent / f"{folder.name}_{name}"
        source.write_bytes(extract)
        try:
            code, out, err = run(["import", str(book), str(source), "--no-backup", "--no-refresh"])
        finally:
            source.unlink()
        assert_contract(code, out, err, {0, 1, 2}, folder, book, MASTER.read_bytes())
        assert "Traceback" not in out and "intern fejl" not in out and "Error" not in out, out
