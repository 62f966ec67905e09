"""The built add-in's VBA project, read back per MS-OVBA: version-independent (0xFFFF, no
cache, no p-code), every helper module private, Danish argument names in Insert Function."""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest

pytest.importorskip("pyopenvba", reason="pyOpenVBA (writes the add-in's VBA project) is not installed")
pytest.importorskip("oletools", reason="oletools (reads the add-in back) is not installed")

import olefile

from sp_xl.addin import ovba
from sp_xl.addin.build import check_addin
from sp_xl.addin.check import read_vba_modules
from sp_xl.addin.layout import EXPECTED_MODULES, PUBLIC_MODULES
from sp_xl.excel.registry import EXCEL_HELP_MAX
from sp_xl.udfs import functions


def _vba_bin(path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/vbaProject.bin")


def _with_vba_bin(src, dst, data: bytes):
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as out:
        for info in z.infolist():
            out.writestr(info, data if info.filename == "xl/vbaProject.bin" else z.read(info.filename))
    return dst


def test_vba_project_stream_is_the_bare_version_independent_header(built_addin):
    ole = olefile.OleFileIO(io.BytesIO(_vba_bin(built_addin)))
    head = ole.openstream("VBA/_VBA_PROJECT").read()
    assert head == b"\xcc\x61\xff\xff\x00\x01\x00"          # Reserved1, Version 0xFFFF, Reserved2, Reserved3
    assert struct.unpack_from("<H", head, 2)[0] == 0xFFFF
    assert not [e for e in ole.listdir() if e[-1].lower().startswith("__srp_")]


def test_no_module_carries_compiled_p_code(built_addin):
    info = ovba.read_project(_vba_bin(built_addin))
    assert info.version == 0xFFFF and info.cache_size == 0
    assert {m.name for m in info.modules} == set(EXPECTED_MODULES) | {"Sheet1"}   # Sheet1: the template sheet
    for m in info.modules:
        assert m.offset == 0, m.name                          # the source starts at byte 0
        assert m.source.startswith('Attribute VB_Name = "' + m.name + '"'), m.name
    # The template's Sheet1 came with ~800 bytes of p-code before its source; now only source.
    assert info.module("Sheet1").stream_size < 300


def test_olevba_reads_the_same_source_as_our_reader(built_addin):
    ours = {m.name: m.source for m in ovba.read_project(_vba_bin(built_addin)).modules}
    theirs = read_vba_modules(built_addin)
    for name, source in theirs.items():
        assert re.sub(r"\s+", " ", source).strip() in re.sub(r"\s+", " ", ours[name]).strip() or \
            source.splitlines()[-1] in ours[name]


def test_every_helper_module_is_private_and_only_function_modules_are_public(built_addin):
    info = ovba.read_project(_vba_bin(built_addin))
    standard = [m for m in info.modules if m.standard]
    assert {m.name for m in standard} == {"xlwings", "SpUdfs", "SpRegister", "SpErrors", "SpFejltekst", "SpLinks",
                                          "SpMain", "SpRibbon"}
    for m in standard:
        assert ovba.has_private_module_option(m.source) == (m.name not in PUBLIC_MODULES), m.name
    public = {m.name: m.source for m in standard if m.name in PUBLIC_MODULES}
    names = re.findall(r"^(?:Public\s+)?Function\s+(\w+)\(", "\n".join(public.values()), re.MULTILINE)
    # The public modules hold worksheet functions only: what Insert Function lists.
    assert sorted(names) == sorted([s.name for s in functions()] + ["SP_FEJLTEKST"])
    assert not re.search(r"^\s*(Public\s+)?Sub\s", "\n".join(public.values()), re.MULTILINE)


def test_the_helpers_that_were_callable_from_cells_are_now_private(built_addin):
    modules = read_vba_modules(built_addin)
    hidden = [name for m, src in modules.items() if m not in PUBLIC_MODULES and ovba.has_private_module_option(src)
              for name in re.findall(r"^(?:Public\s+)?Function\s+(\w+)\(", src, re.MULTILINE)]
    assert "SpPythonProblem" in hidden and "GetConfig" in hidden and "RunPython" in hidden
    assert len(hidden) >= 40


def test_insert_function_shows_danish_argument_names_and_help_within_excels_limits(built_addin):
    modules = read_vba_modules(built_addin)
    wrappers = modules["SpUdfs"]
    assert "Function SP_ATTAINMENT(faktisk, maal, Optional lavere_er_bedre)" in wrappers
    assert "Function SP_REQUIRED(grundlag, per)" in wrappers
    assert "Function SP_WORKDAYS(start, slut)" in wrappers
    for word in ("actual", "target", "lower_is_better", "base_", "end_"):
        assert not re.search(rf"[(, ]{word}[,)]", wrappers), word
    register = modules["SpRegister"]
    for spec in functions():
        block = register.split(f"Private Sub Register_{spec.name}()", 1)[1].split("End Sub", 1)[0]
        call = re.search(r"ArgumentDescriptions:=Array\(([^)]*)\)", block)
        assert call and len(call.group(1).split(",")) == len(spec.args), spec.name
    for literal in re.findall(r'"((?:[^"]|"")*)"', register):
        assert len(literal) <= EXCEL_HELP_MAX


def test_the_check_reports_a_project_with_a_cache_or_p_code(built_addin, tmp_path):
    from pyopenvba.cfb import CFB

    cfb = CFB.from_bytes(_vba_bin(built_addin))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", b"\xcc\x61\xb5\x00\x00\x01\x00" + bytes(100))
    broken = _with_vba_bin(built_addin, tmp_path / "sp_xl.xlam", cfb.to_bytes())
    problems = check_addin(broken).problems
    assert "_VBA_PROJECT version is 0x00B5, not 0xFFFF (version-independent)" in problems
    assert "_VBA_PROJECT carries a 100-byte performance cache" in problems


def test_the_template_with_p_code_is_what_the_fix_removes():
    """Without make_version_independent, pyopenvba's template leaves Sheet1's p-code and 0x00B5."""
    import tempfile
    from pathlib import Path

    from pyopenvba import ExcelFile

    with tempfile.TemporaryDirectory() as tmp:
        book = ExcelFile.create_new(Path(tmp) / "t.xlam")
        try:
            book.vba_project()
            book.save()
        finally:
            book.close()
        raw = _vba_bin(Path(tmp) / "t.xlam")
    before = ovba.read_project(raw)
    after = ovba.read_project(ovba.make_version_independent(raw))
    assert before.version != 0xFFFF and before.module("Sheet1").offset > 0
    assert after.version == 0xFFFF and after.cache_size == 0
    assert [m.offset for m in after.modules] == [0] * len(after.modules)
    assert after.module("Sheet1").source == before.module("Sheet1").source


def test_a_helper_module_without_option_private_is_reported(built_addin, tmp_path):
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress

    cfb = CFB.from_bytes(_vba_bin(built_addin))
    info = ovba.read_project(_vba_bin(built_addin))
    source = info.module("SpLinks").source.replace("Option Private Module\r\n", "")
    cfb.write_stream_in_storage("VBA", "SpLinks", compress(source.encode("cp1252")))
    broken = _with_vba_bin(built_addin, tmp_path / "sp_xl.xlam", cfb.to_bytes())
    assert "VBA module SpLinks lacks Option Private Module" in check_addin(broken).problems
